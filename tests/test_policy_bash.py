"""The policy against real bash: a line the policy allows must not run what it denies.

Each line of the corpora runs in bash in a throwaway folder, with a harmless `canary` command
on PATH standing for the dangerous one, and a `protected` folder standing for the files a rule
protects by path. A small policy denies `canary` and any write or removal in `protected`. The
test asserts that every line in which bash ran the canary (or changed `protected`) gets a
verdict other than allow or alert. Lines run in one bash process (each in its own subshell),
so the whole corpus takes about a second.

Corpora: the outside attack report on the command filter (findings 1-15), the members of each
class found while closing them, lines built by the report's fuzzer from its fragments (fixed
seed), and scripts fed to bash on stdin as the stdin gate forwards them. Outside attack C
added here-document words and ends (HEREDOCS, also through the stdin splitter), and the same
against real dash (Debian's /bin/sh, a login shell of its own): lines dash reads otherwise
(DASH), every corpus line and fuzzed line the policy allows run in dash, and scripts fed to
dash on its stdin.
"""

from __future__ import annotations

import random
import shutil
import subprocess
from pathlib import Path

import pytest

from bastion.command_control import policy, statements
from bastion.command_control.policy import Policy, evaluate, is_complete, parse_commands, policy_from_dict
from tests.test_policy import CHILD_SHELL_LINES, COMPLETENESS, STATE_BASH_KEEPS

pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")

# Lines that run the canary (`canary`, or {c} for its full path) or write into {p} (the
# protected folder) in bash. Each must not be allowed. ATTACKS are known to run in bash: the
# test also checks that they do, so that it cannot pass by running nothing.
ATTACKS = [
    # 1: newlines inside double-quoted code strings
    'bash -c "true\ncanary"',
    'sh -c ":\ncanary"',
    'eval "true\ncanary"',
    'eval "true\n\ncanary x"',
    'bash -c "echo a\n canary"',
    'PROMPT_COMMAND="true\ncanary"; eval "$PROMPT_COMMAND"',
    'x=$(bash -c "true\ncanary")',
    'bash -c "$(echo x)\ncanary"',
    # 2: a backslash-escaped command word glued onto the line before
    "true\n\\canary",
    "{ true\n\\canary\n}",
    "if true; then\n\\canary\nfi",
    "for i in 1; do\n\\canary; done",
    "echo a\n\\c\\anary",
    "(true\n\\canary)",
    "x=$(true\n\\canary)",
    "bash -c 'true\n\\canary'",
    # 9: the descriptor of a redirection read as the command
    "0<&- canary",
    "0<&-canary",
    "2>&- canary",
    "1>&- canary x",
    "10<&- canary",
    "echo 0<&- ; canary",
    "0>/dev/null canary",
    # 5: shells reading their stdin under another name, fed text
    "printf 'canary\\n' | bash /dev/fd/3 3<&0",
    "printf 'canary\\n' | BASH_ENV=/dev/stdin bash -c :",
    "printf 'canary\\n' | env BASH_ENV=/dev/stdin bash -c :",
    "printf 'canary\\n' | bash /proc/self/root/dev/stdin",
    "printf 'canary\\n' | bash /dev//fd/./0",
    "printf 'canary\\n' | bash 3<&0 /dev/fd/3",
    "printf 'canary\\n' | bash /dev/fd/3 3>&0",
    "printf 'canary\\n' | sh -c 'sh /dev/fd/3' 3<&0",
    "printf 'canary\\n' | . /dev/fd/3 3<&0",
    "printf 'canary\\n' | bash /proc/self/fd/0",
    "printf 'canary\\n' | bash /proc/thread-self/fd/0",
    "printf 'canary\\n' | bash /dev/stdin",
    "bash /dev/fd/3 3<<< canary",
    "bash 3< <(echo canary) /dev/fd/3",
    "f=/dev/stdin; echo canary | bash $f",
    "echo canary | { cd /dev/fd && bash 0; }",
    "exec 3< <(echo canary); bash /dev/fd/3",
    "exec 4<<< canary; bash /proc/self/fd/4",
    "echo canary | bash /dev/fd/$((0))",
    # 3: arithmetic and subscripts evaluated from a value set on the line
    "test -v 'a[$(canary)]'",
    "[ -v 'a[$(canary)]' ]",
    "declare -a 'b=($(canary))'",
    "declare -A 'b=([$(canary)]=1)'",
    "typeset -a 'b=($(canary))'",
    "readonly -a 'b=($(canary))'",
    "declare -a b='($(canary))'",
    "f() { local -a 'b=($(canary))'; }; f",
    "b=(); declare 'b=($(canary))'",
    "a=(1); unset 'a[$(canary)]'",
    # 4: assignment words before the command of a keyword
    "time a=b canary",
    "time -p a=b canary",
    "coproc a=b canary; wait",
    # 8: an alias ending in a blank makes the next word an alias too
    "shopt -s expand_aliases\nalias e='echo ' H='; canary'\ne H",
    "shopt -s expand_aliases\nBASH_ALIASES[e]='echo '; alias H='; canary'\ne H",
    # 10: history expansion with other characters, or turned on where it is off
    "bash -c 'set -H -o history\nhistchars=@\nhistory -s canary\n@@'",
    "bash -c 'set -o history -o histexpand\nhistory -s canary\n!!'",
    "bash -H -c 'set -o history\nhistory -s canary\n!-1'",
    # 12: brace expansion in declare's words
    "declare PS{4,}='$(canary)'; set -x; :",
    "export PROMPT_COMMAND{,}='canary'; eval \"$PROMPT_COMMAND\"",
    "c{anary,}",
    "env BASH_ENV{,}=/dev/stdin bash -c : <<< canary",
    # 11: the directory a line moves to, and $HOME
    "cd {p}; echo x >> ~0/f",
    "cd {p}; echo x >> ~+/f",
    "cd {p}; echo x >> ~+0/f",
    "cd {p}; cd /tmp; echo x >> ~-/f",
    "cd {p}; pushd /tmp; echo x >> ~1/f",
    "CDPATH={p}/..; cd protected; echo x >> f",
    "CDPATH=:{p}/..; cd protected >/dev/null && touch f",
    "pushd {p}; pushd /tmp; popd; echo x >> f",
    "pushd {p}; pushd /tmp; pushd; touch f",
    "shopt -s cdable_vars; e={p}; cd e; touch f",
    "HOME={p}; echo x > ~/f",
    "HOME={p}; cd; touch f",
    "HOME={p} bash -c 'cd; touch f'",
    # 13: find -delete removes what it finds
    "find {p} -mindepth 1 -delete",
    "find {p} -delete -print",
    "find -L {p} -true -delete",
    "find {p}/.. -name keep -delete",
    "find {p} -name '*ee*' -delete",
    "find {p} -exec rm -rf {} +",
    "find {p}/.. -name keep -exec rm {} \\;",
    # suspicions: writers that were not counted as writes
    "echo x | uniq - {p}/keep",
    "printf 'x\\n' > /tmp/in.$$; uniq /tmp/in.$$ {p}/f",
    "echo x | shuf -o {p}/keep",
    "echo 78 | xxd -r -p - {p}/keep",
    "script -q {p}/keep -c true",
    # a path mktemp made stays trusted only while nothing else is put in its variable
    "tmp=$(mktemp -d); for i in 1 2; do rm -rf \"$tmp\"; tmp={p}/keep; done",
    "d=$(mktemp -d); cd \"$d\" && rm -f ../..{p}/keep",
    # sh (dash) has no $'...': a string to bash, a command to dash
    "sh -c \"echo \\$'\\\\' ; canary ; # '\"",
    "dash -c \"x=\\$'\\\\'; canary; # '\"",
]

# Outside attack C, finding 4: here-document words as bash reads them, and the line it ends the
# body at (the code after it runs). Each runs the canary in bash.
HEREDOCS = [
    "cat <<$'EOF'\nEOF\ncanary\n$'EOF'",
    'cat <<$"EOF"\nEOF\ncanary\n$"EOF"',
    "cat <<$''\n\ncanary\n$''",
    'cat <<$"E"OF\nEOF\ncanary\n$"E"OF',
    "cat <<$'E\\x4fF'\nEOF\ncanary\nE\\x4fF",
    "cat <<E$'O'F\nEOF\ncanary\nE$OF",
    'cat <<"E\\OF"\nE\\OF\ncanary\nEOF',
    'cat <<"E\\$F"\nE$F\ncanary\nE\\$F',
    "cat <<E\\OF\nEOF\ncanary\nE\\OF",
    "cat <<'E'\"O\"\\F\nEOF\ncanary\nE'O'F",
    "cat <<EOF\nEO\\\nF\ncanary\nEOF",
    "cat <<-EOF\n\t\\\nEOF\ncanary\nEOF",
    "cat <<EOF\n\\\n\\\nEOF\ncanary\nEOF",
    "cat <<EOF\nx\\\nEOF\nEOF\ncanary",
    "cat <<-EOF\n\t\tEOF\ncanary\nEOF",
    "x=$(cat <<EOF\nhi\nEOF)\ncanary",
    "x=`cat <<EOF\nhi`; canary",
    "x=`cat <<EOF`\ncanary\nEOF",
    "cat <<A <<B\nA\nB\ncanary",
    "cat <<EOF; canary\nx\nEOF",
    "[ a || canary ]",
    "[ -z x ] || [ a ] && canary",
]

# Finding 7: lines sh (dash) reads otherwise than bash. Each runs the canary (or writes into
# the protected folder) in dash; the policy judges them as dash would read them too.
DASH = [
    "cat <<$'EOF'\n$EOF\ncanary\nEOF",
    'cat <<$"EOF"\n$EOF\ncanary\nEOF',
    "cat <<$''\n$\ncanary\n",
    "x=$(cat <<EOF\nhi\nEOF)\nEOF\n)\ncanary",
    "x=$(cat <<EOF)\ncanary\nEOF",
    "echo $'\\' ; canary ; # '",
    "x=$'\\'; canary; # '",
    "[[ a || canary ]]",
    "[[ -n x ]] || canary",
    "true && [[ a || canary ]]",
    "if [[ a || canary ]]; then :; fi",
    "[[ 1 > {p}/f ]]",
    "[[ a < /dev/null || canary ]]",
    "((canary))",
    "((x | canary))",
    "echo x &>/dev/null canary",
    "echo x &>>/dev/null canary",
    "eval '[[ x || canary ]]'",
    "cd {p}/.. && eval '[[ x || cd protected ]]'; touch f",
    "echo $[x > {p}/f]",
    "echo $[1+ ; canary ]",
    "function f {\ncanary\n}",
    "sh -c '[[ a || canary ]]'",
]

# Programs that run the command after them (finding 14), where this machine has them.
WRAPPED = [
    "setarch x86_64 canary", "setarch x86_64 -R canary", "linux64 canary", "linux32 canary",
    "start-stop-daemon --start --exec {c} -- x", "capsh -- -c canary",
    "gdb -batch -ex run --args /bin/sh -c canary", "perf stat -- canary", "ssh-agent canary",
    "unshare -r canary", "prlimit --nofile=100 canary", "chrt -o 0 canary", "taskset 1 canary",
    "ionice -c 3 canary", "script -qc canary /dev/null", "setsid -w canary",
    "flock /tmp/bastion-policy-test.lock canary", "stdbuf -o0 canary", "timeout 5 canary",
    "nice -n 5 canary", "nohup canary", "env -i PATH=$PATH CANARY_ID=$CANARY_ID canary", "time -p canary",
    "numactl -m 0 canary", "chpst -u root canary", "rlwrap canary", "bwrap --bind / / canary",
    "cpulimit -l 50 canary", "faketime yesterday canary",
]
ATTACKS += [line for line in WRAPPED if shutil.which(line.split()[0]) is not None
            or line.startswith("time ")]

# Outside attack E. Finding 1: xargs gives a wrapper with no command its command. 2: su -s
# PROGRAM, wrappers mis-parsed. 3: writers not counted as writes. 4: code in options. Low: a
# git alias stored and used on one line, `<>`. Lines whose program is not installed are left out.
ATTACK_E = [
    "echo canary | xargs env", "echo canary | xargs nice", "echo canary | xargs timeout 9",
    "echo canary | xargs xargs", "echo canary x | xargs -n2 nice --",
    "echo canary > l.$$; xargs -a l.$$ env", "echo -c canary | xargs bash",
    "echo canary | xargs nohup", "echo canary | xargs setsid -w",
    "su -s {c} root", "su --shell={c} root", "su -ps {c} root", "su --shell=/usr/bin/env root -- canary",
    "runuser -s {c} root",
    "setarch -R canary", "setarch --addr-no-randomize canary", "setarch -R -- canary",
    "gpg-agent --homedir . --daemon canary",
    "echo x | sed -n 'w {p}/x'", "echo x | sed -n 's/^/y/w {p}/x'", "echo x | sed -n 'W {p}/x'",
    "echo x | sed -n '/x/{{w {p}/x\n}}'", "echo x > in.$$; split -l1 in.$$ {p}/x",
    "echo x > in.$$; csplit -s -f {p}/x in.$$ 1", "strace -o {p}/x true",
    "tar -cf {p}/x /etc/hostname", "tar cf {p}/x /etc/hostname", "mktemp -p {p}",
    "mktemp {p}/XXXXXX", "ssh-keygen -q -N '' -f {p}/x", "sqlite3 {p}/x 'create table t(a)'",
    "sqlite3 :memory: \"attach '{p}/x' as a; create table a.t(x)\"",
    "git -C {p} config -f x k.v y", "gzip {p}/keep", "touch {p}/x", "echo x 1<>{p}/keep",
    "echo x | sqlite3 :memory: \".once {p}/x\" 'select 1'",
    "ssh -o ProxyCommand=canary -o ConnectTimeout=2 -o BatchMode=yes x",
    "ssh -oProxyCommand=canary -o BatchMode=yes x", "ssh -o 'ProxyCommand canary' -o BatchMode=yes x",
    "scp -o ProxyCommand=canary -o BatchMode=yes /etc/hostname x:/tmp/y",
    "sftp -o ProxyCommand=canary -o BatchMode=yes x",
    "strace -o '|canary' true", "strace -o'!canary' true", "sed '1e canary' /etc/hostname",
    "sqlite3 :memory: '.shell canary'", "sqlite3 :memory: '.system canary'",
    "sqlite3 -cmd '.shell canary' :memory: 'select 1'",
    "tar -cf /dev/null --checkpoint=1 --checkpoint-action=exec=canary /etc/hostname",
    "tar -I canary -cf x.$$ /etc/hostname", "split --filter=canary /etc/hostname",
    "gdb --cd={p} -batch -ex 'shell touch f'", "gdb -cd {p} -batch -ex 'shell touch f'",
    "git config --global alias.z '!canary' && git z",
    "git config --global alias.z '-c alias.y=!canary y' && git z",
]
OPTIONAL = ("strace", "sqlite3", "gdb", "gpg-agent", "git", "ssh", "scp", "sftp", "setarch",
            "runuser", "su", "csplit", "ssh-keygen")
ATTACKS += [line for line in ATTACK_E if all(
    shutil.which(tool) is not None for tool in OPTIONAL if tool in line.split())]

# Outside attack G. Finding 2: programs that read a command language (which can run shell
# commands or write files) from their stdin, fed text on the line. 3: sqlite3's dot commands by
# any start of their name. 4: git's own code options and ext:: remotes. 5: writers not counted
# (GNU long-option abbreviations, option forms, programs that make files). 6: code in options.
ATTACK_G = [
    "sqlite3 :memory: <<< '.shell canary'", "sqlite3 :memory: '.sh canary'",
    "sqlite3 :memory: \".read '|canary'\"", "sqlite3 -cmd '.sy canary' :memory: .q",
    "sqlite3 --cmd '.sy canary' :memory: .q", "sqlite3 :memory: \".o '|canary'\" 'select 1'",
    "sqlite3 :memory: \".import '|canary' t\"", "sqlite3 -init <(echo .shell canary) :memory: .q",
    "sqlite3 -init /dev/stdin :memory: .q <<< '.shell canary'",
    "sqlite3 :memory: '.read /dev/stdin' <<< '.shell canary'",
    "sqlite3 :memory: '.o {p}/x' 'select 1'", "sqlite3 :memory: '.clone {p}/x'",
    "echo '.shell canary' | sqlite3", "gdb -q -nx <<< 'shell canary'",
    "gdb -q -nx <<'E'\nshell canary\nE", "ed -s /dev/null <<< '!canary'",
    "echo '!canary' | ed -s /dev/null", "ed -s /dev/null <<< 'w {p}/x'",
    "vim -es -c '!canary' -c 'q!'", "vim -es '+!canary' '+q!'",
    "git -c protocol.ext.allow=always ls-remote 'ext::canary'",
    "git init -q r.$$ && git ls-remote --upload-pack=canary r.$$",
    "git init -q r.$$ && git ls-remote --upload-p=canary r.$$",
    "git init -q r.$$ && git clone -q -u canary r.$$ c.$$",
    "CMD=canary git --config-env core.sshCommand=CMD ls-remote x:y",
    "GIT_SSH_COMMAND=canary git ls-remote ssh://x/y",
    "GIT_EXTERNAL_DIFF=canary git diff --no-index /etc/hostname /etc/services",
    "sort --compress-program=canary -S 1 /etc/services /etc/services > /dev/null",
    "sort --compress-prog=canary -S 1 /etc/services /etc/services > /dev/null",
    "sort --out {p}/x /etc/hostname", "sort --outp={p}/x /etc/hostname",
    "split /etc/hostname -- {p}/z", "script -q -c true -O {p}/x", "script -q -c true --log-o {p}/x",
    "mkfifo {p}/f", "mknod {p}/n p", "install -d {p}/d", "flock {p}/l true",
    "fallocate -l 1 {p}/f", "TMPDIR={p} mktemp", "git init -q {p}/r",
    "curl -s --output-dir {p} -o x file:///etc/hostname",
    "curl -s --output-dir {p} -O file:///etc/hostname",
    "python3 <<< 'import os; os.system(\"canary\")'", "zip -q z.$$.zip /etc/hostname -T -TT canary",
]
_G_PROGRAMS = ("sqlite3", "gdb", "ed", "vim", "git", "curl", "script", "fallocate", "mknod",
               "python3", "zip", "flock")
ATTACKS += [line for line in ATTACK_G if all(
    shutil.which(tool) is not None for tool in _G_PROGRAMS if tool in line.split())]

# The same class through a variable: x holds an array reference whose subscript runs the canary,
# and each of these evaluates x as arithmetic (set on the line, as on an earlier one).
ARITHMETIC = [
    "echo ${*:x}", "echo ${@:x}", "set -- a b; echo ${@:1:x}", "a=(1); echo ${a[@]:x}",
    "s=abc; echo ${s:x}", "echo $(( $x ))", "declare -a arr=([x]=1)", "arr=([x]=1)",
    "arr+=([x]=1)", "test -v arr[x]", "[ -v arr[x] ]", "declare -n r=arr[x]; echo $r",
    "printf -v arr[x] 1", "read arr[x] <<< 1", "declare arr[x]=1", "a=(1 2); echo ${a[x]}",
    "echo ${!x}", "a=(1); unset a[x]", "a=(1); unset 'a[x]'", "a=(1); echo ${#a[x]}",
    "f() { local a[x]=1; }; f", "a=(1); typeset a[x]=1", "a=(1); a[x]+=1",
    "a=(1); echo ${a[x]:-y}", "a=(1); echo ${a[x]/y/z}", "a=(1); printf -v 'a[x]' 1",
    "a=(1); [[ -v a[x] ]]", "a=(1); echo ${a[x]@Q}", "case x in $((x))) ;; esac",
    "RANDOM=x", "SRANDOM=x", "HISTCMD=x", "OPTIND=x", "unset RANDOM; RANDOM=$x; : $((RANDOM))",
    "f() { local SECONDS=$x; : $((SECONDS)); }; f", "y=1; y=$x; : $((y))",
    "y=1; for i in 1 2; do : $((y)); y=$x; done", "y=1; f() { : $((y)); }; y=$x; f",
]
ATTACKS += [f"x='a[$(canary)]'; {line}" for line in ARITHMETIC]
ATTACKS += HEREDOCS


# Scripts a shell reads from its stdin, sent through the stdin gate's rules (finding 6: a
# statement that reads the script after it; 7: NUL bytes; 2: a backslashed word in a block;
# 8: an alias ending in a blank), then to bash on its stdin.
STDIN_SCRIPTS = [
    b"read -r skipped\n'\ncanary\n'\n",
    b"head -c 2 >/dev/null\n'\ncanary\n'\n",
    b"dd bs=1 count=2 2>/dev/null\n'\ncanary\n'\n",
    b"read x\ncat <<EOF\ncanary\nEOF\n",
    b"read -n 2 x\n'\ncanary\n'\n",
    b"{ read x; }\n'\ncanary\n'\n",
    b"c\0anary\n",
    b"can\0\0ary x\n",
    b"{ true\n\\canary\n}\n",
    b"shopt -s expand_aliases\nalias e='echo ' H='; canary'\ne H\n",
    b"bash -c 'read x'\n'\ncanary\n'\n",
    # outside attack E, finding 6: the script's stdin by descriptor or by name
    b"read -u 0 x\n'\ncanary\n'\n",
    b"read -ru0 x\n'\ncanary\n'\n",
    b"mapfile -u 0 -n 1 x\n'\ncanary\n'\n",
    b"read -u 3 x 3<&0\n'\ncanary\n'\n",
    b"exec 3<&0\nread -u 3 x\n'\ncanary\n'\n",
    b"head -c 2 /dev/stdin\n'\ncanary\n'\n",
    b"sed -u 1q /dev/stdin\n'\ncanary\n'\n",
    b"dd bs=2 count=1 if=/dev/stdin 2>/dev/null\n'\ncanary\n'\n",
    b"head -c 2 /dev/fd/0\n'\ncanary\n'\n",
    b"head -c 2 /proc/self/fd/0\n'\ncanary\n'\n",
    b"cd /dev/fd\nhead -c 2 0\n'\ncanary\n'\n",
    # finding 8: the shell's own stdin replaced by code on the line
    b"exec 0<<<'canary'\n",
    b"exec < <(echo canary)\n",
    b"exec <<'E'\ncanary\nE\n",
    b"command exec 0<<<'canary'\n",
]
# Here-documents (outside attack C, finding 4) through the stdin gate's splitter; and what sh
# (dash) reads otherwise, as a script fed to dash on its stdin.
STDIN_SCRIPTS += [line.encode() + b"\n" for line in HEREDOCS]
SH_STDIN_SCRIPTS = [line.encode() + b"\n" for line in DASH if "{p}" not in line] + [
    b"cat <<$'EOF'\n$EOF\ncanary\nEOF\necho after\n",
    b"echo $'\\'\ncanary\n'\n",
    b"[[ a || canary ]]\n",
    b"exec <<'E'\ncanary\nE\n",
]


# Fragments of outside attack B's fuzzer (/work/attack/b/atk/fuzz.py), and of ours: lines are
# built around `canary` from them with a fixed seed.
FRAGMENTS = [
    'echo a;', 'echo a\n', "'", '"', '\\\n', '$(',
    ')', '`', '<<E\n', '\nE\n', 'E\n', '#',
    '{ ', ' }', '(', 'case x in x) ', ' ;; esac', 'if true; then ',
    '; fi', "$'", '\r', '\t', '\x0b', '\x0c',
    ';&', '|&', '&>', '>|', '<>', '2>&1',
    '! ', 'time ', 'coproc ', 'function f ', 'f() ', '[[ ',
    ' ]]', '(( ', ' ))', '$((', '${', '}',
    ':', '=', 'a=', '\\', ' ', '\n',
    '<<-E\n', '\tE\n', "<<'E'\n", '<<"E"\n', '<<<', '$"',
    '@(', '!(', '*', '?', '[', ']',
    'x', ';', '&', '|', '&&', '||',
    '$', '$$', '${x:-', '${x#', '${x/a/', "\\'",
    '\\"', '\\`', '{a,b}', '~', 'a[', ']=1',
    '=(', '((', '))', 'do ', 'done', 'for i in 1; do ',
    'while false; do ', '; done', 'then ', 'fi', 'esac', 'in ',
    ';;', ' #', "'\n'", '"\n"', "$'\\n'", "$'\\''",
    'eval ', "eval '", "bash -c '", 'sh -c ', '-', '--',
    '\xa0', '\u2028', '<(', '>(', '<', '>',
    '2>', '&>>', '>&', '<&', '0<&-', 'exec ',
    'command ', 'builtin ', 'declare ', 'export ', 'local ', 'readonly ',
    'alias ', 'unalias ', 'select ', 'until ', 'elif ', 'else ',
    '[ ', ' ]', 'test ', 'let ', 'a ', '"$(',
    ')"', '$[', '`\\`', "'$(", ")'", "'a[$(",
    ")]'", 'a=b ', 'x=1 ', 'PS4=', "PS4='", 'set -x;',
    '; set -x; :', '{4,}', '{a,}', "declare -a 'b=(", 'test -v ', 'unset ',
    'sudo ', 'env ', 'nice ', 'xargs ', 'find . -exec ', ' {} +',
    ' \\;', 'sh -c "', '"', 'eval "', "$'\\x63'", '\\\n',
    '; ', '\n\n', '#\n', 'a\\\nb', '<<E\n$(', ')\nE\n',
    '${x@P}', '$(<', '<<<$(', '| ', '|| ', 'then ',
    '!', '%%', '0<&- ', '1>&- ', '2>&-', '<&-',
    '>&-', '3<&0 ', '\n\\', '"\n', '\n ', 'a=b ',
    'time a=b ', 'coproc a=b ', '{,}', 'c{anary,}', "declare -a '", 'b=(',
    "export '", "'PS4=", 'sh -c "', "dash -c '", "$'\\''", "\\'",
    "$'\\\\'", 'bash /dev/fd/3 3<&0 <<< ', 'BASH_ENV=/dev/stdin bash -c : <<< ', "x='a[$(",
    ")]'; ", 'echo $((x)); ',
    '${*:x}', "unset 'a[", "test -v '", 'i=0; ', 'find . -maxdepth 0 -exec ', ' \\; ',
    'setarch x86_64 ', 'select x in a; do ', '; done <<< 1', "alias c='",
    'shopt -s expand_aliases\n', 'histchars=@\n',
]
# More, for sh (dash) and here-documents (outside attack C): constructs the two shells read
# apart, and here-document words and ends.
SH_FRAGMENTS = [
    "[[ ", " ]]", "((", "))", "&>", "&>>", "$[", "]", "$'\\''", "<<$'E'\n", '<<$"E"\n',
    "\n$E\n", "E\\\n", "\\\n", "<<-E\n", "\t\\\n", "$(cat <<E\n", "E)\n", "`cat <<E\n",
    "|| ", " -o ", "> ", " < ", "=~ ", "(a|b)", "function f { ", "select x in 1; do ", "$\"",
    "[ ", " ]", "<<\"E\\x\"\n", "E\\x\n", "<<E'x'\n", "Ex\n",
]


def fuzzed(seed: int, count: int, extra: list[str] | None = None) -> list[str]:
    """Lines built around `canary` from FRAGMENTS (and half the time from `extra`)."""
    rnd = random.Random(seed)

    def fragment() -> str:
        return rnd.choice(extra if extra and rnd.random() < 0.5 else FRAGMENTS)

    lines = []
    for _ in range(count):
        pre = "".join(fragment() for _ in range(rnd.randint(0, 6)))
        post = "".join(fragment() for _ in range(rnd.randint(0, 6)))
        lines.append(pre + "canary" + post)
    return lines


def forwarded(script: bytes, folder: Path) -> bytes:
    """What the stdin gate sends of `script`: each statement the policy allows (or alerts),
    judged as `StdinGate.verdict` judges it."""
    judge = small_policy(folder / "protected")
    splitter = statements.StatementSplitter(policy.is_complete)
    out = bytearray()
    for piece in splitter.feed(script) + splitter.finish():
        if not isinstance(piece, statements.Statement):
            continue
        text = piece.text.strip()
        verdict = evaluate(judge, text, role="r", target="t", login="root") if text else None
        if verdict is not None and policy.script_doubt(text, "bash") is not None:
            verdict = policy.stricter(verdict, policy.uncertain_verdict(judge, "doubt"))
        if verdict is None or verdict.action in ("allow", "alert"):
            out += piece.data
    return bytes(out)


def run_in_bash(lines: list[str], folder: Path) -> set[int]:
    """The indexes of the lines in which bash ran the canary or changed the protected folder.
    One bash process; each line is `eval`ed in a subshell with stdin from /dev/null."""
    return run_in("bash", lines, folder)


def run_in(shell: str, lines: list[str], folder: Path) -> set[int]:
    """The same for `shell`: bash `eval`s each line in a subshell; another shell (dash) runs
    each line as `SHELL -c LINE`."""
    bin_dir, work, protected, hits = (folder / "bin", folder / "work", folder / "protected",
                                      folder / "hits")
    for path in (bin_dir, work, protected):
        path.mkdir(exist_ok=True)
    canary = bin_dir / "canary"
    canary.write_text(f'#!/bin/sh\necho "$CANARY_ID" >> {hits}\n')
    canary.chmod(0o755)
    hits.write_text("")
    corpus = folder / "corpus"
    corpus.write_bytes(b"\0".join(line.encode("utf-8", "surrogateescape") for line in lines)
                       + b"\0")
    # Before each line the protected folder holds one empty file, `keep`; a line that removes,
    # writes or adds anything there shows.
    run = 'eval "$line"' if shell == "bash" else f'{shell} -c "$line"'
    driver = f"""
i=0
while IFS= read -r -d '' -u 3 line; do
    export CANARY_ID=$i
    rm -rf {protected}; mkdir {protected}; : > {protected}/keep
    ( exec 3<&-; {run}; wait ) </dev/null >/dev/null 2>&1
    if [ "$(ls -A {protected} 2>&1)" != keep ] || [ -s {protected}/keep ]; then
        echo "$i" >> {hits}
    fi
    i=$((i + 1))
done 3< {corpus}
"""
    env = {"PATH": f"{bin_dir}:/usr/sbin:/usr/bin:/sbin:/bin", "HOME": str(work),
           "LC_ALL": "C.UTF-8"}
    subprocess.run(["bash", "-c", driver], cwd=work, env=env, timeout=60, check=True,
                   capture_output=True)
    return {int(n) for n in hits.read_text().split()}


def ran_from_stdin(script: bytes, folder: Path, shell: str = "bash") -> bool:
    """Whether `shell`, reading `script` on its stdin, ran the canary."""
    hits = folder / "hits"
    hits.write_text("")
    env = {"PATH": f"{folder / 'bin'}:/usr/bin:/bin", "HOME": str(folder / "work"),
           "CANARY_ID": "0"}
    subprocess.run([shell], input=script, cwd=folder / "work", env=env, timeout=30,
                   capture_output=True)
    return bool(hits.read_text().strip())


def small_policy(protected: Path) -> Policy:
    return policy_from_dict({"defaults": {"unmatched": "allow", "unknown": "confirm",
                                          "uncertain": "deny"},
                             "rules": [
                                 {"name": "no-canary", "action": "deny", "commands": ["canary"]},
                                 {"name": "no-protected", "action": "deny",
                                  "commands": [">", "rm", "touch", "mv", "cp", "ln"],
                                  "paths": [f"{protected}", f"{protected}/**"]},
                             ]})


def filled(line: str, folder: Path) -> str:
    return line.replace("{p}", str(folder / "protected")).replace("{c}",
                                                                  str(folder / "bin/canary"))


def verdicts(lines: list[str], folder: Path) -> list[str]:
    judge = small_policy(folder / "protected")
    return [evaluate(judge, line, role="r", target="t", login="root").action for line in lines]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("policy-bash")


def test_every_attack_runs_in_bash_and_is_not_allowed(folder: Path) -> None:
    lines = [filled(line, folder) for line in ATTACKS]
    ran = run_in_bash(lines, folder)
    assert set(range(len(lines))) == ran, [lines[i] for i in range(len(lines)) if i not in ran]
    allowed = [(line, action) for line, action in zip(lines, verdicts(lines, folder), strict=True)
               if action in ("allow", "alert")]
    assert not allowed, allowed


def test_scripts_on_stdin_run_nothing_the_gate_would_not_let_through(folder: Path) -> None:
    run_in_bash([], folder)  # the canary and the folders
    for script in STDIN_SCRIPTS:
        assert ran_from_stdin(script, folder), f"the attack did not run in bash: {script!r}"
        assert not ran_from_stdin(forwarded(script, folder), folder), script


def test_fuzzed_lines_that_bash_runs_the_canary_in_are_not_allowed(folder: Path) -> None:
    lines = fuzzed(20261206, 600) + fuzzed(20261207, 300, SH_FRAGMENTS)
    allowed = [line for line, action in zip(lines, verdicts(lines, folder), strict=True)
               if action in ("allow", "alert")]
    ran = run_in_bash(allowed, folder)
    assert not ran, [allowed[i] for i in sorted(ran)]


needs_dash = pytest.mark.skipif(shutil.which("dash") is None, reason="needs dash")


@needs_dash
def test_every_line_dash_reads_otherwise_runs_in_dash_and_is_not_allowed(folder: Path) -> None:
    lines = [filled(line, folder) for line in DASH]
    ran = run_in("dash", lines, folder)
    assert set(range(len(lines))) == ran, [lines[i] for i in range(len(lines)) if i not in ran]
    allowed = [(line, action) for line, action in zip(lines, verdicts(lines, folder), strict=True)
               if action in ("allow", "alert")]
    assert not allowed, allowed


@needs_dash
def test_no_line_of_the_bash_corpora_that_the_policy_allows_runs_the_canary_in_dash(
    folder: Path,
) -> None:
    """The same lines, and the fuzzed ones, in dash: where the two shells agree (most of
    them) the bash reading covers dash; where they do not, the sh reading does."""
    lines = [filled(line, folder) for line in ATTACKS] + fuzzed(20261208, 600, SH_FRAGMENTS)
    allowed = [line for line, action in zip(lines, verdicts(lines, folder), strict=True)
               if action in ("allow", "alert")]
    ran = run_in("dash", allowed, folder)
    assert not ran, [allowed[i] for i in sorted(ran)]


@needs_dash
def test_scripts_on_stdin_run_nothing_in_dash_the_gate_would_not_let_through(
    folder: Path,
) -> None:
    run_in_bash([], folder)
    for script in SH_STDIN_SCRIPTS:
        assert ran_from_stdin(script, folder, "dash"), f"the attack did not run in dash: {script!r}"
        assert not ran_from_stdin(forwarded(script, folder), folder, "dash"), script
        assert not ran_from_stdin(forwarded(script, folder), folder, "bash"), script


# Lines that really run their command in bash (a canary file appears), which the policy must
# not allow. Each is also in the tables above; here bash itself shows the attack is real.
RUNS_IN_BASH = [
    "x='a[$(touch {c})]'; echo $((x))",
    "x='a[$(touch {c})]'; [[ $x -eq 1 ]]",
    "x='a[$(touch {c})]'; a=(1); echo ${{a[x]}}",
    "x='a[$(touch {c})]'; echo ${{!x}}",
    "x='$(touch {c})'; echo ${{x@P}}",
    "printf -v 'a[$(touch {c})]' %s 1",
    "read 'a[$(touch {c})]' <<< x",
    "mapfile -C 'touch {c} #' -c 1 <<< x",
    "compgen -W '$(touch {c})'",
    "BASH_CMDS[ls]=/usr/bin/touch; ls {c}",
    "env 'BASH_FUNC_f%%=() {{ touch {c}; }}' bash -c f",
    "BASH_ENV='$(touch {c})' bash -c :",
    "cat <<EOF\n`touch {c}`\nEOF",
    "coproc {{ touch {c}; }}; wait",
    "x='\\044(touch {c})'; echo ${{x@P}}",
    "shopt -s expand_aliases; alias x=eval\nx 'touch {c}'",
    "bash /dev//stdin <<< 'touch {c}'",
]


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
@pytest.mark.parametrize("template", RUNS_IN_BASH)
def test_lines_that_run_a_command_in_bash_are_not_allowed(tmp_path: Path,
                                                           template: str) -> None:
    canary = tmp_path / "ran"
    line = template.format(c=canary)
    subprocess.run(["bash", "-c", line], capture_output=True, timeout=10, cwd=tmp_path)
    assert canary.exists(), "the attack did not run in bash: the test proves nothing"
    judge = policy_from_dict({"rules": [{"name": "no-touch", "action": "deny",
                                         "commands": ["touch"]}]})
    assert evaluate(judge, line, role="r", target="t").action != "allow", \
        policy.parse_commands(line)


# What `sh -n` prints for a text that ends while the shell still waits for more of it.
_WAITING = {
    "bash": ("unexpected end of file", "unexpected EOF", "delimited by end-of-file"),
    "dash": ("end of file unexpected", "Unterminated quoted string", "Missing '}'",
             "Missing '))'", "EOF in backquote substitution"),
}


def waits(shell: str, line: str, script: Path) -> bool:
    """Whether `shell` would wait for more input after `line` (read from a file by `-n`). dash
    ends an unfinished here-document at the end of a file without a word: a line `fi` after
    it is then body, where after a finished line it is a syntax error."""
    script.write_text(line)
    checked = subprocess.run([shell, "-n", str(script)], capture_output=True, text=True)
    if any(sign in checked.stderr for sign in _WAITING[shell]):
        return True
    if shell != "dash" or checked.stderr or "<<" not in line:
        return False
    script.write_text(line + "\nfi\n")
    return not subprocess.run([shell, "-n", str(script)], capture_output=True, text=True).stderr


@pytest.mark.skipif(shutil.which("bash") is None or shutil.which("dash") is None,
                    reason="needs bash and dash")
def test_is_complete_says_complete_where_bash_or_dash_would_run_the_line(tmp_path: Path) -> None:
    """A line one of the shells runs at once must not be passed on as a continuation (the
    interactive gate would forward it unjudged); one both wait on must not be cut short."""
    script = tmp_path / "line.sh"
    disagreements = []
    for line, _ in COMPLETENESS:
        if line.endswith("\\") and not line.endswith("\\\\"):
            continue  # `-n` reads a file, where a final backslash is not a continuation
        either_runs = not (waits("bash", line, script) and waits("dash", line, script))
        # A here-document the two read differently is judged at once (and held), on purpose.
        unsure = any(c.unknown.startswith("a here-document") for c in parse_commands(line))
        if is_complete(line) != either_runs and not (unsure and is_complete(line)):
            disagreements.append(line)
    assert disagreements == []


# Lines of CHILD_SHELL_LINES that write into {p} in bash only: dash has no process substitution,
# here-string or directory stack.
BASH_ONLY_CHILDREN = {"cd {p}; : <(cd /tmp); touch x", "f={p}/keep; (read f <<< /tmp/a); echo x > $f",
                      "pushd {p} >/dev/null; (popd >/dev/null); touch x"}


@pytest.mark.parametrize("shell", ["bash", pytest.param("dash", marks=needs_dash)])
def test_a_change_in_a_child_of_the_shell_that_bash_or_dash_keeps_apart_is_not_allowed(
        folder: Path, shell: str) -> None:
    """Attack G, finding 1: each line writes into {p} after a child moved elsewhere."""
    lines = [filled(line, folder) for line in CHILD_SHELL_LINES
             if shell == "bash" or line not in BASH_ONLY_CHILDREN]
    ran = run_in(shell, lines, folder)
    assert set(range(len(lines))) == ran, [lines[i] for i in range(len(lines)) if i not in ran]
    allowed = [(line, action) for line, action in zip(lines, verdicts(lines, folder), strict=True)
               if action in ("allow", "alert")]
    assert not allowed, allowed


# A loop's second pass, a function's call and a DEBUG trap, from where the line left the shell: each writes
# into {p} in bash.
REPEATED_LINES = [
    "cd {p}/..; for i in 1 2; do touch x; cd {p}; done",
    "cd {p}/..; n=0; while [ $n -lt 2 ]; do touch x; cd {p}; n=$((n+1)); done",
    "f() { cd {p}; }; cd {p}/..; f; touch x",
    "cd {p}/..; for ((i=0;i<2;i++)); do touch x; cd {p}; done",
    "trap 'cd {p}' DEBUG; cd {p}/..; touch x",
]


def test_a_loops_second_pass_or_a_functions_call_is_not_allowed(folder: Path) -> None:
    lines = [filled(line, folder) for line in REPEATED_LINES]
    ran = run_in("bash", lines, folder)
    assert set(range(len(lines))) == ran, [lines[i] for i in range(len(lines)) if i not in ran]
    allowed = [(line, action) for line, action in zip(lines, verdicts(lines, folder), strict=True)
               if action in ("allow", "alert")]
    assert not allowed, allowed


# Attack I, findings 1 and 2: a move that fails or never runs, an assignment bash does not keep,
# code stored for later and a `source`d here-string, each writing into {p} in bash; and a value
# bash restores after `x=1 true` that arithmetic evaluates.
STATE_LINES = [line for line, _ in STATE_BASH_KEEPS] + ["x='a[$(canary)]'; x=1 true; echo $((x))"]


def test_state_bash_keeps_or_code_run_later_is_not_allowed(folder: Path) -> None:
    lines = [filled(line, folder) for line in STATE_LINES]
    ran = run_in("bash", lines, folder)
    assert set(range(len(lines))) == ran, [lines[i] for i in range(len(lines)) if i not in ran]
    allowed = [(line, action) for line, action in zip(lines, verdicts(lines, folder), strict=True)
               if action in ("allow", "alert")]
    assert not allowed, allowed


def wrote_from_stdin(script: bytes, folder: Path) -> bool:
    """Whether bash, reading `script` on its stdin, changed the protected folder."""
    protected = folder / "protected"
    shutil.rmtree(protected, ignore_errors=True)
    protected.mkdir()
    (protected / "keep").write_text("")
    env = {"PATH": f"{folder / 'bin'}:/usr/bin:/bin", "HOME": str(folder / "work"),
           "CANARY_ID": "0"}
    subprocess.run(["bash"], input=script, cwd=folder / "work", env=env, timeout=30,
                   capture_output=True)
    return sorted(p.name for p in protected.iterdir()) != ["keep"] or bool(
        (protected / "keep").read_text())


def test_the_same_lines_on_a_shells_stdin_write_nothing_through_the_gate(folder: Path) -> None:
    # One statement each: a working directory an earlier statement chose is not followed
    # (README, "What the command filter does not see").
    run_in_bash([], folder)  # the canary and the folders
    for line in (line for line in STATE_LINES[:-1] if "\n" not in line):
        script = b"echo start\n" + filled(line, folder).encode() + b"\necho end\n"
        assert wrote_from_stdin(script, folder), f"the attack did not run in bash: {script!r}"
        assert not wrote_from_stdin(forwarded(script, folder), folder), script
