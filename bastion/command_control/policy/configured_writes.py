"""Files a program writes where something the bastion does not read names them: curl's and
wget's downloads (a URL's name, a config file, wget's `-e` commands, curl's `-w` format), the
name stored in a uuencoded file, reformime's attachments, and the configuration operands of
systemd-tmpfiles, systemd-sysusers, systemd-sysctl and sysctl, and the cgroup files libcgroup's
cgset and cgclassify write."""

from __future__ import annotations

import itertools
import re
import urllib.parse

from bastion.command_control.policy.curl_globs import expand_url, glob_reading, globbing, output_names
from bastion.command_control.policy.options import _after_options, _options, _permuted
from bastion.command_control.policy.paths import HERE, PathArg
from bastion.command_control.policy.program_writes import _in_folder
from bastion.command_control.policy.words import _GLOB_CHARS, _Word

# found after outside attack G (finding 5): curl's and wget's files in a directory an option names.
_CURL_OUTPUT = frozenset({"-o", "--output"})
_CURL_REMOTE_NAME = frozenset({"-O", "--remote-name", "--remote-name-all", "-J",
                               "--remote-header-name"})


def _url_name(word: _Word) -> str:
    """The file name curl -O and wget give a download: the URL's last part, or any name."""
    value = word.value
    if value is None or "?" in value or "#" in value or _GLOB_CHARS.search(value):
        return "*"
    name = value.split("://", 1)[-1].rstrip("/").rsplit("/", 1)[-1]
    return name if "/" in value.split("://", 1)[-1] and name not in ("", ".", "..") else "*"


# found after outside attack O (finding 8): a config (`-K -`: `output = "/etc/x"`) names any
# file, and a -w format writes where `%output{FILE}` says (`%output{>>FILE}` appends).
_CURL_CONFIG = frozenset({"-K", "--config"})
_CURL_WRITE_OUT = frozenset({"-w", "--write-out"})
_CURL_FORMAT_OUTPUT = re.compile(r"%output\{(?:>>)?([^}]*)\}")


_SCHEMELESS = re.compile(r"[\w.-]+(:\d+)?/")


def _curl_writes(words: list[_Word]) -> list[PathArg]:
    """curl -o FILE (in --output-dir DIR when FILE is relative), -O (the URL's name, in DIR),
    -w '%output{FILE}', and any file with -K CONFIG or a -w format read from a file (`@F`)."""
    found = _after_options(words, frozenset({"--output-dir"}))
    folder = _Word(found[-1].text, found[-1].text) if found and found[-1].kind != "unknown" else (
        _Word(None, found[-1].text) if found else None)
    values = [w.value or "" for w in words[1:]]
    globs = _curl_glob_texts(words)
    written = [p if folder is None or p.text.startswith(("/", "~")) or p.kind == "unknown" or
               p.text == "-" else _in_folder(folder, p.text)
               for p in _glob_outputs(_after_options(words, _CURL_OUTPUT), globs)]
    if any(v in _CURL_REMOTE_NAME or (v.startswith("--remote-n") and "=" not in v) or (
            v.startswith("-") and not v.startswith("--") and "O" in v[1:] and v[1:].isalpha())
           for v in values):
        # a URL with no scheme too (`y.example/sudoers`), once one with a scheme is there
        # (attack s28f, finding 10's class): any word that may be one, read generously
        urls = [u for w in words[1:] if w.value is None or "://" in w.value or
                _SCHEMELESS.match(w.value) for u in _curl_expanded(w, glob_reading(values))]
        written += [_in_folder(folder, _url_name(url)) for url in urls or [_Word(None, "")]]
        if any(v == "-J" or (v.startswith("--remote-h") and "--remote-header-name".startswith(v))
               or (v.startswith("-") and not v.startswith("--") and "J" in v[1:] and v[1:].isalpha())
               for v in values):
            # found after outside attack u30f (finding 19): -J saves under the name the
            # server's Content-Disposition gives: any one name in the folder
            written += server_named(folder)
    written += [PathArg(f"(the files curl's config {p.text} names)", "unknown")
                for p in _after_options(words, _CURL_CONFIG)]
    for form in _after_options(words, _CURL_WRITE_OUT):
        if form.kind == "unknown" or form.text.startswith("@"):
            written.append(PathArg("(the files a -w format read at run time names)", "unknown"))
        else:
            written += [PathArg(name) for name in _CURL_FORMAT_OUTPUT.findall(form.text)]
    return [p for p in written if p.text != "-"] + _curl_file_uploads(words)


def server_named(folder: _Word | None) -> list[PathArg]:
    """The file a download saves under a name the server chooses (curl -J, wget
    --content-disposition, aria2c): any one name in the folder, a dot-name too (`DIR/**`,
    which meets a rule's `DIR/.k5login`; here: the working folder's tree, `paths.HERE`)."""
    return [HERE] if folder is None else [_in_folder(folder, "**")]


def _curl_expanded(word: _Word, glob: str) -> list[_Word]:
    """A URL word as the URLs curl's globbing makes of it (`curl_globs`); one known only at
    run time where the glob is not read here. `glob` is `glob_reading`'s: "off" the word
    as written, "both" (not certain) the expansions and the word as written."""
    if word.value is None or glob == "off":
        return [word]
    expanded = expand_url(word.value)
    literal = [word] if glob == "both" else []
    if expanded is None:
        return [_Word(None, word.text), *literal]
    return [*(_Word(url, url) for url, _ in expanded), *literal]


def _curl_glob_texts(words: list[_Word]) -> list[tuple[str, ...]] | None:
    """The texts `#1`, `#2`... may stand for in an -o name: those of each word curl may glob
    (any word holding `{` or `[`, an option's value too: read generously); None where one is
    not read here (a name known only at run time)."""
    values = [w.value or "" for w in words[1:]]
    if not globbing(values):
        return []
    texts: list[tuple[str, ...]] = []
    for value in values:
        if "{" in value or "[" in value:
            expanded = expand_url(value)
            if expanded is None:
                return None
            texts += [t for _, t in expanded if t]
    return texts


def _glob_outputs(paths: list[PathArg], globs: list[tuple[str, ...]] | None) -> list[PathArg]:
    """-o names with `#N` as curl fills them from the URL's globs (attack s28f, finding 10)."""
    found: list[PathArg] = []
    for path in paths:
        if path.kind == "unknown" or not re.search(r"#\d", path.text) or globs == []:
            found.append(path)
        elif globs is None:
            found.append(PathArg(f"(the file curl names {path.text} after a URL's glob)", "unknown"))
        else:
            found += list(dict.fromkeys(path._replace(text=output_names(path.text, texts))
                                        for texts in globs))
    return found


# found after outside attack S (finding 10): an upload to a file:// URL writes that file (`curl
# -T /tmp/x file:///etc/sudoers.d/x`); file:// is the one scheme curl writes here.
# curl also takes `file:/x` (one slash) and percent-encoded paths (attack U): the path is read
# after the scheme's slashes (and a host), then unquoted.
_CURL_FILE_URL = re.compile(r"(?i)file:(?://[^/]*)?(/.*)")


def _curl_file_uploads(words: list[_Word]) -> list[PathArg]:
    """With -T/--upload-file (any start of it, in a cluster too), each file:// URL's path (a
    URL ending in `/` gets the uploaded file's name: any name there), and a URL known only at
    run time (it may be one)."""
    values = [w.value or "" for w in words[1:]]
    if not any(v == "-T" or (v.startswith("--up") and "--upload-file".startswith(v.partition("=")[0]))
               or (v.startswith("-") and not v.startswith("--") and "T" in v[1:]) for v in values):
        return []
    written: list[PathArg] = []
    glob = glob_reading(values)
    for before, word in [(b, u) for b, w in itertools.pairwise(words) for u in _curl_expanded(
            w, glob if b.value not in ("-T", "--upload-file") else "off")]:
        if before.value in ("-T", "--upload-file"):
            continue  # the file uploaded
        if word.value is None:
            written.append(PathArg(word.text, "unknown"))
            continue
        match = _CURL_FILE_URL.match(word.value)
        if match is None:
            continue
        raw = match.group(1)
        # with and without a query or fragment: which curl keeps is not read here
        for path in dict.fromkeys(urllib.parse.unquote(p) for p in
                                  (raw, raw.split("?", 1)[0].split("#", 1)[0])):
            path = f"{path}*" if path.endswith("/") else path
            written.append(PathArg(path, "pattern" if _GLOB_CHARS.search(path) else "exact"))
    return written


# found after outside attack O (finding 8): wget's startup-file commands given with -e (any
# case, `_` and `-` ignored, as wget reads them): those that name a file it writes, one that
# runs a program, and those known to do neither. Any other, or a --config file, is unknown.
_WGET_FILE_OPTIONS = frozenset({"-O", "--output-document", "-o", "--output-file", "-a",
                                "--append-output", "--save-cookies", "--hsts-file",
                                "--rejected-log"})
_WGETRC_FILES = frozenset({"outputdocument", "logfile", "savecookies", "hstsfile", "rejectedlog",
                           "warcfile", "dirprefix"})
_WGETRC_HARMLESS = frozenset({
    "robots", "checkcertificate", "timeout", "connecttimeout", "readtimeout", "dnstimeout",
    "tries", "wait", "waitretry", "randomwait", "useragent", "header", "quiet", "verbose",
    "continue", "timestamping", "noclobber", "recursive", "level", "noparent", "httpproxy",
    "httpsproxy", "ftpproxy", "noproxy", "useproxy", "limitrate", "retryconnrefused",
    "inet4only", "inet6only", "progress", "serverresponse", "maxredirect", "secureprotocol",
    "compression", "showprogress",
})  # fmt: skip


def _wget_writes(words: list[_Word]) -> tuple[list[PathArg], list[str | None]]:
    """wget -O/-o/-a FILE, --save-cookies, --hsts-file, --rejected-log, --warc-file (FILE and
    its suffixes); without -O, each download's name in -P DIR (or here); the files and the
    program (`use_askpass`) of each -e COMMAND; anything with --config FILE."""
    written = _after_options(words, _WGET_FILE_OPTIONS) + [
        p if p.kind == "unknown" else p._replace(text=f"{p.text}*", kind="pattern")
        for p in _after_options(words, frozenset({"--warc-file"}))]  # F.warc.gz, F.cdx
    codes: list[str | None] = [p.text for p in _after_options(words, frozenset({"--use-askpass"}))]
    folder: _Word | None = None
    for command in _after_options(words, frozenset({"-e", "--execute"})):
        name, _, value = command.text.partition("=")
        key = name.strip().lower().replace("_", "").replace("-", "")
        value = value.strip()
        if command.kind == "unknown" or key not in _WGETRC_HARMLESS | _WGETRC_FILES | {"useaskpass"}:
            written.append(PathArg(f"(what the wget command {command.text} writes)", "unknown"))
            codes.append(None)
        elif key == "useaskpass":
            codes.append(value)
        elif key == "dirprefix":
            folder = _Word(value, value)
        elif key in _WGETRC_FILES:
            written.append(PathArg(value, "exact", value.startswith("~")))
    if _after_options(words, frozenset({"--config"})):
        written.append(PathArg("(the files a wget config names)", "unknown"))
        codes.append(None)
    document = _after_options(words, frozenset({"-O", "--output-document"})) or any(
        p.text.lower().replace("_", "").replace("-", "").startswith("outputdocument=")
        for p in _after_options(words, frozenset({"-e", "--execute"})))
    if not document:
        prefix = _after_options(words, frozenset({"-P", "--directory-prefix"}))
        if prefix:
            folder = _Word(prefix[-1].text, prefix[-1].text) if prefix[-1].kind != "unknown" \
                else _Word(None, prefix[-1].text)
        if folder is not None:
            written.append(_in_folder(folder, "**"))
        elif _wget_tree(words):
            # found after outside attack u30f (finding 20): -r, -m, -x, -i, -N,
            # --content-disposition here: any name, and any path, in the working folder
            written.append(HERE)
        else:  # each URL's name here (attack O: `cd /etc/sudoers.d && wget http://h/x`)
            written += [_in_folder(None, _url_name(w)) for w in words[1:]
                        if w.value is None or "://" in w.value]
    return [p for p in written if p.text != "-"], codes


# wget's options that save names the line does not give: recursion and mirroring (the URL's
# path, or each linked file's name), forced folders, a list of URLs, the server's name, and
# timestamping (replaces a file in place); by any start of the long name.
_WGET_TREE_LONG = ("--recursive", "--mirror", "--force-directories", "--input-file",
                   "--content-disposition", "--timestamping", "--page-requisites",
                   "--trust-server-names")
_WGETRC_TREE = ("recursive", "mirror", "dirstruct", "contentdisposition", "input",
                "timestamping", "pagerequisites", "trustservernames")
_WGET_TREE_LETTERS = frozenset("rmxiNp")


def _wget_tree(words: list[_Word]) -> bool:
    """Whether wget (or wget2) may save a name the line does not give (`_WGET_TREE_LONG`, a
    short letter in a cluster, a word known only at run time, `content_disposition`,
    `recursive`, `mirror`, `dirstruct`, `input` as -e commands)."""
    for command in _after_options(words, frozenset({"-e", "--execute"})):
        key = command.text.partition("=")[0].strip().lower().replace("_", "").replace("-", "")
        if command.kind == "unknown" or key in _WGETRC_TREE:
            return True
    for word in words[1:]:
        value = word.value
        if value is None:
            return True
        if value.startswith("--"):
            option = value.partition("=")[0]
            if len(option) > 3 and any(name.startswith(option) for name in _WGET_TREE_LONG):
                return True
        elif value.startswith("-") and (set(value[1:2]) & _WGET_TREE_LETTERS or (
                set(value[1:]) <= set("qvnrmxNpcSdHk46") and set(value[1:]) & _WGET_TREE_LETTERS)):
            return True  # a letter alone or first, or in a cluster of flags (`-nH`, `-qr`)
    return False


# found after outside attack s28f (finding 5): wget2's own files beside wget's (its --help):
# statistics (`[FORMAT:]FILE`: read with and without the format), caches, gpg's folder, and the
# plugins it loads (code: unknown).
_WGET2_FILES = frozenset({"--stats-dns", "--stats-ocsp", "--stats-server", "--stats-site",
                          "--stats-tls", "--tls-session-file", "--ocsp-file", "--hpkp-file",
                          "--hsts-file"})
_WGET2_PLUGINS = frozenset({"--plugin", "--local-plugin", "--plugin-dirs", "--plugin-opt"})


def _wget2_writes(words: list[_Word]) -> tuple[list[PathArg], list[str | None]]:
    """wget2: wget's files and programs (`_wget_writes`) and its own (`_WGET2_FILES`)."""
    written, codes = _wget_writes(words)
    for path in _after_options(words, _WGET2_FILES):
        written.append(path)
        head, colon, rest = path.text.partition(":")
        if colon and path.kind != "unknown" and re.fullmatch(r"\w+", head):
            written.append(path._replace(text=rest))
    written += [p if p.kind == "unknown" else p._replace(text=f"{p.text.rstrip('/')}/**", kind="pattern")
                for p in _after_options(words, frozenset({"--gnupg-homedir"}))]
    if _after_options(words, _WGET2_PLUGINS):
        codes.append(None)
    return written, codes


# found after outside attack O (finding 8): programs that write the file an encoded or
# configured input names, which the bastion cannot read.


def _uudecode_writes(words: list[_Word]) -> list[PathArg]:
    """uudecode -o FILE; without -o the name stored in the encoded file (any file: unknown,
    as `gunzip -N` writes the name stored in its archive)."""
    found = _after_options(words, frozenset({"-o", "--output-file"}))
    return found or [PathArg("(the name the encoded file holds)", "unknown")]


def _reformime_writes(words: list[_Word]) -> tuple[list[PathArg], list[str | None]]:
    """reformime -x PREFIX writes each attachment as PREFIX and its name; -X PROG runs PROG
    on each (code known only at run time)."""
    written = [PathArg(f"{p.text}*", "pattern", p.tilde) if p.kind != "unknown" else p
               for p in _after_options(words, frozenset({"-x"}))]
    return written, [None] if any(w.value == "-X" for w in words[1:]) else []


# Only options certain to take a value: one listed wrongly would hide the configuration after it.
_SYSTEMD_CONFIG = _options("", ("--prefix", "--exclude-prefix", "--root", "--image", "--replace",
                                "--image-policy"))
_SYSCTL = _options("r", ("--pattern",), attached="pf", flags=("--load",))
# What a configuration each program is given writes: the bastion reads no such file (one on
# stdin, /dev//stdin, /dev/fd/3, or one written by an earlier line), so any may name any file.
_CONFIG_WRITES = {
    "systemd-tmpfiles": "(the files the configuration creates, cleans or removes)",
    "systemd-sysusers": "(the users and groups the configuration makes: /etc/passwd, "
                        "/etc/shadow, /etc/group, /etc/gshadow)",
    "systemd-sysctl": "(the kernel settings the configuration writes, under /proc/sys)",
    "sysctl": "(the kernel settings the configuration writes, under /proc/sys)",
}


def _config_writes(name: str, words: list[_Word]) -> list[PathArg]:
    """found after outside attack O (finding 6): `systemd-tmpfiles --create CONFIG`,
    `systemd-sysusers CONFIG` (`--inline LINE`), `systemd-sysctl CONFIG`, `sysctl -p CONFIG`
    write whatever CONFIG says: a write of a file known only at run time, whatever the name
    of CONFIG (`-`, `/dev//stdin`, `/tmp/t.conf`). Without one they read the system's own
    directories (`systemd-tmpfiles --clean`, `sysctl --system`). `sysctl KEY=VALUE` writes
    /proc/sys/KEY. `--cat-config`, `--dry-run` and `--help` write nothing."""
    spec = _SYSCTL if name == "sysctl" else _SYSTEMD_CONFIG
    permuted = _permuted(words, 1, spec)
    if permuted is None:
        return [PathArg(_CONFIG_WRITES[name], "unknown")]
    found, operands = permuted
    options = {option for option, _ in found}
    if options & {"--cat-config", "--dry-run", "--help", "-h", "--version"}:
        return []
    if name != "sysctl":
        return [PathArg(_CONFIG_WRITES[name], "unknown")] if operands else []
    loads = [argument for option, argument in found if option in ("-p", "-f", "--load")]
    if loads and (operands or any(argument is not None for argument in loads)):
        return [PathArg(_CONFIG_WRITES[name], "unknown")]  # `-p F`, `-pF`, `--load=F`
    written: list[PathArg] = []
    for operand in operands:
        if operand.value is None or operand.glob:
            # found after outside attack a36f (finding 8): bash expands a pattern
            # (`kernel.core_patter?=|/tmp/x`, even `kernel.core_pat*`) to any file name in
            # the working folder, `=` and all, before sysctl reads it: any key.
            written.append(PathArg(_CONFIG_WRITES[name], "unknown"))
        elif "=" in operand.value:
            written.append(PathArg(f"/proc/sys/{_sysctl_key(operand.value)}"))
    return written


def _sysctl_key(setting: str) -> str:
    """The /proc/sys file procps' sysctl writes for KEY=VALUE: found after outside attack a36f
    (finding 9), a leading `-` (sysctl.conf's "ignore failure" mark, honoured on the command
    line too: `sysctl -- -kernel.modprobe=/tmp/x`) and blanks around it dropped; the first
    separator (`.` or `/`) decides, and a key begun with `.` has `.` and `/` swapped."""
    key = setting.partition("=")[0].strip()
    if key.startswith("-"):
        key = key[1:].strip()
    first = re.search(r"[./]", key)
    if first is not None and first.group() == ".":
        key = key.translate(str.maketrans("./", "/."))
    return key.lstrip("/")


# found after outside attack f15f (finding 7): libcgroup's tools write a cgroup's files as `>`
# would (`cgset -r cgroup.freeze=1 system.slice/auditd.service`); the long options by any start.
_CGROUP_ROOT = "/sys/fs/cgroup"
_CG_UNKNOWN = PathArg("(a cgroup's files, named only at run time)", "unknown")


def _cgroup_file(group: str | None, name: str | None) -> PathArg:
    if group is None or name is None or "/" in name or name in ("", ".", ".."):
        return _CG_UNKNOWN
    return PathArg(f"{_CGROUP_ROOT}/{group.strip('/')}/{name}".replace("//", "/"))


# found after outside attack h17f (finding 4): the other libcgroup tools that change cgroups:
# cgxset is cgset (cgroup v1 or v2 names: -1, -2, -i); cgcreate, cgdelete and cgexec make,
# remove or move a process into the groups of `-g CONTROLLERS:PATH`; cgconfigparser makes the
# groups a file (`-l FILE`) names.
CGROUP_WRITERS = frozenset({"cgset", "cgxset", "cgclassify", "cgcreate", "cgdelete", "cgexec",
                            "cgconfigparser"})
_CG_GROUPS = frozenset({"cgcreate", "cgdelete", "cgexec"})


def _cgroup_groups(words: list[_Word]) -> list[PathArg]:
    """The cgroups the `-g CONTROLLERS:PATH` options of cgcreate, cgdelete and cgexec name (as
    their cgroup.procs); unknown without one, or with a value known only at run time."""
    groups: list[PathArg] = []
    for index, word in enumerate(words[1:], start=1):
        value = word.value
        if value is None:
            return [_CG_UNKNOWN]
        if value == "--" or not value.startswith("-"):
            break  # cgexec's command, cgdelete's and cgcreate's `CONTROLLERS:PATH` operands
        if value.startswith("-g"):
            argument = value[2:] or (words[index + 1].value if index + 1 < len(words) else None)
            groups.append(_cgroup_file(None if argument is None else argument.partition(":")[2] or None,
                                       "cgroup.procs"))
    operands = [w.value for w in words[1:] if w.value is not None and ":" in w.value
                and not w.value.startswith("-")]
    groups += [_cgroup_file(o.partition(":")[2] or None, "cgroup.procs") for o in operands]
    return groups or [_CG_UNKNOWN]


def cgroup_writes(name: str, words: list[_Word]) -> list[PathArg]:
    """The cgroup files `cgset` and `cgxset` (`-r NAME=VALUE` in each cgroup operand;
    `--copy-from SRC`: every file of each) and `cgclassify` (`-g CONTROLLERS:PATH`: its
    cgroup.procs; without -g the group a rules file names) write; cgcreate, cgdelete and cgexec
    the groups they name (`_cgroup_groups`), cgconfigparser unknown ones; an option not known
    here leaves them unknown."""
    if name in _CG_GROUPS:
        return _cgroup_groups(words)
    if name == "cgconfigparser":
        return [_CG_UNKNOWN]
    settings: list[str | None] = []
    targets: list[str | None] = []  # cgclassify's -g groups
    operands: list[str] = []  # cgset's cgroups (cgclassify's are process ids)
    copies = False
    index, ended = 1, False
    while index < len(words):
        value = words[index].value
        index += 1
        if value is None:
            return [_CG_UNKNOWN]
        if ended or not value.startswith("-") or value == "-":
            operands.append(value)
            continue
        if value == "--":
            ended = True
            continue
        option, equals, attached = value.partition("=")
        long = option.startswith("--")
        letter = "" if long else option[1:2]
        if name in ("cgset", "cgxset"):
            rule = letter == "r" or (long and len(option) > 2 and "--rule".startswith(option))
            copy = long and len(option) > 2 and "--copy-from".startswith(option)
        else:
            rule, copy = letter == "g", False
        if not (rule or copy):
            if option in ("-h", "--help"):
                return []
            if long or set(option[1:]) - set("b1" if name != "cgxset" else "b12i"):
                return [_CG_UNKNOWN]  # `--sticky`, `-R`: not read here
            continue
        argument = attached if equals and long else (value[2:] if not long and len(value) > 2 else None)
        if argument is None:
            argument = words[index].value if index < len(words) else None
            index += 1
        if name == "cgclassify":
            targets.append(None if argument is None else argument.partition(":")[2] or None)
        elif rule:
            settings.append(None if argument is None else argument.partition("=")[0])
        else:
            copies = True
    if name == "cgclassify":
        return [_cgroup_file(t, "cgroup.procs") for t in targets] or [_CG_UNKNOWN]
    written = [_cgroup_file(group, setting) for group in operands for setting in settings]
    if copies:
        written += [PathArg(f"{_CGROUP_ROOT}/{group.strip('/')}/*", "pattern") for group in operands]
    return written
