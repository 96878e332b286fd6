"""Organizations, indicators, blocs and bloc years written one at a time or
in bulk; conditional writes; period locks."""
import pytest


@pytest.fixture
def admin(make_db, make_server):
    url = make_db()
    _, api = make_server(url, role="admin")
    return api, url.split("dbname=")[1].split()[0]


def test_create_an_organization(admin):
    api, _ = admin
    r = api.post("/v1/organizations", json={"code": "hn-p-bm", "name": "Công đoàn phường Bạch Mai",
                                            "kind": "commune", "parent": "HN", "valid_from": "2025-07-01"})
    assert r.status_code == 201, r.text
    assert r.headers["Location"] == "/v1/organizations/HN-P-BM"
    o = r.json()
    assert (o["code"], o["name"], o["parent"], o["valid_from"]) == ("HN-P-BM", "Công đoàn phường Bạch Mai", "HN",
                                                                    "2025-07-01")
    assert [a["code"] for a in o["ancestors"]] == ["VN", "HN"]
    again = api.post("/v1/organizations", json={"code": "HN-P-BM", "name": "x", "kind": "commune"})
    assert again.status_code == 409
    assert again.json()["code"] == "organization_exists"


@pytest.mark.parametrize("body,field", [
    ({"name": "x", "kind": "commune"}, "code"),
    ({"code": "X1", "kind": "commune"}, "name"),
    ({"code": "X1", "name": "x"}, "kind"),
    ({"code": "X1", "name": "x", "kind": "city"}, "kind"),
    ({"code": "x y", "name": "x", "kind": "other"}, "code"),
    ({"code": "X1", "name": "x", "kind": "other", "valid_from": "1.7.2025"}, "valid_from"),
    ({"code": "X1", "name": "x", "kind": "other", "parent": "NOPE"}, "parent"),
    ({"code": "X1", "name": "x", "kind": "other", "colour": "red"}, "colour"),
])
def test_a_bad_organization_is_400_naming_the_field(admin, body, field):
    api, _ = admin
    r = api.post("/v1/organizations", json=body)
    assert r.status_code == 400, r.text
    assert r.json()["errors"][0]["field"] == field


def test_dissolve_with_a_successor(admin):
    api, _ = admin
    api.post("/v1/organizations", json={"code": "DN-W1", "name": "Công đoàn phường Thanh Khê", "kind": "commune",
                                        "parent": "DN", "valid_from": "2025-07-01"})
    r = api.patch("/v1/organizations/DN-TK", json={"successor": "DN-W1"})
    assert r.status_code == 200, r.text
    assert r.json()["successor"] == "DN-W1"


def test_move_under_a_new_parent_from_a_date(admin):
    api, _ = admin
    api.post("/v1/organizations", json={"code": "HT-G1", "name": "Công đoàn cơ sở Trường THPT 1", "kind": "grassroots",
                                        "parent": "HT"})
    refused = api.patch("/v1/organizations/HT-G1", json={"parent": "HT-NG-VC"})
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "parent_from"
    r = api.patch("/v1/organizations/HT-G1", json={"parent": "HT-NG-VC", "parent_from": "2024-01-01"})
    assert r.status_code == 200, r.text
    assert r.json()["parents"] == [{"parent": "HT", "valid_from": None, "valid_to": "2023-12-31"},
                                   {"parent": "HT-NG-VC", "valid_from": "2024-01-01", "valid_to": None}]
    before = api.get("/v1/organizations/HT-G1", params={"on": "2023-06-30"}).json()
    assert before["parent"] == "HT"


def test_patch_with_a_stale_etag_is_412(admin):
    api, _ = admin
    etag = api.get("/v1/organizations/HT-NG-VC").headers["ETag"]
    ok = api.patch("/v1/organizations/HT-NG-VC", json={"short_name": "CĐ Viên chức"}, headers={"If-Match": etag})
    assert ok.status_code == 200
    assert ok.headers["ETag"] != etag
    stale = api.patch("/v1/organizations/HT-NG-VC", json={"short_name": "khác"}, headers={"If-Match": etag})
    assert stale.status_code == 412
    assert stale.json()["code"] == "precondition_failed"
    assert stale.headers["ETag"] == ok.headers["ETag"]
    assert api.get("/v1/organizations/HT-NG-VC").json()["short_name"] == "CĐ Viên chức"


def test_an_organization_in_use_cannot_be_deleted(admin):
    api, _ = admin
    r = api.delete("/v1/organizations/HP")
    assert r.status_code == 409
    assert r.json()["code"] == "organization_in_use"
    assert "value(s)" in r.json()["detail"] and "valid_to" in r.json()["detail"]
    api.post("/v1/organizations", json={"code": "TMP-1", "name": "Tạm", "kind": "other"})
    assert api.delete("/v1/organizations/TMP-1").status_code == 204
    assert api.get("/v1/organizations/TMP-1").status_code == 404


def test_bulk_organizations_in_dependency_order(admin):
    api, _ = admin
    text = ("code,name,kind,parent,valid_from\n"
            "HN-G-77,Công đoàn cơ sở Bệnh viện Bạch Mai,grassroots,HN-P-BM2,2025-07-01\n"
            "HN-P-BM2,Công đoàn phường Bạch Mai,commune,HN,2025-07-01\n"
            "HN-X,Tổ chức,city,HN,\n")
    r = api.put("/v1/organizations", data=text.encode(), headers={"Content-Type": "text/csv"},
                params={"on_error": "skip"})
    assert r.status_code == 200, r.text
    s = r.json()
    assert (s["created"], s["rejected_count"]) == (2, 1)
    assert s["rejected"][0]["line"] == 4 and s["rejected"][0]["field"] == "kind"
    assert api.get("/v1/organizations/HN-G-77").json()["parent"] == "HN-P-BM2"
    again = api.put("/v1/organizations", data=text.encode(), headers={"Content-Type": "text/csv"},
                    params={"on_error": "skip"}).json()
    assert (again["created"], again["unchanged"]) == (0, 2)


def test_a_child_cannot_outlive_its_parent_link(admin):
    api, _ = admin
    api.post("/v1/organizations", json={"code": "HN-P-X", "name": "Công đoàn phường X", "kind": "commune",
                                        "parent": "HN", "valid_from": "2025-07-01"})
    r = api.post("/v1/organizations", json={"code": "HN-G-X", "name": "Công đoàn cơ sở X", "kind": "grassroots",
                                            "parent": "HN-P-X"})
    assert r.status_code == 400
    assert r.json()["detail"] == "HN-P-X cannot be the parent of HN-G-X all the time: it exists only from 2025-07-01"


def test_indicators_bulk_and_one(admin):
    api, _ = admin
    rows = [{"code": "trained_officials", "name": "Cán bộ công đoàn được tập huấn", "name_en": "Officials trained",
             "unit": "người", "kind": "flow"}]
    r = api.put("/v1/indicators", json=rows)
    assert (r.status_code, r.json()["created"]) == (200, 1)
    assert api.put("/v1/indicators", json=rows).json()["unchanged"] == 1
    one = api.put("/v1/indicators/trained_officials", json={"higher_is_better": True, "rollup": "none"})
    assert one.status_code == 200
    assert one.json()["rollup"] == "none"
    created = api.put("/v1/indicators/union_dues", json={"name": "Thu kinh phí công đoàn", "name_en": "Union dues",
                                                         "unit": "triệu đồng", "kind": "flow"})
    assert created.status_code == 201
    bad = api.put("/v1/indicators/union_fees", json={"name": "x"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "name_en"


def test_bloc_and_bloc_year(admin):
    api, _ = admin
    r = api.put("/v1/blocs/HN-CUM9", json={"name": "Cụm thi đua số 9", "kind": "cum", "organizer": "HN"})
    assert r.status_code == 201
    year = {"members": ["HN-HBT", "HN-HM", "HN-BD"], "leader": "HN-HBT", "deputy": "HN-BD",
            "agreement": {"signed_on": "2023-02-15", "contents": ["Phát triển đoàn viên", "Thành lập CĐCS"]},
            "criteria": [{"indicator": "new_grassroots_unions", "weight": 30, "cap_pct": 150},
                         {"indicator": "collective_agreements", "weight": 20, "cap_pct": None}],
            "adjustments": [{"org": "HN-HM", "points": -2, "reason": "Nộp báo cáo chậm"},
                            {"org": "HN-BD", "points": 1.5, "reason": "Kiểm tra chéo: làm tốt"}]}
    r = api.put("/v1/blocs/HN-CUM9/years/2023", json=year)
    assert r.status_code == 201, r.text
    got = r.json()
    assert got["leader"] == "HN-HBT" and got["deputy"] == "HN-BD"
    assert got["agreement"] == {"signed_on": "2023-02-15", "content_count": 2,
                                "contents": ["Phát triển đoàn viên", "Thành lập CĐCS"], "note": None}
    assert got["criteria"] == [{"indicator": "collective_agreements", "weight": 20, "cap_pct": None},
                               {"indicator": "new_grassroots_unions", "weight": 30, "cap_pct": 150}]
    assert got["adjustments"] == [{"org": "HN-HM", "points": -2, "reason": "Nộp báo cáo chậm"},
                                  {"org": "HN-BD", "points": 1.5, "reason": "Kiểm tra chéo: làm tốt"}]
    etag = r.headers["ETag"]
    same = api.put("/v1/blocs/HN-CUM9/years/2023", json=year, headers={"If-Match": etag})
    assert same.status_code == 200 and same.headers["ETag"] == etag
    year["leader"] = "HN-HM"
    assert api.put("/v1/blocs/HN-CUM9/years/2023", json=year, headers={"If-Match": etag}).status_code == 200
    assert api.put("/v1/blocs/HN-CUM9/years/2023", json=year, headers={"If-Match": etag}).status_code == 412


@pytest.mark.parametrize("change,field", [
    ({"leader": "HP"}, "leader"),
    ({"deputy": "HN-HBT"}, "deputy"),
    ({"members": ["HN-HBT", "HN-HBT"]}, "members[1]"),
    ({"members": ["HN-HBT", "NOPE"]}, "members[1]"),
    ({"criteria": [{"indicator": "new_members", "weight": 0}]}, "criteria[0].weight"),
    ({"criteria": [{"indicator": "new_members", "weight": 10, "cap_pct": 90}]}, "criteria[0].cap_pct"),
    ({"adjustments": [{"org": "HN-HBT", "points": 2, "reason": ""}]}, "adjustments[0].reason"),
    ({"adjustments": [{"org": "HP", "points": 2, "reason": "x"}]}, "adjustments[0].org"),
])
def test_a_bad_bloc_year_is_400_naming_the_field(admin, change, field):
    api, _ = admin
    year = dict({"members": ["HN-HBT"], "leader": "HN-HBT"}, **change)
    r = api.put("/v1/blocs/HN-CUM1/years/2024", json=year)
    assert r.status_code == 400, r.text
    assert r.json()["errors"][0]["field"] == field
    assert api.get("/v1/blocs/HN-CUM1/years/2024").status_code == 404  # nothing half-written


def test_bloc_member_must_exist_that_year(admin):
    api, _ = admin
    r = api.put("/v1/blocs/HN-CUM1/years/2026", json={"members": ["HN-HBT"]})
    assert r.status_code == 400
    assert r.json()["code"] == "outside_existence"


def test_a_locked_period_refuses_writes_until_unlocked(admin, make_server, keys):
    api, db = admin
    lock = api.post("/v1/locks", json={"org": "HT", "period": "2022", "note": "Tổng kết 20/12/2022"})
    assert lock.status_code == 201, lock.text
    assert lock.json()["label"] == "Năm 2022"
    assert api.post("/v1/locks", json={"org": "HT", "period": "2022"}).json()["code"] == "lock_exists"
    for period in ("2022", "2022Q3", "2022M12"):
        r = api.put("/v1/values", json=[{"org": "HT-NG-VC", "indicator": "new_members", "period": period, "actual": 1}])
        assert r.status_code == 409, period
        assert r.json()["code"] == "period_locked"
    # the bloc's own totals: its organizer HT is under the lock
    r = api.put("/v1/values", json=[{"bloc": "HT-KHOI-NGANH", "indicator": "new_members", "period": "2022",
                                     "actual": 2203}])
    assert r.status_code == 409
    r = api.delete("/v1/values", params={"bloc": "HT-KHOI-NGANH", "indicator": "new_members", "period": "2022"})
    assert r.status_code == 409 and r.json()["code"] == "period_locked"
    # other years and other provinces are open
    assert api.put("/v1/values", json=[{"org": "HT-NG-VC", "indicator": "new_members", "period": "2023",
                                        "actual": 1}]).status_code == 200
    assert api.put("/v1/values", json=[{"org": "HP", "indicator": "new_members", "period": "2022",
                                        "actual": 1}]).status_code == 200
    listed = api.get("/v1/locks").json()["data"]
    assert [(l["org"], l["period"]) for l in listed] == [("HT", "2022")]
    assert api.delete(f"/v1/locks/{lock.json()['id']}").status_code == 204
    assert api.put("/v1/values", json=[{"bloc": "HT-KHOI-NGANH", "indicator": "new_members", "period": "2022",
                                        "actual": 2202}]).status_code == 200
    assert api.delete("/v1/locks/999999").status_code == 404


def test_a_body_field_the_database_refuses_is_said_to_be_in_the_body(make_db, make_server):
    _, admin = make_server(make_db(), role="admin")
    r = admin.put("/v1/blocs/T-CUM", json={"name": "Cụm thử", "kind": "cum", "organizer": "NOPE"})
    assert r.status_code == 400, r.text
    e = r.json()["errors"][0]
    assert (e["in"], e["field"]) == ("body", "organizer")
    q = admin.get("/v1/values", params={"org": "NOPE"})
    assert (q.json()["errors"][0]["in"], q.json()["errors"][0]["field"]) == ("query", "org")


def test_an_organizations_dry_run_shows_each_change(make_db, make_server):
    _, admin = make_server(make_db(), role="admin")
    body = ("code,name,kind,parent,parent_from,valid_from\n"
            "HN-P-BM,Công đoàn phường Bạch Mai,commune,HN,,2025-07-01\n"
            "HN-HBT,Liên đoàn Lao động quận Hai Bà Trưng (mới),district,,,\n")
    r = admin.put("/v1/organizations", params={"dry_run": "true"}, data=body.encode(),
                  headers={"Content-Type": "text/csv"})
    assert r.status_code == 200, r.text
    s = r.json()
    assert (s["written"], s["created"], s["updated"], s["changes_count"]) == (False, 1, 1, 2)
    new, renamed = s["changes"]
    assert (new["line"], new["code"], new["operation"]) == (2, "HN-P-BM", "create") and "before" not in new
    assert new["after"]["parents"] == [{"parent": "HN", "valid_from": "2025-07-01", "valid_to": None}]
    assert (renamed["code"], renamed["operation"]) == ("HN-HBT", "update")
    assert renamed["before"]["name"] == "Liên đoàn Lao động quận Hai Bà Trưng"
    assert renamed["after"]["name"] == "Liên đoàn Lao động quận Hai Bà Trưng (mới)"
    assert admin.get("/v1/organizations/HN-HBT").json()["name"] == "Liên đoàn Lao động quận Hai Bà Trưng"
