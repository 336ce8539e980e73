"""An engineer's ordinary day through the bastion, with real parts: the bastion's own face on a real
terminal, and what a login that runs out of time is told."""

from __future__ import annotations

import re
import signal

import pytest

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
        assert re.search(rf"^gina \(engineer\) on ", text, re.M), text
        assert re.search(rf"^grants:\n  {grant.id}  {LOGIN}@web01  ticket INC-700  until "
                         r"\S+ \S+ \((29|30)m left\)$", text, re.M), text
        assert re.search(rf"^pending requests:\n  {request_id}  {LOGIN}@web01  ticket INC-701  "
                         r"20m  reason: rotate logs$", text, re.M), text
        assert re.search(rf"^certificates:\n  serial \d+  {LOGIN}@web01  until .*left\)$", text,
                         re.M), text
        assert "usage: ssh NAME@bastion COMMAND" in text and "invalid choice" not in text


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
