#!/usr/bin/env python3
"""Prints the last line of a test run: "N passed, N failed".

Counts every TAP test point of the C unit tests (from meson's testlog.json)
and every pytest case (from its JUnit XML); a test executable that crashed
before reporting counts as one failure. A fuzz target (meson suite 'fuzz')
counts as one test: passed when meson says OK. A build directory without a
test log (its build failed, or its tests never ran) counts as one failure.
usage: summarize.py BUILD_DIR [BUILD_DIR...]   (e.g. build-test build-fuzz)
"""
import json
import os
import re
import sys
import xml.etree.ElementTree as ET


def count(build: str) -> tuple[int, int]:
    passed = failed = 0
    log = os.path.join(build, "meson-logs", "testlog.json")
    junit = os.path.join(build, "tests", "pytest-junit.xml")
    pytest_seen = False
    if not os.path.exists(log):
        print(f"summarize: no test log in {build}", file=sys.stderr)
        return 0, 1
    with open(log, encoding="utf-8") as f:
        for line in f:
            entry = json.loads(line)
            # meson names a test "project:suite / name" ("thidua:fuzz / fuzz_csv")
            suite = entry.get("name", "").split(" / ")[0] if " / " in entry.get("name", "") else ""
            if suite == "fuzz" or suite.endswith(":fuzz"):
                if entry.get("result") == "OK":
                    passed += 1
                else:
                    failed += 1
                continue
            if entry.get("name", "").endswith("integration"):
                pytest_seen = True
                if entry.get("result") not in ("OK", "FAIL") and not os.path.exists(junit):
                    failed += 1
                continue
            out = entry.get("stdout", "") or ""
            oks = len(re.findall(r"^ok \d+", out, re.M))
            bad = len(re.findall(r"^not ok \d+", out, re.M))
            passed += oks
            failed += bad
            if entry.get("result") != "OK" and bad == 0:
                failed += 1
    if pytest_seen and os.path.exists(junit):
        root = ET.parse(junit).getroot()
        suites = [root] if root.tag == "testsuite" else list(root)
        for s in suites:
            total = int(s.get("tests", 0))
            bad = int(s.get("failures", 0)) + int(s.get("errors", 0))
            skipped = int(s.get("skipped", 0))
            # A skipped test proves nothing: it counts against the run.
            failed += bad + skipped
            passed += total - bad - skipped
    elif pytest_seen:
        failed += 1
    return passed, failed


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    passed = failed = 0
    for build in sys.argv[1:]:
        p, f = count(build)
        passed += p
        failed += f
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
