"""`bastion serve`: the asyncssh server, its authentication decisions, and the loop that keeps live
sessions within what the store says (revocations, locks, kills, grant ends, idle time, store and
disk health).

User names: `NAME` is the command interface (enrolled key + TOTP); `LOGIN@TARGET` is a proxied
session (enrolled key + TOTP, or a user certificate this bastion issued). The name is split at its
last `@`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import asyncssh

import certs
from bastion import audit, config
from bastion.access import grants, mfa, rights, sessions, users
from bastion.config import LOGIN_NAME, TARGET_NAME, durations
from bastion.control import operations as control
from bastion.errors import BastionError
from bastion.runtime.app import Runtime
from bastion.runtime.ending import each
from bastion.runtime.home import Context
from bastion.runtime.refusals import audit_refusal
from bastion.ssh import auth, channel_requests, commands, forward, gate, upstream
from bastion.ssh.auth import Decision
from bastion.ssh.channel import END_GRACE, GatedChannel
from bastion.ssh.live import MAX_SESSION_CHANNELS, Identity, LiveSession
from bastion.ssh.recorders import close_interrupted_recordings
from bastion.store import SCHEMA_VERSION, STORE_BUSY, StoreError
from bastion.text import VisibleFormatter

log = logging.getLogger("bastion.ssh.server")
channel_requests.install()  # env requests bounded on every session channel (attack j19o)

CLIENT_CIPHERS = ("aes128-gcm@openssh.com", "aes256-gcm@openssh.com", "aes128-ctr", "aes256-ctr")
NAME_CHANGE_REFUSAL = "change of user name between authentication requests"
SERVICE_REFUSAL = "authentication request for a service other than ssh-connection"
# A connection whose end began this long ago and that is still open is closed at once, without
# waiting for its client (the enforcement loop looks at every pass).
END_DEADLINE = 1.0


@dataclass(frozen=True)
class Name:
    """A parsed SSH user name: the command interface (user) or a session (login, target)."""

    kind: str  # "command" | "session" | "invalid"
    user: str = ""
    login: str = ""
    target: str = ""


@dataclass(frozen=True)
class Login:
    """What one proven key or certificate stands for, made fresh by every key decision that
    did not refuse: the SSH user name it was proven for, the person it belongs to, and for
    LOGIN@TARGET the session's identity. The TOTP step checks this person's code, and the
    connection runs as this person: nothing else carries over between requests."""

    username: str
    user: str
    identity: Identity | None = None
    consume: int | None = None  # a single-use certificate, claimed as the login completes
    enrolled: float | None = None  # which person holds the name (users.User.enrolled)


def parse_username(username: str) -> Name:
    if "@" in username:
        login, _, target = username.rpartition("@")
        if LOGIN_NAME.match(login) and TARGET_NAME.match(target) and len(target) <= 64:
            return Name("session", login=login, target=target)
        return Name("invalid")
    if users.USER_NAME.match(username):
        return Name("command", user=username)
    return Name("invalid")


class Bastion(Runtime):
    """The running server: its runtime (bastion.runtime.app), the SSH and control listeners, and
    the gate factory that gives each channel its command gate (`make_gate`, chosen by the
    server's owner: bench/untracked.py gives one that leaves pty shells ungated)."""

    def __init__(self, ctx: Context, gate_factory: gate.GateFactory = gate.make_gate) -> None:
        super().__init__(ctx)
        self.gate_factory = gate_factory
        self.server: asyncssh.SSHAcceptor | None = None
        self.control_server: asyncio.AbstractServer | None = None

    def make_gate(self, channel: GatedChannel) -> gate.Gate | None:
        """The command gate for a session channel whose kind is chosen, or None (see
        gate.make_gate, the product's factory)."""
        return self.gate_factory(self, channel)


class BastionServer(auth.TwoFactorServer):
    """One client connection: decides authentication and hands out channel sessions."""

    def __init__(self, app: Bastion) -> None:
        self.app = app
        self.conn: asyncssh.SSHServerConnection | None = None
        self.client_addr = ""
        self.login: Login | None = None  # the pending login, until authentication completes
        # Set once, from `login`, when authentication completes:
        self.identity: Identity | None = None
        self.live: LiveSession | None = None
        self.command_user: str | None = None
        self.user: str | None = None  # the person, either way: what the enforcer checks
        self.enrolled: float | None = None  # ... and which enrolment of the name (attack k20o F7)
        self.doors: set[commands.CommandSession] = set()  # command and control channels
        self.ending_since: float | None = None  # when `end` began (time.monotonic)
        self.certificates_issued = 0  # `cert` on this connection (grants.CERTS_PER_CONNECTION)
        self._closer: asyncio.Task | None = None
        self.login_timer: asyncio.TimerHandle | None = None
        self.authenticated = False

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self.conn = conn
        peer = conn.get_extra_info("peername") or ("", 0)
        self.client_addr = auth.ipv4_spelled(peer[0])  # one spelling for IPv4 clients
        app = self.app
        app.connections.add(self)
        app.per_source[self.client_addr] = app.per_source.get(self.client_addr, 0) + 1
        settings = app.config.server  # read per connection: SIGHUP changes apply to the next one
        within_rate = app.rate.allow(self.client_addr, settings.connection_rate_per_source,
                                     time.monotonic())
        if (len(app.connections) > settings.max_connections
                or app.per_source[self.client_addr] > settings.max_connections_per_source):
            self._hang_up("connection limit reached")
        elif not within_rate:
            self._hang_up("connection rate limit reached")
        else:
            self.login_timer = asyncio.get_running_loop().call_later(
                settings.login_timeout, self._login_timed_out, settings.login_timeout)

    def _login_timed_out(self, seconds: float) -> None:
        self.login_timer = None
        if self.conn is None or self.authenticated:
            return
        self._hang_up(f"login timeout ({durations.format_duration(seconds)})")

    def _hang_up(self, reason: str) -> None:
        """Refuse before authentication, and tell the client why (the ssh client prints it),
        not only "Disconnected by application"."""
        self.app.refuse_connection(self.client_addr, reason)
        self.conn.disconnect(asyncssh.DISC_BY_APPLICATION, f"bastion: {reason}")

    def connection_lost(self, exc: Exception | None) -> None:
        app = self.app
        if isinstance(exc, asyncssh.IllegalUserName):
            # asyncssh hangs up on names it cannot accept (over 1 KB, control or bidi
            # characters) before any of our callbacks sees them: still a refusal to audit.
            app.refuse_unproven("(illegal name)", self.client_addr,
                                f"illegal user name: {exc.reason}")
        elif isinstance(exc, asyncssh.ServiceNotAvailable) and not self.authenticated:
            app.refuse_connection(self.client_addr, SERVICE_REFUSAL)
        if self.login_timer is not None:
            self.login_timer.cancel()
            self.login_timer = None
        app.connections.discard(self)
        n = app.per_source.get(self.client_addr, 1) - 1
        if n <= 0:
            app.per_source.pop(self.client_addr, None)
        else:
            app.per_source[self.client_addr] = n
        if self.live is not None:
            self.live.connection_lost()

    # -- authentication decisions ------------------------------------------------------------

    def user_cas(self) -> list[asyncssh.SSHKey]:
        return [self.app.user_ca.public_key]

    def known_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        name = parse_username(username)
        owner = users.user_for_key(self.app.store, key)
        if name.kind == "command":
            return owner == name.user
        return name.kind == "session" and owner is not None

    def key_proven(self, username: str, key: asyncssh.SSHKey, cert: asyncssh.SSHCertificate | None,
                   client_addr: str) -> Decision:
        # Whatever an earlier key step left is gone before this one is judged.
        self.login = None
        decision, login = self._unless_store_fails(self._key_decision, username, key, cert,
                                                   client_addr)
        if decision.outcome is not auth.Outcome.REFUSE:
            self.login = login
        return decision

    def totp_check(self, username: str, code: str) -> Decision:
        decision, _ = self._unless_store_fails(self._totp_decision, username, code)
        return decision

    def _unless_store_fails(self, decide: Callable[..., tuple[Decision, Login | None]],
                            *args: Any) -> tuple[Decision, Login | None]:
        # Fail closed, with a reason the user can act on, rather than a generic failure.
        try:
            return decide(*args)
        except StoreError as exc:
            log.error("authentication from %s refused: %s", self.client_addr, exc)
            return Decision.REFUSE(STORE_BUSY), None

    def _key_decision(self, username: str, key: asyncssh.SSHKey,
                      cert: asyncssh.SSHCertificate | None, client_addr: str
                      ) -> tuple[Decision, Login | None]:
        app = self.app
        name = parse_username(username)
        if name.kind == "invalid":
            return Decision.REFUSE("invalid user name"), None
        if cert is not None:
            return self._cert_proven(name, username, cert, client_addr)
        user = users.user_for_key(app.store, key)
        person = users.get(app.store, user) if user else None
        if person is None:
            return Decision.REFUSE("unknown key"), None
        if person.locked:
            return Decision.REFUSE(f"user {user} is locked"), None
        if name.kind == "command":
            # known_key let only the name's own key this far; checked again, as it decides
            # whose TOTP is asked for.
            if user != name.user:
                return Decision.REFUSE("unknown key"), None
            return Decision.NEED_TOTP, Login(username, user, enrolled=person.enrolled)
        problem = self._session_problem(user, person.role, name)
        if problem:
            return Decision.REFUSE(problem), None
        identity = Identity(user=user, role=app.config.role(person.role),
                            target=app.config.targets[name.target], login=name.login,
                            client_addr=client_addr, enrolled=person.enrolled)
        return Decision.NEED_TOTP, Login(username, user, identity, enrolled=person.enrolled)

    def _cert_proven(self, name: Name, username: str, cert: asyncssh.SSHCertificate,
                     client_addr: str) -> tuple[Decision, Login | None]:
        app = self.app
        if name.kind != "session":
            return Decision.REFUSE("certificates open sessions only; use your enrolled key "
                                   "for bastion commands"), None
        info = certs.cert_info(cert)
        row, problem = grants.certificate_problem(app.store, info.serial, username)
        if problem:
            return Decision.REFUSE(problem), None
        person = users.get(app.store, row["user"])
        if person is None:
            return Decision.REFUSE(f"user {row['user']} was removed"), None
        if person.locked:
            return Decision.REFUSE(f"user {person.name} is locked"), None
        problem = self._session_problem(person.name, person.role, name)
        if problem:
            return Decision.REFUSE(problem), None
        role = app.config.role(person.role)
        target = app.config.targets[name.target]
        identity = Identity(user=person.name, role=role, target=target, login=name.login,
                            client_addr=client_addr, serial=info.serial,
                            cert_ticket=row["ticket"],
                            cert_forwarding=bool(cert.options.get("permit-port-forwarding")),
                            enrolled=person.enrolled)
        login = Login(username, person.name, identity,
                      consume=info.serial if row["single_use"] else None,
                      enrolled=person.enrolled)
        if role.mfa_per_session or target.mfa_per_session:
            if not mfa.is_enrolled(app.store, person.name):
                return Decision.REFUSE("this session needs TOTP, but none is enrolled"), None
            return Decision.NEED_TOTP, login
        return self._finish_cert(login), login

    def _finish_cert(self, login: Login) -> Decision:
        if login.consume is not None and not grants.consume_single_use(
                self.app.store, login.consume, login.user, self.client_addr):
            return Decision.REFUSE(f"single-use certificate {login.consume} was already used")
        return Decision.ACCEPT

    def _session_problem(self, user: str, role_name: str, name: Name) -> str | None:
        cfg = self.app.config
        target = cfg.targets.get(name.target)
        if target is None:
            return f"no active grant for {name.login}@{name.target}"
        try:
            grants.check_access(cfg, role_name, name.target, name.login)
        except BastionError as exc:
            return str(exc)
        if not grants.active_grants(self.app.store, user, name.target, name.login):
            return f"no active grant for {name.login}@{name.target}"
        return None

    def _totp_decision(self, username: str, code: str) -> tuple[Decision, None]:
        # The code is checked for the person whose key or certificate was proven for this
        # very user name, and for nobody else.
        login = self.login
        if login is None or login.username != username:
            return Decision.REFUSE("authentication failed"), None
        result = mfa.verify(self.app.store, self.app.ctx.box, login.user, code,
                            actor_addr=self.client_addr)
        if not result.ok:
            return Decision.REFUSE(f"TOTP refused: {result.reason}"), None
        if login.identity is not None and login.identity.serial is not None:
            return self._finish_cert(login), None
        return Decision.ACCEPT, None

    def refused(self, username: str, client_addr: str, reason: str, *, proven: bool) -> None:
        actor = username[:100] or "(empty)"
        if proven:
            self._audit_refusal(actor, client_addr, reason, proven=True)
        else:  # anyone can cause these, without a key: capped per source and overall
            self.app.refuse_unproven(actor, client_addr, reason)

    def _audit_refusal(self, actor: str, client_addr: str, reason: str, *, proven: bool) -> None:
        audit_refusal(self.app.store, actor, client_addr, reason, proven=proven)

    def name_changed(self, first: str, second: str, client_addr: str) -> None:
        self.app.refuse_connection(client_addr, NAME_CHANGE_REFUSAL,
                                   first=first[:100], second=second[:100])

    def auth_completed(self) -> None:
        self.authenticated = True
        if self.login_timer is not None:
            self.login_timer.cancel()
            self.login_timer = None
        login, proof = self.login, self.proof
        as_name = self.conn.get_extra_info("username")
        if login is None or proof is None or not login.username == proof.username == as_name:
            # auth.py admits a connection only after this server accepted a step for its one
            # user name; anything else is a bug, and fails closed.
            log.error("authentication of %r from %s completed without a matching login; "
                      "disconnecting", as_name, self.client_addr)
            self._disconnect("authentication failed")
            return
        self.login = None
        try:
            # The person proven at the key step must still hold the name as the login completes.
            same = users.get(self.app.store, login.user, enrolled=login.enrolled) is not None
        except StoreError:
            same = False
        if not same:
            self._audit_refusal(as_name[:100], self.client_addr, rights.REENROLLED, proven=True)
            self._disconnect("authentication failed")
            return
        method = "certificate" if login.identity and login.identity.serial else "key+totp"
        try:
            audit.record(self.app.store, "auth.success", login.user, client=self.client_addr,
                         as_name=as_name, method=method,
                         serial=login.identity.serial if login.identity else None)
        except StoreError as exc:
            # A login that cannot be audited does not go on (fail closed): no channel is
            # served, and the client is told why as it is disconnected.
            log.error("login of %s from %s not audited, disconnecting: %s", login.user,
                      self.client_addr, exc)
            self._disconnect(STORE_BUSY)
            return
        self.user = login.user
        self.enrolled = login.enrolled
        if login.identity is not None:
            self.identity = login.identity
            self.live = LiveSession(app=self.app, identity=self.identity, conn=self.conn)
        else:
            self.command_user = login.user

    def disconnect(self, reason: str) -> None:
        """Disconnect now, telling the client `reason` (the server's drain at shutdown)."""
        if self.conn is not None:
            self.conn.disconnect(asyncssh.DISC_BY_APPLICATION, reason)

    def _disconnect(self, reason: str) -> None:
        conn = self.conn
        asyncio.get_running_loop().call_soon(conn.disconnect, asyncssh.DISC_BY_APPLICATION, reason)

    # -- rights, for as long as the connection is open -----------------------------------------

    def hold_to(self, snapshot: rights.Snapshot, cfg: config.Config, t: float) -> None:
        """Keep this authenticated connection within what the store says now: end it when its
        person is locked or removed (or their role is gone); end its session when the role no
        longer allows it, or its row, certificate or grants say so (`rights.session_verdict`);
        close its control door when the person no longer supervises."""
        if self.is_ending():
            return
        standing = snapshot.people.get(self.user)
        problem = rights.standing_problem(standing, cfg, self.enrolled)
        if problem is not None:
            self.end(problem)
            return
        if self.live is not None:
            verdict = rights.session_verdict(snapshot, cfg, self.live.access(), t)
            if verdict is not None:
                self.app.end_live(self.live, *verdict)
                return
            self.live.hold_to_role(cfg.roles[standing.role])
        elif not standing.may_supervise(cfg):
            for door in list(self.doors):
                if door.needs_supervise:
                    self._audit_ended("control door", "the user no longer supervises")
                    door.end("you no longer supervise: the control door is closed")

    def is_ending(self) -> bool:
        """True once this connection, or the session it carries, has begun to end."""
        return self.ending_since is not None or (self.live is not None and self.live.ending)

    def end(self, reason: str) -> None:
        """End this connection, whatever it serves: its user is told why, its channels exit,
        then it closes (within a second, whatever the client does). Audited: a session as
        session.killed, other doors (and a login without a channel yet) as connection.ended."""
        if self.ending_since is not None:
            return
        self.ending_since = time.monotonic()
        if self.live is not None:
            self.app.end_live(self.live, "killed", reason)
            return
        doors = list(self.doors)
        try:
            self._audit_ended("connection", reason)
            each(doors, lambda door: door.end(f"connection ended: {reason}"),
                        f"ending a door of {self.user}")
        finally:
            self._closer = asyncio.get_running_loop().create_task(self._close_after(doors))

    async def _close_after(self, doors: list[commands.CommandSession]) -> None:
        try:
            waits = [asyncio.ensure_future(d.wait_closed()) for d in doors]
            if waits:
                await asyncio.wait(waits, timeout=END_GRACE)
                for wait in waits:
                    wait.cancel()
        finally:
            self.conn.close()

    def finish_ending(self, now: float) -> None:
        """The backstop of every end: a connection still open END_DEADLINE after its end (or
        its session's) began is closed now, its upstream too, whatever was meant to close it."""
        began = self.ending_since
        if self.live is not None and self.live.ending_since is not None:
            began = self.live.ending_since if began is None else min(began, self.live.ending_since)
        if began is None or now - began < END_DEADLINE:
            return
        log.warning("connection of %s from %s still open %.1fs after it was ended; closing it",
                    self.user, self.client_addr, now - began)
        if self.live is not None:
            self.live.close_upstream()
        self.conn.abort()

    def _audit_ended(self, what: str, reason: str) -> None:
        audit.record_or_log(self.app.store, "connection.ended", self.user or "?",
                            client=self.client_addr, door=what, reason=reason)

    # -- channels ----------------------------------------------------------------------------

    def session_requested(self) -> asyncssh.SSHServerSession | bool:
        if self.live is not None:
            return self.live.open_channel()
        if self.command_user is None:
            return False
        if self.ending_since is not None:
            self.app.note_refusal("channel.refused", self.command_user, "session",
                                  reason="the connection has ended")
            return False
        if len(self.doors) >= MAX_SESSION_CHANNELS:
            # As on a login connection (live.open_channel): each door holds buffers and, for
            # `control`, a subscriber; 3,000 idle ones opened unrefused (attack a10o).
            reason = f"too many session channels open at once (at most {MAX_SESSION_CHANNELS})"
            self.app.note_refusal("channel.refused", self.command_user, "session", reason=reason)
            raise asyncssh.ChannelOpenError(asyncssh.OPEN_RESOURCE_SHORTAGE, reason)
        door = commands.CommandSession(self.app, self.command_user, self)
        self.doors.add(door)
        return door

    def connection_requested(self, dest_host: str, dest_port: int, orig_host: str,
                             orig_port: int) -> Any:
        """`ssh -L` and `ssh -W`: opened from the target when the user's role (as configured
        now, not at login) allows forwarding; refused and audited otherwise."""
        live = self.live
        role = self.app.config.roles.get(live.identity.role.name) if live else None
        if live is None or role is None or not role.forwarding:
            self._refuse_forwarding("direct-tcpip", f"{dest_host}:{dest_port}")
            return False
        if live.identity.serial is not None and not live.identity.cert_forwarding:
            self._refuse_forwarding("direct-tcpip", f"{dest_host}:{dest_port}",
                                    "the certificate does not permit port forwarding")
            return False
        return forward.open_forward(live, dest_host, dest_port, orig_host, orig_port)

    def server_requested(self, listen_host: str, listen_port: int) -> bool:
        self._refuse_forwarding("tcpip-forward", f"{listen_host}:{listen_port}")
        return False

    def unix_connection_requested(self, dest_path: str) -> bool:
        self._refuse_forwarding("direct-streamlocal", dest_path)
        return False

    def unix_server_requested(self, listen_path: str) -> bool:
        self._refuse_forwarding("streamlocal-forward", listen_path)
        return False

    def tun_requested(self, unit: int | None) -> bool:
        """`ssh -w` (layer 3): never offered; refused and audited as other forwards are."""
        self._refuse_forwarding("tun@openssh.com", f"layer 3, unit {unit}")
        return False

    def tap_requested(self, unit: int | None) -> bool:
        self._refuse_forwarding("tun@openssh.com", f"layer 2, unit {unit}")
        return False

    def forwarding_refused(self, kind: str) -> None:
        """x11 and agent forwarding requests (bastion.ssh.channel_requests): refused, audited."""
        self._refuse_forwarding(kind, "")

    def _refuse_forwarding(self, kind: str, where: str, reason: str = "forwarding not allowed"
                           ) -> None:
        who = self.identity.user if self.identity else (self.command_user or "?")
        self.app.note_refusal("channel.refused", who, kind, destination=where,
                              session=self.live.id if self.live else None, reason=reason)


def server_options(app: Bastion) -> dict[str, Any]:
    home = app.home
    host_key = asyncssh.read_private_key(str(home.host_key))
    host_cert = asyncssh.read_certificate(str(home.host_cert))
    return {
        "server_host_keys": [(host_key, host_cert)],
        # No chacha20-poly1305: OpenSSH clients pick it whenever offered, and asyncssh runs it
        # several times slower than AES-GCM (bench/README.md).
        "encryption_algs": list(CLIENT_CIPHERS),
        "encoding": None,
        "line_editor": False,
        "agent_forwarding": False,
        "x11_forwarding": False,
        "allow_scp": False,
        "keepalive_interval": 30,
        "keepalive_count_max": 3,
        "window": upstream.WINDOW,  # both sides of every channel
        # The server times logins itself (BastionServer._login_timed_out): audited, and reloaded
        # on SIGHUP. asyncssh's own timer stays as a backstop past the longest allowed value.
        **auth.auth_options(login_timeout=durations.MAX_DURATION + 60),
    }


async def start(app: Bastion, listen: str | None = None) -> asyncssh.SSHAcceptor:
    """Start listening; returns the acceptor (its sockets tell the bound port)."""
    old = app.store.upgraded_from
    if old is not None:
        log.warning("database schema upgraded from version %d to %d; the old one is kept as %s",
                    old, SCHEMA_VERSION, app.store.backup_path(old).name)
    for sid in sessions.interrupted_on_start(app.store):
        log.warning("session %s was left open by a crash; marked interrupted", sid)
    close_interrupted_recordings(app)
    host, port = config.split_host_port(listen or app.config.server.listen)
    app.server = await asyncssh.create_server(lambda: BastionServer(app), host, port,
                                              **server_options(app))
    app.control_server = await control.start_socket(app)
    app.listeners += [app.server, app.control_server]
    app.enforcer = asyncio.get_running_loop().create_task(app.enforce_forever())
    bound = app.server.sockets[0].getsockname()
    audit.record(app.store, "bastion.started", "system", listen=f"{bound[0]}:{bound[1]}")
    app.log_escrow()
    return app.server


def run(ctx: Context, listen: str | None = None,
        gate_factory: gate.GateFactory = gate.make_gate) -> int:
    """`bastion serve`: run until SIGTERM or SIGINT; SIGHUP reloads the configuration. Every
    session channel gets its command gate from `gate_factory` (the product's: gate.make_gate)."""
    level = os.environ.get("BASTION_LOG_LEVEL", "INFO").upper()
    handler = logging.StreamHandler()
    handler.setFormatter(VisibleFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=getattr(logging, level, logging.INFO), handlers=[handler])
    logging.getLogger("asyncssh").setLevel(logging.WARNING)
    app = Bastion(ctx, gate_factory)
    try:
        config.split_host_port(listen or ctx.config.server.listen)
    except ValueError as exc:
        raise BastionError(f"--listen: {exc}") from None

    asyncio.run(serve(app, listen))
    return 0


async def serve(app: Bastion, listen: str | None = None,
                reason: str = "the bastion is restarting") -> None:
    """Listen, run until SIGTERM or SIGINT (SIGHUP reloads), then stop gracefully with `reason`."""
    # Handlers first: a SIGTERM that comes as soon as the service starts still stops it gently.
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    loop.add_signal_handler(signal.SIGHUP, app.reload)
    loop.add_signal_handler(signal.SIGUSR1, app.log_stats)
    try:
        acceptor = await start(app, listen)
    except OSError as exc:
        raise BastionError(f"cannot listen on {listen or app.config.server.listen}: "
                           f"{exc.strerror}") from None
    bound = acceptor.sockets[0].getsockname()
    print(f"bastion listening on {bound[0]}:{bound[1]}", flush=True)
    await stop.wait()
    app.shutdown(reason)
    await app.drain(reason)
    audit.record_or_log(app.store, "bastion.stopped", "system", reason=reason)
