#!/usr/bin/python3
"""Synthetic national data for thidua, deterministic from a seed.

At scale factor 1 it looks like the country: the confederation, 34
provinces, about 700 district federations (until 2025-06-30) replaced by
about 700 commune and ward unions (from 2025-07-01), 100 000 grassroots
unions that move from the first to the second on 2025-07-01, one bloc of
5-15 grassroots unions per district and a few blocs of provinces, each
with members, a leader, a deputy, an agreement and criteria for every year,
and five years (2021-2025) of quarterly and yearly figures with targets.
Grassroots unions report everything; districts, communes and provinces
report their own totals of most indicators (care_amount is left for the
service to roll up). Synthetic codes start with X so they never meet the
articles' organizations.

    bench/generate.py --scale 0.1 --out DIR                 # write the files
    bench/generate.py --scale 0.1 --out DIR --load URL KEY  # and load them
    bench/generate.py --scale 0.1 --out DIR --import-rows 1000000

It loads through the service's own bulk imports (PUT /v1/indicators,
/v1/organizations, /v1/values; PUT /v1/blocs/...) and stops at the first
rejected row. The organizations go one part after another; the blocs and
the figures' parts by --clients clients at once (default 2), as the
provinces' portals send theirs; a 503 (busy) is sent again after a second. The last line printed is the SHA-256 of everything generated:
the same seed and scale give the same checksum.
"""
import argparse
import csv
import hashlib
import io
import json
import os
import random
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

PROVINCES = [
    "Hà Nội", "Huế", "Lai Châu", "Điện Biên", "Sơn La", "Lạng Sơn", "Quảng Ninh", "Thanh Hóa", "Nghệ An",
    "Hà Tĩnh", "Cao Bằng", "Tuyên Quang", "Lào Cai", "Thái Nguyên", "Phú Thọ", "Bắc Ninh", "Hưng Yên",
    "Hải Phòng", "Ninh Bình", "Quảng Trị", "Đà Nẵng", "Quảng Ngãi", "Gia Lai", "Khánh Hòa", "Lâm Đồng",
    "Đắk Lắk", "Thành phố Hồ Chí Minh", "Đồng Nai", "Tây Ninh", "Cần Thơ", "Vĩnh Long", "Đồng Tháp",
    "Cà Mau", "An Giang",
]
WORKPLACES = ["Công ty", "Trường", "Bệnh viện", "Trung tâm", "Nhà máy", "Hợp tác xã", "Ủy ban nhân dân", "Chi cục"]
TRADES = ["May mặc", "Điện tử", "Thủy sản", "Xây dựng", "Giáo dục", "Y tế", "Cơ khí", "Dệt nhuộm", "Da giày", "Chế biến gỗ"]

# The indicators the data uses, exactly as the service's catalog has them.
INDICATORS = [
    ("members", "Số đoàn viên công đoàn", "Union members", "người", "stock", "sum", "true"),
    ("new_members", "Đoàn viên phát triển mới", "New union members", "người", "flow", "sum", "true"),
    ("initiatives", "Sáng kiến đăng ký Chương trình 1 triệu sáng kiến",
     "Initiatives registered in the one-million-initiatives programme", "sáng kiến", "flow", "sum", "true"),
    ("tet_gifts", "Suất quà Tết trao cho đoàn viên, CNLĐ khó khăn", "Tết gifts to members in hardship", "suất",
     "flow", "sum", "true"),
    ("care_amount", "Số tiền thụ hưởng hoạt động chăm lo", "Amount of care benefits", "triệu đồng", "flow", "sum",
     "true"),
]
REPORTED_ABOVE = ("members", "new_members", "initiatives", "tet_gifts")  # not care_amount
REPORTED_BY_PROVINCES = ("members", "new_members")
YEARS = range(2021, 2026)
MOVE_DAY = "2025-07-01"
LAST_DISTRICT_DAY = "2025-06-30"
NOTES = ["", "", "", "", "", "", "", "Số liệu ước tính", "Đã rà soát, đối chiếu với báo cáo quý",
         "Bao gồm cả đoàn viên khối doanh nghiệp ngoài nhà nước"]


class Scale:
    def __init__(self, sf):
        self.provinces = 34 if sf >= 0.1 else max(2, round(340 * sf))
        self.districts = max(self.provinces, round(700 * sf))
        self.grassroots = max(5 * self.districts, round(100_000 * sf))


def rng_for(seed, stream):
    """One generator per stream, so one part never shifts another."""
    return random.Random(f"{seed}:{stream}")


def spread(n, k):
    """n items over k groups as evenly as possible: the group of item i."""
    return [i * k // n for i in range(n)]


class Country:
    """The organizations: who exists, and under whom, before and after the
    2025 reorganisation."""

    def __init__(self, scale, seed):
        rng = rng_for(seed, "organizations")
        self.provinces = [f"X{p + 1:02d}" for p in range(scale.provinces)]
        district_province = spread(scale.districts, scale.provinces)
        self.districts = [f"{self.provinces[p]}-H{i + 1:03d}" for i, p in enumerate(district_province)]
        self.communes = [f"{self.provinces[p]}-P{i + 1:03d}" for i, p in enumerate(district_province)]
        self.intermediate_province = district_province
        grassroots_district = spread(scale.grassroots, scale.districts)
        by_province = {}
        for i, p in enumerate(district_province):
            by_province.setdefault(p, []).append(i)
        self.grassroots = []
        for i, d in enumerate(grassroots_district):
            p = district_province[d]
            commune = rng.choice(by_province[p])  # the ward union it joins on 2025-07-01
            name = f"CĐCS {rng.choice(WORKPLACES)} {rng.choice(TRADES)} số {i + 1}"
            self.grassroots.append((f"{self.provinces[p]}-C{i + 1:06d}", name, d, commune))

    def create_rows(self):
        yield ["code", "name", "kind", "parent", "valid_from", "valid_to"]
        yield ["VN", "Tổng Liên đoàn Lao động Việt Nam", "confederation", "", "", ""]
        for p, code in enumerate(self.provinces):
            yield [code, f"Liên đoàn Lao động {PROVINCES[p]} (dữ liệu mô phỏng)", "province", "VN", "", ""]
        for i, code in enumerate(self.districts):
            yield [code, f"Liên đoàn Lao động huyện số {i + 1} (mô phỏng)", "district",
                   self.provinces[self.intermediate_province[i]], "", ""]
        for i, code in enumerate(self.communes):
            yield [code, f"Công đoàn phường số {i + 1} (mô phỏng)", "commune",
                   self.provinces[self.intermediate_province[i]], MOVE_DAY, ""]
        for code, name, d, _ in self.grassroots:
            yield [code, name, "grassroots", self.districts[d], "", ""]

    def move_rows(self):
        yield ["code", "parent", "parent_from"]
        for code, _, _, c in self.grassroots:
            yield [code, self.communes[c], MOVE_DAY]

    def dissolve_rows(self):
        yield ["code", "valid_to", "successor"]
        for i, code in enumerate(self.districts):
            yield [code, LAST_DISTRICT_DAY, self.communes[i]]


def quarter_periods(year):
    return [f"{year}Q{q}" for q in range(1, 5)]


def grassroots_figures(rng):
    """Five years of one grassroots union: {(indicator, period): (actual, target)}."""
    size = 15 + int(rng.random() ** 3 * 3000)
    members = size
    out = {}
    for year in YEARS:
        totals = {"new_members": 0, "initiatives": 0, "tet_gifts": 0, "care_amount": 0}
        for q, period in enumerate(quarter_periods(year)):
            new = int(members * rng.random() * 0.04)
            members = max(5, members + new - int(members * rng.random() * 0.03))
            quarter = {
                "members": members,
                "new_members": new,
                "initiatives": int(members * rng.random() * 0.02),
                "tet_gifts": int(members * (0.1 + rng.random() * 0.1)) if q == 0 else 0,
                "care_amount": int(members * rng.random() * 150),  # in thousandths of a million đồng
            }
            for ind, v in quarter.items():
                out[(ind, period)] = (v, None)
                if ind != "members":
                    totals[ind] += v
        out[("members", str(year))] = (members, round(size * (1 + rng.random() * 0.1)))
        for ind, v in totals.items():
            out[(ind, str(year))] = (v, max(1, round(v * (0.8 + rng.random() * 0.4))))
    return out


def amount(ind, v):
    """care_amount is in million đồng with three decimals; the rest are counts."""
    if v is None:
        return ""
    return f"{v // 1000}.{v % 1000:03d}" if ind == "care_amount" else str(v)


def alive(kind, period):
    """Whether an intermediate union reports for a period: districts until
    the middle of 2025, communes after it."""
    if kind == "district":
        return period < "2025" or period in ("2025Q1", "2025Q2")
    return period in ("2025Q3", "2025Q4")


def value_rows(country, seed):
    """Every figure, grassroots first, then the totals their unions report."""
    rng = rng_for(seed, "values")
    notes = rng_for(seed, "notes")
    above = {}  # (org, indicator, period) -> [actual, target]
    yield ["org", "indicator", "period", "actual", "target", "note"]
    for code, _, d, c in country.grassroots:
        p = country.provinces[country.intermediate_province[d]]
        for (ind, period), (actual, target) in grassroots_figures(rng).items():
            yield [code, ind, period, amount(ind, actual), amount(ind, target), notes.choice(NOTES)]
            if ind not in REPORTED_ABOVE:
                continue
            parents = []
            if alive("district", period):
                parents.append(country.districts[d])
            if alive("commune", period):
                parents.append(country.communes[c])
            if ind in REPORTED_BY_PROVINCES:
                parents.append(p)
            for parent in parents:
                acc = above.setdefault((parent, ind, period), [0, 0 if target is not None else None])
                acc[0] += actual
                if target is not None:
                    acc[1] += target
    for (org, ind, period), (actual, target) in above.items():
        yield [org, ind, period, amount(ind, actual), amount(ind, target), ""]


def import_rows(country, seed, n):
    """n monthly figures for the import benchmark: 2026 and later months of
    the grassroots unions, every row new."""
    rng = rng_for(seed, "import")
    yield ["org", "indicator", "period", "actual", "target", "note"]
    made = 0
    month = 0
    inds = [i[0] for i in INDICATORS]
    while made < n:
        period = f"{2026 + month // 12}M{month % 12 + 1:02d}"
        for code, _, _, _ in country.grassroots:
            for ind in inds:
                if made == n:
                    return
                v = int(rng.random() * 500_000) if ind == "care_amount" else int(rng.random() * 300)
                yield [code, ind, period, amount(ind, v), "", "Báo cáo tháng" if made % 50 == 0 else ""]
                made += 1
        month += 1


def blocs(country, seed):
    """[(code, bloc, {year: bloc year})]: one bloc of grassroots unions per
    district (organized by the province), and the provinces in blocs."""
    rng = rng_for(seed, "blocs")
    by_district = {}
    for code, _, d, _ in country.grassroots:
        by_district.setdefault(d, []).append(code)
    out = []

    def years(members):
        result = {}
        for year in YEARS:
            leader, deputy = rng.sample(members, 2)
            result[year] = {
                "members": members, "leader": leader, "deputy": deputy,
                "agreement": {"signed_on": f"{year}-02-{10 + int(rng.random() * 15)}",
                              "contents": ["Phát triển đoàn viên", "Phong trào thi đua sáng kiến",
                                           "Chăm lo Tết cho đoàn viên"]},
                "criteria": [{"indicator": "new_members", "weight": 40, "cap_pct": 150},
                             {"indicator": "initiatives", "weight": 35, "cap_pct": 200},
                             {"indicator": "tet_gifts", "weight": 25, "cap_pct": None}],
            }
        return result

    for d, code in enumerate(country.districts):
        size = 5 + int(rng.random() * 11)
        members = by_district[d][:size]
        if len(members) < 5:
            continue
        province = country.provinces[country.intermediate_province[d]]
        out.append((f"{code}-CUM", {"name": f"Cụm thi đua CĐCS huyện số {d + 1} (mô phỏng)", "kind": "cum",
                                    "organizer": province}, years(members)))
    provinces = list(country.provinces)
    k = 0
    while len(provinces) >= 5:
        size = min(len(provinces), 5 + int(rng.random() * 11))
        if len(provinces) - size < 5:
            size = len(provinces) if len(provinces) <= 15 else len(provinces) - 5
        members, provinces = provinces[:size], provinces[size:]
        k += 1
        out.append((f"X-KHOI{k}", {"name": f"Khối thi đua các tỉnh số {k} (mô phỏng)", "kind": "khoi",
                                   "organizer": "VN"}, years(members)))
    return out


def write_csv(path, rows, digest):
    """Writes rows as UTF-8 CSV and feeds the bytes to the checksum; returns
    the number of data rows."""
    n = -1
    with open(path, "w", encoding="utf-8", newline="") as f:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        for row in rows:
            w.writerow(row)
            n += 1
            if buf.tell() > 1 << 20:
                chunk = buf.getvalue()
                f.write(chunk)
                digest.update(chunk.encode())
                buf.seek(0)
                buf.truncate()
        chunk = buf.getvalue()
        f.write(chunk)
        digest.update(chunk.encode())
    return n


def generate(scale_factor, seed, out, import_n=0):
    os.makedirs(out, exist_ok=True)
    digest = hashlib.sha256()
    country = Country(Scale(scale_factor), seed)
    counts = {}
    counts["indicators"] = write_csv(f"{out}/indicators.csv",
                                     [["code", "name", "name_en", "unit", "kind", "rollup", "higher_is_better"]]
                                     + [list(i) for i in INDICATORS], digest)
    counts["organizations"] = write_csv(f"{out}/organizations.csv", country.create_rows(), digest)
    write_csv(f"{out}/moves.csv", country.move_rows(), digest)
    write_csv(f"{out}/dissolutions.csv", country.dissolve_rows(), digest)
    counts["values"] = write_csv(f"{out}/values.csv", value_rows(country, seed), digest)
    bloc_list = blocs(country, seed)
    text = json.dumps([[c, b, {str(y): v for y, v in ys.items()}] for c, b, ys in bloc_list],
                      ensure_ascii=False, sort_keys=True)
    with open(f"{out}/blocs.json", "w", encoding="utf-8") as f:
        f.write(text)
    digest.update(text.encode())
    counts["blocs"] = len(bloc_list)
    counts["grassroots"] = len(country.grassroots)
    if import_n:
        counts["import_rows"] = write_csv(f"{out}/import.csv", import_rows(country, seed, import_n), digest)
    return counts, digest.hexdigest()


class Api:
    def __init__(self, base, key):
        self.base = base.rstrip("/")
        self.key = key

    def send(self, method, path, body, ctype):
        req = urllib.request.Request(self.base + path, data=body, method=method,
                                     headers={"Authorization": f"Bearer {self.key}", "Content-Type": ctype})
        try:
            with urllib.request.urlopen(req, timeout=3600) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def must(self, method, path, body, ctype="application/json"):
        if isinstance(body, (dict, list)):
            body = json.dumps(body, ensure_ascii=False).encode()
        status, text = self.send(method, path, body, ctype)
        for _ in range(5):
            if status != 503:
                break
            # busy (a lock held too long, or two writers crossed): sent again when the service says,
            # as a portal would; said, so that the report shows it
            print(f"  {method} {path}: 503, sent again", file=sys.stderr)
            time.sleep(1)
            status, text = self.send(method, path, body, ctype)
        if status not in (200, 201):
            sys.exit(f"generate: {method} {path} answered {status}: {text[:2000].decode(errors='replace')}")
        return json.loads(text) if text else None

    def import_csv(self, path, body):
        summary = self.must("PUT", path, body, "text/csv; charset=utf-8")
        if summary["rejected_count"]:
            sys.exit(f"generate: {path} rejected rows: {summary['rejected'][:5]}")
        return summary


def csv_chunks(path, rows_per_chunk):
    """The file in parts of at most rows_per_chunk rows, each with the header."""
    with open(path, "rb") as f:
        header = f.readline()
        part, n = [header], 0
        for line in f:
            part.append(line)
            n += 1
            if n == rows_per_chunk:
                yield b"".join(part)
                part, n = [header], 0
        if n:
            yield b"".join(part)


def at_once(items, fn, clients):
    """fn(item) for every item, by `clients` threads, each taking the next item when it is done
    (items are read one ahead of the threads, not all at once); the first failure stops the run."""
    with ThreadPoolExecutor(clients) as pool:
        running = set()
        for item in items:
            if len(running) >= clients:
                done, running = wait(running, return_when=FIRST_COMPLETED)
                for f in done:
                    f.result()
            running.add(pool.submit(fn, item))
        for f in running:
            f.result()


def load(out, api, chunk_rows, clients):
    """Loads the generated files in dependency order; prints what each step did. The
    organizations go one file part after another (a part may name a parent created by the
    part before); the blocs and the figures, which do not depend on each other, are sent by
    `clients` clients at once, as the provinces' portals send theirs."""
    def step(what, fn):
        t = time.monotonic()
        fn()
        steps[what] = round(time.monotonic() - t, 1)
        print(f"  {what}: {steps[what]:.1f} s", file=sys.stderr)

    steps = {}

    step("indicators", lambda: api.import_csv("/v1/indicators", open(f"{out}/indicators.csv", "rb").read()))
    for name in ("organizations", "moves", "dissolutions"):
        step(name, lambda name=name: [api.import_csv("/v1/organizations", part)
                                      for part in csv_chunks(f"{out}/{name}.csv", 20_000)])

    def put_bloc(entry):
        code, bloc, years = entry
        api.must("PUT", f"/v1/blocs/{code}", bloc)
        for year, body in years.items():
            api.must("PUT", f"/v1/blocs/{code}/years/{year}", body)
    step("blocs", lambda: at_once(json.load(open(f"{out}/blocs.json", encoding="utf-8")), put_bloc, clients))
    step("values", lambda: at_once(csv_chunks(f"{out}/values.csv", chunk_rows),
                                   lambda part: api.import_csv("/v1/values?decimal=point", part), clients))
    return steps


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=float, default=0.1, help="scale factor; 1 is the country (default 0.1)")
    ap.add_argument("--seed", default="thidua", help="any text; the same seed gives the same data")
    ap.add_argument("--out", required=True, help="directory for the generated files")
    ap.add_argument("--import-rows", type=int, default=0, help="also write import.csv with this many new rows")
    ap.add_argument("--load", nargs=2, metavar=("URL", "KEY"), help="load into the service at URL with an admin KEY")
    ap.add_argument("--chunk-rows", type=int, default=250_000, help="value rows per import request")
    ap.add_argument("--clients", type=int, default=2,
                    help="blocs and value parts sent at once (default 2, one for each of the machine's cores)")
    args = ap.parse_args()
    if not 0 < args.scale <= 10:
        ap.error("--scale must be above 0 and at most 10")
    t = time.monotonic()
    counts, checksum = generate(args.scale, args.seed, args.out, args.import_rows)
    generation = round(time.monotonic() - t, 1)
    print("generated " + ", ".join(f"{v} {k}" for k, v in counts.items()) + f" in {generation:.1f} s",
          file=sys.stderr)
    if args.load:
        steps = load(args.out, Api(*args.load), args.chunk_rows, args.clients)
        print("steps " + json.dumps({"generation": generation, **steps, "clients": args.clients}))
    print(f"checksum {checksum}")


if __name__ == "__main__":
    main()
