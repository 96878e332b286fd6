"""The SQL the service calls is the SQL the database has: every function a
statement of src/db/queries.c calls is held to its signature in pg_proc at
start (or, when the database is not there yet, by /readyz), so a renamed
argument or a second definition fails before any request does."""
import subprocess
import time

import pytest

from server import base_env, free_port, thidua_bin

# An argument renamed, as a migration might do it by mistake.
RENAMED = """
DROP FUNCTION api_indicator(text);
CREATE FUNCTION api_indicator(p_indicator text)
RETURNS TABLE (code text, name text, name_en text, unit text, kind text, rollup text, higher_is_better boolean,
               description text)
LANGUAGE sql STABLE AS $$ SELECT NULL::text, NULL, NULL, NULL, NULL, NULL, NULL::boolean, NULL $$;
"""
# A second definition beside the first.
OVERLOADED = """
CREATE FUNCTION api_periods(p_year int) RETURNS TABLE (code text) LANGUAGE sql STABLE AS $$ SELECT NULL::text $$;
"""


def serve_once(url: str) -> subprocess.CompletedProcess:
    env = base_env({"THIDUA_DATABASE_URL": url, "THIDUA_LISTEN": f"127.0.0.1:{free_port()}"})
    return subprocess.run([thidua_bin(), "serve"], env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("name, change, said", [
    ("renamed", RENAMED, ["api_indicator has no argument p_code",
                          "api_indicator takes p_indicator, which the service does not send"]),
    ("overload", OVERLOADED, ["api_periods has 2 definitions; it must have one"]),
])
def test_a_function_unlike_the_call_stops_the_service_at_start(pg, empty_template, name, change, said):
    """A renamed argument, a second definition of the same name."""
    url = pg.create_database(f"sig_{name}", template=empty_template)
    pg.query(f"sig_{name}", change)
    r = serve_once(url)
    assert r.returncode == 1
    assert "does not match the database's functions" in r.stderr
    for line in said:
        assert line in r.stderr


def test_a_database_that_appears_later_is_checked_by_readyz(pg, empty_template, make_server):
    url = pg.url("sig_late")  # not created yet: the check waits for the database
    srv, api = make_server(url, role=None)
    assert api.get("/readyz").status_code == 503
    pg.create_database("sig_late", template=empty_template)
    pg.query("sig_late", RENAMED)
    deadline = time.monotonic() + 10
    r = api.get("/readyz")
    while r.json()["code"] == "database_unavailable" and time.monotonic() < deadline:
        time.sleep(0.1)  # the service tries the database again every half second
        r = api.get("/readyz")
    assert r.status_code == 503
    assert r.json()["code"] == "schema_mismatch"
    assert r.headers["Retry-After"] == "5"
    srv.wait_for_log("api_indicator has no argument p_code")


def test_a_database_that_matches_is_ready(pg, empty_template, make_server):
    url = pg.create_database("sig_fine", template=empty_template)
    _, api = make_server(url, role=None)
    assert api.get("/readyz").json() == {"status": "ready", "migrations": 23}


def test_no_function_of_the_api_compiles_its_queries(pg, empty_template):
    """A walk's cost is a guess high enough for PostgreSQL's JIT, whose
    compiling took 1.1 s for a 40 ms breakdown (sql/017_child_sums.sql);
    a migration replacing one of these functions must set jit = off again."""
    pg.create_database("sig_jit", template=empty_template)
    compiling = pg.query("sig_jit", """
        SELECT p.proname FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
        WHERE p.pronamespace = 'public'::regnamespace AND p.proname LIKE 'api\\_%' AND l.lanname = 'plpgsql'
          AND NOT coalesce('jit=off' = ANY (p.proconfig), false)
        ORDER BY 1""")
    assert compiling == []


def test_a_figures_own_look_ups_keep_one_plan(pg, empty_template):
    """The summaries and the breakdown keep one plan of their queries
    (plan_cache_mode = force_generic_plan; planning them for their arguments
    at every call took 4 to 9 ms, sql/023_walks_without_calls.sql), and so
    do the look-ups they call: own_figure() and derive_from_periods(), run
    for every indicator of a summary and every child a roll-up goes down
    into (planned at each call, 0.3 to 0.9 ms for a 0.07 ms look-up;
    sql/018_generic_plans.sql), and children_totals(), the summary's walk
    (4 ms). A migration replacing one of them must set it again."""
    pg.create_database("sig_plans", template=empty_template)
    settings = pg.query("sig_plans", """
        SELECT p.proname, p.proconfig FROM pg_proc p
        WHERE p.pronamespace = 'public'::regnamespace
          AND (p.proname IN ('own_figure', 'derive_from_periods', 'children_totals')
               OR array_to_string(p.proconfig, ',') LIKE '%plan_cache_mode%')
        ORDER BY 1""")
    assert settings == [
        ("api_bloc_summary", ["plan_cache_mode=force_generic_plan", "jit=off"]),
        ("api_organization_breakdown", ["plan_cache_mode=force_generic_plan", "jit=off"]),
        ("api_organization_summary", ["plan_cache_mode=force_generic_plan", "jit=off"]),
        ("children_totals", ["plan_cache_mode=force_generic_plan"]),
        ("derive_from_periods", ["plan_cache_mode=force_generic_plan"]),
        ("own_figure", ["plan_cache_mode=force_generic_plan"]),
    ]


def test_the_hierarchys_walks_follow_the_indexes(pg, empty_template):
    """The check of each new parent link and the refresh of the cache's
    buckets walk the hierarchy on plans that may be made while it is nearly
    empty (a first load): planned then, a walk read every link at each step
    (168 s of a first 20 000-row organizations file; sql/020, sql/013). Both
    keep their walks on the indexes; a migration replacing either must say
    so again."""
    pg.create_database("sig_walks", template=empty_template)
    settings = pg.query("sig_walks", """
        SELECT p.proname, p.proconfig FROM pg_proc p
        WHERE p.pronamespace = 'public'::regnamespace
          AND p.proname IN ('organization_parent_check', 'org_bucket_refresh')
        ORDER BY 1""")
    assert settings == [("org_bucket_refresh", ["enable_hashjoin=off", "enable_mergejoin=off"]),
                        ("organization_parent_check",
                         ["enable_seqscan=off", "enable_hashjoin=off", "enable_mergejoin=off"])]
