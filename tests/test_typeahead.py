"""The interactive gate's line reading in breadth: real programs' recorded output replayed at
three typing speeds (tests/terminal_replay.py), and the type-ahead queue's rules one by one.

The corpus of ordinary sessions (pagers, editors, monitors, completion, history, pastes,
`read`, a REPL, vi mode, scripts typed ahead) must be read line by line with nothing denied;
slow typing must never wait for a timer or an echo timeout (issue 13 items 1 to 3). The
readline keys that run a line or code without Enter must each be judged (issue 12 finding 3).
"""

from __future__ import annotations

from bastion.command_control.policy import evaluate
from bastion.command_control.terminal import CommandLineTracker, KeystrokeRedactor, Redacted
from bastion.command_control.typeahead import (
    EXIT_REFUSED,
    MAX_QUEUED,
    Decide,
    End,
    Send,
    SendEof,
    TypeAhead,
    Wait,
)
from tests.rows import each
from tests.terminal_replay import (
    SPEEDS,
    Replay,
    default_policy,
    fixture_names,
    load,
    replay,
    replayable,
)

BYPASS_KEYS = {  # fixture: (what readline does with the key, the line it runs)
    "key_edit_and_execute": ("edit", "xouch canary"),
    "key_vi_edit": ("edit", "xouch canary"),
    "key_insert_comment": ("comment", "touch canary"),
    "key_vi_comment": ("comment", "touch canary"),
    "key_shell_expand": ("expand", "echo $(touch canary)"),
    "key_operate": ("accept", "touch canary"),
    "key_meta_expand": ("expand", "echo $(touch canary)"),  # attack D: byte 0x85 in a C locale
    "key_vi_change_no_motion": ("edit", "xouch canary"),  # attack D: `c q` stays in command mode
}
# Attacks through keys the user binds: the backstop's (and the policy's, for the `bind` line).
UNJUDGED = {"bound_accept_line", "bound_macro", "key_vi_inputrc", "bound_after_esc_enter",
            "bound_command"}
UNCERTAIN = {"tty_raw_backspace"}  # lines a gate must not be sure of (attack D)
CORPUS = [name for name in fixture_names()
          if name not in BYPASS_KEYS and name not in UNJUDGED and name not in UNCERTAIN]
RUNS = [(name, speed) for name in CORPUS for speed in SPEEDS if replayable(load(name), speed)]


_replays: dict[tuple[str, str], Replay] = {}


def default_policy_action(line: str) -> str:
    return evaluate(default_policy(), line, role="engineer", target="web01").action


def replayed(name: str, speed: str) -> Replay:
    if (name, speed) not in _replays:
        _replays[name, speed] = replay(load(name), speed)  # raises on a verdict but allow/alert
    return _replays[name, speed]


@each(("name", "speed"), RUNS)
def test_ordinary_sessions_are_read_line_by_line_and_nothing_is_denied(name, speed):
    fixture = load(name)
    result = replayed(name, speed)
    expected = [line for line in fixture["judged"] if line is not None]
    assert [line for line in result.commands if line is not None] == expected
    assert all(r.certain for r in result.judged), result.judged
    assert result.unjudged == []
    if speed == "slow":
        # A person's keys never wait for a timer, nor a line for an echo timeout.
        assert (result.held_by_timer, result.echo_timeouts) == (0, 0)


def test_corpus_size_and_false_positive_rate():
    """The numbers for the closing note: sessions, lines judged, lines denied."""
    lines = denied = 0
    for name, speed in RUNS:
        result = replayed(name, speed)
        lines += len(result.judged)
        denied += sum(v not in ("allow", "alert") for v in result.verdicts)
    assert len(CORPUS) >= 25 and lines >= 200
    assert denied == 0, f"{denied} of {lines} lines denied"


@each("speed", SPEEDS)
@each("name", sorted(BYPASS_KEYS))
def test_readline_keys_that_run_a_line_are_judged_before_they_reach_the_shell(name, speed):
    how, line = BYPASS_KEYS[name]
    result = replay(load(name), speed, judge=lambda rec: "allow")
    seen = list(zip(result.hows, result.commands, strict=True))
    assert (how, line) in seen, seen
    judged = result.judged[result.commands.index(line)]
    # After `c q` readline answers nothing: the line is then read as not answered (uncertain).
    assert judged.certain or name == "key_vi_change_no_motion"
    # The editor, not the line, decides what edit-and-execute runs: the policy's `unknown`.
    assert bool(judged.unknown) == (how == "edit")
    assert result.unjudged == []


@each("speed", SPEEDS)
@each("name", ["bound_accept_line", "bound_macro", "bound_after_esc_enter"])
def test_a_line_run_by_a_key_the_user_bound_is_seen_after_the_fact(name, speed):
    # bound_after_esc_enter: Esc Enter was judged first, but readline (emacs mode, M-C-m
    # unbound) accepted nothing: that judgement explains no later line end (attack D).
    result = replay(load(name), speed, judge=lambda rec: "allow")
    assert result.unjudged == ["touch canary"]


@each("speed", SPEEDS)
def test_vi_mode_set_in_an_inputrc_is_followed_once_an_esc_shows_it(speed):
    # A person pauses after Esc: readline answers it (vi moves the cursor back), which shows
    # vi mode, and the `#` after it is judged. In a burst it cannot show: the backstop sees.
    result = replay(load("key_vi_inputrc"), speed, judge=lambda rec: "allow")
    if speed == "slow":
        assert list(zip(result.hows, result.commands, strict=True)) == [("comment", "touch canary")]
        assert result.unjudged == []
    else:
        assert result.hows == [] and len(result.unjudged) == 1


@each("speed", SPEEDS)
def test_a_line_the_tty_edits_otherwise_than_its_raw_echo_shows_is_never_certain(speed):
    # sh with stty -echoctl: each Ctrl-H is data for the tty (its erase key is DEL), echoed raw
    # it moves the cursor back; `echo safe line` covers `touch canary;#`, which sh runs.
    result = replay(load("tty_raw_backspace"), speed, judge=lambda rec: "allow")
    judged = dict(zip(result.commands, result.judged, strict=True))
    assert judged["echo safe line"].certain is False
    assert judged["stty -echoctl"].certain and judged["exit"].certain


def test_bind_x_runs_a_command_without_ending_a_line_so_the_backstop_cannot_see_it():
    # Documented in SECURITY.md: `bind -x` is the policy's business (the line that binds it,
    # held as unknown: attack D, finding 3); the backstop sees nothing of it.
    for speed in SPEEDS:
        result = replay(load("bound_command"), speed, judge=lambda rec: "allow")
        assert result.unjudged == []
        assert default_policy_action(result.commands[0]) == "confirm"


# -- the queue's rules ----------------------------------------------------------------------------

PROMPT = b"\x1b[?2004hbob@web01:~$ "
ENTER = b"\r\n\x1b[?2004l\r"


def queue(prompt: bool = True) -> TypeAhead:
    ta = TypeAhead(CommandLineTracker(80, 24))
    if prompt:
        ta.output(PROMPT)
    return ta


def drain(ta: TypeAhead) -> list:
    """Steps until the queue waits for something (output, a verdict, time)."""
    steps = []
    while (step := ta.next()) is not None:
        steps.append(step)
        if isinstance(step, (Wait, Decide, End)):
            break
    return steps


def sent(steps: list) -> bytes:
    return b"".join(s.data for s in steps if isinstance(s, Send))


def test_keys_before_the_first_prompt_wait_for_it_and_are_read_after_it():
    ta = queue(prompt=False)
    ta.client(b"echo early\r")
    assert drain(ta) == [Wait(0.5)]  # nothing came back yet
    ta.output(PROMPT)
    steps = drain(ta)
    assert sent(steps) == b"echo early" and isinstance(steps[-1], Decide)
    ta.output(b"echo early")
    assert ta.tracker.echo_settled()
    rec = ta.tracker.reconstruct()
    assert (rec.text, rec.certain) == ("echo early", True)


def test_a_line_typed_ahead_waits_until_the_shell_reads_a_new_line():
    ta = queue()
    ta.client(b"sleep 1\recho next\r")
    steps = drain(ta)
    assert sent(steps) == b"sleep 1"
    ta.output(b"sleep 1")
    assert ta.allowed() == b"\r"
    ta.output(ENTER)
    assert drain(ta) == [Wait(0.25)]  # bash runs sleep: the next line waits
    ta.output(PROMPT)
    assert sent(drain(ta)) == b"echo next"


def test_a_line_for_a_program_that_announces_nothing_goes_once_its_output_pauses():
    ta = queue()
    ta.client(b"read x\rbob\r")
    drain(ta)
    ta.output(b"read x")
    ta.allowed()
    ta.output(ENTER)
    assert drain(ta) == [Wait(0.25)]
    ta.timer()  # `read` prints nothing more: the screen has settled
    assert sent(drain(ta)) == b"bob"
    assert ta.held_by_timer == 1


def test_keys_after_one_the_model_does_not_follow_wait_for_the_answer():
    ta = queue()
    ta.client(b"ls /etc/ssh/ss\t\t")
    assert sent(drain(ta)) == b"ls /etc/ssh/ss\t"  # the second Tab waits
    ta.output(b"ls /etc/ssh/ss")
    ta.output(b"h")
    assert drain(ta) == [Wait(0.05)]
    ta.timer()
    assert sent(drain(ta)) == b"\t"


@each("key", [b"\x03", b"\x1a", b"\x1c"])
def test_interrupt_keys_go_at_once_and_empty_the_queue(key):
    ta = queue()
    ta.client(b"sleep 9\r")
    drain(ta)
    ta.output(b"sleep 9")
    ta.allowed()
    ta.output(ENTER)  # bash runs sleep: the keys go to the terminal driver
    assert ta.client(b"echo a\recho b\r" + key + b"echo c\r") is True
    assert drain(ta)[0] == Send(key)  # before anything held, and nothing held is sent
    ta.output(b"^C" + ENTER + PROMPT)
    assert sent(drain(ta)) == b"echo c"


@each("key", [b"\x1a", b"\x1c"])
def test_signal_keys_bash_ignores_at_its_prompt_neither_drop_nor_end_the_line(key):
    # Attack D finding 3: bash ignores SIGTSTP and SIGQUIT while readline reads; the line stays.
    ta = queue()
    assert ta.client(b"touch can" + key + b"ary\r") is False
    steps = drain(ta)
    assert sent(steps) == b"touch can" + key + b"ary" and isinstance(steps[-1], Decide)
    ta.output(b"touch canary")
    rec = ta.tracker.reconstruct()
    assert (rec.text, rec.certain) == ("touch canary", True)
    ta.abandoned()
    # A held line: the key is not an interrupt that would drop it either.
    ta.client(b"mkdir held\r")
    drain(ta)
    assert ta.client(key) is False


def test_keys_and_the_interrupt_typed_after_them_go_in_one_write():
    # Split in two, bash (5.2) may take the Ctrl-C while reading the keys and show no prompt.
    ta = queue()
    ta.client(b"touch can\x03")
    assert drain(ta)[0] == Send(b"touch can\x03")


def test_keys_typed_at_a_prompt_the_shell_already_showed_are_not_held():
    ta = queue()
    ta.client(b"ls\r")
    drain(ta)
    ta.output(b"ls")
    ta.allowed()
    ta.output(ENTER + b"a\r\n" + PROMPT)  # the prompt is back before the gate looked again
    assert ta.client(b"touch can\x03") is False  # not an interrupt of held keys: typed after
    assert sent(drain(ta)) == b"touch can\x03"


def test_an_interrupt_abandons_a_line_awaiting_its_verdict():
    ta = queue()
    ta.client(b"mkdir held\r")
    drain(ta)
    assert ta.client(b"\x03") is True
    ta.abandoned()
    assert drain(ta)[0] == Send(b"\x03")


def test_ctrl_c_inside_a_bracketed_paste_is_text():
    ta = queue()
    ta.client(b"sleep 9\r")
    drain(ta)
    ta.output(b"sleep 9")
    ta.allowed()
    assert ta.client(b"\x1b[200~a\x03b\x1b[201~") is False


def test_a_refused_line_drops_the_lines_behind_it_and_says_how_many():
    ta = queue()
    ta.client(b"touch canary\recho a\recho b\rpartial")
    drain(ta)
    assert ta.refused() == 3
    assert ta.queued == 0 and not ta.ending


def test_a_refused_line_after_the_clients_eof_ends_the_session_with_126():
    ta = queue()
    ta.client(b"touch canary\recho after\r")
    ta.client_eof()
    drain(ta)
    assert ta.refused() == 1
    assert drain(ta) == [Wait(0.5)]  # what was sent before has its turn first
    ta.output(b"^C" + ENTER + PROMPT)
    assert drain(ta) == [End(EXIT_REFUSED)]


def test_the_clients_eof_reaches_the_target_only_after_the_queue():
    ta = queue()
    ta.client(b"echo hi\r")
    ta.client_eof()
    steps = drain(ta)
    assert not any(isinstance(s, SendEof) for s in steps)
    ta.output(b"echo hi")
    ta.allowed()
    ta.output(ENTER + b"hi\r\n")
    assert drain(ta) == [Wait(0.25)]
    ta.output(PROMPT)
    assert drain(ta) == [SendEof()]


def test_the_queue_is_bounded():
    ta = queue()
    ta.client(b"sleep 9\r")
    drain(ta)
    ta.output(b"sleep 9")
    ta.allowed()
    ta.client(b"x" * MAX_QUEUED)
    assert not ta.full
    ta.client(b"x")
    assert ta.full


# -- the echo rule on recorded output (issue 13 item 4) -------------------------------------------

def redact(name: str) -> list[bytes | str]:
    """A fixture's keys and output through the redactor, as the proxy feeds it (slow typing)."""
    fixture = load(name)
    tracker = CommandLineTracker(fixture["cols"], fixture["rows"])
    redactor = KeystrokeRedactor(tracker)
    out: list[bytes | str] = []
    for step in fixture["steps"]:
        out += redactor.feed_input(step["keys"].encode("latin-1"))
        for chunk in step["out"]:
            data = chunk.encode("latin-1")
            tracker.feed_output(data)
            out += redactor.feed_output(data)
    return out + redactor.flush()


@each(("name", "shown", "secret"), [
    ("vim", b"hello", "i"),                # vim's `i` is a command; the text is shown
    ("nano", b"hello nano", ""),
    ("less", b"echo XYZ", "q"),             # less's `q`
    ("top", b"echo XYZ", "q"),
    ("read_answers", b"bob", "hunter2"),    # the password read with -s
])
def test_keys_shown_on_the_screen_are_kept_and_only_unechoed_ones_are_secret(name, shown, secret):
    items = redact(name)
    clear = b"".join(i for i in items if isinstance(i, bytes))
    assert shown in clear
    hidden = "".join(i.keys for i in items if isinstance(i, Redacted))
    assert secret in hidden
    if len(secret) > 1:
        assert secret.encode() not in clear
