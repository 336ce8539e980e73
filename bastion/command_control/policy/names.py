"""Other names of the programs the policy reads (found after outside attack U): a program
installed under its version (`tclsh8.6`, `node18`, `gpg2`, `bash-5.2`), under a Debian
alternative's name (`vim.basic`, `nc.openbsd`, `netcat.traditional`) or with GNU's `g`
prefix (`gsed`, `gcp`, `gtouch`, as Homebrew installs them), or under a packaged name
(`bash-static`, `bsd-csh`, `zless`: packaged.py, attack a10f) is read with its base program's
grammar and tables, under the base program's name. A name no table knows, however it is
spelled, stays as it was: unmatched by the tables, judged by the policy's defaults."""

from __future__ import annotations

import re
from collections.abc import Collection

from bastion.command_control.policy.extracts import _extractor
from bastion.command_control.policy.packaged import packaged_name
from bastion.command_control.policy.readers import _CODE_IN_OPTIONS, _COMMAND_LANGUAGES, _READERS
from bastion.command_control.policy.script_readers import STILL_UNREAD
from bastion.command_control.policy.shells import INTERPRETERS, shell_name
from bastion.command_control.policy.transfers import READ_WHOLE
from bastion.command_control.policy.writes import _MORE_WRITERS, _TREE_CHANGERS, _WRITES

# A version after the name, with or without a separator (`python3.11`, `bash-5.2`, `ksh93`).
_VERSIONED = re.compile(r"(.+?)[-_.]?[0-9][0-9.]*")


def _known(name: str, handled: Collection[str]) -> bool:
    if name in STILL_UNREAD and name not in handled:
        return False  # a command language whose other words no table reads (attack v31f)
    return (name in handled or name in _READERS or name in _WRITES or name in _MORE_WRITERS
            or name in _CODE_IN_OPTIONS or name in _COMMAND_LANGUAGES or name in _TREE_CHANGERS
            or name in READ_WHOLE  # wget2 has its own grammar, not wget's (attack s28f, finding 5)
            or _extractor(name) or shell_name(name) is not None
            or INTERPRETERS.fullmatch(name) is not None)


def program_name(name: str, handled: Collection[str]) -> str:
    """The program a command named `name` (a path's last part) is read as: `name` itself when
    a table knows it (or none knows any of its other spellings), else the first known of: its
    name without a version, its name before a `.`, its name without GNU's `g` prefix.
    `handled`: the names the collector has a handler for."""
    if _known(name, handled):
        return name
    packaged = packaged_name(name, lambda candidate: _known(candidate, handled))
    if packaged is not None:  # `bash-static`, `zless` (attack a10f, findings 6 and 7)
        return packaged
    versioned = _VERSIONED.fullmatch(name)
    candidates = [versioned.group(1) if versioned else "", name.split(".", 1)[0],
                  name[1:] if name.startswith("g") else ""]
    return next((c for c in candidates if len(c) > 1 and _known(c, handled)), name)
