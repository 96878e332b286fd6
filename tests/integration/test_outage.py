"""The database goes away while the service runs: 503 at once, with
Retry-After; it comes back: the same process serves again."""
import time

import pytest

from pgcluster import PgCluster
from server import run_cli


@pytest.fixture
def own_cluster():
    cluster = PgCluster()
    yield cluster
    cluster.destroy()


def test_outage_answers_503_quickly_and_recovers_without_restart(own_cluster, make_server):
    url = own_cluster.create_database("outage")
    assert run_cli(["migrate"], {"THIDUA_DATABASE_URL": url}).returncode == 0
    srv, api = make_server(url)
    assert api.get("/readyz").status_code == 200
    pid = srv.proc.pid

    own_cluster.stop()
    started = time.monotonic()
    r = api.get("/readyz", timeout=5)
    elapsed = time.monotonic() - started
    assert r.status_code == 503
    assert r.json()["code"] == "database_unavailable"
    assert r.headers["Retry-After"] == "1"
    assert elapsed < 1.0, f"took {elapsed:.2f}s"
    # every worker thread answers the same, still without waiting
    for _ in range(6):
        t0 = time.monotonic()
        assert api.get("/readyz", timeout=5).status_code == 503
        assert time.monotonic() - t0 < 1.0
    assert api.get("/healthz").status_code == 200  # the process itself is fine

    own_cluster.start()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if api.get("/readyz", timeout=5).status_code == 200:
            break
        time.sleep(0.1)
    else:
        pytest.fail("the service did not recover after the database came back")
    # all threads recover, including those whose connection died
    for _ in range(6):
        assert api.get("/readyz").status_code == 200
    assert srv.proc.pid == pid and srv.proc.poll() is None
