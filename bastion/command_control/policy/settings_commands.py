"""Settings written by a program's own settings command, read as the environment variable
that gives the same setting (found after outside attack u30f, finding 3): `pip config set
global.log /etc/sudoers` is read as `PIP_LOG=/etc/sudoers pip` (a write, as pip then logs
there), `pip config set install.target /etc` as `PIP_TARGET=/etc pip` (unknown), `npm config
set prefix /etc` (and `npm set`, `npm c set`, `pnpm config set`, `key=value` pairs) as
`npm_config_prefix=/etc npm`; every later pip or npm reads what the command stored, exactly as
the variable. `yarn config set KEY VALUE` is read as npm's (yarn classic reads npm's settings;
berry's camelCase names are no harmless npm names: unknown). `pip config edit` / `npm config
edit` (settings typed into an editor) and a settings file under a HOME, XDG_CONFIG_HOME or
XDG_CONFIG_DIRS the line sets (`HOME=/tmp/e pip install W`, a pip.conf there) are unknown.

Siblings: `bundle config [set] KEY VALUE` (BUNDLE_KEY: `path`, `bin`, `gemfile`...),
`poetry config KEY VALUE` and `conda config --set|--add|--append|--prepend KEY VALUE` store
where later installs write or what they run: unknown, but for settings that name no folder,
file or program.

`settings_code` gives, for one command, the code to judge in its place ("code", TEXT) and
the reasons it is unknown ("unknown", REASON)."""

from __future__ import annotations

import re
import shlex
from collections.abc import Collection

from bastion.command_control.policy.mail_settings import MAILERS, mail_settings
from bastion.command_control.policy.wrappers import PIPS

_NPMS = frozenset({"npm", "pnpm", "yarn", "yarnpkg"})
# The variables that move the folders pip and npm read their settings files from.
_HOMES = ("HOME", "XDG_CONFIG_HOME", "XDG_CONFIG_DIRS")
_PIP_VALUE_OPTIONS = frozenset({"--editor", "--log", "--proxy", "--retries", "--timeout",
                                "--exists-action", "--trusted-host", "--cert", "--client-cert",
                                "--cache-dir", "--python", "--use-feature", "--use-deprecated",
                                "--keyring-provider", "--progress-bar"})


def _operands(words: list[str], takes: Collection[str] = ()) -> list[str]:
    """The words that are no option, the values of the options in `takes` skipped."""
    found, skip = [], False
    for word in words:
        if skip:
            skip = False
        elif word.startswith("-") and word != "-":
            skip = word in takes
        else:
            found.append(word)
    return found


def _pip(words: list[str]) -> list[tuple[str, str]]:
    operands = _operands(words, _PIP_VALUE_OPTIONS)
    if operands[:1] != ["config"]:
        return []
    verb, rest = (operands[1], operands[2:]) if len(operands) > 1 else ("", [])
    if verb == "edit":
        return [("unknown", "pip config edit: settings typed in an editor, which may name where "
                            "pip installs or a file it writes")]
    if verb != "set":
        return []
    if len(rest) < 2 or "." not in rest[0]:
        return [("unknown", "pip config set: a setting the bastion cannot read")]
    option = rest[0].split(".", 1)[1].upper().replace("-", "_")
    return [("code", f"PIP_{option}={shlex.quote(rest[1])} pip")]


def _npm(name: str, words: list[str]) -> list[tuple[str, str]]:
    operands = _operands(words)
    if operands[:1] in (["config"], ["c"]) and len(operands) > 1:
        verb, rest = operands[1], operands[2:]
    elif operands[:1] == ["set"] and name != "yarn":
        verb, rest = "set", operands[1:]
    else:
        return []
    if verb == "edit":
        return [("unknown", f"{name} config edit: settings typed in an editor, which may name "
                            "where it installs or a program it runs")]
    if verb != "set":
        return []
    found: list[tuple[str, str]] = []
    while rest:
        key, has_value, value = rest[0].partition("=")
        if not has_value:
            value = rest[1] if len(rest) > 1 else ""
            rest = rest[1:]
        rest = rest[1:]
        key = key.replace("-", "_")
        if not key or not all(c.isalnum() or c in "_." for c in key):
            found.append(("unknown", f"{name} config set: a setting the bastion cannot read"))
            continue
        found.append(("code", f"npm_config_{key}={shlex.quote(value)} npm"))
    return found


# bundler's, poetry's and conda's settings known to name no folder, file or program.
_BUNDLE_HARMLESS = frozenset({"jobs", "retry", "without", "with", "frozen", "deployment", "clean",
                              "timeout", "silence_root_warning", "auto_install", "only",
                              "force_ruby_platform"})
_NAMES_PLACE = re.compile(r"(?i)path|dir|cache|prefix|executable|python|shell|command|home|root|file|bin")


def _other(name: str, words: list[str]) -> list[tuple[str, str]]:
    """bundle, poetry and conda: a stored setting that may name a place or a program."""
    operands = _operands(words, ("--set", "--add", "--append", "--prepend") if name == "conda" else ())
    keys: list[str] = []
    if name == "bundle" and operands[:1] == ["config"]:
        rest = operands[1:]
        if rest[:1] == ["set"]:
            rest = rest[1:]
        keys = rest[:1] if len(rest) > 1 and rest[0] not in ("get", "unset", "list") else []
        keys = [k for k in keys if k.lower().replace("-", "_") not in _BUNDLE_HARMLESS]
    elif name == "poetry" and operands[:1] == ["config"] and len(operands) > 2:
        keys = [k for k in operands[1:2] if _NAMES_PLACE.search(k)]
    elif name == "conda" and operands[:1] == ["config"]:
        keys = [words[i + 1] for i, w in enumerate(words[:-1])
                if w in ("--set", "--add", "--append", "--prepend") and _NAMES_PLACE.search(words[i + 1])]
    return [("unknown", f"{name} config {key}: a stored setting that may name where later "
                        "installs write or a program they run") for key in keys]


def settings_code(name: str, argv: tuple[str, ...], known: Collection[str],
                  dynamic: bool) -> list[tuple[str, str]]:
    """What the settings command `name` (its words `argv`) stores, as code to judge or reasons
    it is unknown; `known`: the variables the line set before it; `dynamic`: a word is known
    only at run time."""
    words = list(argv[1:])
    if name.startswith("python") and "-m" in words[:-1] and words[words.index("-m") + 1] == "pip":
        name, words = "pip", words[words.index("-m") + 2:]  # `python3 -m pip config set ...`
    found: list[tuple[str, str]] = []
    if name in PIPS:
        found = _pip(words)
    elif name in _NPMS:
        found = _npm(name, words)
    elif name in ("bundle", "poetry", "conda"):
        return _other(name, words)
    elif name in MAILERS:  # the program mail hands the message to (attack v31o, finding 9)
        return [("unknown", reason) for reason in mail_settings(name, argv, known)]
    else:
        return []
    if found and dynamic:
        found.append(("unknown", f"{name} config: a setting known only at run time"))
    moved = [home for home in _HOMES if home in known]
    if moved:
        found.append(("unknown", f"{name} settings read from a file under ${moved[0]}, which the "
                                 "line chose"))
    return found
