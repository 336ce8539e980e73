"""Variables: those whose value the shell later runs, shows or uses to find commands
(`_HOOKS`, `_hook_kind`, prompts decoded by `_decode_prompt`), set's letters by long name, and
arithmetic: the variables it reads (`_arithmetic_reads`), those that always hold numbers, and
the subscripts it evaluates."""

from __future__ import annotations

import re
import shlex

from tree_sitter import Node

from bastion.command_control.policy import handed_variables as handed
from bastion.command_control.policy.globs import _parts_meet, bracket
from bastion.command_control.policy.paths import PathArg
from bastion.command_control.policy.words import _GLOB_CHARS, _text, _Word
from bastion.text import digits, one_line

# set's one-letter options by their long names (`set -e` is `set -o errexit`).
_SET_LETTERS = {
    "a": "allexport", "b": "notify", "e": "errexit", "f": "noglob", "h": "hashall",
    "k": "keyword", "m": "monitor", "n": "noexec", "p": "privileged", "t": "onecmd",
    "u": "nounset", "v": "verbose", "x": "xtrace", "B": "braceexpand", "C": "noclobber",
    "E": "errtrace", "H": "histexpand", "P": "physical", "T": "functrace",
}  # fmt: skip

# Variables naming a file that a program (or the shell itself, for HISTFILE) writes, read as a
# write (`>`) of that file, as `history -w FILE` is, however they are set (alone, as a prefix,
# through export, declare or env): attack M, finding 1. "file": the value is the file; "dir":
# files are made in it (DIR/**); "trace": git's trace variables, a file only when the value is
# an absolute path (1, 2, true and descriptor numbers go to stderr or a descriptor), which for
# trace2 may be a folder git makes files in (DIR/*); "ccache": Kerberos' TYPE:PATH (FILE: and
# WRFILE: are files); "pid": the file with `.PID` added (ld.so's debug output).
_WRITTEN_FILES = {
    "HISTFILE": "file", "LESSHISTFILE": "file", "PYTHON_HISTORY": "file",
    "MYSQL_HISTFILE": "file", "PSQL_HISTORY": "file", "NODE_REPL_HISTORY": "file",
    "REDISCLI_HISTFILE": "file", "SQLITE_HISTORY": "file", "RANDFILE": "file",
    "SSLKEYLOGFILE": "file", "GIT_INDEX_FILE": "file", "XAUTHORITY": "file",
    "ICEAUTHORITY": "file", "PIP_LOG": "file", "PIP_LOG_FILE": "file",
    "LLVM_PROFILE_FILE": "profile", "DEAD": "file", "MBOX": "file",
    "GNUPGHOME": "dir", "GCOV_PREFIX": "dir", **handed.PACKAGE_FOLDERS,  # package folders: a36f, 23
    # found after outside attack u30f (finding 3): where go install, go get and the module
    # and build caches write (`GOBIN=/etc/cron.daily go install ./x`), as `go env -w` is read
    **dict.fromkeys(("GOBIN", "GOPATH", "GOMODCACHE", "GOCACHE", "GOTMPDIR"), "dir"),
    "KRB5CCNAME": "ccache", "LD_DEBUG_OUTPUT": "pid",
    # found after outside attack y34f (finding 3): the temporary folder of every program that
    # honours it (sort's chunks of its input, tac's, m4's, patch's, python's tempfile: names
    # with no dot, which /etc/sudoers.d and /etc/cron.d read)
    **dict.fromkeys(("TMPDIR", "TMP", "TEMP", "TEMPDIR", "SQLITE_TMPDIR", "MAGICK_TMPDIR"), "dir"),
    **{f"GIT_TRACE{suffix}": "trace" for suffix in (
        "", "_PACKET", "_PACKFILE", "_PERFORMANCE", "_SETUP", "_PACK_ACCESS", "_CURL",
        "_SHALLOW", "_REFS", "_FSMONITOR", "2", "2_EVENT", "2_PERF")},
    # found after outside attack s28f (finding 23): the sanitizers' options (log_path=F writes
    # F.PID; a symbolizer program, an options file, a coverage folder: unknown)
    **{f"{tool}SAN_OPTIONS": "sanitizer" for tool in ("A", "UB", "L", "M", "T", "HWA")},
}  # fmt: skip
# clang's profile file name tokens (`%c` is nothing, `%p` a pid, `%h` the host, `%Nm` a pool
# number, `%b` a binary id; `%t` is $TMPDIR: unknown): attack s28f, finding 23
_PROFILE_TOKENS = re.compile(r"%(c)|%([0-9]*m|[phb])")
_SANITIZER_UNKNOWN = frozenset({"external_symbolizer_path", "include", "include_if_exists",
                                "coverage_dir", "suppressions", "log_exe_name"})


def _written_paths(name: str, word: _Word) -> tuple[PathArg, ...]:
    """The files a program writes for `name=word` (see _WRITTEN_FILES): none for another
    variable or an empty value (which turns the file off), one of kind "unknown" for a value
    known only at run time. The value is not a pattern (an assignment does not glob)."""
    kind = _WRITTEN_FILES.get(name)
    value = word.value
    if kind is None or value == "":
        return ()
    if value is None:
        return (PathArg(word.text, "unknown"),)
    # bash expands an unquoted `~` right after the `=` and after each `:` of an assignment's
    # value (attack s28f, finding 1: `GIT_TRACE=~root/../etc/sudoers`, `FILE:~root/...`)
    tilde = word.text.startswith("~")
    if kind == "trace":
        if not (value.startswith("/") or tilde):
            return ()
        folder = (PathArg(f"{value.rstrip('/')}/*", "pattern", tilde),) \
            if name.startswith("GIT_TRACE2") else ()
        return (PathArg(value, "exact", tilde), *folder)
    if kind == "ccache":
        store, colon, rest = value.partition(":")
        if colon and store not in ("FILE", "WRFILE"):
            return ()  # KEYRING:, KCM:, MEMORY:, DIR: (a collection: taken as no file)
        if colon:
            value, tilde = rest, word.text.startswith(f"{store}:~")
    elif ":~" in word.text:
        return (PathArg(word.text, "unknown"),)  # `HISTFILE=a:~/x`: a tilde bash expands
    if kind == "profile" and "%" in value:
        value = _PROFILE_TOKENS.sub(lambda m: "" if m.group(1) else "*", value)
        return (PathArg(word.text, "unknown"),) if "%" in value else \
            (PathArg(value, "pattern" if "*" in value else "exact", tilde),)
    if kind == "sanitizer":
        found: list[PathArg] = []
        for setting in re.split(r"[:,\s]+", value):
            key, _, given = setting.partition("=")
            if key == "log_path" and given not in ("", "stdout", "stderr"):
                found.append(PathArg(f"{given}*", "pattern", given.startswith("~")))
            elif key in _SANITIZER_UNKNOWN:
                found.append(PathArg(f"({name}'s {key})", "unknown"))
        return tuple(found)
    if kind in ("dir", "data home"):  # XDG_DATA_HOME: itself and ../bin (b37f, 15)
        return tuple(PathArg(found, "pattern", tilde) for found in handed.folder_patterns(kind, value))
    if kind == "pid":
        return (PathArg(f"{value}.*", "pattern", tilde),)
    return (PathArg(value, "exact", tilde),)


# Variables whose value the shell later runs, shows after expansion, or uses to find commands:
# "code" is run as a command line, "prompt" is decoded (`\044` is `$`) then expanded as a
# double-quoted word, "expanded" is expanded so ($(...) runs: BASH_ENV and ENV before naming
# the file sourced, MAIL and MAILPATH when mail is checked), "unknown" is held whatever its
# value (BASH_CMDS maps names to programs, INPUTRC names key bindings), "program" is a command
# line another program runs later (GIT_SSH_COMMAND, PAGER, EDITOR), not with the line's stdin.
# BASH_FUNC_NAME%% in a child's environment defines a function. zsh's prompts are here too.
_MAKE_PROGRAMS = ("CC", "CXX", "CPP", "AS", "LD", "LEX", "YACC", "FC", "PC", "M2C", "AR", "RM",
                  "CO", "GET", "MAKEINFO", "TEX", "TEXI2DVI", "WEAVE", "CWEAVE", "TANGLE",
                  "CTANGLE", "LINT", "OBJC", "CHECKOUT,v", "LEX.l", "YACC.y", "PREPROCESS.S",
                  "PREPROCESS.F", "PREPROCESS.r", "COMPILE.c", "COMPILE.cc", "COMPILE.C",
                  "COMPILE.cpp", "COMPILE.s", "COMPILE.S", "COMPILE.f", "COMPILE.F", "COMPILE.r",
                  "COMPILE.p", "COMPILE.mod", "COMPILE.def", "COMPILE.m", "LINK.c", "LINK.cc",
                  "LINK.C", "LINK.cpp", "LINK.s", "LINK.S", "LINK.f", "LINK.F", "LINK.r",
                  "LINK.p", "LINK.o", "LINK.m", "LINT.c", "OUTPUT_OPTION", "GO", "MAKE")
_MAKE_FLAGS = ("CFLAGS", "CXXFLAGS", "CPPFLAGS", "ASFLAGS", "LDFLAGS", "LDLIBS", "LOADLIBES",
               "LFLAGS", "YFLAGS", "FFLAGS", "PFLAGS", "RFLAGS", "ARFLAGS", "COFLAGS", "GFLAGS",
               "LINTFLAGS", "TARGET_ARCH", "TARGET_MACH", "OBJCFLAGS", "MAKEINFO_FLAGS")
_HOOKS = {
    "PROMPT_COMMAND": "code", "BASH_ALIASES": "code",
    "PS0": "prompt", "PS1": "prompt", "PS2": "prompt", "PS4": "prompt", "PROMPT": "prompt",
    "PROMPT2": "prompt", "PROMPT3": "prompt", "PROMPT4": "prompt", "RPROMPT": "prompt",
    "RPS1": "prompt", "RPS2": "prompt", "SPROMPT": "prompt",
    "BASH_ENV": "expanded", "ENV": "expanded", "MAIL": "expanded", "MAILPATH": "expanded",
    "BASH_CMDS": "unknown", "INPUTRC": "unknown", "histchars": "unknown",
    "BASHOPTS": "unknown",  # a bash started with it sets shopt options (attack a10f: cdspell)
    "TERM": "terminal",
    # found after outside attack G: programs git, man, less and their kin run from the environment
    "GIT_SSH_COMMAND": "program", "GIT_SSH": "program", "GIT_PROXY_COMMAND": "program",
    "GIT_EXTERNAL_DIFF": "program", "GIT_PAGER": "program", "GIT_EDITOR": "program",
    "GIT_SEQUENCE_EDITOR": "program", "GIT_ASKPASS": "program", "SSH_ASKPASS": "program", "PAGER": "program",
    "MANPAGER": "program", "EDITOR": "program", "VISUAL": "program",
    "GIT_CONFIG_PARAMETERS": "unknown", "GIT_CONFIG_COUNT": "unknown", "GIT_CONFIG_GLOBAL": "unknown",
    "GIT_CONFIG_SYSTEM": "unknown", "LESSOPEN": "unknown", "LESSCLOSE": "unknown",
    # found after outside attack I (finding 5): programs' options read from the environment
    # (`_ENV_OPTIONS`), and more programs and files run from it
    **{name: "options" for name in (
        "TAR_OPTIONS", "GZIP", "PIGZ", "BZIP2", "BZIP", "XZ_OPT", "XZ_DEFAULTS", "LESS",
        "MAKEFLAGS", "MFLAGS", "GNUMAKEFLAGS", "PERL5OPT", "RUBYOPT", "NODE_OPTIONS")},
    "RSYNC_RSH": "program", "RSYNC_CONNECT_PROG": "program",
    "LESSKEY": "unknown", "LESSKEYIN": "unknown", "LESSKEY_SYSTEM": "unknown",
    "LESSKEYIN_SYSTEM": "unknown", "LESSKEY_CONTENT": "unknown", "LESSEDIT": "unknown",
    "LESSHISTFILE": "unknown", "PERL5DB": "unknown", "PYTHONINSPECT": "unknown",
    # found after outside attack K (finding 5): more programs' pagers, editors and options
    # taken from the environment (systemctl, journalctl, psql, sudoedit, fc, zip, unzip...)
    **{name: "program" for name in (
        "SYSTEMD_PAGER", "SYSTEMD_EDITOR", "PSQL_PAGER", "PSQL_EDITOR", "BROWSER", "FCEDIT",
        "SUDO_EDITOR", "SUDO_ASKPASS", "SVN_EDITOR", "KUBE_EDITOR", "GH_PAGER", "GH_EDITOR",
        "AWS_PAGER", "SELECTED_EDITOR", "DIFFPROG", "MYSQL_PAGER",
        # the package managers' editors (`GEM_EDITOR=CMD gem open x`: attack y34f, finding 4)
        "GEM_EDITOR", "BUNDLER_EDITOR", "HOMEBREW_EDITOR", "HGEDITOR", "CVSEDITOR")},
    **{name: "options" for name in (
        "SYSTEMD_LESS", "ZIPOPT", "ZIP", "UNZIP", "UNZIPOPT", "ZIPINFO", "ZIPINFOOPT")}, "PSQLRC": "unknown",
    # found after outside attack O (finding 8): startup files of wget and curl, which may name
    # the file a download is written to (`output_document = F`, `output = F`)
    "WGETRC": "unknown", "CURL_HOME": "unknown",
    # found after outside attack s28f (finding 18): wget's system startup file, wget2's
    "SYSTEM_WGETRC": "unknown", "WGET2RC": "unknown",
    # and other programs' options, settings files and commands from the environment
    **dict.fromkeys(("APT_CONFIG", "MANOPT", "PARALLEL", "FZF_DEFAULT_OPTS",
                     "RIPGREP_CONFIG_PATH", "HGRCPATH", "GIT_WORK_TREE", "GOFLAGS", "GOENV"),
                    "unknown"),
    **dict.fromkeys(("SVN_SSH", "CVS_RSH", "FZF_DEFAULT_COMMAND"), "program"),
    # found after outside attack O (finding 11): where git finds its repository (hooks and
    # settings in it), settings, programs, templates (hooks again) and objects
    **{name: "unknown" for name in (
        "GIT_DIR", "GIT_COMMON_DIR", "GIT_EXEC_PATH", "GIT_TEMPLATE_DIR", "GIT_CONFIG",
        "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES")},
    # found after outside attack m22f (finding 9): vim's and vi's start-up Ex commands (`:!CMD`)
    # and the files or folders they are read from, for any editor a program starts
    **{name: "unknown" for name in (
        "VIMINIT", "EXINIT", "GVIMINIT", "MYVIMRC", "MYGVIMRC", "VIM", "VIMRUNTIME",
        "NVIM_APPNAME", "NVIM_SYSTEM_RPLUGIN_MANIFEST")},
    # found after outside attack m22f (finding 8): the programs and options make's built-in
    # rules hand to /bin/sh (`$(CC) $(CFLAGS) ...`), from its line or its environment
    **dict.fromkeys(_MAKE_PROGRAMS, "make program"),
    **dict.fromkeys(_MAKE_FLAGS, "make flags"),
    "MAKEFILES": "unknown",
    # found after outside attack s28f (finding 7): the transports git may use, `ext` (a command
    # per remote, as protocol.ext.allow) among them
    "GIT_ALLOW_PROTOCOL": "protocols",
    # found after outside attack x33f (finding 8): ssh options other programs hand to the ssh
    # they run (ssh_handoffs.VARIABLES: a ProxyCommand there runs here), the programs they run
    # in place of ssh, and ClusterShell's settings folder (groups upcalls, ssh_path)
    **dict.fromkeys(("PDSH_SSH_ARGS", "PDSH_SSH_ARGS_APPEND", "ANSIBLE_SSH_ARGS",
                     "ANSIBLE_SSH_COMMON_ARGS", "ANSIBLE_SSH_EXTRA_ARGS", "ANSIBLE_SCP_EXTRA_ARGS",
                     "ANSIBLE_SFTP_EXTRA_ARGS"), "ssh options"),
    **dict.fromkeys(("BORG_RSH", "ANSIBLE_SSH_EXECUTABLE", "ANSIBLE_SCP_EXECUTABLE",
                     "ANSIBLE_SFTP_EXECUTABLE", "RCLONE_SFTP_SSH",  # z35f 3: the other plugins'
                     "ANSIBLE_PARAMIKO_PROXY_COMMAND", "ANSIBLE_LIBSSH_PROXY_COMMAND"), "program"),
    # ... their ssh_config files (a ProxyCommand), and the debug gem's server (z35f, 3 and 17)
    **dict.fromkeys(("CLUSTERSHELL_CFGDIR", "ANSIBLE_NETCONF_SSH_CONFIG", "ANSIBLE_LIBSSH_CONFIG_FILE",
                     "RUBY_DEBUG_OPEN", "RUBY_DEBUG_PORT"), "unknown"), **handed.HANDED_HOOKS,
}  # fmt: skip
# Per variable: the program that reads its options from it, the options known harmless (no
# program, code or file they name, no operand: `XZ_OPT=/etc/shadow` compresses it), and those
# whose value is the next word, a number. Any other word is unknown: the policy judges no
# option list it does not read (attack I, finding 5: `TAR_OPTIONS='--to-command=CMD'`).
# GREP_OPTIONS is not read by grep since 2.21 (2014); make takes SHELL from a makefile, never
# from the environment.
_COMPRESSION = r"-[1-9]|--best|--fast|-[qvk]+|--quiet|--verbose|--keep"
_ENV_OPTIONS: dict[str, tuple[str, re.Pattern[str], frozenset[str]]] = {
    "TAR_OPTIONS": ("tar", re.compile(
        r"-v+|--verbose|--(no-)?same-(owner|permissions)|--numeric-owner|--warning=[\w-]+"
        r"|--format=\w+|--sort=\w+|--(owner|group|mode|mtime)=[\w:.,+-]+|--exclude=[^/\s]*"
        r"|--exclude-(vcs|vcs-ignores|backups|caches|caches-all|caches-under)"
        r"|--(no-)?(wildcards|anchored|ignore-case|recursion|xattrs|acls|selinux)"
        r"|--ignore-failed-read|--totals|--blocking-factor=[0-9]+|-b[0-9]+|--record-size=[0-9]+\w?"
        r"|--delay-directory-restore|--no-overwrite-dir|--skip-old-files|--keep-old-files|-k"
        r"|--one-file-system|--checkpoint(=[0-9]+)?|--full-time|--utc|--touch|-m|-p"
        r"|--preserve-permissions|--quoting-style=[\w-]+|--atime-preserve(=\w+)?"), frozenset()),
    "GZIP": ("gzip", re.compile(_COMPRESSION + r"|-[nN]+|--(no-)?name|--rsyncable|--synchronous"),
             frozenset()),
    "PIGZ": ("pigz", re.compile(_COMPRESSION + r"|-[nN]+|--(no-)?name|--rsyncable|-[pb][0-9]+"
                                r"|--(processes|blocksize)=[0-9]+"), frozenset({"-p", "-b"})),
    "BZIP2": ("bzip2", re.compile(_COMPRESSION + r"|-s|--small"), frozenset()),
    "XZ_OPT": ("xz", re.compile(_COMPRESSION + r"|-[0-9]e|-e|--extreme|-T[0-9]+|--threads=[0-9]+|-M\S+"
                                r"|--memlimit(-compress|-decompress|-mt-decompress)?=\S+|-Q"
                                r"|--no-warn|--no-adjust|--no-sparse|--check=\w+"
                                r"|--block-size=[0-9]+\w*"), frozenset({"-T", "-M"})),
    # less: letters without a dash too (`LESS=FRX`); not -o/-O (a log file), -k (a lesskey
    # file) or `+CMD` (a command run at start).
    "LESS": ("less", re.compile(r"-{0,1}[A-NP-Za-jl-np-z~#0-9.]+|--(?!log|LOG|lesskey|tag)[\w-]+"
                                r"(=[\w.,]*)?"), frozenset()),
    "MAKEFLAGS": ("make", re.compile(
        r"-?[kinsSwBqrRteL]+|-j[0-9]*|-l[0-9.]*|--jobs(=[0-9]+)?|--load-average(=[0-9.]+)?"
        r"|--(no-)?print-directory|--silent|--quiet|--(no-)?keep-going|--output-sync(=\w+)?"
        r"|-O\w*|--no-builtin-(rules|variables)|--warn-undefined-variables|--trace"
        r"|--debug(=\w+)?|--environment-overrides"), frozenset({"-j", "-l"})),
    "PERL5OPT": ("perl", re.compile(r"-[wWXtTU]+|-C[0-9]*"), frozenset()),
    "RUBYOPT": ("ruby", re.compile(r"-[wv]|-W[0-2]?|-W:[\w-]+|--(disable|enable)[-=][\w,-]+"
                                   r"|--y?jit|-E[\w:-]+|--(external-)?encoding=[\w:-]+"), frozenset()),
    "NODE_OPTIONS": ("node", re.compile(
        r"--max-(old|semi)-space-size=[0-9]+|--enable-source-maps|--no-(warnings|deprecation)"
        r"|--trace-(warnings|deprecation|uncaught)|--unhandled-rejections=[\w-]+"
        r"|--dns-result-order=[\w-]+|--openssl-legacy-provider|--use-(openssl|bundled)-ca"
        r"|--max-http-header-size=[0-9]+|--stack-trace-limit=[0-9]+|--tls-(min|max)-v1\.[0-3]"),
        frozenset()),
}
# zip and unzip: quietness, verbosity, levels and ways of storing names; not -T/-TT (a test
# command), -d (a folder), -O/-b (files), -x/-i (names), -@.
_ENV_OPTIONS["ZIPOPT"] = ("zip", re.compile(r"-[0-9qvrDXyjJlk]+|--(quiet|verbose|recurse-paths)"),
                          frozenset())
_ENV_OPTIONS["ZIP"] = _ENV_OPTIONS["ZIPOPT"]
_ENV_OPTIONS["UNZIP"] = ("unzip", re.compile(r"-[qonCLaXjV]+|-aa"), frozenset())
_ENV_OPTIONS["UNZIPOPT"] = _ENV_OPTIONS["UNZIP"]
_ENV_OPTIONS["ZIPINFO"] = ("zipinfo", re.compile(r"-[12smlvhMtTz]+"), frozenset())
_ENV_OPTIONS["ZIPINFOOPT"] = _ENV_OPTIONS["ZIPINFO"]
_ENV_OPTIONS["SYSTEMD_LESS"] = _ENV_OPTIONS["LESS"]
_ENV_OPTIONS["BZIP"] = _ENV_OPTIONS["BZIP2"]
_ENV_OPTIONS["XZ_DEFAULTS"] = _ENV_OPTIONS["XZ_OPT"]
_ENV_OPTIONS["MFLAGS"] = _ENV_OPTIONS["GNUMAKEFLAGS"] = _ENV_OPTIONS["MAKEFLAGS"]
# Terminal types whose readline (bracketed paste, cursor keys, echo) the tracker reads, and that
# every target knows: Debian's ncurses-base (/lib/terminfo) ships each of them. Another TERM is
# unknown: `dumb`, or a name with no terminfo entry on the target (`xterm-kitty`, `foot`, `XTERM`
# after `declare -u TERM`), makes bash's readline dumb at once (no bracketed paste, no backstop).
_TERMINALS = frozenset({
    "xterm", "xterm-256color", "xterm-color", "screen", "screen-256color", "tmux",
    "tmux-256color", "vt100", "vt220", "linux", "rxvt", "rxvt-unicode", "rxvt-unicode-256color",
})  # fmt: skip
# declare/typeset/local/readonly attributes that leave TERM a scalar, exported, with the value
# it is given: any other (`-a`, `-A`: not exported; `-u`, `-l`, `-c`: the next value changed
# case; `-n`, `-i`) changes what programs the shell starts see (attack N, finding 2).
_TERM_ATTRIBUTES = frozenset("xrgpfFtI-")
_TERM_SHAPE = ("TERM made an array (not exported) or given an attribute that changes its later "
               "values: programs started after it may see no terminal the bastion follows")
# Code that the shell reading the line runs itself: its grammar carries over (`_code`).
# Wrappers that run their command in the shell itself (`_Collector._inner`).
_IN_THE_SHELL = frozenset({"command", "builtin", "exec"})
# POSIX special builtins (and bash's `source`, a `.`): an assignment before one is kept in POSIX
# mode and by sh (dash), not by bash otherwise.
_SOURCE = frozenset({"source", "."})
_PLAIN_FILES = frozenset({"file", "null"})  # origins of a descriptor that feed the line nothing
_SPECIAL_BUILTINS = frozenset({"break", ":", ".", "source", "continue", "eval", "exec", "exit",
                               "export", "readonly", "return", "set", "shift", "times", "trap",
                               "unset"})
_SAME_SHELL = frozenset({"eval", "trap", "alias", "complete", "compgen", "bind", "mapfile",
                         "readarray", *_HOOKS})
_HOOK_UNKNOWN = {
    "BASHOPTS": "sets the shopt options of a bash started with it (autocd, cdspell: cd goes "
                "elsewhere)",
    "GIT_CONFIG_PARAMETERS": "gives git settings, which may name commands it runs",
    "GIT_CONFIG_COUNT": "gives git settings, which may name commands it runs",
    "GIT_CONFIG_GLOBAL": "names a git settings file, which may name commands git runs",
    "GIT_CONFIG_SYSTEM": "names a git settings file, which may name commands git runs",
    "LESSOPEN": "names a command less runs on each file",
    "LESSCLOSE": "names a command less runs on each file",
    "BASH_CMDS": "makes a command name run another program",
    "INPUTRC": "names key bindings readline reads again (C-x C-r)",
    "histchars": "changes the history characters: a later line may run an earlier one "
                 "(`histchars=@`, then `@@`)",
    **dict.fromkeys(("LESSKEY", "LESSKEYIN", "LESSKEY_SYSTEM", "LESSKEYIN_SYSTEM"),
                    "names a file of less key bindings, which may run commands"),
    "LESSKEY_CONTENT": "gives less key bindings, which may run commands",
    "LESSEDIT": "names the editor command less runs",
    "LESSHISTFILE": "names a file less writes its history to",
    "PERL5DB": "gives the code perl's debugger runs",
    "PYTHONINSPECT": "makes python read code from stdin after its script",
    "PSQLRC": "names a file of commands psql runs at start (`\\!` runs a shell command)",
    "WGETRC": "names wget's startup file, which may name any file a download is written to",
    "SYSTEM_WGETRC": "names wget's system startup file, which may name any file a download is "
                     "written to",
    "WGET2RC": "names wget2's startup file, which may name any file a download is written to",
    "APT_CONFIG": "names apt's settings file, whose hooks run commands (as `apt-get -c`)",
    "MANOPT": "gives man options, which may name the pager it runs (-P)",
    "PARALLEL": "gives GNU parallel options, which may name commands it runs",
    "FZF_DEFAULT_OPTS": "gives fzf options, which may bind keys to commands it runs",
    "RIPGREP_CONFIG_PATH": "names a file of rg options, which may name a command it runs (--pre)",
    "HGRCPATH": "names mercurial's settings files, whose hooks run commands",
    "GIT_WORK_TREE": "names the folder git checks files out into (as --work-tree)",
    "GOFLAGS": "gives the go command options, which may name the file it writes (-o)",
    "GOENV": "names the go command's settings file, which may hold GOFLAGS",
    "CURL_HOME": "names the folder of curl's startup file, which may name any file a download "
                 "is written to",
    "GIT_DIR": "names git's repository, whose hooks and settings may run commands",
    "GIT_COMMON_DIR": "names git's repository, whose hooks and settings may run commands",
    "GIT_EXEC_PATH": "names the folder git runs its own programs from",
    "GIT_TEMPLATE_DIR": "names the folder a new git repository's hooks are copied from",
    "GIT_CONFIG": "names the git settings file `git config` reads and writes",
    **dict.fromkeys(("VIMINIT", "EXINIT", "GVIMINIT"),
                    "gives the Ex commands vim or vi runs at start (`:!CMD` runs a command)"),
    **dict.fromkeys(("MYVIMRC", "MYGVIMRC", "VIM", "VIMRUNTIME", "NVIM_APPNAME",
                     "NVIM_SYSTEM_RPLUGIN_MANIFEST"),
                    "names where vim or nvim reads start-up files, which may run commands"),
    "MAKEFILES": "names makefiles make reads first, whose recipes run commands",
    "CLUSTERSHELL_CFGDIR": "names clush's settings folder, whose groups upcalls and ssh_path "
                           "run commands",
    **dict.fromkeys(("GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES"),
                    "names a folder git writes or reads its objects in"),
}


def _unknown_hook_reason(name: str) -> str:
    """Why the variable `name`, of the "unknown" kind, is unknown."""
    if name.startswith(("GIT_CONFIG_KEY_", "GIT_CONFIG_VALUE_")):
        return "gives git a setting, which may name a command it runs"
    if name.startswith("PIP_"):
        return "gives pip an option, which may name where it installs or a file it writes"
    if name.lower().startswith("npm_config_"):
        return "gives npm a setting, which may name where it installs or a program it runs"
    if name.startswith("RCLONE_CONFIG"):
        return "gives rclone a remote or its configuration, which may be a folder here"
    return _HOOK_UNKNOWN[name]


def _env_options_doubt(name: str, value: str) -> str | None:
    """Why the options a program reads from the environment variable `name` (`_ENV_OPTIONS`)
    cannot be judged harmless, or None: an option the table does not list, or a value that
    does not split into words."""
    program, harmless, takes = _ENV_OPTIONS[name]
    try:
        words = shlex.split(value)
    except ValueError:
        return f"{name} gives {program} options the policy cannot split"
    previous = ""
    for word in words:
        if not (harmless.fullmatch(word) or word in takes or (previous in takes and digits(word))):
            return (f"{name} gives {program} an option that may run a program or name a file: "
                    f"{one_line(word, 40)}")
        previous = word
    return None


def _aliased(alias: str, value: str) -> str:
    """The code an alias stands for, with the words typed after it on a later line: known only
    then (`alias x=eval`, then `x 'rm -rf /'`), unless the alias keeps its own name
    (`alias rm='rm -i'`: later lines are judged as rm anyway) or ends its command."""
    stripped = value.rstrip(" \t\n")  # bash's blanks only (attack v31o, finding 1's class)
    words = stripped.replace("\t", " ").replace("\n", " ").split(" ")
    words = [word for word in words if word]
    if not words or words[0] == alias or stripped[-1] in ";&|" or words[-1] in _KEYWORD_ENDS:
        return value
    return f'{value} "$ALIAS_ARGUMENTS"'


_KEYWORD_ENDS = frozenset({"then", "do", "else", "elif", "{", "(", "!", "in"})


def _printed(words: list[_Word]) -> _Word:
    """What printf prints for a format made only of text and %s, given as many plain
    arguments; a value known only at run time otherwise."""
    if words and all(w.value is not None for w in words):
        form, arguments = words[0].value or "", [w.value or "" for w in words[1:]]
        pieces = form.replace("%%", "\0").split("%s")
        if "%" not in form.replace("%%", "").replace("%s", "") and "\\" not in form \
                and len(pieces) - 1 == len(arguments):
            text = pieces[0] + "".join(a + p for a, p in zip(arguments, pieces[1:], strict=True))
            text = text.replace("\0", "%")
            return _Word(text, text)
    return _Word(None, "(printf output)")


# found after outside attack s28f (finding 18): pip reads any long option from PIP_<OPTION>
# (`PIP_TARGET=/etc` is `--target /etc`), npm any setting from npm_config_<name> (any case:
# `npm_config_prefix=/etc`, `npm_config_script_shell=PROGRAM`): unknown, but for the settings
# known harmless (no file, folder or program they name; an index is a source, as with -i).
_PIP_HARMLESS = frozenset({
    "INDEX_URL", "EXTRA_INDEX_URL", "NO_INDEX", "TRUSTED_HOST", "NO_CACHE_DIR",
    "DISABLE_PIP_VERSION_CHECK", "DEFAULT_TIMEOUT", "TIMEOUT", "RETRIES", "NO_INPUT", "QUIET",
    "VERBOSE", "PROGRESS_BAR", "NO_COLOR", "REQUIRE_VIRTUALENV", "BREAK_SYSTEM_PACKAGES",
    "ROOT_USER_ACTION", "NO_WARN_SCRIPT_LOCATION", "UPGRADE", "UPGRADE_STRATEGY", "PRE",
    "ONLY_BINARY", "NO_BINARY", "PREFER_BINARY", "NO_DEPS", "PROXY", "REQUIRE_HASHES",
    "NO_PYTHON_VERSION_WARNING", "YES", "EXISTS_ACTION"})  # fmt: skip
_NPM_HARMLESS = frozenset({
    "registry", "loglevel", "fund", "audit", "progress", "color", "update_notifier",
    "strict_ssl", "fetch_retries", "fetch_timeout", "yes", "save", "save_exact",
    "production", "omit", "include", "legacy_peer_deps", "prefer_offline", "prefer_online",
    "offline", "proxy", "https_proxy", "noproxy", "unicode", "dry_run", "package_lock"})  # fmt: skip


def _hook_kind(name: str) -> str | None:
    if name.startswith(("GIT_CONFIG_KEY_", "GIT_CONFIG_VALUE_", "RCLONE_CONFIG")):
        # git's settings from the environment, GIT_CONFIG_COUNT's kin; rclone's remotes and
        # configuration file (`RCLONE_CONFIG_X_TYPE=local`: x:/etc is here; attack s28f)
        return "unknown"
    if name.startswith("PIP_") and name not in _WRITTEN_FILES and name[4:] not in _PIP_HARMLESS:
        return "unknown"
    if name.lower().startswith("npm_config_") and name[11:].lower().replace("-", "_") \
            not in _NPM_HARMLESS:
        return "unknown"
    return _HOOKS.get(name) or ("function" if name[:10] == "BASH_FUNC_" else handed.jvm_option_kind(name))


_PROMPT_ESCAPE = re.compile(r"\\(?:([0-7]{1,3})|D\{[^}]*\}|(.))", re.S)
_PROMPT_CONTROL = {"a": "\a", "e": "\x1b", "n": "\n", "r": "\r"}


def _decode_prompt(text: str) -> str:
    r"""A prompt string after bash decodes its backslash escapes, as the expansion that follows
    sees it: `\044` and the other octal escapes become the character itself (so `\044(cmd)`
    runs cmd), `\\` and `\$` stay escaped, `\u`, `\w` and the like become a letter (bash
    quotes their values), `\[` and `\]` vanish."""

    def one(match: re.Match[str]) -> str:
        octal, other = match.groups()
        if octal is not None:
            code = int(octal, 8) & 0xFF
            return chr(code) if code else ""
        if other is None:
            return "D"  # \D{format}: a date
        if other in "\\$":
            return "\\" + other
        if other in "[]":
            return ""
        if other in _PROMPT_CONTROL:
            return _PROMPT_CONTROL[other]
        if other in "uhHwWsvVtT@AdjlL!#":
            return other
        return "\\" + other

    return _PROMPT_ESCAPE.sub(one, text)


_INTEGER = re.compile(r"[+-]?(?:0[xX][0-9a-fA-F]+|[0-9]+)")
_ASSIGNED_TO = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=(?!=)")  # `let y=x`: y is written
_NUMBER_LITERALS = re.compile(r"\b[0-9]+#[0-9A-Za-z@_]+|\b0[xX][0-9a-fA-F]+|\b[0-9]+\b")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# NAME, NAME[SUBSCRIPT], NAME=VALUE, NAME+=VALUE, NAME[SUB]=VALUE as declare, printf -v and
# read take them: group 2 is the subscript, group 3 the value.
_DECLARED = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(?:\[(.*)\])?(?:\+?=(.*))?", re.S)
# Parameters that hold a number whatever earlier lines did: bash keeps them numbers, and
# every assignment to the named ones is judged as arithmetic (`_assigned`), as bash itself
# evaluates RANDOM=, SRANDOM=, HISTCMD= and OPTIND=. That holds also once a line made one an
# ordinary variable (`unset SECONDS`, `local OPTIND`, `local -n RANDOM=x`), since then only an
# assignment can give it another value. Not `$-`: it holds letters, which arithmetic reads as
# a variable's name.
_SAFE_ARITH = frozenset({
    "?", "#", "$", "!", "RANDOM", "SRANDOM", "SECONDS", "LINENO", "BASHPID", "PPID", "UID",
    "EUID", "EPOCHSECONDS", "EPOCHREALTIME", "BASH_SUBSHELL", "HISTCMD", "OPTIND",
})  # fmt: skip
# Parameters whose every assignment bash evaluates as arithmetic (attack j19f finding 2):
# those above, and MAILCHECK, which every interactive bash declares `-i` (`declare -p` in
# `bash -i`: BASHPID, EUID, HISTCMD, MAILCHECK, OPTIND, PPID, RANDOM, SRANDOM, UID; checked
# with a canary in bash 5.2 for each special variable: only MAILCHECK, HISTCMD, OPTIND, RANDOM
# and SRANDOM ran it, the others ignore or refuse an assignment). MAILCHECK is not among the
# values arithmetic may read safely: outside an interactive shell it is an ordinary string.
_ARITH_ASSIGNED = _SAFE_ARITH | {"MAILCHECK"}
_SAFE_INDIRECT = re.compile(r"\$\{!(?:[A-Za-z_][A-Za-z0-9_]*(?:[*@]|\[[*@]\])|#)\}")
_ARITHMETIC_TESTS = frozenset({"-eq", "-ne", "-lt", "-le", "-gt", "-ge"})


def _arithmetic_reads(src: str, node: Node, numbers: set[str]
                      ) -> tuple[list[str], list[str], bool]:
    """(variables read that the line had not made numbers, variables read that it had, whether
    a command's output is evaluated), walking the expression in source order. `NAME = expr` (and
    `+=` and the like) leaves a number in NAME once expr is read, so `for ((i=0; i<n; i++))`
    reads a number in i; `numbers` is updated."""
    unsafe: list[str] = []
    assumed: list[str] = []
    runs = False

    def read(name: str) -> None:
        if name not in _SAFE_ARITH:
            (assumed if name in numbers else unsafe).append(name)

    stack: list[Node | str] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, str):  # an assignment, done once its value was read
            numbers.add(current)
            continue
        kind = current.type
        children = current.children
        if kind in ("command_substitution", "process_substitution"):
            runs = True
        elif kind == "do_group" or (kind == "compound_statement" and current is not node
                                    and children[:1] and children[0].type != "(("):
            continue  # a loop's body is not arithmetic
        elif kind in ("binary_expression", "variable_assignment") and len(children) == 3 \
                and children[1].type in _ARITHMETIC_ASSIGN \
                and _IDENTIFIER.fullmatch(_text(src, children[0])):
            name = _text(src, children[0])
            if children[1].type != "=":
                read(name)  # `n += 1` reads n first
            stack.append(name)
            stack.append(children[2])
        elif kind == "variable_name" or (kind == "word" and _IDENTIFIER.fullmatch(_text(src, current))):
            read(_text(src, current))
        elif kind in ("raw_string", "string", "ansi_c_string", "translated_string"):
            # Quoted, an operand is still an expression once bash removes the quotes (attack
            # L): `(( 'a[$(cmd)]' ))`, `a['$(cmd)']=1` run cmd. Escapes can spell `$(` too.
            quoted = _text(src, current)
            if any(s in quoted for s in ("$(", "`", "$[", "\\")):
                runs = True
            for name in _IDENTIFIER.findall(_NUMBER_LITERALS.sub(" ", quoted)):
                read(name)
            stack.extend(reversed(children))
        elif kind in ("simple_expansion", "expansion"):
            inner = [c for c in current.named_children
                     if c.type in ("variable_name", "special_variable_name")]
            if inner:
                read(_text(src, inner[0]))
            stack.extend(reversed([c for c in current.named_children if c not in inner]))
        else:
            stack.extend(reversed(children))
    return unsafe, assumed, runs


_ARITHMETIC_ASSIGN = frozenset({"=", "+=", "-=", "*=", "/=", "%=", "<<=", ">>=", "&=", "^=",
                                "|="})


def _element_subscript(text: str) -> str | None:
    """The subscript of a compound assignment's element `[SUB]=VALUE` (as written), or None."""
    if not text.startswith("["):
        return None
    depth = 0
    for index, char in enumerate(text):
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
            if depth == 0:
                rest = text[index + 1:]
                return text[1:index] if rest.startswith(("=", "+=")) else None
    return None


def _found(starts: list[str], tests: list[str | None]) -> tuple[PathArg, ...]:
    """The files a find expression may match under its start points, as paths: each start
    point (unless -mindepth 1 or a -name test leaves it out) and START/** (or START/**/NAME
    with a -name test, and START/NAME, which it matches for certain when it exists). A -name
    test narrows only an expression of tests joined by "and"; find's globs also match a
    leading dot, so `*history` is also judged as `.*history`."""
    plain = not any(t in (None, "-o", "-or", ",", "!", "-not", "(", ")") for t in tests)
    names: list[str] = []
    mindepth = maxdepth = None
    for position, test in enumerate(tests):
        following = tests[position + 1] if position + 1 < len(tests) else None
        if test in ("-name", "-iname") and following is not None and plain:
            names = [following]
        elif test == "-mindepth" and following is not None and digits(following):
            mindepth = int(following)
        elif test == "-maxdepth" and following is not None and digits(following):
            maxdepth = int(following)
    if names and names[0][:1] in ("*", "?", "["):
        glob = names[0]
        # find matches a leading dot too (a bracket read as bash reads it: attack p25f, 2)
        closed = bracket(glob, 0) if glob[0] == "[" else None
        names.append("." + (glob if glob[0] == "*" else glob[1:] if glob[0] == "?" else
                            glob[closed[1]:] if closed is not None else glob))
    found: list[PathArg] = []
    for start in starts:
        tilde = start.startswith("~")
        base = start.rstrip("/") or "/"
        joiner = "" if base.endswith("/") else "/"
        last = base.rsplit("/", 1)[-1]
        if not mindepth and (not names or any(_parts_meet(last, n) for n in names)):
            found.append(PathArg(start, "pattern" if _GLOB_CHARS.search(start) else "exact",
                                 tilde))
        if maxdepth == 0:
            continue
        under = "*" if maxdepth == 1 else "**"
        if not names:
            found.append(PathArg(f"{base}{joiner}{under}", "pattern", tilde))
        for each in names:
            if maxdepth != 1:
                found.append(PathArg(f"{base}{joiner}**/{each}", "pattern", tilde))
            kind = "pattern" if _GLOB_CHARS.search(each) else "exact"
            if (mindepth or 0) <= 1 and (kind == "exact" or maxdepth == 1):
                found.append(PathArg(f"{base}{joiner}{each}", kind, tilde))
    return tuple(found)


def _compound(keyword: str, value: str | None) -> bool:
    """Whether declare and its kin take the value `(...)` given as a string as the elements
    of an array (`declare -a b='($(cmd))'` expands them; so does plain `declare` when b is an
    array already, perhaps from an earlier line). export does not."""
    return keyword != "export" and value is not None and value.startswith("(") \
        and value.endswith(")")
