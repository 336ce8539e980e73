"""Attack c38i: where a statement goes on (a short round on the a36i fixes).

1. An alias whose value ends in an unquoted backslash (`alias E='echo x\\'`) escapes what bash
   reads after the alias word: the newline (the next line joined to it: `#;X` runs X) or an
   operator (`E<<X` is `echo 'x<' <X`). Held (unknown), in every spelling that sets an alias.
2. `reading._at_ps2` trusted the learned PS2 after PS1 was set to the same string: a statement
   bash ended where the gate kept it open drew the new PS1, and the next line was judged only
   inside the old statement. Once a line sent may have set a prompt, a line at the learned PS2
   is judged alone too (and from each of the last pending lines), by the rules.
3. `InputGate._judge_unfinished` was blind past an open here-document on the line
   (`cat <<X; systemctl stop auditd`: a parse error, the defaults do not count): the statement
   is also read with its here-documents closed, and with their bodies taken as empty.
4. `!(` is a history expansion to readline (bash spares it only with extglob on, past the 2nd
   character, with a `)` after it); at PS2 "event not found" discards the line, whose open quote
   swallowed the later ones in the gate's statement. `shell_reads` now says such a line runs:
   it is judged at its Enter (and held).

Typed at a bash prompt as the proxy drives the tracker (tests/test_terminal.py's Shell, wired
with shell_reads as bastion/ssh/gate.py wires it), and judged as the gate judges
(tests/test_forged_markers.judged: the line, its readings, and `Reconstruction.typed` by the
rules). Bash's answers are the ones a real bash 5.2 gave on a pty (attack c38i's live runs).
"""

from __future__ import annotations

import pytest

from bastion.command_control.terminal import shell_reads
from tests.harness import LOGIN, World
from tests.policy_rows import assert_held_or_runs
from tests.rows import each
from tests.terminal_replay import default_policy
from tests.test_attack_a36i import _shell as _learned
from tests.test_attack_a36i import _typed
from tests.test_forged_markers import judged as gate_verdict
from tests.test_terminal import ENTER, PS2, Shell

X = "systemctl stop auditd"  # refused by the default policy (no-security-service-stop)
PROMPT = b"\x1b[?2004h$ "
NO_X = b"bash: X: No such file or directory\r\n"


def _shell() -> Shell:
    return _learned(PROMPT)


# -- 1: an alias ending in a backslash ----------------------------------------------------------

@each(("line", "held"), [
    ("alias E='echo x\\'", True), ("alias E='x=\\'", True), ("alias E=x=\\\\", True),
    ('alias E="echo x\\\\"', True), ("alias -- E='echo x\\'", True),
    ("alias E='echo x\\' F=ls", True), ("alias ll='ls -l' E='echo x\\'", True),
    ("BASH_ALIASES[E]='echo x\\'", True), ("printf -v 'BASH_ALIASES[E]' '%s' 'echo x\\'", True),
    ("declare BASH_ALIASES[E]='echo x\\'", True), ("export BASH_ALIASES[E]='echo x\\'", True),
    ("alias E=$'echo x\\\\'", True), ("alias E='echo x\\\\\\'", True), ("alias E='\\'", True),
    # honest: an escaped backslash at the end, a backslash inside, everyday aliases
    ("alias E='echo x\\\\'", False), ("alias p='printf \"%s\\n\"'", False),
    ("alias ll='ls -l'", False), ("alias gs='git status'", False),
    ("alias grep='grep --color=auto'", False),
])
def test_an_alias_ending_in_a_backslash_is_held(line, held):
    assert_held_or_runs(default_policy(), line, held)


# -- 2: a PS1 that draws the learned PS2 -------------------------------------------------------

def _ps2_learned() -> Shell:
    sh = _shell()
    _typed(sh, "if true; then")
    sh.send(ENTER + PS2)
    _typed(sh, "fi")
    sh.send(ENTER + PROMPT)
    return sh


@each(("setting", "closer", "answer"), [
    # PS1 set in the line bash ends (an alias from an rc file: `alias E='echo x\\'`)
    (None, "PS1='> '; E<<X", NO_X),
    (None, "export PS1='> '; E<<X", NO_X),
    (None, "declare $'PS\\x31=> '; E<<X", NO_X),
    (None, "PROMPT_COMMAND='PS1=\"> \"'; E<<X", NO_X),
    (None, "export {P,}S1='> '; E<<X", NO_X),
    (None, "P\\S1='> '; E<<X", NO_X),
    # set earlier, by a function the line runs
    ("p() { PS1='> '; }", "p; E<<X", NO_X),
    # the same with PS2 set again to the same string first
    ("PS2='> '", "PS1='> '; E<<X", NO_X),
])
def test_a_primary_prompt_drawn_as_the_learned_ps2_does_not_hide_the_next_line(
        setting, closer, answer):
    sh = _ps2_learned()
    if setting is not None:
        _typed(sh, setting)
        sh.send(ENTER + PROMPT)
    rec = _typed(sh, closer)
    assert rec.kind == "not-a-command", rec  # unfinished to the gate (a here-document, a quote)
    assert gate_verdict(sh) == "allow"
    sh.send(ENTER + answer + PS2)  # bash ran it; its new PS1 is `> `, the learned PS2
    rec = _typed(sh, X)
    assert X in rec.typed, rec  # judged alone too, by the rules
    assert gate_verdict(sh) == "deny", rec


def test_a_learned_ps2_a_primary_prompt_may_draw_does_not_hide_the_next_line():
    """No prompt set at the gate: PS2 `07> ` learned, then PS1 (an rc file's PROMPT_COMMAND) a
    clock's second, `05> `: the learned PS2 may be PS1 drawn again, so a line at it is also
    judged alone after a statement bash ended where the gate keeps it open."""
    sh = _shell()
    _typed(sh, "if true; then")
    sh.send(ENTER + b"\x1b[?2004h07> ")
    _typed(sh, "fi")
    sh.send(ENTER + b"\x1b[?2004h05> ")
    _typed(sh, "true")  # a complete line at the clock prompt: known
    sh.send(ENTER + b"\x1b[?2004h05> ")
    _typed(sh, "E<<X")
    sh.send(ENTER + NO_X + b"\x1b[?2004h07> ")
    rec = _typed(sh, X)
    assert X in rec.typed and gate_verdict(sh) == "deny", rec


def test_a_ps1_set_before_any_ps2_is_learned_is_not_taken_for_it():
    """No PS2 learned yet: the new PS1 `> ` is not a primary prompt seen, so it would be learned
    as PS2 at this very line; the line is judged alone too."""
    sh = _shell()
    _typed(sh, "PS1='> '; E<<X")
    sh.send(ENTER + NO_X + PS2)
    rec = _typed(sh, X)
    assert X in rec.typed and gate_verdict(sh) == "deny", rec


@each("lines", [
    ["cat <<EOF", "hello", "EOF"],
    ["for f in *.log; do", 'gzip "$f"', "done"],
    ["if true; then", "echo ok", "fi"],
    ["echo 'a", "b'"],
])
def test_after_an_honest_ps1_continuations_still_run(lines):
    """Honest cost: only the rules judge the lines alone, so the `done` or `fi` that closes a
    statement (a parse error alone) is not held."""
    sh = _ps2_learned()
    _typed(sh, "PS1='\\u@\\h:\\w\\$ '")
    sh.send(ENTER + PROMPT)
    for line in lines:
        _typed(sh, line)
        assert gate_verdict(sh) == "allow", line
        sh.send(ENTER + PS2)


def test_without_a_prompt_set_a_here_document_body_is_still_text():
    """No prompt set: a body line naming a refused command is text at the learned PS2."""
    sh = _ps2_learned()
    for line in ("cat <<EOF", X, "EOF"):
        rec = _typed(sh, line)
        assert X not in rec.typed, rec
        assert gate_verdict(sh) == "allow", line
        sh.send(ENTER + PS2)


# -- 3: code after an open here-document on the same line ------------------------------------

@each("line", [
    f"cat <<X; {X}", "cat <<X; rm -rf /", ": <<X; touch /etc/sudoers", f"cat <<-X; {X}",
    f"cat <<'X'; {X}", f'cat <<"X"; {X}', f"cat <<\\X; {X}", f"cat << X; {X}",
    f"cat <<A <<B; {X}", f"cat <<X >/dev/null; {X}", f"cat <<\"A\"'B'C; {X}",
    f"E<<X; {X}", f"if true; then :; F; cat <<X; {X}", f"{{ cat <<X; {X}",
])
def test_a_rule_refuses_code_after_an_open_here_document(line):
    sh = _shell()
    rec = _typed(sh, line)
    assert rec.kind == "not-a-command", rec  # still unfinished to the gate
    assert gate_verdict(sh) == "deny", rec


def test_code_after_an_open_here_document_on_a_later_line_is_refused():
    """`alias F=fi` from an rc file closes the `if`; the next line opens a here-document."""
    sh = _shell()
    _typed(sh, "if true; then :; F")
    sh.send(ENTER + PS2)
    rec = _typed(sh, f"cat <<X; {X}")
    assert rec.kind == "not-a-command" and gate_verdict(sh) == "deny", rec


@each("lines", [
    ["cat <<EOF", X, "EOF"],  # a body naming a refused command is text
    ["cat <<EOF > notes.txt", "hello", "EOF"],
    ["echo '<<X'; if true; then", "echo ok", "fi"],
    ["cat <<-EOF", "text", "EOF"],
])
def test_honest_here_documents_still_go_on(lines):
    sh = _shell()
    for line in lines:
        _typed(sh, line)
        assert gate_verdict(sh) == "allow", line
        sh.send(ENTER + PS2)


# -- 4: `!(` at PS2 -------------------------------------------------------------------------

@each("line", ['X "!(', 'X "!( )', 'X "a!(b', "!(", 'echo "!(x) \'', 'X "!(\\"'])
def test_a_bang_paren_line_at_ps2_is_judged_at_its_enter(line):
    sh = _shell()
    _typed(sh, "if true; then")
    sh.send(ENTER + PS2)
    rec = _typed(sh, line)
    assert rec.kind == "command", rec  # bash may discard it ("event not found"): judged now
    assert gate_verdict(sh) != "allow", rec


@each(("text", "runs"), [
    ('if true; then\nX "!(', True), ('X "!(', True), ("echo !(*.txt) '", True),
    # honest: a `!` before a blank or `=` does not expand, the line still waits
    ("if true; then\necho 'a != b", False), ('echo "x ! y', False), ("[[ a != b ]] && echo '", False),
])
def test_shells_read_takes_bang_paren_as_a_history_expansion(text, runs):
    assert shell_reads.shells_read(text).runs is runs


# -- end to end: finding 4 through a real bastion (the worst: no alias, no setup) -----------

READY = rb"\x1b\[\?2004hREADY> "


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from tests.test_interactive_gate import POLICY  # (its harness: `touch canary` is denied)
    w = World(tmp_path_factory.mktemp("c38i"), policy=POLICY)
    person = w.person("ivy")
    w.grant(person, duration=3600)
    yield w
    w.close()


@pytest.mark.timeout(120)
def test_a_discarded_bang_paren_line_does_not_swallow_the_next_ones(world, tmp_path):
    """Finding 4 through a real bastion, sshd and bash: `X "!(` at PS2 is held at its Enter
    (bash would discard it, the gate keep its open quote); after the cancel `touch canary` is
    judged alone and denied."""
    from tests.test_interactive_gate import XTERM
    term = world.person("ivy").terminal(f"{LOGIN}@web01", env=XTERM)
    at = term.prompt()
    term.send(f"cd {tmp_path}; PS1='READ''Y> '\n".encode())
    at = term.expect(READY, start=at)
    for line, answer in ((b"true", READY), (b"if true; then", rb"\x1b\[\?2004h> ")):
        term.send(line + b"\r")
        at = term.expect(answer, start=at)
    term.send(b'X "!(\r')
    at = term.expect(rb"held for a supervisor \(h\d+\)", start=at)
    term.send(b"\x03")
    at = term.expect(READY, start=term.expect(rb"cancelled", start=at))
    term.send(b"touch canary\r")
    term.expect(READY, start=term.expect(rb"denied: canaries are not touched", start=at))
    assert not (tmp_path / "canary").exists()
    term.send(b"exit\r")
    term.wait()
