"""Attack j19f (the nineteenth round on the command filter), findings 1, 4, 5, 7, 9 and 10: a
code option last in a cluster of short options (`man -aP CMD`, `zip -qTT CMD`, `apt-get -yo`),
ssh's own quoting of its option keywords (`-o '"ProxyCommand" CMD'`), env -S's own grammar
(`\\_`, `\\c`), command lines a program splits itself with no shell (`man -P 'rm #x -rf /etc'`),
long options abbreviated to one letter (`git ls-remote --u=CMD`, `dc --e=`) and a runner's shell
option (`hyperfine -S WORDS`, make's SHELL=). The tester's lines and their siblings, each held or
refused now, and the honest lines beside them that still run; the readers as tables."""
import shlex

from bastion.command_control.policy.programs import ssh_setting
from bastion.command_control.policy.readers import _code_in_cluster
from bastion.command_control.policy.splitters import rsync_words, space_words
from bastion.command_control.policy.wrappers import env_split
from tests.rows import each
from tests.test_policy import action

HELD = ("deny", "confirm")

ROWS = [
    # F1 a code option last in a cluster (man-db's argp, zip's parser), after operands too
    "man -aP 'rm -rf /' ls",
    "man -lP 'rm -rf /' /tmp/x.1",
    "man -alP 'systemctl stop auditd' ls",
    "man ls -aP 'rm -rf /'",
    "man -wP 'rm -rf /' ls",
    "man -aP'rm -rf /' ls",
    "man -aH'rm -rf /' ls",
    "zip -qTT 'rm -rf /' -T z.zip f",
    "zip -TqTT 'echo x >> /etc/sudoers' z.zip f",
    "zip -T -qTT 'systemctl stop auditd' z.zip f",
    # the class: apt reads clusters too (`-yo KEY=VALUE`)
    "apt-get -yo 'APT::Update::Pre-Invoke::=rm -rf /' update",
    "apt-get -qyo 'APT::Update::Pre-Invoke::=rm -rf /' update",
    "apt -yo 'DPkg::Pre-Invoke::=rm -rf /' install x",
    "apt-get -yc /tmp/evil.conf update",
    "git instaweb -ld 'rm -rf /'",
    "git grep -iO'rm -rf /' foo",
    "perf script -Ds /tmp/x.py",
    # F4 ssh's keyword reader: quotes in or around the keyword, `=`, leading separators, case
    "ssh -o '\"ProxyCommand\" rm -rf /' h",
    "ssh -o '\"ProxyCommand\"=rm -rf /' h",
    "ssh -o '\"proxycommand\" systemctl stop auditd' h",
    "ssh -o '\"ProxyCommand\" echo x >> /etc/sudoers' h",
    "ssh -vo'\"ProxyCommand\" rm -rf /' h",
    "ssh -o 'Proxy\"Command\" rm -rf /' h",
    "ssh -o '=ProxyCommand rm -rf /' h",
    "ssh -o ' ProxyCommand = = rm -rf /' h",
    "ssh -o '\"ProxyCommand\" = rm -rf /' h",
    "ssh -o 'PROXYCOMMAND\trm -rf /' h",
    "ssh -o ' \"proxycommand\"rm -rf /' h",
    "ssh -o '\"LocalCommand\" rm -rf /' -o PermitLocalCommand=yes h true",
    "ssh -o '\"KnownHostsCommand\" rm -rf /' h",
    "ssh -o '\"RemoteCommand\" rm -rf /' h",
    "ssh -o '\"UserKnownHostsFile\" /etc/shadow' h",
    "scp -o '\"ProxyCommand\" rm -rf /' a h:b",
    "sftp -o '\"ProxyCommand\" rm -rf /' h",
    "rsync -e \"ssh -o '\\\"ProxyCommand\\\" rm -rf /'\" a h:b",
    "git -c core.sshCommand=\"ssh -o '\\\"ProxyCommand\\\" rm -rf /'\" fetch h:x",
    "GIT_SSH_COMMAND=\"ssh -o '\\\"ProxyCommand\\\" rm -rf /'\" git fetch h:x",
    # the class: sshfs runs ssh_command's words, passes ssh's own options, mounts over a folder
    "sshfs -o ssh_command='rm -rf /etc' h: /mnt",
    "sshfs -o 'reconnect,ssh_command=rm -rf /etc' h: /mnt",
    "sshfs -oProxyCommand='rm -rf /etc' h: /mnt",
    "sshfs -F /tmp/cfg h: /mnt",
    "sshfs h: /etc",
    # F5 env -S split as env splits it, then read again as env's own line
    "env -S 'rm\\_-rf\\_/'",
    "env -S 'rm -rf\\_/'",
    "env --split-string='rm\\_-rf\\_/'",
    "env -S 'systemctl\\_stop\\_auditd'",
    "env -S 'sh\\_-c\\_\"echo x >> /etc/sudoers\"'",
    "env -S 'sh -c \"echo\\_x\\_>>\\_/etc/sudoers\"'",
    "env -S 'rm -rf /\\c'",
    "env -S 'rm -rf /\\cANYTHING'",
    "sudo env -S 'rm\\_-rf\\_/'",
    "env -iS'rm\\_-rf\\_/'",
    "env -S 'rm -rf' A=1 /etc",
    "env -S '-C / rm -rf etc'",
    "env -S 'rm -rf ${UNSET_X} /'",
    "X=/ env -S 'rm -rf ${X}'",
    "env -S 'rm -rf \\/'",
    # F7 a program's own split, no shell: `#` is no comment
    "man -P 'rm #x -rf /etc' ls",
    "man -aP 'rm #x -rf /etc' ls",
    "MANPAGER='rm #x -rf /etc' man ls",
    "PAGER='rm #x -rf /etc' man ls",
    "rsync -e 'rm #x -rf /etc' a h:b",
    "rsync --rsh='rm #x -rf /etc' a h:b",
    "rsync -ae 'rm #x -rf /etc' a h:b",
    "RSYNC_RSH='rm #x -rf /etc' rsync a h:b",
    "ansible localhost -a 'rm #x -rf /etc'",
    "ansible localhost -m ansible.builtin.command -a 'rm #x -rf /etc'",
    "ansible localhost -a 'chdir=/ rm -rf etc'",
    "ansible localhost -a 'rm -rf etc chdir=/'",
    "ansible localhost -m shell -a 'rm -rf {{ x }}'",
    "ncat -e 'rm #x -rf /etc' h 1",
    "ncat --exec='rm #x -rf /etc' h 1",
    "socat - EXEC:'rm #x -rf /etc'",
    "sftp -D 'rm -rf /etc' h",
    "ssh -o 'KnownHostsCommand rm #x -rf /etc' h",
    # F9 one-letter long options (getopt_long, git's parse-options)
    "git ls-remote --u='rm -rf /' /tmp/r",
    "git ls-remote --u 'systemctl stop auditd' /tmp/r",
    "git clone --u='echo x >> /etc/sudoers' /tmp/r /tmp/r2",
    "git clone --u='rm -rf /' /tmp/r /tmp/r2",
    "git fetch --u='rm -rf /' /tmp/r",
    "git clone --c=core.sshCommand='rm -rf /' h:r",
    "dc --e='!rm -rf /'",
    "dc --e '!rm -rf /'",
    "gpg --ou /etc/sudoers -d x.gpg",
    # F10 a runner's shell: its words run with `-c COMMAND`
    "hyperfine -S 'rm -rf /etc --' true",
    "hyperfine --shell='rm -rf /etc --' true",
    "hyperfine --shell 'systemctl stop auditd --' true",
    "hyperfine -S 'tee -a /etc/sudoers --' true",
    "hyperfine -S \"$SH\" true",
    "make SHELL='rm -rf /etc --'",
    "make SHELL+='-c \"rm -rf /etc\"'",
    "make 'X!=rm -rf /etc'",
    "make 'X=$(shell rm -rf /etc)'",
    "make .SHELLFLAGS='-c \"rm -rf /etc\" --'",
]


@each("line", ROWS)
def test_attack_j19f_lines_are_held_or_refused(default_policy, line):
    assert action(default_policy, line) in HELD


@each("line", [
    "man ls", "man -a ls", "man -P 'less -R' ls", "man -P cat ls", "man -k printf",
    "man -Lde_DE ls", "MANPAGER='less -R' man ls", "PAGER=less git log",
    "zip -q z.zip f", "zip -T z.zip f",
    "apt-get -y install vim", "apt-get -yo Acquire::Retries=3 update",
    "apt-get -t bookworm-backports -y install x",
    "env -S 'ls -l' /tmp", "env -S 'echo a\\_b'", "env -S 'echo hi # a note'",
    "env -vS'ls\\_-l'", "env -S 'python3 -u' /tmp/s.py",
    "ansible localhost -a uptime", "ansible all -m shell -a 'df -h'",
    "tar -I 'zstd -19' -cf a.tar b",
    "git ls-remote origin", "git clone --depth 1 /tmp/r /tmp/r2", "git instaweb -p8080 -l",
    "git grep -O foo", "perf script -F ip,sym", "perf record -a -g true",
    "hyperfine -N true", "hyperfine -S bash 'sleep 0.1'", "hyperfine -S 'bash --norc' ls",
    "sshfs h:/srv /mnt/x", "sshfs -o reconnect,ServerAliveInterval=15 -p 2222 h:/srv /mnt",
    "make -j4 CC=clang all", "make SHELL=/bin/bash", "make 'CFLAGS=-O2 -g' all",
])
def test_attack_j19f_honest_lines_run(default_policy, line):
    assert action(default_policy, line) == "allow"


@each("line", [
    "ssh -o ProxyJump=x h", "ssh -o '\"ProxyCommand\" none' h", "rsync -e ssh a h:b",
    "ssh -o ProxyJump=bastion h uptime", "ssh -o '\"ServerAliveInterval\" 30' h uptime",
    "rsync -avz -e 'ssh -p 2222' a h:b", "rsync -e 'ssh -o \"ProxyCommand none\"' a h:b",
    "sftp -D /usr/lib/openssh/sftp-server h",
])
def test_onward_connections_stay_alerts(default_policy, line):
    assert action(default_policy, line) == "alert"


@each(("value", "reading"), [
    ('"ProxyCommand" CMD', ("proxycommand", "CMD")),
    ('"ProxyCommand"=CMD', ("proxycommand", "CMD")),
    ('Proxy"Command" CMD', ("proxycommand", "CMD")),
    ("=ProxyCommand CMD", ("proxycommand", "CMD")),
    (" ProxyCommand = = CMD", ("proxycommand", "CMD")),
    ("ProxyCommand\tCMD", ("proxycommand", "CMD")),
    ('"Proxy"Command CMD', ("proxy", "Command CMD")),  # checked: OpenSSH 9.2 runs nothing
    ('"ProxyCommand CMD', None),
    ("#ProxyCommand CMD", None),
])
def test_ssh_reads_a_keyword_as_openssh_does(value, reading):
    assert ssh_setting(value) == reading


@each(("text", "argv"), [
    ("rm\\_-rf\\_/", ["rm", "-rf", "/"]),
    ("rm -rf /\\cIGNORED", ["rm", "-rf", "/"]),
    ('sh -c "echo\\_x >> f"', ["sh", "-c", "echo x >> f"]),
    ("a #b c", ["a"]),
    ("a x#b", ["a", "x#b"]),
    ("a\\tb", ["a\tb"]),
    ("a '' b", ["a", "", "b"]),
    ("'${X}' \\$", ["${X}", "$"]),
    ("'a\\b' 'c\\'d'", ["a\\b", "c'd"]),
])
def test_env_split_follows_gnu_env(text, argv):
    """The words env gives (checked against coreutils 9.1's env -S), as bash would read them."""
    assert shlex.split(" ".join(env_split(text) or ["FAILED"])) == argv


def test_env_split_expands_a_variable_only_if_set():
    assert env_split("${X} y") == ['${X+"${X}"}', "y"]


@each("text", ["a\\q", "$X", "'open", '"\\c"', "a\\"])
def test_env_split_refuses_what_env_refuses(text):
    assert env_split(text) is None


@each(("text", "words"), [
    ("rm #x -rf /etc", ["rm", "#x", "-rf", "/etc"]),
    ("ssh -o 'a b' \"x\"\"y\"", ["ssh", "-o", "a b", 'x"y']),
    ("a\tb", ["a\tb"]),
    ("'open", None),
])
def test_rsync_splits_its_shell_as_rsync_does(text, words):
    assert rsync_words(text) == words


def test_space_words_refuse_quotes():
    assert space_words("rm  #x -rf") == ["rm", "#x", "-rf"]
    assert space_words("rm '#x'") is None


@each(("word", "found"), [
    ("-P", ""), ("-Pless", "less"), ("-aP", ""), ("-alPcat", "cat"), ("-LP", None),
    ("-rP", None), ("--pager", None), ("ls", None),
])
def test_man_code_option_in_a_cluster(word, found):
    assert _code_in_cluster(word, ("-P", "-H"), "CLmMSseREprTX") == found


def test_zip_two_letter_option_in_a_cluster():
    assert _code_in_cluster("-qTT", ("-TT",), "") == ""
    assert _code_in_cluster("-TqTTcmd", ("-TT",), "") == "cmd"
    assert _code_in_cluster("-T", ("-TT",), "") is None
