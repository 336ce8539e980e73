"""Attack c38o (a short round on the fixes of b37o), findings 1-4.

1. The SQL cut of long rows (`audit.recent`, the sessions' last command) still made SQLite read
   every byte of them: what is written is bounded now. An event's data is at most AUDIT_DATA
   bytes of JSON (its long texts cut, `cut_fields` holding their length and SHA-256), a
   `commands` row keeps LISTED_TEXT characters, held commands are listed cut on every door, and
   an exec command past 64 KiB is refused whatever the `uncertain` action, never held.
2. An exec command was parsed whole (scp's and sftp's server modes) before its 64 KiB bound and
   outside the judging budget: the bound comes first now, the parse waits for the person's
   turn and is charged to them.
3. `recording unseal` hashed one reading of the file and unsealed another (`/proc/self/fd/N` is
   the same inode, which its writer can change): it copies the file once, hashing as it copies,
   and unseals the copy.
4. A recording a crash left open was sealed at the restart as the file was then: the running
   digest is compared first, a prefix that differs closes it as altered (audited; unseal
   refuses it), and unseal of an open recording checks that prefix too.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from bastion import audit
from bastion.access import sessions
from bastion.audit.events import AUDIT_DATA
from bastion.cli import unseal
from bastion.command_control.statements.splitter import MAX_CODE
from bastion.recording import CastRecorder, read_exec_record
from bastion.runtime.judging import JudgingBudget
from bastion.ssh import judge
from bastion.ssh.server import close_interrupted_recordings
from bastion.text import LISTED_TEXT, cut_mark, cut_text
from tests.test_escrow import PRIVATE, _key_file, run
from tests.test_gate import exec_channel, make_app, make_live
from tests.test_gate import store as store  # the fixture

LONG = "true '" + "\x01" * 250_000 + "'"  # six bytes of JSON a character: a 1.5 MB row before


def _stored_bytes(store, table: str, column: str) -> int:
    return store.one(f"SELECT max(length(CAST({column} AS BLOB))) AS n FROM {table}")["n"]  # noqa: S608


# ---------------------------------------------------------------- 1. what is written is bounded

def test_an_event_with_a_long_text_is_stored_within_its_bound_with_the_whole_texts_digest(store):
    audit.record(store, "command.verdict", "erin", session="s1", channel=1, line=LONG,
                 verdict="deny", rule="exec.too_long")
    assert _stored_bytes(store, "events", "data") <= AUDIT_DATA
    (event,) = audit.recent(store, 10)
    data = event["data"]
    assert data["line"] == cut_text(LONG) and data["line"].endswith(cut_mark(len(LONG)))
    assert data["cut_fields"] == {"line": {
        "chars": len(LONG), "sha256": hashlib.sha256(LONG.encode()).hexdigest()}}
    assert data["verdict"] == "deny" and audit.verify(store).ok  # the chain hashes what is stored


def test_an_event_within_its_bound_is_stored_whole_and_nobody_writes_cut_fields(store):
    line = "x" * (AUDIT_DATA - 1000)
    audit.record(store, "command.verdict", "erin", session="s1", channel=1, line=line,
                 verdict="allow", rule=None)
    (event,) = audit.recent(store, 10)
    assert event["data"]["line"] == line and "cut_fields" not in event["data"]
    with pytest.raises(ValueError, match="written by record itself"):
        audit.record(store, "command.verdict", "erin", line="x", cut_fields={})


def test_many_long_texts_in_one_event_are_cut_shorter_until_the_event_fits(store):
    names = ["\x01" * 5000 for _ in range(32)]  # 32 variables: each alone would fit
    audit.record(store, "session.env_dropped", "erin", session="s1", channel=1, names=names)
    assert _stored_bytes(store, "events", "data") <= AUDIT_DATA
    (event,) = audit.recent(store, 10)
    assert len(event["data"]["cut_fields"]) == 32
    assert event["data"]["cut_fields"]["names.31"]["chars"] == 5000


async def test_refused_exec_commands_leave_small_rows_for_the_audit_and_sessions_listings(store):
    app = make_app(store)
    live = make_live(store, app)
    ch = exec_channel(live, LONG)
    for _ in range(3):
        why = await judge.judge_exec(app, ch)  # type: ignore[arg-type]
        assert why is not None and why.startswith("denied: the command is longer than 64 KiB")
    # what `audit` and `sessions` read: bytes stored, not the 1.5 MB a row was
    assert _stored_bytes(store, "events", "data") <= AUDIT_DATA
    assert _stored_bytes(store, "commands", "line") <= LISTED_TEXT * 3  # "…" is 3 bytes
    (listed,) = [s for s in sessions.list_for_supervisors(store) if s["id"] == live.id]
    assert listed["last_command"] == cut_text(LONG) and len(cut_text(LONG)) == LISTED_TEXT


async def test_an_exec_command_past_64_kib_is_never_held_whatever_the_uncertain_action(store):
    app = make_app(store)
    app.policy = dataclasses.replace(app.policy, defaults=dataclasses.replace(
        app.policy.defaults, uncertain="confirm"))
    ch = exec_channel(make_live(store, app), "true '" + "x" * MAX_CODE + "'")
    why = await judge.judge_exec(app, ch)  # type: ignore[arg-type]
    assert why is not None and why.startswith("denied: the command is longer than 64 KiB")
    assert store.all("SELECT id FROM held") == []


def test_held_commands_are_listed_cut_on_every_door(store, ctx):
    command = "echo " + "\x01" * (MAX_CODE - 10)  # a statement on stdin may be held this long
    sid = sessions.create(ctx.store, user="erin", target="web01", login="deploy", ticket="INC-1",
                          grant_id=None, serial=None, client_addr="127.0.0.1")
    hid = sessions.hold(ctx.store, sid, "erin", command, "r", 60)
    (row,) = sessions.list_held(ctx.store)  # the control socket, the pushed events, the CLI
    assert row["id"] == hid and row["command"] == cut_text(command)
    for shown in ((), ("--json",)):  # the CLI's table (as the SSH interface's) and its JSON
        code, out, err = run("--home", str(ctx.home.path), "held", *shown)
        assert code == 0, err
        assert f"[{len(command)} chars]" in out and len(out) < 2 * LISTED_TEXT * 6


# ---------------------------------------------------------------- 2. bounded before any parse

async def test_an_exec_command_past_its_bound_is_not_parsed_for_a_file_transfer(store, monkeypatch):
    app = make_app(store)
    ch = exec_channel(make_live(store, app), '"' * (MAX_CODE + 1))

    def parsed(line):
        raise AssertionError("parsed before its bound")

    monkeypatch.setattr(judge.scp, "server_mode", parsed)
    monkeypatch.setattr(judge.sftplog, "server_command", parsed)
    assert await judge.exec_stream(app, ch) == (None, None)  # type: ignore[arg-type]


async def test_the_file_transfer_parse_of_an_exec_command_is_charged_to_its_person(
        store, monkeypatch):
    app = make_app(store)
    now = [0.0]
    app.judging = JudgingBudget(clock=lambda: now[0])
    ch = exec_channel(make_live(store, app), "sftp-server")

    def costly(line):
        now[0] += 30.0  # a parse that took 30 s of the loop
        return None

    monkeypatch.setattr(judge.scp, "server_mode", costly)
    monkeypatch.setattr(judge.sftplog, "server_command", lambda line: True)
    assert await judge.exec_stream(app, ch) == (None, "sftp")  # type: ignore[arg-type]
    person = ch.identity.user
    assert app.judging.wait(person) > 0  # the next channel waits for the person's turn
    assert app.judging.wait("somebody else") == 0


# ---------------------------------------------------------------- 3. one reading, hashed and shown

FORGED = b'[9.0, "i", "FORGED: keys never typed\\r"]\n'


def _closed_cast(ctx) -> tuple[str, Path]:
    sid = sessions.create(ctx.store, user="alice", target="web01", login="deploy",
                          ticket="INC-1", grant_id=None, serial=None, client_addr="127.0.0.1")
    path = ctx.home.recordings / f"{sid}-1.cast"
    sessions.add_recording(ctx.store, sid, path, 1, "cast")
    rec = CastRecorder(path, width=80, height=24, title="t", env={}, clock=lambda: 1.0)
    rec.input("sudo systemctl restart nginx\r")
    sessions.close_recording(ctx.store, path, rec.close(), "alice")
    return sid, path


def _append(path: Path) -> None:
    with open(path, "ab") as f:  # the same inode: no rename, no new file
        f.write(FORGED)


def _rewrite(path: Path) -> None:
    with open(path, "r+b") as f:  # the same inode and size: one word changed
        data = f.read().replace(b"nginx", b"sshd!")
        f.seek(0)
        f.write(data)


@pytest.mark.parametrize("change", [_append, _rewrite])
def test_unseal_shows_the_bytes_it_hashed_however_the_file_changes_in_place_after(
        ctx, tmp_path, monkeypatch, change):
    sid, path = _closed_cast(ctx)
    real_copy = unseal._copy_hashed

    def changed_after_the_hash(source, copy, offset):
        hashed = real_copy(source, copy, offset)
        change(path)
        return hashed

    monkeypatch.setattr(unseal, "_copy_hashed", changed_after_the_hash)
    code, out, err = run("--home", str(ctx.home.path), "recording", "unseal", sid, "--key",
                         str(_key_file(tmp_path, PRIVATE)))
    assert code == 0, err
    assert "nginx" in out and "FORGED" not in out and "sshd!" not in out
    assert b"FORGED" in path.read_bytes() or b"sshd!" in path.read_bytes()  # it did change
    monkeypatch.undo()
    code, out, err = run("--home", str(ctx.home.path), "recording", "unseal", sid, "--key",
                         str(_key_file(tmp_path, PRIVATE)))
    assert code == 1 and out == "" and "not the recording the bastion closed" in err


# ---------------------------------------------------------------- 4. the running digest compared

def _open_cast_with_running_digest(ctx) -> tuple[str, Path]:
    """What a server leaves at a crash: a cast written so far, its running digest stored."""
    sid = sessions.create(ctx.store, user="erin", target="web01", login="deploy", ticket="INC-1",
                          grant_id=None, serial=None, client_addr="127.0.0.1")
    path = ctx.home.recordings / f"{sid}-1.cast"
    sessions.add_recording(ctx.store, sid, path, 1, "cast")
    rec = CastRecorder(path, width=80, height=24, title="t", env={}, clock=lambda: 1.0)
    rec.input("rm -rf /srv/data\r")
    rec.input("ls\r")
    rec.flush()
    sessions.recording_progress(ctx.store, path, *rec.running_digest())
    return sid, path


def _restart(ctx) -> None:
    close_interrupted_recordings(SimpleNamespace(store=ctx.store, home=ctx.home))


def _closed_event(ctx) -> dict:
    return [e for e in audit.export(ctx.store) if e["type"] == "recording.closed"][-1]["data"]


def test_a_crash_left_recording_whose_start_was_edited_is_closed_as_altered_and_refused(
        ctx, tmp_path):
    sid, path = _open_cast_with_running_digest(ctx)
    edited = path.read_bytes().replace(b"rm -rf /srv/data", b"df -h /srv/data ")
    path.write_bytes(edited)
    _restart(ctx)
    assert path.read_bytes() == edited  # left as found for an investigator
    assert sessions.open_recordings(ctx.store) == []
    event = _closed_event(ctx)
    assert event["sha256"] == "" and "not the ones the bastion wrote" in event["altered"]
    code, out, err = run("--home", str(ctx.home.path), "recording", "unseal", sid, "--key",
                         str(_key_file(tmp_path, PRIVATE)))
    assert code == 1 and out == ""
    assert len(err.splitlines()) == 1 and "altered" in err and "not vouched for" in err


def test_a_crash_left_recording_whose_start_is_intact_is_sealed_and_a_truncated_one_is_not(
        ctx, tmp_path):
    sid, path = _open_cast_with_running_digest(ctx)
    with open(path, "ab") as f:
        f.write(b'[1.0, "i", "partial')  # the crash cut a line: repaired
    _restart(ctx)
    event = _closed_event(ctx)
    assert "altered" not in event and "unverified" not in event
    assert event["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    code, out, err = run("--home", str(ctx.home.path), "recording", "unseal", sid, "--key",
                         str(_key_file(tmp_path, PRIVATE)))
    assert code == 0 and "rm -rf /srv/data" in out and "session interrupted" in out, err
    for keep in (40, -5):  # shorter than what the server wrote: in its header, its last line
        sid, path = _open_cast_with_running_digest(ctx)
        path.write_bytes(path.read_bytes()[:keep])
        _restart(ctx)
        assert "is shorter than the" in _closed_event(ctx)["altered"]


def test_exec_records_and_casts_without_a_running_digest_are_closed_unverified(ctx):
    sid = sessions.create(ctx.store, user="erin", target="web01", login="deploy", ticket="INC-1",
                          grant_id=None, serial=None, client_addr="127.0.0.1")
    record = ctx.home.recordings / f"{sid}-1.jsonl"
    record.write_text('{"command": "true"}\n')
    sessions.add_recording(ctx.store, sid, record, 1, "exec")
    _restart(ctx)
    assert "no running digest" in _closed_event(ctx)["unverified"]


def test_unseal_of_an_open_recording_checks_its_running_digest_and_says_what_is_vouched_for(
        ctx, tmp_path):
    sid, path = _open_cast_with_running_digest(ctx)
    offset = len(path.read_bytes())
    with open(path, "ab") as f:
        f.write(b'[2.0, "i", "whoami\\r"]\n')  # written since the last running digest
    key = str(_key_file(tmp_path, PRIVATE))
    code, out, err = run("--home", str(ctx.home.path), "recording", "unseal", sid, "--key", key)
    assert code == 0, err
    assert f"its first {offset} bytes match the running digest" in out
    assert "bytes after them are not vouched for" in out
    code, out, err = run("--home", str(ctx.home.path), "recording", "unseal", sid, "--key", key,
                         "--json")
    assert code == 0 and json.loads(out.splitlines()[0])["note"].startswith(f"{sid}-1.cast")
    path.write_bytes(path.read_bytes().replace(b"rm -rf", b"rm -rx"))
    code, out, err = run("--home", str(ctx.home.path), "recording", "unseal", sid, "--key", key)
    assert code == 1 and out == "" and "differ from the running digest" in err


# ---------------------------------------------------------------- end to end: a real bastion

E2E_POLICY = """
[defaults]
unmatched = "allow"
unknown = "confirm"
uncertain = "confirm"
confirm_timeout = "60s"

[[rules]]
name = "held-mkdir"
action = "confirm"
commands = ["mkdir"]
args = "held"
message = "making held directories needs a supervisor"
"""


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from tests.harness import World

    w = World(tmp_path_factory.mktemp("c38o"), policy=E2E_POLICY)
    yield w
    w.close()


@pytest.mark.integration
@pytest.mark.timeout(120)
def test_a_long_exec_command_is_refused_before_any_parse_and_a_held_one_is_listed_cut(world):
    import time

    from tests.harness import LOGIN

    alice, sam = world.person("alice"), world.person("sam", "supervisor")
    world.grant(alice)
    # past 64 KiB: refused even with `uncertain = "confirm"`, never held, its row small
    refused = alice.run(f"{LOGIN}@web01", '"' * 100_000)
    assert refused.returncode == 126 and b"longer than 64 KiB" in refused.stderr
    assert sessions.list_held(world.ctx.store) == []
    (verdict,) = [e["data"] for e in world.events("command.verdict")
                  if e["data"].get("rule") == "exec.too_long"]
    assert verdict["cut_fields"]["line"]["chars"] == 100_000
    assert _stored_bytes(world.ctx.store, "events", "data") <= AUDIT_DATA
    # the exec record keeps the whole command, which the event's digest matches
    from tests.test_hardening import recording_closed

    name = [n for n in world.session_row("alice")["recordings"] if n.endswith(".jsonl")][-1]
    kept = read_exec_record(recording_closed(world, name))["command"]
    assert hashlib.sha256(kept.encode()).hexdigest() == verdict["cut_fields"]["line"]["sha256"]
    # a held command of 5,000 characters: the SSH door's `held` shows its start and the mark
    command = "mkdir held " + "x " * 2500
    proc = alice.popen(f"{LOGIN}@web01", command)
    try:
        deadline = time.monotonic() + 20
        while not (held := sessions.list_held(world.ctx.store)):
            assert time.monotonic() < deadline, "the command was not held"
            time.sleep(0.05)
        door = sam.run("sam", "held")
        assert door.returncode == 0, door.stderr
        assert f"[{len(command)} chars]".encode() in door.stdout
        assert command.rstrip().encode() not in door.stdout  # the header pads to the cell
        assert len(door.stdout) < 3 * LISTED_TEXT
        sessions.decide_held(world.ctx.store, world.ctx.config, held[0]["id"], "local:sam",
                             confirm=False, reason="not now")
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
