"""The command line: --help, --version, and configuration refused with a
message that names the variable."""
import re
import socket

import pytest

from server import Server, run_cli

VARIABLES = ["THIDUA_LISTEN", "THIDUA_DATABASE_URL", "THIDUA_THREADS", "THIDUA_MAX_BODY_BYTES",
             "THIDUA_MAX_CONNECTIONS", "THIDUA_IDLE_TIMEOUT_S", "THIDUA_CONNECTION_MEMORY_BYTES",
             "THIDUA_CORS_ORIGINS", "THIDUA_LOG_LEVEL", "THIDUA_ACCESS_LOG", "THIDUA_STATEMENT_TIMEOUT_MS",
             "THIDUA_DB_CONNECT_TIMEOUT_S", "THIDUA_SHUTDOWN_TIMEOUT_S", "THIDUA_MIGRATIONS_DIR"]


def test_help_lists_commands_and_every_variable_with_its_default():
    r = run_cli(["--help"])
    assert r.returncode == 0
    for command in ("serve", "migrate", "demo", "--version"):
        assert re.search(rf"^\s+{re.escape(command)}\s", r.stdout, re.M), command
    for var in VARIABLES:
        assert re.search(rf"^\s+{var}\s+\[[^\]]+\]", r.stdout, re.M), var
    assert "[127.0.0.1:8080]" in r.stdout


def test_version():
    r = run_cli(["--version"])
    assert r.returncode == 0
    assert re.fullmatch(r"thidua \d+\.\d+\.\d+\n", r.stdout)


def test_unknown_command_is_refused():
    r = run_cli(["serv"])
    assert r.returncode == 2
    assert "unknown command 'serv'" in r.stderr


@pytest.mark.parametrize("var,value", [
    ("THIDUA_THREADS", "many"),
    ("THIDUA_LISTEN", "localhost:8080"),
    ("THIDUA_LISTEN", "127.0.0.1:70000"),
    ("THIDUA_MAX_BODY_BYTES", "ten"),
    ("THIDUA_LOG_LEVEL", "verbose"),
    ("THIDUA_CORS_ORIGINS", "dash.example.vn"),
    ("THIDUA_ACCESS_LOG", "perhaps"),
])
def test_bad_configuration_stops_with_the_variable_named(var, value):
    r = run_cli(["serve"], {var: value})
    assert r.returncode == 2
    assert var in r.stderr and value in r.stderr


def test_port_in_use_is_reported(pg, demo_template):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        r = run_cli(["serve"], {"THIDUA_LISTEN": f"127.0.0.1:{port}", "THIDUA_DATABASE_URL": pg.url("postgres")},
                    timeout=30)
    assert r.returncode == 1
    assert "THIDUA_LISTEN" in r.stderr


# ---- thidua key

def test_key_create_checks_its_arguments_before_the_database():
    """A wrong role is said at once, even with no database at all."""
    env = {"THIDUA_DATABASE_URL": "host=/nonexistent dbname=none connect_timeout=1"}
    r = run_cli(["key", "create", "--role", "superuser", "--name", "ops"], env)
    assert (r.returncode, r.stderr) == (2, "thidua: --role must be reader, editor or admin, not superuser\n")
    r = run_cli(["key", "create", "--role", "admin", "--name", ""], env)
    assert r.returncode == 2 and "--name" in r.stderr
    r = run_cli(["key", "list", "extra"], env)
    assert r.returncode == 2 and r.stderr.startswith("usage: thidua key")


def test_key_list_aligns_vietnamese_names_and_revoking_twice_says_so(pg, empty_template):
    url = pg.create_database("cli_keys", template=empty_template)
    env = {"THIDUA_DATABASE_URL": url}
    for name in ("Cổng LĐLĐ Hà Tĩnh", "ops", "Cổng thông tin Liên đoàn Lao động thành phố Hải Phòng"):
        assert run_cli(["key", "create", "--role", "editor", "--name", name], env).returncode == 0
    r = run_cli(["key", "list"], env)
    lines = r.stdout.splitlines()
    # the role column starts at the same character on every line, whatever the bytes of the name
    # id (6) and name (30) columns, a space after each: the role is at character 38 on every line
    assert all(line[38:46].split()[0] in {"role", "reader", "editor", "admin"} for line in lines), r.stdout
    assert "Cổng thông tin Liên đoàn Lao…" in r.stdout
    first = lines[1].split()[0]
    assert run_cli(["key", "revoke", first], env).stderr == f"key {first} revoked\n"
    again = run_cli(["key", "revoke", first], env)
    assert again.returncode == 0
    assert re.fullmatch(rf"key {first} was already revoked on \d{{4}}-\d\d-\d\d; nothing to do\n", again.stderr)
