"""The SSH command interface: `ssh -p PORT NAME@bastion COMMAND ...` after enrolled key + TOTP.

Everyone: `request`, `status`, `cert`. Supervisors also: `approve`, `deny`, `requests`, `held`,
`confirm`, `reject`, `sessions`, `kill`, `revoke`, with the same syntax as the `bastion` CLI.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import logging
import shlex
import time
from typing import TYPE_CHECKING, Any, NoReturn

import asyncssh

import certs
from bastion.access import grants, rights, users
from bastion.config import durations
from bastion.control import commands as supervisor
from bastion.control import operations as control
from bastion.control.protocol import SUBSYSTEM
from bastion.errors import BastionError
from bastion.ssh import ending
from bastion.text import visible

if TYPE_CHECKING:
    from bastion.ssh.server import Bastion, BastionServer

log = logging.getLogger("bastion.ssh.commands")
WAIT_POLL = 0.5
MAX_COMMAND = 4096
LISTED = control.MAX_REQUESTS_LISTED  # rows a listing holds here, as on the control door


class _CommandParser(supervisor.Parser):
    """argparse for the SSH command interface, which runs inside the server: no `-h` (argparse
    prints help to the server's stdout and exits the process), and nothing may exit: whatever
    argparse would exit on is a usage error for the one client who sent it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:  # type: ignore[override]
        raise supervisor.UsageError(f"{self.prog}: {(message or '').strip() or 'see the usage below'}")

    def print_help(self, file: Any = None) -> None:
        raise supervisor.UsageError(f"{self.prog}: see the usage below")

    def print_usage(self, file: Any = None) -> None:
        raise supervisor.UsageError(f"{self.prog}: see the usage below")


def build_parser() -> argparse.ArgumentParser:
    parser = _CommandParser(prog="bastion", description="Commands of the bastion's SSH interface.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_CommandParser)
    p = sub.add_parser("request", help="ask for access to a target")
    p.add_argument("--target", required=True)
    p.add_argument("--login", required=True)
    p.add_argument("--ticket", required=True)
    p.add_argument("--duration", type=supervisor.duration_arg, required=True)
    # ssh joins words with spaces, so `--reason "disk full"` arrives as two words: take them all.
    p.add_argument("--reason", required=True, nargs="+", type=str)
    p.add_argument("--wait", action="store_true", help="wait until the request is decided")
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("status", help="your requests and grants")
    p.add_argument("request_id", nargs="?")
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("cert", help="a certificate for your live grants of a ticket or request")
    p.add_argument("id", metavar="ID")
    supervisor.add_supervisor_commands(sub)
    return parser


HELP = """usage: ssh NAME@bastion COMMAND ...
  help                            (or no command: your grants, requests and certificates, and this)
  request --target T --login L --ticket ID --duration D --reason TEXT [--wait] [--json]
  status [REQUEST_ID] [--json]
  cert ID                         (a ticket or request id; prints one certificate line)
supervisors: requests, approve ID, deny ID, held, confirm ID, reject ID, sessions, kill ID,
             revoke (--serial N | --grant ID | --user NAME | --ticket ID)
a session: ssh LOGIN@TARGET@bastion
"""
HELP_WORDS = ("help", "--help", "-h")


def _is_unicode(text: str) -> bool:
    """False for text holding a lone surrogate (undecodable bytes kept by surrogateescape),
    which no store or terminal can take."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class CommandSession(asyncssh.SSHServerSession):
    """One command of the SSH interface: run it, print its output, exit with its code."""

    def __init__(self, app: Bastion, user: str, server: BastionServer) -> None:
        self.app = app
        self.user = user
        self.server = server
        self.chan: asyncssh.SSHServerChannel | None = None
        self.command: str | None = None
        self.control: control.ControlConnection | None = None
        self.ended = False

    def connection_made(self, chan: asyncssh.SSHServerChannel) -> None:
        self.chan = chan

    @property
    def needs_supervise(self) -> bool:
        """The control door needs the supervise right for as long as it stays open."""
        return self.control is not None

    def end(self, reason: str) -> None:
        """End this channel now: the reason on stderr (and, on the control door, as an error
        line first), exit status 1. The connection itself is its server's to close."""
        if self.chan is None or self.ended:
            return
        self.ended = True
        try:
            if self.control is not None:
                self.control.withdraw(reason)
            # Best effort: a finished command whose close the client never answered takes no
            # more words, and the doors after it must still end (bastion.ssh.ending).
            ending.last_word(self.chan, f"bastion: {visible(reason)}\n".encode())
        finally:
            self.chan.exit(1)

    async def wait_closed(self) -> None:
        if self.chan is not None:
            await self.chan.wait_closed()

    def shell_requested(self) -> bool:
        return True

    def exec_requested(self, command: str) -> bool:
        self.command = command
        return True

    def subsystem_requested(self, subsystem: str) -> bool:
        # A channel opened just before its connection began to end asks too late.
        return (subsystem == SUBSYSTEM and not self.server.is_ending()
                and control.attach_subsystem(self.app, self))

    def env_refused(self, reason: str) -> None:
        """An `env` request refused (bastion.ssh.channel_requests): audited, capped."""
        self.app.note_refusal("channel.refused", self.user, "env", reason=reason)

    def session_started(self) -> None:
        if self.server.is_ending():
            self.end("the connection has ended")
            return
        if self.control is not None:
            self.control.start()
            return
        asyncio.get_running_loop().create_task(self._run())

    def data_received(self, data: bytes, datatype: int | None) -> None:
        if self.control is not None and not self.ended:
            self.control.data_received(data)

    def eof_received(self) -> bool:
        if self.control is not None:
            self.control.eof_received()
        # Keep our half open: a client with empty stdin sends EOF before the output is written.
        return True

    def connection_lost(self, exc: Exception | None) -> None:
        self.server.doors.discard(self)
        if self.control is not None:
            self.control.connection_lost()

    async def _run(self) -> None:
        out, err = io.StringIO(), io.StringIO()
        code = await self.execute(self.command, out, err)
        if self.ended:  # ended meanwhile (the user was locked): it said why already
            return
        # There is no shell on the bastion, so no pty either: a terminal would show bare line
        # feeds as a staircase. Both streams land on that terminal.
        newline = "\r\n" if self.chan.get_terminal_type() else "\n"
        # The client may have closed the channel while the command ran (`request --wait`).
        ending.last_word(self.chan, _shown(out.getvalue(), newline).encode(), stderr=False)
        ending.last_word(self.chan, _shown(err.getvalue(), newline).encode())
        self.chan.exit(code)

    async def execute(self, command: str | None, out: io.StringIO, err: io.StringIO) -> int:
        """Run one command line; what it prints goes to `out` and `err` with bare line feeds.
        No command, or `help`, prints the user's status and the help (exit 0); a usage error
        prints the reason and the help on `err` (exit 2). Every command gets an answer: an
        error that is not the bastion's own is one line and exit 1 for the client, and its
        traceback goes once to the server's log (as the control door's `handle_line` does)."""
        try:
            return await self._execute(command, out, err)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception("command %r of %s failed", (command or "")[:200], self.user)
            err.write(f"bastion: the command failed ({type(exc).__name__}); it is in the "
                      "server's log\n")
            return 1

    async def _execute(self, command: str | None, out: io.StringIO, err: io.StringIO) -> int:
        if command is not None and not _is_unicode(command):
            err.write("bastion: the command is not valid UTF-8 text\n")
            return 2
        words = (command or "").split()
        if not words or (len(words) == 1 and words[0] in HELP_WORDS):
            self._face(out)
            return 0
        if len(command) > MAX_COMMAND:
            err.write("bastion: command too long\n")
            return 2
        try:
            argv = shlex.split(command)
        except ValueError as exc:
            err.write(f"bastion: cannot parse the command: {exc}\n")
            return 2
        try:
            args = build_parser().parse_args(argv)
        except supervisor.UsageError as exc:
            err.write(f"{exc}\n{HELP}")
            return 2
        except SystemExit:  # never the server's: whatever else argparse exits on (fail closed)
            err.write(f"bastion: cannot parse the command\n{HELP}")
            return 2
        try:
            code = await self._dispatch(args, out)
        except BastionError as exc:
            err.write(f"bastion: {exc}\n")
            return 1
        if getattr(args, "left_out", False):
            err.write(f"bastion: only the newest {LISTED} are listed here, and there are more; "
                      f"`bastion {args.command} --all` on the bastion itself lists them all\n")
        return code

    async def _dispatch(self, args: argparse.Namespace, out: io.StringIO) -> int:
        app, user = self.app, self.user
        # Every command is run by the person as they stand now, not as they logged in.
        # ... and by the person who authenticated: a name enrolled again is someone else.
        person = users.get(app.store, user, enrolled=self.server.enrolled)
        problem = rights.standing_problem(
            rights.Standing(person.name, person.role, person.locked, person.lock_reason)
            if person else None, app.config)
        if problem:
            raise BastionError(rights.REENROLLED if problem == "user removed"
                               and users.get(app.store, user) else problem)
        if args.command == "request":
            req = grants.create_request(app.store, app.config, user, target=args.target,
                                        login=args.login, ticket=args.ticket,
                                        duration=args.duration, reason=" ".join(args.reason),
                                        client=self.server.client_addr,
                                        refusals=app.request_refusals)
            if args.wait:
                req = await self._wait_for_decision(req["id"])
            _print_request(out, req, args.json)
            return 0 if req["state"] in ("pending", "approved") else 1
        if args.command == "status":
            return self._status(args, out)
        if args.command == "cert":
            return self._cert(args.id, out)
        if args.command in ("requests", "held", "sessions") and not grants.can_supervise(
                app.store, app.config, user):
            raise BastionError(f"{args.command} is for supervisors")
        if args.command in ("requests", "sessions"):
            args.newest = LISTED  # this runs on the server's one loop (attack k20o F10)
        return args.func(app.ctx, args, user, out)

    def _cert(self, ticket_or_request: str, out: io.StringIO) -> int:
        """`cert ID`: at most grants.CERTS_PER_CONNECTION on one connection (and CERTS_PER_MINUTE
        a person); refusals are audited once a minute with their count (Bastion.note_refusal)."""
        app, server = self.app, self.server
        try:
            if server.certificates_issued >= grants.CERTS_PER_CONNECTION:
                raise grants.GrantError(f"this connection was issued {server.certificates_issued} "
                                        "certificates already; connect again for more")
            cert = grants.mint_for_grants(app.store, app.config, app.user_ca, self.user,
                                          ticket_or_request, server.proof.key,
                                          client_addr=server.client_addr,
                                          enrolled=server.enrolled)
        except grants.GrantError as exc:
            app.note_refusal("cert.refused", self.user, "cert", reason=str(exc),
                             client=server.client_addr)
            raise
        server.certificates_issued += 1
        out.write(certs.certificate_line(cert) + "\n")
        return 0

    async def _wait_for_decision(self, request_id: str) -> dict[str, Any]:
        while True:
            grants.expire_pending(self.app.store)
            req = grants.get_request(self.app.store, request_id)
            if req["state"] != "pending" or self.chan.is_closing():
                return req
            await asyncio.sleep(WAIT_POLL)

    def _status(self, args: argparse.Namespace, out: io.StringIO) -> int:
        store = self.app.store
        if args.request_id:
            req = grants.get_request(store, args.request_id)
            if not grants.is_requesters(req, self.user, self.server.enrolled) and \
                    not grants.can_supervise(store, self.app.config, self.user):
                raise BastionError(f"no such request: {args.request_id}")
            _print_request(out, req, args.json)
            return 0
        reqs = grants.list_requests(store, state=None, user=self.user, newest=20,
                                    since=self.server.enrolled)
        live = grants.active_grants(store, self.user)
        if args.json:
            out.write(json.dumps({"requests": reqs, "grants": [g.__dict__ for g in live]}) + "\n")
            return 0
        for req in reqs:
            _print_request(out, req, False)
        for g in live:
            out.write(f"grant {g.id} {visible(g.login)}@{g.target} ticket {visible(g.ticket)} "
                      f"until {supervisor.when(g.ends)}\n")
        if not reqs and not live:
            out.write("no requests and no grants\n")
        return 0

    def _face(self, out: io.StringIO) -> None:
        """What `ssh NAME@bastion` shows: who you are, what you may use now and for how long,
        what waits for a decision, then the commands."""
        store, t = self.app.store, time.time()
        person = users.get(store, self.user)
        out.write(f"{self.user} ({person.role if person else '?'}) on "
                  f"{visible(self.app.config.server.hostname)}\n")
        _section(out, "grants", [
            f"{g.id}  {g.login}@{g.target}  ticket {visible(g.ticket)}  until {supervisor.when(g.ends)}"
            f" ({durations.format_span(g.ends - t, seconds_below_an_hour=False)} left)"
            for g in grants.active_grants(store, self.user, at=t)])
        _section(out, "pending requests", [
            f"{r['id']}  {r['login']}@{r['target']}  ticket {visible(r['ticket'])}  "
            f"{durations.format_duration(r['duration'])}  reason: {visible(r['reason'])}"
            for r in grants.list_requests(store, state="pending", user=self.user, newest=LISTED,
                                          since=self.server.enrolled)])
        _section(out, "certificates", [
            f"serial {c['serial']}  {', '.join(c['principals'])}  until "
            f"{supervisor.when(c['valid_before'])} "
            f"({durations.format_span(c['valid_before'] - t, seconds_below_an_hour=False)} left)"
            for c in grants.live_certificates(store, self.user, at=t)])
        out.write("\n" + HELP)


def _section(out: io.StringIO, title: str, lines: list[str]) -> None:
    out.write(f"{title}:{'' if lines else ' none'}\n")
    for line in lines:
        out.write(f"  {line}\n")


def _shown(text: str, newline: str) -> str:
    """Everything the interface prints, line by line, made `visible`: whatever a field held
    (a reason written by someone else, an error quoting what was typed), it reaches the reader's
    terminal as text, never as a control sequence."""
    return newline.join(visible(line) for line in text.split("\n"))


def _print_request(out: io.StringIO, req: dict[str, Any], as_json: bool) -> None:
    if as_json:
        out.write(json.dumps(req) + "\n")
        return
    # Each field is made visible on its own: a newline inside one must not start a line.
    line = f"request {req['id']} {req['state']}"
    if req["state"] == "approved" and req.get("grant"):
        line += (f": grant {req['grant']} for {visible(req['login'])}@{req['target']} until "
                 f"{supervisor.when(req['grant_ends'])}")
    elif req["state"] == "pending":
        line += (f" ({visible(req['login'])}@{req['target']}, {visible(req['ticket'])}, "
                 f"{durations.format_duration(req['duration'])})")
    elif req.get("decision_reason"):
        line += f": {visible(req['decision_reason'])}"
    out.write(line + "\n")
