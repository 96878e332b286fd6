"""GET /v1/organizations and /v1/organizations/{code}: filters alone and
combined, the hierarchy as of a date, accent-insensitive search, Vietnamese
order."""
import pytest

HN_DISTRICTS = ["HN-BD", "HN-DD", "HN-HBT", "HN-HK", "HN-HM", "HN-LB"]


def codes(r):
    assert r.status_code == 200, r.text
    return [o["code"] for o in r.json()["data"]]


def test_today_lists_only_organizations_that_exist(api):
    got = codes(api.get("/v1/organizations"))
    assert set(got) == {"VN", "HN", "HP", "QN", "HT", "DN", "HT-NG-VC"}


def test_a_dissolved_district_appears_while_it_existed(api):
    assert "HN-HBT" in codes(api.get("/v1/organizations", params={"on": "2023-06-30"}))
    assert "HN-HBT" in codes(api.get("/v1/organizations", params={"on": "2025-06-30"}))
    assert "HN-HBT" not in codes(api.get("/v1/organizations", params={"on": "2025-07-01"}))


def test_include_dissolved_lists_them_with_their_last_parent(api):
    r = api.get("/v1/organizations", params={"include_dissolved": "true", "kind": "district"})
    data = {o["code"]: o for o in r.json()["data"]}
    assert set(data) == set(HN_DISTRICTS) | {"DN-TK"}
    assert data["HN-HBT"]["parent"] == "HN"
    assert data["DN-TK"]["parent"] == "DN"


def test_kind_filter(api):
    assert codes(api.get("/v1/organizations", params={"kind": "sector"})) == ["HT-NG-VC"]
    assert codes(api.get("/v1/organizations", params={"kind": "confederation"})) == ["VN"]


def test_parent_filter_gives_direct_children_on_the_date(api):
    assert sorted(codes(api.get("/v1/organizations", params={"parent": "HN", "on": "2023-06-30"}))) == HN_DISTRICTS
    assert codes(api.get("/v1/organizations", params={"parent": "HN", "on": "2025-07-01"})) == []
    assert sorted(codes(api.get("/v1/organizations", params={"parent": "VN"}))) == ["DN", "HN", "HP", "HT", "QN"]


def test_under_filter_gives_the_whole_subtree(api):
    got = codes(api.get("/v1/organizations", params={"under": "HN", "on": "2023-06-30"}))
    assert sorted(got) == sorted(["HN"] + HN_DISTRICTS)
    everything = codes(api.get("/v1/organizations", params={"under": "VN", "on": "2023-06-30"}))
    assert len(everything) == 14


def test_filters_combine(api):
    got = codes(api.get("/v1/organizations", params={"under": "VN", "kind": "district", "q": "dong da",
                                                   "on": "2023-01-01"}))
    assert got == ["HN-DD"]


@pytest.mark.parametrize("q", ["hai ba trung", "HAI BÀ TRƯNG", "Hai Bà Trưng", "hai bà", "BA TRUNG", "hn-hbt"])
def test_search_ignores_accents_and_case(api, q):
    assert codes(api.get("/v1/organizations", params={"q": q, "on": "2023-06-30"})) == ["HN-HBT"]


def test_search_finds_d_with_stroke_as_d(api):
    assert codes(api.get("/v1/organizations", params={"q": "da nang"})) == ["DN"]
    assert codes(api.get("/v1/organizations", params={"q": "Đà Nẵng"})) == ["DN"]


def test_search_takes_percent_and_underscore_literally(api):
    assert codes(api.get("/v1/organizations", params={"q": "%"})) == []
    assert codes(api.get("/v1/organizations", params={"q": "_"})) == []


def test_names_sort_in_vietnamese_order(api):
    r = api.get("/v1/organizations", params={"kind": "district", "include_dissolved": "true"})
    names = [o["name"].removeprefix("Liên đoàn Lao động quận ") for o in r.json()["data"]]
    # Đ comes right after D, before E; "Hoàn Kiếm" before "Hoàng Mai"
    assert names == ["Ba Đình", "Đống Đa", "Hai Bà Trưng", "Hoàn Kiếm", "Hoàng Mai", "Long Biên", "Thanh Khê"]


def test_one_organization_with_ancestors_and_parent_history(api):
    r = api.get("/v1/organizations/HN-HBT")
    assert r.status_code == 200
    o = r.json()
    assert o["code"] == "HN-HBT"
    assert o["name"] == "Liên đoàn Lao động quận Hai Bà Trưng"
    assert o["valid_to"] == "2025-06-30"
    assert o["parent"] == "HN"
    assert [a["code"] for a in o["ancestors"]] == ["VN", "HN"]
    assert o["parents"] == [{"parent": "HN", "valid_from": None, "valid_to": "2025-06-30"}]


def test_codes_in_the_path_ignore_case(api):
    assert api.get("/v1/organizations/hn-hbt").json()["code"] == "HN-HBT"


def test_unknown_organization_is_404(api):
    r = api.get("/v1/organizations/HN-XYZ")
    assert r.status_code == 404
    assert r.json()["code"] == "organization_not_found"
    assert "HN-XYZ" in r.json()["detail"]


def test_unknown_parent_filter_is_400_naming_the_field(api):
    r = api.get("/v1/organizations", params={"parent": "ZZ"})
    assert r.status_code == 400
    body = r.json()
    assert body["code"] == "unknown_organization"
    assert body["errors"][0]["field"] == "parent"


@pytest.mark.parametrize("params,field", [
    ({"kind": "city"}, "kind"),
    ({"on": "2023-02-30"}, "on"),
    ({"on": "30/06/2023"}, "on"),
    ({"include_dissolved": "yes"}, "include_dissolved"),
    ({"parent": "HN HBT"}, "parent"),
    ({"limit": "0"}, "limit"),
    ({"limit": "1001"}, "limit"),
    ({"limit": "ten"}, "limit"),
])
def test_bad_filter_values_are_400_naming_the_field(api, params, field):
    r = api.get("/v1/organizations", params=params)
    assert r.status_code == 400
    body = r.json()
    assert body["code"] == "invalid_parameter"
    assert [e["field"] for e in body["errors"]] == [field]


def test_every_bad_field_is_named_at_once(api):
    r = api.get("/v1/organizations", params={"kind": "city", "on": "yesterday"})
    assert r.status_code == 400
    assert sorted(e["field"] for e in r.json()["errors"]) == ["kind", "on"]
