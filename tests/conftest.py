"""Shared fixtures: an initialised home folder, users with keys, and helpers to extend bastion.toml."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import asyncssh
import pytest

from bastion import config
from bastion.access import mfa, users
from bastion.command_control.policy import Policy, load_policy
from bastion.runtime import home as home_mod
from bastion.runtime.home import Context, Home


def append_toml(home: Home, text: str) -> None:
    with open(home.config_file, "a", encoding="utf-8") as f:
        f.write("\n" + text.strip() + "\n")


def add_target(home: Home, name: str, *, host: str = "127.0.0.1", port: int = 22,
               logins: tuple[str, ...] = ("deploy", "root"), host_keys: tuple[str, ...] = (),
               extra: str = "") -> None:
    placeholder = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"
    keys = list(host_keys) or [placeholder]
    logins_toml = ", ".join(f'"{x}"' for x in logins)
    keys_toml = ", ".join(f'"{k}"' for k in keys)
    append_toml(home, f"""
[targets.{name}]
host = "{host}"
port = {port}
logins = [{logins_toml}]
host_keys = [{keys_toml}]
{extra}
""")


def make_key(directory: Path, name: str) -> tuple[Path, asyncssh.SSHKey]:
    """An Ed25519 key pair written as NAME and NAME.pub (OpenSSH formats, private 0600)."""
    key = asyncssh.generate_private_key("ssh-ed25519", comment=name)
    path = directory / name
    key.write_private_key(str(path))
    path.chmod(0o600)
    key.write_public_key(str(path) + ".pub")
    return path, key


@pytest.fixture
def home(tmp_path: Path) -> Home:
    h = Home(tmp_path / "home")
    home_mod.init(h, "bastion.test")
    add_target(h, "web01")
    add_target(h, "db01", logins=("postgres",))
    return h


@pytest.fixture
def ctx(home: Home) -> Iterator[Context]:
    c = home_mod.open_home(home)
    yield c
    c.close()


class Person:
    def __init__(self, name: str, key_path: Path, key: asyncssh.SSHKey, secret: str) -> None:
        self.name, self.key_path, self.key, self.secret = name, key_path, key, secret

    def code(self, at: float | None = None) -> str:
        return mfa.current_code(self.secret, at)


@pytest.fixture
def enrol(ctx: Context, tmp_path: Path):
    """enrol(name, role) -> Person with key files and TOTP secret."""
    keys = tmp_path / "keys"
    keys.mkdir(exist_ok=True)

    def _enrol(name: str, role: str = "engineer") -> Person:
        path, key = make_key(keys, name)
        users.add(ctx.store, name, role, key.convert_to_public(), "local:test")
        enrolment = mfa.enrol(ctx.store, ctx.box, name, "bastion.test")
        return Person(name, path, key, enrolment.secret)

    return _enrol


def ssh_keygen(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["ssh-keygen", *args], capture_output=True, text=True, timeout=30)


def set_server_key(home: Home, key: str, value: str) -> None:
    """Replace `key = ...` in bastion.toml's [server] table (the default file sets every key)."""
    import re

    text = home.config_file.read_text()
    new, count = re.subn(rf"(?m)^{re.escape(key)} = .*$", f"{key} = {value}", text, count=1)
    assert count == 1, key
    home.config_file.write_text(new)


class ControlApp:
    """What bastion.control.operations.ControlConnection needs of the running server, over a real store and
    configuration, for pure tests of the control operations."""

    def __init__(self, ctx: Context) -> None:
        self.store, self.config, self.home = ctx.store, ctx.config, ctx.home
        self.subscribers: set = set()
        self.live: dict = {}

    def enforce(self) -> None:
        pass

    def publish(self, event: str, **data: object) -> None:
        pass

    def held_decided(self, held_id: str) -> None:
        pass


@pytest.fixture(scope="session")
def default_policy() -> Policy:
    """The shipped policy (config/policy.toml), loaded once: Policy is frozen, so tests share it."""
    return load_policy(config.DEFAULTS_DIR / "policy.toml")


# What each of the longest files took in `make test` (seconds of a worker, from the per-test
# durations of a full run on a loaded 2-core machine scaled to a quiet one: only their order
# matters). A file not named here is weighed by its tests: a second and a half for each
# end-to-end test (marked `integration`), a fifth for each pure one (a table of rows is one
# test, tests/rows.py). Renew from `pytest --durations=0 --junitxml=...`
# (a file's sum of its tests' times) when the order of the longest files changes.
FILE_WEIGHTS = {
    "test_interactive_gate": 147, "test_install": 90, "test_policy_gate": 71, "test_channels": 54,
    "test_hardening": 46, "test_cli": 29, "test_server_lifecycle": 27, "test_tui": 26,
    "test_policy_bash": 21, "test_command_control": 20, "test_ending": 19, "test_policy": 19,
    "test_everyday": 16, "test_display": 16, "test_rights": 15, "test_fuzz": 13, "test_server": 10,
    "test_escrow_session": 9, "test_store": 7, "test_demo": 6, "test_forwarding": 6,
    "test_shutdown": 6, "test_attack_a36i": 5, "test_attack_y34o": 5, "test_protocol": 5,
}


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest files first, so that `make test` (`--dist loadfile --no-loadscope-reorder`:
    a file per worker, in this order) ends with short files on both workers instead of one long
    file holding a worker while the other idles (xdist's own order, most tests first, sent the
    end-to-end files last). Only the order of whole files changes."""
    files: dict[str, list[pytest.Item]] = {}
    for item in items:
        files.setdefault(item.nodeid.split("::", 1)[0], []).append(item)

    def weight(name: str) -> float:
        tests = files[name]
        known = FILE_WEIGHTS.get(Path(name).stem)
        if known is not None:
            return known
        return sum(1.5 if t.get_closest_marker("integration") else 0.2 for t in tests)

    items[:] = [item for name in sorted(files, key=weight, reverse=True) for item in files[name]]
