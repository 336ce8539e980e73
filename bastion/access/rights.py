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

A proxied connection also stands on its session row (a kill, a revoked grant or certificate, the
grant's end) or, before it has one (authenticated, no channel yet), on its certificate and on a
live grant for its target and login: `session_verdict` judges both, for the enforcement loop and
for every channel a connection opens.

The functions on `Standing` and `session_verdict` are pure; `read` is the one query per pass.
"""

from __future__ import annotations

import fnmatch
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from bastion.config import TARGET_NAME, Config, Role
from bastion.store import Backend

# Names, session ids and serials per statement (names twice: their standing and their grants):
# four times this plus two stays below SQLite's limit on bound parameters (32766), so one
# statement covers a pass unless more than this many are open at once.
READ_BATCH = 8000


@dataclass(frozen=True)
class Standing:
    """One person's row as it is now (None where the person is not in the store at all)."""

    name: str
    role: str
    locked: bool = False
    lock_reason: str | None = None
    removed: bool = False
    enrolled: float | None = None  # users.created: which person holds the name (users.User)

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


REENROLLED = "user removed (the name is now another person's)"


def standing_problem(standing: Standing | None, config: Config,
                     enrolled: float | None = None) -> str | None:
    """`Standing.connection_problem`, with a person missing from the store counted removed, and
    with `enrolled` (what a connection proved at login), a name enrolled again since too: a
    connection belongs to the person who authenticated, not to the name (attack k20o F7)."""
    if standing is None:
        return "user removed"
    if enrolled is not None and standing.enrolled is not None and standing.enrolled != enrolled:
        return REENROLLED
    return standing.connection_problem(config)


@dataclass(frozen=True)
class Access:
    """What a proxied connection stands on: its person, target and login, its session row once it
    has one, and the certificate it authenticated with (and the ticket that was minted for)."""

    user: str
    target: str
    login: str
    session: str | None = None
    serial: int | None = None
    ticket: str | None = None
    enrolled: float | None = None  # the person who authenticated (users.User.enrolled)


@dataclass
class Snapshot:
    """What one read found: people by name, live session rows by id, and for connections without
    a row yet their certificates by serial and their people's live grants."""

    people: dict[str, Standing] = field(default_factory=dict)
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    certificates: dict[int, dict[str, Any]] = field(default_factory=dict)
    grants: list[dict[str, Any]] = field(default_factory=list)


def end_reason(row: dict[str, Any], t: float) -> tuple[str, str] | None:
    """Why a live session's row says it must end at time `t`, as (end state, reason), or None."""
    if row["kill_requested"]:
        return "killed", row["kill_reason"] or "ended by a supervisor"
    if row["grant_revoked"]:
        return "killed", "access revoked" + (f": {row['revoked_reason']}"
                                             if row["revoked_reason"] else "")
    if row["cert_revoked"]:
        return "killed", "certificate revoked"
    if row["ends"] is not None and t >= row["ends"]:
        return "ended", "the access grant has ended"
    return None


def session_verdict(snapshot: Snapshot, config: Config, access: Access, t: float
                    ) -> tuple[str, str] | None:
    """Why a proxied connection may not go on at time `t`, as (end state, reason), or None: its
    person's standing and role, then its session row, or before it has one, its certificate and a
    live grant for its target and login (of the certificate's ticket, for a certificate)."""
    problem = standing_problem(snapshot.people.get(access.user), config, access.enrolled)
    if problem is None:
        problem = snapshot.people[access.user].session_problem(config, access.target, access.login)
    if problem is not None:
        return "killed", problem
    if access.session is not None:
        row = snapshot.sessions.get(access.session)
        if row is None:
            # Only the process holding a session ends its row: one ended elsewhere does not go on.
            return "killed", "the session's record was closed"
        return end_reason(row, t)
    if access.serial is not None:
        cert = snapshot.certificates.get(access.serial)
        if cert is None or cert["cert_revoked"]:
            return "killed", "certificate revoked"
    if not any(g["user"] == access.user and g["target"] == access.target
               and g["login"] == access.login and g["ends"] > t
               and (access.ticket is None or g["ticket"] == access.ticket)
               for g in snapshot.grants):
        return "killed", f"no active grant for {access.login}@{access.target}"
    return None


_COLUMNS = ("kind", "key", "user", "role", "locked", "lock_reason", "removed", "kill_requested",
            "kill_reason", "grant_revoked", "revoked_reason", "ends", "cert_revoked", "target",
            "login", "ticket", "created")


def _select(values: str, rest: str) -> str:
    """SELECT with every column of _COLUMNS named, so that the parts of a UNION ALL line up
    whichever comes first."""
    named = ", ".join(f"{v} AS {c}" for v, c in zip(values.split(", "), _COLUMNS, strict=True))
    return f"SELECT {named} {rest}"


_PEOPLE = _select("'person', u.name, u.name, u.role, u.locked, u.lock_reason, u.removed, NULL, "
                  "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, u.created",
                  "FROM users u WHERE u.name IN ({})")
# A session's person comes with its row (one lookup by primary key more), so that only people
# without a live session need a lookup of their own.
_SESSIONS = _select("'session', s.id, s.user, u.role, u.locked, u.lock_reason, u.removed, "
                    "s.kill_requested, s.kill_reason, g.revoked, g.revoked_reason, g.ends, "
                    "c.revoked, s.target, s.login, s.ticket, u.created",
                    "FROM sessions s LEFT JOIN users u ON u.name = s.user "
                    "LEFT JOIN grants g ON g.id = s.grant_id "
                    "LEFT JOIN certificates c ON c.serial = s.serial "
                    "WHERE s.state = 'active' AND s.id IN ({})")
_CERTIFICATES = _select("'certificate', c.serial, c.user, NULL, NULL, NULL, NULL, NULL, NULL, "
                        "NULL, NULL, NULL, c.revoked, NULL, NULL, c.ticket, NULL",
                        "FROM certificates c WHERE c.serial IN ({})")
_GRANTS = _select("'grant', g.id, g.user, NULL, NULL, NULL, NULL, NULL, NULL, g.revoked, NULL, "
                  "g.ends, NULL, g.target, g.login, g.ticket, NULL",
                  "FROM grants g WHERE g.revoked = 0 AND g.starts <= ? AND g.ends > ? "
                  "AND g.user IN ({})")


def read(store: Backend, people: Iterable[str], sessions: Iterable[str],
         logins: Iterable[Access] = (), *, at: float | None = None) -> Snapshot:
    """The rows of the still active `sessions` with their people's standing; the standing of
    `people` (those without a live session; naming others too is harmless); and for `logins`
    (connections without a session row) their people's standing, their certificates, and their
    people's grants live at `at` (default now). One statement (lookups by primary key or index
    joined with UNION ALL) per READ_BATCH of each. Raises StoreError when the store cannot be
    read."""
    t = time.time() if at is None else at
    logins = list(logins)
    names = sorted(set(people) | {a.user for a in logins})
    ids = sorted(set(sessions))
    serials = sorted({a.serial for a in logins if a.serial is not None})
    granted = {a.user for a in logins}
    snapshot = Snapshot()
    for start in range(0, max(len(names), len(ids), len(serials)), READ_BATCH):
        parts: list[str] = []
        params: list[Any] = []
        some_names = names[start:start + READ_BATCH]
        for sql, values, extra in ((_PEOPLE, some_names, ()),
                                   (_SESSIONS, ids[start:start + READ_BATCH], ()),
                                   (_CERTIFICATES, serials[start:start + READ_BATCH], ()),
                                   (_GRANTS, [n for n in some_names if n in granted], (t, t))):
            if values:
                parts.append(sql.format(", ".join("?" * len(values))))
                params += [*extra, *values]
        for row in store.all(" UNION ALL ".join(parts), tuple(params)):
            _take(snapshot, row)
    return snapshot


def _take(snapshot: Snapshot, row: dict[str, Any]) -> None:
    kind = row["kind"]
    if kind == "certificate":
        snapshot.certificates[row["key"]] = row
    elif kind == "grant":
        snapshot.grants.append(row)
    else:
        if row["role"] is not None:  # None: a session whose person is not in the store
            snapshot.people[row["user"]] = Standing(
                row["user"], row["role"], bool(row["locked"]), row["lock_reason"],
                bool(row["removed"]), row["created"])
        if kind == "session":
            snapshot.sessions[row["key"]] = row
