"""The audit chain: every change to a stored event is caught by `bastion audit verify`."""

from __future__ import annotations

import json
import sqlite3

import pytest

from bastion import audit
from bastion.cli import main
from bastion.store import Store, StoreError


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "a.db", create=True)
    for i in range(10):
        audit.record(s, "user.added", "local:test", user=f"u{i}", n=i)
    yield s
    s.close()


def raw(store: Store) -> sqlite3.Connection:
    return sqlite3.connect(store.path)


def test_untouched_chain_verifies(store):
    result = audit.verify(store)
    assert result.ok and result.rows == 10


def test_altered_row_is_named(store):
    with raw(store) as c:
        c.execute("UPDATE events SET data = ? WHERE seq = 4", (json.dumps({"user": "mallory"}),))
    result = audit.verify(store)
    assert not result.ok and result.bad_seq == 4
    assert "row 4" in result.problem and "altered" in result.problem


def test_altered_row_with_recomputed_hash_breaks_the_next_link(store):
    with raw(store) as c:
        row = dict(zip(("seq", "at", "type", "code", "actor", "data", "prev_hash"),
                       c.execute("SELECT seq, at, type, code, actor, data, prev_hash FROM events "
                                 "WHERE seq = 4").fetchone(), strict=True))
        row["actor"] = "mallory"
        c.execute("UPDATE events SET actor = 'mallory', hash = ? WHERE seq = 4",
                  (audit.chain._row_hash(row),))
    result = audit.verify(store)
    assert not result.ok and result.bad_seq == 5


def test_deleted_row_is_detected(store):
    with raw(store) as c:
        c.execute("DELETE FROM events WHERE seq = 6")
    result = audit.verify(store)
    assert not result.ok and result.bad_seq == 7


def test_inserted_row_is_detected(store):
    with raw(store) as c:
        c.execute("UPDATE events SET seq = seq + 100 WHERE seq > 5")
        c.execute("UPDATE events SET seq = seq - 99 WHERE seq > 100")
        c.execute("INSERT INTO events(seq, at, type, code, actor, data, prev_hash, hash) "
                  "VALUES (6, 0, 'user.added', 'U001', 'mallory', '{}', 'x', 'y')")
    result = audit.verify(store)
    assert not result.ok and result.bad_seq == 6


def test_cli_verify_exit_codes_name_the_first_bad_row(home, capsys):
    assert main(["--home", str(home.path), "audit", "verify"]) == 0
    assert "audit chain verifies" in capsys.readouterr().out
    with sqlite3.connect(home.db) as c:
        c.execute("UPDATE events SET actor = 'mallory' WHERE seq = 1")
    assert main(["--home", str(home.path), "audit", "verify"]) == 1
    err = capsys.readouterr().err
    assert "row 1" in err and err.count("\n") == 1


def test_export_writes_json_lines_in_chain_order(home, capsys):
    assert main(["--home", str(home.path), "audit", "export"]) == 0
    lines = capsys.readouterr().out.splitlines()
    events = [json.loads(line) for line in lines]
    assert events[0]["type"] == "bastion.init"
    assert [e["seq"] for e in events] == sorted(e["seq"] for e in events)
    assert main(["--home", str(home.path), "audit", "export", "--since", "2999-01-01"]) == 0
    assert capsys.readouterr().out == ""


def test_purge_keeps_the_rest_verifiable_from_the_anchor(store):
    with raw(store) as c:
        c.execute("UPDATE events SET at = 0 WHERE seq <= 6")
    # changing `at` alters rows; rebuild hashes as if they were old events
    with raw(store) as c:
        prev = audit.GENESIS
        for seq in range(1, 11):
            row = dict(zip(("seq", "at", "type", "code", "actor", "data"), c.execute(
                "SELECT seq, at, type, code, actor, data FROM events WHERE seq = ?", (seq,)
            ).fetchone(), strict=True))
            row["prev_hash"] = prev
            h = audit.chain._row_hash(row)
            c.execute("UPDATE events SET prev_hash = ?, hash = ? WHERE seq = ?", (prev, h, seq))
            prev = h
    assert audit.verify(store).ok
    deleted = audit.purge(store, older_than=1.0, actor="local:test")
    assert deleted == 6
    result = audit.verify(store)
    assert result.ok, result.problem
    audit.record(store, "user.added", "local:test", user="after")
    assert audit.verify(store).ok
    with raw(store) as c:
        c.execute("DELETE FROM events WHERE seq = 7")
    assert not audit.verify(store).ok


def test_unknown_event_type_is_a_bug_not_a_silent_string(store):
    with pytest.raises(audit.UnknownEvent):
        audit.record(store, "made.up", "x")


def test_event_codes_are_unique():
    codes = [t.code for t in audit.EVENT_TYPES.values()]
    assert len(codes) == len(set(codes))


def test_a_full_database_refuses_the_event_whole_and_the_chain_still_verifies(store):
    """SQLITE_FULL (the disk under the database is full: here, the database may not grow) is a
    StoreError the server knows how to fail closed on, never a half-written chain."""
    pages = store.one("PRAGMA page_count")["page_count"]
    store.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(StoreError) as err:
        for i in range(10_000):  # until the pages the database has are used up
            audit.record(store, "user.added", "local:test", user=f"big{i}", pad="x" * 2000)
    assert "full" in str(err.value)
    assert audit.record_or_log(store, "user.added", "local:test", user="one-more",
                               pad="x" * 20_000) is False
    written = store.one("SELECT COUNT(*) AS n FROM events")["n"]
    assert audit.verify(store).ok and audit.verify(store).rows == written
    store.execute(f"PRAGMA max_page_count = {pages + 1000}")   # space again: writes go on
    audit.record(store, "user.added", "local:test", user="after")
    assert audit.verify(store).rows == written + 1


class CountingStore:
    """The store, counting the rows each read hands back (the work a check does)."""

    def __init__(self, store: Store) -> None:
        self.store, self.rows = store, 0

    def execute(self, sql: str, params: tuple = ()) -> list:
        rows = list(self.store.execute(sql, params))
        self.rows += len(rows)
        return rows

    def one(self, sql: str, params: tuple = ()) -> dict | None:
        row = self.store.one(sql, params)
        self.rows += row is not None
        return row

    def all(self, sql: str, params: tuple = ()) -> list[dict]:
        rows = self.store.all(sql, params)
        self.rows += len(rows)
        return rows


def test_checking_on_reads_only_the_rows_added_since_and_at_most_the_limit(store):
    counting = CountingStore(store)
    check, looks = None, 0
    while check is None or not check.complete:
        counting.rows = 0
        check = audit.verify(counting, since=check, limit=4)
        assert check.ok and counting.rows <= 4 + 2  # the anchor and the last checked row
        looks += 1
    assert looks == 3 and check.rows == 10 and check.head == audit.verify(store).head
    for i in range(3):
        audit.record(store, "user.added", "local:test", user=f"v{i}")
    counting.rows = 0
    check = audit.verify(counting, since=check, limit=4)
    assert check.ok and check.complete and check.rows == 13 and counting.rows <= 3 + 2


@pytest.mark.parametrize("tamper, bad", [
    ("UPDATE events SET actor = 'mallory' WHERE seq = 8", 8),     # a row added since the last look
    ("DELETE FROM events WHERE seq = 9", 10),
    ("UPDATE events SET hash = 'x' WHERE seq = 6", 6),            # the row the last look ended on
    ("DELETE FROM events WHERE seq = 6", 6),
])
def test_checking_on_catches_what_changed_after_and_at_the_last_look(store, tamper, bad):
    first = audit.verify(store, limit=6)
    assert first.ok and first.seq == 6 and not first.complete
    with raw(store) as c:
        c.execute(tamper)
    check = audit.verify(store, since=first, limit=100)
    assert not check.ok and check.bad_seq == bad
    assert not audit.verify(store, since=first, limit=100).ok  # still reported on the next look


def test_a_purge_past_the_last_look_restarts_from_the_anchor(store):
    first = audit.verify(store, limit=3)
    assert audit.purge(store, older_than=audit.chain.now() + 1, actor="local:test") == 9
    check = audit.verify(store, since=first, limit=100)
    assert check.ok and check.complete and check.rows == 2  # the kept row and audit.purged
    with raw(store) as c:
        c.execute("UPDATE events SET actor = 'mallory' WHERE seq = 11")
    assert audit.verify(store, since=first, limit=100).bad_seq == 11


def test_the_server_keeps_its_place_only_while_the_chain_holds(store):
    from types import SimpleNamespace

    from bastion.runtime.app import Runtime
    server = SimpleNamespace(store=store, audit_checked=None)
    assert Runtime.verify_audit(server).ok and server.audit_checked.seq == 10
    with raw(store) as c:
        c.execute("UPDATE events SET hash = 'x' WHERE seq = 10")
    assert not Runtime.verify_audit(server).ok and server.audit_checked.seq == 10
    assert not Runtime.verify_audit(server).ok


def test_the_newest_events_of_a_type_or_prefix_are_read_without_the_rest(store):
    audit.record(store, "user.locked", "local:test", user="u1", reason="r")
    for i in range(200):
        audit.record(store, "control.action", "local:test", op="kill", session=f"s{i}")
    counting = CountingStore(store)
    assert [e["seq"] for e in audit.recent(counting, 5, "user.locked")] == [11]
    assert counting.rows == 1
    user_types = [name for name in audit.EVENT_TYPES if name.startswith("user.")]
    counting.rows = 0
    shown = audit.recent(counting, 5, "user.")
    assert [e["seq"] for e in shown] == [11, 10, 9, 8, 7] and counting.rows <= 5 * len(user_types)
    assert [e["seq"] for e in audit.recent(store, 3)] == [211, 210, 209]
