"""A shell's stdin cut into statements as it arrives, in time linear in its length.

A shell reading commands from stdin without a pty (`ssh -T host bash`, `ssh host bash -s <
deploy.sh`) runs each statement once it has read the statement whole. The stdin gate judges each
statement before the shell sees any of it, so it must know where statements end. Parsing the
unfinished statement again at every newline costs time quadratic in its length, on the event loop
every session shares (`echo '` followed by many short lines stalled every session). Here every
byte is lexed once:

- Input is lexed a line at a time (a line is only lexed once its newline has come), keeping what
  is left open at the end of the line: quotes, substitutions, brackets, keyword blocks,
  here-documents announced on the line, a trailing operator or backslash. The rules are those of
  `bastion.command_control.policy`'s scanner, kept in step with it line by line.
- A statement ends at a newline where nothing is left open. The policy's own `is_complete` then
  confirms it (once, on the whole statement); when the two disagree the statement goes on, and the
  next confirmation waits until the statement has doubled, so confirmations cost at most twice
  the statement's length.
- Here-document words and end lines are read as `bastion.command_control.policy.heredoc_word` reads them, as
  bash and dash do (`<<"E\\OF"` ends at a line E\\OF). Where the two shells read a word apart
  (`<<$'EOF'`: EOF to bash, $EOF to dash), or would end the body at different lines (a line a
  backslash-newline joined; `EOF)` in `$(...)`), nothing after it is cut on a guess: the rest
  of the input is one statement, judged whole at its end (or overflowing, below).
- Here-document bodies are read a line at a time looking for their delimiter, with no cap. A body
  that cannot run code (a quoted delimiter, or no `$(`, `${`, `$[` or backquote in it) and is
  longer than INLINE_BODY is replaced, in the text the policy judges, by a placeholder line
  (`$BASTION_ELIDED_HEREDOC`): to `cat` it is data, and to a shell fed by the here-document it is
  a command known only at run time (the policy's `unknown`). The bytes sent are the real ones.
- The rest, the code the policy must parse (an open quote, an open block, bodies that expand
  commands), is capped at MAX_CODE bytes. Past that the statement is given out as `Overflow`,
  and what follows until it ends as `Rest` pieces: the caller applies the policy's `uncertain`
  action to it (forwarding or dropping), without holding it.
- A statement is held in memory until it is judged; MAX_HELD bounds that (heredoc bodies
  included), with the same `Overflow` past it.

NUL bytes are dropped as they arrive, from what is judged and from what is sent alike: bash and
dash drop them from script input (`r<NUL>m` is `rm` to the shell), so a NUL must not make the
judged text differ from the shell's.

`bytes_lexed` and `bytes_confirmed` count the work done, so tests can bound it per input byte.
Nothing here does I/O.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

from bastion.command_control.policy import heredoc_word

MAX_CODE = 64 * 1024
MAX_HELD = 64 * 1024 * 1024
INLINE_BODY = 4096
PLACEHOLDER = "$BASTION_ELIDED_HEREDOC\n"

_SEPARATORS = frozenset(" \t\n;&|()<>")
_PLAIN_RUN = re.compile(r"[^\s;&|()<>'\"`\\$]+")
_DQ_SPECIAL = re.compile(r'["`$\\]')
_OPERATORS = ("&&", "||", "|&", ";;&", ";;", ";&", "&", "|", ";")
_OPENERS = {"if": "fi", "for": "done", "while": "done", "until": "done", "select": "done"}
# In a here-document whose delimiter is not quoted, these run code when the body is expanded.
_BODY_CODE = re.compile(r"\$[({\[]|`")
_CODE_CONTEXTS = frozenset({"'", "$'", '"', "${", "$((", "((", "[(", "$["})


@dataclass(frozen=True)
class Statement:
    """A complete statement: `data` is exactly what the client sent, `text` what to judge."""

    data: bytes
    text: str


@dataclass(frozen=True)
class Overflow:
    """The start of a statement too long to judge (`reason` says which bound it passed); the
    pieces of its remainder follow as `Rest`."""

    data: bytes
    text: str
    reason: str


@dataclass(frozen=True)
class Rest:
    """More of an overflowed statement; `last` is true on the piece that ends it."""

    data: bytes
    last: bool


Piece = Statement | Overflow | Rest


@dataclass(frozen=True)
class _Heredoc:
    delimiter: str
    quoted: bool
    strip: bool


@dataclass
class _Body:
    """A here-document body being read."""

    heredoc: _Heredoc
    start: int  # offset of its first line in the statement
    code: bool = False  # it expands commands: the policy must read it
    logical: str = ""  # the start of the current logical line, for the delimiter test
    joined: bool = False  # the current logical line spans physical lines
    dash_start: bool = True  # dash compares this line: a logical line starts here


@dataclass(frozen=True)
class BodySpan:
    """A finished here-document body: `start` to `end` (its delimiter line) in the statement."""

    start: int
    end: int
    code: bool


class ShellLexer:
    """What a shell would still wait for after the lines fed so far (`open`).

    Feed whole lines with `line()`, each ending in a newline (but the last one at end of
    input). `in_body` is true while a here-document body is being read.
    """

    def __init__(self) -> None:
        self.stack: list[str] = []
        self.pending: list[_Heredoc] = []  # announced on this line, bodies start on the next
        self.pending_depth: list[int] = []  # how deep in `stack` each was announced
        self.bodies: list[_Heredoc] = []  # bodies to read, in order; the first is being read
        self.body: _Body | None = None
        self.command_position = True
        self.dangling = False
        self.function_name = False
        self.continued = False
        self.broken = False  # a here-document delimiter with an open quote: never ends

    @property
    def open(self) -> bool:
        """True when the shell would wait for more input before running anything."""
        return bool(self.stack or self.pending or self.bodies or self.dangling or self.continued
                    or self.broken)

    @property
    def in_body(self) -> bool:
        return bool(self.bodies)

    def line(self, src: str, offset: int = 0) -> BodySpan | None:
        """Lex one line that starts at `offset` in the statement; returns the here-document
        body that this line closed, if it did."""
        if self.bodies:
            return self._body_line(src, offset)
        self.continued = False
        self._code_line(src)
        if src.endswith("\n") and self.pending and self._in_command_context():
            self.bodies, self.pending, self.pending_depth = self.pending, [], []
        return None

    def _in_command_context(self) -> bool:
        return not self.stack or self.stack[-1] not in _CODE_CONTEXTS

    # -- here-document bodies ---------------------------------------------------------------

    def _body_line(self, src: str, offset: int) -> BodySpan | None:
        """One line of a here-document body: whether it ends the body, as
        `policy._heredoc_end` reads it. Where bash and dash would end it apart (bash at a
        logical line that a backslash-newline joined, or inside `$(...)` at `EOF)`; inside
        backquotes at a backquote), the lexer is `broken`: the rest of the input is one
        statement, judged whole."""
        heredoc = self.bodies[0]
        if self.body is None:
            self.body = _Body(heredoc, offset)
        state = self.body
        raw = src[:-1] if src.endswith("\n") else src
        if not heredoc.quoted and not state.code and _BODY_CODE.search(src):
            state.code = True
        if "`" in self.stack and "`" in raw:
            # The substitution's text, and the body with it, ends at the backquote: at the end
            # of a delimiter line (x=`cat <<EOF ... EOF`) both shells agree; elsewhere, unsure.
            before = raw[: raw.index("`")]
            if state.joined or "\\" in before or (
                    before.lstrip("\t") if heredoc.strip else before) != heredoc.delimiter:
                self._unsure_body()
                return None
            self.bodies.pop(0)
            self.body = None
            self.command_position = True
            rest = src[len(before):]
            self._code_line(rest)
            if rest.endswith("\n") and self.pending and self._in_command_context():
                self.bodies, self.pending, self.pending_depth = self.pending, [], []
            return BodySpan(state.start, offset, state.code)
        # bash joins backslash-newline (delimiter unquoted) and compares the logical line, its
        # leading tabs removed for <<-; dash skips backslash-newlines where a line starts,
        # then tabs, then compares the rest of that physical line.
        logical = state.logical + raw
        if heredoc.strip:
            logical = logical.lstrip("\t")
        if (not heredoc.quoted and src.endswith("\\\n")
                and (len(raw) - len(raw.rstrip("\\"))) % 2 == 1):
            # Only the first len(delimiter) + 1 characters matter to the comparison.
            state.logical = logical[:-1][: len(heredoc.delimiter) + 1]
            state.dash_start = state.dash_start and raw == "\\"
            state.joined = True
            return None
        dash_start = state.dash_start
        state.logical, state.joined, state.dash_start = "", False, True
        if logical != heredoc.delimiter:
            if "$(" in self.stack and logical.startswith(heredoc.delimiter) and \
                    logical[len(heredoc.delimiter):].lstrip(" \t").startswith(")"):
                self._unsure_body()  # bash ends it here (and the substitution), dash does not
            return None
        if not dash_start or (raw.lstrip("\t") if heredoc.strip else raw) != logical:
            self._unsure_body()  # bash ends it at a joined line, dash does not
            return None
        self.bodies.pop(0)
        self.body = None
        self.command_position = True
        return BodySpan(state.start, offset, state.code)

    def _unsure_body(self) -> None:
        self.bodies.clear()
        self.body = None
        self.broken = True

    @property
    def body_is_code(self) -> bool:
        """The body being read expands commands (or none is being read)."""
        return self.body is None or self.body.code

    def skip_pattern(self) -> re.Pattern[bytes] | None:
        """A pattern for what could change the state now; lines before a line where it matches
        may be taken whole without lexing. None when every line must be lexed."""
        if self.bodies:
            if self.body is None or self.body.logical or self.body.joined or \
                    "`" in self.stack or "$(" in self.stack:
                return None
            return _skip_body(self.bodies[0], self.body.code)
        top = self.stack[-1] if self.stack else ""
        if top == "'":
            return _SKIP_SINGLE
        if top == '"':
            return _SKIP_DOUBLE
        return None

    # -- code -------------------------------------------------------------------------------

    def _code_line(self, src: str) -> None:
        stack = self.stack
        index, end = 0, len(src)
        while index < end:
            top = stack[-1] if stack else ""
            if top == "'":
                close = src.find("'", index)
                if close < 0:
                    return
                stack.pop()
                index = close + 1
                continue
            if top == "$'":
                index = self._ansi_c(src, index)
                continue
            char = src[index]
            if char == "\\":
                if index + 1 >= end:
                    self.continued = True
                    return
                if src[index + 1] == "\n":
                    self.continued = True
                index += 2
                self.command_position = self.dangling = False
                continue
            if top == '"':
                match = _DQ_SPECIAL.search(src, index)
                if match is None:
                    return
                index = match.start()
                char = src[index]
                if char == '"':
                    stack.pop()
                    index += 1
                elif char == "`":
                    stack.append("`")
                    self.command_position = True
                    index += 1
                elif char == "$":
                    index = self._dollar(src, index, quoted=True)
                    self.command_position = stack[-1] == "$("
                continue  # a backslash is handled at the top of the loop
            if top == "${":
                if char == "}":
                    stack.pop()
                elif char == "'":
                    stack.append("'")
                elif char in '"`':
                    stack.append(char)
                    self.command_position = char == "`"
                elif char == "$":
                    index = self._dollar(src, index, quoted=True)
                    self.command_position = stack[-1] == "$("
                    continue
                index += 1
                continue
            if top in ("$((", "((", "[(", "$["):
                if char == "(":
                    stack.append("[(")
                elif char == ")" and top == "[(":
                    stack.pop()
                elif char == ")" and src.startswith("))", index) and top != "$[":
                    stack.pop()
                    index += 1
                elif char == "]" and top == "$[":
                    stack.pop()
                elif char == "$":
                    index = self._dollar(src, index, quoted=True)
                    continue
                elif char == '"':
                    stack.append('"')
                elif char == "`":
                    stack.append("`")
                index += 1
                continue
            # Command context: top level, ( ), $( ), ` `, and the keyword blocks.
            if char == "\n":
                self.command_position = True
                index += 1
                continue
            if char in " \t\r":
                index += 1
                continue
            if char == "#" and (index == 0 or src[index - 1] in _SEPARATORS):
                newline = src.find("\n", index)
                index = newline if newline >= 0 else end
                continue
            if char == "'":
                close = src.find("'", index + 1)
                self.command_position = self.dangling = False
                if close < 0:
                    stack.append("'")
                    return
                index = close + 1
                continue
            if char == '"':
                stack.append('"')
                index += 1
                self.command_position = self.dangling = False
                continue
            if char == "`":
                if top == "`":
                    self._close_substitution()
                    stack.pop()
                    self.command_position = False
                else:
                    stack.append("`")
                    self.command_position = True
                index += 1
                self.dangling = False
                continue
            if char == "$":
                index = self._dollar(src, index)
                self.command_position = bool(stack) and stack[-1] == "$(" and src[index - 1] == "("
                self.dangling = False
                continue
            if char in "&|;":
                operator = next(op for op in _OPERATORS if src.startswith(op, index))
                if operator == "&" and src.startswith("&>", index):
                    index += 3 if src.startswith("&>>", index) else 2
                    continue
                self.dangling = operator in ("&&", "||", "|", "|&")
                self.command_position = True
                index += len(operator)
                continue
            if char == "(":
                if self.command_position and src.startswith("((", index):
                    stack.append("((")
                    index += 2
                else:
                    stack.append("(")
                    index += 1
                self.command_position = True
                continue
            if char == ")":
                if top == "$(":
                    self._close_substitution()
                if top in ("(", "$("):
                    stack.pop()
                index += 1
                self.command_position = True
                continue
            if char in "<>":
                index = self._redirection(src, index)
                continue
            match = _PLAIN_RUN.match(src, index)
            if match is None:
                index += 1
                continue
            index = match.end()
            self._word(match.group(), top,
                       at_start=match.start() == 0 or src[match.start() - 1] in _SEPARATORS,
                       at_end=index >= end or src[index] in _SEPARATORS)

    def _close_substitution(self) -> None:
        """A `$(...)` or backquote closes on the line that announced here-documents inside it:
        inside backquotes their bodies are empty in both shells; inside `$(...)` bash reads them
        from the next lines and dash does not (`policy._scan`): the rest is one statement."""
        inside = [i for i, depth in enumerate(self.pending_depth) if depth >= len(self.stack)]
        if not inside:
            return
        if self.stack[-1] == "$(":
            self.broken = True
        self.pending = [h for i, h in enumerate(self.pending) if i not in inside]
        self.pending_depth = [d for i, d in enumerate(self.pending_depth) if i not in inside]

    def _word(self, word: str, top: str, *, at_start: bool, at_end: bool) -> None:
        stack = self.stack
        self.dangling = False
        if top == "esac?" and word == "in":
            stack[-1] = "esac"
            self.command_position = True
            return
        if top == "]]" and word == "]]":
            stack.pop()
            self.command_position = False
            return
        if not (self.command_position and at_start and at_end):
            self.command_position = self.function_name
            self.function_name = False
            return
        if word in _OPENERS:
            stack.append(_OPENERS[word])
            self.command_position = word in ("if", "while", "until")
        elif word in ("then", "else", "elif", "do", "!", "time", "{"):
            if word == "{":
                stack.append("}")
            self.command_position = True
        elif word in ("fi", "done", "esac", "}"):
            if top == word:
                stack.pop()
            self.command_position = False
        elif word == "case":
            stack.append("esac?")
            self.command_position = False
        elif word == "[[":
            stack.append("]]")
            self.command_position = False
        elif word == "function":
            self.command_position, self.function_name = False, True
        else:
            self.command_position = self.function_name
            self.function_name = False

    def _ansi_c(self, src: str, index: int) -> int:
        """Inside $'...': the index after its closing quote, or the end of the line."""
        position, end = index, len(src)
        while position < end:
            char = src[position]
            if char == "\\":
                position += 2
                continue
            if char == "'":
                self.stack.pop()
                return position + 1
            position += 1
        return end

    def _dollar(self, src: str, index: int, quoted: bool = False) -> int:
        """Step over a `$` construct, pushing what it opens. Inside double quotes (`quoted`)
        `$'` and `$"` are not quotes."""
        following = src[index + 1: index + 3]
        if following.startswith("'") and not quoted:
            self.stack.append("$'")
            return self._ansi_c(src, index + 2)
        if following == "((":
            self.stack.append("$((")
            return index + 3
        for opener, pushed in (("(", "$("), ("{", "${"), ("[", "$["), ('"', '"')):
            if following.startswith(opener) and not (quoted and opener == '"'):
                self.stack.append(pushed)
                return index + 2
        return index + 1

    def _redirection(self, src: str, index: int) -> int:
        if src.startswith("<<<", index):
            return index + 3
        if src.startswith("<<", index):
            strip = src.startswith("<<-", index)
            word = heredoc_word(src, index + (3 if strip else 2), "`" in self.stack)
            if word.delimiter is None or not word.sure:
                # An open quote (the shell waits on), or a word bash and dash read apart, or
                # one whose extent is not followed here: nothing after it is read with
                # confidence, so the rest of the input is this one statement.
                self.broken = True
                return len(src)
            if word.delimiter or word.quoted:
                self.pending.append(_Heredoc(word.delimiter, word.quoted, strip))
                self.pending_depth.append(len(self.stack))
            return word.end
        if src.startswith(("<(", ">("), index):
            self.stack.append("(")
            self.command_position = True
            return index + 2
        return index + 1


_SKIP_SINGLE = re.compile(rb"'")
_SKIP_DOUBLE = re.compile(rb'["`$\\]')


@functools.lru_cache(maxsize=256)
def _skip_body(heredoc: _Heredoc, code: bool) -> re.Pattern[bytes]:
    line = rb"^\t*" if heredoc.strip else rb"^"
    alternatives = [line + re.escape(heredoc.delimiter.encode("latin-1")) + rb"$"]
    if not heredoc.quoted:
        alternatives.append(rb"\\$")  # a backslash-newline joins lines
        if not code:
            alternatives.append(_BODY_CODE.pattern.encode())
    return re.compile(b"|".join(alternatives), re.M)


def _size(n: int) -> str:
    return f"{n >> 20} MiB" if n >= 1 << 20 else f"{n >> 10} KiB" if n >= 1 << 10 else f"{n} bytes"


class StatementSplitter:
    """Cuts a byte stream of shell input into `Statement`s (or `Overflow` and `Rest` pieces).

    `feed()` returns the pieces that the bytes given complete, in order; `finish()` (at end of
    input) the unfinished remainder, as the shell would run it. Every byte is lexed once, apart
    from the line that a skip pattern stopped in (lexed twice); `is_complete` is asked about a
    statement at most log2(size) times, each ask at least doubling the length, so the work per
    input byte is bounded (`bytes_lexed`, `bytes_confirmed`).
    """

    def __init__(self, is_complete: Callable[[str], bool], *, max_code: int = MAX_CODE,
                 max_held: int = MAX_HELD) -> None:
        self.is_complete = is_complete
        self.max_code = max_code
        self.max_held = max_held
        self.bytes_lexed = 0
        self.bytes_confirmed = 0
        self._lexer = ShellLexer()
        self._held = bytearray()  # whole lines of the statement so far
        self._partial = bytearray()  # bytes after the last newline
        self._spans: list[BodySpan] = []  # here-document bodies left out of the judged text
        self._code = 0  # bytes of the statement the policy must parse
        self._body_bytes = 0  # bytes of the body being read, not yet counted as code
        self._confirm_from = 0  # judged-text length from which is_complete may be asked again
        self._overflowing = False
        self._sent = 0  # bytes at the start of _partial given out already (in an overflow)
        self._rest_data = bytearray()

    def feed(self, data: bytes) -> list[Piece]:
        """The pieces completed by `data` (NUL bytes dropped, see the module)."""
        if b"\0" in data:
            data = data.replace(b"\0", b"")
        out: list[Piece] = []
        pos, size = 0, len(data)
        if self._partial:
            newline = data.find(b"\n")
            if newline < 0:
                self._more_partial(data, out)
                self._flush_rest(out)
                return out
            line = bytes(self._partial) + data[: newline + 1]
            sent, self._sent = self._sent, 0
            self._partial.clear()
            self._line(line, out, sent)
            pos = newline + 1
        while pos < size:
            pattern = self._lexer.skip_pattern()
            if pattern is not None:
                match = pattern.search(data, pos)
                stop = size if match is None else match.start()
                line_start = data.rfind(b"\n", pos, stop) + 1
                if line_start > pos:
                    self._inert(data[pos:line_start], out)
                    pos = line_start
            newline = data.find(b"\n", pos)
            if newline < 0:
                self._more_partial(data[pos:], out)
                break
            self._line(data[pos: newline + 1], out)
            pos = newline + 1
        self._flush_rest(out)
        return out

    def finish(self) -> list[Piece]:
        """At end of input: what is left, complete or not (the shell runs what it has read)."""
        out: list[Piece] = []
        line, sent = bytes(self._partial), self._sent
        self._partial.clear()
        self._sent = 0
        if line:
            self._lex(line)
        if self._overflowing:
            self._rest(line[sent:], out, last=True)
        else:
            self._held += line
            if self._held:
                out.append(Statement(bytes(self._held), self._text()))
        self._reset()
        return out

    # -- lines --------------------------------------------------------------------------------

    def _lex(self, line: bytes) -> None:
        self.bytes_lexed += len(line)
        lexer = self._lexer
        was_body = lexer.in_body
        span = lexer.line(line.decode("latin-1"), len(self._held))
        if self._overflowing:
            return
        if span is not None:
            # The delimiter line is code; the body counts as code unless it is left out.
            if span.code or self._body_bytes <= INLINE_BODY:
                self._code += self._body_bytes
            else:
                self._spans.append(span)
            self._body_bytes = 0
            self._code += len(line)
        elif was_body:
            self._count_body(len(line))
        else:
            self._code += len(line)

    def _count_body(self, size: int) -> None:
        if self._lexer.body_is_code:
            self._code += self._body_bytes + size
            self._body_bytes = 0
        else:
            self._body_bytes += size

    def _line(self, line: bytes, out: list[Piece], sent: int = 0) -> None:
        """One whole line; its first `sent` bytes were given out already (an overflow)."""
        self._lex(line)
        if self._overflowing:
            done = not self._lexer.open
            self._rest(line[sent:], out, last=done)
            if done:
                self._reset()
            return
        self._held += line
        if self._lexer.open:
            self._check(out)
            return
        text = self._text()
        if len(text) < self._confirm_from:
            self._check(out)
            return
        self.bytes_confirmed += len(text)
        if self.is_complete(text):
            out.append(Statement(bytes(self._held), text))
            self._reset()
        else:
            self._confirm_from = 2 * len(text)
            self._check(out)

    def _inert(self, lines: bytes, out: list[Piece]) -> None:
        """Whole lines that cannot change the lexer's state (inside a quote or a body)."""
        self.bytes_lexed += len(lines)
        if self._overflowing:
            self._rest(lines, out)
            return
        if self._lexer.in_body:
            self._count_body(len(lines))
        else:
            self._code += len(lines)
        self._held += lines
        self._check(out)

    def _more_partial(self, data: bytes, out: list[Piece]) -> None:
        self._partial += data
        if not self._overflowing:
            self._check(out)
            return
        # Bytes of an overflowed statement go on as they come. A line without an end is lexed
        # in parts rather than held; where exactly it ends matters less (see the module).
        self._rest(data, out)
        self._sent += len(data)
        if len(self._partial) > self.max_code:
            self.bytes_lexed += len(self._partial)
            self._lexer.line(self._partial.decode("latin-1"))
            self._partial.clear()
            self._sent = 0

    def _rest(self, data: bytes, out: list[Piece], last: bool = False) -> None:
        """More of an overflowed statement: gathered into one piece per feed."""
        self._rest_data += data
        if last:
            out.append(Rest(bytes(self._rest_data), True))
            self._rest_data.clear()

    def _flush_rest(self, out: list[Piece]) -> None:
        if self._rest_data:
            out.append(Rest(bytes(self._rest_data), False))
            self._rest_data.clear()

    def _check(self, out: list[Piece]) -> None:
        partial = len(self._partial)
        code = self._code + (partial if self._lexer.body_is_code else 0)
        if code > self.max_code:
            self._overflow(out, f"an unfinished statement holds more than {_size(self.max_code)} "
                                "of code")
        elif len(self._held) + partial > self.max_held:
            self._overflow(out, f"a statement longer than {_size(self.max_held)}")

    def _overflow(self, out: list[Piece], reason: str) -> None:
        data = bytes(self._held) + bytes(self._partial)
        out.append(Overflow(data, data[:200].decode("utf-8", "replace"), reason))
        self._reset()
        self._overflowing = True
        # The partial line stays, to be lexed once it ends; its bytes went out already.
        self._sent = len(self._partial)

    def _text(self) -> str:
        """The statement as the policy judges it: long bodies that run nothing left out."""
        held = self._held
        if not self._spans:
            return held.decode("utf-8", "replace")
        parts, position = [], 0
        for span in self._spans:
            parts.append(held[position: span.start].decode("utf-8", "replace"))
            parts.append(PLACEHOLDER)
            position = span.end
        parts.append(held[position:].decode("utf-8", "replace"))
        return "".join(parts)

    def _reset(self) -> None:
        self._held = bytearray()
        self._spans = []
        self._code = self._body_bytes = self._confirm_from = 0
        self._overflowing = False
