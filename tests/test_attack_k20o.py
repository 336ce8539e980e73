"""Attack k20o end to end: a real `bastion serve`, a real sshd target, the asyncssh client.
An open connection belongs to the person who authenticated, not to the name: removal and
re-enrolment under the same name ends the first person's connections (and refuses them meanwhile),
and the new person sees none of the earlier person's requests."""

from __future__ import annotations

import asyncio

import asyncssh
import pytest

from bastion.access import grants, mfa, users
from tests.conftest import make_key
from tests.harness import LOGIN, World
from tests.test_hardening import attempt, user_key

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    w = World(tmp_path_factory.mktemp("k20o"))
    yield w
    w.close()


def replace(world: World, name: str) -> None:
    """What a provisioning script does: remove NAME and enrol another person under it at once
    (within one enforcement pass)."""
    users.remove(world.ctx.store, name, "local:admin")
    _, key = make_key(world.tmp, f"{name}-again")
    users.add(world.ctx.store, name, "engineer", key.convert_to_public(), "local:admin")
    mfa.enrol(world.ctx.store, world.ctx.box, name, "bastion.test")
    world.people.pop(name)


async def run_on(conn: asyncssh.SSHClientConnection, command: str) -> tuple[int | None, str]:
    """A command on an open connection: (exit status, output), or (None, why) when the bastion
    refused the channel or had closed the connection."""
    try:
        done = await asyncio.wait_for(conn.run(command), 20)
    except (asyncssh.Error, OSError) as exc:
        return None, str(exc)
    return done.exit_status, f"{done.stdout}{done.stderr}"


async def test_the_first_persons_command_connection_ends_and_mints_nothing_for_the_next(world):
    bob = world.person("bob")
    conn, _ = await attempt(world, "bob", user_key(bob), code=bob.next_code())
    assert not isinstance(conn, Exception), conn
    async with conn:
        assert (await run_on(conn, "status"))[0] == 0
        replace(world, "bob")
        grant = world.grant(type("Person", (), {"name": "bob"})(), ticket="INC-777")
        status, text = await run_on(conn, "cert INC-777")
        assert status != 0 and "cert-v01@openssh.com" not in text, text
        await asyncio.wait_for(conn.wait_closed(), 10)   # the enforcer ends it, too
    assert [e for e in world.events("cert.issued") if e["actor"] == "bob"] == []
    ended = [e["data"]["reason"] for e in world.events("connection.ended") if e["actor"] == "bob"]
    assert "user removed (the name is now another person's)" in ended
    assert grants.active_grants(world.ctx.store, "bob")[0].id == grant.id


async def test_the_first_persons_login_without_a_channel_starts_no_session_on_the_next_grant(world):
    carol = world.person("carol")
    world.grant(carol, ticket="INC-1")
    conn, _ = await attempt(world, f"{LOGIN}@web01", user_key(carol), code=carol.next_code())
    assert not isinstance(conn, Exception), conn
    async with conn:
        replace(world, "carol")
        world.grant(type("Person", (), {"name": "carol"})(), ticket="INC-2")
        status, text = await run_on(conn, "echo BORROWED-$((6*7))")
        assert status is None and "BORROWED-42" not in text, text
        await asyncio.wait_for(conn.wait_closed(), 10)
    assert [e for e in world.events("session.started") if e["actor"] == "carol"] == []


def test_a_name_enrolled_again_does_not_read_the_earlier_persons_requests(world):
    dan = world.person("dan")
    filed = dan.run("dan", "request", "--target", "web01", "--login", LOGIN, "--ticket",
                    "INC-9", "--duration", "1h", "--reason", "old-dan", "PRIVATE")
    assert filed.returncode == 0, filed.stderr
    (rid,) = [r["id"] for r in grants.list_requests(world.ctx.store, state=None, user="dan")]
    grants.deny(world.ctx.store, world.ctx.config, rid, "local:sue", "old-dan DECISION")
    users.remove(world.ctx.store, "dan", "local:admin")
    world.people.pop("dan")
    new_dan = world.person("dan")                          # another person, the same name
    for command in (("status",), ("status", rid), ("status", "--json"), ("cert", rid), ()):
        seen = new_dan.run("dan", *command)
        text = (seen.stdout + seen.stderr).decode()
        assert "PRIVATE" not in text and "DECISION" not in text and "INC-9" not in text, text
    assert f"no such request: {rid}" in new_dan.run("dan", "status", rid).stderr.decode()


async def test_tunnels_x11_and_agent_requests_are_refused_and_audited(world):
    from asyncssh.packet import Boolean, String, UInt32

    eve = world.person("eve")
    world.grant(eve)
    conn, _ = await attempt(world, f"{LOGIN}@web01", user_key(eve), code=eve.next_code())
    assert not isinstance(conn, Exception), conn
    async with conn:
        for open_tunnel in (conn.open_tun, conn.open_tap):
            with pytest.raises(asyncssh.ChannelOpenError):
                await open_tunnel()
        chan, _ = await conn.create_session(asyncssh.SSHClientSession, "cat")
        assert await chan._make_request(b"x11-req", Boolean(False), String("MIT-MAGIC-COOKIE-1"),
                                        String("00" * 16), UInt32(0)) is False
        assert await chan._make_request(b"auth-agent-req@openssh.com") is False
        chan.close()
    kinds = [e["data"]["kind"] for e in world.events("channel.refused") if e["actor"] == "eve"]
    assert sorted(kinds) == ["auth-agent-req@openssh.com", "tun@openssh.com", "x11-req"]
