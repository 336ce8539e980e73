"""Reasons people give for what they do (a request, a denial, a kill, a lock, a revocation, a
rejected command): one rule and one limit, applied here in the domain so that the CLI, the SSH
commands and the control API all get it.

A reason is shown to other people (supervisors read a request's reason, a requester reads why
it was denied, a user reads why their session was killed), so it is one line of plain characters
of at most MAX_REASON characters (see `bastion.text.check_line`). A refusal is an audit event
(`input.refused`), since text built to act on someone else's terminal is an attack to notice.
"""

from __future__ import annotations

from bastion import audit
from bastion.store import Backend
from bastion.text import MAX_REASON, TextError, check_line, visible

__all__ = ["MAX_REASON", "accept"]

_EVIDENCE = 2 * MAX_REASON  # characters of a refused text kept in the audit event


def accept(store: Backend, actor: str, value: str | None, what: str = "reason") -> str:
    """`value` (None as "") stripped of surrounding whitespace, when `check_line` accepts it.

    Otherwise records `input.refused` (the actor, what, why, and the text itself spelled out
    by `visible`, cut at twice the limit: a lone surrogate could not even be stored) and raises
    TextError. Call it before opening a transaction: a refusal inside one would roll its audit
    event back."""
    try:
        return check_line(value or "", what)
    except TextError as exc:
        audit.record(store, "input.refused", actor, field=what, problem=str(exc),
                     value=visible(str(value))[:_EVIDENCE])
        raise
