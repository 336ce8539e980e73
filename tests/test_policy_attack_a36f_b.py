"""Attack a36f, findings 3, 4, 18, 19, 24 and 25: an init script (or a program's own script)
read by a shell from a place the line names otherwise, with the arguments the line gives it as
its `$1`: `sh -c '. FILE' x stop` with the file quoted, as `$0`, as a pattern, or with words
dash ignores after it (3); a pattern in the redirection feeding a shell its script (4); the
shells' startup files (BASH_ENV, ENV, `--rcfile`) and the line's own positional parameters
(`set -- stop; . F`, `f() { . F; }; f stop`) (18); find's `{}` as the script (19); the file an
`exec 3<F` earlier on the line opened, or a redirection on an outer `sh -c`/`su -c` (24); a
here-string or here-document script sourcing the file (25).

Each line is judged typed at a terminal and as an exec command: the attacker's lines and their
siblings are held (denied where the file and its action are read, confirmed where the script
or its arguments are known only at run time), and the honest lines beside them still run
(sourcing one's own files, `sh -c` code with operands, find running scripts with a shell,
`exec 3<` for reading, a startup file of one's own)."""

from tests.policy_rows import assert_held_or_runs
from tests.rows import each

NL = "\n"
HELD = [
    # 3: `sh -c '. FILE' ARG0 ACTION`, the file's word as the shell reads it
    """sh -c '. "/etc/init.d/ufw"' x stop""", """sh -c ". '/etc/init.d/ufw'" x stop""",
    """sh -c '. /etc/init.d/"ufw"' x stop""", """sh -c '. /etc/init.d/uf\\w' x stop""",
    """bash -c 'source "/etc/init.d/auditd"' x stop""", """sh -c '. "$0"' /etc/init.d/ufw stop""",
    """sh -c '. $0' /etc/init.d/ufw stop""", """sh -c '. ${0}' /etc/init.d/ufw stop""",
    """sh -c '. /etc/init.d/ufw ""' x stop""", """sh -c '. /etc/init.d/ufw status' x stop""",
    """dash -c '. /etc/init.d/auditd status' x stop""", """sh -c '. /etc/init.d/uf?' x stop""",
    """sh -c '. /etc/init.d/u*' x stop""", """bash -c 'source /etc/init.d/audit?' x stop""",
    """sh -c '{ . /etc/init.d/ufw; }' x stop""", """sh -c 'command . /etc/init.d/ufw' x stop""",
    """sh -c 'set -e; . /etc/init.d/ufw' x stop""", """sh -c '. "$1"; . /etc/init.d/ufw' x stop""",
    """sh -c '. /usr/sbin/service' x ufw stop""", """sh -c '. "$X"' x stop""",
    """sh -c 'f() { . /etc/init.d/ufw; }; f' x stop""", """sudo sh -c '. "/etc/init.d/ufw"' x stop""",
    # 4: a pattern in the redirection that feeds the script
    "sh -s stop < /etc/init.d/uf?", "sh -s stop < /etc/init.d/u*", "sh -s stop < /etc/init.d/[u]fw",
    "bash -s stop < /etc/init.d/audit?", "sh /dev/fd/3 stop 3< /etc/init.d/uf?",
    "sh /dev/stdin stop < /etc/init.d/uf*", "sh -s ufw stop < /usr/sbin/servic?",
    # 18: startup files and the line's own positional parameters
    "BASH_ENV=/etc/init.d/ufw bash -c : x stop", "env BASH_ENV=/etc/init.d/auditd bash -c true x stop",
    "export BASH_ENV=/etc/init.d/ufw; bash -c : x stop", "BASH_ENV=/etc/init.d/ufw bash /dev/null stop",
    "ENV=/etc/init.d/ufw sh -i -c : x stop", "bash --rcfile /etc/init.d/ufw -i -c : x stop",
    "bash --init-file /etc/init.d/ufw -ic : x stop", "BASH_ENV=/usr/sbin/service bash -c : x ufw stop",
    "bash --rcfile=/etc/init.d/ufw -i -c : x stop", "BASH_ENV=/etc/init.d/uf? bash -c : x stop",
    "set -- stop; . /etc/init.d/ufw", "set stop; source /etc/init.d/ufw",
    "set -- x stop; shift; . /etc/init.d/ufw", 'set -- stop; . /etc/init.d/ufw "$@"',
    "f() { . /etc/init.d/ufw; }; f stop", 'f() { . /etc/init.d/ufw "$@"; }; f stop',
    "set -- ufw stop; . /usr/sbin/service", '. "$X" stop',
    # (siblings: a bare name `.` and bash look up in PATH; a `cd` in the code; eval; nested;
    # operands known only at run time)
    ". service ufw stop", "source service ufw stop", "bash service ufw stop",
    "set -- ufw stop; . service", "set ufw stop; source service", "set -- x ufw stop; shift; . service",
    "sh -c '. service' x ufw stop", "sh -c 'cd /etc/init.d; . ./ufw' x stop",
    "sh -c \"eval '. /etc/init.d/ufw'\" x stop", "sh -c '. /etc/init.d/ufw' x \"$A\"",
    "sh -c 'sh -c \". /etc/init.d/ufw\" y \"$1\"' x stop",
    # (typed, the shell keeps its state for the next line: `$1`, descriptors, BASH_ENV)
    ". /etc/init.d/ufw", ". /etc/init.d/ufw status", "f() { . /etc/init.d/ufw; }",
    "exec 3</etc/init.d/ufw", "export BASH_ENV=/etc/init.d/ufw", "export ENV=/usr/sbin/service",
    # 19: find's {} as a shell's or an interpreter's script
    "find /etc/init.d -name ufw -exec sh {} stop \\;", "find /etc/init.d/ufw -exec sh {} stop \\;",
    "find /etc/init.d -name ufw -exec sh {} stop +", "find /etc/init.d -name ufw -execdir sh {} stop \\;",
    "find /etc/init.d -name auditd -exec bash {} stop \\;",
    "find /etc -path '*init.d/ufw' -exec /bin/sh {} stop \\;",
    "cd /etc/init.d && find . -name ufw -exec sh {} stop \\;",
    "find /etc/init.d -name ufw -exec sudo sh {} stop \\;",
    "find /usr/sbin -name ufw -exec python3 {} disable \\;",
    "find /usr/sbin -name service -exec sh {} ufw stop \\;",
    "find /usr/sbin/ufw disable -exec python3 {} +",
    "find /etc/init.d -name ufw -exec sh -c '. {}' x stop \\;",
    "find /etc/init.d -name ufw -exec sh -c '. \"$0\"' {} stop \\;",
    # (an interpreter's script known only at run time, with the line's words)
    'python3 "$X" disable', "python3 $(command -v ufw) disable", 'php "$F" a',
    # 24: the script's file opened earlier on the line or on an outer shell
    "exec 3< /etc/init.d/ufw; sh /dev/fd/3 stop", "exec 3< /etc/init.d/auditd; bash /dev/fd/3 stop",
    "exec 4</etc/init.d/ufw; sh /proc/self/fd/4 stop", "exec < /etc/init.d/ufw; sh -s stop",
    "exec 3</etc/init.d/ufw; . /dev/fd/3 stop", "exec 3</usr/sbin/service; sh /dev/fd/3 ufw stop",
    "exec 0< /etc/init.d/ufw; sh -s stop", "sh -c 'sh -s stop' < /etc/init.d/ufw",
    "bash -c 'sh -s stop' < /etc/init.d/ufw", "sudo sh -c 'sh -s stop' < /etc/init.d/ufw",
    "su -c 'sh -s stop' < /etc/init.d/ufw", "su root -c 'sh /dev/stdin stop' < /etc/init.d/ufw",
    "sh -c 'sh /dev/fd/3 stop' 3< /etc/init.d/ufw", "exec 3< /etc/init.d/uf?; sh /dev/fd/3 stop",
    # 25: a here-string or here-document script sourcing the file with the shell's operands
    f"sh -s stop <<'EOF'{NL}. /etc/init.d/ufw{NL}EOF", f"sh -s stop <<EOF{NL}. /etc/init.d/ufw{NL}EOF",
    "bash -s stop <<< '. /etc/init.d/ufw'", "sh -s -- stop <<< 'source /etc/init.d/ufw'",
    "sh /dev/stdin stop <<< '. /etc/init.d/ufw'", "bash -s stop <<< '. /etc/init.d/auditd'",
    "sh -s stop <<< '. \"/etc/init.d/ufw\" status'", "sh -s stop <<< '{ . /etc/init.d/uf?; }'",
]

# Honest lines beside them: they run.
HONEST = [
    ". ~/.bashrc", ". /etc/os-release", "source venv/bin/activate", ". ./env.sh; make",
    "set -e; . ./env.sh", "set -o pipefail; make", "set -- a b; echo $1",
    "sh -c 'echo $1' x hi", "bash -c '. ./lib.sh; run \"$@\"' x a b", "sh -c 'cd /tmp && ls' x",
    "sh -c 'find . -name x' x y", "sh -s arg < ./script.sh", "bash -s -- x <<< 'echo $1'",
    "exec 3< ./in.txt; cat <&3", "exec 3< /etc/hosts; sh ./x.sh stop",
    "BASH_ENV=~/.bashrc bash -c make", "bash --rcfile ~/.bashrc -i", "f() { . ./env.sh; }; f a",
    "env ENV=/etc/profile sh -i -c true", "find . -name '*.sh' -exec sh {} \\;",
    "find . -name '*.py' -exec python3 {} \\;", "find . -type f -exec sh -c 'echo \"$0\"' {} \\;",
    "find . -name '*.txt' -exec rm {} \\;", "sh -c 'sh -s' < ./script.sh",
    "bash deploy.sh prod", ". env.sh prod", "set -- a b; . env.sh",
    "source activate myenv", "bash -x build.sh --fast", 'python3 "$X"', 'python3 manage.py "$X"',
    'python3 -m pytest "$X"', 'python3 -X "$o" app.py a', "python3 -c \"$code\" x",
    "sh -c 'cd app && . ./env.sh && run \"$@\"' x a b",
]


@each("line", HELD)
def test_attack_a36f_b_held(default_policy, line: str) -> None:
    assert_held_or_runs(default_policy, line, held=True)


@each("line", HONEST)
def test_attack_a36f_b_honest_lines_run(default_policy, line: str) -> None:
    assert_held_or_runs(default_policy, line, held=False)
