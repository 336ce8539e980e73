"""Attack x33f, findings 6, 7, 8, 9 and 10: Exim's expansion strings after `--`, Dropbear's
proxy command, ssh options other programs hand to the ssh they run, gdb's core file written in
its working folder, Delve's attach behind its flags. Each line is judged typed at a terminal and
as an exec command: the attacker's lines and their siblings are held (refused or confirmed) at
the level of their plain spelling (`deny` where `ssh -o ProxyCommand='rm -rf /etc'` is refused,
`confirm` where `ssh -oProxyCommand=reboot`, `exim4 -be '${run{...}}'`, `gcore 1234` in
/etc/sudoers.d or `dlv attach $(pidof auditd)` is held), and the honest lines beside them still
run (`allow`, or `alert` where every remote login by another client is flagged)."""

from bastion.command_control.policy import reads_script_from_stdin
from tests.policy_rows import typed_and_exec
from tests.rows import each

WIPE = "rm -rf /etc"
RUN = "${run{/bin/rm -rf /etc}}"

ROWS = [
    # 6: every word after `--` (or the first operand) is an expansion string, `-${run}` too
    (f"exim4 -be -- '-{RUN}'", "confirm"), (f"exim -be -- '-{RUN}'", "confirm"),
    (f"sendmail -be -- '-{RUN}'", "confirm"), (f"exim4 -be -- x '-{RUN}'", "confirm"),
    (f"exim4 -be x '-{RUN}'", "confirm"), (f"exim4 -bem /tmp/m -- '-{RUN}'", "confirm"),
    (f"exim4 -be -f x '{RUN}'", "confirm"), (f"exim4 -DX='{RUN}' -bt root", "confirm"),
    ("exim4 -be '$tod_log'", "allow"), ("exim4 -be -f x '$sender_address'", "allow"),
    ("exim4 -bt root", "allow"), ("exim4 -bp", "allow"), ("sendmail -oi -f a@b root", "allow"),
    ("exim -bP config", "allow"),
    # review: mail's -S settings read once (mail_writes.mail_setting)
    ("mail -S mta=/bin/sh -s x root", "confirm"), ("mail -S 'smtp=x' -s x root", "confirm"),
    ("mail -S smtp=smtp://mx:25 -s x root", "allow"), ("mail -S org=Acme -s x root", "allow"),
    ("mail -S from=ops@example.com -s x root", "allow"),
    # 7: dbclient's -J proxy command is shell code, as ssh's ProxyCommand
    (f"dbclient -J '{WIPE}' h true", "deny"), (f"dbclient -J'{WIPE}' h true", "deny"),
    (f"dbclient -yJ '{WIPE}' h true", "deny"), (f"dbclient h -J '{WIPE}' true", "deny"),
    ("dbclient -J 'systemctl stop auditd' h true", "deny"),
    ("dbclient -J 'sh -c \"echo ALL ALL=NOPASSWD: ALL >> /etc/sudoers\"' h true", "deny"),
    ("dbclient -J reboot h true", "confirm"),
    ("dbclient h uptime", "alert"), ("dbclient -i ~/.ssh/id_dropbear -p 2222 h uptime", "alert"),
    ("dbclient -J 'nc bastion 22' h uptime", "alert"),
    # 8: ssh options handed on: clush, mussh, pdsh's environment, pssh, ansible, unison...
    (f"clush -o '-oProxyCommand={WIPE}' -w h true", "deny"),
    (f"clush --options='-o ProxyCommand=\"{WIPE}\"' -w h true", "deny"),
    (f"clush --opt='-o ProxyCommand=\"{WIPE}\"' -w h true", "deny"),
    ("clush -o '-oProxyCommand=systemctl stop auditd' -w h true", "deny"),
    ("clush -O 'ssh_options=-oProxyCommand=reboot' -w h true", "confirm"),
    (f"clush -O 'ssh_path={WIPE}' -w h true", "deny"),
    ("clush --groupsconf /tmp/g.conf -w @x true", "confirm"),
    ("CLUSTERSHELL_CFGDIR=/tmp/c clush -w h true", "confirm"),
    ("clush -o \"$X\" -w h true", "confirm"),
    (f"mussh -o 'ProxyCommand={WIPE}' -h h -c true", "deny"),
    ("mussh -p h2 -po 'x; reboot' -h h -c uptime", "confirm"),
    ("PDSH_SSH_ARGS_APPEND=-oProxyCommand=reboot pdsh -R ssh -w h true", "confirm"),
    ("export PDSH_SSH_ARGS_APPEND=-oProxyCommand=reboot; pdsh -R ssh -w h true", "confirm"),
    ("PDSH_SSH_ARGS='-oProxyCommand=reboot %h' pdsh -w h true", "confirm"),
    (f"pssh -O 'ProxyCommand={WIPE}' -H h true", "deny"),
    (f"pssh -x \"-oProxyCommand='{WIPE}'\" -H h true", "deny"),
    (f"parallel-ssh -X '-oProxyCommand={WIPE}' -H h true", "deny"),
    (f"pscp -O 'ProxyCommand={WIPE}' -H h a b", "deny"),
    (f"prsync -O 'ProxyCommand={WIPE}' -H h a b", "deny"),
    (f"ansible all --ssh-common-args=\"-o ProxyCommand='{WIPE}'\" -m ping", "deny"),
    ("ansible all -m ping --ssh-common='-oProxyCommand=reboot'", "confirm"),
    (f"ansible-playbook --ssh-extra-args=\"-o ProxyCommand='{WIPE}'\" p.yml", "deny"),
    (f"ANSIBLE_SSH_ARGS=\"-o ProxyCommand='{WIPE}'\" ansible all -m ping", "deny"),
    (f"export ANSIBLE_SSH_COMMON_ARGS=\"-oProxyCommand='{WIPE}'\"; ansible-playbook p.yml", "deny"),
    (f"ANSIBLE_SSH_EXECUTABLE='{WIPE}' ansible all -m ping", "deny"),
    (f"unison -sshargs \"-o ProxyCommand='{WIPE}'\" a ssh://h/b", "deny"),
    ("duplicity --ssh-options='-oProxyCommand=reboot' /a sftp://h/b", "confirm"),
    ("dsh -o '-oProxyCommand=reboot' -m h true", "confirm"),
    (f"BORG_RSH='{WIPE}' borg list ssh://h/r", "deny"),
    (f"rclone ls --sftp-ssh '{WIPE}' :sftp:/x", "deny"),
    (f"rclone ls \":sftp,ssh='{WIPE}':/x\"", "confirm"),
    (f"restic -o sftp.command='{WIPE}' -r sftp:h:/r snapshots", "deny"),
    ("restic -o sftp.args='-oProxyCommand=reboot' -r sftp:h:/r snapshots", "confirm"),
    ("virsh -c 'qemu+ssh://h/system?command=/tmp/x' list", "confirm"),
    (f"salt-ssh --ssh-option='ProxyCommand={WIPE}' '*' test.ping", "deny"),
    ("ansible-playbook -e \"ansible_ssh_common_args='-oProxyCommand=reboot'\" p.yml", "confirm"),
    (f"RCLONE_SFTP_SSH='{WIPE}' rclone ls :sftp:/x", "deny"),
    ("ansible-playbook -e env=prod p.yml", "allow"),
    ("ansible-playbook --become -e ansible_user=deploy p.yml", "allow"),
    # the class's members read before this round (checked again): scp, sftp, rsync -e, git,
    # sshfs, autossh, ssh's own command options
    (f"scp -o 'ProxyCommand={WIPE}' a h:b", "deny"), (f"sftp -o 'ProxyCommand={WIPE}' h", "deny"),
    (f"rsync -e \"ssh -o 'ProxyCommand={WIPE}'\" a h:b", "deny"),
    (f"GIT_SSH_COMMAND=\"ssh -o 'ProxyCommand={WIPE}'\" git fetch", "deny"),
    (f"git -c core.sshCommand=\"ssh -o 'ProxyCommand={WIPE}'\" fetch", "deny"),
    ("sshfs -o ssh_command=\"ssh -oProxyCommand=reboot\" h: /mnt", "confirm"),
    (f"autossh -M 0 -o 'ProxyCommand={WIPE}' h", "deny"),
    (f"ssh -o 'LocalCommand={WIPE}' -o PermitLocalCommand=yes h true", "deny"),
    (f"ssh -o 'KnownHostsCommand={WIPE}' h true", "deny"),
    ("clush -w h uptime", "alert"), ("clush -o '-oStrictHostKeyChecking=no -p 2222' -w h uptime", "alert"),
    ("clush -O fanout=64 -w h true", "alert"), ("pdsh -w h uptime", "alert"),
    ("mussh -o StrictHostKeyChecking=no -h h -c uptime", "alert"),
    ("PDSH_SSH_ARGS_APPEND='-o StrictHostKeyChecking=no' pdsh -w h uptime", "alert"),
    ("pssh -H h -O StrictHostKeyChecking=no uptime", "alert"), ("pssh -H h -o /tmp/out uptime", "alert"),
    ("ansible all -m ping --ssh-common-args='-o StrictHostKeyChecking=no'", "allow"),
    ("ANSIBLE_SSH_ARGS='-o ControlMaster=auto -o ControlPersist=60s' ansible all -m ping", "allow"),
    ("unison -sshargs '-p 2222' a ssh://h/b", "allow"),
    ("duplicity --ssh-options='-oIdentityFile=/root/.ssh/k' /a sftp://h/b", "allow"),
    ("dsh -o '-p2222' -m h uptime", "allow"),
    ("rclone ls :sftp,host=h:/x", "allow"), ("rclone copy a remote:b", "allow"),
    ("restic -o sftp.connections=10 -r sftp:h:/r snapshots", "allow"),
    ("virsh -c qemu+ssh://root@h/system list", "allow"), ("virsh --connect=qemu:///system list", "allow"),
    # 9: gdb's gcore with no name writes core.PID in its working folder (as the gcore program)
    ("cd /etc/sudoers.d && gdb -batch -p 1234 -ex gcore", "confirm"),
    ("cd /etc/sudoers.d; gdb -batch -p 1234 -ex generate-core-file", "confirm"),
    ("gdb --cd=/etc/sudoers.d -batch -p 1234 -ex gcore", "confirm"),
    ("cd /etc/pam.d && gdb -batch -p 1234 -ex gcore", "confirm"),
    ("cd /etc/profile.d && gdb -batch -p 1234 -ex gcore", "alert"),
    ("cd /etc/bash_completion.d && gdb -batch -p 1234 -ex gcore", "alert"),
    ("echo x > /etc/bash_completion.d/x", "alert"),
    ("cp x /usr/share/bash-completion/completions/x", "alert"),
    ("gdb -batch -p 1234 -ex gcore", "allow"), ("cd /tmp && gdb -batch -p 1234 -ex gcore", "allow"),
    ("gdb -batch -p 1234 -ex bt", "allow"), ("cat /etc/bash_completion.d/git", "allow"),
    # 10: Delve's attach behind its flags, and other tools that attach to run code
    ("dlv --headless attach $(pidof auditd)", "confirm"), ("dlv --log attach $(pidof auditd)", "confirm"),
    ("dlv --listen=:2345 --headless=true attach $(pidof auditd)", "confirm"),
    ("dlv --headless=true --accept-multiclient --listen=0.0.0.0:2345 attach $(pidof auditd)",
     "confirm"),
    ("dlv attach --headless $(pidof auditd)", "confirm"),
    ("dlv attach --headless --listen=:2345 $(pidof auditd)", "confirm"),
    ("dlv attach -l:2345 --headless $(pidof auditd)", "confirm"),
    ("dlv --headless attach 1", "confirm"), ("dlv --bogus attach 1234", "confirm"),
    ("dlv trace -p $(pidof auditd) main", "confirm"), ("dlv attach --waitfor auditd", "deny"),
    ("frida -p $(pidof auditd)", "confirm"), ("frida -n auditd", "deny"),
    ("r2 -d $(pidof auditd)", "confirm"), ("scanmem -p $(pidof auditd)", "confirm"),
    ("pyrasite $(pidof auditd) x.py", "confirm"),
    # dlv's headless servers are held (attack z35f, finding 17)
    ("dlv attach 1234", "allow"), ("dlv --headless --listen=:2345 attach 1234", "confirm"),
    ("dlv exec ./prog", "allow"), ("dlv --headless --listen=:2345 exec ./prog", "confirm"),
    ("dlv connect :2345", "allow"), ("dlv debug", "allow"), ("dlv version", "allow"),
    ("dlv test ./pkg", "allow"), ("r2 -d /bin/ls", "allow"), ("frida -p 1234", "allow"),
]


@each(("line", "expected"), ROWS)
def test_attack_x33f_c_lines(default_policy, line: str, expected: str) -> None:
    for verdict in typed_and_exec(default_policy, line):
        assert verdict.action == expected, (line, verdict)


@each(("command", "reads"), [
    # as an exec command Exim's expansion test mode with no string reads them from the stdin
    # (its first data held), an option's value being no string; a filter test reads its filter
    ("exim4 -be", "interpreter"), ("exim4 -be -oMa 1.2.3.4", "interpreter"),
    ("exim4 -be -f x --", "interpreter"), ("exim4 -bf /dev/stdin", "interpreter"),
    ("exim4 -be x", None), ("exim4 -be '$tod_log'", None), ("exim4 -bf /tmp/filter", None),
    ("sendmail -t", None),
])
def test_attack_x33f_c_exim_stdin(command, reads):
    assert reads_script_from_stdin(command) == reads
