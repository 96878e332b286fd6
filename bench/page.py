#!/usr/bin/python3
"""The dashboard's scoreboard page in headless Chromium: how long until its table and its chart are
drawn, and how many bytes of HTML, JS and CSS it takes (Chart.js, Debian's, counted apart).

    bench/page.py --url http://127.0.0.1:8080 --key thd_... --bloc HN-CUM1 --period 2023H1 [--loads 6]

Prints one JSON object (bench/run records it as "page"). The time is the page's own clock
(performance.now(), from the start of the navigation) at the first frame where the table has its
rows and Chart.js has drawn the chart: the first load with an empty browser cache, then the median
of the others (scripts revalidated by ETag, API answers from the service's cache). Measured, not
asserted: no figure here fails anything."""
import argparse
import json
import os
import re
import statistics
import sys
import urllib.request
from urllib.parse import urljoin

CHROMEDRIVER = "/usr/bin/chromedriver"

# Runs in the page before its own scripts: notes the first frame with the table and the chart.
PROBE = """
(function probe() {
  const done = () => {
    const canvas = document.querySelector('#scoreboard canvas');
    return document.querySelector('table.board tr[data-org]') && canvas && window.Chart && Chart.getChart(canvas);
  };
  const tick = () => {
    if (done()) window.__drawn = performance.now();
    else if (document.querySelector('#scoreboard .problem')) window.__drawn = -1;
    else requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();
"""


def get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as r:
        return r.read()


def weight(page_url: str) -> dict:
    """Bytes of the page and of every script and style it names, as served."""
    html = get(page_url)
    files = {"index.html": len(html)}
    chart = 0
    for ref in re.findall(rb'(?:src|href)="([^"]+\.(?:js|css))"', html):
        url = urljoin(page_url, ref.decode())
        name = url.rsplit("/", 1)[1]
        size = len(get(url))
        if name == "chart.min.js":
            chart = size
        else:
            files[name] = size
    return {"page_bytes": sum(files.values()), "chartjs_bytes": chart, "files": files}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", required=True, help="the service's root, e.g. http://127.0.0.1:8080")
    ap.add_argument("--key", required=True, help="an API key that reads the bloc")
    ap.add_argument("--bloc", required=True)
    ap.add_argument("--period", required=True)
    ap.add_argument("--loads", type=int, default=6, help="page loads: the first cold, the others warm")
    args = ap.parse_args()
    page_url = f"{args.url.rstrip('/')}/dashboard/blocs/{args.bloc}?period={args.period}"
    out = weight(page_url)
    out["url"] = page_url

    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
        from selenium.webdriver.support.ui import WebDriverWait
    except ImportError:
        out["skipped"] = "python3-selenium is not installed"
        print(json.dumps(out))
        return 0
    if not os.path.exists(CHROMEDRIVER):
        out["skipped"] = "chromium-driver is not installed"
        print(json.dumps(out))
        return 0

    opts = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900"):
        opts.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    try:
        # the key, as the page's own form would keep it, then the probe for every load
        driver.get(urljoin(page_url, "../assets/style.css"))
        driver.execute_script("sessionStorage.setItem('thidua.key', arguments[0])", args.key)
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": PROBE})
        times = []
        for _ in range(max(1, args.loads)):
            driver.get(page_url)
            drawn = WebDriverWait(driver, 60, poll_frequency=0.02).until(
                lambda d: d.execute_script("return window.__drawn"))
            if drawn < 0:
                out["error"] = driver.find_element("css selector", "#scoreboard .problem").text
                break
            times.append(round(drawn, 1))
        rows = driver.execute_script("return document.querySelectorAll('table.board tr[data-org]').length")
    finally:
        driver.quit()
    out.update({"members": rows, "loads_ms": times, "first_ms": times[0] if times else None,
                "warm_median_ms": statistics.median(times[1:]) if len(times) > 1 else None})
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
