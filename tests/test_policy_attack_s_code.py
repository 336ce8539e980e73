"""Programs that read or run code where the policy read otherwise (outside attack S, findings
3, 8, 9 and 14): tables of lines against the shipped policy, pure.

Each table holds the tester's lines and the members of their class found while closing them;
each held line was allowed before. The honest lines beside them stay allowed.
"""

from __future__ import annotations

from pathlib import Path

from bastion.command_control.policy import (
    evaluate,
    load_policy,
    parse_commands,
    reads_script_from_stdin,
    script_doubt,
)
from tests.rows import each

POLICY = load_policy(Path(__file__).resolve().parents[1] / "config" / "policy.toml")


def action(line: str) -> str:
    """The verdict's action as judge_exec has it for an exec command (no terminal)."""
    return evaluate(POLICY, line, role="engineer", target="web01", login="root", interactive=False).action


# Finding 8: an option's value read as more option letters (`-MData::Dumper` holds an `e`), so the
# interpreter was taken for one given code on the line while it reads its program from stdin.
VALUE_NOT_LETTERS = [
    "perl -MData::Dumper", "python3 -Xfrozen_modules=off", "python3 -Wdefault::DeprecationWarning",
    "tclsh -encoding utf-8", "perl -mFile::Temp", "perl -Mfeature=say", "perl -i.bake",
    "ruby -rset", "php -dmemory_limit=1G", "lua -lsocket", "perl -MO=Deparse", "perl -x.e",
    "ruby -Eutf-8", "perl -Ic", "wish -class x",
    # code on the line, then a prompt on stdin; a file of code loaded from a descriptor
    "julia -e 1 -i", "perl -e 1 -d", "node -e 1 -i",
    "julia -L /dev/stdin -e 1", "ruby -r/dev/stdin -e 1", "php -d auto_prepend_file=/dev/stdin -r 1",
    "node --require /dev/stdin -e 1", "node --require=/dev/fd/0 -e 1", "julia --load=/dev/stdin -e 1",
]
CODE_ON_THE_LINE = [
    "perl -lne 'print' f", "perl -0777 -ne 'print' f", "perl -CSDe 'print 1'",
    "perl -MData::Dumper -e 'print 1'", "python3 -Xdev -c 'print(1)'", "python3 -W ignore x.py",
    "ruby -rset -e 'p 1'", "lua -lsocket -e 'print(1)'", "tclsh -encoding utf-8 x.tcl",
    "php -dmemory_limit=1G -r 'echo 1;'", "perl -i.bak -pe 's/a/b/' f", "python3 -c 1 -i",
    "perl -e 'print 1' -", "perl -e 1 -- -d", "julia -e 1", "awk -v x=- '{print}' f",
]


@each("line", VALUE_NOT_LETTERS)
def test_an_option_value_is_no_inline_code_letter(line: str) -> None:
    assert reads_script_from_stdin(line) == "interpreter", parse_commands(line)
    assert "may read the script after it" in (script_doubt(line) or "")


@each("line", CODE_ON_THE_LINE)
def test_code_given_on_the_line_is_still_told_from_stdin(line: str) -> None:
    assert reads_script_from_stdin(line) is None, parse_commands(line)
    assert action(line) == "allow"


# Finding 9: more programs reading their program from stdin.
PROGRAM_FROM_STDIN = [
    "uv run -", "uv run --script -", "uv run --script /dev/stdin", "pwsh -Command -", "pwsh -c -",
    "pwsh -File -", "pwsh -f /dev/stdin", "pwsh", "pwsh -NoExit -c 'Get-Date'", "pwsh -Command",
    "pwsh -Foo x", "sbcl --script", "csi -s",
]
PROGRAM_ELSEWHERE = [
    "uv run x.py", "uv run python -c 1", "pwsh -NoProfile -c 'Get-Date'", "pwsh -f x.ps1",
    "pwsh x.ps1", "pwsh -ep Bypass -Command 'Get-Date'", "pwsh -EncodedCommand ZQA=",
    "sbcl --script x.lisp",
]


@each("line", PROGRAM_FROM_STDIN)
def test_more_programs_read_their_program_from_stdin(line: str) -> None:
    assert reads_script_from_stdin(line) == "interpreter", parse_commands(line)


@each("line", PROGRAM_ELSEWHERE)
def test_their_program_given_elsewhere_is_no_stdin_program(line: str) -> None:
    assert reads_script_from_stdin(line) is None, parse_commands(line)
    assert action(line) == "allow"


# Findings 9 and 14: renamers and mmv that read the names they change from stdin, or whose new
# name the policy cannot tell; mmv's links (mcp, mad, mln) write as it does.
NAMES_UNKNOWN = [
    "echo /etc/xsudoers | rename s/xsudoers/sudoers/", "rename s/xsudoers/sudoers/ < list",
    "prename 's/x/y/'", "file-rename -e s/x/y/", "perl-rename s/x/y/", "mmv",
    "mmv '/tmp/x /etc/sudoers.d/x'", "mcp", "mmv '*.txt' '#1.md'", "mmv a b c",
    "rename --stdin s/a/b/ f", "rename -stdin s/a/b/ f", "rename --std s/a/b/ f",
]
CREDENTIAL_WRITES = ["mmv /tmp/x /etc/sudoers.d/x", "mcp /tmp/x /etc/sudoers.d/x",
                     "mad /tmp/x /etc/shadow", "mln /tmp/x /etc/sudoers.d/x",
                     "mmv -- /tmp/x /etc/sudoers.d/x", "mmv '/tmp/*' '/etc/sudoers.d/#1'"]
HONEST_RENAMES = ["rename s/a/b/ f.txt", "mmv a.txt b.txt", "mcp a.txt b.txt", "rename.ul foo bar f"]


@each("line", NAMES_UNKNOWN)
def test_names_read_from_stdin_or_not_told_are_held(line: str) -> None:
    assert action(line) == "confirm", parse_commands(line)


@each("line", ["mmv", "rename s/x/y/", "mcp", "prename -e s/x/y/"])
def test_a_renamer_reading_names_may_read_the_script_after_it(line: str) -> None:
    assert "may read the script after it" in (script_doubt(line) or "")


@each("line", CREDENTIAL_WRITES)
def test_mmv_and_its_links_write_their_target(line: str) -> None:
    assert action(line) == "deny"


@each("line", HONEST_RENAMES)
def test_a_rename_of_named_files_stays_allowed(line: str) -> None:
    assert action(line) == "allow"
    assert script_doubt(line) is None


# Finding 3: gdb settings that write a file or turn on code; expressions that may call a function.
GDB_HELD = [
    "gdb -batch -nx -ex 'set logging file /etc/sudoers.d/gdb' -ex 'set logging enabled on' -ex 'echo x'",
    "gdb -batch -nx -ex 'set logging on'", "gdb -batch -iex 'set auto-load safe-path /' ./prog",
    "gdb -batch -ex 'set history filename /etc/x' -ex 'set history save on'",
    "gdb -batch -ex 'set trace-file /etc/x'", "gdb -batch -ex 'set python print-stack full'",
    "gdb -batch -ex 'set extension-language .x python'",
    "gdb -batch -ex 'set debug-file-directory /tmp/d' ./prog",
    "gdb -batch -ex 'set debuginfod enabled on' ./prog",
    "gdb -batch -ex 'set width $_shell(\"id\")'", "gdb -batch -p 1 -ex 'info symbol system(\"id\")'",
    "gdb -batch -p 1 -ex 'frame function x(1)'", "gdb -batch -p 1 -ex 'gcore /etc/x'",
    "lldb -b -o 'settings set target.output-path /etc/x' -p 1",
    "gdb -batch -data-directory /tmp/d -ex bt -p 1", "gdb --data-directory=/tmp/d -batch -ex bt -p 1",
    "gdb -D /tmp/d -batch -ex bt -p 1",
]
GDB_HONEST = [
    "gdb -batch -nx -ex 'set pagination off' -ex bt -p 1",
    "gdb -batch -nx -ex 'set print pretty on' -ex 'thread apply all bt' -p 1",
    "gdb -batch -nx -ex 'echo (done)\\n' -p 1", "gdb -batch -nx -p 1 -ex gcore", "lldb -b -x -o bt -p 1",
]


@each("line", GDB_HELD)
def test_gdb_settings_that_write_or_run_code_are_held(line: str) -> None:
    assert action(line) == "confirm", parse_commands(line)


@each("line", GDB_HONEST)
def test_gdb_settings_that_only_show_stay_allowed(line: str) -> None:
    assert action(line) == "allow", parse_commands(line)
