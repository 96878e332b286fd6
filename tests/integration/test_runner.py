"""Handlers run on their own threads (api/runner.h), not on the HTTP worker
that read the request: a request waiting on the database holds one of
them, and the connections that happen to share its HTTP worker go on."""
import concurrent.futures
import threading

import requests

from conftest import bearer
from test_shutdown import hold_lock_on_migrations, wait_until_blocked

SCOREBOARD = "/v1/blocs/HN-CUM1/scoreboard"
PARAMS = {"period": "2023H1", "indicator": "new_grassroots_unions"}


def blocked_readyz(srv):
    """Starts a /readyz that waits on the lock; returns its thread and result."""
    result = {}
    t = threading.Thread(target=lambda: result.update(r=requests.get(srv.url + "/readyz", timeout=60)))
    t.start()
    return t, result


def test_with_the_only_handler_thread_waiting_probes_and_cached_answers_still_come(pg, make_db, make_server, keys):
    url = make_db()
    db = url.split("dbname=")[1].split()[0]
    srv, reader = make_server(url, {"THIDUA_THREADS": "1"})
    assert reader.get(SCOREBOARD, params=PARAMS).status_code == 200  # now cached
    lock = hold_lock_on_migrations(pg, db)
    try:
        t, result = blocked_readyz(srv)
        wait_until_blocked(pg, db)
        for path in ("/healthz", "/metrics", "/openapi.yaml", "/v1", "/dashboard"):
            assert requests.get(srv.url + path, timeout=5).status_code == 200, path
        r = requests.get(srv.url + SCOREBOARD, params=PARAMS, headers=bearer(keys["reader"]), timeout=5)
        assert r.status_code == 200 and r.headers["X-Cache"] == "hit"
        # a request needing its handler waits its turn, and is answered once the lock goes
        waiting = concurrent.futures.ThreadPoolExecutor(1).submit(
            requests.get, srv.url + "/v1/organizations/HP/summary", params={"period": "2022"},
            headers=bearer(keys["reader"]), timeout=60)
        assert not waiting.done()
    finally:
        lock.rollback()
        lock.close()
    t.join(timeout=30)
    assert result["r"].status_code == 200
    assert waiting.result(timeout=30).status_code == 200


def test_a_handler_thread_waiting_does_not_hold_the_connections_of_its_http_worker(pg, make_db, make_server, keys):
    """Two handler threads and two HTTP workers; eight connections opened
    first, so some are on each worker; then one handler waits on a lock,
    and every connection is still answered, by the other handler thread."""
    url = make_db()
    db = url.split("dbname=")[1].split()[0]
    srv, _ = make_server(url, {"THIDUA_THREADS": "2", "THIDUA_CACHE_BYTES": "0"})
    sessions = [requests.Session() for _ in range(8)]

    def read(session):
        return session.get(srv.url + "/v1/organizations/HP/summary", params={"period": "2022"},
                           headers=bearer(keys["reader"]), timeout=10).status_code

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        assert list(pool.map(read, sessions)) == [200] * 8  # the connections are open
        lock = hold_lock_on_migrations(pg, db)
        try:
            t, result = blocked_readyz(srv)
            wait_until_blocked(pg, db)
            assert list(pool.map(read, sessions)) == [200] * 8
        finally:
            lock.rollback()
            lock.close()
    t.join(timeout=30)
    assert result["r"].status_code == 200


def test_with_the_cache_off_each_request_gets_its_own_callers_answer(make_db, make_server, keys):
    """With the cache off, a request whose key is accepted goes from the key
    check straight to a handler thread, and a refused one back to its HTTP
    worker (api/pipeline.c). Mixed on the same keep-alive connections, under
    eight clients at once, each request gets the answer of its own caller:
    a whole-tree reader and a Hà Tĩnh reader (its scope given to the
    handler) their summaries, an admin the keys, a reader the keys refused
    (403), a revoked key refused (401)."""
    url = make_db()
    srv, _ = make_server(url, {"THIDUA_THREADS": "2", "THIDUA_CACHE_BYTES": "0"})
    asks = [
        ("reader", "/v1/organizations/HP/summary?period=2022YTD09"),
        ("reader_ht", "/v1/organizations/HT/summary?period=2023"),
        ("reader_ht", "/v1/organizations/HP/summary?period=2022YTD09"),
        ("admin", "/v1/keys"),
        ("reader", "/v1/keys"),
        ("revoked", "/v1/organizations/HP/summary?period=2022YTD09"),
    ]
    expected = {}
    for who, path in asks:  # one at a time first: what each should get
        r = requests.get(srv.url + path, headers=bearer(keys[who]), timeout=10)
        expected[who, path] = (r.status_code, r.json().get("code") if r.status_code >= 400 else r.text)
    assert [expected[a][0] for a in asks] == [200, 200, 403, 200, 403, 401]
    sessions = [requests.Session() for _ in range(8)]

    def run(i):
        session, got = sessions[i], []
        for n in range(24):
            who, path = asks[(i + n) % len(asks)]
            r = session.get(srv.url + path, headers=bearer(keys[who]), timeout=10)
            got.append(((who, path), (r.status_code, r.json().get("code") if r.status_code >= 400 else r.text)))
        return got

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        for got in pool.map(run, range(8)):
            for ask, answer in got:
                assert answer == expected[ask], ask
