"""Attack u30i, finding 1: completion's "Display all N possibilities? (y or n)" question and its
`--More--` pager read keys outside readline's dispatch, so a paste start sent there is bells and
the "paste" is typed keys (`n`, then M-1 M-#, vi's Esc v, M-Esc on a `$( )` word). The gate
must not read such a paste as text: its judge points are judged, never certain.

Replayed from what a real bash 5.2 sent (tests/fixtures/completion_question.json: recorded on a
pty, as nobody, each client chunk and each answer in order; `systemctl stop auditd` is refused
by the default policy). The honest rows are the same keys a person uses: Tab (unique, listing,
question answered `n`, pager left with `q`), then a paste, then Enter: one line, certain, run.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bastion.command_control.policy import is_complete
from bastion.command_control.terminal import CommandLineTracker, Pause, Submit
from tests.test_forged_markers import judged

FIXTURE = json.loads((Path(__file__).parent / "fixtures" / "completion_question.json").read_text())


class _Shell:  # what `judged` reads
    def __init__(self, tracker: CommandLineTracker) -> None:
        self.tracker = tracker


def replay(trace: list[list[str]]) -> list[tuple[str, str, bool, str]]:
    """Each judge point the gate takes: (how, line, certain, verdict). Stops at the first one
    the policy refuses, as the gate cancels it (what bash answered after that is moot)."""
    t = CommandLineTracker(80, 24, is_complete=is_complete, erase=0x7F)
    outs = [bytes.fromhex(h) for kind, h in trace if kind == "out"]
    steps = [(kind, bytes.fromhex(h)) for kind, h in trace]
    taken: list[tuple[str, str, bool, str]] = []
    fed = 0

    def next_out() -> None:
        nonlocal fed
        if fed < len(outs):
            t.feed_output(outs[fed])
            fed += 1

    for kind, data in steps:
        if kind == "out":
            if fed < len(outs) and outs[fed] == data:
                next_out()
            continue
        while data:
            segs, data = t.feed_input(data), b""
            for s in segs:
                if isinstance(s, Pause):
                    next_out()
                    data = s.rest
                elif isinstance(s, Submit):
                    rec = t.reconstruct()
                    v = judged(_Shell(t))
                    taken.append((s.how, rec.text, rec.certain, v))
                    if v != "allow":
                        return taken
                    t.resolve(sent=True)
                    data = s.rest
    return taken


@pytest.mark.parametrize("name", sorted(FIXTURE["attack"]))
def test_a_paste_at_completions_question_or_pager_is_keys_never_certain(name):
    taken = replay(FIXTURE["attack"][name])
    assert taken, f"{name}: nothing judged (the paste's keys ran as text)"
    _how, _line, certain, verdict = taken[-1]
    assert verdict != "allow", (name, taken)
    assert not certain, (name, taken)


@pytest.mark.parametrize(("name", "line"), [
    ("unique", "echo abcdef xyz"),      # Tab completes one name, then a paste
    ("list", "echo ab1"),               # Tab Tab lists two, the line is redrawn, then a paste
    ("more", "echo ff00"),              # the pager, left with `q`, then a paste
    ("question_n", "echo /usr/bin/ls"),  # the question answered `n`, then a paste
])
def test_honest_paste_after_completion_is_one_certain_line(name, line):
    assert replay(FIXTURE["honest"][name]) == [("accept", line, True, "allow")]


def _trace(*steps: tuple[str, bytes]) -> list[list[str]]:
    return [[kind, data.hex()] for kind, data in steps]


LINE = b"#systemctl stop auditd # ff"
PASTE = b"\x1b[200~q\x1b1\x1b#\x1b[201~"


@pytest.mark.parametrize("answer", [
    b"\r\n",                                  # the listing's first row not written yet
    b"\r\nff00_" + b"x" * 20 + b"  ff01_xx",  # a row half written (bash writes a name at a time)
    b"\r\n--More--",                          # the pager
    b"\r\nDisplay all 1062 possibilities? (y or n)",
], ids=["nothing-yet", "half-a-row", "pager", "question"])
def test_a_listing_not_known_to_be_over_makes_a_paste_keys(answer):
    # written by hand: what bash may have sent when the paste start is read (the answer to the
    # listing key in pieces); only the line redrawn where it stood makes the paste a paste
    trace = _trace(("out", b"Last login: x\r\n\x1b[?2004hbob@web01:~$ "), ("in", LINE),
                   ("out", LINE), ("in", b"\t"), ("out", b"\x07"), ("in", b"\t"),
                   ("out", answer), ("in", PASTE))
    taken = replay(trace)
    assert taken and not taken[-1][2] and taken[-1][3] != "allow", taken


def test_the_line_redrawn_where_it_stood_makes_a_paste_a_paste():
    trace = _trace(("out", b"Last login: x\r\n\x1b[?2004hbob@web01:~$ "), ("in", b"echo ff"),
                   ("out", b"echo ff"), ("in", b"\t"), ("out", b"\x07"), ("in", b"\t"),
                   ("out", b"\r\nff00_x  ff01_x\r\nbob@web01:~$ echo ff"),
                   ("in", b"\x1b[200~00_x\x1b[201~"), ("out", b"00_x"), ("in", b"\r"))
    assert replay(trace) == [("accept", "echo ff00_x", True, "allow")]
