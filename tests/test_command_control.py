"""Command control end to end: a real bash behind a real sshd, typed at through the real ssh client.

The policy here guards harmless commands (touch and mkdir of canary paths) so that a failure of
the gate shows as a file that exists, never as damage."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.harness import LOGIN, World
from tests.harness import READY as PROMPT

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

POLICY = """
[defaults]
unmatched = "allow"
unknown = "confirm"
uncertain = "deny"
confirm_timeout = "10s"

[[rules]]
name = "no-canary"
action = "deny"
commands = ["touch"]
args = "canary"
message = "canaries are not touched"

[[rules]]
name = "held-mkdir"
action = "confirm"
commands = ["mkdir"]
args = "held"
message = "making held directories needs a supervisor"

[[rules]]
name = "flag-id"
action = "alert"
commands = ["id"]
"""


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    w = World(tmp_path_factory.mktemp("gate"), policy=POLICY)
    yield w
    w.close()


def _granted_alice(world):
    """alice, with a grant to web01 (made once per module: any test may run first)."""
    alice = world.person("alice")
    if not world.ctx.store.one("SELECT 1 FROM grants WHERE user = 'alice'"):
        world.grant(alice, duration=3600)
    return alice


def open_shell(world, folder):
    """An interactive bash through the bastion with a recognisable prompt, in `folder`."""
    alice = _granted_alice(world)
    term = alice.terminal(f"{LOGIN}@web01")
    # Type once the first prompt is on the screen, as a person does (keys typed before it wait
    # for it: tested below).
    term.prompt()
    pos = len(term.buffer)
    term.send(b"PS1='READ''Y> '\n")
    pos = term.expect(PROMPT, start=pos)
    term.send(f"cd {folder}\n".encode())
    term.expect(PROMPT, start=pos)
    term.tmp = folder
    return term


@pytest.fixture
def shell(world, tmp_path):
    term = open_shell(world, tmp_path)
    yield term
    term.send(b"exit\n")
    term.wait()


@pytest.fixture(scope="module")
def denied_shell(world, tmp_path_factory):
    """One session for the whole table of denied spellings: each row is a line typed at the
    same prompt (a login per row was most of the table's time). A row that let its canary
    through leaves it in the folder, so every later row fails as well."""
    term = open_shell(world, tmp_path_factory.mktemp("denied"))
    yield term
    term.send(b"exit\n")
    assert term.wait() == 0


@pytest.mark.parametrize("line", [
    "touch canary",
    "t'o'uch canary",
    '"touch" canary',
    "/usr/bin/touch canary",
    "echo hi; touch canary",
    "true && touch canary",
    "bash -c 'touch canary'",
    "sh -c \"echo x | xargs touch canary\"",
    "eval touch canary",
    "env FOO=1 nice touch canary",
    "find . -maxdepth 0 -exec touch canary \\;",
    "echo $(touch canary)",
    "(touch canary)",
])
def test_denied_commands_never_run(denied_shell, line):
    out = denied_shell.run_line(line.encode() + b"\r")
    assert b"denied: canaries are not touched" in out
    assert not (denied_shell.tmp / "canary").exists()
    assert b"after" in denied_shell.run_line(b"echo after\r")


def test_lines_typed_before_the_first_prompt_wait_for_it_and_are_judged(world, tmp_path):
    alice = _granted_alice(world)
    term = alice.terminal(f"{LOGIN}@web01")
    term.send(f"echo typed-early-$((6*7))\ntouch {tmp_path}/early-canary\n".encode())
    start = term.expect(rb"typed-early-42")
    term.prompt(start=term.expect(rb"denied: canaries are not touched", start=start))
    term.send(b"exit\n")
    term.wait()
    assert not (tmp_path / "early-canary").exists()


def test_benign_lines_mentioning_denied_words_run(shell):
    out = shell.run_line(b'echo "touch canary" > note.txt\r')
    assert b"denied" not in out
    assert (shell.tmp / "note.txt").read_text() == "touch canary\n"
    assert not (shell.tmp / "canary").exists()


def test_ctrl_c_then_a_denied_command_is_still_checked(shell):
    # Typed as a person does: bash 5.2, sent Ctrl-C just after drawing its prompt, sometimes takes
    # the interrupt and starts reading again without drawing a new prompt (seen under load: `^C`,
    # `?2004l`, `?2004h` and nothing after; the bastion sent exactly those bytes).
    start = len(shell.buffer)
    shell.send(b"touch can")
    shell.expect(rb"touch can", start=start)
    # What bash always prints after the interrupt is the sync point: its new prompt may come
    # after the next keys are typed (or, under load, never), so the next line waits for its
    # verdict, not for a prompt.
    shell.run_line(b"\x03", until=rb"\^C\x1b\[\?2004l\r\x1b\[\?2004h")
    shell.run_line(b"touch canary\r", until=rb"denied[^\n]*\n")
    shell.run_line(b"echo after-$((1+1))\r", until=rb"after-2")
    assert not (shell.tmp / "canary").exists()


def test_tab_completion_and_history_edits_are_read_from_the_screen(shell):
    out = shell.run_line(b"tou\tcanary\r")
    assert b"denied" in out and not (shell.tmp / "canary").exists()
    shell.run_line(b"echo canary\r")
    # Up recalls "echo canary"; Ctrl-A goes home; four Ctrl-D delete "echo"; type "touch"
    out = shell.run_line(b"\x1b[A\x01\x04\x04\x04\x04touch\r")
    assert b"denied" in out and not (shell.tmp / "canary").exists()


def test_multi_line_paste_is_gated_line_by_line(shell):
    start = len(shell.buffer)
    shell.send(b"echo one-$((0+1))\rtouch canary\recho three-$((1+2))\r")
    after_deny = shell.expect(rb"denied[^\n]*\n", start=start)
    shell.expect(PROMPT, start=after_deny)
    out = shell.buffer[start:]
    assert b"one-1" in out
    assert not (shell.tmp / "canary").exists()
    after = shell.run_line(b"echo alive\r")
    assert b"three-3" not in after and b"alive" in after


def test_continuation_lines_are_judged_as_one_statement(shell):
    shell.send(b"echo start && \\\r")
    shell.expect(rb"> ")
    start = len(shell.buffer)
    shell.send(b"touch canary\r")
    shell.expect(PROMPT, start=shell.expect(rb"denied: canaries", start=start))
    assert b"start" not in shell.buffer[start:].replace(b"echo start", b"")
    assert not (shell.tmp / "canary").exists()


def test_confirmed_command_runs_only_after_bastion_confirm(world, shell):
    start = len(shell.buffer)
    shell.send(b"mkdir held-dir\r")
    shell.expect(rb"held for a supervisor \((h\d+)\)", start=start)
    held_id = __import__("re").search(rb"\((h\d+)\)", shell.buffer[start:]).group(1).decode()
    assert not (shell.tmp / "held-dir").exists()
    listing = subprocess.run([sys.executable, "-m", "bastion", "--home", str(world.home.path),
                              "held"], capture_output=True, text=True, timeout=30)
    assert held_id in listing.stdout and "mkdir held-dir" in listing.stdout
    confirm = subprocess.run([sys.executable, "-m", "bastion", "--home", str(world.home.path),
                              "confirm", held_id], capture_output=True, text=True, timeout=30)
    assert confirm.returncode == 0, confirm.stderr
    shell.expect(rb"confirmed by local:", start=start)
    shell.expect(PROMPT, start=start + 10)
    assert (shell.tmp / "held-dir").is_dir()


def test_held_command_times_out_rejected(shell):
    start = len(shell.buffer)
    shell.send(b"mkdir held-late\r")
    notice = shell.expect(rb"expired[^\n]*", start=start)
    shell.expect(PROMPT, start=notice)
    assert b"no supervisor confirmed" in shell.buffer[start:]
    assert not (shell.tmp / "held-late").exists()


def test_ctrl_c_cancels_a_held_command(shell):
    start = len(shell.buffer)
    shell.send(b"mkdir held-cancel\r")
    shell.expect(rb"held for a supervisor", start=start)
    shell.send(b"\x03")
    notice = shell.expect(rb"cancelled", start=start)
    shell.expect(PROMPT, start=notice)
    assert not (shell.tmp / "held-cancel").exists()


def test_alert_lines_run_and_are_flagged(world, shell):
    out = shell.run_line(b"id -u\r")
    assert b"denied" not in out
    row = world.ctx.store.one("SELECT verdict, rule FROM commands WHERE line = 'id -u' "
                              "ORDER BY id DESC LIMIT 1")
    assert row == {"verdict": "alert", "rule": "flag-id"}


def test_exec_commands_are_judged_whole_before_anything_runs(world, tmp_path):
    alice = _granted_alice(world)
    canary = tmp_path / "canary"
    r = alice.run(f"{LOGIN}@web01", f"echo x; touch {canary}")
    assert r.returncode == 126
    assert b"denied: canaries are not touched" in r.stderr
    assert r.stdout == b"" and not canary.exists()


def test_stdin_of_a_shell_without_pty_is_judged_statement_by_statement(world, tmp_path):
    alice = _granted_alice(world)
    canary = tmp_path / "canary"
    script = f"echo first\ntouch {canary}\necho last\n".encode()
    r = alice.run(f"{LOGIN}@web01", extra=("-T",), input=script)
    assert b"first" in r.stdout and b"last" in r.stdout
    assert b"denied" in r.stderr and not canary.exists()
    r = alice.run(f"{LOGIN}@web01", "bash -s", input=f"touch {canary}\n".encode())
    assert b"denied" in r.stderr and not canary.exists()


def test_every_verdict_is_recorded_as_row_event_and_marker(world, shell):
    shell.run_line(b"touch canary\r")
    row = world.ctx.store.one("SELECT * FROM commands WHERE line = 'touch canary' "
                              "ORDER BY id DESC LIMIT 1")
    assert row["verdict"] == "deny" and row["rule"] == "no-canary"
    events = world.ctx.store.all("SELECT data FROM events WHERE type = 'command.verdict'")
    assert any('"line":"touch canary"' in e["data"] for e in events)


@pytest.mark.parametrize("how", ["typed", "pasted"])
def test_a_line_taller_than_the_window_is_read_from_the_rows_scrolled_away(shell, how):
    # 2,000 characters at 80x24 is 26 rows: the prompt has scrolled off when Enter comes.
    filler = "a" * 2000
    for line, ran in ((f"echo {filler} end$((1+1))", rb"end2\r\n"), (f"touch canary {filler}", None)):
        keys = line.encode()
        if how == "pasted":
            keys = b"\x1b[200~" + keys + b"\x1b[201~"
        out = shell.run_line(keys + b"\r", until=ran or rb"denied[^\n]*\n")
        if ran:
            assert b"denied" not in out
        else:
            assert b"canaries are not touched" in out
    assert not (shell.tmp / "canary").exists()

