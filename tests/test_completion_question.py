"""Readline states that read keys outside its dispatch, replayed from what a real bash 5.2 sent.

Attack u30i, finding 1: completion's "Display all N possibilities? (y or n)" question and its
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

from bastion.command_control.policy import is_complete
from bastion.command_control.terminal import CommandLineTracker, Pause, Submit
from tests.rows import each
from tests.test_forged_markers import judged

FIXTURE = json.loads((Path(__file__).parent / "fixtures" / "completion_question.json").read_text())


class _Shell:  # what `judged` reads
    def __init__(self, tracker: CommandLineTracker) -> None:
        self.tracker = tracker


def replay(trace: list[list[str]]) -> list[tuple[str, str, bool, str]]:
    """Each judge point the gate takes: (how, line, certain, verdict). The trace is in the
    order it happened; a Pause takes the answer next in it, if an answer is next. Stops at the
    first judge point the policy refuses, as the gate cancels it (what bash answered after
    that is moot)."""
    t = CommandLineTracker(80, 24, is_complete=is_complete, erase=0x7F)
    items = [(kind, bytes.fromhex(h)) for kind, h in trace if kind in ("in", "out")]
    taken: list[tuple[str, str, bool, str]] = []
    at = 0
    while at < len(items):
        kind, data = items[at]
        at += 1
        if kind == "out":
            t.feed_output(data)
            continue
        while data:
            segs, data = t.feed_input(data), b""
            for s in segs:
                if isinstance(s, Pause):
                    if at < len(items) and items[at][0] == "out":
                        t.feed_output(items[at][1])
                        at += 1
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


def _trace(*steps: tuple[str, bytes]) -> list[list[str]]:
    return [[kind, data.hex()] for kind, data in steps]


@each("name", sorted(FIXTURE["attack"]))
def test_a_paste_at_completions_question_or_pager_is_keys_never_certain(name):
    taken = replay(FIXTURE["attack"][name])
    assert taken, f"{name}: nothing judged (the paste's keys ran as text)"
    _how, _line, certain, verdict = taken[-1]
    assert verdict != "allow", (name, taken)
    assert not certain, (name, taken)


@each(("name", "line"), [
    ("unique", "echo abcdef xyz"),      # Tab completes one name, then a paste
    ("list", "echo ab1"),               # Tab Tab lists two, the line is redrawn, then a paste
    ("more", "echo ff00"),              # the pager, left with `q`, then a paste
    ("question_n", "echo /usr/bin/ls"),  # the question answered `n`, then a paste
])
def test_a_paste_after_completion_on_the_same_line_is_held_as_uncertain(name, line):
    # the honest cost (SECURITY.md): the screen is no witness that readline left a listing's
    # question (attack w32i), so the line is judged, and never certain: the uncertain action
    assert replay(FIXTURE["honest"][name]) == [("accept", line, False, "deny")]


def test_a_line_that_ran_ends_the_doubt_a_paste_on_the_next_is_a_paste():
    prompt = b"\x1b[?2004hbob@web01:~$ "
    trace = _trace(("out", b"Last login: x\r\n" + prompt), ("in", b"echo ab"), ("out", b"echo ab"),
                   ("in", b"\t"), ("out", b"cdef "), ("in", b"\r"),
                   ("out", b"\r\n\x1b[?2004l\rabcdef\r\n" + prompt),
                   ("in", b"\x1b[200~echo x\x1b[201~"), ("out", b"echo x"), ("in", b"\r"))
    assert replay(trace) == [("accept", "echo abcdef", True, "allow"), ("accept", "echo x", True, "allow")]


ARGUMENTS = json.loads((Path(__file__).parent / "fixtures" / "readline_arguments.json").read_text())


@each("name", sorted(n for n in ARGUMENTS if n.startswith("1_")))
def test_a_quoted_insert_under_a_numeric_argument_leaves_pastes_keys(name):
    # attack v31i, F1: `M-- 2 Ctrl-V x` quotes `x` and the paste start's ESC; the paste's body
    # is typed keys (M-1 M-#, M-Esc on a `$( )` word; Insert under Debian's inputrc)
    taken = replay(ARGUMENTS[name])
    assert taken and not taken[-1][2] and taken[-1][3] != "allow", taken


@each("name", sorted(n for n in ARGUMENTS if n.startswith("2_")))
def test_macro_keys_with_a_numeric_argument_are_judged_as_the_macro(name):
    # attack v31i, F2: `M-2 C-x )` ends the definition and runs the macro once; `M-1 C-x (`
    # replays the last macro first (a macro of M-Esc on a `$( )` word, or of an Enter)
    taken = replay(ARGUMENTS[name])
    assert taken[-1][0] == "macro" and taken[-1][3] != "allow", taken


LINE = b"#systemctl stop auditd # ff"
PASTE = b"\x1b[200~q\x1b1\x1b#\x1b[201~"


@each("answer", [
    b"\r\n",                                  # the listing's first row not written yet
    b"\r\nff00_" + b"x" * 20 + b"  ff01_xx",  # a row half written (bash writes a name at a time)
    b"\r\n--More--",                          # the pager
    b"\r\nDisplay all 1062 possibilities? (y or n)",
], ids=["nothing-yet", "half-a-row", "pager", "question"])
def test_a_listing_not_known_to_be_over_makes_a_paste_keys(answer):
    # written by hand: what bash may have sent when the paste start is read (the answer to the
    # listing key in pieces, or the question or pager waiting)
    trace = _trace(("out", b"Last login: x\r\n\x1b[?2004hbob@web01:~$ "), ("in", LINE),
                   ("out", LINE), ("in", b"\t"), ("out", b"\x07"), ("in", b"\t"),
                   ("out", answer), ("in", PASTE))
    taken = replay(trace)
    assert taken and not taken[-1][2] and taken[-1][3] != "allow", taken


@each("keys", [
    [b"\xc7\xb1", b"\xc7\xb1"],  # a C locale: M-G M-1 (one UTF-8 character to the gate), twice
    [b"\xc6\xad2\x16x"],         # a C locale: M-F M-- (one character), 2, Ctrl-V x
], ids=["meta-listing-inside-a-character", "meta-argument-inside-a-character"])
def test_meta_keys_inside_a_utf8_character_are_read_as_a_c_locale_reads_them(keys):
    # attack x33i, findings 5 and 6: written by hand from what bash 5.2 sent in a C locale
    prompt = b"Last login: x\r\n\x1b[?2004hbob@web01:~$ "
    steps = [("out", prompt), ("in", b"#systemctl stop auditd #"), ("out", b"#systemctl stop auditd #")]
    for key in keys:
        steps += [("in", key), ("out", b"\x07")]
    steps += [("in", b"\x1b[200~n\x1b1\x1b#\x1b[201~")]
    taken = replay(_trace(*steps))
    assert taken and not taken[-1][2] and taken[-1][3] != "allow", taken
