"""PostgreSQL stopped dead (pg_ctl -m immediate) under write load.

A 2xx means the figure is on disk: every write the service acknowledged is
there after PostgreSQL's crash recovery, with the figure it sent, even where
the server's own default is synchronous_commit = off (the harder case: a
commit is then acknowledged before its WAL is written). While the database
is gone every answer is 503 with Retry-After, never a 2xx or a 500; when it
comes back the same process serves again. An import cut off by the crash
leaves none of its rows, and sent again writes them all."""
import threading
import time
from decimal import Decimal

import pytest

from conftest import bearer, make_key
from contract import Api
from pgcluster import PgCluster
from server import run_cli

# the documented 503 problem codes (openapi.yaml, ProblemCode)
UNAVAILABLE_CODES = {"database_unavailable", "database_busy", "query_timeout", "not_migrated", "schema_mismatch",
                     "shutting_down"}
WRITERS = 6
INDICATORS = ["new_members", "new_grassroots_unions", "collective_agreements", "workplace_dialogues",
              "initiatives", "care_beneficiaries"]


def cluster_with(synchronous_commit: str) -> PgCluster:
    # fsync may stay off: an immediate stop kills PostgreSQL's processes, not
    # the operating system, so what was written() survives in the page cache
    return PgCluster(settings={"synchronous_commit": synchronous_commit})


@pytest.fixture(params=["off", "on"], ids=["default-synchronous_commit-off", "default-synchronous_commit-on"])
def crash_cluster(request):
    cluster = cluster_with(request.param)
    assert cluster.query("postgres", "SHOW synchronous_commit") == [(request.param,)]
    yield cluster
    cluster.destroy()


@pytest.fixture
def import_cluster():
    cluster = cluster_with("off")
    yield cluster
    cluster.destroy()


def demo_database(cluster: PgCluster, name: str) -> tuple[str, str]:
    """A migrated database with the demo data and an editor key of its own."""
    url = cluster.create_database(name)
    for args in (["migrate"], ["demo"]):
        r = run_cli(args, {"THIDUA_DATABASE_URL": url})
        assert r.returncode == 0, r.stderr
    return url, make_key(url, "crash editor", "editor")


def wait_ready(api: Api, timeout: float = 20) -> float:
    """Polls /readyz until it answers 200, each answer 200 or 503 (a probe
    is a first request too); returns when it did."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = api.get("/readyz", timeout=5)
        assert r.status_code in (200, 503), f"GET /readyz -> {r.status_code} {r.text[:300]}"
        if r.status_code == 200:
            return time.monotonic()
        time.sleep(0.05)
    pytest.fail("/readyz did not come back after PostgreSQL started again")


class Answer:
    """One write as the client saw it."""

    def __init__(self, writer, indicator, period, actual, started):
        self.writer, self.indicator, self.period, self.actual = writer, indicator, period, actual
        self.started, self.ended = started, None
        self.status, self.code, self.retry_after, self.text, self.error = None, None, None, "", None

    def __repr__(self):
        return (f"PUT /v1/values HP {self.indicator} {self.period} actual={self.actual} "
                f"[writer {self.writer}, {self.started:.3f}-{self.ended:.3f}] -> "
                f"{self.status} {self.code} Retry-After={self.retry_after} {self.error or self.text[:300]!r}")


def periods():
    for year in range(2030, 2100):
        for month in range(1, 13):
            yield f"{year}M{month:02d}"


def writer(n: int, api: Api, stop: threading.Event, out: list[Answer]) -> None:
    """Writes one new figure after another until told to stop."""
    indicator = INDICATORS[n]
    for i, period in enumerate(periods()):
        if stop.is_set():
            return
        a = Answer(n, indicator, period, 1000 * (n + 1) + i, time.monotonic())
        try:
            r = api.put("/v1/values", json=[{"org": "HP", "indicator": indicator, "period": period,
                                              "actual": a.actual}], timeout=30)
            a.status, a.text = r.status_code, r.text
            a.retry_after = r.headers.get("Retry-After")
            if r.headers.get("Content-Type", "").startswith("application/problem+json"):
                a.code = r.json().get("code")
            elif r.status_code == 200:
                assert r.json()["written"] is True, r.text
        except Exception as e:  # a connection refused or reset is a wrong answer too
            a.error = repr(e)
        a.ended = time.monotonic()
        out.append(a)


def stored(cluster: PgCluster, db: str) -> dict:
    """(indicator, period) -> actual of HP's figures for 2030 and later."""
    rows = cluster.query(db, "SELECT i.code, p.code, v.actual FROM value v JOIN organization o ON o.id = v.org_id "
                             "JOIN indicator i ON i.id = v.indicator_id JOIN period p ON p.id = v.period_id "
                             "WHERE o.code = 'HP' AND p.code >= '2030'")
    return {(i, p): a for i, p, a in rows}


def test_every_acknowledged_write_survives_an_immediate_stop(crash_cluster, make_server, contract):
    url, key = demo_database(crash_cluster, "crash")
    srv, _ = make_server(url, {"THIDUA_THREADS": "4"}, role=None)
    probe = Api(srv.url, contract)
    assert probe.get("/readyz").status_code == 200
    pid = srv.proc.pid

    stop = threading.Event()
    answers: list[list[Answer]] = [[] for _ in range(WRITERS)]
    threads = [threading.Thread(target=writer, args=(n, Api(srv.url, contract, bearer(key)), stop, answers[n]))
               for n in range(WRITERS)]
    for t in threads:
        t.start()
    time.sleep(1.5)
    crash_cluster.stop("immediate")
    down = time.monotonic()
    assert not crash_cluster.running()
    time.sleep(1.0)  # writing on, against no database
    starting = time.monotonic()
    crash_cluster.start()
    ready = wait_ready(probe)
    time.sleep(0.5)  # and on, against the recovered one
    stop.set()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a writer hung"
    everything = [a for per in answers for a in per]

    # first what matters most: every acknowledged write is stored as sent
    acknowledged = [a for a in everything if a.status == 200]
    assert len([a for a in acknowledged if a.ended <= down]) >= 3 * WRITERS, "too few writes before the stop"
    have = stored(crash_cluster, "crash")
    lost = [a for a in acknowledged if have.get((a.indicator, a.period)) != Decimal(a.actual)]
    assert not lost, (f"{len(lost)} of {len(acknowledged)} acknowledged writes are not stored as sent:\n"
                      + "\n".join(f"{a!r}; stored: {have.get((a.indicator, a.period))}" for a in lost[:20]))
    # and nothing is stored that the service did not get (a 503 may have committed: it was never promised not to)
    sent = {(a.indicator, a.period): Decimal(a.actual) for a in everything}
    strange = {k: v for k, v in have.items() if sent.get(k) != v}
    assert not strange, f"stored but never sent: {strange}"
    # no connection refused or reset, no 500, only 200 or 503
    wrong = [a for a in everything if a.error or a.status not in (200, 503)]
    assert not wrong, "\n".join(map(repr, wrong[:20]))
    # every write sent while the database was down: 503 with Retry-After and a documented code
    outage = [a for a in everything if a.started >= down and a.ended <= starting]
    assert outage, "no write was sent during the outage"
    bad = [a for a in outage if a.status != 503 or a.code not in UNAVAILABLE_CODES or not a.retry_after
           or not a.retry_after.isdigit() or int(a.retry_after) < 1]
    assert not bad, "\n".join(map(repr, bad[:20]))
    # the first write of every writer once the database was back: not a 500 (a connection
    # that died while idle is retried, or answered 503), and writes succeed again
    for per in answers:
        after = [a for a in per if a.started >= starting]
        assert after, "a writer sent nothing after the recovery"
        assert after[0].status in (200, 503), repr(after[0])
        assert any(a.status == 200 for a in after if a.started >= ready), "no write succeeded after the recovery"

    assert srv.proc.pid == pid and srv.proc.poll() is None


def test_first_request_on_every_worker_after_the_restart_is_not_a_500(crash_cluster, make_server, contract):
    url, key = demo_database(crash_cluster, "restart")
    srv, _ = make_server(url, {"THIDUA_THREADS": "4"}, role=None)
    # many connections, kept open, so that every worker thread has one and has
    # used its database connection before the crash
    apis = [Api(srv.url, contract, bearer(key)) for _ in range(16)]
    for n, api in enumerate(apis):
        assert api.put("/v1/values", json=[{"org": "HP", "indicator": "new_members", "period": f"2031M{n % 12 + 1:02d}",
                                            "actual": n}]).status_code == 200
        assert api.get("/v1/organizations/HP").status_code == 200
    crash_cluster.stop("immediate")
    crash_cluster.start()
    # the first request of each kept-open connection, once the database is back (no
    # probe first: /readyz would be the first request of the worker it lands on)
    deadline = time.monotonic() + 20
    while not crash_cluster.running() and time.monotonic() < deadline:
        time.sleep(0.05)
    firsts = []
    for n, api in enumerate(apis):
        if n % 2:
            firsts.append(api.put("/v1/values", json=[{"org": "HP", "indicator": "new_members",
                                                       "period": f"2032M{n % 12 + 1:02d}", "actual": n}]))
        else:
            firsts.append(api.get("/v1/values", params={"org": "HP", "period": "2031M01"}))
    assert [r.status_code for r in firsts if r.status_code not in (200, 503)] == [], \
        "\n".join(f"{r.request.method} {r.url} -> {r.status_code} {r.text[:300]}" for r in firsts)
    # once past the first, everything answers
    wait_ready(Api(srv.url, contract))
    for n, api in enumerate(apis):
        assert api.get("/v1/values", params={"org": "HP", "period": "2031M01"}).status_code == 200


def import_body(orgs: int, indicators: list[str]) -> tuple[str, int]:
    lines = ["org,indicator,period,actual,target,note"]
    for n in range(1, orgs + 1):
        for ind in indicators:
            for q in range(1, 5):
                lines.append(f"HP-K{n},{ind},2024Q{q},{n * 10 + q},,")
    return "\n".join(lines) + "\n", len(lines) - 1


def imported(cluster: PgCluster, db: str) -> int:
    return cluster.query(db, "SELECT count(*) FROM value v JOIN organization o ON o.id = v.org_id "
                             "WHERE o.code LIKE 'HP-K%'")[0][0]


def test_an_import_cut_off_by_the_crash_writes_nothing_and_sent_again_writes_everything(
        import_cluster, make_server, contract):
    url, key = demo_database(import_cluster, "import")
    import_cluster.query("import", "INSERT INTO organization (code, name, kind) SELECT 'HP-K' || n, "
                                   "'Công đoàn cơ sở ' || n, 'grassroots' FROM generate_series(1, 1000) n")
    # the setup's own commit is asynchronous on this cluster (its default is off, which the
    # service overrides for its sessions): written out now, or the crash below may take it too
    import_cluster.query("import", "CHECKPOINT")
    body, rows = import_body(1000, ["new_members", "new_grassroots_unions", "collective_agreements",
                                    "workplace_dialogues", "initiatives"])
    assert rows == 20_000
    srv, _ = make_server(url, role=None)
    api = Api(srv.url, contract, bearer(key))
    pid = srv.proc.pid

    # Hold the import up where it writes: a session of our own takes the value
    # table in SHARE mode, so the import's rows wait for it; PostgreSQL is
    # stopped while they wait, in the middle of the import's transaction.
    blocker = import_cluster.connect("import")
    blocker.autocommit = False
    blocker.cursor().execute("LOCK TABLE value IN SHARE MODE")
    result = {}

    def send():
        try:
            result["r"] = api.put("/v1/values", data=body.encode(), headers={"Content-Type": "text/csv"},
                                  timeout=120)
        except Exception as e:
            result["error"] = repr(e)

    t = threading.Thread(target=send)
    t.start()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        waiting = import_cluster.query("postgres", "SELECT count(*) FROM pg_stat_activity WHERE datname = 'import' "
                                                   "AND application_name = 'thidua' AND wait_event_type = 'Lock'")
        if waiting[0][0]:
            break
        assert t.is_alive(), f"the import ended before it reached the lock: {result}"
        time.sleep(0.02)
    else:
        pytest.fail("the import never reached the value table")
    import_cluster.stop("immediate")
    t.join(timeout=60)
    try:
        blocker.close()
    except Exception:
        pass
    assert "error" not in result, result["error"]
    r = result["r"]
    assert r.status_code == 503, r.text[:500]
    assert r.json()["code"] in UNAVAILABLE_CODES and r.headers["Retry-After"].isdigit()

    import_cluster.start()
    wait_ready(api)
    assert imported(import_cluster, "import") == 0  # none of its rows
    again = api.put("/v1/values", data=body.encode(), headers={"Content-Type": "text/csv"}, timeout=120)
    assert again.status_code == 200, again.text[:300] + str(again.json().get("rejected", [])[:2])
    s = again.json()
    assert (s["written"], s["created"], s["updated"], s["rejected_count"]) == (True, 20_000, 0, 0)
    assert imported(import_cluster, "import") == 20_000
    assert import_cluster.query("import", "SELECT v.actual FROM value v JOIN organization o ON o.id = v.org_id "
                                          "JOIN indicator i ON i.id = v.indicator_id JOIN period p ON p.id = v.period_id "
                                          "WHERE o.code = 'HP-K1000' AND i.code = 'initiatives' "
                                          "AND p.code = '2024Q3'") == [(Decimal("10003"),)]
    assert srv.proc.pid == pid and srv.proc.poll() is None
