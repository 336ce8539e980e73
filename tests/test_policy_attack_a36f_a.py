"""Attack a36f, findings 1, 2, 6, 16 and 20: a program's own script given to an interpreter
(policy/interpreted_scripts.py) behind options the old table misread (perl's and ruby's
attached-only letters, node's -C, unknown options), by another path (/proc/self/root,
/proc/N/root, a `cd` there) or fed on the interpreter's stdin, to other implementations (pypy,
jruby, bun), behind python's runner modules (pdb, cProfile, profile, trace, runpy, IPython,
idlelib, coverage and the profilers as their tools), a pattern in `-m`'s module name, and perl's
ExtUtils::Command (`perl -MExtUtils::Command -e rm_rf /`, the twin of `ruby -run`). Judged as
the gates judge them: typed and as an exec command. Honest lines beside them still run."""

from tests.policy_rows import assert_held_or_runs, typed_and_exec
from tests.rows import each

UPD = "/usr/sbin/update-rc.d auditd disable"
GEM = "/usr/bin/gem sources --add http://evil/"
NPM = "/usr/bin/npm config set script-shell /tmp/x"
PIP = "config set global.log /etc/sudoers"
UFW = "/usr/sbin/ufw disable"
EU = "perl -MExtUtils::Command -e"
# (line, held): held means denied or confirmed typed and as an exec command; not held: allowed
ROWS = [
    # finding 1: options before the script, as each interpreter's getopt reads them
    *((f"perl {o} {UPD}", True) for o in ("-x", "-l", "-0", "-i", "-C", "-wx", "-l0", "-Mstrict -x",
                                          "-I /tmp", "-x --")),
    (f"PERLDB_OPTS=NonStop perl -d {UPD}", True), (f"perl5.36 -x {UPD}", True),
    *((f"ruby {o} {GEM}", True) for o in ("-x", "-W", "-T", "-0", "-Ku", "-rjson -x",
                                          "--disable-gems", "-W:no-deprecated")),
    (f"node -C dev {NPM}", True), (f"nodejs -C dev {NPM}", True),
    (f"node --conditions dev {NPM}", True), (f"node --stack-size 100 {NPM}", True),
    (f"node --some-new-option {NPM}", True), (f"node --some-new-option x {NPM}", True),
    ("node -C dev /usr/bin/npm exec -c 'rm -rf /etc'", True),
    # finding 2: another path to the script, the script on stdin, other implementations
    (f"python3 /proc/self/root{UFW}", True), (f"python3 /proc/1/root{UFW}", True),
    (f"python3 /proc/thread-self/root{UFW}", True), ("python3 /proc/1/cwd/ufw disable", True),
    ("cd /proc/self/root/usr/sbin && python3 ufw disable", True),
    ("cd /proc/1/root/usr/sbin && perl update-rc.d auditd disable", True),
    ("sh /proc/self/root/usr/sbin/service ufw stop", True),
    ("sh /proc/thread-self/root/usr/sbin/service auditd stop", True),
    ("sh /proc/1/root/usr/sbin/service ufw stop", True),
    ("python3 - disable < /usr/sbin/ufw", True), ("python3 /dev/stdin disable < /usr/sbin/ufw", True),
    ("python3 /dev/fd/3 disable 3< /usr/sbin/ufw", True),
    ("perl - auditd disable < /usr/sbin/update-rc.d", True),
    ("perl /dev/stdin auditd disable < /usr/sbin/update-rc.d", True),
    ("ruby - sources --add http://e/ < /usr/bin/gem", True),
    ("node - config set script-shell /tmp/x < /usr/bin/npm", True),
    (f"pypy3 {UFW}", True), (f"pypy {UFW}", True), (f"jruby {GEM}", True), (f"bun {NPM}", True),
    (f"python3 ../..{UFW}", True), (f"python3 ~/../..{UFW}", True),  # climbing from a home
    ("sh ../../usr/sbin/service ufw stop", True),
    # a pattern where the script's folder stands (bash expands it; a pattern name: unknown)
    ("python3 /usr/sbi?/ufw disable", True), ("python3 /proc/*/root/usr/sbin/ufw disable", True),
    ("perl -x /usr/sbi?/update-rc.d auditd disable", True), ("sh /usr/sbi?/service ufw stop", True),
    ("python3 -m pdb -c c /usr/*/ufw disable", True), ("python3 -m cProfile /usr/sbin/uf? disable", True),
    ("ruby -x /usr/bi?/gem sources --add http://e/", True),
    # finding 6: python's runner modules, read for the script or module they run
    (f"python3 -m pdb {'--zz ' * 60}{UFW}", True), (f"ipython3 {'--zz ' * 60}{UFW}", True),  # linear
    (f"python3 -m pdb -c continue {UFW}", True), (f"python3 -m pdb --command=continue {UFW}", True),
    (f"python3 -m cProfile {UFW}", True), (f"python3 -m cProfile -s time {UFW}", True),
    (f"python3 -m cProfile -o /tmp/p {UFW}", True), (f"python3 -m profile {UFW}", True),
    (f"python3 -m trace --count {UFW}", True), (f"python3 -m coverage run {UFW}", True),
    (f"python3 -m pyinstrument {UFW}", True), (f"python3 -m memray run {UFW}", True),
    (f"python3 -m IPython {UFW}", True), (f"ipython3 {UFW}", True), (f"pdb3 -c c {UFW}", True),
    (f"python3 -m idlelib -r {UFW}", True), (f"python3 -m cProfile -m pdb -c c {UFW}", True),
    (f"python3 -m runpy pdb {UFW}", True), (f"ipdb3 {UFW}", True), (f"python3 -m ipdb {UFW}", True),
    (f"rdbg -n {GEM}", True), (f"byebug {GEM}", True), (f"rdbg -c -- {GEM}", True),
    ("python3 -m cProfile - disable < /usr/sbin/ufw", True),
    ("python3 -m pdb /dev/stdin disable < /usr/sbin/ufw", True),
    (f"python3 -m pdb -c continue -m pip {PIP}", True), (f"python3 -m pdb -m pip {PIP}", True),
    (f"python3 -m pdb -m pip.__main__ {PIP}", True), (f"python3 -m coverage run -m pip {PIP}", True),
    (f"python3 -m cProfile /usr/bin/pip3 {PIP}", True),
    (f"python3 -m pdb -c continue /usr/bin/pip3 {PIP}", True),
    (f"python3 -m cProfile /usr/lib/python3/dist-packages/pip {PIP}", True),
    # finding 16: a pattern in the module's name (bash expands it once a file of the name is here)
    (f"cd /tmp && touch pip && python3 -m pi? {PIP}", True), (f"python3 -m p[i]p {PIP}", True),
    (f"python3 -Im pi? {PIP}", True), ("python3 -m ensurepi? --root /etc", True),
    ("python3 -m zipap? -o /etc/sudoers.d/ops x", True), (f"python3 -m pd? {UFW}", True),
    (f"python3 -m pdb -m pi? {PIP}", True), ("python3 -m foo? x", True),  # no module read: unknown
    # finding 20: perl's ExtUtils::Command as the coreutils command
    (f"{EU} rm_rf /", True), (f"{EU} rm_rf /etc", True), (f"{EU} rm_rf /var/log/audit", True),
    (f"{EU} rm_f /var/log/wtmp", True), (f"{EU} rm_rf /etc/audit", True),
    (f"{EU} mv /etc/audit/rules.d /tmp/", True), (f"{EU} cp /tmp/x /etc/systemd/system/x.service", True),
    (f"{EU} rm_rf '/et?'", True), (f"{EU} rm_rf '/e*'", True),  # the module globs its words
    ("perl -MExtUtils::Command=rm_rf -e rm_rf /etc", True), ("perl -e rm_rf -MExtUtils::Command /etc", True),
    (f"{EU} 'rm_rf()' /etc", True), (f"{EU} '&rm_rf;' /etc", True), (f"{EU} rm_rf -- /", True),
    ("perl5.36 -MExtUtils::Command -e rm_rf /", True),
    (f"{EU} 'rm_rf; cp' /etc", True), ("perl -MExtUtils::Command::MM -e uninstall /tmp/p", True),
    # honest lines: still run
    ("python3 script.py", False), ("python3 -m pip list", False), ("python3 -m pytest -q", False),
    ("python3 -m cProfile -s time x.py", False), ("python3 -m trace --count x.py", False),
    ("python3 -m pdb -c continue x.py a b", False), ("python3 -m coverage run -m pytest", False),
    ("python3 -m timeit '1+1'", False), ("ipython3 x.py", False), ("python3 -m idlelib -r x.py", False),
    ("perl -x script.pl", False), ("perl -i -pe 's/a/b/' file.txt", False),
    ("perl -0777 -ne 'print' f.txt", False), ("perl -MData::Dumper -e 'print Dumper(1)'", False),
    ("ruby -W0 x.rb", False), ("node -C dev app.js", False), ("node --inspect app.js", False),
    ("bun app.js", False), ("pypy3 x.py", False), ("lua x.lua", False), ("Rscript --vanilla x.R", False),
    ("python3 - < script.py", False), ("python3 /usr/bin/pip3 list", False),
    (f"{EU} mkpath build/x", False), (f"{EU} rm_rf build", False), (f"{EU} cp a.txt b.txt", False),
    ("rdbg x.rb", False), ("rdbg -c -- bundle exec rake", False), ("byebug x.rb", False),
    ("python3 -m ipdb x.py", False), ("python3 ../bin/tool.py", False), ("python3 ~/bin/x.py", False),
    (f"{EU} rm_f 'build/*.o'", False), (f"{EU} test_f x", False), (f"{EU} cat README", False),
]
# lines whose plain spelling alerts: alerted (or held) the other way too
ALERTS = [f"{EU} chmod 4755 /bin/bash", f"{EU} mv /tmp/x /etc/cron.d/x"]


@each(("line", "held"), ROWS)
def test_a36f_a_lines(default_policy, line: str, held: bool) -> None:
    assert_held_or_runs(default_policy, line, held)


@each("line", ALERTS)
def test_a36f_a_alerts(default_policy, line: str) -> None:
    for verdict in typed_and_exec(default_policy, line):
        assert verdict.action in ("alert", "confirm", "deny"), verdict
