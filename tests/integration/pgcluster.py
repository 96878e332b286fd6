"""A throwaway PostgreSQL cluster for the tests.

initdb in a temporary directory, a Unix socket in that directory and no TCP
port, trust authentication (the directory is private). PostgreSQL refuses to
run as root, so as root the cluster runs as the `postgres` user.

The defaults favour speed (fsync, synchronous_commit and full_page_writes
off): fine for a cluster that is thrown away, and for one stopped with
`-m immediate`, which kills processes, not the operating system. A test that
needs other settings passes them: PgCluster(settings={"synchronous_commit":
"on"}).
"""
import glob
import os
import shutil
import subprocess
import tempfile
import time
from contextlib import closing

import psycopg2


def pg_bindir() -> str:
    for cand in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]), reverse=True):
        if int(cand.split("/")[-2]) >= 15 and os.path.exists(os.path.join(cand, "initdb")):
            return cand
    raise RuntimeError("PostgreSQL 15 or newer is not installed (apt-get install postgresql-15)")


def _as_owner(cmd: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--"] + cmd
    return cmd


# postgresql.conf settings of every cluster unless the test says otherwise
DEFAULT_SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
    "shared_buffers": "128MB",
}


def _conf_value(value) -> str:
    """A postgresql.conf value: numbers and words as they are, the rest quoted."""
    text = str(value).lower() if isinstance(value, bool) else str(value)
    if text.replace(".", "").replace("_", "").isalnum():
        return text
    return "'" + text.replace("'", "''") + "'"


class PgCluster:
    def __init__(self, state_file: str | None = None, settings: dict | None = None,
                 standby_of: "PgCluster | None" = None):
        """settings: postgresql.conf parameters over DEFAULT_SETTINGS. standby_of: a
        hot standby of that cluster (pg_basebackup -R), streaming from it."""
        self.bindir = pg_bindir()
        self.dir = tempfile.mkdtemp(prefix="thidua-pg-", dir="/tmp")
        os.chmod(self.dir, 0o700)
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self.datadir = os.path.join(self.dir, "data")
        self.socketdir = self.dir
        self.user = "thidua"
        self.state_file = state_file
        self.settings = {**DEFAULT_SETTINGS, **(settings or {})}
        if standby_of:
            subprocess.run(
                _as_owner([f"{self.bindir}/pg_basebackup", "-D", self.datadir, "-R", "-X", "stream", "-c", "fast",
                           "-h", standby_of.socketdir, "-U", self.user, "--no-sync"]),
                check=True, stdout=subprocess.DEVNULL)
        else:
            subprocess.run(
                _as_owner([f"{self.bindir}/initdb", "-D", self.datadir, "-U", self.user, "--auth=trust",
                           "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]),
                check=True, stdout=subprocess.DEVNULL)
        with open(os.path.join(self.datadir, "postgresql.conf"), "a") as f:
            f.write("listen_addresses = ''\n"
                    f"unix_socket_directories = '{self.socketdir}'\n")
            for name, value in self.settings.items():
                f.write(f"{name} = {_conf_value(value)}\n")
        if state_file:
            os.makedirs(os.path.dirname(state_file), exist_ok=True)
            with open(state_file, "a") as f:
                f.write(self.datadir + "\n")
        self.start()

    def start(self) -> None:
        subprocess.run(_as_owner([f"{self.bindir}/pg_ctl", "-D", self.datadir, "-l",
                                  os.path.join(self.dir, "server.log"), "-w", "-t", "60", "start"]),
                       check=True, stdout=subprocess.DEVNULL)

    def stop(self, mode: str = "fast") -> None:
        subprocess.run(_as_owner([f"{self.bindir}/pg_ctl", "-D", self.datadir, "-m", mode, "-w", "stop"]),
                       check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def restart(self, mode: str = "fast") -> None:
        """pg_ctl restart: every connection is closed, the cluster comes back."""
        subprocess.run(_as_owner([f"{self.bindir}/pg_ctl", "-D", self.datadir, "-l",
                                  os.path.join(self.dir, "server.log"), "-m", mode, "-w", "-t", "60", "restart"]),
                       check=True, stdout=subprocess.DEVNULL)

    def running(self) -> bool:
        """Whether the postmaster is up (pg_ctl status)."""
        return subprocess.run(_as_owner([f"{self.bindir}/pg_ctl", "-D", self.datadir, "status"]),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0

    def server_log(self) -> str:
        try:
            with open(os.path.join(self.dir, "server.log"), encoding="utf-8", errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def url(self, dbname: str) -> str:
        return f"host={self.socketdir} dbname={dbname} user={self.user}"

    def connect(self, dbname: str = "postgres"):
        """An autocommit connection; use it with contextlib.closing."""
        conn = psycopg2.connect(self.url(dbname))
        conn.autocommit = True
        return conn

    def query(self, dbname: str, sql: str, params=None) -> list[tuple]:
        """Runs one statement and returns its rows (empty for commands)."""
        with closing(self.connect(dbname)) as conn, conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall() if cur.description else []

    def create_database(self, name: str, template: str | None = None) -> str:
        with closing(self.connect()) as conn, conn.cursor() as cur:
            # CREATE DATABASE ... TEMPLATE needs the template idle; retry
            # briefly while a previous user disconnects.
            for attempt in range(50):
                try:
                    cur.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
                    break
                except psycopg2.errors.ObjectInUse:
                    time.sleep(0.1)
            else:
                raise RuntimeError(f"template {template} stayed in use")
        return self.url(name)

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)
