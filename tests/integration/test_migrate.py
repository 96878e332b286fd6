"""`thidua migrate`: in order, each file in its own transaction, recorded,
idempotent, and refusing an applied file that was edited."""
import psycopg2

from server import run_cli

A = "CREATE TABLE a (id int PRIMARY KEY);\n"
B = "ALTER TABLE a ADD COLUMN name text;\nINSERT INTO a VALUES (1, 'Hai Bà Trưng');\n"
C = "CREATE TABLE c (a_id int REFERENCES a (id));\n"


def migrate(url, directory):
    return run_cli(["migrate"], {"THIDUA_DATABASE_URL": url, "THIDUA_MIGRATIONS_DIR": str(directory)})


def applied(pg, db):
    return pg.query(db, "SELECT name, sha256, applied_at FROM schema_migrations ORDER BY applied_at, name")


def test_applies_files_in_name_order(pg, tmp_path):
    url = pg.create_database("mig_order")
    (tmp_path / "010_c.sql").write_text(C)
    (tmp_path / "002_b.sql").write_text(B)
    (tmp_path / "001_a.sql").write_text(A)
    (tmp_path / "README.txt").write_text("not a migration")
    r = migrate(url, tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ["applied 001_a.sql", "applied 002_b.sql", "applied 010_c.sql",
                                     "3 migrations applied, 0 already present"]
    assert [row[0] for row in applied(pg, "mig_order")] == ["001_a.sql", "002_b.sql", "010_c.sql"]
    assert pg.query("mig_order", "SELECT name FROM a") == [("Hai Bà Trưng",)]


def test_second_run_does_nothing(pg, tmp_path):
    url = pg.create_database("mig_twice")
    (tmp_path / "001_a.sql").write_text(A)
    (tmp_path / "002_b.sql").write_text(B)
    assert migrate(url, tmp_path).returncode == 0
    before = applied(pg, "mig_twice")
    r = migrate(url, tmp_path)
    assert r.returncode == 0
    assert r.stdout.splitlines() == ["0 migrations applied, 2 already present"]
    assert applied(pg, "mig_twice") == before


def test_new_file_is_applied_after_the_old_ones(pg, tmp_path):
    url = pg.create_database("mig_new")
    (tmp_path / "001_a.sql").write_text(A)
    assert migrate(url, tmp_path).returncode == 0
    (tmp_path / "002_b.sql").write_text(B)
    r = migrate(url, tmp_path)
    assert r.stdout.splitlines() == ["applied 002_b.sql", "1 migration applied, 1 already present"]


def test_an_edited_applied_file_is_refused_and_nothing_runs(pg, tmp_path):
    url = pg.create_database("mig_edited")
    (tmp_path / "001_a.sql").write_text(A)
    assert migrate(url, tmp_path).returncode == 0
    (tmp_path / "001_a.sql").write_text(A + "-- edited\n")
    (tmp_path / "002_b.sql").write_text(B)
    r = migrate(url, tmp_path)
    assert r.returncode != 0
    assert "001_a.sql" in r.stderr and "changed after it was applied" in r.stderr
    assert [row[0] for row in applied(pg, "mig_edited")] == ["001_a.sql"]


def test_a_failing_file_leaves_nothing_half_done(pg, tmp_path):
    url = pg.create_database("mig_fail")
    (tmp_path / "001_a.sql").write_text(A)
    (tmp_path / "002_bad.sql").write_text("CREATE TABLE half (x int);\nSELECT * FROM no_such_table;\n")
    r = migrate(url, tmp_path)
    assert r.returncode != 0
    assert "002_bad.sql" in r.stderr
    assert [row[0] for row in applied(pg, "mig_fail")] == ["001_a.sql"]
    assert pg.query("mig_fail", "SELECT to_regclass('half')") == [(None,)]


def test_built_in_migrations_apply_once(pg):
    url = pg.create_database("mig_builtin")
    first = run_cli(["migrate"], {"THIDUA_DATABASE_URL": url})
    assert first.returncode == 0, first.stderr
    second = run_cli(["migrate"], {"THIDUA_DATABASE_URL": url})
    assert second.returncode == 0
    assert second.stdout.splitlines()[-1].startswith("0 migrations applied")


def test_unreachable_database_is_reported_by_variable(tmp_path):
    r = run_cli(["migrate"], {"THIDUA_DATABASE_URL": f"host={tmp_path} dbname=none user=none"})
    assert r.returncode != 0
    assert "THIDUA_DATABASE_URL" in r.stderr
