"""An outside attack (report A) on how sessions end and what a connection may still do: every end
finishes whatever a channel raises, nothing opens on a connection that is ending, a connection
with no session row yet is held to its certificate and grants, refusals and certificates are
capped, and an open file transfer follows the role as configured now.

Pure tests first (bastion.ssh.ending, the verdicts of bastion.access.rights, the refusal counts); then the
attacks themselves against a real `bastion serve` and sshd, with asyncssh and OpenSSH clients
and canary files for "did it run".
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import signal
import subprocess
import sys
import time
from pathlib import Path

import asyncssh
import pytest

from bastion import audit
from bastion.access import grants, rights, sessions, users
from bastion.config import Role
from bastion.runtime import ending as runtime_ending
from bastion.ssh import ending
from bastion.ssh.server import Bastion
from tests.conftest import append_toml
from tests.harness import LOGIN, Client, World
from tests.rows import each

# -- the last word to a channel, and loops one failure cannot stop -----------------------------


class Channel:
    """A channel as asyncssh's looks to an end path: closing or not, taking data or raising."""

    def __init__(self, closing: bool = False, raises: type[Exception] | None = None) -> None:
        self.closing, self.raises = closing, raises
        self.written: list[tuple[str, bytes]] = []

    def is_closing(self) -> bool:
        return self.closing

    def write(self, data: bytes) -> None:
        self._take("stdout", data)

    def write_stderr(self, data: bytes) -> None:
        self._take("stderr", data)

    def _take(self, stream: str, data: bytes) -> None:
        if self.raises is not None:
            raise self.raises("Channel not open for sending")
        self.written.append((stream, data))


@each(("make", "taken"), [
    (Channel, True),
    (lambda: Channel(closing=True), False),
    # The target sent EOF: asyncssh says the channel is open, yet it takes no more data.
    (lambda: Channel(raises=BrokenPipeError), False),
    (lambda: Channel(raises=asyncssh.ProtocolError), False),
    (lambda: None, False),
])
@each("stderr", [True, False])
def test_a_last_word_to_a_channel_that_takes_no_more_is_dropped_never_raised(make, taken, stderr):
    channel = make()
    assert ending.last_word(channel, b"bastion: session ended\r\n", stderr=stderr) is taken
    if taken:
        assert channel.written == [("stderr" if stderr else "stdout",
                                    b"bastion: session ended\r\n")]


def test_one_ending_that_raises_does_not_keep_the_others_from_theirs(caplog):
    done: list[int] = []

    def end(n: int) -> None:
        if n == 2:
            raise BrokenPipeError("Channel not open for sending")
        done.append(n)

    with caplog.at_level(logging.ERROR, logger="bastion.runtime.ending"):
        runtime_ending.each([1, 2, 3, 4], end, "ending a channel")

    assert done == [1, 3, 4]
    assert "ending a channel failed; going on with the others" in caplog.text
    assert "BrokenPipeError" in caplog.text


# -- what a proxied connection stands on (bastion.access.rights), pure --------------------------------

NOW = 1_000_000.0


def snapshot(*, locked: bool = False, role: str = "engineer", row: dict | None = None,
             cert: dict | None = None, grant_rows: tuple[dict, ...] = ()) -> rights.Snapshot:
    snap = rights.Snapshot(people={"ann": rights.Standing("ann", role, locked=locked)})
    if row is not None:
        snap.sessions["s1"] = {"kill_requested": None, "kill_reason": None, "grant_revoked": 0,
                               "revoked_reason": None, "cert_revoked": None, "ends": NOW + 60,
                               **row}
    if cert is not None:
        snap.certificates[7] = {"cert_revoked": 0, **cert}
    snap.grants = [{"user": "ann", "target": "web01", "login": "deploy", "ticket": "INC-1",
                    "ends": NOW + 60, **g} for g in grant_rows]
    return snap


KEY_LOGIN = rights.Access("ann", "web01", "deploy")
CERT_LOGIN = rights.Access("ann", "web01", "deploy", serial=7, ticket="INC-1")
SESSION = rights.Access("ann", "web01", "deploy", session="s1", serial=7, ticket="INC-1")


@pytest.mark.parametrize(("snap", "access", "verdict"), [
    # a login that has not opened a channel yet: its certificate, and a live grant
    (snapshot(grant_rows=({},)), KEY_LOGIN, None),
    (snapshot(), KEY_LOGIN, ("killed", "no active grant for deploy@web01")),
    (snapshot(grant_rows=({"ends": NOW},)), KEY_LOGIN, ("killed", "no active grant for deploy@web01")),
    (snapshot(grant_rows=({"login": "root"},)), KEY_LOGIN,
     ("killed", "no active grant for deploy@web01")),
    (snapshot(cert={}, grant_rows=({},)), CERT_LOGIN, None),
    (snapshot(cert={"cert_revoked": 1}, grant_rows=({},)), CERT_LOGIN,
     ("killed", "certificate revoked")),
    (snapshot(grant_rows=({},)), CERT_LOGIN, ("killed", "certificate revoked")),  # row gone
    (snapshot(cert={}, grant_rows=({"ticket": "INC-2"},)), CERT_LOGIN,
     ("killed", "no active grant for deploy@web01")),
    (snapshot(locked=True, cert={}, grant_rows=({},)), CERT_LOGIN, ("killed", "user locked")),
    (snapshot(role="dbonly", grant_rows=({},)), KEY_LOGIN,
     ("killed", "no longer allowed: role dbonly may not use target web01")),
    # a session with a row: the row decides (the certificate and grant come joined to it)
    (snapshot(row={}), SESSION, None),
    (snapshot(row={"kill_requested": NOW, "kill_reason": "stop"}), SESSION, ("killed", "stop")),
    (snapshot(row={"grant_revoked": 1, "revoked_reason": "done"}), SESSION,
     ("killed", "access revoked: done")),
    (snapshot(row={"cert_revoked": 1}), SESSION, ("killed", "certificate revoked")),
    (snapshot(row={"ends": NOW}), SESSION, ("ended", "the access grant has ended")),
    (snapshot(), SESSION, ("killed", "the session's record was closed")),
    (snapshot(locked=True, row={}), SESSION, ("killed", "user locked")),
])
def test_a_connection_is_judged_by_its_row_or_before_it_has_one_by_certificate_and_grant(
        ctx, snap, access, verdict):
    config = ctx.config
    if snap.people["ann"].role == "dbonly":
        config = type(config)(**{**config.__dict__, "roles": {
            **config.roles, "dbonly": Role("dbonly", targets=("db*",))}})
    assert rights.session_verdict(snap, config, access, NOW) == verdict


def test_logins_without_a_row_are_read_with_everyone_else_in_one_query(ctx, enrol):
    for name in ("ann", "bob", "cy"):
        enrol(name)
    granted = []
    for name in ("ann", "bob"):
        req = grants.create_request(ctx.store, ctx.config, name, target="web01", login="deploy",
                                    ticket="INC-5", duration=600, reason="x")
        granted.append(grants.approve(ctx.store, ctx.config, req["id"], "local:sam"))
    key = asyncssh.generate_private_key("ssh-ed25519").convert_to_public()
    cert = grants.mint_for_grants(ctx.store, ctx.config, ctx.user_ca, "ann", "INC-5", key,
                                  client_addr=None)
    serial = certs_serial(cert)
    grants.revoke(ctx.store, actor="local:sam", grant=granted[1].id)
    sid = sessions.create(ctx.store, user="cy", target="web01", login="deploy", ticket="INC-9",
                          grant_id=None, serial=None, client_addr="127.0.0.1")
    logins = [rights.Access("ann", "web01", "deploy", serial=serial, ticket="INC-5"),
              rights.Access("bob", "web01", "deploy")]
    statements: list[str] = []
    ctx.store.conn.set_trace_callback(statements.append)
    try:
        snap = rights.read(ctx.store, ["cy"], [sid], logins)
    finally:
        ctx.store.conn.set_trace_callback(None)

    assert len(statements) == 1
    assert set(snap.people) == {"ann", "bob", "cy"} and set(snap.sessions) == {sid}
    assert [rights.session_verdict(snap, ctx.config, a, time.time()) for a in logins] == [
        None, ("killed", "no active grant for deploy@web01")]
    grants.revoke(ctx.store, actor="local:sam", serial=serial)
    snap = rights.read(ctx.store, [], [], logins[:1])
    assert rights.session_verdict(snap, ctx.config, logins[0], time.time()) == (
        "killed", "certificate revoked")


def certs_serial(cert: asyncssh.SSHCertificate) -> int:
    import certs

    return certs.cert_info(cert).serial


# -- refusals after login: one row at once, then one with the count ----------------------------

def test_a_flood_of_refusals_is_one_row_then_one_row_with_the_count(home):
    from bastion.runtime.home import open_home

    ctx = open_home(home)
    try:
        app = Bastion(ctx)
        before = len(list(audit.export(ctx.store)))
        for n in range(500):
            app.note_refusal("channel.refused", "eve", "direct-tcpip",
                             destination=f"127.0.0.1:{n}", reason="forwarding not allowed")
        for _ in range(300):
            app.note_refusal("control.refused", "eve", "bastion-control", reason="not a supervisor")
        app.note_refusal("channel.refused", "eve", "tcpip-forward", reason="forwarding not allowed")
        app.note_refusal("channel.refused", "bob", "direct-tcpip", reason="forwarding not allowed")
        written = list(audit.export(ctx.store))[before:]
        assert [(e["type"], e["actor"], e["data"]["kind"]) for e in written] == [
            ("channel.refused", "eve", "direct-tcpip"), ("control.refused", "eve", "bastion-control"),
            ("channel.refused", "eve", "tcpip-forward"), ("channel.refused", "bob", "direct-tcpip")]
        assert written[0]["data"]["destination"] == "127.0.0.1:0"

        app.sweep_limits(time.monotonic() + 61)  # a minute on: the counts are written

        counted = list(audit.export(ctx.store))[before + len(written):]
        assert sorted((e["type"], e["actor"], e["data"]["kind"], e["data"]["repeated"])
                      for e in counted) == [("channel.refused", "eve", "direct-tcpip", 499),
                                            ("control.refused", "eve", "bastion-control", 299)]
        app.note_refusal("channel.refused", "eve", "direct-tcpip", reason="forwarding not allowed")
        app.note_refusal("channel.refused", "eve", "direct-tcpip", reason="forwarding not allowed")
        app.sweep_limits(math.inf)  # as the server stops: nothing counted is lost
        last = list(audit.export(ctx.store))[-2:]
        assert [(e["type"], e["data"].get("repeated")) for e in last] == [
            ("channel.refused", None), ("channel.refused", 1)]
    finally:
        ctx.close()


# -- the enforcer's backstop: a connection still open after its end is closed ------------------

class Conn:
    """The client connection as `finish_ending` uses it."""

    def __init__(self) -> None:
        self.aborted = 0

    def abort(self) -> None:
        self.aborted += 1


@pytest.mark.parametrize(("ended_ago", "closed"), [(None, False), (0.2, False), (1.5, True)])
@pytest.mark.parametrize("whose", ["connection", "session"])
def test_a_connection_still_open_a_second_after_its_end_began_is_closed(home, ended_ago, closed,
                                                                        whose):
    from bastion.runtime.home import open_home
    from bastion.ssh.server import BastionServer

    ctx = open_home(home)
    try:
        server = BastionServer(Bastion(ctx))
        server.conn, server.user = Conn(), "ann"
        now = time.monotonic()
        if whose == "session":
            server.live = type("Live", (), {"ending_since": None, "upstream_closed": 0})()
            server.live.close_upstream = lambda: setattr(server.live, "upstream_closed", 1)
            if ended_ago is not None:
                server.live.ending_since = now - ended_ago
        elif ended_ago is not None:
            server.ending_since = now - ended_ago

        server.finish_ending(now)

        assert server.conn.aborted == int(closed)
        if whose == "session":
            assert server.live.upstream_closed == int(closed)
    finally:
        ctx.close()


# -- against a real bastion serve -------------------------------------------------------------

@pytest.fixture(scope="module")
def world(tmp_path_factory):
    w = World(tmp_path_factory.mktemp("ending"))
    append_toml(w.home, '[roles.nofiles]\nsftp = false\n\n[roles.filesoff]\nsftp = true\n')
    mark = w.bastion.output.mark()
    w.bastion.proc.send_signal(signal.SIGHUP)  # the roles above exist from now on
    w.bastion.output.wait_for("configuration reloaded", start=mark)
    yield w
    w.close()
    assert "enforcement pass failed" not in w.bastion.log()


class Answers(asyncssh.SSHClient):
    """A client that answers the TOTP prompt with its person's next code."""

    def __init__(self, code) -> None:
        self.code = code

    def kbdint_auth_requested(self) -> str:
        return ""

    def kbdint_challenge_received(self, name, instructions, lang, prompts):
        return [self.code() for _ in prompts]


async def connect(world: World, person: Client, username: str, *, cert=None, key_path=None
                  ) -> asyncssh.SSHClientConnection:
    key = asyncssh.read_private_key(str(key_path or person.key_path))
    return await asyncssh.connect(
        "127.0.0.1", world.bastion.port, username=username,
        client_keys=[(key, cert)] if cert is not None else [key], known_hosts=None,
        agent_path=None, config=None, client_factory=lambda: Answers(person.next_code),
        preferred_auth="publickey,keyboard-interactive")


class Watched(asyncssh.SSHClientSession):
    """One channel as its client sees it. It keeps its half open after the target's EOF, as a
    client may (the attack's `KeepOpen`)."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.more = asyncio.Event()
        self.eof = asyncio.Event()
        self.closed = asyncio.Event()
        self.status: int | None = None

    def data_received(self, data: bytes, datatype) -> None:
        self.data += data
        self.more.set()

    async def shows(self, text: bytes) -> None:
        while text not in self.data:
            self.more.clear()
            await self.more.wait()

    def eof_received(self) -> bool:
        self.eof.set()
        return True

    def exit_status_received(self, status: int) -> None:
        self.status = status

    def connection_lost(self, exc) -> None:
        self.closed.set()


def bastion_cli(world: World, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bastion", "--home", str(world.home.path), *args],
                          capture_output=True, text=True, timeout=60)


def events_since(world: World, seq: int, kind: str) -> list[dict]:
    return [e for e in audit.export(world.ctx.store) if e["seq"] > seq and e["type"] == kind]


def head(world: World) -> int:
    return list(audit.export(world.ctx.store))[-1]["seq"]


async def cannot_run(conn: asyncssh.SSHClientConnection, canary: Path) -> None:
    """A new channel on `conn` is refused, or the connection is gone: the canary is not made."""
    with pytest.raises((asyncssh.Error, OSError)):
        result = await conn.run(f"touch {canary}; echo RAN", check=False, timeout=20)
        raise AssertionError(f"a channel ran on an ended connection: {result.stdout!r}")
    assert not canary.exists()


# F1: a channel whose target sent EOF took no more words, the end stopped half way, and the
# session went on, unkillable; its blind shell still ran what was typed.

@pytest.mark.integration
@pytest.mark.parametrize("how", ["kill", "revoke", "lock"])
async def test_a_session_whose_target_closed_its_output_still_ends_whole(world, how, tmp_path):
    name = f"wedge{how}"
    person = world.person(name)
    grant = world.grant(person)
    conn = await connect(world, person, f"{LOGIN}@web01")
    chan, blind = await conn.create_session(Watched, "exec >/dev/null 2>&1; exec bash",
                                            encoding=None)
    await asyncio.wait_for(blind.eof.wait(), 20)  # the channel now takes no more words
    sid = world.session_row(name)["id"]

    if how == "kill":
        done = await asyncio.to_thread(bastion_cli, world, "kill", sid, "--reason", "incident")
        assert (done.returncode, done.stderr) == (0, "")
        assert done.stdout == f"session {sid} ended\n"
    elif how == "revoke":
        grants.revoke(world.ctx.store, actor="local:sam", grant=grant.id, reason="revoked")
    else:
        users.lock(world.ctx.store, name, "left", "local:sam")

    await asyncio.wait_for(conn.wait_closed(), 10)
    await asyncio.wait_for(blind.closed.wait(), 10)
    canary = tmp_path / "canary"
    with pytest.raises((asyncssh.Error, OSError)):
        chan.write(f"touch {canary}\n".encode())  # the blind shell: its channel is gone
    await cannot_run(conn, canary)
    assert blind.status == 1  # a killed session's exit status, though no words fit any more
    row = sessions.get(world.ctx.store, sid)
    assert row["state"] == "killed"


@pytest.mark.integration
async def test_a_grant_warning_and_the_grant_end_reach_a_shell_that_closed_its_output(world,
                                                                                      tmp_path):
    """The warning (notice) to a shell channel without a pty whose target sent EOF, then the
    grant's end: neither may stop the enforcement pass half way (World.close checks the log)."""
    person = world.person("wedgewarn")
    world.grant(person, duration=6)  # under grant_warning: warned at the first pass
    conn = await connect(world, person, f"{LOGIN}@web01")
    chan, shell = await conn.create_session(Watched, encoding=None)
    chan.write(b"exec >/dev/null 2>&1\n")
    await asyncio.wait_for(shell.eof.wait(), 20)
    sid = world.session_row("wedgewarn")["id"]

    await asyncio.wait_for(conn.wait_closed(), 30)

    assert [e["data"]["session"] for e in events_since(world, 0, "grant.warning")
            if e["actor"] == "wedgewarn"] == [sid]
    row = sessions.get(world.ctx.store, sid)
    assert (row["state"], row["end_reason"]) == ("ended", "the access grant has ended")
    await cannot_run(conn, tmp_path / "canary")


@pytest.mark.integration
def test_an_openssh_controlmaster_connection_ends_with_its_killed_session(world, tmp_path):
    person = world.person("muxer")
    world.grant(person)
    control = tmp_path / "cm"
    mux = ("-o", "ControlMaster=yes", "-o", f"ControlPath={control}")
    master = person.popen(f"{LOGIN}@web01", "exec >/dev/null 2>&1; sleep 120", extra=mux)
    assert master.stdout.read() == b""  # the target closed its output; the master stays
    assert control.exists()
    sid = world.session_row("muxer")["id"]

    killed = bastion_cli(world, "kill", sid, "--reason", "incident response")

    assert (killed.returncode, killed.stderr) == (0, "")
    assert master.wait(20) == 1  # the exit status of a killed session; no more words fit
    canary = tmp_path / "canary"
    again = subprocess.run(["ssh", "-F", "/dev/null", "-o", f"ControlPath={control}",
                            "-o", "ControlMaster=no", "-o", "BatchMode=yes", "x",
                            f"touch {canary}; echo RAN"], capture_output=True, timeout=30)
    assert again.returncode != 0 and b"RAN" not in again.stdout
    assert not canary.exists()


# F3: in the window between the end and the connection's close (which the client stretched by
# never answering CHANNEL_CLOSE), new channels opened and ran.

@pytest.mark.integration
@pytest.mark.parametrize("how", ["kill", "lock"])
async def test_no_channel_opens_on_an_ending_session_whatever_the_client_answers(world, how,
                                                                              tmp_path):
    name = f"window{how}"
    person = world.person(name)
    world.grant(person)
    conn = await connect(world, person, f"{LOGIN}@web01")
    chan, first = await conn.create_session(Watched, "echo started; sleep 60", encoding=None)
    await asyncio.wait_for(first.shows(b"started"), 20)
    chan._close_send = lambda: None  # never answer the server's CHANNEL_CLOSE (asyncssh internal)
    sid = world.session_row(name)["id"]

    if how == "kill":
        sessions.request_kill(world.ctx.store, sid, "local:sam", "stop")
    else:
        users.lock(world.ctx.store, name, "left", "local:sam")
    await asyncio.wait_for(first.closed.wait(), 10)  # told: exit status, then close

    await cannot_run(conn, tmp_path / "canary")
    await asyncio.wait_for(conn.wait_closed(), 10)


# F2: a locked supervisor kept the control door when a finished command of the same connection
# had not answered its close.

@pytest.mark.integration
async def test_a_locked_supervisor_loses_the_door_behind_channels_that_never_closed(world):
    sam = world.person("samdoor", "supervisor")
    conn = await connect(world, sam, "samdoor")
    for _ in range(6):
        chan, status = await conn.create_session(Watched, "status", encoding=None)
        chan._close_send = lambda: None
        await asyncio.wait_for(status.closed.wait(), 20)
    _writer, reader, _ = await conn.open_session(subsystem="bastion-control", encoding=None)
    assert json.loads(await reader.readline())["event"] == "hello"
    since = head(world)

    users.lock(world.ctx.store, "samdoor", "under investigation", "local:admin")

    lines = []
    while line := await asyncio.wait_for(reader.readline(), 10):
        lines.append(json.loads(line))
    assert lines[-1] == {"id": None, "ok": False,
                         "error": "connection ended: user locked: under investigation"}
    await asyncio.wait_for(conn.wait_closed(), 10)
    [ended] = events_since(world, since, "connection.ended")
    assert (ended["actor"], ended["data"]["door"]) == ("samdoor", "connection")


# F4: a connection authenticated (a certificate, or key and TOTP) with no channel yet outlived
# the revocation of its certificate, its grant or ticket, and its person's lock.

@pytest.mark.integration
@pytest.mark.parametrize("how", ["serial", "serial, then a channel at once", "grant", "ticket",
                                 "lock", "vendor serial"])
async def test_a_login_with_no_channel_yet_ends_when_its_rights_go(world, how, tmp_path):
    store = world.ctx.store
    name = "acme" if how == "vendor serial" else f"idle{len(how)}{how[:3]}"
    if how == "vendor serial":
        person = world.person("vendorkeys")
        key = asyncssh.read_private_key(str(person.key_path))
        cert, grant = grants.issue_vendor(
            store, world.ctx.config, world.ctx.user_ca, name="acme", key=key.convert_to_public(),
            target="web01", login=LOGIN, ticket=world.ticket(), duration=600, actor="local:sam")
    else:
        person = world.person(name)
        grant = world.grant(person)
        key = asyncssh.read_private_key(str(person.key_path))
        cert = grants.mint_for_grants(store, world.ctx.config, world.ctx.user_ca, name,
                                      grant.ticket, key.convert_to_public(),
                                      client_addr="127.0.0.1")
    serial = certs_serial(cert)
    conn = await connect(world, person, f"{LOGIN}@web01", cert=cert)
    since = head(world)

    if how.startswith("serial") or how == "vendor serial":
        grants.revoke(store, actor="local:sam", serial=serial, reason="laptop stolen")
    elif how == "grant":
        grants.revoke(store, actor="local:sam", grant=grant.id, reason="done")
    elif how == "ticket":
        grants.revoke(store, actor="local:sam", ticket=grant.ticket, reason="closed")
    else:
        users.lock(store, name, "left", "local:sam")

    canary = tmp_path / "canary"
    if how != "serial, then a channel at once":
        await asyncio.wait_for(conn.wait_closed(), 10)
    await cannot_run(conn, canary)
    await asyncio.wait_for(conn.wait_closed(), 10)
    ended = [e for e in events_since(world, since, "connection.ended")
             if e["actor"] == grant.user]
    assert [e["data"]["door"] for e in ended] == ["login"]
    assert events_since(world, since, "session.started") == []


# F5: refusals of every kind, and certificates, were written without a cap.

@pytest.mark.integration
async def test_floods_of_refused_requests_and_certificates_are_capped(world):
    flo = world.person("flooder")
    grant = world.grant(flo)
    since = head(world)
    proxied = await connect(world, flo, f"{LOGIN}@web01")
    command = await connect(world, flo, "flooder")
    try:
        async def refused(attempt) -> int:
            outcomes = await asyncio.gather(*(attempt() for _ in range(200)),
                                            return_exceptions=True)
            return sum(isinstance(o, (asyncssh.Error, asyncssh.ChannelListenError, OSError))
                       for o in outcomes)

        assert await refused(lambda: proxied.open_connection("127.0.0.1", 9)) == 200
        assert await refused(lambda: proxied.forward_remote_port("", 0, "127.0.0.1", 9)) == 200
        assert await refused(lambda: command.open_session(subsystem="bastion-control")) == 200
        # certificates on a connection of their own: the flood's refused channels may still be
        # closing on the first one, counted against its ten
        minter = await connect(world, flo, "flooder")
        minted = [await minter.run(f"cert {grant.ticket}", timeout=20)
                  for _ in range(grants.CERTS_PER_CONNECTION + 5)]
        minter.close()
    finally:
        proxied.close()
        command.close()

    assert [m.exit_status for m in minted] == [0] * grants.CERTS_PER_CONNECTION + [1] * 5
    assert all("connect again for more" in m.stderr for m in minted[-5:])
    rows = [(e["type"], e["data"].get("kind")) for e in audit.export(world.ctx.store)
            if e["seq"] > since and e["actor"] == "flooder"
            and e["type"] in ("channel.refused", "control.refused", "cert.refused", "cert.issued")]
    assert sorted(rows) == sorted([("channel.refused", "direct-tcpip"),
                                   ("channel.refused", "tcpip-forward"),
                                   # 200 control channels at once: past ten open, the command
                                   # interface's channel cap refuses them first.
                                   ("channel.refused", "session"),
                                   ("control.refused", "bastion-control"), ("cert.refused", "cert")]
                                  + [("cert.issued", None)] * grants.CERTS_PER_CONNECTION)


def test_one_person_gets_at_most_ten_certificates_a_minute_over_any_connections(ctx, enrol):
    enrol("ann")
    req = grants.create_request(ctx.store, ctx.config, "ann", target="web01", login="deploy",
                                ticket="INC-3", duration=600, reason="x")
    grants.approve(ctx.store, ctx.config, req["id"], "local:sam")
    key = asyncssh.generate_private_key("ssh-ed25519").convert_to_public()

    for _ in range(grants.CERTS_PER_MINUTE):
        grants.mint_for_grants(ctx.store, ctx.config, ctx.user_ca, "ann", "INC-3", key,
                               client_addr=None)
    with pytest.raises(grants.GrantError, match="10 certificates were issued to you in the last "
                                                "minute"):
        grants.mint_for_grants(ctx.store, ctx.config, ctx.user_ca, "ann", "INC-3", key,
                               client_addr=None)
    ctx.store.execute("UPDATE certificates SET issued = issued - 61")  # a minute on
    grants.mint_for_grants(ctx.store, ctx.config, ctx.user_ca, "ann", "INC-3", key,
                           client_addr=None)


# F6: an open sftp channel kept writing after its person's role lost file transfers.

@pytest.mark.integration
@pytest.mark.parametrize("how", ["role change", "reload"])
async def test_an_open_sftp_channel_follows_the_role_as_configured_now(world, how, tmp_path):
    name = f"ftp{how[:3]}"
    person = world.person(name)
    world.grant(person)
    conn = await connect(world, person, f"{LOGIN}@web01")
    try:
        if how == "reload":  # a role with file transfers, until the reload below takes them
            mark = world.bastion.output.mark()
            users.set_role(world.ctx.store, name, "filesoff", "local:admin")
            world.bastion.output.wait_for(f"of {name} follows role filesoff", start=mark)
        sftp = await conn.start_sftp_client()
        async with sftp.open(str(tmp_path / "before"), "w") as f:
            await f.write("written while the role allowed it\n")
        mark = world.bastion.output.mark()
        if how == "role change":
            users.set_role(world.ctx.store, name, "nofiles", "local:admin")
            world.bastion.output.wait_for(f"of {name} follows role nofiles", start=mark)
        else:
            text = world.home.config_file.read_text()
            world.home.config_file.write_text(text.replace(
                "[roles.filesoff]\nsftp = true", "[roles.filesoff]\nsftp = false"))
            world.bastion.proc.send_signal(signal.SIGHUP)
            world.bastion.output.wait_for("configuration reloaded", start=mark)

        with pytest.raises(asyncssh.SFTPError, match="file transfers are not allowed for the role"):
            async with sftp.open(str(tmp_path / "after"), "w") as f:
                await f.write("written after losing file transfers\n")
        with pytest.raises(asyncssh.SFTPError):
            await sftp.remove(str(tmp_path / "before"))
    finally:
        conn.close()
    assert not (tmp_path / "after").exists() and (tmp_path / "before").exists()


def test_refusals_before_a_key_is_proven_are_capped_per_source_and_overall(home):
    # attack k20o F3: unknown keys probed from many addresses, six per connection.
    from bastion.access import limits
    from bastion.runtime.home import open_home
    from bastion.runtime.refusals import UNPROVEN

    ctx = open_home(home)
    try:
        app = Bastion(ctx)
        before = len(list(audit.export(ctx.store)))
        for n in range(600):
            app.refuse_unproven("nobody", "127.0.0.2", f"key not acceptable ({n})")
        for n in range(limits.REFUSAL_BUDGET + 50):
            app.refuse_unproven(f"u{n}", f"10.0.{n // 250}.{n % 250}", "unknown key")
        written = list(audit.export(ctx.store))[before:]
        assert len(written) == limits.REFUSAL_BUDGET
        assert (written[0]["actor"], written[0]["data"]["reason"]) == ("nobody",
                                                                       "key not acceptable (0)")
        assert all(e["type"] == "auth.refused" and not e["data"]["proven"] for e in written)

        app.sweep_limits(math.inf)
        counted = list(audit.export(ctx.store))[before + len(written):]
        assert sorted((e["data"]["client"], e["data"]["reason"], e["data"]["repeated"])
                      for e in counted) == [("(many sources)", UNPROVEN, 51),
                                            ("127.0.0.2", UNPROVEN, 599)]
    finally:
        ctx.close()
