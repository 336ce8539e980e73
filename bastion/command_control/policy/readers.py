"""Programs that read their standard input (`_reads_input`: always, files, a program, a
prompt), and programs with a command language that can run shell commands or write any file,
reading it from their stdin unless an option or operand gives it (`_reads_commands`, `_EDITORS`,
`_COMMAND_LANGUAGES`)."""

from __future__ import annotations

import re

from bastion.command_control.policy.editors import _VIM_LIKE
from bastion.command_control.policy.mail_writes import MAIL_VALUES, mail_value_held, special_recipients
from bastion.command_control.policy.options import _last_argument, _options, _scan_options
from bastion.command_control.policy.paths import _descriptor_file
from bastion.command_control.policy.program_writes import _sqlite_words
from bastion.command_control.policy.programs import _debugger_batch
from bastion.command_control.policy.renames import _MMV, _RENAMERS, reads_names
from bastion.command_control.policy.script_readers import (
    EXIM_NAMES,
    XML_SHELLS,
    XSLT_PROCESSORS,
    reads_script,
)
from bastion.command_control.policy.shells import _INLINE_CODE, INTERPRETERS
from bastion.command_control.policy.words import _Word, may_be_option

# Programs that read their standard input (see `stdin_reader`). "always"; "files": when no
# file operand is given, or `-`; "program": as "files", the first operand being a program or
# a pattern unless an option gives it; "prompt": unless an option says yes to every question.
_READS_ALWAYS = frozenset({
    "read", "mapfile", "readarray", "tee", "tr", "bc", "dc", "sponge", "ts", "pv", "cpio",
    "ifne", "vipe", "mail", "mailx", "sendmail", "nc", "ncat", "netcat", "socat", "telnet",
    "sftp", "ftp", "lftp", "mysql", "mariadb", "psql", "sqlite3", "mongo", "mongosh",
    "redis-cli", "chpasswd", "chgpasswd", "newusers", "debconf-set-selections", "wall", "line",
    "head", "cat", "dd", "xargs", "ssh", "logger", "systemd-cat", "crontab", "fsck",
    # found after outside attack U: a prompt for each new name (imv, icp), an editor started
    # on the same stdin, which takes a script's next lines for keys (`:!cmd`)
    "imv", "icp", "qmv", "qcp", "vidir",
})  # fmt: skip
_READS_FILES = frozenset({
    "cat", "tac", "head", "tail", "nl", "wc", "sort", "uniq", "cut", "paste", "fold", "fmt",
    "rev", "od", "xxd", "hexdump", "hd", "base64", "base32", "basenc", "md5sum", "sha1sum",
    "sha224sum", "sha256sum", "sha384sum", "sha512sum", "b2sum", "cksum", "sum", "gzip",
    "gunzip", "zcat", "bzip2", "bunzip2", "bzcat", "xz", "unxz", "xzcat", "lzma", "zstd",
    "unzstd", "zstdcat", "lz4", "strings", "less", "more", "most", "column", "expand",
    "unexpand", "join", "comm", "diff", "cmp", "iconv", "split", "csplit", "tsort", "pr",
    "shuf", "yq", "look", "tar",
})  # fmt: skip
_READS_PROGRAM = {"sed": ("-e", "--expression", "-f", "--file"),
                  "grep": ("-e", "--regexp", "-f", "--file", "-r", "-R", "--recursive"),
                  "egrep": ("-e", "-f", "-r", "-R"), "fgrep": ("-e", "-f", "-r", "-R"),
                  "awk": ("-f", "--file"), "gawk": ("-f", "--file"), "mawk": ("-f",),
                  "nawk": ("-f",), "jq": ("-f", "--from-file", "-n", "--null-input")}
_READS_PROMPT = {"apt": ("-y", "--yes", "--assume-yes"), "apt-get": ("-y", "--yes", "--assume-yes"),
                 "aptitude": ("-y", "--assume-yes"), "yum": ("-y", "--assumeyes"),
                 "dnf": ("-y", "--assumeyes"), "microdnf": ("-y", "--assumeyes"),
                 "zypper": ("-n", "--non-interactive"), "pacman": ("--noconfirm",),
                 # found after outside attack U: pip asks for an index's password on stdin
                 # (through a buffer: the script after it) unless --no-input.
                 "pip": ("-y", "--yes", "--no-input"), "pip3": ("-y", "--yes", "--no-input")}
_ASKS = frozenset({"rm", "cp", "mv", "ln"})  # with -i, a question answered on stdin
# Short options that take an argument, so that it is no file operand (`head -n 1`).
_READ_OPTIONS = {
    "head": "nc", "tail": "ncs", "sort": "ktoST", "cut": "dfcb", "uniq": "fsw", "od": "AtjNSw",
    "split": "lbCna", "fold": "w", "fmt": "wpg", "nl": "bdfhilnsvw", "base64": "w",
    "base32": "w", "basenc": "w", "column": "sclo", "xxd": "cglos", "iconv": "fto",
    "join": "12joet", "pr": "hlwoNsSe", "shuf": "nio", "gzip": "S", "zstd": "o", "xz": "TM",
    "tar": "fCTXbHgKLNV", "less": "bhjkoOpPtTxyz", "strings": "nt", "diff": "CUIFLSxX",
    "sed": "ef", "grep": "efmABCd", "egrep": "efmABCd", "fgrep": "efmABCd", "awk": "fvF",
    "gawk": "fvFiEl", "mawk": "fvF", "nawk": "fvF", "jq": "f",
}  # fmt: skip
# Database clients read SQL from stdin unless an option gives it (or, for sqlite3, an
# operand after the database).
# found after outside attack G (finding 6): options whose value a program runs (long names, any
# start of one; short ones, attached or not).
_OPTION_CODE = {
    "sort": (("--compress-program",), ()),
    "dpkg": (("--pre-invoke", "--post-invoke", "--status-logger"), ()),
    "man": (("--pager", "--html"), ("-P", "-H")),
    "zip": (("--unzip-command",), ("-TT",)),
    # the program mysql pipes its output through (issue 12: a command language's other door)
    "mysql": (("--pager",), ()), "mariadb": (("--pager",), ()),
}
# found after outside attack j19f (finding 1): their other short options that take a value
# (required, or optional and then only the rest of the word: man's -T, -X), so that a code
# letter after one of them in a cluster is that value; any other letter is read as a flag
# (man-db 2.11's argp table; zip's parser: none listed, so `TT` anywhere in a cluster counts).
_OPTION_ARGUMENTS = {"man": "CLmMSseREprTX"}
# mysql's options that load a client plugin (a library: code) from a folder or by name.
MYSQL_PLUGINS = ("--plugin-dir", "--default-auth", "--plugin-load")
# less's `+CMD` that only moves (a line, the end, a search): any other may run `!cmd` or save.
_LESS_QUIET = re.compile(r"[0-9]*[gGFpP%]?|/[^!|]*|\?[^!|]*")
# apt settings that name no program (timeouts, proxies, answers, what to install).
_APT_SAFE = re.compile(
    r"(?i)(apt::get::[\w-]+|apt::install-(recommends|suggests)|apt::color|apt::sandbox::user"
    r"|acquire::[\w.:-]*(timeout|retries|languages|check-valid-until|forceipv[46]|proxy"
    r"|queue-mode|pdiffs|gzipindexes|allowinsecurerepositories|allowdowngradetoinsecurerepositories)"
    r"|debug::[\w:-]+|quiet|binary|apt::architecture|apt::default-release|dpkg::use-pty"
    r"|dpkg::progress-fancy|apt::periodic::[\w-]+)")
# The database clients' own commands (a backslash command; mysql's by name at a line's start):
# `\!` and `system` run shell commands, `\o |cmd`, `tee`, `pager` write files or run programs.
_CLIENT_COMMAND = re.compile(r"\\|^\s*(system|pager|tee|source|edit|nopager|notee"
                             r"|ssl_session_data_print)\b", re.I | re.M)
_SQL_GIVEN = {"mysql": ("-e", "--execute"), "mariadb": ("-e", "--execute"),
              "psql": ("-c", "--command", "-f", "--file"), "mongo": ("--eval",),
              "mongosh": ("--eval",)}


_READERS = _READS_ALWAYS | _READS_FILES | set(_READS_PROGRAM) | set(_READS_PROMPT) | _ASKS | {
    "sudo", "passwd", "sqlite3", "tar", *_SQL_GIVEN, *_RENAMERS, *_MMV}


def _reads_input(name: str, words: list[_Word]) -> bool:
    """Whether a command may read its standard input (`stdin_reader`'s table)."""
    if name not in _READERS and INTERPRETERS.fullmatch(name) is None:
        return False
    values = [w.value for w in words[1:]]
    if any(v is None for v in values) and (name in _READS_ALWAYS or name in _READS_FILES
                                           or name in _READS_PROGRAM):
        return True  # `cat $f`, `head $opts`: perhaps no file, perhaps `-`
    args = [v for v in values if v is not None]
    options = [a for a in args if a.startswith("-") and a != "-"]
    if name in ("read", "mapfile", "readarray"):
        # -u FD reads another descriptor (an approximation: any -u counts as another).
        return not any(a.startswith("-") and "u" in a and not a.startswith("--") for a in args)
    if name == "xargs":
        return not any(a in ("-a", "--arg-file") or a.startswith(("-a", "--arg-file="))
                       for a in options)
    if name == "dd":
        return not any(a.startswith("if=") for a in args)
    if name == "ssh":
        return not any(a.startswith("-") and not a.startswith("--") and ("n" in a or "f" in a)
                       for a in options)
    if name == "crontab":
        return "-" in args or not ({"-l", "-r", "-e", "-i"} & set(options) or [
            a for a in args[1 if args[:1] == ["-u"] else 0:] if not a.startswith("-")][1 if
                                                                 "-u" in args else 0:])
    if name in _SQL_GIVEN:
        return not any(o.split("=", 1)[0] in _SQL_GIVEN[name] for o in options)
    if name == "sqlite3":
        return len([a for a in args if not a.startswith("-")]) < 2
    if name == "redis-cli":
        return not [a for a in args if not a.startswith("-")]
    if name == "sudo":
        return "-S" in options or "--stdin" in options
    if name in ("passwd", "chpasswd") or name == "passwd":
        return "--stdin" in options or name == "chpasswd"
    if name in _RENAMERS or name in _MMV:
        return reads_names(name, words)
    if name in _ASKS:
        return any(a.startswith("-") and not a.startswith("--") and "i" in a for a in options) \
            or "--interactive" in options
    if name in ("pip", "pip3") and any(a == "-" or _descriptor_file(a) is not None for a in args):
        return True  # `pip install -r /dev/stdin`: the requirements are the script after it
    if name in _READS_PROMPT:
        return not any(a in _READS_PROMPT[name] or (a.startswith("-") and not a.startswith("--")
                                                    and "y" in a and name != "zypper")
                       for a in options)
    if name == "tar":
        scanned = _scan_options(words, 1, _options(_READ_OPTIONS["tar"], ("--file",)))
        archive = _last_argument(scanned[1], {"-f", "--file"}) if scanned is not None else None
        return archive is None or archive[1] is None or archive[1].value in (None, "-")
    if INTERPRETERS.fullmatch(name) is not None and name not in _READS_PROGRAM:
        family = INTERPRETERS.fullmatch(name)
        inline = _INLINE_CODE.get(family.lastgroup or "", "") if family else ""
        # Code on the command line (`python3 -c 'input()'`): a program the policy does not
        # read. A script file is any program's peer (README).
        return any(not o.startswith("--") and set(o[1:]) & set(inline) for o in options)
    scanned = _scan_options(words, 1, _options(_READ_OPTIONS.get(name, ""), lone_dash=False))
    operands = [w.value or "" for w in words[scanned[0]:]] if scanned is not None else [
        a for a in args if not a.startswith("-") or a == "-"]
    if name in _READS_PROGRAM:
        if not any(o.split("=", 1)[0] in _READS_PROGRAM[name] or (
                not o.startswith("--") and o[1:2] in "efrR" and o[:2] in _READS_PROGRAM[name])
                for o in options):
            operands = operands[1:]  # the program or pattern
        elif name.endswith("grep") and any(o in ("-r", "-R", "--recursive") or (
                not o.startswith("--") and ("r" in o or "R" in o)) for o in options):
            return "-" in operands
        return not operands or "-" in operands
    if name in _READS_FILES:
        return not operands or "-" in operands
    return name in _READS_ALWAYS


# found after outside attack G (finding 2): programs with a command language that can run shell
# commands (sqlite3's `.shell`, gdb's `shell`, ed's and vim's `!`, psql's `\!`, mysql's
# `system`, ftp's `!`, dc's `!`) or write any file (ed's `w`), which read it from their stdin
# unless an option or operand gives it: that stdin is code, as an interpreter's program is.
# found after outside attack W (finding 6): every name vim goes by (gvim, evim, rgview...), and
# `editor`, `sensible-editor`, which start one (editors.py reads their command line).
_EDITORS = frozenset({"ed", "red", *_VIM_LIKE})
_COMMAND_LANGUAGES = _EDITORS | {
    "sqlite3", "gdb", "lldb", "dc", "ftp", "lftp", "sftp", "mysql", "mariadb", "psql", "mongo",
    "mongosh", "gnuplot", "octave",
    "m4",  # attack I, finding 3: syscmd and esyscmd run shell commands
    # found after outside attack d13f (finding 1): given no command, each reads its commands
    # from stdin (redis-cli's CONFIG SET dir, MODULE LOAD; virsh's destroy; ipmitool's shell)
    "redis-cli", "virsh", "ipmitool",
    # found after outside attack r27f (finding 8): smbclient's and sqlcmd's `!`, sqlplus's HOST,
    # mail's `!` (reading a mailbox) and `~!` (tilde escapes off a terminal with -~ or -I)
    "smbclient", "sqlplus", "sqlcmd", "mail", "mailx", "s-nail", "Mail",
    # found after outside attack t29f (finding 5): sqlite3's shells under other builds (their
    # `.shell`, `.system`, `.output`; duckdb's COPY ... TO), guestfish's `!cmd`, SQLcl's HOST
    "duckdb", "guestfish", "sql", "usql", "impacket-smbclient", "smbclient.py",
    # telnet with no host reads its own commands (`!cmd`), and its escape character leads to
    # them with one (attack t29f, finding 13)
    "telnet",
    # debuggers that read their commands (any code: `!os.system(...)`) from stdin under their
    # own names (attack u30o, finding 2)
    "pdb", "pdb3", "ipdb", "ipdb3", "jdb", "byebug", "rdbg", "pry",
    # found after outside attack v31o (finding 5): database and cluster shells whose commands
    # run shell commands (`system`, `\\!`, `!sh`, `shell`, SHELL, `.OS`, `!system`) or write
    # files on the host they run on (`\\o FILE`, `INTO OUTFILE`, `COPY ... TO`, `.once`)
    "litecli", "mycli", "mysqlsh", "pgcli", "vsql", "nzsql", "beeline", "impala-shell",
    "isql-fb", "isql", "clickhouse-client", "clickhouse-local", "cqlsh", "hive", "bteq",
    "snowsql", "sqlline", "sqlite", "tsql", "osql", "edb-psql", "sqsh", "arangosh",
    # found after outside attack v31f (findings 4, 9, 24): xmllint's shell (save, write), tftp's
    # and the WebDAV and FTP clients' `get REMOTE LOCAL`, a stylesheet on stdin (exsl:document
    # writes any file), Exim's expansion test mode (`${run{CMD}}`): policy/script_readers.py
    "tftp", "atftp", "cadaver", "ncftp", "tnftp", "yafc", *XML_SHELLS, *XSLT_PROCESSORS, *EXIM_NAMES,
}  # fmt: skip
# mail's options: those that take a value, and the flags that keep it sending one message
# read from stdin as text (any other, -~ and -I included, may read commands or escapes).
_MAIL_FLAGS = "nNvdiHt"  # not mailutils' -E (--exec: a mail command such as `!cmd`; t29f, 2)
# Options that give the commands, so that none are read from stdin ("-": from stdin after all).
_COMMANDS_GIVEN = {"mysql": ("-e", "--execute"), "mariadb": ("-e", "--execute"),
                   "psql": ("-c", "--command", "-f", "--file", "-l", "--list"),
                   "mongo": ("--eval",), "mongosh": ("--eval",),
                   # lftp's -e commands (its `!` runs a shell): issue 12
                   "lftp": ("-c", "-f", "-e"),
                   "sftp": ("-b",), "dc": ("-e", "--expression", "-f", "--file"),
                   "smbclient": ("-c", "--command", "-L", "--list"),
                   "sqlcmd": ("-Q", "-i", "--query", "--input-file"),
                   "gnuplot": ("-e",), "octave": ("--eval",), "tftp": ("-c",),
                   "atftp": ("-g", "-p", "--get", "--put")}
# Their other short options that take an argument (so that `-Ufoo` is no `-f`), and those
# whose argument is only the rest of their own word (mysql's `-pSECRET`; `-p` alone prompts).
_COMMAND_ARGUMENTS = {"psql": "dhpUvoTFRPL", "mysql": "uphPSDO", "mariadb": "uphPSDO",
                      "lftp": "up", "tftp": "mR", "atftp": "rlP", "cadaver": "rp",
                      "sftp": "BcDFiJlPRSsoX", "dc": "",
                      "smbclient": "MILtbDTcdsliWUApmORn",
                      "sqlcmd": "SUPdHltshwaAcfLrvWkmyYqoxzZuRKG"}
_ATTACHED_ONLY = {"mysql": "p", "mariadb": "p"}
# found after outside attack e14f (finding 6): the database clients' long options known to be
# flags; any other, given without `=`, may take the next word as its value.
_MYSQL_LONG_FLAGS = frozenset({
    "--auto-rehash", "--no-auto-rehash", "--skip-auto-rehash", "--batch", "--binary-mode",
    "--column-names", "--skip-column-names", "--column-type-info", "--comments",
    "--skip-comments", "--compress", "--debug-check", "--debug-info", "--force", "--html",
    "--ignore-spaces", "--line-numbers", "--skip-line-numbers", "--named-commands",
    "--skip-named-commands", "--no-beep", "--no-defaults", "--one-database", "--quick", "--raw",
    "--reconnect", "--skip-reconnect", "--safe-updates", "--i-am-a-dummy", "--secure-auth",
    "--show-warnings", "--sigint-ignore", "--silent", "--table", "--unbuffered", "--verbose",
    "--version", "--vertical", "--wait", "--xml", "--help", "--ssl", "--skip-ssl",
    "--print-defaults", "--no-tee", "--no-pager", "--password", "--binary-as-hex",
    "--enable-cleartext-plugin", "--skip-pager", "--tee-stdout", "--progress-reports"})
_CLIENT_LONG_FLAGS = {
    "psql": frozenset({"--echo-all", "--echo-errors", "--echo-queries", "--echo-hidden",
                       "--no-readline", "--single-transaction", "--help", "--version", "--list",
                       "--quiet", "--single-step", "--single-line", "--no-align", "--csv",
                       "--html", "--tuples-only", "--expanded", "--field-separator-zero",
                       "--record-separator-zero", "--no-password", "--password",
                       "--no-psqlrc"}),
    "mysql": _MYSQL_LONG_FLAGS, "mariadb": _MYSQL_LONG_FLAGS,
}


def _cluster_takes_next(arg: str, takes: str, attached_only: str = "") -> int:
    """1 when a cluster of short options (no `--`) ends in a letter whose argument is the
    next word (getopt: the first letter of `takes` in the cluster takes the rest of the word,
    or the next word when it is last), else 0."""
    if arg.startswith("--") or not arg.startswith("-") or arg == "-":
        return 0
    for offset, letter in enumerate(arg[1:], start=2):
        if letter in takes:
            return int(offset == len(arg) and letter not in attached_only)
    return 0


def _only_informs(name: str, args: list[str], posix: bool = False) -> bool:
    """Whether a command-language client is only asked for its help or version: such a word
    counts as the first argument, or after an operand or an option with its value attached
    (`psql -h db1 --help`), never where it may be an option's value (`ed -p --version`,
    `sqlite3 -cmd -version`, `psql -U --help`: attack e14f, finding 6). With `posix` (the
    statement names POSIXLY_CORRECT, which ends getopt's options at the first operand) a word
    after an operand-like word does not count (`gdb -q prog --version`: attack f15f, finding 5)."""
    informs = _ONLY_INFORMS | _INFORMS.get(name, frozenset())
    for index, arg in enumerate(args):
        if arg == "--":
            return False
        if arg in informs:
            before = args[index - 1] if index else None
            if before is None or before in informs or (not posix and (
                    not before.startswith("-") or before == "-")) \
                    or (before.startswith("--") and "=" in before):
                return True
    return False
# Pagers that take a command as `+CMD` (less's `+!cmd` runs it; `pager` is often less).
_PAGERS = frozenset({"less", "pager", "more", "most"})
_CODE_IN_OPTIONS = frozenset({*_OPTION_CODE, *_EDITORS, *_COMMANDS_GIVEN, *_PAGERS, "apt", "apt-get",
                               "aptitude"})
_ONLY_INFORMS = frozenset({"--version", "--help"})
# Each program's own short (or one-dash) help and version words, as its manual names them: a
# letter is no help word elsewhere (found after outside attack f15f, findings 3 and 4: `-V` is
# verbose to vim and octave, `psql -version` is `-v ersion`; mysql's -h names the host: d13f).
_INFORMS: dict[str, frozenset[str]] = {
    **dict.fromkeys(_VIM_LIKE, frozenset({"-h"})),
    "ed": frozenset({"-h", "-V"}), "red": frozenset({"-h", "-V"}),
    "sqlite3": frozenset({"-version", "-help"}), "gdb": frozenset({"-version", "-help", "-h"}),
    "lldb": frozenset({"-h", "-v"}), "dc": frozenset({"-h", "-V"}), "lftp": frozenset({"-h", "-v"}),
    "mysql": frozenset({"-V", "-?"}), "mariadb": frozenset({"-V", "-?"}), "psql": frozenset({"-V", "-?"}),
    "gnuplot": frozenset({"-h", "-V"}), "octave": frozenset({"-h", "-v"}), "redis-cli": frozenset({"-v"}),
    "virsh": frozenset({"-h", "-v", "-V"}), "ipmitool": frozenset({"-h", "-V"}),
}
# Per program that takes its command as its operands: the short options (letters) and long
# ones whose value is the next word, so that value is no command (`virsh -c URI`, d13f).
_OPERAND_COMMANDS = {
    "redis-cli": ("hpsaunridDtX", frozenset({"--user", "--pass", "--sni", "--cacert", "--cacertdir",
                                            "--cert", "--key", "--tls-ciphers", "--tls-ciphersuites",
                                            "--rdb", "--functions-rdb", "--pipe-timeout", "--pattern",
                                            "--count", "--quoted-pattern", "--memkeys-samples",
                                            "--intrinsic-latency", "--eval", "--cluster",
                                            "--show-pushes", "--lru-test", "--keystats-samples",
                                            "--top"})),
    "virsh": ("cdekKl", frozenset({"--connect", "--debug", "--escape", "--keepalive-interval",
                                   "--keepalive-count", "--log"})),
    "ipmitool": ("IHpUfkyPLAtbTBmlRNCoOeSz", frozenset()),
    "octave": ("p", frozenset({"--path", "--exec-path", "--image-path", "--info-file",
                               "--info-program", "--doc-cache-file", "--texi-macros-file"})),
}


def _cluster_letter(arg: str, given: tuple[str, ...], takes: str) -> tuple[str | None, str]:
    """The letter of `given` (short options, `-c`) in a cluster of short options (`-Atc`,
    `-cSQL`) before any letter that takes an argument, and the rest of the word after it."""
    if arg.startswith("--") or not arg.startswith("-"):
        return None, ""
    letters = {g[1] for g in given if len(g) == 2}
    for offset, letter in enumerate(arg[1:], start=2):
        if letter in letters:
            return letter, arg[offset:]
        if letter in takes:
            break
    return None, ""


def _code_in_cluster(arg: str, shorts: tuple[str, ...], takes: str) -> str | None:
    """The value of a code option of `shorts` (`-P`, zip's two-letter `-TT`) anywhere in a
    cluster of short options (`-P`, `-Pcmd`, `-aP`, `-qTT`) before any letter that takes a
    value: the rest of the word ("" when the value is the next word); None if it is not there."""
    if arg.startswith("--") or not arg.startswith("-") or len(arg) < 2:
        return None
    offset = 1
    while offset < len(arg):
        for short in shorts:
            if arg.startswith(short[1:], offset):
                return arg[offset + len(short) - 1:]
        if arg[offset] in takes:
            return None
        offset += 1
    return None


def _reads_commands(name: str, words: list[_Word], posix: bool = False) -> bool:
    """Whether a program of _COMMAND_LANGUAGES reads its commands from its standard input;
    `posix`: the statement may set POSIXLY_CORRECT (`_only_informs`)."""
    values = [w.value for w in words[1:]]
    if any(v is None for v in values) or any(may_be_option(w) for w in words[1:]):
        return True  # a pattern may be an option (`psql -?` after `touch ./-q`), never a help word
    args = [v for v in values if v is not None]
    if _only_informs(name, args, posix):
        return False
    if name in _OPERAND_COMMANDS:
        # redis-cli and virsh run the command their operands give; ipmitool reads commands
        # from stdin in its `shell` (and `exec -`); octave's operand is its script file.
        operands = _operands(args, *_OPERAND_COMMANDS[name], _OPERAND_LONG_FLAGS.get(name))
        if name == "redis-cli" and "--pipe" in args:
            return True  # the commands are stdin, in Redis's protocol
        if name == "ipmitool":
            return operands[:1] == ["shell"] or (operands[:1] == ["exec"] and (
                len(operands) < 2 or operands[1] == "-" or _descriptor_file(operands[1]) is not None))
        return not operands or "-" in operands
    if name == "sqlite3":
        return _sqlite_words(words).reads_stdin
    if name in ("mail", "mailx", "s-nail", "Mail"):
        return _mail_reads_commands(args)
    if name in ("gdb", "lldb"):
        return not _debugger_batch(name, words)
    if name in XML_SHELLS or name in XSLT_PROCESSORS or name in EXIM_NAMES:
        return reads_script(name, args)
    given = _COMMANDS_GIVEN.get(name, ())
    takes = _COMMAND_ARGUMENTS.get(name, "")
    index = 0
    commands_given = False
    while index < len(args):
        arg = args[index]
        index += 1
        following: str | None = None
        if arg == "--":
            break
        if arg.startswith("--"):
            option, has_value, value = arg.partition("=")
            if option not in given:
                # getopt's reading: another option's value is no option (`psql -F -c db`,
                # `mysql --tee -e db`: attack e14f, finding 6); one not known to be a flag may
                # take the next word (then a command given after it is not seen: held).
                if not has_value and name in _CLIENT_LONG_FLAGS and \
                        option not in _CLIENT_LONG_FLAGS[name]:
                    index += 1
                continue
            following = value if has_value else None
        elif arg in given:
            following = None  # `gdb -batch`, or an option whose value is the next word
        else:
            # A cluster (`psql -Atc SQL`, `mysql -uroot -e SQL`): the option's argument is the
            # rest of the word or the next one.
            letter, rest = _cluster_letter(arg, given, takes)
            if letter is None:
                index += _cluster_takes_next(arg, takes, _ATTACHED_ONLY.get(name, ""))
                continue
            following = rest or None
        if following is None and index < len(args):
            following = args[index]
            index += 1
        # `psql -f -`, `sftp -b /dev/stdin`: the commands are stdin. psql and dc run every
        # command option in order, so one naming stdin after another still reads it
        # (`psql -c 'select 1' -f -`: attack f15f, finding 3).
        if following is not None and (following == "-" or _descriptor_file(following) is not None):
            return True
        commands_given = True
    if commands_given:
        # dc reads its file operands after its -e/-f commands (`dc -f x.dc -`); gnuplot too
        return name in ("dc", "gnuplot") and "-" in args
    if name == "m4":
        # m4 reads stdin given no file, or `-`, or a file that is a descriptor (`/dev/stdin`:
        # attack O); the word after -D, -I... is the option's, not a file.
        files = _operands(args, _M4_ARGUMENT, _M4_LONG_ARGUMENT)
        return not files or any(f == "-" or _descriptor_file(f) is not None for f in files)
    if name in ("dc", "gnuplot"):
        return not [a for a in args if not a.startswith("-")] or "-" in args
    return True


# m4's options that take an argument (as the next word when not attached).
_M4_ARGUMENT = "DUIFRLlot"
_M4_LONG_ARGUMENT = frozenset({"--define", "--undefine", "--include", "--freeze-state",
                               "--reload-state", "--nesting-limit", "--arglength",
                               "--error-output", "--trace", "--debugfile"})


# found after outside attack e14f (finding 11): virsh's long options known to be flags (any
# start of a name, as getopt_long reads it); any other may take the next word.
_OPERAND_LONG_FLAGS = {"virsh": frozenset({"--help", "--quiet", "--readonly", "--timing",
                                           "--version", "--no-pkttyagent"})}


def _operands(args: list[str], short: str, long: frozenset[str], flags: frozenset[str] | None = None
              ) -> list[str]:
    """The operands among `args`: the words that are neither options nor their arguments,
    read as getopt does: a cluster's letter of `short` takes the rest of its word or, last, the
    next word (`virsh -qc URI`). Given `flags` (getopt_long), a long option is any unambiguous
    start of a name, and one that is neither a flag nor in `long` may take the next word."""
    operands: list[str] = []
    skip = False
    for index, arg in enumerate(args):
        if skip:
            skip = False
        elif arg == "--":
            return operands + args[index + 1:]
        elif arg.startswith("--"):
            option = arg.partition("=")[0]
            if flags is not None:
                names = [n for n in long | flags if n.startswith(option)]
                option = option if option in long | flags else names[0] if len(names) == 1 else option
                skip = "=" not in arg and option not in flags
            else:
                skip = arg in long
        elif arg.startswith("-") and arg != "-":
            skip = bool(_cluster_takes_next(arg, short))
        else:
            operands.append(arg)
    return operands


def _mail_reads_commands(args: list[str]) -> bool:
    """Whether mail (bsd-mailx, s-nail, heirloom mailx) reads commands or tilde escapes from
    its stdin: given no address it reads a mailbox's commands (`!cmd`); -~ and -I turn on the
    escapes (`~!cmd`) off a terminal; any option not known to leave it sending text may."""
    addresses, index = [], 0
    while index < len(args):
        arg = args[index]
        index += 1
        if arg == "--":
            addresses += args[index:]
            break
        if not arg.startswith("-") or arg == "-":
            if special_recipients(arg):
                # a command fed the message, the stdin with it; a file or folder appended to
                # (with expandaddr, which any mailrc may set: attack t29f, finding 2)
                return True
            addresses.append(arg)
            continue
        for offset, letter in enumerate(arg[1:], start=2):
            if letter in MAIL_VALUES:
                value = arg[offset:] or (args[index] if index < len(args) else "")
                index += offset == len(arg)  # the value is the rest of the word or the next
                if mail_value_held(letter, value):
                    # Cc and Bcc are recipients too (attack u30f, finding 6), and -T's; -S
                    # may name a file or a program fed the message (attack v31f, finding 2)
                    return True
                break
            if letter not in _MAIL_FLAGS:
                return True
    return not addresses
