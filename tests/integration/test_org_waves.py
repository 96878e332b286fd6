"""PUT /v1/organizations with files large enough to be written in waves
(sql/020_organizations_in_waves.sql): new organizations and moves go as sets,
and every answer is the one the rows would get one by one: the same rows
written, the same rows refused with the same words, in the file's order."""
import json

import pytest

from conftest import bearer
from contract import Api


@pytest.fixture
def admin(make_db, make_server):
    _, api = make_server(make_db(), role="admin")
    return api


def put_csv(api, text, **params):
    return api.put("/v1/organizations", params=params, data=text.encode("utf-8"),
                   headers={"Content-Type": "text/csv"})


def parents(api, code):
    r = api.get(f"/v1/organizations/{code}")
    assert r.status_code == 200, r.text
    return [(p["parent"], p["valid_from"], p["valid_to"]) for p in r.json()["parents"]]


def counts(s):
    return s["created"], s["updated"], s["unchanged"], s["rejected_count"]


def test_a_tree_listed_children_first_is_created_level_by_level(admin):
    lines = ["code,name,kind,parent,valid_from"]
    lines += [f"HN-Z1-G{n},Công đoàn cơ sở Z1 số {n},grassroots,HN-Z1," for n in range(1, 31)]
    lines += ["HN-Z1,Liên đoàn Lao động khu Z1,district,HN,"]
    lines += [f"HN-Z1-P{n},Công đoàn phường Z1 số {n},commune,HN-Z1,2025-07-01" for n in range(1, 13)]
    r = put_csv(admin, "\n".join(lines) + "\n")
    assert r.status_code == 200, r.text[:500]
    s = r.json()
    assert counts(s) == (43, 0, 0, 0) and s["written"] is True
    assert s["changes_count"] == 43 and len(s["changes"]) == 43
    first = s["changes"][0]
    assert (first["line"], first["code"], first["operation"]) == (2, "HN-Z1-G1", "create") and "before" not in first
    assert first["after"]["parents"] == [{"parent": "HN-Z1", "valid_from": None, "valid_to": None}]
    g = admin.get("/v1/organizations/HN-Z1-G30").json()
    assert (g["name"], g["kind"], g["parent"]) == ("Công đoàn cơ sở Z1 số 30", "grassroots", "HN-Z1")
    assert [a["code"] for a in g["ancestors"]] == ["VN", "HN", "HN-Z1"]
    assert parents(admin, "HN-Z1-P12") == [("HN-Z1", "2025-07-01", None)]
    assert admin.get("/v1/organizations/HN-Z1-P12").json()["valid_from"] == "2025-07-01"

    again = put_csv(admin, "\n".join(lines) + "\n").json()
    assert counts(again) == (0, 0, 43, 0) and again["written"] is False


BAD_AMONG_GOOD = "\n".join(
    ["code,name,kind,parent,valid_from,valid_to"]
    + [{8: "HN-W8,Công đoàn cơ sở W8,thing,HN,,",
        20: "HN-W20,Công đoàn cơ sở W20,grassroots,HN,2025-07-01,2025-01-01",
        33: "HN-W33,Công đoàn cơ sở W33,grassroots,HN-NOPE,,",
        37: "HN-W37," + "Đ" * 301 + ",grassroots,HN,,"}.get(line, f"HN-W{line},Công đoàn cơ sở W{line},grassroots,HN,,")
       for line in range(2, 42)]) + "\n"


def test_bad_rows_among_forty_are_each_named_and_nothing_is_written(admin):
    r = put_csv(admin, BAD_AMONG_GOOD)
    assert r.status_code == 422, r.text[:500]
    doc = r.json()
    assert doc["code"] == "import_rejected" and doc["rejected_count"] == 4
    got = [(x["line"], x["code"], x["field"]) for x in doc["rejected"]]
    assert got == [(8, "invalid_field", "kind"), (20, "invalid_row", "code"),
                   (33, "unknown_organization", "parent"), (37, "invalid_field", "name")]
    words = {x["line"]: x["message"] for x in doc["rejected"]}
    assert words[8].startswith("kind thing is not one of ")
    assert words[20] == "a value breaks a rule of the data (dates in order, names one line)"
    assert words[33] == "parent: there is no organization HN-NOPE."
    assert words[37] == "name is longer than 300 characters"
    for code in ("HN-W2", "HN-W19", "HN-W41"):
        assert admin.get(f"/v1/organizations/{code}").status_code == 404


def test_bad_rows_among_forty_are_refused_and_the_good_kept_when_asked(admin):
    r = put_csv(admin, BAD_AMONG_GOOD, on_error="skip")
    assert r.status_code == 200, r.text[:500]
    s = r.json()
    assert counts(s) == (36, 0, 0, 4) and s["written"] is True
    assert [x["line"] for x in s["rejected"]] == [8, 20, 33, 37]
    for n in (2, 7, 9, 19, 21, 32, 34, 36, 38, 41):
        assert parents(admin, f"HN-W{n}") == [("HN", None, None)]
    for n in (8, 20, 33, 37):
        assert admin.get(f"/v1/organizations/HN-W{n}").status_code == 404


def unions_and_wards(admin, n=20):
    """n unions under HN since always, and two wards from 2025-07-01."""
    rows = ["code,name,kind,parent,valid_from"]
    rows += [f"HN-M{i},Công đoàn cơ sở M{i},grassroots,HN," for i in range(1, n + 1)]
    rows += ["HN-PA,Công đoàn phường A,commune,HN,2025-07-01", "HN-PB,Công đoàn phường B,commune,HN,2025-07-01"]
    r = put_csv(admin, "\n".join(rows) + "\n")
    assert r.status_code == 200 and r.json()["created"] == n + 2, r.text[:500]


def test_moves_among_twenty_close_the_old_link_and_open_the_new(admin):
    unions_and_wards(admin)
    rows = ["code,parent,parent_from"]
    for i in range(1, 21):
        rows.append({5: "HN-M5,HN,2020-01-01",  # HN already on that day: nothing to do
                     11: "HN-M11,HN-PA,2025-01-01"}.get(i, f"HN-M{i},HN-PA,2025-07-01"))
    moves = "\n".join(rows) + "\n"
    r = put_csv(admin, moves, on_error="skip")
    assert r.status_code == 200, r.text[:500]
    s = r.json()
    assert counts(s) == (0, 18, 1, 1)
    bad = s["rejected"][0]
    assert (bad["line"], bad["code"], bad["field"]) == (12, "invalid_parent", "parent")
    assert bad["message"] == "HN-PA cannot be the parent of HN-M11 from 2025-01-01: it exists only from 2025-07-01"
    assert parents(admin, "HN-M1") == [("HN", None, "2025-06-30"), ("HN-PA", "2025-07-01", None)]
    assert parents(admin, "HN-M5") == [("HN", None, None)]
    assert parents(admin, "HN-M11") == [("HN", None, None)]
    moved = next(c for c in s["changes"] if c["code"] == "HN-M1")
    assert moved["operation"] == "update"
    assert moved["before"]["parents"] == [{"parent": "HN", "valid_from": None, "valid_to": None}]
    assert moved["after"]["parents"] == [{"parent": "HN", "valid_from": None, "valid_to": "2025-06-30"},
                                         {"parent": "HN-PA", "valid_from": "2025-07-01", "valid_to": None}]
    assert put_csv(admin, moves, on_error="skip").json()["unchanged"] == 19

    # a later move adds a link; one from the same first day replaces the link that starts then
    later = "code,parent,parent_from\n" + "".join(f"HN-M{i},HN-PB,2026-01-01\n" for i in range(12, 21))
    assert counts(put_csv(admin, later).json()) == (0, 9, 0, 0)
    assert parents(admin, "HN-M12") == [("HN", None, "2025-06-30"), ("HN-PA", "2025-07-01", "2025-12-31"),
                                        ("HN-PB", "2026-01-01", None)]
    same_day = "code,parent,parent_from\n" + "".join(f"HN-M{i},HN-PB,2025-07-01\n" for i in range(12, 21))
    assert counts(put_csv(admin, same_day).json()) == (0, 9, 0, 0)
    assert parents(admin, "HN-M20") == [("HN", None, "2025-06-30"), ("HN-PB", "2025-07-01", None)]


def test_a_dry_run_of_many_moves_lists_them_and_writes_nothing(admin):
    unions_and_wards(admin)
    moves = "code,parent,parent_from\n" + "".join(f"HN-M{i},HN-PB,2025-07-01\n" for i in range(1, 21))
    r = put_csv(admin, moves, dry_run="true")
    assert r.status_code == 200, r.text[:500]
    s = r.json()
    assert (s["dry_run"], s["written"], s["updated"], s["changes_count"]) == (True, False, 20, 20)
    assert s["changes"][19]["after"]["parents"][-1] == {"parent": "HN-PB", "valid_from": "2025-07-01",
                                                        "valid_to": None}
    assert parents(admin, "HN-M20") == [("HN", None, None)]


def test_a_new_organization_moved_later_in_the_same_file(admin):
    unions_and_wards(admin, n=1)
    rows = ["code,name,kind,parent,parent_from"]
    rows += [f"HN-N{i},Công đoàn cơ sở N{i},grassroots,HN," for i in range(1, 11)]
    rows += ["HN-N3,,,HN-PA,2025-07-01"]
    r = put_csv(admin, "\n".join(rows) + "\n")
    assert r.status_code == 200, r.text[:500]
    assert counts(r.json()) == (10, 1, 0, 0)
    assert parents(admin, "HN-N3") == [("HN", None, "2025-06-30"), ("HN-PA", "2025-07-01", None)]
    assert parents(admin, "HN-N4") == [("HN", None, None)]


def test_moves_that_close_a_circle_refuse_the_row_that_closes_it(admin):
    unions_and_wards(admin, n=10)
    setup = ("code,name,kind,parent\n"
             "HN-CA,Công đoàn A,commune,HN\nHN-CB,Công đoàn B,commune,HN\n"
             "HN-GP,Công đoàn cơ sở P,grassroots,HN-CB\nHN-GQ,Công đoàn cơ sở Q,grassroots,HN-CA\n")
    assert put_csv(admin, setup).json()["created"] == 4
    # HN-CA under HN-GP (under HN-CB), then HN-CB under HN-GQ (under HN-CA): a circle
    rows = ["code,parent,parent_from", "HN-CA,HN-GP,2026-01-01"]
    rows += [f"HN-M{i},HN-PA,2025-07-01" for i in range(1, 6)]
    rows += ["HN-CB,HN-GQ,2026-01-01"]
    rows += [f"HN-M{i},HN-PA,2025-07-01" for i in range(6, 11)]
    r = put_csv(admin, "\n".join(rows) + "\n", on_error="skip")
    assert r.status_code == 200, r.text[:500]
    s = r.json()
    assert counts(s) == (0, 11, 0, 1)
    bad = s["rejected"][0]
    assert (bad["line"], bad["code"], bad["field"]) == (8, "invalid_parent", "parent")
    assert bad["message"] == "HN-CB cannot be placed under HN-GQ: HN-CB is already above it"
    assert parents(admin, "HN-CA") == [("HN", None, "2025-12-31"), ("HN-GP", "2026-01-01", None)]
    assert parents(admin, "HN-CB") == [("HN", None, None)]


def test_a_scoped_key_creates_many_under_its_own_and_none_elsewhere(make_db, make_server, contract, keys):
    srv, _ = make_server(make_db())
    ht = Api(srv.url, contract, bearer(keys["admin_ht"]))
    rows = ["code,name,kind,parent"]
    rows += [{7: "HT-S6,Công đoàn cơ sở S6,grassroots,HN"}.get(i + 1, f"HT-S{i},Công đoàn cơ sở S{i},grassroots,HT")
             for i in range(1, 13)]
    r = put_csv(ht, "\n".join(rows) + "\n", on_error="skip")
    assert r.status_code == 200, r.text[:500]
    s = r.json()
    assert counts(s) == (11, 0, 0, 1)
    assert [(x["line"], x["code"], x["field"]) for x in s["rejected"]] == [(7, "out_of_scope", "parent")]
    assert parents(ht, "HT-S12") == [("HT", None, None)]
    assert ht.get("/v1/organizations/HT-S6").status_code == 404


def test_the_first_thousand_changes_are_listed_and_all_counted(admin):
    rows = ["code,name,kind,parent"] + [f"HN-K{i},Công đoàn cơ sở K{i},grassroots,HN" for i in range(1, 1006)]
    r = put_csv(admin, "\n".join(rows) + "\n")
    assert r.status_code == 200, r.text[:500]
    s = r.json()
    assert (s["created"], s["changes_count"], len(s["changes"])) == (1005, 1005, 1000)
    assert (s["changes"][0]["line"], s["changes"][-1]["line"]) == (2, 1001)
    assert parents(admin, "HN-K1005") == [("HN", None, None)]


def put_json(api, rows, **params):
    body = "[\n" + ",\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n]\n"
    return api.put("/v1/organizations", params=params, data=body.encode("utf-8"),
                   headers={"Content-Type": "application/json"})


def test_a_name_given_as_a_list_among_many_is_refused_as_one_alone_would_be(admin):
    rows = [{"code": f"HN-J{i}", "name": f"Công đoàn cơ sở J{i}", "kind": "grassroots", "parent": "HN"}
            for i in range(1, 11)]
    rows[3]["name"] = ["Công đoàn cơ sở J4"]
    rows[6]["short_name"] = []
    r = put_json(admin, rows, on_error="skip")
    assert r.status_code == 200, r.text[:500]
    s = r.json()
    assert counts(s) == (8, 0, 0, 2)
    assert [(x["index"], x["code"], x["field"], x["message"]) for x in s["rejected"]] == [
        (3, "invalid_field", "name", "name must be text"), (6, "invalid_field", "short_name", "short_name must be text")]
    assert admin.get("/v1/organizations/HN-J4").status_code == 404


def test_a_first_day_under_no_parent_after_the_last_day_is_refused_among_many(admin):
    rows = ["code,name,kind,parent_from,valid_to"]
    rows += [{5: "HN-V4,Công đoàn V4,other,2025-06-01,2025-01-01"}.get(i + 1, f"HN-V{i},Công đoàn V{i},other,,")
             for i in range(1, 11)]
    r = put_csv(admin, "\n".join(rows) + "\n", on_error="skip")
    assert r.status_code == 200, r.text[:500]
    s = r.json()
    assert counts(s) == (9, 0, 0, 1)
    assert [(x["line"], x["code"], x["field"], x["message"]) for x in s["rejected"]] == [
        (5, "invalid_row", "code", "a value breaks a rule of the data (dates in order, names one line)")]
    assert admin.get("/v1/organizations/HN-V4").status_code == 404


def test_a_circle_through_a_link_a_later_row_replaces_is_refused_as_row_by_row(admin):
    unions_and_wards(admin, n=7)
    setup = ("code,name,kind,parent\n"
             "HN-A,Công đoàn A,other,HN\nHN-P,Công đoàn P,other,HN\nHN-Q,Công đoàn Q,other,HN\n"
             "HN-K,Công đoàn K,other,HN-P\nHN-X,Công đoàn X,other,HN-K\n")
    assert put_csv(admin, setup).json()["created"] == 5
    assert put_csv(admin, "code,parent,parent_from\nHN-K,HN-A,2025-01-01\n").json()["updated"] == 1
    # HN-A under HN-X, which is under HN-K, under HN-A from 2025: a circle, until
    # the next row puts HN-K under HN-Q from that same day instead
    rows = ["code,parent,parent_from", "HN-A,HN-X,2025-06-01", "HN-K,HN-Q,2025-01-01"]
    rows += [f"HN-M{i},HN-PA,2025-07-01" for i in range(1, 8)]
    r = put_csv(admin, "\n".join(rows) + "\n", on_error="skip")
    assert r.status_code == 200, r.text[:500]
    s = r.json()
    assert counts(s) == (0, 8, 0, 1)
    assert [(x["line"], x["code"], x["message"]) for x in s["rejected"]] == [
        (2, "invalid_parent", "HN-A cannot be placed under HN-X: HN-A is already above it")]
    assert parents(admin, "HN-A") == [("HN", None, None)]
    assert parents(admin, "HN-K") == [("HN-P", None, "2024-12-31"), ("HN-Q", "2025-01-01", None)]
