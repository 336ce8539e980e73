"""The keystroke model follows readline's word moves and kills, transposes, case changes and
undo (edits.py), so that a line drawn over them by another writer is not read as the line
(attack d13i).

Before, the model read the line off the screen after any of those keys, and checked the screen
only against the characters typed, in any order and case: a job in the background drew
`tocuh canary` while Ctrl-T had made bash's line `touch canary`, and bash ran it. Now the model
holds readline's line, compared key for key with 300 rows recorded from bash 5.2
(tests/readline_rows.py), and a screen showing anything else leaves the line uncertain.
"""

from __future__ import annotations

import json
from pathlib import Path

from bastion.command_control.terminal.line import _LineModel
from tests.rows import each
from tests.test_forged_markers import DENIED, REDRAWN, judged
from tests.test_terminal import PROMPT, Shell

ROWS = json.loads((Path(__file__).parent / "fixtures" / "readline_edits.json").read_text())
P = PROMPT[len(b"\x1b[?2004h"):]  # the prompt as readline redraws it


def keys_of(seq: str) -> list[str]:
    """Split a recorded sequence into keys as the tracker takes them."""
    out, i = [], 0
    for key in ("\x1b[D", "\x1b[C", "\x18\x15"):
        seq = seq.replace(key, "\0" + str(len(out)))
        out.append(key)
    keys = []
    while i < len(seq):
        c = seq[i]
        if c == "\0":
            keys.append(out[int(seq[i + 1])])
            i += 2
        elif c == "\x1b":
            keys.append(seq[i:i + 2])
            i += 2
        else:
            keys.append(c)
            i += 1
    return keys


def test_the_model_edits_the_line_as_bash_does():
    wrong = []
    for seq, line, point in ROWS["rows"]:
        m = _LineModel()
        for key in keys_of(seq):
            if len(key) == 1 and key.isprintable():
                m.insert(key)
            else:
                m.apply(key)
        if (m.text, m.cursor, m.reliable) != (line, point, True):
            wrong.append((seq, line, point, m.text, m.cursor))
    assert len(ROWS["rows"]) >= 300 and wrong == []


@each(("typed", "keys", "line"), [
    ("ab", "\x1f", ""),                       # a run of typed characters is one undo entry
    ("a" * 25, "\x1f", "a" * 20),             # ... of at most 20 bytes
    ("ab\x7fc", "\x1f", "a"),                 # a delete breaks the run
    ("echo one", "\x15\x1f", "echo one"),     # a kill is undone whole
    ("echo one", "\x14\x1f", "echo one"),     # so is a transpose (a group)
    ("echo one", "\x1bb\x1bu\x1f", "echo one"),
    ("echo one", "\x15x\x1br", ""),           # M-r undoes everything
])
def test_undo_follows_readlines_own_list(typed, keys, line):
    m = _LineModel()
    for ch in typed:
        m.insert(ch) if ch.isprintable() else m.apply(ch)
    for key in keys_of(keys):
        m.apply(key)
    assert (m.text, m.reliable) == (line, True)


def test_undo_is_not_followed_once_an_edit_was_not():
    m = _LineModel("echo from history", 17)  # the line came off the screen (Up, Tab)
    m.apply("\x1f")
    assert not m.reliable
    vi = _LineModel()
    vi.insert("x")
    vi.apply("\x14", emacs=False)  # vi's undo groups a whole insert
    assert vi.undo is None and vi.edit_for("\x1f", True) is None


def test_a_paste_is_one_undo_entry():
    m = _LineModel()
    m.insert("ls ")
    m.begin_paste()
    for ch in "/etc/hosts":
        m.insert(ch)
    m.end_paste()
    m.apply("\x1f")
    assert m.text == "ls "


# -- attack d13i, the tester's own lines: a job draws the typed characters over bash's line ---

def forge(sh: Shell, drawn: str) -> None:
    sh.out(REDRAWN + drawn.encode() + b"\x1b[K")


def test_ctrl_t_cannot_turn_a_drawn_typo_into_the_line():
    sh = Shell()
    sh.type("echo x >> /etc/sduoers")
    for _ in range(5):
        sh.press(b"\x1b[D", b"\x08")
    sh.press(b"\x14", b"\x08ud")
    assert sh.tracker.reconstruct().text == DENIED
    forge(sh, "echo x >> /etc/sduoers")
    sh.keys(b"\r")
    assert judged(sh) == "deny"


def test_meta_l_cannot_hide_a_recased_line():
    sh = Shell()
    sh.type("echo x >> /ETC/SUDOERS")
    sh.press(b"\x01", b"\r" + P)
    for done in ["echo", "echo x", "echo x >> /etc", "echo x >> /etc/sudoers"]:
        rest = DENIED[len(done):].upper()
        sh.press(b"\x1bl", b"\r" + P + (done + rest).encode() + b"\x08" * len(rest))
    forge(sh, "echo x >> /ETC/SUDOERS")
    sh.keys(b"\r")
    assert judged(sh) == "deny"


def test_undo_cannot_bring_back_a_killed_line_under_a_drawn_one():
    sh = Shell()
    sh.type(DENIED)
    sh.press(b"\x15", b"\r" + P + b"\x1b[K")
    sh.type("ls")
    sh.press(b"\x1f", b"\r" + P + b"\x1b[K")  # the run "ls" is one entry
    sh.press(b"\x1f", b"\r" + P + DENIED.encode())
    assert sh.tracker.reconstruct().text == DENIED
    forge(sh, "ls")
    sh.keys(b"\r")
    assert judged(sh) == "deny"


def test_meta_t_cannot_hide_swapped_words():
    sh = Shell()
    sh.type("echo /etc/sudoers >> x")
    sh.press(b"\x1bb", b"\x08")
    sh.press(b"\x1bb", b"\x08" * 8)
    sh.press(b"\x1bt", b"\x08" * 5 + b"sudoers/etc/ >> x" + b"\x08" * 5)
    forge(sh, "echo /etc/sudoers >> x")
    sh.keys(b"\r")
    assert judged(sh) != "allow"


def test_meta_d_cannot_uncomment_a_line_under_a_drawn_one():
    sh = Shell()
    sh.type("#z " + DENIED)
    sh.press(b"\x01", b"\r" + P)
    sh.press(b"\x1bd", b"\r" + P + b" " + DENIED.encode() + b"\x1b[K\r" + P)
    assert sh.tracker.reconstruct().text == " " + DENIED
    forge(sh, "#z " + DENIED)
    sh.keys(b"\r")
    assert judged(sh) == "deny"


def test_vis_tilde_is_followed_and_a_line_drawn_over_it_is_not_taken():
    sh = Shell()
    sh.run("set -o vi")
    sh.type("echo x >> /ETC/SUDOERS")
    sh.press(b"\x1b", b"\x08")
    sh.press(b"0", b"\r" + P)
    for _ in range(3):
        sh.press(b"~", b"")
    assert sh.tracker._line.model.text == "ECHo x >> /ETC/SUDOERS"  # vi_edits.py follows `~`
    forge(sh, "echo x >> /ETC/SUDOERS")
    sh.keys(b"\r")
    assert not sh.tracker.reconstruct().certain and judged(sh) != "allow"


@each("keys", [b"u", b"p", b".", b"3x", b"R"])
def test_a_line_vis_command_mode_changed_unfollowed_is_decided_with_the_unknown_action(keys):
    sh = Shell()
    sh.run("set -o vi")
    sh.type("echo x >> /ETC/SUDOERS")
    sh.press(b"\x1b", b"\x08")
    for key in keys:
        sh.press(bytes([key]), b"")
    forge(sh, "echo x >> /ETC/SUDOERS")
    sh.keys(b"\r")
    assert sh.tracker.reconstruct().unknown  # vi's command mode (or a count) did it


@each("keys", [b"0w", b"0fx", b"0tx", b"$b", b"0ll", b"0ma"])
def test_vi_motions_alone_change_nothing(keys):
    sh = Shell()
    sh.run("set -o vi")
    sh.type("echo xyz")
    sh.press(b"\x1b", b"\x08")
    for key in keys:
        sh.press(bytes([key]), b"")
    sh.press(b"A", b"")
    sh.keys(b"\r")
    assert sh.tracker.reconstruct().unknown == ""


# -- attack e14ia: keys the model got wrong or did not follow ---------------------------------

def test_vi_ctrl_d_on_a_line_that_is_not_empty_is_judged_as_enter():
    sh = Shell()
    sh.run("set -o vi")
    sh.type("touch canary")
    held = sh.keys(b"\x04")  # vi-eof-maybe: readline accepts the line (F0)
    assert held is not None and held.how == "accept"
    assert sh.tracker.reconstruct().text == "touch canary"


def test_an_edit_over_a_zero_width_character_is_never_certain():
    sh = Shell()
    sh.press("#\u0301".encode(), "#\u0301".encode())
    sh.press(b"\x7f", b"\x08\x1b[K")  # readline deletes `#` with its mark (F1)
    sh.type("touch canary")
    forge(sh, "#touch canary")  # what the model holds, drawn by a job
    sh.keys(b"\r")
    rec = sh.tracker.reconstruct()
    assert not rec.certain and "zero-width" in rec.reason


def test_a_case_change_over_a_letter_outside_ascii_is_never_certain():
    m = _LineModel()
    m.insert("h\u0130story -c")
    m.apply("\x01")
    m.apply("\x1bl")  # glibc lowers U+0130 to `i`, Python to two characters (F8)
    assert m.suspect


@each("key", ["\x01", "\x05", "\x02", "\x06", "\x0b"])
def test_vi_insert_mode_inserts_emacs_control_keys_as_text(key):
    m = _LineModel()
    m.insert("touch canary;")
    m.apply(key, emacs=False)  # vi's insert keymap binds none of them (F2)
    assert m.text == "touch canary;" + key and m.suspect


def test_vi_insert_ctrl_w_stops_at_punctuation():
    m = _LineModel()
    m.insert("touch canary;#x")
    m.apply("\x17", emacs=False)
    assert m.text == "touch canary;#"


def test_undo_takes_keys_typed_together_one_by_one():
    m = _LineModel()
    m.insert("touch canary;#aaaaaaaaaaa")  # one run from the key reader, 25 bytes (F3)
    m.apply("\x1f")
    assert m.text == "touch canary;#aaaaaa"  # readline's first entry holds 20 bytes


@each("key", [b"\x1b2\x04", b"\x1b[2~", b"\x1d#", b"\x1b[7~", b"\x1b[1~",
                                 b"\x1b[15~"])
def test_a_key_the_model_does_not_follow_leaves_the_line_to_the_unknown_action(key):
    sh = Shell()
    sh.type("#touch canary")
    sh.press(b"\x01", b"\r" + P)
    sh.keys(key)  # numeric argument, overwrite, character search, keys only an inputrc binds
    sh.out(b"")
    sh.keys(b"\r")
    rec = sh.tracker.reconstruct()
    assert "does not follow" in rec.unknown  # F4, F7


def test_meta_backslash_and_ctrl_arrows_are_followed():
    m = _LineModel()
    m.insert("touc h canary")
    m.apply("\x1b[1;5D")
    m.apply("\x1b[1;5D")
    m.apply("\x1b[D")
    m.apply("\x1b\\")  # delete-horizontal-space (F4)
    assert (m.text, m.reliable) == ("touch canary", True)


def test_vi_insert_mode_arrows_keep_inserting():
    sh = Shell()
    sh.run("set -o vi")
    sh.type("touch c")
    sh.press(b"\x1b[D", b"\x08")
    sh.press(b"a", b"ac\x08")  # readline's vi-insert binds the arrows: `a` is text (F6)
    sh.keys(b"\r")
    rec = sh.tracker.reconstruct()
    assert (rec.text, rec.certain, rec.unknown) == ("touch ac", True, "")


# -- attack e14ia, finding 5: a target in a C locale reads typed bytes outside ASCII as meta keys

def test_a_character_whose_bytes_kill_a_word_in_a_c_locale_is_judged_as_that_too():
    sh = Shell()
    sh.type("true  #x; " + DENIED)
    sh.press(b"\x01", b"\r" + P)
    for _ in range(5):
        sh.press(b"\x1b[C", b"\x1b[C")
    sh.press("\u4800".encode(), "\u4800".encode() + b" #x; " + DENIED.encode())
    forge(sh, "true \u4800 #x; " + DENIED)  # what the model holds, drawn by a job
    sh.keys(b"\r")
    rec = sh.tracker.reconstruct()
    assert "true ; " + DENIED in rec.also  # E4 A0 80: M-d, M-SPC, M-C-@
    assert judged(sh) == "deny"


def test_honest_text_outside_ascii_gets_a_second_reading_that_changes_nothing_it_judges():
    sh = Shell()
    sh.type("echo caf\u00e9")  # C3 A9: M-C at the line's end, M-) bound to nothing
    sh.keys(b"\r")
    rec = sh.tracker.reconstruct()
    assert (rec.text, rec.certain, rec.unknown, rec.also) == (
        "echo caf\u00e9", True, "", ("echo caf",))
    assert judged(sh) == "allow"


def test_text_whose_bytes_are_meta_keys_the_model_does_not_follow_is_left_to_unknown():
    sh = Shell()
    sh.type("echo \u00dd")  # C3 9D: M-C-] searches backward for a character in a C locale
    sh.keys(b"\r")
    assert "C or POSIX locale" in sh.tracker.reconstruct().unknown


def test_text_whose_bytes_recall_history_in_a_c_locale_loses_the_second_reading():
    sh = Shell()
    sh.type("echo \u00fcber")  # C3 BC: M-< recalls history (as after Up: SECURITY.md, Open)
    sh.keys(b"\r")
    rec = sh.tracker.reconstruct()
    assert (rec.unknown, rec.also) == ("", ())


def test_a_pasted_line_outside_ascii_needs_no_second_reading():
    sh = Shell()
    sh.keys(b"\x1b[200~echo \xc3\xbcber\x1b[201~")
    sh.out("echo \u00fcber".encode())
    sh.keys(b"\r")
    rec = sh.tracker.reconstruct()
    assert (rec.text, rec.unknown, rec.also) == ("echo \u00fcber", "", ())


# -- attack f15i: the tester's offline rows, turned around ------------------------------------

REFUSED = "unset HISTFILE"  # no-history-unset (deny)


def test_vi_motions_are_followed_so_a_line_drawn_after_them_is_not_taken():
    sh = Shell()
    sh.run("set -o vi")
    sh.type("HISTFILE")
    sh.press(b"\x1b", b"\x08")
    sh.press(b"0", b"\r" + P)  # followed (vi_edits.py): no screen reading after it (F2)
    sh.press(b"i", b"")
    forge(sh, "")
    for ch in b"unset ":
        sh.press(bytes([ch]), bytes([ch]) + b"HISTFILE" + b"\x08" * 8)
    forge(sh, "unset ")
    sh.keys(b"\r")
    assert sh.tracker._line.model.text == REFUSED
    assert judged(sh) == "deny"


def test_unfinished_utf8_bytes_leave_the_line_uncertain():
    sh = Shell()
    sh.press(b"#", b"#")
    sh.press(b"\xe4\xb8", b"")  # readline holds them apart from the line (F1)
    sh.press(b"\x7f", b"\x08\x1b[K")
    sh.type(REFUSED)
    forge(sh, "#" + REFUSED)
    sh.keys(b"\r")
    rec = sh.tracker.reconstruct()
    assert not rec.certain and "UTF-8" in rec.reason


@each("keys", [b"ma", b"`a", b"d`a", b"y`a", b"\x16i"])
def test_a_vi_commands_argument_is_no_command(keys):
    sh = Shell()
    sh.run("set -o vi")
    sh.type(REFUSED)
    sh.press(b"\x1b", b"\x08")
    for key in keys:
        sh.press(bytes([key]), b"")  # a mark's name, a quoted key: not `a`ppend, not `i`nsert (F3)
    held = sh.keys(b"v")  # vi-edit-and-execute-command
    assert held is not None and held.how == "edit"


def test_a_quote_is_no_vi_command_and_the_key_after_it_counts():
    sh = Shell()
    sh.run("set -o vi")
    sh.type("#" + REFUSED)
    sh.press(b"\x1b", b"")
    sh.press(b"0", b"\x08\r" + P)
    sh.press(b"'", b"\x07")  # bound to nothing in bash 5.2 (F4)
    sh.press(b"x", b"\x1b[1P")
    forge(sh, "#" + REFUSED)
    sh.keys(b"\r")
    assert judged(sh) == "deny"


def test_honest_word_edits_next_to_letters_outside_ascii_stay_certain():
    sh = Shell()
    sh.type("echo f\u00fcr alle")
    sh.press(b"\x1b[1;5D", b"\x08" * 4)  # over `alle` only (F5)
    sh.press(b"x", b"xalle" + b"\x08" * 4)
    sh.keys(b"\r")
    rec = sh.tracker.reconstruct()
    assert (rec.text, rec.certain, rec.unknown) == ("echo f\u00fcr xalle", True, "")


def test_ctrl_delete_and_shifted_meta_keys_are_followed():
    m = _LineModel()
    m.insert("ls -la /tmp")
    m.apply("\x1b[1;5D")
    m.apply("\x1b[3;5~")  # kill-word
    m.apply("\x1bB")  # M-B: do-lowercase-version
    assert (m.text, m.cursor, m.reliable) == ("ls -la /", 4, True)


# -- attack g16i: vi's mode as readline holds it ------------------------------------------------

@each("pending", [b"d", b"m", b"r", b"f"])
def test_a_terminal_key_after_a_vi_command_waiting_for_its_key_leaves_hash_judged(pending):
    sh = Shell()
    sh.run("set -o vi")
    sh.type("#" + REFUSED)
    sh.press(b"\x1b", b"\x08")
    sh.press(pending, b"")
    sh.press(b"\x1b[D", b"")  # the command takes the Esc and is cancelled (F1)
    held = sh.keys(b"#")
    assert held is not None and held.how == "comment"


def test_a_stray_paste_end_leaves_vi_in_its_command_mode():
    sh = Shell()
    sh.run("set -o vi")
    sh.type("#" + REFUSED)
    sh.press(b"\x1b[201~", b"")  # bound in no vi keymap outside a paste: Esc, then commands (F2)
    held = sh.keys(b"#")
    assert held is not None and held.how == "comment"


def test_an_esc_sent_alone_before_the_rest_of_a_key_starts_vis_command_mode():
    sh = Shell()
    sh.run("set -o vi")
    sh.type("#" + REFUSED)
    sh.keys(b"\x1b")  # alone in its packet: readline's keyseq-timeout may run it (F3)
    sh.out(b"\x08")
    sh.keys(b"[D")
    sh.out(b"")
    held = sh.keys(b"#")
    assert held is not None and held.how == "comment"


def test_enter_ending_a_vi_search_leaves_the_command_mode_and_its_line_to_the_screen():
    sh = Shell()
    sh.run("set -o vi")
    sh.press(b"\x1b", b"")
    sh.press(b"/", b"\r\x1b[K/")
    sh.type("tou")
    held = sh.keys(b"\r")  # judged all the same (F4)
    assert held is not None
    sh.send(b"\r" + P + b"#" + REFUSED.encode())  # readline shows the line it found
    held = sh.keys(b"#")  # still vi's command mode: insert-comment
    assert held is not None and held.how == "comment"


@each("text", ["echo \"\u0c2d\"", "\u0d6dx"])
def test_digit_arguments_in_a_c_locale_reading_never_fail(text):
    sh = Shell()
    sh.type(text)  # bytes read as M-` M-0 M-- ... in a C locale (F5)
    sh.keys(b"\r")
    assert sh.tracker.reconstruct().kind == "command"


# -- attack h17i: more of readline's vi states ------------------------------------------------

@each("op", [b"y0", b"d0", b"d10l"])
def test_an_operator_with_a_first_zero_is_a_complete_command(op):
    sh = Shell()
    sh.run("set -o vi")
    sh.type("#" + REFUSED)
    sh.press(b"\x1b", b"\x08")
    for key in op:
        sh.press(bytes([key]), b"")  # `0` right after the operator is a motion (F1)
    held = sh.keys(b"#")
    assert held is not None and held.how == "comment"


@each(("search", "out"), [(b"/", b"\x07"), (b"?", b"\x7f"), (b"/", b"\x08"),
                                             (b"/", b"\x1bi\x7f\x7f\x7f"), (b"\x12", b"i\x07"),
                                             (b"\x12", b"i\x01")])
def test_every_way_out_of_a_vi_search_leaves_hash_judged(search, out):
    sh = Shell()
    sh.run("set -o vi")
    sh.type("#" + REFUSED)
    sh.press(b"\x1b", b"\x08")
    for key in search + out:
        sh.press(bytes([key]), b"")  # Ctrl-G, an erase of nothing, Esc as text (F2, F3)
    held = sh.keys(b"#")
    assert held is not None and held.how == "comment"


# -- attack i18i: keys that change a vi search's text in ways the tracker does not count ----------

@each("keys", [b"/\x15\x7f", b"/a\x15\x7f", b"/\x17\x7f", b"?\x15\x08",
                                  b"/e\xcc\x81\x7f\x7f", b"/\x11\x7f", b"\x12\x12i\x07",
                                  b"\x12\x17i\x07", b"\x12\x19i\x07", b"\x12\x11i\x07"])
def test_hash_is_judged_after_keys_a_vi_search_takes_otherwise(keys):
    sh = Shell()
    sh.run("set -o vi")
    sh.type("#" + REFUSED)
    sh.press(b"\x1b", b"\x08")
    for key in [keys[i:i + 1] for i in range(len(keys))]:
        sh.press(key, b"")
    held = sh.keys(b"#")
    assert held is not None and held.how == "comment"
