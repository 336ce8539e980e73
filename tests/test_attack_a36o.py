"""Attack a36o (outside attack on the other doors), findings 1-3.

1. The control door refused every line past its queue of 32 at once, in `data_received`, each
   with its own reply, outside the rate, the loop slice and the person's share: one 32 KiB read
   of `1` lines was 16,000 replies; 4 channels stalled the loop (a lock ended its session 10 s
   late). Now at most 32 lines are refused each time the queue fills; the lines after them wait
   unsplit, reading paused, until the queue has room.
2. `recording unseal` looked the stored digest up by the home's spelling when the server wrote
   it: a home behind a symlink or spelled with `..` found no row and skipped the check, so an
   altered recording was unsealed as the bastion's own. Now by the file's name; a file of the
   recordings folder the store has no row for is refused.
3. An engineer's long lines (60,000 control characters, 6 bytes each as JSON) made the console's
   `audit` and `sessions` replies 20 MiB lines: 3 s of the loop each, and no console could read
   them. Listing replies now cut their texts at 4,096 characters, and every reply is fitted to
   4 MiB before it is encoded.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from bastion import audit
from bastion.access import sessions, users
from bastion.control import pacing
from bastion.control.operations import ControlConnection
from bastion.control.protocol import LIST_TEXT, REPLY_BUDGET, encode
from bastion.recording import CastRecorder
from bastion.runtime.events import fitted
from bastion.text import cut_text
from tests.conftest import ControlApp
from tests.test_escrow import PRIVATE, _key_file, run
from tests.test_protocol import door

# -- finding 1: the lines past the queue ------------------------------------------------------


class _App(ControlApp):
    def verify_audit(self) -> SimpleNamespace:
        return SimpleNamespace(ok=True, rows=0, problem=None, complete=True)


def _door(ctx) -> tuple[ControlConnection, list[dict], list[str]]:
    """sam's connection (test_protocol.door), its pauses and resumes in the third list."""
    flow: list[str] = []
    users.add(ctx.store, "sam", "supervisor", None, "local:admin")
    connection, sent = door(ctx, "sam", _App(ctx), pause=lambda: flow.append("pause"),
                            resume=lambda: flow.append("resume"))
    return connection, sent, flow


async def test_a_read_of_many_lines_past_the_queue_refuses_at_most_32_and_the_rest_wait(ctx):
    connection, sent, flow = _door(ctx)
    connection.data_received(b"1\n" * 16_384)  # one 32 KiB packet of the attack's lines
    assert len(sent) == pacing.MAX_WAITING and all(m["error"] == pacing.BUSY for m in sent)
    assert len(connection.pacer.waiting) == pacing.MAX_WAITING and flow == ["pause"]
    assert connection.reader.complete() == 16_384 - 2 * pacing.MAX_WAITING
    connection.connection_lost()
    await connection.pacer.task
    rows = [e["data"] for e in audit.export(ctx.store) if e["type"] == "control.refused"]
    assert [(r["kind"], r["lines"]) for r in rows] == [
        ("too many requests", pacing.MAX_WAITING),
        ("requests waiting", 16_384 - pacing.MAX_WAITING)]  # queued or unread: dropped


async def test_lines_that_waited_unread_are_taken_once_the_queue_has_room(ctx):
    connection, sent, flow = _door(ctx)
    connection.data_received(b"".join(encode({"id": i, "op": "held"}) for i in range(100)))
    await connection.pacer.task
    # 0-31 queued, 32-63 refused, 64-99 unread; once 16 were handled, 64-79 queued and the
    # rest refused (fewer than 32): then reading goes on.
    refused = [m["id"] for m in sent if m.get("error") == pacing.BUSY]
    assert refused == [*range(32, 64), *range(80, 100)]
    assert sorted(m["id"] for m in sent if m.get("ok")) == [*range(32), *range(64, 80)]
    assert flow == ["pause", "resume"] and connection.reader.complete() == 0


def test_the_reader_splits_a_read_in_linear_time_and_keeps_what_it_was_not_asked_for():
    from bastion.control.protocol import LineReader, ProtocolError
    reader = LineReader()
    reader.add(b"a\n\nb\n" + b"x" * 70_000 + b"\nc\nd")
    assert reader.lines(1) == [b"a"] and reader.complete() == 4
    got = reader.lines()
    assert got[0] == b"b" and isinstance(got[1], ProtocolError) and got[2:] == [b"c"]
    reader.add(b"\n")
    assert reader.lines() == [b"d"] and reader.complete() == 0


# -- finding 2: the digest of a recording, whatever the home's spelling ----------------------

def _closed_cast(ctx, spelled: Path) -> Path:
    """A recording the server (which spelled its home `spelled`) closed with another digest
    than the file's: the file was altered after it closed."""
    path = ctx.home.recordings / "s1-1.cast"
    CastRecorder(path, width=80, height=24, title="t", env={}, clock=lambda: 1.0).close()
    sid = sessions.create(ctx.store, user="alice", target="web01", login="deploy",
                          ticket="INC-1", grant_id=None, serial=None, client_addr="127.0.0.1")
    sessions.add_recording(ctx.store, sid, spelled / "recordings" / path.name, 1, "cast")
    sessions.close_recording(ctx.store, spelled / "recordings" / path.name, "0" * 64, "alice")
    return path


@pytest.mark.parametrize("served_as", ["link", "dot-dot"])
@pytest.mark.parametrize("asked_as", ["real", "link", "file"])
def test_an_altered_recording_is_refused_whatever_the_homes_spelling(ctx, tmp_path, served_as,
                                                                    asked_as):
    link = tmp_path / "srv"
    link.symlink_to(ctx.home.path.parent)
    spellings = {"link": link / ctx.home.path.name,
                 "dot-dot": ctx.home.path / ".." / ctx.home.path.name,
                 "real": ctx.home.path.resolve()}
    path = _closed_cast(ctx, spellings[served_as])
    key = str(_key_file(tmp_path, PRIVATE))
    source = str(path) if asked_as == "file" else "s1"
    home = spellings["real" if asked_as == "file" else asked_as]
    code, out, err = run("--home", str(home), "recording", "unseal", source, "--key", key)
    assert code == 1 and out == "" and "not the recording the bastion closed" in err


def test_a_file_of_the_recordings_folder_the_store_never_had_is_refused(ctx, tmp_path):
    path = ctx.home.recordings / "s9-1.cast"
    CastRecorder(path, width=80, height=24, title="t", env={}, clock=lambda: 1.0).close()
    code, out, err = run("--home", str(ctx.home.path), "recording", "unseal", str(path),
                         "--key", str(_key_file(tmp_path, PRIVATE)))
    assert code == 1 and out == "" and "not a recording the bastion made" in err
    assert [e["type"] for e in audit.export(ctx.store)][-1] == "recording.unseal_failed"


# -- finding 3: replies bounded before they are built -----------------------------------------

LONG = "true '" + "\x01" * 60_000 + "'"
MEDIUM = "true " + "x" * 20_000


def test_the_consoles_audit_and_sessions_replies_cut_long_lines_and_stay_small(ctx):
    sid = sessions.create(ctx.store, user="erin", target="web01", login="deploy",
                          ticket="INC-1", grant_id=None, serial=None, client_addr="127.0.0.1")
    for _ in range(60):
        sessions.record_verdict(ctx.store, sid, 1, "erin", LONG, "allow", None, None)
    sessions.record_verdict(ctx.store, sid, 1, "erin", MEDIUM, "allow", None, None)
    connection, sent, _ = _door(ctx)
    connection.handle_line(encode({"id": 1, "op": "audit", "limit": 200}).rstrip(b"\n"))
    connection.handle_line(encode({"id": 2, "op": "sessions"}).rstrip(b"\n"))
    audit_reply, sessions_reply = sent
    verdicts = [e["data"] for e in audit_reply["events"] if e["type"] == "command.verdict"]
    # a row's data within 64 K characters is read whole and its texts cut at 4,096; a longer
    # one (60,000 control characters are 360,000 as JSON) was written cut (c38o, 1)
    assert verdicts[0]["line"] == MEDIUM[:LIST_TEXT] + f"…[{len(MEDIUM)} chars]"
    cut = [data["line"] for data in verdicts[1:]]
    assert len(cut) == 60 and all(c.endswith(f"…[{len(LONG)} chars]") and len(c) == LIST_TEXT
                                  for c in cut)
    (row,) = sessions_reply["sessions"]  # stored cut, 4,096 characters with the mark (c38o, 1)
    assert row["last_command"] == cut_text(MEDIUM, LIST_TEXT)
    assert row["last_command"].endswith(f"…[{len(MEDIUM)} chars]")
    assert len(encode(audit_reply)) < 2 * 1024 * 1024


def test_any_reply_is_fitted_to_its_budget_before_it_is_encoded():
    rows = [{"line": "\x01" * 65_000, "user": "erin"} for _ in range(300)]
    reply = fitted({"id": 1, "ok": True, "held": rows})
    assert len(encode(reply)) <= REPLY_BUDGET
    assert reply["held"][0]["line"].endswith("…[65000 chars]") and reply["held"][0]["user"] == "erin"
    small = {"id": 1, "ok": True, "held": rows[:2]}
    assert fitted(small) is small  # what fits is sent as it is
