"""Outside attack W (findings 1, 2, 3, 4 and 12) on the command filter, with the shipped policy:
a wrapper's option whose value was read as the command, launchers read as plain programs,
shells and interpreters fed the exec channel's stdin through a spelling of it the policy did not
follow, and other names of judged programs. Each row of an attack half is a line that ran
unjudged before; each honest half keeps everyday lines of the same programs allowed."""

from __future__ import annotations

from bastion.command_control.policy import Policy, reads_script_from_stdin, script_doubt
from tests.rows import each
from tests.test_policy import action

C = "/etc/sudoers.d/w"  # a credential file: writing it is denied


@each(("line", "expected"), [
    # finding 1: a value taken for the command (the command then ran as the value's argument)
    (f"strace --output /dev/null sh -c 'echo x > {C}'", "deny"),
    (f"strace --string-limit 9 -o /dev/null tee {C}", "deny"),
    (f"strace --user root tee {C}", "deny"),
    (f"strace --env=A=1 --argv0 x tee {C}", "deny"),
    (f"strace --trace-path /etc --columns 40 tee {C}", "deny"),
    (f"strace --attach 1 --status failed --fault open --kvm vcpu tee {C}", "deny"),
    (f"strace --signals SIGINT --trace-fds 1 --detach execve tee {C}", "deny"),  # aliases
    # a start of two names, one taking an argument (--summary-columns, --summary): held; the
    # file a start of --output may name is judged first
    ("strace --summ ls", "confirm"),
    (f"strace --out {C} true", "deny"),
    (f"strace --summary tee {C}", "deny"),  # an exact flag is no start of --summary-columns
    ("nsenter --wd=/etc -t 1 tee -a sudoers", "deny"),  # nor --wd one of --wdns
    (f"ltrace -D 1 tee {C}", "deny"),
    (f"prlimit -o RESOURCE tee {C}", "deny"),
    (f"prlimit -p1 tee {C}", "allow"),  # -p: prlimit runs nothing (it refuses a command)
    (f"unshare -T --monotonic 10 tee {C}", "deny"),
    (f"unshare --boottime 10 tee {C}", "deny"),
    (f"unshare --map-users 0,0,1 tee {C}", "deny"),
    ("numactl -a rm -rf /etc", "deny"),  # -a, -b are flags: the command is the next word
    ("numactl -b rm -rf /etc", "deny"),
    ("numactl -c 0 rm -rf /etc", "deny"),
    ("numactl -L 1 -M 600 rm -rf /etc", "deny"),
    ("fakeroot -b 3 rm -rf /etc", "deny"),
    ("fakeroot --fd-base 3 rm -rf /etc", "deny"),
    ("run0 --background 41 rm -rf /etc", "deny"),
    ("run0 --machine x --shell-prompt-prefix p rm -rf /etc", "deny"),
    (f"nsenter -t 1 -W /tmp tee {C}", "deny"),  # the class: nsenter's --wdns was missing
    (f"nsenter -t 1 -m -u -n tee {C}", "deny"),
    # an option a complete table does not hold is unknown: it may take the next word
    ("timeout --no-such-option 5 ls", "confirm"),
    ("nsenter -X 1 ls", "confirm"),
    ("setpriv --landlock-access fs ls", "confirm"),
    ("strace --no-such-option x ls", "confirm"),
    (f"strace --no-such-option x -o {C} ls", "deny"),  # its own files are judged all the same
    ("unshare --no-such-option x ls", "confirm"),
    ("numactl -X ls", "confirm"),
    ("faketime --date-prog /tmp/date x ls", "confirm"),  # --date-prog runs a program
    ("run0 --no-such-option x ls", "confirm"),
    # honest halves
    ("strace -f -o /tmp/trace ls", "allow"),
    ("strace -fo /tmp/trace -s 200 ls", "allow"),
    ("strace --follow-forks --string-limit=200 --output=/tmp/t ls", "allow"),
    ("strace --foll ls", "allow"),  # a start of a long flag's name
    ("strace -c -e trace=open ls", "allow"),
    ("ltrace -S -o /tmp/x ls", "allow"),
    ("prlimit --nofile=1024 ls", "allow"),
    ("prlimit -n1024 --cpu=10 ls", "allow"),
    ("unshare -r -n ls", "allow"),
    ("unshare --mount=/tmp/ns --fork ls", "allow"),
    ("numactl -N 0 -m 0 ls", "allow"),
    ("numactl --interleave=all ls", "allow"),
    ("fakeroot -u ls", "allow"),
    ("faketime '2020-01-01' ls", "allow"),
    ("faketime -f '+2d' ls", "allow"),
    ("run0 -u bob ls", "allow"),
    ("nsenter -a -t 1 ls", "allow"),
    ("nsenter --mount=/proc/1/ns/mnt ls", "allow"),
    ("nice -10 make", "allow"),
    ("timeout --foreground -k 1 5 ls", "allow"),
    ("setsid -f ls", "allow"),
    ("chroot --skip-chdir /srv ls", "allow"),
    ("chrt -f 10 ls", "allow"),
    ("ionice -c 3 -t ls", "allow"),
    ("setpriv --reuid 1000 --clear-groups ls", "allow"),
    ("stdbuf -oL ls", "allow"),
])
def test_a_wrappers_options_are_read_from_a_complete_table(default_policy: Policy, line: str,
                                                             expected: str) -> None:
    assert action(default_policy, line) == expected


@each(("line", "expected"), [
    # finding 2: launchers the policy read as plain programs
    (f"zrun tee {C}", "deny"),
    (f"niceload tee {C}", "deny"),
    (f"niceload -l 2 -n 5 tee {C}", "deny"),
    (f"niceload --sensor 'touch {C}' ls", "deny"),
    ("niceload --no-such 3 ls", "confirm"),
    ("fd -x rm -rf /etc", "deny"),
    ("fdfind . / --exec rm -rf /etc", "deny"),
    ("fd -e txt -X rm /etc/shadow", "deny"),
    ("fd -Hx rm", "confirm"),  # -x in a cluster: a spelling the policy does not read
    ("fd -x rm {}", "confirm"),  # the files found are known only at run time
    ("rg --pre rm x /etc", "confirm"),  # rm of each file searched
    ("rg --pre=tee x", "confirm"),  # tee writes each file searched
    ("rg --hostname-bin rm x", "confirm"),
    ("hyperfine -r 1 'rm -rf /etc'", "deny"),
    (f"hyperfine --setup 'touch {C}' 'sleep 0'", "deny"),
    (f"hyperfine --export-json {C} 'sleep 0'", "deny"),
    ("hyperfine -P n 1 3 'sleep {n}'", "confirm"),
    ("scl enable x 'rm -rf /etc'", "deny"),
    ("scl enable x -- rm -rf /etc", "deny"),
    ("asdf env node rm -rf /etc", "deny"),
    ("env-cmd rm -rf /etc", "deny"),
    ("env-cmd --use-shell 'rm -rf /etc'", "confirm"),  # not in its table
    ("gdbserver :1234 rm -rf /etc", "deny"),  # the class: a debugger's server
    ("gdbserver :1234 ./prog '$(rm -rf /etc)'", "deny"),  # its words go through /bin/sh
    ("gdbserver --wrapper env -- :1 ./prog", "confirm"),
    ("gdbserver --multi :1234", "confirm"),  # whoever connects runs any program, unjudged
    ("infisical run -- rm -rf /etc", "deny"),  # the class: secret injectors
    ("chamber exec svc -- rm -rf /etc", "deny"),
    ("envchain aws rm -rf /etc", "deny"),
    ("cross-env X=1 rm -rf /etc", "deny"),
    ("cross-env-shell X=1 'rm -rf /etc'", "deny"),
    ("cross-env LANG=zh_TW.BIG5 ls", "deny"),  # its assignments are judged
    ("saml2aws exec rm -rf /etc", "deny"),
    ("saml2aws exec -- rm -rf /etc", "deny"),
    ("nodemon -x 'rm -rf /etc' app.js", "deny"),
    (f"nodemon --exec='touch {C}' app.js", "deny"),
    ("nodemon --config x.json app.js", "confirm"),
    ("reflex -r '\\.go$' -- rm -rf /etc", "deny"),
    ("reflex -c reflex.conf", "confirm"),  # a file of commands
    ("timelimit -t 5 rm -rf /etc", "deny"),
    ("run-one rm -rf /etc", "deny"),
    (f"run-this-one tee {C}", "deny"),
    ("keep-one-running rm -rf /etc", "deny"),
    ("rr record rm -rf /etc", "deny"),
    (f"rr tee {C}", "deny"),  # rr PROGRAM records PROGRAM
    ("openvt -- rm -rf /etc", "deny"),
    (f"openvt -c 3 -s -w -- tee {C}", "deny"),
    (f"tcpdump -w /tmp/x -z 'tee {C}'", "deny"),
    ("cargo --config 'target.x86_64-unknown-linux-gnu.runner=\"/tmp/x\"' run", "confirm"),
    ("cargo run --config 'build.rustc-wrapper=\"/tmp/x\"'", "confirm"),
    ("cargo --config=/tmp/cfg.toml build", "confirm"),  # a file of settings
    ("concurrently 'rm -rf /etc' ls", "deny"),  # the class: each operand is shell code
    (f"concurrently -k -- 'touch {C}'", "deny"),
    ("concurrently --no-such x ls", "confirm"),
    ("sops exec-env secrets.yaml 'rm -rf /etc'", "deny"),
    ("bpftrace -c 'rm -rf /etc' -e 'tracepoint:x {}'", "deny"),
    (f"bpftrace -qc'touch {C}' x.bt", "deny"),
    ("bpftrace --unsafe -e 'BEGIN { system(\"id\") }'", "confirm"),
    (f"hyperfine --output {C} ls", "deny"),
    # what they do when they run no command is judged as before they were read: the files
    # they name may be written (policy/unread.py)
    (f"saml2aws login --credentials-file {C}", "confirm"),
    (f"saml2aws exec --credentials-file {C} -- ls", "deny"),
    ("cargo build --target-dir /etc/sudoers.d", "confirm"),
    (f"sops -i {C}", "confirm"),
    (f"sops --output {C} -d s.yaml", "confirm"),
    (f"bpftrace -o {C} -e 'BEGIN{{}}'", "confirm"),
    ("rr pack /etc/sudoers.d", "confirm"),
    # honest halves
    ("niceload -n 10 make", "allow"),
    ("concurrently -n a,b 'npm run watch' 'npm run serve'", "allow"),
    ("sops exec-env --same-process s.yaml ./app", "allow"),
    ("sops -d s.yaml", "allow"),
    ("bpftrace -e 'kprobe:do_nanosleep { printf(\"x\"); }'", "allow"),
    ("bpftrace -o /tmp/out -c ./prog x.bt", "allow"),
    ("hyperfine --output null ls", "allow"),
    ("saml2aws login", "allow"),
    ("fd . /etc/sudoers.d", "allow"),  # fd and rg only read
    ("rg root /etc/shadow", "allow"),
    ("fd -e py -x wc -l", "allow"),
    ("fd -t f foo", "allow"),
    ("rg -n foo /etc", "allow"),
    ("rg --pre-glob '*.gz' x", "allow"),
    ("hyperfine -w 3 'sleep 0.1' ls", "allow"),
    ("scl enable devtoolset-9 'make -j4'", "allow"),
    ("scl -l", "allow"),
    ("asdf env node", "allow"),
    ("asdf list", "allow"),
    ("cross-env NODE_ENV=production node app.js", "allow"),
    ("saml2aws exec --exec-profile p -- aws s3 ls", "allow"),
    ("saml2aws login", "allow"),
    ("nodemon app.js", "allow"),
    ("reflex -r '\\.go$' -- go test ./...", "allow"),
    ("timelimit -t 5 ls", "allow"),
    ("run-one ls", "allow"),
    ("rr record -n ./prog", "allow"),
    ("rr replay", "allow"),
    ("openvt -c 3 -- ls", "confirm"),  # a program on a console: held since attack v31f, 23
    ("cargo --config net.retry=3 build", "allow"),
    ("cargo build --release", "allow"),
    ("env-cmd -f .env node app.js", "allow"),
    ("gdbserver --once :1234 ./prog arg", "confirm"),  # a debugger server (z35f 17)
    ("infisical run --env prod -- npm start", "allow"),
    ("chamber exec svc -- ./app", "allow"),
    ("envchain aws aws s3 ls", "allow"),
    ("envchain --set aws AWS_KEY", "allow"),
])
def test_launchers_run_the_command_in_their_words(default_policy: Policy, line: str,
                                                  expected: str) -> None:
    assert action(default_policy, line) == expected


@each(("line", "expected"), [
    # finding 12: other names of a judged program, judged (and matched by rules) as it
    ("slogin -o ProxyCommand='touch /etc/sudoers.d/x' x", "deny"),
    ("rsh -o ProxyCommand='rm -rf /etc' x", "deny"),
    ("rlogin -o LocalCommand='rm -rf /etc' -o PermitLocalCommand=yes x", "deny"),
    ("/usr/bin/slogin host id", "alert"),  # alert-ssh-onward, as ssh
    ("rcp -S /tmp/x a b:", "alert"),  # alert-copy-out, as scp
    ("gdb-multiarch -batch -ex 'shell rm -rf /etc'", "deny"),
    # honest halves: the names no other program has stay as they were
    ("gdb-multiarch -batch -ex bt ./core", "allow"),
])
def test_other_names_of_a_judged_program(default_policy: Policy, line: str,
                                         expected: str) -> None:
    assert action(default_policy, line) == expected


@each(("command", "kind"), [
    # findings 3 and 4: stdin as a file through /proc/self/cwd, or a relative path climbing
    # from the login's home (the working directory the policy does not know)
    ("bash /proc/self/cwd/../dev/stdin", "shell"),
    ("bash ../dev/stdin", "shell"),
    ("sh ../../proc/self/fd/0", "shell"),
    ("bash /proc/self/cwd/../../../dev/fd/0", "shell"),
    ("cd /dev; bash /proc/self/cwd/stdin", "shell"),
    ("cd /; bash /proc/self/cwd/dev/stdin", "shell"),
    ("bash ~root/../dev/stdin", "shell"), ("bash ~/../../dev/fd/0", "shell"),
    ("bash /proc/1/cwd/dev/stdin", "shell"),  # another process's working directory (/)
    ("bash /proc/1/task/1/cwd/dev/./stdin", "shell"),
    ("python3 /proc/self/cwd/../dev/stdin", "interpreter"),
    ("perl /proc/self/cwd/../dev/stdin", "interpreter"),
    ("sed -n -f /proc/self/cwd/../dev/stdin /etc/hostname", "interpreter"),
    # finding 3: programs that start a shell given no command
    ("linux64", "shell"), ("x86_64", "shell"), ("i386", "shell"), ("linux32", "shell"),
    ("uname26", "shell"), ("setarch -R x86_64", "shell"), ("setarch x86_64 -R", "shell"),
    ("sg root", "shell"), ("sg - root", "shell"),
    ("gdb -batch -nx -ex shell", "shell"), ("gdb -batch -ex '!'", "shell"),
    ("fakeroot", "shell"), ("firejail", "shell"), ("proot", "shell"), ("fakeroot -u", "shell"),
    # interpreters with a prompt on stdin
    ("jrunscript", "interpreter"), ("maxima", "interpreter"), ("gp", "interpreter"),
    ("gprolog", "interpreter"), ("sml", "interpreter"), ("poly", "interpreter"),
    # honest halves
    ("bash /proc/self/cwd/deploy.sh", None), ("bash ../deploy.sh", None),
    ("bash /proc/1/cwd/srv/deploy.sh", None), ("bash ~/deploy.sh", None),
    ("cd /tmp; bash /proc/self/cwd/x", None), ("linux64 uname -m", None),
    ("sg root -c id", None), ("gdb -batch -ex 'shell id'", None), ("fakeroot id", None),
    ("jrunscript -e 'print(1)'", None),
])
def test_what_reads_its_program_from_the_exec_channels_stdin(command: str,
                                                              kind: str | None) -> None:
    assert reads_script_from_stdin(command) == kind


@each("line", [
    "perl /proc/self/cwd/../dev/stdin",
    "sed -n -f /proc/self/cwd/../dev/stdin /etc/hostname",
    "python3 ../../dev/fd/0",
])
def test_a_script_that_reads_the_rest_of_its_stdin_as_another_language_is_doubted(
        line: str) -> None:
    assert "may read the script after it" in (script_doubt(line) or "")


def test_a_relative_path_that_names_no_descriptor_is_no_doubt() -> None:
    assert script_doubt("cat ../notes.txt") is None
