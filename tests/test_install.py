"""A fresh install that works every time, as an admin meets it.

- No dependency's warning reaches a user: every entry point, as a process, prints only the
  bastion's own words (nothing on stderr on success, one line on a refusal).
- The wheel is complete: built from this checkout, installed into a new venv outside it (its
  dependencies from requirements.lock, hashes checked), it runs `init`, `user add`, `serve` and a
  real ssh session through it. The systemd unit verifies against that installed path.
- Upgrades keep everything: a home made by the last release (7c3e405, taken from this
  repository's history and installed in a venv of its own) is served by this code.

The venvs take their packages from pip's cache, which `make test` filled from the same lock, and
are made with --no-compile: about 4 s each here. The tests marked `install` are left out of a
plain `pytest` run; `make test` runs them with the rest (`-m 'not slow'`).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tarfile
import time
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pyotp
import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from bastion.access import mfa
from bastion.runtime import home as home_mod
from bastion.runtime.home import Home
from bastion.store import SCHEMA_VERSION
from tests.conftest import add_target, make_key
from tests.harness import LOGIN, BastionProcess, Client, Sshd, Terminal
from tests.rows import each
from tests.test_store import LAST_RELEASE, schema

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module", autouse=True)
def _bytecode_written():
    """Python as an admin's shell runs it, writing bytecode: the venvs here are made with
    --no-compile (seconds saved), so where PYTHONDONTWRITEBYTECODE is set (containers, CI
    images) every `bastion` started from them compiled asyncssh, the bastion and the rest anew:
    this file's install tests took 65 s of CPU, and 43 s with bytecode written."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("PYTHONDONTWRITEBYTECODE", raising=False)
        yield


# What a dependency prints when it warns: "<file>:<line>: <Category>Warning: <text>".
DEPENDENCY_WARNING = re.compile(r"Warning: |warnings\.warn")


def clean_env(**extra: str) -> dict[str, str]:
    """The environment of an admin's shell: nothing that points Python at this checkout."""
    drop = ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "BASTION_HOME", "PYTHONWARNINGS")
    return {k: v for k, v in os.environ.items() if k not in drop} | extra


def run(argv: list, *, cwd: Path | None = None, env: dict[str, str] | None = None,
        timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in argv], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=timeout)


def pip(python: Path, *args: object) -> None:
    """This interpreter's pip, acting on another venv (`--python`): one pip, one cache. Without
    PYTHONPATH, which would show pip this checkout as installed already."""
    proc = run([sys.executable, "-m", "pip", "--python", python, "--disable-pip-version-check",
                "-qq", *args], env=clean_env(), timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr


# The last lock that still held sqlite-utils, which the last release imports (it was dropped
# from the project later): the last release's venv is built from it, hashes checked.
RELEASE_LOCK_COMMIT = "9c7dbbd167b1693e2ba0ba959da15072b7c03a1c"


def locked_venv(path: Path, lock: Path = REPO / "requirements.lock") -> Path:
    """A new venv holding exactly `lock` (hashes checked); returns its python."""
    proc = run([sys.executable, "-m", "venv", "--without-pip", path], env=clean_env())
    assert proc.returncode == 0, proc.stderr
    python = path / "bin" / "python"
    pip(python, "install", "--no-compile", "--require-hashes", "-r", lock)
    return python


def copy_checkout(dest: Path) -> None:
    """What a clone of this checkout would hold, with its uncommitted changes: git's files,
    tracked and untracked, not ignored (so no .venv, build/ or egg-info leftovers)."""
    listed = subprocess.run(["git", "-C", str(REPO), "ls-files", "-z", "--cached", "--others",
                             "--exclude-standard"], capture_output=True, check=True).stdout
    for name in filter(None, listed.decode().split("\0")):
        src = REPO / name
        if not os.path.lexists(src):
            continue  # deleted in the work tree, not yet committed
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if src.is_symlink():
            target.symlink_to(os.readlink(src))
        else:
            shutil.copy2(src, target)


def totp_secret(user_add_output: str) -> str:
    uri = re.search(r"otpauth://\S+", user_add_output).group(0)
    return parse_qs(urlparse(uri).query)["secret"][0]


def fresh_code(db: Path, user: str, secret: str) -> str:
    """What the person's authenticator shows, for a step the bastion has not accepted yet.

    Read with sqlite3, not the Store: opening the store with this code would upgrade an old
    database before the test means it to be."""
    conn = sqlite3.connect(str(db))
    try:
        row = conn.execute("SELECT last_step FROM mfa WHERE user = ?", (user,)).fetchone()
        current = int(time.time() // mfa.STEP)
        step = max(current, (row[0] if row else -1) + 1)
        if step > current + 1:  # several logins in one step: as if time had passed
            conn.execute("UPDATE mfa SET last_step = ? WHERE user = ?", (current - 1, user))
            conn.commit()
            step = current
    finally:
        conn.close()
    return pyotp.TOTP(secret).generate_otp(step)


def assert_quiet_success(proc: subprocess.CompletedProcess) -> None:
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == "", proc.stderr


def assert_one_line_refusal(proc: subprocess.CompletedProcess, text: str) -> None:
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stderr.count("\n") == 1 and text in proc.stderr, proc.stderr
    assert not DEPENDENCY_WARNING.search(proc.stderr), proc.stderr


# ---------------------------------------------------------------- the locks

def lock_entries(path: Path) -> list[tuple[Requirement, int]]:
    """Each pinned requirement of a lock, with how many file hashes it lists."""
    entries: list[tuple[Requirement, int]] = []
    for line in path.read_text().splitlines():
        if line.startswith("    --hash="):
            entries[-1] = (entries[-1][0], entries[-1][1] + 1)
        elif line and not line.startswith((" ", "#")):
            entries.append((Requirement(line.rstrip(" \\")), 0))
    return entries


def test_the_locks_pin_every_dependency_of_pyproject_within_its_range_with_hashes():
    """A dependency added to pyproject.toml without `make lock` fails here, by name, not as an
    ImportError somewhere in the suite."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    wanted = [*project["project"]["dependencies"],
              *project["project"]["optional-dependencies"]["test"],
              *project["build-system"]["requires"]]
    test_lock = lock_entries(REPO / "requirements-test.lock")
    runtime_lock = lock_entries(REPO / "requirements.lock")
    for lock in (test_lock, runtime_lock):
        for req, hashes in lock:
            (spec,) = req.specifier
            assert spec.operator == "==" and hashes > 0, f"{req} is not pinned with hashes"
    pins = {}
    for req, _ in test_lock:
        pins.setdefault(canonicalize_name(req.name), []).append(next(iter(req.specifier)).version)
    for text in wanted:
        req = Requirement(text)
        versions = pins.get(canonicalize_name(req.name), [])
        assert versions and all(req.specifier.contains(v) for v in versions), (
            f"requirements-test.lock has {req.name} {versions or 'not at all'}, pyproject.toml "
            f"asks for {req}: run `make lock`")
    # The runtime lock is the same versions, fewer of them.
    assert {str(r) for r, _ in runtime_lock} <= {str(r) for r, _ in test_lock}
    runtime_names = {canonicalize_name(r.name) for r, _ in runtime_lock}
    for text in [*project["project"]["dependencies"], *project["build-system"]["requires"]]:
        assert canonicalize_name(Requirement(text).name) in runtime_names, text


def test_make_test_runs_the_install_tests():
    """A plain `pytest` leaves out the tests marked `install` (pyproject's addopts); `make test`
    selects `-m 'not slow'`, so they run in the same pytest run as the rest, on a worker of
    their own, while the other workers run the rest."""
    recipe = (REPO / "Makefile").read_text().split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert "-m pytest" in recipe and "-m 'not slow'" in recipe, recipe
    assert "not install" in tomllib.loads((REPO / "pyproject.toml").read_text())["tool"][
        "pytest"]["ini_options"]["addopts"]


# ---------------------------------------------------------------- warnings, in this environment

def test_every_command_prints_only_the_bastions_words(tmp_path):
    home = tmp_path / "home"
    bastion = [sys.executable, "-m", "bastion", "--home", home]
    key, _ = make_key(tmp_path, "alice")
    assert_quiet_success(run([*bastion, "init", "--hostname", "bastion.test"]))
    added = run([*bastion, "user", "add", "alice", "--role", "engineer", "--key", f"{key}.pub"])
    assert_quiet_success(added)
    for argv in (["user", "list", "--json"], ["sessions", "--all"], ["audit", "verify"],
                 ["krl", "--out", tmp_path / "krl"]):
        assert_quiet_success(run([*bastion, *argv]))
    # The demo's TOTP helper, with a demo secret where `make run` keeps it.
    (home / "demo").mkdir()
    (home / "demo" / "alice.totp").write_text(totp_secret(added.stdout))
    code = run([sys.executable, "-m", "bastion.cli.demo", "totp", "alice"],
               env=clean_env(PYTHONPATH=str(REPO), BASTION_HOME=str(home)))
    assert_quiet_success(code)
    assert re.fullmatch(r"\d{6}\n", code.stdout)


@pytest.mark.parametrize(("argv", "text"), [
    (["--home", "{home}/none", "sessions"], "not a bastion home"),
    (["--home", "{home}", "user", "add", "bob", "--role", "wizard", "--key", "/dev/null"],
     "role 'wizard'"),
    (["--home", "{home}", "approve", "r404"], "no such request"),
    (["--home", "{home}", "replay", "s404"], "no such session"),
    # The console imports asyncssh only to connect: that import is quiet too.
    (["tui", "--connect", "sam@127.0.0.1", "--identity", "{home}/no-such-key"],
     "no such identity file"),
])
def test_a_refusal_is_one_line_of_the_bastions_own(tmp_path_factory, argv, text):
    home = tmp_path_factory.getbasetemp() / "refusals"
    if not home.exists():
        home_mod.init(Home(home))
    argv = [a.format(home=home) for a in argv]
    assert_one_line_refusal(run([sys.executable, "-m", "bastion", *argv]), text)


def test_the_demo_totp_helper_refuses_in_one_line(tmp_path):
    proc = run([sys.executable, "-m", "bastion.cli.demo", "totp", "alice"],
               env=clean_env(PYTHONPATH=str(REPO), BASTION_HOME=str(tmp_path)))
    assert_one_line_refusal(proc, "no demo TOTP secret for alice")


# bastion itself: every test here runs it.
@each("module", ["certs", "tui.app"])
def test_each_package_imported_on_its_own_is_quiet(module):
    proc = run([sys.executable, "-c", f"import {module}"],
               env=clean_env(PYTHONPATH=str(REPO)))
    assert_quiet_success(proc)


def test_the_filter_names_one_category_from_one_module_and_nothing_else():
    script = """
import warnings
import certs
from cryptography.utils import CryptographyDeprecationWarning as Deprecated
with warnings.catch_warnings(record=True) as caught:
    for text, category, module in [("from asyncssh", Deprecated, "asyncssh.crypto.misc"),
                                   ("from elsewhere", Deprecated, "paramiko.dsskey"),
                                   ("from asyncsshx", Deprecated, "asyncsshx"),
                                   ("another kind", UserWarning, "asyncssh.connection")]:
        warnings.warn_explicit(text, category, "x.py", 1, module=module)
print(sorted(str(w.message) for w in caught))
"""
    proc = run([sys.executable, "-c", script], env=clean_env(PYTHONPATH=str(REPO)))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "['another kind', 'from asyncsshx', 'from elsewhere']"


def test_serve_logs_no_dependency_warning(home):
    server = BastionProcess(home).start()
    assert server.stop(signal.SIGTERM) == 0
    assert not DEPENDENCY_WARNING.search(server.log()), server.log()
    assert "Traceback" not in server.log()


# ---------------------------------------------------------------- the wheel, installed for real

@dataclass
class Installed:
    root: Path
    python: Path
    bastion: Path
    wheel: Path


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Installed:
    root = tmp_path_factory.mktemp("install")
    copy_checkout(root / "src")
    python = locked_venv(root / "venv")
    # Built with the locked setuptools inside that venv, not whatever runs the tests.
    pip(python, "wheel", "--no-deps", "--no-build-isolation", "-w", root / "dist", root / "src")
    (wheel,) = (root / "dist").glob("bastion-*.whl")
    pip(python, "install", "--no-deps", "--no-compile", wheel)
    return Installed(root, python, root / "venv" / "bin" / "bastion", wheel)


@pytest.mark.install
def test_the_wheel_ships_the_default_configuration_and_only_the_packages(installed):
    with zipfile.ZipFile(installed.wheel) as wheel:
        names = set(wheel.namelist())
        for name in ("bastion.toml", "policy.toml"):
            assert wheel.read(f"bastion/defaults/{name}") == (REPO / "config" / name).read_bytes()
        assert "tui/app.tcss" in names
        assert {n.split("/")[0] for n in names if not n.startswith("bastion-")} == {
            "bastion", "certs", "tui"}


@pytest.mark.install
def test_the_installed_wheel_runs_init_user_add_serve_and_a_session(installed):
    root = installed.root / "admin"
    root.mkdir()
    env = clean_env()
    home = Home(root / "home")
    bastion = [installed.bastion, "--home", home.path]
    assert_quiet_success(run([*bastion, "init", "--hostname", "bastion.test"], cwd=root, env=env))
    assert home.config_file.read_bytes() == (REPO / "config" / "bastion.toml").read_bytes()
    assert home.policy_file.read_bytes() == (REPO / "config" / "policy.toml").read_bytes()
    key, _ = make_key(root, "alice")
    added = run([*bastion, "user", "add", "alice", "--role", "engineer", "--key", f"{key}.pub"],
                cwd=root, env=env)
    assert_quiet_success(added)
    assert_one_line_refusal(run([*bastion, "user", "add", "bob", "--role", "wizard", "--key",
                                 f"{key}.pub"], cwd=root, env=env), "role 'wizard'")
    sshd = Sshd(root / "sshd", ca_pub=Path(f"{home.target_ca}.pub")).start()
    server = None
    try:
        add_target(home, "web01", port=sshd.port, logins=(LOGIN,), host_keys=(sshd.host_pub,))
        server = BastionProcess(home, command=[str(installed.bastion)], env={"PYTHONPATH": ""})
        server.start()
        alice = Client("alice", key, totp_secret(added.stdout), home, server, root)
        asked = alice.run("alice", "request", "--target", "web01", "--login", LOGIN, "--ticket",
                          "INC-1", "--duration", "30m", "--reason", "wheel")
        assert asked.stdout.startswith(b"request r1 pending"), asked.stderr
        assert_quiet_success(run([*bastion, "approve", "r1"], cwd=root, env=env))
        session = alice.run(f"{LOGIN}@web01", "echo from-the-wheel")
        assert session.returncode == 0 and session.stdout == b"from-the-wheel\n", session.stderr
        assert server.stop(signal.SIGTERM) == 0
        log = server.log()
        assert not DEPENDENCY_WARNING.search(log) and "Traceback" not in log, log
        assert_quiet_success(run([*bastion, "audit", "verify"], cwd=root, env=env))
    finally:
        if server is not None:
            server.stop()
        sshd.stop()


@pytest.mark.install
def test_the_systemd_unit_verifies_with_the_installed_path(installed, tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed here (apt-get install systemd)")
    unit = (REPO / "contrib" / "bastion.service").read_text()
    settings = dict(re.findall(r"(?m)^(\w+)=(.*)$", unit))
    assert settings["ExecStart"].split()[1:] == ["--home", "/var/lib/bastion", "serve"]
    assert settings["ExecReload"] == "/bin/kill -HUP $MAINPID"
    for key, value in {"User": "bastion", "NoNewPrivileges": "yes", "ProtectSystem": "strict",
                       "ReadWritePaths": "/var/lib/bastion", "PrivateTmp": "yes",
                       "ProtectHome": "yes", "StateDirectory": "bastion",
                       "CapabilityBoundingSet": "", "KillSignal": "SIGTERM"}.items():
        assert settings[key] == value, key
    assert int(settings["LimitNOFILE"]) >= 65536 and "TimeoutStopSec" in settings
    assert set(settings["RestrictAddressFamilies"].split()) == {"AF_INET", "AF_INET6", "AF_UNIX"}
    assert "#CapabilityBoundingSet=CAP_NET_BIND_SERVICE" in unit

    def verify(text: str) -> subprocess.CompletedProcess:
        path = tmp_path / "bastion.service"
        path.write_text(text)
        return run([analyze, "verify", path], cwd=tmp_path)

    known_good = verify("[Service]\nExecStart=/bin/true\n")
    if known_good.returncode != 0 or known_good.stderr:
        pytest.skip(f"systemd cannot run here: {(known_good.stderr or 'verify failed').strip()}")
    installed_unit = unit.replace(settings["ExecStart"].split()[0], str(installed.bastion))
    proc = verify(installed_unit)
    assert proc.returncode == 0 and proc.stdout + proc.stderr == "", proc.stderr
    # The check can fail: a misspelt sandboxing directive is reported.
    misspelt = verify(installed_unit.replace("ProtectSystem=", "ProtectSytem="))
    assert "ProtectSytem" in misspelt.stderr


# ---------------------------------------------------------------- upgrade from the last release

def last_release(dest: Path) -> None:
    """The last release's files, from this repository's own history."""
    shallow = run(["git", "-C", REPO, "rev-parse", "--is-shallow-repository"]).stdout.strip()
    found = run(["git", "-C", REPO, "cat-file", "-e", f"{LAST_RELEASE}^{{commit}}"])
    if found.returncode != 0 and shallow == "true":
        pytest.skip(f"a shallow clone: the last release {LAST_RELEASE} is not in its history")
    assert found.returncode == 0, f"{LAST_RELEASE} is not in this repository's history"
    archive = subprocess.run(["git", "-C", str(REPO), "archive", "--format=tar", LAST_RELEASE],
                             capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(dest, filter="data")


@pytest.mark.install
def test_a_home_made_by_the_last_release_is_served_by_this_one(installed, tmp_path_factory):
    root = tmp_path_factory.mktemp("upgrade")
    last_release(root / "release")
    release_lock = root / "release.lock"
    release_lock.write_bytes(subprocess.run(
        ["git", "-C", str(REPO), "show", f"{RELEASE_LOCK_COMMIT}:requirements.lock"],
        capture_output=True, check=True).stdout)
    old_python = locked_venv(root / "venv", release_lock)
    # As the release was installed: from its checkout, with `pip install -e`.
    pip(old_python, "install", "--no-deps", "--no-build-isolation", "-e", root / "release")
    old = [root / "venv" / "bin" / "bastion", "--home", root / "home"]
    new = [installed.bastion, "--home", root / "home"]
    env = clean_env()
    home = Home(root / "home")

    # 1. The last release makes a home: users, a grant, a recorded session, audit events.
    assert run([*old, "init", "--hostname", "bastion.test"], cwd=root, env=env).returncode == 0
    secrets = {}
    for name, role in (("alice", "engineer"), ("sam", "supervisor")):
        key, _ = make_key(root, name)
        added = run([*old, "user", "add", name, "--role", role, "--key", f"{key}.pub"], env=env)
        assert added.returncode == 0, added.stderr
        secrets[name] = totp_secret(added.stdout)
    sshd = Sshd(root / "sshd", ca_pub=Path(f"{home.target_ca}.pub")).start()
    servers: list[BastionProcess] = []
    try:
        add_target(home, "web01", port=sshd.port, logins=(LOGIN,), host_keys=(sshd.host_pub,))
        servers.append(BastionProcess(home, command=[str(old[0])], env={"PYTHONPATH": ""}).start())
        alice = Client("alice", root / "alice", secrets["alice"], home, servers[-1], root)
        sam = Client("sam", root / "sam", secrets["sam"], home, servers[-1], root)

        def code(who: Client) -> str:
            return fresh_code(home.db, who.name, who.secret)

        asked = alice.run("alice", "request", "--target", "web01", "--login", LOGIN, "--ticket",
                          "INC-7", "--duration", "2h", "--reason", "before the upgrade",
                          code=code(alice))
        assert asked.stdout.startswith(b"request r1 pending"), asked.stderr
        assert run([*old, "approve", "r1"], env=env).returncode == 0
        term = Terminal(alice.ssh_args(f"{LOGIN}@web01", extra=("-t",)), alice.env(code(alice)))
        at = term.prompt()
        term.send(b"echo upgrade-$((6*7))\n")
        term.prompt(start=term.expect(rb"upgrade-42", start=at))
        term.send(b"exit\n")
        term.wait()
        assert servers[-1].stop(signal.SIGTERM) == 0
        db = sqlite3.connect(str(home.db))
        old_events = db.execute("SELECT count(*) FROM events").fetchone()[0]
        (session_id, recordings), = db.execute("SELECT id, recordings FROM sessions").fetchall()
        cast_name = next(n for n in json.loads(recordings) if n.endswith(".cast"))
        digest = db.execute("SELECT sha256 FROM recordings WHERE path LIKE ?",
                            (f"%{cast_name}",)).fetchone()[0]
        db.close()
        assert old_events > 10 and digest

        # 2. This code serves it: the schema is upgraded (a copy kept) to a new home's schema.
        servers.append(BastionProcess(home, command=[str(new[0])], env={"PYTHONPATH": ""}).start())
        assert f"schema upgraded from version 1 to {SCHEMA_VERSION}" in servers[-1].log()
        assert_quiet_success(run([installed.bastion, "--home", root / "fresh", "init"], env=env))
        assert schema(home.db) == schema(root / "fresh" / "bastion.db")
        assert (home.path / "bastion.db.v1-backup").stat().st_mode & 0o777 == 0o600
        for who in (alice, sam):
            who.bastion = servers[-1]
        # The audit chain holds across the upgrade, old events and new ones.
        verified = run([*new, "audit", "verify"], env=env)
        assert_quiet_success(verified)
        assert int(re.search(r"(\d+) events", verified.stdout).group(1)) > old_events
        # The old recording is intact and replays.
        cast = home.recordings / cast_name
        assert hashlib.sha256(cast.read_bytes()).hexdigest() == digest
        replayed = run([*new, "replay", session_id, "--speed", "1000"], env=env)
        assert_quiet_success(replayed)
        assert "upgrade-42" in replayed.stdout
        listed = json.loads(run([*new, "sessions", "--all", "--json"], env=env).stdout)
        assert [(s["id"], s["state"]) for s in listed] == [(session_id, "ended")]
        # The users log in: alice on her old grant, sam on the command interface.
        again = alice.run(f"{LOGIN}@web01", "echo after-upgrade", code=code(alice))
        assert again.returncode == 0 and again.stdout == b"after-upgrade\n", again.stderr
        supervised = sam.run("sam", "sessions", "--all", code=code(sam))
        assert supervised.returncode == 0 and session_id.encode() in supervised.stdout
        assert servers[-1].stop(signal.SIGTERM) == 0
        assert "Traceback" not in servers[-1].log(), servers[-1].log()
        assert_quiet_success(run([*new, "audit", "verify"], env=env))
    finally:
        for server in servers:
            server.stop()
        sshd.stop()
