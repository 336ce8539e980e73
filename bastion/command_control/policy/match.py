"""Evaluation: rule matching (`evaluate`: the strictest verdict over a line's commands,
`judge_path` for sftp and scp), the verdicts for a line that could not be read
(`uncertain_verdict`), and `stricter`."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, replace

from bastion.command_control.policy.commands import _parse, _parse_cached, _parse_known, _parse_known_cached
from bastion.command_control.policy.globs import DOTGLOB
from bastion.command_control.policy.known import KnownValues
from bastion.command_control.policy.model import _RANK, Policy
from bastion.command_control.policy.paths import PathArg, through_proc
from bastion.command_control.policy.words import SimpleCommand
from bastion.text import one_line


def stricter(a: Verdict, b: Verdict) -> Verdict:
    """The stricter of two verdicts (deny > confirm > alert > allow); `a` on a tie."""
    return a if _RANK[a.action] >= _RANK[b.action] else b


@dataclass(frozen=True)
class Verdict:
    """The decision for one line. `rule` names the deciding rule, or `defaults.unmatched`,
    `defaults.unknown`, `defaults.uncertain`; None for a line with no commands. `command` is the
    text of the simple command that decided ("" for an allow); `message` is one line for the user.
    """

    action: str
    rule: str | None
    message: str
    command: str
    commands: tuple[SimpleCommand, ...]
    # What is known of the shell's variables once the line ran (given `known` to `evaluate`).
    known: KnownValues | None = None


def refuses_secret(verdict: Verdict, shell_may_read: bool) -> bool:
    """Whether keys typed without echo at a password prompt, judged as a command line
    (`verdict`), are refused rather than passed on as a secret. Where a shell may be the reader
    (`shell_may_read`: CommandLineTracker.hidden_keys_may_run), whatever holds a typed line holds
    them, the defaults too. Elsewhere (bash's readline read the line before), only a rule that denies refuses:
    there the `unknown` default does not count, so any command a confirm rule holds could pass
    spelled as an unknown line, and refusing it would stop honest passphrases (`reboot my life
    2024`), never an attacker (SECURITY.md, attack N, finding 7)."""
    if shell_may_read:
        return verdict.action in ("deny", "confirm")
    return verdict.action == "deny" and not (verdict.rule or "defaults.").startswith("defaults.")


def evaluate(policy: Policy, line: str, *, role: str, target: str,
             login: str | None = None, interactive: bool = True,
             known: KnownValues | None = None) -> Verdict:
    """Judge `line` for `role` on `target`. Never raises.

    Each simple command gets the action of the first rule that matches it (in file order),
    `[defaults].unmatched` when none does, and `[defaults].unknown` when its name is only known
    at run time. The line gets the strictest of those; on a tie the first command decides.
    `login` is the account on the target, whose home `~` names in paths (root's is /root,
    another's is taken to be /home/LOGIN); without it `~` is some home directory.
    `interactive` False (a line with no terminal: a script on a shell's stdin, an exec command
    without a pty) leaves out the unknowns that matter only to a terminal read line by line
    (`SimpleCommand.terminal`: `exec 2>/dev/null`, `stty erase`, `bind 'set ...'`).
    `known`: what is known of the variables of the shell that runs the line, which it may
    read `$NAME` as (`KnownValues()` for a shell just started, then each verdict's `known`
    for the next line of the same shell); None: nothing, not even what the line sets itself
    (a shell whose earlier lines were not followed may hold a DEBUG trap). The verdict's
    `known` is then what is known once the line ran; the caller keeps it only if the line
    is sent to the shell.
    """
    after = None
    programs = policy._compiled.programs
    if known is None:
        commands = _parse_cached(line, programs) if len(line) <= 2048 else _parse(line, programs)
    else:
        commands, after = _parse_known_cached(line, known, programs) if len(line) <= 2048 else \
            _parse_known(line, known, programs)
    if not interactive:
        commands = tuple(c for c in commands if not c.terminal)
    return replace(_verdict(policy, commands, role, target, login), known=after)


FILE_OPERATIONS = (">", "<", "rm", "mv", "chmod")


def judge_path(policy: Policy, op: str, paths: list[str] | tuple[str, ...], *, role: str,
               target: str, login: str | None = None) -> Verdict:
    """Judge a file operation that did not come from a shell line (an sftp request, a record
    of an scp stream): `op` is one of FILE_OPERATIONS (">" a write, "<" a read, "rm", "mv",
    "chmod"), `paths` the files, taken literally (no quotes, globs or ~). The verdict is the
    one `evaluate` gives the line `: > PATH` for ">" (`: < PATH`, `rm PATH`, `mv A B`,
    `chmod PATH` for the others), the paths quoted. A relative path is judged as written and,
    given the `login` (sftp starts in its home), also from that home: `../../etc/shadow`."""
    if op not in FILE_OPERATIONS:
        raise ValueError(f"op must be one of {', '.join(FILE_OPERATIONS)}")
    argv = (op, *paths)
    text = " ".join(shlex.quote(part) for part in argv)
    args = [PathArg(p) for p in paths]
    if op == "mv" and paths:
        args.append(PathArg(paths[0], "tree"))  # a moved folder carries its files (`_whole_trees`)
    if login is not None:
        # Relative names, and those through /proc/self/cwd (the server's own directory).
        relative = [p if not p.startswith("/") else through_proc(p)[1] for p in paths]
        args += [PathArg(f"~{login}/{p}", tilde=True) for p in relative if not p.startswith("/")]
    command = SimpleCommand(op, argv, text, paths=tuple(args))
    return _verdict(policy, (command,), role, target, login)


def _verdict(policy: Policy, commands: tuple[SimpleCommand, ...], role: str, target: str,
             login: str | None) -> Verdict:
    if not commands:
        return Verdict("allow", None, "", "", ())
    compiled = policy._compiled
    best = ("allow", "", "")
    deciding = None
    dotglob = DOTGLOB.set(any(_turns_dotglob_on(c) for c in commands))
    try:
        for command in commands:
            judged = compiled.judge(command, role, target, login)
            if deciding is None or _RANK[judged[0]] > _RANK[best[0]]:
                best, deciding = judged, command
                if judged[0] == "deny":
                    break
    except Exception as exc:  # fail closed: a fault in a rule is no allow
        return uncertain_verdict(policy, f"policy engine fault: {type(exc).__name__}")
    finally:
        DOTGLOB.reset(dotglob)
    action, rule, message = best
    assert deciding is not None
    if action == "allow":
        return Verdict(action, rule, "", "", commands)
    return Verdict(action, rule, message, deciding.text, commands)


def _turns_dotglob_on(command: SimpleCommand) -> bool:
    """Whether a command of the line may turn bash's dotglob on, so that its patterns may
    match a leading dot: `shopt -s dotglob` however spelled (`bash -O dotglob`), any
    assignment of GLOBIGNORE (bash: a non-null value enables dotglob) or of BASHOPTS, as a
    statement, a prefix, an `export`/`declare`/`read`/`printf -v` (attack p25f, finding 3)."""
    return command.argv[:3] == ("shopt", "-s", "dotglob") or command.name in (
        "GLOBIGNORE=", "BASHOPTS=")


def uncertain_verdict(policy: Policy, reason: str) -> Verdict:
    """The verdict when the line itself could not be reconstructed with confidence."""
    return Verdict(
        policy.defaults.uncertain,
        "defaults.uncertain",
        f"the command line could not be read with confidence: {one_line(reason, 80)}",
        "",
        (),
    )
