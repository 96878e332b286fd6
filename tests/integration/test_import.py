"""PUT /v1/values: bulk imports from provincial portals, as CSV or JSON."""
import threading
from decimal import Decimal

import pytest
import requests

from conftest import bearer

HEADER = "org,indicator,period,actual,target,note\n"


@pytest.fixture
def editor(make_db, make_server):
    """(api as an unscoped editor, database name) on a fresh demo database."""
    url = make_db()
    _, api = make_server(url, role="editor")
    return api, url.split("dbname=")[1].split()[0]


def put_csv(api, text, params=None, raw=None):
    body = raw if raw is not None else text.encode("utf-8")
    return api.put("/v1/values", params=params or {}, data=body, headers={"Content-Type": "text/csv"})


def value(api, org, indicator, period):
    data = api.get("/v1/values", params={"org": org, "indicator": indicator, "period": period}).json(
        parse_float=Decimal)["data"]
    return data[0] if data else None


def test_hundred_thousand_rows_in_one_request_then_the_same_file_changes_nothing(editor, pg):
    api, db = editor
    pg.query(db, "INSERT INTO organization (code, name, kind) SELECT 'HP-G' || n, 'Công đoàn cơ sở ' || n, "
                 "'grassroots' FROM generate_series(1, 1000) n")
    indicators = [r[0] for r in pg.query(db, "SELECT code FROM indicator ORDER BY code LIMIT 25")]
    lines = [HEADER.strip()]
    for n in range(1, 1001):
        for i, ind in enumerate(indicators):
            for q in range(1, 5):
                lines.append(f"HP-G{n},{ind},2024Q{q},{n * 10 + q}.{i % 10}5,,")
    body = "\n".join(lines) + "\n"
    assert len(lines) - 1 == 100_000
    r = put_csv(api, body)
    assert r.status_code == 200, r.text[:500]
    s = r.json()
    assert (s["created"], s["updated"], s["unchanged"], s["rejected_count"], s["written"]) == (100000, 0, 0, 0, True)
    history = pg.query(db, "SELECT count(*) FROM value_history")[0][0]

    again = put_csv(api, body)
    assert again.status_code == 200
    s = again.json()
    assert (s["created"], s["updated"], s["unchanged"], s["rejected_count"]) == (0, 0, 100000, 0)
    assert pg.query(db, "SELECT count(*) FROM value_history")[0][0] == history  # no new revisions
    assert pg.query(db, "SELECT max(revision) FROM value")[0][0] == 1
    assert value(api, "HP-G1000", indicators[24], "2024Q4")["actual"] == Decimal("10004.45")


def test_bom_vietnamese_notes_quoted_commas_and_newlines_survive(editor):
    api, _ = editor
    text = ("\ufeff" + HEADER +
            'HT-NG-VC,new_members,2024,120,100,"Ghi chú, có dấu phẩy"\n'
            'HT-NG-VC,new_grassroots_unions,2024,3,2,"dòng một\ndòng hai, ""trích dẫn"""\n'
            'HT-NG-VC,collective_agreements,2024,7,,Thỏa ước lao động tập thể\n')
    r = put_csv(api, text)
    assert r.status_code == 200, r.text
    assert r.json()["created"] == 3
    assert value(api, "HT-NG-VC", "new_members", "2024")["note"] == "Ghi chú, có dấu phẩy"
    assert value(api, "HT-NG-VC", "new_grassroots_unions", "2024")["note"] == 'dòng một\ndòng hai, "trích dẫn"'
    assert value(api, "HT-NG-VC", "collective_agreements", "2024")["note"] == "Thỏa ước lao động tập thể"


BAD_IN_THE_MIDDLE = (HEADER +
                     'HT-NG-VC,new_members,2024,1,,"ghi chú\nhai dòng"\n'    # lines 2-3
                     "HT-NG-VC,new_grassroots_unions,2024,2,,\n"            # line 4
                     "HT-NG-VC,collective_agreements,2024,abc,,\n"          # line 5: bad
                     "HT-NG-VC,workplace_dialogues,2024,4,,\n")             # line 6


def test_a_bad_row_in_the_middle_writes_nothing_and_is_named_by_line(editor):
    api, _ = editor
    r = put_csv(api, BAD_IN_THE_MIDDLE)
    assert r.status_code == 422
    body = r.json()
    assert r.headers["Content-Type"].startswith("application/problem+json")
    assert body["code"] == "import_rejected" and body["written"] is False
    assert body["rejected_count"] == 1
    assert body["rejected"] == [{"line": 5, "field": "actual", "code": "invalid_number",
                                 "message": "actual: abc is not a number; write it as 2529.554"}]
    assert body["created"] == 3  # what would have been
    assert value(api, "HT-NG-VC", "new_members", "2024") is None


def test_on_error_skip_keeps_the_good_rows(editor):
    api, _ = editor
    r = put_csv(api, BAD_IN_THE_MIDDLE, {"on_error": "skip"})
    assert r.status_code == 200
    body = r.json()
    assert (body["written"], body["created"], body["rejected_count"]) == (True, 3, 1)
    assert body["rejected"][0]["line"] == 5
    assert value(api, "HT-NG-VC", "new_members", "2024")["note"] == "ghi chú\nhai dòng"
    assert value(api, "HT-NG-VC", "collective_agreements", "2024") is None


def test_dry_run_reports_and_writes_nothing(editor):
    api, _ = editor
    good = HEADER + "HT-NG-VC,new_members,2024,1,,\n"
    r = put_csv(api, good, {"dry_run": "true"})
    assert r.status_code == 200
    assert (r.json()["dry_run"], r.json()["written"], r.json()["created"]) == (True, False, 1)
    assert value(api, "HT-NG-VC", "new_members", "2024") is None
    bad = put_csv(api, BAD_IN_THE_MIDDLE, {"dry_run": "true"})
    assert bad.status_code == 422 and bad.json()["dry_run"] is True


def test_json_numbers_keep_every_digit(editor):
    api, _ = editor
    body = '[{"org": "HT-NG-VC", "indicator": "shelter_fund_raised", "period": "2024", "actual": 2529.554, "target": 2516.100},' \
           ' {"org": "HT-NG-VC", "indicator": "new_members", "period": "2024", "actual": "1200", "target": 1200.0}]'
    r = api.put("/v1/values", data=body.encode(), headers={"Content-Type": "application/json"})
    assert r.status_code == 200, r.text
    got = api.get("/v1/values", params={"org": "HT-NG-VC", "period": "2024"}).text
    assert '"actual":2529.554,"target":2516.100' in got
    assert '"actual":1200,"target":1200.0' in got


def test_vietnamese_excel_numbers_are_refused_with_a_way_out(editor):
    api, _ = editor
    text = HEADER + 'HT-NG-VC,shelter_fund_raised,2024,"2.529,554","2.516,100",\n'
    r = put_csv(api, text)
    assert r.status_code == 422
    message = r.json()["rejected"][0]["message"]
    assert "2.529,554" in message and "decimal=comma" in message and "2529.554" in message
    ok = put_csv(api, text, {"decimal": "comma"})
    assert ok.status_code == 200, ok.text
    v = value(api, "HT-NG-VC", "shelter_fund_raised", "2024")
    assert (v["actual"], v["target"]) == (Decimal("2529.554"), Decimal("2516.100"))


def test_semicolon_separated_file_from_vietnamese_excel(editor):
    api, _ = editor
    text = "\ufefforg;indicator;period;actual;target;note\nHT-NG-VC;new_members;2024;1.234;1.000;Đạt 123,4%\n"
    r = put_csv(api, text, {"decimal": "comma"})
    assert r.status_code == 200, r.text
    v = value(api, "HT-NG-VC", "new_members", "2024")
    assert (v["actual"], v["target"], v["note"]) == (1234, 1000, "Đạt 123,4%")


def test_empty_cell_clears_and_missing_column_keeps(editor):
    api, _ = editor
    assert put_csv(api, HEADER + "HT-NG-VC,new_members,2024,10,20,ghi chú\n").status_code == 200
    r = put_csv(api, "org,indicator,period,target\nHT-NG-VC,new_members,2024,25\n")
    assert r.json()["updated"] == 1
    v = value(api, "HT-NG-VC", "new_members", "2024")
    assert (v["actual"], v["target"], v["note"]) == (10, 25, "ghi chú")
    r = put_csv(api, "org,indicator,period,note\nHT-NG-VC,new_members,2024,\n")
    v = value(api, "HT-NG-VC", "new_members", "2024")
    assert (v["actual"], v["target"], v["note"], v["revision"]) == (10, 25, None, 3)


def test_json_null_clears_and_absent_keeps(editor):
    api, _ = editor
    api.put("/v1/values", json=[{"org": "HT-NG-VC", "indicator": "new_members", "period": "2024", "actual": 10,
                                 "target": 20}])
    api.put("/v1/values", json=[{"org": "HT-NG-VC", "indicator": "new_members", "period": "2024", "target": None}])
    v = value(api, "HT-NG-VC", "new_members", "2024")
    assert (v["actual"], v["target"]) == (10, None)


@pytest.mark.parametrize("row,code,field", [
    ("NOPE,new_members,2024,1,,", "unknown_organization", "org"),
    ("HT-NG-VC,no_such,2024,1,,", "unknown_indicator", "indicator"),
    ("HT-NG-VC,new_members,2024Q5,1,,", "invalid_period", "period"),
    ("HT-NG-VC,new_members,,1,,", "missing_field", "period"),
    ("HT-NG-VC,new_members,2024,,,", "missing_field", "actual"),
    ("HN-HBT,new_members,2026,1,,", "outside_existence", "period"),
    ("HT-NG-VC,new_members,2024,1e5,,", "invalid_number", "actual"),
    ("HT-NG-VC,new_members,2024,1,,x,extra", "wrong_field_count", None),
])
def test_each_kind_of_bad_row_is_named(editor, row, code, field):
    api, _ = editor
    r = put_csv(api, HEADER + row + "\n")
    assert r.status_code == 422, r.text
    rejected = r.json()["rejected"][0]
    assert (rejected["line"], rejected["code"], rejected.get("field")) == (2, code, field)


def test_a_repeated_row_points_at_the_first(editor):
    api, _ = editor
    r = put_csv(api, HEADER + "HT-NG-VC,new_members,2024,1,,\nHT-NG-VC,new_members,2024,2,,\n")
    assert r.json()["rejected"] == [{"line": 3, "field": "period", "code": "duplicate_row",
                                     "message": "the same org, indicator and period as line 2"}]


def test_json_rows_are_named_by_index_and_line(editor):
    api, _ = editor
    body = '[\n  {"org": "HT-NG-VC", "indicator": "new_members", "period": "2024", "actual": 1},\n' \
           '  "not an object",\n  {"org": "HT-NG-VC", "indicator": "new_members", "period": "2024", "actual": 1, "colour": "red"}\n]'
    r = api.put("/v1/values", data=body.encode(), headers={"Content-Type": "application/json"})
    assert r.status_code == 422
    rejected = r.json()["rejected"]
    assert [(x["line"], x["index"], x["code"]) for x in rejected] == [(3, 1, "invalid_row"), (4, 2, "unknown_field")]


@pytest.mark.parametrize("body,ctype,code", [
    (b"\xff\xfeo\x00r\x00g\x00", "text/csv", "invalid_encoding"),
    (HEADER.encode() + "HT-NG-VC,new_members,2024,1,,Ph\xf2ng\n".encode("latin-1"), "text/csv", "invalid_encoding"),
    (b"org,indicator,period,colour\n", "text/csv", "invalid_csv_header"),
    (b"org,period,actual\n", "text/csv", "invalid_csv_header"),
    (b"", "text/csv", "invalid_body"),
    (b'[{"org": "HP",}]', "application/json", "invalid_json"),
    (b'{"org": "HP"}', "application/json", "invalid_body"),
    (HEADER.encode() + b'HT-NG-VC,new_members,2024,1,,"never closed\n', "text/csv", "invalid_csv"),
])
def test_unreadable_bodies_are_400_with_the_reason(editor, body, ctype, code):
    api, _ = editor
    r = api.put("/v1/values", data=body, headers={"Content-Type": ctype})
    assert r.status_code == 400, r.text
    assert r.json()["code"] == code


def test_latin1_file_is_named_by_line(editor):
    api, _ = editor
    body = HEADER.encode() + b"HT-NG-VC,new_members,2024,1,,ok\nHT-NG-VC,new_members,2025,1,,Ph\xf2ng\n"
    r = api.put("/v1/values", data=body, headers={"Content-Type": "text/csv"})
    assert "Line 3" in r.json()["detail"] and "CSV UTF-8" in r.json()["detail"]


def test_other_media_types_are_415(editor):
    api, _ = editor
    r = api.put("/v1/values", data=b"<values/>", headers={"Content-Type": "application/xml"})
    assert r.status_code == 415


def test_a_chunked_body_over_the_cap_is_413(make_db, make_server, keys):
    srv, _ = make_server(make_db(), {"THIDUA_MAX_BODY_BYTES": "64K"}, role="editor")

    def chunks():
        yield HEADER.encode()
        for _ in range(2000):
            yield b"HT-NG-VC,new_members,2024,1,,xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n"

    r = requests.put(srv.url + "/v1/values", data=chunks(), headers={"Content-Type": "text/csv", **bearer(keys["editor"])})
    assert r.status_code == 413
    assert r.json()["code"] == "body_too_large"


def test_concurrent_imports_lose_no_update(editor, pg):
    """Two portals write different fields of the same 2 000 figures at once:
    both fields survive, and each figure's revisions run 1, 2, 3."""
    api, db = editor
    pg.query(db, "INSERT INTO organization (code, name, kind) SELECT 'HT-C' || n, 'Công đoàn ' || n, 'grassroots' "
                 "FROM generate_series(1, 500) n")
    rows = [(f"HT-C{n}", ind) for n in range(1, 501) for ind in ("new_members", "new_grassroots_unions",
                                                                 "collective_agreements", "workplace_dialogues")]
    first = HEADER + "".join(f"{o},{i},2024,1,1,\n" for o, i in rows)
    assert put_csv(api, first).json()["created"] == 2000
    actuals = "org,indicator,period,actual\n" + "".join(f"{o},{i},2024,7\n" for o, i in rows)
    targets = "org,indicator,period,target\n" + "".join(f"{o},{i},2024,9\n" for o, i in rows)
    results = {}

    def run(name, body):
        results[name] = put_csv(api, body)

    threads = [threading.Thread(target=run, args=("a", actuals)), threading.Thread(target=run, args=("t", targets))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results["a"].status_code == 200 and results["t"].status_code == 200
    assert pg.query(db, "SELECT count(*) FROM value v JOIN organization o ON o.id = v.org_id "
                        "WHERE o.code LIKE 'HT-C%' AND (v.actual <> 7 OR v.target <> 9)")[0][0] == 0
    # every version of each figure: the earlier ones kept in value_history, the current one in value
    revisions = pg.query(db, "SELECT array_agg(r ORDER BY r) FROM ("
                             " SELECT h.value_id, h.revision AS r FROM value_history h UNION ALL"
                             " SELECT v.id, v.revision FROM value v) x "
                             "JOIN value v ON v.id = x.value_id JOIN organization o ON o.id = v.org_id "
                             "WHERE o.code LIKE 'HT-C%' GROUP BY x.value_id")
    assert len(revisions) == 2000
    assert all(r[0] == [1, 2, 3] for r in revisions)
