"""Attack p25f (the twenty-fifth round on the command filter), findings 5 to 11 and 13 to 15:
tree-sitter-bash's words are not bash's words. An escape after `{ [ ] }` or after a quoted part,
`#` after an escaped blank, CR, VT or FF, `$'\\\\'`, `{` in `${x#...}`, `}#`, `==`/`=~` outside
`[[ ]]`, `\\<CR><LF>`, nested backquotes, `x=$ cmd`, `>\\  cmd`: each made tree-sitter read
words, strings or comments where bash does not, and a hidden command ran. bash_words.py reads
the line as bash does; where the tree differs it is not trusted. The tester's lines and their
siblings, held or refused typed and as exec commands; the honest lines beside them that run."""

from __future__ import annotations

from tests.policy_rows import assert_held_or_runs
from tests.rows import each

HELD = [
    # 5: an escape right after `{`, `[`, `]`, `}`
    "tee -a /etc/sudoer{\\s,x}", "rm -rf {\\/etc,x}", "chmod 777 /etc/{\\shadow,x}",
    "cp -t /etc/sudoers.{\\d,} /tmp/x", "tee -a /etc/sudoe[r]\\s", "rm -rf /var/log/[\\a]udit",
    "rm -rf /var/log/{x,\\audit}\\}",
    # 6: `#` after an escaped blank, CR, VT, FF, an escaped tab; `x=#\<TAB>`; `} [[#`
    "echo \\ # ; rm -rf /etc", "true \\ #x; echo x >> /etc/sudoers", ": \\ # && systemctl stop auditd",
    "echo \\\t#; rm -rf /etc", "echo \\ #$(rm -rf /etc)", "echo a\r#x ; rm -rf /etc",
    "echo \x0b#x ; rm -rf /etc", "echo \x0c#x ; tee -a /etc/sudoers", "echo a\\\t#x ; systemctl stop auditd",
    "x=#\\\t; rm -rf /etc", "declare x=#\\\t; rm -rf /etc", "echo } [[# ; rm -rf /etc",
    # 7: an escape right after a quoted part
    'tee -a "/etc/"\\sudoers', "tee -a '/etc/'\\sudoers", 'rm -rf "/e"\\tc', 'systemctl "s"\\top auditd',
    "tee -a /etc/\"\"\\sudoers", "chmod 777 $'/etc/'\\shadow",
    # 8: `$'\\'` ends where bash ends it
    "echo $'\\\\' ; rm -rf /etc # '", "x=$'\\\\'; rm -rf /etc #'", "echo $'a\\\\\\\\'; rm -rf /etc #'",
    # 9: `{` in an expansion's pattern does not nest
    "echo ${x#\\${} ; rm -rf /etc # }", "echo ${x%{} ; rm -rf /etc # }", "echo ${x,,{} ; rm -rf /etc # }",
    "echo ${x//{} ; systemctl stop auditd # }",
    # 10, 11: `}#` is a word; `==`/`=~` outside `[[ ]]`
    "{ }# ; } ; rm -rf /etc", "f() { :; }# ; } ; rm -rf /etc", "{ :; }#x ; } ; tee -a /etc/sudoers",
    "echo =~$'x' ; rm -rf /etc # }", "echo == ; rm -rf /etc ; echo ]", ": == ; systemctl stop auditd ]",
    # 13: backslash-CR-LF is no continuation
    "echo x \\\r\nrm -rf /etc", "x=\\\r\nrm -rf /etc", "true \\\r\nsystemctl stop auditd",
    # 14: backquotes nested with backslashes
    "echo `echo \\`rm -rf /etc\\``", "echo `\\`rm -rf /etc\\``", 'echo "`echo \\`rm -rf /etc\\``"',
    'echo `echo "\\$(rm -rf /etc)"`', "echo `cat <<E\n\\`rm -rf /etc\\`\nE\n`",
    "bash -c 'echo `echo \\`rm -rf /etc\\``'", "echo $(echo `echo \\`rm -rf /etc\\``)",
    # 15: a command's name swallowed by a `$` or escaped-blank word before it
    "x=$ rm -rf /etc", "x=$\trm -rf /etc", "x=$ passwd root", "<<<$ rm -rf /etc", "> \\\t rm -rf /etc",
    "x=\\  rm -rf /etc", ">\\  rm -rf /etc", "a[0]=\\\t rm -rf /etc", "3<>\\  rm -rf /etc",
]
HONEST = [
    "echo {a,b}", "cp x{,.bak}", "echo \"a\"'b'$'c'", "echo a\\ b", "echo ${x#*/}",
    "echo ${x:-$(date)}", "x=(a b c); echo ${x[@]}", "[[ $reply =~ ^(y|yes)$ ]] && echo yes",
    "case $x in a|b) echo;; (c) :;; esac", "for ((i=0;i<3;i++)); do echo $i; done", "echo `date`",
    "ls 2>&1 >/dev/null # note", "diff <(ls a) <(ls b)", "cat <<EOF\nhi $x\nEOF", "unset a[0]",
    "ls \\\n  -la", "echo $(( 1 + 2 )) $[3]", "echo $'a\\tb' | grep -E 'a|b'", "f() { echo hi; }; f",
]
ROWS = [(line, True) for line in HELD] + [(line, False) for line in HONEST]


@each(("line", "held"), ROWS)
def test_attack_p25f_lex_lines_are_held_typed_and_as_exec_commands_and_honest_ones_run(
        default_policy, line, held):
    assert_held_or_runs(default_policy, line, held)
