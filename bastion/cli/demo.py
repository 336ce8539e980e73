"""`make run`: the bastion on its embedded default (SQLite and files under ./var), a local OpenSSH
demo target where sshd is installed, two demo users, and the exact commands to try next.

`python -m bastion.cli.demo` runs it; `python -m bastion.cli.demo totp NAME` prints a demo user's current
TOTP code (the demo keeps their secrets in var/demo/NAME.totp so you need no phone).
"""

from __future__ import annotations

import asyncio
import getpass
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import asyncssh

from bastion import config
from bastion.access import mfa, users
from bastion.errors import BastionError
from bastion.runtime.home import Home, init, open_home, require_private
from bastion.ssh import server

DEMO_BEGIN = "# --- demo target, rewritten by `make run` ---"
DEMO_USERS = (("alice", "engineer"), ("sam", "supervisor"))


DEMO_TARGET_PORT = 2200
SSHD_START_TIMEOUT = 10.0


def _free_port(preferred: int) -> int:
    """`preferred` unless something listens there, else a free port. Connections of an earlier
    run still closing on `preferred` (TIME_WAIT) do not count: sshd binds with SO_REUSEADDR, and
    so does this probe, so the demo target keeps its port across restarts."""
    for port in (preferred, 0):
        with socket.socket() as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return s.getsockname()[1]
    raise BastionError("no free port on 127.0.0.1")


def _last_target_port(home: Home) -> int:
    try:
        target = config.load_config(home.config_file).targets.get("demo")
    except config.ConfigError:
        return DEMO_TARGET_PORT
    return target.port if target is not None else DEMO_TARGET_PORT


def _sshd_path() -> str | None:
    return shutil.which("sshd") or next(
        (p for p in ("/usr/sbin/sshd", "/usr/local/sbin/sshd") if os.access(p, os.X_OK)), None)


def target_sshd_config(port: int, host_key: Path, target_ca_pub: Path, extra: str = "") -> str:
    """An sshd_config for a loopback target that trusts only the bastion's target CA: the lines
    `bastion init` tells every target to have, plus `extra` (other keywords; sshd takes the first
    value of a keyword, so `extra` adds, it does not override)."""
    return (f"Port {port}\nListenAddress 127.0.0.1\nHostKey {host_key}\nPidFile none\n"
            f"TrustedUserCAKeys {target_ca_pub}\nAuthorizedKeysFile none\n"
            "PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\n"
            "StrictModes no\nPermitRootLogin prohibit-password\n" + extra)


def start_demo_target(home: Home, demo: Path) -> tuple[subprocess.Popen, int, str] | None:
    """An sshd on loopback trusting the target CA, logging in as the current OS user."""
    sshd = _sshd_path()
    if sshd is None:
        return None
    host_key = demo / "target_host_key"
    if not host_key.exists():
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(host_key)],
                       check=True)
    port = _free_port(_last_target_port(home))
    conf = demo / "sshd_config"
    conf.write_text(target_sshd_config(port, host_key, Path(f"{home.target_ca}.pub"),
                                       "AcceptEnv LANG LC_*\nSubsystem sftp internal-sftp\n"))
    if os.geteuid() == 0:
        Path("/run/sshd").mkdir(exist_ok=True)
    log = demo / "sshd.log"
    start = log.stat().st_size if log.exists() else 0
    # The demo keeps its own files private (umask 077), but the target is an ordinary server:
    # files put on it get the usual 022, as on any host.
    with open(log, "ab") as stderr:
        proc = subprocess.Popen([sshd, "-D", "-e", "-f", str(conf)], stdout=subprocess.DEVNULL,
                                stderr=stderr, umask=0o022)
    _wait_listening(proc, port, log, start)
    host_pub = " ".join(Path(f"{host_key}.pub").read_text().split()[:2])
    return proc, port, host_pub


def _wait_listening(proc: subprocess.Popen, port: int, log: Path, start: int) -> None:
    """Return once sshd says it listens on `port`; BastionError with its last words if it
    stops instead (another program took the port meanwhile), or says nothing for 10 s."""
    ready = f"Server listening on 127.0.0.1 port {port}."
    deadline = time.monotonic() + SSHD_START_TIMEOUT
    while True:
        with open(log, "rb") as f:
            f.seek(start)
            said = f.read().decode(errors="replace")
        if ready in said:
            return
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            proc.wait()
            last = said.strip().splitlines()[-1:] or ["no output"]
            raise BastionError(f"the demo target's sshd did not start on port {port}: {last[0]} "
                               f"(see {log})")
        time.sleep(0.05)


def write_demo_target(home: Home, port: int, login: str, host_pub: str) -> None:
    text = home.config_file.read_text()
    if DEMO_BEGIN in text:
        text = text[: text.index(DEMO_BEGIN)].rstrip() + "\n"
    text += (f"\n{DEMO_BEGIN}\n[targets.demo]\nhost = \"127.0.0.1\"\nport = {port}\n"
             f"logins = [\"{login}\"]\nhost_keys = [\"{host_pub}\"]\n")
    home.config_file.write_text(text)


def enrol_demo_users(home: Home, demo: Path) -> None:
    ctx = open_home(home)
    try:
        for name, role in DEMO_USERS:
            key_path = demo / name
            if users.get(ctx.store, name) is not None and key_path.exists():
                continue
            if not key_path.exists():
                key = asyncssh.generate_private_key("ssh-ed25519", comment=f"{name}@demo")
                key.write_private_key(str(key_path))
                key_path.chmod(0o600)
                key.write_public_key(f"{key_path}.pub")
            key = asyncssh.read_public_key(f"{key_path}.pub")
            if users.get(ctx.store, name) is None:
                users.add(ctx.store, name, role, key, users.local_actor_name("demo", None))
            enrolment = mfa.enrol(ctx.store, ctx.box, name, ctx.config.server.hostname)
            secret_file = demo / f"{name}.totp"
            secret_file.write_text(enrolment.secret + "\n")
            secret_file.chmod(0o600)
    finally:
        ctx.close()


def print_totp(name: str) -> int:
    home = Home.resolve(None)
    secret_file = home.path / "demo" / f"{name}.totp"
    if not secret_file.exists():
        print(f"no demo TOTP secret for {name} (run `make run` first)", file=sys.stderr)
        return 1
    print(mfa.current_code(secret_file.read_text().strip()))
    return 0


def main() -> int:
    if sys.argv[1:2] == ["totp"] and len(sys.argv) == 3:
        return print_totp(sys.argv[2])
    home = Home.resolve(None)
    os.umask(0o077)
    try:
        result = init(home, None)
        if result.created:
            print(f"initialised {home.path}")
        demo = home.path / "demo"
        demo.mkdir(mode=0o700, exist_ok=True)
        login = getpass.getuser()
        if not re.fullmatch(config.LOGIN_NAME.pattern, login):
            raise BastionError(f"your user name {login!r} cannot be a target login")
        target = start_demo_target(home, demo)
        if target is not None:
            write_demo_target(home, target[1], login, target[2])
        enrol_demo_users(home, demo)
        require_private(home)
        ctx = open_home(home)
    except BastionError as exc:
        print(f"bastion: {exc}", file=sys.stderr)
        return 1
    host_ca = Path(f"{home.host_ca}.pub").read_text().strip()
    known_hosts = home.path / "demo" / "known_hosts"
    known_hosts.write_text(f"@cert-authority {ctx.config.server.hostname} {host_ca}\n")
    bind_host, port = ctx.config.server.listen_host_port
    rel = os.path.relpath(home.path)
    opts = f"-p {port} -o UserKnownHostsFile={rel}/demo/known_hosts"
    host = ctx.config.server.hostname
    print(f"""
The bastion is starting on {bind_host}:{port} with its home in {rel}/.
Demo users: alice (engineer) and sam (supervisor). Each login asks for a TOTP code; get it with
    .venv/bin/python -m bastion.cli.demo totp alice
""")
    if target is None:
        print("No OpenSSH sshd is installed, so there is no demo target: install openssh-server "
              "and run `make run` again, or add a [targets.NAME] table to "
              f"{rel}/bastion.toml.\n")
    else:
        print(f"""A demo target `demo` (OpenSSH sshd on 127.0.0.1:{target[1]}, trusting the target CA) \
lets you log in as {login}.

Try, in another terminal:
  1. ask for access:   ssh {opts} -i {rel}/demo/alice alice@{host} request --target demo \
--login {login} --ticket INC-1 --duration 30m --reason "demo"
  2. approve it:       ssh {opts} -i {rel}/demo/sam sam@{host} approve r1
                       (or: .venv/bin/bastion approve r1)
  3. connect:          ssh {opts} -i {rel}/demo/alice {login}@demo@{host}
  4. watch:            .venv/bin/bastion sessions ; .venv/bin/bastion tui
  5. afterwards:       .venv/bin/bastion replay s1 ; .venv/bin/bastion audit verify
""")
    print("Press Ctrl-C to stop the bastion and the demo target.\n", flush=True)
    app = server.Bastion(ctx)

    try:
        asyncio.run(server.serve(app, reason="the demo is stopping"))
    except BastionError as exc:
        print(f"bastion: {exc}", file=sys.stderr)
        return 1
    finally:
        if target is not None:
            target[0].terminate()
            target[0].wait(5)
        ctx.close()
    print("stopped.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
