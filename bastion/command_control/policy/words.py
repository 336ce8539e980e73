"""Words as bash reads them, and the records the walk builds from them.

`SimpleCommand` (one command a line runs), `_Word`, `_Site`, `_Streams` and `_Heredoc`; the
tree-sitter node kinds the walk treats alike; a word's value with its quotes and escapes removed
(`_word`, `_decode`, `$'...'`), brace expansion (`_expanded_braces`), the descriptors glued to a
redirection, and the patterns the parse's retries and history expansion look for."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from tree_sitter import Node

from bastion.text import digits

if TYPE_CHECKING:
    from bastion.command_control.policy.paths import PathArg


@dataclass(frozen=True)
class SimpleCommand:
    """One command the line would run.

    `name` is the command name after unwrapping and path reduction (or a pseudo-command: `>`,
    `NAME=`), None when it is only known at run time (then `unknown` says why). `argv` holds the
    words after quote removal, argv[0] as written (path kept), wrappers removed; a word known
    only at run time appears as written (`$HOME`). `dynamic_args` is true when some arguments
    are only known at run time. `wrappers` lists the wrappers removed, outermost first
    (`("sudo", "nice")`). `text` is the source of the simple command (of the innermost code
    string for `sh -c` and the like). `paths` are the words that may name files (operands,
    option values that look like paths, a redirection's target), for rules' `paths`.
    `reads_stdin` is "shell" or "interpreter" when the command reads its program from the
    standard input the line itself was given (`bash`, `sh -s`, `python3 -`), "program" when a
    program no table reads may (`mytool` with no operand), else "".
    `via` is, for a file operation that stands for a whole command (`>` for `scp -t PATH`),
    that command's argv (wrappers removed), so that callers who follow the command's own
    protocol (bastion.command_control.scp) still know what runs; else ().
    `reads_input` is true when the command may read the standard input the line was given
    (`read`, `head`, `cat` with no file, `dd` without if=...: see `stdin_reader`).
    `terminal` is true for an unknown that matters only where the bastion reads a terminal
    line by line (readline's keys and settings, the shell's stderr: `evaluate`'s `interactive`).
    `unread` holds, for a program the policy does not read, the files it names (policy/
    unread.py): each is judged as a write it may make, which a rule on `>` that protects the
    file holds for a supervisor instead of deciding.
    """

    name: str | None
    argv: tuple[str, ...]
    text: str
    unknown: str = ""
    dynamic_args: bool = False
    wrappers: tuple[str, ...] = ()
    paths: tuple[PathArg, ...] = ()
    reads_stdin: str = ""
    via: tuple[str, ...] = ()
    reads_input: bool = False
    terminal: bool = False
    unread: tuple[PathArg, ...] = ()


class _Word(NamedTuple):
    value: str | None  # after quote removal; None when only known at run time
    text: str  # as written
    glob: bool = False  # unquoted * ? [ : pathname expansion may change it
    brace: bool = False  # unquoted brace expansion: the shell turns it into several words
    splits: bool = False  # unquoted expansion: may become several words, options included
    procsub: bool = False  # a process substitution: a file name known only at run time
    # For brace expansion: the value with quoted `{`, `,` and `}` hidden (_BRACE_HIDDEN).
    braced: str | None = None
    # Known only at run time, but a path mktemp just made (`"$tmp"`, `"$tmp/x"` after
    # `tmp=$(mktemp -d)` on the line): no file a rule protects.
    fresh: bool = False
    # Made by brace expansion: known, but still counted as arguments the shell changed (so the
    # command's `dynamic_args` stays what it was before braces were expanded).
    expanded: bool = False


class _Site(NamedTuple):
    """Where a simple command runs: enough context to judge what it reads and wraps."""

    text: str = ""
    depth: int = 0
    wrappers: tuple[str, ...] = ()
    # tty (the line's own stdin) | pipe | file | procsub | here | null | unknown (a file known
    # only at run time, perhaps the line's stdin) | opaque (the same, perhaps text fed to it)
    stdin: str = "tty"
    here: str | None = None  # here-document or here-string text when stdin is "here"
    dynamic: bool = False  # arguments are appended at run time (xargs)
    # Descriptors other than 0 that a redirection opened, as (fd, origin, here text): origins
    # as for stdin, so that `bash /dev/fd/3 3<&0` is known to read the line's own stdin.
    fds: tuple[tuple[int, str, str | None], ...] = ()
    # The shell that reads the code: "any" (bash or POSIX sh: the login shell, `sh -c`), "bash"
    # (`bash -c`), or "sh" (the code as sh reads it, in the second reading of `_sh_reading`).
    grammar: str = "any"


class _Streams:
    """What each file descriptor of one command reads, as its redirections leave it: an origin
    (the vocabulary of `_Site.stdin`) and, for "here", the text."""

    __slots__ = ("fds", "glued", "here", "stdin")

    def __init__(self, site: _Site, line: dict[int, tuple[str, str | None]],
                 glued: dict[int, int] | None = None) -> None:
        self.stdin, self.here = site.stdin, site.here
        if self.stdin == "tty" and 0 in line:
            # "tty" is the line's own stdin, which an `exec 0<...` earlier on the line replaced.
            self.stdin, self.here = line[0]
        self.fds = {fd: origin for fd, origin in line.items() if fd != 0}
        self.fds.update({fd: (origin, here) for fd, origin, here in site.fds})
        # Digits written against a redirection (`0<&-`) name its descriptor: by its offset.
        self.glued = glued or {}

    def origin(self, fd: int) -> tuple[str, str | None]:
        if fd == 0:
            return self.stdin, self.here
        if fd in self.fds:
            return self.fds[fd]
        # stdout and stderr may share a socket with stdin (sshd without pipes); any other
        # descriptor was opened outside the line, by whatever ran it.
        return ("tty", None) if fd in (1, 2) else ("unknown", None)

    def carries_text(self) -> bool:
        """Whether some descriptor reads text the line feeds it (a pipe, a here-document, a
        process substitution): a descriptor known only at run time may be that one."""
        origins = [self.stdin, *(origin for origin, _ in self.fds.values())]
        return any(origin in ("pipe", "here", "procsub", "opaque") for origin in origins)

    def set(self, fd: int, origin: str, here: str | None = None) -> None:
        if fd == 0:
            self.stdin, self.here = origin, here
        else:
            self.fds[fd] = (origin, here)

    def site(self, site: _Site, **changes: Any) -> _Site:
        fds = tuple((fd, origin, here) for fd, (origin, here) in sorted(self.fds.items()))
        return site._replace(stdin=self.stdin, here=self.here, fds=fds, **changes)


class _Heredoc(NamedTuple):
    delimiter: str
    quoted: bool  # a quoted delimiter: the body is taken literally
    strip: bool  # <<- : leading tabs are removed from the body
    operator: tuple[int, int]  # `<<EOF` in the source
    body: tuple[int, int]  # the body, up to the delimiter line
    end: int  # just after the delimiter line
    sure: bool = True  # bash and dash read the delimiter alike and end the body alike

    def text(self, src: str) -> str:
        body = src[self.body[0]: self.body[1]]
        return re.sub(r"(?m)^\t+", "", body) if self.strip else body


def _text(src: str, node: Node) -> str:
    return src[node.start_byte: node.end_byte]


_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_BARE_ESCAPE = re.compile(r"\\(.)", re.S)
_DQ_ESCAPE = re.compile(r'\\([$`"\\\n])')
_ANSI_ESCAPE = re.compile(
    r"\\(?:([abeEfnrtv\\'\"?])|([0-7]{1,3})|x([0-9a-fA-F]{1,2})|u([0-9a-fA-F]{1,4})"
    r"|U([0-9a-fA-F]{1,8})|c(.)|(.))",
    re.S,
)
_ANSI_SIMPLE = {
    "a": "\a", "b": "\b", "e": "\x1b", "E": "\x1b", "f": "\f", "n": "\n", "r": "\r",
    "t": "\t", "v": "\v", "\\": "\\", "'": "'", '"': '"', "?": "?",
}  # fmt: skip
_GLOB_CHARS = re.compile(r"[*?\[]")
# A word pathname expansion may change: `*`, `?`, or a `[` a later `]` closes (a `[` with none is
# itself, as bash reads it: the driver's reading of an arrow key, `ESC[A`, is no pattern).
_GLOB_SHAPE = re.compile(r"[*?]|\[.+\]", re.S)
_PATTERN_CHARS = re.compile(r"[*?\[{]")
_BRACE = re.compile(r"\{[^{} \t\n]*(?:,|\.\.)[^{} \t\n]*\}")  # bash's blanks: ASCII (a36i)
_ESCAPED_PAIR = re.compile(r"\\.", re.S)
_EXPANSIONS = frozenset(
    {"simple_expansion", "expansion", "command_substitution", "arithmetic_expansion"}
)


def _unescape_bare(raw: str) -> str:
    return _BARE_ESCAPE.sub(lambda m: "" if m.group(1) == "\n" else m.group(1), raw)


def _unescape_dq(raw: str) -> str:
    return _DQ_ESCAPE.sub(lambda m: "" if m.group(1) == "\n" else m.group(1), raw)


def _ansi_c(body: str) -> str:
    def decode(m: re.Match[str]) -> str:
        simple, octal, hex2, hex4, hex8, control, other = m.groups()
        if simple:
            return _ANSI_SIMPLE[simple]
        if octal:
            return chr(int(octal, 8) & 0xFF)
        if hex2:
            return chr(int(hex2, 16))
        if hex4 or hex8:
            code = int(hex4 or hex8, 16)
            return chr(code) if code <= 0x10FFFF else "\ufffd"
        if control is not None:
            return chr(ord(control) & 0x1F)
        return "\\" + other

    # bash ends the string at a NUL: $'rm\0junk' is "rm".
    return _ANSI_ESCAPE.sub(decode, body).split("\0", 1)[0]


class _Known(NamedTuple):
    """Values `$NAME` and `${NAME}` read as (policy/known.py): made only of characters that
    nothing splits or matches; unquoted only while IFS is the default (`bare`)."""

    values: dict[str, str]
    bare: bool


def _known_value(src: str, node: Node, known: _Known, quoted: bool) -> str | None:
    text = _text(src, node)
    name = text[2:-1] if text.startswith("${") and text.endswith("}") else text[1:]
    if not (quoted or known.bare) or text not in (f"${name}", f"${{{name}}}"):
        return None
    return known.values.get(name)


def _decode(src: str, node: Node, itself: tuple[str, str] | None = None,
            known: _Known | None = None) -> tuple[str | None, str, bool]:
    """(value or None, unquoted shape for glob/brace checks, contains an unquoted expansion).
    `itself` (NAME, TEXT): `$NAME` and `${NAME}` read as TEXT (a hook's own earlier value,
    `PS1="$PS1> "`, which was judged when it was set). `known`: `$NAME` and `${NAME}` read as
    the values the script set (policy/known.py)."""
    kind = node.type
    if itself is not None and kind in ("simple_expansion", "expansion") and _text(src, node) in (
        f"${itself[0]}", f"${{{itself[0]}}}"
    ):
        return itself[1], "_", False
    if known is not None and kind in ("simple_expansion", "expansion"):
        value = _known_value(src, node, known, quoted=False)
        if value is not None:
            return value, "_", False
    if kind == "word":
        raw = _text(src, node)
        if "\\" not in raw:
            return raw, raw, False
        return _unescape_bare(raw), _ESCAPED_PAIR.sub("_", raw), False
    if kind in ("number", "variable_name"):
        raw = _text(src, node)
        return raw, raw, False
    if kind == "raw_string":
        return _text(src, node)[1:-1], "_", False
    if kind == "ansi_c_string":
        return _ansi_c(_text(src, node)[2:-1]), "_", False
    if kind == "string":
        # The text is read from the source between the quotes, not joined from the children:
        # tree-sitter-bash splits the content at each newline and puts the newline in no child
        # (`"true<LF>rm"` has children `true` and `rm`), so joining them glued two lines.
        children = node.children
        closed = len(children) > 1 and children[-1].type == '"' and not children[-1].is_missing
        end = children[-1].start_byte if closed else node.end_byte
        parts = []
        position = node.start_byte + 1
        for child in node.named_children:
            if child.type == "string_content":
                continue
            if child.type in ("simple_expansion", "expansion") and (itself or known):
                value = _decode(src, child, itself)[0] if itself is not None else None
                if value is None and known is not None:
                    value = _known_value(src, child, known, quoted=True)
                if value is not None:
                    parts.append(_unescape_dq(src[position: child.start_byte]) + value)
                    position = child.end_byte
                    continue
            # "$@" and "${a[@]}" become several words even inside quotes.
            return None, "_", "@" in _text(src, node)
        parts.append(_unescape_dq(src[position:end]))
        return "".join(parts), "_", False
    if kind == "translated_string":
        inner = node.named_children
        return _decode(src, inner[0], None, known) if inner else ("", "_", False)
    if kind == "concatenation":
        values: list[str] = []
        shapes: list[str] = []
        dynamic = splits = False
        for child in node.named_children:
            value, shape, child_splits = _decode(src, child, itself, known)
            splits = splits or child_splits or child.type in _EXPANSIONS
            dynamic = dynamic or value is None
            values.append(value or "")
            shapes.append(shape)
        return (None if dynamic else "".join(values)), "".join(shapes), splits
    return None, "_", kind in _EXPANSIONS


def _word(src: str, node: Node, itself: tuple[str, str] | None = None,
          known: _Known | None = None) -> _Word:
    value, shape, splits = _decode(src, node, itself, known)
    text = value if node.type == "word" and value == shape else _text(src, node)
    if not _PATTERN_CHARS.search(shape):
        return _Word(value, text, False, False, splits, node.type == "process_substitution")
    brace = bool(_BRACE.search(shape))
    return _Word(value, text, bool(_GLOB_SHAPE.search(shape)), brace, splits, False,
                 _braced(src, node) if brace and value is not None else None)


# Quoted or escaped `{`, `,` and `}` take no part in brace expansion: hidden while it runs.
_BRACE_HIDDEN = str.maketrans({"{": "\ue000", ",": "\ue001", "}": "\ue002"})
_BRACE_SHOWN = str.maketrans({"\ue000": "{", "\ue001": ",", "\ue002": "}"})


def _braced(src: str, node: Node) -> str | None:
    """The value of a word as brace expansion sees it: quoted parts with `{,}` hidden."""
    kind = node.type
    if kind == "concatenation":
        parts = [_braced(src, child) for child in node.named_children]
        return None if any(p is None for p in parts) else "".join(parts)  # type: ignore[arg-type]
    if kind == "word":
        return _BARE_ESCAPE.sub(lambda m: "" if m.group(1) == "\n" else
                                m.group(1).translate(_BRACE_HIDDEN), _text(src, node))
    value = _decode(src, node)[0]
    return None if value is None else value.translate(_BRACE_HIDDEN)


def _dynamic(word: _Word) -> _Word:
    return word._replace(value=None)


def may_be_option(word: _Word) -> bool:
    """Whether pathname expansion may make the word an option: an unquoted pattern that may
    match a name starting with `-` or `+` (`-?`, `-*`, `-[f]`, `*`: after `touch ./-c`; attack
    h17f, finding 2). Where options are read, such a word is known only at run time."""
    return word.glob and word.value is not None and word.value[:1] in "-+*?["


def _expanded_braces(words: list[_Word]) -> list[_Word]:
    """Words after brace expansion (`{rm,-rf,/}` is `rm -rf /`, `PS{4,}=x` is `PS4=x PS=x`).
    A word quoted in part, or with a sequence (`{1..9}`), is left whole, as a pattern; one
    expanding to too many words is known only at run time."""
    expanded: list[_Word] = []
    for word in words:
        if not word.brace or word.braced is None:
            expanded.append(word)
            continue
        choices = _expand_braces(word.braced)
        if choices is None:
            expanded.append(word if _BRACE_RANGE.search(word.braced) else _dynamic(word))
            continue
        for choice in choices:
            value = choice.translate(_BRACE_SHOWN)
            if not value:
                continue  # bash drops an empty word an unquoted expansion makes (i18f, F3)
            # Whether a glob in it is quoted is not kept: taken as a pattern (stricter).
            expanded.append(_Word(value, value, bool(_GLOB_CHARS.search(value)), expanded=True))
    return expanded


def _glued_descriptors(src: str, command: Node, redirects: list[Node] | tuple[()]
                       ) -> dict[int, int]:
    """Digits that tree-sitter-bash reads as a word but bash as the descriptor of the
    redirection written against them: `0<&- reboot` is a command named `0` to the parser and
    `reboot` with stdin closed to bash; `echo 0<&- x` is `echo x`. By the redirection's
    offset."""
    children = command.named_children
    starts = {r.start_byte for r in (*children, *redirects) if r.type in _REDIRECTS and not any(
        c.type == "file_descriptor" for c in r.named_children)}
    if not starts:
        return {}
    return {c.end_byte: int(_text(src, c)) for c in children
            if c.end_byte in starts and c.type in ("command_name", "number", "word")
            and digits(_text(src, c))}  # not `¹`: bash's are ASCII


def _descriptor(src: str, redirect: Node, glued: dict[int, int]) -> int | None:
    """The descriptor a redirection names (`3<&0` is 3), or None for its default."""
    for child in redirect.named_children:
        if child.type == "file_descriptor":
            text = _text(src, child)
            return int(text) if digits(text) else None
    return glued.get(redirect.start_byte)


_TRANSPARENT = frozenset({
    "program", "list", "subshell", "compound_statement", "if_statement", "elif_clause",
    "else_clause", "while_statement", "for_statement", "c_style_for_statement", "do_group",
    "case_statement", "case_item", "function_definition", "negated_command", "ERROR",
})  # fmt: skip
_STATEMENTS = _TRANSPARENT | {
    "command", "redirected_statement", "pipeline", "declaration_command", "unset_command",
}
_REDIRECTS = frozenset({"file_redirect", "herestring_redirect", "heredoc_redirect"})
_HEREDOC_PARTS = frozenset({"heredoc_start", "heredoc_body", "heredoc_end", "file_descriptor"})


# `$tmp`, `"${tmp}"`, `"$tmp/x"`, `"$tmp"/x`: group 3 is what follows the variable.
_FRESH_WORD = re.compile(r'"?\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))"?'
                         r'((?:/[A-Za-z0-9._+,@%=:-]*)*)"?')  # bash's names: ASCII (a36i)
_DASH_QUOTE = re.compile(r"\$'(?:[^'\\]|\\[^'])*\\'")
# `[` where a command starts (the `test` command), for the retry in `_Collector.parse`.
_TEST_BRACKET = re.compile(
    r"(^[ \t]*|[;&|(){}!][ \t]*|\b(?:then|do|else|elif|if|while|until)[ \t]+)\[(?=[ \t])", re.M
)
_QUICK_SUBSTITUTION = re.compile(r"^[ \t]*\^", re.M)  # each line is expanded on its own


def _history_expansion(code: str) -> bool:
    """Whether bash's history expansion may act on `code` (`!…`, a leading `^a^b`). It reads
    quotes as readline's history_expand does: a `'` inside double quotes quotes nothing
    (`echo "'"; !!:s/x//; echo "'"` expands: attack y34i 6), a backslash quotes the next
    character, and `!` before a blank, `=`, `(` or a closing `"` is left alone, as are `$!`,
    `${!` and `[!` in a pattern (`_history_exempt`). Each line on its own, as readline expands
    each line bash reads: a quote on an earlier line (a comment's `don't`) hides nothing."""
    double, index, end = False, 0, len(code)
    while index < end:
        char = code[index]
        if char == "\n":
            double = False  # readline expands each line on its own (attack z35i, finding 4)
        elif char == "\\":
            index += 2
            continue
        elif char == "'" and not double:
            close = code.find("'", index + 1)
            line_end = code.find("\n", index + 1)
            if close < 0 or 0 <= line_end < close:
                index = end if line_end < 0 else line_end
                continue
            index = close + 1
            continue
        if char == '"':
            double = not double
        elif char == "!" and index + 1 < end and not _history_exempt(code, index):
            following = code[index + 1]
            if following not in " \t\r\n=(" and not (following == '"' and double):
                return True
        index += 1
    return bool(_QUICK_SUBSTITUTION.search(code))


def _history_exempt(code: str, index: int) -> bool:
    """bash_history_inhibit_expansion: `$!`, `${!`, and `[!` with a `]` later on the line (a
    pattern); not `{!` or a `[!` with no `]` (`echo {!-1:s/x/;/}` expands: attack y34i 6)."""
    before = code[index - 1: index]
    return before == "$" or (before == "{" and code[index - 2: index - 1] == "$") \
        or (before == "[" and "]" in code[index + 1:])


def _at(words: list[_Word], index: int) -> _Word | None:
    return words[index] if 0 <= index < len(words) else None


def _unescaped(text: str, char: str, start: int) -> int:
    """The index of the first `char` at or after `start` that no backslash escapes, or -1."""
    index = text.find(char, start)
    while index >= 0:
        backslashes = len(text[:index]) - len(text[:index].rstrip("\\"))
        if backslashes % 2 == 0:
            return index
        index = text.find(char, index + 1)
    return -1


def _unescape_heredoc(raw: str) -> str:
    return re.sub(r"\\([$`\\\n])", lambda m: "" if m.group(1) == "\n" else m.group(1), raw)


_SEPARATORS = frozenset(" \t\n;&|()<>")


_STDIO = frozenset({"stdin", "stdout", "stderr"})
_BRACE_ONE = re.compile(r"\{([^{}]*,[^{}]*)\}")
_BRACE_RANGE = re.compile(r"\{[^{}]*\.\.[^{}]*\}")


def _expand_braces(text: str, limit: int = 64) -> list[str] | None:
    """Simple brace expansion (`a{b,c}d`); None for ranges, nesting or too many words."""
    words = [text]
    while any(_BRACE_ONE.search(word) for word in words):
        expanded = []
        for word in words:
            match = _BRACE_ONE.search(word)
            if match is None:
                expanded.append(word)
                continue
            for choice in match.group(1).split(","):
                expanded.append(word[: match.start()] + choice + word[match.end():])
        words = expanded
        if len(words) > limit:
            return None
    if any(_BRACE_RANGE.search(word) for word in words):
        return None
    return words
