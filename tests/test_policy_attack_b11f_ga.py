"""Attack b11f, findings 1, 2, 3, 8, 9, 10 and 14 (the eleventh round on the command filter):
a program no table reads, judged as the launcher it may be, now launches what any rule names,
in any path spelling, and runs any shell code; and the decoders, debuggers, unpackers,
wrappers and service invokers those findings named. The shipped policy; attack halves refused
or held, honest halves allowed."""

from __future__ import annotations

from bastion.command_control.policy import reads_script_from_stdin
from tests.rows import each
from tests.test_policy import action


@each(("line", "expected"), [
    # 1: a program only a rule names (no table), launched by a program no table reads
    ("memusage systemctl stop auditd", "deny"),
    ("memusage iptables -F", "deny"),
    ("memusage auditctl -D", "deny"),
    ("memusage userdel root", "deny"),
    ("memusage usermod -aG sudo bob", "deny"),
    ("memusage reboot", "confirm"),
    ("memusage kill -9 -1", "deny"),
    ("sudo memusage userdel root", "deny"),
    ("mytool --run=userdel root", "deny"),  # an option's attached value names it
    ("mytool -- /usr/sbin/userdel root", "deny"),
    ("memusage mkfs.ext4 /dev/sda1", "deny"),  # a rule's glob (`mkfs.*`)
    # 2: a program's path in any spelling
    ("memusage /bin//bash -c 'systemctl stop auditd'", "deny"),
    ("memusage /usr/bin/./bash -c 'systemctl stop auditd'", "deny"),
    ("memusage /usr/lib/../bin/bash -c 'systemctl stop auditd'", "deny"),
    ("memusage //usr//sbin//userdel root", "deny"),
    # 3: shell code whatever it starts with
    ("dpkg-buildpackage -d --hook-init='true; rm -rf /etc'", "deny"),
    ("dpkg-buildpackage -d --hook-init='systemctl stop auditd'", "deny"),
    ("foo 'true && rm -rf /etc'", "deny"),
    ("foo '(rm -rf /etc)'", "deny"),
    ("foo '{ rm -rf /etc; }'", "deny"),
    ("foo 'if true; then rm -rf /etc; fi'", "deny"),
    ("foo 'x=1; rm -rf /etc'", "deny"),
    ("foo 'cd / && rm -rf etc'", "deny"),
    ("foo 'echo x >> /etc/sudoers'", "deny"),
    ("foo -e'ls; rm -rf /etc'", "deny"),  # a short option's attached value
    ("foo $'true\\nrm -rf /etc'", "deny"),
    ("foo 'true\nit'\"'\"'s rm'", "confirm"),  # several lines, one a shell cannot parse: held
    ("foo '{rm,-rf,/etc}'", "confirm"),  # a brace expansion making the command: held
    # honest halves: words that are not code, or code that does nothing the rules name
    ("docker ps --format '{{.Names}}'", "allow"),
    ("mytool --note \"it's fine\"", "allow"),
    ("mytool --message 'deploy the web tier'", "allow"),
    ("mytool 'select 1; select 2'", "allow"),  # not shell: a shell would refuse it whole
    ("mytool -- ' -1'", "allow"),
    ("docker exec web1 systemctl status nginx", "allow"),
    ("viewer /etc/passwd", "confirm"),  # a file it names, as before
])
def test_b11f_launchers(default_policy, line, expected):
    assert action(default_policy, line) == expected


@each(("line", "expected"), [
    # 8: a pipe as the output file runs its command
    ("psql -o '|systemctl stop auditd' -c 'select 1'", "deny"),
    ("psql --output='|systemctl stop auditd' -c 'select 1'", "deny"),
    ("psql --out='|reboot' -c 'select 1'", "confirm"),  # a getopt_long prefix
    ("psql -o'|reboot' -c 'select 1'", "confirm"),
    ("psql --comm='\\! systemctl stop auditd'", "deny"),
    # 14: a wrapper's chdir and chroot, Debian's systemctl front ends, pm2's other starters
    ("chpst -C /etc rm -f sudoers", "deny"),
    ("chpst -/ /mnt rm -f /etc/sudoers", "deny"),
    ("deb-systemd-invoke stop auditd.service", "deny"),
    ("deb-systemd-helper mask auditd.service", "deny"),
    ("pm2 startOrRestart ecosystem.config.js", "confirm"),
    ("pm2 startOrReload ecosystem.config.js", "confirm"),
    ("pm2 restart ecosystem.config.js", "confirm"),
    ("pm2 send 0 'rm -rf /etc'", "confirm"),
    # honest halves
    ("psql -o out.txt -c 'select 1'", "allow"),
    ("psql -o '|cat' -c 'select 1'", "allow"),
    ("chpst -u www-data ls", "allow"),
    ("deb-systemd-invoke restart nginx.service", "allow"),
    ("pm2 restart web", "allow"),
    ("pm2 reload all", "allow"),
    ("pm2 list", "allow"),
])
def test_b11f_outputs_wrappers_invokers(default_policy, line, expected):
    assert action(default_policy, line) == expected


@each(("line", "expected"), [
    # 10: gpgtar and the other unpackers no table read
    ("gpgtar -x -C /etc x.gpg", "confirm"),  # held, as `tar -x -C /etc` is
    ("gpgtar --decrypt --directory=/ x.gpg", "confirm"),
    ("gpgtar --extract --skip-crypto --directory /var/log F.tar", "confirm"),
    ("gpgtar --ext --dir=/etc x.gpg", "confirm"),  # getopt_long prefixes
    ("gpgtar -dC /etc x.gpg", "confirm"),  # a cluster
    ("cd /etc && gpgtar -d x.gpg", "confirm"),  # here
    ("gpgtar --gpg /tmp/evil -d x.gpg", "confirm"),  # a program of its own: unknown
    ("gpg-zip --decrypt --tar-args '-C /etc' x.gpg", "confirm"),
    ("gpgtar --create -o /etc/sudoers.d/x dir", "deny"),
    ("cd /etc && ptar -xf a.tar", "confirm"),
    ("unzipsfx -d /etc", "confirm"),
    ("gzexe /etc/sudoers", "deny"),  # rewrites the file in place
    # honest halves
    ("gpgtar -t x.gpg", "allow"),
    ("gpgtar -d x.gpg", "allow"),
    ("gpgtar --create -o /tmp/a.gpg dir", "allow"),
    ("ptar -x -f a.tar", "allow"),
    ("gzexe ./mytool", "allow"),
])
def test_b11f_unpackers(default_policy, line, expected):
    assert action(default_policy, line) == expected


@each(("line", "reads"), [
    # 9: the program a debugger runs reads the line's stdin (gdb's), with arguments or none
    ("gdb -batch -ex run /bin/bash", "shell"),
    ("gdb -q -batch -ex r /bin/sh", "shell"),
    ("gdb -batch -ex ru /bin/bash", "shell"),
    ("gdb -batch -ex starti /bin/bash", "shell"),
    ("gdb -batch -ex start /bin/bash", "shell"),
    ("gdb -batch -ex run python3", "interpreter"),
    ("gdb -batch -ex 'run -s' /bin/bash", "shell"),  # as before
    ("gdb -batch -ex run --args /bin/bash -s", "shell"),
    ("lldb -b -o run -- /bin/bash", "shell"),
    ("strace -f -o /tmp/x /bin/bash", "shell"),
    ("ltrace -c bash", "shell"),
    ("valgrind -q bash", "shell"),
    ("rr record bash", "shell"),
    ("perf stat -- bash", "shell"),
    ("gdbserver :1234 /bin/bash", "shell"),
    ("uftrace record bash", "shell"),
    # honest halves: a program that is no shell
    ("gdb -q -batch -ex run -ex bt ./myapp", "program"),  # its first data held (fed_gate)
    ("gdb -batch -ex bt ./myapp core", None),
])
def test_b11f_debuggers_run_a_reader_of_stdin(line, reads):
    assert reads_script_from_stdin(line) == reads


@each(("line", "expected"), [
    ("gdb -batch -ex run /usr/sbin/userdel", "deny"),  # the program judged as run
    ("gdb -batch -ex run /bin/bash", "alert"),  # as `bash` is: the gate reads the script
    ("gdb -q -batch -ex run -ex bt ./myapp", "allow"),
])
def test_b11f_debuggers_judged(default_policy, line, expected):
    assert action(default_policy, line) == expected


@each(("line", "expected"), [
    # 8's class: any start of the long option a decoder reads (getopt_long, my_getopt)
    ("psql --comm='\\o /etc/sudoers.d/x'", "confirm"),
    ("mysql --exec='system reboot'", "confirm"),
    ("mysql --exe='\\! reboot'", "confirm"),
    ("mariadb --execu='system reboot'", "confirm"),
    # 14's class: the other init systems' service tools, the verb and the daemon in any order
    ("sv stop auditd", "deny"),
    ("sv d auditd", "deny"),
    ("sv down /etc/service/rsyslog", "deny"),
    ("initctl stop auditd", "deny"),
    ("stop auditd", "deny"),
    ("memusage stop auditd", "deny"),
    ("update-rc.d auditd disable", "deny"),
    ("update-rc.d -f auditd remove", "deny"),
    ("chkconfig auditd off", "deny"),
    ("chkconfig --del auditd", "deny"),
    ("rc-update del auditd default", "deny"),
    ("s6-svc -d /run/service/auditd", "deny"),
    # honest halves
    ("psql --comm='select 1'", "allow"),
    ("mysql --exec='select 1'", "allow"),
    ("sv status auditd", "allow"),
    ("sv restart nginx", "allow"),
    ("sv stop nginx", "allow"),
    ("stop nginx", "allow"),
    ("initctl list", "allow"),
    ("chkconfig --list auditd", "allow"),
    ("update-rc.d nginx defaults", "allow"),
    ("s6-svc -u /run/service/auditd", "allow"),
    ("rc-update add auditd default", "allow"),
    ("docker stop web1", "allow"),
    ("terraform init", "allow"),
    ("mytool --label 'kill switch'", "allow"),
])
def test_b11f_decoder_prefixes_and_service_tools(default_policy, line, expected):
    assert action(default_policy, line) == expected
