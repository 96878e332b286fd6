"""Indicators, periods and blocs."""
import pytest


def test_indicator_list_is_sorted_by_code(api):
    r = api.get("/v1/indicators", params={"limit": 1000})
    got = [i["code"] for i in r.json()["data"]]
    assert got == sorted(got)
    assert {"new_members", "shelter_fund_raised", "collective_agreements"} <= set(got)


def test_one_indicator(api):
    r = api.get("/v1/indicators/new_members")
    assert r.json() == {"code": "new_members", "name": "Đoàn viên phát triển mới", "name_en": "New union members",
                        "unit": "người", "kind": "flow", "rollup": "sum", "higher_is_better": True,
                        "description": None}


def test_indicator_filters(api):
    stocks = [i["code"] for i in api.get("/v1/indicators", params={"kind": "stock"}).json()["data"]]
    assert stocks == ["grassroots_unions", "members", "workers", "workers_industrial_zones"]
    found = [i["code"] for i in api.get("/v1/indicators", params={"q": "mai am"}).json()["data"]]
    assert found == ["shelter_fund_raised", "shelter_houses"]


def test_unknown_indicator_is_404(api):
    r = api.get("/v1/indicators/no_such")
    assert r.status_code == 404
    assert r.json()["code"] == "indicator_not_found"


@pytest.mark.parametrize("code,canonical,kind,start,end,label", [
    ("2022", "2022", "year", "2022-01-01", "2022-12-31", "Năm 2022"),
    ("2023H1", "2023H1", "half", "2023-01-01", "2023-06-30", "6 tháng đầu năm 2023"),
    ("2022q3", "2022Q3", "quarter", "2022-07-01", "2022-09-30", "Quý III/2022"),
    ("2022M9", "2022M09", "month", "2022-09-01", "2022-09-30", "Tháng 9/2022"),
    ("2022YTD09", "2022YTD09", "ytd", "2022-01-01", "2022-09-30", "9 tháng đầu năm 2022"),
    ("2023-2028", "2023-2028", "term", "2023-01-01", "2028-12-31", "Nhiệm kỳ 2023–2028"),
])
def test_period_by_code(api, code, canonical, kind, start, end, label):
    r = api.get(f"/v1/periods/{code}")
    assert r.status_code == 200
    p = r.json()
    assert (p["code"], p["kind"], p["start"], p["end"], p["label"]) == (canonical, kind, start, end, label)


@pytest.mark.parametrize("code,why", [
    ("2022Q5", "Q5"), ("2022M13", "M13"), ("2022YTD00", "YTD00"), ("2028-2023", "2028-2023"), ("22", "22"),
])
def test_bad_period_is_400_saying_why(api, code, why):
    r = api.get(f"/v1/periods/{code}")
    assert r.status_code == 400
    body = r.json()
    assert body["code"] == "invalid_period"
    assert why in body["detail"]
    assert body["errors"][0] == {"in": "path", "field": "code", "code": "invalid_period", "message": body["detail"]}


def test_empty_period_filter_is_400(api):
    r = api.get("/v1/values?period=,")
    assert r.status_code == 400
    assert r.json()["code"] == "invalid_period"


def test_periods_of_a_year(api):
    r = api.get("/v1/periods", params={"year": 2022})
    data = r.json()["data"]
    got = {p["code"] for p in data}
    assert len([p for p in data if p["kind"] != "term"]) == 31
    assert {"2022", "2022H1", "2022H2", "2022Q4", "2022M12", "2022YTD09"} <= got
    assert [p["start"] for p in data] == sorted(p["start"] for p in data)
    quarters = api.get("/v1/periods", params={"year": 2022, "kind": "quarter"}).json()["data"]
    assert [q["label"] for q in quarters] == ["Quý I/2022", "Quý II/2022", "Quý III/2022", "Quý IV/2022"]


def test_periods_without_year_are_those_with_data(api):
    got = {p["code"] for p in api.get("/v1/periods").json()["data"]}
    assert got == {"2021", "2021YTD09", "2022", "2022H1", "2022YTD09", "2023", "2023H1", "2023YTD05"}


def test_bloc_list_and_filters(api):
    def codes(**params):
        return [b["code"] for b in api.get("/v1/blocs", params=params).json()["data"]]
    assert set(codes()) == {"HN-CUM1", "HT-KHOI-NGANH", "HN-HP-QN"}
    assert codes(organizer="HT") == ["HT-KHOI-NGANH"]
    assert codes(year=2022) == ["HT-KHOI-NGANH", "HN-HP-QN"]  # K before L
    assert codes(member="HN-HBT") == ["HN-CUM1"]
    assert codes(member="HP", year=2022) == ["HN-HP-QN"]
    assert codes(member="HP", year=2023) == []
    assert codes(q="cum thi dua so 1") == ["HN-CUM1"]


def test_bloc_years(api):
    assert api.get("/v1/blocs/HT-KHOI-NGANH").json()["years"] == [2022, 2023]


def test_unknown_bloc_is_404(api):
    r = api.get("/v1/blocs/NO-SUCH")
    assert r.status_code == 404
    assert r.json()["code"] == "bloc_not_found"
    r = api.get("/v1/blocs/NO-SUCH/years/2023")
    assert r.status_code == 404
    assert r.json()["code"] == "bloc_not_found"


def test_bloc_year_without_record_is_404(api):
    r = api.get("/v1/blocs/HN-CUM1/years/2019")
    assert r.status_code == 404
    assert r.json()["code"] == "bloc_year_not_found"
    assert "2023" in r.json()["detail"]


def test_bloc_year_that_is_not_a_year_is_400(api):
    r = api.get("/v1/blocs/HN-CUM1/years/20x3")
    assert r.status_code == 400
    assert r.json()["errors"][0]["field"] == "year"


def test_unknown_bloc_filter_is_400(api):
    r = api.get("/v1/blocs", params={"member": "NOPE"})
    assert r.status_code == 400
    assert r.json()["code"] == "unknown_organization"
