"""Helpers of the policy's attack-row tables: each line judged typed (at a terminal) and as an
exec command (a shell just started, nothing known), as the gates judge them."""
from __future__ import annotations

from bastion.command_control.policy import KnownValues, Verdict, evaluate
from bastion.command_control.policy.model import Policy

HELD = ("deny", "confirm")


def typed_and_exec(policy: Policy, line: str) -> tuple[Verdict, Verdict]:
    """The verdicts on `line` typed at a terminal and run as an exec command."""
    return (evaluate(policy, line, role="engineer", target="web01"),
            evaluate(policy, line, role="engineer", target="web01", interactive=False,
                     known=KnownValues()))


def assert_held_or_runs(policy: Policy, line: str, held: bool) -> None:
    """Held (denied or confirmed) both ways when `held`, else allowed both ways."""
    for verdict in typed_and_exec(policy, line):
        if held:
            assert verdict.action in HELD, verdict
        else:
            assert verdict.action == "allow", verdict
