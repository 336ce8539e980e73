"""`StatementSplitter`: a shell's stdin cut into `Statement`s (or `Overflow` and `Rest`), with
the caps on unfinished code and on what is held.

Part of the statement splitter (see the package docstring). Pure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bastion.command_control.policy import bodies_at
from bastion.command_control.statements.lexer import BodySpan, ShellLexer
from bastion.config.sizes import format_size

MAX_CODE = 64 * 1024
MAX_HELD = 64 * 1024 * 1024
INLINE_BODY = 4096
PLACEHOLDER = "$BASTION_ELIDED_HEREDOC\n"


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


class StatementSplitter:
    """Cuts a byte stream of shell input into `Statement`s (or `Overflow` and `Rest` pieces).

    `feed()` returns the pieces that the bytes given complete, in order; `finish()` (at end of
    input) the unfinished remainder, as the shell would run it. Every byte is lexed once, apart
    from the line that a skip pattern stopped in (lexed twice); `is_complete` is asked about a
    statement at most log2(size) times, each ask at least doubling the length, so the work per
    input byte is bounded (`bytes_lexed`, `bytes_confirmed`).
    """

    def __init__(self, is_complete: Callable[[str], bool], *, max_code: int = MAX_CODE,
                 max_held: int = MAX_HELD, budget: Callable[[int], str | None] | None = None,
                 bash_only: bool = False) -> None:
        self.is_complete = is_complete
        self.bash_only = bash_only  # the shell is bash: a body elided need not be one to dash
        # Asked before the statement held grows (its size in bytes): None, or why it may not
        # (a bound shared with other splitters: bastion.runtime.held); it then overflows.
        self.budget = budget
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
        """The pieces completed by `data` (NUL bytes dropped, see the package docstring)."""
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
                self._statement(self._text(), out)
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
            self._statement(text, out)
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
        # in parts rather than held; where exactly it ends matters less (see the package docstring).
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
            self._overflow(out, "an unfinished statement holds more than "
                                f"{format_size(self.max_code, binary=True)} "
                                "of code")
        elif len(self._held) + partial > self.max_held:
            self._overflow(out, f"a statement longer than {format_size(self.max_held, binary=True)}")
        elif self.budget is not None:
            why = self.budget(len(self._held) + partial)
            if why is not None:
                self._overflow(out, why)

    @property
    def held(self) -> int:
        """Bytes of the unfinished statement kept in memory (none while overflowing)."""
        return 0 if self._overflowing else len(self._held) + len(self._partial)

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

    def _statement(self, text: str, out: list[Piece]) -> None:
        """The statement held, judged as `text`. A body is left out of it only where bash and
        sh read a here-document there: where bash may read none (`coproc (( 1<<0 ))` is
        arithmetic), the lines it runs must not hide behind the placeholder, and the whole is
        too long to judge (attack v31o, finding 6): an `Overflow` (the `uncertain` action)."""
        data = bytes(self._held)
        if self._spans and not bodies_at(text, self._placeholders(text), self.bash_only):
            out.append(Overflow(data, data[:200].decode("utf-8", "replace"),
                                "a long here-document the shell may not read as one"))
            out.append(Rest(b"", True))
        else:
            out.append(Statement(data, text))

    def _placeholders(self, text: str) -> tuple[int, ...]:
        """Where each placeholder starts in `text` (as `_text` made it)."""
        starts, position, shift = [], 0, 0
        for span in self._spans:
            start = shift + len(self._held[position: span.start].decode("utf-8", "replace"))
            starts.append(start)
            shift = start + len(PLACEHOLDER)
            position = span.end
        return tuple(starts)

    def _reset(self) -> None:
        self._held = bytearray()
        self._spans = []
        self._code = self._body_bytes = self._confirm_from = 0
        self._overflowing = False
