"""Attack z35i: ways around the shells' answer (terminal/shell_reads.py) and the history reading.

1. An alias holding a comment (`alias A='#'`, `BASH_ALIASES[A]='#'`) comments out the rest of
   each line it begins, which neither the scanner nor `bash -n` (no aliases) sees: `X; A "` ran
   X where the line looked unfinished. Such an alias is unknown (held).
2, 5. Quick substitution (`^x^'^`, `^old^new^` at the start of any line of a statement) closes
   a quote bash reads after expanding: a line where it may act is judged at its Enter, and the
   policy finds it on every line.
3. `@\\⏎(` is `@(` to bash: the extglob question is asked of the joined text.
4. Readline expands each line on its own: a quote on an earlier line (`# don't`) hides nothing.
6. A line ending in ` # \\`: the backslash is in a comment, so the shells' answer holds (it was
   the scanner's alone, and the y34i lines ran behind it).

Typed at a bash prompt as the proxy drives the tracker (tests/test_terminal.py's Shell, wired
with shell_reads as bastion/ssh/gate.py wires it), and judged as the gate judges.
"""

from __future__ import annotations

from bastion.command_control.policy import evaluate
from bastion.command_control.terminal import shell_reads
from tests.rows import each
from tests.terminal_replay import default_policy
from tests.test_driver_readings import verdict
from tests.test_terminal import ENTER, PROMPT, PS2, Shell

X = "systemctl stop auditd"  # refused by the default policy


def judged(line: str) -> str:
    return evaluate(default_policy(), line, role="engineer", target="web01").action


@each("line", ["alias A='#'", "alias A='true #'", "alias A=': #'",
                                  "BASH_ALIASES[A]='#'", "alias A='ls;#'"])
def test_an_alias_holding_a_comment_is_held(line):
    assert judged(line) != "allow"


@each("line", ["alias ll='ls -l'", "alias x='echo a#b'", "alias gs='git status'"])
def test_honest_aliases_still_run(line):
    assert judged(line) == "allow"


def _shell() -> Shell:
    return Shell(shell_reads=shell_reads.Budget())


def _typed(sh: Shell, line: str) -> None:
    sh.type(line)
    sh.submit()


@each("line", ["^x^'^", "^x^\"^", "^x^'"])
def test_a_quick_substitution_that_closes_a_quote_is_judged_at_its_enter(line):
    sh = _shell()
    sh.run("echo x'; true; #'")
    _typed(sh, line)
    rec = sh.tracker.reconstruct()
    assert rec.kind == "command", rec  # not a continuation: bash runs the expanded line now
    assert verdict(sh) != "allow", rec


@each("code", [
    "{ : # don't\n!echo:s/x/y/; }", "for f in a; do # it's\n!echo:s/x/y/; done",
    'echo "a\n^echo "x^"^"', "true\n^a^b^",
])
def test_history_expansion_is_read_line_by_line(code):
    assert judged(code) != "allow"


def test_an_extglob_behind_a_backslash_newline_is_not_read_as_finished():
    sh = _shell()
    _typed(sh, "ls @\\")
    assert sh.tracker.reconstruct().kind == "not-a-command"  # a continuation
    sh.send(b"\r\n\x1b[?2004l\r" + PS2)
    _typed(sh, "(a|b")
    rec = sh.tracker.reconstruct()
    assert not rec.certain and verdict(sh) != "allow", rec


@each("form", [
    "{{ {{ {X}; }} }} # \\", "if true; then {{ {X}; }} fi # \\", "for x in a; {{ {X}; }} # \\",
    "a[1<<2]=1; {X} # \\", "<>if {X} # \\", "{{fd}}>&if; {X} # \\",
])
def test_a_comment_ending_in_a_backslash_keeps_the_shells_answer(form):
    line = form.format(X=X)
    assert shell_reads.shells_read(line).runs
    sh = _shell()
    _typed(sh, line)
    rec = sh.tracker.reconstruct()
    assert rec.kind == "command", rec
    assert verdict(sh) != "allow", rec


def test_honest_continuations_with_a_backslash_still_wait_and_run():
    sh = _shell()
    _typed(sh, "echo one \\")
    assert sh.tracker.reconstruct().kind == "not-a-command"
    sh.send(b"\r\n\x1b[?2004l\r" + PS2)
    _typed(sh, "two")
    rec = sh.tracker.reconstruct()
    assert rec.certain and rec.text == "echo one \\\ntwo" and verdict(sh) == "allow", rec
    assert ENTER and PROMPT  # the harness's bash answers, as the rows above use them
