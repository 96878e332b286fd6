"""Fixtures: one throwaway PostgreSQL cluster per test session, databases
cloned from migrated templates, and real `thidua serve` processes."""
import itertools
import os

import pytest

from contract import Api, Contract
from pgcluster import PgCluster
from server import Server, run_cli

_db_counter = itertools.count(1)


@pytest.fixture(scope="session")
def pg():
    cluster = PgCluster(state_file=os.environ.get("THIDUA_TEST_STATE"))
    yield cluster
    cluster.destroy()


@pytest.fixture(scope="session")
def contract():
    return Contract()


@pytest.fixture(scope="session")
def empty_template(pg):
    """A database with every migration applied and no data."""
    url = pg.create_database("tpl_empty")
    r = run_cli(["migrate"], {"THIDUA_DATABASE_URL": url})
    assert r.returncode == 0, r.stderr
    return "tpl_empty"


@pytest.fixture(scope="session")
def demo_template(pg, empty_template):
    """Migrated and loaded with the articles' demo data."""
    url = pg.create_database("tpl_demo", template=empty_template)
    r = run_cli(["demo"], {"THIDUA_DATABASE_URL": url})
    assert r.returncode == 0, r.stderr
    return "tpl_demo"


@pytest.fixture
def make_db(pg, demo_template):
    """make_db(template='tpl_demo') -> URL of a new database cloned from it."""
    def make(template: str = demo_template) -> str:
        return pg.create_database(f"t{next(_db_counter)}", template=template)
    return make


@pytest.fixture(scope="session")
def server(pg, demo_template):
    """The shared server on a database holding the demo data. Tests that
    change data use make_server on a database of their own."""
    srv = Server(pg.create_database("session", template=demo_template))
    yield srv
    assert srv.stop() == 0, srv.stderr()


@pytest.fixture
def api(server, contract):
    return Api(server.url, contract)


@pytest.fixture
def make_server(contract):
    """make_server(database_url, env={}) -> (Server, Api); stopped after the test."""
    started = []

    def make(database_url: str, env: dict | None = None):
        srv = Server(database_url, env)
        started.append(srv)
        return srv, Api(srv.url, contract)

    yield make
    for srv in started:
        code = srv.stop()
        assert code == 0, f"server exited {code}: {srv.stderr()}"
