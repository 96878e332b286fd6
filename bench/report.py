#!/usr/bin/python3
"""Writes BENCHMARKS.md from the results bench/run collected, prints the
same table, and appends bench/NOTES.md (what was found and tried)."""
import datetime
import json
import os
import platform
import sys

results_path, out_path, command, scoreboard, rollup, pg_version, province, grassroots = sys.argv[1:9]
r = {}
for line in open(results_path, encoding="utf-8"):
    item = json.loads(line)
    r[item["name"]] = item["result"]


def machine():
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "unknown")
    mem = next(int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal")) / 1048576
    distro = next((l.split("=", 1)[1].strip().strip('"') for l in open("/etc/os-release")
                   if l.startswith("PRETTY_NAME=")), "unknown")
    return f"{os.cpu_count()} × {cpu}, {mem:.0f} GiB, {distro}, Linux {platform.release()}, {pg_version}"


def ratio(a, b):
    return a / b if b else 0.0


def ms(v):
    return f"{v:.2f}"


rows = [
    ("nginx: the scoreboard's bytes as a static file (ceiling)", "nginx"),
    ("thidua: scoreboard from the cache", "cached"),
    ("thidua: scoreboard from the cache, another province importing every second", "cached_imports"),
    ("thidua: scoreboard, cache off", "uncached"),
    ("pgbench: the SQL of the uncached scoreboard, same clients as wrk", "pgbench"),
    ("pgbench: the same SQL, one client per service database connection", "pgbench_pool"),
    ("thidua: national roll-up of one indicator for one year, uncached, one client", "rollup"),
    ("thidua: scoreboard from the cache, 1000 connections", "connections_1000"),
    (f"thidua: summary of a province ({province}, every indicator of 2024), uncached, one client", "province_summary"),
    ("thidua: the scoreboard, uncached, one client", "scoreboard_one"),
    (f"thidua: the first 100 organizations under {province}, uncached, one client", "organization_list"),
    (f"thidua: value history of one grassroots union ({grassroots}), uncached, one client", "value_history"),
    ("thidua: the `updated_after` feed, its first page of 1000 values, one client", "feed"),
    (f"thidua: the first 100 organizations under {province}, uncached", "list_service"),
    ("pgbench: the SQL of that list, one client per service database connection", "list_pgbench"),
    (f"thidua: summary of {province}, uncached", "summary_service"),
    ("pgbench: the SQL of that summary, one client per service database connection", "summary_pgbench"),
    (f"thidua: breakdown of {province} (care_amount, 2024), uncached", "breakdown_service"),
    ("pgbench: the SQL of that breakdown, one client per service database connection", "breakdown_pgbench"),
]
non2xx = sum(int(r[k].get("non2xx", 0)) + int(r[k].get("socket_errors", 0)) for _, k in rows if k in r)
non2xx += int(r["import"].get("non2xx", 0))
mem = r["memory"]
data = r["data"]
targets = [
    ("cached scoreboard ≥ 0.5 × nginx requests/s", ratio(r["cached"]["rps"], r["nginx"]["rps"]), 0.5, "≥"),
    ("uncached scoreboard ≥ 0.8 × pgbench transactions/s (the better of the two pgbench runs)",
     ratio(r["uncached"]["rps"], max(r["pgbench"]["rps"], r["pgbench_pool"]["rps"])), 0.8, "≥"),
    ("import ≥ 0.5 × psql \\copy rows/s", ratio(r["import"]["rps"], r["copy"]["rps"]), 0.5, "≥"),
    ("national roll-up p50 < 50 ms", r["rollup"]["p50_ms"], 50, "<"),
    ("summary of a province, uncached, p50 < 20 ms", r["province_summary"]["p50_ms"], 20, "<"),
] + [
    (f"uncached {what} ≥ 0.8 × pgbench running its statements, one client per connection",
     ratio(r[f"{key}_service"]["rps"], r[f"{key}_pgbench"]["rps"]), 0.8, "≥")
    for what, key in (("organization list", "list"), ("province summary", "summary"),
                      ("province breakdown", "breakdown"))
    if f"{key}_service" in r and f"{key}_pgbench" in r
] + [
    ("cache hits ≥ 90 % while another province imports every second",
     100 * r["cache_under_imports"]["hit_rate"], 90, "≥"),
    ("RSS < 64 MiB with 1000 connections", mem["max_kb"] / 1024, 64, "<"),
    ("no non-2xx answer in any run", non2xx, 0, "="),
]


def met(value, bound, op):
    return value >= bound if op == "≥" else value < bound if op == "<" else value == bound


lines = [
    "# Benchmarks",
    "",
    f"Measured {datetime.date.today().isoformat()} on {machine()}.",
    "",
    f"Reproduce with `{command.strip()}` (see bench/run --help). Everything below comes from that one run,",
    "on the same data, in the same session; nothing is copied from elsewhere.",
    "",
    f"Data: scale {data['scale']}, {data['counts']['organizations']} organizations "
    f"({data['counts']['grassroots']} grassroots), {data['counts']['values']} values, "
    f"{data['counts']['blocs']} blocs, {data['counts']['database_mb']} MB; generated and loaded through the "
    f"service's imports in {data['load_seconds']:.0f} s; checksum `{data['checksum'][:16]}…`.",
    *([] if not data.get("steps") else [
        "",
        "The load, step by step: " + ", ".join(f"{k} {v:.0f} s" for k, v in data["steps"].items() if k != "clients")
        + f" (the organizations one file part after another; the blocs and the figures by "
        f"{data['steps'].get('clients', 1)} clients at once, as the provinces' portals send theirs)."]),
    "",
    f"Scoreboard: `GET {scoreboard}` ({r.get('cached', {}).get('bytes', 0) // max(1, r.get('cached', {}).get('requests', 1))} bytes). "
    f"Roll-up: `GET {rollup}`.",
    "",
    "| measurement | per second | p50 ms | p99 ms | errors |",
    "|---|---:|---:|---:|---:|",
]
for label, key in rows:
    x = r[key]
    lines.append(f"| {label} | {x['rps']:.0f} | {ms(x['p50_ms'])} | {ms(x['p99_ms'])} | "
                 f"{int(x.get('non2xx', 0)) + int(x.get('socket_errors', 0))} |")
def round_ratios(ours, *theirs):
    """Each round's ratio of our rate to the best of theirs, as text."""
    if ours + "_rounds" not in r or any(t + "_rounds" not in r for t in theirs):
        return None
    best = [max(x) for x in zip(*(r[t + "_rounds"] for t in theirs))]
    return ", ".join(f"{ratio(a, b):.2f}" for a, b in zip(r[ours + "_rounds"], best))


compared = [(what, round_ratios(*names)) for what, names in [
    ("the cache over nginx", ("cached", "nginx")),
    ("the uncached scoreboard over the better pgbench", ("uncached", "pgbench", "pgbench_pool")),
    ("the organization list over pgbench", ("list_service", "list_pgbench")),
    ("the summary over pgbench", ("summary_service", "summary_pgbench")),
    ("the breakdown over pgbench", ("breakdown_service", "breakdown_pgbench")),
]]
compared = [(what, each) for what, each in compared if each]
if compared:
    n = len(next(r[k] for k in r if k.endswith("_rounds")))
    lines_after_table = [
        "What is compared with a ceiling was measured in turn with it, in "
        f"{n} rounds sharing the run's seconds (the rows above are their sums); each round's ratio: "
        + "; ".join(f"{what} {each}" for what, each in compared) + ".",
        "",
    ]
else:
    lines_after_table = []
lines += [
    f"| import: {r['import']['rows']} CSV rows through `PUT /v1/values` | {r['import']['rps']:.0f} rows | "
    f"{r['import']['seconds']:.1f} s in all | | 0 |",
    f"| psql `\\copy` of the same file into a scratch table | {r['copy']['rps']:.0f} rows | "
    f"{r['copy']['seconds']:.1f} s in all | | |",
    "",
    f"Memory of a fresh instance: {mem['idle_kb'] / 1024:.1f} MiB idle, {mem['max_kb'] / 1024:.1f} MiB at most "
    f"while 1000 keep-alive connections were open and served (peak RSS {mem['peak_kb'] / 1024:.1f} MiB).",
    "",
]
lines += lines_after_table
page = r.get("page")
if page:
    kb = lambda n: f"{n / 1024:.1f} KB"  # noqa: E731
    size = f"its HTML, JS and CSS weigh {kb(page['page_bytes'])} (Chart.js, {kb(page['chartjs_bytes'])}, apart)"
    if page.get("loads_ms"):
        warm = (f", {page['warm_median_ms']:.0f} ms (median) on the {len(page['loads_ms']) - 1} loads after"
                if page.get("warm_median_ms") is not None else "")
        lines += [f"Dashboard: the page of that scoreboard ({page['members']} members) in headless Chromium has its "
                  f"table and chart drawn {page['first_ms']:.0f} ms after navigation on a first load{warm}; {size} "
                  "(bench/page.py).", ""]
    elif "page_bytes" in page:
        lines += [f"Dashboard: the page was not drawn ({page.get('skipped') or page.get('error')}); {size}.", ""]
lines += [
    "| target | measured | |",
    "|---|---:|---|",
]
for label, value, bound, op in targets:
    shown = f"{value:.2f}" if isinstance(value, float) else str(value)
    lines.append(f"| {label} | {shown} | {'met' if met(value, bound, op) else '**missed**'} |")
notes = os.path.join(os.path.dirname(os.path.abspath(__file__)), "NOTES.md")
if os.path.exists(notes):
    lines += ["", open(notes, encoding="utf-8").read().rstrip()]
text = "\n".join(lines) + "\n"
with open(out_path, "w", encoding="utf-8") as f:
    f.write(text)
print(text)
