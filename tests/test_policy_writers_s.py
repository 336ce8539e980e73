"""Writers read with another program's grammar, or missing (outside attack S, findings 1, 2, 6,
10, 11 and 15): tables of exec lines against the shipped policy, pure.

Each held line was allowed (or only alerted) before; each honest line beside it must stay as
it was. Rules: `no-credential-file-writes` denies a write of /etc/sudoers, /etc/sudoers.d/*...;
a pattern that may meet one (DEST/**) is held by it at [defaults].unknown ("confirm")."""

from __future__ import annotations

from bastion.command_control.policy import Policy, evaluate
from tests.rows import each

DENY = ("deny", "no-credential-file-writes")
HOLD = ("confirm", "no-credential-file-writes")  # a pattern that may meet a protected file
# A file known only at run time: held by the first rule on ">" with paths, whichever it is.
HOLD_RUN_TIME = ("confirm", None)


def judged(policy: Policy, line: str) -> tuple[str, str]:
    """The verdict as judge_exec has it for an exec command (no terminal)."""
    v = evaluate(policy, line, role="engineer", target="web01", login="root", interactive=False)
    return v.action, v.rule


HELD = [
    # 1: rsync's -t is --times, not cp's --target-directory (the server side of `rsync -a` too)
    ("rsync -t /tmp/x /etc/sudoers", DENY),
    ("rsync -avzt /tmp/x /etc/sudoers.d/x", DENY),
    ("rsync -rlptgoD /tmp/x/ /etc/sudoers.d/", DENY),
    ("rsync --server -logDtpre.iLsfxCIvu . /etc/sudoers.d/x", DENY),
    ("rsync --times /tmp/x /etc/sudoers", DENY),
    ("rsync /tmp/x /etc/sudoers -t", DENY),
    ("rsync -T /tmp -t /tmp/x /etc/sudoers", DENY),
    # (the remote end of a pull only reads its operands; its own log is still a write)
    ("rsync --server --sender --log-file=/etc/sudoers -logDtpre.iLsfxCIvu . /tmp/x", DENY),
    ("rsync --sender -t /tmp/x /etc/sudoers", DENY),
    # 2: a batch applied to DEST writes anything under it
    ("rsync --read-batch=/tmp/b /etc/", HOLD),
    ("rsync --read-batch /tmp/b /etc", HOLD),
    ("rsync --read-b=/tmp/b /etc/sudoers.d", DENY),
    # 6: cmake -E copy_directory copies SRC's contents into DEST (DEST/**)
    ("cmake -E copy_directory /tmp/d /etc/", HOLD),
    ("cmake -E copy_directory_if_different /tmp/d /etc", HOLD),
    ("cmake -E copy_directory_if_newer /tmp/d /tmp/e /etc", HOLD),
    ("cmake -E copy_directory /tmp/d /etc/sudoers.d", DENY),
    # 10: an upload to a file:// URL writes the file
    ("curl -T /tmp/x file:///etc/sudoers.d/x", DENY),
    ("curl -sT /tmp/x FILE://localhost/etc/sudoers", DENY),
    ("curl --upload-file /tmp/x file:///etc/sudoers", DENY),
    ("curl --upload-f=/tmp/x file:///etc/sudoers", DENY),
    ("curl --upload-file /tmp/x file:///etc/sudoers.d/", HOLD),
    ("curl -T /tmp/x $URL", HOLD_RUN_TIME),
    # 11: scp with a local destination writes it as cp does (local sources: scp runs cp)
    ("scp /tmp/x /etc/sudoers.d/x", DENY),
    ("scp -r /tmp/sudoers.d /etc/", DENY),
    ("scp -T /tmp/x /etc/sudoers", DENY),
    ("scp h:/x /etc/sudoers.d/x", DENY),
    ("scp -P 2222 u@h:x /etc/sudoers", DENY),
    ("scp [::1]:/x /etc/sudoers", DENY),
    ("scp scp://h//x /etc/sudoers", DENY),
    ("scp ./a:b /etc/sudoers", DENY),
    ("scp /tmp/x /etc/sudoers.d/", DENY),
    # 15: writers that were missing, and their kin
    ("dos2unix -n /tmp/x /etc/sudoers.d/x", DENY),
    ("dos2unix /etc/sudoers", DENY),
    ("unix2dos -n /tmp/a /tmp/b /tmp/x /etc/sudoers", DENY),
    ("mac2unix -n /tmp/a /tmp/b -o /etc/sudoers", DENY),
    ("aria2c -d /etc/sudoers.d -o x http://h/x", HOLD),
    ("aria2c --dir=/etc/sudoers.d http://h/x", HOLD),
    ("logrotate -s /etc/sudoers.d/x /tmp/c", DENY),
    ("logrotate --state=/etc/sudoers /tmp/c", DENY),
    ("msgfmt -o /etc/sudoers x.po", DENY),
    ("xgettext --output-file=/etc/sudoers x.c", DENY),
    ("tic -o /etc/sudoers.d x", HOLD),
    ("pandoc -o /etc/sudoers x.md", DENY),
    ("pandoc x.md --extract-media=/etc/sudoers.d", HOLD),
    ("tshark -w /etc/sudoers", DENY),
    ("dumpcap -i any -w /etc/sudoers", DENY),
    ("editcap /tmp/a /etc/sudoers", DENY),
    ("yq -i .a=1 /etc/sudoers", DENY),
    ("yq -i -o json .a=1 /etc/sudoers", DENY),
    ("yq --inplace --from-file /tmp/e /etc/sudoers", DENY),
    ("ls | xargs yq -i .a=1", HOLD_RUN_TIME),
]


@each(("line", "verdict"), HELD)
def test_attack_s_writes_of_protected_files_are_held(default_policy: Policy, line: str,
                                                      verdict: tuple[str, str | None]) -> None:
    action, rule = judged(default_policy, line)
    assert (action, rule if verdict[1] is not None else None) == verdict


HONEST = [
    "rsync -t /tmp/x /tmp/y", "rsync -avzt /srv/app/ /srv/backup/",
    "rsync --server -logDtpre.iLsfxCIvu . /srv/x", "rsync --read-batch=/tmp/b /srv/app",
    "rsync --server --sender -logDtpre.iLsfxCIvu . /etc/sudoers",
    "cmake -E copy_directory /tmp/d /srv/build", "cmake -E copy /tmp/x /etc/",
    "curl -T /tmp/x file:///tmp/y", "curl -T $F file:///tmp/y", "curl file:///etc/hostname",
    "scp /tmp/x /tmp/y", "scp -r /srv/a /srv/b", "scp h:/etc/sudoers /tmp/",
    "dos2unix /tmp/x", "dos2unix -n /etc/sudoers /tmp/x", "dos2unix -i /etc/sudoers",
    "aria2c -d /tmp/d -o x http://h/x", "logrotate -s /var/lib/logrotate/status /etc/logrotate.conf",
    "msgfmt -o /tmp/x.mo x.po", "tic -o /tmp/ti x", "pandoc x.md -o /tmp/x.html",
    "tshark -w /tmp/cap -i any", "yq .a /etc/sudoers", "yq -i .a=1 /tmp/x.yaml",
    "ls | xargs yq .a",
]


@each("line", HONEST)
def test_attack_s_honest_writers_stay_unheld(default_policy: Policy, line: str) -> None:
    assert judged(default_policy, line)[0] in ("allow", "alert")
