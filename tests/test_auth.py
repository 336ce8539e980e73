"""Key-then-TOTP authentication, seen from the real OpenSSH client and from asyncssh clients.

One asyncssh server of a small TwoFactorServer subclass runs for the whole module, deciding
from an in-memory directory; every test enrols its own user names, so tests share nothing.
"""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import asyncssh
import pytest
import pytest_asyncio
from asyncssh import auth as asyncssh_auth

from bastion.ssh import auth
from bastion.ssh.auth import TOTP_PROMPT, Decision, TwoFactorServer, auth_options
from tests.hostile import Step, attempt

RIGHT_CODE = "424242"
WRONG_CODE = "000000"
SSH_TIMEOUT = 15


@dataclass
class Directory:
    """What the test server knows and what it was asked."""

    keys: dict[str, asyncssh.SSHKey] = field(default_factory=dict)
    cas: list[asyncssh.SSHKey] = field(default_factory=list)
    decisions: dict[str, Decision | Exception | None] = field(default_factory=dict)
    proven: list[tuple[str, asyncssh.SSHKey, asyncssh.SSHCertificate | None, str]] = field(
        default_factory=list)
    totp_checks: list[tuple[str, str]] = field(default_factory=list)
    refusals: list[tuple[str, str, bool]] = field(default_factory=list)
    commands: list[tuple[str, str]] = field(default_factory=list)
    name_changes: list[tuple[str, str]] = field(default_factory=list)

    def proven_for(self, username: str) -> list:
        return [entry for entry in self.proven if entry[0] == username]

    def totp_for(self, username: str) -> list[str]:
        return [code for name, code in self.totp_checks if name == username]

    def refusals_for(self, username: str) -> list[tuple[str, bool]]:
        return [(reason, proven) for name, reason, proven in self.refusals if name == username]

    def commands_for(self, username: str) -> list[str]:
        return [command for name, command in self.commands if name == username]


class Bastion(TwoFactorServer):
    def __init__(self, directory: Directory) -> None:
        self.directory = directory

    def known_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        enrolled = self.directory.keys.get(username)
        return enrolled is not None and enrolled.public_data == key.public_data

    def user_cas(self) -> list[asyncssh.SSHKey]:
        return self.directory.cas

    def key_proven(self, username, key, cert, client_addr) -> Decision:
        self.directory.proven.append((username, key, cert, client_addr))
        decision = self.directory.decisions.get(username, Decision.NEED_TOTP)
        if isinstance(decision, Exception):
            raise decision
        return decision

    def totp_check(self, username: str, code: str) -> Decision:
        self.directory.totp_checks.append((username, code))
        return Decision.ACCEPT if code == RIGHT_CODE else Decision.REFUSE("wrong TOTP code")

    def refused(self, username, client_addr, reason, *, proven) -> None:
        self.directory.refusals.append((username, reason, proven))

    def name_changed(self, first, second, client_addr) -> None:
        self.directory.name_changes.append((first, second))


@dataclass
class Server:
    port: int
    directory: Directory
    user_ca: asyncssh.SSHKey
    keys_dir: Path


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def server(tmp_path_factory) -> Server:
    directory = Directory()
    user_ca = asyncssh.generate_private_key("ssh-ed25519")
    directory.cas.append(user_ca.convert_to_public())

    def run(process: asyncssh.SSHServerProcess) -> None:
        directory.commands.append((process.get_extra_info("username"), process.command or ""))
        process.stdout.write("ok\n")
        process.exit(0)

    listener = await asyncssh.create_server(
        lambda: Bastion(directory), "127.0.0.1", 0,
        server_host_keys=[asyncssh.generate_private_key("ssh-ed25519")],
        process_factory=run, **auth_options(login_timeout=SSH_TIMEOUT))
    port = listener.sockets[0].getsockname()[1]
    yield Server(port, directory, user_ca, tmp_path_factory.mktemp("keys"))
    listener.close()
    await listener.wait_closed()


def write_private_key(key: asyncssh.SSHKey, path: Path) -> Path:
    key.write_private_key(path)
    path.chmod(0o600)
    return path


def enrol(server: Server, username: str) -> Path:
    """A fresh key enrolled for `username`; returns the private key file."""
    key = asyncssh.generate_private_key("ssh-ed25519")
    server.directory.keys[username] = key.convert_to_public()
    return write_private_key(key, server.keys_dir / f"{username}.key")


@dataclass
class SshResult:
    returncode: int
    stdout: str
    stderr: str
    prompts: list[str]


async def run_ssh(server: Server, tmp_path: Path, username: str, key: Path | None,
                  answer: str = RIGHT_CODE, *options: str) -> SshResult:
    """Run /usr/bin/ssh against the server; the askpass script types `answer`."""
    prompts = tmp_path / "prompts"
    askpass = tmp_path / "askpass"
    askpass.write_text(f'#!/bin/sh\nprintf "%s\\n" "$1" >> "{prompts}"\necho {answer}\n')
    askpass.chmod(0o700)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "SSH_ASKPASS": str(askpass),
        "SSH_ASKPASS_REQUIRE": "force",
        "DISPLAY": ":0",
    }
    identity = ["-i", str(key), "-o", "IdentitiesOnly=yes"] if key else []
    # `options` go first: ssh keeps the first value it is given for each option.
    process = await asyncio.create_subprocess_exec(
        "/usr/bin/ssh", "-F", "/dev/null", *options, "-p", str(server.port), "-l", username,
        "-o", "BatchMode=no", "-o", "StrictHostKeyChecking=no",
        "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=INFO",
        "-o", "PreferredAuthentications=publickey,keyboard-interactive",
        "-o", "NumberOfPasswordPrompts=3", *identity,
        "127.0.0.1", "echo hello",
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE, env=env)
    stdout, stderr = await asyncio.wait_for(process.communicate(), SSH_TIMEOUT)
    asked = prompts.read_text().splitlines() if prompts.exists() else []
    # OpenSSH prefixes keyboard-interactive prompts with "(user@host) ".
    asked = [prompt.removeprefix(f"({username}@127.0.0.1) ") for prompt in asked]
    return SshResult(process.returncode, stdout.decode(), stderr.decode(), asked)


class RecordingClient(asyncssh.SSHClient):
    """An asyncssh client that answers the TOTP prompt and remembers what it was shown."""

    def __init__(self, answer: str = RIGHT_CODE) -> None:
        self.answer = answer
        self.banners: list[str] = []
        self.prompts: list[str] = []
        self.kbdint_offered = False

    def auth_banner_received(self, msg: str, lang: str) -> None:
        self.banners.append(msg)

    def kbdint_auth_requested(self) -> str:
        self.kbdint_offered = True
        return ""

    def kbdint_challenge_received(self, name, instructions, lang, prompts):
        self.prompts += [prompt for prompt, _echo in prompts]
        return [self.answer for _ in prompts]


async def connect(server: Server, username: str, client: RecordingClient, client_keys,
                  **options) -> asyncssh.SSHClientConnection:
    return await asyncssh.connect(
        "127.0.0.1", server.port, username=username, known_hosts=None,
        client_factory=lambda: client, client_keys=client_keys, agent_path=None,
        password=None, kbdint_auth=True, gss_auth=False, host_based_auth=False,
        preferred_auth="publickey,keyboard-interactive", **options)


# -- the OpenSSH client ----------------------------------------------------------------------

@pytest.mark.asyncio(loop_scope="module")
async def test_key_and_right_totp_runs_the_command(server, tmp_path):
    key = enrol(server, "alice")

    result = await run_ssh(server, tmp_path, "alice", key, RIGHT_CODE)

    assert (result.returncode, result.stdout) == (0, "ok\n"), result.stderr
    assert result.prompts == [TOTP_PROMPT]
    assert server.directory.commands_for("alice") == ["echo hello"]
    assert len(server.directory.proven_for("alice")) == 1


@pytest.mark.asyncio(loop_scope="module")
async def test_wrong_totp_is_refused_three_times_and_the_command_never_runs(server, tmp_path):
    key = enrol(server, "mallory")

    result = await run_ssh(server, tmp_path, "mallory", key, WRONG_CODE)

    assert result.returncode == 255
    assert result.stdout == ""
    assert "bastion: wrong TOTP code" in result.stderr
    assert result.prompts == [TOTP_PROMPT] * TwoFactorServer.max_totp_failures
    assert server.directory.totp_for("mallory") == [WRONG_CODE] * 3
    # The key step was proven once and never asked again between the code attempts.
    assert len(server.directory.proven_for("mallory")) == 1
    assert server.directory.commands_for("mallory") == []
    assert server.directory.refusals_for("mallory") == [("wrong TOTP code", True)] * 3


@pytest.mark.asyncio(loop_scope="module")
async def test_unknown_key_gets_a_generic_refusal_without_reason(server, tmp_path):
    enrol(server, "bob")
    stranger = write_private_key(asyncssh.generate_private_key("ssh-ed25519"),
                                 tmp_path / "stranger.key")

    result = await run_ssh(server, tmp_path, "bob", stranger)

    assert result.returncode == 255
    assert "Permission denied (publickey)" in result.stderr
    assert "bastion:" not in result.stderr
    assert result.prompts == []
    assert server.directory.proven_for("bob") == []
    assert server.directory.refusals_for("bob") == [
        ("key not acceptable for this user name", False)]


@pytest.mark.asyncio(loop_scope="module")
async def test_refusal_after_proof_shows_the_reason_as_a_banner(server, tmp_path):
    key = enrol(server, "deploy@web01")
    server.directory.decisions["deploy@web01"] = Decision.REFUSE(
        "no active grant for deploy@web01")

    result = await run_ssh(server, tmp_path, "deploy@web01", key)

    assert result.returncode == 255
    assert "bastion: no active grant for deploy@web01" in result.stderr
    assert result.prompts == []
    assert server.directory.commands_for("deploy@web01") == []
    assert server.directory.refusals_for("deploy@web01") == [
        ("no active grant for deploy@web01", True)]


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("methods", ["keyboard-interactive", "password",
                                     "keyboard-interactive,password"])
async def test_client_skipping_the_key_step_is_never_prompted(server, tmp_path, methods):
    username = f"carol-{methods.replace(',', '-')}"
    key = enrol(server, username)

    result = await run_ssh(server, tmp_path, username, key, RIGHT_CODE,
                           "-o", f"PreferredAuthentications={methods}")

    assert result.returncode == 255
    assert "Permission denied (publickey)" in result.stderr
    assert result.prompts == []
    assert server.directory.totp_for(username) == []


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("broken", [RuntimeError("store locked"), None])
async def test_a_failing_decision_refuses_with_a_generic_banner(server, broken):
    username = f"oscar-{type(broken).__name__}"
    key = asyncssh.read_private_key(enrol(server, username))
    server.directory.decisions[username] = broken
    client = RecordingClient()

    with pytest.raises(asyncssh.PermissionDenied):
        await connect(server, username, client, client_keys=[key])

    assert client.banners == [
        "bastion: authentication is temporarily unavailable, try again later\n"]
    assert client.prompts == []
    assert [proven for _reason, proven in server.directory.refusals_for(username)] == [True]


# -- asyncssh clients: what an attacker with a custom client sees ---------------------------

@pytest.mark.asyncio(loop_scope="module")
async def test_guessing_client_gets_no_fourth_totp_prompt(server):
    key = asyncssh.read_private_key(enrol(server, "peggy"))
    client = RecordingClient(answer=WRONG_CODE)

    with pytest.raises(asyncssh.PermissionDenied):
        await connect(server, "peggy", client, client_keys=[key])

    assert client.prompts == [TOTP_PROMPT] * TwoFactorServer.max_totp_failures
    assert client.banners == ["bastion: wrong TOTP code\n"] * 3
    assert server.directory.totp_for("peggy") == [WRONG_CODE] * 3
    assert len(server.directory.proven_for("peggy")) == 1

@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("enrolled", [True, False])
async def test_only_publickey_is_offered_before_a_key_is_proven(server, enrolled):
    username = f"dave-{enrolled}"
    if enrolled:
        enrol(server, username)

    methods = await asyncssh.get_server_auth_methods(
        "127.0.0.1", server.port, username=username,
        options=asyncssh.SSHClientConnectionOptions(known_hosts=None))

    assert methods == ["publickey"]


@pytest.mark.asyncio(loop_scope="module")
async def test_raw_keyboard_interactive_request_before_the_key_gets_no_prompt(server):
    enrol(server, "erin")

    class KbdIntFirst(RecordingClient):
        def connection_made(self, conn):
            # An attacker's client: its first request is keyboard-interactive, unasked.
            conn._auth_methods = [b"keyboard-interactive"]

    client = KbdIntFirst()
    with pytest.raises(asyncssh.PermissionDenied):
        await connect(server, "erin", client, client_keys=None)

    assert client.kbdint_offered, "the client did send its keyboard-interactive request"
    assert client.prompts == []
    assert server.directory.totp_for("erin") == []


# -- every order of requests: the hostile client (tests/hostile.py) -----------------------------

@dataclass
class Cast:
    """Two enrolled names for one script: `a` (key `ka`, certificate `ca`) and `b` (key
    `kb`), and a key nobody enrolled."""

    a: str
    b: str
    ka: asyncssh.SSHKey
    kb: asyncssh.SSHKey
    ca: asyncssh.SSHCertificate
    stranger: asyncssh.SSHKey


def cast(server: Server, label: str) -> Cast:
    a, b = f"{label}-a", f"{label}-b"
    ka = asyncssh.read_private_key(enrol(server, a))
    kb = asyncssh.read_private_key(enrol(server, b))
    ca = issue(server.user_ca, ka, principals=[a], key_id=f"{a} cert")
    return Cast(a, b, ka, kb, ca, asyncssh.generate_private_key("ssh-ed25519"))


# Each script asks for a second name at some point: after nothing, after a probe, after a
# refused key, after a proven key or certificate, after a wrong code.
NAME_CHANGES = {
    "none, then another name's key": lambda c: [Step.none(c.a), Step.signed(c.b, c.kb)],
    "password, then another name's key": lambda c: [Step.password(c.a, "x"),
                                                    Step.signed(c.b, c.kb)],
    "kbdint before any key, then another name's key": lambda c: [
        Step.kbdint(c.a, RIGHT_CODE), Step.signed(c.b, c.kb)],
    "probe, then another name's key": lambda c: [Step.probe(c.a, c.ka), Step.signed(c.b, c.kb)],
    "refused key, then another name's key": lambda c: [Step.signed(c.a, c.stranger),
                                                       Step.signed(c.b, c.kb)],
    "proven key, then another name's key": lambda c: [Step.signed(c.a, c.ka),
                                                      Step.signed(c.b, c.kb)],
    "proven key, then the code as another name": lambda c: [Step.signed(c.a, c.ka),
                                                            Step.kbdint(c.b, RIGHT_CODE)],
    "proven key, then none as another name": lambda c: [Step.signed(c.a, c.ka), Step.none(c.b)],
    "another name's key, then the code as the first": lambda c: [
        Step.signed(c.b, c.kb), Step.kbdint(c.a, RIGHT_CODE)],
    "proven certificate, then the code as another name": lambda c: [
        Step.signed(c.a, c.ka, c.ca), Step.kbdint(c.b, RIGHT_CODE)],
    "wrong code, then the right one as another name": lambda c: [
        Step.signed(c.a, c.ka), Step.kbdint(c.a, WRONG_CODE), Step.kbdint(c.b, RIGHT_CODE)],
    "empty name, then a name": lambda c: [Step.none(""), Step.signed(c.a, c.ka)],
    "the name in capitals": lambda c: [Step.signed(c.a, c.ka), Step.kbdint(c.a.upper(),
                                                                           RIGHT_CODE)],
}


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("order", NAME_CHANGES)
async def test_a_second_user_name_on_one_connection_disconnects_the_client(server, order):
    c = cast(server, f"nc{list(NAME_CHANGES).index(order)}")
    steps = NAME_CHANGES[order](c)
    first = steps[0].user
    second = next(step.user for step in steps if step.user != first)
    changed_at = next(i for i, step in enumerate(steps) if step.user != first)

    outcome = await attempt("127.0.0.1", server.port, steps)

    assert outcome.disconnect == auth.NAME_CHANGE_REASON
    assert not outcome.authenticated
    assert [reply for reply in outcome.replies if reply.step >= changed_at] == []
    assert server.directory.name_changes[-1] == (first, second)
    assert server.directory.proven_for(second) == []
    assert server.directory.totp_for(second) == []
    assert server.directory.commands_for(first) == server.directory.commands_for(second) == []


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("where", ["first request", "after a proven key"])
async def test_a_request_for_another_service_disconnects_the_client(server, where):
    c = cast(server, f"svc-{where.replace(' ', '-')}")
    steps = [Step.signed(c.a, c.ka, service="ssh-userauth")]
    if where == "after a proven key":
        steps = [Step.signed(c.a, c.ka), Step.kbdint(c.a, RIGHT_CODE, service="ssh-userauth")]

    outcome = await attempt("127.0.0.1", server.port, steps)

    assert outcome.disconnect == "Unexpected service in auth request"
    assert not outcome.authenticated
    assert server.directory.totp_for(c.a) == []


# Scripts on one name, and the conversation each must have: (step, reply) in order.
ONE_NAME = {
    "key, then the code": (
        lambda c: [Step.signed(c.a, c.ka), Step.kbdint(c.a, RIGHT_CODE)],
        [(0, "partial"), (1, "prompt"), (1, "success")], True),
    "probe, signed, code": (
        lambda c: [Step.probe(c.a, c.ka), Step.signed(c.a, c.ka), Step.kbdint(c.a, RIGHT_CODE)],
        [(0, "pk_ok"), (1, "partial"), (2, "prompt"), (2, "success")], True),
    "certificate, then the code": (
        lambda c: [Step.signed(c.a, c.ka, c.ca), Step.kbdint(c.a, RIGHT_CODE)],
        [(0, "partial"), (1, "prompt"), (1, "success")], True),
    "kbdint, password, none and unknown methods before any key": (
        lambda c: [Step.kbdint(c.a, RIGHT_CODE), Step.password(c.a, RIGHT_CODE), Step.none(c.a),
                   Step.raw(c.a, "hostbased"), Step.raw(c.a, "x-bastion-skip-key")],
        [(0, "failure"), (1, "failure"), (2, "failure"), (3, "failure"), (4, "failure")], False),
    "probe of an enrolled key, then signed by another": (
        lambda c: [Step.probe(c.a, c.ka), Step.signed(c.a, c.stranger)],
        [(0, "pk_ok"), (1, "failure")], False),
    "probe of an enrolled key, then signed by another name's key": (
        lambda c: [Step.probe(c.a, c.ka), Step.signed(c.a, c.kb), Step.kbdint(c.a, RIGHT_CODE)],
        [(0, "pk_ok"), (1, "failure"), (2, "failure")], False),
    "enrolled public key, signed by another key": (
        lambda c: [Step.signed(c.a, c.stranger, claim=c.ka), Step.kbdint(c.a, RIGHT_CODE)],
        [(0, "failure"), (1, "failure")], False),
    "key, key again, wrong code, key, right code": (
        lambda c: [Step.signed(c.a, c.ka), Step.signed(c.a, c.ka), Step.kbdint(c.a, WRONG_CODE),
                   Step.signed(c.a, c.kb), Step.kbdint(c.a, RIGHT_CODE)],
        [(0, "partial"), (1, "failure"), (2, "prompt"), (2, "failure"), (3, "failure"),
         (4, "prompt"), (4, "success")], True),
    "two answers to the one prompt": (
        lambda c: [Step.signed(c.a, c.ka), Step.kbdint(c.a), Step.answers(RIGHT_CODE, RIGHT_CODE)],
        [(0, "partial"), (1, "prompt"), (2, "failure")], False),
}


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("order", ONE_NAME)
async def test_every_order_of_methods_on_one_name_gets_what_the_key_proved(server, order):
    c = cast(server, f"on{list(ONE_NAME).index(order)}")
    script, conversation, admitted = ONE_NAME[order]

    outcome = await attempt("127.0.0.1", server.port, script(c))
    try:
        assert outcome.kinds() == conversation
        assert outcome.authenticated is admitted
        if admitted:
            assert (await outcome.conn.run("whoami", check=True)).stdout == "ok\n"
    finally:
        if outcome.conn is not None:
            outcome.conn.close()
    # Whatever was tried, only a's own key (or certificate) was ever proven, at most once,
    # and only codes typed after it were checked.
    assert len(server.directory.proven_for(c.a)) == int(any(k == "partial" for _, k in conversation))
    assert all(entry[1].public_data == c.ka.convert_to_public().public_data
               for entry in server.directory.proven_for(c.a))
    assert server.directory.commands_for(c.a) == (["whoami"] if admitted else [])


@pytest.mark.asyncio(loop_scope="module")
async def test_an_answer_nobody_asked_for_disconnects_the_client(server):
    c = cast(server, "unasked")

    outcome = await attempt("127.0.0.1", server.port, [Step.signed(c.a, c.ka),
                                                       Step.answers(RIGHT_CODE)])

    assert outcome.kinds() == [(0, "partial")]
    assert outcome.disconnect == "Authentication not in progress"
    assert server.directory.totp_for(c.a) == []


@pytest.mark.asyncio(loop_scope="module")
async def test_public_key_without_its_private_key_never_reaches_totp(server):
    enrol(server, "frank")
    victim = server.directory.keys["frank"]
    forged = asyncssh.load_keypairs([asyncssh.generate_private_key("ssh-ed25519")])[0]
    # Claims frank's public key (so the unsigned probe is answered "acceptable") but can
    # only sign with another key.
    forged.public_data = forged.key_public_data = victim.public_data
    client = RecordingClient()

    with pytest.raises(asyncssh.PermissionDenied):
        await connect(server, "frank", client, client_keys=[forged])

    assert not client.kbdint_offered
    assert client.prompts == [] and client.banners == []
    assert server.directory.proven_for("frank") == []
    assert server.directory.refusals_for("frank") == [("signature does not verify", False)]


@pytest.mark.asyncio(loop_scope="module")
async def test_key_step_is_closed_after_too_many_failures(server):
    enrol(server, "grace")
    strangers = [asyncssh.generate_private_key("ssh-ed25519")
                 for _ in range(TwoFactorServer.max_key_failures + 2)]

    with pytest.raises(asyncssh.PermissionDenied) as refused:
        await connect(server, "grace", RecordingClient(), client_keys=strangers)

    assert refused.value.reason == "Too many authentication failures"
    assert len(server.directory.refusals_for("grace")) == TwoFactorServer.max_key_failures


# -- user certificates ------------------------------------------------------------------------

def issue(ca: asyncssh.SSHKey, key: asyncssh.SSHKey, *, principals=("henry",), serial=4242,
          key_id="henry INC-42", valid_after=None, valid_before=None, source_address=None,
          force_command=None, permit_pty=True, host=False):
    now = int(time.time())
    validity = {
        "valid_after": now - 60 if valid_after is None else valid_after,
        "valid_before": now + 3600 if valid_before is None else valid_before,
    }
    if host:
        return ca.generate_host_certificate(
            key, key_id, serial=serial, principals=list(principals), **validity)
    return ca.generate_user_certificate(
        key, key_id, serial=serial, principals=list(principals), **validity,
        force_command=force_command, source_address=source_address,
        permit_x11_forwarding=False, permit_agent_forwarding=False,
        permit_port_forwarding=False, permit_pty=permit_pty, permit_user_rc=False)


@pytest.mark.asyncio(loop_scope="module")
async def test_certificate_from_the_user_ca_reaches_key_proven(server, tmp_path):
    username = "henry"
    key = asyncssh.generate_private_key("ssh-ed25519")
    cert = issue(server.user_ca, key, principals=[username], serial=4242,
                 key_id="henry INC-42", source_address=["127.0.0.1/32"])
    key_file = write_private_key(key, tmp_path / "henry.key")
    cert.write_certificate(tmp_path / "henry.key-cert.pub")
    server.directory.decisions[username] = Decision.ACCEPT

    result = await run_ssh(server, tmp_path, username, key_file, RIGHT_CODE,
                           "-o", f"CertificateFile={tmp_path / 'henry.key-cert.pub'}")

    assert (result.returncode, result.stdout) == (0, "ok\n"), result.stderr
    assert result.prompts == []
    [(_, proven_key, seen, client_addr)] = server.directory.proven_for(username)
    assert seen.public_data == cert.public_data
    assert auth._certificate_label(seen) == "certificate serial 4242 key id 'henry INC-42'"
    assert proven_key.public_data == key.convert_to_public().public_data
    assert client_addr == "127.0.0.1"


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize(("case", "expected_reason"), [
    ("wrong principal", "principal mismatch"),
    ("no principals", "is not valid for user name"),
    ("expired", "Certificate expired"),
    ("not yet valid", "Certificate not yet valid"),
    ("foreign CA", "is not signed by a user CA"),
    ("other source address", "does not allow source address 127.0.0.1"),
    ("force-command", "carries force-command"),
    ("host certificate", "Invalid certificate type"),
])
async def test_bad_certificates_are_refused_generically_before_key_proven(
        server, case, expected_reason):
    username = f"ivan-{case.replace(' ', '-')}"
    key = asyncssh.generate_private_key("ssh-ed25519")
    now = int(time.time())
    ca = server.user_ca
    fields = {"principals": [username]}
    if case == "wrong principal":
        fields["principals"] = ["someone-else"]
    elif case == "no principals":
        fields["principals"] = []
    elif case == "expired":
        fields.update(valid_after=now - 7200, valid_before=now - 3600)
    elif case == "not yet valid":
        fields.update(valid_after=now + 3600, valid_before=now + 7200)
    elif case == "foreign CA":
        ca = asyncssh.generate_private_key("ssh-ed25519")
    elif case == "other source address":
        fields["source_address"] = ["192.0.2.0/24"]
    elif case == "force-command":
        fields["force_command"] = "/bin/true"
    elif case == "host certificate":
        fields["host"] = True
    cert = issue(ca, key, serial=777, key_id=f"ivan {case}", **fields)
    server.directory.decisions[username] = Decision.ACCEPT
    client = RecordingClient()

    with pytest.raises(asyncssh.PermissionDenied):
        await connect(server, username, client, client_keys=[(key, cert)])

    assert server.directory.proven_for(username) == []
    assert client.banners == [] and client.prompts == []
    # asyncssh falls back to the bare key after the certificate: refused as unknown.
    refusals = server.directory.refusals_for(username)
    assert not any(proven for _reason, proven in refusals)
    [cert_refusal] = [reason for reason, _proven in refusals if "serial 777" in reason]
    assert expected_reason in cert_refusal


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("decision", [Decision.ACCEPT, Decision.NEED_TOTP])
async def test_certificate_without_permit_pty_gets_no_pty(server, decision):
    # asyncssh enforces the certificate's permit-* extensions only when told about them;
    # this fails if a new asyncssh stops honouring what bastion.ssh.auth hands over.
    username = f"judy-{decision.outcome.value}"
    key = asyncssh.generate_private_key("ssh-ed25519")
    cert = issue(server.user_ca, key, principals=[username], permit_pty=False)
    server.directory.decisions[username] = decision
    client = RecordingClient()

    async with await connect(server, username, client, client_keys=[(key, cert)]) as conn:
        plain = await conn.run("plain", check=True)
        with pytest.raises(asyncssh.ChannelOpenError):
            await conn.run("with pty", term_type="xterm", request_pty="force")

    assert plain.stdout == "ok\n"
    assert server.directory.commands_for(username) == ["plain"]
    assert client.prompts == ([TOTP_PROMPT] if decision == Decision.NEED_TOTP else [])


# -- the patch and the pin ---------------------------------------------------------------------

@pytest.mark.asyncio(loop_scope="module")
async def test_other_asyncssh_servers_in_the_process_authenticate_keys_normally(tmp_path):
    key = asyncssh.generate_private_key("ssh-ed25519")

    class PlainServer(asyncssh.SSHServer):
        def begin_auth(self, username):
            return True

        def public_key_auth_supported(self):
            return True

        def validate_public_key(self, username, client_key):
            return client_key.public_data == key.convert_to_public().public_data

    def run(process):
        process.stdout.write("plain ok\n")
        process.exit(0)

    listener = await asyncssh.create_server(
        PlainServer, "127.0.0.1", 0, process_factory=run,
        server_host_keys=[asyncssh.generate_private_key("ssh-ed25519")])
    try:
        port = listener.sockets[0].getsockname()[1]
        async with asyncssh.connect("127.0.0.1", port, username="anyone", known_hosts=None,
                                    client_keys=[key], agent_path=None) as conn:
            result = await conn.run("x", check=True)
    finally:
        listener.close()
        await listener.wait_closed()

    assert result.stdout == "plain ok\n"


def test_publickey_handler_is_replaced_on_the_pinned_asyncssh():
    assert asyncssh.__version__.startswith("2.24."), (
        f"asyncssh {asyncssh.__version__}: bastion.ssh.auth is written against 2.24's private "
        "auth handlers; re-check it before moving the pin")
    assert asyncssh_auth._server_auth_handlers[b"publickey"] is auth._TwoFactorPublicKeyAuth
    assert issubclass(auth._TwoFactorPublicKeyAuth, asyncssh_auth._ServerPublicKeyAuth)


def test_version_guard_refuses_another_asyncssh(monkeypatch):
    monkeypatch.setattr(asyncssh, "__version__", "2.25.0")

    with pytest.raises(ImportError, match=r"requires asyncssh 2\.24\.x, found 2\.25\.0"):
        auth._check_asyncssh()


def test_version_guard_refuses_missing_private_handlers(monkeypatch):
    monkeypatch.delattr(asyncssh_auth, "_ServerPublicKeyAuth")

    with pytest.raises(ImportError, match="_ServerPublicKeyAuth"):
        auth._check_asyncssh()


def test_subclass_cannot_take_over_authentication_callbacks():
    with pytest.raises(TypeError, match="begin_auth"):
        class Careless(TwoFactorServer):
            def begin_auth(self, username):
                return False


def test_refusal_needs_a_reason():
    with pytest.raises(ValueError, match="reason"):
        Decision.REFUSE("  ")
