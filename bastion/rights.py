"""What a person may still do: their standing now (locked, removed, role) against the
configuration now, and which of their open doors that leaves open.

A connection is judged when it authenticates, and again by the server's enforcement loop
twice a second for as long as it stays open, so that a lock, a removal, a role change or a
reload that withdraws a right reaches connections already open:
- locked, removed, or holding a role the configuration no longer defines: every connection
  of the person ends (proxied sessions, the command interface, the control door);
- a role that no longer allows a session's target or login: that session ends;
- a role that no longer supervises: the control door ends (the command interface stays; each
  of its supervisor commands checks the right itself).

The functions on `Standing` are pure; `read` is the enforcement loop's one query per pass.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from bastion.config import TARGET_NAME, Config, Role
from bastion.store import Store

# Names and session ids per statement: below SQLite's limit on bound parameters (32766), so
# one statement covers a pass unless more than this many are open at once.
READ_BATCH = 10000


@dataclass(frozen=True)
class Standing:
    """One person's row as it is now (None where the person is not in the store at all)."""

    name: str
    role: str
    locked: bool = False
    lock_reason: str | None = None
    removed: bool = False

    def connection_problem(self, config: Config) -> str | None:
        """Why no connection of this person may stay open, or None."""
        if self.removed:
            return "user removed"
        if self.locked:
            return "user locked" + (f": {self.lock_reason}" if self.lock_reason else "")
        if self.role not in config.roles:
            return f"role {self.role} is no longer defined"
        return None

    def role_now(self, config: Config) -> Role | None:
        """The person's role as configured now; None when it does not stand (see above)."""
        if self.connection_problem(config) is not None:
            return None
        return config.roles[self.role]

    def session_problem(self, config: Config, target: str, login: str) -> str | None:
        """Why a session to LOGIN@TARGET may not go on under the person's standing now."""
        problem = self.connection_problem(config)
        if problem is not None:
            return problem
        problem = access_problem(config, self.role, target, login)
        return f"no longer allowed: {problem}" if problem else None

    def may_supervise(self, config: Config) -> bool:
        role = self.role_now(config)
        return role is not None and role.supervise


def matches(name: str, globs: Iterable[str]) -> bool:
    return any(fnmatch.fnmatchcase(name, g) for g in globs)


def access_problem(config: Config, role_name: str, target: str, login: str) -> str | None:
    """Why this role may not use this target and login at all (one line), or None."""
    if not TARGET_NAME.match(target or ""):
        return f"invalid target name {target!r}"
    tgt = config.targets.get(target)
    if tgt is None:
        return f"unknown target {target}"
    role = config.roles.get(role_name)
    if role is None:
        return f"role {role_name!r} is not defined in bastion.toml"
    if not matches(target, role.targets):
        return f"role {role_name} may not use target {target}"
    if tgt.logins and login not in tgt.logins:
        return f"login {login!r} is not offered on {target} (available: {', '.join(tgt.logins)})"
    if not matches(login, role.logins):
        return f"role {role_name} may not log in as {login}"
    return None


def standing_problem(standing: Standing | None, config: Config) -> str | None:
    """`Standing.connection_problem`, with a person missing from the store counted removed."""
    return "user removed" if standing is None else standing.connection_problem(config)


@dataclass
class Snapshot:
    """What one enforcement pass read: people by name, live session rows by id."""

    people: dict[str, Standing] = field(default_factory=dict)
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)


_PEOPLE = ("SELECT 'person' AS kind, u.name AS key, u.name AS user, u.role, u.locked, "
           "u.lock_reason, u.removed, NULL AS kill_requested, NULL AS kill_reason, "
           "NULL AS grant_revoked, NULL AS revoked_reason, NULL AS ends, NULL AS cert_revoked "
           "FROM users u WHERE u.name IN ({})")
# A session's person comes with its row (one lookup by primary key more), so that only people
# without a live session need a lookup of their own.
_SESSIONS = ("SELECT 'session' AS kind, s.id AS key, s.user AS user, u.role, u.locked, "
             "u.lock_reason, u.removed, s.kill_requested, s.kill_reason, "
             "g.revoked AS grant_revoked, g.revoked_reason, g.ends, c.revoked AS cert_revoked "
             "FROM sessions s LEFT JOIN users u ON u.name = s.user "
             "LEFT JOIN grants g ON g.id = s.grant_id "
             "LEFT JOIN certificates c ON c.serial = s.serial "
             "WHERE s.state = 'active' AND s.id IN ({})")


def read(store: Store, people: Iterable[str], sessions: Iterable[str]) -> Snapshot:
    """The rows of the still active `sessions` with their people's standing, and the standing of
    `people` (those without a live session; naming others too is harmless), in one statement
    (lookups by primary key joined with UNION ALL) per READ_BATCH of each. Raises StoreError
    when the store cannot be read."""
    names, ids = sorted(set(people)), sorted(set(sessions))
    snapshot = Snapshot()
    for start in range(0, max(len(names), len(ids)), READ_BATCH):
        some_names, some_ids = names[start:start + READ_BATCH], ids[start:start + READ_BATCH]
        parts = ([_PEOPLE.format(", ".join("?" * len(some_names)))] if some_names else []) + (
            [_SESSIONS.format(", ".join("?" * len(some_ids)))] if some_ids else [])
        for row in store.all(" UNION ALL ".join(parts), (*some_names, *some_ids)):
            if row["role"] is not None:  # None: a session whose person is not in the store
                snapshot.people[row["user"]] = Standing(
                    row["user"], row["role"], bool(row["locked"]), row["lock_reason"],
                    bool(row["removed"]))
            if row["kind"] == "session":
                snapshot.sessions[row["key"]] = row
    return snapshot
