"""Every change to a value is kept and can be read back; a portal can pull
only what changed since its last sync, deletions included."""
import re
import time

import pytest


@pytest.fixture
def editor(make_db, make_server):
    _, api = make_server(make_db(), role="editor")
    return api


def put(api, rows, request_id=None):
    headers = {"X-Request-Id": request_id} if request_id else {}
    r = api.put("/v1/values", json=rows, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def test_history_after_update_and_delete(editor):
    key = {"org": "HT-NG-VC", "indicator": "new_members", "period": "2024"}
    put(editor, [dict(key, actual=100, note="lần đầu")], "portal-1")
    put(editor, [dict(key, actual=120, target=110)], "portal-2")
    put(editor, [dict(key, actual=120, target=110)], "portal-3")  # unchanged: no revision
    assert editor.delete("/v1/values", params=key, headers={"X-Request-Id": "portal-4"}).status_code == 204
    assert editor.get("/v1/values", params=key).json()["data"] == []

    h = editor.get("/v1/values/history", params=key).json()["data"]
    assert [(r["revision"], r["operation"], r["actual"], r["old_actual"], r["target"], r["old_target"], r["note"],
             r["old_note"], r["request_id"]) for r in h] == [
        (1, "insert", 100, None, None, None, "lần đầu", None, "portal-1"),
        (2, "update", 120, 100, 110, None, "lần đầu", "lần đầu", "portal-2"),
        (3, "delete", None, 120, None, 110, None, "lần đầu", "portal-4"),
    ]
    assert all(r["changed_by"] == "test editor" for r in h)
    assert h[0]["changed_at"] <= h[1]["changed_at"] <= h[2]["changed_at"]


def test_deleting_what_is_not_there_is_404(editor):
    r = editor.delete("/v1/values", params={"org": "HT-NG-VC", "indicator": "new_members", "period": "2019"})
    assert r.status_code == 404
    assert r.json()["code"] == "value_not_found"


def test_delete_needs_its_parameters(editor):
    r = editor.delete("/v1/values", params={"org": "HT-NG-VC"})
    assert r.status_code == 400
    assert {e["field"] for e in r.json()["errors"]} == {"indicator", "period"}


def test_history_of_the_demo_data_names_its_loader(api):
    h = api.get("/v1/values/history", params={"org": "DN-TK", "indicator": "collective_agreements"}).json()["data"]
    assert [(r["revision"], r["operation"], r["actual"], r["target"], r["changed_by"]) for r in h] == [
        (1, "insert", 14, 8, "demo")]


def test_sync_returns_what_changed_since_deletions_included(editor):
    first = editor.get("/v1/values", params={"updated_after": "2000-01-01T00:00:00Z", "org": "HT-NG-VC"}).json()
    assert first["data"] == []
    since = first["as_of"]
    time.sleep(0.01)
    put(editor, [{"org": "HT-NG-VC", "indicator": "new_members", "period": "2024", "actual": 5},
                 {"org": "HT-NG-VC", "indicator": "new_grassroots_unions", "period": "2024", "actual": 1}])
    editor.delete("/v1/values", params={"org": "HT-NG-VC", "indicator": "new_grassroots_unions", "period": "2024"})
    changes = editor.get("/v1/values", params={"updated_after": since}).json()
    got = [(c["indicator"], c["actual"], c["deleted"]) for c in changes["data"]]
    # the figure written and deleted since shows as its deletion; applied in
    # this order the changes give today's figures
    assert got == [("new_members", 5, False), ("new_grassroots_unions", None, True)]
    assert changes["as_of"] >= since
    # nothing more since the new mark
    again = editor.get("/v1/values", params={"updated_after": changes["as_of"]}).json()
    assert again["data"] == []


def test_sync_pages_in_order_of_change(editor):
    put(editor, [{"org": "HT-NG-VC", "indicator": "new_members", "period": f"2024M{m:02d}", "actual": m}
                 for m in range(1, 13)])
    rows, cursor = [], None
    while True:
        params = {"updated_after": "2020-01-01T00:00:00Z", "org": "HT-NG-VC", "limit": 5}
        if cursor:
            params["cursor"] = cursor
        body = editor.get("/v1/values", params=params).json()
        rows += body["data"]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert len(rows) == 12
    assert [r["updated_at"] for r in rows] == sorted(r["updated_at"] for r in rows)


def test_sync_pages_are_the_whole_feed_in_pieces(pg, make_db, make_server):
    """The feed read in pages of 1000, of 7, and for one organization in pages of 3 (it reads a
    window of changes: sql/014_value_listings.sql) is every value and every deletion of the
    database, each once, in the order of the tables' own moments and rows: 1 200 figures written
    at one moment, then writes of two organizations in turns, and a deletion between them."""
    url = make_db()
    db = re.search(r"dbname=(\w+)", url).group(1)
    _, editor = make_server(url, role="editor")
    # 1 200 figures written at one moment: more than a page
    codes = [i["code"] for i in editor.get("/v1/indicators", params={"limit": 100}).json()["data"]][:20]
    put(editor, [{"org": "HN", "indicator": code, "period": f"{y}M{m:02d}", "actual": m}
                 for code in codes for y in range(2019, 2024) for m in range(1, 13)])
    for m in range(1, 7):
        put(editor, [{"org": "HT-NG-VC", "indicator": "new_members", "period": f"2024M{m:02d}", "actual": m},
                     {"org": "DN-TK", "indicator": "new_members", "period": f"2024M{m:02d}", "actual": 10 + m}])
        if m == 3:
            editor.delete("/v1/values", params={"org": "HT-NG-VC", "indicator": "new_members", "period": "2024M02"})

    def feed(limit, **filters):
        rows, cursor = [], None
        while True:
            params = {"updated_after": "2000-01-01T00:00:00Z", "limit": limit, **filters}
            if cursor:
                params["cursor"] = cursor
            r = editor.get("/v1/values", params=params)
            assert r.status_code == 200, r.text
            body = r.json()
            assert len(body["data"]) <= limit
            rows += [(x["org"] or x["bloc"], x["indicator"], x["period"], x["deleted"]) for x in body["data"]]
            cursor = body["next_cursor"]
            if not cursor:
                return rows

    # the tables, read directly: values by (moment, row); a deletion before a write of its moment
    tables = [(code, ind, per, deleted) for code, ind, per, deleted, *_ in pg.query(db, """
        SELECT coalesce(o.code, b.code), i.code, p.code, c.deleted, c.at, c.kind, c.id
        FROM (SELECT org_id, bloc_id, indicator_id, period_id, false AS deleted, updated_at AS at, 1 AS kind, id
              FROM value
              UNION ALL
              SELECT org_id, bloc_id, indicator_id, period_id, true, written_at, 0, id
              FROM value_history WHERE deleted) c
        JOIN indicator i ON i.id = c.indicator_id JOIN period p ON p.id = c.period_id
        LEFT JOIN organization o ON o.id = c.org_id LEFT JOIN bloc b ON b.id = c.bloc_id
        ORDER BY c.at, c.kind, c.id""")]
    assert len(tables) > 1000
    assert ("HT-NG-VC", "new_members", "2024M02", True) in tables
    assert feed(1000) == tables
    assert feed(7) == tables
    assert feed(3, org="DN-TK") == [t for t in tables if t[0] == "DN-TK"]


@pytest.mark.parametrize("moment", ["yesterday", "2026-13-01", "2026-02-30T00:00:00Z", "2026-01-01T25:00:00Z",
                                    "2026-01-01T00:00:00+7", "2026-11-22T08:00:00", "2026-11-22"])
def test_a_bad_moment_is_400(editor, moment):
    r = editor.get("/v1/values", params={"updated_after": moment})
    assert r.status_code == 400
    assert r.json()["errors"][0]["field"] == "updated_after"
