"""GET /v1/values: each filter alone and combined, the hierarchy as of each
value's period, keyset pagination, ETags."""
import itertools
from decimal import Decimal

import pytest

from contract import Api


def keys(r):
    assert r.status_code == 200, r.text
    return sorted((v["org"] or v["bloc"], v["indicator"], v["period"]) for v in r.json()["data"])


def test_org_filter(api):
    got = keys(api.get("/v1/values", params={"org": "DN-TK"}))
    assert len(got) == 9 and all(k[0] == "DN-TK" for k in got)


def test_org_comma_list(api):
    got = keys(api.get("/v1/values", params={"org": "HN-LB, HN-HBT"}))
    assert got == [("HN-HBT", "new_grassroots_unions", "2023H1"), ("HN-LB", "collective_agreements", "2023H1"),
                   ("HN-LB", "new_grassroots_unions", "2023H1")]


def test_under_follows_the_hierarchy_of_the_period(api):
    """The Hà Nội districts were dissolved on 2025-07-01; their 2023 values
    still belong to Hà Nội's subtree."""
    got = keys(api.get("/v1/values", params={"under": "HN"}))
    assert {k[0] for k in got} == {"HN", "HN-HBT", "HN-LB", "HN-BD", "HN-DD", "HN-HK"}
    assert ("HN", "initiatives", "2022H1") in got
    assert len(got) == 7


def test_under_excludes_blocs_and_other_provinces(api):
    got = keys(api.get("/v1/values", params={"under": "HT"}))
    assert got == []


def test_bloc_filter(api):
    got = keys(api.get("/v1/values", params={"bloc": "HT-KHOI-NGANH"}))
    assert len(got) == 9 and all(k[0] == "HT-KHOI-NGANH" for k in got)


def test_indicator_filter(api):
    got = keys(api.get("/v1/values", params={"indicator": "new_grassroots_unions"}))
    assert got == [("DN-TK", "new_grassroots_unions", "2023"), ("HN-BD", "new_grassroots_unions", "2023H1"),
                   ("HN-HBT", "new_grassroots_unions", "2023H1"), ("HN-LB", "new_grassroots_unions", "2023H1"),
                   ("HP", "new_grassroots_unions", "2022YTD09"), ("HT-KHOI-NGANH", "new_grassroots_unions", "2022")]


def test_indicator_comma_list(api):
    got = keys(api.get("/v1/values", params={"indicator": "tet_gifts,tet_vouchers"}))
    assert got == [("DN-TK", "tet_gifts", "2023"), ("DN-TK", "tet_vouchers", "2023")]


def test_period_filter_is_normalised(api):
    assert keys(api.get("/v1/values", params={"period": "2022ytd9"})) == keys(
        api.get("/v1/values", params={"period": "2022YTD09"}))
    assert len(keys(api.get("/v1/values", params={"period": "2022YTD09"}))) == 16


def test_year_filter_keeps_the_periods_within_the_year(api):
    got = keys(api.get("/v1/values", params={"year": 2021}))
    assert {k[2] for k in got} == {"2021", "2021YTD09"}
    assert len(got) == 8


def test_filters_combine(api):
    got = keys(api.get("/v1/values", params={"org": "HP", "indicator": "shelter_fund_raised", "year": 2022}))
    assert got == [("HP", "shelter_fund_raised", "2022"), ("HP", "shelter_fund_raised", "2022YTD09")]
    got = keys(api.get("/v1/values", params={"under": "VN", "indicator": "initiatives", "period": "2022H1"}))
    assert got == [("HN", "initiatives", "2022H1"), ("HP", "initiatives", "2022H1"), ("QN", "initiatives", "2022H1")]


def test_value_fields(api):
    r = api.get("/v1/values", params={"org": "DN-TK", "indicator": "collective_agreements"})
    v = r.json(parse_float=Decimal)["data"][0]
    assert v["org"] == "DN-TK" and v["bloc"] is None
    assert v["period"] == "2023"
    assert (v["actual"], v["target"]) == (14, 8)
    assert v["note"] == '"vượt 75% chỉ tiêu"'
    assert v["revision"] == 1
    assert v["updated_by"] == "demo"
    assert v["updated_at"].endswith("Z") and "T" in v["updated_at"]


@pytest.mark.parametrize("params,code,field", [
    ({"org": "HP,NOPE"}, "unknown_organization", "org"),
    ({"under": "NOPE"}, "unknown_organization", "under"),
    ({"bloc": "NOPE"}, "unknown_bloc", "bloc"),
    ({"indicator": "nope"}, "unknown_indicator", "indicator"),
    ({"period": "2022Q5"}, "invalid_period", "period"),
    ({"period": "2022,2022M13"}, "invalid_period", "period"),
    ({"year": "22"}, "invalid_parameter", "year"),
    ({"org": "H P"}, "invalid_parameter", "org"),
    ({"indicator": "new-members"}, "invalid_parameter", "indicator"),
    ({"cursor": "!!!"}, "invalid_cursor", "cursor"),
    ({"cursor": "bm90LWEtY3Vyc29y"}, "invalid_cursor", "cursor"),
])
def test_bad_filters_are_400_with_the_right_code(api, params, code, field):
    r = api.get("/v1/values", params=params)
    assert r.status_code == 400, r.text
    body = r.json()
    assert body["code"] == code
    assert body["errors"][0]["field"] == field


def test_unknown_codes_are_all_named(api):
    r = api.get("/v1/values", params={"org": "ZZ1,HP,ZZ2"})
    assert "ZZ1, ZZ2" in r.json()["detail"]


def test_etag_answers_304_then_changes_with_the_data(make_db, make_server, pg):
    url = make_db()
    db = url.split("dbname=")[1].split()[0]
    _, api = make_server(url)
    r = api.get("/v1/values", params={"org": "DN-TK"})
    etag = r.headers["ETag"]
    assert api.get("/v1/values", params={"org": "DN-TK"}, headers={"If-None-Match": etag}).status_code == 304
    pg.query(db, "SELECT value_put('DN-TK', NULL, 'new_members', '2023', 1200, NULL, NULL)")
    r2 = api.get("/v1/values", params={"org": "DN-TK"}, headers={"If-None-Match": etag})
    assert r2.status_code == 200
    assert r2.headers["ETag"] != etag
    assert any(v["indicator"] == "new_members" and v["actual"] == 1200 and v["revision"] == 2 for v in r2.json()["data"])


# ---------------------------------------------------------------- pagination

@pytest.fixture(scope="module")
def many(pg, empty_template, contract):
    """A database with 3 000 generated values over 30 organizations."""
    url = pg.create_database("paging", template=empty_template)
    pg.query("paging", """
        INSERT INTO organization (code, name, kind)
        SELECT 'G' || lpad(n::text, 3, '0'), 'Công đoàn cơ sở số ' || n, 'grassroots' FROM generate_series(1, 30) n;
        INSERT INTO indicator (code, name, name_en, unit, kind)
        SELECT 'ind_' || n, 'Chỉ tiêu ' || n, 'Indicator ' || n, 'người', 'flow' FROM generate_series(1, 10) n;
        SELECT value_put('G' || lpad(o::text, 3, '0'), NULL, 'ind_' || i, (2014 + p)::text, o * 100 + i + p, NULL, NULL)
        FROM generate_series(1, 30) o, generate_series(1, 10) i, generate_series(1, 10) p;
    """)
    return url


def walk(api, limit, between_pages=None):
    rows, cursor, pages = [], None, 0
    while True:
        params = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        body = api.get("/v1/values", params=params).json()
        rows += [(v["org"], v["indicator"], v["period"]) for v in body["data"]]
        pages += 1
        cursor = body["next_cursor"]
        if between_pages:
            between_pages(pages)
        if not cursor:
            return rows, pages


def expected_order():
    return [(f"G{o:03d}", i, str(2014 + p))
            for o in range(1, 31) for i in sorted(f"ind_{n}" for n in range(1, 11)) for p in range(1, 11)]


@pytest.mark.parametrize("limit", [1000, 7, 100])
def test_pages_return_every_row_once_in_order(many, make_server, limit):
    _, api = make_server(many)
    rows, pages = walk(api, limit)
    assert rows == expected_order()
    assert pages == -(-3000 // limit)  # no empty last page


def test_pages_stay_whole_while_rows_are_added(many, make_server, pg):
    _, api = make_server(many)
    counter = itertools.count()

    def add_rows(page):
        n = next(counter)
        # one row before the cursor, one after: neither may disturb the walk
        pg.query("paging", "SELECT value_put('G001', NULL, 'ind_1', %s, 1, NULL, 'added')", (f"{2000 + n}",))
        pg.query("paging", "SELECT value_put('G030', NULL, 'ind_9', %s, 1, NULL, 'added')", (f"{2050 + n}",))

    rows, _ = walk(api, 250, add_rows)
    original = expected_order()
    assert len(rows) == len(set(rows)), "a row appeared twice"
    assert [r for r in rows if r in set(original)] == original, "an original row was skipped"
    pg.query("paging", "DELETE FROM value WHERE note = 'added'")


def test_last_page_has_no_cursor(api):
    body = api.get("/v1/values", params={"org": "DN-TK", "limit": 9}).json()
    assert len(body["data"]) == 9 and body["next_cursor"] is None
    body = api.get("/v1/values", params={"org": "DN-TK", "limit": 8}).json()
    assert len(body["data"]) == 8 and body["next_cursor"]
    rest = api.get("/v1/values", params={"org": "DN-TK", "limit": 8, "cursor": body["next_cursor"]}).json()
    assert len(rest["data"]) == 1 and rest["next_cursor"] is None
