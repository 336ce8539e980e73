"""git as outside attack O found it (issue 12): `--output` on any subcommand, aliases that hide
what git runs, settings that hold a command or a file of settings, and variables that point git
at another settings file, hook folder or program folder. Each row is the shipped policy's
verdict; honest everyday git stays allowed. The real-process half is in
tests/test_policy_gate.py (`test_git_writes_hidden_by_output_or_an_alias_are_refused`)."""

from __future__ import annotations

import tomllib

import pytest

from bastion.command_control.policy import Policy, evaluate, parse_commands, policy_from_dict
from tests.rows import each
from tests.test_policy import POLICY_FILE

DENY = ("deny", "no-credential-file-writes")
HOLD = ("confirm", "defaults.unknown")
ALLOW = ("allow", "defaults.unmatched")


@pytest.fixture(scope="module")
def shipped() -> Policy:
    with POLICY_FILE.open("rb") as handle:
        return policy_from_dict(tomllib.load(handle))


ATTACK_O_GIT = [
    # finding 2: --output (any start of its name) writes its file, whatever the subcommand
    ("git reflog -1 --format='tformat:ALL ALL=(ALL) NOPASSWD: ALL' --output=/etc/sudoers.d/x", DENY),
    ("git rev-list --output=/etc/sudoers.d/x HEAD", DENY),
    ("git stash show -p --output=/etc/sudoers.d/x", DENY),
    ("git stash list --format=x --output=/etc/sudoers.d/x", DENY),
    ("git shortlog --outp=/etc/sudoers.d/x", DENY),
    ("git annotate --output /etc/sudoers.d/x f", DENY),
    ("git cherry --output=/etc/sudoers.d/x", DENY),
    ("git format-patch --output=/etc/sudoers.d/x -1", DENY),
    # ...and the class: other options and operands that name a file a subcommand writes
    ("git bugreport -o /etc/sudoers.d", DENY),
    ("git diagnose --output-directory=/etc/sudoers.d", DENY),
    ("git fast-export --export-marks=/etc/sudoers.d/x HEAD", DENY),
    ("git merge-file /etc/sudoers.d/x a b", DENY),
    ("git init --separate-git-dir=/etc/sudoers.d/g", DENY),
    ("git credential-store --file=/etc/sudoers.d/x store", DENY),
    ("git mailsplit -o/etc/sudoers.d m", DENY),
    ("git mailinfo /etc/sudoers.d/m /etc/sudoers.d/p", DENY),
    ("git read-tree --index-output=/etc/sudoers.d/x HEAD", DENY),
    ("git apply --build-fake-ancestor=/etc/sudoers.d/x p", DENY),
    ("git commit-graph write --object-dir=/etc/sudoers.d", DENY),
    ("git checkout-index -a --prefix=/etc/sudoers.d/", ("confirm", "no-credential-file-writes")),
    ("git pack-objects /etc/sudoers.d/x", ("confirm", "no-credential-file-writes")),
    ("git index-pack -o /etc/sudoers.d/x p", DENY),
    ("git daemon --pid-file=/etc/sudoers.d/x", DENY),
    ("git credential-cache --socket=/etc/sudoers.d/x exit", DENY),
    ("git for-each-repo --config=maintenance.repo log", HOLD),
    # git's own commands under their dashed names are git
    ("/usr/lib/git-core/git-log --output=/etc/sudoers.d/x", DENY),
    ("PATH=/usr/lib/git-core:$PATH git-reflog --output=/etc/sudoers.d/x", DENY),
    ("/usr/lib/git-core/git-config core.pager 'tee /etc/sudoers.d/x'", DENY),
    # finding 3: an alias on the line is judged as what it expands to
    ("git -c alias.l='log -1 --format=x --output=/etc/sudoers.d/x' l", DENY),
    ("git --work-tree=/etc -c alias.co=checkout co HEAD -- sudoers.d/x", DENY),
    ("git -c alias.a=b -c alias.b=checkout --work-tree=/etc a HEAD -- sudoers.d/x", DENY),
    ("git -c Alias.CO=checkout --work-tree=/etc co HEAD -- sudoers.d/x", DENY),
    ("git -c alias.c='-C /etc checkout HEAD -- sudoers' c", DENY),
    ("git -c alias.s='-c core.fsmonitor=\"touch /etc/sudoers.d/x\" status' s", DENY),
    ("git -c alias.x='!rm' x -rf /etc/sudoers.d", DENY),  # `!CMD` gets the arguments too
    ("git -c alias.l='log #' l --output=/etc/sudoers.d/x", DENY),  # git has no comments
    ("git -c alias.a=a a", HOLD),  # a loop: git stops, the alias is gone
    ("git -c alias.l=\"log 'x\" l", HOLD),  # git cannot split it
    ("git --config-env=alias.co=CMD co", HOLD),
    # the last one set wins, as in git
    ("git -c alias.l=log -c alias.l='log --output=/etc/sudoers.d/x' l", DENY),
    ("git -c alias.l='log --output=/etc/sudoers.d/x' -c alias.l=log l", ALLOW),
    # ...and any other command git does not ship may be a stored alias
    ("git lo --output=/etc/sudoers.d/x", HOLD),
    ("git co HEAD -- /etc/sudoers.d/x", HOLD),
    ("git config --global alias.lo 'log --output=/etc/sudoers.d/x'", DENY),
    # finding 4: settings outside the allowlist are unknown, code settings judged as code
    ("git -c man.viewer=x -c man.x.cmd='touch /tmp/c' help log", HOLD),
    ("git -c man.viewer=x -c man.x.path=/tmp/evil help log", HOLD),
    ("git -c trailer.x.command='touch /tmp/c' interpret-trailers --trailer x=1", HOLD),
    ("git -c trailer.x.cmd='touch /tmp/c' commit --trailer x=1 -m m", HOLD),
    ("git -c gpg.ssh.defaultKeyCommand='touch /tmp/c' commit -S", HOLD),
    ("git -c core.alternateRefsCommand='touch /tmp/c' fetch", HOLD),
    ("git -c sendemail.sendmailCmd='touch /tmp/c' send-email x", HOLD),
    ("git -c sendemail.smtpServer=/tmp/evil send-email x", HOLD),
    ("git -c submodule.x.update='!touch /tmp/c' submodule update", HOLD),
    ("git -c mergetool.x.path=/tmp/evil mergetool", HOLD),
    ("git -c credential.helper=/tmp/evil fetch", HOLD),
    ("git -c credential.https://h.helper='store --file=/etc/sudoers.d/x' fetch", HOLD),
    ("git --config-env=credential.helper=E fetch", HOLD),
    ("git config man.x.cmd 'touch /tmp/c'", HOLD),
    ("git config set man.x.cmd 'touch /tmp/c'", HOLD),
    ("git config --add --global man.x.cmd 'touch /tmp/c'", HOLD),
    ("git clone -c sendemail.toCmd=x https://h/r", HOLD),
    ("git -c core.pager='tee /etc/sudoers.d/x' log", DENY),
    ("git -c credential.helper='!tee /etc/sudoers.d/x' fetch", DENY),
    # git runs the code of its settings and `!` aliases in the repository's top folder, some
    # folder above the line's (etckeeper keeps /etc in git): relative paths there are unknown
    # (attack c38f, 18: a `-c` setting's code is also read in each folder above the line's)
    ("cd /etc/ssh && git -c core.pager='tee sudoers.d/x' log", ("deny", "no-credential-file-writes")),
    ("cd /etc/ssh && git -c alias.x='!tee sudoers.d/x' x", ("deny", "no-credential-file-writes")),
    ("cd /etc/ssh && GIT_PAGER='tee sudoers.d/x' git log", ("confirm", "no-raw-disk-write")),
    ("cd /etc/ssh && EDITOR='tee sudoers.d/x' git commit", ("confirm", "no-raw-disk-write")),
    # finding 11: variables and options that point git at other settings, hooks or programs
    ("XDG_CONFIG_HOME=/tmp/x git status", HOLD),
    ("HOME=/tmp/h git status", HOLD),
    ("export HOME=/tmp/h; git status", HOLD),
    ("env HOME=/tmp/h git status", HOLD),
    ("GIT_CONFIG_SYSTEM=/tmp/cfg git status", HOLD),
    ("GIT_CONFIG_KEY_0=core.fsmonitor GIT_CONFIG_VALUE_0='touch /tmp/c' git status", HOLD),
    ("GIT_EXEC_PATH=/tmp/evil git fetch", HOLD),
    ("git --exec-path=/tmp/evil fetch", HOLD),
    ("GIT_TEMPLATE_DIR=/tmp/t git init /tmp/r", HOLD),
    ("GIT_DIR=/tmp/evil/.git git status", HOLD),
    ("git --git-dir=/tmp/evil/.git status", HOLD),
    ("GIT_CONFIG=/tmp/cfg git config a.b c", HOLD),
    ("GIT_OBJECT_DIRECTORY=/etc/sudoers.d git add x", HOLD),
]

EVERYDAY_GIT = [
    "git clone https://h/r /srv/app", "git pull", "git pull --rebase", "git push",
    "git fetch --all --prune", "git commit -m 'fix'", "git log --oneline", "git diff",
    "git diff --stat HEAD~1", "git status", "git checkout -b feature", "git switch main",
    "git stash", "git stash pop", "git stash show -p stash@{0}", "git rebase -i HEAD~3",
    "git -c user.name=x -c user.email=x@y commit -m m", "git -c color.ui=never log --oneline",
    "git -c core.quotepath=off status", "git -c http.sslVerify=false clone https://h/r /tmp/r",
    "git -c core.pager=cat log", "git -c pager.log=false log", "git -c advice.detachedHead=false checkout v1",
    "git -c safe.directory=/srv/app -C /srv/app status", "git -c init.defaultBranch=main init /tmp/r",
    "git config --global user.name x", "git config --global --add safe.directory /srv/app",
    "git config pull.rebase true", "git config --get core.editor", "git config -l",
    "git config --get alias.x pattern", "git config --unset man.x.cmd",
    "git -c credential.helper=store push", "git -c credential.helper= fetch",
    "git log --format=%H --output-indicator-new=x", "git log -1 --output=/tmp/out",
    "git -c alias.co=checkout co main", "git -c alias.st=status st", "git config alias.co checkout",
    "git -C /srv/app log --oneline -n 20", "git help log", "git --version", "git blame -L 10,20 f",
    "git --no-pager log -3", "git submodule update --init --recursive", "git tag -a v1 -m v1",
    "git reset --hard origin/main", "GIT_PAGER=cat git log", "git merge-file -p a b c",
    "git checkout-index -a", "git bugreport", "git pack-objects --stdout",
    "/usr/lib/git-core/git-status", "git-upload-pack /srv/r", "git -c core.pager='less -R' log",
    "git -c alias.last='!git log -1 HEAD' last", "EDITOR=vim git commit",
]


@pytest.mark.parametrize(("line", "verdict"), ATTACK_O_GIT)
def test_attack_o_git_lines_are_held_or_refused(shipped: Policy, line: str,
                                               verdict: tuple[str, str]) -> None:
    found = evaluate(shipped, line, role="engineer", target="web01", interactive=False)
    assert (found.action, found.rule) == verdict, found.commands


@pytest.mark.parametrize("line", EVERYDAY_GIT)
def test_everyday_git_stays_allowed(shipped: Policy, line: str) -> None:
    found = evaluate(shipped, line, role="engineer", target="web01", interactive=False)
    assert (found.action, found.rule) == ALLOW, found.commands


@each("name", ["GIT_DIR", "GIT_COMMON_DIR", "GIT_EXEC_PATH", "GIT_TEMPLATE_DIR",
                                  "GIT_CONFIG", "GIT_OBJECT_DIRECTORY",
                                  "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_CONFIG_KEY_3",
                                  "GIT_CONFIG_VALUE_3"])
def test_git_variables_that_point_it_elsewhere_are_unknown_with_their_own_reason(name: str) -> None:
    reasons = [c.unknown for c in parse_commands(f"{name}=/tmp/x git status") if c.unknown]
    assert len(reasons) == 1 and reasons[0].startswith(f"{name} "), reasons
    assert "internal" not in reasons[0]
