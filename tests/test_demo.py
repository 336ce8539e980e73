"""`make run` as a person uses it: the real demo (`python -m bastion.cli.demo`), its real OpenSSH target,
real ssh and sftp clients, and Ctrl-C as a terminal sends it (SIGINT to the foreground group)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bastion.access import grants, users
from bastion.cli.demo import write_demo_target
from bastion.runtime.home import Home, init, open_home
from tests.conftest import set_server_key
from tests.harness import LOGIN, Client, LineWaiter, free_port

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]


class Demo:
    """One `make run`: the demo in its own process group, as a terminal's foreground job is."""

    def __init__(self, workdir: Path, home: Home) -> None:
        env = dict(os.environ, PYTHONUNBUFFERED="1", BASTION_HOME=str(home.path))
        self.proc = subprocess.Popen([sys.executable, "-m", "bastion.cli.demo"], cwd=workdir, env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self.output = LineWaiter(self.proc.stdout)
        self.target_port = int(self.output.wait_for(r"OpenSSH sshd on 127\.0\.0\.1:(\d+)").group(1))
        self.port = int(self.output.wait_for(r"bastion listening on 127\.0\.0\.1:(\d+)").group(1))

    def ctrl_c(self) -> None:
        os.killpg(self.proc.pid, signal.SIGINT)
        self.output.wait_for(r"^stopped\.$")
        assert self.proc.wait(15) == 0, self.output.text()

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)


def sftp(client: Client, port: int, dest: str, batch: str, workdir: Path) -> subprocess.CompletedProcess:
    base = client.ssh_args(dest)
    opts = [a for a in base[1:-1] if a not in ("-p", str(port))]
    script = workdir / "sftp-batch"
    script.write_text(batch)
    return subprocess.run(["sftp", "-P", str(port), *opts, "-b", str(script), base[-1]],
                          capture_output=True, timeout=60, env=client.env())


def test_after_ctrl_c_make_run_keeps_its_target_port_and_files_put_on_the_target_are_0644(tmp_path):
    home = Home(tmp_path / "var")
    init(home, "bastion.test")
    set_server_key(home, "listen", f'"127.0.0.1:{free_port()}"')
    # The demo target's port as the last `make run` left it (2200 on a first run).
    first_port = free_port()
    write_demo_target(home, first_port, LOGIN, "ssh-ed25519 AAAA")
    demo = Demo(tmp_path, home)
    landed = tmp_path / "landed"
    landed.mkdir(mode=0o777)
    landed.chmod(0o777)
    try:
        assert demo.target_port == first_port
        secret = (home.path / "demo" / "alice.totp").read_text().strip()
        alice = Client("alice", home.path / "demo" / "alice", secret, home, demo, tmp_path)
        ctx = open_home(home)
        try:
            assert users.get(ctx.store, "alice") is not None
            req = grants.create_request(ctx.store, ctx.config, "alice", target="demo", login=LOGIN,
                                        ticket="INC-1", duration=1800, reason="demo")
            grants.approve(ctx.store, ctx.config, req["id"], "local:sam")
        finally:
            ctx.close()

        # A file put on the target gets the target's usual umask, not the demo's private 077.
        source = tmp_path / "notes.txt"
        source.write_text("shared notes\n")
        source.chmod(0o644)
        r = sftp(alice, demo.port, f"{LOGIN}@demo", f"put {source} {landed}/notes.txt\n", tmp_path)
        assert r.returncode == 0, r.stderr
        assert oct((landed / "notes.txt").stat().st_mode & 0o777) == oct(0o644)

        # Ctrl-C while a terminal session is open: its connection to the target is still closing.
        term = alice.terminal(f"{LOGIN}@demo")
        at = term.prompt()
        term.send(b"umask; echo made > " + str(landed).encode() + b"/made.txt; echo ready-$((6*7))\n")
        term.expect(rb"ready-42", start=at)
        assert b"0022" in term.buffer[at:]
        assert oct((landed / "made.txt").stat().st_mode & 0o777) == oct(0o644)
        demo.ctrl_c()
        term.wait()
        assert b"the demo is stopping" in term.buffer

        demo = Demo(tmp_path, home)
        assert demo.target_port == first_port, demo.output.text()
        r = alice.run(f"{LOGIN}@demo", "echo again-$((6*7))")
        assert r.returncode == 0 and r.stdout == b"again-42\n", r.stderr
        demo.ctrl_c()
    finally:
        demo.kill()
