"""Secrets stay secret: after a full day's flow, no private key, TOTP secret or typed password is
found in the database, recordings, server log or audit export."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.harness import LOGIN, World

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

PASSWORD = "Tr0ub4dor&3-horse"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    w = World(tmp_path_factory.mktemp("secrets"))
    yield w
    w.close()


def test_no_secret_material_leaks_into_what_the_bastion_writes(world):
    alice = world.person("alice")
    ticket = world.ticket()
    world.grant(alice, ticket=ticket)
    cert = alice.run("alice", "cert", ticket)
    assert cert.returncode == 0
    term = alice.terminal(f"{LOGIN}@web01")
    at = term.prompt()
    term.send(b"read -s -p 'Password: ' pw; echo len-${#pw}\n")
    at = term.expect(rb"Password: ", start=at)
    term.send(PASSWORD.encode() + b"\n")
    term.prompt(start=term.expect(rb"len-", start=at))
    term.send(b"exit\n")
    term.wait()
    sid = world.session_row("alice")["id"]
    world.bastion.output.wait_for(rf"recording\.closed .*{sid}-")
    export = subprocess.run([sys.executable, "-m", "bastion", "--home", str(world.home.path),
                             "audit", "export"], capture_output=True, timeout=30).stdout
    places = {"database": world.home.db.read_bytes(), "audit export": export,
              "server log": world.bastion.log().encode()}
    for path in world.home.recordings.iterdir():
        places[f"recording {path.name}"] = path.read_bytes()
    for wal in world.home.path.glob("bastion.db-*"):
        places[wal.name] = wal.read_bytes()
    secrets = {"a private key": b"PRIVATE KEY", "the typed password": PASSWORD.encode(),
               "alice's TOTP secret": alice.secret.encode()}
    for where, data in places.items():
        for what, needle in secrets.items():
            assert needle not in data, f"{what} found in the {where}"
