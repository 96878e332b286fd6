"""Roll-ups read each organization's sum of its children's reported figures
(sql/017_child_sums.sql), kept by triggers in the writing transaction. After
every kind of write the API offers the sums must equal the figures, and a
roll-up must say what a walk down to the grassroots said. Expected figures
are added up here by hand."""
import pytest

# Under T (a province): D1 and D2 (districts); under D1, G1, G2 and G3; under
# D2, G4. Every link holds from 2020.
WORLD = """
INSERT INTO organization (code, name, kind, valid_from) VALUES
    ('T', 'Liên đoàn Lao động Thử', 'province', '2020-01-01'),
    ('T-D1', 'Công đoàn huyện Một', 'district', '2020-01-01'),
    ('T-D2', 'Công đoàn huyện Hai', 'district', '2020-01-01'),
    ('T-G1', 'Công đoàn cơ sở Một', 'grassroots', '2020-01-01'),
    ('T-G2', 'Công đoàn cơ sở Hai', 'grassroots', '2020-01-01'),
    ('T-G3', 'Công đoàn cơ sở Ba', 'grassroots', '2020-01-01'),
    ('T-G4', 'Công đoàn cơ sở Bốn', 'grassroots', '2020-01-01');
INSERT INTO organization_parent (org_id, parent_id, valid_from)
SELECT c.id, p.id, '2020-01-01'
FROM (VALUES ('T-D1', 'T'), ('T-D2', 'T'), ('T-G1', 'T-D1'), ('T-G2', 'T-D1'), ('T-G3', 'T-D1'),
             ('T-G4', 'T-D2')) l (c, p)
JOIN organization c ON c.code = l.c JOIN organization p ON p.code = l.p;
"""

# Every sum and every count of children, against the figures and the links.
DIFFERENCES = """
WITH fresh AS (
    SELECT l.parent_id, v.indicator_id, v.period_id, coalesce(sum(v.actual), 0) AS actual,
           count(v.actual)::int AS actual_n, coalesce(sum(v.target), 0) AS target, count(v.target)::int AS target_n
    FROM value v JOIN period pr ON pr.id = v.period_id
    JOIN organization_parent l ON l.org_id = v.org_id AND l.during @> pr.end_date
    GROUP BY 1, 2, 3
), kept AS (
    SELECT parent_id, indicator_id, period_id, actual, actual_n, target, target_n FROM child_sum
), days AS (
    SELECT DISTINCT l.parent_id, d.day
    FROM organization_parent l,
         LATERAL (VALUES (lower(l.during)), (upper(l.during) - 1), (upper(l.during)), ('2024-12-31'::date)) d (day)
    WHERE d.day IS NOT NULL
)
SELECT 'sum', parent_id, period_id FROM ((SELECT * FROM fresh EXCEPT SELECT * FROM kept)
                                          UNION ALL (SELECT * FROM kept EXCEPT SELECT * FROM fresh)) d
UNION ALL
SELECT 'count', d.parent_id, NULL FROM days d
WHERE coalesce((SELECT c.n FROM child_count c WHERE c.parent_id = d.parent_id AND c.during @> d.day), 0)
      <> (SELECT count(*) FROM organization_parent l WHERE l.parent_id = d.parent_id AND l.during @> d.day)
"""


@pytest.fixture
def world(pg, make_db, make_server):
    url = make_db()
    db = url.split("dbname=")[1].split()[0]
    pg.query(db, WORLD)
    _, api = make_server(url, role="admin")
    return api, db


def put_csv(api, rows):
    body = "org,indicator,period,actual,target\n" + "".join(f"{r}\n" for r in rows)
    r = api.put("/v1/values", data=body.encode(), headers={"Content-Type": "text/csv"})
    assert r.status_code == 200, r.text


def children(api, org, period, indicator="new_members"):
    r = api.get(f"/v1/organizations/{org}/breakdown", params={"indicator": indicator, "period": period})
    assert r.status_code == 200, r.text
    b = r.json()
    return {c["org"]: (c["actual"], c["target"], c["source"]) for c in b["children"]}, b["children_total"]


def summary(api, org, period, indicator="new_members"):
    r = api.get(f"/v1/organizations/{org}/summary", params={"period": period})
    assert r.status_code == 200, r.text
    return {i["indicator"]: i for i in r.json()["items"]}.get(indicator)


def consistent(pg, db):
    assert pg.query(db, DIFFERENCES) == []


def test_the_demo_and_its_sums_agree(pg, make_db):
    url = make_db()
    consistent(pg, url.split("dbname=")[1].split()[0])


def test_sums_follow_every_kind_of_write(world, pg):
    api, db = world
    put_csv(api, ["T-G1,new_members,2024,5,4", "T-G2,new_members,2024,3,", "T-G4,new_members,2024,7,6"])
    consistent(pg, db)
    kids, total = children(api, "T", "2024")
    assert kids == {"T-D1": (8, 4, "children"), "T-D2": (7, 6, "children")}  # 5 + 3; G2 has no target
    assert total == {"actual": 15, "target": 10}
    # a dry run of a values file writes nothing, sums included
    r = api.put("/v1/values", params={"dry_run": "true"},
                data=b"org,indicator,period,actual\nT-G1,new_members,2024,50\n", headers={"Content-Type": "text/csv"})
    assert r.status_code == 200 and r.json()["dry_run"] is True, r.text
    consistent(pg, db)
    assert children(api, "T", "2024")[1] == {"actual": 15, "target": 10}

    # a figure replaced, a note alone changed (no figure moves), a target added
    put_csv(api, ["T-G1,new_members,2024,9,4", "T-G2,new_members,2024,3,2"])
    r = api.put("/v1/values", json=[{"org": "T-G4", "indicator": "new_members", "period": "2024", "actual": 7,
                                     "target": 6, "note": "đã kiểm tra"}])
    assert r.status_code == 200, r.text
    consistent(pg, db)
    assert children(api, "T", "2024")[0] == {"T-D1": (12, 6, "children"), "T-D2": (7, 6, "children")}

    # a figure deleted
    assert api.delete("/v1/values", params={"org": "T-G2", "indicator": "new_members", "period": "2024"}
                      ).status_code == 204
    consistent(pg, db)
    assert children(api, "T", "2024")[0] == {"T-D1": (9, 4, "children"), "T-D2": (7, 6, "children")}

    # G1 moves to D2 from 2024-01-01: its 2024 figure counts there, its 2023 one stays under D1
    put_csv(api, ["T-G1,new_members,2023,2,", "T-G3,new_members,2023,1,"])
    r = api.patch("/v1/organizations/T-G1", json={"parent": "T-D2", "parent_from": "2024-01-01"})
    assert r.status_code == 200, r.text
    consistent(pg, db)
    assert children(api, "T", "2024")[0] == {"T-D1": (None, None, None), "T-D2": (16, 10, "children")}
    assert children(api, "T", "2023")[0] == {"T-D1": (3, None, "children"), "T-D2": (None, None, None)}

    # a new union under D1, and an organizations import of two more
    r = api.post("/v1/organizations", json={"code": "T-G5", "name": "Công đoàn cơ sở Năm", "kind": "grassroots",
                                            "parent": "T-D1", "valid_from": "2024-01-01"})
    assert r.status_code == 201, r.text
    r = api.put("/v1/organizations", json=[
        {"code": "T-G6", "name": "Công đoàn cơ sở Sáu", "kind": "grassroots", "parent": "T-D1",
         "valid_from": "2024-01-01"},
        {"code": "T-G7", "name": "Công đoàn cơ sở Bảy", "kind": "grassroots", "parent": "T-D2",
         "valid_from": "2024-01-01"}])
    assert r.status_code in (200, 201), r.text
    put_csv(api, ["T-G5,new_members,2024,4,", "T-G6,new_members,2024,1,", "T-G7,new_members,2024,2,"])
    consistent(pg, db)
    assert children(api, "T", "2024")[0] == {"T-D1": (5, None, "children"), "T-D2": (18, 10, "children")}

    # moves in an organizations file (followed once, after its last row): G4 goes back to D1 from 2024
    r = api.put("/v1/organizations", data="code,parent,parent_from\nT-G4,T-D1,2024-01-01\n".encode(),
                headers={"Content-Type": "text/csv"})
    assert r.status_code == 200, r.text
    consistent(pg, db)
    assert children(api, "T", "2024")[0] == {"T-D1": (12, 6, "children"), "T-D2": (11, 4, "children")}
    # a dry run changes nothing
    r = api.put("/v1/organizations", params={"dry_run": "true"},
                data="code,parent,parent_from\nT-G4,T-D2,2024-06-01\n".encode(), headers={"Content-Type": "text/csv"})
    assert r.status_code == 200, r.text
    consistent(pg, db)
    assert children(api, "T", "2024")[0] == {"T-D1": (12, 6, "children"), "T-D2": (11, 4, "children")}


def test_a_roll_up_goes_down_only_where_a_child_reported_nothing(world, pg):
    api, db = world
    # G1 and G2 report the year; G3 only its quarters (1 + 2 + 3 + 4 = 10); G4 nothing at all
    put_csv(api, ["T-G1,new_members,2024,5,", "T-G2,new_members,2024,3,",
                  "T-G3,new_members,2024Q1,1,", "T-G3,new_members,2024Q2,2,",
                  "T-G3,new_members,2024Q3,3,", "T-G3,new_members,2024Q4,4,"])
    consistent(pg, db)
    kids, total = children(api, "T", "2024")
    assert kids == {"T-D1": (18, None, "children"), "T-D2": (None, None, None)}  # 5 + 3 + 10
    assert total["actual"] == 18
    d1 = children(api, "T-D1", "2024")[0]
    assert d1 == {"T-G1": (5, None, "reported"), "T-G2": (3, None, "reported"), "T-G3": (10, None, "periods")}
    assert (summary(api, "T", "2024")["actual"], summary(api, "T", "2024")["source"]) == (18, "children")
    # the first half: G3's Q1 + Q2 only; nobody else reported inside it
    assert children(api, "T", "2024H1")[0]["T-D1"] == (3, None, "children")

    # D1 reports its own figure: it stands for everything below it
    put_csv(api, ["T-D1,new_members,2024,20,"])
    assert children(api, "T", "2024")[0]["T-D1"] == (20, None, "reported")
    assert summary(api, "T", "2024")["actual"] == 20

    # G3 now reports the year itself, and D1's own figure goes: the children's sum is read again
    put_csv(api, ["T-G3,new_members,2024,11,"])
    assert api.delete("/v1/values", params={"org": "T-D1", "indicator": "new_members", "period": "2024"}
                      ).status_code == 204
    consistent(pg, db)
    assert children(api, "T", "2024")[0]["T-D1"] == (19, None, "children")  # 5 + 3 + 11
    assert summary(api, "T", "2024")["actual"] == 19


def test_a_stock_rolls_up_from_the_level_reported_at_the_periods_end(world, pg):
    api, db = world
    # members is a stock: a union that gave only its Q4 level counts with it for the year
    put_csv(api, ["T-G1,members,2024,100,", "T-G2,members,2024Q4,40,", "T-G4,members,2024,7,"])
    consistent(pg, db)
    kids, _ = children(api, "T", "2024", "members")
    assert kids == {"T-D1": (140, None, "children"), "T-D2": (7, None, "children")}
