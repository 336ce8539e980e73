"""Attack b37f, findings 2, 4, 5 and 15: settings files moved by HOME or a program's own
variable for the programs the settings-homes table missed, by family name (pdb3, ipdb3, perl -d,
gpg and its --homedir/--options, every ansible-*, rclone, tofu, vim.basic, editor, rust-gdb,
cgdb); uv's tool programs under $XDG_DATA_HOME/../bin. Judged as the gates judge them: typed
and as an exec command. Honest lines beside them still run."""
import pytest

from tests.policy_rows import assert_held_or_runs

H = "HOME=/tmp/h"
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
    # honest lines: still run
    ("pdb3 s.py", False), ("gpg -k", False), ("gpg --list-keys", False), ("perl -d s.pl", False),
    ("perl -e 1", False), (f"{H} perl -e 1", False), ("vim.basic f", False), ("editor f", False),
    ("ansible-inventory --list", False), ("rclone ls r:", False), ("tofu plan", False),
    ("rust-gdb -batch", False), (f"{H} ls", False),
    ("uv tool install ruff", False), ("XDG_DATA_HOME=/tmp/d uv tool install ruff", False),
    ("XDG_DATA_HOME=~/.local/share uv tool install ruff", False),
]


@pytest.mark.parametrize(("line", "held"), ROWS)
def test_attack_b37f_b_lines(default_policy, line, held):
    assert_held_or_runs(default_policy, line, held)
