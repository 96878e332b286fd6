"""The contract file itself: valid OpenAPI 3.1, every reference resolves,
every example matches its schema, and it documents exactly the routes the
server's route table (src/routes.c, as `thidua routes` prints it) serves,
with the same parameters."""
import glob
import json
import os
import re

import jsonschema
import pytest

from contract import SOURCE_ROOT, Contract, load_openapi
from server import served_routes

METHODS = ("get", "put", "post", "patch", "delete")


@pytest.fixture(scope="module")
def doc():
    return load_openapi()


def route_table() -> list[tuple[str, str, set[str]]]:
    """(method, path, query parameter names) of every route, as the binary
    itself lists them (`thidua routes`)."""
    return [(r["method"].lower(), r["path"], {p["name"] for p in r["parameters"] if p["in"] == "query"})
            for r in served_routes()]


def test_document_validates_against_the_openapi_3_1_schema(doc):
    with open(os.path.join(SOURCE_ROOT, "tests", "openapi", "oas-3.1-schema.json"), encoding="utf-8") as f:
        meta = json.load(f)
    jsonschema.Draft202012Validator(meta).validate(doc)


def walk(node, path=()):
    if isinstance(node, dict):
        yield path, node
        for k, v in node.items():
            yield from walk(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from walk(v, path + (i,))


def test_every_reference_resolves(doc):
    contract = Contract(doc)
    for where, node in walk(doc):
        if "$ref" in node and isinstance(node["$ref"], str):
            try:
                contract.resolver.resolve(node["$ref"])
            except jsonschema.RefResolutionError as e:
                pytest.fail(f"{'/'.join(map(str, where))}: {e}")


def test_every_example_matches_its_schema(doc):
    contract = Contract(doc)
    checked = 0
    for where, node in walk(doc):
        if "schema" in node and "example" in node and isinstance(node.get("schema"), dict):
            contract.validate(node["example"], node["schema"], "/".join(map(str, where)))
            checked += 1
        if "schema" in node and isinstance(node.get("examples"), dict):
            for name, ex in node["examples"].items():
                ex = contract.deref(ex)
                if "value" in ex:
                    contract.validate(ex["value"], node["schema"], "/".join(map(str, where + ("examples", name))))
                    checked += 1
    assert checked > 0


def test_no_key_is_written_twice():
    """YAML keeps the last of two equal keys silently: a second schema of the same name would
    replace the first without a word."""
    import collections
    import yaml
    from contract import SOURCE_ROOT

    class Strict(yaml.SafeLoader):
        pass

    def mapping(loader, node, deep=False):
        keys = [loader.construct_object(k, deep=deep) for k, _ in node.value]
        twice = [k for k, n in collections.Counter(map(str, keys)).items() if n > 1]
        assert not twice, f"written twice at line {node.start_mark.line + 1}: {twice}"
        return loader.construct_mapping(node, deep)

    Strict.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    with open(os.path.join(SOURCE_ROOT, "openapi.yaml"), encoding="utf-8") as f:
        yaml.load(f, Loader=Strict)


def test_every_csv_example_is_well_formed_csv(doc):
    """Quotes closed, every line as many fields as the header: an integrator copies these."""
    import csv
    import io
    checked = 0
    for where, node in walk(doc):
        if where and where[-1] == "text/csv" and isinstance(node.get("example"), str):
            reader = csv.reader(io.StringIO(node["example"]), strict=True)
            rows = list(reader)
            assert rows and all(len(r) == len(rows[0]) for r in rows), where
            assert not node["example"].count('"') % 2, where
            checked += 1
    assert checked > 0


def test_operation_ids_are_unique(doc):
    ids = [op["operationId"] for item in doc["paths"].values() for m, op in item.items() if m in METHODS]
    assert len(ids) == len(set(ids))
    assert all(ids)


def test_every_route_is_documented_with_its_query_parameters(doc):
    contract = Contract(doc)
    for method, path, params in route_table():
        item = doc["paths"].get(path)
        assert item is not None, f"{path} is routed but not in openapi.yaml"
        op = item.get(method)
        assert op is not None, f"{method.upper()} {path} is routed but not documented"
        documented = {contract.deref(p)["name"] for p in item.get("parameters", []) + op.get("parameters", [])
                      if contract.deref(p)["in"] == "query"}
        assert documented == params, f"{method.upper()} {path}: documented {sorted(documented)}, routed {sorted(params)}"


def test_every_documented_operation_is_routed(doc):
    routed = {(m, p) for m, p, _ in route_table()}
    for path, item in doc["paths"].items():
        for method in item:
            if method in METHODS:
                assert (method, path) in routed, f"{method.upper()} {path} is documented but not routed"


def test_every_operation_documents_the_generic_errors(doc):
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method not in METHODS:
                continue
            codes = set(op["responses"])
            assert {"400", "500"} <= codes, f"{method.upper()} {path} lacks 400 or 500"
            if "requestBody" in op:
                assert {"413", "415"} <= codes, f"{method.upper()} {path} takes a body but lacks 413 or 415"
            if method != "get":
                # any write can meet a change committed meanwhile or a rule of the stored data
                assert {"409", "422"} <= codes, f"{method.upper()} {path} writes but lacks 409 or 422"
            if method == "get":
                assert "304" in codes or path == "/metrics", f"GET {path} lacks 304"
            if path.startswith("/v1/"):
                assert {"401", "403", "503"} <= codes, f"{method.upper()} {path} lacks 401, 403 or 503"
                assert op.get("security", doc.get("security")), f"{method.upper()} {path} has no security"


def test_public_operations_are_the_probes_and_the_index(doc):
    public = {p for p, item in doc["paths"].items() for m, op in item.items()
              if m in METHODS and op.get("security") == []}
    pages = {p for p in doc["paths"] if p == "/" or p.startswith("/dashboard")}
    assert pages and all(doc["paths"][p]["get"]["tags"] == ["pages"] for p in pages)
    assert public == {"/healthz", "/readyz", "/openapi.yaml", "/metrics", "/v1"} | pages


# Every way the sources produce a problem or rejection code.
C_CODE_PATTERNS = [
    r'reply_problem(?:_errors)?\(\s*\w+,\s*[\w()]+,\s*"(\w+)"',
    r'(?:params_fail|failf)\(\s*\w+,\s*(?:"[^"]*"|[\w>().-]+),\s*(?:"[^"]*"|[\w>().-]+),\s*"(\w+)"',
    r'retry_later\(\s*req,\s*"(\w+)"',
    r'\[FLAW_\w+\] = \{"(\w+)"',
    r'reply_problem\(req, HTTP_\w+, "(\w+)"',
    r'\bfail\(\s*&?(?:st|err),\s*"(\w+)"',
    r'\btable_fail\(\s*&?[\w.>-]+,\s*"(\w+)"',
    r'reject\([^;]*?NULL,\s*"(\w+)"',
    r'\breject\(\s*ctx,\s*rec,\s*[^,]+,\s*"(\w+)"',
    r'problem_error\("[^"]*",\s*[^,]+,\s*"(\w+)"',
    r'\bcode = "(\w+)"',
    r'unauthorized\(\s*req,\s*"(\w+)"',
]
SQL_CODE_PATTERNS = [
    r"api_raise\(\d+, '([a-z_]+)'",
    r"api_raise\(\d+, CASE \w+ WHEN '[a-z]+' THEN '([a-z_]+)'",
    r"WHEN '[a-z]+' THEN '([a-z_]+)' ELSE '([a-z_]+)' END",
    r"(?:THEN|problem =)\s+ARRAY\['([a-z_]+)'",
    r"DETAIL = '([a-z_]+)'",
    r"v_code := '([a-z_]+)'",
]


def codes_in_sources() -> set[str]:
    used = set()
    for name in glob.glob(os.path.join(SOURCE_ROOT, "src", "**", "*.c"), recursive=True):
        with open(name, encoding="utf-8") as f:
            text = f.read()
        for pattern in C_CODE_PATTERNS:
            for m in re.findall(pattern, text):
                used |= set(m) if isinstance(m, tuple) else {m}
    for name in glob.glob(os.path.join(SOURCE_ROOT, "sql", "*.sql")):
        with open(name, encoding="utf-8") as f:
            text = f.read()
        for pattern in SQL_CODE_PATTERNS:
            for m in re.findall(pattern, text):
                used |= set(m) if isinstance(m, tuple) else {m}
    return used


def test_every_problem_code_in_the_code_is_documented(doc):
    documented = set(doc["components"]["schemas"]["ProblemCode"]["enum"])
    used = codes_in_sources()
    missing = used - documented
    assert not missing, f"problem codes used but not documented: {sorted(missing)}"
    assert len(used) > 30, sorted(used)


def test_every_documented_problem_code_is_used(doc):
    unused = set(doc["components"]["schemas"]["ProblemCode"]["enum"]) - codes_in_sources()
    assert not unused, f"documented problem codes nothing produces: {sorted(unused)}"


def test_every_problem_code_has_its_vietnamese_detail(doc):
    with open(os.path.join(SOURCE_ROOT, "src", "domain", "messages.c"), encoding="utf-8") as f:
        known = set(re.findall(r'\{"([a-z_]+)", "', f.read()))
    assert known == set(doc["components"]["schemas"]["ProblemCode"]["enum"])
