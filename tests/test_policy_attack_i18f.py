"""Attack i18f (the eighteenth round on the command filter): a repeated -c (the last one counts),
a shell's `+c` (bash and dash take c in either sign), an empty brace alternative (bash drops the
empty word), a pattern where an option may stand (finding 4: after `touch ./-c`, `su root -*
CMD`; the class: any program whose options run, write or change what a rule reads), an
option's value that loads code from stdin or a stream (finding 5: lli's `-opt=value`, php's
`-d auto_prepend_file=php://stdin`), perl -n's two-argument open of a file named `x|`, and a
shell a wrapper starts on the terminal (`chroot /`). The tester's lines, each held or refused
now, and the honest lines beside them that still run."""

from tests.rows import each
from tests.test_policy import action

HELD = ("deny", "confirm")

ROWS = [
    # F1 repeated -c/--command/--session-command: getopt's last wins, the filter reads the first
    "su root -c ls -c 'rm -rf /'",
    "su root -c 'ls' --session-command 'rm -rf /'",
    "su root --command=ls --command='rm -rf /'",
    "su -c ls root -c 'rm -rf /'",
    "sudo su -c ls -c 'rm -rf /'",
    "runuser root -c ls -c 'rm -rf /'",
    "su -s /bin/bash root -c ls -c 'rm -rf /'",
    "su - root -c ls -c 'rm -rf /'",
    "script -q -c ls -c 'rm -rf /' /dev/null",
    # F2 a shell's +c is -c (bash, dash: want_pending_command / minusc ignore the sign)
    "bash +c 'rm -rf /'",
    "sh +c 'rm -rf /'",
    "dash +c 'rm -rf /'",
    "bash +xc 'rm -rf /'",
    "sudo bash +c 'rm -rf /'",
    "runuser -u root -- bash +c 'rm -rf /'",
    "su root -- +c 'rm -rf /'",
    "capsh -- +c 'rm -rf /'",
    "find / -exec bash +c 'rm -rf /' \\;",
    # F3 an empty brace alternative is removed by bash, kept by the filter as an empty word
    "bash {-c,} 'rm -rf /'",
    "bash -c {,} 'rm -rf /'",
    "sudo bash {-c,} 'rm -rf /'",
    "su root {-c,} 'rm -rf /'",
    "su root -- {-c,} 'rm -rf /'",
    "script {-c,} 'rm -rf /'",
    "script -c {,} 'rm -rf /'",
    "flock /tmp/l -c {,} 'rm -rf /'",
    "env {-S,} 'rm -rf /'",
    "capsh -- {-c,} 'rm -rf /'",
    "cat /tmp/evil.ll | lli {,-}",
    # F4 a pattern may be an option: GNU getopt permutes, so anywhere before `--`
    "su root -* 'rm -rf /'",
    "su root $x",
    "runuser -u root -* 'rm -rf /'",
    "script -q -* /dev/null",
    "env -* 'rm -rf /'",
    "env -u x -* 'rm -rf /'",
    "nice -* rm -rf /",
    "xargs -* rm",
    "flock * ls",
    # the class: programs whose options run code, write files or change what a rule reads
    "sort -* /etc/sudoers x",  # after `touch ./-o`
    "sort * /etc/sudoers",
    "tar cf a.tar *",  # after a file `--checkpoint-action=exec=sh x`
    "tar -* x",
    "zip x.zip *",  # -TT=CMD
    "rsync * host:",  # -e CMD
    "sed -n p *",  # --expression=1e CMD
    "sed -* x",
    "find * -name x",  # -delete, -exec
    "find . -name x *",
    "git -* log",
    "git grep foo *",  # -O, --open-files-in-pager=CMD
    "less *",  # +!CMD
    "man -* x",  # -PCMD
    "vim *",  # +!CMD
    "iptables -*",  # after `touch ./-F`: the flush the rule refuses
    "make *",
    "pip install *",
    "install * /usr/local/bin",  # --strip-program=CMD
    "sleep *",  # any program outside PATTERN_SAFE: its options are not read
    # a word whose start is known only at run time, where a program reads options for code or
    # writes (`x=-PCMD`, `x=-o/etc/sudoers`)
    'man "$x" ls',
    'sort "$x" /etc/sudoers',
    "sort $(cat f) x",
    'tee "$f"',
    # F5 an option's value naming stdin or a stream of code
    "cat evil.ll | lli -extra-module=/dev/stdin x.ll",
    "cat evil.ll | lli -extra-object=/dev/fd/0 x.ll",
    "cat evil.ll | lli -extra-archive=/dev/stdin x.ll",
    "cat evil.php | php-cgi -d auto_prepend_file=php://stdin x.php",
    "cat evil.php | php -d auto_prepend_file=php://stdin x.php",
    "php -d auto_prepend_file=php://fd/0 x.php",
    "php -d 'auto_prepend_file=php://filter/resource=php://input' x.php",
    "php -d allow_url_include=1 -d 'auto_prepend_file=data:text/plain,<?php system(\"id\");' x.php",
    "php -dauto_append_file=php://stdin x.php",
    # perl -n/-p (without -i) opens its operands with the two-argument open: `x|` runs x
    "perl -ne print *",  # checked with perl 5.36: a file `touch pwned|` runs touch
    "perl -pe 1 /tmp/*",
    "perl -ne print ./*",  # `./x|` runs ./x
    "perl -n script.pl *",
    "perl -ne print 'x|'",
    # zsh, ksh and mksh take +c as bash does (suspected; not installed here)
    "zsh +c 'rm -rf /'",
    "ksh +c 'rm -rf /'",
    "mksh +c 'rm -rf /'",
]


@each("line", ROWS)
def test_attack_i18f_lines_are_held_or_refused(default_policy, line):
    assert action(default_policy, line) in HELD


@each("line", [
    "su root -c ls", "su - bob -c 'ls' -l", "bash -c 'ls'", "bash +x script.sh", "echo {a,}b",
    "ls {-l,}",
    # patterns among the options of programs whose options run nothing and write only their
    # operands, and patterns after `--` or written ./*
    "ls -la *", "du -sh *", "grep -r foo *", "rm *.log", "wc -l *.txt", "cat *.log",
    "cp *.conf /srv/app/conf.d/", "mv *.log old/", "tar cf a.tar -- *", "tar cf a.tar ./*",
    "git add *", "git status", "git log -- *", "sudo ls *", "timeout 5 du -sh *",
    "xargs grep foo *", "find . -name '*.py'", "sed -i s/a/b/ ./*.txt",
    # perl -n with the files named, -i's in-place edit, and code alone
    "perl -ne print a.txt", "perl -pi -e s/a/b/ *.txt", "perl -e 'print 1'",
    "perl -MData::Dumper -e 'print Dumper(1)'",
    # a word known only at run time after an option (its value, perhaps), or starting with text
    "make -j$(nproc)", 'mkdir -p "$d"', 'sleep "$n"',
    'for f in *.log; do gzip "$f"; done',
    # php with a setting that loads nothing
    "php -d memory_limit=1G x.php",
])
def test_attack_i18f_honest_lines_run(default_policy, line):
    assert action(default_policy, line) == "allow"


@each("line", ["chroot /", "unshare", "nsenter -t 1 -a", "hatch shell"])
def test_a_shell_a_wrapper_starts_on_the_terminal_alerts_as_bash_does(default_policy, line):
    """`chroot /` and its kin start the user's shell: a nested shell, as `bash` is (i18f)."""
    assert action(default_policy, line) == "alert"
