"""The hostile client: every route the binary lists, walked with generated
bad input, with keys good enough to get past authentication.

Whatever arrives, the service must answer it: never a 5xx; a status the
contract documents for the operation; every error an
application/problem+json document with a documented `code` and a
`request_id`. Values that can never be valid (not UTF-8, NUL or control
characters, thousands of characters, the wrong type for the declared parameter)
must be refused with 400 (or, in a path, 404).

The requests go on the wire byte for byte (`RawApi`): requests/urllib3
would re-encode bad escapes, drop dot segments and refuse raw bytes."""
import base64
import http.client
import json
import random
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import quote, quote_from_bytes, urlparse

import pytest
import requests
from requests.structures import CaseInsensitiveDict

from contract import Api, ContractError, load_openapi
from server import served_routes

PROBLEM_CODES = set(load_openapi()["components"]["schemas"]["ProblemCode"]["enum"])
WORKERS = 4


# ---- the wire ----

class _RawConnection(http.client.HTTPConnection):
    """An HTTPConnection that puts the request-target on the wire as given
    (a str whose characters are bytes, latin-1), unchecked."""

    def _encode_request(self, request):
        return request.encode("latin-1")

    def _validate_path(self, url):
        pass


class RawApi(Api):
    """Api whose requests are sent byte for byte; every response still goes
    through the contract check (Contract.check), as with Api."""

    def __init__(self, base_url, contract, headers=None):
        super().__init__(base_url, contract, headers)
        u = urlparse(base_url)
        self.host, self.port = u.hostname, u.port
        self.headers = dict(headers or {})
        self.conn = None

    def _send(self, method, target, body, headers):
        if self.conn is None:
            self.conn = _RawConnection(self.host, self.port, timeout=60)
        try:
            self.conn.request(method, target, body=body, headers=headers)
            resp = self.conn.getresponse()
            data = resp.read()
        except BaseException:
            self.conn.close()  # never reuse a connection left half-way through a request
            self.conn = None
            raise
        if resp.will_close:
            self.conn.close()
            self.conn = None
        return resp, data

    def raw(self, method, path, data=None, headers=None) -> requests.Response:
        """Sends the request as given and returns the answer, unchecked."""
        all_headers = {**self.headers, **(headers or {})}
        for attempt in range(3):
            try:
                resp, content = self._send(method, path, data, all_headers)
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError, http.client.BadStatusLine):
                # a kept-alive connection the server closed meanwhile, or an answer
                # lost to a reset when the server refused a request before reading
                # all of it: again, on a new connection
                if attempt == 2 or not isinstance(data, (bytes, type(None))):
                    raise
        r = requests.Response()
        r.status_code = resp.status
        r.reason = resp.reason
        r.headers = CaseInsensitiveDict(resp.getheaders())
        r._content = content
        # as the contract sees it: a '#' in a target is data, not a fragment
        r.url = (path if path.startswith("http") else self.base_url + path).replace("#", "%23")
        r.encoding = None
        return r

    def check(self, method, r: requests.Response) -> None:
        """The contract check of Api. A target that cannot even be decoded
        (an encoded NUL, a control character, bytes that are not UTF-8, a
        broken escape) names no operation: its 400 is a generic error like
        404, and only has to be a good problem document."""
        try:
            self.contract.check(method, r.url, r)
        except ContractError as e:
            undecodable = "undocumented path or method" in str(e) and r.status_code == 400 and \
                r.headers.get("Content-Type", "").startswith("application/problem+json") and \
                r.json().get("code") in ("invalid_uri", "invalid_encoding")
            if not undecodable:
                raise
            self.contract.validate(r.json(), self.contract.problem_schema(), f"{method} {r.url} -> 400")

    def request(self, method, path, data=None, headers=None, **_):
        r = self.raw(method, path, data, headers)
        self.check(method, r)
        return r

    def close(self):
        if self.conn:
            self.conn.close()
            self.conn = None


# ---- what is sent ----

@dataclass
class Req:
    method: str
    target: str                   # exactly as on the wire (latin-1 characters = bytes)
    key: str                      # a role of the `keys` fixture
    label: str
    body: bytes | None = None
    ctype: str | None = None
    expect: frozenset = frozenset()  # statuses it must get; empty: any documented status below 500
    code: str | None = None          # the problem code it must get, if any
    headers: dict = field(default_factory=dict)
    alone: bool = False              # sent after the others, one at a time


REJECT = frozenset({400})
REJECT_PATH = frozenset({400, 404})  # a path value may also change which resource is meant


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


@dataclass
class Bad:
    kind: str
    label: str
    wire: str | None          # the value as it goes into a path or query (already encoded)
    data: str | bytes | None  # the value as it goes into a JSON body (str: JSON text; bytes: raw)
    reject: bool              # can never be a valid value of any type
    code: str | None = None


def q(value: str) -> str:
    """Percent-encodes text for a query or path value (every reserved character)."""
    return quote(value, safe="")


def common_values() -> list[Bad]:
    """Values that are wrong for every parameter, whatever its type."""
    out = []
    for label, raw in [("%FF", b"\xff"), ("overlong %C0%AF", b"\xc0\xaf"), ("surrogate %ED%A0%80", b"\xed\xa0\x80"),
                       ("beyond U+10FFFF %F4%90%80%80", b"\xf4\x90\x80\x80"), ("truncated %C3", b"HN\xc3"),
                       ("%C3%28", b"\xc3\x28"), ("%FE%FF", b"\xfe\xff"), ("latin-1 Hà Nam", "Hà Nam".encode("latin-1"))]:
        out.append(Bad("encoding", label, quote_from_bytes(raw, safe=""), raw, True, "invalid_encoding"))
    out.append(Bad("encoding", "raw bytes \\xff\\xfe", "\xff\xfe", None, True, "invalid_encoding"))
    out.append(Bad("encoding", "raw bytes latin-1 H\\xe0", "H\xe0", None, True, "invalid_encoding"))
    for label, wire in [("%00", "%00"), ("A%00B", "A%00B"), ("HN%00", "HN%00")]:
        out.append(Bad("nul", label, wire, wire.replace("%00", "\x00"), True, "invalid_uri"))
    for label, wire in [("%01", "%01"), ("%0A", "%0A"), ("%7F", "%7F"), ("%0D%0A header", "x%0D%0ASet-Cookie:%20a=b"),
                        ("%1B[31m", "%1B%5B31m"), ("%09", "%09")]:
        out.append(Bad("control", label, wire, requests.utils.unquote(wire), True, "invalid_uri"))
    for label, wire in [("bare %", "%"), ("%G1", "%G1"), ("%F", "A%F")]:
        out.append(Bad("escape", label, wire, None, True, "invalid_uri"))
    out.append(Bad("long", "10 000 × A", "A" * 10000, "A" * 10000, True))
    # 10 000 × ệ percent-encoded is 90 KB: beyond what the HTTP library reads for a request line
    # (test_a_request_line_beyond_the_http_library_is_refused_by_it); 2 000 of them fit
    out.append(Bad("long", "2 000 × ệ (10 000 in a body)", q("ệ" * 2000), "ệ" * 10000, True))
    out.append(Bad("long", "10 000 × 9", "9" * 10000, "9" * 10000, True))
    for text in ["'; DROP TABLE value; --", "\x1f", "${jndi:x}", "../../etc/passwd", "<script>alert(1)</script>",
                 "%27%20OR%201=1", "' OR '1'='1", "HN' --", "\\", "\"", "*", "HN,HP;SELECT 1", "\u200bHN"]:
        out.append(Bad("injection", repr(text), q(text), text, text == "\x1f", "invalid_uri" if text == "\x1f" else None))
    out.append(Bad("injection", "decodes to ' OR 1=1", "%27%20OR%201=1", None, False))
    out.append(Bad("injection", "raw ../../etc/passwd", "../../etc/passwd", None, False))
    return out


def typed_values(p: dict) -> list[Bad]:
    """Values of the wrong shape for the parameter's declared type."""
    t = p["type"]
    wrong: list[str] = []
    raw: list[str] = []  # as they go on the wire
    if t in ("code", "codes"):
        wrong = ["ABC!", "-HN", "HN-", "HN--HBT", "X" * 41, "Hà-Nội", "HN HBT", "HN_HBT", "HN.HBT"]
        if t == "codes":
            wrong += ["HN,,HP", ",", "HN,", ",".join(["HN"] * 201)]
    elif t in ("indicator", "indicators"):
        wrong = ["1abc", "new-members", "_x", "a" * 61, "số_mới", "new members"]
        if t == "indicators":
            wrong += ["new_members,,x", ",".join(["new_members"] * 201)]
    elif t in ("period", "periods"):
        wrong = ["2022Q5", "2022M13", "2022M00", "2022H3", "2022YTD13", "2022YTD00", "1899", "2101", "22", "abcd",
                 "2022-Q1", "-2022", "20221", "2022Q1Q2", "2022 Q1"]
        if t == "periods":
            wrong += ["2022,,2023", ",".join(["2022"] * 201)]
    elif t == "date":
        wrong = ["abcd-ef-gh", "1999-+1-01", "2023-02-29", "2023-13-01", "2023-00-10", "2023-01-32", "1899-12-31",
                 "2101-01-01", "20230101", "2023-1-1", "2023-01-01T00:00:00Z", "-2023-01-01", "2023-06-30x"]
    elif t == "timestamp":
        wrong = ["2026-11-22T08:00+16:00", "2026-11-22T08:00-14:01", "2026-11-22T24:00Z", "2026-11-22T08:60Z",
                 "2026-11-22T08:00:00.1234567890Z", "yesterday", "2026-11-22T08Z", "2026-11-22T08:00ZZ",
                 "2026-02-30T00:00Z", "1899-12-31T23:59:59Z", "2026-11-22T08:00:61Z", "infinity", "epoch", "now"]
    elif t in ("integer", "limit"):
        lo, hi = (p.get("minimum", 1), p.get("maximum", 1000)) if t == "integer" else (1, 1000)
        wrong = ["abc", "-0" if lo > 0 else "x0", "1e3", "%205", "5%20", "0x10", "1.5", "+5", str(lo - 1),
                 str(hi + 1) if t == "integer" else "100001", "99999999999999999999", "٣", "2022-", "--1", ""]
        wrong = [w for w in wrong if w]
    elif t == "boolean":
        wrong = ["maybe", "TRUE", "1", "0", "yes", "true%20", "t", "null"]
    elif t == "enum":
        wrong = ["nope", p["enum"][0].upper(), p["enum"][0] + "%20", "%20" + p["enum"][0], p["enum"][0] + ",x"]
    elif t == "format":
        wrong = ["pdf", "CSV", "json%20", "xlsx,csv"]
    elif t == "decimal":
        wrong = ["dot", "COMMA", "comma%20", ","]
    elif t == "text":
        wrong = ["x" * (p.get("max_length", 200) + 1), q("ệ" * (p.get("max_length", 200) + 1))]
    elif t == "cursor":
        wrong = ["__79", "!!!!", "a", "=", "AAAA====", "A" * 2049, b64(b"\x00\x01\x02"), b64(b"\xff" * 30),
                 b64(b"\x01\x1f\x02"), b64(b"HN\x00HP")]
    if t == "date":
        raw += ["1999-+1-01"]  # + is a space in a query
    if t == "timestamp":
        raw += ["2026-11-22T08:00+16:00", "2026-11-22T08:00+07:00"]
    out = []
    for w in wrong:
        data = requests.utils.unquote(w)
        out.append(Bad("type", repr(w[:60]), quote(w, safe=",%"), data, True))
    for w in raw:
        out.append(Bad("type", f"raw {w!r}", w, None, True))
    if t == "cursor":
        # text a cursor could be: whether it is a position is the list's to say
        # ("YR9i" is a\x1fb: a place in the order of organizations, no key id)
        for text in [b"a\x1fb", b"x", b"\x1f", b"a\x1fb\x1fc\x1fd\x1fe", b"99999999999999999999999\x1fHN",
                     b"2022YTD09\x1f'; DROP", "é".encode() * 600, b" ", b"-1", b"0\x1f0\x1f0\x1f0", b"NaN",
                     b"\x1f\x1f\x1f"]:
            out.append(Bad("cursor", f"base64url of {text[:30]!r}", b64(text), None, False))
        rng = random.Random(20261122)  # the same "random" cursors every run
        for _ in range(3):
            out.append(Bad("cursor", "random base64url", b64(rng.randbytes(24)), None, False))
    return out


# ---- the routes ----

# A valid value for each parameter, by route and name, so that a request
# with one bad value has nothing else wrong with it.
GOOD = {"org": "HP", "under": "HN", "parent": "HN", "organizer": "HN", "member": "HN-HBT", "bloc": "HN-CUM1",
        "indicator": "new_members", "period": "2022YTD09", "on": "2023-06-30", "updated_after": "2020-01-01T00:00:00Z",
        "year": "2022", "from": "2020", "to": "2022", "id": "999999", "include_dissolved": "true",
        "include_revoked": "true", "q": "Hà", "kind": None, "dry_run": "true", "on_error": "abort", "by": "actual",
        "every": "year", "decimal": "point", "format": "json", "limit": "5", "name": "hostile", "role": "reader",
        "scope": "HT", "note": "ghi chú"}

# the {code} of a path, by the collection it is in
PATH_GOOD = {"/v1/organizations/": "HP", "/v1/indicators/": "new_members", "/v1/periods/": "2022YTD09",
             "/v1/blocs/": "HN-CUM1", "/dashboard/blocs/": "HN-CUM1", "/dashboard/organizations/": "HP",
             "/dashboard/assets/": "app.js"}

# The body a write accepts, per route (JSON), to spoil one thing at a time.
BODIES = {
    ("PUT", "/v1/organizations"): [{"code": "HN-HBT", "short_name": "CĐ Hai Bà Trưng", "valid_from": "2020-01-01"}],
    ("POST", "/v1/organizations"): {"code": "HZ-N1", "name": "Công đoàn thử", "kind": "other", "parent": "HN",
                                    "valid_from": "2025-07-01"},
    ("PATCH", "/v1/organizations/{code}"): {"short_name": "CĐ Hải Phòng", "valid_to": None},
    ("PUT", "/v1/indicators"): [{"code": "new_members", "unit": "người", "higher_is_better": True}],
    ("PUT", "/v1/indicators/{code}"): {"name": "Đoàn viên mới", "name_en": "New members", "unit": "người",
                                       "kind": "flow", "rollup": "sum", "higher_is_better": True},
    ("PUT", "/v1/blocs/{code}"): {"name": "Cụm thi đua số 1", "kind": "cum", "organizer": "HN", "note": None},
    ("PUT", "/v1/blocs/{code}/years/{year}"): {
        "members": ["HN-HBT", "HN-HM"], "leader": "HN-HBT", "deputy": "HN-HM",
        "agreement": {"signed_on": "2023-02-15", "content_count": 2, "contents": ["Phát triển đoàn viên", "CĐCS"]},
        "criteria": [{"indicator": "new_grassroots_unions", "weight": 30, "cap_pct": 150}],
        "adjustments": [{"org": "HN-HM", "points": -2, "reason": "Nộp báo cáo chậm"}]},
    ("PUT", "/v1/values"): [{"org": "HP", "indicator": "new_members", "period": "2030", "actual": 12.5,
                             "target": 10, "note": "ghi chú"}],
    ("POST", "/v1/keys"): {"name": "hostile", "role": "reader", "org": "HT"},
    ("POST", "/v1/locks"): {"org": "HT", "period": "2031", "note": "khóa sổ"},
}

CSV_HEADERS = {"/v1/values": "org,indicator,period,actual,target,note",
               "/v1/organizations": "code,name,kind,parent,parent_from,valid_from",
               "/v1/indicators": "code,name,name_en,unit,kind,rollup,higher_is_better"}
CSV_ROWS = {"/v1/values": "HP,new_members,2030,{n},10,ghi chú",
            "/v1/organizations": "HN-HBT,Công đoàn quận Hai Bà Trưng,district,HN,,{n}",
            "/v1/indicators": "new_members,Đoàn viên mới,New members,người,flow,sum,{n}"}

READ_KEYS = ["reader", "reader_ht", "editor", "admin", "editor_hn", "admin_ht"]


def unscoped(route: dict) -> str:
    return {"public": "reader", "reader": "reader", "editor": "editor", "admin": "admin"}[route["role"]]


def key_for(route: dict, i: int) -> str:
    """A key of a role the route allows, cycling through scoped and unscoped ones."""
    role = route["role"]
    choices = {"public": READ_KEYS, "reader": READ_KEYS, "editor": ["editor", "editor_ht", "admin"],
               "admin": ["admin", "admin_ht"]}[role]
    return choices[i % len(choices)]


def is_write(route: dict) -> bool:
    return route["method"] not in ("GET", "HEAD")


def has_body(route: dict) -> bool:
    return route["method"] in ("PUT", "POST", "PATCH")


def fill_path(route: dict, override: dict | None = None) -> str:
    path = route["path"]
    for p in route["parameters"]:
        if p["in"] != "path":
            continue
        value = (override or {}).get(p["name"])
        if value is None:
            if p["name"] in ("code", "file"):
                value = next((v for k, v in PATH_GOOD.items() if route["path"].startswith(k)), None)
            elif p["name"] == "year" and route["path"].startswith("/v1/blocs"):
                value = "2023" if route["method"] == "GET" else "2024"
            else:
                value = GOOD.get(p["name"])
            assert value is not None, f"a good value for {p['name']} in {route['path']}: add it to GOOD or PATH_GOOD"
        path = path.replace("{" + p["name"] + "}", value)
    return path


def good_query(route: dict) -> list[tuple[str, str]]:
    """The required query parameters, with good values."""
    return [(p["name"], q(GOOD[p["name"]])) for p in route["parameters"]
            if p["in"] == "query" and p.get("required")]


def target(path: str, query: list[tuple[str, str]]) -> str:
    return path + ("?" + "&".join(f"{n}={v}" if v is not None else n for n, v in query) if query else "")


def body_of(route: dict):
    return BODIES.get((route["method"], route["path"]))


def json_body(route: dict) -> bytes | None:
    doc = body_of(route)
    return None if doc is None else json.dumps(doc, ensure_ascii=False).encode()


def param_cases(route: dict, cursors: dict) -> list[Req]:
    """One request per parameter and bad value (and per route-level fault)."""
    out: list[Req] = []
    method, path = route["method"], fill_path(route)
    base_query = good_query(route)
    body = json_body(route)
    ctype = "application/json" if body is not None else None
    n = 0

    def add(tgt, label, expect=frozenset(), code=None, body_=body, ctype_=ctype, headers=None):
        nonlocal n
        out.append(Req(method, tgt, key_for(route, n), label, body_, ctype_, expect, code, headers or {}))
        n += 1

    for p in route["parameters"]:
        values = common_values() + typed_values(p)
        if p["type"] == "cursor":
            for other, cur in cursors.items():
                if other != route["path"] and cur:
                    values.append(Bad("cursor", f"the cursor of {other}", cur, None, False))
        for bad in values:
            # an injection is fine text, and wrong for every other type (no cursor is base64url of it)
            must_reject = bad.reject or (bad.kind == "injection" and p["type"] != "text")
            label = f"{p['name']} ({p['in']}, {p['type']}) = {bad.kind} {bad.label}"
            if p["in"] == "path":
                if bad.wire is None:
                    continue
                add(target(fill_path(route, {p["name"]: bad.wire}), base_query), label,
                    REJECT_PATH if must_reject else frozenset())
            elif p["in"] == "query":
                if bad.wire is None:
                    continue
                query = [(k, v) for k, v in base_query if k != p["name"]] + [(p["name"], bad.wire)]
                add(target(path, query), label, REJECT if must_reject else frozenset(),
                    bad.code if must_reject and bad.kind != "type" else None)
            elif p["in"] == "body" and p["type"] != "document":
                doc = dict(body_of(route))
                doc[p["name"]] = "\u0000MARK\u0000"
                text = json.dumps(doc, ensure_ascii=False).encode()
                mark = json.dumps("\u0000MARK\u0000").encode()
                if bad.data is None:
                    raw = bad.wire.encode("latin-1")
                    spliced = text.replace(mark, b'"' + raw + b'"')
                elif isinstance(bad.data, bytes):
                    spliced = text.replace(mark, b'"' + bad.data + b'"')
                else:
                    spliced = text.replace(mark, json.dumps(bad.data, ensure_ascii=False).encode())
                # a line break may be welcome in a note: control characters are the text's to judge
                body_reject = bad.kind in ("encoding", "nul", "long", "type") or (
                    bad.kind == "control" and p["type"] != "text")
                add(target(path, base_query), label, REJECT if body_reject else frozenset(), body_=spliced)
        # a number and a JSON type of the wrong kind for a body member
        if p["in"] == "body" and p["type"] != "document":
            for wrong in [12, 1e300, True, [], {}, "1e-999999"]:
                doc = dict(body_of(route), **{p["name"]: wrong})
                add(target(path, base_query), f"{p['name']} (body) = {wrong!r}",
                    REJECT if not isinstance(wrong, str) else frozenset(),
                    body_=json.dumps(doc).encode())

    # route-level faults
    nul_path = path.replace("/v1/", "/v1%00/") if path.startswith("/v1/") else path.replace("/", "/x%00", 1)
    for tgt, label, code in [
        (target(fill_path(route).replace("/", "/%00", 1), base_query), "an encoded NUL at the start of the path",
         "invalid_uri"),
        (target(path + "%00", base_query), "an encoded NUL at the end of the path", "invalid_uri"),
        (target(path + "/%00/x", base_query), "an encoded NUL as a path segment", "invalid_uri"),
        (target(nul_path, base_query), "an encoded NUL inside the path", "invalid_uri"),
        (target(path, base_query + [("na%00me", "1")]), "an encoded NUL in a parameter name", "invalid_uri"),
        (target(path, base_query + [("%FF", "1")]), "%FF as a parameter name", "invalid_encoding"),
        (target(path, base_query + [("%0Aname", "1")]), "a line feed in a parameter name", "invalid_uri"),
        (target(path, base_query + [("colour", "red")]), "an unknown parameter", "unknown_parameter"),
        (target(path, base_query + [("ORG", "HP")]), "a parameter in capitals", None),
        (target(path, base_query + [(f"p{i}", "1") for i in range(70)]), "70 parameters", "invalid_uri"),
        (target(path, base_query + [("api_key", "{key}")]), "?api_key=<a real key>", "key_in_url"),
        (target(path, base_query + [("access_token", "{key}")]), "?access_token=<a real key>", "key_in_url"),
        (target(path, base_query + [("x" * 10000, "1")]), "a 10 000-character parameter name", None),
        (target(path, base_query + [("%", "1")]), "a bare % as a name", "invalid_uri"),
    ]:
        add(tgt, label, REJECT, code)
    for p in route["parameters"]:
        if p["in"] == "query":
            good = GOOD.get(p["name"]) or (p.get("enum") or ["x"])[0]
            add(target(path, [(k, v) for k, v in base_query if k != p["name"]] + [(p["name"], q(good))] * 2),
                f"{p['name']} given twice", REJECT)
    add(target(path, base_query) + ("&&&" if base_query else "?&&&"), "empty query pieces")
    add(target(path, base_query) + "#fragment", "a fragment")
    add(path + "/", "a trailing slash")
    add(path + "//", "two trailing slashes")
    add(path + "/..", "a dot-dot segment")
    add(path.upper(), "the path in capitals")
    add("http://evil.example" + target(path, base_query), "an absolute-form target")
    out.append(Req("BREW", target(path, base_query), key_for(route, 0), "an unknown method", expect=frozenset({405})))
    if route["method"] == "GET":
        out.append(Req("DELETE" if not any(r["method"] == "DELETE" and r["path"] == route["path"]
                                           for r in served_routes()) else "POST",
                       target(path, base_query), key_for(route, 0), "a method the path does not take",
                       expect=frozenset({405})))
    return out


def body_cases(route: dict) -> list[Req]:
    """Spoilt bodies for a route that takes one."""
    method, path = route["method"], fill_path(route)
    tgt = target(path, good_query(route))
    base = body_of(route)
    assert base is not None, f"{method} {route['path']} takes a body: give it a good one in BODIES"
    is_array = isinstance(base, list)
    out: list[Req] = []
    n = 0

    def add(body, label, expect=frozenset(), code=None, ctype="application/json"):
        nonlocal n
        key = unscoped(route) if expect else key_for(route, n)
        out.append(Req(method, tgt, key, label, body, ctype, expect, code))
        n += 1

    text = json.dumps(base, ensure_ascii=False)
    add(b'{"name": "x",}', "invalid JSON (a trailing comma)", REJECT)
    add(b"{", "invalid JSON (unterminated)", REJECT)
    add(b"nul", "invalid JSON (nul)", REJECT)
    add(b"\xef\xbb\xbf" + text.encode(), "JSON after a byte-order mark")
    add(text.encode()[:-1], "JSON cut short", REJECT)
    add(text.encode() + b"}", "JSON with a brace too many", REJECT)
    add(text.encode() + b"\x00", "JSON followed by a NUL byte", REJECT)
    add(b"\x00" + text.encode(), "a NUL byte before the JSON", REJECT)
    add(text.encode("utf-16"), "JSON in UTF-16", REJECT)
    add(text.encode("utf-8").replace("ệ".encode(), b"\xe1\xbb").replace("ô".encode(), b"\xc3"),
        "JSON with a split UTF-8 character")
    add(text.replace("đ", "\xf0").encode("latin-1", "replace"), "JSON in latin-1")
    if is_array:
        add(json.dumps(base[0]).encode(), "an object instead of an array", frozenset({400, 422}))
        add(b"[]", "an empty array")
        add(b"[1, \"x\", null, true, []]", "an array of scalars", frozenset({400, 422}))
    else:
        add(json.dumps([base]).encode(), "an array instead of an object", REJECT)
        add(b"{}", "an empty object")
        add(b'"text"', "a string instead of an object", REJECT)
        add(b"42", "a number instead of an object", REJECT)
        add(b"null", "null instead of an object", REJECT)
    add(b"[" * 10000, "10 000 [", REJECT)
    add(b"[" * 10000 + b"]" * 10000, "10 000 nested arrays, closed", frozenset({400, 422}))
    add(b'{"a":' * 10000 + b"1" + b"}" * 10000, "10 000 nested objects", frozenset({400, 422}))
    add(b"", "an empty body", REJECT)
    add(b" \n\t ", "a body of whitespace", REJECT)
    add(text.encode(), "no Content-Type", ctype=None)
    # the bulk imports read a body sent as curl --data-binary sends it (text/plain, form-urlencoded,
    # octet-stream) by its first character
    sniffed = ["text/plain", "application/x-www-form-urlencoded", "application/octet-stream"] if is_array else []
    for ct in ["text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
               "application/jsonx", "application/json-seq", "text/html", "image/png", "appl\xefcation/json",
               "application/octet-stream"]:
        add(text.encode(), f"Content-Type {ct!r}", frozenset() if ct in sniffed else frozenset({400, 415}), ctype=ct)
    add(text.encode(), "Content-Type 'application/json\\x00'", ctype="application/json\x00")
    if not is_array:
        add(text.encode(), "Content-Type text/csv for a JSON object", frozenset({400, 415}), ctype="text/csv")
    add(text.encode(), "Content-Type with a charset", ctype="application/json; charset=utf-8")
    add(text.encode(), "Content-Type with a latin-1 charset", ctype="application/json; charset=iso-8859-1")
    add(text.encode(), "Content-Type in capitals", ctype="APPLICATION/JSON")
    # duplicate keys and NUL characters
    first_key = next(iter(base[0] if is_array else base))
    dup = text.replace(f'"{first_key}":', f'"{first_key}": "dup", "{first_key}":', 1)
    add(dup.encode(), f"the key {first_key} twice", frozenset({400, 422}))
    add(text.replace(f'"{first_key}"', '"\\u0000"', 1).encode(), "a key \\u0000", frozenset({400, 422}))
    add(text.replace(f'"{first_key}"', f'"{first_key}\\u0000"', 1).encode(), "a key with \\u0000", frozenset({400, 422}))
    add(text.replace('": "', '": "\\ud800', 1).encode(), "a lone surrogate escape \\ud800", frozenset({400, 422}))
    # every field, each replaced
    for where, _ in leaves(base):
        for label, value in [("1e-999999", "1e-999999"), ("1e-20000", "1e-20000"), ("1e999", "1e999"),
                             ("1000000000000000.01", "1000000000000000.01"), ("-0", "-0"),
                             ("1e308", "1e308"), ("123456789012345678901234567890", "123456789012345678901234567890"),
                             ("-1e-1000", "-1e-1000"), ("0.1e1000000000000", "0.1e1000000000000")]:
            add(replace_leaf(text, base, where, value).encode(), f"{where} = {label}")
        for label, value in [("a string of digits", '"12"'), ("a string", '"abc"'), ("a number", "12345"),
                             ("a negative number", "-5"), ("true", "true"), ("null", "null"), ("an array", '["x"]'),
                             ("an object", '{"x": 1}'), ("\\u0000", '"\\u0000"'), ("a NUL inside text", '"a\\u0000b"'),
                             ("10 000 characters", json.dumps("ệ" * 10000, ensure_ascii=False)),
                             ("a control character", '"\\u0001"'), ("an injection", json.dumps("'; DROP TABLE value; --")),
                             ("a period 2022Q5", '"2022Q5"'), ("a date 1999-+1-01", '"1999-+1-01"')]:
            add(replace_leaf(text, base, where, value).encode(), f"{where} = {label}")
    return out


def leaves(doc, prefix=""):
    """(path, value) of every member and item, depth first."""
    items = doc.items() if isinstance(doc, dict) else enumerate(doc)
    for k, v in items:
        where = f"{prefix}.{k}" if isinstance(doc, dict) else f"{prefix}[{k}]"
        yield where.lstrip("."), v
        if isinstance(v, (dict, list)) and v:
            yield from leaves(v, where)


def replace_leaf(text: str, base, where: str, json_value: str) -> str:
    """The document with the value at `where` replaced by raw JSON text."""
    mark = "\u0000LEAF\u0000"
    doc = json.loads(text)
    node, parts = doc, parse_where(where)
    for part in parts[:-1]:
        node = node[part]
    node[parts[-1]] = mark
    return json.dumps(doc, ensure_ascii=False).replace(json.dumps(mark), json_value)


def parse_where(where: str) -> list:
    parts = []
    for piece in where.replace("[", ".[").split("."):
        if not piece:
            continue
        parts.append(int(piece[1:-1]) if piece.startswith("[") else piece)
    return parts


def csv_cases(route: dict) -> list[Req]:
    """CSV (and one-line JSON) bodies for the bulk imports."""
    path = route["path"]
    header, row = CSV_HEADERS[path], CSV_ROWS[path]
    out: list[Req] = []
    n = 0

    def add(body: bytes, label, expect=frozenset(), code=None, ctype="text/csv", alone=False):
        nonlocal n
        key = unscoped(route) if expect else key_for(route, n)
        out.append(Req("PUT", path, key, label, body, ctype, expect, code, alone=alone))
        n += 1

    fill = {"/v1/values": "12", "/v1/organizations": "2020-01-01", "/v1/indicators": "true"}[path]
    good = header + "\n" + row.format(n=fill) + "\n"
    add((header + "\n" + row.format(n=fill) + "\n").encode(), "a good file")
    add((header.replace(",", ";") + "\n" + row.format(n=fill).replace(",", ";") + "\n").encode(), "semicolons")
    add((header.replace(",", "\t") + "\n" + row.format(n=fill).replace(",", "\t") + "\n").encode(), "tabs")
    add((header.replace(",", ";", 2) + "\n" + row.format(n=fill) + "\n").encode(), "mixed separators",
        frozenset({400, 422}))
    long_name = "Mã đơn vị" * 34  # 306 characters
    add((long_name + "," + header + "\n" + "x," + row.format(n=fill) + "\n").encode(),
        "a 306-character Vietnamese column name", REJECT, "invalid_csv_header")
    add((header + "," + "Mã đơn vị" * 1000 + "\n" + row.format(n=fill) + ",x\n").encode(),
        "a 9 000-character Vietnamese column name", REJECT, "invalid_csv_header")
    add(("\ufeff" + long_name + "\n").encode(), "only a long Vietnamese column name", REJECT, "invalid_csv_header")
    add((header + "\n" + row.format(n=fill).replace(",", ',"', 1) + "\n").encode(), "an unterminated quote",
        REJECT, "invalid_csv")
    add((header + '\n"' + row.format(n=fill) + "\n").encode(), "a quote opened at the start of the line",
        frozenset({400, 422}))
    add((header + "\n" + row.format(n=fill).replace(",", ',"x"y', 1) + "\n").encode(), "text after a closing quote",
        frozenset({400, 422}))
    for num in ["1000000000000000.01", "1e-999999", "1e999", "-0", "1e-20000", "NaN", "Infinity", "0x1F",
                "1.000.000,5", "9" * 400, "." , "-", "1e5"]:
        add((header + "\n" + row.format(n=num) + "\n").encode(), f"the number {num[:30]}")
        if path == "/v1/values":
            add((header + "\n" + row.format(n="1").replace(",1,10,", f",{num},{num},") + "\n").encode(),
                f"actual and target {num[:30]}")
    add((header + "\n").encode() + row.format(n=fill).encode().replace(b",", b",\xff", 1) + b"\n",
        "invalid UTF-8 in a cell", REJECT, "invalid_encoding")
    add((header + "\n").encode() + row.format(n=fill).encode().replace(b",", b",\xed\xa0\x80", 1) + b"\n",
        "a UTF-8 surrogate in a cell", REJECT, "invalid_encoding")
    add(header.encode() + b"\xc0\xaf\n" + row.format(n=fill).encode() + b"\n", "an overlong sequence in the header",
        REJECT, "invalid_encoding")
    add(good.encode("utf-16"), "a UTF-16 file (BOM)", REJECT, "invalid_encoding")
    add(good.encode("utf-16-le"), "a UTF-16LE file without BOM", REJECT)
    add(good.encode("utf-32"), "a UTF-32 file", REJECT)
    add((header + "\n" + row.format(n=fill).replace(",", ",\x00", 1) + "\n").encode(), "a NUL byte in a cell",
        frozenset({400, 422}))
    add((header + "\n" + row.format(n=fill).replace(",", ",\x01", 1) + "\n").encode(), "a control character in a cell")
    add((header + "\r\n" + row.format(n=fill) + "\r\n").encode(), "CRLF line ends")
    add((header + "\r" + row.format(n=fill) + "\r").encode(), "CR line ends")
    add((header + "\n" + row.format(n=fill)).encode(), "no line end at the end")
    add((header + "\n\n\n" + row.format(n=fill) + "\n\n").encode(), "blank lines")
    add((header + "\n").encode(), "a header and no rows")
    add(header.encode(), "a header alone without a line end")
    add(b"", "an empty file", REJECT)
    add(b"\n\n\n", "only line ends", REJECT)
    add((header + "," + header.split(",")[0] + "\n" + row.format(n=fill) + ",x\n").encode(), "a column twice",
        REJECT, "invalid_csv_header")
    add(("," + header + "\n," + row.format(n=fill) + "\n").encode(), "an empty column name", REJECT,
        "invalid_csv_header")
    add((header + "\n" + row.format(n=fill) + ",extra\n").encode(), "a row with a field too many",
        frozenset({422}))
    add((header + "\n" + ",".join(row.format(n=fill).split(",")[:2]) + "\n").encode(), "a row too short",
        frozenset({422}))
    add((header + "\n" + '"' + "x" * 100000 + '",' + ",".join(row.format(n=fill).split(",")[1:]) + "\n").encode(),
        "a 100 000-character cell", frozenset({400, 422}))
    add((header + "\n" + ("," * 5000) + "\n").encode(), "5 000 commas")
    add(("\ufeff\ufeff" + good).encode(), "two byte-order marks", frozenset({400, 422}))
    add(("sep=;\n" + good).encode(), "an Excel sep= line", frozenset({400, 422}))
    add(good.encode(), "CSV sent as JSON", REJECT, ctype="application/json")
    add(json.dumps(body_of(route)).encode(), "JSON sent as CSV", frozenset({400, 422}), ctype="text/csv")
    add(good.encode(), "CSV as text/plain", ctype="text/plain")
    add(good.encode(), "text/csv; charset=utf-8", ctype="text/csv; charset=utf-8")
    add(good.encode(), "text/csv; charset=windows-1258", ctype="text/csv; charset=windows-1258")
    add(good.encode(), "application/vnd.ms-excel", frozenset({200, 400, 415, 422}), ctype="application/vnd.ms-excel")
    # a JSON array of 200 elements on one line
    one = body_of(route)[0]
    rows = []
    for i in range(200):
        r = dict(one)
        if path == "/v1/values":
            r["period"] = f"{2030 + i // 12}M{i % 12 + 1:02d}"
        elif path == "/v1/organizations":
            r = {"code": f"HZ-L{i}", "name": f"Công đoàn cơ sở số {i}", "kind": "grassroots", "parent": "HN"}
        else:
            r = {"code": f"hostile_{i}", "name": f"Chỉ tiêu {i}", "name_en": f"Indicator {i}", "unit": "người",
                 "kind": "flow"}
        rows.append(r)
    # one after the other, by themselves: each depends on what the one before wrote
    add(json.dumps(rows, ensure_ascii=False).encode(), "a JSON array of 200 rows on one line",
        frozenset({200}), ctype="application/json", alone=True)
    add(json.dumps(rows + [rows[0]], ensure_ascii=False).encode(), "200 rows on one line and one repeated",
        frozenset({200, 422}), ctype="application/json", alone=True)
    add(json.dumps(rows, ensure_ascii=False, indent=None, separators=(",", ":")).encode(),
        "200 rows on one line without spaces", frozenset({200}), ctype="application/json", alone=True)
    return out


# ---- running them ----

class Walk:
    """Runs requests on a few connections at once and collects what is wrong."""

    def __init__(self, base_url: str, contract, keys: dict):
        self.base_url, self.contract, self.keys = base_url, contract, keys
        self.local = threading.local()
        self.count = 0
        self.failures: list[str] = []
        self.lock = threading.Lock()
        self.clients: list[RawApi] = []

    def api(self) -> RawApi:
        if not hasattr(self.local, "api"):
            self.local.api = RawApi(self.base_url, self.contract)
            with self.lock:
                self.clients.append(self.local.api)
        return self.local.api

    def one(self, req: Req) -> None:
        key = self.keys[req.key]
        tgt = req.target.replace("{key}", key)
        headers = {"Authorization": f"Bearer {key}", **req.headers}
        if req.ctype is not None:
            headers["Content-Type"] = req.ctype
        problem = None
        r = None
        try:
            r = self.api().raw(req.method, tgt, data=req.body, headers=headers)
            problem = verdict(req, r)
            if not problem:
                self.api().check(req.method, r)
        except ContractError as e:
            problem = f"contract: {e}"
            path = urlparse(r.url).path
            if len(path) > 80:
                problem = problem.replace(path, path[:60] + "…")
        except (OSError, http.client.HTTPException) as e:
            problem = f"no answer: {e!r}"
        with self.lock:
            self.count += 1
            if problem:
                body = req.body if isinstance(req.body, bytes) or req.body is None else b"<chunked>"
                excerpt = (body or b"")[:200].decode("utf-8", "backslashreplace")
                status = r.status_code if r is not None else "-"
                # failures of one kind together: the status and what is wrong, without the path
                kind = f"got {status}: " + re.sub(r"^contract: \S+ \S+ -> \d+: ", "contract: ", problem)[:160]
                self.failures.append((kind,
                    f"{req.method} {tgt[:300]!r} [{req.label}, key {req.key}]\n"
                    f"    body ({len(body or b'')} bytes, {req.ctype}): {excerpt!r}\n"
                    f"    got {status}: {(r.text[:400] if r is not None else '')!r}\n    {problem[:600]}"))

    def run(self, reqs: list[Req], workers: int = WORKERS) -> None:
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(self.one, [r for r in reqs if not r.alone]))
        for r in reqs:
            if r.alone:
                self.one(r)
        for c in self.clients:
            c.close()

    def report(self) -> str:
        """The failures by kind, the largest first, with a few of each."""
        kinds: dict[str, list[str]] = {}
        for kind, text in self.failures:
            kinds.setdefault(kind, []).append(text)
        out = [f"{len(self.failures)} of {self.count} requests answered wrongly, {len(kinds)} kinds:"]
        for kind, texts in sorted(kinds.items(), key=lambda kv: -len(kv[1])):
            out.append(f"\n== {len(texts)} × {kind}")
            out += ["  " + t for t in texts[:3]]
        return "\n".join(out)


def verdict(req: Req, r: requests.Response) -> str | None:
    """What is wrong with the answer, or None."""
    if r.status_code >= 500:
        return "a 5xx"
    if req.expect and r.status_code not in req.expect:
        wrong = f"expected {sorted(req.expect)}"
        ctype = r.headers.get("Content-Type", "").split(";")[0].strip()
        if r.status_code >= 400 and ctype != "application/problem+json":
            wrong += f", and an error that is not application/problem+json but {ctype!r}"
        return wrong
    if r.status_code >= 400:
        ctype = r.headers.get("Content-Type", "").split(";")[0].strip()
        if ctype != "application/problem+json":
            return f"an error that is not application/problem+json but {ctype!r}"
        try:
            doc = r.json()
        except ValueError:
            return "a problem that is not JSON"
        if doc.get("code") not in PROBLEM_CODES:
            return f"problem code {doc.get('code')!r} is not documented"
        if not doc.get("request_id"):
            return "a problem without request_id"
        if doc.get("status") != r.status_code:
            return f"the problem says status {doc.get('status')}"
        if req.code and doc["code"] != req.code:
            return f"expected problem code {req.code}"
    return None


def list_cursors(server_url: str, contract, keys: dict) -> dict:
    """A real next_cursor of each list route (path -> cursor or None)."""
    api = Api(server_url, contract, {"Authorization": f"Bearer {keys['admin']}"})
    out = {}
    for route in served_routes():
        if route["method"] == "GET" and any(p["type"] == "cursor" for p in route["parameters"]):
            r = api.get(target(fill_path(route), good_query(route) + [("limit", "1")]))
            assert r.status_code == 200, r.text
            out[route["path"]] = r.json().get("next_cursor")
    return out


@pytest.fixture(scope="module")
def cursors(server, contract, keys):
    return list_cursors(server.url, contract, keys)


def show(capsys, text: str) -> None:
    with capsys.disabled():
        print("\n" + text)


def test_every_read_route_survives_bad_parameters(server, contract, keys, cursors, capsys):
    routes = [r for r in served_routes() if not is_write(r)]
    reqs = [req for route in routes for req in param_cases(route, cursors)]
    walk = Walk(server.url, contract, keys)
    started = time.monotonic()
    walk.run(reqs)
    show(capsys, f"hostile reads: {walk.count} requests on {len(routes)} routes in {time.monotonic() - started:.1f} s")
    assert walk.count == len(reqs)
    assert not walk.failures, walk.report()
    assert server.proc.poll() is None


def test_every_write_route_survives_bad_parameters_and_bodies(make_db, make_server, contract, keys, cursors, capsys):
    srv, _ = make_server(make_db(), role="admin")
    routes = [r for r in served_routes() if is_write(r)]
    reqs = [req for route in routes for req in param_cases(route, cursors)]
    reqs += [req for route in routes if has_body(route) for req in body_cases(route)]
    reqs += [req for route in routes if route["method"] == "PUT" and route["path"] in CSV_HEADERS
             for req in csv_cases(route)]
    walk = Walk(srv.url, contract, keys)
    started = time.monotonic()
    walk.run(reqs)
    show(capsys, f"hostile writes: {walk.count} requests on {len(routes)} routes in {time.monotonic() - started:.1f} s")
    assert not walk.failures, walk.report()
    assert srv.proc.poll() is None


def test_every_route_with_a_body_refuses_one_over_the_limit(make_db, make_server, contract, keys, capsys):
    srv, _ = make_server(make_db(), {"THIDUA_MAX_BODY_BYTES": "4096"}, role="admin")
    reqs = []
    routes = [r for r in served_routes() if has_body(r)]
    for i, route in enumerate(routes):
        tgt = target(fill_path(route), good_query(route))
        big = body_of(route)
        filler = "ệ" * 3000  # 9 000 bytes
        if isinstance(big, list):
            big = [dict(big[0], note=filler)]
        else:
            big = dict(big, note=filler)
        body = json.dumps(big, ensure_ascii=False).encode()
        assert len(body) > 4096
        reqs += [
            Req(route["method"], tgt, key_for(route, i), "JSON over the limit", body, "application/json",
                frozenset({413}), "body_too_large"),
            Req(route["method"], tgt, key_for(route, i + 1), "JSON over the limit, chunked",
                iter([body[:3000], body[3000:]]), "application/json", frozenset({413}), "body_too_large"),
            Req(route["method"], tgt, key_for(route, i), "CSV over the limit", b"x,y\n" * 2000, "text/csv",
                frozenset({413}), "body_too_large"),
            Req(route["method"], tgt, key_for(route, i), "4096 bytes of JSON cut short", body[:4096],
                "application/json", frozenset({400, 415, 422})),
        ]
    walk = Walk(srv.url, contract, keys)
    walk.run(reqs, workers=1)
    show(capsys, f"hostile bodies over the limit: {walk.count} requests on {len(routes)} routes")
    assert not walk.failures, walk.report()
    assert srv.proc.poll() is None


@pytest.mark.parametrize("length,status", [("99999999999999999999999", 413), ("-1", 400), ("12x", 400)])
def test_a_content_length_that_is_no_number_is_refused_by_the_http_library(server, keys, length, status):
    """A Content-Length the HTTP library cannot read as a size never reaches
    the service: libmicrohttpd refuses it itself (413 or 400, its own short
    HTML, no X-Request-Id), as openapi.yaml says, and the service goes on."""
    api = RawApi(server.url, None, {"Authorization": f"Bearer {keys['admin']}"})
    r = api.raw("PUT", "/v1/values", b"{}", {"Content-Type": "application/json", "Content-Length": length})
    assert r.status_code == status
    assert "X-Request-Id" not in r.headers
    api.close()
    assert requests.get(server.url + "/healthz", timeout=10).status_code == 200


def test_a_request_line_beyond_the_http_library_is_refused_by_it(server, keys):
    """A request line larger than the memory the HTTP library reads it into
    (THIDUA_CONNECTION_MEMORY_BYTES) never reaches the service: libmicrohttpd
    answers 414 itself, as openapi.yaml says, and the service goes on."""
    api = RawApi(server.url, None, {"Authorization": f"Bearer {keys['reader']}"})
    r = api.raw("GET", "/v1/organizations?q=" + q("ệ" * 10000))
    assert r.status_code == 414
    assert "X-Request-Id" not in r.headers
    api.close()
    ok = requests.get(server.url + "/healthz", timeout=10)
    assert ok.status_code == 200
