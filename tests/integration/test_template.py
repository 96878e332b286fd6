"""GET /v1/values/template: the figures still to report, as a file an officer fills in Excel and
sends back as it is."""
import io
from decimal import Decimal

import openpyxl
import pytest


def rows(r):
    assert r.status_code == 200, r.text
    return r.json(parse_float=Decimal)["rows"]


def test_a_blocs_members_times_the_indicators_named_with_the_figures_known(api):
    got = rows(api.get("/v1/values/template", params={"bloc": "HN-CUM1", "period": "2023H1",
                                                       "indicator": "new_grassroots_unions,new_members"}))
    members = ["HN-BD", "HN-DD", "HN-HBT", "HN-HK", "HN-HM", "HN-LB"]
    assert [(r["org"], r["indicator"]) for r in got] == [(m, i) for m in members
                                                         for i in ("new_grassroots_unions", "new_members")]
    hbt = next(r for r in got if (r["org"], r["indicator"]) == ("HN-HBT", "new_grassroots_unions"))
    # the article: Hai Bà Trưng founded 19 grassroots unions in the first half of 2023
    assert (hbt["actual"], hbt["target"], hbt["period"]) == (19, None, "2023H1")
    assert hbt["name"] == "Liên đoàn Lao động quận Hai Bà Trưng"
    assert all(r["actual"] is None for r in got if r["indicator"] == "new_members")


def test_only_missing_keeps_the_rows_without_an_actual(api):
    """The article gives new grassroots unions for Long Biên, Hai Bà Trưng and Ba Đình only."""
    got = rows(api.get("/v1/values/template", params={"bloc": "HN-CUM1", "period": "2023H1", "only": "missing",
                                                       "indicator": "new_grassroots_unions"}))
    assert [r["org"] for r in got] == ["HN-DD", "HN-HK", "HN-HM"]


def test_a_subtree_times_indicators(api):
    got = rows(api.get("/v1/values/template", params={"under": "HT", "period": "2024", "indicator": "new_members"}))
    orgs = [r["org"] for r in got]
    assert orgs[0] == "HT" and "HT-NG-VC" in orgs and all(o == "HT" or o.startswith("HT-") for o in orgs)


def test_a_scoped_key_gets_only_what_it_may_write(as_role):
    editor_ht = as_role("editor_ht")
    mine = rows(editor_ht.get("/v1/values/template", params={"under": "HT", "period": "2024",
                                                              "indicator": "new_members"}))
    assert mine and all(r["org"] == "HT" or r["org"].startswith("HT-") for r in mine)
    r = editor_ht.get("/v1/values/template", params={"under": "VN", "period": "2024", "indicator": "new_members"})
    assert (r.status_code, r.json()["code"]) == (403, "out_of_scope")
    r = editor_ht.get("/v1/values/template", params={"bloc": "HN-CUM1", "period": "2023H1",
                                                     "indicator": "new_members"})
    assert r.status_code in (400, 404) and r.json()["code"] in ("bloc_not_found", "unknown_bloc"), r.text


@pytest.mark.parametrize("params, status, code", [
    ({"period": "2024", "indicator": "new_members"}, 400, "missing_parameter"),
    ({"bloc": "HN-CUM1", "under": "HN", "period": "2023"}, 400, "missing_parameter"),
    ({"under": "HT", "period": "2024"}, 400, "missing_parameter"),
    ({"bloc": "HN-CUM1", "period": "2023"}, 400, "missing_parameter"),  # no criteria: name indicators
    ({"bloc": "HN-CUM1", "period": "2021", "indicator": "new_members"}, 404, "bloc_year_not_found"),
    ({"bloc": "NO-SUCH", "period": "2023", "indicator": "new_members"}, 400, "unknown_bloc"),
    ({"under": "HT", "period": "2024Q5", "indicator": "new_members"}, 400, "invalid_period"),
    ({"under": "HT", "period": "2024", "indicator": "no_such"}, 400, "unknown_indicator"),
    ({"under": "HT", "period": "2024", "indicator": "new_members", "only": "all"}, 400, "invalid_parameter"),
])
def test_what_a_template_needs_is_said(api, params, status, code):
    r = api.get("/v1/values/template", params=params)
    assert (r.status_code, r.json()["code"]) == (status, code), r.text


def test_a_filled_template_comes_back_in(make_db, make_server):
    """The officer's round trip: a workbook of the bloc's members × its criteria, two figures
    typed in Excel, the workbook sent back as it is: the two are written, the blank rows left."""
    url = make_db()
    _, admin = make_server(url, role="admin")
    year = {"members": ["HN-HBT", "HN-HM", "HN-BD", "HN-LB", "HN-HK", "HN-DD"],
            "criteria": [{"indicator": "new_members", "weight": 50},
                         {"indicator": "new_grassroots_unions", "weight": 50}]}
    assert admin.put("/v1/blocs/HN-CUM1/years/2024", json=year).status_code == 201
    r = admin.get("/v1/values/template", params={"bloc": "HN-CUM1", "period": "2024", "format": "csv"})
    assert r.status_code == 200
    assert r.headers["Content-Disposition"] == 'attachment; filename="thidua-template-HN-CUM1-2024.csv"'
    text = r.content.decode("utf-8")
    assert text.splitlines()[0] == ("\ufeffMã đơn vị,Tên,Mã chỉ số,Chỉ số,Đơn vị tính,Mã kỳ,Thực hiện,Chỉ tiêu,"
                                    "Ghi chú")
    assert len(text.splitlines()) == 1 + 12

    x = admin.get("/v1/values/template", params={"bloc": "HN-CUM1", "period": "2024", "format": "xlsx"})
    assert x.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(x.content))
    sheet = book.worksheets[0]
    assert sheet["A1"].value.startswith("Mẫu nhập số liệu — HN-CUM1-2024 — thidua, ngày ")
    header = [c.value for c in sheet[3]]
    actual_col = header.index("Thực hiện") + 1
    filled = 0
    for row in sheet.iter_rows(min_row=4):
        if row[0].value == "HN-HBT":
            sheet.cell(row=row[0].row, column=actual_col, value=120 if row[2].value == "new_members" else 7)
            filled += 1
    assert filled == 2
    out = io.BytesIO()
    book.save(out)
    back = admin.put("/v1/values", data=out.getvalue(),
                     headers={"Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})
    assert back.status_code == 200, back.text
    s = back.json()
    assert (s["created"], s["updated"], s["blank"], s["rejected_count"]) == (2, 0, 10, 0)
    assert s["ignored_columns"] == ["Tên", "Chỉ số", "Đơn vị tính"]
    again = rows(admin.get("/v1/values/template", params={"bloc": "HN-CUM1", "period": "2024", "only": "missing"}))
    assert len(again) == 10 and "HN-HBT" not in {r["org"] for r in again}
