"""One JSON access-log line per request on stdout; diagnostics as JSON on
stderr."""
import json


def find_access(server, request_id):
    line = server.wait_for_log(request_id)
    return json.loads(line)


def test_access_line_has_every_field(server, api):
    r = api.get("/healthz?", headers={"X-Request-Id": "log-check-1"})
    entry = find_access(server, '"request_id":"log-check-1"')
    assert entry["method"] == "GET"
    assert entry["path"] == "/healthz"
    assert entry["status"] == 200
    assert entry["bytes"] == len(r.content)
    assert isinstance(entry["duration_us"], int) and entry["duration_us"] >= 0
    assert entry["client"] == "127.0.0.1"
    assert entry["time"].endswith("Z")


def test_access_line_keeps_the_query_and_the_error_status(server, api):
    api.get("/v1/nowhere?x=1", headers={"X-Request-Id": "log-check-2"})
    entry = find_access(server, '"request_id":"log-check-2"')
    assert entry["status"] == 404


def test_stderr_lines_are_json(server):
    lines = [l for l in server.stderr_lines if l.strip()]
    assert lines
    for line in lines:
        entry = json.loads(line)
        assert {"time", "level", "msg"} <= set(entry)
