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
    # exact, in the shortest form: 2516.100 as typed is 2516.1, 1200.0 is 1200
    assert '"actual":2529.554,"target":2516.1,' in got
    assert '"actual":1200,"target":1200,' in got


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


def test_empty_cell_keeps_and_empty_clear_clears(editor):
    """An empty cell leaves the stored field alone (HT-NG-VC,tet_gifts,2026,35,, must not wipe a
    target someone else set); clearing is explicit: empty=clear, or null in JSON."""
    api, _ = editor
    assert put_csv(api, HEADER + "HT-NG-VC,new_members,2024,10,100,ghi chú\n").status_code == 200
    r = put_csv(api, HEADER + "HT-NG-VC,new_members,2024,35,,\n")
    assert (r.status_code, r.json()["updated"]) == (200, 1)
    v = value(api, "HT-NG-VC", "new_members", "2024")
    assert (v["actual"], v["target"], v["note"]) == (35, 100, "ghi chú")
    r = put_csv(api, "org,indicator,period,target\nHT-NG-VC,new_members,2024,25\n")
    assert r.json()["updated"] == 1
    v = value(api, "HT-NG-VC", "new_members", "2024")
    assert (v["actual"], v["target"], v["note"]) == (35, 25, "ghi chú")
    r = put_csv(api, "org,indicator,period,note\nHT-NG-VC,new_members,2024,\n", {"empty": "clear"})
    assert r.json()["updated"] == 1
    v = value(api, "HT-NG-VC", "new_members", "2024")
    assert (v["actual"], v["target"], v["note"], v["revision"]) == (35, 25, None, 4)
    r = api.put("/v1/values", data=b'[{"org": "HT-NG-VC", "indicator": "new_members", "period": "2024", "target": null}]',
                headers={"Content-Type": "application/json"})
    assert r.json()["updated"] == 1
    assert value(api, "HT-NG-VC", "new_members", "2024")["target"] is None
    bad = put_csv(api, HEADER + "HT-NG-VC,new_members,2024,1,,\n", {"empty": "wipe"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "empty"


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


# ---- numbers typed the Vietnamese way are never misread

def test_semicolons_imply_decimal_commas(editor):
    """Excel under Vietnamese regional settings saves `;` between fields and `,` before decimals:
    2.350 there is two thousand three hundred and fifty people, never 2.35."""
    api, _ = editor
    text = "org;indicator;period;actual;target\nHT;new_members;2025;2.350;2.000\nHT;shelter_fund_raised;2025;2.529,554;\n"
    r = put_csv(api, text)
    assert r.status_code == 200, r.text
    assert (value(api, "HT", "new_members", "2025")["actual"], value(api, "HT", "new_members", "2025")["target"]) == (2350, 2000)
    assert value(api, "HT", "shelter_fund_raised", "2025")["actual"] == Decimal("2529.554")


def test_a_number_that_depends_on_the_convention_is_refused_with_both_readings(editor):
    api, _ = editor
    r = put_csv(api, HEADER + "HT,new_members,2025,2.350,,\n")
    assert r.status_code == 422
    msg = r.json()["rejected"][0]["message"]
    assert msg == ("actual: 2.350 reads as 2.350 with a decimal point, or as 2350 with dots between thousands; "
                   "say which: send decimal=point or decimal=comma")
    assert value(api, "HT", "new_members", "2025") is None
    assert put_csv(api, HEADER + "HT,new_members,2025,2.350,,\n", {"decimal": "point"}).status_code == 200
    assert value(api, "HT", "new_members", "2025")["actual"] == Decimal("2.35")
    assert put_csv(api, HEADER + "HT,new_members,2025,2.350,,\n", {"decimal": "comma"}).status_code == 200
    assert value(api, "HT", "new_members", "2025")["actual"] == 2350


@pytest.mark.parametrize("text, params, said", [
    ('"1.234.567"', {}, "actual: 1.234.567 reads as 1234567 only with a decimal comma (Vietnamese style, 2.529,554); "
                        "send decimal=comma to read it so, or write it as 1234567"),
    ('"2,5"', {}, "actual: 2,5 reads as 2.5 only with a decimal comma (Vietnamese style, 2.529,554); "
                  "send decimal=comma to read it so, or write it as 2.5"),
    ('"2,500"', {}, "actual: 2,500 reads as 2.500 with a decimal comma, or as 2500 with a comma between thousands; "
                    "send decimal=comma for the first, or write the number without separators"),
    ('"2,5"', {"decimal": "point"}, "actual: 2,5 reads as 2.5 only with a decimal comma (Vietnamese style, 2.529,554); "
                                    "send decimal=comma to read it so, or write it as 2.5"),
    ("2.35", {"decimal": "comma"}, "actual: 2.35 is not a number with a decimal comma (2.529,554: dots between "
                                   "thousands, a comma before the decimals); if it means 2.35, send decimal=point"),
])
def test_numbers_only_one_convention_reads_are_refused_with_the_way_out(editor, text, params, said):
    api, _ = editor
    r = put_csv(api, HEADER + f"HT,new_members,2025,{text},,\n", params)
    assert r.status_code == 422, r.text
    assert r.json()["rejected"][0]["message"] == said


def test_a_semicolon_file_with_decimal_points_is_refused_not_misread(editor):
    api, _ = editor
    r = put_csv(api, "org;indicator;period;actual\nHT;new_members;2025;2.35\n")
    assert r.status_code == 422
    msg = r.json()["rejected"][0]["message"]
    assert "a file separated by semicolons" in msg and "send decimal=point" in msg
    assert put_csv(api, "org;indicator;period;actual\nHT;new_members;2025;2.35\n",
                   {"decimal": "point"}).status_code == 200
    assert value(api, "HT", "new_members", "2025")["actual"] == Decimal("2.35")


def test_plain_numbers_and_json_numbers_need_no_declaration(editor):
    api, _ = editor
    r = put_csv(api, HEADER + "HT,new_members,2025,2350,2000.5,\nHT,initiatives,2025,0.500,,\n")
    assert r.status_code == 200, r.text
    r = api.put("/v1/values", data=b'[{"org": "HT", "indicator": "tet_gifts", "period": "2025", "actual": 2.350}]',
                headers={"Content-Type": "application/json"})
    assert r.status_code == 200, r.text
    assert value(api, "HT", "tet_gifts", "2025")["actual"] == Decimal("2.35")
    assert value(api, "HT", "initiatives", "2025")["actual"] == Decimal("0.5")


# ---- what a summary says

def test_written_is_false_when_nothing_is_stored(editor):
    api, _ = editor
    first = put_csv(api, HEADER + "HT-NG-VC,new_members,2024,1,,\n")
    assert (first.json()["written"], first.json()["created"]) == (True, 1)
    again = put_csv(api, HEADER + "HT-NG-VC,new_members,2024,1,,\n")
    assert (again.json()["written"], again.json()["unchanged"]) == (False, 1)
    skipped = put_csv(api, HEADER + "HT-NG-VC,new_members,2024,abc,,\n", {"on_error": "skip"})
    assert (skipped.status_code, skipped.json()["written"], skipped.json()["rejected_count"]) == (200, False, 1)


def test_dry_run_shows_each_change_before_and_after(editor):
    api, _ = editor
    assert put_csv(api, HEADER + "HT-NG-VC,new_members,2024,10,100,cũ\n").status_code == 200
    text = HEADER + "HT-NG-VC,new_members,2024,12,,\nHT-NG-VC,initiatives,2024,5,,mới\nHT-NG-VC,tet_gifts,2024,,,\n"
    r = put_csv(api, text.replace("HT-NG-VC,tet_gifts,2024,,,\n", ""), {"dry_run": "true"})
    assert r.status_code == 200, r.text
    s = r.json()
    assert (s["written"], s["created"], s["updated"], s["changes_count"]) == (False, 1, 1, 2)
    assert s["changes"] == [
        {"line": 2, "org": "HT-NG-VC", "indicator": "new_members", "period": "2024", "operation": "update",
         "before": {"actual": 10, "target": 100, "note": "cũ"}, "after": {"actual": 12, "target": 100, "note": "cũ"}},
        {"line": 3, "org": "HT-NG-VC", "indicator": "initiatives", "period": "2024", "operation": "create",
         "after": {"actual": 5, "target": None, "note": "mới"}},
    ]
    assert value(api, "HT-NG-VC", "new_members", "2024")["actual"] == 10


def test_a_re_push_into_a_locked_period_passes_for_the_rows_that_change_nothing(make_db, make_server):
    url = make_db()
    _, editor_api = make_server(url, role="editor")
    _, admin = make_server(url, role="admin")
    rows = HEADER + "HT-NG-VC,new_members,2024,10,,\nHT-NG-VC,initiatives,2024,3,,\n"
    assert put_csv(editor_api, rows).status_code == 200
    lock = admin.post("/v1/locks", json={"org": "HT", "period": "2024"})
    assert lock.status_code == 201, lock.text
    again = put_csv(editor_api, rows)
    assert again.status_code == 200, again.text
    assert (again.json()["unchanged"], again.json()["written"]) == (2, False)
    changed = put_csv(editor_api, rows.replace(",3,", ",4,"))
    assert changed.status_code == 409
    assert [(x["line"], x["field"], x["code"]) for x in changed.json()["rejected"]] == [(3, "period", "period_locked")]
    assert value(editor_api, "HT-NG-VC", "initiatives", "2024")["actual"] == 3


# ---- an export comes back in

def test_an_exported_csv_comes_back_in_as_it_is(editor):
    """GET ...&format=csv, change a cell, PUT the same file: the Vietnamese titles are read as the
    columns they name, the export's read-only columns are ignored and listed, the decimal points
    of the export are read as such (2529.554, 2516.1)."""
    api, _ = editor
    r = api.get("/v1/values", params={"bloc": "HT-KHOI-NGANH", "period": "2022", "format": "csv"})
    assert r.status_code == 200
    text = r.content.decode("utf-8")
    assert text.startswith("\ufeffMã đơn vị,Mã khối/cụm,Mã chỉ số,Chỉ số,Mã kỳ,Thực hiện,Chỉ tiêu,Ghi chú")
    lines = text.split("\r\n")
    edited = [l for l in lines if ",new_members," in l]
    assert len(edited) == 1
    fields = edited[0].split(",")
    fields[5] = str(int(fields[5]) + 1)
    body = text.replace(edited[0], ",".join(fields))
    back = put_csv(api, None, raw=body.encode("utf-8"))
    assert back.status_code == 200, back.text
    s = back.json()
    rows = len([l for l in lines[1:] if l])
    assert (s["updated"], s["unchanged"], s["created"], s["rejected_count"]) == (1, rows - 1, 0, 0)
    assert s["ignored_columns"] == ["Chỉ số", "Lần sửa", "Cập nhật lúc", "Người cập nhật"]
    got = api.get("/v1/values", params={"bloc": "HT-KHOI-NGANH", "indicator": "shelter_fund_raised"}).text
    assert '"actual":2529.554,' in got and '"target":2516.1,' in got


def test_an_export_saved_the_vietnamese_way_comes_back_in(editor):
    api, _ = editor
    r = api.get("/v1/values", params={"bloc": "HT-KHOI-NGANH", "period": "2022", "format": "csv", "decimal": "comma"})
    back = put_csv(api, None, raw=r.content)
    assert back.status_code == 200, back.text
    assert (back.json()["updated"], back.json()["rejected_count"]) == (0, 0)


def test_a_header_nobody_wrote_is_still_refused(editor):
    api, _ = editor
    r = put_csv(api, "org,indicator,period,thuc_hien\nHT,new_members,2025,1\n")
    assert r.status_code == 400
    assert r.json()["errors"][0]["message"].startswith("unknown column 'thuc_hien' in the header")


def test_a_title_line_above_the_header_is_skipped(editor):
    """Officers put a title over their table; an XLSX export writes one."""
    api, _ = editor
    r = put_csv(api, "BÁO CÁO SỐ LIỆU NĂM 2025,,,,,\n,,,,,\n" + HEADER + "HT-NG-VC,new_members,2025,12,,\n")
    assert r.status_code == 200, r.text
    assert value(api, "HT-NG-VC", "new_members", "2025")["actual"] == 12


def test_an_organizations_workbook_comes_back_in_unchanged(make_db, make_server):
    """Kinds shown in Vietnamese (LĐLĐ quận, huyện), dates as Excel dates, a title row: the export
    of the organizations of a day, sent back as it is, changes nothing."""
    url = make_db()
    _, admin = make_server(url, role="admin")
    x = admin.get("/v1/organizations", params={"under": "HN", "on": "2023-06-30", "format": "xlsx", "limit": 1000})
    assert x.status_code == 200
    import io
    import openpyxl
    sheet = openpyxl.load_workbook(io.BytesIO(x.content)).worksheets[0]
    header = [c.value for c in sheet[3]]
    kinds = {row[header.index("Loại")] for row in sheet.iter_rows(min_row=4, values_only=True)}
    assert "LĐLĐ quận, huyện" in kinds and "district" not in kinds
    back = admin.put("/v1/organizations", data=x.content,
                     headers={"Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})
    assert back.status_code == 200, back.text
    s = back.json()
    assert (s["created"], s["updated"], s["rejected_count"], s["written"]) == (0, 0, 0, False)
    assert s["unchanged"] == sheet.max_row - 3


def test_a_row_that_gives_no_figure_is_skipped_and_counted_not_refused(editor):
    """A template's rows left blank say nothing: counted in `blank`, nothing written, nothing
    refused. In JSON an element that gives no figure is still refused (it is a mistake there)."""
    api, _ = editor
    r = put_csv(api, HEADER + "HT-NG-VC,new_members,2024,,,\nHT-NG-VC,initiatives,2024,3,,\n")
    assert r.status_code == 200, r.text
    assert (r.json()["blank"], r.json()["created"], r.json()["rejected_count"]) == (1, 1, 0)
    assert value(api, "HT-NG-VC", "new_members", "2024") is None
    j = api.put("/v1/values", data=b'[{"org": "HT-NG-VC", "indicator": "new_members", "period": "2024"}]',
                headers={"Content-Type": "application/json"})
    assert j.status_code == 422
    assert (j.json()["rejected"][0]["code"], j.json()["rejected"][0]["field"]) == ("missing_field", "actual")
