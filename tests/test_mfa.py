"""TOTP: RFC 6238 codes, one step of drift, no replay, lockout after five failures, secrets encrypted."""

from __future__ import annotations

import pyotp
import pytest

from bastion import audit
from bastion.access import mfa, users
from bastion.cli import main

T0 = 1_800_000_000.0  # a fixed instant, at a step boundary + 0


def events(ctx, kind):
    return [e for e in audit.export(ctx.store) if e["type"] == kind]


def test_current_code_is_accepted_once(ctx, enrol):
    alice = enrol("alice")
    code = alice.code(T0)
    assert mfa.verify(ctx.store, ctx.box, "alice", code, at=T0).ok
    second = mfa.verify(ctx.store, ctx.box, "alice", code, at=T0 + 1)
    assert not second.ok and "already used" in second.reason
    assert events(ctx, "mfa.replay")


@pytest.mark.parametrize("offset", [-30, 30])
def test_one_step_of_drift_either_way_is_accepted(ctx, enrol, offset):
    alice = enrol("alice")
    assert mfa.verify(ctx.store, ctx.box, "alice", alice.code(T0 + offset), at=T0).ok


@pytest.mark.parametrize("offset", [-60, 60, -90])
def test_two_steps_of_drift_are_refused(ctx, enrol, offset):
    alice = enrol("alice")
    assert not mfa.verify(ctx.store, ctx.box, "alice", alice.code(T0 + offset), at=T0).ok


def test_an_older_step_is_refused_after_a_newer_one(ctx, enrol):
    alice = enrol("alice")
    assert mfa.verify(ctx.store, ctx.box, "alice", alice.code(T0 + 30), at=T0).ok
    result = mfa.verify(ctx.store, ctx.box, "alice", alice.code(T0), at=T0)
    assert not result.ok


def test_five_failures_lock_the_user_until_unlock(ctx, enrol, capsys, home):
    alice = enrol("alice")
    for i in range(5):
        assert not mfa.verify(ctx.store, ctx.box, "alice", "000000", at=T0 + i).ok
    assert users.require(ctx.store, "alice").locked
    assert events(ctx, "mfa.lockout")
    locked = mfa.verify(ctx.store, ctx.box, "alice", alice.code(T0 + 10), at=T0 + 10)
    assert not locked.ok and "locked" in locked.reason
    assert main(["--home", str(home.path), "user", "unlock", "alice"]) == 0
    assert mfa.verify(ctx.store, ctx.box, "alice", alice.code(T0 + 30), at=T0 + 30).ok


def test_failures_spread_beyond_fifteen_minutes_do_not_lock(ctx, enrol):
    enrol("alice")
    for i in range(8):
        mfa.verify(ctx.store, ctx.box, "alice", "000000", at=T0 + i * 16 * 60 / 4)
    assert not users.require(ctx.store, "alice").locked


def test_secret_is_not_stored_in_clear(ctx, enrol, home):
    alice = enrol("alice")
    assert alice.secret.encode() not in home.db.read_bytes()
    row = ctx.store.one("SELECT secret FROM mfa WHERE user = 'alice'")
    assert alice.secret.encode() not in row["secret"]
    assert oct(home.secret_key.stat().st_mode & 0o777) == "0o600"


def test_a_secret_moved_to_another_user_does_not_decrypt(ctx, enrol):
    enrol("alice")
    enrol("bob")
    blob = ctx.store.one("SELECT secret FROM mfa WHERE user = 'alice'")["secret"]
    ctx.store.execute("UPDATE mfa SET secret = ? WHERE user = 'bob'", (blob,))
    with pytest.raises(mfa.SecretKeyError):
        mfa.verify(ctx.store, ctx.box, "bob", "123456", at=T0)


def test_codes_match_any_rfc6238_authenticator(ctx, enrol):
    alice = enrol("alice")
    assert mfa.verify(ctx.store, ctx.box, "alice", pyotp.TOTP(alice.secret).at(T0), at=T0).ok


# Digits of other scripts pass str.isdigit (attack o24o, finding 3: a traceback, no failure counted).
@pytest.mark.parametrize("junk", [
    "", "12345", "1234567", "abcdef", "12 34 5x", "\x00" * 6, "\u0661\u0662\u0663\u0664\u0665\u0666",
    "\u00b9\u00b2\u00b3\u2074\u2075\u2076", "\uff11\uff12\uff13\uff14\uff15\uff16"])
def test_malformed_codes_are_failures_not_errors(ctx, enrol, junk):
    enrol("alice")
    assert not mfa.verify(ctx.store, ctx.box, "alice", junk, at=T0).ok


def test_the_secret_key_is_made_once_private_and_kept(tmp_path):
    path = tmp_path / "secret.key"
    first = mfa.load_or_create_secret_key(path)
    assert len(first) == 32 and path.stat().st_mode & 0o777 == 0o600
    assert mfa.load_or_create_secret_key(path) == first
    # No temporary file is left beside it (certs.files writes it whole, then links it in place).
    assert [p.name for p in tmp_path.iterdir()] == ["secret.key"]
