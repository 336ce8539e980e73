"""A pattern where a settings command's verb stands (outside attack a36f, finding 17): `npm
confi? set script-shell /tmp/x`, `npm config se? …`, `npm c[o]nfig set …`, `pnpm confi? set`,
`yarn confi? set`, `gem source? --add URL`, `gem sour* -a URL`. bash makes such a word the verb
as soon as a file of the verb's name is in the working folder (`touch config`), which the line
itself may make. `settings_argvs` gives the command's words as they are and with each pattern
replaced by each verb of the program it may match (npm's unique starts of `config` and gem's of
`sources` included), so that `settings_commands.settings_code` judges each as it judges the plain
spelling (verb_patterns.py does the same for the service and firewall tools)."""

from __future__ import annotations

import re

from bastion.command_control.policy.verb_patterns import may_match
from bastion.command_control.policy.words import _Word

_NPM_VERBS = ("c", "con", "conf", "confi", "config", "set", "edit", "get", "delete", "list")
_VERBS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("npm", "pnpm", "yarn", "yarnpkg"), _NPM_VERBS),
    # RubyGems takes a command's unique start (`so`), its options by their starts
    "gem": (*tuple("sources"[:n] for n in range(2, 8)), "-a", "--a", "--ad", "--add"),
    **dict.fromkeys(("pip", "pip3", "bundle", "poetry", "conda", "composer"),
                    ("config", "set", "edit", "--set", "--add", "--append", "--prepend")),
}
_GLOB = re.compile(r"[*?\[]")
_MOST = 64  # the spellings tried, at most


def settings_argvs(name: str, words: list[_Word]) -> list[tuple[str, ...]]:
    """`words` as an argv, then each argv a pattern word may make it (each pattern replaced by
    each of `name`'s settings verbs it may match)."""
    argvs = [tuple(w.value or w.text for w in words)]
    verbs = _VERBS.get(name)
    if verbs is None:
        return argvs
    for at, word in enumerate(words[1:], 1):
        if not (word.glob and word.value is not None and _GLOB.search(word.value)):
            continue
        matched = [v for v in verbs if may_match(word.value, v)]
        argvs += [(*argv[:at], verb, *argv[at + 1:]) for argv in argvs for verb in matched]
        argvs = argvs[:_MOST]
    return argvs
