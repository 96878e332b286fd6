"""The schema refuses bad data even from psql, and keeps both sides of a
reorganisation true for their dates."""
import psycopg2
import pytest


@pytest.fixture
def db(make_db):
    url = make_db()
    return url.split("dbname=")[1].split()[0]


def refused(pg, db, sql, params=None):
    with pytest.raises(psycopg2.Error) as e:
        pg.query(db, sql, params)
    return e.value


@pytest.mark.parametrize("code", ["hn-x", "HN_X", "HN--X", "-HN", "HN-", "HÀ", "", "A" * 41])
def test_organization_codes_have_one_shape(pg, db, code):
    refused(pg, db, "INSERT INTO organization (code, name, kind) VALUES (%s, 'x', 'other')", (code,))


@pytest.mark.parametrize("name", ["", "  ", " leading", "trailing ", "two\nlines", "tab\there"])
def test_names_are_one_clean_line(pg, db, name):
    refused(pg, db, "INSERT INTO organization (code, name, kind) VALUES ('X1', %s, 'other')", (name,))


def test_dissolution_cannot_precede_founding(pg, db):
    refused(pg, db, "INSERT INTO organization (code, name, kind, valid_from, valid_to) "
                    "VALUES ('X1', 'x', 'other', '2024-01-01', '2023-12-31')")


def test_two_parents_at_once_are_refused(pg, db):
    e = refused(pg, db, "INSERT INTO organization_parent (org_id, parent_id, valid_from) "
                        "SELECT o.id, p.id, '2020-01-01' FROM organization o, organization p "
                        "WHERE o.code = 'HN-HBT' AND p.code = 'HP'")
    assert e.pgcode == "23P01"  # exclusion violation: overlapping validity


def test_a_parent_link_outside_the_childs_life_is_refused(pg, db):
    pg.query(db, "INSERT INTO organization (code, name, kind, valid_from) VALUES ('HN-W1', 'Công đoàn phường 1', "
                 "'commune', '2025-07-01')")
    e = refused(pg, db, "INSERT INTO organization_parent (org_id, parent_id, valid_from) "
                        "SELECT o.id, p.id, '2025-01-01' FROM organization o, organization p "
                        "WHERE o.code = 'HN-W1' AND p.code = 'HN'")
    assert e.pgcode == "TD400"


def test_a_dissolved_parent_cannot_take_children_later(pg, db):
    pg.query(db, "INSERT INTO organization (code, name, kind) VALUES ('G1', 'Công đoàn cơ sở 1', 'grassroots')")
    e = refused(pg, db, "INSERT INTO organization_parent (org_id, parent_id, valid_from) "
                        "SELECT o.id, p.id, '2025-07-01' FROM organization o, organization p "
                        "WHERE o.code = 'G1' AND p.code = 'HN-HBT'")
    assert e.pgcode == "TD400"
    assert "HN-HBT" in e.diag.message_primary


def test_cycles_are_refused(pg, db):
    e = refused(pg, db, "INSERT INTO organization_parent (org_id, parent_id, valid_from, valid_to) "
                        "SELECT o.id, p.id, NULL, '2025-06-30' FROM organization o, organization p "
                        "WHERE o.code = 'VN' AND p.code = 'HN-HBT'")
    assert e.pgcode == "TD400"


def test_a_leader_must_be_a_member(pg, db):
    e = refused(pg, db, "UPDATE bloc_year SET leader_id = (SELECT id FROM organization WHERE code = 'HP') "
                        "WHERE year = 2023 AND bloc_id = (SELECT id FROM bloc WHERE code = 'HN-CUM1')")
    assert e.pgcode == "23503"


def test_an_adjustment_needs_a_member_and_a_reason(pg, db):
    refused(pg, db, "INSERT INTO bloc_adjustment (bloc_id, year, org_id, points, reason) "
                    "SELECT b.id, 2023, o.id, 2, 'chấm chéo' FROM bloc b, organization o "
                    "WHERE b.code = 'HN-CUM1' AND o.code = 'HP'")
    refused(pg, db, "INSERT INTO bloc_adjustment (bloc_id, year, org_id, points, reason) "
                    "SELECT b.id, 2023, o.id, 2, ' ' FROM bloc b, organization o "
                    "WHERE b.code = 'HN-CUM1' AND o.code = 'HN-HBT'")


def test_criteria_weights_and_caps_are_sane(pg, db):
    for weight, cap in [(0, 100), (-5, 100), (10, 50)]:
        refused(pg, db, "INSERT INTO bloc_criterion (bloc_id, year, indicator_id, weight, cap_pct) "
                        "SELECT b.id, 2023, i.id, %s, %s FROM bloc b, indicator i "
                        "WHERE b.code = 'HN-CUM1' AND i.code = 'new_members'", (weight, cap))


def test_a_value_belongs_to_exactly_one_subject(pg, db):
    refused(pg, db, "INSERT INTO value (org_id, bloc_id, indicator_id, period_id, actual) "
                    "SELECT o.id, b.id, i.id, period_ensure('2024'), 1 FROM organization o, bloc b, indicator i "
                    "WHERE o.code = 'HP' AND b.code = 'HN-CUM1' AND i.code = 'new_members'")
    refused(pg, db, "INSERT INTO value (indicator_id, period_id, actual) "
                    "SELECT i.id, period_ensure('2024'), 1 FROM indicator i WHERE i.code = 'new_members'")


@pytest.mark.parametrize("actual", ["NaN", "Infinity", "1e16"])
def test_values_are_finite_numbers(pg, db, actual):
    refused(pg, db, "INSERT INTO value (org_id, indicator_id, period_id, actual) "
                    "SELECT o.id, i.id, period_ensure('2024'), %s::numeric FROM organization o, indicator i "
                    "WHERE o.code = 'HP' AND i.code = 'new_members'", (actual,))


def test_a_value_needs_an_actual_or_a_target(pg, db):
    refused(pg, db, "INSERT INTO value (org_id, indicator_id, period_id, note) "
                    "SELECT o.id, i.id, period_ensure('2024'), 'x' FROM organization o, indicator i "
                    "WHERE o.code = 'HP' AND i.code = 'new_members'")


def test_one_value_per_subject_indicator_and_period(pg, db):
    e = refused(pg, db, "INSERT INTO value (org_id, indicator_id, period_id, actual) "
                        "SELECT o.id, i.id, p.id, 1 FROM organization o, indicator i, period p "
                        "WHERE o.code = 'DN-TK' AND i.code = 'new_members' AND p.code = '2023'")
    assert e.pgcode == "23505"


def test_periods_must_be_valid_and_consistent(pg, db):
    refused(pg, db, "INSERT INTO period (code, kind, year, year_end, number, start_date, end_date, label) "
                    "VALUES ('2022Q5', 'quarter', 2022, 2022, 5, '2022-10-01', '2022-12-31', 'x')")
    refused(pg, db, "INSERT INTO period (code, kind, year, year_end, number, start_date, end_date, label) "
                    "VALUES ('2030Q1', 'quarter', 2030, 2030, 1, '2030-01-01', '2030-04-30', 'Quý I/2030')")
    e = refused(pg, db, "SELECT period_ensure('2022M13')")
    assert e.pgcode == "TD400"


def test_every_change_to_a_value_is_kept(pg, db):
    """Changes made from psql are kept as well as the service's own."""
    pg.query(db, "SELECT value_put('DN-TK', NULL, 'new_members', '2023', 1200, NULL, 'sửa')")
    pg.query(db, "SELECT value_put('DN-TK', NULL, 'new_members', '2023', 1200, NULL, 'sửa')")  # unchanged
    pg.query(db, "DELETE FROM value WHERE id = (SELECT v.id FROM value v JOIN indicator i ON i.id = v.indicator_id "
                 "JOIN organization o ON o.id = v.org_id WHERE o.code = 'DN-TK' AND i.code = 'new_members')")
    rows = pg.query(db, "SELECT revision, operation, actual::text, old_actual::text, note "
                        "FROM api_value_history(NULL, 'DN-TK', NULL, NULL, 'new_members', NULL, NULL, NULL, 100)")
    assert rows == [(1, "insert", "1199", None, None), (2, "update", "1200", "1199", "sửa"),
                    (3, "delete", None, "1200", None)]


def test_a_version_is_kept_once(pg, db):
    pg.query(db, "SELECT value_put('DN-TK', NULL, 'new_members', '2023', 1200, NULL, NULL)")
    e = refused(pg, db, "INSERT INTO value_history (value_id, indicator_id, period_id, revision, written_at, written_by) "
                        "SELECT value_id, indicator_id, period_id, revision, now(), 'x' FROM value_history LIMIT 1")
    assert e.pgcode == "23505"


def test_references_of_a_value_are_enforced(pg, db):
    e = refused(pg, db, "INSERT INTO value (org_id, indicator_id, period_id, actual) "
                        "SELECT 999999, i.id, period_ensure('2024'), 1 FROM indicator i WHERE i.code = 'new_members'")
    assert e.pgcode == "23503" and "organization 999999" in e.diag.message_primary
    e = refused(pg, db, "INSERT INTO value (org_id, indicator_id, period_id, actual) "
                        "SELECT o.id, 99999, period_ensure('2024'), 1 FROM organization o WHERE o.code = 'HP'")
    assert e.pgcode == "23503" and "indicator 99999" in e.diag.message_primary
    e = refused(pg, db, "INSERT INTO value (org_id, indicator_id, period_id, actual) "
                        "SELECT o.id, i.id, 99999, 1 FROM organization o, indicator i "
                        "WHERE o.code = 'HP' AND i.code = 'new_members'")
    assert e.pgcode == "23503" and "period 99999" in e.diag.message_primary
    e = refused(pg, db, "INSERT INTO value (bloc_id, indicator_id, period_id, actual) "
                        "SELECT 99999, i.id, period_ensure('2024'), 1 FROM indicator i WHERE i.code = 'new_members'")
    assert e.pgcode == "23503" and "bloc 99999" in e.diag.message_primary
    # one missing among many rows of one statement is named
    e = refused(pg, db, "INSERT INTO value (org_id, indicator_id, period_id, actual) "
                        "SELECT CASE WHEN n = 40 THEN 999998 ELSE o.id END, i.id, period_ensure('2030M' || "
                        "lpad((n % 12 + 1)::text, 2, '0')), n FROM generate_series(1, 50) n, organization o, indicator i "
                        "WHERE o.code = 'HP' AND i.code = 'new_members' AND n <= 12 OR n = 40 "
                        "AND o.code = 'HP' AND i.code = 'new_members'")
    assert e.pgcode == "23503" and "organization 999998" in e.diag.message_primary
    e = refused(pg, db, "DELETE FROM indicator WHERE code = 'new_members'")
    assert e.pgcode == "23503" and "still used" in e.diag.message_primary
    e = refused(pg, db, "DELETE FROM period WHERE code = '2022YTD09'")
    assert e.pgcode == "23503"
    e = refused(pg, db, "DELETE FROM bloc WHERE code = 'HT-KHOI-NGANH'")
    assert e.pgcode == "23503"


def test_a_move_keeps_both_parents_true_for_their_dates(pg, db, make_server):
    """A grassroots union moves from a dissolved district federation to a
    ward union on 2025-07-01."""
    pg.query(db, """
        INSERT INTO organization (code, name, kind, valid_from) VALUES
            ('HN-P-BK', 'Công đoàn phường Bạch Mai', 'commune', '2025-07-01'),
            ('HN-G-01', 'Công đoàn cơ sở Công ty Điện lực Hai Bà Trưng', 'grassroots', NULL);
        INSERT INTO organization_parent (org_id, parent_id, valid_from, valid_to)
        SELECT o.id, p.id, f, t FROM (VALUES ('HN-P-BK', 'HN', '2025-07-01'::date, NULL::date),
                                            ('HN-G-01', 'HN-HBT', NULL, '2025-06-30'),
                                            ('HN-G-01', 'HN-P-BK', '2025-07-01', NULL)) AS l(c, p, f, t)
        JOIN organization o ON o.code = l.c JOIN organization p ON p.code = l.p;
    """)
    _, api = make_server(f"host={pg.socketdir} dbname={db} user={pg.user}")
    before = api.get("/v1/organizations", params={"parent": "HN-HBT", "on": "2024-12-31"}).json()["data"]
    after = api.get("/v1/organizations", params={"parent": "HN-P-BK", "on": "2025-07-01"}).json()["data"]
    assert [o["code"] for o in before] == ["HN-G-01"]
    assert [o["code"] for o in after] == ["HN-G-01"]
    detail = api.get("/v1/organizations/HN-G-01").json()
    assert [a["code"] for a in detail["ancestors"]] == ["VN", "HN", "HN-P-BK"]
    assert detail["parents"] == [{"parent": "HN-HBT", "valid_from": None, "valid_to": "2025-06-30"},
                                 {"parent": "HN-P-BK", "valid_from": "2025-07-01", "valid_to": None}]
    old = api.get("/v1/organizations/HN-G-01", params={"on": "2024-01-01"}).json()
    assert [a["code"] for a in old["ancestors"]] == ["VN", "HN", "HN-HBT"]
    # under HN it is there on both dates, through different parents
    for day in ("2024-01-01", "2026-01-01"):
        codes = [o["code"] for o in api.get("/v1/organizations", params={"under": "HN", "on": day}).json()["data"]]
        assert "HN-G-01" in codes
