"""GNU parallel's `-q`/`--quote` (outside attack c38f, finding 7): each command word is quoted
as it is, but a replacement string in it still takes the input first, and the word is quoted
with the input inside it: `parallel -q sh -c {} ::: 'systemctl stop auditd'` runs
`sh -c 'systemctl stop auditd'`, and `-q sh -c 'x={}; $x'` runs `sh -c 'x=INPUT; $x'`. The
shell line each input gives is built here, as parallel builds it; a value known only at run
time stands as `"${PARALLEL_INPUT}"` (an expansion: the word is then partly unknown)."""

from __future__ import annotations

import re
import shlex

from bastion.command_control.policy.words import _Word

RUNTIME = '"${PARALLEL_INPUT}"'
# every replacement string: `{}`, `{.}`, `{/}`, `{//}`, `{/.}`, `{#}`, `{%}`, `{1}`, `{2/}`...
_REPLACEMENT = re.compile(r"\{[0-9]*(?:[./#%]|//|/\.|\.\.)?\}")


def quoted_codes(command: list[_Word], inputs: list[str | None], appended: int,
                 found: list[tuple[str, _Word | None]], reshaped: bool, given: set[str]
                 ) -> list[str]:
    """The shell line parallel -q runs for each input (None: known only at run time; "": none,
    sem's), [] without -q. `found`: parallel's options (-I/--replace STRING stands for `{}`);
    `reshaped`: options that split or change the inputs (each then known only at run time)."""
    if "quote" not in given:
        return []
    words = [w.value or "" for w in command]
    if inputs == [""]:
        return [" ".join(shlex.quote(w) for w in words)]
    replace = [a.value for o, a in found if o in ("I", "replace") and a is not None and a.value]
    strings = sorted({"{}", *replace}, key=len, reverse=True)
    pattern = re.compile("|".join([*(re.escape(s) for s in strings), _REPLACEMENT.pattern]))
    lines: list[str] = []
    for value in inputs:
        value = None if reshaped else value
        line, placed = [], False
        for word in words:
            parts = pattern.split(word)
            marks = pattern.findall(word)
            placed |= bool(marks)
            line.append(_quoted(parts, [value if m in strings else None for m in marks]))
        if not placed:
            line.append(" ".join([RUNTIME] * appended) if value is None else shlex.quote(value))
        lines.append(" ".join(line))
    return lines


def _quoted(parts: list[str], fills: list[str | None]) -> str:
    """One command word, its replacement strings filled (a None: known only at run time), then
    quoted as one word; with a value known only at run time, its known pieces quoted around it."""
    if all(f is not None for f in fills):
        return shlex.quote("".join(p + (f or "") for p, f in zip(parts, [*fills, ""], strict=True)))
    out = []
    for part, fill in zip(parts, [*fills, ""], strict=True):
        out.append(shlex.quote(part) if part else "")
        if fill is None:
            out.append(RUNTIME)
        elif fill:
            out.append(shlex.quote(fill))
    return "".join(out)
