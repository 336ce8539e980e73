"""Programs the policy does not read, and the files they name.

Every outside attack on the command filter (K to U) found programs the tables read with the
wrong grammar or not at all: a partitioner writing a disk, a renamer taking names from an
editor, a tool with an output option no table knows. No list reaches the end of that class, so
the policy does not trust what it cannot read: a program outside every table may write any file
it names. `unread_paths` gives those names (operands, option values, and paths inside words,
`OUT:/etc/x`, `file:///etc/x`), and the collector judges them as a write that is not certain
(`SimpleCommand.unread`): a rule that protects one of them holds the line for a supervisor (its
action weakened to `[defaults].unknown`) where an unread program would otherwise pass.

What counts as read: a program with a handler in the collector, in a table of readers,
writers, unpackers, shells, interpreters or wrappers, a shell builtin, or one of the programs
below that only inspect what they are given (with the options that would make them write left
out). See docs/ARCHITECTURE.md, "Where each thing lives".
"""

from __future__ import annotations

import fnmatch
import functools
import posixpath
import re
import urllib.parse

from bastion.command_control.policy.configured_writes import _CURL_FILE_URL as _FILE_URL
from bastion.command_control.policy.db_shells import DB_SHELLS
from bastion.command_control.policy.names import _known, program_name
from bastion.command_control.policy.parse import _parse_tree
from bastion.command_control.policy.paths import HERE, PathArg, _operand_paths, _path_arg
from bastion.command_control.policy.toolchains import toolchain
from bastion.command_control.policy.transfers import READ_WHOLE
from bastion.command_control.policy.words import _GLOB_CHARS, _Word
from bastion.command_control.policy.wrapper_flags import OTHER_NAMES
from bastion.command_control.policy.wrappers import _DATA_PROGRAMS, _WRAPPERS

# bash's builtins and keywords that take words (the collector reads those that run or change
# anything; the rest print, test or set the shell's own state).
_BUILTINS = frozenset({
    ":", ".", "[", "[[", "alias", "bg", "bind", "break", "builtin", "caller", "cd", "command",
    "compgen", "complete", "compopt", "continue", "declare", "dirs", "disown", "echo", "enable",
    "eval", "exec", "exit", "export", "false", "fc", "fg", "getopts", "hash", "help", "history",
    "jobs", "kill", "let", "local", "logout", "mapfile", "popd", "printf", "pushd", "pwd", "read",
    "readarray", "readonly", "return", "set", "shift", "shopt", "source", "suspend", "test",
    "time", "times", "trap", "true", "type", "typeset", "ulimit", "umask", "unalias", "unset",
    "wait", "coproc",
})  # fmt: skip

# Programs that only inspect the files they are given, whatever their options (the pager
# wrappers, zless and kin, are read as the pager they exec: packaged.py; file's `-C`: collect_fed.py).
_INSPECTORS = frozenset({
    "ls", "dir", "vdir", "stat", "lsattr", "getfacl", "namei", "realpath", "readlink",
    "dirname", "basename", "du", "df", "lsblk", "findmnt", "last", "lastb", "id",
    "getent", "groups", "dumpe2fs", "xfs_info", "lsof", "zgrep", "zegrep", "zfgrep",
    "bzgrep", "xzgrep", "zstdgrep", "lzgrep", "zdiff", "zcmp", "sha1sum", "sha256sum",
    "sha512sum", "md5sum", "wc", "file", "which", "whereis",
    "whatis", "apropos", "pinky", "who", "w", "finger",
    # storage: unmounting, probing and listing write no block of a device
    "umount", "swapoff", "partprobe", "pvs", "vgs", "lvs", "pvdisplay", "vgdisplay",
    "lvdisplay", "findfs", "iostat",
    "auditctl",  # its watches name files it does not write; its rules meet the audit rules
    # listers and disk-usage viewers with no option that writes or removes (attack s28f:
    # a folder operand of an unread program is also the tree under it)
    "eza", "exa", "lsd", "duf", "dust",
    "klist",  # Kerberos's ticket and keytab lister (-k FILE, -c CACHE): reads (attack v31f)
    # the supervision suites' control and status tools: they write a service's control fifo
    # (a signal to its supervisor, judged as the start or stop it is: unit_servers.py), never
    # what the service runs (which confirm-server-config-writes holds)
    "sv", "runsvctrl", "runsvstat", "svwaitup", "svwaitdown", "s6-svc", "s6-svstat", "s6-svok",
    "s6-svwait", "s6-svdt", "svc", "svstat", "svok",
})  # fmt: skip

# Programs that make, or change, exactly the names they are given and nothing under them
# (mkdir, rmdir, touch, mkfifo and mknod have a writes table: writes.py).
_MAKES_ONLY = frozenset({"truncate", "fallocate"})
_RCLONE_READS = frozenset({"ls", "lsd", "lsl", "lsf", "lsjson", "cat", "check", "cryptcheck",
                           "size", "md5sum", "sha1sum", "hashsum", "tree", "about",
                           "listremotes", "version", "backend-features"})

# Programs that inspect what they are given unless one of these options (or, for a short one,
# its letter in a cluster) makes them write, act, or run something.
_INSPECTORS_UNLESS: dict[str, frozenset[str]] = {
    "blkid": frozenset({"-c", "--cache-file"}),
    "smartctl": frozenset({"-s", "--smart", "-t", "--test", "-o", "--offlineauto", "-S",
                           "--saveauto", "--set", "-X", "--abort"}),
    "utmpdump": frozenset({"-o", "--output", "-r", "--reverse"}),
    "journalctl": frozenset({"--vacuum-size", "--vacuum-time", "--vacuum-files", "--rotate",
                             "--flush", "--sync", "--relinquish-var", "--smart-relinquish-var",
                             "--setup-keys", "--update-catalog", "--cursor-file"}),
    "ausearch": frozenset({"--checkpoint"}),
    "fuser": frozenset({"-k", "--kill"}),  # what it kills: kills.py
    "badblocks": frozenset({"-w", "-n", "-o", "--output-file"}),
    "blockdev": frozenset({"--setro", "--setrw", "--setbsz", "--setfra", "--setra", "--flushbufs",
                           "--rereadpt"}),
    "lastlog": frozenset({"-C", "--clear", "-S", "--set"}),
    "aureport": frozenset(),
    # loads the profiles it names into the kernel (its unload and complain options are the
    # shipped no-apparmor-unload's: attack n23f); -o and the cache options write
    "apparmor_parser": frozenset({"-o", "--ofile", "-W", "--write-cache", "-L", "--cache-loc",
                                  "-S", "--stdout"}),
    # -E names its log file; the config it reads (-f) and tests (-t, -T) is only read; a
    # daemon it starts is held by confirm-other-ssh-server (attack j19f)
    "sshd": frozenset({"-E"}),
    "tree": frozenset({"-o"}),
    "inotifywait": frozenset({"-o", "--outfile", "-d", "--daemon"}),
    "inotifywatch": frozenset(),
    "fsfreeze": frozenset({"-f", "--freeze"}),  # thawing (-u) writes nothing
    "fdupes": frozenset({"-d", "--delete", "-l", "--log", "-L", "--linkhard"}),
    "jdupes": frozenset({"-d", "--delete", "-B", "--dedupe", "-L", "--link-hard", "-l",
                         "--link-soft", "-y", "--hash-db"}),
}

# Programs whose listing options only read: they are read when every option is one of these.
_LISTING_ONLY: dict[str, frozenset[str]] = {
    "fdisk": frozenset({"-l", "--list", "-x", "--list-details"}),
    "sfdisk": frozenset({"-l", "--list", "-d", "--dump", "-J", "--json", "-s", "--show-size",
                         "-V", "--verify"}),
    "gdisk": frozenset({"-l"}),
    "tune2fs": frozenset({"-l"}),
    "parted": frozenset({"-l", "--list", "-m", "--machine", "-s", "--script"}),
    "hdparm": frozenset({"-I", "-i", "-g", "-C"}),
    "cryptsetup": frozenset(),
    "mdadm": frozenset({"-D", "--detail", "-E", "--examine", "-Q", "--query", "-s", "--scan",
                        "-b", "--brief", "-v", "--verbose", "--detail-platform"}),
    # (attack W, finding 13: pwck and grpck rewrite the account files unless -r)
    "pwck": frozenset({"-r", "--read-only", "-q", "--quiet", "-qr", "-rq"}),
    "grpck": frozenset({"-r", "--read-only", "-q", "--quiet", "-qr", "-rq"}),
}
_PARTED_READS = frozenset({"print", "p"})
_CRYPTSETUP_PLAIN = frozenset({"-v", "--verbose", "--debug", "-q", "--batch-mode"})
# Programs in the reader tables (they read stdin, or a prompt's answer) that also write what
# their options or operands name (fsck repairs the device, `fsck -y /dev/sda1`: below), the database
# clients write query output (`psql -o F`, `redis-cli --rdb F`), the file-transfer clients
# fetch files (attack X, findings 11 and 12).
_WRITE_UNREAD = frozenset({"psql", "mysql", "mariadb", "redis-cli", "mongo", "mongosh",
                           "ftp", "lftp", "telnet", *DB_SHELLS})
_CRYPTSETUP_READS = frozenset({"status", "luksDump", "isLuks", "tcryptDump", "bitlkDump"})
# udevadm(8)'s commands that only read (attack Z, filter): `control`, `trigger`, `hwdb`, `lock`
# (runs a command), `test` and `test-builtin` (run the rules' programs) change state; so does
# `info --cleanup-db`.
_UDEVADM_READS = frozenset({"info", "monitor", "settle", "verify", "cat", "wait"})
_UDEVADM_WRITES = frozenset({"-c", "--cleanup-db"})

# A path inside a word: after `=`, `:` or `,` (an option's value, a URL, socat's address).
# Also after a shell's or a template's punctuation (attack Z, filter: `'x>/etc/x'`, `(/etc/x)`,
# `"/etc/x"` inside a word): such a path is also read up to the punctuation that may close it.
_INNER_PATH = re.compile(r"[=:,|@;\]<>(){}'\"`&!+]+(/[^,|;]*)")  # also `tee:a|/x`, `@/x`
_CLOSED = re.compile(r"[)}'\"`<>&]")


def is_read(name: str, words: list[_Word], handled: frozenset[str]) -> bool:
    """Whether the policy reads what `name` (with these words) does: a program with a handler
    (`handled`) or in one of the policy's tables, a builtin, or an inspector used to inspect."""
    if name in _WRITE_UNREAD:
        return False
    if name == "fsck":  # only `-n` (`-N`: show what would run) leaves the filesystem alone
        given = [w.value for w in words[1:] if w.value is None or w.value.startswith("-")]
        return None not in given and bool({"-n", "-N"} & set(given)) and not (
            {"-y", "-a", "-p", "-r", "--"} & set(given))  # `--`: the checker's own options
    # Known to a table (the one test names.py reads other names by), a builtin, an inspector;
    # a compiler driver's options are read whole (as gcc's were), a binary tool's only in part.
    if _known(name, handled) or name in _BUILTINS or name in _INSPECTORS or \
            name in _DATA_PROGRAMS or name in _WRAPPERS or name in READ_WHOLE or \
            toolchain(name) in ("driver", "cpp"):
        return True
    options = [w.value for w in words[1:] if w.value is None or w.value.startswith("-")]
    if None in options:
        return False
    if name == "rclone":
        # its listing verbs write nothing here (their operands are no folder it fills)
        verbs = [w.value for w in words[1:] if w.value and not w.value.startswith("-")]
        return bool(verbs) and verbs[0] in _RCLONE_READS and not any(
            o.partition("=")[0] in ("--log-file", "--dump", "--config") for o in options if o)
    if name == "udevadm":
        verbs = [w.value for w in words[1:] if w.value and not w.value.startswith("-")]
        return bool(verbs) and verbs[0] in _UDEVADM_READS and not any(
            _names(option, _UDEVADM_WRITES) for option in options if option)
    if name in _INSPECTORS_UNLESS:
        return not any(_names(option, _INSPECTORS_UNLESS[name]) for option in options if option)
    if name in _LISTING_ONLY:
        allowed = _LISTING_ONLY[name]
        if name == "parted":
            # With no command on the line parted reads its commands from stdin (attack X,
            # finding 11: `printf 'mklabel gpt\nYes\n' | parted /dev/sda`).
            verbs = [w.value for w in words[1:] if w.value and not w.value.startswith(("-", "/"))]
            listed = bool(set(options) & {"-l", "--list"})
            return all(o in allowed for o in options) and (listed or bool(verbs)) and all(
                v in _PARTED_READS for v in verbs)
        if name == "cryptsetup":
            # Only plain options: one taking a value could hide the action (`-d status
            # luksFormat`), and the key dumps write a key file.
            verbs = [w.value for w in words[1:] if w.value and not w.value.startswith(("-", "/"))]
            return (all(o in _CRYPTSETUP_PLAIN for o in options) and len(verbs) == 1
                    and verbs[0] in _CRYPTSETUP_READS)
        return bool(options) and all(o in allowed for o in options)
    return False


def _names(option: str, given: frozenset[str]) -> bool:
    """`option` is one of `given`: a long one with or without `=VALUE`, a short one alone or
    as a letter of a cluster."""
    if option.startswith("--"):
        # getopt_long takes any start of a long option (attack Z: `utmpdump --outp=F`)
        name = option.partition("=")[0]
        return len(name) > 2 and any(g.startswith(name) for g in given if g.startswith("--"))
    return any(f"-{letter}" in given for letter in option[1:])


def unread_paths(words: list[_Word]) -> tuple[PathArg, ...]:
    """The literal files a program the policy does not read names: its operands and option
    values (`_operand_paths`), and absolute paths inside words (`OUT:/x`, `file:///x`,
    `--a=b,c=/x`). Paths known only at run time are left out: that an unread program gets one
    is no sign it writes anything a rule protects."""
    words = [*words, *_pieces(words[1:])]
    found = [p for p in _operand_paths(words) if p.kind not in ("unknown", "fresh")]
    for word in words[1:]:
        if word.value is None:
            continue
        for match in _INNER_PATH.finditer(word.value):
            found.append(_path_arg(word, match.group(1), False))
            found.append(_path_arg(word, _CLOSED.split(match.group(1))[0], False))
        found += _other_spellings(word)
    # found after outside attack s28f (findings 17, 21): a program may write into, or remove,
    # the folder a word names (`lrzip -O /etc`, `innoextract -d /etc`, `dir:/etc`, `wipe -r`):
    # each name is also the tree under it, a pattern (`/etc/**`) judged as uncertain as it is.
    program = (words[0].value or "").rsplit("/", 1)[-1] if words else ""
    trees = [PathArg(f"{p.text.rstrip('/')}/**", "pattern", p.tilde) for p in found
             if p.kind in ("exact", "pattern") and p.text not in ("", ".", "..")
             and program not in _MAKES_ONLY]
    # found after outside attack u30f (findings 11, 21): `.` and `..` name the working folder
    # and its parent (`cd /etc && lrzip -d -O . X`), and a version control's working-copy
    # verb with no folder writes the working copy it runs in (`cd /etc && svn update`)
    trees += [HERE if p.text == "." else PathArg("../**", "pattern") for p in found
              if p.kind == "exact" and p.text in (".", "..")]
    if working_copy(program, words):
        trees.append(HERE)
    return tuple(dict.fromkeys([*found, *trees, *_under_folders(words)]))


# Version control clients no table reads, and their verbs that write no working copy.
_VERSION_CONTROL = frozenset({"svn", "svnlite", "fossil", "hg", "chg", "bzr", "brz", "darcs",
                              "cvs", "pijul", "jj"})
_VC_READS = frozenset({"status", "st", "stat", "log", "diff", "di", "info", "cat", "ls", "list",
                       "help", "version", "--version", "blame", "annotate", "praise", "ann",
                       "proplist", "propget", "pl", "pg", "timeline", "changes", "whatsnew",
                       "summary", "heads", "tip", "paths", "showconfig", "config", "identify",
                       "id", "incoming", "outgoing", "in", "out", "finfo", "search", "grep",
                       "mergeinfo", "rdiff", "rlog"})
# verbs that fetch a copy into a folder named by a last operand that is no URL
_VC_FETCHES = frozenset({"checkout", "co", "export", "clone", "get", "branch"})


def working_copy(program: str, words: list[_Word]) -> bool:
    """Whether a version control client (`_VERSION_CONTROL`) writes the working folder: any
    verb but a reading one (`_VC_READS`) that names no folder (`--workdir`, `--cwd`, `-R`,
    `-C`, or a fetching verb's last operand that is no URL); a word known only at run time
    counts."""
    if program not in _VERSION_CONTROL:
        return False
    values = [w.value for w in words[1:]]
    if None in values:
        return True
    options = [v for v in values if v and v.startswith("-")]
    if any(o.partition("=")[0] in ("--workdir", "--cwd", "-R", "--repository", "-C",
                                   "--repodir") for o in options):
        return False
    operands = [v for v in values if v and not v.startswith("-")]
    if not operands:
        return True
    verb = operands[0]
    if verb in _VC_READS:
        return False
    if verb in _VC_FETCHES and len(operands) > 2 and "://" not in operands[-1] and \
            not (program == "fossil" and verb in ("checkout", "co")):
        return False  # the folder is named: read as every unread name (NAME/**)
    return True


# found after outside attack X (finding 13): a home inside a word (`out:~root/../etc/x`) and
# a file URL with a host or %-escapes (`file://localhost/etc/x`, `file:///etc/%73udoers`).
_INNER_HOME = re.compile(r"[=:,|@;\]<>(){}'\"`&!+]+(~[^/,|;]*/[^,|;]*)")
# At most this many folders and relative words are paired (`_under_folders`); past it, a
# path known only at run time.
_MOST_PAIRS = 64


def _pieces(words: list[_Word]) -> list[_Word]:
    """The white-space separated pieces of each word that has several (attack Z, filter): a
    program may split a word itself (`prog 'x /etc/sudoers'`, `--opt='a /etc/shadow'`, `"-o
    /etc/x"`), so each piece may name a file as a word would. A piece `--` is left out: it
    would end the options of the words after it."""
    return [word._replace(value=piece, text=piece) for word in words if word.value is not None
            and len(pieces := word.value.split()) > 1 for piece in pieces if piece != "--"]


def _other_spellings(word: _Word) -> list[PathArg]:
    """Paths in `word` other than an absolute one after `=`, `:` or `,`: a relative path as an
    option's value (`--out=../etc/x`, `-o../etc/x`, judged in the working directory), a home
    inside the word, and a file URL's path read as curl reads it."""
    value = word.value or ""
    found: list[PathArg] = []
    if (value.startswith("-") and not value.startswith("--")) or "=" in value.partition("/")[0]:
        attached = value.partition("=")[2] if value.startswith("--") or not value.startswith("-") \
            else value[2:]
        if "/" in attached and not attached.startswith(("/", "~")) and "://" not in attached:
            found.append(_path_arg(word, attached, False))
    found += [_path_arg(word, m.group(1), True) for m in _INNER_HOME.finditer(value)]
    for match in _FILE_URL.finditer(value):
        found.append(_path_arg(word, urllib.parse.unquote(match.group(1)), False))
    if value.endswith("]") and "[" in value:  # ImageMagick's `FILE[0]` (a frame of FILE)
        found.append(_path_arg(word, value[:value.rindex("[")], False))
    return found


def _under_folders(words: list[_Word]) -> list[PathArg]:
    """Each relative word under each absolute one (an option's value or an operand): a folder
    option may make the others relative to it (`-C /etc sudoers`, `--dir=/etc sudoers.d/x`)."""
    folders, relative = [], []
    for word in words[1:]:
        value = word.value
        if value is None or "://" in value:
            continue
        attached = value.partition("=")[2] if value.startswith("--") else value[2:] \
            if value.startswith("-") else value
        if attached.startswith("/"):
            folders.append(attached.rstrip("/") or "/")
        elif not value.startswith("-") and value not in ("", ".", "..") and "=" not in value:
            relative.append(value)
    if len(folders) * len(relative) > _MOST_PAIRS:
        return [PathArg("(a file under a folder the words name)", "unknown")]
    return [PathArg(f"{folder.rstrip('/')}/{name}", "pattern" if _GLOB_CHARS.search(name) else "exact")
            for folder in dict.fromkeys(folders) for name in dict.fromkeys(relative)]


# found after outside attack a10f (finding 2): a program no table reads may be a launcher that
# runs the command after its options (choom, memusage, sotruss, uclampset, pg_virtualenv...).
# No list of launchers is complete, so a program the policy does not read is judged as one too
# where its words allow it: from each word that names a program a table knows (`rm`, a shell,
# a wrapper) or a rule of the loaded policy names (attack b11f, finding 1: `memusage userdel
# root`), or that follows `--`, and each word that is shell code (`_is_code`).
_PROGRAM_WORD = re.compile(r"(?:(?:.*/)?(?:s?bin|libexec)/)?([A-Za-z0-9_][A-Za-z0-9._+-]*)")
# What may make a word shell code rather than one word: an operator, a subshell, a
# substitution, a brace expansion that makes words (`{rm,-rf,/etc}`), a line break, or a blank
# between words (a brace group has blanks).
_CODE_SIGNS = re.compile(r"[;&|()<>`\n]|\$\(|\{[^{}\s]*,[^{}\s]*\}")
_BRACE_WORDS = re.compile(r"\{[^{}\s]*,[^{}\s]*\}")  # which the parser does not read: code
# At most this many commands and code strings are judged for one launcher: each is judged to
# the end of the line, so more would cost the square of the line's length; past it, unknown.
_MOST_LAUNCHED = 8


def launched(words: list[_Word], handled: frozenset[str], programs: frozenset[str] = frozenset(),
             names: bool = True) -> tuple[list[list[_Word]], list[str], str]:
    """What a program the policy does not read (`words`, its name first) may run if it is a
    launcher: the commands (each from a word naming a program a table knows or one of the
    rules' command patterns `programs` matches, an option's attached value naming one, or the
    word after `--`, to the end), the shell code strings (a word, or an option's attached
    value, that is shell code: `_is_code`), and a reason the launcher may change what they do
    ("" if none): a word before the last command that names a place (`-v /etc:/x`,
    `--chdir=DIR`) or is known only at run time, which the launcher may read as a folder, a
    root or a mount. `names` False (a package manager's verb, whose operands are packages:
    `pip install ansible`): only the command after `--` and the code strings."""
    commands: list[list[_Word]] = []
    codes: list[str] = []
    last = 0
    for index, word in enumerate(words[1:], 1):
        value = word.value
        if value is None:
            continue
        if words[index - 1].value == "--" or (names and _names_program(value, handled, programs)):
            commands.append(words[index:])
            last = index
        elif names and value.startswith("--") and _names_program(value.partition("=")[2], handled,
                                                                 programs):
            attached = value.partition("=")[2]
            commands.append([word._replace(value=attached, text=attached), *words[index + 1:]])
            last = index
        codes += [code for code in _code_parts(value) if _is_code(code)]
        # found after outside attack b11f (finding 8): `|CMD` as a file's name is a pipe into
        # CMD to many programs (`psql -o '|cmd'`, `--output=|cmd`, `--out=|cmd`, `-o|cmd`)
        codes += [code.lstrip("|") for code in _code_parts(value)
                  if code.startswith("|") and code.lstrip("|").strip()]
    if len(commands) + len(codes) > _MOST_LAUNCHED:
        return [], [], f"more than {_MOST_LAUNCHED} words that may start a command"
    if not commands:
        return [], codes, ""
    for word in words[1:last]:
        if word.value is None:
            return commands, codes, "a word known only at run time before the command it may run"
        if word.value != "--" and ("/" in word.value or word.value.startswith("~")):
            return commands, codes, "a word before that command names a place it may take for " \
                                    "the command's folder, root or mount"
    return commands, codes, ""


def _code_parts(value: str) -> list[str]:
    """The strings of one word a launcher may run as code: the word, or an option's attached
    value (`--hook-init=CODE`, `-eCODE`)."""
    if not value.startswith("-") or value.startswith("-|"):
        # a setting's value may be code (`npm pkg set scripts.x='rm -rf /etc'`: attack y34f, 4)
        return [value, *([value.partition("=")[2]] if "=" in value.partition(" ")[0] else [])]
    parts = [value.partition("=")[2]] if "=" in value else []
    return parts + ([value[2:]] if not value.startswith("--") else [])


def _is_code(value: str) -> bool:
    """Whether a launcher's word is shell code, whatever it starts with (attack b11f, finding
    3: `'true && rm -rf /etc'`, `'(rm -rf /etc)'`, `--hook-init='x=1; systemctl stop auditd'`):
    it parses as shell and holds an operator, a subshell, a substitution, a brace expansion,
    or more than one word. Text a shell cannot parse on one line (`it's done`, SQL's `select
    1; select 2`) is not: a shell refuses the line whole and runs nothing; on several lines it
    still counts (a shell runs the lines before the one it cannot parse)."""
    if _CODE_SIGNS.search(value) is None and len(value.split()) < 2:
        return False
    return "\n" in value or _BRACE_WORDS.search(value) is not None or not _parse_tree(value).has_error


@functools.lru_cache(maxsize=16)
def _rule_pattern(programs: frozenset[str]) -> re.Pattern[str] | None:
    """One pattern matching every name the rules' command patterns (fnmatch globs) name."""
    named = [fnmatch.translate(p) for p in sorted(programs) if _PROGRAM_WORD.fullmatch(p.replace("*", "x"))]
    return re.compile("|".join(named)) if named else None


def _names_program(value: str, handled: frozenset[str], programs: frozenset[str] = frozenset()
                   ) -> bool:
    """Whether `value` names a program a table knows or a rule names (`programs`): a name,
    or a path to one in a folder of programs in any spelling (`/usr/bin/rm`, `~/bin/sh`,
    `/bin//bash`, `/usr/bin/./bash`; not `/etc/passwd`, a file a launcher is more likely
    to be given to read)."""
    if "/" in value:  # found after outside attack b11f (finding 2): `//`, `/./`, `..`
        value = posixpath.normpath(re.sub(r"/+", "/", value))
    match = _PROGRAM_WORD.fullmatch(value)
    if match is None:
        return False
    base = match.group(1)
    name = program_name(OTHER_NAMES.get(base, base), handled)
    if _known(name, handled) or name in _WRAPPERS:
        return True
    pattern = _rule_pattern(programs)
    return pattern is not None and any(pattern.fullmatch(n) for n in (base, name))
