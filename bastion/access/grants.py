"""Access requests, approvals, grants, revocation and the user certificates that carry them.

A request names target, login, ticket, duration and reason; a supervisor or admin who is not the
requester approves it (or the role auto-approves), which makes a grant with a start and an end.
Certificates minted here are recorded with every field; revocation (by serial, grant, user or
ticket) is stored durably and the running server enforces it on live sessions.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from typing import Any

import asyncssh

import certs
from bastion import audit
from bastion.access import limits, reasons, rights, users
from bastion.config import TARGET_NAME, Config
from bastion.config.durations import format_duration
from bastion.errors import BastionError
from bastion.store import Backend, dumps, now
from bastion.text import TextError, check_line

MAX_PENDING = 10  # pending requests per user; more are refused until some are decided
# Requests filed a minute per user, whatever became of them (an auto-approved one is never
# pending, so MAX_PENDING alone does not bound them): each is rows, audit events and a grant.
REQUESTS_PER_MINUTE = 20
MAX_SERIAL = 2**63 - 1  # the store's integers: anything larger cannot name a row
# User certificates (`cert`): at most this many a minute per person, all connections together,
# and per connection; each is a store row and an audit event, and one is enough per ticket.
CERTS_PER_MINUTE = 10
CERTS_PER_CONNECTION = 10
REQUESTS_REFUSED = "requests refused"  # how a count of a user's refused requests is audited


class GrantError(BastionError):
    """A request, decision, revocation or certificate was refused."""


@dataclass(frozen=True)
class Grant:
    id: str
    user: str
    target: str
    login: str
    ticket: str
    starts: float
    ends: float
    kind: str
    request_id: str | None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Grant:
        return cls(row["id"], row["user"], row["target"], row["login"], row["ticket"],
                   row["starts"], row["ends"], row["kind"], row["request_id"])


def check_ticket(config: Config, ticket: str) -> str:
    """`ticket` when it matches ticket_pattern whole and holds no hidden character (whatever
    pattern an admin writes, a ticket is shown to supervisors); else GrantError."""
    try:
        check_line(ticket or "", "ticket", limit=None)
    except TextError as exc:
        raise GrantError(str(exc)) from None
    if not re.fullmatch(config.server.ticket_pattern, ticket or ""):
        raise GrantError(f"ticket {ticket!r} does not match ticket_pattern "
                         f"{config.server.ticket_pattern}")
    return ticket


def check_access(config: Config, role_name: str, target: str, login: str) -> None:
    """May this role use this target and login at all? Raises GrantError naming what is wrong."""
    if not TARGET_NAME.match(target or ""):
        raise GrantError(f"invalid target name {target!r}")
    try:
        check_line(login or "", "login", limit=None)
    except TextError as exc:
        raise GrantError(str(exc)) from None
    problem = rights.access_problem(config, role_name, target, login)
    if problem:
        raise GrantError(problem)


def create_request(store: Backend, config: Config, user: str, *, target: str, login: str,
                   ticket: str, duration: float, reason: str, client: str = "",
                   refusals: limits.RefusalLog | None = None) -> dict[str, Any]:
    """File an access request; auto-approved where the role says so. Returns the request row.

    Refused (GrantError, audited as request.refused) when invalid, when the user already has
    MAX_PENDING requests pending, or filed REQUESTS_PER_MINUTE in the last minute (approved
    automatically or not). With `refusals`, only a user's first refusal in a minute is
    written at once, whatever its problem (the server writes the count of the rest), so that a
    flood of refused requests is not a flood of audit rows.
    """
    person = users.require(store, user)
    try:
        if person.locked:
            raise GrantError(f"user {user} is locked")
        check_access(config, person.role, target, login)
        check_ticket(config, ticket)
        role = config.role(person.role)
        if duration <= 0 or duration > role.max_duration:
            raise GrantError(f"duration {format_duration(duration)} exceeds the role's "
                             f"max_duration {format_duration(role.max_duration)}")
        try:
            reason = check_line(reason or "", "reason")
        except TextError as exc:
            raise GrantError(str(exc)) from None
        if not reason:
            raise GrantError("a reason is required")
        t = now()
        with store.transaction():
            # Counted in the transaction that adds the request: parallel connections of one
            # user cannot each see room for one more.
            pending = store.one(
                "SELECT count(*) AS n FROM requests WHERE user = ? AND state = 'pending' "
                "AND expires > ?", (user, t))["n"]
            if pending >= MAX_PENDING:
                raise GrantError(f"you already have {MAX_PENDING} pending requests; wait until "
                                 "they are decided or expire")
            filed = store.one("SELECT count(*) AS n FROM requests WHERE user = ? AND created > ?",
                              (user, t - 60))["n"]
            if filed >= REQUESTS_PER_MINUTE:
                raise GrantError(f"you filed {filed} requests in the last minute (at most "
                                 f"{REQUESTS_PER_MINUTE}); wait a minute")
            rid = store.next_id("r")
            store.execute(
                "INSERT INTO requests(id, user, target, login, ticket, reason, duration, state, "
                "created, expires) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)",
                (rid, user, target, login, ticket, reason, duration, t,
                 t + config.server.request_ttl),
            )
            audit.record(store, "request.created", user, request=rid, target=target, login=login,
                         ticket=ticket, duration=duration, reason=reason, client=client)
            if role.approval == "auto" or rights.matches(target, role.auto_approve_targets):
                _approve(store, rid, "auto", duration, "auto-approved by role " + role.name)
    except GrantError as exc:
        if refusals is None or refusals.note(user, REQUESTS_REFUSED, time.monotonic()):
            audit.record(store, "request.refused", user, target=target, login=login,
                         ticket=ticket, problem=str(exc), client=client)
        raise
    return get_request(store, rid)


def get_request(store: Backend, request_id: str) -> dict[str, Any]:
    row = store.one("SELECT * FROM requests WHERE id = ?", (request_id,))
    if row is None:
        raise GrantError(f"no such request: {request_id}")
    grant = store.one("SELECT id, ends FROM grants WHERE request_id = ?", (request_id,))
    row["grant"] = grant["id"] if grant else None
    row["grant_ends"] = grant["ends"] if grant else None
    return row


def list_requests(store: Backend, *, state: str | None = "pending", user: str | None = None,
                  newest: int | None = None, since: float | None = None) -> list[dict[str, Any]]:
    """Requests by creation time, optionally only one state's, one user's, or the `newest` few
    (what a listing on the server's loop asks for, so that it does not grow with the history),
    or only those made `since` (a person's enrolment: users.User.enrolled)."""
    expire_pending(store)
    sql, params = "SELECT * FROM requests WHERE 1 = 1", []
    if state:
        sql += " AND state = ?"
        params.append(state)
    if user:
        sql += " AND user = ?"
        params.append(user)
    if since is not None:
        sql += " AND created >= ?"
        params.append(since)
    if newest is None:
        return store.all(sql + " ORDER BY created", tuple(params))
    rows = store.all(sql + " ORDER BY created DESC LIMIT ?", (*params, newest))
    return rows[::-1]


def is_requesters(req: dict[str, Any], user: str, enrolled: float | None) -> bool:
    """Whether `req` was made by this person: their name, and since their enrolment (a name
    enrolled again does not inherit the earlier person's requests: attack k20o F2)."""
    return req["user"] == user and (enrolled is None or req["created"] >= enrolled)


def pending_requests(store: Backend) -> dict[str, dict[str, Any]]:
    """Requests waiting for a decision, by id, as they are stored (nothing expired here: the
    server polls this twice a second and must not write)."""
    return {r["id"]: r for r in store.all("SELECT * FROM requests WHERE state = 'pending'")}


def request_decision(store: Backend, request_id: str) -> tuple[str | None, str | None]:
    """(state, decided_by) of a request; (None, None) when there is no such request."""
    row = store.one("SELECT state, decided_by FROM requests WHERE id = ?", (request_id,))
    return (row["state"], row["decided_by"]) if row else (None, None)


def can_supervise(store: Backend, config: Config, actor: str,
                  enrolled: float | None = None) -> bool:
    """Local operators (who can read the home folder) and users whose role supervises (with
    `enrolled`, only the person who authenticated: users.get)."""
    if users.is_local(actor):
        return True
    person = users.get(store, actor, enrolled=enrolled)
    return person is not None and rights.Standing(
        person.name, person.role, person.locked, person.lock_reason).may_supervise(config)


def _decidable(store: Backend, config: Config, request_id: str, actor: str) -> dict[str, Any]:
    expire_pending(store)
    req = get_request(store, request_id)
    if not can_supervise(store, config, actor):
        raise GrantError(f"{actor} may not approve or deny requests")
    if req["user"] in users.people_of(actor):
        raise GrantError("nobody approves or denies their own request")
    if req["state"] != "pending":
        raise GrantError(f"request {request_id} is {req['state']}, not pending")
    # The requester as they stand now: a removed person's request is closed at removal, and a
    # locked one's waits (decided after the unlock, or it expires).
    person = users.get(store, req["user"])
    if person is None:
        raise GrantError(f"user {req['user']} was removed; request {request_id} cannot be decided")
    if person.locked:
        raise GrantError(f"user {req['user']} is locked; request {request_id} cannot be decided")
    return req


def approve(store: Backend, config: Config, request_id: str, actor: str, *,
            duration: float | None = None, reason: str = "") -> Grant:
    """Approve a pending request (not one's own) and create its grant, starting now."""
    reason = reasons.accept(store, actor, reason)
    with store.transaction():
        req = _decidable(store, config, request_id, actor)
        # Judged again by the requester's role now (a demotion or a reload since the request):
        # a target or login it no longer allows is refused, a length past its maximum cut.
        role_name = users.require(store, req["user"]).role
        check_access(config, role_name, req["target"], req["login"])
        role = config.role(role_name)
        if duration is not None:
            if duration <= 0 or duration > role.max_duration:
                raise GrantError(f"duration exceeds max_duration {format_duration(role.max_duration)}")
        else:
            duration = min(req["duration"], role.max_duration)
        return _approve(store, request_id, actor, duration, reason)


def _approve(store: Backend, request_id: str, actor: str, duration: float, reason: str) -> Grant:
    t = now()
    updated = store.execute(
        "UPDATE requests SET state = 'approved', decided_by = ?, decided_at = ?, decision_reason = ? "
        "WHERE id = ? AND state = 'pending'", (actor, t, reason, request_id)
    ).rowcount
    if updated != 1:
        raise GrantError(f"request {request_id} is no longer pending")
    req = store.one("SELECT * FROM requests WHERE id = ?", (request_id,))
    gid = store.next_id("g")
    store.execute(
        "INSERT INTO grants(id, request_id, user, target, login, ticket, starts, ends, kind) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'request')",
        (gid, request_id, req["user"], req["target"], req["login"], req["ticket"], t, t + duration),
    )
    audit.record(store, "request.approved", actor, request=request_id, grant=gid,
                 user=req["user"], target=req["target"], login=req["login"], ticket=req["ticket"],
                 ends=t + duration, reason=reason)
    return Grant.from_row(store.one("SELECT * FROM grants WHERE id = ?", (gid,)))


def deny(store: Backend, config: Config, request_id: str, actor: str, reason: str = "") -> None:
    """Deny a pending request (not one's own); the requester reads `reason` (see `reasons`)."""
    reason = reasons.accept(store, actor, reason)
    with store.transaction():
        _decidable(store, config, request_id, actor)
        store.execute(
            "UPDATE requests SET state = 'denied', decided_by = ?, decided_at = ?, "
            "decision_reason = ? WHERE id = ? AND state = 'pending'",
            (actor, now(), reason, request_id))
        audit.record(store, "request.denied", actor, request=request_id, reason=reason)


def expire_pending(store: Backend) -> int:
    """Mark pending requests past their expiry as expired (each an audit event)."""
    t = now()
    expired = store.all("SELECT id FROM requests WHERE state = 'pending' AND expires <= ?", (t,))
    for row in expired:
        with store.transaction():
            if store.execute("UPDATE requests SET state = 'expired' WHERE id = ? AND state = 'pending'",
                             (row["id"],)).rowcount:
                audit.record(store, "request.expired", "system", request=row["id"])
    return len(expired)


def active_grants(store: Backend, user: str, target: str | None = None, login: str | None = None,
                  *, at: float | None = None) -> list[Grant]:
    t = now() if at is None else at
    sql = "SELECT * FROM grants WHERE user = ? AND revoked = 0 AND starts <= ? AND ends > ?"
    params: list[Any] = [user, t, t]
    if target is not None:
        sql += " AND target = ?"
        params.append(target)
    if login is not None:
        sql += " AND login = ?"
        params.append(login)
    return [Grant.from_row(r) for r in store.all(sql + " ORDER BY ends", tuple(params))]


def select_grant(grants: list[Grant], ticket: str | None) -> Grant | None:
    """The grant named by BASTION_TICKET where given, else the one ending last."""
    if ticket:
        named = [g for g in grants if g.ticket == ticket]
        return max(named, key=lambda g: g.ends) if named else None
    return max(grants, key=lambda g: g.ends) if grants else None


def grant_is_live(store: Backend, grant_id: str, *, at: float | None = None) -> str | None:
    """None when the grant is usable now, else why not (one line for the user)."""
    t = now() if at is None else at
    g = store.one("SELECT * FROM grants WHERE id = ?", (grant_id,))
    if g is None:
        return "grant not found"
    if g["revoked"]:
        return f"grant {grant_id} was revoked" + (f": {g['revoked_reason']}" if g["revoked_reason"] else "")
    if t >= g["ends"]:
        return f"grant {grant_id} has ended"
    if t < g["starts"]:
        return f"grant {grant_id} has not started"
    person = users.get(store, g["user"])
    if person is None:
        return f"user {g['user']} was removed"
    if person.locked:
        return f"user {g['user']} is locked" + (f": {person.lock_reason}" if person.lock_reason else "")
    return None


def record_certificate(store: Backend, cert: asyncssh.SSHCertificate, kind: str, *,
                       user: str | None = None, grant_ids: tuple[str, ...] = (),
                       ticket: str | None = None, session_id: str | None = None,
                       single_use: bool = False) -> certs.CertInfo:
    """Every certificate the bastion issues is recorded here, with every field and every grant
    it covers (revoking any one of them revokes it: `revoke`)."""
    info = certs.cert_info(cert)
    store.execute(
        "INSERT INTO certificates(serial, kind, key_id, principals, valid_after, valid_before, user, "
        "grant_id, ticket, session_id, subject_fingerprint, single_use, issued) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (info.serial, kind, info.key_id, dumps(list(info.principals)), info.valid_after,
         info.valid_before, user, grant_ids[-1] if grant_ids else None, ticket, session_id,
         cert.key.get_fingerprint("sha256"), int(single_use), now()),
    )
    for grant_id in grant_ids:
        store.execute("INSERT INTO certificate_grants(serial, grant_id) VALUES (?, ?)",
                      (info.serial, grant_id))
    return info


def mint_for_grants(store: Backend, config: Config, ca: certs.CertificateAuthority, user: str,
                    ticket_or_request: str, subject: asyncssh.SSHKey, *,
                    client_addr: str | None, enrolled: float | None = None
                    ) -> asyncssh.SSHCertificate:
    """The `cert` SSH command: a user certificate covering the user's live grants for one ticket.
    Refused (GrantError) past CERTS_PER_MINUTE certificates for the user in the last minute,
    counted in the transaction that adds one (parallel connections cannot each add one more).
    With `enrolled`, only for the person who authenticated, and only for a key still theirs
    (attack k20o F7: a name enrolled again is another person)."""
    try:
        person = users.require(store, user, enrolled=enrolled)
    except users.UserError as exc:
        raise GrantError(str(exc)) from None
    if enrolled is not None and users.user_for_key(store, subject) != user:
        raise GrantError("the key you logged in with is no longer enrolled for you")
    if person.locked:
        raise GrantError(f"user {user} is locked")
    if re.fullmatch(r"r[0-9]+", ticket_or_request):
        req = get_request(store, ticket_or_request)
        if not is_requesters(req, user, person.enrolled):
            raise GrantError(f"no such request: {ticket_or_request}")
        grants = [g for g in active_grants(store, user) if g.request_id == ticket_or_request]
    else:
        grants = [g for g in active_grants(store, user) if g.ticket == ticket_or_request]
    # Only what the role allows now (attack k20o F6: a demotion since the grant was made).
    grants = [g for g in grants if not rights.access_problem(config, person.role, g.target,
                                                             g.login)]
    if not grants:
        raise GrantError(f"no active grant for {ticket_or_request}")
    role = config.role(person.role)
    t = now()
    valid_after, valid_before = certs.validity_window(
        t, role.user_cert_ttl, backdate=int(config.server.cert_backdate))
    valid_before = min(valid_before, int(max(g.ends for g in grants)))
    principals = sorted({f"{g.login}@{g.target}" for g in grants})
    source = [client_addr] if (client_addr and role.pin_client_address) else None
    ticket = grants[0].ticket
    with store.transaction():
        issued = store.one("SELECT count(*) AS n FROM certificates WHERE user = ? AND kind = 'user' "
                           "AND issued > ?", (user, t - 60))["n"]
        if issued >= CERTS_PER_MINUTE:
            raise GrantError(f"{issued} certificates were issued to you in the last minute (at "
                             f"most {CERTS_PER_MINUTE}); wait a minute")
        serial = store.next_serial()
        key_id = certs.format_key_id(operator=user, ticket=ticket,
                                     grant=",".join(sorted(g.id for g in grants)))
        cert = certs.mint_user_certificate(
            ca, subject, serial=serial, key_id=key_id, principals=principals,
            valid_after=valid_after, valid_before=valid_before, permit_pty=True,
            permit_port_forwarding=role.forwarding, permit_agent_forwarding=role.forwarding,
            permit_x11_forwarding=role.forwarding, permit_user_rc=False, source_address=source)
        record_certificate(store, cert, "user", user=user, grant_ids=tuple(g.id for g in grants),
                           ticket=ticket)
        audit.record(store, "cert.issued", user, serial=serial, key_id=key_id,
                     principals=principals, valid_before=valid_before, client=client_addr or "")
    return cert


def issue_vendor(store: Backend, config: Config, ca: certs.CertificateAuthority, *, name: str,
                 key: asyncssh.SSHKey, target: str, login: str, ticket: str, duration: float,
                 actor: str, source_address: list[str] | None = None
                 ) -> tuple[asyncssh.SSHCertificate, Grant]:
    """A single-use certificate for one target, login and ticket, valid for `duration` from now."""
    check_ticket(config, ticket)
    check_access(config, "vendor", target, login)
    role = config.role("vendor")
    if duration <= 0 or duration > role.max_duration:
        raise GrantError(f"duration exceeds the vendor role's max_duration "
                         f"{format_duration(role.max_duration)}")
    users.check_name(name)
    with store.transaction():
        person = users.get(store, name)
        if person is None:
            users.add(store, name, "vendor", None, actor)
        elif person.role != "vendor":
            raise GrantError(f"user {name} exists with role {person.role}, not vendor")
        t = now()
        gid = store.next_id("g")
        store.execute(
            "INSERT INTO grants(id, request_id, user, target, login, ticket, starts, ends, kind) "
            "VALUES (?, NULL, ?, ?, ?, ?, ?, ?, 'vendor')",
            (gid, name, target, login, ticket, t, t + duration))
        serial = store.next_serial()
        valid_after, valid_before = certs.validity_window(
            t, duration, backdate=int(config.server.cert_backdate))
        key_id = certs.format_key_id(operator=name, ticket=ticket, grant=gid, kind="vendor")
        cert = certs.mint_user_certificate(
            ca, key, serial=serial, key_id=key_id, principals=[f"{login}@{target}"],
            valid_after=valid_after, valid_before=valid_before, permit_pty=True,
            permit_port_forwarding=False, permit_agent_forwarding=False,
            permit_x11_forwarding=False, permit_user_rc=False, source_address=source_address)
        record_certificate(store, cert, "vendor", user=name, grant_ids=(gid,), ticket=ticket,
                           single_use=True)
        audit.record(store, "vendor.issued", actor, vendor=name, serial=serial, grant=gid,
                     target=target, login=login, ticket=ticket, valid_before=valid_before)
        grant = Grant.from_row(store.one("SELECT * FROM grants WHERE id = ?", (gid,)))
    return cert, grant


def certificate_problem(store: Backend, serial: int, principal: str) -> tuple[dict | None, str | None]:
    """For a user cert presented at login: its row and None when usable, else why not."""
    row = store.one("SELECT * FROM certificates WHERE serial = ?", (serial,))
    if row is None or row["kind"] not in ("user", "vendor"):
        return None, "certificate was not issued by this bastion"
    if row["revoked"]:
        return row, f"certificate {serial} was revoked"
    if principal not in _loads_list(row["principals"]):
        return row, f"certificate {serial} is not valid for {principal}"
    if row["single_use"] and row["use_count"] > 0:
        return row, f"single-use certificate {serial} was already used"
    return row, None


def consume_single_use(store: Backend, serial: int, actor: str, client: str) -> bool:
    """Atomically claim a single-use certificate's one connection; False if someone else did."""
    claimed = store.execute(
        "UPDATE certificates SET use_count = use_count + 1 "
        "WHERE serial = ? AND single_use = 1 AND use_count = 0 AND revoked = 0", (serial,)
    ).rowcount
    if claimed == 1:
        audit.record(store, "cert.consumed", actor, serial=serial, client=client)
    return claimed == 1


def set_role(store: Backend, config: Config, name: str, role: str, actor: str) -> None:
    """`bastion user set-role`: the new role (which must exist), and the person's live grants
    fitted to it at once (attack k20o F6): a grant for a target or login the role does not allow
    is revoked (with its certificates), one longer than its max_duration is cut to that from its
    start; each audited. Connections follow within a second (bastion.access.rights)."""
    new = config.role(role)
    t = now()
    why = f"role changed to {role}"
    with store.transaction():
        users.set_role(store, name, role, actor)
        for g in store.all("SELECT * FROM grants WHERE user = ? AND revoked = 0 AND ends > ?",
                           (name, t)):
            problem = rights.access_problem(config, role, g["target"], g["login"])
            if problem:
                store.execute("UPDATE grants SET revoked = 1, revoked_at = ?, revoked_by = ?, "
                              "revoked_reason = ? WHERE id = ?", (t, actor, f"{why}: {problem}",
                                                                  g["id"]))
                _revoke_certs(store, "(grant_id = ? OR serial IN (SELECT serial FROM "
                              "certificate_grants WHERE grant_id = ?))", (g["id"], g["id"]), t,
                              why)
                audit.record(store, "grant.revoked", actor, grant=g["id"],
                             reason=f"{why}: {problem}")
            elif g["ends"] > g["starts"] + new.max_duration:
                ends = max(g["starts"] + new.max_duration, t)
                store.execute("UPDATE grants SET ends = ? WHERE id = ?", (ends, g["id"]))
                audit.record(store, "grant.shortened", actor, grant=g["id"], user=name, ends=ends,
                             reason=f"{why} (max_duration "
                                    f"{format_duration(new.max_duration)})")


def revoke(store: Backend, *, actor: str, reason: str = "", serial: int | None = None,
           grant: str | None = None, user: str | None = None, ticket: str | None = None,
           record_unchanged: bool = True) -> int:
    """Revoke certificates and grants by exactly one selector; returns how many rows changed.
    With `record_unchanged` false, a revocation that changed nothing writes no row (the control
    door counts those itself: attack y34o, finding 1)."""
    chosen = [k for k, v in (("serial", serial), ("grant", grant), ("user", user),
                             ("ticket", ticket)) if v is not None]
    if len(chosen) != 1:
        raise GrantError("revoke needs exactly one of --serial, --grant, --user, --ticket")
    if serial is not None and (isinstance(serial, bool) or not 1 <= serial <= MAX_SERIAL):
        raise GrantError(f"serial must be a whole number from 1 to {MAX_SERIAL}")
    reason = reasons.accept(store, actor, reason)
    t = now()
    changed = 0
    with store.transaction():
        if serial is not None:
            if store.one("SELECT 1 FROM certificates WHERE serial = ?", (serial,)) is None:
                raise GrantError(f"no certificate with serial {serial}")
            changed += _revoke_certs(store, "serial = ?", (serial,), t, reason)
        else:
            column = {"grant": "id", "user": "user", "ticket": "ticket"}[chosen[0]]
            value = grant if grant is not None else (user if user is not None else ticket)
            gids = [r["id"] for r in store.all(f"SELECT id FROM grants WHERE {column} = ?", (value,))]  # noqa: S608
            if not gids and column == "id":
                raise GrantError(f"no such grant: {grant}")
            changed += store.execute(
                f"UPDATE grants SET revoked = 1, revoked_at = ?, revoked_by = ?, revoked_reason = ? "  # noqa: S608
                f"WHERE {column} = ? AND revoked = 0", (t, actor, reason, value)).rowcount
            cert_col = {"id": "grant_id", "user": "user", "ticket": "ticket"}[column]
            # A certificate covering several grants goes when any one of them does.
            changed += _revoke_certs(
                store, f"({cert_col} = ? OR serial IN (SELECT c.serial FROM certificate_grants c "  # noqa: S608
                f"JOIN grants g ON g.id = c.grant_id WHERE g.{column} = ?))", (value, value), t,
                reason)
            for gid in gids if changed or record_unchanged else ():
                audit.record(store, "grant.revoked", actor, grant=gid, reason=reason)
        if not changed and not record_unchanged:
            return 0
        audit.record(store, "revocation.requested", actor, reason=reason,
                     **{chosen[0]: serial if serial is not None else (grant or user or ticket)},
                     changed=changed)
    return changed


def _revoke_certs(store: Backend, where: str, params: tuple, t: float, reason: str) -> int:
    rows = store.all(f"SELECT serial FROM certificates WHERE {where} AND revoked = 0 "  # noqa: S608
                     "AND kind IN ('user', 'vendor')", params)
    for row in rows:
        store.execute("UPDATE certificates SET revoked = 1, revoked_at = ?, revoked_reason = ? "
                      "WHERE serial = ?", (t, reason, row["serial"]))
        audit.record(store, "cert.revoked", "system", serial=row["serial"], reason=reason)
    return len(rows)


def live_certificates(store: Backend, user: str, *, at: float | None = None) -> list[dict[str, Any]]:
    """The user certificates issued to `user` that a client could still use now: not revoked,
    not past `valid_before`; oldest first, `principals` decoded."""
    t = now() if at is None else at
    rows = store.all("SELECT serial, principals, valid_before, ticket FROM certificates "
                     "WHERE user = ? AND kind = 'user' AND revoked = 0 AND valid_before > ? "
                     "ORDER BY serial", (user, int(t)))
    for row in rows:
        row["principals"] = _loads_list(row["principals"])
    return rows


def revoked_serials(store: Backend) -> list[int]:
    return [r["serial"] for r in store.all(
        "SELECT serial FROM certificates WHERE revoked = 1 AND kind IN ('user', 'vendor') "
        "ORDER BY serial")]


def _loads_list(text: str) -> list[str]:
    value = json.loads(text)
    return value if isinstance(value, list) else []
