"""Finding 1 of issue 12, as an attacker performs it: a stolen key (or key and certificate) and
someone else's TOTP code, against a real `bastion serve` and sshd, with the hostile client.

mallory is enrolled (engineer, no grant) and holds bob's private key and certificate. bob has a
grant for web01. web01 asks for TOTP even with a certificate (`mfa_per_session`), so that the
certificate is a first factor here too. "Did it run" is a canary file that a command creates on
the target once a connection gets in.
"""

from __future__ import annotations

import asyncssh
import pytest

import certs
from bastion import audit
from bastion.access import grants
from bastion.ssh.auth import NAME_CHANGE_REASON
from bastion.ssh.server import NAME_CHANGE_REFUSAL
from tests.harness import LOGIN, World
from tests.hostile import Outcome, Step, attempt

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

SESSION = f"{LOGIN}@web01"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    w = World(tmp_path_factory.mktemp("identity"), target_extra="mfa_per_session = true")
    yield w
    w.close()


@pytest.fixture(scope="module")
def cast(world):
    """(mallory, her key, bob, his key, his certificate for web01)."""
    mallory, bob = world.person("mallory"), world.person("bob")
    world.grant(bob)
    bob_key = asyncssh.read_private_key(str(bob.key_path))
    cert = grants.mint_for_grants(world.ctx.store, world.ctx.config, world.ctx.user_ca, "bob",
                                  world.grant(bob).ticket, bob_key.convert_to_public(),
                                  client_addr="127.0.0.1")
    return mallory, asyncssh.read_private_key(str(mallory.key_path)), bob, bob_key, cert


async def run_as_attacker(world: World, steps: list[Step], canary) -> Outcome:
    outcome = await attempt("127.0.0.1", world.bastion.port, steps)
    if outcome.conn is not None:
        try:
            await outcome.conn.run(f"touch {canary}", timeout=20)
        finally:
            outcome.conn.close()
    return outcome


def attack_rows(world: World, since: int) -> list[dict]:
    return [e for e in audit.export(world.ctx.store) if e["seq"] > since
            and e["type"] in ("auth.success", "session.started", "mfa.success")]


def last_seq(world: World) -> int:
    events = list(audit.export(world.ctx.store))
    return events[-1]["seq"] if events else 0


ATTACKS = {
    # The finding as reported: her key as herself, his key for the session, her code.
    "her name, his key for the session, her code": lambda m, km, b, kb, cert: [
        Step.signed(m.name, km), Step.signed(SESSION, kb), Step.kbdint(SESSION, m.next_code)],
    "his key for the session, her name, her code": lambda m, km, b, kb, cert: [
        Step.signed(SESSION, kb), Step.signed(m.name, km), Step.kbdint(m.name, m.next_code)],
    "her name, his certificate for the session, her code": lambda m, km, b, kb, cert: [
        Step.signed(m.name, km), Step.signed(SESSION, kb, cert), Step.kbdint(SESSION, m.next_code)],
    "his certificate for the session, her name, her code": lambda m, km, b, kb, cert: [
        Step.signed(SESSION, kb, cert), Step.signed(m.name, km), Step.kbdint(m.name, m.next_code)],
    "her name and code first, then his key for the session": lambda m, km, b, kb, cert: [
        Step.signed(m.name, km), Step.kbdint(m.name), Step.signed(SESSION, kb),
        Step.kbdint(SESSION, m.next_code)],
}


@pytest.mark.parametrize("attack", ATTACKS)
async def test_a_stolen_key_with_someone_elses_totp_is_disconnected_and_runs_nothing(
        world, cast, attack, tmp_path):
    canary = tmp_path / "canary"
    since = last_seq(world)

    outcome = await run_as_attacker(world, ATTACKS[attack](*cast), canary)

    assert outcome.disconnect == NAME_CHANGE_REASON
    assert not outcome.authenticated
    assert not canary.exists()
    assert attack_rows(world, since) == []


@pytest.mark.parametrize("credential", ["key", "certificate"])
async def test_his_key_with_her_code_on_one_name_is_refused(world, cast, credential, tmp_path):
    mallory, _, _, bob_key, cert = cast
    canary = tmp_path / "canary"
    since = last_seq(world)

    outcome = await run_as_attacker(world, [
        Step.signed(SESSION, bob_key, cert if credential == "certificate" else None),
        Step.kbdint(SESSION, mallory.next_code)], canary)

    assert outcome.refused and not outcome.authenticated
    assert outcome.kinds() == [(0, "partial"), (1, "prompt"), (1, "failure")]
    assert any("TOTP refused" in banner for banner in outcome.banners)
    assert not canary.exists()
    assert attack_rows(world, since) == []


@pytest.mark.parametrize("credential", ["key", "certificate"])
async def test_his_key_with_his_own_code_gets_in_as_him(world, cast, credential, tmp_path):
    # The same client and steps with the right person's code: what the attacks above miss.
    _, _, bob, bob_key, cert = cast
    canary = tmp_path / "canary"

    outcome = await run_as_attacker(world, [
        Step.signed(SESSION, bob_key, cert if credential == "certificate" else None),
        Step.kbdint(SESSION, bob.next_code)], canary)

    assert outcome.kinds() == [(0, "partial"), (1, "prompt"), (1, "success")]
    assert canary.exists()
    row = world.session_row("bob")
    assert (row["user"], row["login"], row["target"]) == ("bob", LOGIN, "web01")
    assert row["serial"] == (certs.cert_info(cast[4]).serial if credential == "certificate"
                             else None)


async def test_name_changes_are_audited_once_a_minute_per_address_with_a_count(world, cast):
    mallory, mallory_key, _, bob_key, _ = cast
    before = [e for e in audit.export(world.ctx.store)
              if e["type"] == "auth.refused" and e["data"]["reason"] == NAME_CHANGE_REFUSAL]

    for _ in range(4):
        outcome = await attempt("127.0.0.1", world.bastion.port, [
            Step.signed(mallory.name, mallory_key), Step.signed(SESSION, bob_key)])
        assert outcome.disconnect == NAME_CHANGE_REASON

    rows = [e for e in audit.export(world.ctx.store)
            if e["type"] == "auth.refused" and e["data"]["reason"] == NAME_CHANGE_REFUSAL]
    # The first of the minute names both user names; the others are counted, not written.
    assert rows and rows[0]["data"]["first"] and rows[0]["data"]["second"]
    assert len(rows) - len(before) <= 1
    assert rows[0]["data"]["client"] == "127.0.0.1"
