"""What of a client's channel requests reaches the target: locale variables and terminal modes
(pure; tests/test_channels.py performs the attacks against a real target)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import asyncssh

from bastion.command_control import policy
from bastion.ssh.negotiation import TERM_PASSED, filtered_env, passed_modes, passed_term
from tests.rows import each


@each("value", [
    "C", "POSIX", "C.UTF-8", "C.utf8", "en_US.UTF-8", "en_US.utf8", "de_DE.UTF-8@euro",
    "sr_RS.utf-8@latin", "",
])
def test_utf8_c_and_posix_locales_pass(value):
    assert filtered_env({"LANG": value, "LC_ALL": value}) == ({"LANG": value, "LC_ALL": value}, [])


@each("value", [
    "zh_CN.GBK", "zh_CN.GB18030", "zh_TW.Big5", "zh_HK.BIG5-HKSCS", "ja_JP.SJIS", "ja_JP.CP932",
    "zh_TW",  # no codeset: the locale's own, BIG5
    "en_US", "en_US.ISO-8859-1", "/tmp/locale", "../../tmp/x", "en_US.UTF-8/../../x",
    "en_US.UTF-8 ", "C.UTF-8\n", "iTerm2",
])
def test_every_other_locale_is_dropped_and_named(value):
    assert filtered_env({"LC_CTYPE": value, "LANG": "C.UTF-8"}) == ({"LANG": "C.UTF-8"},
                                                                      ["LC_CTYPE"])


def test_variables_other_than_lang_and_lc_never_pass_and_are_not_named():
    env = {"BASH_ENV": "/dev/stdin", "LD_PRELOAD": "/tmp/x.so", "LANGUAGE": "zh_TW",
           "BASTION_TICKET": "INC-1", "LC_MESSAGES": "en_GB.UTF-8"}
    assert filtered_env(env) == ({"LC_MESSAGES": "en_GB.UTF-8"}, [])


@each(("modes", "passed"), [
    ({asyncssh.PTY_VERASE: 0x7F, asyncssh.PTY_IUTF8: 1, asyncssh.PTY_OP_ISPEED: 38400,
      asyncssh.PTY_OP_OSPEED: 38400},
     {asyncssh.PTY_VERASE: 0x7F, asyncssh.PTY_IUTF8: 1, asyncssh.PTY_OP_ISPEED: 38400,
      asyncssh.PTY_OP_OSPEED: 38400}),
    ({asyncssh.PTY_VERASE: 0x08}, {asyncssh.PTY_VERASE: 0x08}),
    ({asyncssh.PTY_VERASE: ord("a")}, {}),  # an erase key that eats a letter the screen keeps
    ({asyncssh.PTY_ISTRIP: 1, asyncssh.PTY_IUCLC: 1, asyncssh.PTY_INLCR: 1,
      asyncssh.PTY_IGNCR: 1, asyncssh.PTY_ICRNL: 0, asyncssh.PTY_OLCUC: 1,
      asyncssh.PTY_ONLCR: 0, asyncssh.PTY_OCRNL: 1, asyncssh.PTY_OPOST: 0, asyncssh.PTY_XCASE: 1,
      asyncssh.PTY_ECHO: 0, asyncssh.PTY_ECHOE: 0, asyncssh.PTY_ECHOCTL: 0,
      asyncssh.PTY_ICANON: 0, asyncssh.PTY_ISIG: 0, asyncssh.PTY_IEXTEN: 0,
      asyncssh.PTY_CS7: 1, asyncssh.PTY_CS8: 0, asyncssh.PTY_PENDIN: 1}, {}),
    ({asyncssh.PTY_VINTR: 0, asyncssh.PTY_VKILL: ord("x"), asyncssh.PTY_VEOL: ord(";"),
      asyncssh.PTY_VEOL2: 13, asyncssh.PTY_VLNEXT: ord("#"), asyncssh.PTY_WERASE: ord(" "),
      asyncssh.PTY_VREPRINT: 10, asyncssh.PTY_VDISCARD: 21}, {}),
    ({200: 1, 31: 1}, {}),  # unknown and reserved opcodes
])
def test_only_modes_that_change_no_byte_reach_the_target(modes, passed):
    assert passed_modes(modes) == passed


DEFAULT_POLICY = Path(__file__).resolve().parent.parent / "config" / "policy.toml"


@each(("line", "action"), [
    ("export LC_ALL=zh_CN.GBK", "deny"), ('LC_ALL=zh_CN.GBK bash -c "echo hi"', "deny"),
    ("env LC_CTYPE=zh_TW.BIG5 bash -s", "deny"), ("declare -x LANG=ja_JP.SJIS", "deny"),
    ("LANG=zh_TW; echo x", "deny"), ("printf -v LC_ALL %s zh_CN.GBK", "deny"),
    ("read LC_ALL <<< zh_CN.GB18030", "deny"), ("export LC_ALL=$X", "deny"),
    ("localectl set-locale LANG=zh_CN.GBK", "deny"), ("update-locale LANG=zh_TW.BIG5", "deny"),
    ("echo LANG=zh_CN.GBK > /etc/default/locale", "deny"), ("tee -a /etc/locale.conf", "deny"),
    ("LC_ALL=C.UTF-8 ls", "allow"), ("LC_ALL=C sort x", "allow"), ("export LANG=en_US.utf8", "allow"),
    ("LANG= ls", "allow"), ("locale -a", "allow"), ("localectl status", "allow"),
    ("cat /etc/default/locale", "allow"),
])
def test_the_default_policy_keeps_a_session_in_a_locale_the_bastion_reads(line, action):
    """What the client cannot send, a command cannot switch to either (the target's own locale
    would then split the next lines otherwise than the bastion judged them)."""
    rules = policy.policy_from_dict(tomllib.loads(DEFAULT_POLICY.read_text(encoding="utf-8")))
    assert policy.evaluate(rules, line, role="engineer", target="web01", login="root").action == action


@each(("asked", "given"), [
    ("xterm", "xterm"), ("xterm-256color", "xterm-256color"), ("tmux-256color", "tmux-256color"),
    ("linux", "linux"), ("vt100", "vt100"),
    ("foot", TERM_PASSED), ("xterm-kitty", TERM_PASSED), ("XTERM", TERM_PASSED),
    ("xterm\x1b", TERM_PASSED), ("../../tmp/t", TERM_PASSED),
    ("dumb", None), ("DUMB", None), ("", "xterm-256color"), (" ", "xterm-256color"),
    ("unknown", None), ("emacs", None),
])
def test_a_pty_requests_terminal_type_reaches_the_target_only_with_bracketed_paste(asked, given):
    assert passed_term(asked) == given
