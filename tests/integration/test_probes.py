"""/healthz, /readyz, /metrics, /openapi.yaml and the /v1 index."""
import os

from contract import SOURCE_ROOT, load_openapi
from server import run_cli


def test_healthz_says_ok(api):
    r = api.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}


def test_readyz_is_ready_on_a_migrated_database(api):
    r = api.get("/readyz")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ready"
    assert body["migrations"] == len([n for n in os.listdir(os.path.join(SOURCE_ROOT, "sql")) if n.endswith(".sql")])


def test_readyz_is_503_on_a_database_without_schema(pg, make_server):
    _, api = make_server(pg.create_database("bare_for_readyz"))
    r = api.get("/readyz")
    assert r.status_code == 503
    assert r.json()["code"] == "not_migrated"
    assert "thidua migrate" in r.json()["detail"]
    assert r.headers["Retry-After"].isdigit()


def test_readyz_names_the_missing_migration(pg, make_server, tmp_path):
    url = pg.create_database("partial_for_readyz")
    names = sorted(n for n in os.listdir(os.path.join(SOURCE_ROOT, "sql")) if n.endswith(".sql"))
    first = names[0]
    (tmp_path / first).write_bytes(open(os.path.join(SOURCE_ROOT, "sql", first), "rb").read())
    assert run_cli(["migrate"], {"THIDUA_DATABASE_URL": url, "THIDUA_MIGRATIONS_DIR": str(tmp_path)}).returncode == 0
    _, api = make_server(url)
    r = api.get("/readyz")
    if len(names) > 1:
        assert r.status_code == 503
        assert r.json()["code"] == "not_migrated"
        assert names[1] in r.json()["detail"]
    else:
        assert r.status_code == 200


def test_openapi_is_served_byte_for_byte(api):
    r = api.get("/openapi.yaml")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/yaml")
    with open(os.path.join(SOURCE_ROOT, "openapi.yaml"), "rb") as f:
        assert r.content == f.read()


def test_index_lists_only_documented_resources(api):
    r = api.get("/v1")
    assert r.status_code == 200
    doc = load_openapi()
    for res in r.json()["resources"]:
        assert res["path"] in doc["paths"], res["path"]
        for m in res["methods"]:
            assert m.lower() in doc["paths"][res["path"]]


def test_metrics_count_requests_by_route(api):
    api.get("/healthz")
    r = api.get("/metrics")
    assert r.status_code == 200
    text = r.text
    assert '# TYPE thidua_http_requests_total counter' in text
    assert 'thidua_http_requests_total{method="GET",route="/healthz",status="2xx"}' in text
    assert 'thidua_http_request_duration_seconds_bucket{method="GET",route="/healthz",le="+Inf"}' in text
    assert "thidua_database_up 1" in text


def test_metrics_count_options_under_their_path(api):
    assert api.options("/v1/values").status_code == 204
    text = api.get("/metrics").text
    assert 'thidua_http_requests_total{method="OPTIONS",route="/v1/values",status="2xx"}' in text
    assert 'route="unmatched"' not in text or 'method="OPTIONS",route="unmatched"' not in text
