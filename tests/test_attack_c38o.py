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

import pytest

from bastion import audit
from bastion.access import sessions
from bastion.audit.events import AUDIT_DATA
from bastion.command_control.statements.splitter import MAX_CODE
from bastion.runtime.judging import JudgingBudget
from bastion.ssh import judge
from bastion.text import LISTED_TEXT, cut_mark, cut_text
from tests.test_gate import Channel, make_app, make_live
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
    ch = Channel(live, kind="exec", pty=False)
    ch.stream = None  # type: ignore[attr-defined]
    ch.interactive = False  # type: ignore[attr-defined]
    ch.command = LONG
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
    ch = Channel(make_live(store, app), kind="exec", pty=False)
    ch.stream = None  # type: ignore[attr-defined]
    ch.interactive = False  # type: ignore[attr-defined]
    ch.command = "true '" + "x" * MAX_CODE + "'"
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
    from tests.test_escrow import run
    for shown in ((), ("--json",)):  # the CLI's table (as the SSH interface's) and its JSON
        code, out, err = run("--home", str(ctx.home.path), "held", *shown)
        assert code == 0, err
        assert f"[{len(command)} chars]" in out and len(out) < 2 * LISTED_TEXT * 6


# ---------------------------------------------------------------- 2. bounded before any parse

async def test_an_exec_command_past_its_bound_is_not_parsed_for_a_file_transfer(store, monkeypatch):
    app = make_app(store)
    ch = Channel(make_live(store, app), kind="exec", pty=False)

    def parsed(line):
        raise AssertionError("parsed before its bound")

    monkeypatch.setattr(judge.scp, "server_mode", parsed)
    monkeypatch.setattr(judge.sftplog, "server_command", parsed)
    ch.command = '"' * (MAX_CODE + 1)
    assert await judge.exec_stream(app, ch) == (None, None)  # type: ignore[arg-type]


async def test_the_file_transfer_parse_of_an_exec_command_is_charged_to_its_person(
        store, monkeypatch):
    app = make_app(store)
    now = [0.0]
    app.judging = JudgingBudget(clock=lambda: now[0])
    ch = Channel(make_live(store, app), kind="exec", pty=False)

    def costly(line):
        now[0] += 30.0  # a parse that took 30 s of the loop
        return None

    monkeypatch.setattr(judge.scp, "server_mode", costly)
    monkeypatch.setattr(judge.sftplog, "server_command", lambda line: True)
    ch.command = "sftp-server"
    assert await judge.exec_stream(app, ch) == (None, "sftp")  # type: ignore[arg-type]
    person = ch.identity.user
    assert app.judging.wait(person) > 0  # the next channel waits for the person's turn
    assert app.judging.wait("somebody else") == 0
