"""Programs that read a program or a command language from their stdin under some options only
(found after outside attack v31f, findings 4, 9 and 24), read by readers._reads_commands:

- `xmllint --shell FILE`: its shell's `save NAME` and `write NAME` write any file;
- XSLT processors given their stylesheet on stdin (`xsltproc - x.xml`, `saxon -xsl:-`,
  `xmlstarlet tr - x.xml`): EXSLT's `exsl:document` and XSLT 2's `xsl:result-document` write
  any file with any content, so the stylesheet is a program (an interpreter's, not typed);
- Exim's expansion test mode given no string (`exim4 -be`): each line read is expanded, and
  `${run{CMD}}` runs CMD. Its strings on the line are read by `exim_code`: unknown code where
  one holds an expansion item (`${...}`), as an interpreter's code on the line is held; after
  `--` (or the first operand) every word is a string, `-${run{CMD}}` too (attack x33f, 6), and
  every word after the mode is read so; `-bf /dev/stdin` (a filter test) reads its filter from
  the stdin; a `-DMACRO=` value with an expansion item is unknown code.

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
        return _expansions(args) == [] or exim_filter_stdin(args)
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


# Exim's options whose value may be the next word (exim.c, main's option loop): a word after one
# of them is no expansion string.
_EXIM_VALUES = frozenset({
    "-B", "-C", "-F", "-f", "-r", "-h", "-L", "-O", "-oA", "-oB", "-oMa", "-oMaa", "-oMas",
    "-oMai", "-oMi", "-oMm", "-oMr", "-oMs", "-oMt", "-oP", "-or", "-os", "-oX", "-p", "-R",
    "-Rf", "-Rff", "-Rr", "-Rrf", "-Rrff", "-S", "-Sf", "-Sff", "-Sr", "-Srf", "-Srff", "-X",
    "-z", "-bem", "-bF", "-bf", "-bfd", "-bfl", "-bfp", "-bfs", "-bh", "-bhc", "-bmalware",
    "-MCG", "-Mset", "-Mar", "-Mes", "-Mmd", "-Mvb", "-Mvc", "-Mvh", "-Mvl",
})  # fmt: skip
# Exim's filter test modes: the filter file (`-bf /dev/stdin`: the line's stdin) is a program.
_FILTER_TESTS = frozenset({"-bf", "-bF"})


def _expansions(args: list[str]) -> list[str] | None:
    """The strings Exim's expansion test mode expands from its line (None: not that mode), read
    as exim.c does (attack x33f, finding 6): options end at the first word not starting with
    `-`, or after `--`; every word from there is a string, whatever it starts with
    (`exim4 -be -- '-${run{CMD}}'`). A string after an option the table does not know to take
    a value may be that value: it is still counted (so the stdin is taken as unread only where
    a word surely is a string, and `exim_code` reads every word after the mode anyway)."""
    mode = False
    index = 0
    while index < len(args):
        arg = args[index]
        index += 1
        if arg == "--":
            break
        if not arg.startswith("-") or arg == "-":
            index -= 1
            break
        if arg in _EXPANSION_MODES:
            mode = True
        if arg in _EXIM_VALUES:
            index += 1
    if not mode and not any(a in _EXPANSION_MODES for a in args):
        return None
    return args[index:]


def _mode_words(args: list[str]) -> list[str]:
    """Every word after Exim's first expansion test mode option (but `-bem`'s message file):
    the expansion strings and any option's value, all read for code (attack x33f, finding 6)."""
    mode = next((i for i, a in enumerate(args) if a in _EXPANSION_MODES), None)
    if mode is None:
        return []
    return args[mode + 1 + (args[mode] == "-bem"):]


def exim_filter_stdin(args: list[str]) -> bool:
    """Whether Exim's filter test (`-bf FILE`, `-bF FILE`) reads its filter from the stdin."""
    return any(a in _FILTER_TESTS and i + 1 < len(args) and _stdin(args[i + 1])
               for i, a in enumerate(args))


def exim_code(words: list[_Word]) -> list[str | None]:
    """Exim's expansion test strings on the line (`exim4 -be '${run{CMD}}'`): unknown code
    where one holds an expansion item (`${run`, `${perl`, `${readsocket`... ) or is known only
    at run time; a plain variable (`$tod_log`) is none."""
    if any(w.value is None for w in words[1:]):
        args = [w.value or "${" for w in words[1:]]
    else:
        args = [w.value or "" for w in words[1:]]
    codes = _macros(args)
    if _expansions(args) is not None:
        codes += [None for s in _mode_words(args) if "${" in s or "\\" in s]
    return codes


def _macros(args: list[str]) -> list[str | None]:
    """Exim's `-DNAME=VALUE` macros (root may give them) whose value holds an expansion item:
    unknown code, as the configuration expands it where the macro stands."""
    return [None for a in args if a.startswith("-D") and ("${" in a or "\\" in a)]
