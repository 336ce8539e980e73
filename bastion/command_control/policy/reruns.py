"""Builtins and shell options that make the shell run a line, or go to a directory, other than
the one the line shows (found after outside attack a10f, findings 1 and 5).

- `fc_lists`: fc only lists history when bash reads it so; with -s or `-e -` bash re-runs the
  line even under -l (`fc -l -s`, `fc -le-`).
- `history_fills`: `history -s LINE` puts a line the bastion never judged into the history a
  re-run (fc, r, `!!`) takes it from. `-r FILE` and `-n` (a file's lines) stay allowed (the
  everyday `PROMPT_COMMAND='history -a; history -n'`): the re-runs that would run what they
  read are held themselves.
- `CD_GUESSES`: shell options under which cd (or a directory's bare name) goes to a directory
  the line does not name: bash's autocd, cdspell, dirspell; zsh's auto_cd, correct, correct_all
  (bash's `shopt -s cdable_vars` is followed by the collector; zsh's cdable_vars, which makes
  `cd x` go to `~x`, is held: attack d13f). zsh also sets them by letter (`set -J`, `setopt
  -J`, `zsh -J`: auto_cd; `-0`: correct; `-O`: correct_all; `-T`: cdable_vars; attack c12f,
  finding 8).
"""

from __future__ import annotations

from bastion.command_control.policy.words import _Word
from bastion.text import digits

CD_GUESSES = frozenset({"autocd", "cdspell", "dirspell", "correct", "correctall", "cdablevars"})
ZSH_CD_LETTERS = {"J": "autocd", "0": "correct", "O": "correctall", "T": "cdablevars"}


def option_name(word: str) -> str:
    """A shell option's name as zsh compares them (case, `_` and a leading `no` ignored) and as
    bash's names are spelled: `AUTO_CD`, `autocd` and `NO_AUTOCD` are all `autocd`."""
    name = word.lower().replace("_", "")
    return name[2:] if name.startswith("no") and name[2:] in CD_GUESSES else name


def fc_lists(words: list[_Word]) -> bool:
    """Whether `fc WORDS` only lists history, as bash reads fc's options (`e:lnrs`, clusters
    allowed; a number, `-5`, ends them): -l given with only -n and -r beside it. Any -e, even a
    real editor's (`fc -l -e vi` lists), is taken as a re-run: the bastion does not tell `-e -`
    from the other spellings of it."""
    letters = ""
    for word in words[1:]:
        value = word.value
        if value is None:
            return False
        if value == "--" or not value.startswith("-") or value == "-" or digits(value[1:]):
            break
        letters += value[1:]
    return "l" in letters and set(letters) <= set("lnr")


def history_fills(words: list[_Word]) -> bool:
    """Whether `history WORDS` (bash's options `cd:anrswp`) adds a line to the history list
    with -s (its words). A word known only at run time among the options may be -s."""
    index = 1
    while index < len(words):
        value = words[index].value
        if value is None:
            return True
        if value == "--" or not value.startswith("-") or value == "-":
            return False
        letters = value[1:]
        if "d" in letters:  # -d takes an offset: the rest of the word, or the next word
            index += 1 if letters.index("d") < len(letters) - 1 else 2
            letters = letters[:letters.index("d")]
        else:
            index += 1
        if "s" in letters:
            return True
    return False
