"""Schema versions: an older database is upgraded on open (copy kept, audited, all or nothing), a
newer one and a foreign one are refused. The upgrade of a whole home made by the last release is in
tests/test_install.py."""

from __future__ import annotations

import ast
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bastion import audit
from bastion.access import sessions
from bastion.runtime.home import open_store
from bastion.store import MIGRATIONS, SCHEMA_VERSION, Backend, Store, StoreError
from tests.rows import each

REPO = Path(__file__).resolve().parents[1]
LAST_RELEASE = "7c3e405"  # the last release: main at this commit (schema version 1)


VERSION_3 = "a68d85d"  # main at this commit has schema version 3


def release_file(path: str, commit: str = LAST_RELEASE) -> str:
    """A file as the last release (or `commit`) had it, from this repository's own history."""
    shown = subprocess.run(["git", "-C", str(REPO), "show", f"{commit}:{path}"],
                           capture_output=True, text=True)
    if shown.returncode != 0:
        shallow = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--is-shallow-repository"],
                                 capture_output=True, text=True).stdout.strip()
        if shallow == "true":
            pytest.skip(f"a shallow clone: {commit} is not in its history")
        raise AssertionError(f"{commit}:{path} not found: {shown.stderr.strip()}")
    return shown.stdout


def schema(path) -> list[tuple[str, str, str]]:
    conn = sqlite3.connect(str(path))
    try:
        return sorted(conn.execute("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE "
                                   "'sqlite_%'").fetchall())
    finally:
        conn.close()


def as_version_1(path) -> None:
    """A database exactly as the last release created it: its own SCHEMA text, version 1."""
    tree = ast.parse(release_file("bastion/store.py"))
    (text,) = [ast.literal_eval(node.value) for node in tree.body if isinstance(node, ast.Assign)
               and [getattr(t, "id", None) for t in node.targets] == ["SCHEMA"]]
    conn = sqlite3.connect(str(path))
    conn.executescript(text)
    conn.execute("INSERT INTO meta(key, value) VALUES ('schema_version', '1')")
    conn.commit()
    conn.close()


def as_version_3(path) -> None:
    """A database as the code at VERSION_3 created it: that code's Store, run in a subprocess."""
    source = path.parent / "v3-source"
    (source / "bastion").mkdir(parents=True)
    for name in ("__init__.py", "errors.py", "store.py"):
        (source / "bastion" / name).write_text(release_file(f"bastion/{name}", VERSION_3))
    # That code wrapped its connection in sqlite-utils (never read, and no longer installed):
    # a stand-in that takes the connection and does nothing with it.
    (source / "sqlite_utils.py").write_text("class Database:\n    def __init__(self, conn):\n"
                                            "        self.conn = conn\n")
    subprocess.run([sys.executable, "-c", "import sys; from bastion.store import Store; "
                    "assert Store(sys.argv[1], create=True).schema_version() == 3", str(path)],
                   cwd=source, env={"PYTHONPATH": str(source)}, check=True)


def test_every_version_up_to_the_current_one_has_its_step():
    assert sorted(MIGRATIONS) == list(range(2, SCHEMA_VERSION + 1))


def test_a_version_1_database_is_upgraded_to_the_schema_a_new_one_has(tmp_path):
    fresh = tmp_path / "fresh.db"
    Store(fresh, create=True).close()
    old = tmp_path / "bastion.db"
    as_version_1(old)
    calls = []
    store = Store(old, on_migrate=lambda s, a, b: calls.append((a, b)))
    assert store.schema_version() == SCHEMA_VERSION and store.upgraded_from == 1
    store.close()
    assert calls == [(1, SCHEMA_VERSION)]
    assert schema(old) == schema(fresh)
    backup = tmp_path / "bastion.db.v1-backup"
    assert backup.stat().st_mode & 0o777 == 0o600
    assert sqlite3.connect(str(backup)).execute(
        "SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == ("1",)
    # Opened again: nothing left to do.
    again = Store(old, on_migrate=lambda s, a, b: calls.append((a, b)))
    assert again.upgraded_from is None
    again.close()
    assert calls == [(1, SCHEMA_VERSION)]


def test_a_version_3_database_keeps_its_recordings_in_the_table_alone(tmp_path):
    """Version 4 drops sessions.recordings (a JSON copy of the table's file names): every
    reader gets the same names from the table, and a name the retention purged (its row and file
    gone, the stale copy left in the JSON) is no longer listed."""
    path = tmp_path / "bastion.db"
    as_version_3(path)
    folder = tmp_path / "recordings"
    conn = sqlite3.connect(str(path))
    conn.execute("INSERT INTO sessions(id, user, target, login, ticket, state, started, recordings) "
                 "VALUES ('s1', 'alice', 'web01', 'root', 'INC-1', 'ended', 1, ?)",
                 ('["s1-0.cast", "s1-1.jsonl", "s1-2.cast", "s1-3.cast"]',))
    for path_name, channel, kind, started in (("s1-0.cast", 0, "cast", 10), ("s1-1.jsonl", 1, "exec", 11),
                                              ("s1-3.cast", 3, "cast", 13)):  # s1-2.cast: purged
        conn.execute("INSERT INTO recordings(path, session_id, channel, kind, started) "
                     "VALUES (?, 's1', ?, ?, ?)", (str(folder / path_name), channel, kind, started))
    conn.commit()
    conn.close()

    store = Store(path)
    try:
        assert store.upgraded_from == 3
        assert "recordings" not in store.one("SELECT * FROM sessions WHERE id = 's1'")
        assert sessions.get(store, "s1")["recordings"] == ["s1-0.cast", "s1-1.jsonl", "s1-3.cast"]
        assert sessions.casts(store, "s1") == {0: "s1-0.cast", 3: "s1-3.cast"}
        assert [r["recordings"] for r in sessions.list_sessions(store, include_ended=True)] == [
            ["s1-0.cast", "s1-1.jsonl", "s1-3.cast"]]
    finally:
        store.close()
    fresh = tmp_path / "fresh.db"
    Store(fresh, create=True).close()
    assert schema(path) == schema(fresh)


def test_the_upgrade_records_every_grant_an_older_certificate_covers(tmp_path):
    """Before version 3 a certificate recorded one of its grants; its key id names them all."""
    path = tmp_path / "bastion.db"
    as_version_1(path)
    conn = sqlite3.connect(str(path))
    for serial, key_id, grant in ((5, "bastion operator=alice ticket=INC-1 grant=g1,g2,g10", "g10"),
                                  (6, "bastion operator=bob ticket=INC-2 grant=g7 session=s3",
                                   "g7"),
                                  (7, "bastion operator=acme ticket=CHG-1 grant=g9 kind=vendor",
                                   "g9"),
                                  (8, "bastion operator=carol", None)):
        conn.execute("INSERT INTO certificates(serial, kind, key_id, principals, valid_after, "
                     "valid_before, grant_id, issued) VALUES (?, 'user', ?, '[]', 0, 1, ?, 0)",
                     (serial, key_id, grant))
    conn.commit()
    conn.close()

    store = Store(path)
    try:
        covered = [(r["serial"], r["grant_id"]) for r in store.all(
            "SELECT * FROM certificate_grants ORDER BY serial, grant_id")]
    finally:
        store.close()
    assert covered == [(5, "g1"), (5, "g10"), (5, "g2"), (6, "g7"), (7, "g9")]


def test_an_upgrade_whose_audit_event_fails_is_not_made(tmp_path):
    path = tmp_path / "bastion.db"
    as_version_1(path)

    def refuse(store, old, new):
        raise StoreError("audit unavailable")

    with pytest.raises(StoreError, match="audit unavailable"):
        Store(path, on_migrate=refuse)
    conn = sqlite3.connect(str(path))
    assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == ("1",)
    assert conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'sessions_state'").fetchone() is None


def test_the_upgrade_is_an_audited_event_in_the_chain(home):
    # The home's database, taken back to version 1 (versions 2 and 3 added indexes and a table,
    # version 4 an index, and it dropped a column).
    conn = sqlite3.connect(str(home.db))
    conn.execute("ALTER TABLE sessions ADD COLUMN recordings TEXT NOT NULL DEFAULT '[]'")
    for statement in reversed((*MIGRATIONS[2], *MIGRATIONS[3][:3], *MIGRATIONS[4][1:])):
        kind = statement.split(" IF NOT EXISTS ")[0].split()[-1]
        conn.execute(f"DROP {kind} " + statement.split(" EXISTS ")[1].split()[0])
    conn.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    store = open_store(home)
    try:
        events = [e for e in audit.export(store, None) if e["type"] == "store.migrated"]
        assert [(e["code"], e["data"]["old_version"], e["data"]["new_version"], e["data"]["backup"])
                for e in events] == [("B101", 1, SCHEMA_VERSION, "bastion.db.v1-backup")]
        assert audit.verify(store).ok
    finally:
        store.close()


@pytest.mark.parametrize(("setup", "message"), [
    (lambda c: c.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'"),
     "schema version 99, newer than this bastion knows"),
    (lambda c: c.execute("DELETE FROM meta"), "not a bastion database"),
    (lambda c: c.execute("DROP TABLE meta"), "not a bastion database"),
    (lambda c: c.execute("UPDATE meta SET value = 'x' WHERE key = 'schema_version'"),
     "not a bastion database"),
])
def test_a_database_this_code_cannot_vouch_for_is_refused_unchanged(tmp_path, setup, message):
    path = tmp_path / "bastion.db"
    Store(path, create=True).close()
    conn = sqlite3.connect(str(path))
    setup(conn)
    conn.commit()
    conn.close()
    before = schema(path)
    with pytest.raises(StoreError, match=message):
        Store(path)
    assert schema(path) == before
    assert not list(tmp_path.glob("*-backup"))


def test_a_file_that_is_not_sqlite_is_refused(tmp_path):
    path = tmp_path / "bastion.db"
    path.write_bytes(b"not a database at all" * 100)
    with pytest.raises(StoreError):
        Store(path)


def test_the_cli_on_a_newer_database_says_so_in_one_line(home):
    conn = sqlite3.connect(str(home.db))
    conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    proc = subprocess.run([sys.executable, "-m", "bastion", "--home", str(home.path), "sessions"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1 and "newer than this bastion knows" in proc.stderr


# ---------------------------------------------------------------- the backend seam

def _store_attributes(path: Path) -> set[str]:
    """Attributes read on anything called `store` (`store.x`, `app.store.x`) in a module."""
    used = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Attribute):
            owner = node.value
            name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", None)
            if name == "store":
                used.add(node.attr)
    return used


def test_the_sqlite_store_is_a_backend(tmp_path):
    store = Store(tmp_path / "bastion.db", create=True)
    try:
        assert isinstance(store, Backend)
    finally:
        store.close()


@each("module", sorted(str(p.relative_to(REPO / "bastion"))
                                          for p in (REPO / "bastion").rglob("*.py")
                                          if p.parent.name != "store"))
def test_the_server_and_domain_use_a_store_only_through_the_backend_protocol(module):
    # Opening and upgrading a home is the SQLite store's own business (home.py, and the server's
    # log line naming the backup it made).
    opening = {"upgraded_from", "backup_path"} if module in ("runtime/home.py", "ssh/server.py") else set()
    members = {name for name in dir(Backend) if not name.startswith("_")}
    assert _store_attributes(REPO / "bastion" / module) - members - opening == set()


# A statement as the store runs it: the SQL keyword that starts it, in capitals, then a blank.
SQL_STATEMENT = re.compile(r"\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|ALTER|DROP|PRAGMA|BEGIN|WITH)\s")
SQL_PACKAGES = ("store", "access", "audit")


def _sql_outside_the_domain() -> list[str]:
    """Every string that reads as an SQL statement in bastion/ outside store, access and audit,
    and in tui/ (f-string parts included)."""
    paths = [p for p in (REPO / "bastion").rglob("*.py")
             if p.relative_to(REPO / "bastion").parts[0] not in SQL_PACKAGES]
    paths += list((REPO / "tui").rglob("*.py"))
    return [f"{p.relative_to(REPO)}:{node.lineno}: {node.value[:40]!r}" for p in sorted(paths)
            for node in ast.walk(ast.parse(p.read_text()))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and SQL_STATEMENT.match(node.value)]


def test_sql_is_written_only_in_the_store_and_the_domain_modules():
    """docs/ARCHITECTURE.md, "Rules": server, proxy, gate, control and the CLI call named
    functions of access/ and audit/, never a statement of their own."""
    assert _sql_outside_the_domain() == []
    assert SQL_STATEMENT.match("SELECT seq FROM events") and not SQL_STATEMENT.match("select a file")


def test_the_change_token_moves_on_every_commit_by_anyone_and_only_then(tmp_path):
    path = tmp_path / "bastion.db"
    store = Store(path, create=True)
    other = Store(path)
    try:
        token = store.changes()
        store.all("SELECT * FROM sessions")
        assert store.changes() == token
        store.next_id("s")  # this connection's own commit
        assert store.changes() != token
        token = store.changes()
        other.next_id("s")  # another connection's (another process's) commit
        assert store.changes() != token
        token = store.changes()
        with pytest.raises(RuntimeError):
            with store.transaction():
                store.execute("INSERT INTO counters(name, value) VALUES ('x', 1)")
                raise RuntimeError("rolled back")
        assert store.one("SELECT * FROM counters WHERE name = 'x'") is None
    finally:
        other.close()
        store.close()


def test_the_audit_head_is_locked_only_inside_a_transaction(tmp_path):
    store = Store(tmp_path / "bastion.db", create=True)
    try:
        with pytest.raises(RuntimeError, match="outside a transaction"):
            store.lock_audit_head()
        with store.transaction():
            store.lock_audit_head()
    finally:
        store.close()


def test_the_lock_timeout_is_how_long_a_writer_waits_for_another(tmp_path):
    path = tmp_path / "bastion.db"
    store, other = Store(path, create=True), Store(path)
    try:
        store.set_lock_timeout(0)
        with other.transaction():
            with pytest.raises(StoreError, match="store unavailable"):
                store.next_id("s")
        assert store.next_id("s") == "s1"
    finally:
        other.close()
        store.close()
