"""SIGTERM: stop accepting, let the request in flight finish, exit 0 — or
cut it off after THIDUA_SHUTDOWN_TIMEOUT_S."""
import signal
import socket
import threading
import time

import requests


def hold_lock_on_migrations(pg, db):
    """A slow request without a test-only endpoint: /readyz reads
    schema_migrations, which this transaction keeps locked."""
    conn = pg.connect(db)
    conn.autocommit = False
    cur = conn.cursor()
    cur.execute("LOCK TABLE schema_migrations IN ACCESS EXCLUSIVE MODE")
    return conn


def wait_until_blocked(pg, db, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = pg.query(db, "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'thidua' "
                            "AND wait_event_type = 'Lock'")
        if rows[0][0] > 0:
            return
        time.sleep(0.05)
    raise AssertionError("the request never blocked on the lock")


def test_in_flight_request_completes_then_exit_0(pg, make_db, make_server):
    url = make_db()
    db = url.split("dbname=")[1].split()[0]
    srv, _ = make_server(url)
    lock = hold_lock_on_migrations(pg, db)
    result = {}
    t = threading.Thread(target=lambda: result.update(r=requests.get(srv.url + "/readyz", timeout=30)))
    t.start()
    wait_until_blocked(pg, db)

    srv.proc.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    assert srv.proc.poll() is None, "exited with a request still in flight"
    with socket.socket() as s:  # no new connections are accepted
        s.settimeout(1)
        assert s.connect_ex(("127.0.0.1", srv.port)) != 0

    lock.commit()
    lock.close()
    t.join(timeout=10)
    assert result["r"].status_code == 200
    assert srv.proc.wait(timeout=10) == 0
    assert "SIGTERM received" in srv.stderr()


def test_shutdown_timeout_bounds_the_wait(pg, make_db, make_server):
    url = make_db()
    db = url.split("dbname=")[1].split()[0]
    srv, _ = make_server(url, {"THIDUA_SHUTDOWN_TIMEOUT_S": "1"})
    lock = hold_lock_on_migrations(pg, db)
    outcome = {}

    def slow_request():
        try:
            outcome["status"] = requests.get(srv.url + "/readyz", timeout=30).status_code
        except requests.ConnectionError as e:  # cut off: what the bound means
            outcome["error"] = e

    t = threading.Thread(target=slow_request, daemon=True)
    t.start()
    try:
        wait_until_blocked(pg, db)
        started = time.monotonic()
        srv.proc.send_signal(signal.SIGTERM)
        # the cut-off happens after the bound; MHD then waits for the worker
        # blocked in the database, released below
        time.sleep(1.5)
        assert "shutdown timeout" in srv.stderr()
    finally:
        lock.rollback()
        lock.close()
    assert srv.proc.wait(timeout=10) == 0
    assert time.monotonic() - started < 10
    t.join(timeout=10)
    assert "error" in outcome, f"the request was not cut off: {outcome}"
