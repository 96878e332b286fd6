"""Reads from PostgreSQL hot standbys (THIDUA_REPLICA_URLS): a real standby made with
pg_basebackup -R streams from the primary; the service sends reads there once the standby has
replayed every write acknowledged before the request, else to the primary; a standby that stops
costs no request."""
import threading
import time

import pytest

from conftest import bearer
from contract import Api
from pgcluster import PgCluster
from server import Server, run_cli
from test_crash import demo_database


@pytest.fixture(scope="module")
def clusters():
    primary = PgCluster(settings={"synchronous_commit": "on"})
    url, key = demo_database(primary, "rep")
    # a standby that applies commits 300 ms late: reads right after a write must not go there
    standby = PgCluster(standby_of=primary, settings={"recovery_min_apply_delay": "300ms"})
    yield primary, standby, url, key
    standby.destroy()
    primary.destroy()


@pytest.fixture
def service(clusters, contract):
    primary, standby, url, key = clusters
    srv = Server(url, {"THIDUA_REPLICA_URLS": standby.url("rep"), "THIDUA_THREADS": "2"})
    yield srv, Api(srv.url, contract, bearer(key)), standby
    srv.stop()


def metric(api, name):
    for line in api.get("/metrics").text.splitlines():
        if line.startswith(name + "{"):
            return float(line.rsplit(" ", 1)[1])
    return None


def wait_for_replay(api, seconds=10):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        ready = api.get("/readyz").json()
        if ready["replicas"][0]["state"] == "up" and ready["replicas"][0]["lag_bytes"] == 0:
            return ready
        time.sleep(0.1)
    pytest.fail(f"the standby did not catch up: {ready}")


def test_readyz_shows_the_standby_and_reads_go_there(service):
    srv, api, standby = service
    ready = wait_for_replay(api)
    assert ready["status"] == "ready" and ready["replicas"][0]["name"].endswith(":5432")
    before = metric(api, "thidua_replica_reads_total") or 0
    fell_back = metric(api, "thidua_replica_fallbacks_total") or 0
    for n in range(1, 7):  # six different answers: none from the response cache
        assert api.get("/v1/values", params={"org": "HP", "period": "2022YTD09", "limit": n}).status_code == 200
    reads = metric(api, "thidua_replica_reads_total") - before
    # each read went to the standby, or to the primary when the standby was behind for a moment
    # (PostgreSQL writes WAL of its own, which the 300 ms apply delay can hold up)
    assert reads + metric(api, "thidua_replica_fallbacks_total") - fell_back >= 6
    assert reads >= 3
    assert metric(api, "thidua_replica_up") == 1


def test_a_read_after_a_write_sees_it_though_the_standby_is_late(service):
    """Each figure is read back at once: the standby, 300 ms behind, cannot have it, so the
    read goes to the primary; a moment later the standby has it and serves it."""
    srv, api, standby = service
    wait_for_replay(api)
    fallbacks = metric(api, "thidua_replica_fallbacks_total") or 0
    for n in range(1, 6):
        body = f"org,indicator,period,actual\nHT-NG-VC,new_members,2031,{n}\n".encode()
        assert api.put("/v1/values", data=body, headers={"Content-Type": "text/csv"}).status_code == 200
        got = api.get("/v1/values", params={"org": "HT-NG-VC", "indicator": "new_members", "period": "2031"})
        assert got.json()["data"][0]["actual"] == n
    assert metric(api, "thidua_replica_fallbacks_total") >= fallbacks + 5
    time.sleep(1)
    reads = metric(api, "thidua_replica_reads_total") or 0
    got = api.get("/v1/values", params={"org": "HT-NG-VC", "indicator": "new_members", "period": "2031", "limit": 7})
    assert got.json()["data"][0]["actual"] == 5
    assert metric(api, "thidua_replica_reads_total") == reads + 1


def test_a_standby_that_stops_costs_no_request(service):
    srv, api, standby = service
    wait_for_replay(api)
    failures, done = [], threading.Event()

    def read(first):
        n = first
        while not done.is_set():
            n += 3  # a new limit each time: no answer comes from the response cache
            r = api.get("/v1/values", params={"org": "HP", "limit": n % 1000 + 1})
            if r.status_code != 200:
                failures.append((r.status_code, r.text[:200]))

    readers = [threading.Thread(target=read, args=(i,)) for i in range(3)]
    for t in readers:
        t.start()
    time.sleep(0.5)
    standby.stop("immediate")
    time.sleep(1.5)
    done.set()
    for t in readers:
        t.join()
    try:
        assert failures == []
        ready = api.get("/readyz").json()
        assert ready["status"] == "ready" and ready["replicas"][0]["state"] == "down"
        assert metric(api, "thidua_replica_up") == 0
    finally:
        standby.start()
