"""Destinations filled in at run time, launcher options, socat and ncat spellings (outside
attack S, findings 4, 5, 7, 12, 13): tables of lines against the shipped policy, pure.

Each held line was allowed (or only alerted) before; each honest line beside it stays as it was.
"""

from __future__ import annotations

from bastion.command_control.policy import Policy, evaluate
from tests.rows import each

HELD = ("deny", "confirm")


def judged(policy: Policy, line: str) -> str:
    """The action judge_exec gives an exec command (no terminal) run as root."""
    return evaluate(policy, line, role="engineer", target="web01", login="root",
                    interactive=False).action


# Finding 4: GNU find fills in {} inside any word; finding 5: what a recursive copy derives
# from {} stays a pattern.
FIND_HELD = [
    r"find /etc -maxdepth 1 -name sudoers.d -exec dd if=/tmp/x of={}/dd \;",
    r"find /etc/sudoers.d -maxdepth 0 -exec dd if=/tmp/x of={}/dd \;",
    r"find /etc/sudoers.d -maxdepth 0 -exec sort -o{}/dd /tmp/x \;",
    r"find /etc/sudoers.d -maxdepth 0 -exec cp -t{} /tmp/x \;",
    r"find /etc/sudoers.d -maxdepth 0 -exec cp --target-directory={} /tmp/x \;",
    r"find /etc/sudoers.d -maxdepth 0 -exec curl --output={}/x http://a \;",
    r"find /etc -maxdepth 1 -execdir dd if=/tmp/x of={}/sudoers.d/x \;",
    r"find / -maxdepth 0 -exec cp -r /tmp/etc {} \;",
    r"find / -maxdepth 0 -exec cp -r /tmp/etc {}/ \;",
    r"find /tmp -exec cp {} {}/../../etc/sudoers.d/x \;",  # `..` out of a pattern: run time
    r"find /tmp -exec sh -c 'echo {}x' \;",  # a file name inside shell code: run time
]
FIND_HONEST = [
    r"find /tmp -maxdepth 0 -exec cp -r /tmp/etc {} \;",
    r"find /tmp -maxdepth 1 -exec dd if=/tmp/x of={}.bak \;",
    r"find /tmp -exec sort -o{}.s {} \;",
    r"find / -maxdepth 1 -name tmp -exec cp -r /tmp/etc {} \;",
    r"find /tmp -name '*.log' -exec gzip {} +",
]

# Finding 7: options before a launcher's subcommand.
LAUNCHERS_HELD = [
    "npm --silent exec -- touch /etc/sudoers.d/F",
    "uv -q run touch /etc/sudoers.d/F",
    "poetry -q run touch /etc/sudoers.d/F",
    "poetry --directory=/etc run touch sudoers.d/F",
    "poetry -C /etc run touch sudoers.d/F",
    "conda --no-plugins run touch /etc/sudoers.d/F",  # an option it does not read: unknown
    "pnpm -C /etc exec touch sudoers.d/F",
    "mise --quiet x -- touch /etc/sudoers.d/F",
    "nix --extra-experimental-features nix-command develop -c touch /etc/sudoers.d/F",
    "bundle --verbose exec touch /etc/sudoers.d/F",
    "pipenv -q run touch /etc/sudoers.d/F",
    "op --account x run -- touch /etc/sudoers.d/F",
    "doppler --token x run -- touch /etc/sudoers.d/F",
    "aws-vault --debug exec p -- touch /etc/sudoers.d/F",
    "toolbox -y run touch /etc/sudoers.d/F",
    "pueue -v add touch /etc/sudoers.d/F",
    "pueue -c /tmp/c add touch /etc/sudoers.d/F",
    "pueue -x add touch /tmp/F",  # an option it does not read
    "uv -q -- run touch /tmp/F",  # `--` before the subcommand
    "uv -q $verb touch /tmp/F",  # the subcommand known only at run time
]
LAUNCHERS_HONEST = [
    "uv run touch /tmp/F", "uv -q run touch /tmp/F", "npm exec -- touch /tmp/F",
    "npm --silent install", "npm --loglevel warn install", "uv -q pip install x",
    "pnpm -C /tmp exec touch F", "pueue -v add touch /tmp/F", "pueue -v status",
]

# Finding 12: socat's address aliases and attached option values; ncat's abbreviations.
NETWORK_HELD = [
    "socat - FILE:/etc/passwd", "socat - FIFO:/etc/passwd", "socat - UNIX:/etc/sudoers.d/x",
    "socat -lf/etc/passwd - -", "socat -L/etc/passwd - -", "socat -W/etc/passwd - -",
    "ncat --sh-e 'rm -rf /etc' -l 1", "ncat --ex /bin/sh -l 1", "ncat --out /etc/passwd -l 1",
    "ncat --hex-d /etc/passwd -l 1", "ncat --lua-e x.lua -l 1",
]
NETWORK_ALERTED = [
    "socat - FILE:/tmp/x", "socat -d -d -lf/tmp/log - -", "ncat -l 1", "ncat -l 1 --out /tmp/x",
    "ncat --send-only h 80", "ncat --sh-exec 'echo hi' -l 1",
]

# Finding 13: GNU parallel's several input sources and replacement strings.
PARALLEL_HELD = [
    "parallel cp ::: /tmp/x ::: /etc/sudoers",
    "parallel dd if=/tmp/x of={.} ::: /etc/sudoers",
    "parallel dd if=/tmp/x of={//}/x ::: /etc/sudoers",
    "parallel cp /tmp/x {1} ::: /etc/sudoers",
    "parallel cp /tmp/x {2/} ::: a ::: b",
    "parallel 'cp /tmp/x {= $_=\"/etc/sudoers\" =}' ::: a",
    "parallel -I@ cp /tmp/x @ ::: /etc/sudoers",
    "parallel --colsep , cp {1} {2} ::: /tmp/x,/etc/sudoers",
    "parallel -X cp /tmp/x ::: /etc/sudoers",
]
PARALLEL_HONEST = [
    "parallel cp /tmp/x ::: /tmp/y", "parallel echo ::: a ::: b",
    "parallel gzip {} ::: /tmp/a.log", "parallel gzip ::: /tmp/a /tmp/b",
]


@each("line", FIND_HELD + LAUNCHERS_HELD + NETWORK_HELD + PARALLEL_HELD)
def test_attack_s_lines_are_held(default_policy: Policy, line: str) -> None:
    assert judged(default_policy, line) in HELD


@each("line", FIND_HONEST + LAUNCHERS_HONEST + PARALLEL_HONEST)
def test_honest_lines_beside_them_stay_allowed(default_policy: Policy, line: str) -> None:
    assert judged(default_policy, line) == "allow"


@each("line", NETWORK_ALERTED)
def test_honest_socat_and_ncat_lines_are_only_alerted(default_policy: Policy, line: str) -> None:
    assert judged(default_policy, line) == "alert"
