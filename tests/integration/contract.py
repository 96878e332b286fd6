"""Checks real responses against openapi.yaml.

Every response a test receives through `Api` goes through `Contract.check`:
the path and method must be documented (or be a documented kind of error),
the status must be listed for the operation, the media type must be one the
operation declares, JSON bodies must validate against the declared schema,
and headers declared `required` must be present.
"""
import json
import os
import re

import jsonschema
import requests
import yaml

SOURCE_ROOT = os.environ.get("THIDUA_SOURCE_ROOT", os.path.join(os.path.dirname(__file__), "..", ".."))


def load_openapi() -> dict:
    with open(os.path.join(SOURCE_ROOT, "openapi.yaml"), encoding="utf-8") as f:
        return yaml.safe_load(f)


class ContractError(AssertionError):
    pass


class Contract:
    def __init__(self, doc: dict | None = None):
        self.doc = doc or load_openapi()
        self.resolver = jsonschema.RefResolver(base_uri="", referrer=self.doc)
        self.templates = []
        for tmpl, item in self.doc.get("paths", {}).items():
            rx = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(tmpl)) + "$"
            self.templates.append((tmpl.count("{"), re.compile(rx), tmpl, item))
        self.templates.sort(key=lambda t: t[0])  # literal segments win over {params}

    def deref(self, obj: dict) -> dict:
        while isinstance(obj, dict) and "$ref" in obj:
            _, obj = self.resolver.resolve(obj["$ref"])
        return obj

    def validate(self, instance, schema: dict, where: str) -> None:
        validator = jsonschema.Draft202012Validator(schema, resolver=self.resolver,
                                                    format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
        errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.path))
        if errors:
            e = errors[0]
            raise ContractError(f"{where}: {e.message} at {'/'.join(map(str, e.path)) or 'root'}\n"
                                f"body: {json.dumps(instance, ensure_ascii=False)[:2000]}")

    def match_path(self, path: str):
        for _, rx, tmpl, item in self.templates:
            if rx.match(path):
                return tmpl, item
        return None, None

    def problem_schema(self) -> dict:
        return {"$ref": "#/components/schemas/Problem"}

    def check(self, method: str, url: str, response: requests.Response) -> None:
        path = requests.utils.urlparse(url).path
        if len(path) > 1 and path.endswith("/"):
            path = path[:-1]
        method = method.lower()
        status = response.status_code
        where = f"{method.upper()} {path} -> {status}"
        ctype = response.headers.get("Content-Type", "").split(";")[0].strip()
        tmpl, item = self.match_path(path)

        if tmpl is None or (method not in item and method not in ("head", "options")) or (
                method == "head" and "get" not in item):
            # Outside the documented operations only the generic errors exist.
            if status not in (404, 405, 413):
                raise ContractError(f"{where}: undocumented path or method")
            self._check_problem(response, where)
            return
        if method == "options":
            if status == 204:
                return
            self._check_problem(response, where)
            return
        op = item["get" if method == "head" else method]
        responses = op.get("responses", {})
        key = next((k for k in (str(status), f"{status // 100}XX", "default") if k in responses), None)
        if key is None:
            raise ContractError(f"{where}: status {status} is not documented for {method.upper()} {tmpl}")
        resp = self.deref(responses[key])
        for name, header in resp.get("headers", {}).items():
            header = self.deref(header)
            if header.get("required") and name not in response.headers:
                raise ContractError(f"{where}: required header {name} missing")
        if method == "head" or status in (204, 304):
            if response.content:
                raise ContractError(f"{where}: a body where none may be")
            return
        content = resp.get("content", {})
        if not content:
            if response.content:
                raise ContractError(f"{where}: undocumented body")
            return
        if ctype not in content:
            raise ContractError(f"{where}: media type {ctype!r} not among {sorted(content)}")
        schema = content[ctype].get("schema")
        if schema is not None and (ctype.endswith("json")):
            self.validate(response.json(), schema, where)

    def _check_problem(self, response: requests.Response, where: str) -> None:
        ctype = response.headers.get("Content-Type", "").split(";")[0].strip()
        if ctype != "application/problem+json":
            raise ContractError(f"{where}: expected a problem document, got {ctype!r}")
        self.validate(response.json(), self.problem_schema(), where)


class Api:
    """requests.Session bound to one server; checks every response."""

    def __init__(self, base_url: str, contract: Contract, headers: dict | None = None):
        self.base_url = base_url
        self.contract = contract
        self.session = requests.Session()
        if headers:
            self.session.headers.update(headers)

    def request(self, method: str, path: str, **kw) -> requests.Response:
        kw.setdefault("timeout", 60)
        r = self.session.request(method, self.base_url + path, **kw)
        self.contract.check(method, r.url, r)
        return r

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def head(self, path, **kw):
        return self.request("HEAD", path, **kw)

    def options(self, path, **kw):
        return self.request("OPTIONS", path, **kw)

    def post(self, path, **kw):
        return self.request("POST", path, **kw)

    def put(self, path, **kw):
        return self.request("PUT", path, **kw)

    def patch(self, path, **kw):
        return self.request("PATCH", path, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)
