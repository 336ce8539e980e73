"""The server over time: grant end and warning, idle timeout, reload, crash and restart, fail-closed
recording, per-session MFA, ticket selection. Each test that stops, reloads or rewrites the server
gets its own home, target and bastion; the ones that only connect share one (`shared`), each as
a person of its own."""

from __future__ import annotations

import json
import signal
import subprocess
import sys

import pytest

from bastion import audit, recording
from bastion.access import grants, sessions
from tests.conftest import set_server_key
from tests.harness import LOGIN, BastionProcess, World

pytestmark = [pytest.mark.integration, pytest.mark.timeout(90)]


@pytest.fixture
def world(tmp_path, request):
    marker = request.node.get_closest_marker("world")
    kwargs = marker.kwargs if marker else {}
    w = World(tmp_path, **kwargs)
    yield w
    w.close()


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """One world for the tests that neither stop, reload nor rewrite it."""
    w = World(tmp_path_factory.mktemp("lifecycle"))
    yield w
    w.close()


def sessions_of(world: World, user: str) -> list[dict]:
    return [r for r in sessions.list_sessions(world.ctx.store, include_ended=True)
            if r["user"] == user]


@pytest.mark.world(server={"grant_warning": '"10m"'})
def test_user_is_warned_and_the_session_ends_with_the_grant(world):
    alice = world.person()
    world.grant(alice, duration=4)
    term = alice.terminal(f"{LOGIN}@web01")
    term.prompt()
    at = term.expect(rb"your access grant ends in 1 minute")
    term.expect(rb"the access grant has ended", start=at)
    assert term.wait() != 0
    row = sessions.list_sessions(world.ctx.store, include_ended=True)[-1]
    assert row["state"] == "ended" and row["end_reason"] == "the access grant has ended"


@pytest.mark.world(server={"idle_timeout": '"2s"'})
def test_idle_sessions_are_closed(world):
    alice = world.person()
    world.grant(alice)
    proc = alice.popen(f"{LOGIN}@web01", "sleep 60")
    proc.wait(timeout=30)
    assert b"idle for 2s" in proc.stderr.read()


def test_sighup_reloads_the_configuration(world):
    alice = world.person()
    world.grant(alice)
    set_server_key(world.home, "recordings_min_free", '"1000TB"')
    world.bastion.proc.send_signal(signal.SIGHUP)
    world.bastion.output.wait_for(r"config\.reloaded")
    r = alice.run(f"{LOGIN}@web01", "echo should-not-run")
    assert r.returncode == 255
    assert b"cannot record sessions right now" in r.stderr
    assert b"should-not-run" not in r.stdout


def test_a_malformed_reload_is_refused_and_the_old_config_stays(world):
    alice = world.person()
    world.grant(alice)
    world.home.config_file.write_text("[server\n")
    world.bastion.proc.send_signal(signal.SIGHUP)
    world.bastion.output.wait_for(r"config\.rejected")
    r = alice.run(f"{LOGIN}@web01", "echo still-fine")
    assert r.returncode == 0 and r.stdout == b"still-fine\n"


def test_crash_then_restart_marks_sessions_interrupted_and_keeps_recordings_valid(world):
    alice = world.person()
    world.grant(alice)
    term = alice.terminal(f"{LOGIN}@web01")
    term.prompt()
    term.send(b"echo before-crash\n")
    term.expect(rb"before-crash\r\n.*(\$|#) ")
    world.bastion.stop(signal.SIGKILL)
    term.wait()
    world.bastion = BastionProcess(world.home).start()
    row = sessions.list_sessions(world.ctx.store, include_ended=True)[-1]
    assert row["state"] == "interrupted"
    cast = world.home.recordings / row["recordings"][0]
    _, events = recording.read_cast(cast)
    assert events[-1][1] == "m" and "interrupted" in events[-1][2]
    assert audit.verify(world.ctx.store).ok
    assert grants.active_grants(world.ctx.store, "alice"), "the grant survived the crash"


def test_sigterm_tells_live_sessions_and_closes_their_recordings(world):
    alice = world.person()
    world.grant(alice)
    proc = alice.popen(f"{LOGIN}@web01", "echo started; sleep 60")
    assert proc.stdout.readline() == b"started\n"
    assert world.bastion.stop(signal.SIGTERM) == 0
    proc.wait(timeout=10)
    assert b"the bastion is restarting" in proc.stderr.read()
    rec = world.ctx.store.one("SELECT sha256 FROM recordings")
    assert rec["sha256"]


@pytest.mark.world(target_extra="mfa_per_session = true")
def test_mfa_per_session_asks_for_totp_even_with_a_certificate(world, tmp_path):
    alice = world.person()
    world.grant(alice, ticket="INC-7")
    r = alice.run("alice", "cert", "INC-7")
    cert = tmp_path / "c-cert.pub"
    cert.write_bytes(r.stdout)
    refused = alice.run(f"{LOGIN}@web01", "echo in", cert=cert, code="000000",
                        extra=("-o", "NumberOfPasswordPrompts=1"))
    assert refused.returncode == 255 and b"in\n" != refused.stdout
    ok = alice.run(f"{LOGIN}@web01", "echo in", cert=cert)
    assert ok.returncode == 0 and ok.stdout == b"in\n", ok.stderr


def test_bastion_ticket_picks_the_grant_a_session_is_bound_to(shared):
    tess = shared.person("tess")
    shared.grant(tess, ticket="INC-1", duration=3600)
    shared.grant(tess, ticket="INC-2", duration=1800)
    tess.run(f"{LOGIN}@web01", "true", extra=("-o", "SendEnv=BASTION_TICKET"),
             env={"BASTION_TICKET": "INC-2"})
    tess.run(f"{LOGIN}@web01", "true")
    assert [r["ticket"] for r in sessions_of(shared, "tess")] == ["INC-2", "INC-1"]


def test_shell_without_a_pty_and_exit_signals_are_relayed(shared):
    nora = shared.person("nora")
    shared.grant(nora)
    r = nora.run(f"{LOGIN}@web01", extra=("-T",), input=b"echo no-pty\nexit 4\n")
    assert r.returncode == 4 and b"no-pty" in r.stdout
    r = nora.run(f"{LOGIN}@web01", "perl -e 'kill TERM => $$'")
    assert r.returncode == 255  # OpenSSH's exit code for a remote command killed by a signal
    assert b"killed by signal" in r.stderr or r.stderr == b"", r.stderr


def test_replay_plays_the_recorded_output(shared):
    term, _ = shared.shell("rita", "replay")
    term.send(b"exit\n")
    term.wait()
    sid = sessions_of(shared, "rita")[-1]["id"]
    proc = subprocess.run([sys.executable, "-m", "bastion", "--home", str(shared.home.path),
                           "replay", sid, "--speed", "1000"], capture_output=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert b"replay-42" in proc.stdout
    listing = subprocess.run([sys.executable, "-m", "bastion", "--home", str(shared.home.path),
                              "sessions", "--all", "--json"], capture_output=True, timeout=30)
    row = next(r for r in json.loads(listing.stdout) if r["id"] == sid)
    assert set(row) >= {"id", "user", "target", "login", "ticket", "state", "started", "ended",
                        "recordings"}


def test_chain_heads_reach_syslog_and_a_rewritten_database_fails_against_them(world):
    """`audit_syslog` set by a reload: the server sends each committed event's head to a real
    UDP syslog listener; `audit verify --against` those lines passes, then catches a database
    rewritten end to end (every hash recomputed, so plain `verify` still passes)."""
    import socket

    listener = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    listener.bind(("127.0.0.1", 0))
    listener.settimeout(20)
    set_server_key(world.home, "audit_syslog", f'"udp:127.0.0.1:{listener.getsockname()[1]}"')
    world.bastion.proc.send_signal(signal.SIGHUP)
    try:
        datagram = listener.recv(4096).decode()  # the config.reloaded event's head
    finally:
        listener.close()
    assert "bastion[" in datagram and "type=config.reloaded" in datagram, datagram
    heads = world.tmp / "heads.log"
    heads.write_text(datagram + "\n")
    cli = [sys.executable, "-m", "bastion", "--home", str(world.home.path), "audit", "verify",
           "--against", str(heads)]
    assert subprocess.run(cli, capture_output=True, timeout=30).returncode == 0
    # Rewrite the chain from the start with new data and recomputed hashes.
    store = world.ctx.store
    rows = store.all("SELECT * FROM events ORDER BY seq")
    with store.transaction():
        store.execute("DELETE FROM events")
        prev = audit.GENESIS
        for row in rows:
            row = dict(row, data=json.dumps({"rewritten": row["seq"]}, separators=(",", ":")),
                       prev_hash=prev)
            row["hash"] = audit.chain._row_hash(row)
            store.execute("INSERT INTO events(seq, at, type, code, actor, data, prev_hash, hash) "
                          "VALUES (:seq, :at, :type, :code, :actor, :data, :prev_hash, :hash)", row)
            prev = row["hash"]
    assert audit.verify(store).ok
    r = subprocess.run(cli, capture_output=True, timeout=30, text=True)
    assert r.returncode == 1 and "does not match" in (r.stdout + r.stderr), r
