"""The supervisor commands that both `bastion` (the CLI) and `ssh NAME@bastion COMMAND` (the SSH
command interface, bastion/ssh/commands.py) offer, with one syntax and one output (README,
"Reference"): their parsers, their handlers and the table they print."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from collections.abc import Sequence
from typing import Any, TextIO

from bastion.access import grants
from bastion.config import durations
from bastion.errors import BastionError
from bastion.runtime.home import Context
from bastion.text import shown_command, visible


class UsageError(BastionError):
    """Bad arguments that argparse could not catch (exit 2)."""


class Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line plus usage, exit 2, and never exits the server."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")


def duration_arg(text: str) -> float:
    try:
        return durations.parse_duration(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def serial_arg(text: str) -> int:
    """A certificate serial as the store can hold it (the control protocol's bound too)."""
    try:
        value = int(text, 10)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid serial {text[:40]!r}") from None
    if not 1 <= value <= grants.MAX_SERIAL:
        raise argparse.ArgumentTypeError(f"serial must be a whole number from 1 to "
                                         f"{grants.MAX_SERIAL}")
    return value


def number_arg(low: float, high: float, *, whole: bool = False):
    """An argparse type for a finite number from `low` to `high` (a whole one if `whole`)."""
    def parse(text: str) -> float:
        try:
            value = int(text, 10) if whole else float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"invalid number {text[:40]!r}") from None
        if not low <= value <= high:  # NaN too: it compares false
            raise argparse.ArgumentTypeError(f"must be a number from {low:g} to {high:g}")
        return value
    return parse


def when(ts: float | None) -> str:
    if ts is None:
        return "-"
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def table(out: TextIO, rows: list[dict[str, Any]], columns: Sequence[str]) -> None:
    """Rows as aligned columns; every cell made `visible`, so no cell can act on the terminal,
    span lines or move the row (a command, a reason or a ticket is a user's text)."""
    if not rows:
        out.write("(none)\n")
        return
    cells = [[visible(str(r[c])) if r.get(c) is not None else "-" for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    out.write("  ".join(c.upper().ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip() + "\n")
    for row in cells:
        out.write("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() + "\n")


def emit(out: TextIO, args: argparse.Namespace, rows: list[dict[str, Any]],
          columns: Sequence[str]) -> None:
    if getattr(args, "json", False):
        out.write(json.dumps(rows, indent=None, default=str) + "\n")
    else:
        table(out, rows, columns)


# ---------------------------------------------------------------- commands shared with the SSH interface
# Each takes the opened context, the parsed args, the acting user and the output stream.

def _bounded(args: argparse.Namespace, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What a listing on the SSH interface keeps (`args.newest`, set there: it runs on the
    server's one loop, attack k20o F10): the newest rows (`rows` are oldest first, read one past
    the bound), and `args.left_out` set when there were more (the interface says so). The CLI
    sets no bound and lists everything."""
    newest = getattr(args, "newest", None)
    if newest is None or len(rows) <= newest:
        return rows
    args.left_out = True
    return rows[len(rows) - newest:]


def cmd_requests(ctx: Context, args: argparse.Namespace, actor: str, out: TextIO) -> int:
    newest = getattr(args, "newest", None)
    rows = _bounded(args, grants.list_requests(ctx.store, state=None if args.all else "pending",
                                               newest=newest + 1 if newest else None))
    for row in rows:
        row["duration"] = durations.format_duration(row["duration"])
        row["created_at"] = when(row["created"])
    emit(out, args, rows, ("id", "user", "target", "login", "ticket", "duration", "state",
                            "created_at", "reason"))
    return 0


def cmd_approve(ctx: Context, args: argparse.Namespace, actor: str, out: TextIO) -> int:
    grant = grants.approve(ctx.store, ctx.config, args.request_id, actor,
                           duration=args.duration, reason=args.reason or "")
    out.write(f"request {visible(args.request_id)} approved: grant {grant.id} for "
              f"{visible(grant.login)}@{grant.target} until {when(grant.ends)}\n")
    return 0


def cmd_deny(ctx: Context, args: argparse.Namespace, actor: str, out: TextIO) -> int:
    grants.deny(ctx.store, ctx.config, args.request_id, actor, args.reason or "")
    out.write(f"request {visible(args.request_id)} denied\n")
    return 0


def cmd_revoke(ctx: Context, args: argparse.Namespace, actor: str, out: TextIO) -> int:
    if not grants.can_supervise(ctx.store, ctx.config, actor):
        raise BastionError(f"{actor} may not revoke")
    changed = grants.revoke(ctx.store, actor=actor, reason=args.reason or "", serial=args.serial,
                            grant=args.grant, user=args.user, ticket=args.ticket)
    out.write(f"revoked ({changed} grants and certificates); live sessions end within a second\n")
    return 0


def cmd_sessions(ctx: Context, args: argparse.Namespace, actor: str, out: TextIO) -> int:
    from bastion.access import sessions

    newest = getattr(args, "newest", None)
    rows = sessions.list_sessions(ctx.store, include_ended=args.all,
                                  newest_ended=newest + 1 if newest else None)
    ended = [r for r in rows if r["state"] != "active"]
    if _bounded(args, ended) is not ended:
        oldest = min(ended, key=lambda r: r["started"])
        rows = [r for r in rows if r is not oldest]
    for row in rows:
        row["started_at"] = when(row["started"])
        row["ended_at"] = when(row["ended"])
    if getattr(args, "json", False):
        keep = ("id", "user", "target", "login", "ticket", "state", "started", "ended",
                "recordings", "client_addr", "end_reason")
        emit(out, args, [{k: r[k] for k in keep} for r in rows], ())
    else:
        table(out, rows, ("id", "user", "target", "login", "ticket", "state", "started_at",
                           "ended_at"))
    return 0


def cmd_kill(ctx: Context, args: argparse.Namespace, actor: str, out: TextIO) -> int:
    from bastion.access import sessions

    if not grants.can_supervise(ctx.store, ctx.config, actor):
        raise BastionError(f"{actor} may not kill sessions")
    sessions.request_kill(ctx.store, args.session_id, actor, args.reason or "")
    out.write(f"session {visible(args.session_id)}: kill requested; it ends within a second\n")
    return 0


def cmd_held(ctx: Context, args: argparse.Namespace, actor: str, out: TextIO) -> int:
    from bastion.access import sessions

    rows = sessions.list_held(ctx.store)
    for row in rows:
        row["waiting_since"] = when(row["since"])
        row["session"] = row["session_id"]
        if not getattr(args, "json", False):
            # Whole, but a run of spaces is spelled out: it would push the rest off the screen.
            row["command"] = shown_command(row["command"])
    emit(out, args, rows, ("id", "session", "user", "command", "waiting_since"))
    return 0


def cmd_confirm(ctx: Context, args: argparse.Namespace, actor: str, out: TextIO) -> int:
    from bastion.access import sessions

    sessions.decide_held(ctx.store, ctx.config, args.held_id, actor, confirm=True)
    out.write(f"held command {visible(args.held_id)} confirmed\n")
    return 0


def cmd_reject(ctx: Context, args: argparse.Namespace, actor: str, out: TextIO) -> int:
    from bastion.access import sessions

    sessions.decide_held(ctx.store, ctx.config, args.held_id, actor, confirm=False,
                         reason=args.reason or "")
    out.write(f"held command {visible(args.held_id)} rejected\n")
    return 0


def add_supervisor_commands(sub: argparse._SubParsersAction) -> None:
    """The commands both `bastion` and supervisors' `ssh NAME@bastion ...` offer, with one syntax."""
    p = sub.add_parser("requests", help="list access requests (pending unless --all)")
    p.add_argument("--all", action="store_true", help="all requests, not only pending ones")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_requests)
    p = sub.add_parser("approve", help="approve a pending request")
    p.add_argument("request_id")
    p.add_argument("--duration", type=duration_arg, help="shorten or change the grant (e.g. 30m)")
    p.add_argument("--reason")
    p.set_defaults(func=cmd_approve)
    p = sub.add_parser("deny", help="deny a pending request")
    p.add_argument("request_id")
    p.add_argument("--reason")
    p.set_defaults(func=cmd_deny)
    p = sub.add_parser("sessions", help="list live sessions (--all: ended ones too)")
    p.add_argument("--all", action="store_true")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_sessions)
    p = sub.add_parser("kill", help="end a live session")
    p.add_argument("session_id")
    p.add_argument("--reason")
    p.set_defaults(func=cmd_kill)
    p = sub.add_parser("revoke", help="revoke certificates and grants; live sessions end")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--serial", type=serial_arg)
    g.add_argument("--grant")
    g.add_argument("--user")
    g.add_argument("--ticket")
    p.add_argument("--reason")
    p.set_defaults(func=cmd_revoke)
    p = sub.add_parser("held", help="commands waiting for a supervisor")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_held)
    p = sub.add_parser("confirm", help="let a held command run")
    p.add_argument("held_id")
    p.set_defaults(func=cmd_confirm)
    p = sub.add_parser("reject", help="refuse a held command")
    p.add_argument("held_id")
    p.add_argument("--reason")
    p.set_defaults(func=cmd_reject)
