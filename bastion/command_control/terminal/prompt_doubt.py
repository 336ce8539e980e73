"""When the learned PS2 is no proof of a continuation (attack c38i, finding 2).

`reading._at_ps2` reads a line typed at bash's PS2 (learned at the first continuation) as the next
line of the pending statement. But PS1 may draw that very string (`PS1='> '`, or a clock
`PS1='\\D{%S}> '` against `PS2='07> '`): where bash ended or dropped a statement the gate keeps
open, its new PS1 passes for PS2 and the next line is judged only inside the old statement (as a
here-document body or a string: forwarded), where bash runs it alone. The gate doubts the PS2
once a line it sent may have set a prompt (any spelling naming PS0-PS4, PROMPT_COMMAND or
promptvars, quotes, backslashes, braces and commas left out, or a `$'...'` with a numeric
escape that may spell one), or where the learned PS2 may be a primary prompt it saw drawn
again (`_primary_like`: the same but for its numbers). Then the line is also judged alone, and
with each of the last pending lines as the start of its statement, by the policy's rules
(`Reconstruction.typed`: the defaults do not count, so that the `fi` or `done` closing an
honest statement is not held). Pure.
"""

from __future__ import annotations

import re

_PROMPT_NAMES = re.compile(r"PS|PROMPT|promptvars")
_NUMERIC_ESCAPE = re.compile(r"\$'(?:[^'\\]|\\.)*\\[0-7xuUc]")
_STARTS_JUDGED = 16  # the last pending lines each judged as a statement's start ...
_BYTES_JUDGED = 8 * 1024  # ... while the statement so read is no longer than this


def may_set_prompt(text: str) -> bool:
    """The line may set a prompt or how bash draws one (over-strict: any mention)."""
    plain = re.sub(r"""['"\\{},]""", "", text)  # `P"S"1`, `P\S1`, `{P,}S1` (a brace expansion)
    return bool(_PROMPT_NAMES.search(plain) or _NUMERIC_ESCAPE.search(text))


def alone_readings(pending: list[str], line: str) -> tuple[str, ...]:
    """The line alone, then with each of the last pending lines before it (not all of them:
    that is the statement as the gate reads it)."""
    readings, text = [line], line
    for start in range(len(pending) - 1, max(0, len(pending) - _STARTS_JUDGED), -1):
        text = f"{pending[start]}\n{text}"
        if len(text) > _BYTES_JUDGED:
            break
        readings.append(text)
    return tuple(readings)
