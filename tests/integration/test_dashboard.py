"""The dashboard's figures. Expected values come from the articles or are
computed here by hand, never by the code under test."""
import csv
import io
import re
from decimal import Decimal

import openpyxl
import pytest


def items(r):
    assert r.status_code == 200, r.text
    return {i["indicator"]: i for i in r.json(parse_float=Decimal)["items"]}


# ---------------------------------------------------------------- the articles

def test_ha_tinh_bloc_totals_2022(api):
    got = items(api.get("/v1/blocs/HT-KHOI-NGANH/summary", params={"period": "2022"}))
    assert {k: got[k]["completion_pct"] for k in ["new_members", "new_grassroots_unions", "shelter_fund_raised",
                                                   "officials_conferences", "worker_conferences",
                                                   "workplace_dialogues"]} == {
        "new_members": Decimal("183.5"),           # 2202 / 1200
        "new_grassroots_unions": Decimal("133.33"),  # 12 / 9
        "shelter_fund_raised": Decimal("100.53"),    # 2529.554 / 2516.100
        "officials_conferences": 100,                # 134 / 134
        "worker_conferences": Decimal("98.57"),      # 138 / 140
        "workplace_dialogues": 100,                  # 141 / 141
    }
    assert (got["shelter_fund_raised"]["actual"], got["shelter_fund_raised"]["target"]) == (Decimal("2529.554"),
                                                                                             Decimal("2516.100"))
    assert all(i["source"] == "reported" for i in got.values())


def test_the_article_rounds_as_the_api_does_not(api):
    """183.5 is what the API says; "184%" is what the article printed:
    rounding to whole percent is the dashboard's business."""
    r = api.get("/v1/blocs/HT-KHOI-NGANH/summary", params={"period": "2022"})
    assert '"completion_pct":183.5,' in r.text


def test_hai_phong_nine_months_progress_and_change(api):
    got = items(api.get("/v1/organizations/HP/summary", params={"period": "2022YTD09"}))
    fund = got["shelter_fund_raised"]
    assert (fund["actual"], fund["year_target"], fund["year_progress_pct"]) == (4400, 6000, Decimal("73.33"))
    assert (fund["previous"], fund["yoy_pct"]) == (3730, Decimal("17.96"))
    assert got["officials_conferences"]["completion_pct"] == 100            # 1303 / 1303
    assert got["worker_conferences"]["completion_pct"] == Decimal("84.41")  # 704 / 834
    assert got["initiatives"]["completion_pct"] == 100                      # 20927 / 20927


def test_thanh_khe_collective_agreements(api):
    got = items(api.get("/v1/organizations/DN-TK/summary", params={"period": "2023"}))
    assert got["collective_agreements"]["completion_pct"] == 175  # 14 / 8: "vượt 75% chỉ tiêu"


def test_cum1_ranking_by_new_grassroots_unions(api):
    r = api.get("/v1/blocs/HN-CUM1/scoreboard", params={"period": "2023H1", "indicator": "new_grassroots_unions"})
    assert r.status_code == 200
    board = r.json()
    assert [(m["org"], m["rank"], m["score"]) for m in board["members"]] == [
        ("HN-HBT", 1, 19), ("HN-LB", 2, 16), ("HN-BD", 3, 15),
        ("HN-DD", None, None), ("HN-HK", None, None), ("HN-HM", None, None)]
    assert [m["missing"] for m in board["members"][3:]] == [["new_grassroots_unions"]] * 3
    assert board["leading"] == ["HN-HBT"]
    assert board["leader_person"] == "Phan Thị Thu Hằng"


def test_three_cities_roll_up_to_the_confederation(api):
    r = api.get("/v1/organizations/VN/breakdown", params={"indicator": "initiatives", "period": "2022H1"})
    b = r.json()
    assert b["children_total"]["actual"] == 75852  # 51500 + 18500 + 5852
    assert b["reported"]["actual"] is None and b["discrepancy"]["actual"] is None
    assert b["children_reporting"] == 3
    assert {c["org"]: c["actual"] for c in b["children"]} == {"DN": None, "HN": 51500, "HP": 18500, "HT": None,
                                                            "QN": 5852}


# ---------------------------------------------------------------- hand-made data

@pytest.fixture(scope="module")
def made(pg, demo_template, make_server_module):
    """A province P with districts D1 (dissolved 2025-06-30) and D2, a ward
    W1 from 2025-07-01; grassroots G1 (D1, then W1) and G2 (D2); and a bloc
    T-CUM of five members with criteria, bonuses and penalties."""
    url = pg.create_database("dashboard_made", template=demo_template)
    pg.query("dashboard_made", """
        INSERT INTO organization (code, name, kind, valid_from, valid_to) VALUES
            ('P', 'Tỉnh P', 'province', NULL, NULL),
            ('D1', 'Quận 1', 'district', NULL, '2025-06-30'),
            ('D2', 'Quận 2', 'district', NULL, NULL),
            ('W1', 'Phường 1', 'commune', '2025-07-01', NULL),
            ('G1', 'Cơ sở 1', 'grassroots', NULL, NULL),
            ('G2', 'Cơ sở 2', 'grassroots', NULL, NULL),
            ('X', 'Đơn vị X', 'other', NULL, NULL),
            ('TA', 'Thành viên A', 'other', NULL, NULL), ('TB', 'Thành viên B', 'other', NULL, NULL),
            ('TC', 'Thành viên C', 'other', NULL, NULL), ('TD', 'Thành viên D', 'other', NULL, NULL),
            ('TE', 'Thành viên E', 'other', NULL, NULL);
        INSERT INTO organization_parent (org_id, parent_id, valid_from, valid_to)
        SELECT o.id, p.id, f, t FROM (VALUES
            ('P', 'VN', NULL::date, NULL::date), ('D1', 'P', NULL, '2025-06-30'), ('D2', 'P', NULL, NULL),
            ('W1', 'P', '2025-07-01', NULL), ('G1', 'D1', NULL, '2025-06-30'), ('G1', 'W1', '2025-07-01', NULL),
            ('G2', 'D2', NULL, NULL)) AS l(c, p, f, t)
        JOIN organization o ON o.code = l.c JOIN organization p ON p.code = l.p;
        SELECT value_put(o, NULL, i, p, a, t, NULL) FROM (VALUES
            ('G1', 'new_members', '2024', 5::numeric, NULL::numeric), ('G2', 'new_members', '2024', 3, NULL),
            ('G1', 'new_members', '2025H2', 7, NULL), ('G2', 'new_members', '2025H2', 4, NULL),
            ('X', 'new_members', '2024Q1', 10, 12), ('X', 'new_members', '2024Q2', 20, 18),
            ('X', 'new_members', '2024Q3', 30, 30), ('X', 'new_members', '2024Q4', 40, 40),
            ('X', 'new_members', '2023H1', 30, NULL), ('X', 'new_members', '2023Q3', 30, NULL),
            ('X', 'collective_agreements', '2024Q1', 1, NULL), ('X', 'collective_agreements', '2024Q2', 2, NULL),
            ('X', 'collective_agreements', '2024Q3', 3, NULL),
            ('X', 'workplace_dialogues', '2024M01', 1, NULL), ('X', 'workplace_dialogues', '2024M02', 2, NULL),
            ('X', 'workplace_dialogues', '2024M03', 3, NULL), ('X', 'workplace_dialogues', '2024M04', 4, NULL),
            ('X', 'workplace_dialogues', '2024M05', 5, NULL), ('X', 'workplace_dialogues', '2024M06', 6, NULL),
            ('X', 'workplace_dialogues', '2024M07', 7, NULL), ('X', 'workplace_dialogues', '2024M08', 8, NULL),
            ('X', 'workplace_dialogues', '2024M09', 9, NULL),
            ('X', 'members', '2024Q3', 480, NULL), ('X', 'members', '2024M12', 500, NULL),
            ('X', 'members', '2024H1', 450, NULL),
            ('TA', 'new_members', '2024', 130, 100), ('TA', 'collective_agreements', '2024', 12, 10),
            ('TB', 'new_members', '2024', 100, 100), ('TB', 'collective_agreements', '2024', 10, 10),
            ('TC', 'new_members', '2024', 110, 100), ('TC', 'collective_agreements', '2024', 9, 10),
            ('TD', 'new_members', '2024', 50, 100), ('TD', 'collective_agreements', '2024', 15, 20),
            ('TE', 'new_members', '2024', 90, 100)
        ) AS v(o, i, p, a, t);
    """)
    return url


@pytest.fixture(scope="module")
def make_server_module(contract, keys):
    from conftest import bearer
    from contract import Api
    from server import Server
    started = []

    def make(url):
        srv = Server(url)
        started.append(srv)
        return Api(srv.url, contract, bearer(keys["admin"]))
    yield make
    for srv in started:
        assert srv.stop() == 0


@pytest.fixture(scope="module")
def mapi(made, make_server_module):
    return make_server_module(made)


def figure(api, org, indicator, period):
    r = api.get(f"/v1/organizations/{org}/summary", params={"period": period})
    return items(r).get(indicator)


def test_a_year_from_its_quarters(mapi):
    f = figure(mapi, "X", "new_members", "2024")
    assert (f["actual"], f["target"], f["source"]) == (100, 100, "periods")  # 10+20+30+40, 12+18+30+40
    assert f["completion_pct"] == 100


def test_nine_months_from_three_quarters(mapi):
    f = figure(mapi, "X", "new_members", "2024YTD09")
    assert (f["actual"], f["source"]) == (60, "periods")
    assert f["year_target"] == 100 and f["year_progress_pct"] == 60


def test_nine_months_from_months(mapi):
    assert figure(mapi, "X", "workplace_dialogues", "2024YTD09")["actual"] == 45  # 1+...+9


def test_a_half_and_a_quarter_make_nine_months(mapi):
    f = figure(mapi, "X", "new_members", "2023YTD09")
    assert (f["actual"], f["source"]) == (60, "periods")  # 2023H1 30 + 2023Q3 30


def test_an_incomplete_year_derives_nothing_and_says_what_is_missing(mapi):
    f = figure(mapi, "X", "collective_agreements", "2024")
    assert f["actual"] is None and f["source"] is None
    assert f["missing"] == ["2024Q4"]
    assert figure(mapi, "X", "workplace_dialogues", "2024")["missing"] == ["2024M10", "2024M11", "2024M12"]


def test_a_stock_takes_the_level_at_the_end(mapi):
    assert figure(mapi, "X", "members", "2024")["actual"] == 500      # 2024M12 ends the year
    assert figure(mapi, "X", "members", "2024Q3")["actual"] == 480    # reported
    assert figure(mapi, "X", "members", "2024YTD06")["actual"] == 450  # 2024H1 ends the same day


def test_a_reported_figure_wins(mapi, pg):
    pg.query("dashboard_made", "SELECT value_put('X', NULL, 'new_members', '2024', 95, NULL, NULL)")
    f = figure(mapi, "X", "new_members", "2024")
    assert (f["actual"], f["source"]) == (95, "reported")
    assert f["target"] == 100  # no reported target: still from the quarters
    pg.query("dashboard_made", "DELETE FROM value WHERE org_id = (SELECT id FROM organization WHERE code = 'X') "
                                "AND period_id = (SELECT id FROM period WHERE code = '2024') "
                                "AND indicator_id = (SELECT id FROM indicator WHERE code = 'new_members')")


def test_roll_up_through_the_hierarchy_of_each_period(mapi):
    f = figure(mapi, "P", "new_members", "2024")
    assert (f["actual"], f["source"]) == (8, "children")  # G1 5 via D1, G2 3 via D2
    b = mapi.get("/v1/organizations/P/breakdown", params={"indicator": "new_members", "period": "2024"}).json()
    assert [(c["org"], c["actual"], c["source"]) for c in b["children"]] == [("D1", 5, "children"),
                                                                              ("D2", 3, "children")]
    after = mapi.get("/v1/organizations/P/breakdown", params={"indicator": "new_members", "period": "2025H2"}).json()
    # D1 was dissolved; G1 now counts through the ward
    assert [(c["org"], c["actual"]) for c in after["children"]] == [("W1", 7), ("D2", 4)]
    assert after["children_total"]["actual"] == 11


def test_breakdown_shows_the_discrepancy(mapi, pg):
    pg.query("dashboard_made", "SELECT value_put('P', NULL, 'new_members', '2024', 10, NULL, NULL)")
    b = mapi.get("/v1/organizations/P/breakdown", params={"indicator": "new_members", "period": "2024"}).json()
    assert (b["reported"]["actual"], b["children_total"]["actual"], b["discrepancy"]["actual"]) == (10, 8, 2)
    assert figure(mapi, "P", "new_members", "2024")["source"] == "reported"


def test_a_series_shows_gaps_as_gaps(mapi):
    r = mapi.get("/v1/series", params={"org": "X", "indicator": "new_members", "from": 2022, "to": 2024,
                                       "every": "quarter"})
    points = r.json(parse_float=Decimal)["points"]
    assert len(points) == 12
    assert [(p["period"], p["actual"], p["source"]) for p in points] == [
        ("2022Q1", None, None), ("2022Q2", None, None), ("2022Q3", None, None), ("2022Q4", None, None),
        ("2023Q1", None, None), ("2023Q2", None, None), ("2023Q3", 30, "reported"), ("2023Q4", None, None),
        ("2024Q1", 10, "reported"), ("2024Q2", 20, "reported"), ("2024Q3", 30, "reported"), ("2024Q4", 40, "reported")]
    assert points[8]["completion_pct"] == Decimal("83.33")  # 10 / 12


def test_a_five_year_chart(api):
    r = api.get("/v1/series", params={"org": "HP", "indicator": "shelter_fund_raised", "from": 2020, "to": 2024})
    points = r.json()["points"]
    assert [p["period"] for p in points] == ["2020", "2021", "2022", "2023", "2024"]
    assert [p["target"] for p in points] == [None, None, 6000, None, None]
    assert all(p["actual"] is None for p in points)  # only nine months are known: no year is claimed


def test_scoreboard_with_criteria_bonus_penalty_and_a_tie(mapi):
    year = {"members": ["TA", "TB", "TC", "TD", "TE"], "leader": "TA", "deputy": "TB",
            "criteria": [{"indicator": "new_members", "weight": 40, "cap_pct": 120},
                         {"indicator": "collective_agreements", "weight": 60, "cap_pct": 100}],
            "adjustments": [{"org": "TA", "points": 2, "reason": "Kiểm tra chéo"},
                            {"org": "TB", "points": 5, "reason": "Mô hình hay"},
                            {"org": "TC", "points": 8, "reason": "Sáng kiến"},
                            {"org": "TC", "points": -1, "reason": "Báo cáo chậm"},
                            {"org": "TD", "points": -3, "reason": "Báo cáo chậm"}]}
    assert mapi.put("/v1/blocs/T-CUM", json={"name": "Cụm thử", "kind": "cum", "organizer": "VN"}).status_code == 201
    assert mapi.put("/v1/blocs/T-CUM/years/2024", json=year).status_code == 201
    board = mapi.get("/v1/blocs/T-CUM/scoreboard", params={"period": "2024"}).json(parse_float=Decimal)
    got = [(m["org"], m["rank"], m["score"], m["bonus"], m["penalty"]) for m in board["members"]]
    # TA: min(130%,120%)×40 = 48, min(120%,100%)×60 = 60, +2          = 110
    # TB: 100%×40 = 40, 100%×60 = 60, +5                              = 105
    # TC: 110%×40 = 44, 90%×60 = 54, +8 −1                            = 105
    # TD: 50%×40 = 20, 75%×60 = 45, −3                                = 62
    # TE: 90%×40 = 36, no collective agreements: unranked
    assert got == [("TA", 1, 110, 2, None), ("TB", 2, 105, 5, None), ("TC", 2, 105, 8, 1),
                   ("TD", 4, 62, None, 3), ("TE", None, 36, None, None)]
    assert board["leading"] == ["TA"] and board["leader"] == "TA" and board["deputy"] == "TB"
    ta = {c["indicator"]: c for c in board["members"][0]["criteria"]}
    assert (ta["new_members"]["completion_pct"], ta["new_members"]["points"]) == (130, 48)
    assert (ta["collective_agreements"]["completion_pct"], ta["collective_agreements"]["points"]) == (120, 60)
    te = board["members"][4]
    assert te["missing"] == ["collective_agreements"]
    ranks = {m["org"]: {c["indicator"]: c["rank"] for c in m["criteria"]} for m in board["members"]}
    assert [ranks[o]["new_members"] for o in ("TA", "TC", "TB", "TE", "TD")] == [1, 2, 3, 4, 5]
    assert [ranks[o]["collective_agreements"] for o in ("TA", "TB", "TC", "TD", "TE")] == [1, 1, 3, 4, None]


def test_scoreboard_by_completion(mapi):
    board = mapi.get("/v1/blocs/T-CUM/scoreboard", params={"period": "2024", "indicator": "collective_agreements",
                                                          "by": "completion"}).json()
    assert [(m["org"], m["rank"], m["score"]) for m in board["members"]] == [
        ("TA", 1, 120), ("TB", 2, 100), ("TC", 3, 90), ("TD", 4, 75), ("TE", None, None)]


@pytest.mark.parametrize("path,params,status,code", [
    ("/v1/organizations/HP/summary", {}, 400, "missing_parameter"),
    ("/v1/organizations/HP/summary", {"period": "2022Q5"}, 400, "invalid_period"),
    ("/v1/organizations/NOPE/summary", {"period": "2022"}, 404, "organization_not_found"),
    ("/v1/organizations/HP/breakdown", {"period": "2022", "indicator": "nope"}, 400, "unknown_indicator"),
    ("/v1/blocs/HN-CUM1/scoreboard", {"period": "2023H1"}, 400, "missing_parameter"),
    ("/v1/blocs/HN-CUM1/scoreboard", {"period": "2019"}, 404, "bloc_year_not_found"),
    ("/v1/blocs/HN-CUM1/scoreboard", {"period": "2023", "indicator": "new_members", "by": "points"}, 400,
     "invalid_parameter"),
    ("/v1/series", {"org": "HP", "indicator": "new_members", "from": 2024, "to": 2020}, 400, "invalid_parameter"),
    ("/v1/series", {"org": "HP", "indicator": "new_members", "from": 1950, "to": 2024, "every": "month"}, 400,
     "invalid_parameter"),
    ("/v1/series", {"indicator": "new_members", "from": 2020, "to": 2024}, 400, "missing_parameter"),
    ("/v1/blocs/NOPE/summary", {"period": "2022"}, 404, "bloc_not_found"),
    ("/v1/organizations/HP/summary", {"period": "2022", "format": "pdf"}, 400, "invalid_parameter"),
])
def test_dashboard_errors(api, path, params, status, code):
    r = api.get(path, params=params)
    assert r.status_code == status, r.text
    assert r.json()["code"] == code


# ---------------------------------------------------------------- exports

def test_xlsx_scoreboard_read_back_cell_by_cell(api):
    r = api.get("/v1/blocs/HT-KHOI-NGANH/summary", params={"period": "2022", "format": "xlsx"})
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert r.headers["Content-Disposition"] == 'attachment; filename="thidua-summary-HT-KHOI-NGANH-2022.xlsx"'
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).active
    # what, of whom, which period, when: above the header
    assert re.fullmatch(r"Kết quả của khối, cụm thi đua — Khối thi đua các Công đoàn ngành tỉnh Hà Tĩnh — Năm 2022"
                        r" — thidua, ngày \d\d/\d\d/\d{4}", ws["A1"].value)
    assert ws["A2"].value is None
    header = [c.value for c in ws[3]]
    assert header[:6] == ["Mã chỉ số", "Chỉ số", "Đơn vị tính", "Thực hiện", "Chỉ tiêu", "Tỷ lệ hoàn thành (%)"]
    rows = {row[0]: row for row in ws.iter_rows(min_row=4, values_only=True)}
    nm = rows["new_members"]
    assert nm[1] == "Đoàn viên phát triển mới" and nm[2] == "người"
    assert (nm[3], nm[4]) == (2202, 1200)
    assert nm[5] == 1.835  # 183.5 %, stored as the double nearest 1.835 (not 183.5 / 100)
    at = list(rows).index("new_members") + 4
    assert ws.cell(row=at, column=6).number_format == "0.00%"
    assert ws.cell(row=at, column=4).number_format == "#,##0"  # thousands grouped
    fund = rows["shelter_fund_raised"]
    assert (fund[3], fund[4]) == (2529.554, 2516.1)
    assert ws.cell(row=list(rows).index("shelter_fund_raised") + 4, column=4).number_format == "#,##0.000"
    assert ws.column_dimensions["B"].width > 20
    # the same rows give the same file: a stable ETag
    again = api.get("/v1/blocs/HT-KHOI-NGANH/summary", params={"period": "2022", "format": "xlsx"})
    assert again.headers["ETag"] == r.headers["ETag"]


def test_csv_export_parses_back_with_vietnamese_intact(api):
    r = api.get("/v1/blocs/HN-CUM1/scoreboard", params={"period": "2023H1", "indicator": "new_grassroots_unions"},
                headers={"Accept": "text/csv"})
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/csv")
    assert r.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["Mã đơn vị", "Tên", "Xếp hạng", "Xếp hạng cùng kỳ năm trước", "Tổng điểm"]
    body = [dict(zip(rows[0], row)) for row in rows[1:]]
    assert [(b["Mã đơn vị"], b["Tên"], b["Xếp hạng"]) for b in body] == [
        ("HN-HBT", "Liên đoàn Lao động quận Hai Bà Trưng", "1"), ("HN-LB", "Liên đoàn Lao động quận Long Biên", "2"),
        ("HN-BD", "Liên đoàn Lao động quận Ba Đình", "3"), ("HN-DD", "Liên đoàn Lao động quận Đống Đa", ""),
        ("HN-HK", "Liên đoàn Lao động quận Hoàn Kiếm", ""), ("HN-HM", "Liên đoàn Lao động quận Hoàng Mai", "")]
    assert body[3]["Còn thiếu"] == "new_grassroots_unions"


def test_csv_for_vietnamese_excel_uses_decimal_commas(api):
    r = api.get("/v1/values", params={"bloc": "HT-KHOI-NGANH", "indicator": "shelter_fund_raised", "format": "csv",
                                      "decimal": "comma"})
    text = r.content.decode("utf-8-sig")
    header, row = text.splitlines()[:2]
    assert header.startswith("Mã đơn vị;Mã khối/cụm;Mã chỉ số;Chỉ số;Mã kỳ;Thực hiện;Chỉ tiêu;Ghi chú")
    assert ";2529,554;2516,1;" in row  # shortest exact form (2516.100 as typed)


def test_lists_export_whole(api):
    r = api.get("/v1/organizations", params={"format": "csv", "include_dissolved": "true"})
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert len(rows) == 1 + 14
    assert r.headers["Content-Disposition"] == 'attachment; filename="thidua-organizations.csv"'
    assert "X-Next-Cursor" not in r.headers
    cut = api.get("/v1/values", params={"format": "csv", "limit": 10})
    assert len(cut.content.decode("utf-8-sig").splitlines()) == 11
    assert cut.headers["X-Next-Cursor"]


@pytest.mark.parametrize("what", ["scoreboard", "summary"])
def test_a_bloc_over_a_congress_term_is_refused(api, what):
    """Members are a year's: a term (2023-2028) has no one set of them to compare."""
    r = api.get(f"/v1/blocs/HN-CUM1/{what}", params={"period": "2023-2028", "indicator": "new_grassroots_unions"}
                if what == "scoreboard" else {"period": "2023-2028"})
    assert (r.status_code, r.json()["code"]) == (400, "invalid_period")
    assert r.json()["detail"].endswith("give a period within a year (2023, 2023H1 …), not the term 2023-2028")


def test_a_period_given_twice_is_refused_not_first_wins(api):
    r = api.get("/v1/values?org=HP&period=2022&period=2023")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "period"


def test_the_scoreboard_says_where_each_member_ranked_a_year_before(make_db, make_server):
    """Ranked by new_members: 2023H1 TB 30 > TA 20 > TC 10; 2024H1 TA 50 > TC 40 > TB 5 (TD new).
    So in 2024H1: TA 1 (was 2), TC 2 (was 3), TB 3 (was 1), TD unranked, never ranked before."""
    _, admin = make_server(make_db(), role="admin")
    admin.post("/v1/organizations", json={"code": "TA", "name": "Thành viên A", "kind": "other"})
    for code, name in [("TA", "Thành viên A"), ("TB", "Thành viên B"), ("TC", "Thành viên C"), ("TD", "Thành viên D")]:
        if code != "TA":
            assert admin.post("/v1/organizations", json={"code": code, "name": name, "kind": "other"}).status_code == 201
    assert admin.put("/v1/blocs/T-CUM", json={"name": "Cụm thử", "kind": "cum", "organizer": "VN"}).status_code == 201
    assert admin.put("/v1/blocs/T-CUM/years/2023", json={"members": ["TA", "TB", "TC"]}).status_code == 201
    assert admin.put("/v1/blocs/T-CUM/years/2024", json={"members": ["TA", "TB", "TC", "TD"]}).status_code == 201
    body = ("org,indicator,period,actual\nTA,new_members,2023H1,20\nTB,new_members,2023H1,30\nTC,new_members,2023H1,10\n"
            "TA,new_members,2024H1,50\nTB,new_members,2024H1,5\nTC,new_members,2024H1,40\n")
    assert admin.put("/v1/values", data=body.encode(), headers={"Content-Type": "text/csv"}).status_code == 200
    board = admin.get("/v1/blocs/T-CUM/scoreboard", params={"period": "2024H1", "indicator": "new_members"}).json()
    assert [(m["org"], m["rank"], m["previous_rank"]) for m in board["members"]] == [
        ("TA", 1, 2), ("TC", 2, 3), ("TB", 3, 1), ("TD", None, None)]
    first = admin.get("/v1/blocs/T-CUM/scoreboard", params={"period": "2023H1", "indicator": "new_members"}).json()
    assert all(m["previous_rank"] is None for m in first["members"])  # no 2022 for this bloc
