"""Attack b37f, findings 2, 4, 5 and 15: a `.`/`source`/BASH_ENV/--rcfile of a descriptor
(/dev/fd/N, /dev/stdin, /proc/PID/fd/N) read as the file a redirection on the command, a group
or the shell opened; a relative BASH_ENV/ENV read in the folder a wrapper moved to; settings
files moved by HOME or a program's own variable for the programs the settings-homes table
missed, by family name (pdb3, ipdb3, perl -d, gpg and its --homedir/--options, every
ansible-*, rclone, tofu, vim.basic, editor, rust-gdb, cgdb); uv's tool programs under
$XDG_DATA_HOME/../bin. Judged as the gates judge them: typed and as an exec command. Honest
lines beside them still run."""

from tests.policy_rows import assert_held_or_runs
from tests.rows import each

H = "HOME=/tmp/h"
F = "/etc/init.d/ufw"
# (line, held): held means denied or confirmed typed and as an exec command; not held: allowed
ROWS = [
    # finding 2: the attacker's lines and their siblings
    ("printf 'import os; os.system(\"systemctl stop auditd\")\\n' > /tmp/h/.pdbrc; "
     f"{H} pdb3 s.py", True),
    *((f"{H} {p} s.py", True) for p in ("pdb", "pdb3", "pdb3.11", "ipdb3", "ipdb", "pudb3")),
    (f"{H} perl -d s.pl", True), (f"{H} perl -de0", True), ("PERLDB_OPTS=NonStop perl -d s.pl", True),
    ("echo hi | GNUPGHOME=/tmp/g gpg --batch --symmetric --passphrase x", True),
    (f"{H} gpg -k", True), (f"{H} gpg2 -k", True), ("GNUPGHOME=/tmp/g gpgsm -k", True),
    ("gpg --homedir /tmp/g -k", True), ("gpg --homedir=/tmp/g -k", True), ("gpg --home /tmp/g -k", True),
    ("gpg --options /tmp/g.conf -k", True), ("gpg2 --options=/tmp/g.conf -k", True),
    (f"{H} ansible-inventory --list", True), ("ANSIBLE_CONFIG=/tmp/a.cfg ansible-inventory --list", True),
    (f"{H} ansible-galaxy install x", True), (f"{H} ansible-doc -l", True),
    (f"{H} ansible-config dump", True), ("XDG_CONFIG_HOME=/tmp/c ansible-lint", True),
    (f"{H} rclone ls r:", True), ("XDG_CONFIG_HOME=/tmp/c rclone ls r:", True),
    (f"{H} tofu plan", True), ("TF_CLI_CONFIG_FILE=/tmp/t tofu plan", True),
    ("printf 'silent !systemctl stop auditd\\n' > /tmp/h/.vimrc; HOME=/tmp/h vim.basic f", True),
    *((f"{H} {p} f", True) for p in ("editor", "sensible-editor", "vim.tiny", "vim.nox", "vim.gtk3",
                                      "gvim")),
    ("export HOME=/tmp/h; vim.basic f", True), ("env HOME=/tmp/h vim.tiny f", True),
    (f"{H} rust-gdb -batch", True), (f"{H} cgdb", True), (f"{H} rust-lldb -b", True),
    (f"{H} gdb-multiarch -batch", True),
    # held before, by the same table
    (f"{H} python3 -m pdb s.py", True), (f"{H} gdb -batch", True), (f"{H} vim f", True),
    # finding 15: uv's tool programs under $XDG_DATA_HOME/../bin
    ("XDG_DATA_HOME=/usr/share uv tool install x", True),
    ("XDG_DATA_HOME=/usr/local/share uv tool install x", True),
    ("export XDG_DATA_HOME=/usr/share; uv tool install ruff", True),
    ("XDG_DATA_HOME=/usr/share/ uv tool upgrade x", True),
    ("env XDG_DATA_HOME=/usr/share uv tool install x", True),
    # finding 4: a descriptor sourced, opened by a redirection on the command, a group around
    # it, before it, on a function call, or on the shell whose BASH_ENV names it
    *((f"sh -c '{c}' x stop", True) for c in (
        f". /dev/fd/3 3<{F}", f"source /dev/fd/3 3<{F}", f". /dev/stdin <{F}", f". /dev/fd/0 0<{F}",
        f". /proc/self/fd/3 3<{F}", f"{{ . /dev/fd/3; }} 3<{F}", f"( . /dev/fd/3 ) 3<{F}",
        f"3<{F} . /dev/fd/3", ". /dev/fd/3 3</etc/init.d/uf?")),
    (f"bash -c '. /dev/fd/3 3<{F}' x stop", True), (f"sh -c 'f() {{ . /dev/fd/3; }}; f stop 3<{F}'", True),
    (f"sudo sh -c '. /dev/fd/3 3<{F}' x stop", True), (f"su -c '. /dev/fd/3 3<{F}' root x stop", True),
    (f"sh -s stop <<< '. /dev/fd/3 3<{F}'", True), (f"set -- stop; . /dev/fd/3 3<{F}", True),
    (f"set -- stop; . /dev/stdin < {F}", True), (f"set -- stop; {{ . /dev/fd/3; }} 3<{F}", True),
    ("set -- ufw stop; . /dev/fd/3 3</usr/sbin/service", True),
    (f"BASH_ENV=/dev/fd/3 bash -c : x stop 3<{F}", True),
    (f"BASH_ENV=/dev/stdin bash -c : x stop < {F}", True),
    (f"bash --rcfile /dev/fd/3 -i -c : x stop 3<{F}", True),
    (f"set -- stop; . /dev/fd/3 <{F} 3<&0", True), (f"set -- stop; . /dev/fd//3 3<{F}", True),
    (f"set -- stop; . /dev/./fd/3 3<{F}", True), (f"set -- stop; . /proc/$$/fd/3 3<{F}", True),
    (f"set -- stop; . /dev/fd/03 3<{F}", True), (f"set -- stop; . /proc/thread-self/fd/4 4<{F}", True),
    ("cd /etc/init.d; set -- stop; . /dev/fd/3 3<ufw", True),
    (f"set -- stop; . /dev/fd/3 4<{F} 3<&4", True),
    (f"set -- stop; if true; then . /dev/fd/3; fi 3<{F}", True),
    (f"set -- stop; while :; do . /dev/fd/3; break; done 3<{F}", True),
    # finding 5: a relative BASH_ENV/ENV read in the folder a wrapper moved to
    ("env -C /etc/init.d BASH_ENV=ufw bash -c : x stop", True),
    ("env --chdir=/etc/init.d BASH_ENV=./ufw bash -c : x stop", True),
    ("BASH_ENV=ufw env -C /etc/init.d bash -c : x stop", True),
    ("env -C /etc/init.d ENV=ufw sh -i -c : x stop", True),
    ("sudo -D /etc/init.d BASH_ENV=ufw bash -c : x stop", True),
    ("export BASH_ENV=ufw; sudo --chdir=/etc/init.d bash -c : x stop", True),
    ("chpst -C /etc/init.d env BASH_ENV=ufw bash -c : x stop", True),
    ("systemd-run --working-directory=/etc/init.d -E BASH_ENV=ufw bash -c : x stop", True),
    # honest lines: still run
    (". /dev/stdin", False), (". ~/.bashrc", False), ("BASH_ENV=~/.bashrc bash -c ls", False),
    (". /dev/fd/3 3<./env.sh", False), ("source /dev/stdin < ./env.sh", False),
    ("{ . /dev/fd/3; } 3<~/.profile", False), ("BASH_ENV=/dev/fd/3 bash -c ls 3<./env.sh", False),
    (f"set -- stop; . /dev/fd/3 3<&0 <{F}", False),  # fd 3 is the line's stdin (left to right)
    ("cd /tmp && BASH_ENV=x.sh bash -c :", False), ("env -C /srv BASH_ENV=setup.sh bash -c make", False),
    ("export BASH_ENV=~/.bashrc; sudo -D /srv bash -c make", False),
    ("pdb3 s.py", False), ("gpg -k", False), ("gpg --list-keys", False), ("perl -d s.pl", False),
    ("perl -e 1", False), (f"{H} perl -e 1", False), ("vim.basic f", False), ("editor f", False),
    ("ansible-inventory --list", False), ("rclone ls r:", False), ("tofu plan", False),
    ("rust-gdb -batch", False), (f"{H} ls", False),
    ("uv tool install ruff", False), ("XDG_DATA_HOME=/tmp/d uv tool install ruff", False),
    ("XDG_DATA_HOME=~/.local/share uv tool install ruff", False),
]


@each(("line", "held"), ROWS)
def test_attack_b37f_b_lines(default_policy, line, held):
    assert_held_or_runs(default_policy, line, held)
