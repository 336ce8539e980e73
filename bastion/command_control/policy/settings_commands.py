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

The verb is found as each tool finds it (attack x33f, finding 5): pip's general options by
optparse's rules (`--log-file`, `--local-log` and any unique start of a long option: `--cache
D`, `--time 5`, config's `--edit vi`), an option pip does not know before or among `config`'s
words making the line unknown; npm's, pnpm's, yarn's, poetry's, bundler's, conda's and
composer's options before the verb read generously: each operand that follows an option's
possible value is tried as the verb (`npm --loglevel silent config set`, `pnpm -C /srv config
set`, `yarn --cwd /srv config set`, `poetry -C /srv config`), and npm's abbreviations of
`config` (`c`, `con`, `conf`, `confi`) are `config`.

`settings_code` gives, for one command, the code to judge in its place ("code", TEXT) and
the reasons it is unknown ("unknown", REASON)."""

from __future__ import annotations

import re
import shlex
from collections.abc import Collection

from bastion.command_control.policy.mail_settings import MAILERS, mail_settings
from bastion.command_control.policy.verb_readers import operand_starts
from bastion.command_control.policy.wrappers import PIPS

_NPMS = frozenset({"npm", "pnpm", "yarn", "yarnpkg"})
# The variables that move the folders pip and npm read their settings files from.
_HOMES = ("HOME", "XDG_CONFIG_HOME", "XDG_CONFIG_DIRS")
# pip's general options (every command's too) and config's own, as optparse reads them.
_PIP_VALUE_OPTIONS = frozenset({"--editor", "--log", "--log-file", "--local-log", "--proxy",
                                "--retries", "--resume-retries", "--timeout", "--exists-action",
                                "--trusted-host", "--cert", "--client-cert", "--cache-dir",
                                "--python", "--use-feature", "--use-deprecated",
                                "--keyring-provider", "--progress-bar"})
_PIP_FLAGS = frozenset({"--help", "--debug", "--isolated", "--require-virtualenv", "--verbose",
                        "--version", "--quiet", "--no-input", "--no-cache-dir",
                        "--disable-pip-version-check", "--no-color", "--no-python-version-warning",
                        "--global", "--user", "--site"})
_PIP_SHORT_FLAGS = frozenset("hvVq")
# npm's abbreviations of `config` (its alias `c` and the unique starts of the name).
_NPM_CONFIG = frozenset({"c", "con", "conf", "confi", "config"})


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


def _pip_option(word: str) -> str | None:
    """A long option of pip's as optparse resolves it (exact, or the one option the word
    starts), None when pip knows none or several."""
    name = word.split("=", 1)[0]
    known = _PIP_VALUE_OPTIONS | _PIP_FLAGS
    if name in known:
        return name
    matches = [o for o in known if o.startswith(name)]
    return matches[0] if len(matches) == 1 else None


def _pip_operands(words: list[str]) -> tuple[list[str], str]:
    """pip's operands, the values of its options skipped as optparse skips them, and the first
    option pip's tables do not hold ("" if none)."""
    found, strange, index = [], "", 0
    while index < len(words):
        word = words[index]
        index += 1
        if word == "--":
            found += words[index:]
            break
        if word.startswith("--"):
            option = _pip_option(word)
            if option is None:
                strange = strange or word
            elif option in _PIP_VALUE_OPTIONS and "=" not in word:
                index += 1
        elif word.startswith("-") and word != "-":
            if not set(word[1:]) <= _PIP_SHORT_FLAGS:
                strange = strange or word
        else:
            found.append(word)
    return found, strange


def _pip(words: list[str]) -> list[tuple[str, str]]:
    operands, strange = _pip_operands(words)
    if strange and "config" in words:
        return [("unknown", f"pip {strange}: an option the bastion does not know, before or in "
                            "pip's settings command")]
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
    found: list[tuple[str, str]] = []
    for operands in operand_starts(words):
        for item in _npm_verb(name, operands):
            if item not in found:
                found.append(item)
    return found


def _npm_verb(name: str, operands: list[str]) -> list[tuple[str, str]]:
    if operands[:1] and operands[0] in _NPM_CONFIG and len(operands) > 1:
        verb, rest = operands[1], operands[2:]
        # an option's value between `config` and its verb (`config --location global set`)
        at = next((i for i, w in enumerate(operands[1:], 1) if w in ("set", "edit")), 0)
        if at:
            verb, rest = operands[at], operands[at + 1:]
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
# composer's settings that choose where packages come from or what they may run.
_COMPOSER_TRUST = re.compile(r"(?i)repositor|secure|tls|cafile|capath|script|plugin|process")
_NAMES_PLACE = re.compile(r"(?i)path|dir|cache|prefix|executable|python|shell|command|home|root|file|bin")


def _other(name: str, words: list[str]) -> list[tuple[str, str]]:
    """bundle, poetry, conda and composer: a stored setting that may name a place or a
    program, the verb read from each place it may be (`verb_readers.operand_starts`)."""
    found: list[tuple[str, str]] = []
    for operands in operand_starts(words) if name != "conda" else [[]]:
        for item in _other_verb(name, words, operands):
            if item not in found:
                found.append(item)
    return found


def _gem_adds(word: str) -> bool:
    """Whether a word of `gem sources` is its `--add` as Ruby's OptionParser reads it: `--add`
    by a unique start (`--ad=URL`), `-a` alone, with its value attached (`-aURL`) or ending a
    cluster of flags (`-la URL`, `-ca URL`: outside attack b37f, finding 10); RubyGems 3.7.2's
    `--append` and `-p, --prepend` add too, by any start (`--a`, `--app=`, `--pre`, `-pURL`,
    `-lp URL`: c38f, finding 2); `-r` takes the rest of the word (`-ra` removes `a`); a pattern
    letter may be `a`."""
    if word.startswith("--"):
        head = word.split("=")[0]
        return len(head) > 2 and any(full.startswith(head) for full in ("--add", "--append", "--prepend"))
    if not word.startswith("-"):
        return False
    for letter in word[1:]:
        if letter in "ap?*[":  # a pattern may be made a cluster holding `a` (`touch -- -la`)
            return True
        if letter == "r":
            return False
    return False


def _other_verb(name: str, words: list[str], operands: list[str]) -> list[tuple[str, str]]:
    if name == "conda":
        operands = _operands(words, ("--set", "--add", "--append", "--prepend"))
    keys: list[str] = []
    if name == "bundle" and operands[:1] == ["config"]:
        rest = operands[1:]
        if rest[:1] == ["set"]:
            rest = rest[1:]
        keys = rest[:1] if len(rest) > 1 and rest[0] not in ("get", "unset", "list") else []
        keys = [k for k in keys if k.lower().replace("-", "_") not in _BUNDLE_HARMLESS]
    elif name == "poetry" and operands[:1] == ["config"] and len(operands) > 2:
        keys = [k for k in operands[1:2] if _NAMES_PLACE.search(k)]
    elif name == "gem" and operands and len(operands[0]) > 1 and "sources".startswith(
            operands[0]) and any(_gem_adds(w) for w in words):  # `so`: a unique start (z35f, 18)
        keys = ["sources --add"]  # where every later `gem install` fetches from
    elif name == "composer" and operands[:1] == ["config"] and len(operands) > 2:
        keys = [k for k in operands[1:2] if _NAMES_PLACE.search(k) or _COMPOSER_TRUST.search(k)]
    elif name == "conda" and operands[:1] == ["config"]:
        keys = [words[i + 1] for i, w in enumerate(words[:-1])
                if w in ("--set", "--add", "--append", "--prepend") and _NAMES_PLACE.search(words[i + 1])]
    return [("unknown", f"{name} {'' if key.startswith('sources') else 'config '}{key}: a stored "
                        "setting that may name where later installs write or a program they run")
            for key in keys]


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
    elif name in ("bundle", "poetry", "conda", "composer", "gem"):
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
