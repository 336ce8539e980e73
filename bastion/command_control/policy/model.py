"""The policy model: the file's rules and defaults, read and checked (`load_policy`,
`policy_from_dict`: bad input is a `PolicyError` naming the key), the ranking of actions
(deny > confirm > alert > allow), and each rule compiled once for matching (`_CompiledRule`,
`_CompiledPolicy`: the rules a command's name, role and target may meet, cached). What the
rules mean is in the package's docstring (bastion/command_control/policy/__init__.py)."""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bastion.command_control.policy.globs import _PathGlobs
from bastion.command_control.policy.paths import _resolve_path
from bastion.command_control.policy.words import _GLOB_CHARS, SimpleCommand
from bastion.config import TomlReader, durations, read_toml
from bastion.text import one_line

ACTIONS = ("allow", "alert", "confirm", "deny")
_RANK = {action: rank for rank, action in enumerate(ACTIONS)}


class PolicyError(ValueError):
    """A policy that cannot be used; `key` names the offending key (`rules[3].action`)."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{key}: {problem}")
        self.key = key
        self.problem = problem


@dataclass(frozen=True)
class Rule:
    """One `[[rules]]` table. See the module docstring and README.md, "Command control"."""

    name: str
    action: str
    commands: tuple[str, ...]
    flags: tuple[str, ...] = ()
    args: str | None = None
    paths: tuple[str, ...] | None = None
    roles: tuple[str, ...] | None = None
    targets: tuple[str, ...] | None = None
    message: str = ""

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise ValueError(f"rule {self.name!r}: action must be one of {', '.join(ACTIONS)}")
        if not self.commands:
            raise ValueError(f"rule {self.name!r}: commands must not be empty")


@dataclass(frozen=True)
class Defaults:
    """The `[defaults]` table: what applies when no rule decides."""

    unmatched: str = "allow"
    unknown: str = "confirm"
    uncertain: str = "deny"
    confirm_timeout: float = 120.0

    def __post_init__(self) -> None:
        for key in ("unmatched", "unknown", "uncertain"):
            if getattr(self, key) not in ACTIONS:
                raise ValueError(f"defaults.{key}: must be one of {', '.join(ACTIONS)}")
        if not self.confirm_timeout > 0:
            raise ValueError("defaults.confirm_timeout: must be positive")


@dataclass(frozen=True)
class Policy:
    """Defaults and rules, in file order. Rules are compiled once, when the Policy is made."""

    defaults: Defaults
    rules: tuple[Rule, ...]
    _compiled: _CompiledPolicy = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_compiled", _CompiledPolicy(self))


_TOP_KEYS = {"defaults", "rules"}
_DEFAULT_KEYS = {"unmatched", "unknown", "uncertain", "confirm_timeout"}
_RULE_KEYS = {"name", "action", "commands", "flags", "args", "paths", "roles", "targets", "message"}
def _duration(value: Any, key: str) -> float:
    """Seconds in `value` (bastion.config.durations' grammar: "120s", "2m", "1h30m", or a number of
    seconds); PolicyError naming `key` otherwise."""
    try:
        return durations.parse_duration(value)
    except ValueError as exc:
        raise PolicyError(key, str(exc)) from None


def _action(value: Any, key: str) -> str:
    if value not in ACTIONS:
        raise PolicyError(key, f"must be one of {', '.join(ACTIONS)}")
    return value


def _string(value: Any, key: str) -> str:
    if not isinstance(value, str):
        raise PolicyError(key, "must be a string")
    if "\n" in value:
        raise PolicyError(key, "must be one line")
    return value


def _strings(value: Any, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise PolicyError(key, "must be a non-empty list of strings")
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item:
            raise PolicyError(f"{key}[{index}]", "must be a non-empty string")
    return tuple(value)


def _defaults_from(data: Any) -> Defaults:
    if not isinstance(data, dict):
        raise PolicyError("defaults", "must be a table")
    for key in data:
        if key not in _DEFAULT_KEYS:
            raise PolicyError(f"defaults.{key}", "unknown key")
    values: dict[str, Any] = {
        key: _action(data[key], f"defaults.{key}")
        for key in ("unmatched", "unknown", "uncertain")
        if key in data
    }
    if "confirm_timeout" in data:
        values["confirm_timeout"] = _duration(
            data["confirm_timeout"], "defaults.confirm_timeout"
        )
    return Defaults(**values)


def _rule_from(data: Any, key: str) -> Rule:
    if not isinstance(data, dict):
        raise PolicyError(key, "must be a table ([[rules]])")
    for name in data:
        if name not in _RULE_KEYS:
            raise PolicyError(f"{key}.{name}", "unknown key")
    for name in ("name", "action", "commands"):
        if name not in data:
            raise PolicyError(f"{key}.{name}", "is required")
    rule_name = _string(data["name"], f"{key}.name")
    if not rule_name.strip():
        raise PolicyError(f"{key}.name", "must not be empty")
    commands = _strings(data["commands"], f"{key}.commands")
    for index, pattern in enumerate(commands):
        if "/" in pattern:
            raise PolicyError(
                f"{key}.commands[{index}]", "names a path; rules match command names ('rm')"
            )
    flags = _strings(data["flags"], f"{key}.flags") if "flags" in data else ()
    for index, flag in enumerate(flags):
        single = re.fullmatch(r"-[^-]|--[^=\s]+", flag)
        if not single:
            raise PolicyError(
                f"{key}.flags[{index}]",
                f"{flag!r} is not one flag: write short flags apart (\"-r\", \"-f\") and long "
                "ones without a value (\"--force\")",
            )
    args = None
    if "args" in data:
        args = _string(data["args"], f"{key}.args")
        try:
            re.compile(args)
        except re.error as exc:
            raise PolicyError(f"{key}.args", f"invalid regular expression: {exc}") from None
        except (OverflowError, RecursionError):  # a{99999999999}, groups nested a thousand deep
            raise PolicyError(f"{key}.args", "invalid regular expression: beyond the regex "
                                             "compiler's limits") from None
    paths = _strings(data["paths"], f"{key}.paths") if "paths" in data else None
    for index, glob in enumerate(paths or ()):
        if "//" in glob or re.search(r"(^|/)\.\.?(/|$)", glob):
            raise PolicyError(f"{key}.paths[{index}]", f"{glob!r} is not normalised: paths are "
                              "matched after // . and .. are resolved, so write it that way")
        if glob.startswith("~"):
            raise PolicyError(f"{key}.paths[{index}]", f"{glob!r}: ~ is expanded in commands, "
                              "not in rules; write the absolute path, or a name without /")
        if "/" in glob and not glob.startswith(("/", "**/")):
            raise PolicyError(f"{key}.paths[{index}]", f"{glob!r} is relative: start it with / "
                              "(or **/ for any directory), or give a name without /")
    return Rule(
        name=rule_name,
        action=_action(data["action"], f"{key}.action"),
        commands=commands,
        flags=flags,
        args=args,
        paths=paths,
        roles=_strings(data["roles"], f"{key}.roles") if "roles" in data else None,
        targets=_strings(data["targets"], f"{key}.targets") if "targets" in data else None,
        message=_string(data.get("message", ""), f"{key}.message"),
    )


def load_policy(path: Path) -> Policy:
    """Load and validate policy.toml. Raises ConfigError (one line, with the key and its line
    in the file) for anything wrong."""
    data, text = read_toml(path)
    try:
        return policy_from_dict(data)
    except PolicyError as exc:
        raise TomlReader(path, text).fail(exc.key, exc.problem) from None


def policy_from_dict(data: dict) -> Policy:
    """Validate the parsed TOML of a policy file.

    Raises PolicyError naming the key (`defaults.unknown`, `rules[3].action`; rules count from 1,
    as they appear in the file) for unknown keys, wrong types, bad actions, bad regular
    expressions, bad durations, flags that are not single flags and duplicate rule names.
    """
    if not isinstance(data, dict):
        raise PolicyError("policy", "must be a table")
    for key in data:
        if key not in _TOP_KEYS:
            raise PolicyError(key, "unknown key")
    defaults = _defaults_from(data.get("defaults", {}))
    raw_rules = data.get("rules", [])
    if not isinstance(raw_rules, list):
        raise PolicyError("rules", "must be an array of tables ([[rules]])")
    rules: list[Rule] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_rules, start=1):
        rule = _rule_from(raw, f"rules[{index}]")
        if rule.name in seen:
            raise PolicyError(f"rules[{index}].name", f"duplicate rule name {rule.name!r}")
        seen.add(rule.name)
        rules.append(rule)
    return Policy(defaults=defaults, rules=tuple(rules))


_PAST = {"allow": "allowed", "alert": "flagged", "confirm": "held for confirmation",
         "deny": "denied"}  # fmt: skip


_VERSION_PART = re.compile(r"(.+?)[-_.][0-9]+")
_VERSION = re.compile(r"(.+?[A-Za-z])[-_.]?[0-9][0-9.]*")


def _versionless(name: str) -> tuple[str, ...]:
    """`name` and the names it has without its version, one part at a time, then without all
    of it: `perl5.36.0`, `perl5.36`, `perl5`, `perl`; `python3.11`, `python3`, `python`."""
    names = [name]
    while (m := _VERSION_PART.fullmatch(names[-1])) is not None and len(names) < 8:
        names.append(m.group(1))
    whole = _VERSION.fullmatch(name)
    if whole is not None and whole.group(1) not in names:
        names.append(whole.group(1))
    return tuple(names)


def _weaker(a: str, b: str) -> str:
    return a if _RANK[a] <= _RANK[b] else b


class _CompiledRule:
    __slots__ = ("action", "args", "flags", "literal", "message", "name", "paths", "pattern",
                 "roles", "targets")  # fmt: skip

    def __init__(self, rule: Rule) -> None:
        self.name = rule.name
        self.action = rule.action
        self.message = rule.message or f"{_PAST[rule.action]} by policy rule '{rule.name}'"
        globs = [p for p in rule.commands if _GLOB_CHARS.search(p)]
        self.literal = frozenset(p for p in rule.commands if p not in globs)
        self.pattern = (
            re.compile("|".join(fnmatch.translate(p) for p in globs)) if globs else None
        )
        self.flags = frozenset(rule.flags)
        self.args = re.compile(rule.args) if rule.args is not None else None
        self.paths = _PathGlobs(rule.paths) if rule.paths else None
        self.roles = frozenset(rule.roles) if rule.roles is not None else None
        self.targets = (
            re.compile("|".join(fnmatch.translate(p) for p in rule.targets))
            if rule.targets is not None
            else None
        )

    def applies(self, name: str, role: str, target: str) -> bool:
        # A rule that refuses, holds or flags a program does so under its versioned names too
        # (attack W, finding 12: `perl5.36.0 -pi`, a hard link Debian ships, passed a rule on
        # perl); an allow rule names exactly what it allows.
        names = (name,) if self.action == "allow" else _versionless(name)
        if not any(n in self.literal or (self.pattern is not None and self.pattern.match(n))
                   for n in names):
            return False
        if self.roles is not None and role not in self.roles:
            return False
        return self.targets is None or self.targets.match(target) is not None


class _CompiledPolicy:
    def __init__(self, policy: Policy) -> None:
        self.defaults = policy.defaults
        self.rules = tuple(_CompiledRule(rule) for rule in policy.rules)
        # found after outside attack b11f (finding 1): the programs the rules name, which a
        # program the policy does not read may launch (`unread.launched`), not only those a
        # table of the collector knows (`memusage userdel root`).
        self.programs = frozenset(p for rule in policy.rules for p in rule.commands)
        self._candidates: dict[tuple[str, str, str], tuple[_CompiledRule, ...]] = {}

    def candidates(self, name: str, role: str, target: str) -> tuple[_CompiledRule, ...]:
        key = (name, role, target)
        found = self._candidates.get(key)
        if found is None:
            found = tuple(r for r in self.rules if r.applies(name, role, target))
            if len(self._candidates) >= 4096:
                self._candidates.clear()
            self._candidates[key] = found
        return found

    def judge(self, command: SimpleCommand, role: str, target: str,
              login: str | None = None) -> tuple[str, str, str]:
        """(action, deciding rule, message) for one simple command."""
        decided = self._judge(command, role, target, login)
        if command.unread:
            # The files a program the policy does not read names (policy/unread.py): each a
            # write it may make, or not.
            written = SimpleCommand(">", (">", *(p.text for p in command.unread)), command.text,
                                    wrappers=command.wrappers, paths=command.unread)
            maybe = self._judge(written, role, target, login, unread=command.name or "")
            if _RANK[maybe[0]] > _RANK[decided[0]]:
                return maybe
        return decided

    def _judge(self, command: SimpleCommand, role: str, target: str, login: str | None,
               unread: str = "") -> tuple[str, str, str]:
        defaults = self.defaults
        if command.name is None:
            return (
                defaults.unknown,
                "defaults.unknown",
                f"cannot tell what will run ({command.unknown}): {one_line(command.text, 80)}",
            )
        flags: frozenset[str] | None = None
        args = ""
        paths: list[tuple[str, str]] | None = None
        possible: tuple[str, str, str] | None = None
        decided = (defaults.unmatched, "defaults.unmatched", "")
        for rule in self.candidates(command.name, role, target):
            if rule.flags or rule.args is not None or rule.paths is not None:
                if flags is None:
                    flags = _flags(command.argv)
                    args = " ".join(command.argv[1:])
                matched = rule.flags <= flags and (
                    rule.args is None or rule.args.search(args) is not None
                )
                # An allow rule's args or paths never match what is known only at run time.
                blind = command.dynamic_args and rule.action == "allow" and rule.args is not None
                state = "yes"
                if rule.paths is not None:
                    if paths is None:
                        paths = [p for arg in command.paths for p in _resolve_path(arg, login)]
                    state = rule.paths.state(paths, every=rule.action == "allow")
                if unread and matched and state == "yes" and rule.action != "allow":
                    # A program the policy does not read names a file this rule protects: it
                    # may write it, or not (policy/unread.py).
                    action = _weaker(rule.action, defaults.unknown)
                    if possible is None or _RANK[action] > _RANK[possible[0]]:
                        possible = (action, rule.name,
                                    f"{rule.message} ({unread}, a program the policy does "
                                    "not read, names a file this rule protects)")
                    continue
                if not matched or state != "yes" or blind:
                    could = (matched or command.dynamic_args) and state != "no"
                    if could and rule.action != "allow":
                        action = _weaker(rule.action, defaults.unknown)
                        if possible is None or _RANK[action] > _RANK[possible[0]]:
                            why = "some arguments are" if state == "yes" else "a path is"
                            possible = (action, rule.name,
                                        f"{rule.message} ({why} only known at run time)")
                    continue
            decided = (rule.action, rule.name, rule.message)
            break
        if possible is not None and _RANK[possible[0]] > _RANK[decided[0]]:
            return possible
        return decided


def _flags(argv: tuple[str, ...]) -> frozenset[str]:
    found: set[str] = set()
    for arg in argv[1:]:
        if arg == "--":
            break
        if arg.startswith("--"):
            found.add(arg.split("=", 1)[0])
        elif arg.startswith("-") and len(arg) > 1:
            found.update(f"-{letter}" for letter in arg[1:])
    return frozenset(found)
