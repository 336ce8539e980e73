"""SIGTERM (systemd's stop and restart): the bastion stops gracefully. Live users are told, held
commands rejected and audited, control clients told, recordings closed, sessions `interrupted`."""

from __future__ import annotations

import hashlib
import json
import signal
import socket

import pytest

from bastion import audit, recording
from bastion.access import sessions
from tests.harness import BastionProcess, LineWaiter, World

pytestmark = [pytest.mark.integration, pytest.mark.timeout(90)]

POLICY = """
[defaults]
unmatched = "allow"
unknown = "confirm"
uncertain = "deny"
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
    w = World(tmp_path_factory.mktemp("shutdown"), policy=POLICY)
    yield w
    w.close()


def test_a_session_killed_while_a_command_is_held_ends_cleanly_and_the_command_is_audited(world):
    """The same end as a shutdown's, by another cause: the gate wakes to a closed channel (its
    log stays free of tracebacks, checked at the end of the module), the command never runs."""
    term, at = world.shell("bob", "killed")
    sid = world.session_row("bob")["id"]
    target = world.tmp / "held-by-bob"
    term.send(f"mkdir {target}\r".encode())
    term.expect(rb"held for a supervisor", start=at)
    sessions.request_kill(world.ctx.store, sid, "local:supervisor", "enough")
    term.expect(rb"session ended: enough", start=at)
    assert term.wait() != 0
    assert not target.exists()
    held = world.ctx.store.one("SELECT * FROM held WHERE session_id = ?", (sid,))
    assert (held["state"], held["reason"]) == ("cancelled", "session ended")
    audited = [e for e in audit.export(world.ctx.store, None)
               if e["type"] == "command.rejected" and e["data"]["held"] == held["id"]]
    assert [(e["actor"], e["data"]["reason"]) for e in audited] == [("system", "session ended")]


def test_sigterm_tells_everyone_rejects_held_commands_and_ends_sessions_interrupted(world):
    term, at = world.shell("alice", "before")
    sid = world.session_row("alice")["id"]
    supervisor = socket.socket(socket.AF_UNIX)
    supervisor.connect(str(world.home.control_socket))
    control = LineWaiter(supervisor.makefile("rb"))
    control.wait_for(r'"event":"hello"')
    target = world.tmp / "held-dir"
    term.send(f"mkdir {target}\r".encode())
    term.expect(rb"held for a supervisor \(h\d+\)", start=at)
    control.wait_for(r'"event":"command_held"')

    assert world.bastion.stop(signal.SIGTERM) == 0

    # The user, on the terminal.
    term.expect(rb"session ended: the bastion is restarting", start=at)
    assert term.wait() != 0
    assert not target.exists()
    # The supervisor: a last event naming the reason and the sessions it ends, then the end.
    shutdown = json.loads(control.wait_for(r'^\{"event":"shutdown".*').group(0))
    assert shutdown["reason"] == "the bastion is restarting" and shutdown["sessions"] == [sid]
    control.wait_for(r"^<eof>$")
    supervisor.close()

    store = world.ctx.store
    held = store.one("SELECT * FROM held WHERE session_id = ?", (sid,))
    assert (held["state"], held["decided_by"], held["reason"]) == (
        "rejected", "system", "the bastion is restarting")
    row = sessions.get(store, sid)
    assert (row["state"], row["end_reason"]) == ("interrupted", "the bastion is restarting")
    events = list(audit.export(store, None))
    rejected = [e for e in events if e["type"] == "command.rejected" and e["data"]["session"] == sid]
    assert [(e["actor"], e["data"]["held"], e["data"]["reason"]) for e in rejected] == [
        ("system", held["id"], "the bastion is restarting")]
    assert [e["data"]["reason"] for e in events if e["type"] == "session.interrupted"
            and e["data"]["session"] == sid] == ["the bastion is restarting"]
    assert events[-1]["type"] == "bastion.stopped"
    assert audit.verify(store).ok
    # The recording is whole (every line valid), closed with its digest, its last word the reason.
    rec = store.one("SELECT * FROM recordings WHERE session_id = ?", (sid,))
    path = world.home.recordings / rec["path"].rsplit("/", 1)[-1]
    assert rec["ended"] is not None
    assert rec["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    _, cast_events = recording.read_cast(path)
    markers = [e[2] for e in cast_events if e[1] == "m"]
    assert markers[-1] == "session ended: the bastion is restarting"
    # The words the user saw are output too, the last thing the recording holds.
    assert cast_events[-1][1] == "o" and "session ended: the bastion is restarting" in cast_events[-1][2]

    assert "Traceback" not in world.bastion.log(), world.bastion.log()
    # Nothing was left for the crash recovery of the next start to close.
    world.bastion = BastionProcess(world.home).start()
    world.bastion.output.wait_for(r"bastion\.started|listening")
    assert "left open by a crash" not in world.bastion.log()
    assert "could not close interrupted recording" not in world.bastion.log()
