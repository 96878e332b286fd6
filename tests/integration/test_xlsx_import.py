"""PUT /v1/values, /v1/organizations, /v1/indicators with an Excel workbook (.xlsx): the first
worksheet is the table, rows are named as Excel numbers them, numbers keep their digits, dates
become YYYY-MM-DD; workbooks that cannot be read are refused with a reason an officer can act on."""
import datetime
import io
import re
import struct
import time
import zipfile
import zlib
from decimal import Decimal

import openpyxl
import pytest

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
HEADER = ["org", "indicator", "period", "actual", "target", "note"]


@pytest.fixture
def editor(make_db, make_server):
    _, api = make_server(make_db(), role="editor")
    return api


@pytest.fixture
def admin(make_db, make_server):
    _, api = make_server(make_db(), role="admin")
    return api


def value(api, org, indicator, period):
    data = api.get("/v1/values", params={"org": org, "indicator": indicator, "period": period}).json(
        parse_float=Decimal)["data"]
    return data[0] if data else None


def saved(wb: openpyxl.Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def sheet_of(rows) -> bytes:
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    return saved(wb)


def put_xlsx(api, path, body, params=None, ctype=XLSX):
    return api.put(path, params=params or {}, data=body, headers={"Content-Type": ctype})


def package(parts: dict, compression=zipfile.ZIP_DEFLATED) -> bytes:
    """A zip of the given parts (name -> str or bytes), as written by hand."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as z:
        for name, data in parts.items():
            z.writestr(name, data.encode("utf-8") if isinstance(data, str) else data)
    return out.getvalue()


def workbook(sheets: list, shared: list | None = None, styles: str | None = None, date1904=False) -> bytes:
    """A workbook written by hand: sheets are (name, sheetData XML) in tab order, stored in the
    archive in the reverse order (sheet1.xml is the last tab), as a workbook whose tabs were
    moved is; shared holds the <si> bodies of xl/sharedStrings.xml."""
    n = len(sheets)
    pr = ' date1904="1"' if date1904 else ""
    parts = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types '
                               'xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        "xl/workbook.xml": f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                           f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}">'
                           f'<workbookPr{pr}/><sheets>'
                           + "".join(f'<sheet name="{name}" sheetId="{i + 1}" r:id="rId{i + 1}"/>'
                                     for i, (name, _) in enumerate(sheets)) + "</sheets></workbook>",
    }
    rels = [f'<Relationship Id="rId{i + 1}" Type="{RELS}/worksheet" Target="worksheets/sheet{n - i}.xml"/>'
            for i in range(n)]
    for i, (_, data) in enumerate(sheets):
        parts[f"xl/worksheets/sheet{n - i}.xml"] = (f'<?xml version="1.0" encoding="UTF-8"?>'
                                                    f'<worksheet xmlns="{MAIN}"><sheetData>{data}</sheetData>'
                                                    f'</worksheet>')
    if shared is not None:
        rels.append(f'<Relationship Id="rId90" Type="{RELS}/sharedStrings" Target="/xl/sharedStrings.xml"/>')
        parts["xl/sharedStrings.xml"] = (f'<sst xmlns="{MAIN}" count="{len(shared)}">'
                                         + "".join(f"<si>{s}</si>" for s in shared) + "</sst>")
    if styles is not None:
        rels.append(f'<Relationship Id="rId91" Type="{RELS}/styles" Target="styles.xml"/>')
        parts["xl/styles.xml"] = f'<styleSheet xmlns="{MAIN}">{styles}</styleSheet>'
    parts["xl/_rels/workbook.xml.rels"] = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                                           'relationships">' + "".join(rels) + "</Relationships>")
    return package(parts)


def edited(body: bytes, name: str, change) -> bytes:
    """The workbook with one part's text changed."""
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    parts[name] = change(parts[name].decode("utf-8"))
    return package(parts)


def inline(ref, text):
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def header_row(columns=HEADER):
    return '<row r="1">' + "".join(inline(f"{chr(65 + i)}1", c) for i, c in enumerate(columns)) + "</row>"


# ---- values

def test_numbers_keep_their_digits_a_period_typed_as_a_number_and_vietnamese_notes(editor):
    api = editor
    body = sheet_of([HEADER,
                     ["HT-NG-VC", "shelter_fund_raised", 2024, 2529.554, 3000, "Quỹ “Mái ấm công đoàn”, đợt 1\nhai dòng"],
                     ["HT-NG-VC", "new_members", "2024H1", 0.1, None, None]])
    r = put_xlsx(api, "/v1/values", body)
    assert r.status_code == 200, r.text
    assert (r.json()["created"], r.json()["rejected_count"]) == (2, 0)
    v = value(api, "HT-NG-VC", "shelter_fund_raised", "2024")
    assert (v["actual"], v["target"], v["note"]) == (Decimal("2529.554"), 3000,
                                                     "Quỹ “Mái ấm công đoàn”, đợt 1\nhai dòng")
    assert value(api, "HT-NG-VC", "new_members", "2024H1")["actual"] == Decimal("0.1")


def test_an_empty_cell_leaves_the_stored_target_alone(editor):
    api = editor
    first = api.put("/v1/values", data=(",".join(HEADER) + "\nHT-NG-VC,new_members,2024,10,100,ghi chú\n").encode(),
                    headers={"Content-Type": "text/csv"})
    assert first.status_code == 200
    r = put_xlsx(api, "/v1/values", sheet_of([HEADER, ["HT-NG-VC", "new_members", "2024", 35, None, None]]))
    assert (r.status_code, r.json()["updated"]) == (200, 1), r.text
    v = value(api, "HT-NG-VC", "new_members", "2024")
    assert (v["actual"], v["target"], v["note"]) == (35, 100, "ghi chú")


def test_shared_and_inline_strings_and_the_first_tab_only(editor):
    """Shared strings (plain, and rich text in runs with a phonetic run that is not text), inline
    strings, a formula's cached result, gaps between cells; the first tab is read even though its
    part is sheet2.xml, and the second tab (sheet1.xml) is not read at all."""
    api = editor
    shared = ["<t>HT-NG-VC</t>", "<r><rPr><b/></rPr><t>new_</t></r><r><t>members</t></r><rPh sb=\"0\" eb=\"1\"><t>x</t></rPh>",
              '<t xml:space="preserve">Ghi chú _x000D_\ndòng hai</t>']
    first = (header_row() +
             '<row r="3"><c r="A3" t="s"><v>0</v></c><c r="B3" t="s"><v>1</v></c><c r="C3"><v>2024</v></c>'
             '<c r="D3"><f>SUM(1,2)</f><v>3</v></c><c r="F3" t="s"><v>2</v></c></row>'
             '<row r="4"><c r="A4" t="s"><v>0</v></c>' + inline("B4", "new_grassroots_unions") +
             '<c r="C4" t="str"><f>"20"&amp;"24"</f><v>2024</v></c><c r="E4"><v>7</v></c></row>')
    second = '<row r="1"><c r="A1" t="inlineStr"><is><t>colour</t></is></c></row>'
    r = put_xlsx(api, "/v1/values", workbook([("Số liệu", first), ("Ghi chép", second)], shared=shared))
    assert r.status_code == 200, r.text
    assert (r.json()["created"], r.json()["rejected_count"]) == (2, 0)
    v = value(api, "HT-NG-VC", "new_members", "2024")
    assert (v["actual"], v["target"], v["note"]) == (3, None, "Ghi chú \ndòng hai")
    v = value(api, "HT-NG-VC", "new_grassroots_unions", "2024")
    assert (v["actual"], v["target"]) == (None, 7)


def test_a_bad_number_is_named_by_its_row(editor):
    api = editor
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws.append(["HT-NG-VC", "new_members", "2024", 1])
    ws.append([])  # row 3 left empty
    ws.append(["HT-NG-VC", "new_grassroots_unions", "2024", "abc"])  # row 4
    ws.append(["HT-NG-VC", "collective_agreements", "2024", "=1/0"])  # row 5: no result stored
    r = put_xlsx(api, "/v1/values", saved(wb))
    assert r.status_code == 400, r.text
    assert r.json()["code"] == "invalid_xlsx"
    assert r.json()["errors"][0]["field"] == "row 5"
    assert "cell D5 has a formula but not its result" in r.json()["detail"]
    ws["D5"] = None
    ws["E5"] = 10
    r = put_xlsx(api, "/v1/values", saved(wb))
    assert r.status_code == 422, r.text
    assert [(x["line"], x["field"], x["code"]) for x in r.json()["rejected"]] == [(4, "actual", "invalid_number")]
    assert "abc is not a number" in r.json()["rejected"][0]["message"]
    assert value(api, "HT-NG-VC", "new_members", "2024") is None  # nothing written


# ---- organizations, indicators

def test_organizations_with_dates_as_excel_stores_them(admin):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["code", "name", "kind", "parent", "valid_from"])
    ws.append(["HN-P-BM2", "Công đoàn phường Bạch Mai", "commune", "HN", datetime.date(2025, 7, 1)])
    ws.append(["HN-G-77", "Công đoàn cơ sở Bệnh viện Bạch Mai", "grassroots", "HN-P-BM2",
               datetime.datetime(2025, 7, 1, 0, 0)])
    ws["E3"].number_format = "dd/mm/yyyy"
    r = put_xlsx(admin, "/v1/organizations", saved(wb))
    assert r.status_code == 200, r.text
    assert r.json()["created"] == 2
    o = admin.get("/v1/organizations/HN-G-77").json()
    assert (o["name"], o["parent"], o["valid_from"]) == ("Công đoàn cơ sở Bệnh viện Bạch Mai", "HN-P-BM2", "2025-07-01")
    assert admin.get("/v1/organizations/HN-P-BM2").json()["valid_from"] == "2025-07-01"


@pytest.mark.parametrize("serial,date1904,fmt,shown", [
    ("45839", False, 14, "2025-07-01"),                  # built-in short date
    ("44377", True, 14, "2025-07-01"),                   # the 1904 date system
    ("45839.35416666666", False, 22, "2025-07-01 08:30:00"),  # a date and time of day
    ("61", False, 164, "1900-03-01"),                    # after the 1900-02-29 Excel counts
    ("60", False, 164, "1900-02-29"),                    # which is given as Excel shows it
    ("59", False, 164, "1900-02-28"),
    ("45839", False, 165, "45839"),                      # a time-of-day format: a number still
    ("45839", False, 0, "45839"),                        # General
])
def test_date_serials_count_as_excel_counts(editor, serial, date1904, fmt, shown):
    """A date cell in the note column stores the text the reader made of it."""
    styles = ('<numFmts count="2"><numFmt numFmtId="164" formatCode="[$-42A]d&quot; tháng &quot;m&quot; năm &quot;yyyy"/>'
              '<numFmt numFmtId="165" formatCode="[h]:mm:ss"/></numFmts>'
              f'<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="{fmt}"/></cellXfs>')
    data = (header_row() + '<row r="2">' + inline("A2", "HT-NG-VC") + inline("B2", "new_members") +
            inline("C2", "2024") + f'<c r="D2"><v>1</v></c><c r="F2" s="1"><v>{serial}</v></c></row>')
    r = put_xlsx(editor, "/v1/values", workbook([("Số liệu", data)], styles=styles, date1904=date1904))
    assert r.status_code == 200, r.text
    assert value(editor, "HT-NG-VC", "new_members", "2024")["note"] == shown


def test_indicators_with_a_true_false_cell(admin):
    data = (header_row(["code", "name", "name_en", "unit", "kind", "higher_is_better"]) +
            '<row r="2">' + inline("A2", "trained_officials") + inline("B2", "Cán bộ được tập huấn") +
            inline("C2", "Officials trained") + inline("D2", "người") + inline("E2", "flow") +
            '<c r="F2" t="b"><v>0</v></c></row>')
    r = put_xlsx(admin, "/v1/indicators", workbook([("Chỉ số", data)]))
    assert r.status_code == 200, r.text
    assert r.json()["created"] == 1
    assert admin.get("/v1/indicators/trained_officials").json()["higher_is_better"] is False


# ---- an export comes back in

def test_an_exported_workbook_comes_back_in(editor):
    """GET ...&format=xlsx, change one actual in openpyxl, PUT the workbook: one row updated, the
    export's read-only columns ignored and listed, every other figure unchanged to the digit."""
    api = editor
    r = api.get("/v1/values", params={"org": "HP", "format": "xlsx"})
    assert r.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    ws = wb.worksheets[0]
    top = next(r for r in range(1, 10) if "Thực hiện" in [c.value for c in ws[r]])  # under the export's title
    actual = [c.value for c in ws[top]].index("Thực hiện") + 1
    rows = [row for row in ws.iter_rows(min_row=top + 1) if row[0].value]
    assert len(rows) > 1
    changed = next(row for row in rows if isinstance(row[actual - 1].value, int))
    changed[actual - 1].value += 1
    back = put_xlsx(api, "/v1/values", saved(wb))
    assert back.status_code == 200, back.text
    s = back.json()
    assert (s["updated"], s["unchanged"], s["created"], s["rejected_count"]) == (1, len(rows) - 1, 0, 0)
    assert {"Lần sửa", "Cập nhật lúc", "Người cập nhật"} <= set(s["ignored_columns"])  # the export's read-only ones
    assert not {"Mã đơn vị", "Mã chỉ số", "Mã kỳ", "Thực hiện", "Chỉ tiêu", "Ghi chú"} & set(s["ignored_columns"])
    same = api.get("/v1/values", params={"org": "HP", "format": "xlsx"})
    again = put_xlsx(api, "/v1/values", same.content)  # as exported, untouched: libxlsxwriter's shared strings
    assert again.status_code == 200, again.text
    assert (again.json()["unchanged"], again.json()["updated"]) == (len(rows), 0)


# ---- workbooks that cannot be read

def zip_bomb(declared_size_lies: bool) -> bytes:
    """A worksheet that inflates to 300 MiB of blanks inside well-formed XML; with
    declared_size_lies its headers claim 300 bytes."""
    head = f'<worksheet xmlns="{MAIN}"><sheetData>'.encode()
    tail = b"</sheetData></worksheet>"
    size = 300 << 20
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    deflated = comp.compress(head)
    blanks = b" " * (1 << 20)
    for _ in range((size - len(head) - len(tail)) // len(blanks)):
        deflated += comp.compress(blanks)
    raw_size = len(head) + len(tail) + ((size - len(head) - len(tail)) // len(blanks)) * len(blanks)
    deflated += comp.compress(tail) + comp.flush()
    crc = 0  # never reached: the read stops long before the end
    base = workbook([("Bom", "")])
    with zipfile.ZipFile(io.BytesIO(base)) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    parts.pop("xl/worksheets/sheet1.xml")
    body = io.BytesIO()
    central = b""
    entries = list(parts.items()) + [("xl/worksheets/sheet1.xml", None)]
    for name, data in entries:
        offset = body.tell()
        if data is None:
            method, payload, usize, c = 8, deflated, (300 if declared_size_lies else raw_size), crc
        else:
            method, payload, usize, c = 0, data, len(data), zlib.crc32(data)
        n = name.encode()
        body.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0, c, len(payload), usize, len(n), 0)
                   + n + payload)
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0, c, len(payload), usize,
                               len(n), 0, 0, 0, 0, 0, offset) + n
    start = body.tell()
    body.write(central + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central), start, 0))
    return body.getvalue()


@pytest.mark.parametrize("lies", [False, True])
def test_a_zip_bomb_is_refused_quickly(editor, lies):
    api = editor
    body = zip_bomb(lies)
    assert len(body) < 1 << 20
    started = time.monotonic()
    r = put_xlsx(api, "/v1/values", body)
    assert r.status_code == 400, r.text
    assert time.monotonic() - started < 10
    assert r.json()["code"] == "invalid_xlsx"
    assert re.search(r"part xl/worksheets/sheet1.xml unpacks to more than \d+ MiB", r.json()["detail"])


LAUGHS = ('<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "hahahahahaha">'
          + "".join(f'<!ENTITY {chr(98 + i)} "' + f"&{chr(97 + i)};" * 10 + '">' for i in range(8))
          + f']><worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&i;</t></is></c>'
          '</row></sheetData></worksheet>')


@pytest.mark.parametrize("body,ctype,said", [
    (package({"ghi-chu.txt": "không phải bảng tính"}), XLSX,
     "The file is a zip archive but not an Excel workbook (.xlsx)"),
    (",".join(HEADER).encode() + b"\nHT-NG-VC,new_members,2024,1,,\n", XLSX,
     "The file is not an Excel workbook (.xlsx); save it from Excel as Excel Workbook, or as CSV UTF-8"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), XLSX, "Excel 97-2003 workbook (.xls) or a workbook protected"),
    (b"PK\x03\x04" + bytes(60), "application/octet-stream", "The workbook is damaged: it cannot be unpacked"),
    (package({"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": "<x/>"}), XLSX,
     "OpenDocument spreadsheet (.ods)"),
    (edited(workbook([("Tab", header_row())]), "xl/_rels/workbook.xml.rels",
            lambda t: t.replace("sheet1.xml", "sheet9.xml")), XLSX,
     "its first worksheet (xl/worksheets/sheet9.xml) is missing"),
    (workbook([("Tab", header_row() + '<row r="2"><c r="A2" t="inlineStr"><is><t>HT<b></t></is></c></row>')]), XLSX,
     "is not well-formed XML"),
    (package({"xl/workbook.xml": f'<workbook xmlns="{MAIN}"/>', "xl/worksheets/sheet1.xml": LAUGHS}), XLSX,
     "declares a DTD (<!DOCTYPE>), which Excel never writes"),
    (workbook([("Tab", header_row() + '<row r="2"><c r="A2" t="s"><v>7</v></c></row>')], shared=["<t>HT</t>"]), XLSX,
     "Row 2, cell A2 refers to text number 7, which the workbook does not have"),
    (workbook([("Tab", header_row() + '<row r="2">' + inline("A2", "HT") + inline("F2", "a_x0007_b") + "</row>")]),
     XLSX, "Row 2, cell F2: the text holds an invisible control character (U+0007)"),
    # a cell without a type is a number: text in one (here with a DEL) is not read as text
    (workbook([("Tab", header_row() + '<row r="2">' + inline("A2", "HT")
                + '<c r="B2"><is><t>a_x005F\x7fx0041_b</t></is></c></row>')]),
     XLSX, "Row 2, cell B2 is a number cell holding 'a_x005F"),
])
def test_unreadable_workbooks_are_400_with_a_reason(editor, body, ctype, said):
    api = editor
    r = put_xlsx(api, "/v1/values", body, ctype=ctype)
    assert r.status_code == 400, r.text
    assert r.json()["code"] == "invalid_xlsx"
    assert said in r.json()["detail"], r.json()["detail"]


def test_a_header_problem_is_the_tables_own(editor):
    api = editor
    r = put_xlsx(api, "/v1/values", sheet_of([["org", "indicator", "period", "màu"], ["HT", "x", "2024", "đỏ"]]))
    assert r.status_code == 400
    assert r.json()["code"] == "invalid_csv_header"
    assert r.json()["errors"][0]["field"] == "row 1"


def test_a_computed_cell_is_read_as_excel_shows_it(editor):
    """=0.1+0.2 is stored as 0.30000000000000004; Excel keeps 15 significant digits and shows 0.3,
    and 0.3 is what is written."""
    body = sheet_of([HEADER, ["HT-NG-VC", "shelter_fund_raised", 2024, 0.1 + 0.2, 2516.1, None]])
    r = put_xlsx(editor, "/v1/values", body)
    assert r.status_code == 200, r.text
    v = value(editor, "HT-NG-VC", "shelter_fund_raised", "2024")
    assert (v["actual"], v["target"]) == (Decimal("0.3"), Decimal("2516.1"))


def test_an_old_excel_file_sent_as_anything_is_told_to_be_saved_as_xlsx(editor):
    """An .xls (a compound document, D0 CF 11 E0) sent with curl's default type gets the Excel
    message, not 'not UTF-8'."""
    r = put_xlsx(editor, "/v1/values", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504,
                 ctype="application/x-www-form-urlencoded")
    assert r.status_code == 400
    assert r.json()["code"] == "invalid_xlsx" and "xlsx" in r.json()["detail"].lower()
