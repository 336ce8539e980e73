"""shell-expand-line (Esc Ctrl-E; 0x85 in a C locale) judged as bash runs it (attack j19i,
findings 2 and 3), and M-R, revert-line's capital alias, followed only while the undo list is
known (finding 1). The tester's rows, turned around: bash 5.2 history-expands the line first
(`!!:gs/'//` brings back `echo $(touch ...)` with its quotes gone), then expands the whole line
as one word, where a `#` is a plain character and the `$( )` after it runs."""
import pytest

from bastion.command_control.terminal.expand_line import ALIASES_FIRST, HISTORY_FIRST, acted_on
from bastion.command_control.terminal.reading import _DRAWN_UNFINISHED as DRAWN_UNFINISHED
from tests.rows import each
from tests.test_driver_readings import verdict
from tests.test_forged_markers import REDRAWN, judged
from tests.test_terminal import Shell

ESC_CTRL_E = b"\x1b\x05"


@each(("line", "expected"), [
    ("ls -la", None),  # nothing expansion runs
    ("echo hi # $(id)", (["echo hi \\# $(id)"], "")),
    ("#$(id)", (["\\#$(id)"], "")),
    ("ls #`id`", (["ls \\#`id`"], "")),
    ("echo a;#$(id)", (["echo a;\\#$(id)"], "")),
    ("# <(id)", (["\\# <(id)"], "")),
    ("echo ${#x} $((16#ff)) $#", (["echo ${#x} $((16#ff)) $#"], "")),  # no word starts with #
    ("!!:gs/'//", (["!!:gs/'//"], HISTORY_FIRST)),
    ("^'^", (["^'^"], HISTORY_FIRST)),
    ("echo hi!", (["echo hi!"], HISTORY_FIRST)),
    # a word glued to ( { [ may be an alias ending in $ (`alias e='echo $'`: attack k20i, F1)
    ("e(touch /etc/sudoers)", (["e(touch /etc/sudoers)"], ALIASES_FIRST)),
    ("ls; e((x))", (["ls; e((x))"], ALIASES_FIRST)),
    ("e{x[y]}", (["e{x[y]}"], ALIASES_FIRST)),
    ("ls (x)", None),  # nothing glued: no alias makes code of it
])
def test_a_line_is_read_as_shell_expand_line_reads_it(line, expected):
    assert acted_on("expand", [line], line, "") == expected


def test_shell_expand_line_reads_the_current_line_alone_and_the_keys_line_too():
    # on a continuation line only that line is expanded (attack k20i, finding 3); where a
    # drawn line hides the keys' own, theirs is read too (finding 4)
    assert acted_on("expand", ["echo 'abc\n$(touch x)'"], "$(touch x)'", "") == (
        ["echo 'abc\n$(touch x)'", "$(touch x)'"], "")
    assert acted_on("expand", ["echo"], "echo", "echo $(touch x)") == (
        ["echo", "echo $(touch x)"], "")


@each(("line", "runs"), [
    ('ls "${x:-$(touch /etc/sudoers)}"/', True), ('ls "$((1+$(c)))"/', True),
    ('ls "${x:-`c`}"/', True), ("ls /etc/ssh/", False), ("cat fi", False),
])
def test_completion_is_judged_when_the_line_holds_a_substitution(line, runs):
    assert (acted_on("complete", [line], line, "") is not None) == runs


@each("line", ["#$(touch /etc/sudoers)", "echo hi # $(touch /etc/sudoers)",
                                  "ls #`touch /etc/sudoers`", "# <(systemctl stop auditd)",
                                  "#$(rm -rf /)", "echo a;#$(touch /etc/sudoers)"])
@each("key", [ESC_CTRL_E, b"\x85"])
def test_a_substitution_after_a_hash_is_judged_at_shell_expand_line(line, key):
    sh = Shell()
    sh.type(line)
    assert sh.keys(key).how == "expand"
    assert verdict(sh) == "deny"


@each("line", ["!!:gs/'//", "^'^", "!-1:gs/'//", "!ec:gs/'//",
                                  "!?sudo?:gs/'//"])
@each("key", [ESC_CTRL_E, b"\x85"])
def test_a_history_expansion_at_shell_expand_line_waits_for_a_supervisor(line, key):
    # After `echo '$(touch /etc/sudoers)'` (allowed: a quoted string) these bring the line back
    # with its quotes gone, and shell-expand-line runs the substitution at once.
    sh = Shell()
    sh.run("echo '$(touch /etc/sudoers)'")
    sh.type(line)
    assert sh.keys(key).how == "expand"
    assert sh.tracker.reconstruct().unknown == HISTORY_FIRST
    assert verdict(sh) == "confirm"


@each("line", ["ls -la", "cd /srv/app"])
def test_shell_expand_line_on_a_line_with_nothing_to_run_is_sent(line):
    sh = Shell()
    sh.type(line)
    assert sh.keys(ESC_CTRL_E).how == "expand"
    assert sh.tracker.reconstruct().kind == "not-a-command"


# Keys and what bash 5.2 (--norc, INPUTRC=/dev/null, C.UTF-8) echoed to each, recorded by the
# tester: a key the model does not follow (End, unbound: bell and `~`; M-SPC, set-mark), then the
# screen lets the model re-learn the line, whose undo list is then unknown, then M-R.
M_R_ROWS = {
    "after End": [("-", "-"), ("a", "a"), ("a", "a"), (";", ";"), ("\x1b[4~", "\x07~"),
                  ("\x08", "\x08\x1b[K"), ("\x08", "\x08\x1b[K"), ("\x1bR", "\x08\x08\x08\x1b[K")],
    "after set-mark": [("Y", "Y"), ("\x1b ", ""), (";", ";"), ("\x1b[1;3D", "\x08\x08"),
                       ("\x1bOH", ""), ("\x1bR", "\x1b[K")],
}


KEYS_LINE = {"-": "-a", "Y": "Y;"}  # the line as the keys typed it, before the revert


@pytest.mark.parametrize("keys", list(M_R_ROWS.values()), ids=list(M_R_ROWS))
@pytest.mark.parametrize("revert", ["\x1bR", "\x1br"])
def test_revert_line_in_either_case_reads_the_line_bash_shows(keys, revert):
    sh = Shell()
    for key, echo in [*keys[:-1], (revert, keys[-1][1])]:
        sh.press(key.encode("latin1"), echo.encode("latin1"))
    # bash reverted the line to nothing; the keys' own line (the model could not follow the
    # undo) is what a drawn empty line would hide, so it is judged, with the `unknown` action
    # (attack k20i, finding 5)
    rec = sh.tracker.reconstruct()
    assert (rec.text, rec.unknown) == (KEYS_LINE[keys[0][0]], DRAWN_UNFINISHED)


# -- attack k20i: completion, continuation lines, drawn lines ---------------------------------

CODE_IN_WORD = ['ls "${x:-$(touch /etc/sudoers)}"/', 'ls "${a[$(rm -rf /)]}"/',
                ': "${x:-$(systemctl stop auditd)}"/', 'ls "$((1+$(touch /etc/sudoers)))"/',
                'ls "${x:-`touch /etc/sudoers`}"/']


@each("line", CODE_IN_WORD)
@each("key", [b"\t", b"\x1b\x1b", b"\x1b?", b"\x1b*", b"\x1b=", b"\x1b!",
                                 b"\x18g", b"\x9b", b"\xbf", b"\xaa", b"\xbd", b"\xa1"])
def test_a_completion_key_on_a_word_holding_a_substitution_is_judged(line, key):
    # bash expands the word to complete, substitutions and all, with no completion function
    # (attack k20i, finding 2: checked with bash 5.2 on a pty)
    sh = Shell()
    sh.type(line)
    held = sh.keys(key)
    assert held is not None and held.how == "complete"
    assert judged(sh) == "deny"


@each("key", [b"\t", b"\x0e", b"\x10"])
def test_vi_insert_mode_completion_keys_are_judged_too(key):
    sh = Shell()
    sh.run("set -o vi")
    sh.type(CODE_IN_WORD[0])
    assert sh.keys(key).how == "complete"
    assert judged(sh) == "deny"


@each("line", ["cat fi", "ls /etc/ss", "echo $HOME/Doc"])
def test_a_completion_key_on_a_word_without_code_goes_at_once_or_runs_nothing(line):
    sh = Shell()
    sh.type(line)
    held = sh.keys(b"\t")
    assert held is None or sh.tracker.reconstruct().kind == "not-a-command" or \
        judged(sh) == "allow"


@each(("first", "second"), [("echo 'abc", "$(touch /etc/sudoers)'"),
                                               ("cat <<'E'", "$(touch /etc/sudoers)"),
                                               (": '", "<(rm -rf /)")])
def test_shell_expand_line_on_a_continuation_line_judges_that_line_alone(first, second):
    # bash expands only the line readline holds: the `$( )` the joined statement quotes runs
    sh = Shell()
    sh.run("true")
    sh.type(first)
    assert sh.submit().kind == "not-a-command"
    sh.send(b"\r\n> ")
    sh.type(second)
    assert sh.keys(ESC_CTRL_E).how == "expand"
    assert judged(sh) == "deny"


@each("drawn", ["echo", "echo touch /etc/sudoers", "touch etc"])
def test_shell_expand_line_judges_the_keys_line_under_a_drawn_one(drawn):
    # Meta-b (followed by no model here: the line is re-read) then a job draws a line without
    # `$`: the keys' line holds the substitution (attack k20i, finding 4)
    sh = Shell()
    sh.type("echo $(touch /etc/sudoers)")
    sh.press(b"\x1bb", b"\x08" * 8)
    sh.out(REDRAWN + drawn.encode() + b"\x1b[K")
    assert sh.keys(ESC_CTRL_E).how == "expand"
    assert judged(sh) == "deny"


@each("drawn", ["echo 'x", "ls \\", "if true", "cat <<E", 'echo "', "(", ""])
def test_enter_under_a_drawn_unfinished_or_empty_line_judges_the_keys_line(drawn):
    # Tab (a bell: the model does not follow it), then a job draws an unfinished or empty line:
    # bash runs the line the keys typed (attack k20i, finding 5)
    sh = Shell()
    sh.run("ls")
    sh.type("echo x >> /etc/sudoers")
    sh.press(b"\t", b"\x07")
    sh.out(REDRAWN + drawn.encode() + b"\x1b[K")
    assert sh.keys(b"\r").how == "accept"
    assert judged(sh) == "deny"


# -- attack l21i ---------------------------------------------------------------------------------

@each("key", [b"\t", b"\x1b?", b"\x18g"])
def test_a_completion_key_is_judged_where_no_line_editor_seems_to_read(key):
    # TERM=dumb: bash's readline completes, but prints no bracketed-paste marker (l21i, F1)
    sh = Shell(prompt=b"bob@web01:~$ ")
    sh.type(CODE_IN_WORD[0])
    assert sh.keys(key).how == "complete"
    assert judged(sh) == "deny"


def test_a_completion_key_typed_ahead_while_a_command_runs_is_judged():
    # readline reads the line and the Tab at the next prompt (l21i, F1: no Enter ever pressed)
    sh = Shell()
    sh.type("sleep 3")
    sh.submit()
    sh.send(b"\r\n\x1b[?2004l\r")
    sh.keys(CODE_IN_WORD[0].encode())
    sh.out(CODE_IN_WORD[0].encode())  # the terminal driver's echo
    assert sh.keys(b"\t").how == "complete"
    assert judged(sh) == "deny"


@each(("key", "how"), [(b"\x18G", "complete"), (b"\x18E", "macro"),
                                          (b"\x1bG", "complete"), (b"\x1bV", "edit")])
def test_a_capital_after_ctrl_x_or_esc_is_the_small_letters_key(key, how):
    # do-lowercase-version (l21i, F3): C-x G expands the word, C-x E replays a macro
    sh = Shell()
    sh.type(CODE_IN_WORD[0])
    assert sh.keys(key).how == how
    assert judged(sh) in ("deny", "confirm")


@each("line", ["echo '${x:-$(touch /etc/sudoers)}/'",
                                  "true # '${x:-$(touch /etc/sudoers)}/'",
                                  "echo $'${x:-$(touch /etc/sudoers)}/'"])
def test_completion_inside_quotes_is_judged_as_the_word_it_expands(line):
    # completion takes the word out of its quotes, then expands it (l21i, F4)
    sh = Shell()
    sh.type(line)
    sh.press(b"\x1b[D", b"\x08")
    assert sh.keys(b"\t").how == "complete"
    assert judged(sh) == "deny"


@each("line", ["echo ${PWD:+<(touch /etc/sudoers)}", ": ${u=>(rm -rf /)}",
                                  "cat <<< ${x:-<(rm -rf /)}", ": ${x%%$(rm -rf /)}"])
def test_a_substitution_the_parser_reads_as_text_is_not_allowed(default_policy, line):
    from bastion.command_control.policy import evaluate
    assert evaluate(default_policy, line, role="engineer", target="web01").action in (
        "deny", "confirm")


# -- attack m22i: vi mode in a C locale takes an 8-bit byte as its low seven bits ---------------

@each(("line", "byte", "how"), [
    ("touch /etc/sudoers", b"\x84", "accept"),   # Ctrl-D: vi-eof-maybe runs the line
    (CODE_IN_WORD[0], b"\x89", "complete"),      # Tab
    (CODE_IN_WORD[0], b"\x8e", "complete"),      # Ctrl-N
    (CODE_IN_WORD[0], b"\x90", "complete"),      # Ctrl-P
    ("#touch /etc/sudoers", b"\x9b1#", "comment"),  # Esc, then 1# uncomments and runs it
])
def test_vi_mode_eight_bit_bytes_are_judged_as_their_low_seven_bits(line, byte, how):
    sh = Shell()
    sh.run("set -o vi")
    sh.type(line)
    held = sh.keys(byte)
    assert held is not None and held.how == how and held.meta
    assert judged(sh) == "deny"


# -- attack o24i: keys readline dispatches otherwise than the key reader cuts them ---------------

LINE, SUBST = "echo x >> /etc/sudoers", CODE_IN_WORD[0]
PASTE = b"\x1b[200~%s\x1b[201~"
PASTE_START, END, DEL5 = b"\x1b[200~", b"\x1b[201~", b"\x7f" * 5  # DEL5 rubs out a typed `[200~`
EXPAND = "echo $(touch /etc/sudoers)"


def assert_held_and_denied(sh: Shell, line: str, chunks, how: str) -> None:
    """Type `line`, then the keys `chunks` until one is held: held as `how`, the line denied."""
    sh.type(line)
    held = None
    for chunk in chunks:
        held = sh.keys(chunk)
        if held is not None:
            break
    assert held is not None and held.how == how
    assert judged(sh) == "deny"


@each(("vi", "line", "chunks", "how"), [
    # F1: vi, an Esc alone at a chunk's end (readline's keyseq-timeout may run it), then a byte
    # a C locale reads as its low seven bits: Enter, Ctrl-D, `v`, `@`
    (True, LINE, [b"\x1b", b"\x8d"], "accept"), (True, LINE, [b"\x1b", b"\x84"], "accept"),
    (True, LINE, [b"\x1b", b"\xf6"], "edit"), (True, LINE, [b"\x1b", b"\xc0"], "macro"),
    (True, LINE + "\x1b", [b"\x8a"], "accept"),
    # F2: vi's command mode, Ctrl-Q / Ctrl-S the terminal driver eats (IXON): no argument
    (True, "#" + LINE, [b"\x1b1\x11#"], "comment"), (True, LINE, [b"\x1b\x11v"], "edit"),
    (True, LINE, [b"\x1b\x11\x8d"], "accept"), (True, "#" + LINE, [b"\x1b1\x13#\x11"], "comment"),
    # F3: vi's command mode binds no paste start: the "pasted" bytes are commands
    (True, "#" + LINE, [b"\x1b" + PASTE % b"1#"], "comment"),
    (True, LINE, [b"\x1b", PASTE % b"v"], "edit"), (True, LINE, [b"\x1b" + PASTE % b"\x04"], "accept"),
    # F4: a paste after Ctrl-X, Esc or a quoted insert is keys to readline
    (False, LINE, [b"\x18" + PASTE % b"\x0f"], "accept"),
    (False, LINE, [b"\x1b" + PASTE % b"\x0f"], "accept"),
    (False, LINE, [b"\x16" + PASTE % b"\x0f"], "accept"),
    (False, LINE, [b"\x16\x11" + PASTE % b"\x0f"], "accept"),
    # attack r27i, F1: character-search (Ctrl-], M-Ctrl-], 0x9D in a C locale) takes a
    # paste's first character and feeds the rest back as keys
    (False, LINE, [b"\x1d" + PASTE % b"x\x0f"], "accept"),
    (False, LINE, [b"\x1b\x1d" + PASTE % b"x\x0f"], "accept"),
    (False, LINE, [b"\x9d" + PASTE % b"x\x0f"], "accept"),
    (False, LINE, [b"\x1d", PASTE % b"x\r"], "accept"),
    # attack u30i, F2: Insert, quoted-insert in the distributions' stock /etc/inputrc
    (False, "#" + LINE, [b"\x1b[2~" + PASTE % b"\x1b1\x1b#"], "comment"),
    (False, "#" + LINE, [b"\x1d" + PASTE % b"x\x1b1\x1b#"], "comment"),
    (False, "#" + LINE, [b"\x18" + PASTE % b"\x1b1\x1b#"], "comment"),
    (False, LINE, [b"\x18" + PASTE % b"\x18\x05"], "edit"),
    (False, "echo $(touch /etc/sudoers)", [b"\x18" + PASTE % b"\x1b\x05"], "expand"),
    (False, SUBST, [b"\x18" + PASTE % b"\t"], "complete"),
    (True, LINE, [b"\x16" + PASTE % b"\x04"], "accept"),
    (True, "#" + LINE, [b"\x16" + PASTE % b"\x1b1#"], "comment"),
    # F5: Esc, then any key starting with ESC: M-Esc (complete)
    (False, SUBST, [b"\x1b\x1b[A"], "complete"), (False, SUBST, [b"\x1b\x1bOA"], "complete"),
    (False, SUBST, [b"\x1b\x1b[15~"], "complete"), (False, SUBST, [b"\x1b\x11\x1b[A"], "complete"),
    (False, SUBST, [b"\x1b" + PASTE % b"x"], "complete"),
    # F6: Ctrl-X takes one key; the rest of a text run is text
    (False, SUBST, [b"\x18gx"], "complete"), (False, SUBST, [b"\x18G "], "complete"),
    (False, LINE, [b"\x18ex"], "macro"),
    # F7: Esc, a flow-control key, then `#` or `?`: M-#, M-?
    (False, "#" + LINE, [b"\x1b1\x1b\x11#"], "comment"),
    (False, "#" + LINE, [b"\x1b1\x1b\x11", b"#"], "comment"),
    (False, SUBST, [b"\x1b\x11?x"], "complete"),
    # s28i F1: readline waits inside a key sequence the reader cut unfinished (`ESC [`, `ESC O`,
    # `ESC [1;5`, `ESC [200`): the paste start's ESC breaks it, `[200~` is typed, the rest keys
    (False, LINE, [b"\x1b[" + PASTE % (DEL5 + b"\x0f")], "accept"),
    (False, LINE, [b"\x1b[", PASTE % (DEL5 + b"\x0f")], "accept"),
    (False, LINE, [b"\x1bO" + PASTE % (DEL5 + b"\x0f")], "accept"),
    (False, LINE, [b"\x1b[3;" + PASTE % (DEL5 + b"\x0f")], "accept"),
    (False, LINE, [b"\x1b[1;5" + PASTE % (DEL5 + b"\x0f")], "accept"),
    (False, LINE, [b"\x1b[200" + PASTE % (DEL5 + b"\x0f")], "accept"),
    (False, LINE, [b"\x1b[" + PASTE % (DEL5 + b"\x18\x05")], "edit"),
    (False, "#" + LINE, [b"\x1b[" + PASTE % (DEL5 + b"\x1b1\x1b#")], "comment"),
    (False, EXPAND, [b"\x1bO" + PASTE % (DEL5 + b"\x1b\x05")], "expand"),
    # ... and the key that breaks such a sequence is dropped (a bell): Ctrl-X or Esc is no
    # prefix then, Ctrl-V no quoted-insert (found in the fix, bash 5.2 ran each)
    (False, LINE, [b"\x1b[\x1b\x18\x05"], "edit"), (False, LINE, [b"\x1bO\x1b\x18\x05"], "edit"),
    (False, LINE, [b"\x1b[1;5\x1b\x18\x05"], "edit"), (False, LINE, [b"\x1b[\x16\x0f"], "accept"),
    (False, EXPAND, [b"\x1b[\x18\x1b\x05"], "expand"), (False, EXPAND, [b"\x1b[\x1b\x1b\x05"], "expand"),
    (False, "#" + LINE, [b"\x1b[\x1b\x1b1\x1b#"], "comment"),
    # s28i F2: an incremental search ended by an ESC alone (the rest came late), then `[200~`
    (False, LINE, [b"\x12\x1b", b"[200~" + DEL5 + b"\x0f" + END], "accept"),
    (False, LINE, [b"\x12", b"\x1b", b"[200~" + DEL5 + b"\x0f" + END], "accept"),
    (False, LINE, [b"\x12sys\x1b", b"[200~" + DEL5 + b"\x0f" + END], "accept"),
    (False, LINE, [b"\x12zz\x1b", b"[200~" + DEL5 + b"\x0f" + END], "accept"),
    (False, LINE, [b"\x12\x1b", b"[", b"200~" + DEL5 + b"\x0f" + END], "accept"),
    (False, LINE, [b"\x12\x1b", b"[200~" + DEL5 + b"\x18\x05" + END], "edit"),
    (False, "#" + LINE, [b"\x12\x1b", b"[200~" + DEL5 + b"\x1b1\x1b#" + END], "comment"),
    (False, EXPAND, [b"\x12\x1b", b"[200~" + DEL5 + b"\x1b\x05" + END], "expand"),
    # s28i F3 (C locale): Esc + a character of several bytes is a bell, then its later bytes
    # are keys: 0x85 is M-C-e, 0xBF M-?, 0x9B M-Esc, 0xAA M-* (complete)
    (False, EXPAND, [b"\x1b\xc3\x85"], "expand"), (False, EXPAND, [b"\x1b", b"\xc3\x85"], "expand"),
    (False, EXPAND, [b"\x1b\xc3", b"\x85"], "expand"), (False, EXPAND, [b"\x1b\xc2\x85"], "expand"),
    (False, EXPAND, [b"\x1b\xe2\x80\x85"], "expand"), (False, EXPAND, [b"\x1b\xe0\x85"], "expand"),
    (False, EXPAND, [b"\x1b\xdf\x85"], "expand"), (False, EXPAND, [b"\x16\x1b\xc3\x85"], "expand"),
    (False, EXPAND, [b"\x1d\x1b\xc3\x85"], "expand"), (False, EXPAND, [b"\x18\x1b\xc3\x85"], "expand"),
    (False, EXPAND, [b"\x1b-\x1b\xc3\x85"], "expand"), (False, EXPAND, [b"\x12\x1b\xc3\x85"], "expand"),
    (False, SUBST, [b"\x1b\xc2\xbf"], "complete"), (False, SUBST, [b"\x1b\xc2\x9b"], "complete"),
    (False, SUBST, [b"\x1b\xc2\xaa"], "complete"),
    # s28i F4: a signal key inside a paste: readline leaves its paste read, the rest are keys
    (False, "", [PASTE_START + b"x\x03", LINE.encode() + b"\x0f"], "accept"),
    (False, "", [PASTE_START + b"x\x1c", LINE.encode() + b"\x0f"], "accept"),
    (False, "", [PASTE_START + b"x\x1a", LINE.encode() + b"\x0f"], "accept"),
    (False, "", [PASTE_START + b"x\x03", EXPAND.encode() + b"\x1b\x05"], "expand"),
    (False, "", [PASTE_START + b"x\x03", b"#" + LINE.encode() + b"\x1b1\x1b#"], "comment"),
    (True, "", [PASTE_START + b"x\x03", b"#" + LINE.encode() + b"\x1b1#"], "comment"),
    (True, "", [PASTE_START + b"x\x03", LINE.encode() + b"\x1bv"], "edit"),
    (True, "", [PASTE_START + b"x\x03", LINE.encode() + b"\x04"], "accept"),
    (True, "", [PASTE_START + b"x\x1a", b"#" + LINE.encode() + b"\x1b1#"], "comment"),
])
def test_a_key_readline_dispatches_otherwise_than_the_reader_cuts_it_is_judged(vi, line, chunks,
                                                                               how):
    # Each row ran the refused line (or its substitution) unjudged in bash 5.2 on a pty (attack
    # o24i, attack/repro_1.py .. repro_7.py; the C locale for 8-bit bytes, IXON on; attack
    # s28i, attack/repro_1.py .. repro_4.py, t16.py, t12.py, t30.py)
    sh = Shell()
    if vi:
        sh.run("set -o vi")
    assert_held_and_denied(sh, line, chunks, how)


@each(("vi", "keys"), [
    (False, b"\x1b\x1b[A"), (False, b"\x1b\x1b[D"), (False, b"\x1b[1;3C"), (False, b"\x1b[A"),
    (False, PASTE % b"cat notes"), (False, b"\x18" + PASTE % b"cat notes"),
    (True, PASTE % b"cat notes"), (True, b"\x1b[D\x1b[C"), (False, b"\x18gx"),
    # s28i: arrows then a paste, a search left by an arrow then a paste, Ctrl-C then a paste,
    # a paste holding a Tab, Alt + an accented letter
    (False, b"\x1b[D\x1b[D" + PASTE % b"cat notes"), (False, b"\x1bOD" + PASTE % b"cat notes"),
    (False, b"\x12ls\x1b[C" + PASTE % b"cat notes"), (False, b"\x12ls\x07" + PASTE % b"cat notes"),
    (False, b"\x03" + PASTE % b"cat notes"), (False, PASTE % b"a\tb"), (False, b"\x1b\xc3\xa9"),
])
def test_honest_arrows_and_pastes_are_not_judged_on_a_line_without_code(vi, keys):
    # Alt+arrows, arrows and pastes of plain text go at once where nothing can run (o24i)
    sh = Shell()
    if vi:
        sh.run("set -o vi")
    sh.type("ls /srv")
    assert sh.keys(keys) is None


# -- attack q26i: vi mode, escape sequences no keymap binds, a C locale's one-byte argument, and
# command-mode text that is not UTF-8: readline dispatches them byte by byte -------------------

@each(("line", "chunks", "how"), [
    # F1: an escape sequence neither vi keymap binds is Esc, then vi commands (`1#`, `v`),
    # complete, unfinished at a chunk's end, or from insert mode
    ("#" + LINE, [b"\x1b", b"\x1b[1#"], "comment"), ("#" + LINE, [b"\x1b", b"\x1b[1#x"], "comment"),
    ("#" + LINE, [b"\x1b\x1b[1#x"], "comment"), (LINE, [b"\x1b", b"\x1b[;v"], "edit"),
    (LINE, [b"\x1b[v"], "edit"), (LINE, [b"\x1bOv"], "edit"),
    ("#" + LINE, [b"\x1b", b"\x1b[3#~"], "comment"), ("#" + LINE, [b"\x1b", b"\x1b[1", b"#"], "comment"),
    # F2: a command's character argument is one byte in a C locale: the rest are keys
    (LINE, [b"\x1b", b"f\xc3\x8d"], "accept"), (LINE, [b"\x1b", b"F\xc3\x84"], "accept"),
    (LINE, [b"\x1b", b"T\xc3\x8a"], "accept"), (LINE, [b"\x1b", b"r\xc3\x8d"], "accept"),
    (LINE, [b"\x1b", b"2f\xc3\x8d"], "accept"), (LINE, [b"\x1b", b"df\xc3\x8d"], "accept"),
    (LINE, [b"\x1b", b"\x16\xc3\x8d"], "accept"), (LINE, [b"\x1b", b"f", b"\xc3", b"\x8d"], "accept"),
    (LINE, [b"\x1b", b"f\xe2", b"\x8d"], "accept"), ("#" + LINE, [b"\x1b", b"f\xe2\xb1\xa3"], "comment"),
    # F3: command-mode text that is not UTF-8 is one key a byte: the ASCII after it are commands
    (LINE, [b"\x1b", b"\xc3v"], "edit"), (LINE, [b"\x1b", b"\xe2\x80v"], "edit"),
    ("#" + LINE, [b"\x1b", b"\xf41#"], "comment"), ("#" + LINE, [b"\x1b", b"\xf0\x801#"], "comment"),
    (LINE, [b"\x1b", b"\x9fv"], "edit"), ("#" + LINE, [b"\x1b", b"\x801#"], "comment"),
    (LINE, [b"\x1b", b"\x16\xc3v"], "edit"), (LINE, [b"\x1b", b"\x16\x9fv"], "edit"),
    (LINE, [b"\x1b", b"\xc3", b"v"], "edit"),
])
def test_vi_keys_readline_dispatches_byte_by_byte_are_judged(line, chunks, how):
    # Each row ran the refused line unjudged in bash 5.2 on a pty (attack q26i, repro_1.py ..
    # repro_3.py; LC_ALL=C for the one-byte arguments, C.UTF-8 for the rest)
    sh = Shell()
    sh.run("set -o vi")
    assert_held_and_denied(sh, line, chunks, how)


@each("keys", [
    b"\x1b[A", b"\x1bOA", b"\x1b[3~", b"\x1b[1;5C", b"\x1b[H", b"\x1b\x1b[D",  # bound keys
    b"\x1bf\xc3\xa9", b"\x1br\xc3\xa9", "\x1bf€".encode(), b"\x1b\xc3\xa9x",  # accented letters
    "é ünïcødé".encode(), b"\x1b[1;2A", b"\x1bOP",  # insert mode; keys no keymap binds
])
def test_honest_vi_arrows_and_accented_letters_are_not_judged(keys):
    # the cost of q26i's byte-wise reading: none for these (`fã`, `rÉ`: their second byte is
    # a C locale's `#` or Enter, judged)
    sh = Shell()
    sh.run("set -o vi")
    sh.type("ls /srv")
    assert sh.keys(keys) is None


@each("keys", [[b"ls", b"\xc3", b"\x1br"], [b"ls\xc3\xa9", b"\x1br"],
                                  [b"ls\xc3\xa9\x1bR"]])
def test_revert_line_after_8_bit_text_never_crashes_the_gate(keys):
    # attack r27i, F2: the C-locale reading replayed M-r with no undo list and asserted; the gate
    # failed closed and the user lost the session
    sh = Shell()
    for chunk in keys:
        sh.keys(chunk)
    assert sh.held is None
