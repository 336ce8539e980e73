"""Attack c38f, findings 3, 4, 7, 13, 16 and 17: kills chosen by a selector read as reaching no
daemon (`pkill -t '?'`: no terminal is every daemon; `slay USER`), PIDs read as the programs
read them (procps' kill keeps the low 32 bits: `kill -9 4294967295` is `kill -9 -1`; gdb and
lldb read base 0: `gdb -p 0x1`), systemctl's and telinit's option values taken for the verb
(`systemctl -p start set-property 'audit?' ...`, `telinit -t 5 1`), and GNU parallel's `-q`
with `{}` (`parallel -q sh -c {} ::: 'systemctl stop auditd'`). Judged as the gates judge them:
typed and as an exec command. Honest lines beside them still run."""

from tests.policy_rows import assert_held_or_runs
from tests.rows import each

# (line, held): held means denied or confirmed typed and as an exec command; not held: allowed
ROWS = [
    # finding 3: a terminal list holding `?` (no terminal: every daemon); an AND with -u
    *((f"{kill} {opts}", True) for kill in ("pkill", "pkill -9", "pkill -KILL") for opts in (
        "-t '?'", "--terminal='?'", "--terminal '?'", "-t 'pts/9,?'", "-t '?' -u wazuh",
        "-t '?' -u 0", "-t \"$t\"", "-t 'pts/*'", "-t '?' -f auditd")),
    ("skill -KILL -t '?'", True), ("skill -t '?' -u root", True),
    # honest: kills by one's own terminal or user
    ("pkill -t pts/1", False), ("pkill -t pts/1 -u alice", False), ("pkill -t tty1,pts/2", False),
    ("pkill -u alice", False), ("pgrep -t '?'", False), ("skill -t pts/1", False),
    # finding 13: slay USER (every process of the user)
    *((f"slay {opts}", True) for opts in ("wazuh", "-9 wazuh", "-KILL root", "root", "0",
                                          "-clean syslog", "alice wazuh", "\"$u\"")),
    ("slay alice", False), ("slay -9 bob", False),
    # finding 16: procps' kill reads a PID as a long and hands its low 32 bits to kill(2)
    *((f"{kill} {opts}", True) for kill in ("sudo kill", "/bin/kill", "env kill", "/usr/bin/kill")
      for opts in ("-9 4294967295", "-KILL 4294967295", "-9 -- -4294967297", "-s TERM 12884901887",
                   "-9 4294967297", "-HUP 4294967297", "-9 -8589934593")),
    ("kill -9 1234", False), ("sudo kill -HUP 2345", False), ("/bin/kill 99999", False),
    # finding 17: gdb's (and lldb's, gcore's, ltrace's) pid read base 0, cut to 32 bits
    *((f"{dbg} {opts}", True) for dbg in ("gdb", "sudo gdb -q") for opts in (
        "-p 0x1", "-p 001", "--pid=0x1", "-p 4294967297", "-p 0X00000001", "/sbin/init 01",
        "/sbin/init 0x1", "-pid 4294967297")),
    *((line, True) for line in ("lldb -p 0x1", "lldb --attach-pid 4294967297", "gcore 0x1",
                                "gcore 4294967297", "ltrace -p 0x1", "ltrace -p 4294967297")),
    # finding 4: systemctl's (and sysvinit telinit's) option values taken for the verb
    *((f"systemctl {opt} {verb}", True) for opt in (
        "-p start", "-pstart", "--prop start", "--property=start", "-t start", "-s start",
        "-H start", "-M start", "-n start", "-o start", "--state start", "--root start",
        "--what start", "--kill-whom start", "--job-mode start", "-p enable", "-o start -n start")
      for verb in ("set-property 'audit?' CPUQuota=1%", "edit 'wazuh-agen?'",
                   "revert 'wazuh-agen?'", "stop 'wazuh-agen?'", "kill 'audit*'", "mask 'audit*'",
                   "service-log-level 'audit?' emerg", "isolate rescue.target", "emergency",
                   "start shutdown.target", "reload 'inetd.*'")),
    *((f"{init} {opts} 1", True) for init in ("telinit", "init") for opts in (
        "-t 5", "-t5", "-e X=1", "-e X", "-t 5 -e X=1")),
    ("init -z xxx 1", True),
    # honest: option values before an everyday verb
    ("systemctl -p ActiveState show auditd", False), ("systemctl status -n 50 nginx", False),
    ("systemctl --type service list-units", False), ("systemctl -H web02 status nginx", False),
    ("systemctl -p start restart nginx", False), ("systemctl -t service --state failed", False),
    ("telinit -t 5 3", False), ("systemctl --job-mode replace-irreversibly start nginx", False),
    # finding 7: parallel -q quotes each word with its input in it (`sh -c 'INPUT'`)
    *((f"{par} {cmd} ::: '{code}'", True) for par in (
        "parallel -q", "parallel --quote", "parallel -q --will-cite", "parallel -q --wd /tmp",
        "parallel --qu")
      for cmd in ("sh -c {}", "bash -c {}", "sh -c 'x={}; $x'", "sh -c '{} ; true'",
                  "sh -c {.}", "sh -c {1}", "sh -c")
      for code in ("systemctl stop auditd", "rm -rf /", "echo ALL ALL=NOPASSWD:ALL >> /etc/sudoers")),
    ("parallel -q sh -c {} < /tmp/list", True), ("sem -q sh -c 'systemctl stop auditd'", True),
    ("parallel -q -I @@ sh -c @@ ::: 'systemctl stop auditd'", True),
    # honest: -q with commands of one's own
    ("parallel -q echo {} ::: a b", False), ("parallel -q gzip {} ::: a.log b.log", False),
    ("parallel -q grep -c 'x y' {} ::: f1 f2", False), ("parallel -q sh -c 'echo {}' ::: hi", False),
    ("parallel -q sh -c {} ::: 'echo hi'", False), ("parallel -q echo ::: a b", False),
    *((line, True) for line in ("lldb --attach-pid=0x1", "gdb -c 0x1", "gdb -c 4294967297",
                                "gdb -p ' 0x1'", "gdb -p +1", "dlv attach 0x1", "dlv attach 4294967297",
                                "r2 -d 4294967297", "frida -p 4294967297", "scanmem -p 0x1",
                                "pyrasite 4294967297 x.py", "criu dump -t 4294967297",
                                "strace -p 4294967297 --kill-on-exit", "renice +19 4294967297",
                                "prlimit --pid 0x1 --nofile=0", "cpulimit -p 4294967297 -l 1",
                                "ionice -c 3 -p 4294967297", "skill -KILL -p 4294967297",
                                "snice +20 -p 4294967297")),
    ("pkill -t /dev/pts/1", False), ("pkill -t console", False), ("pkill -9 -t '?' sleep", False),
    ("gdb -p 1234", False), ("gdb -p 0x4d2", False), ("gdb ./a.out core", False),
    ("lldb -p 0x4d2", False), ("gcore 1234", False),
]


@each(("line", "held"), ROWS)
def test_c38f_b_lines(default_policy, line: str, held: bool) -> None:
    assert_held_or_runs(default_policy, line, held)
