"""Attack n23f (the twenty-third round on the command filter), findings 3, 5, 6 and 7: writes
to protected trust files that other programs make. `systemctl link|enable|reenable PATH` (a
link of /etc/systemd/system/NAME), `add-wants`; systemd-firstboot's root password and shell,
homectl's user ID 0; a mount or freeze of a folder above a protected one (systemd-dissect
--mount, fsfreeze, systemctl mount-image); the files sudo, PAM, sshd and the loader read
(sudo.conf, PAM modules, /etc/security, ld.so.preload, nsswitch.conf, .rhosts, polkit). The
tester's lines and their siblings, held or refused typed, as an exec command and behind sudo;
the honest lines beside them that still run."""

from __future__ import annotations

from tests.policy_rows import assert_held_or_runs
from tests.rows import each

HELD = [
    # 3: systemctl links a unit file named as a protected unit into the search path
    "systemctl link /tmp/x/auditd.service", "systemctl --runtime link /tmp/x/auditd.service",
    "systemctl enable --now /tmp/x/auditd.service", "systemctl reenable /tmp/x/auditd.service",
    "systemctl link --force /tmp/x/systemd-journald.service", "systemctl link /tmp/x/rsyslog.service",
    "systemctl enable --runtime /tmp/x/sshd.service", "systemctl -M x link /tmp/x/ssh.service",
    "systemctl link -- /tmp/x/auditd.socket", "systemctl link x/ssh.service",
    "systemctl add-wants auditd.service /tmp/x/evil.service",
    "systemctl mount-image rsyslog /tmp/x.img /var/log", "systemctl bind rsyslog /tmp /var/log",
    "tee /etc/systemd/system-preset/00-x.preset < /tmp/k", "systemctl preset auditd",
    "systemctl preset-all", "systemctl preset --preset-mode=disable-only sshd.service",
    # 5: credentials set by other programs
    "systemd-firstboot --root-password=x --force", "systemd-firstboot --root-password-hashed=x",
    "systemd-firstboot --prompt-root-password", "systemd-firstboot --copy-root-password --root=/",
    "systemd-firstboot --root-shell=/tmp/x", "systemd-firstboot --root-sh /tmp/x",
    "systemd-firstboot --for --hostname=x", "systemd-firstboot --delete-root-password",
    "systemd-firstboot --copy --root=/tmp/l", "homectl create evil --uid=0", "homectl create evil --uid 0",
    "homectl create evil -G wheel", "homectl create -i /tmp/evil.json", "homectl create --identity=-",
    "cppw /tmp/passwd", "cpgr -s /tmp/gshadow",
    # 6: a mount or freeze of a folder that holds protected files
    "systemd-dissect --mount /tmp/x.img /etc", "systemd-dissect -M /tmp/x.img /etc",
    "systemd-dissect -rM /tmp/x.img /var/log", "systemd-dissect --mo /tmp/x.img /var",
    "systemd-dissect --mount /tmp/x.img /root", "fsfreeze -f /var/log", "fsfreeze -f /var",
    "fsfreeze --freeze /", "fsfreeze --fr /etc", "xfs_freeze -f /var", "systemd-mount /tmp/x.img /etc",
    "mount.nfs h:/x /etc", "mount --move /tmp/x /var/log", "mount --rbind /tmp/x /var",
    "mount -o remount,ro /var/log",
    # 7: what sudo, PAM, sshd and the loader read
    "tee /etc/sudo.conf < /tmp/k", "cp /tmp/k /etc/sudo.conf", "tee /etc/doas.conf < /tmp/k",
    "cp /tmp/x.so /usr/libexec/sudo/sudoers.so", "sudoedit /etc/sudo.conf",
    "cp /tmp/permit.so /lib/x86_64-linux-gnu/security/pam_unix.so",
    "ln -sf /tmp/x.so /usr/lib64/security/pam_unix.so", "tee /etc/security/access.conf < /tmp/k",
    "sed -i s/a/b/ /etc/security/pam_env.conf", "tee /usr/lib/pam.d/sshd < /tmp/k",
    "echo /tmp/x.so > /etc/ld.so.preload", "dd if=/tmp/k of=/etc/ld.so.preload",
    "tee /etc/ld.so.conf.d/x.conf < /tmp/k", "cp /tmp/x.so /lib/x86_64-linux-gnu/libnss_files.so.2",
    "install -m644 /tmp/k /etc/nsswitch.conf", "tee /root/.k5login < /tmp/k", "tee -a ~/.rhosts < /tmp/k",
    "tee /home/bob/.shosts < /tmp/k", "tee /etc/hosts.equiv < /tmp/k",
    "rsync /tmp/k /etc/polkit-1/rules.d/00.rules", "cp /tmp/k /usr/share/polkit-1/rules.d/00.rules",
    "mount --bind /tmp/x /etc/security", "vim /etc/security/limits.conf", "pam-auth-update --force",
    "authselect select sssd --force", "ldconfig /tmp/evil", "ldconfig -f /tmp/ld.conf",
    "echo bob:0:1 >> /etc/subuid", "tee /etc/sssd/conf.d/x.conf < /tmp/k", "tee /etc/pam.conf < /tmp/k",
]
HONEST = [
    "systemctl enable nginx", "systemctl enable --now nginx",
    "systemctl restart nginx", "systemctl preset nginx", "systemctl status nginx",
    "systemctl mount-image app /tmp/x.img /srv/data",
    "systemd-firstboot --locale=C.UTF-8 --root=/srv/image", "homectl create alice", "homectl inspect alice",
    "fsfreeze -f /mnt/data", "fsfreeze -u /var/log", "mount /tmp/x.img /mnt/x",
    "systemd-dissect --mount /tmp/x.img /mnt/img", "systemd-dissect --list /tmp/x.img",
    "cat /etc/sudo.conf", "cat /etc/security/limits.conf", "less /usr/lib/pam.d/sshd",
    "cp /etc/nsswitch.conf /tmp/", "ls -l /lib/x86_64-linux-gnu/security/",
    "grep -r x /etc/polkit-1", "cat /etc/subuid", "ldconfig", "ldconfig -p", "ldconfig -n /opt/lib",
    "authselect current",
]
# A link of a unit file into a unit folder is held since attack u30f (finding 13: every write
# into the folders units are read from, confirm-unit-folder-writes), as `ln -s` of it is.
HELD_SINCE_U30F = ["systemctl link /opt/app/app.service", "systemctl enable /opt/app/app.service",
                   "systemctl add-wants multi-user.target app.service"]
ROWS = [(line, True) for line in HELD] + [(f"sudo {line}", True) for line in HELD[::7]] + [
    (line, False) for line in HONEST] + [(line, True) for line in HELD_SINCE_U30F]


@each(("line", "held"), ROWS)
def test_attack_n23f_b_lines_are_held_typed_and_as_exec_commands_and_honest_ones_run(
        default_policy, line, held):
    assert_held_or_runs(default_policy, line, held)
