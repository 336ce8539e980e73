"""Attack U's open list, items owned by issue 12 (round u3): programs read with the wrong
grammar, each closed as a class. Table rows against the shipped policy (config/policy.toml):
an attack half that must be held or refused, and an honest half that must stay as it was."""

from __future__ import annotations

import pytest

from bastion.command_control.policy import Policy, evaluate


def action(policy: Policy, line: str) -> str:
    return evaluate(policy, line, role="engineer", target="web01").action


@pytest.mark.parametrize(("line", "expected"), [
    # trusting every owner's repositories re-opens settings (hooks, fsmonitor) another user wrote
    ("git -c safe.directory=* status", "confirm"),
    ("git -c 'safe.directory=/home/*' -C /home/other/repo status", "confirm"),
    ("git --config-env=safe.directory=X status", "confirm"),  # its value is known at run time
    ("git --config-env safe.directory=X status", "confirm"),
    ("git config --global --add safe.directory '*'", "confirm"),
    ("git config --global safe.directory '/srv/*'", "confirm"),
    ("GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=safe.directory GIT_CONFIG_VALUE_0=* git status", "confirm"),
    ("GIT_CONFIG_PARAMETERS=\"'safe.directory'='*'\" git status", "confirm"),
    # the environment's other spellings of git's settings, folders and programs
    ("GIT_CONFIG_GLOBAL=/tmp/gc git status", "confirm"),
    ("GIT_CONFIG_SYSTEM=/tmp/gc git status", "confirm"),
    ("GIT_DIR=/home/other/.git git status", "confirm"),
    ("GIT_EXEC_PATH=/tmp git status", "confirm"),
    ("GIT_WORK_TREE=/etc git checkout -- sudoers", "deny"),
    ("GIT_SSH_COMMAND='cp /tmp/x /etc/sudoers.d/x' git fetch", "deny"),
    ("GIT_PAGER='cp /tmp/x /etc/sudoers.d/x' git log", "deny"),
    ("GIT_EDITOR='cp /tmp/x /etc/sudoers.d/x' git commit", "deny"),
    ("GIT_ASKPASS='cp /tmp/x /etc/sudoers.d/x' git fetch", "deny"),
    ("GIT_EXTERNAL_DIFF='cp /tmp/x /etc/sudoers.d/x' git diff", "deny"),
    # honest halves: one named repository, settings that hold no code
    ("git -c safe.directory=/srv/app -C /srv/app status", "allow"),
    ("git config --global --add safe.directory /srv/app", "allow"),
    ("GIT_PAGER=cat git log", "allow"),
])
def test_attack_u_git_trust_and_environment_spellings(default_policy: Policy, line: str,
                                                      expected: str) -> None:
    assert action(default_policy, line) == expected
