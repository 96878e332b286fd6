"""What the server does around every handler: routing errors, HEAD,
request ids, ETags, CORS and body limits."""
import re

import requests


def test_unknown_path_is_a_404_problem(api):
    r = api.get("/v1/nowhere")
    assert r.status_code == 404
    assert r.headers["Content-Type"] == "application/problem+json; charset=utf-8"
    body = r.json()
    assert body["code"] == "not_found"
    assert body["status"] == 404
    assert body["type"] == "/problems/not_found"
    assert body["instance"] == "/v1/nowhere"
    assert body["request_id"] == r.headers["X-Request-Id"]
    assert "/v1/nowhere" in body["detail"]


def test_wrong_method_is_a_405_with_allow(api):
    r = api.delete("/v1")
    assert r.status_code == 405
    assert r.headers["Allow"] == "GET, HEAD, OPTIONS"
    assert r.json()["code"] == "method_not_allowed"
    assert "DELETE" in r.json()["detail"]


def test_unknown_method_is_a_405_too(server):
    r = requests.request("BREW", server.url + "/healthz", timeout=5)
    assert r.status_code == 405
    assert r.headers["Allow"] == "GET, HEAD, OPTIONS"


def test_head_answers_like_get_without_a_body(api):
    g = api.get("/v1")
    h = api.head("/v1")
    assert h.status_code == 200
    assert h.content == b""
    assert h.headers["Content-Length"] == g.headers["Content-Length"]
    assert h.headers["ETag"] == g.headers["ETag"]
    assert h.headers["Content-Type"] == g.headers["Content-Type"]


def test_one_trailing_slash_is_forgiven(api):
    assert api.get("/v1/").status_code == 200


def test_unknown_query_parameter_is_refused_by_name(api):
    r = api.get("/healthz?verbose=1")
    assert r.status_code == 400
    body = r.json()
    assert body["code"] == "unknown_parameter"
    assert "verbose" in body["detail"]
    assert body["errors"] == [{"in": "query", "field": "verbose", "code": "unknown_parameter",
                               "message": body["detail"]}]


def test_request_id_is_echoed_when_given(api):
    r = api.get("/healthz", headers={"X-Request-Id": "portal-HT.2023:0001"})
    assert r.headers["X-Request-Id"] == "portal-HT.2023:0001"


def test_request_id_is_generated_when_absent(api):
    a = api.get("/healthz").headers["X-Request-Id"]
    b = api.get("/healthz").headers["X-Request-Id"]
    assert re.fullmatch(r"[0-9a-f]{32}", a) and a != b


def test_unsafe_request_id_is_replaced(api):
    r = api.get("/healthz", headers={"X-Request-Id": 'x" injected {'})
    assert re.fullmatch(r"[0-9a-f]{32}", r.headers["X-Request-Id"])


def test_matching_etag_answers_304_without_body(api):
    r = api.get("/v1")
    etag = r.headers["ETag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag)
    again = api.get("/v1", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["ETag"] == etag
    assert api.get("/v1", headers={"If-None-Match": '"other", ' + etag}).status_code == 304
    assert api.get("/v1", headers={"If-None-Match": "W/" + etag}).status_code == 304
    assert api.get("/v1", headers={"If-None-Match": '"0000"'}).status_code == 200


def test_plain_options_lists_the_methods(api):
    r = api.options("/v1")
    assert r.status_code == 204
    assert r.headers["Allow"] == "GET, HEAD, OPTIONS"


def test_options_on_unknown_path_is_404(api):
    assert api.options("/v1/nowhere").status_code == 404


CORS_ENV = {"THIDUA_CORS_ORIGINS": "https://dash.example.vn, http://localhost:5173"}


def test_cors_preflight_from_an_allowed_origin(make_server, make_db):
    _, api = make_server(make_db(), CORS_ENV)
    r = api.options("/v1", headers={"Origin": "https://dash.example.vn", "Access-Control-Request-Method": "GET",
                                    "Access-Control-Request-Headers": "authorization"})
    assert r.status_code == 204
    assert r.headers["Access-Control-Allow-Origin"] == "https://dash.example.vn"
    assert "GET" in r.headers["Access-Control-Allow-Methods"]
    assert "Authorization" in r.headers["Access-Control-Allow-Headers"]
    assert r.headers["Vary"] == "Origin"


def test_cors_preflight_from_a_refused_origin(make_server, make_db):
    _, api = make_server(make_db(), CORS_ENV)
    r = api.options("/v1", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"})
    assert r.status_code == 403
    assert r.json()["code"] == "cors_origin_refused"
    assert "Access-Control-Allow-Origin" not in r.headers


def test_cors_preflight_for_a_method_the_path_refuses(make_server, make_db):
    _, api = make_server(make_db(), CORS_ENV)
    r = api.options("/v1", headers={"Origin": "https://dash.example.vn", "Access-Control-Request-Method": "DELETE"})
    assert r.status_code == 405


def test_cors_actual_request_carries_the_origin(make_server, make_db):
    _, api = make_server(make_db(), CORS_ENV)
    r = api.get("/v1", headers={"Origin": "http://localhost:5173"})
    assert r.headers["Access-Control-Allow-Origin"] == "http://localhost:5173"
    assert "ETag" in r.headers["Access-Control-Expose-Headers"]
    # a dashboard pages through lists by the cursor of the last answer
    assert "X-Next-Cursor" in r.headers["Access-Control-Expose-Headers"].split(", ")
    refused = api.get("/v1", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in refused.headers


def test_body_over_the_cap_is_413_before_it_is_read(make_server, make_db):
    srv, api = make_server(make_db(), {"THIDUA_MAX_BODY_BYTES": "4K"})
    r = api.put("/v1", data=b"x" * 5000, headers={"Content-Type": "text/csv"})
    assert r.status_code == 413
    body = r.json()
    assert body["code"] == "body_too_large"
    assert "4096" in body["detail"]
    # the server is still fine afterwards
    assert api.get("/healthz").status_code == 200


def test_a_problem_speaks_vietnamese_to_who_asks(api):
    """Accept-Language: vi gives the detail in Vietnamese, whole; the code and errors stay."""
    r = api.get("/v1/values", params={"period": "2022Q5"}, headers={"Accept-Language": "vi-VN,vi;q=0.9,en;q=0.8"})
    assert r.status_code == 400
    doc = r.json()
    assert doc["code"] == "invalid_period"
    assert doc["detail"] == "Mã kỳ báo cáo không hợp lệ; ví dụ: 2022, 2022H1, 2022Q3, 2022M09, 2022YTD09, 2023-2028."
    assert r.headers["Content-Language"] == "vi"
    assert doc["errors"][0]["field"] == "period"
    english = api.get("/v1/values", params={"period": "2022Q5"}, headers={"Accept-Language": "en-US,vi;q=0.5"})
    assert "Content-Language" not in english.headers and "quarter" in english.json()["detail"]


def test_a_locked_period_is_named_by_its_code_not_a_vietnamese_label(make_db, make_server):
    """No mixed-language messages: '2024 is locked for HT', never 'Năm 2024 is locked'."""
    url = make_db()
    _, admin = make_server(url, role="admin")
    assert admin.post("/v1/locks", json={"org": "HT", "period": "2024"}).status_code == 201
    r = admin.put("/v1/values", data=b"org,indicator,period,actual\nHT-NG-VC,new_members,2024,1\n",
                  headers={"Content-Type": "text/csv"})
    assert r.status_code == 409
    message = r.json()["rejected"][0]["message"]
    assert message.startswith("2024 is locked for HT") and "Năm" not in message
