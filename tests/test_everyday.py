"""An engineer's ordinary day through the bastion, with real parts: Ansible (ansible-core) through
the bastion, the bastion's own face on a real terminal, and what a login that runs out of time is
told."""

from __future__ import annotations

import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from bastion import audit
from tests.conftest import set_server_key
from tests.harness import LOGIN, World

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    w = World(tmp_path_factory.mktemp("everyday"))
    yield w
    w.close()


def reload_with(world: World, key: str, value: str) -> None:
    mark = world.bastion.output.mark()
    set_server_key(world.home, key, value)
    world.bastion.proc.send_signal(signal.SIGHUP)
    world.bastion.output.wait_for(r"configuration reloaded", start=mark)


# ---------------------------------------------------------------- Ansible

def ansible_program() -> str | None:
    """`ansible-playbook` beside this Python (the venv of `make test`), else on PATH."""
    beside = Path(sys.executable).parent / "ansible-playbook"
    return str(beside) if beside.exists() else shutil.which("ansible-playbook")


def test_ansible_with_the_target_in_ssh_config_pings_runs_and_copies_into_the_logins_home(world):
    ansible = ansible_program()
    if ansible is None:
        pytest.skip("ansible-core is not installed (pip install ansible-core)")
    ivy = world.person("ivy")
    world.grant(ivy, ticket="INC-710")
    # Ansible cannot answer a TOTP prompt: it uses a certificate, which needs none.
    r = ivy.run("ivy", "cert", "INC-710")
    assert r.returncode == 0, r.stderr
    cert = world.tmp / "ivy-cert.pub"
    cert.write_bytes(r.stdout)
    # The documented way: LOGIN@TARGET is the ssh_config User, and ansible_user is left unset,
    # so Ansible expands ~ on the target as the login's home (ansible_user=LOGIN@TARGET would
    # make it ~LOGIN@TARGET, a directory of that name).
    config = world.tmp / "ansible_ssh_config"
    config.write_text(f"""Host web01
    HostName 127.0.0.1
    Port {world.bastion.port}
    User {LOGIN}@web01
    IdentityFile {ivy.key_path}
    CertificateFile {cert}
    IdentitiesOnly yes
    UserKnownHostsFile {ivy.known_hosts}
    HostKeyAlias bastion.test
    StrictHostKeyChecking yes
""")
    inventory = world.tmp / "inventory.ini"
    inventory.write_text("[web]\nweb01\n")
    home = Path(pwd.getpwnam(LOGIN).pw_dir)
    name = f"ansible-copy-{os.getpid()}"
    control = world.tmp / "ansible-cp"
    python = "/usr/bin/python3" if os.access("/usr/bin/python3", os.X_OK) else sys.executable
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SSH_", "ANSIBLE_"))} | {
        "ANSIBLE_HOME": str(world.tmp / "ansible-home"),
        "ANSIBLE_LOCAL_TEMP": str(world.tmp / "ansible-local"),
        "ANSIBLE_SSH_CONTROL_PATH_DIR": str(control),
        "ANSIBLE_SSH_COMMON_ARGS": f"-F {config}",
        "ANSIBLE_PYTHON_INTERPRETER": python,
        "ANSIBLE_NOCOLOR": "1",
    }
    # One play, as people run them: one ansible process, one (multiplexed) connection.
    playbook = world.tmp / "everyday.yml"
    playbook.write_text(f"""- hosts: web01
  gather_facts: false
  tasks:
    - ansible.builtin.ping:
    - ansible.builtin.shell: echo ran as $(whoami) in ~
      register: where
    - ansible.builtin.copy: {{content: from-ansible, dest: "~/{name}"}}
      register: copied
    - ansible.builtin.debug:
        msg: "shell said [{{{{ where.stdout }}}}], copy wrote [{{{{ copied.dest }}}}]"
""")
    before = {p.name for p in home.iterdir()}
    try:
        done = subprocess.run([ansible, "-i", str(inventory), str(playbook)], env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        assert f"shell said [ran as {LOGIN} in {home}], copy wrote [{home / name}]" in done.stdout
        assert re.search(r"web01\s*: ok=4\s+changed=2\s+unreachable=0\s+failed=0", done.stdout)
        assert (home / name).read_text() == "from-ansible"
        # Nothing was made in the home whose name starts with "~" (the old ~LOGIN@TARGET).
        assert not [p for p in {p.name for p in home.iterdir()} - before if p.startswith("~")]
    finally:
        (home / name).unlink(missing_ok=True)
        subprocess.run(["ssh", "-F", str(config), "-o", f"ControlPath={control}/%C", "-O", "exit",
                        "web01"], capture_output=True, timeout=30)
    # Each of Ansible's commands was judged like any other, in ivy's name.
    judged = [e["data"]["line"] for e in audit.recent(world.ctx.store, 500, "command.verdict")
              if e["actor"] == "ivy"]
    assert any("AnsiballZ_copy.py" in line for line in judged), judged


# ---------------------------------------------------------------- the audit trail, as a SIEM gets it

def test_a_terminal_sessions_events_reach_the_siem_with_who_what_where_and_the_node(world):
    receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    receiver.bind(("127.0.0.1", 0))
    receiver.settimeout(10)
    text = world.home.config_file.read_text()
    world.home.config_file.write_text(text.replace('# node = "bastion-a"', 'node = "everyday-a"'))
    set_server_key(world.home, "audit_syslog_events", "true")
    reload_with(world, "audit_syslog", f'"udp:127.0.0.1:{receiver.getsockname()[1]}"')
    try:
        jo = world.person("jo")
        world.grant(jo, ticket="INC-720")
        term = jo.terminal(f"{LOGIN}@web01")
        at = term.prompt()
        term.send(b"echo siem-$((6*7))\n")
        term.prompt(start=term.expect(b"siem-42", start=at))
        term.send(b"exit\n")
        assert term.wait() == 0
        sent: list[dict] = []
        while not any(e["type"] == "session.ended" and e["data"].get("access", {}).get("user")
                      == "jo" for e in sent):
            datagram = receiver.recv(65536).decode()
            if "]: {" in datagram:
                sent.append(json.loads(datagram.split("]: ", 1)[1].rstrip("\0")))
    finally:
        receiver.close()
        set_server_key(world.home, "audit_syslog_events", "false")
        reload_with(world, "audit_syslog", '""')
    done = subprocess.run([sys.executable, "-m", "bastion", "--home", str(world.home.path), "audit",
                           "export"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    exported = [json.loads(line) for line in done.stdout.splitlines()]
    verdict = next(e for e in exported if e["type"] == "command.verdict"
                   and e["data"]["line"] == "echo siem-$((6*7))")
    assert verdict["data"]["access"] == {"user": "jo", "target": "web01", "login": LOGIN,
                                         "ticket": "INC-720", "client": "127.0.0.1"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", verdict["@timestamp"])
    assert verdict["observer"]["name"] == "everyday-a"
    assert verdict["user"] == {"name": "jo", "effective": {"name": LOGIN}}
    assert verdict["destination"] == {"address": "web01"}
    assert verdict["source"]["ip"] == "127.0.0.1"
    assert verdict["bastion"] == {"session": verdict["data"]["session"], "ticket": "INC-720"}
    session = verdict["data"]["session"]
    ours = [e for e in exported if e["data"].get("session") == session]
    assert {"session.started", "channel.opened", "command.verdict", "recording.closed",
            "channel.closed", "session.ended"} <= {e["type"] for e in ours}
    assert all(e["user"]["name"] == "jo" and e["bastion"]["ticket"] == "INC-720" for e in ours)
    # Syslog got each of them as it happened, the very line `audit export` prints.
    assert [e for e in sent if e["data"].get("session") == session] == ours
    assert subprocess.run([sys.executable, "-m", "bastion", "--home", str(world.home.path),
                           "audit", "verify"], capture_output=True, timeout=60).returncode == 0


# ---------------------------------------------------------------- the bastion's own face

def test_the_bastion_on_a_terminal_shows_status_and_help_with_crlf_then_exits(world):
    gina = world.person("gina")
    grant = world.grant(gina, ticket="INC-700")
    r = gina.run("gina", "cert", "INC-700")
    assert r.returncode == 0, r.stderr
    pending = gina.run("gina", "request", "--target", "web01", "--login", LOGIN, "--ticket",
                       "INC-701", "--duration", "20m", "--reason", "rotate logs")
    request_id = re.search(rb"request (r\d+) pending", pending.stdout).group(1).decode()

    for command in ((), ("help",)):
        term = gina.terminal("gina", *command)
        assert term.wait() == 0
        face = term.buffer.split(b"(gina@127.0.0.1) TOTP code:")[-1]
        assert b"\n" not in face.replace(b"\r\n", b""), face  # no staircase
        text = face.decode().replace("\r\n", "\n")
        assert re.search(r"^gina \(engineer\) on \S+$", text, re.M), text
        assert re.search(rf"^grants:\n  {grant.id}  {LOGIN}@web01  ticket INC-700  until "
                         r"\S+ \S+ \((29|30)m left\)$", text, re.M), text
        assert re.search(rf"^pending requests:\n  {request_id}  {LOGIN}@web01  ticket INC-701  "
                         r"20m  reason: rotate logs$", text, re.M), text
        assert re.search(rf"^certificates:\n  serial \d+  {LOGIN}@web01  until .*left\)$", text,
                         re.M), text
        assert "usage: ssh NAME@bastion COMMAND" in text and "invalid choice" not in text


def test_asking_a_command_for_its_help_is_a_usage_error_and_the_bastion_serves_on(world):
    # argparse's -h prints to the server's stdout and exits the process: one enrolled user
    # stopped the bastion for everyone (attack E, F9).
    ivan = world.person("ivan")
    world.grant(ivan)
    live = ivan.terminal(f"{LOGIN}@web01")
    at = live.prompt()
    for command in (("status", "-h"), ("request", "--help"), ("cert", "-h"), ("kill", "-h"),
                    ("approve", "-h"), ("status", "--version"), ("revoke", "-h")):
        r = ivan.run("ivan", *command)
        assert r.returncode == 2, (command, r.stdout, r.stderr)
        assert b"usage: ssh NAME@bastion COMMAND" in r.stderr, r.stderr
    assert world.bastion.proc.poll() is None
    # The session that was open meanwhile goes on.
    live.send(b"echo still-$((6*7))\n")
    live.expect(rb"still-42", start=at)
    live.send(b"exit\n")
    assert live.wait() == 0
    assert ivan.run("ivan", "status").returncode == 0


def test_a_login_that_runs_out_of_time_is_told_why(world):
    hal = world.person("hal")
    world.grant(hal)
    # hal is slow to answer the TOTP prompt: the answer comes once the bastion has given up.
    gave_up = world.tmp / "gave-up"
    slow = world.tmp / "askpass-slow"
    slow.write_text(f"#!/bin/sh\nwhile [ ! -e {gave_up} ]; do sleep 0.05; done\necho 000000\n")
    slow.chmod(0o700)
    reload_with(world, "login_timeout", '"2s"')
    try:
        mark = world.bastion.output.mark()
        term = hal.terminal(f"{LOGIN}@web01", env={"SSH_ASKPASS": str(slow)})
        world.bastion.output.wait_for(r"login timeout \(2s\); refusing", start=mark)
        gave_up.touch()
        assert term.wait() == 255
    finally:
        reload_with(world, "login_timeout", '"30s"')
    assert b"bastion: login timeout (2s)" in term.buffer, term.buffer
    assert b"Disconnected by application" not in term.buffer
