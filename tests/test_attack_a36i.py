"""Attack a36i: where a statement goes on (the interactive gate's PS2 reading, aliases, history).

1. A prompt whose expansion runs code or assigns (`PS2='${x=1}$(kill -INT 0)> '`) drops the
   pending statement before PS2 is drawn, and changes PS1: the next line passed as its
   continuation. Setting PS0/PS1/PS2/PS4 to such a value is held (unknown); and (3) the tracker
   takes a prompt for PS2 only when it is the PS2 it learned.
2. An alias whose value is a reserved word or an operator (`alias F=fi`, `D=done`, `C='}'`,
   `F='true; fi'`, `BASH_ALIASES[F]=fi`) closes a statement the scanner and `bash -n` see open:
   held (unknown), as an alias holding a comment is.
3. After a line the gate kept pending but bash ran (an alias from an rc file), an exit-status
   prompt (`[1] $ `) passed for PS2 at every line: now the next line is judged alone too unless
   the prompt is the PS2 learned at an honest continuation (or, none learned yet, one that
   cannot be a primary prompt seen before: the same but for its numbers, or ending in the same
   `$`, `#` or `%`).
4. `!<NBSP>X` is a history expansion to bash (readline leaves `!` alone only before space,
   tab, newline, CR, `=` and `(`): the shells' answer now says so, whatever Unicode space
   follows, so the line is judged at its Enter (the policy holds history expansion).

Typed at a bash prompt as the proxy drives the tracker (tests/test_terminal.py's Shell, wired
with shell_reads as bastion/ssh/gate.py wires it), and judged as the gate judges. Bash's
answers are the ones a real bash 5.2 gave on a pty (attack a36i's live runs).
"""

from __future__ import annotations

import pytest

from bastion.command_control.policy import evaluate
from bastion.command_control.terminal import shell_reads
from tests.rows import each
from tests.terminal_replay import default_policy
from tests.test_driver_readings import verdict
from tests.test_terminal import PS2, Shell

X = "systemctl stop auditd"  # refused by the default policy
ENTER = b"\r\n\x1b[?2004l\r"


def judged(line: str) -> str:
    return evaluate(default_policy(), line, role="engineer", target="web01").action


# -- 1: prompts that run code, assign or fail between lines ---------------------------------

@each("line", [
    "PS2='${x=1}$(kill -INT 0)> '", "PS2='$(kill -INT 0)> '", "PS2='`kill -INT 0`> '",
    "PS2='$(kill -s INT 0)> '", "PS2='$(/bin/kill -2 0)> '", "export PS1='${x?} '",
    "PS1='${x:=1}$ '", "PS1='$((x++)) '", "PS1='$[x=1] '", "PS1='\\044(kill -INT 0) '",
    "declare PS1='${x@P}'", "printf -v PS2 '%s' '$(kill -INT 0)'", "local PS0='$(true)'",
    "readonly PS4='$(true) '", "PS2+='$(true)'",
    # an honest prompt with a command substitution is held too (SECURITY.md: honest cost)
    "PS1='$(git branch --show-current) $ '", "export PS1='$(date +%H:%M) \\$ '",
])
def test_a_prompt_that_runs_code_or_assigns_is_held(line):
    assert judged(line) != "allow"


@each("line", [
    "PS1='$? $ '", "PS1='$x$ '", "PS1='\\u@\\h:\\w\\$ '", "PS2='> '", "export PS1='A$((40+2))> '",
    "PS1='${VIRTUAL_ENV:+(venv) }\\$ '", "PS4='+ ${BASH_SOURCE}:${LINENO}: '", 'PS1="$PS1> "',
    "PS1='[\\t] ${#DIRSTACK} \\$ '",
])
def test_honest_prompts_still_run(line):
    assert judged(line) == "allow"


# -- 2: aliases that are not plain words of a simple command --------------------------------

@each("line", [
    "alias F=fi", "alias D=done", "alias C='}'", "alias F='true; fi'", "alias E=esac",
    "alias T=then", "alias O=do", "alias F=else", "alias F=elif", "alias F=in", "alias F=']]'",
    "alias F='true;;'", "alias F=' fi'", "alias F='a && b'", "alias F='ls | less'",
    "alias F='x >f'", "BASH_ALIASES[F]=fi", "BASH_ALIASES[C]='}'", "declare BASH_ALIASES[D]=done",
    "alias F=fi D=done C='}' E=esac", "alias ll='ls -l' F=fi",
])
def test_an_alias_that_may_end_or_open_a_statement_is_held(line):
    assert judged(line) != "allow"


@each("line", [
    "alias ll='ls -la'", "alias ..='cd ..'", "alias grep='grep --color=auto'",
    "alias x='echo fi'", "alias x=\"echo 'a;b'\"", "alias gs='git status'",
])
def test_honest_aliases_still_run(line):
    assert judged(line) == "allow"


# -- 2: an alias the gate never saw (an rc file's) closes a line it reads as unfinished --------

@each("line", [f"if true; then {X}; F", f"for x in 1; do {X}; D", f"{{ {X}; C",
                                  f"while {X}; do break; W", f"case x in x) {X}; E"])
def test_a_rule_refuses_what_an_unfinished_statement_holds_at_its_enter(line):
    """The Enter of a statement the shells read as unfinished goes on; what a policy rule
    refuses in the statement so far is refused now (bash may close it with an unseen alias)."""
    sh = Shell(shell_reads=shell_reads.Budget())
    sh.run("true")
    rec = _typed(sh, line)
    assert rec.kind == "not-a-command", rec  # still an unfinished statement to the gate
    assert verdict(sh) == "deny", rec


def test_past_the_bound_an_unfinished_statement_s_line_is_judged_by_the_rules_alone():
    """Each Enter would judge the whole statement again: past 8 KiB the line alone is."""
    sh = Shell(shell_reads=shell_reads.Budget())
    sh.run("true")
    _typed(sh, "if true; then")
    sh.send(ENTER + PS2)
    for _ in range(3):
        _typed(sh, "# " + "x" * 3000)
        assert verdict(sh) == "allow"
        sh.send(ENTER + PS2)
    rec = _typed(sh, f"{X}; F")
    assert rec.kind == "not-a-command" and len(rec.text) > 8 * 1024, rec
    assert verdict(sh) == "deny", rec


@each("lines", [["if true; then"], ["cat <<EOF", X], ["echo '", X],
                                   ["for f in *.log; do", 'gzip "$f"']])
def test_honest_unfinished_statements_still_go_on(lines):
    """The defaults do not count in an unfinished statement (a parse error to the policy): an
    honest first line, a here-document's body naming a refused command, run."""
    sh = Shell(shell_reads=shell_reads.Budget())
    sh.run("true")
    for line in lines:
        rec = _typed(sh, line)
        assert rec.kind == "not-a-command" and verdict(sh) == "allow", rec
        sh.send(ENTER + PS2)


# -- 1, 3: the prompt after a pending line is PS2 only when it is the one learned ------------

def _shell(prompt: bytes) -> Shell:
    sh = Shell(shell_reads=shell_reads.Budget(), prompt=prompt)
    sh.run("true")  # the primary prompt is learned
    return sh


def _typed(sh: Shell, line: str):
    sh.type(line)
    sh.submit()
    return sh.tracker.reconstruct()


def test_a_statement_dropped_while_ps2_expands_is_not_continued():
    """Finding 1: a SIGINT from PS2's own expansion drops `if true; then` before PS2: readline
    begins once, at PS1 drawn anew (`1$ `, PS1 showing what PS2 assigned)."""
    sh = _shell(b"\x1b[?2004h$ ")
    _typed(sh, "if true; then")
    sh.send(ENTER + b"\r\n\x1b[?2004h1$ ")
    rec = _typed(sh, X)
    assert X in (rec.text, *rec.also), rec
    assert verdict(sh) == "deny", rec


@each("first", ["if true; then", "echo 'a", "{"])
def test_a_dropped_statement_at_an_exit_status_prompt_is_not_continued(first):
    """Finding 1 with the everyday `PS1='[$?] $ '`: no PS2 learned yet, and the prompt after
    the drop is the learned one but for its number."""
    sh = _shell(b"\x1b[?2004h[0] $ ")
    _typed(sh, first)
    sh.send(ENTER + b"\r\n\x1b[?2004h[130] $ ")
    rec = _typed(sh, X)
    assert rec.kind == "command" and X in (rec.text, *rec.also), rec  # judged alone too
    assert verdict(sh) == "deny"


def test_a_statement_bash_ran_is_not_continued_at_every_later_prompt():
    """Finding 3: PS2 (`> `) learned at an honest continuation; then a line bash runs where the
    gate keeps it open (an alias to `fi` from an rc file), and `[1] $ ` after each line."""
    sh = _shell(b"\x1b[?2004h[0] $ ")
    _typed(sh, "if true; then")
    sh.send(ENTER + PS2)
    _typed(sh, "fi")
    sh.send(ENTER + b"\x1b[?2004h[0] $ ")
    _typed(sh, "if true; then false; F")
    sh.send(ENTER + b"\x1b[?2004h[1] $ ")
    for line in (f"{X}; false", "systemctl disable auditd; false"):
        rec = _typed(sh, line)
        assert rec.kind == "command" and line in (rec.text, *rec.also), rec  # judged alone too
        assert verdict(sh) == "deny", line
        sh.deny()
        sh.out(b"^C\r\n\x1b[?2004l\r\x1b[?2004h\x1b[?2004l\r\r\n\x1b[?2004h[1] $ ")


@each("prompt", [b"\x1b[?2004hbob@web01:/tmp$ ", b"\x1b[?2004h# "])
def test_a_changed_primary_prompt_is_not_read_as_ps2(prompt):
    """A `\\w` prompt after a `cd` in the line bash ran: ends in `$` as the learned PS1 does."""
    sh = _shell(b"\x1b[?2004hbob@web01:~$ " if b"$" in prompt else b"\x1b[?2004h~# ")
    _typed(sh, "if true; then cd /tmp; F")
    sh.send(ENTER + prompt)
    rec = _typed(sh, X)
    assert rec.kind == "command" and X in (rec.text, *rec.also), rec  # judged alone too
    assert verdict(sh) == "deny"


def test_honest_continuations_are_still_read_at_ps2():
    """Honest lines at bash's PS2 are judged as the statement they continue: a here-document's
    body is text, not a command (it runs: allowed), before and after PS2 is learned."""
    sh = _shell(b"\x1b[?2004h[0] $ ")
    for _ in range(2):
        rec = _typed(sh, "cat <<EOF")
        sh.send(ENTER + PS2)
        rec = _typed(sh, X)
        assert rec.kind == "not-a-command" and rec.text == f"cat <<EOF\n{X}", rec
        sh.send(ENTER + PS2)
        rec = _typed(sh, "EOF")
        assert rec.text == f"cat <<EOF\n{X}\nEOF" and not rec.also, rec
        assert verdict(sh) == "allow"
        sh.send(ENTER + f"{X}\r\n".encode() + b"\x1b[?2004h[0] $ ")


# -- 4: history expansion before a Unicode space ---------------------------------------------

_UNICODE_SPACES = ["\xa0", "\u1680", "\u2000", "\u2009", "\u200a", "\u2028", "\u202f", "\u205f",
                   "\u3000", "\x85", "\x0b", "\x0c", "\x1c", "\x1f"]


@each("space", _UNICODE_SPACES)
def test_a_bang_before_a_unicode_space_may_expand(space):
    line = f"!{space}X:s/'// ;{X}"
    assert shell_reads.shells_read(line).runs  # judged at its Enter, whatever bash -n says
    assert judged(line) != "allow"


@each("line", ["echo 'a !", "echo 'a ! b", "echo 'a !\tb", "echo 'a !=b",
                                  "echo 'a ! (b"])
def test_an_unfinished_line_with_a_bang_bash_leaves_alone_still_waits(line):
    reading = shell_reads.shells_read(line)
    assert reading.opens and not reading.runs, reading


def test_a_nbsp_history_line_is_judged_at_its_enter():
    sh = Shell(shell_reads=shell_reads.Budget())
    sh.run("true")
    rec = _typed(sh, f"!\xa0X:s/'// ;{X}")
    assert rec.kind == "command", rec  # not a continuation: bash runs the expanded line now
    assert verdict(sh) != "allow", rec


# -- end to end: a real ssh, bastion, sshd and bash ------------------------------------------

@pytest.mark.integration
@pytest.mark.timeout(120)
def test_after_a_statement_an_unseen_alias_closed_the_next_line_is_judged(tmp_path_factory):
    """Findings 2 and 3 through the real bastion: an alias to `fi` the gate never saw (a sourced
    file, as an rc file would define it) closes a line the gate reads as unfinished. What a rule
    refuses in it is refused at its Enter (the rules alone judge an unfinished statement); a
    line bash runs that way (`false`), and at the exit-status prompt after it (`1 RDY> `, with
    `0 RDY> ` learned) a line is judged alone: `$C canary` is held."""
    from tests.harness import World
    from tests.test_interactive_gate import POLICY, shell

    w = World(tmp_path_factory.mktemp("a36i"), policy=POLICY)
    try:
        w.grant(w.person("ivy"), duration=3600)
        tmp_path = tmp_path_factory.mktemp("a36i_work")
        tmp_path.chmod(0o777)
        (tmp_path / "aliases").write_text("alias F=fi\nC=touch\n")
        term = shell(w, tmp_path)
        term.run_line(b". ./aliases; PS1='$? R''DY> '\r", until=rb"\x1b\[\?2004h0 RDY> ")
        # Finding 2's line (an `if` the unseen alias closes): a rule refuses what it holds.
        out = term.run_line(b"if true; then touch canary; F\r",
                            until=rb"denied: canaries are not touched|\x1b\[\?2004h0 RDY> ")
        assert b"denied: canaries are not touched" in out, out
        term.run_line(b"true\r", until=rb"\x1b\[\?2004h0 RDY> ")  # at `130 RDY> ` (Ctrl-C)
        term.run_line(b"true\r", until=rb"\x1b\[\?2004h0 RDY> ")  # `0 RDY> ` is learned
        term.run_line(b"if true; then false; F\r", until=rb"\x1b\[\?2004h1 RDY> ")
        # `$C` (set in the sourced file) is known only at run time: only the line judged alone
        # holds it (the rules alone, which judge the joined statement, do not).
        start = len(term.buffer)
        term.send(b"$C canary; false\r")
        at = term.expect(rb"held for a supervisor|\x1b\[\?2004h1 RDY> ", start=start)
        assert b"held for a supervisor" in term.buffer[start:at], term.buffer[start:]
        term.send(b"\x03")
        term.expect(rb"cancelled", start=start)
        assert not (tmp_path / "canary").exists()
    finally:
        if "term" in locals():
            term.proc.kill()  # the session's end is not what this test is about
            term.proc.wait(10)
        w.close()
