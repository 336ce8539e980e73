"""Programs the policy does not read (policy/unread.py): the files they name are judged as
writes they may make. The class every outside attack on the filter found members of (K to U:
a program read with the wrong grammar, or not at all) has no end a table reaches; these rows
try members no table names, with the shipped policy."""

from __future__ import annotations

from bastion.command_control.policy import evaluate, parse_commands
from tests.rows import each
from tests.test_policy import action


@each(("line", "expected"), [
    # disks written by partitioners, volume and filesystem tools no rule names
    ("fdisk /dev/sda", "confirm"),
    ("printf 'o\\nw\\n' | sfdisk /dev/sda", "confirm"),
    ("parted -s /dev/sda mklabel gpt", "confirm"),
    ("sgdisk -Z /dev/nvme0n1", "confirm"),
    ("pvcreate /dev/sdb", "confirm"),
    ("cryptsetup luksFormat /dev/sdb", "confirm"),
    ("tune2fs -O ^has_journal /dev/sda1", "confirm"),
    ("sudo wipe-tool --device=/dev/sda", "confirm"),
    # credential files named by a program no table reads, in every spelling of the path
    ("frobnicate /etc/sudoers.d/x", "confirm"),
    ("frob --out=/etc/sudoers", "confirm"),
    ("frob -o/etc/shadow", "confirm"),
    ("frob OUT:/etc/sudoers", "confirm"),
    ("frob file:///etc/sudoers", "confirm"),
    ("frob --map=a,b=/etc/passwd", "confirm"),
    ("cd /etc && frob sudoers", "confirm"),
    ("frob ../../../../../../etc/sudoers", "confirm"),
    ("./deploy.sh /etc/sudoers.d/app", "confirm"),
    ("qmv /etc/sudoers.d", "confirm"),
    ("frob /etc/sudo*", "confirm"),
    ("blkid -c /etc/sudoers", "confirm"),  # an inspector's option that writes
    ("journalctl --vacuum-size=1 -D /var/log/journal", "deny"),  # removes logs (attack W)
    ("frob ~/.ssh/authorized_keys", "alert"),  # an alert rule stays an alert
    ("frob /etc/sudoers; touch /etc/sudoers", "deny"),  # a certain write still decides
    # honest halves: inspectors, listings, builtins, paths no rule protects
    ("fdisk -l /dev/sda", "allow"),
    ("parted /dev/sda print", "allow"),
    ("cryptsetup luksDump /dev/sda", "allow"),
    ("smartctl -a /dev/sda", "allow"),
    ("lsblk /dev/sda", "allow"),
    ("blkid /dev/sda1", "allow"),
    ("tune2fs -l /dev/sda1", "allow"),
    ("stat /etc/shadow", "allow"),
    ("ls -l /etc/sudoers.d", "allow"),
    ("last -f /var/log/wtmp", "allow"),
    ("journalctl --file /var/log/journal/x/system.journal", "allow"),
    ("test -f /etc/sudoers && echo /etc/passwd", "allow"),
    ("frob /srv/app/config.yml --out=/tmp/x", "allow"),
    ('frob "$f"', "allow"),  # a path known only at run time is no sign of a protected write
    ("ps aux", "allow"),
    # storage tools that probe or list (honest), and their options that write
    ("umount /dev/sda1", "confirm"),  # a device may be mounted on a log folder (u30f, 9)
    ("umount /mnt/usb", "allow"),
    ("partprobe /dev/sda", "allow"),
    ("udevadm info /dev/sda", "allow"),
    ("badblocks -sv /dev/sda", "allow"),
    ("pvs /dev/sda", "allow"),
    ("mdadm --detail /dev/md0", "allow"),
    ("blockdev --getsize64 /dev/sda", "allow"),
    ("badblocks -w /dev/sda", "confirm"),
    ("mdadm --zero-superblock /dev/sda1", "confirm"),
    ("blockdev --setrw /dev/sda", "confirm"),
])
def test_a_program_the_policy_does_not_read_is_held_where_it_names_a_protected_file(
        default_policy, line, expected):
    assert action(default_policy, line) == expected


def test_the_hold_names_the_program_and_the_rule(default_policy):
    # The message says why the line waits; what the parse shows is unchanged (no extra command).
    verdict = evaluate(default_policy, "fdisk /dev/sda", role="engineer", target="web01")
    assert verdict.rule == "no-raw-disk-write"
    assert "fdisk, a program the policy does not read, names a file this rule protects" in \
        verdict.message
    assert [c.name for c in parse_commands("fdisk /dev/sda")] == ["fdisk"]


@each(("line", "expected"), [
    # attack W, finding 12: a rule on a program applies under its versioned names (Debian ships
    # perl5.36.0 as a hard link of perl)
    ("perl5.36.0 -pi -e 's/^x$/y/' /etc/sudoers", "deny"),
    ("perl5 -pi -e 's/^x$/y/' /etc/sudoers", "deny"),
    ("gawk-5.2 -i inplace '{print}' /etc/passwd", "deny"),
    # honest halves
    ("perl5.36.0 -ne 'print' /srv/app/log", "allow"),
    ("base64 /srv/app/blob", "allow"),
])
def test_a_rule_on_a_program_applies_under_its_versioned_names(default_policy, line, expected):
    assert action(default_policy, line) == expected
