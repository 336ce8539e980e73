"""The interactive gate against real programs: a real OpenSSH client on a real pty (or with
`-tt` and a script on stdin), through a real `bastion serve`, to a real sshd and bash.

One test per behaviour (issue 12 finding 3, issue 13 items 1 to 4); the breadth is in
tests/test_typeahead.py, over recorded output. The policy denies `touch` of a canary, so a
failure of the gate shows as a file that exists, never as damage.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import subprocess
import sys

import pytest

from bastion import recording
from bastion.ssh import gate
from tests.harness import LOGIN, Terminal, World
from tests.harness import READY as PROMPT

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

POLICY = """
[defaults]
unmatched = "allow"
unknown = "confirm"
uncertain = "deny"
confirm_timeout = "20s"

[[rules]]
name = "no-canary"
action = "deny"
commands = ["touch"]
args = "canary"
message = "canaries are not touched"
"""
XTERM = {"TERM": "xterm"}


# Echo off by inline code (a program of one's own), which no policy reads.
ECHO_OFF = b"python3 -c 'import termios as t;a=t.tcgetattr(0);a[3]&=~t.ECHO;t.tcsetattr(0,0,a)'"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    w = World(tmp_path_factory.mktemp("interactive"), policy=POLICY)
    person = w.person("ivy")
    w.grant(person, duration=3600)
    yield w
    w.close()


def shell(world: World, tmp_path):
    """A bash through the bastion at a known prompt, in tmp_path: (terminal, prompt regex)."""
    term = world.person("ivy").terminal(f"{LOGIN}@web01", env=XTERM)
    at = term.prompt()
    term.send(f"cd {tmp_path}; PS1='READ''Y> '\n".encode())
    term.expect(PROMPT, start=at)
    return term


def cast_of(world: World, who: str = "ivy") -> list:
    name = next(n for n in world.session_row(who)["recordings"] if n.endswith(".cast"))
    world.bastion.output.wait_for(rf"audit recording\.closed .*{re.escape(name)}")
    return recording.read_cast(world.home.recordings / name)[1]


def audit_events(world: World, kind: str) -> list[dict]:
    rows = world.ctx.store.all("SELECT data FROM events WHERE type = ? ORDER BY seq", (kind,))
    return [json.loads(r["data"]) for r in rows]


@pytest.mark.skipif(shutil.which("less") is None, reason="less is not installed")
def test_the_first_command_after_a_pager_is_read_and_runs(world, tmp_path):
    term = shell(world, tmp_path)
    start = len(term.buffer)
    term.send(b"less /etc/services\r")
    term.expect(rb"\x1b\[\?1049h", start=start)
    term.expect(rb"services", start=start)
    term.send(b"q")
    at = term.expect(PROMPT, start=start)
    term.send(b"echo XYZ-$((40+2))\r")
    end = term.expect(PROMPT, start=term.expect(rb"XYZ-42", start=at))
    out = term.buffer[at:end]
    assert b"denied" not in out
    term.send(b"exit\r")
    assert term.wait() == 0


def test_edit_and_execute_is_judged_as_unknown_before_the_editor_runs(world, tmp_path):
    term = shell(world, tmp_path)
    term.run_line(b"export EDITOR='sed -i s/xouch/touch/'\r")
    start = len(term.buffer)
    term.send(b"xouch canary\x18\x05")  # C-x C-e: the editor decides what runs
    term.expect(rb"held for a supervisor \(h\d+\)", start=start)
    term.send(b"\x03")
    term.expect(PROMPT, start=term.expect(rb"cancelled", start=start))
    assert not (tmp_path / "canary").exists()
    held = audit_events(world, "command.verdict")[-1]
    assert (held["line"], held["verdict"]) == ("xouch canary", "confirm")
    term.send(b"exit\r")
    term.wait()


def test_insert_comment_with_an_argument_is_judged_as_the_uncommented_line(world, tmp_path):
    term = shell(world, tmp_path)
    out = term.run_line(b"#touch canary\x1b1\x1b#")  # Esc 1 Esc #: uncomment, run
    assert b"denied: canaries are not touched" in out
    assert not (tmp_path / "canary").exists()
    term.send(b"exit\r")
    term.wait()


def confirmed(world: World, term, line: bytes, prompt: bytes = PROMPT) -> None:
    """Type `line`, which the policy holds, and have a supervisor confirm it (the CLI)."""
    start = len(term.buffer)
    term.send(line)
    term.expect(rb"held for a supervisor \(h\d+\)", start=start)
    held_id = re.search(rb"\((h\d+)\)", term.buffer[start:]).group(1).decode()
    confirm = subprocess.run([sys.executable, "-m", "bastion", "--home", str(world.home.path),
                              "confirm", held_id], capture_output=True, text=True, timeout=30)
    assert confirm.returncode == 0, confirm.stderr
    term.expect(prompt, start=term.expect(rb"confirmed by local:", start=start))


def test_a_line_run_by_a_key_the_user_bound_ends_the_session(world, tmp_path):
    term = shell(world, tmp_path)
    # The policy cannot tell what a binding will run: the line is held, and a supervisor lets
    # it through. What the bound key then runs is out of the bastion's sight.
    confirmed(world, term, b"bind '\"\\C-t\": accept-line'\r")
    start = len(term.buffer)
    term.send(b"touch canary-bound\x14")  # the bastion never sees an Enter
    term.expect(rb"session ended: a command line ran that the bastion did not judge", start=start)
    assert term.wait() == 1
    # The backstop sees the line after the fact (it may have run before the session ended):
    # it is on the record.
    event = audit_events(world, "command.unjudged")[-1]
    assert event["line"] == "touch canary-bound"
    assert world.session_row("ivy")["state"] == "killed"


def test_a_script_on_stdin_of_ssh_tt_runs_and_every_line_is_judged(world, tmp_path):
    ivy = world.person("ivy")
    r = ivy.run(f"{LOGIN}@web01", extra=("-tt",), env=XTERM,
                input=f"cd {tmp_path}\necho hi-$((6*7)); exit\n".encode())
    assert r.returncode == 0, r.stdout[-400:]
    assert b"hi-42" in r.stdout and b"denied" not in r.stdout
    session = world.session_row("ivy")["id"]
    lines = [e["line"] for e in audit_events(world, "command.verdict") if e["session"] == session]
    # Each line is judged at its Enter. On a loaded machine the second line's echo can come
    # later than the gate waits for it (gate.ECHO_WAIT): it is then judged as keys typed
    # without echo, its text kept out of the log (seen once with 4 workers on 2 cores).
    blind = [e["keystrokes"] for e in audit_events(world, "command.typed_blind")
             if e["session"] == session]
    second = "echo hi-$((6*7)); exit"
    assert lines in ([f"cd {tmp_path}", second], [f"cd {tmp_path}"]), lines
    assert (len(lines), blind) in ((2, []), (1, [len(second)])), (lines, blind)


def test_a_refused_line_in_a_script_drops_the_rest_and_exits_126(world, tmp_path):
    ivy = world.person("ivy")
    script = (f"cd {tmp_path}\necho one-$((0+1))\ntouch canary\ntouch after\n"
              "echo three-$((1+2))\n").encode()
    r = ivy.run(f"{LOGIN}@web01", extra=("-tt",), env=XTERM, input=script)
    assert r.returncode == 126, r.stdout[-400:]
    verdicts = [(e.get("line"), e.get("action"), e.get("reason")) for e in
                audit_events(world, "command.verdict")[-4:]]
    assert b"one-1" in r.stdout and b"three-3" not in r.stdout, (r.stdout[-300:], verdicts)
    assert b"denied: canaries are not touched (2 lines typed ahead dropped)" in r.stdout
    assert not (tmp_path / "canary").exists() and not (tmp_path / "after").exists()
    assert audit_events(world, "command.dropped")[-1]["lines"] == 2


def test_keys_typed_during_a_2mb_line_and_ctrl_c_are_read_once_the_shell_is_back(world, tmp_path):
    term = shell(world, tmp_path)
    # Without readline (as in sh): bash's own redraw of a long line is quadratic.
    bare = rb"[\r\n]READY> "  # no line editor: no bracketed paste either
    confirmed(world, term, b"set +o emacs +o vi; PS1='READ''Y> '\r", bare)  # editing off: held
    start = len(term.buffer)
    term.send(b"x" * (2 << 20))
    term.send(b"\x03echo still-$((2+2))\r")
    # Where the tty keeps Ctrl-C as data the 2 MB are still in that line: past 64 Ki bytes the
    # bastion does not follow it, so the line is uncertain (refused), read once the shell is back.
    at = term.expect(rb"the line is too long to follow", start=start, timeout=90)
    assert b"still-4" not in term.buffer[start:at]
    term.send(b"echo still-$((2+2))\r")
    end = term.expect(bare, start=term.expect(rb"still-4", start=at))
    assert b"denied" not in term.buffer[at:end]
    term.send(b"exit\r")
    assert term.wait() == 0


def test_two_tabs_in_one_packet_behave_like_slow_typing(world, tmp_path):
    (tmp_path / "alpha-one").write_text("1")
    (tmp_path / "alpha-two").write_text("2")
    term = shell(world, tmp_path)
    start = len(term.buffer)
    # One write, as in the issue (`ls /etc/ssh/ssh` Tab Tab): the first Tab has nothing to add
    # and rings, the second lists; it waits for the first's answer.
    term.send(b"ls alpha-\t\t")
    term.expect(rb"alpha-one\s+alpha-two", start=start)
    out = term.run_line(b"one\r")
    assert b"denied" not in out and b"alpha-one\r\n" in out
    term.send(b"exit\r")
    term.wait()


@pytest.mark.skipif(shutil.which("vim") is None, reason="vim is not installed")
def test_the_recording_shows_the_bastions_words_and_text_typed_in_vim(world, tmp_path):
    ivy = world.person("ivy")
    world.grant(ivy, duration=3600)  # a session of its own, whose cast the test reads
    term = shell(world, tmp_path)
    out = term.run_line(b"touch canary\r")
    assert b"[bastion] denied: canaries are not touched" in out
    start = len(term.buffer)
    term.send(b"vim -u NONE notes.txt\r")
    term.expect(rb"\x1b\[\?1049h", start=start)
    term.send(b"ihello from vim\x1b")
    term.send(b":wq\r")
    term.expect(PROMPT, start=start)
    term.send(b"exit\r")
    assert term.wait() == 0
    assert (tmp_path / "notes.txt").read_text() == "hello from vim\n"
    events = cast_of(world)
    output = "".join(d for _, code, d in events if code == "o")
    typed = "".join(d for _, code, d in events if code == "i")
    assert "\r\n[bastion] denied: canaries are not touched\r\n" in output  # what the user saw
    assert "hello from vim" in typed  # shown on the screen, so not secret
    assert "[redacted 1 keystroke]" in typed  # vim's `i`, which it did not echo


def test_a_prompt_is_judged_as_a_string_and_the_code_in_it_as_code(world, tmp_path):
    # Issue 13 item 11: `export PS1='A$((40+2))> '` was held as a parse error; a prompt is a
    # string, and only what it runs is judged (here: a denied touch of the canary).
    term = shell(world, tmp_path)
    start = len(term.buffer)
    term.send(b"export PS1='A$((40+2)) \\w> '\r")
    at = term.expect(rb"\x1b\[\?2004hA42 \S+> ", start=start)
    assert b"held" not in term.buffer[start:at] and b"denied" not in term.buffer[start:at]
    for line in (b"PS1='$(touch canary)> '", b"PROMPT_COMMAND='touch canary'",
                 b"PS0='\\044(touch canary)'"):
        start = len(term.buffer)
        term.send(line + b"\r")
        term.expect(rb"denied: canaries are not touched", start=start)
        term.expect(rb"\x1b\[\?2004hA42 \S+> ", start=start)
    term.send(b"true\r")
    term.send(b"exit\r")
    assert term.wait() == 0
    assert not (tmp_path / "canary").exists()

# -- attack D: the key and line model against what bash and the terminal driver really do -----

PS2 = rb"\x1b\[\?2004h> "
DENIED = rb"denied: canaries are not touched"


def alive(term) -> None:
    """The session goes on, and the line after is read as its own."""
    out = term.run_line(b"echo alive-$((2+3))\r")
    assert b"alive-5" in out and b"denied" not in out


def test_lines_bash_ends_or_drops_are_not_joined_to_the_next_one(world, tmp_path):
    term = shell(world, tmp_path)
    # A here-document's command a rule refuses: refused at the first line already (the rules
    # judge an unfinished statement at each Enter: attack a36i), not only at the EOF that runs
    # it (tests/test_terminal.py judges EOF on a continuation line).
    start = len(term.buffer)
    term.send(b"touch canary <<EOF\r")
    term.expect(PROMPT, start=term.expect(DENIED, start=start))
    alive(term)
    # An answer to `read` holding a quote is no unfinished statement of the shell's.
    term.run_line(b"read -r -p 'Comment: ' c\r", rb"Comment: ")
    term.run_line(b"it's fine\r")
    start = len(term.buffer)
    term.send(b"touch canary\r")
    term.expect(PROMPT, start=term.expect(DENIED, start=start))
    # A here-document ended by EOF, then a line on its own.
    start = len(term.buffer)
    term.send(b"cat <<EOF\r")
    term.expect(PS2, start=start)
    term.run_line(b"some notes\r", PS2)
    term.run_line(b"\x04")
    start = len(term.buffer)
    term.send(b"touch canary\r")
    term.expect(PROMPT, start=term.expect(DENIED, start=start))
    assert not (tmp_path / "canary").exists()
    verdicts = [(e["line"], e["verdict"]) for e in audit_events(world, "command.verdict")[-4:]]
    assert ("cat <<EOF\nsome notes\nEOF", "allow") in verdicts
    term.send(b"exit\r")
    term.wait()


def denied_and_nothing_ran(term, start: int, tmp_path) -> None:
    """The line was denied, the shell is back and alive, the canary never made; then exit."""
    term.expect(PROMPT, start=term.expect(DENIED, start=start))
    alive(term)
    assert not (tmp_path / "canary").exists()
    term.send(b"exit\r")
    term.wait()


def test_a_meta_byte_that_is_esc_ctrl_e_in_a_c_locale_is_judged_before_it_is_sent(world, tmp_path):
    term = shell(world, tmp_path)  # the target's locale: C (the bastion passes only LANG=C)
    start = len(term.buffer)
    term.send(b"echo $(touch canary)")
    term.expect(rb"canary\)", start=start)
    term.send(b"\x85")  # convert-meta: Esc C-e, shell-expand-line runs $( ) at once
    term.expect(DENIED, start=start)
    denied_and_nothing_ran(term, start, tmp_path)


def test_a_signal_bash_ignores_at_its_prompt_does_not_split_a_line(world, tmp_path):
    key = b"\x1a"  # Ctrl-Z; Ctrl-\\ (SIGQUIT, ignored alike) in the pure tests
    term = shell(world, tmp_path)
    term.run_line(b"(sleep 1; echo tick) &\r")
    start = len(term.buffer)
    term.send(b"touch can" + key)
    term.expect(rb"tick", start=start)  # the background job writes over the line
    term.send(b"ary\r")
    end = term.expect(PROMPT, start=term.expect(rb"denied", start=start))
    assert b"denied" in term.buffer[start:end]  # the line as bash holds it, or uncertain
    alive(term)
    assert not (tmp_path / "canary").exists()
    term.send(b"exit\r")
    term.wait()


def test_a_prefix_key_split_from_its_second_key_by_a_resize_is_still_judged(world, tmp_path):
    term = shell(world, tmp_path)
    term.run_line(b"export EDITOR=true\r")
    start = len(term.buffer)
    term.send(b"touch canary")
    term.expect(rb"touch canary", start=start)
    term.send(b"\x18")
    at = len(term.buffer)
    term.resize(100, 30)  # readline redraws the line: output between Ctrl-X and Ctrl-E
    term.expect(rb"touch canary", start=at)
    term.send(b"\x05")
    term.expect(DENIED, start=at)  # judged as edit-and-execute: the rule and `unknown`
    term.expect(PROMPT, start=term.expect(DENIED, start=at))
    alive(term)
    assert not (tmp_path / "canary").exists()
    term.send(b"exit\r")
    term.wait()


def test_vi_change_without_a_motion_then_v_is_judged(world, tmp_path):
    term = shell(world, tmp_path)
    term.run_line(b"export EDITOR=true\r")
    term.run_line(b"set -o vi\r")  # alone on its line: followed (with more on it, held)
    start = len(term.buffer)
    term.send(b"touch canary\x1bcqv")  # `c q`: no motion, readline stays in command mode
    term.expect(PROMPT, start=term.expect(rb"denied", start=start))
    assert not (tmp_path / "canary").exists()
    term.send(b"exit\r")
    term.wait()


def test_esc_enter_readline_does_not_accept_explains_no_later_line(world, tmp_path):
    term = shell(world, tmp_path)
    start = len(term.buffer)
    term.send(b"bind '\"\\C-t\": accept-line'\r")
    term.expect(rb"held for a supervisor \(h\d+\)", start=start)
    held_id = re.search(rb"\((h\d+)\)", term.buffer[start:]).group(1).decode()
    confirm = subprocess.run([sys.executable, "-m", "bastion", "--home", str(world.home.path),
                              "confirm", held_id], capture_output=True, text=True, timeout=30)
    assert confirm.returncode == 0, confirm.stderr
    term.expect(PROMPT, start=term.expect(rb"confirmed by local:", start=start))
    start = len(term.buffer)
    term.send(b"echo hi\x1b\r")  # judged; in emacs mode M-C-m is unbound: readline rings
    term.expect(rb"\x07", start=start)
    term.send(b"\x15touch canary-bound\x14")
    term.expect(rb"session ended: a command line ran that the bastion did not judge", start=start)
    assert audit_events(world, "command.unjudged")[-1]["line"] == "touch canary-bound"
    term.wait()


def test_sh_without_readline_reads_keys_as_the_terminal_driver_does(world, tmp_path):
    term = shell(world, tmp_path)
    dash = rb"[\r\n]\$ "
    term.run_line(b"PS1='$ ' sh\r", dash)
    confirmed(world, term, b"stty -echoctl\r", dash)  # the policy holds it; a supervisor lets it
    out = term.run_line(b"echo onx\x7fe\r", dash)  # DEL is the tty's erase key: certain
    assert b"one" in out and b"denied" not in out
    start = len(term.buffer)
    # Ctrl-H is data for the tty; echoed raw it moves the cursor over what it hides.
    term.send(b"touch canary;#" + b"\x08" * 14 + b"echo safe line\r")
    term.expect(rb"denied", start=start)
    term.run_line(b"exit\r")
    assert not (tmp_path / "canary").exists()
    alive(term)
    term.send(b"exit\r")
    term.wait()


def test_a_dumb_terminal_asked_for_by_the_client_is_refused(world, tmp_path):
    # On TERM=dumb readline turns no bracketed paste on: no backstop, and a key a child bash's
    # rc bound to accept-line ran `touch canary` unjudged, untraced (attack q26o, finding 3).
    # The strict reading of such a terminal stays for a shell without a line editor (dash).
    term = world.person("ivy").terminal(f"{LOGIN}@web01", env={"TERM": "dumb"})
    term.expect(rb"terminal type 'dumb' has no bracketed paste")
    assert term.wait() == 126
    assert ["'dumb'" in e["reason"] for e in audit_events(world, "channel.refused")
            if e.get("kind") == "pty-req"] == [True]


def test_a_readline_variable_that_changes_what_insert_comment_runs_is_held(world, tmp_path):
    # Attack D, finding 3: with comment-begin "echo ", Esc 1 Esc # strips "echo " from
    # `echo touch canary` and runs `touch canary`, while the line judged is `#echo touch canary`.
    term = shell(world, tmp_path)
    start = len(term.buffer)
    term.send(b"bind 'set comment-begin \"echo \"'\r")
    term.expect(rb"held for a supervisor \(h\d+\).*comment-begin", start=start)
    term.send(b"\x03")
    term.expect(PROMPT, start=term.expect(rb"cancelled", start=start))
    term.run_line(b"echo touch canary\x1b1\x1b#")
    term.run_line(b"echo alive-$((2+3))\r")
    assert not (tmp_path / "canary").exists()
    assert audit_events(world, "command.verdict")[-2]["line"] == "#echo touch canary"
    term.send(b"exit\r")
    term.wait()


def test_a_shell_whose_stderr_is_gone_is_held_and_a_denied_line_typed_blind_is_refused(world,
                                                                                       tmp_path):
    # Attack D, finding 5: readline draws on stderr. With it sent to /dev/null the screen shows
    # only a "Password: " that PROMPT_COMMAND prints, and every line looks typed at a password
    # prompt. The policy holds the `exec`; if a supervisor lets it through anyway, keys typed
    # blind are still read as a command line, and one a rule denies does not run.
    term = shell(world, tmp_path)
    before = len(audit_events(world, "command.verdict"))
    confirmed(world, term, b"exec 2>/dev/null; PROMPT_COMMAND='printf \"Pass\"\"word: \"'\r",
              rb"Password: ")
    start = len(term.buffer)
    term.send(b"touch canary\r")
    term.expect(rb"Password: ", start=term.expect(
        rb"denied: keys typed without echo read as a command that rule no-canary does not "
        rb"allow", start=start))
    # Nothing on the screen shows the refused line gone (readline draws nowhere): the next line
    # may hand it over, so it is refused and the session ends (attack V, finding 2).
    start = len(term.buffer)
    term.send(b"echo alive-$((2+3))\r")
    term.expect(rb"the session is ended", start=start)
    term.wait()
    assert not (tmp_path / "canary").exists()
    blind = audit_events(world, "command.typed_blind")[-1]
    assert (blind["prompt"][-9:], blind["keystrokes"], blind["verdict"], blind["rule"]) == (
        "Password:", 12, "deny", "no-canary")
    verdicts = audit_events(world, "command.verdict")[-2:]
    assert [(v["line"], v["verdict"]) for v in verdicts] == [("(line typed without echo)", "deny")] * 2
    # What was typed blind is on no record in clear.
    assert not any("canary" in e["line"] or "alive" in e["line"]
                   for e in audit_events(world, "command.verdict")[before:])


@pytest.mark.parametrize("prompt", ["Enter PEM pass phrase:", "Token (will be hidden): ",
                                    "API key: ", "Credentials: "])  # attack F, finding 4
def test_a_hidden_input_prompt_that_does_not_say_password_takes_the_keys(world, tmp_path, prompt):
    # Attack D, finding 11 (honest use): such prompts were taken for a shell prompt that did
    # not echo, and the line was denied.
    term = shell(world, tmp_path)
    start = len(term.buffer)
    term.send(f"read -rs -p '{prompt}' x; echo; echo got-${{#x}}-$x\r".encode())
    term.expect(re.escape(prompt.encode()), start=start)
    term.send(b"Zq9sekrit\r")
    term.expect(PROMPT, start=term.expect(rb"got-9-Zq9sekrit", start=start))
    assert b"denied" not in term.buffer[start:]
    blind = audit_events(world, "command.typed_blind")[-1]
    assert (blind["prompt"], blind["keystrokes"], blind["verdict"]) == (prompt.strip(), 9, "allow")
    term.send(b"exit\r")
    term.wait()


def dash_at(world: World, tmp_path):
    """sh (dash: no line editor) through the bastion, at a `$ ` prompt, in tmp_path."""
    term = shell(world, tmp_path)
    dash = rb"[\r\n]\$ "
    term.run_line(b"PS1='$ ' sh\r", dash)
    return term, dash


@pytest.mark.parametrize("keys", [
    b"touch canary;#" + b"\x08" * 14 + b"echo hi\r",  # Ctrl-H: data for the tty
    b"touch canary;#\x01echo \r",                      # Ctrl-A: data for the tty
], ids=["ctrl-h", "ctrl-a"])
def test_keys_typed_blind_in_sh_that_the_tty_keeps_as_data_are_refused(world, tmp_path, keys):
    # Attack F, finding 1: at a fake password prompt (`PS1='Password: '; stty -echo`) the keys
    # were read as readline edits them (`echo hi`) and passed as a secret; dash ran the canary.
    term, _ = dash_at(world, tmp_path)
    term.run_line(b"PS1='Password: '; " + ECHO_OFF + b"\r", rb"\nPassword: ")
    start = len(term.buffer)
    term.send(keys)
    refused = term.expect(rb"denied: the command line could not be read", start=start)
    term.expect(rb"Password: ", start=refused)
    ends_at_the_next_line(term, tmp_path)


def test_ctrl_d_on_a_non_empty_line_in_sh_is_judged_before_the_tty_hands_it_over(world, tmp_path):
    # Attack F, finding 2: the tty's VEOF hands `touch canary` to dash unended, and a second
    # Ctrl-D (EOF) makes dash run it. It is judged as a submit.
    term, dash = dash_at(world, tmp_path)
    start = len(term.buffer)
    term.send(b"touch canary\x04")
    term.expect(dash, start=term.expect(rb"denied: canaries are not touched", start=start))
    start = len(term.buffer)
    term.send(b"\x04")  # on the empty line after the refusal: EOF, dash ends
    term.expect(PROMPT, start=start)
    assert not (tmp_path / "canary").exists()
    alive(term)
    term.send(b"exit\r")
    term.wait()


def test_enter_after_esc_and_a_lead_byte_sent_apart_is_judged_in_sh(world, tmp_path):
    # Attack e14ib, finding 1: the key reader took `Esc 0xC3` and the Enter after it (a packet
    # later) for one "Alt + character" key: dash ran the line with no verdict.
    term, dash = dash_at(world, tmp_path)
    start = len(term.buffer)
    term.send(b"touch canary #")
    term.expect(rb"canary #", start=start)
    term.send(b"\x1b\xc3")
    term.expect(rb"#\^\[", start=start)  # the driver's echo: the two bytes went on their own
    term.send(b"\r")
    term.expect(dash, start=term.expect(DENIED, start=start))
    assert not (tmp_path / "canary").exists()
    assert b"alive-5" in term.run_line(b"echo alive-$((2+3))\r", dash)  # read as its own line


def test_ctrl_d_on_a_line_only_the_model_reads_empty_or_on_the_alternate_screen_is_judged(
        world, tmp_path):
    # Attack a10i, findings 1 and 2: Ctrl-V Ctrl-C left `touch canary;#^C` in dash's line while
    # the keystroke model took the interrupt and read an empty line, and on an alternate screen
    # dash opened (the target's output) Ctrl-D was never judged: VEOF handed the line over.
    term, dash = dash_at(world, tmp_path)
    term.run_line(b"touch canary;#", rb"canary;#")
    term.run_line(b"\x16\x03", rb"\^C")  # the driver's echo of a literal ^C (no interrupt)
    start = len(term.buffer)
    term.send(b"\x04")
    term.expect(dash, start=term.expect(rb"denied: canaries are not touched", start=start))
    term.run_line(b"printf '\\033[?1049h\\033[H\\033[2J'; PS1='E$ '\r", rb"E\$ ")
    start = len(term.buffer)
    term.send(b"touch canary\x04")
    # Read there as keys typed without echo (attack Y): refused, and the next line ends it.
    term.expect(rb"E\$ ", start=term.expect(rb"denied: .* rule no-canary", start=start))
    ends_at_the_next_line(term, tmp_path)


@pytest.mark.parametrize("switch", [b"set -Co vi", b"shopt -os vi", b"set -o vi -o emacs"])
def test_an_editing_mode_switch_the_gate_does_not_follow_is_held(world, tmp_path, switch):
    # Attack F, finding 3: vi mode switched on by a spelling the gate did not follow; vi's `v`
    # then ran an editor's rewrite of the line unjudged. Only `set -o vi` alone is followed.
    term = shell(world, tmp_path)
    start = len(term.buffer)
    term.send(switch + b"\r")
    term.expect(rb"held for a supervisor \(h\d+\).*switch the line editor's mode", start=start)
    term.send(b"\x03")
    term.expect(PROMPT, start=term.expect(rb"cancelled", start=start))
    term.run_line(b"set -o vi\r")  # followed: the same line, judged in vi's command mode
    term.run_line(b"export EDITOR='sed -i s/xouch/touch/'\r")
    start = len(term.buffer)
    term.send(b"xouch canary\x1bhv")
    term.expect(rb"held for a supervisor \(h\d+\)", start=start)  # edit-and-execute: unknown
    term.send(b"\x03")
    term.expect(PROMPT, start=term.expect(rb"cancelled", start=start))
    term.run_line(b"set -o emacs\r")
    assert not (tmp_path / "canary").exists()
    alive(term)
    term.send(b"exit\r")
    term.wait()


# -- attack H: the tty's own editing, whose settings the gate cannot see -----------------------

HIDDEN_REFUSED = rb"denied: keys typed without echo read as a command that rule no-canary"


def at_fake_prompt(term) -> None:
    """In sh: a shell prompt that looks like a program's password prompt, echo off. `stty -echo`
    typed at a terminal is held (attack J); inline code, which no policy reads, still turns echo
    off, and the readings of the keys typed blind are what stands then."""
    term.run_line(b"PS1='Password: '; " + ECHO_OFF + b"\r", rb"\nPassword: ")


def ends_at_the_next_line(term, tmp_path) -> None:
    """After a refused line no screen showed, one a rule refuses, the shell may still hold it in
    front of what comes next (attack V, finding 2): the next line is refused and the session
    ends. Nothing ran: no canary."""
    start = len(term.buffer)
    term.send(b"stty echo; PS1='$ '\r")
    term.expect(rb"shell may still hold it in front of what is typed next; the session is ended",
                start=term.expect(rb"denied: keys a refused line may have left", start=start))
    term.wait()
    assert not (tmp_path / "canary").exists()


def back_to_dash(term, tmp_path) -> None:
    """Keys at the fake prompt (a secret, judged as a command line) turn echo back on; the
    shell ran nothing else: no canary."""
    start = len(term.buffer)
    term.send(b"stty echo; PS1='$ '\r")
    term.expect(rb"\$ ", start=start)
    term.run_line(b"exit\r")
    assert not (tmp_path / "canary").exists()


def test_echo_turned_off_at_a_shell_prompt_is_held(world, tmp_path):
    # Attack J, finding 1: `PS1='Password: '; stty -echo` made dash read its lines at a prompt
    # that echoed nothing; keys typed blind there pass as a secret unless a rule refuses them,
    # so a line only the `unknown` default would hold (`eval "$(printf ...)"`) ran unseen.
    term, dash = dash_at(world, tmp_path)
    start = len(term.buffer)
    term.send(b"PS1='Password: '; stty -echo\r")
    term.expect(rb"held for a supervisor \(h\d+\)", start=start)
    term.send(b"\x03")
    term.expect(dash, start=term.expect(rb"cancelled", start=start))
    held = audit_events(world, "command.verdict")[-1]
    assert (held["line"], held["verdict"]) == ("PS1='Password: '; stty -echo", "confirm")
    term.run_line(b"exit\r")  # back to bash
    alive(term)
    term.send(b"exit\r")
    term.wait()


def test_echo_left_off_by_a_stock_program_killed_at_its_prompt_holds_what_unknown_holds(
        world, tmp_path):
    # Attack L, finding 3: a stock program killed at its password prompt leaves the echo off,
    # and dash (no line editor, no terminal restored after a killed job) reads its lines at a
    # fake "Password: " prompt. Keys typed there once passed as a secret unless a rule refused
    # them: `eval "$(printf ...)"`, which only the `unknown` default holds, ran unseen.
    term, _ = dash_at(world, tmp_path)
    start = len(term.buffer)
    term.send(b"PS1='Password: '; timeout -s KILL 1 bash -c 'read -s x'\r")
    term.expect(rb"\nPassword: ", start=start)  # dash's, once the program was killed
    start = len(term.buffer)
    term.send(b"eval \"$(printf 'touch can%sary')\"\r")
    term.expect(rb"held for a supervisor \(h\d+\).*keys typed without echo where a shell may be "
                rb"reading", start=start)
    term.send(b"\x03")
    term.expect(rb"Password: ", start=term.expect(rb"cancelled", start=start))
    blind = audit_events(world, "command.typed_blind")[-1]
    assert (blind["prompt"], blind["verdict"], blind["rule"]) == ("Password:", "confirm",
                                                                  "defaults.unknown")
    back_to_dash(term, tmp_path)
    alive(term)
    term.send(b"exit\r")
    term.wait()


def test_a_password_in_sh_is_a_secret_unless_it_reads_as_a_line_only_unknown_holds(world,
                                                                                    tmp_path):
    # The honest half, and its cost: in dash nothing vouches for a program's prompt (attack P),
    # so a password that reads as a line only `unknown` would hold waits for a supervisor (here
    # cancelled), and one that reads as no more than an allowed command goes to the program.
    term, dash = dash_at(world, tmp_path)
    start = len(term.buffer)
    term.send(b"openssl passwd -1 -salt ab\r")
    term.expect(rb"\nPassword: ", start=start)
    term.send(b"Pa$$w0rd!\r")
    term.expect(rb"held for a supervisor \(h\d+\)", start=start)
    term.send(b"\x03")
    term.expect(dash, start=term.expect(rb"cancelled", start=start))
    start = len(term.buffer)
    term.send(b"openssl passwd -1 -salt ab\r")
    term.expect(rb"\nPassword: ", start=start)
    term.send(b"c0rrect-h0rse\r")
    out = term.buffer[start:term.expect(dash, start=term.expect(rb"\$1\$ab\$", start=start))]
    assert b"held" not in out and b"denied" not in out and b"c0rrect" not in out
    blind = audit_events(world, "command.typed_blind")[-2:]
    assert [(e["prompt"], e["verdict"]) for e in blind] == [("Password:", "confirm"),
                                                           ("Password:", "allow")]
    term.run_line(b"exit\r")
    alive(term)
    term.send(b"exit\r")
    term.wait()


def test_a_line_longer_than_the_terminal_driver_keeps_is_refused_in_sh(world, tmp_path):
    # Attack N, finding 1: Linux's tty keeps 4,095 bytes of a line; keys past that are echoed and
    # dropped. `: AAAA…; tou\` (4,095 bytes) + `Z` was judged whole (allowed); dash got the
    # first 4,095 bytes and waited for a continuation, and `ch canary` then ran `touch canary`.
    term = world.person("ivy").terminal(f"{LOGIN}@web01", env=XTERM, cols=250, rows=50)
    at = term.prompt()
    term.send(f"cd {tmp_path}; PS1='READ''Y> '\n".encode())
    term.expect(PROMPT, start=at)
    dash = rb"[\r\n]\$ "
    term.run_line(b"PS1='$ ' sh\r", dash)
    line = b": " + b"A" * (4095 - 4 - 4) + b"; tou\\"
    assert len(line) == 4095
    start = len(term.buffer)
    term.send(line + b"Z\r")
    term.expect(dash, start=term.expect(rb"more was typed than the terminal driver keeps", start=start))
    term.run_line(b"ch canary\r", dash)
    assert not (tmp_path / "canary").exists()
    term.run_line(b"exit\r")
    alive(term)
    term.send(b"exit\r")
    term.wait()


def test_ctrl_d_in_a_shell_that_prints_bashs_marker_itself_is_judged(world, tmp_path):
    # Attack R, finding 1: dash's own prompt printed readline's ?2004h before dash read a line,
    # so the keys seemed readline's, whose Ctrl-D at the end of a line deletes nothing; the
    # terminal driver handed `touch canary` to dash and a second Ctrl-D ran it, unjudged.
    term = shell(world, tmp_path)
    term.run_line(rb"PS1=$'\e[?2004hD$ ' sh" + b"\r", rb"D\$ ")
    start = len(term.buffer)
    term.send(b"touch canary")
    term.expect(b"canary", start=start)
    term.send(b"\x04")
    term.expect(rb"D\$ ", start=term.expect(DENIED, start=start))
    term.send(b"\x04")  # on the line the refusal left empty: EOF, dash ends
    term.expect(PROMPT, start=start)
    assert not (tmp_path / "canary").exists()
    alive(term)
    term.send(b"exit\r")
    term.wait()


def test_a_kill_character_moved_outside_stty_does_not_hide_a_command_at_a_fake_prompt(world,
                                                                                     tmp_path):
    # Attack H, finding 1a: `tset -k ^B` (or inline termios code) made Ctrl-U data for the tty;
    # the gate read it as a kill and passed `hunter2` as a secret; dash ran `touch canary`.
    term, dash = dash_at(world, tmp_path)
    start = len(term.buffer)
    term.send(b"tset -I -Q -k ^B\r")
    term.expect(rb"held for a supervisor \(h\d+\).*tset sets the tty's special characters",
                start=start)
    term.send(b"\x03")
    term.expect(dash, start=term.expect(rb"cancelled", start=start))
    term.run_line(b"python3 -c 'import termios as t;a=t.tcgetattr(0);a[6][t.VKILL]=2;"
              b"t.tcsetattr(0,0,a)'\r", dash)
    at_fake_prompt(term)
    start = len(term.buffer)
    term.send(b"touch canary;\x15hunter2\r")
    term.expect(rb"Password: ", start=term.expect(HIDDEN_REFUSED, start=start))
    blind = audit_events(world, "command.typed_blind")[-1]
    assert (blind["prompt"], blind["verdict"], blind["rule"]) == ("Password:", "deny", "no-canary")
    ends_at_the_next_line(term, tmp_path)


def test_a_nested_ptys_erase_key_does_not_hide_a_command_at_a_fake_prompt(world, tmp_path):
    # Attack H, finding 3: the client's erase is ^H; pty.spawn's pty has the kernel's DEL, so
    # Ctrl-H is data there: the gate read `touch canary;#` + 14 Ctrl-H + `hunter2` as `hunter2`.
    person = world.person("ivy")
    args = person.ssh_args(f"{LOGIN}@web01", extra=("-t",))
    term = Terminal(["sh", "-c", 'stty erase "^H"; exec "$@"', "-", *args], person.env() | XTERM)
    at = term.prompt()
    term.send(f"cd {tmp_path}; PS1='READ''Y> '\n".encode())
    term.expect(PROMPT, start=at)
    dash = rb"[\r\n][#$] "  # (root's sh: `# `)
    term.run_line(b"python3 -c 'import pty; pty.spawn(\"/bin/sh\")'\r", dash)
    at_fake_prompt(term)
    start = len(term.buffer)
    term.send(b"touch canary;#" + b"\x08" * 14 + b"hunter2\r")
    term.expect(rb"Password: ", start=term.expect(HIDDEN_REFUSED, start=start))
    ends_at_the_next_line(term, tmp_path)


@pytest.mark.parametrize(("iutf8", "keys"), [
    # IUTF8 on: the erase takes the continuation byte and the `#` before it
    (b"iutf8", b"#\x80\x7ftouch canary\r"),
    # IUTF8 off: one byte per DEL, `\b \b` each: the screen shows `echo hi`
    (b"-iutf8", b"touch canary;" + "é".encode() * 14 + b"\x7f" * 27 + b"echo hi\r"),
], ids=["iutf8", "no-iutf8"])
def test_an_erase_read_with_or_without_iutf8_does_not_hide_a_command(world, tmp_path, iutf8, keys):
    # Attack H, finding 2: the gate erased whole characters whatever the tty's IUTF8
    person = world.person("ivy")
    args = person.ssh_args(f"{LOGIN}@web01", extra=("-t",))
    term = Terminal(["sh", "-c", f'stty {iutf8.decode()}; exec "$@"', "-", *args],
                    person.env() | XTERM)
    at = term.prompt()
    term.send(f"cd {tmp_path}; PS1='READ''Y> '\n".encode())
    term.expect(PROMPT, start=at)
    dash = rb"[\r\n]\$ "
    term.run_line(b"PS1='$ ' sh\r", dash)
    start = len(term.buffer)
    term.send(keys)
    if iutf8 == b"iutf8":
        # A lone 0x80 is no UTF-8 character (attack f15i, F1): the line is uncertain, refused
        # as keys no screen showed; the next line ends the session (the shell may hold them).
        term.expect(dash, start=term.expect(rb"denied: the command line could not be read",
                                            start=start))
        term.send(b"exit\r")
        term.expect(rb"session ended", start=start)
        term.wait()
        assert not (tmp_path / "canary").exists()
        return
    term.expect(dash, start=term.expect(rb"denied: canaries are not touched", start=start))
    term.run_line(b"exit\r")
    assert not (tmp_path / "canary").exists()
    alive(term)
    term.send(b"exit\r")
    term.wait()


def test_honest_secrets_at_hidden_prompts_reach_the_program(world, tmp_path):
    # Attack H, finding 6: a prompt the vocabulary missed, one on the line before (as with none
    # at all: tests/test_tty_readings.py has each prompt)
    term = shell(world, tmp_path)
    for ask in (b"read -s -p 'DB pass: ' x", b"echo 'Enter your password'; read -s x"):
        start = len(term.buffer)
        term.send(ask + b"; echo; echo got-${#x}-$((1+1))\r")
        term.expect(rb"pass[^\r\n]*|\n", start=start + len(ask))
        term.send(b"s3cr3t-Pw\r")
        out = term.buffer[start:term.expect(PROMPT, start=term.expect(rb"got-9-2", start=start))]
        assert b"denied" not in out and b"s3cr3t" not in out
    blind = audit_events(world, "command.typed_blind")[-2:]
    assert [(e["prompt"], e["verdict"]) for e in blind] == [("DB pass:", "allow"), ("", "allow")]
    alive(term)
    term.send(b"exit\r")
    term.wait()


@pytest.mark.parametrize("steps", [
    (b"set -o vi\r", b"bash\r", b"PS1='READ''Y> '\r"),             # a child in emacs mode
    (b"bash\r", b"PS1='READ''Y> '\r", b"set -o vi\r", b"exit\r"),  # back to a parent in emacs
], ids=["vi-parent-emacs-child", "vi-child-emacs-parent"])
def test_operate_and_get_next_is_judged_when_another_shell_may_be_in_emacs_mode(world, tmp_path,
                                                                                  steps):
    # Attack H, finding 4: the tracker kept the vi mode of one shell while another shell, in
    # emacs mode, read the keys: vi's insert mode takes Ctrl-O as text, emacs runs the line.
    term = shell(world, tmp_path)
    for keys in steps:
        term.run_line(keys, rb"\x1b\[\?2004h[^\n]*# " if keys == b"bash\r" else PROMPT)  # its own PS1
    start = len(term.buffer)
    term.send(b"touch canary\x0f")
    term.expect(PROMPT, start=term.expect(DENIED, start=start))
    assert not (tmp_path / "canary").exists()
    alive(term)
    term.send(b"exit\r" * (2 if b"exit\r" not in steps else 1))
    term.wait()


def test_term_unset_through_a_subscript_is_held_before_a_shell_starts_on_a_dumb_terminal(
        world, tmp_path):
    # Attack N, finding 2: `unset TERM[0]` unsets a scalar TERM; the bash started after it reads
    # keys on a dumb terminal (no bracketed paste, no backstop), so a key its rc file binds to
    # accept-line ran `touch canary` unjudged. The line is held; rejected, no such shell starts.
    (tmp_path / "rc").write_text("bind '\"\\C-t\": accept-line'\nPS1='KID$ '\n")
    term = shell(world, tmp_path)
    start = len(term.buffer)
    term.send(b"unset TERM[0]; bash --rcfile rc\r")
    term.expect(rb"held for a supervisor \(h\d+\).*without TERM readline takes a dumb terminal",
                start=start)
    term.send(b"\x03")
    term.expect(PROMPT, start=term.expect(rb"cancelled", start=start))
    assert b"TERM=xterm\r\n" in term.run_line(b"echo TERM=$TERM\r")  # nothing of it ran
    assert b"KID$" not in term.buffer
    held = [e["verdict"] for e in audit_events(world, "command.verdict")
            if e["line"] == "unset TERM[0]; bash --rcfile rc"]
    assert held == ["confirm"]
    term.send(b"exit\r")
    term.wait()


def test_a_shell_started_without_term_is_held_like_unset_term(world, tmp_path):
    # Attack H, finding 5: `env -i bash` reads keys on a dumb terminal (no bracketed paste, so
    # no ?2004l backstop); with the tracker left in vi mode, emacs's Ctrl-O ran a line unseen.
    term = shell(world, tmp_path)
    term.run_line(b"set -o vi\r")
    start = len(term.buffer)
    term.send(b"env -i bash\r")
    term.expect(rb"held for a supervisor \(h\d+\).*without TERM readline takes a dumb terminal",
                start=start)
    term.send(b"\x03")
    term.expect(PROMPT, start=term.expect(rb"cancelled", start=start))
    start = len(term.buffer)
    term.send(b"touch canary\x0f")  # the same shell, still in vi mode: Ctrl-O is text
    term.send(b"\x03")
    term.expect(PROMPT, start=start)
    assert not (tmp_path / "canary").exists()
    held = audit_events(world, "command.verdict")[-1]
    assert (held["line"], held["verdict"]) == ("env -i bash", "confirm")
    term.send(b"exit\r")
    term.wait()


async def test_keys_whose_echo_the_client_withholds_are_never_taken_for_a_secret(world, tmp_path):
    # Attack N, finding 5: a client that stops taking output (no window) makes the bastion stop
    # reading the target, so the echo of the next keys never reached the tracker; past the echo
    # wait, dash's keys were read as typed without echo at a "prompt" (`ab`, the output's tail)
    # and judged as a secret by rules only, and dash ran the canary once the client read on.
    from tests.test_ending import Watched, connect

    conn = await connect(world, world.person("ivy"), f"{LOGIN}@web01")
    chan, seen = await conn.create_session(Watched, term_type="xterm", term_size=(80, 24),
                                           encoding=None)
    try:
        chan.write(f"cd {tmp_path}; PS1='$ ' exec sh\r".encode())
        chan.write(b"echo ready-$((6*7))\r")
        await asyncio.wait_for(seen.shows(b"ready-42\r\n$ "), 20)
        mark = world.bastion.output.mark()
        chan.pause_reading()  # no more window for the bastion
        chan.write(b"yes abcdefgh | head -c 8000000\r")  # more than every buffer on the way holds
        await asyncio.to_thread(world.bastion.output.wait_for, "the client stopped taking output",
                                start=mark)
        start = len(seen.data)
        chan.write(b"eval \"$(printf 'touch can%s' ary)\"\r")
        await asyncio.to_thread(world.bastion.output.wait_for, "a line waits for its echo",
                                start=mark)
        await asyncio.sleep(gate.ECHO_WAIT + 1)  # the attack: let the echo wait run out
        chan.resume_reading()
        # Read once the output flowed: the echo came inside the rest of it, so the line is not
        # where it was typed; uncertain, refused (a line that is plain to read would be judged).
        refused = b"denied: the command line could not be read"
        await asyncio.wait_for(seen.shows(refused), 60)
        chan.write(b"echo back-$((6*7))\r")
        await asyncio.wait_for(seen.shows(b"back-42\r\n$ "), 20)
    finally:
        conn.close()
    assert refused in seen.data[start:]
    assert not (tmp_path / "canary").exists()
    refusal = audit_events(world, "command.verdict")[-2]
    assert (refusal["rule"], refusal["verdict"]) == ("defaults.uncertain", "deny")
    assert not [e for e in audit_events(world, "command.typed_blind")
                if e["session"] == refusal["session"]]


# A stand-in for vim killed by SIGKILL: the alternate screen on, the terminal raw, no restore.
KILLED_FULL_SCREEN = (b"python3 -c 'import os,sys,tty;sys.stdout.write(\"\\033[?1049h\\033[H\\033[2J"
                      b"FULL-SCREEN\");sys.stdout.flush();tty.setraw(0);os.kill(os.getpid(),9)'")


@pytest.mark.parametrize("ps1", [b"'D$ '", b"$'\\e[?2004hD$ '"], ids=["dash", "dash-faking-readline"])
def test_keys_behind_a_killed_full_screen_program_are_judged_in_dash(world, tmp_path, ps1):
    # Attack V, finding 1: the program died with the alternate screen on and the echo off, and
    # dash read `touch canary #` Ctrl-J: the keys were taken for the program's, never judged.
    # Attack Y, finding 7: the same where dash's prompt prints bash's readline marker (?2004h),
    # which made the program's line look read by readline.
    term = shell(world, tmp_path)
    term.run_line(b"PS1=" + ps1 + b" sh\r", rb"D\$ ")
    start = len(term.buffer)
    term.send(KILLED_FULL_SCREEN + b"\r")
    term.expect(rb"D\$ ", start=term.expect(b"FULL-SCREEN", start=start))
    start = len(term.buffer)
    term.send(b"touch canary #\n")  # Ctrl-J: the raw terminal has no CR to NL
    term.expect(rb"denied: keys typed without echo[^\n]*no-canary", start=start)
    start = len(term.buffer)
    term.send(b"\n")  # what the refusal may have left in dash's input is judged in front
    term.expect(rb"denied: keys a refused line may have left[^\n]*no-canary", start=start)
    assert not (tmp_path / "canary").exists()
    term.proc.terminate()
    term.wait()


# Inline code turning the echo and the kill key off, as attack V did.
NO_ECHO_NO_KILL = (b"python3 -c 'import termios as t;a=t.tcgetattr(0);a[3]&=~t.ECHO;"
                   b"a[6][t.VKILL]=bytes(1);t.tcsetattr(0,0,a)'")


def test_a_refused_line_no_screen_showed_is_never_handed_over_by_the_bastions_own_keys(
        world, tmp_path):
    # Attack V, finding 2: the cancel keys (Ctrl-E Ctrl-U) stayed in dash's line as data, and
    # the screen, showing nothing either way, seemed to show the line gone: the bastion's own
    # Enter ran `touch canary #^E^U`.
    term = shell(world, tmp_path)
    term.run_line(b"PS1='D$ ' sh\r", rb"D\$ ")
    # Harmless output in the background: the screen answers after the cancel keys.
    term.run_line(b"(for i in $(seq 50); do printf '\\033[m'; sleep 0.2; done) &\r", rb"D\$ ")
    term.run_line(NO_ECHO_NO_KILL + b"\r", rb"D\$ ")
    start = len(term.buffer)
    term.send(b"touch canary #\r")
    # Not shown gone: the bastion interrupts instead of pressing Enter, and dash, whose
    # interrupt key still works, drops the line and draws its prompt again.
    term.expect(rb"D\$ ", start=term.expect(rb"\[bastion\] denied", start=start))
    assert not (tmp_path / "canary").exists()
    term.proc.terminate()
    term.wait()


ESC_ALONE = None  # wait until bash took the Esc alone (vi: the cursor moves left), past its timeout


@pytest.mark.parametrize(("vi", "line", "keys"), [
    (True, b"touch canary;", [b"\x1b", ESC_ALONE, b"\x8d"]),           # F1: Esc, then 0x8D (C-m)
    (True, b"#touch canary;", [b"\x1b", ESC_ALONE, b"1\x11#"]),        # F2: Ctrl-Q eaten (IXON)
    (True, b"#touch canary;", [b"\x1b", ESC_ALONE, b"\x1b[200~1#\x1b[201~"]),  # F3: vi paste
    (False, b"echo $(touch canary)", [b"\x18\x1b[200~\x1b\x05\x1b[201~"]),     # F4: C-x paste
    (False, b'ls "${x:-$(touch canary)}"/', [b"\x1b\x1b[A"]),                 # F5: M-Esc
], ids=["vi-esc-then-meta-enter", "vi-ctrl-q-eaten", "vi-command-mode-paste",
        "ctrl-x-then-paste", "esc-then-alt-up"])
def test_keys_readline_dispatches_otherwise_than_the_gate_cuts_them_are_judged(world, tmp_path,
                                                                              vi, line, keys):
    # attack o24i: bash 5.2 ran the refused line (or its substitution) with nothing judged
    term = shell(world, tmp_path)  # the target's locale: C (the bastion passes only LANG=C)
    if vi:
        term.run_line(b"set -o vi\r")
    start = len(term.buffer)
    term.send(line)
    term.expect(re.escape(line[-8:]), start=start)
    for chunk in keys:
        if chunk is ESC_ALONE:
            term.expect(rb"\x08", start=start)
        else:
            term.send(chunk)
    denied_and_nothing_ran(term, start, tmp_path)


@pytest.mark.parametrize(("locale", "line", "keys"), [
    (b"C", b"#touch canary;", b"\x1b[1#x"),    # F1: an escape sequence vi binds not: Esc, `1#`
    (b"C", b"touch canary;", b"f\xc3\x8d"),     # F2: `f` takes one byte, 0x8D is Enter
    (b"C.UTF-8", b"#touch canary;", b"\xf41#"),  # F3: a lead byte alone, then `1#`
], ids=["vi-unbound-csi", "vi-c-locale-char-argument", "vi-bad-utf8-in-command-mode"])
def test_vi_keys_readline_dispatches_byte_by_byte_are_judged(world, tmp_path, locale, line, keys):
    # attack q26i: bash 5.2 ran the refused line with nothing judged
    term = shell(world, tmp_path)
    term.run_line(b"set -o vi\r")
    term.run_line(b"export LC_ALL=" + locale + b"\r")
    start = len(term.buffer)
    term.send(line)
    term.expect(re.escape(line[-8:]), start=start)
    term.send(b"\x1b")
    term.expect(rb"\x08", start=start)  # bash took the Esc alone: command mode
    term.send(keys)
    denied_and_nothing_ran(term, start, tmp_path)


DEL5 = b"\x7f" * 5  # rubs out the `[200~` readline typed when it did not read a paste start


@pytest.mark.parametrize(("line", "keys"), [
    (b"touch canary", [b"\x1b[\x1b[200~" + DEL5 + b"\x0f\x1b[201~"]),  # F1: ESC [, then a paste
    # F2: an isearch the ESC ends alone (bash redraws the line), then the rest of a paste start
    (b"touch canary", [b"\x12", re.compile(rb"search\)"), b"\x1b",
                       re.compile(rb"READY> touch canary"), b"[200~" + DEL5 + b"\x0f\x1b[201~"]),
    (b"echo $(touch canary)", [b"\x1b\xc3\x85"]),  # F3 (C locale): a bell, then 0x85: M-C-e
    # F4: Ctrl-C inside a paste; the line typed at the prompt bash draws after it
    (b"", [b"\x1b[200~x\x03", re.compile(rb"\^C[\s\S]*READY> "), b"touch canary\x0f"]),
    # attack u30i, F1: completion's question (y or n) or its --More-- pager reads keys itself:
    # the paste start is bells, `n`/`q` answers, the rest typed keys (M-1 M-#: uncomment, run)
    (b"", [b"\t\t\x1b[200~n#touch canary\x1b1\x1b#\x1b[201~"]),
    (b"#touch canary # /usr/bin/", [b"\x1b=", re.compile(rb"possibilities"),
                                   b"\x1b[200~yq\x1b1\x1b#\x1b[201~"]),
    # attack v31i, F1: under M-- 2, Ctrl-V quotes `x` and the paste start's ESC: the body is keys
    (b"#touch canary #", [b"\x1b-2\x16x\x1b[200~\x1b1\x1b#\x1b[201~"]),
    # attack v31i, F3: a prompt that extends the learned one with `#` (judged without it too)
    (b"", [b"PS1='READY> #'\r", re.compile(rb"\x1b\[\?2004hREADY> #"), b"touch canary\r"]),
    # attack v31i, F5: a comment in backquotes ends at the closing one: the line runs at once
    (b"echo `touch canary #`", [b"\r"]),
], ids=["unfinished-csi-then-paste", "isearch-esc-alone-then-paste", "esc-then-a-character",
        "ctrl-c-inside-a-paste", "completion-question-then-paste", "completion-pager-then-paste",
        "negative-argument-quoted-insert-then-paste", "prompt-extending-a-learned-one",
        "comment-ended-by-a-backquote"])
def test_a_paste_start_readline_does_not_read_as_one_is_keys_each_judged(world, tmp_path, line,
                                                                         keys):
    # attack s28i: bash 5.2 ran the refused line (or its substitution) with nothing judged; a
    # bytes chunk is sent, a pattern waited for (what bash drew once it took the keys before)
    term = shell(world, tmp_path)  # the target's locale: C (the bastion passes only LANG=C)
    start = len(term.buffer)
    if line:
        term.send(line)
        term.expect(re.escape(line[-8:]), start=start)
    for chunk in keys:
        if isinstance(chunk, re.Pattern):
            term.expect(chunk.pattern, start=start)
        else:
            term.send(chunk)
    term.expect(PROMPT, start=term.expect(rb"\[bastion\] denied", start=start))
    alive(term)
    assert not (tmp_path / "canary").exists()


def test_honest_pastes_after_arrows_a_search_or_ctrl_c_are_pastes(world, tmp_path):
    # s28i's cost is none here: a paste after arrow keys, after a search left with Ctrl-E,
    # after Ctrl-C at the prompt; a search then Enter
    term = shell(world, tmp_path)
    out = term.run_line(b"echo one-\x1b[D\x1b[D\x1b[C\x1b[C\x1b[200~$((1+1))\x1b[201~\r")
    assert b"one-2" in out and b"denied" not in out
    term.send(b"\x12one-")
    term.expect(rb"-': echo \x1b\[7mone-")  # readline draws the search one key at a time
    out = term.run_line(b"\x05\x1b[200~x\x1b[201~\r")
    assert b"one-2x" in out and b"denied" not in out
    # Ctrl-C: readline reads again once it shows ?2004h. bash 5.2 may leave its new prompt
    # undrawn when the interrupt lands within a moment of the keys before it (seen under load;
    # gate._refuse waits for the same reason), so the paste follows readline, not the prompt.
    start = len(term.buffer)
    term.send(b"\x03")
    term.expect(rb"\^C\x1b\[\?2004l\r\x1b\[\?2004h", start=start)
    out = term.run_line(b"\x1b[200~echo three-$((1+2))\x1b[201~\r",
                        rb"three-3\r\n(?:.|\n)*?\x1b\[\?2004hREADY> ")
    assert b"three-3" in out and b"denied" not in out
    term.send(b"\x12three")
    term.expect(rb"e': echo \x1b\[7mthree")
    out = term.run_line(b"\r")
    assert b"three-3" in out and b"denied" not in out
