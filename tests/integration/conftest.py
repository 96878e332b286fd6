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


KEYS: dict[str, str] = {}


def make_key(url: str, name: str, role: str, scope: str | None = None) -> str:
    args = ["key", "create", "--role", role, "--name", name] + (["--scope", scope] if scope else [])
    r = run_cli(args, {"THIDUA_DATABASE_URL": url})
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


@pytest.fixture(scope="session")
def empty_template(pg):
    """A database with every migration applied, no data, and unscoped keys
    for each role (every database cloned from it shares them)."""
    url = pg.create_database("tpl_empty")
    r = run_cli(["migrate"], {"THIDUA_DATABASE_URL": url})
    assert r.returncode == 0, r.stderr
    for role in ("admin", "editor", "reader"):
        KEYS[role] = make_key(url, f"test {role}", role)
    return "tpl_empty"


@pytest.fixture(scope="session")
def demo_template(pg, empty_template):
    """Migrated and loaded with the articles' demo data, plus keys scoped to
    Hà Tĩnh (HT)."""
    url = pg.create_database("tpl_demo", template=empty_template)
    r = run_cli(["demo"], {"THIDUA_DATABASE_URL": url})
    assert r.returncode == 0, r.stderr
    for role in ("admin", "editor", "reader"):
        KEYS[f"{role}_ht"] = make_key(url, f"test {role} HT", role, "HT")
    KEYS["editor_hn"] = make_key(url, "test editor HN", "editor", "HN")
    KEYS["revoked"] = make_key(url, "test revoked", "admin")
    prefix = KEYS["revoked"].split("_")[1]
    pg.query("tpl_demo", "UPDATE api_key SET revoked_at = now() WHERE prefix = %s", (prefix,))
    return "tpl_demo"


@pytest.fixture(scope="session")
def keys(demo_template):
    """role -> key: admin, editor, reader (whole tree); admin_ht,
    editor_ht, reader_ht (Hà Tĩnh's subtree); editor_hn (Hà Nội's); and
    revoked (an admin key that was revoked)."""
    return KEYS


def bearer(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


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
def api(server, contract, keys):
    """A reader of the whole tree on the shared server."""
    return Api(server.url, contract, bearer(keys["reader"]))


@pytest.fixture
def as_role(server, contract, keys):
    """as_role('editor_ht') -> an Api on the shared server with that key;
    as_role(None) sends no key."""
    def make(role):
        return Api(server.url, contract, bearer(keys[role]) if role else None)
    return make


@pytest.fixture
def make_server(contract, keys):
    """make_server(database_url, env={}, role='reader') -> (Server, Api with
    that role's key, or none for role=None); stopped after the test."""
    started = []

    def make(database_url: str, env: dict | None = None, role: str | None = "reader"):
        srv = Server(database_url, env)
        started.append(srv)
        return srv, Api(srv.url, contract, bearer(keys[role]) if role else None)

    yield make
    for srv in started:
        code = srv.stop()
        assert code == 0, f"server exited {code}: {srv.stderr()}"
