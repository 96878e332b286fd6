"""Who may do what: the authorization matrix over every write route and a
sample of read routes, key management, and keys that never leak."""
import uuid

import pytest
import requests

from conftest import bearer
from server import run_cli

# The keys of the matrix, by column.
CALLERS = ["none", "malformed", "revoked", "reader", "editor_out_of_scope", "editor_in_scope", "admin"]


def headers_for(caller, keys):
    return {
        "none": {},
        "malformed": {"Authorization": "Bearer not-a-key"},
        "revoked": bearer(keys["revoked"]),
        "reader": bearer(keys["reader"]),
        "editor_out_of_scope": bearer(keys["editor_hn"]),
        "editor_in_scope": bearer(keys["editor_ht"]),
        "admin": bearer(keys["admin"]),
    }[caller]


def sql(pg, db, text, params=None):
    return pg.query(db, text, params)


# Each route: a request that succeeds for an allowed caller on Hà Tĩnh's data
# (HT and the sector union HT-NG-VC), with SQL that sets the stage first, and
# the status each caller must get.
def routes(db):
    value_row = [{"org": "HT-NG-VC", "indicator": "new_members", "period": "2024", "actual": 10}]
    return [
        ("PUT /v1/values", dict(method="PUT", path="/v1/values", json=value_row), None,
         [401, 401, 401, 403, 403, 200, 200]),
        ("DELETE /v1/values", dict(method="DELETE", path="/v1/values?org=HT-NG-VC&indicator=new_members&period=2025"),
         "SELECT value_put('HT-NG-VC', NULL, 'new_members', '2025', 1, NULL, NULL)",
         [401, 401, 401, 403, 403, 204, 204]),
        ("PUT /v1/organizations", dict(method="PUT", path="/v1/organizations",
                                       json=[{"code": "HT-NG-VC", "short_name": "CĐ Viên chức Hà Tĩnh"}]), None,
         [401, 401, 401, 403, 403, 403, 200]),
        ("POST /v1/organizations", dict(method="POST", path="/v1/organizations",
                                        json={"code": "HT-NEW", "name": "Công đoàn mới", "kind": "sector",
                                              "parent": "HT"}),
         "DELETE FROM organization WHERE code = 'HT-NEW'",
         [401, 401, 401, 403, 403, 403, 201]),
        ("PATCH /v1/organizations/{code}", dict(method="PATCH", path="/v1/organizations/HT-NG-VC",
                                                json={"short_name": "Công đoàn Viên chức Hà Tĩnh"}), None,
         [401, 401, 401, 403, 403, 403, 200]),
        ("DELETE /v1/organizations/{code}", dict(method="DELETE", path="/v1/organizations/HT-GONE"),
         "INSERT INTO organization (code, name, kind) VALUES ('HT-GONE', 'Tạm', 'other') ON CONFLICT DO NOTHING",
         [401, 401, 401, 403, 403, 403, 204]),
        ("PUT /v1/indicators", dict(method="PUT", path="/v1/indicators",
                                    json=[{"code": "new_members", "unit": "người"}]), None,
         [401, 401, 401, 403, 403, 403, 200]),
        ("PUT /v1/indicators/{code}", dict(method="PUT", path="/v1/indicators/new_members", json={"unit": "người"}),
         None, [401, 401, 401, 403, 403, 403, 200]),
        ("PUT /v1/blocs/{code}", dict(method="PUT", path="/v1/blocs/HT-KHOI-NGANH",
                                      json={"name": "Khối thi đua các Công đoàn ngành tỉnh Hà Tĩnh", "kind": "khoi",
                                            "organizer": "HT", "note": None}), None,
         [401, 401, 401, 403, 403, 403, 200]),
        ("PUT /v1/blocs/{code}/years/{year}", dict(method="PUT", path="/v1/blocs/HT-KHOI-NGANH/years/2024",
                                                   json={"members": ["HT-NG-VC"], "leader": "HT-NG-VC"}),
         "DELETE FROM bloc_year WHERE year = 2024",
         [401, 401, 401, 403, 403, 201, 201]),
        ("POST /v1/keys", dict(method="POST", path="/v1/keys", json={"name": "portal", "role": "reader", "org": "HT"}),
         None, [401, 401, 401, 403, 403, 403, 201]),
        ("DELETE /v1/keys/{id}", dict(method="DELETE", path="/v1/keys/{key_id}"), "KEY",
         [401, 401, 401, 403, 403, 403, 204]),
        ("POST /v1/locks", dict(method="POST", path="/v1/locks", json={"org": "HT", "period": "2030"}),
         "DELETE FROM period_lock WHERE period_id = (SELECT id FROM period WHERE code = '2030')",
         [401, 401, 401, 403, 403, 403, 201]),
        ("DELETE /v1/locks/{id}", dict(method="DELETE", path="/v1/locks/{lock_id}"), "LOCK",
         [401, 401, 401, 403, 403, 403, 204]),
        ("GET /v1/values", dict(method="GET", path="/v1/values?org=HT-NG-VC"), None,
         [401, 401, 401, 200, 403, 200, 200]),
        ("GET /v1/organizations/{code}", dict(method="GET", path="/v1/organizations/HT"), None,
         [401, 401, 401, 200, 403, 200, 200]),
        # a bloc none of whose members nor organizer is in the key's subtree does not exist for it
        ("GET /v1/blocs/{code}/years/{year}", dict(method="GET", path="/v1/blocs/HT-KHOI-NGANH/years/2023"), None,
         [401, 401, 401, 200, 404, 200, 200]),
        ("GET /v1/values/history", dict(method="GET", path="/v1/values/history?org=HT-NG-VC"), None,
         [401, 401, 401, 200, 403, 200, 200]),
        ("GET /v1/keys", dict(method="GET", path="/v1/keys"), None,
         [401, 401, 401, 403, 403, 403, 200]),
        ("GET /v1/locks", dict(method="GET", path="/v1/locks"), None,
         [401, 401, 401, 200, 200, 200, 200]),
    ]


@pytest.fixture(scope="module")
def matrix_db(pg, demo_template):
    url = pg.create_database("auth_matrix", template=demo_template)
    return url


CASES = [(r[0], c, i) for r in routes(None) for i, c in enumerate(CALLERS)]


@pytest.mark.parametrize("route,caller,col", CASES, ids=[f"{r}-{c}" for r, c, _ in CASES])
def test_authorization_matrix(pg, matrix_db, make_server, keys, route, caller, col):
    request, setup, expected = next((spec, s, e) for name, spec, s, e in routes(None) if name == route)
    db = "auth_matrix"
    path = request["path"]
    if setup == "KEY":
        key_id = sql(pg, db, "INSERT INTO api_key (prefix, hash, name, role) VALUES (%s, decode(repeat('ab', 32), 'hex'), "
                             "'to revoke', 'reader') RETURNING id", (uuid.uuid4().hex[:12],))[0][0]
        path = path.replace("{key_id}", str(key_id))
    elif setup == "LOCK":
        lock_id = sql(pg, db, "INSERT INTO period_lock (org_id, period_id) SELECT o.id, period_ensure('2031M0' || %s) "
                              "FROM organization o WHERE code = 'HT' RETURNING id", (str(col + 1),))[0][0]
        path = path.replace("{lock_id}", str(lock_id))
    elif setup:
        sql(pg, db, setup)
    _, api = make_server(matrix_db, role=None)
    kwargs = {k: v for k, v in request.items() if k not in ("method", "path")}
    r = api.request(request["method"], path, headers=headers_for(caller, keys), **kwargs)
    assert r.status_code == expected[col], r.text
    if r.status_code == 401:
        assert r.json()["code"] == ("unauthorized" if caller == "none" else "invalid_key")
        assert r.headers["WWW-Authenticate"] == 'Bearer realm="thidua"'
    if r.status_code == 403:
        code = r.json()["code"]
        assert code == ("out_of_scope" if caller == "editor_out_of_scope" and route in (
            "PUT /v1/values", "DELETE /v1/values", "PUT /v1/blocs/{code}/years/{year}", "GET /v1/values",
            "GET /v1/organizations/{code}", "GET /v1/blocs/{code}/years/{year}", "GET /v1/values/history")
                        else "forbidden_role"), r.text


def test_forbidden_role_says_which_role_is_needed(as_role):
    r = as_role("reader").put("/v1/values", json=[])
    assert r.status_code == 403
    assert r.json()["detail"] == "This key's role is reader; PUT /v1/values needs editor or above."


def test_scoped_reader_sees_only_its_subtree(as_role):
    ht = as_role("reader_ht")
    orgs = {o["code"] for o in ht.get("/v1/organizations", params={"on": "2023-06-30"}).json()["data"]}
    assert orgs == {"HT", "HT-NG-VC"}
    values = ht.get("/v1/values", params={"limit": 1000}).json()["data"]
    assert values and all(v["bloc"] == "HT-KHOI-NGANH" or v["org"] in ("HT", "HT-NG-VC") for v in values)
    blocs = {b["code"] for b in ht.get("/v1/blocs").json()["data"]}
    assert blocs == {"HT-KHOI-NGANH"}
    r = ht.get("/v1/values", params={"under": "HN"})
    assert r.status_code == 403
    assert "HN" in r.json()["detail"] and "HT" in r.json()["detail"]


def test_public_read_lets_anyone_read_but_not_write(make_db, make_server):
    _, api = make_server(make_db(), {"THIDUA_PUBLIC_READ": "true"}, role=None)
    assert api.get("/v1/values", params={"org": "HP"}).status_code == 200
    assert api.get("/v1/keys").status_code == 401
    assert api.put("/v1/values", json=[]).status_code == 401


def test_public_read_is_off_by_default(make_db, make_server):
    _, api = make_server(make_db(), role=None)
    assert api.get("/v1/values").status_code == 401


def test_revocation_stops_the_key_at_once_on_every_instance(make_db, make_server, keys):
    url = make_db()
    _, admin_a = make_server(url, role="admin")
    srv_b, _ = make_server(url, role="admin")
    created = admin_a.post("/v1/keys", json={"name": "short-lived", "role": "reader"}).json()
    from contract import Api
    b = Api(srv_b.url, admin_a.contract, bearer(created["key"]))
    assert b.get("/v1/values", params={"limit": 1}).status_code == 200
    assert admin_a.delete(f"/v1/keys/{created['id']}").status_code == 204
    r = b.get("/v1/values", params={"limit": 1})
    assert r.status_code == 401
    assert r.json()["code"] == "invalid_key"


def test_created_key_is_shown_once_and_never_logged(make_db, make_server):
    srv, admin = make_server(make_db(), role="admin")
    r = admin.post("/v1/keys", json={"name": "Cổng thông tin Hà Tĩnh", "role": "editor", "org": "HT"})
    assert r.status_code == 201
    created = r.json()
    key = created["key"]
    assert key.startswith(f"thd_{created['prefix']}_") and len(key) == 60
    assert created["name"] == "Cổng thông tin Hà Tĩnh" and created["org"] == "HT" and created["role"] == "editor"
    assert r.headers["Location"] == f"/v1/keys/{created['id']}"
    assert r.headers["Cache-Control"] == "no-store"
    from contract import Api
    portal = Api(srv.url, admin.contract, bearer(key))
    assert portal.get("/v1/values", params={"org": "HT-NG-VC"}).status_code == 200
    listed = admin.get("/v1/keys")
    assert key not in listed.text and key.split("_", 2)[2] not in listed.text
    assert any(k["id"] == created["id"] and "key" not in k for k in listed.json()["data"])
    srv.wait_for_log(r'"key":"Cổng thông tin Hà Tĩnh"')
    logs = "".join(srv.stdout_lines + srv.stderr_lines)
    assert key.split("_", 2)[2] not in logs


def test_key_creation_is_validated(make_db, make_server):
    _, admin = make_server(make_db(), role="admin")
    for body, field in [({"role": "reader"}, "name"), ({"name": "x"}, "role"), ({"name": "x", "role": "owner"}, "role"),
                        ({"name": "x", "role": "reader", "org": "NOPE"}, "org"),
                        ({"name": "x", "role": "reader", "extra": 1}, "extra")]:
        r = admin.post("/v1/keys", json=body)
        assert r.status_code == 400, body
        assert r.json()["errors"][0]["field"] == field


def test_a_scoped_admin_mints_keys_only_inside_its_scope(as_role):
    admin_ht = as_role("admin_ht")
    assert admin_ht.post("/v1/keys", json={"name": "x", "role": "reader", "org": "HN"}).status_code == 403
    assert admin_ht.post("/v1/keys", json={"name": "x", "role": "reader"}).status_code == 403
    assert admin_ht.post("/v1/keys", json={"name": "x", "role": "reader", "org": "HT-NG-VC"}).status_code == 201
    listed = {k["org"] for k in admin_ht.get("/v1/keys").json()["data"]}
    assert listed <= {"HT", "HT-NG-VC"}


def test_revoking_an_unknown_key_is_404(as_role):
    r = as_role("admin").delete("/v1/keys/999999")
    assert r.status_code == 404
    assert r.json()["code"] == "key_not_found"


def test_cli_creates_lists_and_revokes_keys(make_db):
    url = make_db()
    env = {"THIDUA_DATABASE_URL": url}
    r = run_cli(["key", "create", "--role", "reader", "--scope", "HP", "--name", "cổng Hải Phòng"], env)
    assert r.returncode == 0, r.stderr
    key = r.stdout.strip()
    assert key.startswith("thd_") and "shown once" in r.stderr
    listed = run_cli(["key", "list"], env).stdout
    assert "cổng Hải Phòng" in listed and key.split("_")[1] in listed and key.split("_", 2)[2] not in listed
    key_id = [l.split()[0] for l in listed.splitlines() if "Hải Phòng" in l][0]
    assert run_cli(["key", "revoke", key_id], env).returncode == 0
    # a role that does not exist is a usage error, said before the database is asked
    assert run_cli(["key", "create", "--role", "owner", "--name", "x"], env).returncode == 2
    assert run_cli(["key", "create", "--name", "x"], env).returncode == 2
    bad_scope = run_cli(["key", "create", "--role", "reader", "--scope", "ZZ", "--name", "x"], env)
    assert bad_scope.returncode == 1 and "ZZ" in bad_scope.stderr
