"""Programs under the names packages install them as, and programs no table reads that take
their program from standard input (found after outside attack a10f, findings 6, 7, 10, 11).

- `packaged_name`: a shell or interpreter built another way keeps its grammar under another
  name (`bash-static`, `bsd-csh`, `python3-dbg`, `gforth-fast`, `chicken-csi`); a pager
  wrapper execs less or more with the words it was given (`zless '+!cmd' F` is `less '+!cmd'
  F`). Each is read (and matched by rules) as the program it runs.
- `feeds_program`: a program no table reads, given no operand (or `-`, or a name of its stdin),
  reads its input from stdin, which for an interpreter the policy does not know (`lli`,
  `php-cgi`, `jimsh`, `tcc -run -`) is its program. Everyday programs known to read no program
  there are listed (`_NO_PROGRAM_ON_STDIN`); every other such program is judged as an
  interpreter reading its program from stdin.
- `client_option_code`: clients' options that run a command (`mysql --pager=CMD`, as
  MYSQL_PAGER does; `bat --pager CMD`) or load code or settings the line does not show.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bastion.command_control.policy.paths import _descriptor_file
from bastion.command_control.policy.words import _Word, may_be_option

# Pager wrappers (shell scripts that exec less or more with "$@" after setting LESSOPEN) and
# Debian's pager alternatives, read with the grammar of the pager they start; shells under a
# name of their own. `pager` and
# `sensible-pager` may be any pager: read as less, whose commands (`+!cmd`, `-o FILE`) are the
# widest of the common ones.
_OTHER_NAMES = {
    **{f"{z}less": "less" for z in ("z", "bz", "xz", "lz", "zstd", "lzma", "br", "lz4")},
    **{f"{z}more": "more" for z in ("z", "bz", "xz", "lz", "zstd", "lzma", "br", "lz4")},
    "pager": "less", "sensible-pager": "less", "less.real": "less",
    "jsh": "sh",  # the Heirloom Bourne shell (heirloom-sh) with job control
}
# Affixes Debian and others put on a program built another way (static, for debugging, with
# another threaded engine, from another project) that leave its grammar as it was.
_SUFFIXES = ("-static", ".static", "_static", "-dbg", "-debug", "-fast", "-itc", "-ditc",
             "-beta")
_PREFIXES = ("bsd-", "heirloom-", "chicken-", "mono-", "gnu-", "busybox-", "toybox-")


def packaged_name(name: str, known: object) -> str | None:
    """The program `name` runs under another packaged name, as a name `known` (a predicate on
    names: a table reads it) accepts, or None when `name` is no such spelling."""
    if name in _OTHER_NAMES:
        return _OTHER_NAMES[name]
    candidates = [name[: -len(s)] for s in _SUFFIXES if name.endswith(s)]
    candidates += [name[len(p):] for p in _PREFIXES if name.startswith(p)]
    for candidate in candidates:
        if len(candidate) > 1 and known(candidate):  # type: ignore[operator]
            return candidate
        inner = packaged_name(candidate, known) if len(candidate) > 1 else None
        if inner is not None:  # `chicken-csi-static`
            return inner
    return None


# Everyday programs no table reads that take no program from stdin (they print the state of
# the host, or ignore stdin): given no operand they are not taken for an interpreter. Programs
# that read commands from stdin without a terminal (top, htop, iotop read keys that kill or
# renice) are not here.
_NO_PROGRAM_ON_STDIN = frozenset({
    "uptime", "free", "dmesg", "ps", "date", "hostname", "hostnamectl", "whoami", "logname",
    "uname", "arch", "nproc", "printenv", "tty", "locale", "timedatectl", "loginctl", "users",
    "runlevel", "ss", "netstat", "nstat", "ifconfig", "route", "arp", "ethtool", "ping",
    "ping6", "dig", "nslookup", "host", "lscpu", "lsmod", "lspci", "lsusb", "lshw", "lsns",
    "lsipc", "lslocks", "lslogins", "lsmem", "lsinitramfs", "vmstat", "mpstat", "sar", "pidstat",
    "pstree", "pgrep", "pidof", "sleep", "yes", "seq", "getenforce", "sestatus", "systemctl",
    "systemd-detect-virt", "systemd-analyze", "docker", "podman", "kubectl", "crictl", "tput",
    "clear", "reset", "iptables", "ip6tables", "iptables-save", "ip6tables-save", "nft",
    "ipvsadm", "conntrack", "sensors", "numastat", "slabtop", "chronyc", "ntpq", "reboot",
    "poweroff", "halt", "shutdown",
    # filters that read data, not a program, from stdin (`diff -u a b | colordiff`)
    "bat", "batcat", "delta", "colordiff", "ccze", "numfmt", "mbuffer", "xmllint", "tidy",
    "envsubst", "expr",
    # (not `factor`: coreutils' reads numbers, but the Factor language's listener, also
    # `factor`, reads code: given no operand its first data is held; attack u30f, finding 12)
})  # fmt: skip
# SFTP servers where their packages install them: their stdin is the SFTP stream, judged packet
# by packet (sftplog). One of those names elsewhere (`ln -s /bin/bash ~/sftp-server`, a PATH
# lookup) is any other program (attack s28o, finding 3).
SFTP_SERVERS = frozenset({"sftp-server", "gesftpserver"})
SFTP_SERVER_PATHS = frozenset({
    "/usr/lib/openssh/sftp-server", "/usr/libexec/openssh/sftp-server", "/usr/libexec/sftp-server",
    "/usr/lib/ssh/sftp-server", "/usr/lib/sftp-server", "/usr/lib/misc/sftp-server",
    "/usr/local/libexec/sftp-server", "/usr/lib/gesftpserver", "/usr/libexec/gesftpserver",
    "/usr/lib/gesftpserver/gesftpserver",
})  # fmt: skip
# A script named by its file (`deploy.sh`, `uv run x.py`): its program is that file.
_SCRIPT = re.compile(r".+\.(sh|bash|zsh|ksh|py|pl|rb|js|mjs|php|lua|tcl|R|awk|sed|exp|ps1)")
# Names of a program's own stdin given as its file (`tcc -run -`, `lli /dev/stdin`).
STDIN_NAMES = frozenset({"-", "/dev/stdin", "/dev/fd/0", "/proc/self/fd/0"})
# Interpreters no other table reads that take their program from stdin when given none: an
# exec channel's data is then their program, held before it runs as `python3`'s is. Any other
# program no table reads, given no operand, only may (`./healthcheck`, `mytool -v` usually read
# nothing): its channel's first byte of data is held instead (bastion.ssh.fed_gate).
STDIN_INTERPRETERS = frozenset({
    "lli", "php-cgi", "phpdbg", "jimsh", "tclsh8.6", "picolisp", "pil", "newlisp", "pike",
    "csharp", "csi", "kawa", "gforth", "guile", "gosh", "racket", "sbcl", "clisp", "ecl", "gcl",
    "ocaml", "runghc", "runhaskell", "ghci", "scala", "groovy", "groovysh", "jshell", "jrunscript",
    "rhino", "qjs", "d8", "deno", "bun", "elixir", "iex", "erl", "escript", "julia", "octave",
    "R", "Rscript", "swipl", "gprolog", "fish", "xonsh", "elvish", "nu",
    "rc", "es", "yash", "posh", "osh", "oksh", "loksh", "sash", "ysh", "ion",
    # found after outside attack e14f (finding 7)
    "raku", "rakudo", "perl6", "ts-node", "ts-node-esm", "tsx",
})


# found after outside attack d13f (finding 1): the options of STDIN_INTERPRETERS whose value is
# the next word (`lli -O 3`, `php-cgi -d x=1`, `newlisp -m 10`, `pike -M DIR`): a lone word
# after one is its value, not a program file (`option_operand`).
_STDIN_VALUE_OPTIONS = {
    "lli": frozenset({"-O", "-load", "-entry-function", "-extra-module", "-extra-object",
                      "-extra-archive", "-mtriple", "-march", "-mcpu", "-relocation-model",
                      "-code-model", "-fake-argv0", "-jit-kind"}),
    "php-cgi": frozenset({"-c", "-d", "-z", "-b", "-T"}),
    "phpdbg": frozenset({"-c", "-d", "-z", "-b", "-O", "-I", "-S", "-l", "-a"}),
    "newlisp": frozenset({"-m", "-s", "-d", "-w", "-p", "-t", "-l", "-L"}),
    "pike": frozenset({"-M", "-I", "-P", "-m", "-V", "-s"}),
    "octave": frozenset({"-p", "--path", "--exec-path", "--image-path", "--info-file",
                         "--info-program", "--doc-cache-file", "--texi-macros-file"}),
    "raku": frozenset({"-I", "-M", "--target", "--ll-exception", "--rakudo-home",
                       "--repl-mode", "--profile-filename", "--optimize", "--encoding",
                       "--stagestats"}),
    "ts-node": frozenset({"-r", "--require", "-P", "--project", "-C", "--compiler", "-O",
                          "--compilerOptions", "-D", "--ignoreDiagnostics", "-I", "--ignore",
                          "--cwd", "--dir", "--scope-dir", "--transpiler"}),
}
_STDIN_VALUE_OPTIONS["rakudo"] = _STDIN_VALUE_OPTIONS["perl6"] = _STDIN_VALUE_OPTIONS["raku"]
_STDIN_VALUE_OPTIONS["ts-node-esm"] = _STDIN_VALUE_OPTIONS["ts-node"]
# Their options that give the program on the line (`raku -e CODE`): no program is read.
_STDIN_CODE_OPTIONS = {"raku": frozenset({"-e"}), "rakudo": frozenset({"-e"}), "perl6": frozenset({"-e"}),
                       "ts-node": frozenset({"-e", "--eval", "-p", "--print"}),
                       "ts-node-esm": frozenset({"-e", "--eval", "-p", "--print"}),
                       "tsx": frozenset({"-e", "--eval", "-p", "--print"}),
                       "octave": frozenset({"--eval"})}
# LLVM's tools read options of one dash whose value is `=VALUE` or the next word, whichever
# the option is: an option no table lists may take the word after it (attack h17f, finding 3).
_ANY_OPTION_TAKES_VALUE = frozenset({"lli"})
_VERSION = re.compile(r"-[0-9][0-9.]*")
_DATA_URL = re.compile(r"(?:^|=)data:(?!:)")


def loads_stream(value: str, named: Callable[[str], object] = _descriptor_file) -> bool:
    """Whether an option's value (or its part after `=`) names the program's stdin or another
    descriptor (`/dev/stdin`, `/dev/fd/0`; `named`: the collector's reading, which resolves a
    relative name against the folders the line moved to, `cd /dev; lli -extra-module=stdin`:
    attack k20f, finding 7), or is a stream of code (`code_stream`)."""
    if code_stream(value):
        return True
    text = value.rsplit("=", 1)[-1]
    return text in STDIN_NAMES or named(text) is not None


def code_stream(value: str) -> bool:
    """Whether an option's value names a stream rather than a file: `php://stdin`, `php://fd/0`,
    `php://filter/resource=php://input`, `data:text/plain,<?php ...` (php's `-d
    auto_prepend_file=`: attack i18f, finding 5). `Data::Dumper` is a module, not a data: URL."""
    lower = value.lower()
    return "://" in lower or _DATA_URL.search(lower) is not None


PHP_FILES = ("auto_prepend_file", "auto_append_file")


def on_include_path(value: str, words: list[_Word]) -> list[str]:
    """php's `-d auto_prepend_file=NAME` (or auto_append_file) with a relative NAME is looked
    for along include_path, which `-d include_path=A:B` sets: NAME in each folder of it
    (`php -d include_path=/dev -d auto_prepend_file=stdin`: /dev/stdin), `/dev/fd/0` for an
    include_path known only at run time (held); none for any other value (attack k20f,
    finding 7)."""
    key, equals, name = value.partition("=")
    if not equals or key.strip() not in PHP_FILES or name.startswith("/"):
        return []
    found: list[str] = []
    for word in words[1:]:
        if word.value is None:
            if "include_path" in word.text:
                found.append("/dev/fd/0")
            continue
        _, given, folders = word.value.partition("include_path=")
        found += [f"{folder.rstrip('/') or '/'}/{name}" for folder in folders.split(":")
                  if given and folder]
    return found


# Options that load a file of code (lli's extra modules, php's -c and -z, `-d
# auto_prepend_file=`): a relative name in a folder known only at run time may be a descriptor
# there (`cd "$d" && lli -extra-module=0`). Another option's value (`-O 3`, `-d
# display_errors=0`) is taken for a descriptor only where the folder is known.
_LOADING_OPTION = re.compile(r"-(?:extra-(?:module|object|archive)|load|[cz])")


def _named_for(option: str, value: str, named: Callable[[str], object]) -> Callable[[str], object]:
    if _LOADING_OPTION.fullmatch(option) or value.partition("=")[0].strip() in PHP_FILES:
        return named
    return lambda text: None if (found := named(text)) == "unknown" else found


def option_operand(name: str, words: list[_Word], named: Callable[[str], object] = _descriptor_file
                   ) -> str | None:
    """For one of STDIN_INTERPRETERS whose words are options (and their values) only, read as
    getopt does: "value" when every word not an option is the value of an option that takes
    the next word (`_STDIN_VALUE_OPTIONS`: `lli -O 3`, `lli -fake-argv0 x -O 3`), or the line
    names stdin (`-`), so the program is read from stdin; "maybe" when a word after an option
    not known to take one may be its value or the program file (`newlisp -n x`); None when a
    word is certainly the program file, or code is given on the line (attack e14f, finding 7:
    options before the lone operand in any number; `lli-14` is lli). A word known only at run
    time may be `-`, naming stdin: "value" (attack h17f, finding 3; f15f, finding 2)."""
    values = [w.value for w in words[1:]]
    versioned = _VERSION.fullmatch(name, name.rfind("-")) if "-" in name else None
    if versioned is not None and name[:versioned.start()] in STDIN_INTERPRETERS:
        name = name[:versioned.start()]
    if name not in STDIN_INTERPRETERS or len(values) < 2:
        return None
    certain = True
    index = 0
    while index < len(values):
        value = values[index]
        if value is None or may_be_option(words[index + 1]):
            return "value"  # a pattern too may be an option (`lli -* x`: h17f, finding 2)
        following = values[index + 1] if index + 1 < len(values) else None
        option, _, attached = value.partition("=")
        if value == "-" or loads_stream(attached, _named_for(option, attached, named)) or (
                following is not None and loads_stream(following, _named_for(
                    value, following, named))) or any(
                named(c) is not None for setting in (value[2:], following or "")
                for c in on_include_path(setting, words)):
            # an option's value naming stdin or a stream (`lli -extra-module=/dev/stdin x.ll`,
            # `php-cgi -d auto_prepend_file=php://stdin x.php`: attack i18f, finding 5)
            return "value"
        if value == "--" or not value.startswith("-") or value.partition("=")[0] in \
                _STDIN_CODE_OPTIONS.get(name, ()):
            return None
        if "=" not in value and following is not None:
            if value in _STDIN_VALUE_OPTIONS.get(name, ()) or (
                    name in _ANY_OPTION_TAKES_VALUE and not following.startswith("-")):
                index += 2
                continue
            if not following.startswith("-"):
                certain = False  # its value, or the program file
                index += 2
                continue
        index += 1
    return "value" if certain else "maybe"


def feeds_program(name: str, words: list[_Word],
                  names_stdin: Callable[[str], bool] = STDIN_NAMES.__contains__) -> bool:
    """Whether a program no table reads (`name`, its words) may take its program from stdin:
    it is not one of the everyday programs that take none nor a script named by its file
    (`deploy.sh`), and every word after its name is an option (so no file names its program),
    the end of options (`--`), or names its stdin (`names_stdin`: `-`, `/dev/stdin` in any
    spelling, attack c12f). A word known only at run time may be an option, or no word at all
    (`lli $(true)`, attack f15f, finding 2): it leaves the answer to the words the line shows."""
    if name in _NO_PROGRAM_ON_STDIN or _SCRIPT.fullmatch(name) or (
            name in SFTP_SERVERS and words[0].value in SFTP_SERVER_PATHS):
        return False
    ended = False
    for value in (w.value for w in words[1:]):
        if value is None:
            continue
        if value == "--" and not ended:
            ended = True
        elif not names_stdin(value) and (ended or not value.startswith("-")):
            return False
    return True


# Per client: long options whose value is a command it runs (`mysql --pager=CMD`, as
# MYSQL_PAGER does; `bat --pager CMD`), and whether that value may be the next word (mysql's
# is optional, so only attached); and long options that load code or settings the line does
# not show (a plugin, an option file that may set `pager=CMD`). Any unambiguous start of a
# name is taken, as getopt_long takes it.
_CLIENT_PROGRAMS: dict[str, tuple[frozenset[str], bool]] = {
    "mysql": (frozenset({"--pager"}), False), "mariadb": (frozenset({"--pager"}), False),
    "bat": (frozenset({"--pager"}), True), "batcat": (frozenset({"--pager"}), True),
    "delta": (frozenset({"--pager"}), True), "mycli": (frozenset({"--pager"}), True),
    "pgcli": (frozenset({"--pager"}), True), "litecli": (frozenset({"--pager"}), True),
}
_MYSQL_UNREAD = frozenset({"--defaults-file", "--defaults-extra-file", "--plugin-dir", "--default-auth",
                           "--defaults-group-suffix", "--plugin-load"})
_CLIENT_UNREAD = {"mysql": _MYSQL_UNREAD, "mariadb": _MYSQL_UNREAD, "mycli": frozenset({"--myclirc"}),
                  "pgcli": frozenset({"--pgclirc"}), "litecli": frozenset({"--liteclirc"})}
CLIENTS = frozenset(_CLIENT_PROGRAMS)


def client_option_code(name: str, words: list[_Word]) -> list[tuple[str, _Word]]:
    """What a client's options run: ("program", the command `--pager=CMD` names) and
    ("unknown", the option) for one that loads a plugin or an option file, or whose value is
    known only at run time. `mysql --pager` with no value is the pager $PAGER names (judged
    where PAGER is set)."""
    found: list[tuple[str, _Word]] = []
    programs, next_word = _CLIENT_PROGRAMS[name]
    for index, word in enumerate(words[1:], start=1):
        value = word.value
        if value == "--":
            break
        if value is None and word.text.startswith("--"):
            option = word.text.partition("=")[0]
            if len(option) > 2 and any(full.startswith(option) for full in programs | _CLIENT_UNREAD.get(
                    name, frozenset())):
                found.append(("unknown", word))  # `--pager="$CMD"`
            continue
        if value is None or not value.startswith("--"):
            continue
        option, equals, rest = value.partition("=")
        if len(option) < 4:
            continue
        if any(full.startswith(option) for full in programs):
            command = _Word(rest, rest) if equals else words[index + 1] if next_word and \
                index + 1 < len(words) else None
            if command is not None and command.value is None:
                found.append(("unknown", command))
            elif command is not None:
                found.append(("program", command))
        elif any(full.startswith(option) for full in _CLIENT_UNREAD.get(name, ())):
            found.append(("unknown", word))
    return found
