"""Record what real programs send to a terminal, key by key, as fixtures for the tracker's tests.

    python -m tests.terminal_record [NAME ...]      # (re)writes tests/fixtures/terminal/NAME.json

Each scenario runs a real `bash --norc --noprofile -i` on a pseudo-terminal (80x24), types its keys
one at a time as a person would, and after each key keeps what came back until the terminal has
been quiet a moment (or until a pattern shows). A fixture is the list of those steps:
`{"keys": ..., "out": [chunk, ...]}` with bytes kept as latin-1 strings, plus `judged`, the
lines a gate must read at each submit key, in order (None where nothing is run: a password,
a line in vim).

The tests replay a fixture through a simulated target (tests/terminal_replay.py) that answers
each key with what the real program answered: because the gate lets keys reach the target only
once it has answered the ones before, that answer does not depend on how fast the user typed,
so one slow recording covers every typing speed.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import select
import shutil
import struct
import subprocess
import sys
import tempfile
import termios
import time
from dataclasses import dataclass, field
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures" / "terminal"
PROMPT = "bob@web01:~$ "
QUIET = 0.12        # seconds without output that end a step
SLOW_QUIET = 0.6    # for steps that start a program (man formats, top samples)
MAX_STEP = 8.0

ENTER = "\r"
ESC = "\x1b"
UP = "\x1b[A"


@dataclass
class Scenario:
    name: str
    about: str
    steps: list[tuple[str, str | None]]  # (keys typed one at a time, pattern to wait for)
    judged: list[str | None]
    needs: tuple[str, ...] = ()
    term: str = "xterm"
    setup: str = ""  # shell lines run before recording starts (not recorded)
    ps1: str = PROMPT
    env: dict[str, str] = field(default_factory=dict)


PROMPT_RE = re.escape(PROMPT)
UTF8_LINE = "echo 'price \u00a35, \u0445\u043e\u0440\u043e\u0448\u043e\u2026 \u010d'"


def _line(text: str, until: str | None = PROMPT_RE) -> tuple[str, str | None]:
    """A line typed and submitted; the step ends when `until` shows (None: when output stops)."""
    return (text + ENTER, until)


def _after(name: str, about: str, start: list[tuple[str, str | None]], judged: list[str | None],
           needs: tuple[str, ...], **kw) -> Scenario:
    """A program, then `echo XYZ` typed at the prompt that follows it (issue 13 item 1)."""
    return Scenario(name, about, [*start, _line("echo XYZ")], [*judged, "echo XYZ"], needs, **kw)


SCENARIOS = [
    _after("less", "less /etc/services, q, then a command",
           [("less /etc/services" + ENTER, None), ("q", PROMPT_RE)],
           ["less /etc/services"], ("less",)),
    _after("less_256color", "the same with TERM=xterm-256color",
           [("less /etc/services" + ENTER, None), ("q", PROMPT_RE)],
           ["less /etc/services"], ("less",), term="xterm-256color"),
    _after("less_search", "less, a search typed with Enter inside it, q",
           [("less /etc/services" + ENTER, None), ("/ssh" + ENTER, None), ("n", None),
            ("q", PROMPT_RE)],
           ["less /etc/services", None], ("less",)),
    _after("more", "more /etc/services, space, q",
           [("more /etc/services" + ENTER, None), (" ", None), ("q", PROMPT_RE)],
           ["more /etc/services"], ("more",)),
    _after("man", "man ls, a page down, q",
           [("man ls" + ENTER, "LS"), (" ", None), ("q", PROMPT_RE)],
           ["man ls"], ("man",), env={"MANPAGER": "less", "PAGER": "less"}),
    _after("git_log", "git log in a small repository (pager less), q",
           [("git log" + ENTER, None), ("q", PROMPT_RE)],
           ["git log"], ("git", "less"), setup="git_repo"),
    _after("top", "top, q",
           [("top" + ENTER, "load average"), ("q", PROMPT_RE)],
           ["top"], ("top",)),
    _after("htop", "htop, q",
           [("htop" + ENTER, None), ("q", PROMPT_RE)],
           ["htop"], ("htop",)),
    _after("watch", "watch -n1 date, Ctrl-C",
           [("watch -n1 date" + ENTER, "Every"), ("\x03", PROMPT_RE)],
           ["watch -n1 date"], ("watch",)),
    _after("vim", "vim: insert text (with a line that ends like a prompt), :wq",
           [("vim f.txt" + ENTER, None), ("ihello" + ENTER + "echo hi $ " + ESC, None),
            (":wq" + ENTER, PROMPT_RE)],
           ["vim f.txt", None, None], ("vim",)),
    _after("vim_zz", "vim, x, ZZ (leaves without an Enter)",
           [("vim f.txt" + ENTER, None), ("x", None), ("ZZ", PROMPT_RE)],
           ["vim f.txt"], ("vim",)),
    _after("nano", "nano: text, Ctrl-O Enter to write, Ctrl-X",
           [("nano -R g.txt" + ENTER, None), ("hello nano", None), ("\x0f", None),
            (ENTER, None), ("\x18", PROMPT_RE)],
           ["nano -R g.txt", None], ("nano",)),
    Scenario("completion", "Tab completes, Tab Tab lists, then the line is run",
             [("ls /etc/ssh/ss", None), ("\t", None), ("\t", None), ("_config", None),
              (ENTER, PROMPT_RE),
              ("ech\t", None), ("done" + ENTER, PROMPT_RE)],
             ["ls /etc/ssh/ssh_config", "echo done"], ("ls",)),
    Scenario("history", "Up recalls, edit, Ctrl-R search",
             [_line("echo first"), (UP, None), (" second" + ENTER, PROMPT_RE),
              ("\x12", None), ("first", None), (ENTER, PROMPT_RE)],
             ["echo first", "echo first second", "echo first second"]),
    Scenario("paste", "a bracketed paste of two lines, then a typed line",
             [("\x1b[200~echo one\recho two\x1b[201~", None), (ENTER, PROMPT_RE),
              _line("echo three")],
             ["echo one", "echo two", "echo three"]),
    Scenario("read_answers", "read, a [Y/n] prompt and a silent password read, each answered",
             [_line("read -r name; echo got-$name", None), ("bob" + ENTER, PROMPT_RE),
              _line("read -r -p 'Continue? [Y/n] ' a; echo ans-$a", "Continue"),
              ("y" + ENTER, PROMPT_RE),
              _line("read -r -s -p 'Password: ' pw; echo; echo len-${#pw}", "Password"),
              ("hunter2" + ENTER, PROMPT_RE)],
             ["read -r name; echo got-$name", "bob",
              "read -r -p 'Continue? [Y/n] ' a; echo ans-$a", "y",
              "read -r -s -p 'Password: ' pw; echo; echo len-${#pw}", None]),
    Scenario("continuation", "an open quote continued on a second line",
             [("echo 'a" + ENTER, "> "), ("b'" + ENTER, PROMPT_RE)],
             [None, "echo 'a\nb'"]),
    Scenario("ctrl_c_ctrl_d", "Ctrl-C on a typed line, a subshell left with Ctrl-D, exec bash",
             [("echo never", None), ("\x03", PROMPT_RE),
              _line("bash --norc --noprofile"), ("\x04", PROMPT_RE),
              _line("exec bash --norc --noprofile"), _line("echo after")],
             ["bash --norc --noprofile", "exec bash --norc --noprofile", "echo after"]),
    Scenario("typeahead_sleep", "a line typed while the previous one still runs",
             [_line("sleep 1"), _line("echo after")], ["sleep 1", "echo after"]),
    Scenario("read_e", "read -e (readline in a program the shell runs) answered",
             [_line("read -e -p 'name: ' x; echo hi-$x", "name: "), _line("bob")],
             ["read -e -p 'name: ' x; echo hi-$x", "bob"]),
    Scenario("python_repl", "python3's prompt (readline), a line, Ctrl-D",
             [_line("python3 -q", ">>> "), _line("1+1", ">>> "), ("\x04", PROMPT_RE)],
             ["python3 -q", "1+1"], needs=("python3",)),
    Scenario("vi_mode", "set -o vi, a line edited in vi's command mode, run",
             [_line("set -o vi"), ("echo abc", None), (ESC, None), ("0", None), ("i", None),
              ("X", None), _line("")],
             ["set -o vi", "Xecho abc"]),
    # Readline keys that run a line or code without Enter (issue 12, finding 3): each is a
    # judge point; the canary file lands in the recorder's scratch home.
    Scenario("key_edit_and_execute", "C-x C-e with an EDITOR that rewrites the line",
             [_line("export EDITOR='sed -i s/xouch/touch/'"), ("xouch canary", None),
              ("\x18\x05", PROMPT_RE)],
             ["export EDITOR='sed -i s/xouch/touch/'", "xouch canary"]),
    Scenario("key_insert_comment", "a commented line uncommented and run: Esc 1 Esc #",
             [("#touch canary", None), ("\x1b1\x1b#", PROMPT_RE)], ["touch canary"]),
    Scenario("key_shell_expand", "shell-expand-line (Esc C-e) runs $( ) on the line at once",
             [("echo $(touch canary)", None), ("\x1b\x05", None), _line("")],
             ["echo $(touch canary)", "echo"]),
    Scenario("key_operate", "operate-and-get-next (C-o) runs the line",
             [_line("echo one"), ("touch canary", None), ("\x0f", PROMPT_RE)],
             ["echo one", "touch canary"]),
    Scenario("key_vi_edit", "vi mode: v edits and runs the line",
             [_line("set -o vi"), _line("export EDITOR='sed -i s/xouch/touch/'"),
              ("xouch canary", None), (ESC, None), ("v", PROMPT_RE)],
             ["set -o vi", "export EDITOR='sed -i s/xouch/touch/'", "xouch canary"]),
    Scenario("key_vi_comment", "vi mode: 1# uncomments and runs the line",
             [_line("set -o vi"), ("#touch canary", None), (ESC, None), ("1", None),
              ("#", PROMPT_RE)],
             ["set -o vi", "touch canary"]),
    # Readline answers a lone Esc after its keyseq-timeout (0.5 s): a person pausing after it.
    Scenario("key_vi_inputrc", "vi mode from ~/.inputrc, unseen by the gate: Esc, 1, #",
             [("#touch canary", None), (ESC, "\x08"), ("1", None), ("#", PROMPT_RE)],
             ["touch canary"], setup="vi_inputrc"),
    Scenario("bound_accept_line", "a key the user bound to accept-line (the backstop sees it)",
             [_line("bind '\"\\C-t\": accept-line'"), ("touch canary", None), ("\x14", PROMPT_RE)],
             ["bind '\"\\C-t\": accept-line'"]),
    Scenario("bound_macro", "a key the user bound to a macro that types a line and Enter",
             [_line("bind '\"\\C-t\": \"touch canary\\n\"'"), ("\x14", PROMPT_RE)],
             ["bind '\"\\C-t\": \"touch canary\\n\"'"]),
    Scenario("bound_command", "bind -x: a key that runs a command (the shell prints no ?2004l)",
             [_line("bind -x '\"\\C-t\": touch canary'"), ("\x14", None), _line("ls canary")],
             ["bind -x '\"\\C-t\": touch canary'", "ls canary"]),
    Scenario("heredoc", "a here-document typed line by line",
             [("cat <<EOF" + ENTER, "> "), ("one" + ENTER, "> "), ("two" + ENTER, "> "),
              _line("EOF")],
             # The session's first prompt is not known to be the shell's (a `read -e` in
             # ~/.bashrc could show it): each body line is also judged on its own.
             [None, "one", "two", "cat <<EOF\none\ntwo\nEOF"]),
    Scenario("for_loop", "a loop on one line, then one over three lines",
             [_line("for i in 1 2; do echo n$i; done"), ("for i in 1 2" + ENTER, "> "),
              ("do echo m$i" + ENTER, "> "), _line("done")],
             ["for i in 1 2; do echo n$i; done", None, None,
              "for i in 1 2\ndo echo m$i\ndone"]),
    Scenario("long_line", "a line longer than the terminal is wide",
             [_line("echo " + "abcdefghij" * 12)], ["echo " + "abcdefghij" * 12]),
    Scenario("search_then_edit", "Ctrl-R, then arrows and an edit before Enter",
             [_line("echo alpha beta"), ("\x12", None), ("alpha", None), ("\x1b[C", None),
              ("\x1b[D", None), ("\x1b[D", None), ("\x1b[D", None), ("\x1b[D", None),
              ("X", None), _line("")],
             ["echo alpha beta", "ecXho alpha beta"]),
    Scenario("clear_screen", "Ctrl-L with a line half typed, then the rest",
             [("echo hal", None), ("\x0c", None), _line("f")], ["echo half"]),
    Scenario("man_search", "man ls, a search inside the pager, q",
             [("man ls" + ENTER, "LS"), ("/sort" + ENTER, None), ("q", PROMPT_RE),
              _line("echo XYZ")],
             ["man ls", None, "echo XYZ"], ("man",), env={"MANPAGER": "less", "PAGER": "less"}),
    Scenario("git_commit", "git commit with vim as the editor: a message, :wq",
             [_line("echo change >> f.txt"), _line("git commit -qam wip"),
              _line("git commit --amend", None), ("cwork in progress", None), ("\x1b", None),
              (":wq" + ENTER, PROMPT_RE), _line("git log --oneline -1 | cat")],
             ["echo change >> f.txt", "git commit -qam wip", "git commit --amend", None,
              "git log --oneline -1 | cat"], ("git", "vim"), setup="git_repo"),
    Scenario("top_keys", "top, a key that changes its view, q",
             [("top" + ENTER, "load average"), ("1", None), ("q", PROMPT_RE), _line("echo XYZ")],
             ["top", "echo XYZ"], ("top",)),
    Scenario("paste_blank_line", "a bracketed paste of three lines with a blank one",
             [("\x1b[200~echo p1\r\recho p3\x1b[201~", None), _line("")],
             ["echo p1", None, "echo p3"]),
    # Attack D: keys and lines as bash and the terminal driver really read them.
    Scenario("heredoc_eof", "a here-document ended by Ctrl-D (bash runs it), then a line",
             [("cat <<EOF" + ENTER, "> "), ("one" + ENTER, "> "), ("\x04", PROMPT_RE),
              _line("echo XYZ")],
             [None, "one", "cat <<EOF\none\nEOF", "echo XYZ"]),
    Scenario("read_apostrophe", "an answer to read holding an open quote, then a line",
             [_line("read -r -p 'Comment: ' c", "Comment: "), _line("it's fine"),
              _line("echo XYZ")],
             ["read -r -p 'Comment: ' c", None, "echo XYZ"]),
    Scenario("signal_keys_at_prompt", "Ctrl-Z and Ctrl-\\ typed at the prompt change nothing",
             [("echo ca", None), ("\x1a", None), ("n", None), ("\x1c", None), _line("dy")],
             ["echo candy"]),
    Scenario("utf8_text", "UTF-8 text whose bytes include meta keys of a C locale (\u00a3, \u0445)",
             [_line(UTF8_LINE.encode().decode("latin-1")), _line("echo XYZ")],
             ["#echo 'price ", UTF8_LINE, "echo XYZ"]),
    Scenario("utf8_vi", "the same in vi mode (\u010d holds Esc C-m, vi's accept-line)",
             [_line("set -o vi"), _line(UTF8_LINE.encode().decode("latin-1")),
              _line("echo XYZ")],
             ["set -o vi", "#echo 'price ", UTF8_LINE, "echo XYZ"]),
    Scenario("vi_change", "vi mode: a word changed with cw, the new text starting with v",
             [_line("set -o vi"), ("echo hi", None), (ESC, None), ("b", None), ("c", None),
              ("w", None), _line("value")],
             ["set -o vi", "echo value"]),
    # Readline's word moves and kills, transposes, case changes and undo (attack d13i): the
    # keystroke model follows each of them, so the screen only confirms the line.
    Scenario("edit_words", "M-t swaps two words, M-b M-b M-u upcases one, M-f moves on",
             [("echo beta alpha", None), ("\x1bt", None), ("\x1bb", None), ("\x1bb", None),
              ("\x1bu", None), ("\x1bf", None), _line("")],
             ["echo ALPHA beta"]),
    Scenario("edit_transpose_undo", "Ctrl-T fixes a typo, Ctrl-W then Ctrl-_ undoes it, M-d, M-c",
             [("ehco one two", None), ("\x01", None), ("\x06", None), ("\x06", None),
              ("\x14", None), ("\x05", None), ("\x17", None), ("\x1f", None), ("\x1bb", None),
              ("\x1bd", None), ("three", None), ("\x1bb", None), ("\x1bc", None),
              ("\x1b\x7f", None), _line("four")],
             ["echo one four"]),
    Scenario("edit_revert", "M-r reverts a typed line to empty, then another line",
             [("echo abc", None), ("\x18\x15", None), ("\x1br", None), _line("echo reverted")],
             ["echo reverted"]),
    Scenario("dash_tty", "sh (dash): the terminal driver edits the line; DEL erases",
             [_line("PS1='$ ' sh", r"\$ "), ("echo onx", None), ("\x7f", None),
              _line("e", r"\$ "), ("echo tw", None), ("\x15", None), _line("echo two", r"\$ "),
              _line("exit")],
             ["PS1='$ ' sh", "echo one", "echo two", "exit"], ("dash",)),
    Scenario("key_meta_expand", "a C locale: byte 0x85 is Esc C-e (shell-expand-line)",
             [("echo $(touch canary)", None), ("\x85", None), _line("")],
             ["echo $(touch canary)", "echo"], env={"LANG": "C"}),
    Scenario("key_vi_change_no_motion", "vi mode: c then a key that is no motion stays in "
             "command mode, and v edits and runs the line",
             [_line("set -o vi"), _line("export EDITOR='sed -i s/xouch/touch/'"),
              ("xouch canary", None), (ESC, None), ("c", None), ("q", None), ("v", PROMPT_RE)],
             ["set -o vi", "export EDITOR='sed -i s/xouch/touch/'", "xouch canary"]),
    Scenario("bound_after_esc_enter", "Esc Enter (unbound in emacs mode) judged, then a key "
             "the user bound to accept-line",
             [_line("bind '\"\\C-t\": accept-line'"), ("echo hi", None), (ESC, None),
              (ENTER, None), ("\x15", None), ("touch canary", None), ("\x14", PROMPT_RE)],
             ["bind '\"\\C-t\": accept-line'", "echo hi"]),
    Scenario("tty_raw_backspace", "sh with stty -echoctl: Ctrl-H is data for the tty, and its "
             "raw echo moves the cursor over what it hides",
             [_line("PS1='$ ' sh", r"\$ "), _line("stty -echoctl", r"\$ "),
              ("touch canary;#", None), *[("\x08", None)] * 14, _line("echo safe line", r"\$ "),
              _line("exit")],
             ["PS1='$ ' sh", "stty -echoctl", "echo safe line", "exit"], ("dash",)),
    Scenario("color_prompt", "Debian's coloured prompt that sets the window title",
             [_line("echo colours", r"[#$] "), _line("ls /etc/ssh", r"[#$] ")],
             ["echo colours", "ls /etc/ssh"],
             ps1=r"\[\e]0;\u@\h: \w\a\]\[\033[01;32m\]bob@web01\[\033[00m\]:\[\033[01;34m\]~\[\033[00m\]\$ "),
]


def _keys(text: str) -> list[str]:
    """What a person types, one key at a time (escape sequences and UTF-8 characters whole, as a
    terminal sends them). Scenario text is bytes written as latin-1 characters."""
    keys, i = [], 0
    while i < len(text):
        m = re.match(r"\x1b\[[0-9;]*[~A-Za-z]|\x1b\[20[01]~", text[i:])
        if text.startswith("\x1b[200~", i):
            end = text.index("\x1b[201~", i) + 6
            keys.append(text[i:end])  # a paste arrives as one write
            i = end
        elif m:
            keys.append(m.group())
            i += m.end()
        elif "\xc2" <= text[i] <= "\xf4":  # a UTF-8 character (bytes as latin-1): one key
            m = re.match("[\xc2-\xf4][\x80-\xbf]*", text[i:])
            keys.append(m.group())
            i += m.end()
        else:
            keys.append(text[i])
            i += 1
    return keys


def _read_until(fd: int, pattern: str | None, quiet: float) -> list[bytes]:
    chunks: list[bytes] = []
    seen = b""
    regex = re.compile(pattern.encode()) if pattern else None
    deadline = time.monotonic() + MAX_STEP
    matched = regex is None
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], quiet if matched else 0.05)
        if not ready:
            if matched:
                break
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
        seen += chunk
        if regex is not None and not matched and regex.search(seen):
            matched = True
    if not matched:
        raise RuntimeError(f"timed out waiting for {pattern!r}: {seen[-300:]!r}")
    return chunks


def _git_repo(home: Path) -> None:
    env = dict(os.environ, HOME=str(home), GIT_AUTHOR_NAME="Bob", GIT_AUTHOR_EMAIL="bob@example.com",
               GIT_COMMITTER_NAME="Bob", GIT_COMMITTER_EMAIL="bob@example.com")
    subprocess.run(["git", "init", "-q", str(home)], check=True, env=env)
    for i in range(30):
        (home / "f.txt").write_text(f"{i}\n")
        subprocess.run(["git", "-C", str(home), "add", "f.txt"], check=True, env=env)
        subprocess.run(["git", "-C", str(home), "commit", "-qm", f"change {i}"], check=True, env=env)


def record(s: Scenario) -> dict:
    missing = [n for n in s.needs if shutil.which(n) is None]
    if missing:
        raise RuntimeError(f"{s.name}: install {', '.join(missing)} first")
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        if s.setup == "git_repo":
            _git_repo(home)
        elif s.setup == "vi_inputrc":
            (home / ".inputrc").write_text("set editing-mode vi\n")
        env = {"HOME": str(home), "TERM": s.term, "PATH": "/usr/bin:/bin:/usr/sbin:/sbin",
               "LANG": "C.UTF-8", "PS1": s.ps1, "EDITOR": "vim", "LESS": "", "GIT_PAGER": "less",
               "HISTFILE": str(home / ".history"), "GIT_AUTHOR_NAME": "Bob",
               "GIT_AUTHOR_EMAIL": "bob@example.com", "GIT_COMMITTER_NAME": "Bob",
               "GIT_COMMITTER_EMAIL": "bob@example.com", **s.env}
        (home / ".vimrc").write_text("set nocompatible\nset viminfo=\n")
        pid, fd = pty.fork()
        if pid == 0:
            os.chdir(home)
            os.execvpe("bash", ["bash", "--norc", "--noprofile", "-i"], env)  # noqa: S606
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        try:
            steps = [{"keys": "", "out": _read_until(fd, re.escape(s.ps1[-2:]) if "\\" not in s.ps1
                                                     else r"[#$] ", QUIET)}]
            for text, until in s.steps:
                keys = _keys(text)
                for n, key in enumerate(keys):
                    last = n == len(keys) - 1
                    os.write(fd, key.encode("latin-1"))  # keys are bytes as latin-1 text
                    slow = key == ENTER or key in ("q", "\x03")
                    steps.append({"keys": key, "out": _read_until(
                        fd, until if last else None, SLOW_QUIET if slow else QUIET)})
        finally:
            os.write(fd, b"\x03exit\r")
            time.sleep(0.3)
            try:
                os.kill(pid, 9)
            except ProcessLookupError:
                pass
            os.waitpid(pid, 0)
            os.close(fd)
    return {"name": s.name, "about": s.about, "term": s.term, "cols": 80, "rows": 24,
            "judged": s.judged,
            "steps": [{"keys": st["keys"], "out": [c.decode("latin-1") for c in st["out"]]}
                      for st in steps]}


def main(names: list[str]) -> int:
    FIXTURES.mkdir(parents=True, exist_ok=True)
    chosen = [s for s in SCENARIOS if not names or s.name in names]
    for s in chosen:
        data = record(s)
        path = FIXTURES / f"{s.name}.json"
        path.write_text(json.dumps(data, indent=1, ensure_ascii=True) + "\n")
        print(f"{path}: {len(data['steps'])} steps")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
