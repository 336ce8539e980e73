"""Sealed keystrokes end to end: a real `bastion serve`, a real sshd and the OpenSSH client typing
blind in a pty, then `bastion recording unseal` and `bastion replay` run as the CLI."""

from __future__ import annotations

import io
import json
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from bastion import audit, recording
from bastion.access import sessions
from bastion.cli import main
from bastion.recording import escrow
from tests.conftest import set_server_key
from tests.harness import LOGIN, BastionProcess, World

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    w = World(tmp_path_factory.mktemp("escrow"))
    # At DEBUG the gate logs every submit: what was typed blind must not reach the log either.
    w.bastion.stop()
    w.bastion = BastionProcess(w.home, env={"BASTION_LOG_LEVEL": "DEBUG"}).start()
    yield w
    w.close()


def make_key(folder: Path, name: str) -> tuple[Path, escrow.EscrowKey]:
    pem, public = escrow.generate()
    path = folder / name
    path.write_bytes(pem)
    return path, public


def use_escrow_key(world: World, key: escrow.EscrowKey) -> None:
    """Put `key` in bastion.toml and reload the running bastion (SIGHUP)."""
    start = world.bastion.output.mark()
    set_server_key(world.home, "escrow_key", f'"{key.text}"')
    world.bastion.proc.send_signal(signal.SIGHUP)
    world.bastion.output.wait_for(f"sealed to escrow key {re.escape(key.fingerprint)}", start=start)


def cli(world: World, *args: str, stdin: bytes = b"") -> subprocess.CompletedProcess:
    """`bastion --home HOME ARGS...` as its own process, as an investigator runs it."""
    return subprocess.run([sys.executable, "-m", "bastion", "--home", str(world.home.path), *args],
                          input=stdin, capture_output=True, timeout=60)


def cli_here(world: World, *args: str) -> tuple[int, str, str]:
    """The same command line run in this process (no interpreter start-up to wait for)."""
    out, err = io.StringIO(), io.StringIO()
    return main(["--home", str(world.home.path), *args], out, err), out.getvalue(), err.getvalue()


def closed_casts(world: World, session: str) -> list[Path]:
    names = [n for n in sessions.get(world.ctx.store, session)["recordings"] if n.endswith(".cast")]
    for name in names:
        world.bastion.output.wait_for(rf"recording\.closed .*{name}")
    return [world.home.recordings / n for n in names]


def check_asciicast_v2(path: Path) -> None:
    """The rules asciinema's players read a v2 file by (asciinema 3's parser, src/asciicast/v2.rs):
    a header object with version 2 and a size; events [time >= 0, non-empty code, string data],
    where a code other than o, i, r, m is kept as "other" and never played."""
    lines = path.read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    assert header["version"] == 2
    assert 0 < header["width"] < 65536 and 0 < header["height"] < 65536
    assert all(isinstance(v, str) for v in header["env"].values())
    for line in lines[1:]:
        at, code, data = json.loads(line)
        assert isinstance(at, float | int) and at >= 0
        assert isinstance(code, str) and code and isinstance(data, str)


def test_serve_says_once_that_blind_keys_are_lost_without_an_escrow_key(world):
    lines = world.bastion.log().splitlines()
    assert sum("keys typed without echo are recorded as redaction markers only, and are lost" in line
               for line in lines) == 1


@pytest.fixture
def short_dir():
    """A folder with a short path: a command line longer than the terminal is wide wraps, and the
    gate reading a wrapped line is not what these tests are about."""
    path = Path(tempfile.mkdtemp(prefix="esc", dir="/tmp"))
    yield path
    shutil.rmtree(path)


def test_keys_typed_blind_are_sealed_and_unsealed_by_the_cli(world, tmp_path, short_dir):
    key_file, key = make_key(tmp_path, "escrow.key")
    use_escrow_key(world, key)
    script, canary = short_dir / "x.sh", short_dir / "blind-canary"
    term, at = world.shell("erin", "ready")
    # Typed blind at a password prompt (read -s), kept by the shell in a script file: a line
    # typed blind anywhere else is judged as a command and, unechoed, refused (fail closed).
    term.send(f"echo blind-$((6*7)); read -rs -p 'Password: ' pw; "
              f"printf '%s\\n' \"$pw\" > {script}\r".encode())
    at = term.expect(rb"Password: ", start=term.expect(rb"blind-42", start=at))
    term.send(f"touch {canary}\r".encode())
    term.prompt(start=at)
    term.proc.terminate()
    term.wait()
    person = world.person("erin")
    ran = person.run(f"{LOGIN}@web01", "sh", str(script))
    assert ran.returncode == 0, ran.stderr
    assert canary.exists()  # what was typed blind reached the target and ran

    session = next(r["id"] for r in sessions.list_sessions(world.ctx.store, include_ended=True)
                   if r["user"] == "erin")  # the first: the interactive one
    casts = closed_casts(world, session)
    typed = f"touch {canary}"
    raw = casts[0].read_text()
    assert typed not in raw and str(canary) not in raw
    header, events = recording.read_cast(casts[0])
    assert header["escrow"]["key"] == key.fingerprint
    # One marker, or several when the keys reached the bastion in parts (a loaded machine).
    markers = [d for _, c, d in events if c == "i" and d.startswith("[redacted ")]
    assert sum(int(d.split()[1]) for d in markers) == len(typed), markers
    check_asciicast_v2(casts[0])
    # No clear keys in the command log, the audit trail or the server's log either.
    lines = [r["line"] for r in world.ctx.store.all(
        "SELECT line FROM commands WHERE session_id = ?", (session,))]
    assert not any(str(canary) in line for line in lines)
    assert str(canary) not in json.dumps(list(audit.export(world.ctx.store)))
    assert str(canary) not in world.bastion.log()

    shown = cli(world, "recording", "unseal", session, "--key", "-", stdin=key_file.read_bytes())
    assert shown.returncode == 0, shown.stderr
    out = shown.stdout.decode()
    shown_sealed = "".join(line.split("  s  ", 1)[1] for line in out.splitlines()
                           if "  s  " in line)
    assert typed in shown_sealed, out
    assert all(f"  i  {marker}\n" in out for marker in markers), out
    unsealed = [e for e in audit.export(world.ctx.store) if e["type"] == "recording.unsealed"]
    assert unsealed[-1]["code"] == "S601"
    assert unsealed[-1]["data"]["session"] == session
    assert unsealed[-1]["data"]["sealed"] == sum(code == recording.SEALED for _, code, _ in events)

    played = cli(world, "replay", session, "--speed", "1000")
    assert played.returncode == 0, played.stderr
    assert b"blind-42" in played.stdout and str(canary).encode() not in played.stdout


def type_password(term, at: int, secret: str) -> None:
    """Type `secret` at a `read -s` prompt, then leave. (The secret must not start with "g": main's
    redactor takes the first output after Enter, "got-N", as the echo of a key it begins with.)"""
    term.send(b"read -s -p 'Password: ' pw; echo got-${#pw}\r")
    at = term.expect(rb"Password: ", start=at)
    term.send(secret.encode() + b"\r")
    term.prompt(start=term.expect(f"got-{len(secret)}".encode(), start=at))
    term.send(b"exit\r")
    assert term.wait() == 0


def test_a_new_escrow_key_applies_to_channels_opened_after_the_reload(world, tmp_path):
    old_file, old = make_key(tmp_path, "old.key")
    new_file, new = make_key(tmp_path, "new.key")
    use_escrow_key(world, old)
    before, at_before = world.shell("fay", "before")
    use_escrow_key(world, new)
    after, at_after = world.shell("gus", "after")
    type_password(before, at_before, "fay-secret")  # typed after the reload, in the older channel
    type_password(after, at_after, "hush-secret")
    fay, gus = world.session_row("fay")["id"], world.session_row("gus")["id"]
    assert recording.read_cast(closed_casts(world, fay)[0])[0]["escrow"]["key"] == old.fingerprint
    assert recording.read_cast(closed_casts(world, gus)[0])[0]["escrow"]["key"] == new.fingerprint

    code, _, err = cli_here(world, "recording", "unseal", fay, "--key", str(new_file))
    assert code == 1 and f"sealed to escrow key {old.fingerprint}" in err
    for session, secret in ((fay, "fay-secret"), (gus, "hush-secret")):
        code, out, err = cli_here(world, "recording", "unseal", session, "--key", str(old_file),
                                  "--key", str(new_file))
        assert code == 0 and f"  s  {secret}\n" in out, err
    assert "fay-secret" not in world.bastion.log() and "hush-secret" not in world.bastion.log()


def test_a_reload_that_removes_the_escrow_key_says_so_and_new_channels_are_not_sealed(world, tmp_path):
    _, key = make_key(tmp_path, "escrow.key")
    use_escrow_key(world, key)
    start = world.bastion.output.mark()
    set_server_key(world.home, "escrow_key", '""')
    world.bastion.proc.send_signal(signal.SIGHUP)
    world.bastion.output.wait_for("keys typed without echo are recorded as redaction markers only, "
                                  "and are lost", start=start)
    term, at = world.shell("hal", "plain")
    type_password(term, at, "hal-secret")
    cast = closed_casts(world, world.session_row("hal")["id"])[0]
    header, events = recording.read_cast(cast)
    assert "escrow" not in header and "hal-secret" not in cast.read_text()
    assert [d for _, c, d in events if c == "i" and d.startswith("[redacted")] == [
        "[redacted 10 keystrokes]"]
    assert recording.SEALED not in {c for _, c, _ in events}
