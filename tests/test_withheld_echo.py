"""Keys typed while the bastion does not read the target's output (attack N, finding 5): the
client takes no output, so the proxy stops reading the target, and the echo of keys typed
meanwhile is withheld, not missing. Each test is a transition of the tracker's withheld state
(`CommandLineTracker.output_withheld`): withheld, flowing again, withheld again.
"""

from __future__ import annotations

from tests.rows import each
from tests.test_blind_reader import ATTACK, bash, dash, line
from tests.test_terminal import Shell


def running_output(tail: bytes) -> Shell:
    """dash running a command whose output stopped at `tail` (the client stopped reading)."""
    sh = dash()
    line(sh, "yes abcdefgh | head -c 20000000", b"abcdefgh\r\nabcdefgh\r\n" + tail)
    return sh


@each(("tail", "prompt"), [(b"ab", "ab"), (b"Password:", "Password:")],
                         ids=["any-prompt", "password-prompt"])
def test_keys_whose_echo_is_withheld_are_never_a_secret_until_the_output_flows(tail, prompt):
    sh = running_output(tail)
    sh.tracker.output_withheld(True)
    sh.keys(ATTACK + b"\r")
    rec = sh.tracker.reconstruct()
    assert (rec.kind, rec.certain, rec.hidden) == ("blind", False, "")  # refused if read now
    assert "withheld" in rec.reason and not sh.tracker.echo_settled()  # the gate waits
    sh.tracker.output_withheld(False)  # flowing, and still no echo: keys typed without it
    rec = sh.tracker.reconstruct()
    assert (rec.kind, rec.prompt, rec.hidden) == ("not-a-command", prompt, ATTACK.decode())
    sh.tracker.output_withheld(True)  # withheld again: the conclusion is withdrawn
    assert sh.tracker.reconstruct().kind == "blind"


def test_keys_whose_echo_comes_once_the_output_flows_are_read_as_the_screen_shows_them():
    sh = running_output(b"ab")
    sh.tracker.output_withheld(True)
    sh.keys(ATTACK + b"\r")
    sh.tracker.output_withheld(False)
    sh.out(b"cdefgh\r\n" + ATTACK + b"abcdefgh\r\n")  # the echo, inside the rest of the output
    rec = sh.tracker.reconstruct()
    assert (rec.kind, rec.certain, rec.hidden) == ("command", False, "")


def test_a_line_read_off_the_screen_after_history_is_uncertain_while_output_is_withheld():
    # Keys the model does not follow (Up) are read from the screen once the target answered: an
    # answer cut short by withheld output is not all of it.
    sh = bash()
    sh.run("echo one")
    sh.keys(b"\x1b[A")
    sh.tracker.output_withheld(True)
    sh.out(b"echo o")  # the rest of readline's redraw is withheld
    sh.keys(b"\r")
    rec = sh.tracker.reconstruct()
    assert (rec.text, rec.certain, "withheld" in rec.reason) == ("echo o", False, True)
    sh.tracker.output_withheld(False)
    sh.out(b"ne")
    rec = sh.tracker.reconstruct()
    assert (rec.kind, rec.text, rec.certain) == ("command", "echo one", True)


@each("keys", [b"\x13" + ATTACK + b"\r", b"\x13\r"], ids=["same-line", "own-line"])
def test_keys_after_the_clients_own_ctrl_s_are_never_a_secret(keys):
    # Ctrl-S (IXON) stops the target's output at its terminal: the same withheld echo, by the
    # client's own key. The line that holds it is not read with confidence, nor the next one.
    sh = running_output(b"ab")
    sh.keys(keys)
    rec = sh.tracker.reconstruct()
    assert (rec.kind, rec.certain, rec.hidden) == ("command", False, "")
    if keys == b"\x13\r":
        sh.send()
        sh.keys(ATTACK + b"\r")
        rec = sh.tracker.reconstruct()
        assert (rec.certain, rec.hidden) == (False, "")
