"""Attack j19o end to end: a real `bastion serve`, a real sshd target, the real ssh client and the
asyncssh client. A removed person's request cannot be approved for the next person enrolled under
the name; a serial past the store's integers is answered, not left hanging; `env` requests are
bounded per channel."""

from __future__ import annotations

import asyncio

import asyncssh
import pytest
from asyncssh.packet import String

from bastion.access import grants, users
from bastion.ssh import channel_requests
from tests.harness import LOGIN, World
from tests.test_hardening import attempt, user_key

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    w = World(tmp_path_factory.mktemp("j19o"))
    yield w
    w.close()


def test_a_removed_users_request_is_closed_and_the_next_bob_inherits_nothing(world, tmp_path):
    bob = world.person("bob")
    sue = world.person("sue", "supervisor")
    filed = bob.run("bob", "request", "--target", "web01", "--login", LOGIN, "--ticket",
                    "INC-1", "--duration", "1h", "--reason", "disk", "full")
    assert filed.returncode == 0, filed.stderr
    (rid,) = [r["id"] for r in grants.list_requests(world.ctx.store, user="bob")]
    users.remove(world.ctx.store, "bob", "local:admin")   # what `bastion user remove bob` does

    approved = sue.run("sue", "approve", rid)
    assert approved.returncode == 1
    assert f"request {rid} is denied, not pending" in approved.stderr.decode()
    assert "user removed" in [e["data"]["reason"] for e in world.events("request.denied")
                              if e["data"]["request"] == rid]

    world.people.pop("bob")
    canary = tmp_path / "canary"
    new_bob = world.person("bob")                          # another person, the same name
    ran = new_bob.run(f"{LOGIN}@web01", f"touch {canary}; echo ran")
    assert ran.returncode != 0 and b"ran" not in ran.stdout
    assert not canary.exists()
    assert grants.active_grants(world.ctx.store, "bob") == []


def test_a_serial_past_the_stores_integers_is_answered_on_the_command_interface(world):
    sue = world.person("sue", "supervisor")
    for serial in (str(2**63), str(-(2**63) - 1), "0"):
        result = sue.run("sue", "revoke", "--serial", serial, timeout=20)
        assert result.returncode == 2, result
        assert f"from 1 to {2**63 - 1}" in result.stderr.decode()
    assert "Traceback" not in world.bastion.log()


async def test_env_requests_are_refused_after_the_start_and_past_the_bound(world):
    carol = world.person("carol")
    world.grant(carol)
    conn, _ = await attempt(world, "carol", user_key(carol), code=carol.next_code())
    assert not isinstance(conn, Exception), conn
    async with conn:
        chan, _ = await conn.create_session(
            asyncssh.SSHClientSession, f"request --target web01 --login {LOGIN} --ticket INC-7 "
            "--duration 1h --reason waiting --wait")
        # The command started: nothing more is taken, whatever its size or number.
        for i in range(3):
            assert await chan._make_request(b"env", String(f"X{i}"), String("A" * 30000)) is False
        for i in range(200):
            chan._send_request(b"env", String(f"Y{i}"), String("B" * 30000))
        assert await chan._make_request(b"env", String("LANG"), String("C")) is False
        chan.close()
    refused = [e["data"] for e in world.events("channel.refused")
               if e["actor"] == "carol" and e["data"]["kind"] == "env"]
    assert len(refused) == 1 and "after the session started" in refused[0]["reason"]


async def test_env_before_the_start_is_bounded_and_what_is_kept_reaches_the_target(world):
    dora = world.person("dora")
    world.grant(dora)
    conn, _ = await attempt(world, f"{LOGIN}@web01", user_key(dora), code=dora.next_code())
    assert not isinstance(conn, Exception), conn
    async with conn:
        env = {"LANG": "C.UTF-8"} | {f"X{i}": "v" for i in range(2 * channel_requests.MAX_ENV)}
        env["LC_TIME"] = "C"                      # past the bound: refused, not kept
        result = await asyncio.wait_for(
            conn.run("echo ${LANG-none} ${LC_TIME-none}", env=env), 30)
        assert result.stdout == "C.UTF-8 none\n"
    refused = [e["data"] for e in world.events("channel.refused")
               if e["actor"] == "dora" and e["data"]["kind"] == "env"]
    assert len(refused) == 1 and f"more than {channel_requests.MAX_ENV}" in refused[0]["reason"]
