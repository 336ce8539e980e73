"""The bastion end to end: real `bastion serve`, real OpenSSH sshd target, real ssh/scp/sftp clients."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

import asyncssh
import pytest

import certs
from bastion import recording
from bastion.access import grants
from tests.conftest import make_key
from tests.harness import LOGIN, Client, World, free_port

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    world = World(tmp_path_factory.mktemp("server"))
    yield world
    world.close()


def test_request_approve_connect_with_key_and_totp(env):
    alice, sam = env.person("alice"), env.person("sam", "supervisor")
    ticket = env.ticket()
    r = alice.run("alice", "request", "--target", "web01", "--login", LOGIN, "--ticket", ticket,
                  "--duration", "30m", "--reason", "disk", "full")
    assert r.returncode == 0, r.stderr
    out = r.stdout.decode()
    assert out.startswith("request r") and "pending" in out
    request_id = out.split()[1]
    refused = alice.run("alice", "approve", request_id)
    assert refused.returncode == 1 and b"may not approve" in refused.stderr
    r = sam.run("sam", "approve", request_id)
    assert r.returncode == 0 and b"approved" in r.stdout, r.stderr
    r = alice.run(f"{LOGIN}@web01", "echo hello from $(hostname); exit 7")
    assert r.returncode == 7, r.stderr
    assert r.stdout.startswith(b"hello from ")


def test_wrong_totp_is_refused_and_nothing_runs(env, tmp_path):
    bob = env.person("bob")
    env.grant(bob)
    canary = tmp_path / "canary"
    r = bob.run(f"{LOGIN}@web01", f"touch {canary}", code="000000")
    assert r.returncode == 255
    assert not canary.exists()


def test_stdin_is_relayed_intact(env):
    alice = env.person("alice")
    env.grant(alice)
    data = os.urandom(100_000)
    r = alice.run(f"{LOGIN}@web01", "cat", input=data)
    assert r.returncode == 0, r.stderr
    assert r.stdout == data


def test_minted_certificate_opens_a_session_without_totp(env, tmp_path):
    carol = env.person("carol")
    ticket = env.ticket()
    env.grant(carol, ticket=ticket)
    r = carol.run("carol", "cert", ticket)
    assert r.returncode == 0, r.stderr
    line = r.stdout.decode().strip()
    assert line.startswith("ssh-ed25519-cert-v01@openssh.com ") and "\n" not in line
    cert_file = tmp_path / "carol-cert.pub"
    cert_file.write_text(line + "\n")
    info = certs.cert_info(certs.load_certificate(cert_file))
    assert info.principals == (f"{LOGIN}@web01",)
    assert info.options["source-address"] == ("127.0.0.1/32",)
    # a wrong code proves no TOTP is asked: the certificate alone authenticates
    r = carol.run(f"{LOGIN}@web01", "echo via-cert", cert=cert_file, code="000000")
    assert r.returncode == 0, r.stderr
    assert r.stdout == b"via-cert\n"


def test_interactive_pty_session_is_recorded(env):
    dave = env.person("dave")
    env.grant(dave)
    term = dave.terminal(f"{LOGIN}@web01")
    at = term.prompt()
    term.send(b"echo one-$((40+2))\n")
    at = term.prompt(start=term.expect(rb"one-42", start=at))
    term.send(b"read -s -p 'Password: ' pw; echo got-${#pw}\n")
    at = term.expect(rb"Password: ", start=at)
    term.send(b"hunter2\n")
    at = term.prompt(start=term.expect(rb"got-7", start=at))
    term.send(b"exit 5\n")
    assert term.wait() == 5
    assert b"hunter2" not in term.buffer
    row = env.session_row("dave")
    casts = [n for n in row["recordings"] if n.endswith(".cast")]
    assert casts
    env.bastion.output.wait_for(rf"recording\.closed .*{casts[0]}")
    header, events = recording.read_cast(env.home.recordings / casts[0])
    assert header["version"] == 2 and header["width"] > 0
    outputs = "".join(d for _, code, d in events if code == "o")
    inputs = "".join(d for _, code, d in events if code == "i")
    assert "one-42" in outputs
    assert "echo one-$((40+2))" in inputs
    assert "hunter2" not in inputs and "hunter2" not in outputs
    stored = env.ctx.store.one("SELECT sha256 FROM recordings WHERE path LIKE ?",
                               (f"%{casts[0]}",))
    digest = hashlib.sha256((env.home.recordings / casts[0]).read_bytes()).hexdigest()
    assert stored["sha256"] == digest


def test_large_scp_and_sftp_round_trips_are_byte_identical(env, tmp_path):
    erin = env.person("erin")
    env.grant(erin)
    src = tmp_path / "blob"
    src.write_bytes(os.urandom(10 * 1024 * 1024))
    remote = tmp_path / "remote-blob"
    back = tmp_path / "back"
    base = erin.ssh_args(f"{LOGIN}@web01")
    port_at = base.index("-p")
    scp_opts = base[1:port_at] + base[port_at + 2:-1]
    dest = f"{LOGIN}@web01@127.0.0.1"
    r = subprocess.run(["scp", "-P", str(env.bastion.port), *scp_opts, str(src),
                        f"{dest}:{remote}"], capture_output=True, env=erin.env(), timeout=60)
    assert r.returncode == 0, r.stderr
    assert remote.read_bytes() == src.read_bytes()
    batch = tmp_path / "batch"
    batch.write_text(f"get {remote} {back}\nrm {remote}\n")
    r = subprocess.run(["sftp", "-P", str(env.bastion.port), *scp_opts, "-b", str(batch), dest],
                       capture_output=True, env=erin.env(), timeout=60)
    assert r.returncode == 0, r.stderr
    assert back.read_bytes() == src.read_bytes()
    assert not remote.exists()
    row = env.session_row("erin")
    records = [n for n in row["recordings"] if n.endswith(".jsonl")]
    summary = recording.read_exec_record(env.home.recordings / records[-1])
    assert str(remote) in str(summary)


def test_forwarding_is_refused(env):
    frank = env.person("frank")
    env.grant(frank)
    r = frank.run(f"{LOGIN}@web01", extra=("-W", f"127.0.0.1:{env.sshd.port}"))
    assert r.returncode != 0
    assert b"stdio forwarding failed" in r.stderr
    r = frank.run(f"{LOGIN}@web01", "true", extra=("-o", "ExitOnForwardFailure=yes", "-R",
                                                   f"127.0.0.1:{free_port()}:127.0.0.1:22"))
    assert r.returncode != 0 and b"forwarding failed" in r.stderr


@pytest.mark.parametrize(("dest", "reason"), [
    (f"{LOGIN}@web01", "no active grant for"),
    (f"{LOGIN}@nowhere", "no active grant for"),
    ("deploy@web01", "not offered on web01"),
])
def test_sessions_without_a_matching_grant_are_refused_with_a_reason(env, dest, reason):
    gina = env.person("gina")
    r = gina.run(dest, "true")
    assert r.returncode == 255
    assert reason.encode() in r.stderr


def test_unknown_key_gets_a_generic_refusal(env, tmp_path):
    path, _ = make_key(tmp_path, "stranger")
    stranger = Client("stranger", path, None, env.home, env.bastion, tmp_path)
    r = stranger.run(f"{LOGIN}@web01", "true")
    assert r.returncode == 255
    assert b"Permission denied" in r.stderr
    assert b"bastion:" not in r.stderr


def _cert_file(tmp_path: Path, ca: certs.CertificateAuthority | asyncssh.SSHKey, key, *,
               serial: int, principals, valid_after: int, valid_before: int) -> Path:
    cert = certs.mint_user_certificate(ca, key.convert_to_public(), serial=serial,
                                       key_id="test", principals=principals,
                                       valid_after=valid_after, valid_before=valid_before)
    out = tmp_path / f"cert-{serial}.pub"
    out.write_text(certs.certificate_line(cert) + "\n")
    return out


def test_certificates_not_from_this_bastion_or_out_of_date_are_refused(env, tmp_path):
    hank = env.person("hank")
    env.grant(hank)
    import time

    now = int(time.time())
    foreign = certs.load_or_create_ca(tmp_path / "foreign_ca", "foreign")
    cases = {
        "foreign": _cert_file(tmp_path, foreign, hank_key(hank), serial=900001,
                              principals=[f"{LOGIN}@web01"], valid_after=now - 60,
                              valid_before=now + 600),
        "expired": _cert_file(tmp_path, env.ctx.user_ca, hank_key(hank), serial=900002,
                              principals=[f"{LOGIN}@web01"], valid_after=now - 600,
                              valid_before=now - 60),
        "never issued": _cert_file(tmp_path, env.ctx.user_ca, hank_key(hank), serial=900003,
                                   principals=[f"{LOGIN}@web01"], valid_after=now - 60,
                                   valid_before=now + 600),
    }
    for name, cert in cases.items():
        r = hank.run(f"{LOGIN}@web01", "echo in", cert=cert, code="000000",
                     extra=("-o", "PreferredAuthentications=publickey"))
        assert r.returncode == 255, (name, r.stderr)
        assert b"in\n" not in r.stdout, name
    assert b"not issued by this bastion" in r.stderr


def hank_key(client: Client) -> asyncssh.SSHKey:
    return asyncssh.read_private_key(str(client.key_path))


def test_revoked_certificate_is_refused(env, tmp_path):
    ivy = env.person("ivy")
    ticket = env.ticket()
    env.grant(ivy, ticket=ticket)
    r = ivy.run("ivy", "cert", ticket)
    cert_file = tmp_path / "ivy-cert.pub"
    cert_file.write_bytes(r.stdout)
    serial = certs.cert_info(certs.load_certificate(cert_file)).serial
    grants.revoke(env.ctx.store, actor="local:test", serial=serial, reason="lost laptop")
    r = ivy.run(f"{LOGIN}@web01", "echo in", cert=cert_file, code="000000",
                extra=("-o", "PreferredAuthentications=publickey"))
    assert r.returncode == 255
    assert f"certificate {serial} was revoked".encode() in r.stderr


def test_vendor_certificate_works_once_only(env, tmp_path):
    path, key = make_key(tmp_path, "acme")
    cert, _ = grants.issue_vendor(env.ctx.store, env.ctx.config, env.ctx.user_ca, name="acme",
                                  key=key.convert_to_public(), target="web01", login=LOGIN,
                                  ticket="CHG-9", duration=3600, actor="local:admin")
    cert_file = tmp_path / "acme-cert.pub"
    cert_file.write_text(certs.certificate_line(cert) + "\n")
    vendor = Client("acme", path, None, env.home, env.bastion, tmp_path)
    first = vendor.run(f"{LOGIN}@web01", "echo first", cert=cert_file)
    assert first.returncode == 0, first.stderr
    assert first.stdout == b"first\n"
    second = vendor.run(f"{LOGIN}@web01", "echo second", cert=cert_file)
    assert second.returncode == 255
    assert b"already used" in second.stderr


def test_revoking_the_ticket_ends_the_live_session(env):
    jay = env.person("jay")
    ticket = env.ticket()
    env.grant(jay, ticket=ticket)
    proc = jay.popen(f"{LOGIN}@web01", "echo started; sleep 60")
    assert proc.stdout.readline() == b"started\n"
    grants.revoke(env.ctx.store, actor="local:sam", ticket=ticket, reason="incident closed")
    proc.wait(timeout=10)
    err = proc.stderr.read()
    assert proc.returncode != 0
    assert b"access revoked: incident closed" in err
    assert env.session_row("jay")["state"] == "killed"


def test_kill_from_the_cli_ends_the_session(env):
    from bastion.cli import main

    kim = env.person("kim")
    env.grant(kim)
    proc = kim.popen(f"{LOGIN}@web01", "echo started; sleep 60")
    assert proc.stdout.readline() == b"started\n"
    sid = env.session_row("kim")["id"]
    assert main(["--home", str(env.home.path), "kill", sid, "--reason", "wrong host"]) == 0
    proc.wait(timeout=10)
    assert b"wrong host" in proc.stderr.read()


def test_target_down_or_with_wrong_host_key_gets_a_clear_error(env):
    leo = env.person("leo")
    env.grant(leo, target="down01")
    env.grant(leo, target="spoofed")
    r = leo.run(f"{LOGIN}@down01", "true")
    assert r.returncode == 255 and b"target down01 is not reachable" in r.stderr
    r = leo.run(f"{LOGIN}@spoofed", "true")
    assert r.returncode == 255 and b"host key that is not pinned" in r.stderr
    assert env.session_row("leo")["state"] == "failed"


def test_only_lang_and_lc_variables_reach_the_target(env):
    mia = env.person("mia")
    env.grant(mia)
    r = mia.run(f"{LOGIN}@web01", "echo L=$LC_TIME S=$SECRET_VAR",
                extra=("-o", "SendEnv=LC_TIME SECRET_VAR"),
                env={"LC_TIME": "C", "SECRET_VAR": "leak"})
    assert r.stdout == b"L=C S=\n"
