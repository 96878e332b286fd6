#!/usr/bin/python3
"""pgbench's per-transaction log and summary -> one JSON line of results."""
import glob
import json
import re
import sys

lat = sorted(int(l.split()[2]) for f in glob.glob(sys.argv[1] + "/pgbench_log*") for l in open(f))
text = open(sys.argv[2]).read()
tps = re.search(r"tps = ([0-9.]+) \(without initial", text)
failed = re.search(r"number of failed transactions: (\d+)", text)
print(json.dumps({"rps": float(tps.group(1)) if tps else 0.0, "requests": len(lat),
                  "p50_ms": lat[len(lat) // 2] / 1000 if lat else 0.0,
                  "p99_ms": lat[int(len(lat) * 0.99)] / 1000 if lat else 0.0,
                  "non2xx": int(failed.group(1)) if failed else 0}))
