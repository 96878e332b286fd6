"""Every figure of FACTS.md comes back through the API, digit for digit."""
from decimal import Decimal

import pytest

import facts


def all_values(api, **params):
    rows, cursor = [], None
    while True:
        q = dict(params, limit=1000)
        if cursor:
            q["cursor"] = cursor
        r = api.get("/v1/values", params=q)
        assert r.status_code == 200, r.text
        body = r.json(parse_float=Decimal)
        rows += body["data"]
        cursor = body["next_cursor"]
        if not cursor:
            return rows


def exact(n):
    """A figure as an exact decimal: the article's "2516.100" is the API's 2516.1."""
    return None if n is None else Decimal(str(n))


@pytest.fixture(scope="module")
def every_value(server, contract, keys):
    from conftest import bearer
    from contract import Api
    return all_values(Api(server.url, contract, bearer(keys["reader"])))


def index(rows, subject):
    return {(r[subject], r["indicator"], r["period"]): (exact(r["actual"]), exact(r["target"])) for r in rows if r[subject]}


@pytest.mark.parametrize("org,indicator,period,actual,target", facts.ORG_FIGURES,
                         ids=[f"{o}-{i}-{p}" for o, i, p, *_ in facts.ORG_FIGURES])
def test_organization_figure(every_value, org, indicator, period, actual, target):
    assert index(every_value, "org")[(org, indicator, period)] == (exact(actual), exact(target))


@pytest.mark.parametrize("bloc,indicator,period,actual,target", facts.BLOC_FIGURES,
                         ids=[f"{b}-{i}-{p}" for b, i, p, *_ in facts.BLOC_FIGURES])
def test_bloc_figure(every_value, bloc, indicator, period, actual, target):
    assert index(every_value, "bloc")[(bloc, indicator, period)] == (exact(actual), exact(target))


def test_nothing_but_the_articles_figures(every_value):
    org = {(o, i, p) for o, i, p, *_ in facts.ORG_FIGURES}
    bloc = {(b, i, p) for b, i, p, *_ in facts.BLOC_FIGURES}
    got_org = {k for k in index(every_value, "org")}
    got_bloc = {k for k in index(every_value, "bloc")}
    assert got_org == org
    assert got_bloc == bloc


def test_hai_phong_nine_months_exactly(api):
    """The issue's own example: the Hải Phòng figures of 2022YTD09."""
    r = api.get("/v1/values", params={"org": "HP", "period": "2022YTD09"})
    got = {(v["indicator"], exact(v["actual"]), exact(v["target"])) for v in r.json(parse_float=Decimal)["data"]}
    assert got == {(i, exact(a), exact(t)) for _, i, _, a, t in facts.HAI_PHONG_2022YTD09}


def test_numbers_leave_exact_in_their_shortest_form(api):
    """2.516,100 triệu đồng in the article is stored as typed and printed 2516.1: every digit that
    counts, no trailing zeros (a dashboard shows 95, not 95.0 beside 95)."""
    r = api.get("/v1/values", params={"bloc": "HT-KHOI-NGANH", "indicator": "shelter_fund_raised"})
    assert '"actual":2529.554,' in r.text
    assert '"target":2516.1,' in r.text


@pytest.mark.parametrize("key,wording", facts.APPROXIMATE.items(), ids=[k[0] + "-" + k[1] for k in facts.APPROXIMATE])
def test_approximate_figures_keep_the_articles_wording(every_value, key, wording):
    note = next(v["note"] for v in every_value if (v["org"], v["indicator"], v["period"]) == key)
    assert wording in note


def test_reconstructed_rows_say_so(every_value):
    for org, indicator, period, *_ in facts.HAI_PHONG_RECONSTRUCTED:
        note = next(v["note"] for v in every_value if (v["org"], v["indicator"], v["period"]) == (org, indicator, period))
        assert note.startswith("reconstructed:")
    others = [v for v in every_value if (v["org"], v["indicator"], v["period"]) not in
              {(o, i, p) for o, i, p, *_ in facts.HAI_PHONG_RECONSTRUCTED}]
    assert not any((v["note"] or "").startswith("reconstructed") for v in others)


@pytest.mark.parametrize("code", facts.ORGANIZATIONS)
def test_organization(api, code):
    name, kind, parent, valid_to = facts.ORGANIZATIONS[code]
    r = api.get(f"/v1/organizations/{code}", params={"on": "2023-06-30"})
    assert r.status_code == 200
    o = r.json()
    assert (o["name"], o["kind"], o["parent"], o["valid_to"]) == (name, kind, parent, valid_to)


def test_bloc_cum1_2023(api):
    r = api.get("/v1/blocs/HN-CUM1/years/2023").json()
    assert sorted(r["members"]) == ["HN-BD", "HN-DD", "HN-HBT", "HN-HK", "HN-HM", "HN-LB"]
    assert r["leader"] is None
    assert r["leader_person"] == "Phan Thị Thu Hằng"
    bloc = api.get("/v1/blocs/HN-CUM1").json()
    assert (bloc["name"], bloc["kind"], bloc["organizer"]) == ("Cụm thi đua số 1 LĐLĐ thành phố Hà Nội", "cum", "HN")


def test_bloc_ha_tinh_2023(api):
    r = api.get("/v1/blocs/HT-KHOI-NGANH/years/2023").json()
    assert r["leader"] == "HT-NG-VC"
    assert r["agreement"]["signed_on"] == "2022-12-20"
    assert r["agreement"]["content_count"] == 4
    bloc = api.get("/v1/blocs/HT-KHOI-NGANH").json()
    assert (bloc["name"], bloc["kind"], bloc["organizer"]) == ("Khối thi đua các Công đoàn ngành tỉnh Hà Tĩnh", "khoi", "HT")


def test_bloc_three_cities_2022(api):
    r = api.get("/v1/blocs/HN-HP-QN/years/2022").json()
    assert sorted(r["members"]) == ["HN", "HP", "QN"]
    assert api.get("/v1/blocs/HN-HP-QN").json()["organizer"] is None
