"""The data generator of bench/: deterministic, and its data goes through
the service's own imports with nothing rejected. The benchmark command runs
end to end at a tiny scale (its figures are not checked: benchmarks are not
timed tests)."""
import csv
import os
import subprocess
from decimal import Decimal

import pytest

ROOT = os.environ.get("THIDUA_SOURCE_ROOT", os.path.join(os.path.dirname(__file__), "..", ".."))
GENERATE = os.path.join(ROOT, "bench", "generate.py")


def generate(out, *args):
    r = subprocess.run(["/usr/bin/python3", GENERATE, "--scale", "0.001", "--out", str(out), *args],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip().splitlines()[-1]


def test_same_seed_same_checksum_other_seed_other_data(tmp_path):
    first = generate(tmp_path / "a", "--seed", "7")
    again = generate(tmp_path / "b", "--seed", "7")
    other = generate(tmp_path / "c", "--seed", "8")
    assert first.startswith("checksum ") and len(first.split()[1]) == 64
    assert first == again
    assert other != first
    for name in ("organizations.csv", "values.csv", "blocs.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_scale_one_has_the_shape_of_the_country(tmp_path):
    """Only the organizations are counted (writing SF=1 values takes minutes)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("generate", GENERATE)
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    country = gen.Country(gen.Scale(1), "thidua")
    assert len(country.provinces) == 34
    assert len(country.districts) == 700 and len(country.communes) == 700
    assert len(country.grassroots) == 100_000


@pytest.fixture
def loaded(tmp_path, make_db, make_server):
    url = make_db()
    _, admin = make_server(url, role="admin")
    from conftest import KEYS
    # the blocs and the figures' parts go three at a time (the benchmark sends two at once)
    r = subprocess.run(["/usr/bin/python3", GENERATE, "--scale", "0.001", "--seed", "7", "--out", str(tmp_path),
                        "--chunk-rows", "1500", "--clients", "3", "--load", admin.base_url, KEYS["admin"]],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr  # any rejected row stops the generator with its reasons
    return tmp_path, admin, url.split("dbname=")[1].split()[0]


def test_generated_data_loads_with_nothing_rejected(loaded):
    out, api, _ = loaded
    with open(out / "values.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    # every row is stored: reading one back gives the same digits
    row = next(r for r in rows if r["indicator"] == "care_amount" and r["period"] == "2024")
    got = api.get("/v1/values", params={"org": row["org"], "indicator": "care_amount", "period": "2024"}) \
        .json(parse_float=Decimal)
    assert [str(v["actual"]) for v in got["data"]] == [row["actual"]]


def test_grassroots_move_to_their_commune_on_2025_07_01(loaded):
    out, api, _ = loaded
    with open(out / "moves.csv", encoding="utf-8") as f:
        move = next(csv.DictReader(f))
    with open(out / "organizations.csv", encoding="utf-8") as f:
        district = next(r["parent"] for r in csv.DictReader(f) if r["code"] == move["code"])
    before = api.get(f"/v1/organizations/{move['code']}", params={"on": "2025-06-30"}).json()
    after = api.get(f"/v1/organizations/{move['code']}", params={"on": "2025-07-01"}).json()
    assert (before["parent"], after["parent"]) == (district, move["parent"])
    gone = api.get(f"/v1/organizations/{district}").json()
    assert gone["valid_to"] == "2025-06-30"


def test_figures_sent_three_at_a_time_are_all_stored_once_and_their_sums_agree(loaded, pg):
    out, _, db = loaded
    with open(out / "values.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) > 3 * 1500  # more parts than clients: they did go at once
    stored = pg.query(db, "SELECT count(*), count(DISTINCT (org_id, indicator_id, period_id)) FROM value "
                          "WHERE org_id IN (SELECT id FROM organization WHERE code LIKE 'X%')")
    assert stored == [(len(rows), len(rows))]
    from test_child_sums import DIFFERENCES
    assert pg.query(db, DIFFERENCES) == []


def test_national_roll_up_is_the_sum_of_what_grassroots_reported(loaded):
    """care_amount is reported by grassroots unions only, so the service
    adds it up through communes or districts and provinces."""
    out, api, _ = loaded
    with open(out / "values.csv", encoding="utf-8") as f:
        expected = sum(Decimal(r["actual"]) for r in csv.DictReader(f)
                       if r["indicator"] == "care_amount" and r["period"] == "2024")
    r = api.get("/v1/organizations/VN/breakdown", params={"indicator": "care_amount", "period": "2024"})
    assert r.status_code == 200, r.text
    children = r.json(parse_float=Decimal)["children"]
    synthetic = [c for c in children if c["org"].startswith("X")]
    assert synthetic and all(c["source"] == "children" for c in synthetic)
    assert sum(c["actual"] for c in synthetic) == expected


def test_the_benchmark_runs_end_to_end_at_a_tiny_scale(tmp_path):
    out = tmp_path / "BENCHMARKS.md"  # THIDUA_BIN (the test build) passes through from the environment
    r = subprocess.run(["bash", os.path.join(ROOT, "bench", "run"), "--tiny", "--seconds", "1", "--out", str(out)],
                       capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-4000:]
    text = out.read_text(encoding="utf-8")
    for needle in ("nginx", "pgbench", "from the cache", "cache off", "national roll-up", "psql `\\copy`",
                   "1000 keep-alive connections", "no non-2xx answer"):
        assert needle in text, needle
