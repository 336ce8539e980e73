"""What mail (bsd-mailx, s-nail, heirloom mailx, mailutils) writes and runs by its line: its
recipients that are no address (`|CMD`, a file, `+folder`: attack t29f, finding 2; Cc and Bcc:
u30f, finding 6), and since outside attack v31f (finding 2) its own variables set on the line
(`-S VAR=VALUE`): `record=FILE`, `DEAD=FILE`, `MBOX=`, `folder=`... append the message to a
file, `sendmail=`/`mta=PROGRAM`, `PAGER=`, `EDITOR=`... run a program, and any variable not
known to be neither is unknown; s-nail's `-T 'FIELD: ADDR'` recipients (`cc: |CMD`, `bcc:
FILE`, `fcc: FILE`) are read as `-c`/`-b` are; a long option not known to be harmless is
unknown."""

from __future__ import annotations

from typing import NamedTuple

from bastion.command_control.policy.paths import PathArg, _path_arg
from bastion.command_control.policy.words import _Word

# mail's options that take a value (bsd-mailx, s-nail, heirloom mailx; readers reads its
# flags): Cc (-c) and Bcc (-b) name recipients (attack u30f, finding 6), -S sets a variable,
# -T adds a header's recipients (attack v31f, finding 2).
MAIL_VALUES = "sacbrqAST"

# Variables that name a file the message (or the mailbox) is written to (POSIX mailx, s-nail,
# heirloom mailx, bsd-mailx).
_FILE_VARIABLES = frozenset({
    "record", "dead", "mbox", "folder", "inbox", "mail", "outfolder", "history-file",
    "nail-history", "mailx-history", "mbox-rfc4155", "mailbox-display",
})  # fmt: skip
# Variables that name a program mail runs (the message on its stdin for the first two).
_PROGRAM_VARIABLES = frozenset({
    "sendmail", "mta", "pager", "editor", "visual", "shell", "lister", "netrc-pipe",
    "agent-shell-lookup", "pipe-text/plain", "pipe-text/html", "mta-argv0", "sendmail-progname",
})  # fmt: skip
# Variables known to name neither a file nor a program nor a command (addresses, names,
# charsets and switches); any other is unknown (s-nail's `on-*` hooks, `customhdr`, `*-rc`
# files read as commands, `mta-arguments`, `pipe-TYPE/SUBTYPE`...).
_PLAIN_VARIABLES = frozenset({
    "from", "replyto", "reply-to", "sender", "hostname", "smtp-hostname", "smtp-auth",
    "smtp-auth-user", "smtp-use-starttls", "v15-compat", "sendwait", "verbose", "debug",
    "expandaddr", "ttycharset", "sendcharsets", "charset-8bit", "encoding", "mime-encoding",
    "nosave", "save", "quiet", "asksub", "emptystart", "keep", "keepsave", "hold", "append",
    "bsdcompat", "datefield", "indentprefix", "mime-force-sendout", "message-id-disable",
    "stealthmostly", "fullnames", "user-agent", "header", "noheader", "posix", "autocollapse",
    "sendmail-no-default-arguments", "mta-no-default-arguments", "ignore", "ignoreeof",
    # who sends, how text is encoded, SMTP authentication (mail_settings read these apart
    # before the review of attack x33f: one reading now)
    "user", "org", "organization", "charset-7bit", "charset-unknown-8bit", "log-prefix",
    "content-description-forwarded-message", "content-description-quote-attachment",
})  # fmt: skip
# mail's own scheme-less MTA spellings: a URL over the network is no program here.
_NETWORK_MTA = ("smtp://", "smtps://", "submission://", "submissions://")
# mailutils' long options known to be harmless: flags, and those taking a value (attached with
# `=`, or the next word).
_LONG_FLAGS = frozenset({"--help", "--version", "--usage", "--nosum", "--quiet", "--norc",
                         "--mime", "--alternative", "--skip-empty-attachments", "--to"})
_LONG_VALUES = frozenset({"--subject", "--attach", "--content-type", "--encoding",
                          "--content-filename", "--content-name", "--return-address"})


class MailSetting(NamedTuple):
    kind: str  # "plain", "file", "program" or "unknown"
    name: str
    value: str | None


def mail_setting(text: str) -> MailSetting:
    """How mail reads `-S text` (`VAR=VALUE`, `VAR`, `noVAR`)."""
    name, has_value, value = text.partition("=")
    key = name.lower()
    if not has_value and (key in _PLAIN_VARIABLES or key.startswith("no")):
        return MailSetting("plain", name, None)  # a switch on, or a variable unset
    if key in _FILE_VARIABLES:
        return MailSetting("file", name, value or None)
    if key in _PROGRAM_VARIABLES or key.startswith("pipe-"):
        if key in ("mta", "sendmail") and value.startswith(_NETWORK_MTA):
            return MailSetting("plain", name, value)
        return MailSetting("program", name, value or None)
    if key == "smtp" and value.startswith(_NETWORK_MTA):
        return MailSetting("plain", name, value)  # the old spelling of an SMTP server
    if key in _PLAIN_VARIABLES:
        return MailSetting("plain", name, value)
    return MailSetting("unknown", name, value)


def header_recipients(text: str) -> tuple[str, str]:
    """The field (lowercased) and its addresses of s-nail's `-T 'FIELD: ADDR'`."""
    field, _, addresses = text.partition(":")
    return field.strip().lower(), addresses.strip()


def special_recipients(value: str) -> list[str]:
    """The recipients in `value` (a comma-separated list, or one `|CMD`) that are no address
    (with `expandaddr`, which any mailrc may set: attack t29f, finding 2): `|CMD`, `+NAME`, or
    one holding `/`."""
    parts = [value] if value.startswith("|") else [part.strip() for part in value.split(",")]
    return [part for part in parts if part.startswith(("|", "+")) or "/" in part]


def mail_value_held(letter: str, value: str) -> bool:
    """Whether the value of mail's option `letter` hands the message (the stdin) to a program
    or a file, or may: recipients that are no address, a variable not known to be plain."""
    if letter in "cb":
        return bool(special_recipients(value))
    if letter == "T":
        field, addresses = header_recipients(value)
        return field == "fcc" or bool(special_recipients(addresses))
    if letter == "S":
        return mail_setting(value).kind != "plain"
    return False


def long_option_known(option: str) -> bool:
    """Whether a long option of mail is known to be harmless (`_LONG_FLAGS`, `_LONG_VALUES`)."""
    name = option.partition("=")[0]
    return name in _LONG_FLAGS or name in _LONG_VALUES


def _mail_recipients(words: list[_Word]) -> tuple[list[PathArg], list[str | None]]:
    """mail's recipients that are no address (`special_recipients`): `|CMD` runs CMD with the
    message on its stdin (shell code), one holding `/` is a file the message is appended to,
    `+folder` one in the folder mail's settings name (known only at run time). Every word that
    is no option, and the values of Cc, Bcc and -T, are read so; the variables -S sets are read
    by `mail_setting`, and a long option not known to be harmless is unknown."""
    paths: list[PathArg] = []
    codes: list[str | None] = []
    pending: str | None = None  # the option letter whose value is the next word
    for word in words[1:]:
        value = word.value
        if pending is not None:
            if value is None:
                if pending in "cbST":
                    paths.append(PathArg(f"(mail's -{pending} value {word.text})", "unknown"))
            elif pending != "-":
                _option_value(pending, value, word, paths, codes)
            pending = None
            continue
        if value is None:
            continue
        if value.startswith("--"):
            name, has_value, _ = value.partition("=")
            if name == "--":
                continue
            if name in _LONG_VALUES and not has_value:
                pending = "-"
            elif not long_option_known(value):
                paths.append(PathArg(f"(mail's option {name}, which may name a file or a "
                                     "program)", "unknown"))
            continue
        if value.startswith("-") and value != "-":
            # an option that takes a value takes the rest of the word, or the next word
            letters = value[1:]
            index = next((i for i, c in enumerate(letters) if c in MAIL_VALUES), None)
            if index is None:
                continue
            rest = letters[index + 1:]
            if rest:
                _option_value(letters[index], rest, word, paths, codes)
            else:
                pending = letters[index]
            continue
        _recipients(value, word, paths, codes)
    return paths, codes


def _option_value(letter: str, value: str, word: _Word, paths: list[PathArg],
                  codes: list[str | None]) -> None:
    """The files and code of the value of mail's option `letter`."""
    if letter in "cb":
        _recipients(value, word, paths, codes)
    elif letter == "T":
        field, addresses = header_recipients(value)
        if field == "fcc" and addresses:
            paths.append(_path_arg(_Word(addresses, word.text)))  # a file copy of the message
        _recipients(addresses, word, paths, codes)
    elif letter == "S":
        setting = mail_setting(value)
        if setting.kind == "file":
            # `+NAME` (in the folder), `%`, `&`, `#`: a mailbox mail's settings name
            known = setting.value and setting.value[:1] not in "+%&#@"
            paths.append(_path_arg(_Word(setting.value, word.text)) if known else
                         PathArg(f"(mail's {setting.name} file, known only at run time)", "unknown"))
        elif setting.kind == "program":
            codes.append(setting.value)
        elif setting.kind == "unknown":
            paths.append(PathArg(f"(mail's variable {setting.name}, which may name a file or a "
                                 "program)", "unknown"))


def _recipients(value: str, word: _Word, paths: list[PathArg], codes: list[str | None]) -> None:
    """The code and files of the recipients in `value` that are no address."""
    for each in special_recipients(value):
        if each.startswith("|"):
            codes.append(each[1:])
        elif each.startswith("+"):
            paths.append(PathArg(f"(the mail folder {each})", "unknown"))
        else:
            paths.append(_path_arg(_Word(each, word.text)))
