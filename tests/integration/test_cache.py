"""The response cache: answers are reused only while the database has not
changed, on every instance, within a memory bound. Each test writes through
the API and reads back the figure it wrote, by hand."""
import re
from decimal import Decimal

import pytest

from conftest import bearer


@pytest.fixture
def pair(make_db, make_server, keys, contract):
    """Two instances on one database: an admin API on the first, a reader
    API on the second."""
    url = make_db()
    _, admin = make_server(url, role="admin")
    _, reader = make_server(url, role="reader")
    return admin, reader


def read_twice(api, path, params=None):
    """Reads once (computed) and again (from the cache); both the same."""
    first = api.get(path, params=params)
    assert first.status_code == 200, first.text
    again = api.get(path, params=params)
    assert again.headers["X-Cache"] == "hit", path
    assert again.content == first.content and again.headers["ETag"] == first.headers["ETag"]
    return first


def put_values(api, rows):
    r = api.put("/v1/values", json=rows)
    assert r.status_code == 200, r.text


def test_second_read_is_a_hit_with_the_same_etag_and_304(pair):
    admin, _ = pair
    path, params = "/v1/blocs/HN-CUM1/scoreboard", {"period": "2023H1", "indicator": "new_grassroots_unions"}
    first = admin.get(path, params=params)
    assert first.headers["X-Cache"] == "miss"
    hit = read_twice(admin, path, params)
    r = admin.get(path, params=params, headers={"If-None-Match": hit.headers["ETag"]})
    assert (r.status_code, r.content) == (304, b"")


def test_a_hit_by_head_has_the_headers_of_the_get_and_no_body(pair):
    _, reader = pair
    path, params = "/v1/organizations/HP/summary", {"period": "2022YTD09"}
    got = read_twice(reader, path, params)
    head = reader.head(path, params=params)
    assert (head.status_code, head.content, head.headers["X-Cache"]) == (200, b"", "hit")
    assert head.headers["ETag"] == got.headers["ETag"]
    assert head.headers["Content-Length"] == str(len(got.content))


def test_hits_read_while_writes_replace_the_answer_are_whole(pair):
    """A hit is sent from the cache's own bytes (no copy): eight readers hammer Hải Phòng's
    summary while its new_members figure is rewritten and the entry replaced under them. Every
    answer is whole, and shows one of the figures written (the server runs under ASan in the
    suite: a body freed while still being sent would abort it)."""
    import threading
    admin, reader = pair
    path, params = "/v1/organizations/HP/summary", {"period": "2022YTD09"}
    written = [15537, 15538, 15539, 15540]
    seen, problems = set(), []
    stop = threading.Event()

    def read():
        while not stop.is_set():
            r = reader.get(path, params=params)
            if r.status_code != 200:
                problems.append(r.status_code)
                continue
            seen.add(({i["indicator"]: i for i in figure(r, "items")}["new_members"]["actual"],
                      r.headers["X-Cache"]))

    put_values(admin, [{"org": "HP", "indicator": "new_members", "period": "2022YTD09", "actual": written[0]}])
    readers = [threading.Thread(target=read) for _ in range(8)]
    for t in readers:
        t.start()
    for n in written * 3:
        put_values(admin, [{"org": "HP", "indicator": "new_members", "period": "2022YTD09", "actual": n}])
    stop.set()
    for t in readers:
        t.join()
    assert problems == []
    assert {n for n, _ in seen} <= set(written)
    assert {"hit", "miss"} <= {how for _, how in seen}


def test_probes_and_keys_are_never_cached(pair):
    admin, _ = pair
    for path in ("/healthz", "/v1", "/v1/keys"):
        admin.get(path)
        assert "X-Cache" not in admin.get(path).headers, path


def test_the_sync_feed_is_never_cached(pair):
    admin, _ = pair
    params = {"updated_after": "2020-01-01T00:00:00Z"}
    admin.get("/v1/values", params=params)
    assert admin.get("/v1/values", params=params).headers["X-Cache"] == "miss"


def figure(r, *path):
    doc = r.json(parse_float=Decimal)
    for p in path:
        doc = doc[p]
    return doc


# Each case: a cached read, a write that changes its answer, and what the
# read must say afterwards — all read on the second instance, written on
# the first.
CASES = [
    ("scoreboard",
     "/v1/blocs/HN-CUM1/scoreboard", {"period": "2023H1", "indicator": "new_grassroots_unions"},
     lambda a: put_values(a, [{"org": "HN-DD", "indicator": "new_grassroots_unions", "period": "2023H1",
                              "actual": 21}]),
     lambda r: [(m["org"], m["rank"]) for m in figure(r, "members")][:2] == [("HN-DD", 1), ("HN-HBT", 2)]),
    ("organization summary",
     "/v1/organizations/HP/summary", {"period": "2022YTD09"},
     lambda a: put_values(a, [{"org": "HP", "indicator": "shelter_fund_raised", "period": "2022YTD09",
                              "actual": 4500}]),
     # 4500 / 6000 = 75 %
     lambda r: {i["indicator"]: i for i in figure(r, "items")}["shelter_fund_raised"]["year_progress_pct"] == 75),
    ("breakdown",
     "/v1/organizations/VN/breakdown", {"indicator": "initiatives", "period": "2022H1"},
     lambda a: put_values(a, [{"org": "DN", "indicator": "initiatives", "period": "2022H1", "actual": 148}]),
     lambda r: figure(r, "children_total", "actual") == 76000),  # 75852 + 148
    ("bloc summary",
     "/v1/blocs/HT-KHOI-NGANH/summary", {"period": "2022"},
     lambda a: put_values(a, [{"bloc": "HT-KHOI-NGANH", "indicator": "new_members", "period": "2022",
                              "actual": 2400, "target": 1200}]),
     lambda r: {i["indicator"]: i for i in figure(r, "items")}["new_members"]["completion_pct"] == 200),
    ("series",
     "/v1/series", {"org": "HP", "indicator": "initiatives", "from": "2022", "to": "2022", "every": "year"},
     lambda a: put_values(a, [{"org": "HP", "indicator": "initiatives", "period": "2022", "actual": 40000}]),
     lambda r: [p["actual"] for p in figure(r, "points")] == [40000]),
    ("values",
     "/v1/values", {"org": "QN", "indicator": "initiatives", "period": "2022H1"},
     lambda a: put_values(a, [{"org": "QN", "indicator": "initiatives", "period": "2022H1", "actual": 5853}]),
     lambda r: [v["actual"] for v in figure(r, "data")] == [5853]),
    ("history",
     "/v1/values/history", {"org": "QN", "indicator": "initiatives", "period": "2022H1"},
     lambda a: put_values(a, [{"org": "QN", "indicator": "initiatives", "period": "2022H1", "actual": 5854}]),
     lambda r: figure(r, "data")[-1]["actual"] == 5854),
    ("organizations",
     "/v1/organizations", {"q": "thanh khe", "on": "2023-06-30"},
     lambda a: a.patch("/v1/organizations/DN-TK", json={"short_name": "CĐ Thanh Khê mới"}),
     lambda r: figure(r, "data")[0]["short_name"] == "CĐ Thanh Khê mới"),
    ("organization",
     "/v1/organizations/DN-TK", None,
     lambda a: a.patch("/v1/organizations/DN-TK", json={"short_name": "LĐLĐ Thanh Khê"}),
     lambda r: figure(r, "short_name") == "LĐLĐ Thanh Khê"),
    ("indicators",
     "/v1/indicators", {"q": "initiatives"},
     lambda a: a.put("/v1/indicators/initiatives", json={"name_en": "Workers' initiatives"}),
     lambda r: {i["code"]: i for i in figure(r, "data")}["initiatives"]["name_en"] == "Workers' initiatives"),
    ("indicator",
     "/v1/indicators/initiatives", None,
     lambda a: a.put("/v1/indicators/initiatives", json={"name_en": "Initiatives and improvements"}),
     lambda r: figure(r, "name_en") == "Initiatives and improvements"),
    ("blocs",
     "/v1/blocs", {"organizer": "HN"},
     lambda a: a.put("/v1/blocs/HN-CUM9", json={"name": "Cụm thi đua số 9", "kind": "cum", "organizer": "HN"}),
     lambda r: "HN-CUM9" in [b["code"] for b in figure(r, "data")]),
    ("bloc",
     "/v1/blocs/HN-CUM1", None,
     lambda a: a.put("/v1/blocs/HN-CUM1", json={"name": "Cụm thi đua số 1 (Hà Nội)", "kind": "cum",
                                                "organizer": "HN"}),
     lambda r: figure(r, "name") == "Cụm thi đua số 1 (Hà Nội)"),
    ("bloc year",
     "/v1/blocs/HN-CUM1/years/2023", None,
     lambda a: a.put("/v1/blocs/HN-CUM1/years/2023",
                     json={"members": ["HN-HBT", "HN-HM", "HN-BD", "HN-LB", "HN-HK", "HN-DD"], "leader": "HN-LB"}),
     lambda r: figure(r, "leader") == "HN-LB"),
    ("locks",
     "/v1/locks", None,
     lambda a: a.post("/v1/locks", json={"org": "HT", "period": "2022", "note": "Tổng kết"}),
     lambda r: [(lk["org"], lk["period"]) for lk in figure(r, "data")] == [("HT", "2022")]),
]


@pytest.mark.parametrize("name,path,params,write,check", CASES, ids=[c[0] for c in CASES])
def test_a_write_on_one_instance_is_read_at_once_on_the_other(pair, name, path, params, write, check):
    admin, reader = pair
    before = reader.get(path, params=params)
    read_twice(reader, path, params)  # now cached on the reader's instance
    assert not check(before) if before.status_code == 200 else True
    w = write(admin)
    if w is not None:
        assert w.status_code in (200, 201), w.text
    after = reader.get(path, params=params)  # no waiting: the very next request
    assert after.status_code == 200, after.text
    assert after.headers["X-Cache"] == "miss"
    assert check(after), after.text
    assert after.headers["ETag"] != before.headers.get("ETag")


def test_a_revoked_key_is_refused_although_its_answer_was_cached(pair, keys, contract):
    admin, _ = pair
    created = admin.post("/v1/keys", json={"name": "cổng tỉnh", "role": "reader"}).json()
    from contract import Api
    own = Api(admin.base_url, contract, bearer(created["key"]))
    read_twice(own, "/v1/organizations/HP")
    assert admin.delete(f"/v1/keys/{created['id']}").status_code == 204
    assert own.get("/v1/organizations/HP").status_code == 401


def test_scopes_do_not_share_answers(make_db, make_server):
    url = make_db()
    _, everyone = make_server(url, role="reader")
    _, ht = make_server(url, role="reader_ht")
    read_twice(everyone, "/v1/organizations/HP")
    r = ht.get("/v1/organizations/HP")
    assert (r.status_code, r.json()["code"]) == (403, "out_of_scope")


def metric(api, name):
    text = api.get("/metrics").text
    return int(float(re.search(rf"^{name} (\S+)$", text, re.M).group(1)))


def test_memory_bound_holds_under_many_keys(make_db, make_server):
    bound = 64 * 1024
    _, api = make_server(make_db(), env={"THIDUA_CACHE_BYTES": str(bound)})
    for i in range(400):  # 400 distinct answers, a few KiB each
        r = api.get("/v1/organizations", params={"limit": 1 + i % 200, "include_dissolved": "true" if i >= 200 else "false"})
        assert r.status_code == 200
        assert metric(api, "thidua_cache_bytes") <= bound
    assert metric(api, "thidua_cache_evictions_total") > 0
    assert metric(api, "thidua_cache_max_bytes") == bound
    assert 0 < metric(api, "thidua_cache_entries") < 400


def test_cache_can_be_turned_off(make_db, make_server):
    _, api = make_server(make_db(), env={"THIDUA_CACHE_BYTES": "0"})
    api.get("/v1/organizations/HP")
    assert "X-Cache" not in api.get("/v1/organizations/HP").headers


# ---- what an answer depends on (sql/012_cache.sql)

def test_a_write_elsewhere_keeps_the_answer_a_write_here_refreshes_it(pair):
    """Hải Phòng's summary stays cached while Hà Tĩnh's figures are written; it is refreshed at
    once when Hải Phòng's own are."""
    admin, reader = pair
    hp = ("/v1/organizations/HP/summary", {"period": "2022YTD09"})
    read_twice(reader, hp[0], hp[1])
    put_values(admin, [{"org": "HT-NG-VC", "indicator": "new_members", "period": "2022YTD09", "actual": 7}])
    assert reader.get(hp[0], params=hp[1]).headers["X-Cache"] == "hit"
    ht = reader.get("/v1/values", params={"org": "HT-NG-VC", "period": "2022YTD09"})
    assert ht.headers["X-Cache"] == "miss" and figure(ht, "data")[0]["actual"] == 7
    put_values(admin, [{"org": "HP", "indicator": "new_members", "period": "2022YTD09", "actual": 15537}])
    after = reader.get(hp[0], params=hp[1])
    assert after.headers["X-Cache"] == "miss"
    assert {i["indicator"]: i for i in figure(after, "items")}["new_members"]["actual"] == 15537


def test_a_bloc_across_provinces_follows_each_member(pair):
    """HN-HP-QN's members are Hà Nội, Hải Phòng and Quảng Ninh: a write in Hải Phòng refreshes
    it, one in Hà Tĩnh does not."""
    admin, reader = pair
    path, params = "/v1/blocs/HN-HP-QN/summary", {"period": "2022H1"}
    read_twice(reader, path, params)
    put_values(admin, [{"org": "HT-NG-VC", "indicator": "initiatives", "period": "2022H1", "actual": 3}])
    assert reader.get(path, params=params).headers["X-Cache"] == "hit"
    put_values(admin, [{"org": "HP", "indicator": "initiatives", "period": "2022H1", "actual": 1}])
    assert reader.get(path, params=params).headers["X-Cache"] == "miss"


def test_the_national_figures_and_the_structure_follow_every_write(pair):
    admin, reader = pair
    vn = ("/v1/organizations/VN/breakdown", {"indicator": "initiatives", "period": "2022H1"})
    hp = ("/v1/organizations/HP/summary", {"period": "2022YTD09"})
    read_twice(reader, vn[0], vn[1])
    read_twice(reader, hp[0], hp[1])
    put_values(admin, [{"org": "HT-NG-VC", "indicator": "initiatives", "period": "2022H1", "actual": 4}])
    assert reader.get(vn[0], params=vn[1]).headers["X-Cache"] == "miss"  # the whole country depends on every province
    assert reader.get(hp[0], params=hp[1]).headers["X-Cache"] == "hit"
    r = admin.post("/v1/organizations", json={"code": "HP-NEW", "name": "Công đoàn cơ sở mới", "kind": "grassroots",
                                                "parent": "HP"})
    assert r.status_code == 201, r.text
    assert reader.get(hp[0], params=hp[1]).headers["X-Cache"] == "miss"  # the structure changed: everything is recomputed


@pytest.mark.parametrize("how", ["patch", "import"])
def test_a_union_that_moves_belongs_to_both_places_after_the_move(pair, how):
    """A new union under Hải Phòng, moved to Hà Tĩnh on 2023-01-01 (sql/013_org_buckets.sql keeps
    the buckets as the links change; an import computes them once, after its last row): a figure
    of it refreshes the answers of both provinces, and a figure in Hà Nội neither."""
    admin, reader = pair
    r = admin.post("/v1/organizations", json={"code": "HP-MOVER", "name": "Công đoàn cơ sở chuyển tỉnh",
                                                "kind": "grassroots", "parent": "HP"})
    assert r.status_code == 201, r.text
    if how == "patch":
        r = admin.patch("/v1/organizations/HP-MOVER", json={"parent": "HT", "parent_from": "2023-01-01"})
    else:
        r = admin.put("/v1/organizations", data="code,parent,parent_from\nHP-MOVER,HT,2023-01-01\n".encode(),
                      headers={"Content-Type": "text/csv; charset=utf-8"})
    assert r.status_code == 200, r.text
    hp = ("/v1/organizations/HP/summary", {"period": "2022H1"})
    ht = ("/v1/organizations/HT/summary", {"period": "2023"})
    read_twice(reader, *hp)
    read_twice(reader, *ht)
    put_values(admin, [{"org": "HN", "indicator": "initiatives", "period": "2022H1", "actual": 5}])
    assert reader.get(hp[0], params=hp[1]).headers["X-Cache"] == "hit"
    assert reader.get(ht[0], params=ht[1]).headers["X-Cache"] == "hit"
    put_values(admin, [{"org": "HP-MOVER", "indicator": "initiatives", "period": "2022H1", "actual": 2}])
    assert reader.get(hp[0], params=hp[1]).headers["X-Cache"] == "miss"
    assert reader.get(ht[0], params=ht[1]).headers["X-Cache"] == "miss"


def test_a_bloc_follows_the_members_it_gains(pair):
    """Hải Phòng joins HN-CUM1 for 2023: from then on a figure of Hải Phòng refreshes the cụm."""
    admin, reader = pair
    path, params = "/v1/blocs/HN-CUM1/summary", {"period": "2023H1"}
    read_twice(reader, path, params)
    put_values(admin, [{"org": "HP", "indicator": "initiatives", "period": "2023H1", "actual": 1}])
    assert reader.get(path, params=params).headers["X-Cache"] == "hit"
    r = admin.put("/v1/blocs/HN-CUM1/years/2023",
                  json={"members": ["HN-HBT", "HN-HM", "HN-BD", "HN-LB", "HN-HK", "HN-DD", "HP"]})
    assert r.status_code in (200, 201), r.text
    read_twice(reader, path, params)
    put_values(admin, [{"org": "HP", "indicator": "initiatives", "period": "2023H1", "actual": 2}])
    assert reader.get(path, params=params).headers["X-Cache"] == "miss"
