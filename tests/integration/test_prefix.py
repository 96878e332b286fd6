"""The dashboard and the API behind nginx under a path prefix (/thidua/), as deploy/nginx.conf.example
shows: the redirect, the page, its scripts and /v1 all resolve through the prefix, with nothing in
thidua told about it."""
import os
import re
import shutil
import subprocess
import time
from urllib.parse import urljoin

import pytest
import requests

from server import free_port


@pytest.fixture(scope="module")
def prefixed(server, tmp_path_factory):
    if not shutil.which("nginx"):
        pytest.skip("nginx is not installed (./dev test installs nginx-light)")
    work = tmp_path_factory.mktemp("nginx")
    port = free_port()
    upstream = server.url.replace("http://", "")
    conf = work / "nginx.conf"
    conf.write_text(f"""
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/error.log;
events {{ worker_connections 64; }}
http {{
  access_log off;
  client_body_temp_path {work}/body;
  proxy_temp_path {work}/proxy;
  fastcgi_temp_path {work}/fastcgi;
  uwsgi_temp_path {work}/uwsgi;
  scgi_temp_path {work}/scgi;
  server {{
    listen 127.0.0.1:{port};
    location /thidua/ {{
      proxy_pass http://{upstream}/;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }}
  }}
}}
""")
    subprocess.run(["nginx", "-p", str(work), "-e", str(work / "error.log"), "-c", str(conf)], check=True)
    base = f"http://127.0.0.1:{port}/thidua/"
    for _ in range(100):
        try:
            requests.get(base + "healthz", timeout=1)
            break
        except requests.ConnectionError:
            time.sleep(0.05)
    yield base
    pid = (work / "nginx.pid").read_text().strip()
    os.kill(int(pid), 15)


def test_the_dashboard_and_its_scripts_resolve_through_the_prefix(prefixed):
    root = requests.get(prefixed, allow_redirects=False, timeout=10)
    assert root.status_code == 302
    page_url = urljoin(prefixed, root.headers["Location"])
    assert page_url == prefixed + "dashboard/"
    for url in (page_url, prefixed + "dashboard/blocs/HN-CUM1?period=2023H1", prefixed + "dashboard/import"):
        page = requests.get(url, timeout=10)
        assert page.status_code == 200, url
        scripts = re.findall(r'src="([^"]+)"', page.text)
        assert scripts, url
        for src in scripts:
            asset = urljoin(url, src)
            assert asset.startswith(prefixed + "dashboard/assets/"), (url, asset)
            assert requests.get(asset, timeout=10).status_code == 200, asset
        root_rel = re.search(r'data-root="([^"]*)"', page.text).group(1)
        assert urljoin(url, root_rel) == prefixed, url
        index = requests.get(urljoin(url, root_rel) + "v1", timeout=10)
        assert index.status_code == 200 and index.json()["service"] == "thidua"
