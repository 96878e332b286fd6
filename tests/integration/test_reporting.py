"""Who has not reported yet: GET /v1/blocs/{code}/reporting and /v1/organizations/{code}/reporting."""
import csv
import io

import pytest


def test_a_blocs_members_who_have_not_reported(api):
    """HN-CUM1 in the first half of 2023, two indicators: the article gives new grassroots unions
    for Long Biên (16), Hai Bà Trưng (19) and Ba Đình (15), collective agreements for Long Biên
    (11), Đống Đa (21) and Hoàn Kiếm (16). Six members × two indicators: 12 expected, 6 received;
    Long Biên alone has both, so it comes last; the others by name."""
    r = api.get("/v1/blocs/HN-CUM1/reporting", params={"period": "2023H1",
                                                        "indicator": "new_grassroots_unions,collective_agreements"})
    assert r.status_code == 200, r.text
    doc = r.json()
    assert (doc["bloc"], doc["period"], doc["year"], doc["expected"], doc["received"]) == ("HN-CUM1", "2023H1", 2023,
                                                                                         12, 6)
    assert doc["indicators"] == ["collective_agreements", "new_grassroots_unions"]
    got = [(m["org"], m["received"], m["missing"]) for m in doc["members"]]
    assert got == [
        ("HN-BD", ["new_grassroots_unions"], ["collective_agreements"]),
        ("HN-DD", ["collective_agreements"], ["new_grassroots_unions"]),
        ("HN-HBT", ["new_grassroots_unions"], ["collective_agreements"]),
        ("HN-HK", ["collective_agreements"], ["new_grassroots_unions"]),
        ("HN-HM", [], ["collective_agreements", "new_grassroots_unions"]),
        ("HN-LB", ["collective_agreements", "new_grassroots_unions"], []),
    ]
    assert all(m["derived"] == {} for m in doc["members"])
    assert doc["members"][0]["name"] == "Liên đoàn Lao động quận Ba Đình"


def test_a_bloc_without_criteria_needs_the_indicators_named(api):
    r = api.get("/v1/blocs/HN-CUM1/reporting", params={"period": "2023H1"})
    assert (r.status_code, r.json()["code"]) == (400, "missing_parameter")


def test_derived_figures_count_as_received_with_their_source(make_db, make_server):
    """A member that reported its two halves has the year: received, from periods."""
    _, admin = make_server(make_db(), role="admin")
    assert admin.put("/v1/blocs/T-CUM", json={"name": "Cụm thử", "kind": "cum", "organizer": "VN"}).status_code == 201
    year = {"members": ["HN-HBT", "HN-HM"], "criteria": [{"indicator": "new_members", "weight": 100}]}
    assert admin.put("/v1/blocs/T-CUM/years/2024", json=year).status_code == 201
    body = "org,indicator,period,actual\nHN-HBT,new_members,2024H1,10\nHN-HBT,new_members,2024H2,12\n"
    assert admin.put("/v1/values", data=body.encode(), headers={"Content-Type": "text/csv"}).status_code == 200
    doc = admin.get("/v1/blocs/T-CUM/reporting", params={"period": "2024"}).json()
    assert (doc["expected"], doc["received"]) == (2, 1)
    assert [(m["org"], m["received"], m["derived"], m["missing"]) for m in doc["members"]] == [
        ("HN-HM", [], {}, ["new_members"]),
        ("HN-HBT", ["new_members"], {"new_members": "periods"}, []),
    ]


def test_an_organizations_children_as_they_stood(api):
    r = api.get("/v1/organizations/HN/reporting", params={"period": "2023H1", "indicator": "new_grassroots_unions"})
    assert r.status_code == 200, r.text
    doc = r.json()
    received = {m["org"] for m in doc["members"] if m["received"]}
    assert {"HN-LB", "HN-HBT", "HN-BD"} <= received
    assert doc["expected"] == len(doc["members"]) and doc["received"] == len(received)


def test_reporting_as_csv_lists_the_missing(api):
    r = api.get("/v1/blocs/HN-CUM1/reporting", params={"period": "2023H1", "indicator": "new_grassroots_unions",
                                                        "format": "csv"})
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["Mã đơn vị", "Tên"]
    missing = {row[0] for row in rows[1:] if row[rows[0].index("Còn thiếu")]}
    assert missing == {"HN-DD", "HN-HK", "HN-HM"}


@pytest.mark.parametrize("path, params, status, code", [
    ("/v1/blocs/HN-CUM1/reporting", {"period": "2021", "indicator": "new_members"}, 404, "bloc_year_not_found"),
    ("/v1/blocs/NO-SUCH/reporting", {"period": "2023"}, 404, "bloc_not_found"),
    ("/v1/blocs/HN-CUM1/reporting", {"period": "2023-2028", "indicator": "new_members"}, 400, "invalid_period"),
    ("/v1/organizations/HN/reporting", {"period": "2023"}, 400, "missing_parameter"),
    ("/v1/organizations/NOPE/reporting", {"period": "2023", "indicator": "new_members"}, 404,
     "organization_not_found"),
])
def test_what_reporting_needs_is_said(api, path, params, status, code):
    r = api.get(path, params=params)
    assert (r.status_code, r.json()["code"]) == (status, code), r.text
