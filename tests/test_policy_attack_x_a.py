"""Outside attack X (findings 1, 3, 4 and 5) on the command filter, with the shipped policy:
sqlite3's dot-command words decoded as sqlite3 decodes them, python's runner modules (cProfile,
profile, trace, runpy) and clustered -m, perf's hooks, disassembler and output options. Each row
of an attack half is a line that ran unjudged before; each honest half keeps everyday lines of
the same programs allowed."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from bastion.command_control.policy import Policy, reads_script_from_stdin
from bastion.command_control.policy.program_writes import _sqlite_arguments
from tests.rows import each
from tests.test_policy import action

C = "/etc/sudoers.d/x"  # a credential file: writing it is denied


@each(("line", "expected"), [
    # finding 1: escapes in double-quoted (and bare) words, as sqlite3's resolve_backslashes
    ("""sqlite3 :memory: '.output "/etc/\\163udoers.d/x"' "select 1" """, "deny"),
    ("""sqlite3 :memory: '.once "/etc/\\x73udoers"' "select 1" """, "allow"),  # \\x is x: /etc/x73udoers
    ("""sqlite3 :memory: '.once /etc/\\163udoers' "select 1" """, "deny"),  # a bare word too
    ("""sqlite3 :memory: '.shell "r\\155" -rf /'""", "deny"),
    ("""sqlite3 :memory: '.system "touch" "/etc/\\163udoers.d/zz"'""", "deny"),
    ("""sqlite3 :memory: '.shell "ls\\n\\162m" -rf /'""", "deny"),  # \\n: a second command
    ("""sqlite3 :memory: '.shell "ls\\073\\162m" -rf /'""", "deny"),  # \\073 is `;`
    ("""sqlite3 :memory: '.log "/etc/sudoers.d/x\\000.tmp"'""", "deny"),  # NUL ends the C string
    ("""sqlite3 :memory: '.backup "/etc/\\\\163udoers"'""", "allow"),  # \\\\ is one backslash
    # the command's name is a word like the others: spaced, quoted, escaped
    (f"sqlite3 :memory: '. shell touch {C}'", "deny"),
    (f"""sqlite3 :memory: '."shell" touch {C}'""", "deny"),
    (f"""sqlite3 :memory: ".'sh' touch {C}" """, "deny"),
    (f"sqlite3 :memory: '.\\163hell touch {C}'", "deny"),
    (f"""sqlite3 :memory: '."\\157utput" {C}' 'select 1'""", "deny"),
    (f"""sqlite3 :memory: <<'E'\n."\\157nce" {C}\nselect 1;\nE""", "deny"),  # a here-document
    (f"""sqlite3 :memory: -cmd '. o "{C}"' 'select 1'""", "deny"),
    # honest halves
    ("""sqlite3 /tmp/t.db '.output "/tmp/o\\165t.txt"' 'select 1'""", "allow"),
    ("""sqlite3 /tmp/t.db '.shell "ls" /tmp'""", "allow"),
    ("""sqlite3 /tmp/t.db '.mode csv' '.headers on' 'select 1'""", "allow"),
    ("""sqlite3 /tmp/t.db '.tables'""", "allow"),
])
def test_sqlite3_dot_words_are_decoded_as_sqlite3_decodes_them(default_policy: Policy, line: str,
                                                               expected: str) -> None:
    assert action(default_policy, line) == expected


# Words whose decoding the installed sqlite3 shows (`.print` echoes them joined by blanks).
_PRINTED = [r'"a\163b" "\x41" "\q\\\"" x\101 "\1\12\7777"', r"'\101' '\\' \t\ta", r'"\400" z',
            r'"unterminated \" \101', r'"a"b "c"', r'"\a\b\f\v\r" "\0cut"']


@pytest.mark.skipif(shutil.which("sqlite3") is None, reason="needs the sqlite3 shell")
def test_the_decoder_agrees_with_the_installed_sqlite3() -> None:
    script = "".join(f".print {words}\n" for words in _PRINTED).encode()
    shown = subprocess.run(["sqlite3", ":memory:"], input=script, capture_output=True,
                           check=True).stdout
    decoded = "".join(" ".join(_sqlite_arguments(words)) + "\n" for words in _PRINTED)
    assert shown.decode("utf-8", "replace") == decoded


@each(("line", "expected"), [
    # finding 3: -m clustered with python's flags
    ("python3 -Im zipfile -e /tmp/a.zip /etc/sudoers.d", "confirm"),
    ("python3 -sm zipfile -e /tmp/a.zip /etc/sudoers.d", "confirm"),
    ("python3 -Bm zipfile -e /tmp/a.zip /etc/sudoers.d", "confirm"),
    ("python3 -OOm tarfile -e /tmp/a.tar /etc/sudoers.d", "confirm"),
    ("python3 -Esm zipfile -e /tmp/a.zip /etc/sudoers.d", "confirm"),
    ("python3 -mzipfile -e /tmp/a.zip /etc/sudoers.d", "confirm"),
    ("python3 -W ignore -m zipfile -e /tmp/a.zip /etc/sudoers.d", "confirm"),
    # runner modules: the module they run judged as -m's
    ("python3 -m cProfile -m zipfile -e /tmp/a.zip /etc/sudoers.d", "confirm"),
    ("python3 -m profile -s time -m zipfile -e /tmp/a.zip /etc/sudoers.d", "confirm"),
    ("python3 -m runpy zipfile -e /tmp/a.zip /etc/sudoers.d", "confirm"),
    ("python3 -m trace --trace --module zipfile -e /tmp/a.zip /etc/sudoers.d", "confirm"),
    ("python3 -m cProfile -m trace --modu runpy tarfile -e /tmp/a.tar /etc/sudoers.d", "confirm"),
    ("python3 -Im cProfile -m gzip -d /etc/shadow.gz", "deny"),
    ("python3 -m runpy venv /etc/sudoers.d", "confirm"),
    # the runners' own files
    (f"python3 -m cProfile -o {C} -m platform", "deny"),
    (f"python3 -m cProfile -mo{C} platform", "deny"),
    (f"python3 -m cProfile --out={C} x.py", "deny"),
    (f"python3 -m profile --outfile {C} x.py", "deny"),
    (f"python3 -m trace --count -f {C} x.py", "deny"),
    ("python3 -m trace -C /etc/sudoers.d --count x.py", "confirm"),
    ("python3 -m cProfile --no-such-option x.py", "confirm"),  # a runner's words unread
    ("python3 -m runpy $M", "confirm"),
    # honest halves
    ("python3 -m cProfile -o /tmp/prof.out -m platform", "allow"),
    ("python3 -m cProfile -s cumtime x.py", "allow"),
    ("python3 -m trace --count -C /tmp/cover x.py", "allow"),
    ("python3 -m trace --count -m code", "allow"),  # trace's -m is --missing: `code` is a file
    ("python3 -Im zipfile -e /tmp/a.zip /tmp/out", "allow"),
    ("python3 -m runpy zipfile -l /tmp/a.zip", "allow"),
    ("python3 -Im json.tool /tmp/a.json", "allow"),
])
def test_python_modules_run_by_runner_modules_are_judged(default_policy: Policy, line: str,
                                                         expected: str) -> None:
    assert action(default_policy, line) == expected


@each(("line", "expected"), [
    # finding 5: stat's hooks are shell code (any start of --pre/--post)
    (f"perf stat --pre 'cp /tmp/a {C}' true", "deny"),
    (f"perf stat --pr 'cp /tmp/a {C}' true", "deny"),
    ("perf stat --post='rm -rf /' true", "deny"),
    (f"perf stat -a --po 'tee {C}' -- sleep 1", "deny"),
    ("perf stat --pre \"$X\" true", "confirm"),
    # the disassembler's path is pasted into a /bin/sh command line
    (f"perf report --objdump='cp /tmp/a {C};'", "deny"),
    ("perf annotate --addr2line='rm -rf /'", "deny"),
    (f"perf top --objd 'tee {C};'", "deny"),
    ("perf record --clang-path='rm -rf /' true", "deny"),
    # the files it writes
    (f"perf record -o {C} true", "deny"),
    (f"perf record -ag -o{C} true", "deny"),
    (f"perf record --out {C} true", "deny"),
    (f"perf stat -o {C} true", "deny"),
    (f"perf stat record -o {C} true", "deny"),
    (f"perf trace -o {C} ls", "deny"),
    (f"perf inject -i /tmp/p -o {C}", "deny"),
    (f"perf timechart -o {C}", "deny"),
    (f"perf data convert --to-json {C}", "deny"),
    # the command a nested record runs, and the command after options the table knows
    (f"perf sched record cp /tmp/a {C}", "deny"),
    (f"perf lock record -- tee {C}", "deny"),
    (f"perf stat --per-core -a -x, tee {C}", "deny"),
    (f"perf ftrace -t function tee {C}", "deny"),
    # what the tables cannot read is held
    ("perf stat --no-such-option x ls", "confirm"),
    ("perf record -Z ls", "confirm"),
    ("perf kvm --guest record true", "confirm"),
    ("perf script -s /tmp/a.py", "confirm"),
    ("perf script record x", "confirm"),
    ("perf --exec-path=/tmp stat ls", "confirm"),
    ("perf --buildid-dir /etc report", "confirm"),
    ("perf stat --control fifo:/etc/shadow ls", "confirm"),
    # honest halves
    ("perf stat -e cycles,instructions -a -- sleep 1", "allow"),
    ("perf stat -x, -r 3 ls", "allow"),
    ("perf stat --no-merge --per-socket -a sleep 1", "allow"),
    ("perf record -F 99 -a -g -o /tmp/perf.data -- sleep 1", "allow"),
    ("perf record --call-graph dwarf ls", "allow"),
    ("perf report --stdio -i /tmp/perf.data --sort comm,dso", "allow"),
    ("perf report --objdump=/usr/bin/objdump", "allow"),
    ("perf top -p 1", "allow"),
    ("perf list", "allow"),
    ("perf trace -s ls", "allow"),
    ("perf sched latency", "allow"),
    ("perf diff -o 1", "allow"),  # diff's -o is --order
])
def test_perf_hooks_programs_and_outputs_are_judged(default_policy: Policy, line: str,
                                                    expected: str) -> None:
    assert action(default_policy, line) == expected


@each(("command", "kind"), [
    # finding 4: a shell or interpreter behind a hook or a runner reads the exec channel's stdin
    ("perf stat --pre bash true", "shell"),
    ("perf stat --pr sh true", "shell"),
    ("perf report --objdump='bash;'", "shell"),  # sh -c "bash; --start-address=..."
    ("""sqlite3 :memory: '.shell "b\\141sh"'""", "shell"),
    ("""sqlite3 :memory: '.\\163ystem sh'""", "shell"),
    ("python3 -m runpy code", "interpreter"),
    ("python3 -m cProfile -m code", "interpreter"),
    ("python3 -m profile -m pdb x.py", "interpreter"),
    ("python3 -m trace --count --module code", "interpreter"),
    ("python3 -Im runpy asyncio", "interpreter"),
    # honest halves
    ("perf stat --pre true ls", None),
    ("python3 -m trace --count -m code", None),  # a script file named code
    ("""sqlite3 :memory: '.shell "ls"'""", None),
])
def test_stdin_read_behind_a_hook_or_runner(command: str, kind: str | None) -> None:
    assert reads_script_from_stdin(command) == kind
