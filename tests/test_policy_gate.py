"""The policy's classes of bypass end to end: a real OpenSSH ssh and scp client, a real bastion
and a real sshd whose bash, rbash, dash and scp do what the line says.

One module-scoped world. The policy protects a folder of canary files by `paths`, so a gate
that fails shows as a file that exists; the breadth of each class is in tests/test_policy.py.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.harness import LOGIN, World

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    tmp = tmp_path_factory.mktemp("policy-gate")
    protected = tmp / "protected"
    protected.mkdir()
    policy = f"""
[defaults]
unmatched = "allow"
unknown = "confirm"
uncertain = "deny"
confirm_timeout = "5s"

[[rules]]
name = "no-protected-writes"
action = "deny"
commands = [">", "touch", "rm"]
paths = ["{protected}/**"]
message = "the protected folder is not changed"

[[rules]]
name = "alert-copy-out"
action = "alert"
commands = ["scp"]
message = "File transfer from the target."
"""
    w = World(tmp, policy=policy)
    w.protected = protected
    alice = w.person("alice")
    w.grant(alice, duration=3600)
    yield w
    w.close()


@pytest.mark.parametrize("shell", ["rbash", "dash", "bash -o emacs", "sh -o vi", "bash -O extglob"])
def test_a_shell_fed_on_stdin_has_each_statement_judged(world: World, shell: str) -> None:
    if shutil.which(shell.split()[0]) is None:
        pytest.skip(f"{shell.split()[0]} is not installed")
    alice = world.person("alice")
    canary = world.protected / f"canary-{shell.replace(' ', '_')}"
    script = f"echo first\ntouch {canary}\necho last\n".encode()
    r = alice.run(f"{LOGIN}@web01", shell, input=script)
    assert b"first" in r.stdout and b"last" in r.stdout, r.stderr
    assert b"denied: the protected folder is not changed" in r.stderr
    assert not canary.exists()


def test_a_protected_path_spelled_otherwise_is_refused(world: World) -> None:
    alice = world.person("alice")
    canary = world.protected / "spelled"
    spelled = f"{world.protected.parent}//protected/./x/../spelled"
    r = alice.run(f"{LOGIN}@web01", f"echo x >> {spelled}")
    assert r.returncode == 126
    assert b"denied: the protected folder is not changed" in r.stderr
    assert not canary.exists()


def scp(world: World, src: Path, remote: str) -> subprocess.CompletedProcess:
    alice = world.person("alice")
    base = alice.ssh_args(f"{LOGIN}@web01")
    port_at = base.index("-p")
    options = base[1:port_at] + base[port_at + 2:-1]
    return subprocess.run(
        ["scp", "-O", "-P", str(world.bastion.port), *options, str(src),
         f"{LOGIN}@web01@127.0.0.1:{remote}"],
        capture_output=True, env=alice.env(), timeout=60)


def test_legacy_scp_onto_a_protected_path_is_refused_with_the_rules_message(
    world: World, tmp_path: Path
) -> None:
    src = tmp_path / "payload"
    src.write_bytes(b"ALL ALL=(ALL) NOPASSWD: ALL\n")
    r = scp(world, src, f"{world.protected}/./sudoers")
    assert r.returncode != 0
    assert b"the protected folder is not changed" in r.stderr
    assert not (world.protected / "sudoers").exists()
    row = world.ctx.store.one("SELECT verdict, rule FROM commands WHERE line LIKE 'scp %sudoers' "
                              "ORDER BY id DESC LIMIT 1")
    assert row == {"verdict": "deny", "rule": "no-protected-writes"}


def test_legacy_scp_elsewhere_is_a_transfer_not_a_copy_out_alert(
    world: World, tmp_path: Path
) -> None:
    src = tmp_path / "notes"
    src.write_bytes(b"hello\n")
    remote = tmp_path / "uploaded"
    r = scp(world, src, str(remote))
    assert r.returncode == 0, r.stderr
    assert remote.read_bytes() == b"hello\n"
    row = world.ctx.store.one("SELECT verdict, rule FROM commands WHERE line LIKE 'scp %uploaded' "
                              "ORDER BY id DESC LIMIT 1")
    assert row["verdict"] == "allow", row
