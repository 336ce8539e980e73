"""Here-documents: the words that open them and the lines that end them, read as bash and as
POSIX sh (dash) read them (`heredoc_word`, `_heredoc_end`); a line's here-documents cut out so
that each body is judged apart (`_flatten`); and what sh would run otherwise than bash
(`_sh_reading`, `_SH_MAY_DIFFER`)."""

from __future__ import annotations

import re
from typing import NamedTuple

from tree_sitter import Node

from bastion.command_control.policy.bash_words import heredoc_operators
from bastion.command_control.policy.parse import _parse_tree
from bastion.command_control.policy.words import _SEPARATORS, _ansi_c, _Heredoc, _text, _unescaped


def _tree_reads_heredocs_as(code: str, root: Node, heredocs: tuple[_Heredoc, ...]) -> bool:
    """True when tree-sitter-bash's tree has exactly the scanner's here-documents: each
    operator, body and end line where the scanner found them (after the tabs `<<-` strips),
    in the same order."""
    found: list[tuple[int, int | None, int | None]] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "heredoc_redirect":
            body = next((c.start_byte for c in node.children if c.type == "heredoc_body"), None)
            end = next((c.start_byte for c in node.children if c.type == "heredoc_end"), None)
            found.append((node.start_byte, body, end))
        stack.extend(reversed(node.children))

    def after_tabs(at: int, strip: bool) -> int:
        while strip and at < len(code) and code[at] == "\t":
            at += 1
        return at

    return found == [(h.operator[0], after_tabs(h.body[0], h.strip), after_tabs(h.body[1], h.strip))
                     for h in heredocs]


def _unopened_heredoc(code: str, heredocs: tuple[_Heredoc, ...]) -> str | None:
    """Why a here-document the scanner found may be none to bash, or None: a `<<` bash reads as
    text (in a pattern of `[[ ]]`, `[[ x == @(a<<E) ]]`, a regex's parentheses, arithmetic
    after `coproc` or `time -p`) makes the lines after it commands, not a body (attack v31o,
    findings 2 and 6). What the lines are is then uncertain: unknown."""
    operators = heredoc_operators(code)
    if operators is None or all(h.operator[0] in operators for h in heredocs):
        return None
    return "a `<<` that bash may read as text, not a here-document: the lines after it may " \
           "run as commands"


def _flatten(
    code: str, heredocs: tuple[_Heredoc, ...]
) -> tuple[str, dict[int, tuple[_Heredoc, str, int | None]]]:
    """`code` with each here-document operator replaced by `<<<''` and its body removed, and
    the here-documents (with the descriptor written before the operator, `3<<EOF`, which is
    dropped: tree-sitter-bash reads no descriptor before `<<<`) by the offset of their
    replacement."""
    edits: list[tuple[int, int, _Heredoc | None, int | None]] = []
    for heredoc in heredocs:
        start = digits = heredoc.operator[0]
        while digits > 0 and code[digits - 1] in "0123456789":
            digits -= 1
        fd = None
        if digits < start and (digits == 0 or code[digits - 1] in _SEPARATORS):
            fd, start = int(code[digits:start]), digits
        edits.append((start, heredoc.operator[1], heredoc, fd))
        edits.append((heredoc.body[0], heredoc.end, None, None))
    edits.sort(key=lambda edit: edit[0])
    pieces: list[str] = []
    found: dict[int, tuple[_Heredoc, str, int | None]] = {}
    position = size = 0  # size: length of the flattened code so far
    for start, end, heredoc, fd in edits:
        kept = code[position:start]
        pieces.append(kept)
        size += len(kept)
        if heredoc is not None:
            found[size] = (heredoc, heredoc.text(code), fd)
            pieces.append("<<<''")
            size += 5
        position = end
    pieces.append(code[position:])
    return "".join(pieces), found


# What POSIX sh (dash, Debian's /bin/sh) reads otherwise than bash, in ways that change what
# runs: `[[` is a command there (`[[ x || cmd ]]` runs cmd, `[[ a > f ]]` writes f), `((` two
# subshells (`((cmd))` runs cmd), `&>` a `&` then a `>` (`echo x &>f cmd` runs cmd in the
# background), `$[` a `$` and a `[` (`echo $[1 > f]` writes `f]`). `for ((...))` is a syntax
# error there, and so is a `[[` or `((` whose inside does not parse as plain commands
# (`[[ $x =~ (a|b) ]]`): sh runs nothing of that list.
_SH_MAY_DIFFER = re.compile(r"\[\[|\(\(|&>|\$\[")


def _sh_reading(code: str, root: Node, heredocs: dict[int, tuple[_Heredoc, str, int | None]]
                ) -> tuple[str, dict[int, tuple[_Heredoc, str, int | None]]] | None:
    """`code` (parsed as `root`) rewritten so that bash's grammar reads it as sh does, with
    the here-documents moved to their new offsets; None when sh reads it as bash does. A
    here-document body is kept as bash read it (a `[[` inside `$(...)` in a body: unknown
    there, see `_Collector._heredoc_value`)."""
    edits: list[tuple[int, int, str]] = []
    stack = [root]
    while stack:
        node = stack.pop()
        kind = node.type
        children = node.children
        if kind == "test_command" and children and children[0].type == "[[":
            text = _text(code, node)
            if not _SH_OPERATOR.search(text):
                # Only a command named `[[` to sh, with these arguments: nothing else runs
                # (a substitution inside is the same to both, and judged in bash's reading).
                continue
            if _sh_syntax_error("\\[\\[" + text[2:]):
                edits.append((node.start_byte, node.end_byte, ":"))
                continue
            edits.append((node.start_byte, children[0].end_byte, "\\[\\["))
        elif kind == "compound_statement" and len(children) > 1 and children[0].type == "((" \
                and children[-1].type == "))":
            inner = code[children[0].end_byte: children[-1].start_byte]
            if _sh_syntax_error(f"( ({inner}) )"):
                edits.append((node.start_byte, node.end_byte, ":"))
                continue
            edits.append((children[0].start_byte, children[0].end_byte, "( ("))
            edits.append((children[-1].start_byte, children[-1].end_byte, ") )"))
        elif kind == "c_style_for_statement":
            edits.append((node.start_byte, node.end_byte, ":"))
            continue
        elif kind == "arithmetic_expansion" and children and children[0].type == "$[":
            edits.append((children[0].start_byte, children[0].end_byte, "\\$["))
        elif kind == "file_redirect":
            for child in children:
                if child.type in ("&>", "&>>"):
                    edits.append((child.start_byte, child.start_byte + 1, "& "))
        stack.extend(children)
    if not edits:
        return None
    edits.sort()
    pieces: list[str] = []
    moved: dict[int, tuple[_Heredoc, str, int | None]] = {}
    keys = sorted(heredocs)
    position = shift = 0
    for start, end, text in edits:
        while keys and keys[0] < start:
            key = keys.pop(0)
            moved[key + shift] = heredocs[key]
        while keys and keys[0] < end:
            keys.pop(0)  # inside a part sh does not run
        pieces.append(code[position:start])
        pieces.append(text)
        shift += len(text) - (end - start)
        position = end
    pieces.append(code[position:])
    for key in keys:
        moved[key + shift] = heredocs[key]
    return "".join(pieces), moved


_SH_OPERATOR = re.compile(r"[;&|<>()\n]")


def _sh_syntax_error(snippet: str) -> bool:
    """Whether sh rejects a `[[ ... ]]` or `(( ... ))` read as plain commands (`snippet`):
    it then runs nothing of the line. A here-document inside makes it unknowable: no."""
    return "<<" not in snippet and ("(" in snippet[3:] or ")" in snippet[:-3]) and \
        _parse_tree(snippet).has_error


def _join_continuations(code: str, offsets: tuple[int, ...]) -> str:
    pieces, start = [], 0
    for offset in offsets:
        pieces.append(code[start:offset])
        start = offset + 2
    pieces.append(code[start:])
    return "".join(pieces)


class HeredocWord(NamedTuple):
    """The word after `<<` (or `<<-`), as the shells read it (`heredoc_word`).

    `end` is the offset just after it. `delimiter` is bash's reading and `dash` the POSIX sh
    (dash) reading: they differ for `$'EOF'` (bash decodes the string: EOF; dash reads `$` and
    a quoted EOF: $EOF) and `$"EOF"`; either is None when a quote is left open (the shell
    waits for it to close). `quoted` says some part is quoted, so the body is taken literally.
    `known` is false when the word holds an expansion (`$(..)`, `${..}`, `$[..]`, a
    backquote), a backslash-newline, or a `$'..'` that the two shells end at different quotes:
    its extent is the shells' to find, not this reader's, and nothing after it can be read
    with confidence. `sure`: known, and read alike by both.
    """

    end: int
    delimiter: str | None
    dash: str | None
    quoted: bool
    known: bool

    @property
    def sure(self) -> bool:
        return self.known and self.delimiter == self.dash


def heredoc_word(src: str, index: int, backquoted: bool = False) -> HeredocWord:
    """The here-document word that starts at `index` (blanks before it are skipped), read as
    bash and dash read it. See `HeredocWord`. `backquoted`: inside a backquoted substitution,
    whose text ends at a backquote (x=`cat <<EOF`)."""
    size = len(src)
    while index < size and src[index] in " \t":
        index += 1
    bash: list[str] = []
    dash: list[str] = []
    quoted = False
    while index < size and src[index] not in _SEPARATORS:
        char = src[index]
        if backquoted and char == "`":
            break
        following = src[index + 1: index + 2]
        if char == "'":
            close = src.find("'", index + 1)
            if close < 0:
                return HeredocWord(size, None, None, True, True)
            bash.append(src[index + 1: close])
            dash.append(src[index + 1: close])
            quoted, index = True, close + 1
        elif char == '"' or (char == "$" and following == '"'):
            close, text, plain = _heredoc_dq(src, index + (2 if char == "$" else 1))
            if close < 0:
                return HeredocWord(size, None, None, True, plain)
            if not plain:
                return HeredocWord(index, None, None, True, False)
            bash.append(text)
            dash.append(("$" if char == "$" else "") + text)
            quoted, index = True, close + 1
        elif char == "$" and following == "'":
            close = _ansi_c_end(src, index + 2)
            # dash has no $'...': `$`, then a single-quoted string up to the next quote.
            plain = src.find("'", index + 2)
            if close < 0 or plain != close:
                return HeredocWord(size if close < 0 else index, None, None, True, False)
            bash.append(_ansi_c(src[index + 2: close]))
            dash.append("$" + src[index + 2: close])
            quoted, index = True, close + 1
        elif char == "`" or (char == "$" and following in ("(", "{", "[")):
            # An expansion: the shells keep it as written, but its extent (quotes, blanks and
            # parentheses inside) is theirs to find.
            return HeredocWord(index, None, None, quoted, False)
        elif char == "\\":
            if following in ("\n", ""):
                return HeredocWord(index, None, None, True, False)
            bash.append(following)
            dash.append(following)
            quoted, index = True, index + 2
        else:
            bash.append(char)
            dash.append(char)
            index += 1
    return HeredocWord(index, "".join(bash), "".join(dash), quoted, True)


def _heredoc_dq(src: str, index: int) -> tuple[int, str, bool]:
    """A double-quoted part of a here-document word from `index` (after the quote): (offset of
    the closing quote or -1, its text after quote removal, whether it holds no expansion and
    no backslash-newline)."""
    out: list[str] = []
    plain = True
    size = len(src)
    while index < size:
        char = src[index]
        if char == '"':
            return index, "".join(out), plain
        if char == "\\" and index + 1 < size:
            following = src[index + 1]
            if following == "\n":
                plain = False
            elif following in '$`"\\':
                out.append(following)
            else:
                out.append(char + following)
            index += 2
            continue
        if char == "`" or (char == "$" and src[index + 1: index + 2] in ("(", "{", "[")):
            plain = False
        out.append(char)
        index += 1
    return -1, "".join(out), plain


def _ansi_c_end(src: str, index: int) -> int:
    """The offset of the quote that closes a $'...' string whose text starts at `index`, or -1."""
    size = len(src)
    while index < size:
        if src[index] == "\\":
            index += 2
            continue
        if src[index] == "'":
            return index
        index += 1
    return -1


class _BodyEnd(NamedTuple):
    body_end: int  # where the body stops: the start of the line that ends it, or mid-line
    after: int  # where the code after the here-document resumes
    sure: bool  # bash and dash end it at the same place


def _heredoc_end(src: str, start: int, word: HeredocWord, strip: bool, comsub: bool,
                 backquoted: bool, only_dash: bool = False) -> _BodyEnd | None:
    """Where a here-document body that starts at `start` ends, or None when no line of `src`
    ends it yet (the shell waits for more). The earliest end either shell would take:

    - with an unquoted delimiter a backslash-newline joins a line to the next. bash compares
      the logical line, its leading tabs removed for `<<-` (`EO\\<LF>F` and, with `<<-`,
      `<TAB>\\<LF>EOF` end it); dash skips backslash-newlines where a logical line starts,
      then its tabs, then compares the rest of that physical line (neither ends it);
    - inside `$(...)`, bash also ends it at a line that starts with the delimiter followed by
      `)`, which closes the substitution there; dash does not;
    - inside backquotes the substitution's text ends at the first unescaped backquote, in both
      shells, and the body with it.
    `sure` is false where the two disagree. With `only_dash`, dash's end alone."""
    bash, dash = word.delimiter, word.dash
    index, size = start, len(src)
    logical: str | None = None  # bash's logical line so far, when a backslash-newline joined
    logical_start = start
    dash_start = True  # dash would compare this line (a logical line starts here)
    while True:
        newline = src.find("\n", index)
        line_end = newline if newline >= 0 else size
        raw = src[index:line_end]
        if logical is None:
            logical_start = index
        joined = raw if logical is None else logical + raw
        continued = (not word.quoted and newline >= 0
                     and (len(raw) - len(raw.rstrip("\\"))) % 2 == 1)
        text = joined.lstrip("\t") if strip else joined
        bash_ends = not only_dash and not continued and text == bash
        dash_ends = dash_start and not continued and (raw.lstrip("\t") if strip else raw) == dash
        if bash_ends or dash_ends:
            return _BodyEnd(logical_start, newline + 1 if newline >= 0 else size,
                            bash_ends and dash_ends)
        if comsub and not only_dash and not continued and bash is not None and \
                text.startswith(bash) and text[len(bash):].lstrip(" \t").startswith(")"):
            cut = line_end - len(text) + len(bash) if logical is None else line_end
            return _BodyEnd(logical_start, cut, False)
        if backquoted:
            tick = _unescaped(raw, "`", 0)
            if tick >= 0:
                before = raw[:tick].lstrip("\t") if strip else raw[:tick]
                sure = logical is None and "\\`" not in raw[:tick]
                if before == (dash if only_dash else bash) and sure:
                    return _BodyEnd(index, index + tick, before == dash)
                return _BodyEnd(index + tick, index + tick, sure)
        if newline < 0:
            return None
        if continued:
            logical = joined[:-1]
            dash_start = dash_start and raw == "\\"  # dash skips it where a line starts
        else:
            logical, dash_start = None, True
        index = newline + 1
