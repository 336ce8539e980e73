"""Other readings of an unfinished statement, for the rules alone (`InputGate._judge_unfinished`).

Found after outside attack c38i (finding 3): a statement with a here-document whose body has not
come, followed by more code on the same line (`cat <<X; systemctl stop auditd`), is a parse error
to the policy, so its rules never saw the commands after the operator; an alias the gate never
saw (`alias F=fi`), or one ending in a backslash, may make bash run them now. Two more readings
are judged: the statement with each open here-document's delimiter appended (its body ends now),
and the statement's code alone: each here-document operator taken out and its body's lines
left out (the body taken as empty). Pure, no I/O.
"""

from __future__ import annotations

import re

# A quoted stretch (skipped: `echo '<<X'` opens nothing; an open quote runs to the line's end),
# an escaped character, or `<<WORD`, `<<-WORD`, `<< 'WORD'`, `<<"WORD"`, `<<\WORD`, `<<"A"'B'C`
# (never `<<<`, a here-string).
_SCAN = re.compile(r"""'[^']*(?:'|$)|"(?:\\.|[^"\\])*(?:"|$)|\\.|"""
                   r"""(?<!<)<<(-?)(?!<)[ \t]*((?:'[^'\n]*'|"[^"\n]*"|\\.|[^\s;&|<>()'"\\])+)""")
_QUOTING = re.compile(r"""'([^']*)'|"([^"]*)"|\\(.)""")  # the delimiter is the word unquoted


def _operators(line: str) -> list[tuple[int, int, str, bool]]:
    """The here-document operators on a line: (start, end, delimiter, tabs stripped)."""
    found = []
    for m in _SCAN.finditer(line):
        if m.group(0).startswith("<<"):
            word = _QUOTING.sub(lambda q: next(g for g in q.groups() if g is not None), m.group(2))
            found.append((m.start(), m.end(), word, m.group(1) == "-"))
    return found


def unfinished_readings(text: str) -> list[str]:
    """The statement as the policy reads it, then (where it holds a here-document) with the
    open ones closed, and its code alone with each body taken as empty."""
    if "<<" not in text:
        return [text]
    code: list[str] = []
    waiting: list[tuple[str, bool]] = []  # the delimiters of bodies still to come, in order
    for line in text.split("\n"):
        if waiting:  # a body line, or its delimiter
            word, tabs = waiting[0]
            if (line.lstrip("\t") if tabs else line) == word:
                waiting.pop(0)
            continue
        operators = _operators(line)
        for start, end, _, _ in reversed(operators):
            line = f"{line[:start]} {line[end:]}"
        code.append(line)
        waiting.extend((word, tabs) for _, _, word, tabs in operators)
    if not waiting and len(code) == len(text.split("\n")):
        return [text]  # no operator after all (`<<` in a quote)
    closed = "\n".join([text, *(word for word, _ in waiting)])
    return [text, closed, "\n".join(code)]
