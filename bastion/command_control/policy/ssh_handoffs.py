"""ssh options and commands other programs hand to the ssh they run (outside attack x33f,
findings 7 and 8; the s28f-22 class, fixed then for scp, sftp, rsync -e, GIT_SSH_COMMAND, sshfs,
autossh): a `ProxyCommand`, `LocalCommand`, `KnownHostsCommand` among them runs here through
the shell, as `ssh -o ProxyCommand=CMD` does, and is judged as that code
(programs._connection_code: an `-F FILE` there is unknown too).

Read, each value split as the program splits it before handing it on (and, where a reading
may differ, also blank-split, and whole as one word: every reading judged, so that
`clush -o '-oProxyCommand=rm -rf /etc'`, which ssh would refuse once split, is held too):
- ClusterShell's `clush -o OPTS` / `--options=OPTS` (shlex), its `-O KEY=VALUE` / `--option`
  settings (`ssh_options`, `scp_options`, `rsh_options` read so; `ssh_path`, `scp_path`,
  `rsh_path`, `rcp_path` are the program run: code; a key not known to be plain is unknown),
  and `--groupsconf FILE` (a groups file whose upcalls are shell commands: unknown);
- mussh's `-o OPT` (`ssh -o OPT`, its value word-split by mussh's unquoted `$SSH_ARGS`) and
  `-po OPT` (put in the command line the proxy host's shell runs: code);
- pssh/parallel-ssh and its kin (`pscp`, `prsync`, `pslurp`, `pnuke`...): `-O OPT` (`ssh -o
  OPT`), `-x ARGS` (shlex), `-X ARG` (one word);
- Ansible's `--ssh-common-args`, `--ssh-extra-args`, `--scp-extra-args`, `--sftp-extra-args`
  (shlex), in every ansible program, and its `-e` variables of the same names (unknown);
  unison's `-sshargs`; duplicity's `--ssh-options`; dsh's `-o` / `--remoteshellopt`;
- Dropbear's `dbclient -J PROXYCMD`: run as `$SHELL -c "exec PROXYCMD"` (cli-main.c): code;
  the programs run in place of ssh: `rclone --sftp-ssh CMD` (and a connection string's
  `ssh=`: unknown), `restic -o sftp.command=CMD` (`sftp.args=` read as ssh's options),
  libvirt's `?command=` in a `-c`/`--connect` URI (unknown); salt-ssh's `--ssh-option`.
The environment's spellings (pdsh's `PDSH_SSH_ARGS`, `PDSH_SSH_ARGS_APPEND`, split at spaces;
`ANSIBLE_SSH_ARGS` and its kin, shlex) are read by collect_variables through `VARIABLES`.
Long options are matched by any start of their name (getopt_long, optparse, argparse take a
unique one), short ones anywhere in a cluster (a letter after a flag, or a misread that only
judges one more word as ssh's: fail closed). A value known only at run time is unknown."""

from __future__ import annotations

import shlex

from bastion.command_control.policy.programs import _connection_code
from bastion.command_control.policy.words import _Word

# Per program: its options that hand words to ssh, and how it splits their value ("shlex",
# "spaces", "option": `-o VALUE` word-split, "dash-o": `-o VALUE` as one word, "word": one
# word, "code": a command line the shell runs, "clush": a clush.conf setting, "mussh-proxy",
# "unknown").
_ANSIBLE = {"--ssh-common-args": "shlex", "--ssh-extra-args": "shlex",
            "--scp-extra-args": "shlex", "--sftp-extra-args": "shlex", "-e": "ansible-vars",
            "--extra-vars": "ansible-vars"}
_PSSH = {"-O": "dash-o", "--option": "dash-o", "-x": "shlex", "--extra-args": "shlex",
         "-X": "word", "--extra-arg": "word"}
_LIBVIRT = {"-c": "uri", "--connect": "uri"}
_PROGRAMS: dict[str, dict[str, str]] = {
    "clush": {"-o": "shlex", "--options": "shlex", "-O": "clush", "--option": "clush",
              "--groupsconf": "unknown"},
    "mussh": {"-o": "option", "-po": "mussh-proxy"},
    **dict.fromkeys(("pssh", "parallel-ssh", "pscp", "pscp.pssh", "parallel-scp", "prsync",
                     "parallel-rsync", "pslurp", "parallel-slurp", "pnuke", "parallel-nuke"),
                    _PSSH),
    **dict.fromkeys(("ansible", "ansible-playbook", "ansible-pull", "ansible-console"), _ANSIBLE),
    "unison": {"-sshargs": "shlex"},
    "duplicity": {"--ssh-options": "shlex"},
    "dsh": {"-o": "word", "--remoteshellopt": "word"},
    "dbclient": {"-J": "code"},
    "salt-ssh": {"--ssh-option": "dash-o"},
    # rclone's sftp backend runs `--sftp-ssh` (split, no shell) in place of ssh; a remote given
    # on the line may set it (`:sftp,ssh='CMD':/x`, read in `handed_ssh_code`)
    "rclone": {"--sftp-ssh": "code"},
    # restic's `-o sftp.command=CMD` runs CMD in place of ssh, `sftp.args=` are ssh's options
    "restic": {"-o": "restic", "--option": "restic"},
    # libvirt's ssh transport: `?command=` names the program run in place of ssh
    **dict.fromkeys(("virsh", "virt-install", "virt-viewer", "virt-clone", "virt-xml",
                     "virt-top", "virt-manager", "virt-admin"),
                    _LIBVIRT),
}
_LIBVIRT_PROGRAMS = frozenset(n for n, o in _PROGRAMS.items() if o is _LIBVIRT)
# The environment's ssh options: how each program splits them.
VARIABLES = {"PDSH_SSH_ARGS": "spaces", "PDSH_SSH_ARGS_APPEND": "spaces",
             "ANSIBLE_SSH_ARGS": "shlex", "ANSIBLE_SSH_COMMON_ARGS": "shlex",
             "ANSIBLE_SSH_EXTRA_ARGS": "shlex", "ANSIBLE_SCP_EXTRA_ARGS": "shlex",
             "ANSIBLE_SFTP_EXTRA_ARGS": "shlex"}
# clush.conf's keys that name the program run in place of ssh/scp/rsh, those handed to it as
# options, and those known to name neither (numbers, colours, a user).
_CLUSH_PROGRAMS = frozenset({"ssh_path", "scp_path", "rsh_path", "rcp_path"})
_CLUSH_OPTIONS = frozenset({"ssh_options", "scp_options", "rsh_options"})
_CLUSH_PLAIN = frozenset({"fanout", "connect_timeout", "command_timeout", "color", "fd_max",
                          "history_size", "node_count", "verbosity", "maxrc", "ssh_user",
                          "password_prompt"})


def _readings(text: str, how: str) -> list[list[str] | None]:
    """The word lists a program may hand to ssh from `text` (None: it cannot be split)."""
    blanks = text.split()
    if how == "shlex":
        try:
            return [shlex.split(text), blanks, [text]]
        except ValueError:
            return [None]
    if how == "spaces":
        return [[word for word in text.split(" ") if word], [text]]
    if how == "option":
        return [["-o", text], ["-o", *blanks]]
    if how == "dash-o":
        return [["-o", text]]
    return [[text]]


def ssh_words_code(words: list[str] | None) -> list[str | None]:
    """The code in ssh's options `words` (programs._connection_code); None where the words are
    not known."""
    if words is None:
        return [None]
    return _connection_code("ssh", [_Word("ssh", "ssh"), *(_Word(w, w) for w in words)])


def variable_code(name: str, value: str) -> list[str | None]:
    """The code in the ssh options an environment variable (`VARIABLES`) hands to ssh."""
    return _handed(value, VARIABLES[name])


def _handed(value: str | None, how: str) -> list[str | None]:
    if value is None or how == "unknown":
        return [None]
    if how == "code":
        return [value]
    if how == "mussh-proxy":
        return [f"mussh -o {value}", *_handed(value, "option")]
    if how == "restic":
        key, _, setting = value.partition("=")
        if key.strip() == "sftp.command":
            return [setting]
        return _handed(setting, "shlex") if key.strip() == "sftp.args" else []
    if how == "ansible-vars":  # `-e ansible_ssh_common_args=...`, `ansible_ssh_executable=...`
        # (and the paramiko and libssh plugins' `ansible_*_proxy_command`: attack z35f, 3)
        lowered = value.lower()
        return [None] if "proxy" in lowered or any(
            f"ansible_{t}" in lowered for t in ("ssh", "scp", "sftp", "paramiko", "libssh")) else []
    if how == "uri":
        return [None] if "command=" in value.lower() or "%" in value else []
    if how == "clush":
        key, has_value, setting = value.partition("=")
        key = key.strip()
        if key in _CLUSH_OPTIONS:
            return _handed(setting, "shlex")
        if key in _CLUSH_PROGRAMS:
            return [setting, shlex.join(setting.split())]
        return [] if key in _CLUSH_PLAIN and has_value else [None]
    codes: list[str | None] = []
    for words in _readings(value, how):
        codes += [c for c in ssh_words_code(words) if c not in codes or c is None]
    return codes


def _option(word: str, options: dict[str, str]) -> tuple[str, str | None] | None:
    """The handed option `word` starts (its name, and its attached value or None)."""
    if word.startswith("--"):
        given, has_value, attached = word.partition("=")
        names = [o for o in options if o.startswith("--") and o.startswith(given) and len(given) > 3]
        if not names:
            return None
        name = given if given in names else names[0]
        return name, attached if has_value else None
    if word in options:
        return word, None
    for option in options:
        if option.startswith("-") and not option.startswith("--") and len(option) > 2 and \
                word.startswith(option + "="):
            return option, word[len(option) + 1:]  # unison's `-sshargs=...`
    if not word.startswith("-") or len(word) < 3 or word[1] == "-":
        return None
    for offset, letter in enumerate(word[1:], start=2):
        if f"-{letter}" in options:
            return f"-{letter}", word[offset:] or None
    return None


def handed_ssh_code(name: str, words: list[_Word]) -> list[str | None]:
    """The code run here by the ssh options (or proxy commands) the program `name` hands on."""
    options = _PROGRAMS.get(name)
    if options is None:
        return []
    codes: list[str | None] = []
    index = 1
    while index < len(words):
        value = words[index].value
        index += 1
        if value == "--":
            break
        if name == "rclone" and value is not None and ",ssh=" in value.replace(" ", ""):
            codes.append(None)  # a connection string's `ssh=` (rclone's sftp backend)
        if name in _LIBVIRT_PROGRAMS and value is not None and not value.startswith("-") and \
                "command=" in value.lower():
            codes.append(None)  # `virsh connect 'URI?command=...'` (attack z35f, finding 3)
        if value is None or not value.startswith("-"):
            continue
        found = _option(value, options)
        if found is None:
            continue
        option, attached = found
        if attached is None:
            attached = words[index].value if index < len(words) else ""
            index += 1
        codes += _handed(attached, options[option])
    return codes
