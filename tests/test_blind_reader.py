"""Keys typed without echo where a shell without a line editor may read them (attack L,
finding 3): a stock program killed at its password prompt leaves the terminal's echo off, and
dash (or ash, or bash without readline) then reads lines nothing shows, at a prompt that may
say anything (`PS1='Password: '`). Such keys are judged as a command line with the policy's
defaults counting (a line only `unknown` would hold is held). Nothing on the screen vouches for
a program's prompt there (attack P: output left on the prompt's row, a program killed at its
own prompt), so at bash's readline a password stays a secret, and in dash one that reads as a
line only `unknown` would hold is held for a supervisor (the honest cost).

Each test is a transition of the tracker's reader state (`CommandLineTracker._note_reader`):
what sets it, what keeps it, what resets it. The tracker is driven as the proxy drives it,
and the gate's verdict is computed as `InputGate._judge_hidden` computes it.
"""

from __future__ import annotations

from bastion.command_control import policy
from bastion.command_control.policy import evaluate, refuses_secret
from bastion.command_control.terminal import Reconstruction
from tests.rows import each
from tests.terminal_replay import default_policy
from tests.test_terminal import DASH_PROMPT, ENTER, PROMPT, Shell

ATTACK = b"eval \"$(printf 'touch can%sary')\""  # only the `unknown` default holds it
HONEST = b"Pa$$w0rd!"  # `unknown` as a command line too (history expansion, a run-time name)
PLAIN = b"c0rrect-h0rse"  # a command line the policy lets through


def gate_verdict(sh: Shell, rec: Reconstruction) -> str:
    """What InputGate._judge_hidden makes of the keys: "secret" (they go through unjudged for the
    record), or the action that refuses or holds them."""
    assert rec.kind == "not-a-command" and rec.hidden, rec
    strict = not rec.rules_only and sh.tracker.hidden_keys_may_run()
    for reading in (rec.hidden, *rec.hidden_also):
        v = evaluate(default_policy(), reading, role="engineer", target="web01")
        if refuses_secret(v, strict):
            return v.action
    return "secret"


def bash() -> Shell:
    return Shell()


def dash() -> Shell:
    return Shell(prompt=DASH_PROMPT, enter=b"\r\n", banner=b"", erase=0x7F)


def line(sh: Shell, text: str, answer: bytes = b"") -> None:
    """`text` typed at the prompt, judged and sent; the shell answers `answer` (then a prompt
    of its own unless the answer is a program's prompt)."""
    sh.type(text)
    sh.submit()
    sh.send((ENTER if sh.prompt == PROMPT else b"\r\n") + answer)


def typed_blind(sh: Shell, keys: bytes) -> str:
    sh.keys(keys + b"\r")
    return gate_verdict(sh, sh.tracker.reconstruct())


# -- the attack, and its members --------------------------------------------------------------

@each("killer", [
    "timeout -s KILL 1 bash -c 'read -s x'",
    "timeout -s KILL 1 openssl passwd",
    "sleep 5 & openssl passwd",  # killed from another channel: `pkill -9 openssl`
])
def test_a_fake_password_prompt_of_dash_after_a_killed_program_holds_what_unknown_holds(killer):
    sh = dash()
    line(sh, f"PS1='Password: '; {killer}", b"Password: ")
    assert typed_blind(sh, ATTACK) == "confirm"


def test_a_lone_secret_asker_killed_from_elsewhere_vouches_for_no_prompt_in_dash():
    # a prompt that changes at each showing is never a known one
    sh = dash()
    line(sh, "PS1='$(date +%N) Password: '", b"1234 Password: ")
    line(sh, "openssl passwd", b"Password: ")
    assert typed_blind(sh, ATTACK) == "confirm"


@each("first", [
    "timeout -s KILL 1 openssl passwd; sh",
    "bash -c 'read -s x; exec dash'",
    "python3 -c 'import termios'; exec dash",
])
def test_a_line_starting_a_shell_after_another_program_leaves_a_reader_without_echo(first):
    # typed at bash's readline (which restores the terminal after a killed job), the shell the
    # line starts after may read with the echo that program left
    sh = bash()
    line(sh, first, b"Password: ")
    assert typed_blind(sh, ATTACK) == "confirm"


def test_ctrl_d_back_to_a_parent_shell_leaves_a_reader_without_echo():
    sh = bash()
    line(sh, "sudo -k true", b"[sudo] password for bob: ")
    assert typed_blind(sh, ATTACK) == "secret"  # sudo's own prompt: rules only
    sh.send(b"\r\n" + PROMPT)
    assert sh.keys(b"\x04") is None  # not held: it goes to bash at once
    sh.out(b"exit\r\nPassword: ")
    sh.keys(ATTACK + b"\r")
    rec = sh.tracker.reconstruct()
    if rec.kind == "not-a-command":
        assert gate_verdict(sh, rec) == "confirm"
    else:  # the parent's prompt is not where the line began: uncertain, the gate refuses it
        assert rec.kind in ("command", "blind") and not rec.certain


def test_a_full_screen_program_may_start_a_shell_with_the_echo_it_found():
    sh = bash()
    line(sh, "vim", b"\x1b[?1049h\x1b[H\x1b[2J")
    sh.out(b"\x1b[?1049l\r\nPassword: ")  # :sh, with the echo vim found at its start
    assert typed_blind(sh, ATTACK) == "confirm"


def test_an_exec_channel_command_is_the_first_line_typed_where_no_line_editor_reads():
    sh = dash()
    sh.tracker.started_with("timeout -s KILL 1 openssl passwd; sh")
    sh.out(b"Password: ")
    assert typed_blind(sh, ATTACK) == "confirm"
    sh = dash()
    sh.tracker.started_with("sudo systemctl restart nginx")
    sh.out(b"[sudo] password for bob: ")
    assert typed_blind(sh, PLAIN) == "secret"


def test_a_line_not_read_for_certain_may_be_anything():
    sh = dash()
    sh.tracker._note_reader([policy.line_facts("sudo true")], certain=False)
    sh.out(b"Password: ")
    assert typed_blind(sh, ATTACK) == "confirm"


def test_rules_still_refuse_where_a_program_asks():
    sh = bash()
    line(sh, "sudo -k true", b"[sudo] password for bob: ")
    assert typed_blind(sh, b"echo '#x' >> /etc/sudoers.d/attack") == "deny"


# -- attack N, finding 7: a passphrase a confirm rule would hold ------------------------------

CONFIRMED = [b"halt and catch fire", b"reboot my life 2024", b"tmux is my friend"]
DENIED = [b"mkfs is fun", b"rm -rf / forever"]


@each("passphrase", CONFIRMED)
def test_a_passphrase_a_confirm_rule_would_hold_is_a_secret_where_a_program_asks(passphrase):
    sh = bash()  # (in dash no prompt is vouched for: see the attack P tests below)
    line(sh, "sudo -k systemctl restart nginx", b"[sudo] password for bob: ")
    assert typed_blind(sh, passphrase) == "secret"


@each("passphrase", DENIED)
def test_a_passphrase_a_deny_rule_refuses_is_refused_even_where_a_program_asks(passphrase):
    # the honest cost SECURITY.md names: such a passphrase cannot be typed through the bastion
    for sh in (bash(), dash()):
        line(sh, "sudo -k systemctl restart nginx", b"[sudo] password for bob: ")
        assert typed_blind(sh, passphrase) == "deny"


@each("passphrase", CONFIRMED)
def test_a_line_a_confirm_rule_holds_is_held_where_a_shell_may_read_it(passphrase):
    sh = dash()
    line(sh, "PS1='Password: '; timeout -s KILL 1 openssl passwd", b"Password: ")
    assert typed_blind(sh, passphrase) == "confirm"


@each(("action", "rule", "shell_may_read", "refused"), [
    ("deny", "no-filesystem-wipe", False, True),
    ("deny", "no-filesystem-wipe", True, True),
    ("confirm", "confirm-power", False, False),
    ("confirm", "confirm-power", True, True),
    ("confirm", "defaults.unknown", False, False),
    ("confirm", "defaults.unknown", True, True),
    ("deny", "defaults.uncertain", False, False),
    ("deny", "defaults.uncertain", True, True),
    ("alert", "alert-interactive-shell", True, False),
    ("allow", "defaults.unmatched", True, False),
    ("allow", None, True, False),
])
def test_which_verdicts_refuse_keys_typed_at_a_password_prompt(action, rule, shell_may_read, refused):
    verdict = policy.Verdict(action, rule, "", "", ())
    assert refuses_secret(verdict, shell_may_read) is refused


# -- honest work keeps its secrets ------------------------------------------------------------

@each(("first", "prompt"), [
    ("sudo apt update", b"[sudo] password for bob: "),
    ("su -", b"Password: "),
    ("ssh db01", b"bob@db01's password: "),
    ("cd /srv/app; sudo make install", b"[sudo] password for bob: "),
    ("mysql -u root -p", b"Enter password: "),
])
def test_a_password_for_a_program_that_asks_is_a_secret_at_bashs_readline(first, prompt):
    sh = bash()
    line(sh, first, prompt)
    assert typed_blind(sh, HONEST) == "secret"
    sh = dash()  # the honest cost in a shell without a line editor (SECURITY.md): held, unless
    line(sh, first, prompt)  # it reads as no more than a command the policy lets through
    assert typed_blind(sh, HONEST) == "confirm"
    sh.send(b"\r\n" + prompt)
    assert typed_blind(sh, PLAIN) == "secret"


@each("first", [
    "read -s -p 'DB pass: ' x; echo; echo got", "./deploy.sh", "make && sudo make install",
    "timeout -s KILL 1 openssl passwd",
])
def test_at_bashs_readline_a_hidden_prompt_after_any_lone_line_keeps_its_secret(first):
    # bash said it reads (?2004h) before the line, and restores the terminal after a killed job:
    # a shell reading with its echo off would say so again (kind "blind", see test_terminal)
    sh = bash()
    line(sh, first, b"Password: ")
    assert typed_blind(sh, HONEST) == "secret"


def test_a_password_that_is_no_command_is_a_secret_even_where_a_shell_may_read():
    sh = dash()
    line(sh, "./ask", b"Password: ")
    assert typed_blind(sh, PLAIN) == "secret"
    sh.send(b"\r\nPassword: ")
    assert typed_blind(sh, HONEST) == "confirm"  # the honest cost, SECURITY.md says so


# -- what resets the state, what carries it ---------------------------------------------------

def test_a_line_at_bashs_readline_resets_the_reader_until_a_shell_without_one_read_a_line():
    sh = bash()
    line(sh, "set -o emacs", PROMPT)  # a line that switches the editing mode
    assert sh.tracker.hidden_keys_may_run()
    line(sh, "./ask", b"Password: ")  # typed at bash's readline: its prompt is the program's
    assert not sh.tracker.hidden_keys_may_run()
    sh.out(b"\r\n" + PROMPT)
    line(sh, "sh", DASH_PROMPT)  # a lone shell starts with the echo it was typed with
    assert not sh.tracker.hidden_keys_may_run()
    sh.prompt = DASH_PROMPT
    line(sh, "./ask", b"Password: ")  # typed in dash: no line editor said it reads
    assert sh.tracker.hidden_keys_may_run()
    sh.out(b"\r\n" + DASH_PROMPT)  # the program ended
    line(sh, "exit", PROMPT)
    sh.prompt = PROMPT
    line(sh, "./ask", b"Password: ")  # at bash's readline again, but dash could print ?2004h
    assert sh.tracker.hidden_keys_may_run()


def test_a_shell_without_a_line_editor_printing_bashs_marker_is_not_taken_for_readline():
    sh = dash()
    line(sh, "printf '\\033[?2004h'", b"\x1b[?2004h" + DASH_PROMPT)
    sh.prompt = b"\x1b[?2004h" + DASH_PROMPT
    line(sh, "PS1='Password: '; printf '\\033[?2004l'; openssl passwd", b"\x1b[?2004lPassword: ")
    assert typed_blind(sh, ATTACK) == "confirm"


def test_a_secret_typed_keeps_the_state_of_the_line_before_it():
    sh = bash()
    line(sh, "sudo -k true", b"[sudo] password for bob: ")
    assert typed_blind(sh, HONEST) == "secret"
    sh.send(b"\r\nSorry, try again.\r\n[sudo] password for bob: ")
    assert typed_blind(sh, HONEST) == "secret"  # the retry: still sudo's


# -- attack P: nothing on the screen vouches for a prompt where a shell may read --------------

@each(("first", "output"), [
    # a fixed PS1, and another line's output left on the prompt's row
    ("timeout -s KILL 1 openssl passwd; printf 'Password: '", b"Password: ok? "),
    ("timeout -s KILL 1 openssl passwd; printf 'Password: '", b"Password: "),  # PS1=''
    ("openssl passwd", b"Killed\r\nPassword: "),  # killed from elsewhere, a new prompt
    ("sudo -k true", b"[sudo] password for bob: "),
    ("ssh db01", b"bob@db01's password: "),
])
def test_no_line_vouches_for_the_prompt_after_it_where_a_shell_may_read(first, output):
    sh = dash()
    line(sh, "PS1='ok? '", b"ok? ")
    sh.prompt = b"ok? "
    line(sh, first, output)
    assert typed_blind(sh, ATTACK) == "confirm"


@each(("text", "after_another"), [
    ("sudo apt update", False),
    ("sudo -i", False),
    ("su -", False),
    ("timeout -s KILL 1 openssl passwd; sh", True),
    ("x; busybox sh", True),
    ("x; script -q /dev/null", True),
    ("x; $SHELL", True),
    ("make && sudo make install", False),
    ("ssh -t h 'openssl passwd; dash'", True),  # ssh's remote command is read
    ("cd /srv; sudo make install", False),
    ("PS1=\"$X\"", True),  # (the policy reads it as code known at run time)
    ("read -r PS1 <<< x", True),
    ("eval \"$x\"", True),
])
def test_the_policys_reading_of_a_line_for_the_reader(text, after_another):
    assert policy.starts_reader_after_another(text) is after_another


# -- attack R: bash's ?2004h printed by a shell without a line editor before its first line ------

def test_ctrl_d_at_the_end_of_a_line_is_judged_once_a_line_may_have_started_a_shell():
    # `PS1=$'\e[?2004hD$ ' sh`: dash prints readline's marker in its prompt, so the keys seem
    # readline's, where Ctrl-D at the end of a line deletes nothing; the terminal driver hands
    # the line to dash, and a second Ctrl-D runs it
    sh = bash()
    line(sh, "PS1=$'\\e[?2004hD$ ' sh", b"\x1b[?2004hD$ ")
    sh.type("echo '#x' >> /etc/sudoers.d/attack")
    held = sh.keys(b"\x04")
    assert held is not None and held.how == "flush"
    assert verdict_of_line(sh) == "deny"


@each("move", [b"\x1b[D", b"\x01", b"\x02"])
def test_ctrl_d_inside_a_line_is_judged_too_once_a_shell_may_have_started(move):
    # Attack T: Left, Ctrl-A or Ctrl-B moved readline's cursor in the model; to the terminal
    # driver they were data, and Ctrl-D handed the whole line over all the same
    sh = bash()
    line(sh, "PS1=$'\\e[?2004hD$ ' sh", b"\x1b[?2004hD$ ")
    sh.type("echo '#x' >> /etc/sudoers.d/attack;#ab")
    sh.press(move, b"\x08")
    held = sh.keys(b"\x04")
    assert held is not None and held.how == "flush"


def test_a_lone_line_that_starts_no_shell_keeps_bashs_ctrl_d():
    sh = bash()
    line(sh, "ls -l", PROMPT)
    sh.type("echo hi")
    assert sh.keys(b"\x04") is None


def test_the_password_a_line_that_starts_a_shell_asks_for_first_stays_a_secret():
    # `su -`: the doubt counts for keys typed without echo only from the next command line on
    sh = bash()
    line(sh, "su -", b"Password: ")
    assert typed_blind(sh, HONEST) == "secret"
    sh.send(b"\r\n" + PROMPT)
    line(sh, "id", PROMPT)  # typed in the new shell, which may have printed ?2004h itself
    line(sh, "./ask", b"Password: ")
    assert typed_blind(sh, HONEST) == "confirm"


@each(("text", "reader"), [
    ("sh", True), ("PS1=x dash", True), ("sudo -i", True), ("su -", True), ("ssh h", True),
    ("docker exec -it c sh", True), ("python3", True), ("tmux", True), ("$x", True),
    ("ls -l", False), ("sudo apt update", False), ("vim f", False), ("git log", False),
])
def test_lines_that_may_start_a_reader(text, reader):
    assert policy.starts_reader(text) is reader


def verdict_of_line(sh: Shell) -> str:
    rec = sh.tracker.reconstruct()
    return evaluate(default_policy(), rec.text, role="engineer", target="web01").action


@each("text", ["sh", "sudo -i", "x; busybox sh", "set -o vi", "cd /tmp", "$x",
                                  "bindkey -v", "timeout 1 openssl passwd; exec dash"])
def test_a_lines_facts_from_one_parse_are_each_functions_reading(text):
    assert policy.line_facts(text) == (policy.changes_shell(text), policy.switches_mode(text),
                                       policy.starts_reader(text),
                                       policy.starts_reader_after_another(text))


# -- attack V: a full-screen program killed where no line editor reads; keys a refusal left ----

VIM_SCREEN = b"\x1b[?1049h\x1b[H\x1b[2J" + b"".join(b"\x1b[%d;1H~" % r for r in range(2, 24)) + b"\x1b[1;1H"
CANARY = b"touch canary #"  # a deny rule refuses it (the shipped policy's no-credential rules
DENIED_LINE = b"echo x >> /etc/sudoers #"  # do the same for this one)


def test_keys_a_killed_full_screen_program_did_not_show_are_judged_where_no_line_editor_reads():
    # Attack V, finding 1: `timeout -s KILL 2 vim` typed in dash; vim dies with the alternate
    # screen on and the echo off, and dash reads the keys nothing shows.
    sh = dash()
    line(sh, "timeout -s KILL 2 vim", VIM_SCREEN)
    sh.keys(DENIED_LINE + b"\n")
    assert gate_verdict(sh, sh.tracker.reconstruct()) == "deny"


def test_keys_shown_on_the_alternate_screen_are_judged_too_where_no_line_editor_read():
    # Attack Y, findings 3 to 5: with the echo on, the terminal shows the keys as a live
    # program would (`tput smcup` alone, or a program killed without turning the echo off), and
    # a tail of the keys can match what the shell printed: shown or not, they are judged.
    # Honest cost: a full-screen program started in dash has its key lines judged too (a deny
    # rule or the `unknown` default refuses `eval "$x"` typed into vim there).
    sh = dash()
    line(sh, "tput smcup; clear", VIM_SCREEN)
    sh.keys(DENIED_LINE)
    sh.out(DENIED_LINE)
    sh.keys(b"\r")
    assert gate_verdict(sh, sh.tracker.reconstruct()) == "deny"
    # The honest half: a full-screen program started at bash's readline (which restores the
    # terminal after a killed job, and draws its prompt again) keeps its keys.
    sh = bash()
    line(sh, "timeout -s KILL 2 vim", VIM_SCREEN)
    sh.keys(DENIED_LINE + b"\n")
    rec = sh.tracker.reconstruct()
    assert rec.kind == "not-a-command" and not rec.hidden


def test_text_a_full_screen_program_shows_is_judged_by_the_rules_alone():
    # The honest half of the cost above: text typed into vim in dash and shown as typed (a
    # closing brace, a variable as a command word) meets the rules, not the `unknown` default;
    # keys nothing showed meet the defaults too.
    sh = dash()
    line(sh, "vi notes.sh", VIM_SCREEN)
    for text in (b"}", b'"$cmd" --now'):
        sh.keys(text)
        sh.out(text)
        sh.keys(b"\r")
        assert gate_verdict(sh, sh.tracker.reconstruct()) == "secret"
        sh.send(b"\r\n")
    sh.keys(ATTACK + b"\r")
    assert gate_verdict(sh, sh.tracker.reconstruct()) == "confirm"


def refuse(sh: Shell) -> None:
    """The gate refused the held line: the cancel keys, and a Ctrl-C where the screen cannot
    show the line gone (InputGate._refuse)."""
    cancel = sh.deny()
    sh.tracker.sent_by_bastion(cancel)
    assert not sh.tracker.line_is_empty()
    sh.tracker.sent_by_bastion(b"\x03")


def left_over_verdicts(rec: Reconstruction) -> set[str]:
    """What InputGate._judge_left_over makes of the readings: the actions rules take."""
    found = set()
    for reading in rec.left_over:
        v = evaluate(default_policy(), reading, role="engineer", target="web01")
        if not v.rule.startswith("defaults."):
            found.add(v.action)
    return found


def test_a_refused_line_no_screen_showed_is_judged_again_in_front_of_the_next_line():
    # Attack V, finding 2: echo and the kill key turned off by inline code in dash; the
    # bastion's cancel keys stay in the line as data, and the next Enter (or the bastion's own)
    # would hand it over.
    sh = dash()
    line(sh, "python3 -c 'import termios'")
    sh.keys(DENIED_LINE + b"\r")
    assert gate_verdict(sh, sh.tracker.reconstruct()) == "deny"
    refuse(sh)
    sh.keys(b"\r")  # an empty Enter
    assert "deny" in left_over_verdicts(sh.tracker.reconstruct())
    refuse(sh)  # refused again: what it left stays in front
    sh.type("ls")
    sh.keys(b"\r")
    assert "deny" in left_over_verdicts(sh.tracker.reconstruct())


def test_a_line_sent_ends_what_refused_lines_left_and_a_shown_refusal_leaves_nothing():
    sh = dash()
    line(sh, "python3 -c 'import termios'")
    sh.keys(DENIED_LINE + b"\r")
    sh.tracker.reconstruct()
    refuse(sh)
    sh.keys(b"\r")
    sh.tracker.reconstruct()
    sh.send(b"\r\n" + DASH_PROMPT)  # a supervisor let it through: the shell took it all
    sh.type("ls")
    assert sh.submit().left_over == ()
    # A refused line the screen showed: the screen shows it gone, nothing is carried.
    sh = bash()
    sh.type(DENIED_LINE.decode())
    sh.submit()
    sh.deny()
    sh.out(b"\r\n" + PROMPT)
    sh.type("ls")
    assert sh.submit().left_over == ()


def test_a_refused_password_only_the_defaults_held_holds_no_line_after_it():
    # The honest half: a password that reads as a line only `unknown` would hold, cancelled in
    # dash; what it may have left is judged by the rules alone.
    sh = dash()
    line(sh, "openssl passwd", b"Password: ")
    sh.keys(HONEST + b"\r")
    assert gate_verdict(sh, sh.tracker.reconstruct()) == "confirm"
    refuse(sh)
    sh.out(b"^C\r\n" + DASH_PROMPT)
    sh.type("ls -l")
    rec = sh.submit()
    assert rec.left_over and left_over_verdicts(rec) <= {"allow", "alert"}


# -- attack Z: the alternate screen's reader kept up to date ---------------------------------

ALT = b"\x1b[?1049h\x1b[H\x1b[2J"


def test_a_shell_started_on_the_alternate_screen_has_its_lines_judged():
    # Attack Z, finding 1: the alternate screen opened while bash's readline read, then
    # `PS1=z exec sh` there: dash's lines were taken for a full-screen program's, unjudged.
    sh = bash()
    line(sh, "printf '\\033[?1049h'", ALT + PROMPT)
    line(sh, "PS1=z exec sh", b"z")
    sh.keys(DENIED_LINE + b"\r")
    assert gate_verdict(sh, sh.tracker.reconstruct()) == "deny"


def test_keys_on_an_alternate_screen_opened_before_any_line_are_judged():
    # A login script may open it and start any shell: who reads is not known yet.
    sh = dash()
    sh.out(ALT + b"z")
    sh.keys(DENIED_LINE + b"\r")
    assert gate_verdict(sh, sh.tracker.reconstruct()) == "deny"


def test_a_continuation_on_the_alternate_screen_is_judged_with_its_earlier_lines():
    # Attack Z, finding 2: `echo x >> /etc/sudo\` at dash's prompt, then `ers` at its `> `.
    sh = dash()
    line(sh, "tput smcup; clear", ALT + DASH_PROMPT)
    sh.type("echo x >> /etc/sudo\\")
    assert sh.submit().kind == "not-a-command"  # unfinished: it waits for the rest
    sh.send(b"\r\n> ")
    sh.keys(b"ers\r")
    assert gate_verdict(sh, sh.tracker.reconstruct()) == "deny"


def test_a_refused_line_on_the_alternate_screen_a_shell_may_read_is_never_ended_by_an_enter():
    # Attack Z, finding 3: the Y2 fix left out the alternate screen.
    sh = dash()
    assert not sh.tracker.enter_after_cancel()
    line(sh, "tput smcup; clear", ALT + DASH_PROMPT)
    assert not sh.tracker.enter_after_cancel()
    assert bash().tracker.enter_after_cancel()


# -- attack Y, finding 7: a full-screen program started under a faked readline marker ---------

FAKE_MARKER = b"\x1b[?2004hD$ "  # dash's PS1 printing bash's marker: readline seems to read


def faked_dash() -> Shell:
    """Bash, then `PS1=$'\\e[?2004hD$ ' sh`: dash's prompts carry readline's marker."""
    sh = bash()
    line(sh, "PS1=$'\\e[?2004hD$ ' sh", FAKE_MARKER)
    sh.prompt = FAKE_MARKER
    return sh


def test_keys_behind_a_program_killed_under_a_faked_readline_marker_are_judged():
    # `timeout -s KILL 2 vim` at the faked prompt: the marker made the line look read by
    # readline, and the keys after the kill were taken for vim's, never judged.
    sh = faked_dash()
    line(sh, "timeout -s KILL 2 vim", VIM_SCREEN)
    sh.keys(DENIED_LINE + b"\n")
    assert gate_verdict(sh, sh.tracker.reconstruct()) == "deny"
    sh = faked_dash()
    line(sh, "timeout -s KILL 2 vim", VIM_SCREEN)
    sh.keys(ATTACK + b"\n")  # nothing shows it: the defaults count
    assert gate_verdict(sh, sh.tracker.reconstruct()) == "confirm"


def test_the_marker_stays_doubted_after_honest_looking_lines_and_an_accept_it_printed():
    # Lines the faked prompt read, each answered as bash answers an accept (?2004l CR, which
    # anything may print too), do not make the marker readline's word again.
    sh = faked_dash()
    sh.enter = ENTER
    for text in ("ls", "printf '\\033[?2004l\\r'"):
        sh.type(text)
        sh.submit()
        sh.send(ENTER + sh.prompt)
    line(sh, "vim", VIM_SCREEN)
    sh.keys(DENIED_LINE + b"\n")
    assert gate_verdict(sh, sh.tracker.reconstruct()) == "deny"


def test_a_full_screen_program_on_the_line_that_may_start_a_shell_is_judged():
    # The doubt is pending on that very line (`ssh -t HOST vim`: the far side may be any shell).
    sh = bash()
    line(sh, "ssh -t web02 vim", VIM_SCREEN)
    sh.keys(DENIED_LINE + b"\n")
    assert gate_verdict(sh, sh.tracker.reconstruct()) == "deny"


def test_each_alternate_screen_under_the_doubt_is_judged_and_text_shown_meets_the_rules_alone():
    # Leaving the screen and opening another keeps the doubt; the honest cost stays the one
    # dash has: text a live program shows as typed meets the rules alone.
    sh = faked_dash()
    line(sh, "vi notes.sh", VIM_SCREEN)
    sh.keys(b"}")
    sh.out(b"}")
    sh.keys(b"\r")
    assert gate_verdict(sh, sh.tracker.reconstruct()) == "secret"
    sh.send(b"\r\n")
    sh.keys(b":q")
    sh.out(b"\x1b[24;1H:q")
    sh.keys(b"\r")
    sh.tracker.reconstruct()
    sh.send(b"\x1b[?1049l" + FAKE_MARKER)
    line(sh, "less notes.sh", VIM_SCREEN)
    sh.keys(DENIED_LINE + b"\n")
    assert gate_verdict(sh, sh.tracker.reconstruct()) == "deny"


def test_a_full_screen_program_at_bashs_readline_keeps_its_keys_without_the_doubt():
    # The honest half: no shell without a line editor read a line, none may have been started
    # (a line that starts no shell, then vim): its keys are vim's (the backstop watches bash).
    sh = bash()
    line(sh, "cd /etc", PROMPT)
    line(sh, "timeout -s KILL 2 vim", VIM_SCREEN)
    sh.keys(DENIED_LINE + b"\n")
    rec = sh.tracker.reconstruct()
    assert rec.kind == "not-a-command" and not rec.hidden
