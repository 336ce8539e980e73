"""Non-interactive channels and channels that only look non-interactive, end to end: a real
`bastion serve`, a real sshd target, the real ssh, scp (-O and sftp mode) and sftp clients, and
a hostile asyncssh client. Canary files tell whether something ran or landed."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import re
import secrets
import struct
import subprocess
from pathlib import Path

import asyncssh
import pytest

from bastion import recording
from bastion.command_control import policy
from bastion.ssh.live import MAX_SESSION_CHANNELS
from tests.harness import LOGIN, Client, World
from tests.test_hardening import attempt, logged_in, recording_closed, user_key

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

POLICY = """
[defaults]
unmatched = "allow"
unknown = "deny"
uncertain = "deny"
confirm_timeout = "10s"

[[rules]]
name = "no-canary"
action = "deny"
commands = ["touch"]
args = "canary"
message = "canaries are not touched"

[[rules]]
name = "no-protected-writes"
action = "deny"
commands = [">"]
args = "protected"
message = "protected files are not written"

[[rules]]
name = "no-protected-reads"
action = "deny"
commands = ["<"]
args = "protected"
message = "protected files are not read"

[[rules]]
name = "no-guarded-writes"
action = "deny"
commands = [">", "rm"]
paths = ["/tmp/**/guarded/*"]
message = "guarded files are not written"

[[rules]]
name = "noted-writes"
action = "alert"
commands = [">"]
args = "noted"
message = "noted files are watched"

[[rules]]
name = "no-protected-changes"
action = "deny"
commands = ["rm", "mv", "chmod", "ln"]
args = "protected"
message = "protected files stay as they are"
"""

READS_JUDGED = any(c.name == "<" for c in policy.parse_commands(": < /x"))


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    w = World(tmp_path_factory.mktemp("channels"), policy=POLICY)
    yield w
    w.close()


@pytest.fixture(scope="module")
def alice(world) -> Client:
    person = world.person("alice")
    world.grant(person, duration=3600)
    return person


def last_recording(world: World, user: str, suffix: str) -> Path:
    name = [n for n in world.session_row(user)["recordings"] if n.endswith(suffix)][-1]
    return recording_closed(world, name)


def transfer_args(who: Client, world: World) -> list[str]:
    """The ssh options of `who` as scp and sftp take them (-P for the port)."""
    base = who.ssh_args(f"{LOGIN}@web01")
    port_at = base.index("-p")
    return ["-P", str(world.bastion.port), *base[1:port_at], *base[port_at + 2:-1]]


def scp(who: Client, world: World, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["scp", *transfer_args(who, world), *args], capture_output=True,
                          env=who.env(), timeout=60)


REMOTE = f"{LOGIN}@web01@127.0.0.1"


# -- a pty makes any channel interactive ---------------------------------------------------------

# `bash -o emacs` (issue 12's example, an option read as a script file) is now held as an
# editing-mode switch the gate does not follow (attack F); `-o posix` has the same shape.
@pytest.mark.parametrize("command", [
    "bash -o posix", "bash", "bash -c bash", "script -qc bash /dev/null", "su",
])
def test_an_exec_channel_with_a_pty_is_gated_line_by_line_and_recorded(world, alice, tmp_path,
                                                                       command):
    canary = tmp_path / "canary"
    term = alice.terminal(f"{LOGIN}@web01", command)
    at = term.prompt()
    term.send(f"touch {canary}\r".encode())
    at = term.expect(rb"denied: canaries are not touched", start=at)
    at = term.prompt(start=at)
    term.send(b"echo ok-$((6*7))\r")
    term.prompt(start=term.expect(rb"ok-42", start=at))
    term.send(b"exit\r")
    term.wait()
    assert not canary.exists()
    header, recorded = recording.read_cast(last_recording(world, "alice", ".cast"))
    assert header["command"] == command
    markers = [d for _, code, d in recorded if code == "m"]
    assert markers[0] == f"exec: {command}"
    assert f"deny: touch {canary} (no-canary)" in markers
    assert "ok-42" in "".join(d for _, code, d in recorded if code == "o")


UNJUDGED_SERVER = b"a file-transfer server here would take file names the bastion cannot judge"


def test_a_file_transfer_server_on_a_pty_or_inside_a_statement_is_refused(world, alice, tmp_path):
    """Its records would reach it as typed lines or statements, never judged as file names."""
    r = alice.run(f"{LOGIN}@web01", f"scp -t {tmp_path}", extra=("-tt",))
    assert r.returncode == 126 and UNJUDGED_SERVER in r.stderr
    records = f"scp -t {tmp_path}\nC0644 5 landed\nhello".encode()
    r = alice.run(f"{LOGIN}@web01", extra=("-T",), input=records)
    assert UNJUDGED_SERVER in r.stderr and not (tmp_path / "landed").exists()


@pytest.mark.parametrize("spelled", ["s\\cp", "'sc'p", 'sc""p'])
def test_a_file_transfer_server_spelled_with_quoting_is_refused_as_the_plain_one(
        world, alice, tmp_path, spelled):
    """The shell removes the quoting; so does the filter's reading (attack m22o, finding 1)."""
    r = alice.run(f"{LOGIN}@web01", f"{spelled} -t {tmp_path}", extra=("-tt",))
    assert r.returncode == 126 and UNJUDGED_SERVER in r.stderr


# -- legacy scp ----------------------------------------------------------------------------------

def test_legacy_scp_upload_refuses_protected_names_and_logs_every_file(world, alice, tmp_path):
    dest = tmp_path / "dest"
    dest.mkdir()
    ok = tmp_path / "ok.bin"
    ok.write_bytes(secrets.token_bytes(300_000))
    ok.chmod(0o644)  # scp sends the mode; the test's umask may differ
    protected = tmp_path / "protected.conf"
    protected.write_text("evil\n")
    r = scp(alice, world, "-O", str(ok), str(protected), f"{REMOTE}:{dest}/")
    assert r.returncode == 1
    assert f"scp: {dest}/protected.conf: denied: protected files are not written".encode() in r.stderr
    assert (dest / "ok.bin").read_bytes() == ok.read_bytes()
    assert not (dest / "protected.conf").exists()
    record = recording.read_exec_record(last_recording(world, "alice", ".jsonl"))
    assert record["command"] == f"scp -d -t {dest}/"  # -d: two sources need a directory
    files = {f["path"]: f for f in record["scp"]["files"]}
    assert files[f"{dest}/ok.bin"] == {
        "path": f"{dest}/ok.bin", "direction": "upload", "kind": "file", "mode": "0644",
        "size": 300_000, "bytes": 300_000, "sha256": hashlib.sha256(ok.read_bytes()).hexdigest(),
        "result": "ok"}
    assert files[f"{dest}/protected.conf"]["result"] == "refused"
    world.bastion.output.wait_for(rf"audit file\.transfer .*{re.escape(str(dest))}/ok\.bin")
    transfers = [e["data"] for e in world.events("file.transfer")
                 if e["data"].get("path") == f"{dest}/ok.bin"]
    assert transfers[-1]["protocol"] == "scp" and transfers[-1]["sha256"] == files[
        f"{dest}/ok.bin"]["sha256"]
    verdicts = [e["data"] for e in world.events("command.verdict")
                if e["data"]["line"] == f"scp > {dest}/protected.conf"]
    assert verdicts and verdicts[-1]["verdict"] == "deny"


def test_legacy_scp_recursive_upload_judges_names_inside_directories(world, alice, tmp_path):
    tree = tmp_path / "tree"
    (tree / "sub").mkdir(parents=True)
    (tree / "sub" / "fine.txt").write_text("fine\n")
    (tree / "sub" / "protected.key").write_text("evil\n")
    (tree / "top.txt").write_text("top\n")
    dest = tmp_path / "dest"
    dest.mkdir()
    r = scp(alice, world, "-O", "-r", str(tree), f"{REMOTE}:{dest}")
    assert r.returncode == 1 and b"protected.key: denied" in r.stderr
    assert (dest / "tree" / "sub" / "fine.txt").read_text() == "fine\n"
    assert (dest / "tree" / "top.txt").read_text() == "top\n"
    assert not (dest / "tree" / "sub" / "protected.key").exists()


def test_an_scp_target_the_shell_expands_or_a_stdin_it_feeds_is_never_followed(world, alice,
                                                                             tmp_path):
    """`scp -t DIR/guard?d/` (the stock `scp -O` sends the path unquoted) and `scp -t DIR <<<
    RECORDS`, whose records come from the target's shell: refused, nothing lands (attack o24o,
    findings 1 and 2)."""
    guarded = tmp_path / "guarded"
    guarded.mkdir()
    src = tmp_path / "evil.txt"
    src.write_text("evil\n")
    r = scp(alice, world, "-O", str(src), f"{REMOTE}:{tmp_path}/guard?d/")
    assert r.returncode != 0 and b"guard?d/evil.txt: denied: guarded files are not written" in r.stderr
    for command in (f"scp -t {guarded} <<< $'C0644 5 here.txt\\nevil'",
                    f"scp -t {guarded} <<EOF\nC0644 5 doc.txt\nevil\nEOF",
                    # a quote in a comment hid the redirection from a reader of quotes (p25o, 1)
                    f"# '\nscp -t {guarded} <<< $'C0644 5 hid.txt\\nevil'"):
        r = alice.run(f"{LOGIN}@web01", command)
        assert r.returncode == 126, (command, r.stderr)
    assert not list(guarded.iterdir())


@pytest.mark.parametrize(("command", "first"), [
    ("script -qc bash /dev/null", ""), ("su --pty", ""), ("runuser --pty -u root bash", ""),
    # attack q26o: su's cluster with a value (1), readline on a pipe (4), a statement (5), a
    # shell reading the pty maker's terminal, which no gate saw (7)
    ("su -Ps/bin/bash root", ""), ("bash -i", ""), ("bash", "script -qc bash /dev/null\n"),
    ("bash", "bash -i\n"), ("script -qc 'bash </dev/tty' /dev/null", ""),
    # attack r27f, finding 7: a console elsewhere, named by the command or by a statement
    ("virsh console vm", ""), ("bash", "picocom /dev/ttyS0\n"),
])
def test_a_shell_on_a_terminal_without_an_ssh_pty_is_refused(world, alice, tmp_path, command,
                                                             first):
    """A terminal would edit the statements after the stdin gate judged them: `echo safe ^U
    touch canary` ran `touch canary` (attacks p25o, finding 4; q26o). With `ssh -t` the
    interactive gate reads the keys as the terminal does."""
    canary = tmp_path / "canary"
    keys = f"{first}echo safe \x15touch {canary}\nexit\n".encode()
    r = alice.run(f"{LOGIN}@web01", command, input=keys)
    assert b"on a terminal, which would edit what is judged here" in r.stderr, r.stderr
    assert not canary.exists()


async def test_a_flood_of_refused_scp_records_ends_the_channel(world, alice, tmp_path):
    """A refusal is answered by the bastion itself, so the client need not wait: past 64 the
    channel ends, with at most that many rows recorded (attack p25o, finding 6)."""
    before = world.ctx.store.one("SELECT count(*) AS n FROM commands")["n"]
    conn = await logged_in(world, alice)
    async with conn:
        proc = await conn.create_process(f"scp -t {tmp_path}", encoding=None)
        assert await proc.stdout.readexactly(1) == b"\0"
        proc.stdin.write(b"".join(b"C0644 1 protected-%d\n" % n for n in range(2000)))
        result = await proc.wait(timeout=20)
    assert result.exit_status == 1 and b"files refused in one transfer" in result.stderr
    after = world.ctx.store.one("SELECT count(*) AS n FROM commands")["n"]
    assert after - before <= 66
    assert not any(tmp_path.glob("protected-*"))


async def test_refused_file_operations_are_capped_per_connection(world, tmp_path):
    """Reopening the channel restarted the count of 64: ~110 rows/s from one connection for as
    long as the grant lasted (attack q26o, finding 6). Past 256 the session ends, audited once.
    (A person of its own: the channel refusals after the end are audited once a minute each.)"""
    fred = world.person("fred")
    world.grant(fred, duration=3600)
    before = world.ctx.store.one("SELECT count(*) AS n FROM commands")["n"]
    records = b"".join(b"C0644 1 protected-%d\n" % n for n in range(100))
    opened = 0
    conn = await logged_in(world, fred)
    async with conn:
        with contextlib.suppress(asyncssh.Error, OSError):
            for _ in range(6):
                proc = await conn.create_process(f"scp -t {tmp_path}", encoding=None)
                opened += 1
                assert await proc.stdout.readexactly(1) == b"\0"
                proc.stdin.write(records)
                await proc.wait(timeout=20)
    after = world.ctx.store.one("SELECT count(*) AS n FROM commands")["n"]
    assert opened <= 4 and after - before <= 257 + opened, (opened, after - before)  # + scp -t rows
    killed = [e for e in world.events("session.killed")
              if "file operations refused on one connection" in e["data"]["reason"]]
    assert len(killed) == 1
    assert not any(tmp_path.glob("protected-*"))


async def test_alerted_file_operations_are_capped_per_connection(world, tmp_path):
    """An alerted operation passes, but each is a row, an audit event and a flagged event on
    every console: 2,000 pipelined SFTP opens made 660 rows/s (attack s28o, finding 4). Past
    1,024 recorded the session ends, audited once."""
    gail = world.person("gail")
    world.grant(gail, duration=3600)
    name = os.fsencode(tmp_path / "missing" / "noted")  # the target answers no such file
    conn = await logged_in(world, gail)
    async with conn:
        proc = await conn.create_process(subsystem="sftp", encoding=None)
        proc.stdin.write(sftp_packet(1, struct.pack(">I", 3)))
        assert (await read_packet(proc.stdout))[0] == 2  # VERSION
        with contextlib.suppress(asyncssh.Error, OSError):
            proc.stdin.write(b"".join(sftp_packet(3, struct.pack(">I", 10 + n), sftp_string(name),
                                                  struct.pack(">II", 0x1A, 0)) for n in range(1100)))
            await proc.wait(timeout=60)
    killed = [e for e in world.events("session.killed")
              if "file operations recorded on one connection" in e["data"]["reason"]]
    assert len(killed) == 1
    rows = world.ctx.store.one("SELECT count(*) AS n FROM commands WHERE session_id = ?",
                               (world.session_row("gail")["id"],))["n"]
    assert 1024 < rows <= 1026, rows


def test_legacy_scp_download_is_logged_with_its_digest(world, alice, tmp_path):
    remote = tmp_path / "remote.bin"
    remote.write_bytes(secrets.token_bytes(123_457))
    local = tmp_path / "local.bin"
    r = scp(alice, world, "-O", f"{REMOTE}:{remote}", str(local))
    assert r.returncode == 0, r.stderr
    assert local.read_bytes() == remote.read_bytes()
    record = recording.read_exec_record(last_recording(world, "alice", ".jsonl"))
    (entry,) = record["scp"]["files"]
    assert entry["path"] == str(remote) and entry["direction"] == "download"
    assert entry["sha256"] == hashlib.sha256(remote.read_bytes()).hexdigest()


@pytest.mark.skipif(not READS_JUDGED, reason="needs the policy's `<` pseudo-command")
def test_legacy_scp_download_of_a_protected_file_is_refused(world, alice, tmp_path):
    (tmp_path / "protected.txt").write_text("secret\n")
    (tmp_path / "open.txt").write_text("open\n")
    out = tmp_path / "out"
    out.mkdir()
    r = scp(alice, world, "-O", "-r", f"{REMOTE}:{tmp_path}/", str(out))
    assert r.returncode == 1 and b"protected.txt: denied: protected files are not read" in r.stderr
    got = {p.name for p in out.rglob("*")}
    assert "open.txt" in got and "protected.txt" not in got


# -- sftp ----------------------------------------------------------------------------------------

def sftp(who: Client, world: World, tmp_path: Path, commands: str) -> subprocess.CompletedProcess:
    batch = tmp_path / "batch"
    batch.write_text(commands)
    return subprocess.run(["sftp", *transfer_args(who, world), "-b", str(batch), REMOTE],
                          capture_output=True, env=who.env(), timeout=60)


def test_sftp_requests_on_protected_paths_are_refused_by_the_bastion(world, alice, tmp_path):
    keep = tmp_path / "protected-keep"
    keep.write_text("keep\n")
    src = tmp_path / "src.bin"
    src.write_bytes(secrets.token_bytes(200_000))
    steps = [
        (f"put {src} {tmp_path}/protected-new", "protected-new"),
        (f"rm {keep}", "protected-keep"),
        (f"rename {keep} {tmp_path}/moved", "protected-keep"),
        (f"chmod 777 {keep}", "protected-keep"),
        (f"symlink {keep} {tmp_path}/protected-link", "protected-link"),
    ]
    for command, _ in steps:
        # sftp -b stops at the first failing command: one per run, each must fail.
        r = sftp(alice, world, tmp_path, f"{command}\n")
        assert r.returncode != 0, command
        assert b"denied: protected files" in r.stderr or b"Permission denied" in r.stderr, r.stderr
    assert keep.read_text() == "keep\n" and oct(keep.stat().st_mode & 0o777) != "0o777"
    assert not (tmp_path / "protected-new").exists() and not (tmp_path / "moved").exists()
    assert not (tmp_path / "protected-link").is_symlink()
    r = sftp(alice, world, tmp_path, f"put {src} {tmp_path}/fine.bin\n")
    assert r.returncode == 0, r.stderr
    record = recording.read_exec_record(last_recording(world, "alice", ".jsonl"))
    (entry,) = record["sftp"]["files"]
    assert entry["sha256"] == hashlib.sha256(src.read_bytes()).hexdigest()
    world.bastion.output.wait_for(r"audit file\.transfer .*fine\.bin")
    transfer = [e["data"] for e in world.events("file.transfer")][-1]
    assert transfer["protocol"] == "sftp" and transfer["sha256"] == entry["sha256"]


SFTP_SERVER = Path("/usr/lib/openssh/sftp-server")


@pytest.mark.skipif(not SFTP_SERVER.exists(), reason="no sftp-server on this machine")
def test_an_sftp_server_run_as_a_command_is_judged_like_the_subsystem(world, alice, tmp_path):
    src = tmp_path / "x"
    src.write_text("x\n")
    for target, refused in ((f"{tmp_path}/protected-x", True), (f"{tmp_path}/fine-x", False)):
        batch = tmp_path / "batch"
        batch.write_text(f"put {src} {target}\n")
        r = subprocess.run(["sftp", "-s", str(SFTP_SERVER), *transfer_args(alice, world), "-b",
                            str(batch), REMOTE], capture_output=True, env=alice.env(), timeout=60)
        assert (r.returncode != 0) is refused, r.stderr
        assert Path(target).exists() is not refused


def test_scp_in_sftp_mode_is_judged_the_same_way(world, alice, tmp_path):
    src = tmp_path / "x"
    src.write_text("x\n")
    r = scp(alice, world, str(src), f"{REMOTE}:{tmp_path}/protected-by-scp")
    assert r.returncode != 0 and not (tmp_path / "protected-by-scp").exists()


# -- hostile clients -----------------------------------------------------------------------------

async def test_session_channels_are_capped_at_ten_and_the_refusal_is_audited_once(world, alice):
    conn = await logged_in(world, alice)
    async with conn:
        held = [await conn.create_process("cat", encoding=None)
                for _ in range(MAX_SESSION_CHANNELS)]
        for proc in held:
            proc.stdin.write(b"ready\n")
            assert await proc.stdout.readexactly(6) == b"ready\n"
        for _ in range(40):
            with pytest.raises(asyncssh.ChannelOpenError) as refused:
                await conn.create_process("true")
            assert refused.value.code == asyncssh.OPEN_RESOURCE_SHORTAGE
        session = world.session_row("alice")["id"]
        held[0].stdin.write_eof()
        await held[0].wait_closed()
        result = await conn.run("echo freed", encoding=None)
        assert result.stdout == b"freed\n"
        for proc in held[1:]:
            proc.stdin.write_eof()
            await proc.wait_closed()
    refusals = [e for e in world.events("channel.refused")
                if e["data"].get("session") == session and e["data"].get("kind") == "session"]
    assert len(refusals) == 1 and "at most 10" in refusals[0]["data"]["reason"]
    recordings = world.session_row("alice")["recordings"]
    assert len(recordings) == MAX_SESSION_CHANNELS + 1


async def idle_channel(conn: asyncssh.SSHClientConnection) -> asyncssh.SSHClientChannel:
    """A session channel opened and never asked for anything (what asyncssh's create_session
    does before its first request; asyncssh has no public call for it)."""
    chan = asyncssh.SSHClientChannel(conn, asyncio.get_running_loop(), "strict", None, "strict",
                                     1 << 20, 32768)
    await chan._open(b"session")
    return chan


async def test_command_interface_channels_are_capped_at_ten_and_the_refusal_is_audited_once(world):
    # Someone of their own: refusals are audited once a minute per person and kind, and the
    # login cap's test refuses alice's session channels too.
    carol = world.person("carol")
    conn, _ = await attempt(world, "carol", user_key(carol), code=carol.next_code())
    assert not isinstance(conn, Exception), conn
    async with conn:
        held = [await idle_channel(conn) for _ in range(MAX_SESSION_CHANNELS)]
        for _ in range(20):
            with pytest.raises(asyncssh.ChannelOpenError) as refused:
                await idle_channel(conn)
            assert refused.value.code == asyncssh.OPEN_RESOURCE_SHORTAGE
        held[0].close()
        await held[0].wait_closed()
        result = await conn.run("status")  # the place the closed one held is free again
        assert result.exit_status == 0
    refusals = [e for e in world.events("channel.refused")
                if e["actor"] == "carol"]
    assert len(refusals) == 1 and "at most 10" in refusals[0]["data"]["reason"]


@pytest.mark.parametrize(("records", "why"), [
    (b"C0644 5 ../escape\n", "not a file name"),
    (b"X nonsense\n", "unexpected record"),
    (b"C0644 5 ok\nhello" + b"C0644 1 next\n", "while an answer was awaited"),
    # The sink reads 2,047 bytes as the error line and the rest as a record nobody judged.
    pytest.param(b"\x01" + b"A" * 2046 + b"C0644 16 escape\n" + b"C0644 5 next\nhello\0",
                 "longer than scp reads as one line", id="record-inside-an-over-long-error-line"),
])
async def test_malformed_scp_records_end_the_channel_and_nothing_lands(world, alice, tmp_path,
                                                                     records, why):
    conn = await logged_in(world, alice)
    async with conn:
        proc = await conn.create_process(f"scp -t {tmp_path}", encoding=None)
        assert await proc.stdout.readexactly(1) == b"\0"
        proc.stdin.write(records)
        result = await proc.wait(timeout=20)
    assert result.exit_status == 1
    assert why in result.stderr.decode()
    assert not (tmp_path / "escape").exists() and not (tmp_path / "next").exists()
    assert any(why in e["data"]["reason"] for e in world.events("file.protocol_error"))


def sftp_packet(kind: int, *fields: bytes) -> bytes:
    body = bytes([kind]) + b"".join(fields)
    return struct.pack(">I", len(body)) + body


def sftp_string(value: bytes) -> bytes:
    return struct.pack(">I", len(value)) + value


async def read_packet(stdout: asyncssh.SSHReader) -> bytes:
    (length,) = struct.unpack(">I", await stdout.readexactly(4))
    return await stdout.readexactly(length)


async def test_unknown_sftp_extensions_are_answered_by_the_bastion_and_never_forwarded(
        world, alice, tmp_path):
    conn = await logged_in(world, alice)
    async with conn:
        proc = await conn.create_process(subsystem="sftp", encoding=None)
        proc.stdin.write(sftp_packet(1, struct.pack(">I", 3)))
        assert (await read_packet(proc.stdout))[0] == 2  # VERSION
        target = str(tmp_path / "made").encode()
        proc.stdin.write(sftp_packet(200, struct.pack(">I", 7),
                                     sftp_string(b"mkdir-everywhere@example.com"),
                                     sftp_string(target)))
        reply = await read_packet(proc.stdout)
        kind, rid, code = reply[0], *struct.unpack(">II", reply[1:9])
        assert (kind, rid, code) == (101, 7, 3)  # STATUS, permission denied
        assert b"not allowed through the bastion" in reply
        proc.stdin.write(sftp_packet(14, struct.pack(">I", 8), sftp_string(target),
                                     struct.pack(">I", 0)))
        assert (await read_packet(proc.stdout))[:9] == bytes([101]) + struct.pack(">II", 8, 0)
        proc.stdin.write_eof()
        await proc.wait_closed()
    assert (tmp_path / "made").is_dir()  # the ordinary mkdir went through, and only it


async def test_an_sftp_request_id_reused_before_its_answer_ends_the_channel(world, alice, tmp_path):
    """The second open would take the first's handle: writes and an fsetstat on the real file
    recorded and judged as the decoy's. The first opens a FIFO for reading, which sftp-server
    answers only once a writer comes: the server cannot answer it before the gate reads the
    second (the gate judges for 5 ms a turn, and a loaded machine let the answer in between)."""
    real, decoy = tmp_path / "real", tmp_path / "decoy"
    os.mkfifo(real)
    conn = await logged_in(world, alice)
    try:
        async with conn:
            proc = await conn.create_process(subsystem="sftp", encoding=None)
            proc.stdin.write(sftp_packet(1, struct.pack(">I", 3)))
            assert (await read_packet(proc.stdout))[0] == 2  # VERSION
            read, write = struct.pack(">II", 0x01, 0), struct.pack(">II", 0x02 | 0x08, 0)
            proc.stdin.write(sftp_packet(3, struct.pack(">I", 5), sftp_string(os.fsencode(real)), read)
                             + sftp_packet(3, struct.pack(">I", 5), sftp_string(os.fsencode(decoy)),
                                           write))
            result = await proc.wait(timeout=20)
    finally:
        with contextlib.suppress(OSError):  # let the server's open of the FIFO end
            os.close(os.open(real, os.O_WRONLY | os.O_NONBLOCK))
    assert result.exit_status == 1 and b"request id 5 reused" in result.stderr, result.stderr
    assert not decoy.exists()
    assert any("reused" in e["data"]["reason"] for e in world.events("file.protocol_error"))


async def test_an_sftp_request_sent_before_the_servers_version_ends_the_channel(world, alice,
                                                                             tmp_path):
    """Its layout depends on the version the server chooses: INIT(6) and a v6 OPEN in one write
    were judged as v3 (a read) and truncated a write-denied file on gesftpserver (attack q26o,
    finding 2). Nothing but the INIT passes; here a v3 OPEN that would create `early`."""
    early = tmp_path / "early"
    conn = await logged_in(world, alice)
    async with conn:
        proc = await conn.create_process(subsystem="sftp", encoding=None)
        proc.stdin.write(sftp_packet(1, struct.pack(">I", 3)) + sftp_packet(
            3, struct.pack(">I", 5), sftp_string(os.fsencode(early)), struct.pack(">II", 0x0A, 0)))
        result = await proc.wait(timeout=20)
    assert result.exit_status == 1 and b"before the server's VERSION" in result.stderr, result.stderr
    assert not early.exists()


async def test_paths_relative_to_the_logins_home_are_judged_where_they_land(world, alice, tmp_path):
    """An exec command and an sftp request run in the login's home: `../tmp/.../guarded/f` from
    there is the guarded file, however it is spelled."""
    guarded = tmp_path / "guarded"
    guarded.mkdir()
    home = os.path.expanduser(f"~{LOGIN}")
    relative = os.path.relpath(guarded / "f", home)
    assert relative.startswith("../")
    r = alice.run(f"{LOGIN}@web01", f"echo x > {relative}")
    assert r.returncode == 126 and b"guarded files are not written" in r.stderr, r.stderr
    assert not (guarded / "f").exists()
    conn = await logged_in(world, alice)
    async with conn:
        proc = await conn.create_process(subsystem="sftp", encoding=None)
        proc.stdin.write(sftp_packet(1, struct.pack(">I", 3)))
        assert (await read_packet(proc.stdout))[0] == 2  # VERSION
        # OPEN, flags WRITE|CREAT|TRUNC, no attributes: a hostile client sends the relative path.
        proc.stdin.write(sftp_packet(3, struct.pack(">I", 9), sftp_string(relative.encode()),
                                     struct.pack(">II", 0x02 | 0x08 | 0x10, 0)))
        reply = await read_packet(proc.stdout)
        assert reply[0] == 101 and struct.unpack(">II", reply[1:9]) == (9, 3), reply
        assert b"guarded files are not written" in reply
        proc.stdin.write_eof()
        await proc.wait_closed()
    assert not (guarded / "f").exists()


@pytest.mark.parametrize("command", [
    "env -C {guarded} scp -t .", "env --chdir={guarded} scp -t f",
    "/usr/lib/openssh/sftp-server -d {guarded}",
])
async def test_a_stream_started_in_another_directory_is_not_followed(world, alice, tmp_path,
                                                                    command):
    """Its relative names would be judged from the login's home and land in the guarded folder."""
    guarded = tmp_path / "guarded"
    guarded.mkdir()
    conn = await logged_in(world, alice)
    async with conn:
        proc = await conn.create_process(command.format(guarded=guarded), encoding=None)
        with contextlib.suppress(BrokenPipeError):  # refused already: what it sent is dropped
            proc.stdin.write(b"C0644 5 f\nhello\0" if "scp" in command else
                             sftp_packet(1, struct.pack(">I", 3)) + sftp_packet(
                                 3, struct.pack(">I", 5), sftp_string(b"f"),
                                 struct.pack(">II", 0x02 | 0x08 | 0x10, 0)))
        result = await proc.wait(timeout=20)
    # Refused unjudged, or (where the policy knows the directory: `env --chdir=DIR scp -t f` is
    # DIR/f) denied by the rule that guards the file it names.
    assert result.exit_status == 126, result.stderr
    assert UNJUDGED_SERVER in result.stderr or b"guarded files are not written" in \
        result.stderr, result.stderr
    assert not (guarded / "f").exists()


# -- a channel is what the bastion judged ---------------------------------------------------------

MODE_BYTES = {asyncssh.PTY_ISTRIP: 1, asyncssh.PTY_ECHO: 0, asyncssh.PTY_ICANON: 0,
              asyncssh.PTY_ISIG: 0, asyncssh.PTY_IXON: 0, asyncssh.PTY_ICRNL: 0,
              asyncssh.PTY_INLCR: 0, asyncssh.PTY_IGNCR: 0, asyncssh.PTY_IEXTEN: 0,
              asyncssh.PTY_OPOST: 0}  # the 8th bit stripped, every other byte passed raw


def pty_request(modes: dict[int, int]) -> tuple[bytes, ...]:
    from asyncssh.packet import String, UInt32

    packed = b"".join(bytes([k]) + struct.pack(">I", v) for k, v in modes.items()) + b"\0"
    return String("xterm"), UInt32(80), UInt32(24), UInt32(0), UInt32(0), String(packed)


class Collected(asyncssh.SSHClientSession):
    def __init__(self) -> None:
        self.data = bytearray()

    def data_received(self, data: bytes, datatype: int | None) -> None:
        self.data.extend(data)


@pytest.mark.parametrize("kind", ["exec", "shell", "subsystem"])
async def test_a_pty_asked_for_after_the_channel_started_is_refused(world, alice, tmp_path, kind):
    """asyncssh takes a pty-req at any time; the bastion chose the channel's gate already."""
    canary = tmp_path / "canary"
    conn = await logged_in(world, alice)
    async with conn:
        opened = {"exec": {"command": "bash"}, "shell": {}, "subsystem": {"subsystem": "sftp"}}
        chan, session = await conn.create_session(Collected, encoding=None, **opened[kind])
        assert await chan._make_request(b"pty-req", *pty_request({})) is False
        if kind == "subsystem":
            chan.write(sftp_packet(1, struct.pack(">I", 3)))
        else:
            # Without a pty this is a comment; on one, readline took \x15 as Ctrl-U.
            chan.write(f"# \x15touch {canary}\ntty; exit\n".encode())
            await chan.wait_closed()
            assert b"not a tty" in session.data
        chan.close()
        session_id = world.session_row("alice")["id"]
    assert not canary.exists()
    refused = [e["data"] for e in world.events("channel.request_refused")
               if e["data"].get("session") == session_id]
    assert [(r["channel_request"], "started" in r["reason"]) for r in refused] == [("pty-req", True)]


async def test_an_sftp_subsystem_asked_with_a_pty_runs_without_one(world, alice, tmp_path):
    """With the client's ISTRIP the target's line discipline would make the name the gate judged
    (every byte with its 8th bit set) into the protected one."""
    protected = tmp_path / "protected"
    conn = await logged_in(world, alice)
    async with conn:
        proc = await conn.create_process(subsystem="sftp", term_type="dumb",
                                         term_modes=MODE_BYTES, encoding=None)
        proc.stdin.write(sftp_packet(1, struct.pack(">I", 3)))
        assert (await read_packet(proc.stdout))[0] == 2  # VERSION, unchanged by any pty
        high = bytes(c | 0x80 for c in b"protected")
        proc.stdin.write(sftp_packet(3, struct.pack(">I", 5),
                                     sftp_string(os.fsencode(tmp_path) + b"/" + high),
                                     struct.pack(">II", 0x02 | 0x08 | 0x10, 0)))
        assert (await read_packet(proc.stdout))[0] == 102  # HANDLE: the name the gate judged
        proc.stdin.write_eof()
        await proc.wait_closed()
        session_id = world.session_row("alice")["id"]
    assert os.listdir(os.fsencode(tmp_path)) == [high]
    assert not protected.exists()
    (refused,) = [e["data"] for e in world.events("channel.request_refused")
                  if e["data"].get("session") == session_id]
    assert refused["reason"] == "a subsystem runs without a terminal"
    (opened,) = [e["data"] for e in world.events("channel.opened")
                 if e["data"].get("session") == session_id]
    assert opened["pty"] is False


async def test_only_harmless_terminal_modes_reach_the_targets_pty(world, alice):
    hostile = MODE_BYTES | {asyncssh.PTY_IUCLC: 1, asyncssh.PTY_OLCUC: 1,
                            asyncssh.PTY_VKILL: ord("a"), asyncssh.PTY_VEOL: ord(";"),
                            asyncssh.PTY_VERASE: 8, asyncssh.PTY_IUTF8: 1}
    conn = await logged_in(world, alice)
    async with conn:
        result = await conn.run("stty -a", term_type="xterm", term_modes=hostile, encoding=None)
    shown = result.stdout.decode()
    assert "erase = ^H;" in shown and "kill = ^U;" in shown and "eol = <undef>;" in shown, shown
    flags = set(shown.split())
    assert {"-istrip", "-iuclc", "-igncr", "-inlcr", "icrnl", "opost", "-olcuc", "icanon",
            "echo", "isig", "iexten", "iutf8"} <= flags, shown


@pytest.mark.parametrize(("asked", "given"), [
    ("screen", "screen"), ("foot", "xterm-256color"), ("xterm-kitty", "xterm-256color"),
    ("XTERM", "xterm-256color"), ("dumb", None), ("", "xterm-256color"),
])
async def test_a_terminal_type_without_bracketed_paste_never_reaches_the_target(world, alice,
                                                                               asked, given):
    """On `dumb` or a type without terminfo readline has no bracketed paste, so no backstop: a
    key an rc bound to accept-line ran a line unjudged (attack q26o, finding 3)."""
    conn = await logged_in(world, alice)
    async with conn:
        result = await conn.run("echo TERM=$TERM", term_type=asked, request_pty="force",
                                encoding=None)
    if given is not None:
        assert (result.exit_status, result.stdout) == (0, f"TERM={given}\r\n".encode())
        # the recording names the type the target got (attack s28o, finding 5)
        cast = last_recording(world, "alice", ".cast")
        assert json.loads(cast.read_text().splitlines()[0])["env"]["TERM"] == given
    else:
        assert result.exit_status == 126 and b"has no bracketed paste" in result.stderr, result
        assert b"TERM=" not in result.stdout


async def test_locales_bash_would_split_otherwise_never_reach_the_target(world, alice):
    """Under GBK the byte after the first byte of a character may be a backslash or a quote."""
    conn = await logged_in(world, alice)
    async with conn:
        env = {"LC_ALL": "zh_CN.GBK", "LC_CTYPE": "zh_TW", "LANG": "en_US.UTF-8",
               "LC_TIME": "C", "LC_MESSAGES": "POSIX"}
        shown = "echo ${LC_ALL-none} ${LC_CTYPE-none} $LANG $LC_TIME $LC_MESSAGES"
        for _ in range(2):
            result = await conn.run(shown, env=env, encoding=None)
            assert result.stdout == b"none none en_US.UTF-8 C POSIX\n"
        session_id = world.session_row("alice")["id"]
    (dropped,) = [e["data"] for e in world.events("session.env_dropped")
                  if e["data"].get("session") == session_id]
    assert dropped["names"] == ["LC_ALL", "LC_CTYPE"]


# -- statements on stdin -------------------------------------------------------------------------

DEPLOY = """#!/bin/bash
set -u
log() {{
  printf '%s\\n' "$*" >> {out}/deploy.log
}}
cat > {out}/app.conf <<'EOF'
{config}EOF
for step in one two three; do
  case $step in
    one) log "step $step" ;;
    *) log "then $step" ;;
  esac
done
if [ -s {out}/app.conf ]; then
  log "config $(wc -c < {out}/app.conf)"
fi
touch {out}/canary
log done
"""


def test_a_large_deploy_script_on_stdin_runs_statement_by_statement(world, alice, tmp_path):
    config = "".join(f"key{i} = value {i} with 'quotes' and $dollars\n" for i in range(120_000))
    script = DEPLOY.format(out=tmp_path, config=config)
    assert len(script) > 4_000_000
    r = alice.run(f"{LOGIN}@web01", "bash -s", input=script.encode(), timeout=90)
    assert r.returncode == 0, r.stderr[-500:]
    # The shebang is a comment to bash reading a script: nothing to judge, nothing refused.
    assert b"#!/bin/bash" not in r.stderr, r.stderr[-2000:]
    assert (tmp_path / "app.conf").read_text() == config, r.stderr[-2000:]
    assert (tmp_path / "deploy.log").read_text().splitlines() == [
        "step one", "then two", "then three", f"config {len(config)}", "done"]
    assert b"denied: canaries are not touched" in r.stderr
    assert not (tmp_path / "canary").exists()


def test_an_unfinished_statement_past_64_kib_is_dropped_and_what_follows_still_runs(
        world, alice, tmp_path):
    flood = b"echo '" + b"x\n" * 200_000 + b"'\n"
    script = flood + f"echo after > {tmp_path}/after\n".encode()
    r = alice.run(f"{LOGIN}@web01", extra=("-T",), input=script, timeout=90)
    assert b"more than 64 KiB of code" in r.stderr
    assert b"x\nx\n" not in r.stdout  # the flood never reached the shell
    assert (tmp_path / "after").read_text() == "after\n"
    verdicts = [e["data"] for e in world.events("command.verdict")
                if e["data"]["rule"] == "defaults.uncertain"]
    assert verdicts[-1]["verdict"] == "deny"


def test_a_role_without_file_transfers_cannot_use_legacy_scp(world, tmp_path):
    text = world.home.config_file.read_text()
    vendor = text.index("[roles.vendor]")
    end = text.index("\n[", vendor + 1) if "\n[" in text[vendor + 1:] else len(text)
    section = re.sub(r"(?m)^sftp = true", "sftp = false", text[vendor:end])
    world.home.config_file.write_text(text[:vendor] + section + text[end:])
    start = world.bastion.output.mark()
    world.bastion.proc.send_signal(1)  # SIGHUP
    world.bastion.output.wait_for(r"configuration reloaded", start=start)
    vic = world.person("vic", role="vendor")
    world.grant(vic)
    src = tmp_path / "x"
    src.write_text("x\n")
    r = scp(vic, world, "-O", str(src), f"{REMOTE}:{tmp_path}/landed")
    assert r.returncode != 0 and not (tmp_path / "landed").exists()
    assert b"file transfers are not allowed for the role vendor" in r.stderr
    r = scp(vic, world, str(src), f"{REMOTE}:{tmp_path}/landed")
    assert r.returncode != 0 and not (tmp_path / "landed").exists()
