"""The key check that requests arriving together share (api/keycheck.h):
each request is answered for its own key, a key revoked is refused for
every request sent after the revocation was acknowledged, the statements
are fewer than the requests, and the service still stops cleanly while
requests wait for their check."""
import concurrent.futures
import random
import re
import signal
import threading
import time

import requests

from conftest import bearer
from test_shutdown import wait_until_blocked

ORGS = "/v1/organizations"
ON = {"on": "2023-06-30"}
SCOREBOARD = {"period": "2023H1", "indicator": "new_grassroots_unions"}


def metric(url, name):
    text = requests.get(url + "/metrics", timeout=10).text
    return int(float(re.search(rf"^{name} (\S+)$", text, re.M).group(1)))


def wrong_secret(key):
    """The same prefix, another secret: found by its prefix, refused by its hash."""
    head, secret = key.rsplit("_", 1)
    return f"{head}_{'A' * len(secret) if secret[0] != 'A' else 'B' * len(secret)}"


def test_requests_checked_together_each_get_their_own_key(make_db, make_server, keys):
    srv, _ = make_server(make_db())
    callers = {
        "reader": keys["reader"],
        "reader_ht": keys["reader_ht"],
        "editor_hn": keys["editor_hn"],
        "admin": keys["admin"],
        "revoked": keys["revoked"],
        "unknown": "thd_000000000000_" + "x" * 43,
        "wrong_secret": wrong_secret(keys["reader"]),
    }

    def expect(caller, path, r):
        """What each caller must get, written out by hand."""
        if caller in ("revoked", "unknown", "wrong_secret"):
            assert r.status_code == 401 and r.json()["code"] == "invalid_key", (caller, r.text)
            return
        if path == "/v1/keys":
            if caller == "admin":
                assert r.status_code == 200, r.text
            else:
                assert r.status_code == 403 and r.json()["code"] == "forbidden_role", (caller, r.text)
            return
        assert r.status_code == 200, (caller, r.text)
        codes = {o["code"] for o in r.json()["data"]}
        if caller == "reader_ht":
            assert codes == {"HT", "HT-NG-VC"}, (caller, codes)
        elif caller == "editor_hn":
            assert "HN" in codes and "HT" not in codes and "HP" not in codes, (caller, codes)
        else:
            assert {"HN", "HT", "HP", "HT-NG-VC"} <= codes, (caller, codes)

    plan = [(c, p) for c in callers for p in (ORGS, "/v1/keys")] * 12
    random.Random(7).shuffle(plan)
    checks0 = metric(srv.url, "thidua_key_checks_total")
    statements0 = metric(srv.url, "thidua_key_check_statements_total")
    local = threading.local()

    def one(item):
        caller, path = item
        if not hasattr(local, "session"):
            local.session = requests.Session()
        r = local.session.get(srv.url + path, params=ON if path == ORGS else None,
                              headers=bearer(callers[caller]) | {"Accept": "application/json"}, timeout=30)
        return caller, path, r

    with concurrent.futures.ThreadPoolExecutor(32) as pool:
        answers = list(pool.map(one, plan))
    for caller, path, r in answers:
        expect(caller, path, r)
    checks = metric(srv.url, "thidua_key_checks_total") - checks0
    statements = metric(srv.url, "thidua_key_check_statements_total") - statements0
    assert checks == len(plan)
    assert 0 < statements < checks, (statements, checks)


def test_a_key_revoked_under_load_is_refused_for_every_request_sent_after(make_db, make_server, keys):
    srv, admin = make_server(make_db(), role="admin")
    created = admin.post("/v1/keys", json={"name": "bảng điều khiển", "role": "reader"}).json()
    results = []  # (sent at, status)
    stop = threading.Event()

    def hammer():
        with requests.Session() as s:
            while not stop.is_set():
                sent = time.monotonic()
                r = s.get(srv.url + "/v1/blocs/HN-CUM1/scoreboard", params=SCOREBOARD,
                          headers=bearer(created["key"]), timeout=30)
                results.append((sent, r.status_code))

    threads = [threading.Thread(target=hammer) for _ in range(12)]
    for t in threads:
        t.start()
    time.sleep(1)
    assert admin.delete(f"/v1/keys/{created['id']}").status_code == 204
    revoked_at = time.monotonic()
    time.sleep(1)
    stop.set()
    for t in threads:
        t.join(timeout=30)
    before = [status for sent, status in results if sent < revoked_at]
    after = [status for sent, status in results if sent > revoked_at]
    assert before and set(before) <= {200, 401}
    assert 200 in before
    assert after and set(after) == {401}, f"{after.count(200)} of {len(after)} answered 200 after the revocation"


def test_public_reads_share_the_check_and_the_cache(make_db, make_server):
    srv, api = make_server(make_db(), {"THIDUA_PUBLIC_READ": "true"}, role=None)
    path, params = "/v1/blocs/HN-CUM1/scoreboard", SCOREBOARD
    first = api.get(path, params=params)
    assert first.status_code == 200 and first.headers["X-Cache"] == "miss"
    again = api.get(path, params=params)
    assert again.headers["X-Cache"] == "hit" and again.content == first.content


def test_stopping_while_requests_wait_for_their_key_check(pg, make_db, make_server, keys):
    """The checks wait on a lock on the keys; SIGTERM comes; once the lock
    goes every waiting request is answered and the service exits 0."""
    url = make_db()
    db = url.split("dbname=")[1].split()[0]
    srv, _ = make_server(url)
    requests.get(srv.url + ORGS, headers=bearer(keys["reader"]), timeout=10)  # the checker's connection is open
    conn = pg.connect(db)
    conn.autocommit = False
    conn.cursor().execute("LOCK TABLE api_key IN ACCESS EXCLUSIVE MODE")
    statuses = []

    def one():
        statuses.append(requests.get(srv.url + ORGS, params=ON, headers=bearer(keys["reader"]), timeout=30).status_code)

    threads = [threading.Thread(target=one) for _ in range(8)]
    for t in threads:
        t.start()
    try:
        wait_until_blocked(pg, db)
        time.sleep(1)  # every request sent (the first check waits; the others queue behind it)
        srv.proc.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        assert srv.proc.poll() is None, "exited with requests waiting"
    finally:
        conn.rollback()
        conn.close()
    for t in threads:
        t.join(timeout=30)
    assert statuses == [200] * 8
    assert srv.proc.wait(timeout=20) == 0


def test_stopping_past_the_timeout_while_requests_wait_for_their_key_check(pg, make_db, make_server, keys):
    url = make_db()
    db = url.split("dbname=")[1].split()[0]
    srv, _ = make_server(url, {"THIDUA_SHUTDOWN_TIMEOUT_S": "1"})
    requests.get(srv.url + ORGS, headers=bearer(keys["reader"]), timeout=10)
    conn = pg.connect(db)
    conn.autocommit = False
    conn.cursor().execute("LOCK TABLE api_key IN ACCESS EXCLUSIVE MODE")
    outcomes = []

    def one():
        try:
            outcomes.append(requests.get(srv.url + ORGS, headers=bearer(keys["reader"]), timeout=30).status_code)
        except requests.ConnectionError:
            outcomes.append("cut off")

    threads = [threading.Thread(target=one, daemon=True) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        wait_until_blocked(pg, db)
        srv.proc.send_signal(signal.SIGTERM)
        time.sleep(1.5)
        assert "shutdown timeout" in srv.stderr()
    finally:
        conn.rollback()
        conn.close()
    assert srv.proc.wait(timeout=20) == 0  # no abort for a connection left suspended
    for t in threads:
        t.join(timeout=10)
    assert len(outcomes) == 4 and set(outcomes) <= {200, 503, "cut off"}, outcomes
