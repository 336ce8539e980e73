"""Mail programs' own settings that name the program a message is handed to (found after outside
attack v31o, finding 9): s-nail (Debian's `mail`, `mailx`, `s-nail`) sends by running its `mta`
(alias `sendmail`) with `mta-arguments`, the message (the line's stdin) on that program's stdin:
`mail -S mta=/bin/sh -S mta-arguments=-s -s x root` runs the body as shell code. mutt and neomutt
send through `$sendmail` the same way, set by `-e 'set sendmail=...'` or a resource file (`-F
RC`); a resource file can also run commands itself (mutt's backticks, s-nail's `!`, hooks).

`mail_settings` gives the reasons a mail command is unknown:
- s-nail's `-S NAME=VALUE` (`--set`) for any NAME but those that only say who sends, how text
  is encoded or which SMTP server takes the message (`mta=smtp://host`); a boolean (`-S NAME`,
  `-S noNAME`) names no program; s-nail's `-X`/`-Y` commands and mailutils' `-E CMD` (`!cmd`,
  `set sendmail=...`), which the policy does not read; any long option but the plain ones
  (`--subject`, `--cc`...: mailutils' `--config-file`, `--exec`);
- mutt's and neomutt's `-e COMMAND` and `-F FILE` (anywhere in a cluster of options);
- a resource file chosen by the line: `MAILRC=`, `NAILRC=`, `MUTTRC=`, or `HOME=` /
  `XDG_CONFIG_HOME=` set before (where `~/.mailrc`, `~/.muttrc` are read from);
- siblings that hand a message to a program or read a configuration that may run one:
  `msmtp -C FILE`/`--file=FILE` (its `passwordeval`), `swaks --pipe CMD`, `sendmail -C FILE`
  (Sendmail's and Exim's alternative configuration, whose mailers are programs), `ssmtp -C`.
mail's `|CMD` recipients and its commands are read elsewhere (writes.py, readers.py)."""

from __future__ import annotations

from collections.abc import Collection

from bastion.command_control.policy.mail_writes import MAIL_VALUES, mail_setting
from bastion.command_control.policy.short_options import read_cluster

_MAILX = frozenset({"mail", "mailx", "s-nail", "Mail", "nail"})
_MUTTS = frozenset({"mutt", "neomutt", "mutt-kz", "mutt-patched"})
# mutt's options that take a value (getopt), so that a letter after one is its value.
_MUTT_VALUES = "abcdefFHimQsz"
_HOMES = ("MAILRC", "NAILRC", "MUTTRC", "HOME", "XDG_CONFIG_HOME")
# Other senders: their options that read a configuration or name a program (long, short).
_SENDERS = {"msmtp": (("--file",), "C"), "swaks": (("--pipe",), ""),
            "sendmail": ((), "C"), "exim": ((), "C"), "exim4": ((), "C"), "ssmtp": ((), "C")}


def _setting_unsafe(setting: str) -> bool:
    """Whether s-nail's `-S` setting (`NAME=VALUE`, or a boolean `NAME`) may name a program, a
    file or a command: read once, by mail_writes.mail_setting (the review of attack x33f)."""
    return mail_setting(setting).kind != "plain"


# mail's long options that name no program, file of commands or setting (s-nail, mailutils).
_SAFE_LONG = frozenset({"--subject", "--cc", "--bcc", "--attach", "--return-address",
                        "--from-address", "--help", "--version", "--usage"})


def _mailx(words: list[str]) -> list[str]:
    """The options of mail's command line (s-nail, bsd-mailx, mailutils) that may name a
    program or run a mail command, as written: `-S` settings that may name a program, s-nail's
    `-X`/`-Y` commands (`!cmd`, `set mta=...`), mailutils' `-E CMD` (`--exec`; bsd-mailx's and
    s-nail's -E is a flag, read so only before an option), any long option but the plain ones,
    `--set` read as `-S`."""
    found: list[str] = []
    index = 0
    while index < len(words):
        arg = words[index]
        index += 1
        if arg == "--":
            break
        if arg.startswith("--"):
            option, has_value, value = arg.partition("=")
            if option == "--set":
                if not has_value and index < len(words):
                    value = words[index]
                    index += 1
                if _setting_unsafe(value):
                    found.append(f"-S {value}")
            elif option not in _SAFE_LONG:
                found.append(arg)
            elif not has_value and option != "--help" and option != "--version":
                index += 1  # its value is the next word
            continue
        if not arg.startswith("-") or arg == "-":
            continue
        cluster = read_cluster(arg, {*MAIL_VALUES, *"XYE"})
        letter = cluster.option
        if letter:
            value = cluster.value or ""
            if cluster.nexts and index < len(words) and (letter != "E" or not words[index].startswith("-")):
                value = words[index]
                index += 1
            if letter == "S" and _setting_unsafe(value):
                found.append(f"-S {value}")
            elif letter in "XY" or (letter == "E" and value):
                found.append(f"-{letter} {value}")
    return found


def _mutt(words: list[str]) -> list[str]:
    """mutt's `-e COMMAND` and `-F FILE` options, as written."""
    found: list[str] = []
    index = 0
    while index < len(words):
        arg = words[index]
        index += 1
        if arg == "--":
            break
        if not arg.startswith("-") or arg == "-" or arg.startswith("--"):
            continue
        cluster = read_cluster(arg, _MUTT_VALUES)
        found += [f"-{letter}" for letter in cluster.letters if letter in "eF"]
        index += cluster.nexts  # its value: the rest of the word or the next
    return found


def mail_settings(name: str, argv: tuple[str, ...], known: Collection[str]) -> list[str]:
    """The reasons the mail command `name` (its words `argv`) is unknown: settings that name the
    program the message is handed to, or a resource file the line chose; `known`: the variables
    the line set before it."""
    words = list(argv[1:])
    reasons: list[str] = []
    if name in _MAILX:
        reasons += [f"{name} {s}: a setting or command that may name the program the message (this "
                    "stdin) is handed to, or run one" for s in _mailx(words)]
    elif name in _MUTTS:
        reasons += [f"{name} {o}: a command or resource file that may set the program the message "
                    "is handed to ($sendmail) or run one" for o in _mutt(words)]
    elif name in _SENDERS:
        longs, shorts = _SENDERS[name]
        for word in words:
            if word.partition("=")[0] in longs or (
                    shorts and word[:1] == "-" and word[1:2] != "-" and word[1:2] in shorts):
                reasons.append(f"{name} {word}: a configuration or program the line chooses, "
                               "which may run a command")
        return reasons
    else:
        return []
    moved = [home for home in _HOMES if home in known]
    if moved:
        reasons.append(f"{name} reads its resource file (which may set the program mail is "
                       f"handed to) from where ${moved[0]}, set by the line, says")
    return reasons


MAILERS = _MAILX | _MUTTS | frozenset(_SENDERS)
