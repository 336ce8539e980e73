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
  included), with the same `Overflow` past it, and so does the caller's `budget` (what all the
  stdin gates of a connection, a person and the server hold together: bastion.runtime.held).
- A body is left out only where the policy agrees a here-document is there (`policy.bodies_at`:
  its scanner, as bash and as dash, and bash's own lexer); elsewhere the statement overflows, so
  no line a shell runs hides behind the placeholder (attack v31o, finding 6). A `<<` inside
  `[[ ]]` or a parenthesis glued to a word (`@(`, `a=(`), text to bash, breaks the lexer.

NUL bytes are dropped as they arrive, from what is judged and from what is sent alike: bash and
dash drop them from script input (`r<NUL>m` is `rm` to the shell), so a NUL must not make the
judged text differ from the shell's.

`bytes_lexed` and `bytes_confirmed` count the work done, so tests can bound it per input byte.
Nothing here does I/O.

The package: lexer.py (`ShellLexer`, what is still open after each line) and splitter.py
(`StatementSplitter` and the pieces it gives out).
"""

from __future__ import annotations

from bastion.command_control.statements.splitter import (
           INLINE_BODY,
           MAX_CODE,
           MAX_HELD,
           PLACEHOLDER,
           Overflow,
           Piece,
           Rest,
           Statement,
           StatementSplitter,
)

__all__ = ["INLINE_BODY", "MAX_CODE", "MAX_HELD", "PLACEHOLDER", "Overflow", "Piece", "Rest", "Statement",
           "StatementSplitter"]
