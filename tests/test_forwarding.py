"""Local port forwarding through the bastion (`ssh -W`, `ssh -L`) for a role that allows it: the
real OpenSSH client, a real `bastion serve`, a real sshd target opening the destination."""

from __future__ import annotations

import hashlib
import re
import secrets
import signal
import socket
import socketserver
import threading

import pytest

from bastion import audit, recording
from bastion.access import grants
from bastion.ssh.forward import MAX_OPEN_FORWARDS
from tests.harness import LOGIN, World, free_port

pytestmark = [pytest.mark.integration, pytest.mark.timeout(90)]


class _Echo(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        while data := self.request.recv(65536):
            self.request.sendall(data)


@pytest.fixture(scope="module")
def echo():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Echo)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    w = World(tmp_path_factory.mktemp("forwarding"))
    allow_forwarding(w, True)
    yield w
    w.close()


def allow_forwarding(world: World, allowed: bool) -> None:
    """Set `forwarding` in the engineer role and reload the running bastion."""
    text = world.home.config_file.read_text()
    new, count = re.subn(r"(?m)^forwarding = (true|false)", f"forwarding = {str(allowed).lower()}",
                         text, count=1)
    assert count == 1
    world.home.config_file.write_text(new)
    start = world.bastion.output.mark()
    world.bastion.proc.send_signal(signal.SIGHUP)
    world.bastion.output.wait_for(r"configuration reloaded", start=start)


def events(world: World, event: str, session: str) -> list[dict]:
    return [e for e in audit.export(world.ctx.store)
            if e["type"] == event and e["data"].get("session") == session]


def test_stdio_forwarding_relays_bytes_exactly_and_accounts_for_them(world, echo):
    fay = world.person("fay")
    world.grant(fay)
    payload = secrets.token_bytes(1 << 20)
    r = fay.run(f"{LOGIN}@web01", extra=("-W", f"127.0.0.1:{echo}"), input=payload, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout == payload
    row = world.session_row("fay")
    # ssh exits as the channel closes; the bastion closes the record just after: wait for it.
    world.bastion.output.wait_for(rf'audit channel\.closed fay .*"session":"{row["id"]}"')
    name = next(n for n in row["recordings"] if n.endswith(".jsonl"))
    record = recording.read_exec_record(world.home.recordings / name)
    digest = hashlib.sha256(payload).hexdigest()
    assert record["kind"] == "forward" and record["command"] == f"direct-tcpip 127.0.0.1:{echo}"
    assert record["stdin"] == {"bytes": len(payload), "sha256": digest}
    assert record["stdout"] == {"bytes": len(payload), "sha256": digest}
    opened = events(world, "channel.opened", row["id"])
    closed = events(world, "channel.closed", row["id"])
    assert [e["data"]["destination"] for e in opened] == [f"127.0.0.1:{echo}"]
    assert closed[0]["data"]["bytes_sent"] == closed[0]["data"]["bytes_received"] == len(payload)


def test_a_destination_the_target_cannot_reach_is_refused_with_its_reason(world):
    gus = world.person("gus")
    world.grant(gus)
    closed = free_port()
    r = gus.run(f"{LOGIN}@web01", extra=("-W", f"127.0.0.1:{closed}"))
    assert r.returncode != 0
    assert b"could not open 127.0.0.1:" in r.stderr, r.stderr
    row = world.session_row("gus")
    world.bastion.output.wait_for(rf'audit channel\.refused gus .*"session":"{row["id"]}"')
    assert events(world, "channel.refused", row["id"])[0]["data"]["destination"] == (
        f"127.0.0.1:{closed}")


def test_revoking_the_ticket_closes_a_live_forward(world, echo):
    hal = world.person("hal")
    grant = world.grant(hal)
    local = free_port()
    proc = hal.popen(f"{LOGIN}@web01", extra=("-N", "-o", "ExitOnForwardFailure=yes",
                                              "-L", f"127.0.0.1:{local}:127.0.0.1:{echo}"))
    try:
        world.bastion.output.wait_for(r"audit auth\.success hal ")
        conn = _connect_when_listening(local, proc)
        conn.sendall(b"through-the-bastion")
        assert _recv_exactly(conn, 19) == b"through-the-bastion"
        grants.revoke(world.ctx.store, actor="local:test", reason="incident over",
                      ticket=grant.ticket)
        conn.settimeout(30)
        assert conn.recv(100) == b""  # the forward was closed by the bastion
        conn.close()
        assert proc.wait(timeout=30) != 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert world.session_row("hal")["end_reason"].startswith("access revoked")


def test_a_session_holds_at_most_100_forwards_at_once_and_closed_ones_free_their_place(
        world, echo):
    kim = world.person("kim")
    world.grant(kim)
    local = free_port()
    proc = kim.popen(f"{LOGIN}@web01", extra=("-N", "-L", f"127.0.0.1:{local}:127.0.0.1:{echo}"))
    conns: list[socket.socket] = []
    try:
        world.bastion.output.wait_for(r"audit auth\.success kim ")
        for n in range(MAX_OPEN_FORWARDS):
            conn = _connect_when_listening(local, proc)
            conn.sendall(b"%03d" % n)
            assert _recv_exactly(conn, 3) == b"%03d" % n  # open end to end
            conns.append(conn)
        extra = _connect_when_listening(local, proc)
        extra.settimeout(30)
        assert extra.recv(10) == b""  # ssh closes it: the bastion refused the channel
        extra.close()
        sid = world.session_row("kim")["id"]
        world.bastion.output.wait_for(r"audit channel\.refused kim .*too many forwarded")
        conns.pop().close()
        world.bastion.output.wait_for(rf'audit channel\.closed kim .*"session":"{sid}"')
        again = _connect_when_listening(local, proc)
        again.sendall(b"again")
        assert _recv_exactly(again, 5) == b"again"
        conns.append(again)
    finally:
        for conn in conns:
            conn.close()
        proc.kill()
        proc.wait()


def test_a_certificate_minted_without_forwarding_does_not_forward_and_the_refusal_is_audited(
        world, echo, tmp_path):
    lee = world.person("lee")
    ticket = world.ticket()
    world.grant(lee, ticket=ticket)
    certificates = {}
    for allowed in (False, True):  # minted while the role did not, then did, allow forwarding
        allow_forwarding(world, allowed)
        r = lee.run("lee", "cert", ticket)
        assert r.returncode == 0, r.stderr
        certificates[allowed] = tmp_path / f"lee-{allowed}-cert.pub"
        certificates[allowed].write_bytes(r.stdout)
    r = lee.run(f"{LOGIN}@web01", cert=certificates[False], code="000000",
                extra=("-W", f"127.0.0.1:{echo}"), input=b"x")
    assert r.returncode != 0 and r.stdout == b""
    refused = [e for e in audit.export(world.ctx.store) if e["type"] == "channel.refused"
               and e["actor"] == "lee"]
    assert [e["data"]["reason"] for e in refused] == [
        "the certificate does not permit port forwarding"]
    r = lee.run(f"{LOGIN}@web01", cert=certificates[True], code="000000",
                extra=("-W", f"127.0.0.1:{echo}"), input=b"through")
    assert r.returncode == 0 and r.stdout == b"through", r.stderr


def test_a_role_without_forwarding_is_refused_after_a_reload(world, echo):
    ivy = world.person("ivy")
    world.grant(ivy)
    allow_forwarding(world, False)
    try:
        r = ivy.run(f"{LOGIN}@web01", extra=("-W", f"127.0.0.1:{echo}"), input=b"x")
    finally:
        allow_forwarding(world, True)
    assert r.returncode != 0 and r.stdout == b""
    assert b"stdio forwarding failed" in r.stderr


def test_an_open_forward_ends_when_a_reload_takes_forwarding_away(world, echo):
    # New forwards were refused after the reload, but the open one kept carrying data
    # (attack E, F7), as open file transfers had before they followed `sftp`.
    jan = world.person("jan")
    world.grant(jan)
    local = free_port()
    proc = jan.popen(f"{LOGIN}@web01", extra=("-N", "-o", "ExitOnForwardFailure=yes",
                                              "-L", f"127.0.0.1:{local}:127.0.0.1:{echo}"))
    try:
        world.bastion.output.wait_for(r"audit auth\.success jan ")
        conn = _connect_when_listening(local, proc)
        conn.sendall(b"before")
        assert _recv_exactly(conn, 6) == b"before"
        allow_forwarding(world, False)
        conn.settimeout(30)
        assert conn.recv(100) == b""  # the bastion closed the forward
        conn.close()
    finally:
        allow_forwarding(world, True)
        proc.kill()
        proc.wait()
    session = world.session_row("jan")["id"]
    ended = events(world, "channel.ended", session)
    assert [(e["data"]["kind"], e["data"]["destination"], e["data"]["reason"]) for e in ended] == [
        ("direct-tcpip", f"127.0.0.1:{echo}", "the role no longer allows port forwarding")]


def _connect_when_listening(port: int, proc) -> socket.socket:
    """The local end of `ssh -L`, once ssh listens (it does after authenticating)."""
    import time

    deadline = time.monotonic() + 30
    while True:
        assert proc.poll() is None, proc.stderr.read()
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=5)
        except ConnectionRefusedError:
            assert time.monotonic() < deadline, "ssh -L never listened"
            time.sleep(0.05)  # ssh gives no signal that it listens; poll the port


def _recv_exactly(conn: socket.socket, n: int) -> bytes:
    conn.settimeout(30)
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        assert chunk, data
        data += chunk
    return data
