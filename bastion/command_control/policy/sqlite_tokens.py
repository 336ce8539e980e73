"""SQL as sqlite's tokenizer reads it (outside attack b37f, finding 6): a comment (`/* … */`,
`-- …` to the line's end) is a blank, and a name quoted as `"…"`, `[…]` or `` `…` `` is the
name itself (`"writefile"(`, `[writefile](`), so `SELECT writefile/**/('/etc/x', 'y')` and
`VACUUM/**/INTO '/etc/x'` are read as their plain spelling; a quoted name is a token with
blanks around it (`select[writefile](`, `VACUUM[main]INTO`: attack c38f, finding 5).
`sqlite_plain` gives the text so respelled; its strings ('…', a doubled quote one) are left as they are."""

from __future__ import annotations

import re

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")
_CLOSE = {'"': '"', "`": "`", "[": "]"}


def sqlite_plain(text: str) -> str:
    """`text` with its comments as blanks and its quoted plain names unquoted; a string or a
    quoted name not ended is left as it is (sqlite refuses the statement)."""
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "'" or char in _CLOSE:
            close = _CLOSE.get(char, "'")
            end = index + 1
            while True:
                end = text.find(close, end)
                if end < 0:
                    out.append(text[index:])
                    return "".join(out)
                if close != "]" and text.startswith(close, end + 1):  # doubled: one
                    end += 2
                    continue
                break
            quoted = text[index:end + 1]
            inner = quoted[1:-1]
            # A quoted name is a token of its own: sqlite ends a keyword at the quote
            # (`select"writefile"(`, `VACUUM[main]INTO`: attack c38f, finding 5).
            out.append(quoted if char == "'" else f" {inner} " if _NAME.fullmatch(inner)
                       else f" {quoted} ")
            index = end + 1
        elif text.startswith("--", index):
            end = text.find("\n", index)
            out.append(" ")
            index = len(text) if end < 0 else end
        elif text.startswith("/*", index):
            end = text.find("*/", index + 2)
            out.append(" ")
            index = len(text) if end < 0 else end + 2
        else:
            out.append(char)
            index += 1
    return "".join(out)
