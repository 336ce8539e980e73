"""People who use the bastion: their role, their public keys (one owner per key), their lock state."""

from __future__ import annotations

import re
from dataclasses import dataclass

import asyncssh

from bastion import audit
from bastion.access import reasons
from bastion.errors import BastionError
from bastion.store import Backend, now

# \Z, not $: `$` also matches before a final newline, and "alice\n" is no user name.
USER_NAME = re.compile(r"^[a-z][a-z0-9_.-]{0,31}\Z")
LOCAL_ACTOR_PREFIX = "local:"  # an operator at the bastion's own shell, named by the OS
# An OS account name as sudo puts it in SUDO_USER (POSIX portable names); anything else is not
# taken as a claim.
OS_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}")
_LOCAL_ACTOR = re.compile(re.escape(LOCAL_ACTOR_PREFIX) + r"([^()]+)(?:\(sudo:([^()]+)\))?")


class UserError(BastionError):
    """A user operation was refused."""


def local_actor_name(os_user: str, sudo_user: str | None) -> str:
    """The actor name of an operator at the bastion's own shell: local:NAME for the OS account
    that acts, and local:NAME(sudo:WHO) when sudo says (SUDO_USER) that WHO ran it as NAME.

    The sudo part is a claim, not a proof: sudo sets SUDO_USER itself, but whoever may run any
    command as NAME can set it to anything (SECURITY.md, "Operators at the bastion's shell").
    A claim that is not an OS account name, or names NAME itself, is left out."""
    actor = LOCAL_ACTOR_PREFIX + os_user
    if sudo_user and sudo_user != os_user and OS_NAME.fullmatch(sudo_user):
        actor += f"(sudo:{sudo_user})"
    return actor


def is_local(actor: str) -> bool:
    """True for the actor name of an operator at the bastion's own shell (local_actor_name)."""
    return actor.startswith(LOCAL_ACTOR_PREFIX)


def people_of(actor: str) -> set[str]:
    """The people an actor name stands for, for "nobody decides their own request, command or
    lock": NAME for NAME and local:NAME; both NAME and WHO for local:NAME(sudo:WHO)."""
    match = _LOCAL_ACTOR.fullmatch(actor)
    if match is None:
        return {actor}
    return {name for name in match.groups() if name}


@dataclass(frozen=True)
class User:
    name: str
    role: str
    locked: bool
    lock_reason: str | None
    # When this person was enrolled under the name (users.created): a name enrolled again is
    # another person, with a later value. Whatever authenticated holds the value it proved, and
    # every check after login compares it (`get(..., enrolled=)`), not only the name.
    enrolled: float = 0.0


def check_name(name: str) -> str:
    if not USER_NAME.match(name):
        raise UserError(f"invalid user name {name!r}: use a-z, 0-9, '_', '.', '-' (max 32, "
                        "starting with a letter)")
    return name


def parse_public_key(text: str, source: str = "key") -> asyncssh.SSHKey:
    """An OpenSSH public key line; certificates and private keys are refused."""
    if "PRIVATE KEY" in text:
        raise UserError(f"{source}: this is a private key; give the .pub file")
    try:
        key = asyncssh.import_public_key(text.strip())
    except (asyncssh.KeyImportError, ValueError):
        raise UserError(f"{source}: not an OpenSSH public key") from None
    return key


def fingerprint(key: asyncssh.SSHKey) -> str:
    return key.get_fingerprint("sha256")


def get(store: Backend, name: str, *, enrolled: float | None = None) -> User | None:
    """The person enrolled under `name` now, or None. With `enrolled` (what a connection proved
    at login), None too when the name was enrolled again since: that is another person."""
    row = store.one("SELECT * FROM users WHERE name = ? AND removed = 0", (name,))
    if row is None or (enrolled is not None and row["created"] != enrolled):
        return None
    return User(row["name"], row["role"], bool(row["locked"]), row["lock_reason"], row["created"])


def require(store: Backend, name: str, *, enrolled: float | None = None) -> User:
    user = get(store, name, enrolled=enrolled)
    if user is None:
        raise UserError(f"no such user: {name}" if enrolled is None else
                        f"user {name} was removed (the name is now another person's)")
    return user


def add(store: Backend, name: str, role: str, key: asyncssh.SSHKey | None, actor: str) -> User:
    """Create a user (and register the key). A key may belong to one user only."""
    check_name(name)
    with store.transaction():
        existing = store.one("SELECT removed FROM users WHERE name = ?", (name,))
        if existing is not None and not existing["removed"]:
            raise UserError(f"user {name} already exists")
        if existing is not None:
            # A name enrolled again is a new person: nothing the earlier one left (a grant, a
            # request, a held command, a certificate, counted TOTP failures) is theirs. Removal
            # closed all of it; closed again here in case any row was made since.
            _close_rights(store, name, actor, "the name was enrolled again")
            store.execute("DELETE FROM mfa_failures WHERE user = ?", (name,))
            store.execute("UPDATE users SET role = ?, removed = 0, locked = 0, lock_reason = NULL, "
                          "created = ? WHERE name = ?", (role, _new_enrolment(store, name), name))
        else:
            store.execute("INSERT INTO users(name, role, created) VALUES (?, ?, ?)",
                          (name, role, now()))
        if key is not None:
            _add_key(store, name, key)
        audit.record(store, "user.added", actor, user=name, role=role,
                     key=fingerprint(key) if key else None)
    return require(store, name)


def _new_enrolment(store: Backend, name: str) -> float:
    """The `created` of a name enrolled again: now, and in any case later than the earlier
    person's enrolment and every request they made (a clock set back must not make the new
    person the old one, or the old requests theirs: attack k20o F2, F7)."""
    row = store.one("SELECT max(u.created, coalesce((SELECT max(created) FROM requests "
                    "WHERE user = u.name), 0)) AS t FROM users u WHERE u.name = ?", (name,))
    return max(now(), row["t"] + 0.001)


def _add_key(store: Backend, name: str, key: asyncssh.SSHKey) -> None:
    fp = fingerprint(key)
    owner = store.one("SELECT user FROM keys WHERE fingerprint = ?", (fp,))
    if owner is not None:
        raise UserError(f"key {fp} already belongs to {owner['user']}")
    store.execute("INSERT INTO keys(fingerprint, user, public_key, added) VALUES (?, ?, ?, ?)",
                  (fp, name, key.export_public_key().decode().strip(), now()))


def add_key(store: Backend, name: str, key: asyncssh.SSHKey, actor: str) -> None:
    with store.transaction():
        require(store, name)
        _add_key(store, name, key)
        audit.record(store, "user.key_added", actor, user=name, key=fingerprint(key))


def remove(store: Backend, name: str, actor: str) -> None:
    """Remove a user: keys and TOTP deleted, grants revoked; history (sessions, events) kept."""
    with store.transaction():
        require(store, name)
        store.execute("UPDATE users SET removed = 1 WHERE name = ?", (name,))
        store.execute("DELETE FROM keys WHERE user = ?", (name,))
        store.execute("DELETE FROM mfa WHERE user = ?", (name,))
        _close_rights(store, name, actor, "user removed")
        audit.record(store, "user.removed", actor, user=name)


def _close_rights(store: Backend, name: str, actor: str, why: str) -> None:
    """Close everything that gives `name` rights or waits to: grants and certificates (vendor
    ones too) revoked, pending access requests denied and held commands rejected, each request
    and command audited (sessions end at the enforcer's next look)."""
    t = now()
    store.execute("UPDATE grants SET revoked = 1, revoked_at = ?, revoked_by = ?, "
                  "revoked_reason = ? WHERE user = ? AND revoked = 0", (t, actor, why, name))
    store.execute("UPDATE certificates SET revoked = 1, revoked_at = ?, revoked_reason = ? "
                  "WHERE user = ? AND revoked = 0", (t, why, name))
    for row in store.all("SELECT id FROM requests WHERE user = ? AND state = 'pending'", (name,)):
        store.execute("UPDATE requests SET state = 'denied', decided_by = ?, decided_at = ?, "
                      "decision_reason = ? WHERE id = ? AND state = 'pending'",
                      (actor, t, why, row["id"]))
        audit.record(store, "request.denied", actor, request=row["id"], reason=why)
    for row in store.all("SELECT id, session_id, command FROM held WHERE user = ? AND "
                         "state = 'pending'", (name,)):
        store.execute("UPDATE held SET state = 'rejected', decided_by = ?, decided_at = ?, "
                      "reason = ? WHERE id = ? AND state = 'pending'", (actor, t, why, row["id"]))
        audit.record(store, "command.rejected", actor, held=row["id"], session=row["session_id"],
                     command=row["command"], reason=why)


def lock(store: Backend, name: str, reason: str, actor: str) -> None:
    """Lock a user; their sessions end and they read `reason` (see `reasons`)."""
    reason = reasons.accept(store, actor, reason)
    with store.transaction():
        require(store, name)
        store.execute("UPDATE users SET locked = 1, lock_reason = ? WHERE name = ?", (reason, name))
        audit.record(store, "user.locked", actor, user=name, reason=reason)


def unlock(store: Backend, name: str, actor: str) -> None:
    """Unlock a user; nobody unlocks themselves (`people_of(actor)`, as for approvals)."""
    if name in people_of(actor):
        raise UserError(f"{actor} may not unlock themselves; another supervisor or admin must")
    with store.transaction():
        require(store, name)
        store.execute("UPDATE users SET locked = 0, lock_reason = NULL WHERE name = ?", (name,))
        store.execute("DELETE FROM mfa_failures WHERE user = ?", (name,))
        audit.record(store, "user.unlocked", actor, user=name)


def has_failed_codes(store: Backend, name: str) -> bool:
    """Whether failed TOTP codes count against the user (an unlock clears them)."""
    return store.one("SELECT 1 FROM mfa_failures WHERE user = ?", (name,)) is not None


def set_role(store: Backend, name: str, role: str, actor: str) -> None:
    """Give a user another role (the caller checked it exists). Connections already open follow
    it within a second: what the new role does not allow ends (bastion.access.rights). Use
    `grants.set_role`, which also fits the person's live grants to the new role (`bastion user
    set-role` does): this one leaves them as they are."""
    with store.transaction():
        person = require(store, name)
        store.execute("UPDATE users SET role = ? WHERE name = ?", (role, name))
        audit.record(store, "user.role_changed", actor, user=name, role=role, was=person.role)


def list_users(store: Backend) -> list[dict]:
    rows = store.all(
        "SELECT u.name, u.role, u.locked, u.lock_reason, "
        "(SELECT count(*) FROM keys k WHERE k.user = u.name) AS keys, "
        "EXISTS(SELECT 1 FROM mfa m WHERE m.user = u.name) AS totp "
        "FROM users u WHERE u.removed = 0 ORDER BY u.name"
    )
    for row in rows:
        row["locked"] = bool(row["locked"])
        row["totp"] = bool(row["totp"])
    return rows


def user_for_key(store: Backend, key: asyncssh.SSHKey) -> str | None:
    """The (not removed) user who owns this public key, if any."""
    row = store.one(
        "SELECT k.user FROM keys k JOIN users u ON u.name = k.user "
        "WHERE k.fingerprint = ? AND u.removed = 0", (fingerprint(key),)
    )
    return row["user"] if row else None
