"""One place turns the database's errors into answers (reply_db_failure):
a value the database cannot hold is the client's 400, a conflict 409, a
broken rule 422, a deadlock or a timeout 503 with Retry-After, and only a
fault of the service itself a 500 — never with the database's own words.

Each case makes the function behind a read (GET /v1/periods) or a write
(DELETE /v1/keys/{id}) fail with one SQLSTATE, as PostgreSQL would, and
reads what the client is told."""
import pytest

READ = """
CREATE OR REPLACE FUNCTION api_periods(p_year int, p_kind text)
RETURNS TABLE (code text, kind text, start date, "end" date, year int, year_end int, label text, _cursor text)
LANGUAGE plpgsql STABLE AS $$
BEGIN
	RAISE EXCEPTION USING ERRCODE = '{state}', MESSAGE = 'internal words: SELECT secret FROM value';
END $$;
"""
WRITE = """
CREATE OR REPLACE FUNCTION key_revoke(p_scope bigint, p_id bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION USING ERRCODE = '{state}', MESSAGE = 'internal words: SELECT secret FROM value';
END $$;
"""

CASES = [
    ("22P02", 400, "invalid_value", None),     # invalid text representation
    ("22003", 400, "invalid_value", None),     # numeric value out of range
    ("23505", 409, "conflict", None),          # unique violation
    ("23503", 409, "conflict", None),          # foreign key violation
    ("23P01", 409, "conflict", None),          # exclusion violation
    ("23514", 422, "constraint_violated", None),
    ("40001", 503, "database_busy", "1"),      # serialization failure
    ("40P01", 503, "database_busy", "1"),      # deadlock
    ("53300", 503, "database_busy", "1"),      # too many connections
    ("57014", 503, "query_timeout", "1"),      # statement timeout
    ("54001", 400, "too_complex", None),       # statement too complex
    ("42883", 500, "internal_error", None),    # undefined function: ours
    ("XX000", 500, "internal_error", None),    # internal error
]


@pytest.mark.parametrize("state,status,code,retry", CASES, ids=[c[0] for c in CASES])
def test_a_database_error_becomes_its_problem(pg, make_db, make_server, state, status, code, retry):
    url = make_db()
    db = url.split("dbname=")[1].split()[0]
    write = state.startswith("23")  # integrity: what only a write meets
    pg.query(db, (WRITE if write else READ).replace("{state}", state))
    srv, api = make_server(url, role="admin")
    r = api.delete("/v1/keys/1") if write else api.get("/v1/periods?year=2024")
    assert r.status_code == status, r.text
    assert r.json()["code"] == code
    assert r.headers.get("Retry-After") == retry
    assert "secret" not in r.text and "SELECT" not in r.text
    if status == 500:
        srv.wait_for_log(f"database error {state}")  # the cause is in the log, under the request id


def test_a_statement_past_the_timeout_is_503_and_retry(pg, make_db, make_server):
    url = make_db()
    db = url.split("dbname=")[1].split()[0]
    pg.query(db, """CREATE OR REPLACE FUNCTION api_periods(p_year int, p_kind text)
RETURNS TABLE (code text, kind text, start date, "end" date, year int, year_end int, label text, _cursor text)
LANGUAGE plpgsql STABLE AS $$ BEGIN PERFORM pg_sleep(5); END $$;""")
    _, api = make_server(url, {"THIDUA_STATEMENT_TIMEOUT_MS": "200"})
    r = api.get("/v1/periods?year=2024")
    assert r.status_code == 503
    assert r.json()["code"] == "query_timeout"
    assert r.headers["Retry-After"] == "1"
