"""Attack r27f (a short round on the final state), findings 1, 3 and 4: a tilde after `of=` for
dcfldd and dc3dd, and a redirection on a function definition (a here-document whose `$( )`
runs at each call; `f() { ...; } >> /etc/sudoers`). Findings 2 (terminal makers) are rows in
tests/test_own_terminal.py; 5 to 8 are open (SECURITY.md)."""

from bastion.command_control.policy.model import Policy
from tests.policy_rows import HELD, typed_and_exec
from tests.rows import each

ROWS = [
    "dcfldd of=~root/../etc/sudoers", "dc3dd hof=~root/../etc/shadow",
    "sudo dcfldd of=~root/../etc/sudoers", "dcfldd if=/dev/zero of=~root/../etc/shadow",
    "f() { echo 'x ALL=(ALL) NOPASSWD: ALL'; } >> /etc/sudoers; f",
    "function g { cat; } < /etc/shadow; g", "f() { :; } > /etc/shadow",
    "f() { :; } <<E\n$(rm -rf /etc)\nE\nf", "f() { :; } <<<\"$(rm -rf /etc)\"; f",
    "bash -c 'f() { echo x; } >> /etc/sudoers; f'",
]
HONEST = ["dcfldd if=/dev/zero of=/tmp/x bs=1M count=1", "f() { echo hi; }; f > /tmp/x",
          "f() { ls; }; f", "dcfldd 'of=~root/x'"]


@each("line", ROWS + HONEST)
@each("exec_command", [False, True], ids=["typed", "exec"])
def test_attack_r27f_lines_are_held_and_honest_ones_run(default_policy: Policy, line: str,
                                                       exec_command: bool) -> None:
    verdict = typed_and_exec(default_policy, line)[exec_command]
    assert (verdict.action in HELD) is (line in ROWS), verdict
