"""Programs that read a program or a command language from their stdin under some options only
(found after outside attack v31f, findings 4, 9 and 24), read by readers._reads_commands:

- `xmllint --shell FILE`: its shell's `save NAME` and `write NAME` write any file;
- XSLT processors given their stylesheet on stdin (`xsltproc - x.xml`, `saxon -xsl:-`,
  `xmlstarlet tr - x.xml`): EXSLT's `exsl:document` and XSLT 2's `xsl:result-document` write
  any file with any content, so the stylesheet is a program (an interpreter's, not typed);
- Exim's expansion test mode given no string (`exim4 -be`): each line read is expanded, and
  `${run{CMD}}` runs CMD. Its strings on the line are read by `exim_code`: unknown code where
  one holds an expansion item (`${...}`), as an interpreter's code on the line is held.

A file that opens a descriptor (`/dev/stdin`, `/proc/self/fd/0`) counts as stdin."""

from __future__ import annotations

from bastion.command_control.policy.paths import _descriptor_file
from bastion.command_control.policy.words import _Word

XML_SHELLS = frozenset({"xmllint"})
XSLT_PROCESSORS = frozenset({
    "xsltproc", "saxon", "saxonb-xslt", "saxon-xslt", "saxon9", "saxon-he", "xalan", "Xalan",
    "xmlstarlet", "xml", "xmlstar",
})  # fmt: skip
EXIM_NAMES = frozenset({"exim", "exim4", "sendmail", "rsmtp", "rmail"})
# Exim's test modes that read strings to expand (`-bem FILE`: a message file first).
# The command languages above whose other words no table reads (`xmllint -o F`, `xsltproc
# --output F`, `tftp h get x F`): their files stay judged as an unread program's (unread.py).
STILL_UNREAD = frozenset({*XML_SHELLS, *XSLT_PROCESSORS, "tftp", "atftp", "cadaver", "ncftp", "tnftp",
                          "yafc", "exim",
                          "exim4", "rsmtp", "rmail"})
# Exim's test modes that read strings to expand (`-bem FILE`: a message file first).
_EXPANSION_MODES = frozenset({"-be", "-bem"})
# xsltproc's options that take the next word (two for --param, --stringparam).
_XSLTPROC_VALUES = {"-o": 1, "--output": 1, "--maxdepth": 1, "--maxvars": 1, "--maxparserdepth": 1,
                    "--path": 1, "--encoding": 1, "--writesubtree": 1, "--param": 2,
                    "--stringparam": 2}
# xmlstarlet's verbs that run a stylesheet, and its option reading the one a document embeds
_XMLSTARLET_TRANSFORM = frozenset({"tr", "transform"})
_XMLSTARLET_EMBED = frozenset({"-E", "--embed"})


def _stdin(value: str) -> bool:
    return value == "-" or _descriptor_file(value) is not None


def _names_stdin(arg: str) -> bool:
    """`-`, a descriptor file, or one as an option's attached value (`-xsl:-`, `--x=/dev/stdin`)."""
    return _stdin(arg) or any(sep in arg and _stdin(arg.partition(sep)[2]) for sep in ":=")


def reads_script(name: str, args: list[str]) -> bool:
    """Whether the program `name` (of XML_SHELLS, XSLT_PROCESSORS, EXIM_NAMES) reads its
    commands or its program from its stdin."""
    if name in XML_SHELLS:
        return any(a in ("--shell", "-shell") for a in args)  # xmllint takes both, exactly
    if name in EXIM_NAMES:
        return _expansions(args) == []
    if name in ("xmlstarlet", "xml", "xmlstar"):
        verb = next((i for i, a in enumerate(args) if not a.startswith("-")), None)
        if verb is None or args[verb] not in _XMLSTARLET_TRANSFORM:
            return False
        rest = args[verb + 1:]
        return any(_names_stdin(a) for a in rest) or bool(_XMLSTARLET_EMBED & set(rest))
    if name == "xsltproc":
        index = 0
        while index < len(args):
            arg = args[index]
            index += 1
            if arg == "-" or not arg.startswith("-"):
                return _stdin(arg)  # the first operand is the stylesheet
            # xsltproc takes its long names after one dash too (`-stringparam`)
            long = arg if arg.startswith("--") or len(arg) == 2 else f"-{arg}"
            index += _XSLTPROC_VALUES.get(long, 0)
        return False
    # saxon, xalan: the stylesheet by an option (`-xsl:-`, `-XSL -`) or an operand
    return any(_names_stdin(a) for a in args)


def _expansions(args: list[str]) -> list[str] | None:
    """The strings Exim's expansion test mode expands from its line (None: not that mode)."""
    mode = next((i for i, a in enumerate(args) if a in _EXPANSION_MODES), None)
    if mode is None:
        return None
    rest = args[mode + 1 + (args[mode] == "-bem"):]
    return [a for a in rest if not a.startswith("-")]


def exim_code(words: list[_Word]) -> list[str | None]:
    """Exim's expansion test strings on the line (`exim4 -be '${run{CMD}}'`): unknown code
    where one holds an expansion item (`${run`, `${perl`, `${readsocket`... ) or is known only
    at run time; a plain variable (`$tod_log`) is none."""
    if any(w.value is None for w in words[1:]):
        args = [w.value or "${" for w in words[1:]]
    else:
        args = [w.value or "" for w in words[1:]]
    strings = _expansions(args)
    if not strings:
        return []
    return [None for s in strings if "${" in s or "\\" in s]
