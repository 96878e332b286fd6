"""Scope true to dates: the authorization matrix over every route, for keys
scoped to a province, on organizations inside it, outside it, and one that
moved out of it in time; and blocs that are public among their members.

The world (on top of the articles' demo data):
  HT-STAY   a grassroots union under Hà Tĩnh (HT) since 2020
  HN-OTHER  a grassroots union under Hà Nội (HN) since 2020
  HT-MOVED  under HT from 2020 to 2024-12-31, under HN from 2025-01-01
  HT-IDLE   moved the same way, with no data (so it can be deleted)
  X-BLOC    organized by HN; 2026 members HN-OTHER and HT-STAY
  Y-BLOC    organized by HN; 2026 member HN-OTHER only
  Z-BLOC    organized by HT; 2024 members HT-MOVED and HT-STAY
  locks on HT-MOVED for 2024 and for 2026; a key scoped to HT-MOVED.
Keys: reader, editor and admin scoped to HT; reader, editor and admin scoped
to HN; an admin without scope. Expected statuses are written by hand from
the rule: a key scoped to X reaches N only on the days N sat inside X's
subtree; a figure for period P is judged on P's last day; keys, PATCH,
DELETE and a bloc's organizer are judged today; a bloc is readable in full
by a key that reaches its organizer or a member of that year, and does not
exist (404) for any other.
"""
import itertools

import pytest

from conftest import bearer, make_key

_databases = itertools.count(1)

WORLD = """
INSERT INTO organization (code, name, kind, valid_from) VALUES
    ('HT-STAY', 'Công đoàn cơ sở Ở Lại', 'grassroots', '2020-01-01'),
    ('HN-OTHER', 'Công đoàn cơ sở Hà Nội Khác', 'grassroots', '2020-01-01'),
    ('HT-MOVED', 'Công đoàn cơ sở Chuyển Đi', 'grassroots', '2020-01-01'),
    ('HT-IDLE', 'Công đoàn cơ sở Chuyển Đi Không Số Liệu', 'grassroots', '2020-01-01');
INSERT INTO organization_parent (org_id, parent_id, valid_from, valid_to)
SELECT c.id, p.id, f::date, t::date
FROM (VALUES ('HT-STAY', 'HT', '2020-01-01', NULL), ('HN-OTHER', 'HN', '2020-01-01', NULL),
             ('HT-MOVED', 'HT', '2020-01-01', '2024-12-31'), ('HT-MOVED', 'HN', '2025-01-01', NULL),
             ('HT-IDLE', 'HT', '2020-01-01', '2024-12-31'), ('HT-IDLE', 'HN', '2025-01-01', NULL)) l (c, p, f, t)
JOIN organization c ON c.code = l.c JOIN organization p ON p.code = l.p;
SELECT value_put(o, NULL, 'new_members', p, a, t, NULL)
FROM (VALUES ('HT-MOVED', '2023', 9, 7), ('HT-MOVED', '2024', 10, 8), ('HT-MOVED', '2025', 12, 10),
             ('HT-MOVED', '2026', 20, 15), ('HT-STAY', '2026', 5, 4), ('HN-OTHER', '2026', 7, 6),
             ('HT-STAY', '2024', 3, 2), ('HT', '2023', 50, 40)) v (o, p, a, t);
INSERT INTO bloc (code, name, kind, organizer_id)
SELECT b, n, 'cum', (SELECT id FROM organization WHERE code = o)
FROM (VALUES ('X-BLOC', 'Cụm X', 'HN'), ('Y-BLOC', 'Cụm Y', 'HN'), ('Z-BLOC', 'Cụm Z', 'HT')) x (b, n, o);
INSERT INTO bloc_year (bloc_id, year) SELECT id, y FROM bloc, (VALUES (2026)) v (y) WHERE code IN ('X-BLOC', 'Y-BLOC');
INSERT INTO bloc_year (bloc_id, year) SELECT id, 2024 FROM bloc WHERE code = 'Z-BLOC';
INSERT INTO bloc_member (bloc_id, year, org_id)
SELECT b.id, m.y, o.id
FROM (VALUES ('X-BLOC', 2026, 'HN-OTHER'), ('X-BLOC', 2026, 'HT-STAY'), ('Y-BLOC', 2026, 'HN-OTHER'),
             ('Z-BLOC', 2024, 'HT-MOVED'), ('Z-BLOC', 2024, 'HT-STAY')) m (b, y, o)
JOIN bloc b ON b.code = m.b JOIN organization o ON o.code = m.o;
INSERT INTO bloc_criterion (bloc_id, year, indicator_id, weight, cap_pct)
SELECT b.id, 2026, i.id, 10, 150 FROM bloc b, indicator i WHERE b.code = 'X-BLOC' AND i.code = 'new_members';
INSERT INTO period_lock (org_id, period_id, note)
SELECT o.id, period_ensure(p), 'scope test' FROM organization o, (VALUES ('2024'), ('2026')) v (p)
WHERE o.code = 'HT-MOVED';
INSERT INTO api_key (prefix, hash, name, role, scope_id)
SELECT 'abcdefabcdef', decode(repeat('cd', 32), 'hex'), 'key of HT-MOVED', 'reader', id
FROM organization WHERE code = 'HT-MOVED';
"""

CALLERS = ["reader_ht", "editor_ht", "admin_ht", "reader_hn", "editor_hn", "admin_hn", "admin"]


@pytest.fixture(scope="module")
def world(pg, demo_template, keys):
    """The template database of this module and every caller's key."""
    url = pg.create_database("tpl_scope", template=demo_template)
    pg.query("tpl_scope", WORLD)
    callers = {name: keys[name] for name in ("reader_ht", "editor_ht", "admin_ht", "editor_hn", "admin")}
    callers["reader_hn"] = make_key(url, "scope test reader HN", "reader", "HN")
    callers["admin_hn"] = make_key(url, "scope test admin HN", "admin", "HN")
    return "tpl_scope", callers


@pytest.fixture(scope="module")
def reader_server(pg, world):
    from server import Server
    srv = Server(pg.create_database("scope_reads", template=world[0]))
    yield srv
    assert srv.stop() == 0, srv.stderr()


def lock_id(pg, db, period):
    return pg.query(db, "SELECT l.id FROM period_lock l JOIN period p ON p.id = l.period_id "
                        "JOIN organization o ON o.id = l.org_id WHERE o.code = 'HT-MOVED' AND p.code = %s",
                    (period,))[0][0]


def moved_key_id(pg, db):
    return pg.query(db, "SELECT id FROM api_key WHERE prefix = 'abcdefabcdef'")[0][0]


# ---------------------------------------------------------------- reads

# (request, expected status per caller in CALLERS order)
READS = [
    # one organization, as of a day
    ("GET /v1/organizations/HT-STAY", [200, 200, 200, 403, 403, 403, 200]),
    ("GET /v1/organizations/HN-OTHER", [403, 403, 403, 200, 200, 200, 200]),
    ("GET /v1/organizations/HT-MOVED", [403, 403, 403, 200, 200, 200, 200]),
    ("GET /v1/organizations/HT-MOVED?on=2024-06-30", [200, 200, 200, 403, 403, 403, 200]),
    ("GET /v1/organizations/HT-MOVED?on=2025-01-01", [403, 403, 403, 200, 200, 200, 200]),
    # lists: filters name organizations reached that day
    ("GET /v1/organizations?parent=HT-MOVED", [403, 403, 403, 200, 200, 200, 200]),
    ("GET /v1/organizations?under=HT-MOVED&on=2024-01-01", [200, 200, 200, 403, 403, 403, 200]),
    # dashboard figures, judged on the period's last day
    ("GET /v1/organizations/HT-MOVED/summary?period=2024", [200, 200, 200, 403, 403, 403, 200]),
    ("GET /v1/organizations/HT-MOVED/summary?period=2026", [403, 403, 403, 200, 200, 200, 200]),
    ("GET /v1/organizations/HT-MOVED/summary?period=2024H1&format=xlsx", [200, 200, 200, 403, 403, 403, 200]),
    ("GET /v1/organizations/HT-MOVED/summary?period=2026&format=xlsx", [403, 403, 403, 200, 200, 200, 200]),
    ("GET /v1/organizations/HT-MOVED/breakdown?indicator=new_members&period=2024", [200, 200, 200, 403, 403, 403, 200]),
    ("GET /v1/organizations/HT-MOVED/breakdown?indicator=new_members&period=2025", [403, 403, 403, 200, 200, 200, 200]),
    ("GET /v1/series?org=HT-MOVED&indicator=new_members&from=2023&to=2026", [200, 200, 200, 200, 200, 200, 200]),
    ("GET /v1/series?org=HT-MOVED&indicator=new_members&from=2025&to=2026", [403, 403, 403, 200, 200, 200, 200]),
    ("GET /v1/series?org=HT-MOVED&indicator=new_members&from=2021&to=2024", [200, 200, 200, 403, 403, 403, 200]),
    # values and their history: the filter names an organization reached on some day; rows are judged each
    ("GET /v1/values?org=HT-MOVED", [200, 200, 200, 200, 200, 200, 200]),
    ("GET /v1/values?org=HN-OTHER", [403, 403, 403, 200, 200, 200, 200]),
    ("GET /v1/values/history?org=HT-MOVED", [200, 200, 200, 200, 200, 200, 200]),
    ("GET /v1/values?org=HT-MOVED&updated_after=2000-01-01T00:00:00Z", [200, 200, 200, 200, 200, 200, 200]),
    # templates: what the key may write for the period, judged on its last day
    ("GET /v1/values/template?under=HT-MOVED&period=2024&indicator=new_members", [200, 200, 200, 403, 403, 403, 200]),
    ("GET /v1/values/template?under=HT-MOVED&period=2026&indicator=new_members", [403, 403, 403, 200, 200, 200, 200]),
    ("GET /v1/values/template?bloc=Y-BLOC&period=2026&indicator=new_members", [400, 400, 400, 200, 200, 200, 200]),
    # blocs: public among their members, nonexistent to anyone else
    ("GET /v1/blocs/X-BLOC", [200, 200, 200, 200, 200, 200, 200]),
    ("GET /v1/blocs/Y-BLOC", [404, 404, 404, 200, 200, 200, 200]),
    ("GET /v1/blocs/Z-BLOC", [200, 200, 200, 404, 404, 404, 200]),
    ("GET /v1/blocs/X-BLOC/years/2026", [200, 200, 200, 200, 200, 200, 200]),
    ("GET /v1/blocs/Y-BLOC/years/2026", [404, 404, 404, 200, 200, 200, 200]),
    ("GET /v1/blocs/Z-BLOC/years/2024", [200, 200, 200, 404, 404, 404, 200]),
    ("GET /v1/blocs/X-BLOC/scoreboard?period=2026", [200, 200, 200, 200, 200, 200, 200]),
    ("GET /v1/blocs/Y-BLOC/scoreboard?period=2026&indicator=new_members", [404, 404, 404, 200, 200, 200, 200]),
    ("GET /v1/blocs/X-BLOC/summary?period=2026", [200, 200, 200, 200, 200, 200, 200]),
    ("GET /v1/blocs/Y-BLOC/summary?period=2026", [404, 404, 404, 200, 200, 200, 200]),
    ("GET /v1/blocs/X-BLOC/reporting?period=2026&indicator=new_members", [200, 200, 200, 200, 200, 200, 200]),
    ("GET /v1/blocs/Y-BLOC/reporting?period=2026&indicator=new_members", [404, 404, 404, 200, 200, 200, 200]),
    ("GET /v1/organizations/HT-MOVED/reporting?period=2024&indicator=new_members", [200, 200, 200, 403, 403, 403, 200]),
    ("GET /v1/organizations/HT-MOVED/reporting?period=2026&indicator=new_members", [403, 403, 403, 200, 200, 200, 200]),
    ("GET /v1/values?bloc=Y-BLOC", [400, 400, 400, 200, 200, 200, 200]),
    ("GET /v1/series?bloc=Y-BLOC&indicator=new_members&from=2026&to=2026", [400, 400, 400, 200, 200, 200, 200]),
    # the other members' own figures stay theirs
    ("GET /v1/organizations/HN-OTHER/summary?period=2026", [403, 403, 403, 200, 200, 200, 200]),
    # keys and locks
    ("GET /v1/keys", [403, 403, 200, 403, 403, 200, 200]),
    ("GET /v1/locks", [200, 200, 200, 200, 200, 200, 200]),
    ("GET /v1/locks?org=HN-OTHER", [403, 403, 403, 200, 200, 200, 200]),
]


@pytest.mark.parametrize("request_line,expected", READS, ids=[r for r, _ in READS])
@pytest.mark.parametrize("caller", CALLERS)
def test_read_is_judged_on_the_days_it_shows(reader_server, contract, world, request_line, expected, caller):
    from contract import Api
    method, path = request_line.split(" ", 1)
    api = Api(reader_server.url, contract, bearer(world[1][caller]))
    r = api.request(method, path)
    want = expected[CALLERS.index(caller)]
    assert r.status_code == want, f"{caller} {request_line}: {r.text[:500]}"
    if want == 403:
        assert r.json()["code"] in ("out_of_scope", "forbidden_role")
    if want == 404:
        assert r.json()["code"] in ("bloc_not_found", "bloc_year_not_found")


def get(reader_server, contract, key, path):
    from contract import Api
    r = Api(reader_server.url, contract, bearer(key)).get(path)
    assert r.status_code == 200, r.text
    return r.json()


def test_a_moved_organization_lists_only_the_figures_of_its_time_in_the_scope(reader_server, contract, world):
    ht = get(reader_server, contract, world[1]["reader_ht"], "/v1/values?org=HT-MOVED")
    hn = get(reader_server, contract, world[1]["reader_hn"], "/v1/values?org=HT-MOVED")
    assert [(v["period"], v["actual"]) for v in ht["data"]] == [("2023", 9), ("2024", 10)]
    assert [(v["period"], v["actual"]) for v in hn["data"]] == [("2025", 12), ("2026", 20)]


def test_history_of_a_moved_organization_keeps_to_the_scope_too(reader_server, contract, world):
    ht = get(reader_server, contract, world[1]["reader_ht"], "/v1/values/history?org=HT-MOVED")
    assert sorted(v["period"] for v in ht["data"]) == ["2023", "2024"]


def test_a_series_withholds_the_years_outside_the_scope(reader_server, contract, world):
    ht = get(reader_server, contract, world[1]["reader_ht"],
             "/v1/series?org=HT-MOVED&indicator=new_members&from=2023&to=2026")
    assert [(p["period"], p["actual"], p["source"]) for p in ht["points"]] == [
        ("2023", 9, "reported"), ("2024", 10, "reported"), ("2025", None, "out_of_scope"), ("2026", None, "out_of_scope")]
    hn = get(reader_server, contract, world[1]["reader_hn"],
             "/v1/series?org=HT-MOVED&indicator=new_members&from=2023&to=2026")
    assert [(p["period"], p["actual"], p["source"]) for p in hn["points"]] == [
        ("2023", None, "out_of_scope"), ("2024", None, "out_of_scope"), ("2025", 12, "reported"), ("2026", 20, "reported")]


def test_a_summary_withholds_the_year_before_from_before_the_move(reader_server, contract, world):
    hn = get(reader_server, contract, world[1]["reader_hn"], "/v1/organizations/HT-MOVED/summary?period=2025")
    item = next(i for i in hn["items"] if i["indicator"] == "new_members")
    assert (item["actual"], item["target"], item["completion_pct"]) == (12, 10, 120)
    assert item["previous"] is None and item["yoy_pct"] is None  # 2024 was Hà Tĩnh's
    assert hn["withheld"] == ["2024"]
    everything = get(reader_server, contract, world[1]["admin"], "/v1/organizations/HT-MOVED/summary?period=2025")
    item = next(i for i in everything["items"] if i["indicator"] == "new_members")
    assert (item["previous"], item["yoy_pct"]) == (10, 20)
    assert everything["withheld"] == []


def test_a_summary_inside_the_scope_shows_the_year_before(reader_server, contract, world):
    ht = get(reader_server, contract, world[1]["reader_ht"], "/v1/organizations/HT-MOVED/summary?period=2024")
    item = next(i for i in ht["items"] if i["indicator"] == "new_members")
    assert (item["actual"], item["previous"], item["yoy_pct"]) == (10, 9, 11.11)
    assert ht["withheld"] == []


def test_a_list_shows_an_organization_only_on_days_the_key_reaches_it(reader_server, contract, world):
    today = get(reader_server, contract, world[1]["reader_ht"], "/v1/organizations?q=chuyen di&limit=1000")
    assert [o["code"] for o in today["data"]] == []
    then = get(reader_server, contract, world[1]["reader_ht"], "/v1/organizations?q=chuyen di&on=2024-12-31")
    assert sorted(o["code"] for o in then["data"]) == ["HT-IDLE", "HT-MOVED"]
    hn = get(reader_server, contract, world[1]["reader_hn"], "/v1/organizations?q=chuyen di")
    assert sorted(o["code"] for o in hn["data"]) == ["HT-IDLE", "HT-MOVED"]


def test_a_bloc_is_read_in_full_by_every_member(reader_server, contract, world):
    board = get(reader_server, contract, world[1]["reader_ht"], "/v1/blocs/X-BLOC/scoreboard?period=2026")
    # HN-OTHER 7/6 -> 116.67 % -> 11.67 points; HT-STAY 5/4 -> 125 % -> 12.5 points
    assert [(m["org"], m["rank"], m["score"]) for m in board["members"]] == [("HT-STAY", 1, 12.5), ("HN-OTHER", 2, 11.67)]
    summary = get(reader_server, contract, world[1]["reader_ht"], "/v1/blocs/X-BLOC/summary?period=2026")
    item = next(i for i in summary["items"] if i["indicator"] == "new_members")
    assert (item["members_actual"], item["members_target"], item["members_reporting"]) == (12, 10, 2)


def test_the_bloc_list_holds_the_blocs_a_key_reaches(reader_server, contract, world):
    ht = get(reader_server, contract, world[1]["reader_ht"], "/v1/blocs?q=cum")
    assert sorted(b["code"] for b in ht["data"] if b["code"] in ("X-BLOC", "Y-BLOC", "Z-BLOC")) == ["X-BLOC", "Z-BLOC"]
    hn = get(reader_server, contract, world[1]["reader_hn"], "/v1/blocs?q=cum")
    assert sorted(b["code"] for b in hn["data"] if b["code"] in ("X-BLOC", "Y-BLOC", "Z-BLOC")) == ["X-BLOC", "Y-BLOC"]
    ht_2024 = get(reader_server, contract, world[1]["reader_ht"], "/v1/blocs?year=2024&q=cum")
    assert [b["code"] for b in ht_2024["data"]] == ["Z-BLOC"]


def test_keys_and_locks_listed_by_the_days_of_their_organizations(reader_server, contract, world, pg):
    ht_keys = get(reader_server, contract, world[1]["admin_ht"], "/v1/keys")
    hn_keys = get(reader_server, contract, world[1]["admin_hn"], "/v1/keys")
    assert "key of HT-MOVED" not in [k["name"] for k in ht_keys["data"]]
    assert "key of HT-MOVED" in [k["name"] for k in hn_keys["data"]]
    ht_locks = get(reader_server, contract, world[1]["reader_ht"], "/v1/locks?org=HT-MOVED")
    hn_locks = get(reader_server, contract, world[1]["reader_hn"], "/v1/locks?org=HT-MOVED")
    assert [l["period"] for l in ht_locks["data"]] == ["2024"]
    assert [l["period"] for l in hn_locks["data"]] == ["2026"]


# ---------------------------------------------------------------- writes

def new_lock_body(period):
    return {"org": "HT-MOVED", "period": period}


# (name, method, path or a function of (pg, db) giving it, JSON body, expected status per caller)
WRITES = [
    ("value of the moved organization in its Hà Tĩnh years", "PUT", "/v1/values",
     [{"org": "HT-MOVED", "indicator": "members", "period": "2022", "actual": 100}],
     [403, 200, 200, 403, 403, 403, 200]),
    ("value of the moved organization after the move", "PUT", "/v1/values",
     [{"org": "HT-MOVED", "indicator": "members", "period": "2027", "actual": 100}],
     [403, 403, 403, 403, 200, 200, 200]),
    ("delete a value from its Hà Tĩnh years", "DELETE", "/v1/values?org=HT-MOVED&indicator=new_members&period=2023",
     None, [403, 204, 204, 403, 403, 403, 204]),
    ("delete a value after the move", "DELETE", "/v1/values?org=HT-MOVED&indicator=new_members&period=2025",
     None, [403, 403, 403, 403, 204, 204, 204]),
    # targets come from above: a key sets its own organization's actuals, its descendants' targets
    ("Hà Tĩnh's own actual", "PUT", "/v1/values", [{"org": "HT", "indicator": "members", "period": "2026", "actual": 1}],
     [403, 200, 200, 403, 403, 403, 200]),
    ("Hà Tĩnh's own target", "PUT", "/v1/values", [{"org": "HT", "indicator": "members", "period": "2026", "target": 1}],
     [403, 403, 403, 403, 403, 403, 200]),
    ("a target under Hà Tĩnh", "PUT", "/v1/values",
     [{"org": "HT-STAY", "indicator": "members", "period": "2026", "target": 1}], [403, 200, 200, 403, 403, 403, 200]),
    ("delete Hà Tĩnh's own value that holds a target", "DELETE",
     "/v1/values?org=HT&indicator=new_members&period=2023", None, [403, 403, 403, 403, 403, 403, 204]),
    ("patch the moved organization", "PATCH", "/v1/organizations/HT-MOVED", {"short_name": "CĐCS Chuyển Đi"},
     [403, 403, 403, 403, 403, 200, 200]),
    ("patch an organization inside", "PATCH", "/v1/organizations/HT-STAY", {"short_name": "CĐCS Ở Lại"},
     [403, 403, 200, 403, 403, 403, 200]),
    ("delete the moved organization", "DELETE", "/v1/organizations/HT-IDLE", None,
     [403, 403, 403, 403, 403, 204, 204]),
    ("create under the moved organization since its Hà Tĩnh years", "POST", "/v1/organizations",
     {"code": "HT-NEW", "name": "Công đoàn mới", "kind": "grassroots", "parent": "HT-MOVED", "valid_from": "2024-01-01"},
     [403, 403, 403, 403, 403, 403, 201]),
    ("create under the moved organization after the move", "POST", "/v1/organizations",
     {"code": "HT-NEW", "name": "Công đoàn mới", "kind": "grassroots", "parent": "HT-MOVED", "valid_from": "2025-03-01"},
     [403, 403, 403, 403, 403, 201, 201]),
    ("bulk upsert naming the moved organization", "PUT", "/v1/organizations",
     [{"code": "HT-MOVED", "short_name": "CĐCS Chuyển Đi"}],
     [403, 403, 403, 403, 403, 200, 200]),
    ("key scoped to the moved organization", "POST", "/v1/keys", {"name": "cổng", "role": "reader", "org": "HT-MOVED"},
     [403, 403, 403, 403, 403, 201, 201]),
    ("revoke the key scoped to the moved organization", "DELETE", lambda pg, db: f"/v1/keys/{moved_key_id(pg, db)}",
     None, [403, 403, 404, 403, 403, 204, 204]),
    ("lock the moved organization's future", "POST", "/v1/locks", new_lock_body("2027"),
     [403, 403, 403, 403, 403, 201, 201]),
    ("lock the moved organization's past", "POST", "/v1/locks", new_lock_body("2022"),
     [403, 403, 201, 403, 403, 403, 201]),
    ("lift the lock of its Hà Tĩnh years", "DELETE", lambda pg, db: f"/v1/locks/{lock_id(pg, db, '2024')}", None,
     [403, 403, 204, 403, 403, 404, 204]),
    ("lift the lock after the move", "DELETE", lambda pg, db: f"/v1/locks/{lock_id(pg, db, '2026')}", None,
     [403, 403, 404, 403, 403, 204, 204]),
    ("a bloc organized by the moved organization", "PUT", "/v1/blocs/M-BLOC",
     {"name": "Cụm M", "kind": "cum", "organizer": "HT-MOVED"}, [403, 403, 403, 403, 403, 201, 201]),
    ("a bloc year of Hà Nội's bloc", "PUT", "/v1/blocs/X-BLOC/years/2027", {"members": ["HN-OTHER"]},
     [403, 403, 403, 403, 201, 201, 201]),
    ("the moved organization as a member in its Hà Tĩnh years", "PUT", "/v1/blocs/Z-BLOC/years/2023",
     {"members": ["HT-MOVED", "HT-STAY"]}, [403, 201, 201, 403, 403, 403, 201]),
    ("the moved organization as a member after the move", "PUT", "/v1/blocs/Z-BLOC/years/2026",
     {"members": ["HT-MOVED", "HT-STAY"]}, [403, 403, 403, 403, 403, 403, 201]),
    ("the indicator catalogue", "PUT", "/v1/indicators/new_members", {"unit": "người"},
     [403, 403, 403, 403, 403, 403, 200]),
    ("the indicator catalogue in bulk", "PUT", "/v1/indicators", [{"code": "new_members", "unit": "người"}],
     [403, 403, 403, 403, 403, 403, 200]),
]


@pytest.mark.parametrize("name,method,path,body,expected", WRITES, ids=[w[0] for w in WRITES])
@pytest.mark.parametrize("caller", CALLERS)
def test_write_is_judged_on_its_dates(pg, world, make_server, contract, name, method, path, body, expected, caller):
    from contract import Api
    db = f"scope_w{next(_databases)}"
    url = pg.create_database(db, template=world[0])
    target = path(pg, db) if callable(path) else path
    srv, _ = make_server(url, role=None)
    api = Api(srv.url, contract, bearer(world[1][caller]))
    r = api.request(method, target, json=body) if body is not None else api.request(method, target)
    want = expected[CALLERS.index(caller)]
    assert r.status_code == want, f"{caller} {name}: {method} {target} -> {r.text[:500]}"
    if want == 403:
        assert r.json()["code"] in ("out_of_scope", "forbidden_role"), r.text


# Routes whose answers do not depend on any organization: the same for every key that may call them.
UNSCOPED = {"GET /v1", "GET /v1/indicators", "GET /v1/indicators/{code}", "GET /v1/periods", "GET /v1/periods/{code}",
            "GET /v1/organizations", "GET /v1/blocs"}  # the last two: their scoped rows are checked above


def test_the_matrix_covers_every_route(pg, world):
    import re
    from server import served_routes
    db = world[0]
    requests = [r for r, _ in READS] + [f"{m} {p(pg, db) if callable(p) else p}" for _, m, p, _, _ in WRITES]
    covered = set()
    for route in served_routes():
        rx = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/?]+", re.escape(route["path"])) + r"(\?|$)")
        for line in requests:
            method, path = line.split(" ", 1)
            if method == route["method"] and rx.match(path):
                covered.add(f"{route['method']} {route['path']}")
    every = {f"{r['method']} {r['path']}" for r in served_routes() if r["path"].startswith("/v1")}
    assert every - covered - UNSCOPED == set()
