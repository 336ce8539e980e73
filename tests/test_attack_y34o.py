"""Attack y34o (outside attack on the other doors), findings 1-4.

1. The control door ran every request of a received chunk at once on the one event loop: 30
   `audit` requests froze every session for ~10 s and a lock ended its session 10 s late; a
   closed door ran the rest of its chunk; requests that changed nothing wrote 2 rows each.
2. A window change with one dimension 0 reached the target but not the gate or the recording.
3. A paused channel held ~3 MiB outside the held budget (the stdin gate's queue, asyncssh's
   2 MiB window).
4. `recording unseal FILE.cast` found the file's home by its folder's name: another spelling
   of a recording of the home was neither audited nor digest-checked.
"""

from __future__ import annotations

import asyncio
import json
import math
from pathlib import Path
from types import SimpleNamespace

import pytest

from bastion import audit
from bastion.access import users
from bastion.control import pacing
from bastion.control.operations import ControlConnection
from bastion.control.protocol import ControlClient, encode
from bastion.recording import CastRecorder
from bastion.runtime.held import HeldBudget
from bastion.runtime.refusals import Refusals
from bastion.ssh import upstream
from bastion.ssh.gate import StdinGate
from bastion.ssh.negotiation import bounded_size, window_size
from bastion.ssh.server import server_options
from tests.conftest import ControlApp
from tests.harness import LOGIN, World
from tests.rows import each
from tests.test_gate import Channel, make_app, make_live
from tests.test_gate import store as store  # the fixture
from tests.test_rights import door, events_since, head

# -- finding 1: the control door ------------------------------------------------------------

@pytest.fixture(scope="module")
def world(tmp_path_factory):
    w = World(tmp_path_factory.mktemp("y34o"))
    yield w
    w.close()



@pytest.mark.integration
async def test_a_burst_of_control_requests_is_refused_past_its_bound_and_a_lock_still_ends_a_session(
        world):
    with world.ctx.store.transaction():  # history for `audit` to read
        for i in range(3000):
            audit.record(world.ctx.store, "command.verdict", "erin", line=f"true {i}",
                         verdict="allow")
    erin = world.person("erin")
    world.grant(erin)
    term = erin.terminal(f"{LOGIN}@web01")
    term.prompt()
    sam = world.person("sam", "supervisor")
    since = head(world)
    flood = await door(world, sam)
    lock = await ControlClient.open_unix(str(world.home.control_socket))
    try:
        # 200 costly requests in one write (12 KB): they used to run back to back on the loop.
        loop = asyncio.get_running_loop()
        replies = {f"b{i}": loop.create_future() for i in range(200)}
        flood._pending.update(replies)
        flood._writer.write(b"".join(encode({"id": rid, "op": "audit", "limit": 1000,
                                             "type": "command."}) for rid in replies))
        await lock.request("lock", user="erin", reason="burst test")
        assert term.wait() != 0
        assert b"user locked: burst test" in term.buffer
        # The burst filled the queue and the next 32 were refused at once; the lines after them
        # wait unread until the queue has room again (attack a36o, finding 1), so the last of
        # the burst is not answered yet.
        assert (await asyncio.wait_for(replies["b63"], 10))["error"] == pacing.BUSY
        refused = [f.result() for f in replies.values() if f.done()
                   and f.result().get("error") == pacing.BUSY]
        assert len(refused) == pacing.MAX_WAITING and not replies["b199"].done()
    finally:
        await flood.close()
        await lock.close()
    rows = [e for e in events_since(world, since, "control.refused") if e["actor"] == "sam"]
    busy = [e["data"] for e in rows if e["data"]["kind"] == "too many requests"]
    assert busy and busy[0]["reason"] == pacing.BUSY and busy[0]["lines"] > 0
    assert world.session_row("erin")["end_reason"] == "user locked: burst test"


@pytest.mark.integration
async def test_requests_sent_with_the_end_of_input_on_the_socket_are_answered(world):
    reader, writer = await asyncio.open_unix_connection(str(world.home.control_socket))
    try:
        assert json.loads(await reader.readline())["event"] == "hello"
        writer.write(b"".join(encode({"id": i, "op": "held"}) for i in range(3)))
        writer.write_eof()  # as `printf ... | socat - UNIX-CONNECT:control.sock` does
        replies = [json.loads(line) async for line in reader if b'"id"' in line]
    finally:
        writer.close()
    assert [(r["id"], r["ok"]) for r in replies] == [(0, True), (1, True), (2, True)]


def _door(ctx, app, actor: str = "sam") -> tuple[ControlConnection, list[dict], list[str]]:
    sent: list[dict] = []
    ended: list[str] = []
    connection = ControlConnection(app, actor, lambda d: sent.append(json.loads(d)), lambda: 0,
                                   lambda: None, ended.append)
    return connection, sent, ended


async def test_a_refused_supervisor_s_waiting_requests_are_dropped_with_one_row(ctx):
    users.add(ctx.store, "sam", "supervisor", None, "local:admin")
    connection, sent, ended = _door(ctx, ControlApp(ctx))
    connection.data_received(b"".join(encode({"id": i, "op": "held"}) for i in range(100)))
    task = connection.pacer.task
    users.lock(ctx.store, "sam", "left", "local:admin")  # before any of them ran
    await task
    replies = [m for m in sent if m.get("error") != pacing.BUSY]
    assert replies == [{"id": 0, "ok": False, "error": "sam may no longer supervise"}]
    assert len(ended) == 1 and connection.closed and not connection.pacer.waiting
    rows = [e["data"] for e in audit.export(ctx.store) if e["type"] == "control.refused"]
    assert [(r.get("op"), r.get("kind"), r["lines"]) for r in rows] == [
        (None, "too many requests", pacing.MAX_WAITING),  # the rest waited unread (a36o, 1)
        ("held", None, 100 - pacing.MAX_WAITING - 1)]  # queued or unread: dropped


async def test_requests_sent_before_the_client_s_eof_are_answered(ctx):
    connection, sent, _ = _door(ctx, ControlApp(ctx), "local:sam")
    connection.data_received(b"".join(encode({"id": i, "op": "held"}) for i in range(5)))
    task = connection.pacer.task
    connection.eof_received()
    assert not connection.closed
    await task
    assert [m["id"] for m in sent] == [0, 1, 2, 3, 4] and connection.closed


async def test_a_client_that_does_not_read_its_replies_gets_no_more_handled(ctx):
    unsent = [pacing.REPLY_HIGH_WATER + 1]
    paused: list[bool] = []
    sent: list[dict] = []
    got = asyncio.Event()

    def write(data: bytes) -> None:  # each reply is big: over the mark until the client reads
        sent.append(json.loads(data))
        unsent[0] = pacing.REPLY_HIGH_WATER + 1
        got.set()

    connection = ControlConnection(
        ControlApp(ctx), "local:sam", write, lambda: unsent[0], lambda: None, lambda reason: None,
        pause=lambda: paused.append(True), resume=lambda: paused.append(False))
    connection.data_received(encode({"id": 1, "op": "held"}))
    await asyncio.sleep(pacing.DRAIN_POLL * 2)  # the pump's own poll: it must not have run it
    assert sent == [] and paused == [True]
    unsent[0] = 0  # the client read what waited
    await got.wait()
    assert [m["id"] for m in sent] == [1] and paused == [True]  # its reply waits unread
    task = connection.pacer.task
    unsent[0] = 0  # read: the door reads again
    await task
    assert paused == [True, False] and not connection.closed


def test_a_person_past_their_share_waits_but_not_for_a_lock_or_a_kill(ctx):
    app = ControlApp(ctx)
    connection, _, _ = _door(ctx, app, "local:sam")
    pacing.budget_of(app).spend("local:sam", 1.0)  # a costly burst just ran
    for op, waits in (("held", True), ("audit", True), ("lock", False), ("kill", False)):
        connection.pacer.waiting.append(encode({"id": 1, "op": op}))
        assert (connection.pacer._wait() > 0) is waits, op
        connection.pacer.waiting.clear()


class RefusingApp(ControlApp, Refusals):
    def __init__(self, ctx) -> None:
        ControlApp.__init__(self, ctx)
        Refusals.__init__(self)


def test_requests_that_change_nothing_are_counted_not_two_rows_each(ctx):
    users.add(ctx.store, "erin", "engineer", None, "local:admin")
    app = RefusingApp(ctx)
    connection, sent, _ = _door(ctx, app, "local:sam")
    since = max(e["seq"] for e in audit.export(ctx.store))
    for i in range(50):
        connection.handle_line(encode({"id": i, "op": "unlock", "user": "erin"}))
        connection.handle_line(encode({"id": i, "op": "revoke", "user": "erin"}))
    assert all(m["ok"] for m in sent)
    app.sweep_limits(math.inf)
    rows = [(e["type"], e["data"].get("kind"), e["data"].get("repeated"))
            for e in audit.export(ctx.store) if e["seq"] > since]
    assert sorted(rows, key=str) == sorted([
        ("control.action", "unlock (unchanged)", None), ("control.action", "revoke (unchanged)", None),
        ("control.action", "unlock (unchanged)", 49), ("control.action", "revoke (unchanged)", 49)],
        key=str)
    # What changes something is written as before.
    connection.handle_line(encode({"id": 99, "op": "lock", "user": "erin"}))
    connection.handle_line(encode({"id": 100, "op": "unlock", "user": "erin"}))
    types = [e["type"] for e in audit.export(ctx.store) if e["seq"] > since]
    assert types.count("user.locked") == 1 and types.count("user.unlocked") == 1


# -- finding 2: a window change with a zero dimension ---------------------------------------

TERM = ("xterm", (80, 24, 640, 480), {})


@each(("asked", "size"), [
    ((200, 0, 0, 0), (200, 24, 0, 0)),
    ((0, 50, 0, 0), (80, 50, 0, 0)),
    ((0, 0, 10, 10), (80, 24, 0, 0)),
    ((2**32 - 1, 0, 0, 0), (bounded_size(2**32 - 1, 1, 0, 0)[0], 24, 0, 0)),
    ((120, 40, 960, 640), (120, 40, 960, 640)),
])
def test_a_zero_dimension_keeps_the_size_in_force_for_target_gate_and_recording(asked, size):
    assert window_size(TERM, *asked) == size
    assert 0 not in window_size(None, *asked)[:2]


def test_a_pty_request_with_a_zero_dimension_gives_the_target_the_gate_s_size():
    assert bounded_size(0, 0, 0, 0) == (80, 24, 0, 0)
    assert bounded_size(132, 0, 0, 0) == (132, 24, 0, 0)


# -- finding 3: buffers outside the held budget ---------------------------------------------

async def test_the_stdin_gate_s_queue_is_held_in_the_budget_and_past_it_the_client_waits(store):
    app = make_app(store)
    app.held = HeldBudget(per_connection=128 * 1024, per_person=1 << 30, per_server=1 << 30)
    ch = Channel(make_live(store, app), pty=False)
    ch.gate = gate = StdinGate(app, ch)  # type: ignore[arg-type]
    gate.client_input(b"systemctl restart web\n")  # held for a supervisor
    await ch.until(lambda: bool(app.held_waiters))
    gate.client_input(b"true\n" * 30_000)  # 150 KB behind it, under the queue's own bound
    assert len(gate.queue) == 150_000 < 256 * 1024
    assert app.held.total >= 150_000
    assert "gate" in ch.holds
    gate.close()
    assert app.held.total == 0


def test_each_channel_s_window_is_bounded_on_both_sides(home):
    # asyncssh opens the client's session channels with the connection's `window` (2 MiB
    # by default); the target's sessions and forwards are opened with upstream.WINDOW too.
    assert server_options(SimpleNamespace(home=home))["window"] == upstream.WINDOW == 512 * 1024


# -- finding 4: unseal and the spelling of a recording of the home --------------------------

def _cast(ctx, registered: bool = True) -> Path:
    """A recording of the home's folder; `registered`: with its row in the store (open)."""
    from bastion.access import sessions
    path = ctx.home.recordings / "s1-1.cast"
    CastRecorder(path, width=80, height=24, title="t", env={}, clock=lambda: 1.0).close()
    if registered:
        sid = sessions.create(ctx.store, user="alice", target="web01", login="deploy",
                              ticket="INC-1", grant_id=None, serial=None,
                              client_addr="127.0.0.1")
        sessions.add_recording(ctx.store, sid, path, 1, "cast")
    return path


def _unseal(home_arg: Path, source: str, key: Path) -> tuple[int, str, str]:
    from tests.test_escrow import run
    return run("--home", str(home_arg), "recording", "unseal", source, "--key", str(key))


def _audited(ctx) -> int:
    return sum(e["type"].startswith("recording.unseal") for e in audit.export(ctx.store))


@pytest.mark.parametrize("spelling", ["folder link", "file link", "dot-dot", "proc"])
def test_every_spelling_of_a_recording_of_the_home_is_audited_there(ctx, tmp_path, spelling,
                                                                      monkeypatch):
    from tests.test_escrow import PRIVATE, _key_file
    path = _cast(ctx)
    key = _key_file(tmp_path, PRIVATE)
    (tmp_path / "casts").symlink_to(path.parent)
    (tmp_path / "other.cast").symlink_to(path)
    source = {"folder link": str(tmp_path / "casts" / path.name),
              "file link": str(tmp_path / "other.cast"),
              "dot-dot": str(path.parent / ".." / "recordings" / path.name),
              "proc": f"/proc/self/cwd/{path.name}"}[spelling]
    monkeypatch.chdir(path.parent)
    before = _audited(ctx)
    code, _out, err = _unseal(tmp_path / "elsewhere", source, key)
    assert code == 0, err
    assert _audited(ctx) == before + 1


def test_a_link_to_a_recording_altered_after_it_closed_is_refused(ctx, tmp_path):
    from bastion.access import sessions
    from tests.test_escrow import PRIVATE, _key_file
    path = _cast(ctx)
    sessions.close_recording(ctx.store, path, "0" * 64, "alice")  # not its digest
    (tmp_path / "other.cast").symlink_to(path)
    code, out, err = _unseal(tmp_path / "elsewhere", str(tmp_path / "other.cast"),
                             _key_file(tmp_path, PRIVATE))
    assert code == 1 and out == "" and "not the recording the bastion closed" in err
    assert [e["type"] for e in audit.export(ctx.store)][-1] == "recording.unseal_failed"
