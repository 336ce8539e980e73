"""Where an interactive statement ends, asked of the shells themselves (attack y34i).

The gate decides at each Enter whether bash runs the line now (judged) or waits for more (a
continuation, judged with the lines that follow). Its scanner (`policy.is_complete`) is a model
of bash's grammar, and attack y34i found lines it calls unfinished that bash runs at once, so
the Enter went on unjudged: a closer right after a closer (`{ { X; } }`, `fi done`), bash's
`for x in a; { X; }`, an array subscript in an assignment (`a[1<<2]=1; X`), `<>if X`, a history
expansion that closes a quote (`X "!#`); and the reverse, lines it calls finished that bash keeps
open (`[[ a =~ ( ]]`, an extglob `@(`), so that the next line was judged alone. Since then the
gate also asks `bash -n` and `dash -n` (terminal/shell_reads.py): a line either shell runs is
judged now, and a line a shell keeps open where the scanner ended it cannot be read (uncertain).
Finding 6: a `'` inside double quotes quotes nothing to history expansion
(`echo "'"; !!:s/echo //; echo "'"`).

Each row types the line at a bash prompt, echoed as bash echoes plain typing, as the proxy
drives the tracker (tests/test_terminal.py's Shell), and takes the gate's verdict.
"""

from __future__ import annotations

from bastion.command_control.policy import evaluate
from bastion.command_control.terminal import shell_reads
from bastion.command_control.terminal.shell_reads import shells_read
from tests.rows import each
from tests.terminal_replay import default_policy
from tests.test_driver_readings import verdict
from tests.test_terminal import PS2, Shell

X = "systemctl stop auditd"  # refused by the default policy

RUN_AT_ONCE = [  # the scanner waits, bash runs X
    "if true; then {{ {X}; }} fi", "{{ {{ {X}; }} }}", "while false; do if true; then true; fi done; {X}",
    "for a in b; do for c in d; do {X}; done done", "if true; then case x in x) {X};; esac fi",
    "{{ if true; then {X}; fi }}", "{{ case x in x) {X};; esac }}", "for x in a; {{ {X}; }}",
    "for x; {{ true; }}; {X}", "f() for x in a; {{ {X}; }}; f",
    "a[1<<2]=1; {X}", "x=1 a[1<<E]=1 {X}", "{X}; a[1<<E]=1", "a[1;(]=1; {X}", "a[1; if ]=1; {X}",
    "<>if {X}", "true; <>while {X}", "<>{{ {X}", "true && <>case {X}",
    '{X} "!#', "{X} \"!!:gs/'//", '{X} `(`', "{X} `'`", "{X} $((1) )if",
]
KEPT_OPEN = [  # the scanner ends it, bash waits: the next line joins it
    "[[ a =~ ( ]]", "[[ $HOSTNAME =~ (web|db ]]", "[[ x == @(a ]]", "[[ x = *( ]]", "ls @(a|b",
    "echo !(x",
]
HONEST = [  # one line each, run at once: allowed, certain
    "[[ $x =~ ^(a|b)$ ]] && echo ok", "awk '!seen[$0]++' /tmp/f", 'echo "hi!"', "a[1]=2; echo ${a[1]}",
    "for x in a b; do echo $x; done", "{ echo a; echo b; } > /tmp/ab", "echo $((1+2))",
    "if true; then echo y; fi",
]


def typed(line: str) -> Shell:
    sh = Shell(shell_reads=shell_reads.Budget())
    sh.type(line)
    sh.submit()
    return sh


@each("form", RUN_AT_ONCE)
def test_a_line_bash_runs_at_once_is_judged_at_its_enter(form):
    line = form.format(X=X)
    assert shells_read(line).runs
    sh = typed(line)
    rec = sh.tracker.reconstruct()
    assert rec.kind == "command", rec
    assert verdict(sh) != "allow", rec


@each("line", KEPT_OPEN)
def test_a_line_bash_keeps_open_where_the_scanner_ends_it_is_not_read_as_finished(line):
    assert shells_read(line).opens
    sh = typed(line)
    rec = sh.tracker.reconstruct()
    assert not rec.certain, rec
    assert verdict(sh) != "allow", rec


def test_the_next_line_after_one_bash_keeps_open_is_never_judged_alone():
    """Had a supervisor approved `[[ a =~ ( ]]`, bash reads the next line as its rest."""
    sh = typed("[[ a =~ ( ]]")
    sh.send(b"\r\n" + PS2)
    sh.type(f"#) ]]; {X}")
    sh.submit()
    rec = sh.tracker.reconstruct()
    assert "[[ a =~ ( ]]\n#) ]]" in "\n".join((rec.text, *rec.also)), rec
    assert verdict(sh) != "allow", rec


@each("line", HONEST)
def test_honest_lines_run_as_before(line):
    sh = typed(line)
    rec = sh.tracker.reconstruct()
    assert rec.certain and rec.kind == "command", rec
    assert verdict(sh) == "allow", rec


@each("first", ["for f in a b; do", "cat > /tmp/out <<EOF", 'echo "one', "ls |"])
def test_honest_statements_over_several_lines_wait_for_their_end(first):
    sh = typed(first)
    rec = sh.tracker.reconstruct()
    assert rec.kind == "not-a-command" and rec.certain, rec  # a continuation: nothing runs yet
    assert shells_read(first).opens and not shells_read(first).runs
    sh.send(b"\r\n" + PS2)
    rest = {"for f in a b; do": "echo $f; done", "cat > /tmp/out <<EOF": "EOF",
            'echo "one': 'two"', "ls |": "wc -l"}[first]
    sh.type(rest)
    sh.submit()
    rec = sh.tracker.reconstruct()
    assert rec.certain and rec.text == f"{first}\n{rest}", rec
    assert verdict(sh) == "allow", rec


def test_a_trailing_backslash_outside_a_comment_or_quote_goes_on():
    """`bash -n` joins a last backslash with the end of its input; a terminal's shell waits
    (attack z35i 6: the answer is asked with a quote in the backslash's place)."""
    assert shells_read("echo a \\") == shell_reads.Reading(False, True)
    sh = typed("echo a \\")
    assert sh.tracker.reconstruct().kind == "not-a-command"


def test_past_its_budget_a_channel_gets_every_line_judged_at_once():
    budget = shell_reads.Budget(rate=0.0, burst=1.0)
    assert budget("for f in a; do") == shell_reads.Reading(False, True)
    assert budget("for f in a; do") == shell_reads.Reading(False, True)  # asked again: no check
    assert budget("while x; do") == shell_reads.Reading(True, False, decided=False)  # judged now


@each("line", [
    "echo \"'\"; !!:s/echo // ; echo \"'\"", "echo \"'\";!-1:s/echo //;echo \"'\"",
    "echo \"'\" $(!!:s/echo //) \"'\"", "echo \"'\"; !echo:s/echo //; echo \"'\"",
    "echo \\';!!:s/echo //;echo \\'", 'echo "$(echo \'x!y\')"',
    '!":gs/"//', "echo {!-1:s/echo /;/}", "true [!-1:s/echo /;/",
])
def test_a_quote_that_history_expansion_does_not_see_does_not_hide_it(line):
    v = evaluate(default_policy(), line, role="engineer", target="web01")
    assert v.action != "allow", v


@each("line", ["awk '!seen[$0]++' f", 'echo "hi!"', "echo $!", "ls [!a]*",
                                  "[ x != y ]"])
def test_a_bang_history_expansion_leaves_alone_still_runs(line):
    assert evaluate(default_policy(), line, role="engineer", target="web01").action == "allow"


def test_a_statement_bash_drops_as_a_syntax_error_is_not_kept():
    """Finding 7: `if true; then` then `)`: bash drops both lines; at the next prompt (new to
    the gate: `$?` in PS1) a line is a new statement, judged alone."""
    sh = typed("if true; then")
    sh.send(b"\r\n" + PS2)
    sh.type(")")
    sh.submit()
    sh.send(b"\r\n\x1b[?2004l\rbash: syntax error near unexpected token `)'\r\n"
            b"\x1b[?2004h[2] $ ")
    sh.type(X)
    sh.submit()
    rec = sh.tracker.reconstruct()
    assert rec.kind == "command" and X in (rec.text, *rec.also), rec
    assert verdict(sh) == "deny", rec


def test_a_statement_dropped_by_a_signal_is_not_continued_at_a_new_prompt():
    """Finding 7: a job's SIGINT drops the statement bash waited on (`echo "`); with `$?` in
    PS1 the next prompt (`[130] $ `) is new to the gate, as a PS2 is. Readline began twice
    since the line: the next line is judged alone too."""
    sh = Shell(shell_reads=shell_reads.Budget(), prompt=b"\x1b[?2004h[0] $ ")
    sh.run("true")
    sh.type('echo "')
    sh.submit()
    sh.send(b"\r\n\x1b[?2004l\r" + PS2)  # bash waits for the quote's end
    sh.out(b"^C\x1b[?2004l\r\x1b[?2004h\x1b[?2004l\r\r\n\x1b[?2004h[130] $ ")  # the signal
    sh.type(X)
    sh.submit()
    rec = sh.tracker.reconstruct()
    assert X in (rec.text, *rec.also), rec
    assert verdict(sh) == "deny", rec

