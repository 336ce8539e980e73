"""`bastion`: the command line, a thin layer over the library (its contract: README.md, "The flows"
and "Reference").

Exit codes: 0 success, 1 refused or failed (one line on stderr), 2 usage error. Listings take --json.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import stat
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

import certs
from bastion import audit
from bastion.access import grants, mfa, users
from bastion.cli.files import bounded_lines, read_small
from bastion.cli.unseal import unsealed
from bastion.config import durations
from bastion.config.sizes import format_size
from bastion.control.commands import (
    Parser,
    UsageError,
    add_supervisor_commands,
    duration_arg,
    emit,
    number_arg,
    when,
)
from bastion.control.protocol import ControlClient, ControlError
from bastion.errors import BastionError
from bastion.runtime.home import Context, Home, init, local_actor, open_home, require_private
from bastion.store import now
from bastion.text import visible
from certs.files import create_private_file


def _read_key(path: str) -> Any:
    try:
        text = read_small(path).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BastionError(f"{path}: cannot read key: {exc}") from None
    return users.parse_public_key(text, path)


def _source_network(text: str) -> str:
    """--source-address: an address or a strict CIDR network (argparse: a usage error)."""
    try:
        return str(certs.plain_network(text))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an address or network: {exc}") from None


def _regular_out(path: str) -> None:
    """--out must be a new or regular file: never a directory, device or FIFO replaced."""
    if os.path.lexists(path) and not os.path.isfile(path):
        raise BastionError(f"{path}: cannot write: it exists and is not a regular file")


def _server_op(args: argparse.Namespace) -> tuple[str, dict[str, Any]] | None:
    """The control-API request for a CLI command that acts on a running server."""
    reason = {"reason": args.reason} if getattr(args, "reason", None) else {}
    if args.command == "kill":
        return "kill", {"session": args.session_id, **reason}
    if args.command == "confirm":
        return "confirm", {"held": args.held_id}
    if args.command == "reject":
        return "reject", {"held": args.held_id, **reason}
    if args.command == "revoke":
        for key in ("serial", "grant", "user", "ticket"):
            if getattr(args, key) is not None:
                return "revoke", {key: getattr(args, key), **reason}
    return None


def via_running_server(home: Home, args: argparse.Namespace, out: TextIO) -> bool:
    """Act through HOME/control.sock when the server runs, so the change takes effect at once.

    Returns False when no server answers (the store is then changed directly; the server, when
    it starts or on its next pass, enforces it)."""
    request = _server_op(args)
    if request is None or not home.control_socket.exists():
        return False
    op, fields = request

    async def call() -> dict[str, Any]:
        client = await ControlClient.open_unix(str(home.control_socket))
        try:
            return await client.request(op, **fields)
        finally:
            await client.close()

    try:
        reply = asyncio.run(call())
    except (OSError, ConnectionError):
        return False
    except ControlError as exc:
        raise BastionError(str(exc)) from None
    what = {"kill": f"session {fields.get('session')} ended",
            "confirm": f"held command {fields.get('held')} confirmed",
            "reject": f"held command {fields.get('held')} rejected",
            "revoke": f"revoked ({reply.get('changed', 0)} grants and certificates); "
                      "live sessions ended"}[op]
    out.write(visible(what) + "\n")
    return True


# ---------------------------------------------------------------- local-only commands

def cmd_init(home: Home, args: argparse.Namespace, out: TextIO) -> int:
    result = init(home, args.hostname)
    if result.created:
        out.write(f"initialised {home.path}: created {', '.join(result.created)}\n")
    else:
        out.write(f"{home.path} already initialised; nothing changed\n")
    out.write(
        "\nOn every target, install the target CA and add to /etc/ssh/sshd_config:\n"
        f"  echo '{result.target_ca_line}' > /etc/ssh/bastion_target_ca.pub\n"
        "  TrustedUserCAKeys /etc/ssh/bastion_target_ca.pub\n"
        "  AuthorizedKeysFile none\n"
        "  PasswordAuthentication no\n"
        "  KbdInteractiveAuthentication no\n"
        "  # for targets with principals = \"scoped\" (a certificate for one target opens no other):\n"
        "  # AuthorizedPrincipalsFile /etc/ssh/principals/%u   (containing lines TARGET:LOGIN)\n"
        "\nClients trust the bastion's host certificate with this known_hosts line:\n"
        f"  @cert-authority {result.hostname} {result.host_ca_line}\n"
    )
    return 0


def _enrolment_text(name: str, enrolment: mfa.Enrolment) -> str:
    return (f"TOTP for {name}: scan this code in an authenticator app, or enter the URI.\n"
            f"{enrolment.uri}\n{enrolment.qr_text()}")


def cmd_user(ctx: Context, args: argparse.Namespace, out: TextIO) -> int:
    actor = local_actor()
    if args.user_cmd == "add":
        users.check_name(args.name)
        ctx.config.role(args.role)
        key = _read_key(args.key)
        users.add(ctx.store, args.name, args.role, key, actor)
        enrolment = mfa.enrol(ctx.store, ctx.box, args.name, ctx.config.server.hostname)
        out.write(f"user {args.name} added with role {args.role}, key {users.fingerprint(key)}\n")
        out.write(_enrolment_text(args.name, enrolment))
    elif args.user_cmd == "list":
        emit(out, args, users.list_users(ctx.store), ("name", "role", "keys", "totp", "locked",
                                                        "lock_reason"))
    elif args.user_cmd == "remove":
        users.remove(ctx.store, args.name, actor)
        out.write(f"user {args.name} removed; their grants and certificates are revoked\n")
    elif args.user_cmd == "add-key":
        key = _read_key(args.file)
        users.add_key(ctx.store, args.name, key, actor)
        out.write(f"key {users.fingerprint(key)} added to {args.name}\n")
    elif args.user_cmd == "reset-totp":
        users.require(ctx.store, args.name)
        enrolment = mfa.enrol(ctx.store, ctx.box, args.name, ctx.config.server.hostname)
        audit.record(ctx.store, "user.totp_reset", actor, user=args.name)
        out.write(_enrolment_text(args.name, enrolment))
    elif args.user_cmd == "lock":
        users.lock(ctx.store, args.name, args.reason or "locked by an admin", actor)
        out.write(f"user {args.name} locked; their live sessions end within a second\n")
    elif args.user_cmd == "unlock":
        users.unlock(ctx.store, args.name, actor)
        out.write(f"user {args.name} unlocked\n")
    elif args.user_cmd == "set-role":
        grants.set_role(ctx.store, ctx.config, args.name, args.role, actor)
        out.write(f"user {args.name} now has role {args.role}; what it does not allow ends "
                  "within a second\n")
    return 0


def cmd_vendor(ctx: Context, args: argparse.Namespace, out: TextIO) -> int:
    key = _read_key(args.key)
    # The file is opened before anything is issued, and what was issued is revoked if it
    # cannot be written: no grant or certificate nobody received (attack k20o F1).
    _regular_out(args.out)
    existed = os.path.lexists(args.out)
    try:
        handle = open(args.out, "a", encoding="ascii")
    except OSError as exc:
        raise BastionError(f"{args.out}: cannot write: {exc.strerror or exc}") from None
    with handle:
        try:
            cert, grant = grants.issue_vendor(
                ctx.store, ctx.config, ctx.user_ca, name=args.name, key=key, target=args.target,
                login=args.login, ticket=args.ticket, duration=args.duration,
                actor=local_actor(), source_address=args.source_address)
        except BaseException:
            if not existed:
                os.unlink(args.out)
            raise
        try:
            handle.truncate(0)
            handle.write(certs.certificate_line(cert) + "\n")
            handle.flush()
        except OSError as exc:
            grants.revoke(ctx.store, actor=local_actor(), grant=grant.id,
                          reason=f"the certificate could not be written to {args.out}")
            raise BastionError(f"{args.out}: cannot write: {exc.strerror or exc}; grant "
                               f"{grant.id} and its certificate were revoked") from None
    info = certs.cert_info(cert)
    _, port = ctx.config.server.listen_host_port
    out.write(
        f"vendor certificate serial {info.serial} for {args.login}@{args.target}, ticket "
        f"{args.ticket}, single use, valid until {when(info.valid_before)}, written to {args.out}\n"
        f"connect with:\n  ssh -p {port} -i {_private_guess(args.key)} -o CertificateFile={args.out} "
        f"{args.login}@{args.target}@{ctx.config.server.hostname}\n")
    return 0


def _private_guess(pub_path: str) -> str:
    return pub_path[:-4] if pub_path.endswith(".pub") else "PRIVATE_KEY"


def cmd_audit(ctx: Context, args: argparse.Namespace, out: TextIO) -> int:
    if args.audit_cmd == "verify":
        result = audit.verify(ctx.store)
        if not result.ok:
            raise BastionError(f"audit chain broken at {result.problem}")
        summary = f"audit chain verifies: {result.rows} events, head {result.head[:16]}"
        if args.against:
            summary += _check_heads(ctx, args.against)
        out.write(summary + "\n")
        return 0
    if args.audit_cmd == "export":
        since = None
        if args.since:
            try:
                parsed = dt.datetime.fromisoformat(args.since)
            except ValueError:
                raise UsageError(f"--since: not an ISO time: {args.since!r}") from None
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=dt.UTC)
            since = parsed.timestamp()
        for event in audit.export(ctx.store, since):
            # ASCII JSON: a C1 control or a bidi override in a field stays an escape on a terminal.
            out.write(json.dumps(event, sort_keys=True) + "\n")
        return 0
    if args.audit_cmd == "purge":
        from bastion.access import retention

        older = ctx.config.server.audit_retention if args.older_than is None else args.older_than
        result = retention.purge(ctx.store, ctx.home.recordings, now() - older, local_actor())
        gone = f"; {result.missing} more were already gone" if result.missing else ""
        out.write(f"purged {result.events} events and {result.recordings} recordings "
                  f"({format_size(result.bytes)}{gone}) older than {durations.format_duration(older)}\n")
        if result.failed:
            more = f" (and {len(result.failed) - 1} more)" if len(result.failed) > 1 else ""
            raise BastionError(f"{len(result.failed)} recordings could not be deleted and are kept "
                               f"for the next purge: {result.failed[0]}{more}")
        return 0
    return 2


def _check_heads(ctx: Context, path: str) -> str:
    """`audit verify --against FILE`: the chain heads in FILE (syslog lines) against the chain."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        with os.fdopen(fd, encoding="utf-8", errors="replace") as lines:
            # a FIFO waits for ever, /dev/zero never ends (attack m22o, finding 3)
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise BastionError(f"{path}: cannot read: not a regular file")
            result = audit.check_heads(ctx.store, bounded_lines(lines))
    except OSError as exc:
        raise BastionError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if not result.ok:
        raise BastionError(f"audit chain does not match {path}: {result.problem}")
    purged = f", {result.before_anchor} older than the purge anchor" if result.before_anchor else ""
    return f"; {result.checked} heads in {path} match{purged}"


def cmd_krl(ctx: Context, args: argparse.Namespace, out: TextIO) -> int:
    serials = grants.revoked_serials(ctx.store)
    version = int(now())
    _regular_out(args.out)
    try:
        certs.write_krl(Path(args.out), {ctx.user_ca.key: serials}, version=version,
                        comment="bastion revoked user certificates")
    except OSError as exc:
        raise BastionError(f"{args.out}: cannot write: {exc.strerror or exc}") from None
    audit.record(ctx.store, "krl.written", local_actor(), path=args.out, serials=len(serials))
    out.write(f"wrote {args.out}: {len(serials)} revoked serials\n")
    return 0


def cmd_serve(ctx: Context, args: argparse.Namespace, out: TextIO) -> int:
    from bastion.ssh import server

    require_private(ctx.home)
    return server.run(ctx, listen=args.listen)


def cmd_replay(ctx: Context, args: argparse.Namespace, out: TextIO) -> int:
    from bastion.access import sessions

    return sessions.replay(ctx, args.session_id, speed=args.speed)


def cmd_escrow(ctx: Context | None, args: argparse.Namespace, out: TextIO) -> int:
    """`bastion escrow keygen`: needs no home, so that it runs on the offline machine that keeps
    the private half."""
    from bastion.recording import escrow

    private, public = Path(args.out), Path(args.out + ".pub")
    for path in (private, public):
        if os.path.lexists(path):
            raise BastionError(f"{path} already exists; refusing to overwrite it")
    pem, key = escrow.generate()
    try:
        if not create_private_file(private, pem):
            raise BastionError(f"{private} already exists; refusing to overwrite it")
        with open(public, "x", encoding="ascii") as f:
            f.write(key.text + "\n")
    except OSError as exc:
        raise BastionError(f"cannot write the escrow key: {exc.filename}: {exc.strerror}") from None
    out.write(f"escrow private key written to {private} (mode 0600): keep it offline; the bastion "
              "never needs it\n"
              f"public key {key.fingerprint} written to {public}; put it in bastion.toml:\n"
              f'  [recordings]\n  escrow_key = "{key.text}"\n')
    return 0


def _escrow_keys(sources: list[str]) -> dict[str, Any]:
    """--key FILE|- (repeatable): the escrow private keys by fingerprint."""
    from bastion.recording import escrow

    if sources.count("-") > 1:
        raise UsageError("--key -: standard input can be given once")
    keys = {}
    for source in sources:
        data = read_small(source)
        key = escrow.load_private_key(data, "standard input" if source == "-" else source)
        keys[escrow.public_key_of(key).fingerprint] = key
    return keys


def cmd_recording(ctx: Context | None, args: argparse.Namespace, out: TextIO) -> int:
    """`bastion recording unseal (SESSION | FILE.cast) --key FILE|-`.

    A SESSION needs the home. A FILE.cast is read wherever it is, offline too; where a home is at
    hand (the one given, or the one whose recordings folder holds the file), the run is audited
    there, and refused when it cannot be (fail closed)."""
    from bastion import recording
    from bastion.access import sessions
    from bastion.recording.escrow import EscrowError, shown_keys
    from bastion.text import visible

    keys = _escrow_keys(args.key)
    home = Home.resolve(args.home)
    if args.source.endswith(".cast"):
        paths = [_real_path(args.source)]
        home = _home_of(paths[0], home)
        ctx = open_home(home) if home.db.exists() else None
    else:
        ctx = open_home(home)
        sessions.get(ctx.store, args.source)  # SessionError when there is no such session
        paths = [home.recordings / name for name in sessions.casts(ctx.store, args.source).values()]
        if not paths:
            raise BastionError(f"session {args.source} has no interactive recording")
    actor = local_actor()
    try:
        for path in paths:
            try:
                result, note = unsealed(ctx, path, keys)
            except (EscrowError, recording.RecordingError) as exc:
                if ctx is not None:
                    audit.record_or_log(ctx.store, "recording.unseal_failed", actor,
                                        path=path.name, error=str(exc))
                raise
            if ctx is not None:
                audit.record(ctx.store, "recording.unsealed", actor, path=path.name,
                             session=result.session, channel=result.channel, key=result.key,
                             sealed=result.sealed)
            if args.json:
                if note:
                    out.write(json.dumps({"file": path.name, "note": note}) + "\n")
                for line, at, code, text in result.events:
                    row = {"file": path.name, "line": line, "time": at, "code": code, "text": text}
                    if line in result.flags:
                        row["flag"] = result.flags[line]
                    out.write(json.dumps(row) + "\n")
                continue
            if result.key is None:
                out.write(f"{visible(path.name)}: recorded without an escrow key; its "
                          f"{result.redactions} redactions were not kept\n")
            else:
                out.write(f"{visible(path.name)}: session {visible(result.session or '')} channel "
                          f"{result.channel}, sealed to {visible(result.key)}: "
                          f"{result.sealed} sealed event{'' if result.sealed == 1 else 's'} "
                          "opened\n")
            if note:
                out.write(f"{visible(note)}\n")
            for line, at, code, text in result.events:
                flag = f"   <- {result.flags[line]}" if line in result.flags else ""
                out.write(f"{line:>7} {at:>11.3f}  {code}  {shown_keys(text)}{flag}\n")
    finally:
        if ctx is not None:
            ctx.close()
    return 0


def _real_path(source: str) -> Path:
    """FILE.cast as the file it is: symlinks, /proc/self/cwd and `..` followed (attack y34o,
    finding 4: any other spelling of a recording of the home was read as an offline file)."""
    try:
        return Path(source).resolve()
    except (OSError, RuntimeError) as exc:  # a symlink loop
        raise BastionError(f"cannot read recording {source}: {exc}") from None


def _home_of(path: Path, home: Home) -> Home:
    """The home whose recordings folder holds `path` (resolved): the given (or default) one
    when its folder is the file's, else the home around a folder named `recordings` that has
    a store, or one without a store when the given home has none either (an offline copy)."""
    beside = path.parent
    with contextlib.suppress(OSError):
        if home.recordings.exists() and os.path.samefile(beside, home.recordings):
            return home
    if beside.name == "recordings" and (Home(beside.parent).db.exists() or not home.db.exists()):
        return Home(beside.parent)
    return home


def cmd_tui(ctx: Context | None, args: argparse.Namespace, out: TextIO) -> int:
    from tui import app

    return app.main(args)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="bastion", description="Just-in-time SSH access bastion.")
    parser.add_argument("--home", help="home folder (default: $BASTION_HOME, else ./var)")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    p = sub.add_parser("init", help="create the home folder, CAs, host key and database")
    p.add_argument("--hostname", help="the name clients use for the bastion")
    p.set_defaults(local=cmd_init, needs_home=False)

    p = sub.add_parser("serve", help="run the SSH bastion")
    p.add_argument("--listen", help="HOST:PORT (default from bastion.toml)")
    p.set_defaults(local=cmd_serve)

    p = sub.add_parser("user", help="manage users")
    us = p.add_subparsers(dest="user_cmd", required=True, parser_class=Parser)
    q = us.add_parser("add", help="enrol a user; prints the TOTP URI and QR code")
    q.add_argument("name")
    q.add_argument("--role", required=True)
    q.add_argument("--key", required=True, help="the user's OpenSSH public key file")
    q = us.add_parser("list")
    q.add_argument("--json", action="store_true")
    q = us.add_parser("remove")
    q.add_argument("name")
    q = us.add_parser("add-key")
    q.add_argument("name")
    q.add_argument("file")
    q = us.add_parser("reset-totp")
    q.add_argument("name")
    q = us.add_parser("lock")
    q.add_argument("name")
    q.add_argument("--reason")
    q = us.add_parser("unlock")
    q.add_argument("name")
    q = us.add_parser("set-role", help="give a user another role")
    q.add_argument("name")
    q.add_argument("role")
    p.set_defaults(local=cmd_user)

    p = sub.add_parser("vendor", help="single-use vendor certificates")
    vs = p.add_subparsers(dest="vendor_cmd", required=True, parser_class=Parser)
    q = vs.add_parser("issue")
    q.add_argument("--name", required=True)
    q.add_argument("--key", required=True)
    q.add_argument("--target", required=True)
    q.add_argument("--login", required=True)
    q.add_argument("--ticket", required=True)
    q.add_argument("--duration", type=duration_arg, required=True)
    q.add_argument("--out", required=True)
    q.add_argument("--source-address", action="append", type=_source_network,
                   help="pin the certificate to this client address or CIDR (repeatable)")
    p.set_defaults(local=cmd_vendor)

    p = sub.add_parser("replay", help="play a session's recording in this terminal")
    p.add_argument("session_id")
    p.add_argument("--speed", type=number_arg(0.001, 1000), default=1.0)
    p.set_defaults(local=cmd_replay)

    p = sub.add_parser("recording", help="read recordings")
    rs = p.add_subparsers(dest="recording_cmd", required=True, parser_class=Parser)
    q = rs.add_parser("unseal", help="show a recording's input with the keys typed without echo "
                                     "unsealed in place")
    q.add_argument("source", metavar="SESSION | FILE.cast")
    q.add_argument("--key", action="append", required=True, metavar="FILE|-",
                   help="the escrow private key (PEM), - for standard input; repeat for recordings "
                        "sealed to different keys")
    q.add_argument("--json", action="store_true", help="one JSON object per event")
    p.set_defaults(local=cmd_recording, needs_home=False)

    p = sub.add_parser("escrow", help="the escrow key that keys typed without echo are sealed to")
    es = p.add_subparsers(dest="escrow_cmd", required=True, parser_class=Parser)
    q = es.add_parser("keygen", help="make an escrow key pair (keep the private half offline)")
    q.add_argument("--out", default="escrow.key",
                   help="private key file (default escrow.key); the public key goes to FILE.pub")
    p.set_defaults(local=cmd_escrow, needs_home=False)

    p = sub.add_parser("audit", help="the tamper-evident audit trail")
    aus = p.add_subparsers(dest="audit_cmd", required=True, parser_class=Parser)
    q = aus.add_parser("verify", help="exit 0 when the chain holds; else 1 naming the first bad row")
    q.add_argument("--against", metavar="FILE",
                   help="also check the chain heads sent to syslog (server.audit_syslog) in FILE")
    q = aus.add_parser("export", help="events as JSON lines")
    q.add_argument("--since", help="ISO time, e.g. 2026-11-01T00:00:00")
    q = aus.add_parser("purge", help="delete events, and the recordings of sessions that ended, "
                                     "older than the retention (default 90d)")
    q.add_argument("--older-than", type=duration_arg)
    p.set_defaults(local=cmd_audit)

    p = sub.add_parser("krl", help="write an OpenSSH KRL of revoked certificates")
    p.add_argument("--out", required=True)
    p.set_defaults(local=cmd_krl)

    p = sub.add_parser("tui", help="the supervisor console")
    p.add_argument("--connect", metavar="USER@HOST")
    p.add_argument("--port", type=number_arg(1, 65535, whole=True), default=2222)
    p.add_argument("--identity", metavar="KEY")
    p.add_argument("--known-hosts", metavar="FILE",
                   help="known_hosts with the bastion's @cert-authority line (default ~/.ssh/known_hosts)")
    p.set_defaults(local=cmd_tui, needs_home=False)

    add_supervisor_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None,
         err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    # Everything the bastion writes (keys, database, its -wal and -shm files, recordings) is private.
    os.umask(0o077)
    parser = build_parser()
    words = list(sys.argv[1:] if argv is None else argv)
    for i, word in enumerate(words, 1):
        # Python keeps bytes that are not UTF-8 as lone surrogates, which no store row, audit
        # event or terminal takes: bad input, refused as such (the control door's rule too).
        try:
            word.encode("utf-8")
        except UnicodeEncodeError:
            err.write(f"bastion: argument {i} is not valid UTF-8 text\n")
            return 2
    try:
        args = parser.parse_args(words)
    except UsageError as exc:
        err.write(f"{visible(str(exc))}\n{parser.format_usage()}")
        return 2
    home = Home.resolve(args.home)
    try:
        if getattr(args, "local", None) is cmd_init:
            return cmd_init(home, args, out)
        if getattr(args, "needs_home", True) is False:
            return args.local(None, args, out)
        ctx = open_home(home)
        try:
            if getattr(args, "local", None) is not None:
                return args.local(ctx, args, out)
            if via_running_server(home, args, out):
                return 0
            return args.func(ctx, args, local_actor(), out)
        finally:
            ctx.close()
    except UsageError as exc:
        err.write(f"bastion: {visible(str(exc))}\n")
        return 2
    except BastionError as exc:
        err.write(f"bastion: {visible(str(exc))}\n")
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 1
    except Exception as exc:
        # A bug, not bad input: one line for the user; BASTION_DEBUG=1 shows the traceback.
        if os.environ.get("BASTION_DEBUG"):
            raise
        err.write(f"bastion: internal error: {type(exc).__name__}: {visible(str(exc))}\n")
        return 1
