"""Retention and chain heads: `bastion audit purge` deletes old events and the recordings of
sessions that ended long ago, and nothing else; chain heads sent to syslog catch a database
rewritten end to end."""

from __future__ import annotations

import json
import logging
import socket
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bastion import audit, config
from bastion.access import retention, sessions
from bastion.cli import main
from bastion.runtime.home import Home
from bastion.store import Store, now
from tests.rows import each

DAY = 86400.0
RETENTION = 90 * DAY


@pytest.fixture(autouse=True)
def syslog_off() -> Iterator[None]:
    """The syslog destination is per process: no test leaves one behind for the next."""
    yield
    audit.configure_syslog("")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "bastion.db", create=True)
    yield s
    s.close()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "recordings"
    path.mkdir()
    return path


@pytest.fixture
def receiver() -> Iterator[socket.socket]:
    """A syslog server: a real UDP socket on the loopback."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(5)
    yield sock
    sock.close()


def udp(sock: socket.socket) -> str:
    return f"udp:127.0.0.1:{sock.getsockname()[1]}"


def make_session(store: Store, folder: Path, *, ended_days_ago: float | None,
                 channels: tuple[str, ...] = ("cast", "jsonl"), size: int = 100,
                 closed: bool = True) -> tuple[str, list[Path]]:
    """A session with one real recording file per channel; ended that many days ago (None: active)."""
    sid = sessions.create(store, user="alice", target="web01", login="deploy", ticket="OPS-1",
                          grant_id=None, serial=None, client_addr="127.0.0.1")
    paths = []
    for channel, kind in enumerate(channels):
        path = folder / f"{sid}-{channel}.{kind}"
        path.write_bytes(b"x" * size)
        sessions.add_recording(store, sid, path, channel, kind)
        if closed:
            sessions.close_recording(store, path, "digest", "system")
        paths.append(path)
    if ended_days_ago is not None:
        sessions.end(store, sid, "ended", "client closed")
        # Neither table is part of the hash chain: backdating them leaves the chain verifying.
        at = now() - ended_days_ago * DAY
        store.execute("UPDATE sessions SET ended = ? WHERE id = ?", (at, sid))
        store.execute("UPDATE recordings SET ended = ? WHERE session_id = ? AND ended IS NOT NULL",
                      (at, sid))
    return sid, paths


def recording_rows(store: Store) -> set[str]:
    return {row["path"] for row in store.all("SELECT path FROM recordings")}


def rechain(db: Path, edit: Callable[[dict], None] = lambda row: None) -> None:
    """Rewrite events with `edit` and recompute every hash after them, as a root user who knows
    the format would: the chain verifies again afterwards."""
    with sqlite3.connect(db) as c:
        c.row_factory = sqlite3.Row
        anchor = c.execute("SELECT hash FROM audit_anchor WHERE id = 1").fetchone()
        prev = anchor["hash"] if anchor else audit.GENESIS
        for found in c.execute("SELECT * FROM events ORDER BY seq").fetchall():
            row = dict(found)
            edit(row)
            row["prev_hash"] = prev
            row["hash"] = audit.chain._row_hash(row)
            c.execute("UPDATE events SET at = ?, actor = ?, data = ?, prev_hash = ?, hash = ? "
                      "WHERE seq = ?", (row["at"], row["actor"], row["data"], row["prev_hash"],
                                        row["hash"], row["seq"]))
            prev = row["hash"]


def age_events(db: Path, through_seq: int) -> None:
    def edit(row: dict) -> None:
        if row["seq"] <= through_seq:
            row["at"] = 1.0
    rechain(db, edit)


def head_lines(store: Store) -> list[str]:
    """Syslog lines for every event in the store, as they would arrive in /var/log/auth.log."""
    return [f"Nov  1 12:00:00 bastion bastion[42]: audit head seq={r['seq']} hash={r['hash']} "
            f"type={r['type']}" for r in store.all("SELECT * FROM events ORDER BY seq")]


# ---------------------------------------------------------------- purging recordings

def test_purge_deletes_only_the_recordings_of_sessions_that_ended_before_the_cutoff(store, folder):
    _, old = make_session(store, folder, ended_days_ago=100, size=1000)
    _, recent = make_session(store, folder, ended_days_ago=1)
    _, active = make_session(store, folder, ended_days_ago=None)
    # A channel of a still-active session that closed long ago stays with its session.
    store.execute("UPDATE recordings SET ended = ? WHERE path = ?", (now() - 100 * DAY, str(active[0])))
    _, still_open = make_session(store, folder, ended_days_ago=100, closed=False)
    strangers = [folder / "s999-0.cast", folder / "notes.txt"]
    for path in strangers:
        path.write_text("not the bastion's\n")

    result = retention.purge(store, folder, now() - RETENTION, "local:test")

    assert (result.recordings, result.bytes, result.missing, result.failed) == (2, 2000, 0, ())
    assert not any(path.exists() for path in old)
    assert all(path.exists() for path in recent + active + still_open + strangers)
    assert recording_rows(store) == {str(p) for p in recent + active + still_open}
    assert len(store.all("SELECT id FROM sessions")) == 4
    assert audit.verify(store).ok
    newest = audit.recent(store, limit=1)[0]
    assert newest["type"] == "recording.purged" and newest["code"] == "S014"
    assert newest["data"]["recordings"] == 2 and newest["data"]["bytes"] == 2000
    assert newest["data"]["sessions"] == 1


def test_a_file_already_gone_is_counted_as_missing_and_its_row_goes(store, folder):
    _, (cast, jsonl) = make_session(store, folder, ended_days_ago=100)
    cast.unlink()
    result = retention.purge(store, folder, now() - RETENTION, "local:test")
    assert (result.recordings, result.missing, result.failed) == (1, 1, ())
    assert not jsonl.exists() and recording_rows(store) == set()
    assert audit.recent(store, limit=1)[0]["data"]["missing"] == 1


def test_nothing_to_purge_records_no_event(store, folder):
    make_session(store, folder, ended_days_ago=1)
    before = audit.verify(store).rows
    result = retention.purge(store, folder, now() - RETENTION, "local:test")
    assert (result.events, result.recordings, result.missing) == (0, 0, 0)
    assert audit.verify(store).rows == before


def test_a_broken_chain_refuses_the_purge_and_deletes_no_file(store, folder):
    _, old = make_session(store, folder, ended_days_ago=100)
    store.execute("UPDATE events SET actor = 'mallory' WHERE seq = 1")
    with pytest.raises(retention.RetentionError, match="does not verify"):
        retention.purge(store, folder, now() - RETENTION, "local:test")
    assert all(path.exists() for path in old)
    assert recording_rows(store) == {str(p) for p in old}


@pytest.mark.parametrize("rewrite", ["{tmp}/elsewhere/{name}", "../elsewhere/{name}", "../{name}",
                                     "../passwd"])
def test_a_row_rewritten_to_name_another_file_deletes_nothing_outside_the_folder(
        store, folder, tmp_path, rewrite):
    _, (cast,) = make_session(store, folder, ended_days_ago=100, channels=("cast",))
    precious = [tmp_path / "elsewhere" / cast.name, tmp_path / cast.name, tmp_path / "passwd"]
    precious[0].parent.mkdir()
    for path in precious:
        path.write_text("precious\n")
    cast.unlink()
    store.execute("UPDATE recordings SET path = ?",
                  (str(folder / rewrite.format(tmp=tmp_path, name=cast.name)),))
    retention.purge(store, folder, now() - RETENTION, "local:test")
    assert all(path.read_text() == "precious\n" for path in precious)


def test_events_and_recordings_are_purged_together_and_the_chain_verifies(store, folder):
    make_session(store, folder, ended_days_ago=100)
    for i in range(5):
        audit.record(store, "user.added", "local:test", user=f"u{i}")
    newest = audit.verify(store).rows
    age_events(store.path, through_seq=newest - 1)
    result = retention.purge(store, folder, now() - RETENTION, "local:test")
    assert result.events == newest - 1 and result.recordings == 2
    check = audit.verify(store)
    assert check.ok, check.problem
    assert [e["type"] for e in audit.export(store)][-2:] == ["audit.purged", "recording.purged"]


def run(home: Home, *args: str, capsys) -> tuple[int, str, str]:
    code = main(["--home", str(home.path), *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_purge_says_what_went(home, capsys):
    store = Store(home.db)
    _, old = make_session(store, home.recordings, ended_days_ago=100, size=750)
    _, kept = make_session(store, home.recordings, ended_days_ago=10)
    events = audit.verify(store).rows
    age_events(home.db, through_seq=2)
    store.close()
    code, out, err = run(home, "audit", "purge", capsys=capsys)
    assert (code, err) == (0, "")
    assert out == "purged 2 events and 2 recordings (1.5 KB) older than 90d\n"
    assert not any(p.exists() for p in old) and all(p.exists() for p in kept)
    code, out, _ = run(home, "audit", "purge", "--older-than", "5d", capsys=capsys)
    assert code == 0 and out == "purged 0 events and 2 recordings (200 bytes) older than 5d\n"
    code, out, _ = run(home, "audit", "verify", capsys=capsys)
    assert code == 0 and f"{events - 2 + 3} events" in out


def test_cli_purge_reports_a_file_it_cannot_delete_in_one_line_and_keeps_its_row(home, capsys):
    store = Store(home.db)
    _, (cast, jsonl) = make_session(store, home.recordings, ended_days_ago=100)
    cast.unlink()
    cast.mkdir()  # unlink() of a directory fails: the file cannot be deleted
    code, out, err = run(home, "audit", "purge", capsys=capsys)
    assert code == 1
    assert out == "purged 0 events and 1 recordings (100 bytes) older than 90d\n"
    assert err.count("\n") == 1 and "1 recordings could not be deleted" in err
    assert str(cast) in err and "Traceback" not in err
    assert recording_rows(store) == {str(cast)} and not jsonl.exists()
    store.close()


@pytest.mark.parametrize("args", [["--older-than", "soon"], ["--older-than", "-5d"],
                                  ["--older-than", "0"]])
def test_cli_purge_refuses_bad_durations_in_one_line(home, capsys, args):
    code, _, err = run(home, "audit", "purge", *args, capsys=capsys)
    assert code == 2 and "--older-than" in err.splitlines()[0] and "Traceback" not in err


# ---------------------------------------------------------------- chain heads to syslog

def received(sock: socket.socket) -> str:
    return sock.recv(4096).decode("utf-8")


def test_every_committed_event_sends_its_head_to_syslog(store, receiver):
    audit.configure_syslog(udp(receiver))
    seqs = [audit.record(store, "user.added", "local:test", user=f"u{i}") for i in range(3)]
    for seq in seqs:
        line = received(receiver)
        row = store.one("SELECT hash FROM events WHERE seq = ?", (seq,))
        # authpriv.info, an RFC 3164 tag, NUL-terminated for old daemons
        assert line.startswith("<86>bastion[") and line.endswith("\0")
        assert f"]: audit head seq={seq} hash={row['hash']} type=user.added" in line


def test_a_rolled_back_event_sends_no_head(store, receiver):
    audit.configure_syslog(udp(receiver))
    with pytest.raises(RuntimeError), store.transaction():
        audit.record(store, "user.added", "local:test", user="never")
        raise RuntimeError("rolled back")
    seq = audit.record(store, "user.added", "local:test", user="kept")
    assert f"audit head seq={seq} " in received(receiver)
    assert seq == 1


def test_a_dead_destination_is_logged_once_and_events_are_recorded(store, tmp_path, caplog):
    dead = tmp_path / "log"  # no syslog daemon listens here yet
    audit.configure_syslog(str(dead))
    for i in range(3):
        audit.record(store, "user.added", "local:test", user=f"u{i}")
    assert audit.verify(store).rows == 3
    def said() -> list[tuple[int, str]]:
        return [(r.levelno, r.getMessage()) for r in caplog.records if "syslog" in r.getMessage()]
    assert [level for level, _ in said()] == [logging.ERROR]

    daemon = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    daemon.bind(str(dead))
    daemon.settimeout(5)
    try:
        seq = audit.record(store, "user.added", "local:test", user="back")
        assert f"audit head seq={seq} " in daemon.recv(4096).decode()
    finally:
        daemon.close()
    assert [level for level, _ in said()] == [logging.ERROR, logging.WARNING]
    assert "again" in said()[-1][1]


@pytest.mark.timeout(20)
def test_a_stalled_syslog_daemon_does_not_stall_recording(store, tmp_path, caplog):
    """A daemon that stops reading fills its socket queue (net.unix.max_dgram_qlen, 10 by
    default) within a few events; a blocking send would then hang here until the timeout."""
    path = tmp_path / "log"
    daemon = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    daemon.bind(str(path))
    try:
        audit.configure_syslog(str(path))
        for i in range(200):
            audit.record(store, "user.added", "local:test", user=f"u{i}")
    finally:
        daemon.close()
    assert audit.verify(store).rows == 200
    assert len([r for r in caplog.records if "not reaching syslog" in r.getMessage()]) == 1


def test_an_unreachable_udp_destination_does_not_break_recording(store):
    # A TEST-NET address: nothing answers and no route may exist; the send must not raise or wait.
    audit.configure_syslog("udp:192.0.2.1:514")
    for i in range(3):
        audit.record(store, "user.added", "local:test", user=f"u{i}")
    assert audit.verify(store).ok


@each(("dest", "address"), [
    ("", None),
    ("/dev/log", "/dev/log"),
    ("udp:127.0.0.1:514", ("127.0.0.1", 514)),
    ("udp:[::1]:5514", ("::1", 5514)),
    ("udp:logs.example.com:514", ("logs.example.com", 514)),
])
def test_syslog_destinations(dest, address):
    assert config.syslog_address(dest) == address


@pytest.mark.parametrize("dest", ["dev/log", "udp:", "udp:host", "udp:host:0", "udp:host:99999",
                                  "tcp:host:514", "syslog"])
def test_a_bad_syslog_destination_is_refused_in_bastion_toml(tmp_path, dest):
    path = tmp_path / "bastion.toml"
    path.write_text(f'[server]\naudit_syslog = "{dest}"\n')
    with pytest.raises(config.ConfigError) as caught:
        config.load_config(path)
    assert f"{path}:2: server.audit_syslog" in str(caught.value)


def test_the_cli_sends_heads_to_the_configured_destination(home, receiver, tmp_path, capsys):
    text = home.config_file.read_text()
    home.config_file.write_text(text.replace('audit_syslog = ""', f'audit_syslog = "{udp(receiver)}"'))
    code, _, err = run(home, "krl", "--out", str(tmp_path / "revoked.krl"), capsys=capsys)
    assert code == 0, err
    assert "type=krl.written" in received(receiver)


# ---------------------------------------------------------------- verify --against

@pytest.fixture
def heard(home: Home, receiver, tmp_path) -> Path:
    """The auth.log of another machine: the heads of ten events as they arrived there."""
    audit.configure_syslog(udp(receiver))
    store = Store(home.db)
    for i in range(10):
        audit.record(store, "user.added", "local:test", user=f"u{i}")
    store.close()
    log = tmp_path / "auth.log"
    lines = ["Nov  1 12:00:00 loghost sshd[7]: unrelated line\n"]
    lines += [f"Nov  1 12:00:00 bastion {received(receiver).removeprefix('<86>').rstrip(chr(0))}\n"
              for _ in range(10)]
    log.write_text("".join(lines))
    audit.configure_syslog("")
    return log


def test_verify_against_a_matching_log_passes(home, heard, capsys):
    code, out, err = run(home, "audit", "verify", "--against", str(heard), capsys=capsys)
    assert (code, err) == (0, "")
    assert f"10 heads in {heard} match" in out


def test_verify_against_catches_a_database_rewritten_with_fresh_hashes(home, heard, capsys):
    store = Store(home.db)
    target = audit.verify(store).rows - 4  # the 6th of the ten heads in the file
    store.close()

    def forge(row: dict) -> None:
        if row["seq"] == target:
            row["data"] = json.dumps({"user": "nobody-here"})
    rechain(home.db, forge)
    assert run(home, "audit", "verify", capsys=capsys)[0] == 0, "invisible to the chain alone"
    code, _, err = run(home, "audit", "verify", "--against", str(heard), capsys=capsys)
    assert code == 1 and err.count("\n") == 1
    assert f"head seq={target} " in err and "does not match" in err
    assert "line 7:" in err  # the unrelated line comes first


def test_verify_against_catches_removed_newest_rows(home, heard, capsys):
    with sqlite3.connect(home.db) as c:
        newest = c.execute("SELECT max(seq) FROM events").fetchone()[0]
        c.execute("DELETE FROM events WHERE seq > ?", (newest - 2,))
    assert run(home, "audit", "verify", capsys=capsys)[0] == 0
    code, _, err = run(home, "audit", "verify", "--against", str(heard), capsys=capsys)
    assert code == 1 and f"head seq={newest - 1} is not in the chain" in err


@pytest.mark.parametrize(("content", "problem"), [
    (None, "cannot read"),
    ("Nov  1 12:00:00 loghost sshd[7]: nothing of ours\n", "no audit head lines found"),
])
def test_verify_against_a_useless_file_fails_in_one_line(home, tmp_path, capsys, content, problem):
    path = tmp_path / "auth.log"
    if content is not None:
        path.write_text(content)
    code, _, err = run(home, "audit", "verify", "--against", str(path), capsys=capsys)
    assert code == 1 and problem in err and err.count("\n") == 1


def test_heads_of_purged_rows_are_counted_not_failed(store):
    for i in range(10):
        audit.record(store, "user.added", "local:test", user=f"u{i}")
    age_events(store.path, through_seq=6)
    lines = head_lines(store)
    assert audit.purge(store, older_than=1.5, actor="local:test") == 6
    result = audit.check_heads(store, lines)
    assert result.ok, result.problem
    assert (result.checked, result.before_anchor) == (5, 5)


def test_verify_against_reads_only_the_bastions_own_head_lines(home, receiver, tmp_path, capsys):
    # attack k20o F9: an unauthenticated client's user name, kept in `auth.refused` and sent to
    # syslog as part of that event's JSON line, is not a head; nor is a head's text after
    # another program's tag, or with anything before or after it.
    forged = "audit head seq=99999999 hash=" + "0" * 64 + " type=user.added"
    audit.configure_syslog(udp(receiver), events=True)
    store = Store(home.db)
    audit.record(store, "auth.refused", forged, client="127.0.0.9", reason="unknown key")
    store.close()
    sent = [received(receiver).removeprefix("<86>").rstrip(chr(0)) for _ in range(2)]
    audit.configure_syslog("")
    assert forged in sent[1] and sent[1].startswith("bastion[")
    log = tmp_path / "auth.log"
    log.write_text("".join(f"Nov  1 12:00:00 bastion {line}\n" for line in sent) +
                   f"Nov  1 12:00:00 bastion logger[9]: {forged}\n"
                   f"Nov  1 12:00:00 bastion bastion[9]: x {forged}\n"
                   f"Nov  1 12:00:00 bastion bastion[9]: {forged} x\n")
    code, out, err = run(home, "audit", "verify", "--against", str(log), capsys=capsys)
    assert (code, err) == (0, ""), err
    assert "1 heads in" in out


@pytest.mark.parametrize("seq", ["0", str(2**63), "9" * 30])
def test_verify_against_a_head_no_chain_can_hold_fails_in_one_line(home, tmp_path, capsys, seq):
    log = tmp_path / "auth.log"
    log.write_text(f"Nov  1 12:00:00 bastion bastion[9]: audit head seq={seq} hash={'0' * 64} "
                   "type=user.added\n")
    code, _, err = run(home, "audit", "verify", "--against", str(log), capsys=capsys)
    assert code == 1 and err.count("\n") == 1 and "out of range" in err, err
