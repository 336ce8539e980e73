"""Finding 7 of issue 12: a locked, removed or demoted person keeps nothing they no longer have
the right to. Pure tests of the rules (bastion.access.rights), of every control operation and of the
enforcer's one query; then the attack against a real `bastion serve`: a supervisor's control
door, a console attached through it, a command-interface connection, a proxied session and a
connection that has not opened a channel yet, each ended when their person loses the right.
"""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
from dataclasses import replace
from typing import Any

import asyncssh
import pytest

from bastion import audit
from bastion.access import grants, rights, sessions, users
from bastion.config import Role
from bastion.control.operations import ControlConnection
from bastion.control.protocol import OPERATIONS, ControlClient, ControlError
from tests.conftest import ControlApp, append_toml
from tests.harness import LOGIN, World
from tests.rows import each

# -- the rules, pure -------------------------------------------------------------------------


def config_with(ctx, **roles: Role):
    return replace(ctx.config, roles={**ctx.config.roles, **roles})


@pytest.mark.parametrize(("standing", "problem"), [
    (rights.Standing("sam", "supervisor"), None),
    (rights.Standing("sam", "supervisor", locked=True), "user locked"),
    (rights.Standing("sam", "supervisor", locked=True, lock_reason="left"), "user locked: left"),
    (rights.Standing("sam", "supervisor", removed=True), "user removed"),
    (rights.Standing("sam", "supervisor", locked=True, removed=True), "user removed"),
    (rights.Standing("sam", "retired"), "role retired is no longer defined"),
    (None, "user removed"),
])
def test_a_lock_a_removal_or_a_role_that_is_gone_ends_every_connection(ctx, standing, problem):
    assert rights.standing_problem(standing, ctx.config) == problem
    if standing is not None:
        assert standing.may_supervise(ctx.config) is (problem is None)


@pytest.mark.parametrize(("enrolled", "problem"), [
    (None, None), (5.0, None), (4.0, rights.REENROLLED), (6.0, rights.REENROLLED)])
def test_a_connection_of_an_earlier_person_under_the_name_ends(ctx, enrolled, problem):
    # attack k20o F7: what a connection proved at login (users.created) against the row now
    standing = rights.Standing("sam", "supervisor", enrolled=5.0)
    assert rights.standing_problem(standing, ctx.config, enrolled) == problem
    access = rights.Access("sam", "web01", "deploy", enrolled=enrolled)
    verdict = rights.session_verdict(rights.Snapshot(people={"sam": standing}), ctx.config,
                                     access, 0.0)
    assert (verdict == ("killed", problem)) if problem else verdict[1].startswith("no active")


def test_a_name_enrolled_again_is_another_person_whatever_the_clock_says(ctx, monkeypatch):
    store = ctx.store
    first = users.add(store, "kim", "engineer", None, "local:t")
    assert users.get(store, "kim", enrolled=first.enrolled) == first
    users.remove(store, "kim", "local:t")
    monkeypatch.setattr(users, "now", lambda: first.enrolled - 3600)   # the clock set back
    second = users.add(store, "kim", "engineer", None, "local:t")
    assert second.enrolled > first.enrolled
    assert users.get(store, "kim", enrolled=first.enrolled) is None
    with pytest.raises(users.UserError, match="another person's"):
        users.require(store, "kim", enrolled=first.enrolled)


@pytest.mark.parametrize(("role", "target", "login", "problem"), [
    (Role("engineer"), "web01", "deploy", None),
    (Role("engineer", targets=("db*",)), "web01", "deploy", "role engineer may not use target web01"),
    (Role("engineer", logins=("postgres",)), "web01", "root", "role engineer may not log in as root"),
    (Role("engineer"), "gone01", "deploy", "unknown target gone01"),
    (Role("engineer"), "web01", "nobody", "login 'nobody' is not offered on web01"),
])
def test_a_session_ends_when_the_role_now_does_not_allow_its_target_or_login(
        ctx, role, target, login, problem):
    config = config_with(ctx, engineer=role)

    found = rights.Standing("eve", "engineer").session_problem(config, target, login)

    assert (found is None) is (problem is None)
    if problem:
        assert found.startswith("no longer allowed: ") and problem in found


def test_only_a_role_that_supervises_now_keeps_the_control_door(ctx):
    config = config_with(ctx, supervisor=Role("supervisor", supervise=False))

    assert not rights.Standing("sam", "supervisor").may_supervise(config)
    assert rights.Standing("ada", "admin").may_supervise(config)


def test_nobody_unlocks_themselves(ctx, enrol):
    enrol("sam", "supervisor")
    enrol("ada", "admin")
    users.lock(ctx.store, "sam", "left", "ada")

    for actor in ("sam", "local:sam"):
        with pytest.raises(users.UserError, match="may not unlock themselves"):
            users.unlock(ctx.store, "sam", actor)
    assert users.get(ctx.store, "sam").locked
    users.unlock(ctx.store, "sam", "ada")
    assert not users.get(ctx.store, "sam").locked


@pytest.mark.parametrize("connections", ["sessions and other doors", "sessions only",
                                         "other doors only"])
def test_the_enforcer_reads_every_person_and_session_in_one_query(ctx, enrol, connections):
    for n in range(40):
        enrol(f"user{n}")
    users.lock(ctx.store, "user3", "gone", "local:test")
    users.remove(ctx.store, "user4", "local:test")
    ids = [sessions.create(ctx.store, user=f"user{n}", target="web01", login="deploy",
                           ticket="INC-1", grant_id=None, serial=None, client_addr="127.0.0.1")
           for n in range(25)]
    sessions.request_kill(ctx.store, ids[7], "local:test", "enough")
    sessions.end(ctx.store, ids[8], "ended", "done")
    # The people of live sessions come with their rows; the others are named.
    others = [f"user{n}" for n in range(25, 40)] + ["nobody"]
    if connections == "sessions only":
        others = []
    elif connections == "other doors only":
        ids, others = [], [f"user{n}" for n in range(40)] + ["nobody"]
    statements: list[str] = []
    ctx.store.conn.set_trace_callback(statements.append)
    try:
        snapshot = rights.read(ctx.store, others, ids)
    finally:
        ctx.store.conn.set_trace_callback(None)

    assert len(statements) == 1
    with_sessions = {f"user{n}" for n in range(25) if n != 8} if ids else set()
    assert set(snapshot.people) == with_sessions | (set(others) - {"nobody"})
    assert snapshot.people["user3"].locked and snapshot.people["user4"].removed
    assert set(snapshot.sessions) == set(ids) - {ids[8]} if ids else not snapshot.sessions
    if ids:
        assert snapshot.sessions[ids[7]]["kill_reason"] == "enough"
        assert snapshot.sessions[ids[3]]["user"] == "user3"


# -- every control operation checks the actor's rights now ------------------------------------

def request_fields(ctx) -> dict[str, dict[str, Any]]:
    """Fields that make each operation do something when a supervisor in good standing asks."""
    req = grants.create_request(ctx.store, ctx.config, "alice", target="web01", login="deploy",
                                ticket="INC-7", duration=600, reason="x")
    return {"sessions": {}, "watch": {"session": "s1"}, "unwatch": {"session": "s1"},
            "kill": {"session": "s1"}, "revoke": {"user": "alice"}, "lock": {"user": "alice"},
            "unlock": {"user": "alice"}, "requests": {}, "approve": {"request": req["id"]},
            "deny": {"request": req["id"]}, "held": {}, "confirm": {"held": "h1"},
            "reject": {"held": "h1"}, "audit": {}, "recording": {"session": "s1"}}


@pytest.mark.parametrize("loss", ["locked", "removed", "demoted", "role gone"])
def test_every_control_operation_is_refused_once_the_actor_lost_the_right(ctx, enrol, loss):
    enrol("sam", "supervisor")
    enrol("alice")
    fields = request_fields(ctx)
    users.lock(ctx.store, "alice", "under review", "local:test")
    assert set(fields) == set(OPERATIONS), "a new operation needs a row here"
    app = ControlApp(ctx)
    if loss == "locked":
        users.lock(ctx.store, "sam", "left", "local:test")
    elif loss == "removed":
        users.remove(ctx.store, "sam", "local:test")
    elif loss == "demoted":
        users.set_role(ctx.store, "sam", "engineer", "local:test")
    else:
        app.config = replace(ctx.config, roles={k: v for k, v in ctx.config.roles.items()
                                                if k != "supervisor"})
    before = [e["seq"] for e in audit.export(ctx.store)][-1]

    for op in OPERATIONS:
        # A door opened while sam could supervise, asked once after he no longer can.
        sent: list[dict] = []
        ended: list[str] = []
        door = ControlConnection(app, "sam", lambda data, sent=sent: sent.append(json.loads(data)),
                                 lambda: 0, lambda: None, ended.append)
        door.handle_line(json.dumps({"id": 1, "op": op, **fields[op]}).encode())

        assert sent == [{"id": 1, "ok": False, "error": "sam may no longer supervise"}], op
        assert ended == ["sam may no longer supervise"], op
        assert door.closed
    after = [e for e in audit.export(ctx.store) if e["seq"] > before]
    assert {e["type"] for e in after} == {"control.refused"}
    assert users.get(ctx.store, "alice").locked
    assert grants.get_request(ctx.store, fields["approve"]["request"])["state"] == "pending"


def test_the_same_operations_go_through_for_a_supervisor_in_good_standing(ctx, enrol):
    enrol("sam", "supervisor")
    enrol("alice")
    fields = request_fields(ctx)
    users.lock(ctx.store, "alice", "under review", "local:test")
    sent: list[dict] = []
    door = ControlConnection(ControlApp(ctx), "sam", lambda data: sent.append(json.loads(data)),
                             lambda: 0, lambda: None, lambda reason: None)

    for number, op in enumerate(("requests", "unlock", "approve"), 1):
        door.handle_line(json.dumps({"id": number, "op": op, **fields[op]}).encode())

    assert [m["ok"] for m in sent] == [True, True, True], sent
    assert not users.get(ctx.store, "alice").locked


# -- against a real bastion serve --------------------------------------------------------------

@pytest.fixture(scope="module")
def world(tmp_path_factory):
    w = World(tmp_path_factory.mktemp("rights"))
    yield w
    w.close()


async def door(world: World, person) -> ControlClient:
    """The `bastion-control` SSH door (what `bastion tui --connect` uses), key and TOTP."""
    return await ControlClient.open_ssh(
        "127.0.0.1", world.bastion.port, person.name,
        client_keys=[asyncssh.read_private_key(str(person.key_path))],
        known_hosts=asyncssh.import_known_hosts(person.known_hosts.read_text()),
        totp=person.next_code, host_key_alias="bastion.test")


def bastion_cli(world: World, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bastion", "--home", str(world.home.path), *args],
                          capture_output=True, text=True, timeout=60)


def events_since(world: World, seq: int, kind: str) -> list[dict]:
    return [e for e in audit.export(world.ctx.store) if e["seq"] > seq and e["type"] == kind]


def head(world: World) -> int:
    return list(audit.export(world.ctx.store))[-1]["seq"]


def reload(world: World) -> None:
    mark = world.bastion.output.mark()
    world.bastion.proc.send_signal(signal.SIGHUP)
    world.bastion.output.wait_for("configuration reloaded", start=mark)




@pytest.mark.integration
async def test_a_supervisor_locked_by_an_admin_loses_the_control_door_and_cannot_unlock(world):
    sam = world.person("sam", "supervisor")
    world.person("alice")
    client = await door(world, sam)
    try:
        assert "sessions" in await client.request("sessions")
        since = head(world)

        locked = bastion_cli(world, "user", "lock", "sam", "--reason", "left the team")
        assert locked.returncode == 0, locked.stderr
        await asyncio.wait_for(client.closed.wait(), 10)

        assert client.farewell == "connection ended: user locked: left the team"
        for op, fields in (("sessions", {}), ("audit", {}), ("lock", {"user": "alice"}),
                           ("unlock", {"user": "sam"})):
            with pytest.raises(ControlError, match="connection closed"):
                await client.request(op, **fields)
    finally:
        await client.close()
    assert users.get(world.ctx.store, "sam").locked
    assert not users.get(world.ctx.store, "alice").locked
    assert events_since(world, since, "control.action") == []
    [ended] = events_since(world, since, "connection.ended")
    assert (ended["actor"], ended["data"]["reason"]) == ("sam", "user locked: left the team")
    with pytest.raises((asyncssh.Error, ControlError, OSError)):
        await (await door(world, sam)).close()


@pytest.mark.integration
async def test_a_removed_supervisor_loses_the_door_and_revokes_nothing(world):
    rex = world.person("rex", "supervisor")
    alice = world.person("alice")
    grant = world.grant(alice)
    client = await door(world, rex)
    try:
        since = head(world)
        users.remove(world.ctx.store, "rex", "local:admin")
        await asyncio.wait_for(client.closed.wait(), 10)
        with pytest.raises(ControlError):
            await client.request("revoke", user="alice")
    finally:
        await client.close()
    assert client.farewell == "connection ended: user removed"
    assert grants.grant_is_live(world.ctx.store, grant.id) is None
    assert events_since(world, since, "revocation.requested") == []


@pytest.mark.integration
async def test_a_locked_engineer_loses_the_session_the_command_interface_and_an_idle_login(
        world, tmp_path):
    from tests.hostile import Step, attempt

    eve = world.person("eve")
    world.grant(eve)
    term = eve.terminal(f"{LOGIN}@web01")
    term.prompt()
    waiting = eve.popen("eve", "request", "--target", "web01", "--login", LOGIN, "--ticket",
                        world.ticket(), "--duration", "10m", "--reason", "waits", "--wait")
    # Once the --wait request is filed, its connection is open (and its TOTP step used).
    world.bastion.output.wait_for(r"audit request\.created eve ")
    key = asyncssh.read_private_key(str(eve.key_path))
    idle = await attempt("127.0.0.1", world.bastion.port, [
        Step.signed(f"{LOGIN}@web01", key), Step.kbdint(f"{LOGIN}@web01", eve.next_code)])
    assert idle.authenticated

    users.lock(world.ctx.store, "eve", "laptop stolen", "local:admin")

    await asyncio.wait_for(idle.conn.wait_closed(), 10)
    assert term.wait() != 0
    assert b"user locked: laptop stolen" in term.buffer
    _out, err = waiting.communicate(timeout=20)
    assert waiting.returncode != 0
    assert b"connection ended: user locked: laptop stolen" in err
    assert world.session_row("eve")["end_reason"] == "user locked: laptop stolen"


@pytest.mark.integration
async def test_a_demoted_supervisor_loses_the_control_door_and_keeps_the_command_interface(world):
    dan = world.person("dan", "supervisor")
    client = await door(world, dan)
    try:
        since = head(world)
        done = bastion_cli(world, "user", "set-role", "dan", "engineer")
        assert done.returncode == 0, done.stderr
        await asyncio.wait_for(client.closed.wait(), 10)
        status = await client._conn.run("status", timeout=20)
        assert status.exit_status == 0 and "no requests and no grants" in status.stdout
        sessions_listing = await client._conn.run("sessions", timeout=20)
        assert sessions_listing.exit_status == 1
        assert "sessions is for supervisors" in sessions_listing.stderr
    finally:
        await client.close()
    assert client.farewell == "you no longer supervise: the control door is closed"
    [changed] = events_since(world, since, "user.role_changed")
    assert {k: v for k, v in changed["data"].items() if k not in audit.AUTOMATIC_FIELDS} == {
        "user": "dan", "role": "engineer", "was": "supervisor"}
    assert changed["data"]["node"] == audit.node_name()
    # dan's own: another test's connection may end in the same moment
    [ended] = [e for e in events_since(world, since, "connection.ended") if e["actor"] == "dan"]
    assert ended["data"]["door"] == "control door"


@pytest.mark.integration
async def test_a_reload_or_role_change_ends_what_the_role_no_longer_allows(world):
    append_toml(world.home, """
[roles.oncall]
supervise = true

[roles.dbonly]
targets = ["db*"]
""")
    reload(world)
    olga = world.person("olga", "oncall")
    fay = world.person("fay")
    world.grant(fay)
    term = fay.terminal(f"{LOGIN}@web01")
    term.prompt()
    client = await door(world, olga)
    try:
        users.set_role(world.ctx.store, "fay", "dbonly", "local:admin")
        assert term.wait() != 0
        assert b"no longer allowed: role dbonly may not use target web01" in term.buffer

        text = world.home.config_file.read_text()
        world.home.config_file.write_text(text.replace(
            "[roles.oncall]\nsupervise = true", "[roles.oncall]\nsupervise = false"))
        reload(world)
        await asyncio.wait_for(client.closed.wait(), 10)
    finally:
        await client.close()
    assert client.farewell == "you no longer supervise: the control door is closed"


@pytest.mark.integration
async def test_a_console_attached_over_ssh_ends_when_its_supervisor_is_locked(world):
    from tests.test_tui import until
    from tui.app import SupervisorApp
    from tui.connection import ssh_connector

    vic = world.person("vic", "supervisor")
    host_key = asyncssh.read_private_key(str(world.home.host_key)).export_public_key().decode()
    known_hosts = world.tmp / "console_known_hosts"
    known_hosts.write_text(f"[127.0.0.1]:{world.bastion.port} {host_key}")
    connect = ssh_connector("127.0.0.1", world.bastion.port, "vic", identity=str(vic.key_path),
                            known_hosts=str(known_hosts))
    app = SupervisorApp(connect, ask_code="TOTP code for vic")
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: app.screen.__class__.__name__ == "CodeDialog", "the prompt")
        await pilot.press(*vic.next_code())
        await pilot.press("enter")
        banner = app.query_one("#banner")
        await until(pilot, lambda: "acting as vic" in str(banner.render()), "the console")

        users.lock(world.ctx.store, "vic", "on leave", "local:admin")
        await until(pilot, lambda: app.failure, "the console to end")

    assert app.failure == ("the bastion closed the control connection: "
                           "connection ended: user locked: on leave")


# -- floods of requests (issue 12 finding 8) ---------------------------------------------------

@pytest.mark.integration
async def test_one_connection_cannot_file_more_than_ten_pending_requests(world):
    from tests.hostile import Step, attempt

    flo = world.person("flo")
    key = asyncssh.read_private_key(str(flo.key_path))
    outcome = await attempt("127.0.0.1", world.bastion.port, [
        Step.signed("flo", key), Step.kbdint("flo", flo.next_code)])
    since = head(world)
    try:
        results = [await outcome.conn.run(
            f"request --target web01 --login {LOGIN} --ticket INC-{900 + n} --duration 10m "
            "--reason flood", timeout=20) for n in range(grants.MAX_PENDING + 5)]
    finally:
        outcome.conn.close()

    assert [r.exit_status for r in results] == [0] * grants.MAX_PENDING + [1] * 5
    assert all("pending" in r.stdout for r in results[:grants.MAX_PENDING])
    assert all("already have 10 pending requests" in r.stderr for r in results[grants.MAX_PENDING:])
    assert len(events_since(world, since, "request.created")) == grants.MAX_PENDING
    assert len(events_since(world, since, "request.refused")) == 1


# -- operators at the bastion's own shell (attack report A, F8) ---------------------------------

@each(("os_user", "sudo_user", "actor", "people"), [
    ("bastion", None, "local:bastion", {"bastion"}),
    ("bastion", "alice", "local:bastion(sudo:alice)", {"bastion", "alice"}),
    ("root", "alice", "local:root(sudo:alice)", {"root", "alice"}),
    ("alice", "alice", "local:alice", {"alice"}),
    ("bastion", "", "local:bastion", {"bastion"}),
    # not an account name: no claim at all, rather than one that could be read two ways
    ("bastion", "x)(sudo:bob", "local:bastion", {"bastion"}),
    ("bastion", "al ice", "local:bastion", {"bastion"}),
    ("bastion", "\x1b[2J", "local:bastion", {"bastion"}),
])
def test_an_operator_who_came_through_sudo_is_named_with_the_account_they_act_as(
        os_user, sudo_user, actor, people):
    assert users.local_actor_name(os_user, sudo_user) == actor
    assert users.people_of(actor) == people


def test_nobody_decides_their_own_request_command_or_lock_through_sudo(ctx, enrol):
    enrol("alice")
    enrol("sam", "supervisor")
    as_alice, as_sam = "local:bastion(sudo:alice)", "local:bastion(sudo:sam)"
    req = grants.create_request(ctx.store, ctx.config, "alice", target="web01", login="deploy",
                                ticket="INC-8", duration=600, reason="x")
    sid = sessions.create(ctx.store, user="alice", target="web01", login="deploy",
                          ticket="INC-8", grant_id=None, serial=None, client_addr="127.0.0.1")
    held = sessions.hold(ctx.store, sid, "alice", "reboot", "confirm-power", 60)
    users.lock(ctx.store, "alice", "review", "sam")

    with pytest.raises(grants.GrantError, match="nobody approves or denies their own request"):
        grants.approve(ctx.store, ctx.config, req["id"], as_alice)
    with pytest.raises(sessions.SessionError, match="nobody confirms or rejects their own"):
        sessions.decide_held(ctx.store, ctx.config, held, as_alice, confirm=True)
    with pytest.raises(users.UserError, match="may not unlock themselves"):
        users.unlock(ctx.store, "alice", as_alice)

    # A locked person's request and command wait for the unlock (attack j19o).
    with pytest.raises(grants.GrantError, match="alice is locked"):
        grants.approve(ctx.store, ctx.config, req["id"], as_sam)
    users.unlock(ctx.store, "alice", as_sam)
    grants.approve(ctx.store, ctx.config, req["id"], as_sam)
    sessions.decide_held(ctx.store, ctx.config, held, as_sam, confirm=True)


@pytest.mark.parametrize(("sudo_user", "refused"), [("alice", True), ("sam", False)])
def test_the_cli_run_through_sudo_names_its_operator_and_refuses_their_own_request(
        ctx, enrol, sudo_user, refused):
    import os

    enrol("alice")
    req = grants.create_request(ctx.store, ctx.config, "alice", target="web01", login="deploy",
                                ticket="INC-9", duration=600, reason="x")

    done = subprocess.run([sys.executable, "-m", "bastion", "--home", str(ctx.home.path), "approve",
                           req["id"]], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "SUDO_USER": sudo_user})

    if refused:
        assert done.returncode == 1
        assert "nobody approves or denies their own request" in done.stderr
    else:
        assert done.returncode == 0, done.stderr
        [approved] = [e for e in audit.export(ctx.store) if e["type"] == "request.approved"]
        assert approved["actor"] == f"local:{LOGIN}(sudo:sam)"


@pytest.mark.parametrize("sudo_user", [None, "alice"])
def test_the_control_socket_names_a_peer_that_came_through_sudo(tmp_path, sudo_user):
    import os
    import socket

    from bastion.control import operations as control

    path = tmp_path / "control.sock"
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(path))
    listener.listen(1)
    env = {k: v for k, v in os.environ.items() if k != "SUDO_USER"}
    if sudo_user:
        env["SUDO_USER"] = sudo_user
    peer = subprocess.Popen([sys.executable, "-c", "import socket, sys; s = socket.socket("
                             "socket.AF_UNIX); s.connect(sys.argv[1]); s.recv(1)", str(path)],
                            env=env)
    conn, _ = listener.accept()
    try:
        actor = control.peer_actor(conn)
    finally:
        conn.send(b"x")
        peer.wait(10)
        conn.close()
        listener.close()
    assert actor == users.local_actor_name(LOGIN, sudo_user)
    assert actor == (f"local:{LOGIN}(sudo:alice)" if sudo_user else f"local:{LOGIN}")
