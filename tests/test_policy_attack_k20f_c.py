"""Attack k20f (the twentieth round on the command filter), findings 7, 8, 9, 14, 17 and 18: an
option's value naming stdin relative to a folder the line moved to (`cd /dev && lli
-extra-module=stdin`, php's include_path), compressors given -r (`gzip -r /etc` replaces every
file under /etc), archivers that move files into the archive (7z -sdel, rar m, lha m, arj m),
a second sshd or a network shell server, mosh-server's old syntax and sudo's long --login and
--shell, and rsync's old name for --remove-source-files. The tester's lines and their siblings,
each held or refused now (typed, and as an exec command), the honest lines beside them that
still run, and the new shipped rules named by the lines they are for."""
import shutil

import pytest

from bastion.command_control.policy import reads_script_from_stdin
from bastion.command_control.policy.match import evaluate
from tests.rows import each
from tests.test_policy import action

HELD = ("deny", "confirm")

# F8: a compressor given -r replaces (removes) every file under each folder: rm -r of it.
F8 = [
    "gzip -r /etc", "gzip --recursive /etc", "gzip --rec /etc", "gzip -rf /etc", "gzip -r /",
    "gzip -r /var/log", "gzip -r /etc/pam.d", "gzip -r /etc/ssh", "gunzip -r /etc", "pigz -r /etc",
    "unpigz -r /etc", "zstd -r --rm /etc", "lz4 -r --rm /etc", "lzip -r /etc", "lzip -R /etc",
    "lzop -rU /etc", "compress -r /etc", "gzip -r -- /etc", "touch ./-r; gzip ?r /etc",
    "gzip -rk /etc", "zstd -r /etc", "sudo gzip -r /etc", "gzip /etc/shadow", "gzip /etc/sudoers",
    "xz /etc/shadow", "bzip2 /etc/sudoers", "gzip -r /var/log/audit",
    # the same through find, which gives the compressor every file under the start
    "find /etc -type f -exec gzip {} +", "find /etc -exec xz {} \\;", "find / -exec bzip2 {} +",
    "find /var/log -name '*.log' -exec gzip {} \\;", "find /etc -exec zstd --rm {} +",
    "find /etc -exec gzip -k {} +", "gzip /etc/*", "brotli -j /etc/*",
    # a folder known only at run time, as `rm -r "$d"` is
    'gzip -r "$d"', "gzip -r $(cat list)",
]
# F9: archivers that move their files into the archive: rm of each.
F9 = [
    "7z a -sdel /tmp/a.7z /etc/sudoers", "7za a -sdel /tmp/a.7z /etc/sudoers",
    "7zz a -sdel /tmp/a.7z /etc/shadow", "7zr a -sdel /tmp/a.7z /etc/shadow",
    "7z u -sdel /tmp/a.7z /etc/sudoers", "7z a -SDEL /tmp/a.7z /etc/sudoers",
    "7z a -sdel /tmp/a.7z /var/log/audit/audit.log", "7z a -sdel /tmp/a.7z /etc",
    "7z a /tmp/a.7z -sdel -- /etc/shadow", "touch ./-sdel; 7z a ?sdel /tmp/a.7z /etc/shadow",
    "cd / && 7z a -sdel /tmp/a.7z", "rar m /tmp/a.rar /etc/sudoers", "rar mf /tmp/a.rar /etc/sudoers",
    "rar a -df /tmp/a.rar /var/log/audit/audit.log", "rar m -r /tmp/a.rar /etc",
    "lha m /tmp/a.lzh /etc/sudoers", "lha mq /tmp/a.lzh /etc/sudoers",
    "arj m /tmp/a.arj /etc/sudoers", "arj a -d /tmp/a.arj /etc/shadow", "p7zip /etc/shadow",
    "zip -m /tmp/a.zip /etc/sudoers", "tar --remove-files -cf /tmp/a.tar /etc/sudoers",
]
# F14: a second SSH server, or a server that gives a shell to whoever connects.
F14 = [
    "/usr/sbin/sshd -p 2222 -o PermitRootLogin=yes -o AuthorizedKeysFile=/tmp/keys",
    "/usr/sbin/sshd -p 2222 -o AuthorizedKeysFile=/tmp/keys", "sshd -p 2222 -f /tmp/sshd_config",
    "/usr/sbin/sshd -D -p 2222", "dropbear -p 2222 -R",
    "echo 'ssh-ed25519 AAAA me' > /tmp/keys && /usr/sbin/sshd -p 2222 -o AuthorizedKeysFile=/tmp/keys",
    # the test modes' letters inside an option's value, or taken by dropbear's options
    "sshd -oAuthorizedKeysFile=/tmp/keys -p 2222", "sshd -p2222 -oPermitRootLogin=yes",
    "sshd -o 'AuthorizedKeysFile /tmp/k -t' -p 2222", "/usr/sbin/sshd -Dp 2222 -oAuthorizedKeysFile=/tmp/k",
    "sshd -t $x", "sshd -i", "dropbear -T 3 -p 2222", "dropbear -G wheel -p 2222", "sudo sshd -p 2222",
    "busybox telnetd -l /bin/sh -p 2323", "telnetd -l /bin/sh", "busybox inetd /tmp/inetd.conf",
    "inetd /tmp/x.conf", "xinetd -f /tmp/x.conf", "shellinaboxd", "tcpsvd 0 2323 sh",
    "busybox udpsvd 0 1 sh", "tcpserver 0 2323 /bin/sh", "s6-tcpserver 0 1 sh",
    "systemd-socket-activate -l 2323 -a /bin/sh", "websocketd --port=8080 sh", "ttyd -p 8080 bash",
    "gotty -w bash", "tinysshd /etc/tinyssh/sshkeydir", "stunnel /tmp/s.conf", "sudo ttyd bash",
    "socat tcp-l:2323,fork exec:/bin/sh", "ncat -lk 2323 --sh-exec bash", "nc -lvp 2323 -e /bin/sh",
]
# F17: mosh-server's old syntax starts a shell on UDP; sudo's long --login and --shell.
F17 = ["mosh-server", "mosh-server 127.0.0.1", "mosh-server 0.0.0.0 60001", "mosh-server $ip",
       "mosh-server new"]
F17_ALERTS = ["sudo --login", "sudo --lo", "sudo --log", "sudo --logi", "sudo --shell", "sudo --sh",
              "sudo --she", "sudo -u bob --shell", "sudo -E --login"]
# F18: every name of rsync's --remove-source-files.
F18 = [
    "rsync --remove-sent-files /etc/sudoers /tmp/x", "rsync --remove-sent-files -a /etc/sudoers.d/ /tmp/x",
    "rsync --remove-sent-files /var/log/audit/audit.log /tmp/x", "rsync --remove-source /etc/sudoers /tmp/x",
    "rsync --remov /etc/sudoers /tmp/x", "rsync -M--remove-source-files /etc/sudoers /tmp/x",
    "rsync --remote-option=--remove-sent-files /etc/sudoers /tmp/x",
    "rsync --server --sender --remove-sent-files . /etc/sudoers",
]

ROWS = F8 + F9 + F14 + F17 + F18

HONEST = [
    # the brief's and attack i18f's everyday lines
    "ls *", "ls -la *", "du -sh *", "grep -r x *", "grep -r foo *", "rm *.log", "wc -l *.txt",
    "cat *.log", "cp *.conf /srv/app/", "cp *.conf /srv/app/conf.d/", "mv *.log old/", "git add *",
    "tar czf x ./*", "tar cf a.tar -- *", "tar cf a.tar ./*", 'for f in *.log; do gzip "$f"; done',
    "sudo ls *", "timeout 5 du -sh *", "git status", "git log -- *", "xargs grep foo *",
    "find . -name '*.py'", "sed -i s/a/b/ ./*.txt", "perl -ne print a.txt", "perl -pi -e s/a/b/ *.txt",
    "perl -e 'print 1'", "perl -MData::Dumper -e 'print Dumper(1)'", "make -j$(nproc)", 'mkdir -p "$d"',
    'sleep "$n"', "su root -c ls", "bash -c 'ls'", "echo {a,}b", "php -d memory_limit=1G x.php",
    # compressors and archivers on the user's own files
    "gzip -r ./logs", "gzip -r /var/log/nginx", "gzip -9 /var/log/app.log", "gzip *.log",
    "gzip -rc /etc", "gzip -rtv /etc", "zstd -r ./x", "zstd -rc /etc", "gunzip -r ./x", "zcat -r /etc",
    "lzop -r ./x", "7z a x.7z ./dir", "7z a -sdel x.7z ./dir", "7z a /tmp/etc.7z /etc",
    "rar a /tmp/x.rar /etc/hosts", "p7zip ./x", "zip -r /tmp/etc.zip /etc", "pigz -R ./x.log",
    "find /var/log/nginx -name '*.log' -exec gzip {} \\;", "find . -name '*.log' -exec gzip {} +",
    "find /srv/app/logs -mtime +7 -exec gzip -9 {} \\;", "find /etc -exec gzip -c {} \\;",
    "gzip /var/log/nginx/*.log",
    # rsync without removal, and with it on the user's own files
    "rsync -a /etc/hosts /tmp/x", "rsync -a --remove-source-files ./out/ /srv/backup/",
    "rsync -av --delete ./site/ /srv/www/",
    # sshd's test modes, mosh-server's information, sudo's listing
    "sshd -t", "sshd -T", "sshd -G", "sshd -V", "sudo sshd -t -f /etc/ssh/sshd_config",
    "sudo /usr/sbin/sshd -T -C user=a,host=b,addr=1.2.3.4", "dropbear -V", "mosh-server --version",
    "sudo -l", "sudo --list", "sudo ls --login",
    # php and lli loading files by name
    "php -d include_path=/usr/share/php -d auto_prepend_file=init.php x.php",
    "cd /srv/app && php -d auto_prepend_file=boot.php x.php", "php --define memory_limit=1G x.php",
    "cd /tmp && lli -extra-module=x.ll main.ll", "lli main.ll",
]


@each("line", ROWS)
def test_attack_k20f_c_lines_are_held_or_refused(default_policy, line):
    assert action(default_policy, line) in HELD


@each("line", ROWS)
def test_attack_k20f_c_lines_are_held_as_exec_commands(default_policy, line):
    verdict = evaluate(default_policy, line, role="engineer", target="web01", login="root",
                       interactive=False)
    assert verdict.action in HELD


@each("line", [*F17_ALERTS, "sudo -i", "sudo -s"])
def test_sudo_long_login_and_shell_alert_as_the_short_letters_do(default_policy, line):
    assert action(default_policy, line) == "alert"


@each("line", HONEST)
def test_attack_k20f_c_honest_lines_run(default_policy, line):
    assert action(default_policy, line) == "allow"


# F7: the exec channel's data is an interpreter's program (held by the stdin gate).
F7 = [
    "cd /dev && lli -extra-module=stdin main.ll", "cd /dev/fd && lli -extra-module=0 main.ll",
    "cd /proc/self/fd; lli -extra-module 0 main.ll", "env -C /dev lli -extra-module=stdin m.ll",
    "sudo -D /dev lli -extra-module=stdin m.ll", "pushd /dev; lli -extra-module=stdin m.ll",
    "cd $d && lli -extra-module=stdin main.ll", "cd /dev; php -d auto_prepend_file=stdin x.php",
    "cd /dev; php -dauto_prepend_file=stdin x.php",
    "php -d include_path=/dev -d auto_prepend_file=stdin x.php",
    "php -d include_path=/dev/fd -d auto_prepend_file=0 x.php",
    "php -d include_path=.:/dev/fd -d auto_append_file=0 x.php",
    "php -d include_path=$p -d auto_prepend_file=stdin x.php",
    "cd /dev; php -d include_path=fd -d auto_prepend_file=0 x.php",
    "env -C /dev php-cgi -d auto_prepend_file=stdin x.php", "cd /dev; php-cgi -c stdin x.php",
    "php-cgi -d include_path=/dev -d auto_prepend_file=stdin x.php",
    "php-cgi -dinclude_path=/dev/fd -dauto_prepend_file=0 x.php",
    "cd /dev; php -c stdin x.php", "php --define auto_prepend_file=/dev/stdin x.php",
    "php --php-ini /dev/stdin x.php", "cd /dev; php --define auto_prepend_file=stdin x.php",
    "cd /dev; ruby -r./stdin x.rb", "cd /dev; node --require ./stdin x.js",
    # a folder known only at run time may be /dev or /dev/fd, for an option that loads code
    'cd "$d" && lli -extra-module 0 main.ll', 'cd "$d" && php -d auto_prepend_file=stdin x.php',
    'cd "$d" && php-cgi -d auto_prepend_file=0 x.php', 'cd "$d" && php -c stdin x.php',
    'cd "$d" && ruby -r./stdin x.rb', 'cd "$d" && node --require ./0 x.js',
]


@each("line", F7)
def test_an_option_value_naming_stdin_from_a_folder_the_line_chose_is_the_program(line):
    assert reads_script_from_stdin(line) == "interpreter"


@each("line", [
    "lli main.ll", "cd /tmp && lli -extra-module=x.ll main.ll", "php -d memory_limit=1G x.php",
    "php -d include_path=/usr/share/php -d auto_prepend_file=init.php x.php",
    "cd /srv/app && php -d auto_prepend_file=boot.php x.php", "php --php-ini /etc/php.ini x.php",
    # another option's value in a folder known only at run time is no file
    'cd "$d" && php -d display_errors=0 x.php', 'cd $d && python3 -W 0 x.py', 'cd "$d" && ruby -W0 x.rb',
    'cd "$d" && lli -O 3 main.ll', 'cd "$d" && julia -t 4 x.jl',
])
def test_options_loading_ordinary_files_read_no_program_from_stdin(line):
    assert reads_script_from_stdin(line) is None


@each(("line", "verdict", "rule"), [
    ("gzip -r /etc", "deny", "no-root-wipe"),
    ("gzip -r /var/log", "deny", "no-log-tampering"),
    ("gzip -rk /etc", "confirm", "no-credential-file-writes"),
    ("7z a -sdel /tmp/a.7z /etc/sudoers", "deny", "no-credential-file-writes"),
    ("rar a -df /tmp/a.rar /var/log/audit/audit.log", "deny", "no-log-tampering"),
    ("rsync --remove-sent-files /etc/sudoers /tmp/x", "deny", "no-credential-file-writes"),
    ("sshd -oAuthorizedKeysFile=/tmp/keys -p 2222", "confirm", "confirm-other-ssh-server"),
    ("dropbear -T 3 -p 2222", "confirm", "confirm-other-ssh-server"),
    ("busybox telnetd -l /bin/sh -p 2323", "confirm", "confirm-network-shell-server"),
    ("systemd-socket-activate -l 2323 -a /bin/sh", "confirm", "confirm-network-shell-server"),
    ("mosh-server 0.0.0.0 60001", "confirm", "defaults.unknown"),
    ("sudo --lo", "alert", "alert-sudo-login-long"),
    ("sudo --sh", "alert", "alert-sudo-shell-long"),
])
def test_attack_k20f_c_each_line_meets_the_rule_written_for_it(default_policy, line, verdict, rule):
    found = evaluate(default_policy, line, role="engineer", target="web01", login="root")
    assert (found.action, found.rule) == (verdict, rule)


# End to end (real bastion, sshd and lli): code fed on the exec channel's stdin, named relative
# to the folder the line moves to, does not run.
needs_lli = pytest.mark.skipif(shutil.which("lli") is None, reason="needs lli")


def _module(cmd: str) -> bytes:
    n = len(cmd) + 1
    return (f'@cmd = private constant [{n} x i8] c"{cmd}\\00"\n'
            "declare i32 @system(i8*)\n"
            "define void @hook() {\n"
            f"  %p = getelementptr [{n} x i8], [{n} x i8]* @cmd, i32 0, i32 0\n"
            "  call i32 @system(i8* %p)\n  ret void\n}\n").encode()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from tests.harness import World
    from tests.test_channels import POLICY
    w = World(tmp_path_factory.mktemp("k20fc"), policy=POLICY)
    yield w
    w.close()


@needs_lli
@pytest.mark.integration
@pytest.mark.parametrize("line", [
    "cd /dev && lli -extra-module=stdin {main}",
    "cd /proc/self/fd; lli -extra-module 0 {main}",
])
def test_code_on_stdin_named_from_the_folder_the_line_moved_to_does_not_run(world, tmp_path, line):
    from tests.harness import LOGIN
    alice = world.person("alice")
    world.grant(alice, duration=3600)
    main = tmp_path / "main.ll"
    main.write_text("declare void @hook()\ndefine i32 @main() {\n  call void @hook()\n"
                    "  ret i32 0\n}\n")
    canary = tmp_path / "CANARY"
    result = alice.run(f"{LOGIN}@web01", line.format(main=main), input=_module(f"touch {canary}"))
    assert result.returncode != 0
    assert not canary.exists()
