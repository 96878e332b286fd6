"""The dashboard's pages as HTTP serves them: public, from the binary, relative paths that survive a
path prefix, a Content-Security-Policy that keeps the page's key at home. (What the pages show is
tested in a real browser, test_pages.py.)"""
import requests


def test_the_root_sends_to_the_dashboard_relatively(server):
    r = requests.get(server.url + "/", allow_redirects=False, timeout=10)
    assert (r.status_code, r.headers["Location"]) == (302, "dashboard/")


def test_a_page_finds_its_way_back_to_the_root_from_where_it_is(server):
    for path, root in [("/dashboard", "./"), ("/dashboard/", "../"), ("/dashboard/blocs/HN-CUM1?period=2023H1", "../../"),
                       ("/dashboard/organizations/HP", "../../"), ("/dashboard/import", "../")]:
        r = requests.get(server.url + path, timeout=10)
        assert r.status_code == 200, (path, r.text)
        assert r.headers["Content-Type"] == "text/html; charset=utf-8"
        assert f'src="{root}dashboard/assets/app.js"' in r.text, path
        assert "{{root}}" not in r.text
        csp = r.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "connect-src 'self'" in csp


def test_assets_are_served_with_their_types_and_nothing_else_is(server):
    js = requests.get(server.url + "/dashboard/assets/app.js", timeout=10)
    assert js.status_code == 200 and js.headers["Content-Type"] == "text/javascript; charset=utf-8"
    chart = requests.get(server.url + "/dashboard/assets/chart.min.js", timeout=10)
    assert chart.status_code == 200 and b"Chart" in chart.content[:2000]
    css = requests.get(server.url + "/dashboard/assets/style.css", timeout=10)
    assert css.headers["Content-Type"] == "text/css; charset=utf-8"
    for name in ("nope.js", "index.html", "..%2Fopenapi.yaml"):
        assert requests.get(server.url + "/dashboard/assets/" + name, timeout=10).status_code in (400, 404), name
    again = requests.get(server.url + "/dashboard/assets/app.js", headers={"If-None-Match": js.headers["ETag"]},
                         timeout=10)
    assert again.status_code == 304


def test_the_pages_take_their_words_from_the_service_dictionary(server):
    """One dictionary: the page's labels.js is written from the same table as the exports' titles."""
    r = requests.get(server.url + "/dashboard/assets/labels.js", timeout=10)
    assert r.status_code == 200 and r.headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert "script-src 'self'" in r.headers["Content-Security-Policy"]
    text = r.content.decode("utf-8")
    assert text.startswith('"use strict";') and "window.thiduaLabels = " in text
    # the words as src/domain/labels.c writes them (and an XLSX export shows them)
    for word in ('"org":"Mã đơn vị"', '"grassroots":"Công đoàn cơ sở"', '"cum":"Cụm thi đua"',
                 '"children":"Cộng từ đơn vị trực thuộc"', '"completion_pct":"Tỷ lệ hoàn thành (%)"'):
        assert word in text, word
    page = requests.get(server.url + "/dashboard/", timeout=10).text
    assert page.index("assets/labels.js") < page.index("assets/core.js")
