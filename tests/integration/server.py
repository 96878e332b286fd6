"""Starting and stopping the real thidua binary for a test."""
import json
import os
import re
import signal
import socket
import subprocess
import threading
import time

import requests

SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:", "SUMMARY: UndefinedBehaviorSanitizer")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def thidua_bin() -> str:
    return os.environ["THIDUA_BIN"]


def base_env(extra: dict | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("THIDUA_")}
    env["THIDUA_BIN"] = os.environ["THIDUA_BIN"]
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0:exitcode=99")
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
    env.update(extra or {})
    return env


_routes_cache: list | None = None


def served_routes() -> list[dict]:
    """The route table as the binary prints it (`thidua routes`): method,
    path, role, cached, parameters [{name, in, type, required, ...}]."""
    global _routes_cache
    if _routes_cache is None:
        proc = run_cli(["routes"])
        assert proc.returncode == 0, proc.stderr
        _routes_cache = json.loads(proc.stdout)
    return _routes_cache


def run_cli(args: list[str], env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """Runs `thidua ARGS` and returns the finished process (text output)."""
    proc = subprocess.run([thidua_bin()] + args, env=base_env(env), capture_output=True, text=True, timeout=timeout)
    check_sanitizers(proc.stderr)
    return proc


def check_sanitizers(stderr: str) -> None:
    for mark in SANITIZER_MARKS:
        assert mark not in stderr, f"sanitizer report:\n{stderr}"


class Server:
    """One `thidua serve` process on a free loopback port."""

    def __init__(self, database_url: str, env: dict | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = base_env({"THIDUA_DATABASE_URL": database_url, "THIDUA_LISTEN": f"127.0.0.1:{self.port}",
                             "THIDUA_THREADS": "2", "THIDUA_LOG_LEVEL": "info", **(env or {})})
        self.stdout_lines: list[str] = []
        self.stderr_lines: list[str] = []
        self.proc = subprocess.Popen([thidua_bin(), "serve"], env=self.env, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, encoding="utf-8")
        self._readers = [threading.Thread(target=self._pump, args=(self.proc.stdout, self.stdout_lines), daemon=True),
                         threading.Thread(target=self._pump, args=(self.proc.stderr, self.stderr_lines), daemon=True)]
        for t in self._readers:
            t.start()
        self._wait_up()

    @staticmethod
    def _pump(stream, sink: list[str]) -> None:
        for line in stream:
            sink.append(line)

    def _wait_up(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"thidua exited with {self.proc.returncode}: {''.join(self.stderr_lines)}")
            try:
                requests.get(self.url + "/healthz", timeout=1)
                return
            except requests.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("thidua did not start listening within 30 s")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("thidua did not stop within the timeout")
        for t in self._readers:
            t.join(timeout=5)
        check_sanitizers("".join(self.stderr_lines))
        return self.proc.returncode

    def stderr(self) -> str:
        return "".join(self.stderr_lines)

    def access_log(self) -> list[str]:
        return list(self.stdout_lines)

    def wait_for_log(self, pattern: str, timeout: float = 5) -> str:
        deadline = time.monotonic() + timeout
        rx = re.compile(pattern)
        while time.monotonic() < deadline:
            for line in self.stdout_lines + self.stderr_lines:
                if rx.search(line):
                    return line
            time.sleep(0.02)
        raise AssertionError(f"no log line matched {pattern!r}")
