"""Escape sequences and hidden characters never reach people: what a user typed is shown as text.

The attacks as an attacker makes them, against a real `bastion serve` and sshd: an exec command
that holds a carriage return, `ESC[2K`, a newline and a title sequence, read by a supervisor with
`bastion held`; a supervisor's deny reason built to fake a line in the requester's `status`; a
session that prints OSC 52 (clipboard) and terminal queries, replayed with `bastion replay`.
Around them, pure tests over every class of hidden character, every door that takes a reason,
every view of the console, and the replay filter's allowlist.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import shlex
import subprocess
import sys
import time
import unicodedata
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.text import Text

from bastion import audit, cli, recording
from bastion.access import grants, sessions, users
from bastion.control.commands import table
from bastion.control.protocol import ControlError
from bastion.recording import CastRecorder
from bastion.recording.escapes import ReplayFilter
from bastion.runtime.home import open_home
from bastion.ssh import commands
from bastion.ssh.auth import _BANNER_MAX_REASON
from bastion.text import (
    HIDDEN,
    MAX_REASON,
    TextError,
    VisibleFormatter,
    check_line,
    has_hidden,
    one_line,
    shown_command,
    visible,
)
from tests.conftest import set_server_key
from tests.harness import LOGIN, World
from tests.rows import each
from tui.app import SupervisorApp
from tui.dialogs import ActionDialog
from tui.tables import RecordTable, clip
from tui.terminal import HIDDEN_MARK, ScreenModel
from tui.watch import command_line

# ---------------------------------------------------------------- the hidden characters

# (class, a member, how `visible` spells it)
HIDDEN_CLASSES = [
    ("NUL", "\x00", "\\x00"),
    ("BEL", "\x07", "\\x07"),
    ("tab", "\t", "\\x09"),
    ("newline", "\n", "\\x0a"),
    ("carriage return", "\r", "\\x0d"),
    ("ESC", "\x1b", "\\x1b"),
    ("DEL", "\x7f", "\\x7f"),
    ("C1 NEL", "\x85", "\\x85"),
    ("C1 DCS", "\x90", "\\x90"),
    ("C1 CSI", "\x9b", "\\x9b"),
    ("C1 OSC", "\x9d", "\\x9d"),
    ("no-break space", "\u00a0", "\\xa0"),
    ("em space", "\u2003", "\\u2003"),
    ("ideographic space", "\u3000", "\\u3000"),
    ("soft hyphen", "\u00ad", "\\xad"),
    ("Arabic letter mark", "\u061c", "\\u061c"),
    ("Mongolian vowel separator", "\u180e", "\\u180e"),
    ("zero-width space", "\u200b", "\\u200b"),
    ("zero-width non-joiner", "\u200c", "\\u200c"),
    ("zero-width joiner", "\u200d", "\\u200d"),
    ("left-to-right mark", "\u200e", "\\u200e"),
    ("right-to-left mark", "\u200f", "\\u200f"),
    ("line separator", "\u2028", "\\u2028"),
    ("paragraph separator", "\u2029", "\\u2029"),
    ("LRE", "\u202a", "\\u202a"),
    ("RLE", "\u202b", "\\u202b"),
    ("PDF", "\u202c", "\\u202c"),
    ("LRO", "\u202d", "\\u202d"),
    ("RLO", "\u202e", "\\u202e"),
    ("word joiner", "\u2060", "\\u2060"),
    ("invisible times", "\u2062", "\\u2062"),
    ("LRI", "\u2066", "\\u2066"),
    ("RLI", "\u2067", "\\u2067"),
    ("FSI", "\u2068", "\\u2068"),
    ("PDI", "\u2069", "\\u2069"),
    ("inhibit symmetric swapping", "\u206a", "\\u206a"),
    ("byte-order mark", "\ufeff", "\\ufeff"),
    ("interlinear annotation", "\ufff9", "\\ufff9"),
    ("combining grapheme joiner", "\u034f", "\\u034f"),
    ("Hangul filler", "\u3164", "\\u3164"),
    ("Hangul choseong filler", "\u115f", "\\u115f"),
    ("variation selector 16", "\ufe0f", "\\ufe0f"),
    ("variation selector 17", "\U000e0100", "\\U000e0100"),
    ("tag latin capital A", "\U000e0041", "\\U000e0041"),
    ("cancel tag", "\U000e007f", "\\U000e007f"),
    ("musical symbol begin beam", "\U0001d173", "\\U0001d173"),
    ("lone surrogate", "\ud800", "\\ud800"),
    # attack a10o F4: default-ignorable, unassigned, private use and blank-looking points
    ("braille blank", "\u2800", "\\u2800"),
    ("Khmer inherent vowel", "\u17b4", "\\u17b4"),
    ("unassigned in the invisible operators", "\u2065", "\\u2065"),
    ("unassigned specials", "\ufff0", "\\ufff0"),
    ("unassigned tag plane", "\U000e0fff", "\\U000e0fff"),
    ("private use", "\ue000", "\\ue000"),
    ("supplementary private use", "\U00100000", "\\U00100000"),
]


@pytest.mark.parametrize(("name", "char", "spelled"), HIDDEN_CLASSES,
                         ids=[c[0] for c in HIDDEN_CLASSES])
def test_every_hidden_class_is_spelled_out_and_refused_in_a_reason(name, char, spelled):
    text = f"disk{char}full"
    assert has_hidden(text)
    assert visible(text) == f"disk{spelled}full"
    visible(text).encode("utf-8")  # always encodable, even a lone surrogate
    with pytest.raises(TextError, match=r"one line of plain text: character 5 is "):
        check_line(text, "reason")


@each(("typed", "shown"), [
    ("systemctl restart nginx" + "\u2800" * 400 + "; reboot",
     "systemctl restart nginx [400 blank or hidden: \\u2800] ; reboot"),
    ("ls" + "\u2800 " * 100 + "; reboot", "ls [200 blank or hidden: \\x20\\u2800] ; reboot"),
    ("ls" + " " * 1500 + "; reboot", "ls [1500 spaces] ; reboot"),
    ("ls\u200b\u200b\u200b; reboot", "ls\\u200b\\u200b\\u200b; reboot"),  # short runs spelled
    ("echo 日本語のテキスト ééééé", "echo 日本語のテキスト ééééé"),
])
def test_a_run_of_blank_or_hidden_characters_is_counted_not_shown(typed, shown):
    assert shown_command(typed, 80) == shown


def test_hidden_covers_every_control_format_separator_and_odd_space_of_this_python():
    # Unicode adds format characters over time: this fails when Python's database knows one
    # that HIDDEN does not, so the list is brought up to date rather than drifting.
    missing = [f"U+{code:04X}" for code in range(0x110000)
               if (unicodedata.category(chr(code)) in ("Cc", "Cf", "Zl", "Zp", "Cs")
                   or (unicodedata.category(chr(code)) == "Zs" and code != 0x20))
               and not HIDDEN.match(chr(code))]
    assert missing == []


@each("text", [
    "disk full on /var", "rm -rf /tmp/cache && echo 'done'", "Düsseldorf café, naïve",
    "日本語のテキスト", "שלום עולם", "مرحبا", "🔥 urgent", "a literal \\x1b stays as typed",
    "[black on black]markup is text[/]",
])
def test_plain_text_passes_unchanged(text):
    assert visible(text) == text and not has_hidden(text)
    assert check_line(text, "reason") == text


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(st.text())
def test_visible_output_is_plain_encodable_and_stable(text):
    shown = visible(text)
    assert not has_hidden(shown)
    shown.encode("utf-8")
    assert visible(shown) == shown


@each(("value", "problem"), [
    ("  disk full\n", None),                      # surrounding whitespace is only trimmed
    ("x" * MAX_REASON, None),
    ("x" * (MAX_REASON + 1), f"longer than {MAX_REASON} characters"),
    ("disk\x9b2Jfull", r"character 5 is \\x9b"),
    ("\u202eluf ksid", r"character 1 is \\u202e"),   # a bidi control is not whitespace
])
def test_check_line_trims_bounds_and_names_the_first_hidden_character(value, problem):
    if problem is None:
        assert check_line(value, "reason") == value.strip()
    else:
        with pytest.raises(TextError, match=problem):
            check_line(value, "reason")


def test_auth_banner_reason_spells_out_what_a_lock_reason_holds():
    # What auth.py puts in the banner: one_line(reason, _BANNER_MAX_REASON).
    line = one_line("user alice is locked: \x1b]0;owned\x07\x1b[2J\r\nbastion: access granted",
                    _BANNER_MAX_REASON)
    assert "\x1b" not in line and "\n" not in line and "\r" not in line
    assert line.startswith("user alice is locked: \\x1b]0;owned\\x07")
    assert len(one_line("x" * 1000, _BANNER_MAX_REASON)) == 200


@each(("text", "limit", "shown"), [
    ("scp: a\nb\tc", None, "scp: a b c"),
    ("  padded  ", None, "padded"),
    ("ls \x1b[2J\u202e", None, "ls \\x1b[2J\\u202e"),
    ("x" * 10, 5, "xxxx…"),
    ("x" * 5, 5, "xxxxx"),
])
def test_one_line_flattens_spells_out_and_cuts(text, limit, shown):
    assert one_line(text, limit) == shown
    assert "\n" not in one_line(text, limit) and not has_hidden(one_line(text, limit))


def test_server_log_lines_spell_out_what_clients_sent_and_keep_tracebacks_readable():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(VisibleFormatter("%(levelname)s %(message)s"))
    log = logging.getLogger("tests.display")
    log.addHandler(handler)
    log.propagate = False
    try:
        log.warning("refused %s", "root\x1b]0;t\x07\nERROR forged line")
        try:
            raise ValueError("bad \x1b[2J")
        except ValueError:
            log.exception("failed")
    finally:
        log.removeHandler(handler)
    lines = stream.getvalue().splitlines()
    assert lines[0] == "WARNING refused root\\x1b]0;t\\x07\\x0aERROR forged line"
    assert lines[1] == "ERROR failed" and lines[2].startswith("Traceback")
    assert lines[-1] == "ValueError: bad \\x1b[2J" and "\x1b" not in stream.getvalue()


# ---------------------------------------------------------------- every door that takes a reason

HOSTILE = "ok\x1b]0;owned\x07\x1b[2J\nrequest r1 approved: grant g1"


def _pending(ctx, user: str = "alice", login: str = "deploy") -> str:
    return grants.create_request(ctx.store, ctx.config, user, target="web01", login=login,
                                 ticket="INC-42", duration=1800, reason="disk full")["id"]


def _held(ctx) -> str:
    sid = sessions.create(ctx.store, user="alice", target="web01", login="deploy",
                          ticket="INC-42", grant_id=None, serial=None, client_addr="127.0.0.1")
    return sessions.hold(ctx.store, sid, "alice", "rm -rf /srv/old", "confirm-rm", 60)


def _session(ctx) -> str:
    return sessions.create(ctx.store, user="alice", target="web01", login="deploy",
                           ticket="INC-42", grant_id=None, serial=None, client_addr="127.0.0.1")


# Each domain function that stores a reason someone else reads: (name, how to call it with a
# reason, how to read back that nothing changed).
REASON_DOORS = {
    "deny": (lambda ctx, r: grants.deny(ctx.store, ctx.config, _pending(ctx), "sam", r),
             lambda ctx: ctx.store.one("SELECT count(*) AS n FROM requests WHERE state != 'pending'")),
    "approve": (lambda ctx, r: grants.approve(ctx.store, ctx.config, _pending(ctx), "sam", reason=r),
                lambda ctx: ctx.store.one("SELECT count(*) AS n FROM grants")),
    "revoke": (lambda ctx, r: grants.revoke(ctx.store, actor="sam", reason=r, user="alice"),
               lambda ctx: ctx.store.one("SELECT count(*) AS n FROM events "
                                         "WHERE type = 'revocation.requested'")),
    "lock": (lambda ctx, r: users.lock(ctx.store, "alice", r, "sam"),
             lambda ctx: ctx.store.one("SELECT locked AS n FROM users WHERE name = 'alice'")),
    "kill": (lambda ctx, r: sessions.request_kill(ctx.store, _session(ctx), "sam", r),
             lambda ctx: ctx.store.one("SELECT count(*) AS n FROM sessions "
                                       "WHERE kill_requested IS NOT NULL")),
    "reject": (lambda ctx, r: sessions.decide_held(ctx.store, ctx.config, _held(ctx), "sam",
                                                   confirm=False, reason=r),
               lambda ctx: ctx.store.one("SELECT count(*) AS n FROM held WHERE state != 'pending'")),
}


@pytest.mark.parametrize("door", sorted(REASON_DOORS))
@pytest.mark.parametrize("reason", [HOSTILE, "a" * (MAX_REASON + 1), "pay\u202eusr.exe",
                                    "x\x7fy", "\x9b31m", "\ud800"],
                         ids=["escapes", "long", "bidi", "DEL", "C1", "lone surrogate"])
def test_every_reason_is_refused_in_the_domain_and_audited(ctx, enrol, door, reason):
    enrol("alice")
    enrol("sam", "supervisor")
    act, changed = REASON_DOORS[door]
    before = changed(ctx)["n"]
    with pytest.raises(TextError, match=r"reason (must be one line|is longer than 500)"):
        act(ctx, reason)
    assert changed(ctx)["n"] == before
    refused = audit.recent(ctx.store, 1, "input.refused")[0]
    assert refused["actor"] == "sam" and refused["data"]["field"] == "reason"
    assert refused["data"]["value"] == visible(reason)[:2 * MAX_REASON]
    act(ctx, "a" * MAX_REASON)   # the limit itself is fine
    assert changed(ctx)["n"] == before + 1


@pytest.mark.parametrize(("field", "value"), [
    ("reason", "disk full\x7f"), ("reason", "disk \x9b2J full"), ("reason", "\u202efull disk"),
    ("ticket", "INC-42\u200b"), ("ticket", "INC-\x1b[8m42"), ("login", "deploy\x1b]0;x\x07"),
])
def test_a_request_holding_hidden_characters_is_refused_whatever_the_ticket_pattern(
        home, field, value):
    set_server_key(home, "ticket_pattern", '".*"')   # an admin's pattern that allows anything
    ctx = open_home(home)
    try:
        users.add(ctx.store, "alice", "engineer", None, "local:test")
        args = {"target": "web01", "login": "deploy", "ticket": "INC-42", "duration": 1800,
                "reason": "disk full", field: value}
        with pytest.raises(grants.GrantError, match=f"{field} must be one line of plain text"):
            grants.create_request(ctx.store, ctx.config, "alice", **args)
        assert ctx.store.one("SELECT count(*) AS n FROM requests")["n"] == 0
        assert audit.recent(ctx.store, 1, "request.refused")[0]["data"]["problem"].startswith(field)
    finally:
        ctx.close()


# ---------------------------------------------------------------- CLI tables and SSH lines

def test_a_table_cell_cannot_fake_rows_or_act_on_the_terminal():
    out = io.StringIO()
    table(out, [{"id": "h1", "command": "ls\r\x1b[2K\nh2  bob  rm -rf /\x1b]0;t\x07"},
                     {"id": "h3", "command": None}], ("id", "command"))
    lines = out.getvalue().splitlines()
    assert len(lines) == 3 and lines[0].startswith("ID")
    assert "\x1b" not in out.getvalue() and "\r" not in out.getvalue()
    assert lines[1] == "h1  ls\\x0d\\x1b[2K\\x0ah2  bob  rm -rf /\\x1b]0;t\\x07"
    assert lines[2].split() == ["h3", "-"]


def test_a_status_line_shows_a_hostile_reason_on_one_line():
    out = io.StringIO()
    commands._print_request(out, {"id": "r1", "state": "denied", "decision_reason": HOSTILE},
                            False)
    shown = commands._shown(out.getvalue(), "\r\n")
    assert shown.count("\r\n") == 1 and "\x1b" not in shown
    assert not any(line.startswith("request r1 approved") for line in shown.split("\r\n"))


# ---------------------------------------------------------------- the replay filter

KEPT = [
    "plain text, ünïcode 日本",
    "\x1b[1;31mred\x1b[0m \x1b[38;5;208morange\x1b[38;2;1;2;3mrgb\x1b[m",
    "\x1b[H\x1b[2J\x1b[10;20H\x1b[K\x1b[1K\x1b[2K\x1b[J",
    "\x1b[3A\x1b[2B\x1b[4C\x1b[5D\x1b[E\x1b[F\x1b[12G\x1b[7d\x1b[2;3f",
    "\x1b[2@\x1b[3P\x1b[4L\x1b[5M\x1b[6X\x1b[2S\x1b[T\x1b[3b",
    "\x1b[5;20r\x1b[s\x1b[u\x1b7\x1b8\x1bD\x1bE\x1bM",
    "\x1b[?1049h\x1b[?25l\x1b[?7l\x1b[?5h\x1b[?12h",
    "\x1b(0lqqk\x1b(B\x0eabc\x0f\x1b)0",
    "\x1b#8\x1b[4h\x1b[4l\x1b[2 q\x1b[!p\x1b=\x1b>",
    "tab\there\x08\x0b\x0c\r\n\x07",
]
# (what it is, a recorded sequence) - each dropped whole; the text around it survives.
DROPPED = [
    ("OSC 52 set clipboard", "\x1b]52;c;ZXZpbA==\x07"),
    ("OSC 52 read clipboard", "\x1b]52;c;?\x1b\\"),
    ("OSC 0 title", "\x1b]0;pwned\x07"),
    ("OSC 2 title, ST", "\x1b]2;pwned\x1b\\"),
    ("OSC 4 colour query", "\x1b]4;1;?\x07"),
    ("OSC 8 hyperlink", "\x1b]8;;http://evil/\x07"),
    ("OSC 1337 file", "\x1b]1337;File=name=eA==:AAAA\x07"),
    ("C1 OSC", "\x9d52;c;ZXZpbA==\x9c"),
    ("DCS DECRQSS", "\x1bP$qm\x1b\\"),
    ("DCS XTGETTCAP", "\x1bP+q544e\x1b\\"),
    ("DCS tmux passthrough", "\x1bPtmux;\x1b\x1b]52;c;eA==\x07\x1b\\"),
    ("C1 DCS", "\x90$qm\x9c"),
    ("APC kitty graphics", "\x1b_Ga=q,i=1;AAAA\x1b\\"),
    ("PM", "\x1b^private\x1b\\"),
    ("SOS", "\x1bXstring\x1b\\"),
    ("DA1", "\x1b[c"), ("DA1 with 0", "\x1b[0c"), ("DA2", "\x1b[>c"), ("DA3", "\x1b[=c"),
    ("DSR", "\x1b[5n"), ("CPR", "\x1b[6n"), ("DEC DSR", "\x1b[?6n"),
    ("DECREQTPARM", "\x1b[x"), ("DECRQM", "\x1b[?2004$p"), ("ANSI DECRQM", "\x1b[4$p"),
    ("DECRQCRA", "\x1b[1;1;1;1;1;1*y"), ("XTVERSION", "\x1b[>q"), ("kitty keyboard query", "\x1b[?u"),
    ("kitty keyboard push", "\x1b[>1u"), ("modifyOtherKeys", "\x1b[>4;2m"),
    ("title report", "\x1b[21t"), ("window resize", "\x1b[8;100;300t"), ("iconify", "\x1b[2t"),
    ("C1 CSI DA", "\x9bc"), ("DECID", "\x1bZ"), ("ENQ", "\x05"), ("S8C1T", "\x1b G"),
    ("DECSCL 8-bit", '\x1b[62;2"p'), ("mouse", "\x1b[?1000h"), ("SGR mouse", "\x1b[?1006h"),
    ("urxvt mouse", "\x1b[?1015h"), ("focus events", "\x1b[?1004h"), ("bracketed paste", "\x1b[?2004h"),
    ("cursor keys", "\x1b[?1h"), ("132 columns", "\x1b[?3h"), ("keyboard lock", "\x1b[2h"),
    ("newline mode", "\x1b[20h"), ("printer passthrough", "\x1b[5i"), ("print screen", "\x1b[i"),
    ("erase scrollback", "\x1b[3J"), ("LEDs", "\x1b[1q"), ("leave UTF-8", "\x1b%@"),
    ("selective erase of saved lines", "\x1b[?3J"), ("C1 selective erase of saved lines", "\x9b?3J"),
    ("tab set", "\x1bH"), ("tab clear", "\x1b[3g"), ("huge repeat", "\x1b[999999999b"),
    ("mouse highlight", "\x1b[1;2;3;4;5T"), ("NUL and DEL", "\x00\x7f"), ("CAN-cut CSI", "\x1b[31\x18"),
    ("an unterminated OSC", "\x1b]52;c;" + "A" * 5000),
]


@each("text", KEPT)
def test_replay_keeps_what_draws_the_screen(text):
    assert ReplayFilter().feed(text) == text


@pytest.mark.parametrize(("name", "sequence"), DROPPED, ids=[d[0] for d in DROPPED])
def test_replay_drops_what_acts_on_the_viewers_terminal(name, sequence):
    assert ReplayFilter().feed(f"before{sequence}after") == (
        "beforeafter" if not name.startswith("an unterminated") else "before")


@each(("recorded", "shown"), [
    ("\x9b31mred\x9b0m", "\x1b[31mred\x1b[0m"),                 # C1 CSI becomes 7-bit, kept
    ("\x1b[?1000;1049;2004h", "\x1b[?1049h"),                   # only the kept modes remain
    ("\x1b[4;20h", "\x1b[4h"),
    ("\x1bc", "\x1b[0m\x1b[H\x1b[2J"),                           # a reset clears, keeps scrollback
    ("\x1b]0;t\x1b[31mx", "\x1b[31mx"),                          # ESC ends a string, starts a CSI
    ("\x1b[1\n;31m", "\n\x1b[1;31m"),                            # a C0 inside acts at once
])
def test_replay_rewrites_to_the_safe_part(recorded, shown):
    assert ReplayFilter().feed(recorded) == shown


def test_replay_filter_reads_a_stream_the_same_however_it_is_cut():
    stream = "".join(KEPT) + "".join(seq for _, seq in DROPPED[:-1]) + "end\x9b1mx"
    whole = ReplayFilter().feed(stream)
    for cut in range(len(stream)):
        f = ReplayFilter()
        assert f.feed(stream[:cut]) + f.feed(stream[cut:]) == whole, cut


def test_replay_close_undoes_what_the_recording_left_changed():
    f = ReplayFilter()
    f.feed("\x1b[?1049h\x1b[5;9r\x1b[1m\x1b[?25l\x1b(0\x1b=\x1b[4 q")
    assert f.close() == ("\x1b[?1049l\x1b7\x1b[r\x1b8\x1b[0m\x1b[?25h\x0f\x1b(B\x1b>\x1b[0 q")
    f = ReplayFilter()
    f.feed("\x1b[?1049h\x1b[?6h\x1b[r\x1b[?6l\x1b[?1049l")   # changed, then put back
    assert f.close() == ""


@settings(max_examples=400, deadline=None, derandomize=True, database=None)
@given(st.lists(st.one_of(st.sampled_from(KEPT + [d for _, d in DROPPED[:-1]]),
                          st.text(alphabet=st.characters(max_codepoint=0xff), max_size=8)),
                max_size=12))
def test_replay_output_is_only_kept_sequences_whatever_the_recording(parts):
    shown = ReplayFilter().feed("".join(parts))
    assert ReplayFilter().feed(shown) == shown      # nothing in it the filter would change
    assert not any(0x80 <= ord(c) <= 0x9f for c in shown)
    for start in ("\x1b]", "\x1bP", "\x1b_", "\x1b^", "\x1bX", "\x1bZ", "\x05", "\x00"):
        assert start not in shown


def test_a_cast_file_shown_with_cat_cannot_act_on_the_terminal(tmp_path):
    # JSON escapes C0 but not DEL or C1, and U+009D is OSC to many terminals: `cat s1-0.cast`
    # would set the clipboard. The recorder writes them as \\u escapes: the same JSON value.
    path = tmp_path / "s1-0.cast"
    rec = CastRecorder(path, width=80, height=24, title="mkdir \x9b2J", env={"TERM": "xterm\x7f"},
                       timestamp=1700000000, clock=lambda: 1.0)
    output = "\x9d52;c;ZXZpbA==\x9c\x9b31mred\x7f\u202e"
    rec.output(output.encode())
    rec.marker("verdict deny: \x9b2J")
    rec.close()
    text = path.read_text(encoding="utf-8")
    assert not any(0x7f <= ord(c) <= 0x9f for c in text)
    header, events = recording.read_cast(path)
    assert header["title"] == "mkdir \x9b2J" and header["env"]["TERM"] == "xterm\x7f"
    assert [e[2] for e in events if e[1] == "o"] == [output]
    assert [e[2] for e in events if e[1] == "m"] == ["verdict deny: \x9b2J"]


def test_the_console_screen_model_never_draws_a_control_bidi_or_zero_width_character():
    acting = "".join(chr(c) for c in range(0x110000)
                     if unicodedata.category(chr(c)) == "Cc"
                     or 0x200b <= c <= 0x200f or 0x202a <= c <= 0x202e or 0x2060 <= c <= 0x2069
                     or c in (0x2028, 0x2029, 0xfeff, 0xfe0f, 0x180e))
    for char in acting:
        if char in "\x0e\x1b\x18\x1a\x90\x9b\x9d":  # a charset shift; escape sequences
            continue
        model = ScreenModel(20, 3)
        model.feed(f"a{char}b; reboot".encode(errors="surrogatepass"))
        lines = model.lines(cursor=False)
        shown = lines[0]
        assert char not in "".join(line.plain for line in lines), f"U+{ord(char):04X}"
        # What follows it is drawn, not lost (attack a10o F3: pyte stopped at U+200B), and the
        # cell before it is marked when it takes no place on the user's screen.
        assert "b; reboot" in "".join(line.plain for line in lines), f"U+{ord(char):04X}"
        if char in model.screen.buffer[0][0].data:  # kept with "a" (the stream drops NUL, DEL)
            assert [s.style for s in shown.spans if s.start == 0] == [HIDDEN_MARK], f"U+{ord(char):04X}"


# ---------------------------------------------------------------- the console

NOW = 1_800_000_000.0
MARKUP = "[black on black]hidden[/]"


class Hostile:
    """A control client whose records hold what attackers type (the console's only input)."""

    def __init__(self, on_event) -> None:
        self.on_event = on_event
        self.hello = {"event": "hello", "version": 1, "actor": "local:sam"}

    async def request(self, op: str, **fields: Any) -> dict[str, Any]:
        if op == "sessions":
            return {"sessions": [{"id": "s1", "user": "alice", "target": "web01",
                                  "login": "deploy", "ticket": "INC-1", "state": "active",
                                  "started": NOW - 5, "grant_ends": NOW + 600,
                                  "last_command": f"echo {MARKUP}", "alerts": 0}]}
        if op == "requests":
            return {"requests": [{"id": "r1", "user": "alice", "target": "web01",
                                  "login": "deploy", "ticket": "INC-1", "duration": 60,
                                  "reason": f"ok {MARKUP}\x1b[8m", "created": NOW,
                                  "expires": NOW + 60}]}
        if op == "held":
            return {"held": [{"id": "h1", "session_id": "s1", "user": "alice",
                              "command": f"ls {MARKUP}\r\x1b[2K\nrm", "rule": "r",
                              "since": NOW, "deadline": NOW + 60}]}
        if op == "audit":
            return {"events": [{"seq": 1, "at": NOW, "type": "command.held", "actor": "alice",
                                "data": {"command": f"{MARKUP}\u202e"}}],
                    "verify": {"ok": True, "rows": 1}}
        raise ControlError(f"no {op}")

    async def close(self) -> None:
        pass


def hostile_console() -> SupervisorApp:
    async def connect(on_event, code):
        return Hostile(on_event)

    return SupervisorApp(connect, clock=lambda: NOW, tick_seconds=3600)


def rendered(widget) -> list[tuple[str, list]]:
    """The lines a widget draws: their text and their segments' styles."""
    lines = []
    for y in range(widget.size.height):
        strip = widget.render_line(y)
        lines.append((strip.text, [seg.style for seg in strip]))
    return lines


async def _until(pilot, condition, what: str) -> Any:
    deadline = time.monotonic() + 20
    while not (value := condition()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await pilot.pause(0.05)
    return value


@pytest.mark.parametrize(("tab", "table_id", "shown"), [
    ("1", "sessions-view-table", f"echo {MARKUP}"),
    ("2", "requests-view-table", f"ok {MARKUP}\\x1b[8m"),
    ("3", "held-view-table", f"ls {MARKUP}\\x0d\\x1b[2K\\x0arm"),
    ("4", "audit-view-table", f"command={MARKUP}\\u202e"),
])
async def test_console_cells_show_markup_and_escapes_as_the_characters_typed(tab, table_id, shown):
    app = hostile_console()
    async with app.run_test(size=(200, 30)) as pilot:
        await pilot.press(tab)
        table = app.query_one(f"#{table_id}", RecordTable)
        await _until(pilot, lambda: table.row_count == 1, "the row")
        await pilot.pause()
        lines = rendered(table)
        text = "\n".join(line for line, _ in lines)
        assert shown in text
        # No cell is styled by what it holds: "hidden" is drawn like its neighbours, and no
        # segment has its foreground equal to its background.
        for _, styles in lines:
            for style in styles:
                if style is not None and style.color is not None:
                    assert style.color != style.bgcolor


async def test_console_dialog_and_notification_show_a_reason_as_text():
    app = hostile_console()
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("2")
        table = app.query_one("#requests-view-table", RecordTable)
        await _until(pilot, lambda: table.row_count == 1, "the request")
        await pilot.press("d")
        dialog = await _until(pilot, lambda: isinstance(app.screen, ActionDialog) and app.screen,
                              "the dialog")
        detail = str(dialog.query_one("#detail").render())
        assert f"reason: ok {MARKUP}\\x1b[8m" in detail
        await pilot.press("escape")
        app.post_message(SupervisorApp.BastionEvent(
            {"event": "command_held", "held": {"id": "h9", "user": "alice", "session_id": "s1",
                                               "command": f"{MARKUP}\x1b]0;t\x07"}}))
        await _until(pilot, lambda: app._notifications, "the notification")
        note = next(iter(app._notifications))
        assert f"{MARKUP}\\x1b]0;t\\x07" in note.message


def test_the_watch_log_and_clipped_cells_spell_out_what_was_typed():
    line = command_line({"event": "verdict", "action": "deny",
                         "line": f"{MARKUP}\r\x1b[2K\nrm -rf /", "rule": "r\x1b"})
    assert isinstance(line, Text)
    assert f"{MARKUP}\\x0d\\x1b[2K\\x0arm -rf /" in line.plain and "(r\\x1b)" in line.plain
    assert clip("a\nb\rc", 20) == "a\\x0ab\\x0dc"
    assert clip("x" * 20, 10) == "x" * 9 + "…"


# ---------------------------------------------------------------- the attacks, for real

POLICY = """
[defaults]
unmatched = "allow"
unknown = "confirm"
uncertain = "deny"
confirm_timeout = "60s"

[[rules]]
name = "held-mkdir"
action = "confirm"
commands = ["mkdir"]
args = "held"
message = "making held directories needs a supervisor"
"""


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    w = World(tmp_path_factory.mktemp("display"), policy=POLICY)
    yield w
    w.close()


def _wait_for(condition, what: str, timeout: float = 20) -> Any:
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)
    return value


def _run_cli(world: World, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(["--home", str(world.home.path), *argv], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.integration
@pytest.mark.timeout(120)
def test_an_exec_command_cannot_fake_rows_or_set_the_title_in_bastion_held(world, tmp_path):
    alice = world.person("alice")
    sam = world.person("sam", "supervisor")
    world.grant(alice)
    canary = tmp_path / "held-canary"
    attack = f"mkdir {canary}\r\x1b[2K\nh9  s9  bob  true\x1b]0;pwned\x07"
    proc = alice.popen(f"{LOGIN}@web01", attack)
    try:
        held = _wait_for(lambda: sessions.list_held(world.ctx.store), "the held command")
        code, out, _ = _run_cli(world, "held")
        assert code == 0
        lines = out.splitlines()
        assert len(lines) == 2, out        # the header and the one held command, no fake row
        assert "\x1b" not in out and "\r" not in out and "\x07" not in out
        assert "\\x0d\\x1b[2K\\x0ah9  s9  bob  true\\x1b]0;pwned\\x07" in lines[1]
        # The same table over the SSH door, to a supervisor's terminal.
        door = sam.run("sam", "held")
        assert door.returncode == 0, door.stderr
        assert b"\x1b" not in door.stdout and len(door.stdout.splitlines()) == 2
        code, _, err = _run_cli(world, "reject", held[0]["id"], "--reason", "not like this")
        assert code == 0, err
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode != 0 and not list(tmp_path.iterdir())


@pytest.mark.integration
@pytest.mark.timeout(120)
def test_a_deny_reason_cannot_write_to_the_requesters_terminal(world):
    alice = world.person("alice")
    sam = world.person("sam", "supervisor")
    rid = _pending(world.ctx, "alice", LOGIN)
    attack = "no\x1b]0;owned\x07\x1b[2J\n" + f"request {rid} approved: grant g1 for root@web01"
    refused = sam.run("sam", "deny", rid, "--reason", shlex.quote(attack))
    assert refused.returncode == 1
    assert b"reason must be one line of plain text: character 3 is \\x1b" in refused.stderr
    assert b"\x1b" not in refused.stderr and len(refused.stderr.splitlines()) == 1
    assert grants.get_request(world.ctx.store, rid)["state"] == "pending"
    assert audit.recent(world.ctx.store, 1, "input.refused")[0]["actor"] == "sam"
    # A reason stored before this rule (or by a door that forgot it) is still only text.
    world.ctx.store.execute("UPDATE requests SET state = 'denied', decision_reason = ? "
                            "WHERE id = ?", (attack, rid))
    status = alice.run("alice", "status")
    assert status.returncode == 0, status.stderr
    assert b"\x1b" not in status.stdout
    lines = status.stdout.decode().splitlines()
    assert not any(line.startswith(f"request {rid} approved") for line in lines)
    shown = f"request {rid} denied: no\\x1b]0;owned\\x07\\x1b[2J\\x0arequest {rid} approved"
    assert any(line.startswith(shown) for line in lines), lines


@pytest.mark.integration
@pytest.mark.timeout(120)
@pytest.mark.parametrize("door", ["cli", "control", "ssh"])
def test_every_door_takes_the_same_reasons(world, door):
    sam = world.person("sam", "supervisor")
    world.person("alice")

    def deny(rid: str, reason: str) -> str | None:
        """None when denied, else the one-line refusal."""
        if door == "cli":
            code, _, err = _run_cli(world, "deny", rid, "--reason", reason)
            return None if code == 0 else err
        if door == "ssh":
            proc = sam.run("sam", "deny", rid, "--reason", shlex.quote(reason))
            return None if proc.returncode == 0 else proc.stderr.decode()

        async def call() -> str | None:
            # Raw JSON lines, as any client may write them: ASCII JSON can carry a lone
            # surrogate ("\\ud800"), which ControlClient itself could not encode.
            reader, writer = await asyncio.open_unix_connection(str(world.home.control_socket))
            try:
                await reader.readline()  # hello
                writer.write(json.dumps({"id": 1, "op": "deny", "request": rid,
                                         "reason": reason}).encode() + b"\n")
                while "id" not in (reply := json.loads(await reader.readline())):
                    pass  # an event pushed meanwhile
                return None if reply["ok"] else reply["error"]
            finally:
                writer.close()
        return asyncio.run(call())

    cases = [(HOSTILE, "must be one line of plain text"),
             ("x" * (MAX_REASON + 1), f"longer than {MAX_REASON} characters")]
    if door == "control":   # only JSON can carry a lone surrogate; its refusal must encode
        cases.append(("\ud800", "no lone surrogates"))
    for reason, why in cases:
        rid = _pending(world.ctx, "alice", LOGIN)
        problem = deny(rid, reason)
        assert problem is not None and why in problem and "\x1b" not in problem
        assert grants.get_request(world.ctx.store, rid)["state"] == "pending"
        grants.deny(world.ctx.store, world.ctx.config, rid, "local:test", "tidy up")
    rid = _pending(world.ctx, "alice", LOGIN)
    assert deny(rid, "y" * MAX_REASON) is None
    assert grants.get_request(world.ctx.store, rid)["decision_reason"] == "y" * MAX_REASON


@pytest.mark.integration
@pytest.mark.timeout(120)
def test_a_replayed_session_cannot_set_the_clipboard_or_make_the_terminal_answer(world):
    term, at = world.shell("carol", "replayed")
    term.send(b"printf '\\033]52;c;%s\\a\\033]0;pwned\\a\\033[c\\033[6n\\033[21t' "
              b"$(printf evil | base64); printf '\\033[31mRED-%s\\033[0m\\n' MARK\n")
    at = term.prompt(start=term.expect(rb"RED-MARK", start=at))
    term.send(b"exit\n")
    term.wait()
    sid = world.session_row("carol")["id"]
    _wait_for(lambda: sessions.get(world.ctx.store, sid)["state"] != "active", "the session end")
    _wait_for(lambda: not sessions.open_recordings(world.ctx.store), "the recording to close")
    played = subprocess.run([sys.executable, "-m", "bastion", "--home", str(world.home.path),
                             "replay", sid, "--speed", "1000"], capture_output=True, timeout=60)
    assert played.returncode == 0, played.stderr
    out = played.stdout
    assert b"\x1b[31mRED-MARK\x1b[0m" in out           # colours survive
    for acting in (b"\x1b]52", b"\x1b]0;", b"\x1b[c", b"\x1b[6n", b"\x1b[21t", b"ZXZpbA=="):
        assert acting not in out, acting
    # The recording itself keeps the evidence.
    cast = next(world.home.recordings.glob(f"{sid}-*.cast")).read_text()
    assert "\\u001b]52;c;ZXZpbA==" in cast
