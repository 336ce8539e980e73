"""A program whose settings file runs commands, pointed by the line at a settings file it chose
(outside attack a36f, finding 26): `echo 'shell systemctl stop auditd' > /tmp/h/.gdbinit &&
HOME=/tmp/h gdb -batch`, `XDG_CONFIG_HOME=/tmp/c gdb`, `PSQLRC=/tmp/rc psql`, `HOME=/tmp/h psql`.
`confirm-program-settings-files` holds writes to root's and the system's settings files; a file
of any folder the line then names as HOME, XDG_CONFIG_HOME or the program's own variable is the
same file, written anywhere. Such a variable set on the line (a prefix, `export`, `env`...) before
one of these programs makes it unknown, whatever the folder (the login's own included: the
variable is rarely set by hand). pip's and npm's are read by settings_commands.py, curl's and
wget's and the mailers' by their own readers; this table is the programs of
confirm-program-settings-files and confirm-program-settings-files-more."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence

_HOMES = ("HOME", "XDG_CONFIG_HOME")
# the programs that read a kubeconfig (kubectl's, $KUBECONFIG, `--kubeconfig`)
_KUBE_CLIENTS = ("kubectl", "oc", "kubectx", "kubens", "stern", "minikube", "kind", "flux",
                 "istioctl", "velero", "skaffold", "kubeseal", "kubecolor")
# Each program: the variables (beside HOME and XDG_CONFIG_HOME) that choose its settings files.
_MOVED_BY: dict[str, tuple[str, ...]] = {
    "gdb": ("GDBHISTFILE", "XDG_CONFIG_DIRS"), "gdb-multiarch": (), "lldb": (),
    "psql": ("PSQLRC", "PGSYSCONFDIR"), "pgcli": (), "mycli": (), "litecli": (),
    "mysql": ("MYSQL_HOME",), "mariadb": ("MYSQL_HOME",), "sqlite3": (), "duckdb": (),
    "curl": ("CURL_HOME",), "wget": ("WGETRC", "SYSTEM_WGETRC"),
    "mutt": ("MUTT",), "neomutt": (), "lftp": ("LFTP_HOME",), "tmux": (),
    "screen": ("SCREENRC", "SYSSCREENRC"), "irb": ("IRBRC",), "pry": ("PRYRC",),
    "rdbg": ("RUBY_DEBUG_INIT_SCRIPT",), "R": ("R_PROFILE_USER", "R_PROFILE", "R_ENVIRON_USER",
                                               "R_ENVIRON", "R_LIBS_USER"),
    "Rscript": ("R_PROFILE_USER", "R_PROFILE", "R_ENVIRON_USER", "R_ENVIRON", "R_LIBS_USER"),
    "ipython": ("IPYTHONDIR",), "ipython3": ("IPYTHONDIR",), "jupyter": ("JUPYTER_CONFIG_DIR",),
    "ansible": ("ANSIBLE_CONFIG",), "ansible-playbook": ("ANSIBLE_CONFIG",),
    "ansible-pull": ("ANSIBLE_CONFIG",), "ansible-console": ("ANSIBLE_CONFIG",),
    "aws": ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"), "aria2c": (),
    "yt-dlp": (), "youtube-dl": (), "run-mailcap": ("MAILCAPS",), "see": ("MAILCAPS",),
    "hg": ("HGRCPATH",), "svn": (), "less": ("LESSKEY", "LESSKEYIN", "LESSKEY_SYSTEM"),
    "go": ("GOENV",), "cargo": ("CARGO_HOME",),
    "gem": ("GEMRC",), "poetry": ("POETRY_CONFIG_DIR",), "uv": ("UV_CONFIG_FILE",),
    "composer": ("COMPOSER_HOME",), "bun": (),
    **dict.fromkeys(("vim", "vi", "nvim", "view", "vimdiff", "ex", "rvim"), ("VIMINIT", "MYVIMRC")),
    "emacs": ("EMACSLOADPATH",), "kubectl": (), "s3cmd": ("S3CMD_CONFIG",),
    "terraform": ("TF_CLI_CONFIG_FILE", "TERRAFORM_CONFIG"), "fetchmail": ("FETCHMAILHOME",),
    # found after outside attack b37f (finding 2): the programs of the same policy lists the
    # table missed (.pdbrc, .perldb, gpg.conf, .ansible.cfg, rclone.conf, .terraformrc, .vimrc)
    "pdb": ("PYTHONUSERBASE",), "ipdb": ("PYTHONUSERBASE",), "pudb": ("PYTHONUSERBASE",),
    "gpg": ("GNUPGHOME",), "gpgsm": ("GNUPGHOME",), "gpgconf": ("GNUPGHOME",),
    "gpgv": ("GNUPGHOME",), "rclone": ("RCLONE_CONFIG",),
    "tofu": ("TF_CLI_CONFIG_FILE", "TERRAFORM_CONFIG"), "cgdb": (),
    **dict.fromkeys(("editor", "sensible-editor"), ("VIMINIT", "MYVIMRC", "EDITOR", "VISUAL")),
    # outside attack c38f (finding 12): the kubeconfig's clients (a user's `exec:` credential
    # plugin is a command each request runs), helm's homes and plugins, k9s's, docker's
    # config.json (credential helpers, plugin folders), gcloud's (and the python it runs)
    **dict.fromkeys(_KUBE_CLIENTS, ("KUBECONFIG",)),
    "helm": ("KUBECONFIG", "HELM_CONFIG_HOME", "HELM_DATA_HOME", "HELM_CACHE_HOME", "HELM_PLUGINS",
             "HELM_REPOSITORY_CONFIG", "HELM_REGISTRY_CONFIG", "HELM_REPOSITORY_CACHE"),
    "k9s": ("KUBECONFIG", "K9S_CONFIG_DIR"), "docker": ("DOCKER_CONFIG",),
    "gcloud": ("CLOUDSDK_CONFIG", "CLOUDSDK_PYTHON"), "gsutil": ("CLOUDSDK_CONFIG", "BOTO_CONFIG"),
}
# Each program's own options naming its settings file or folder (c38f, finding 12), matched on
# a word before `--`: cobra's `--kubeconfig`, helm's, svn's `--config-dir`, gem's `--config-file`
# by OptionParser's unique start (`--conf`), docker's `--config`, helm's `--post-renderer` (a
# program it runs); vim's `-u FILE` (a vimrc) is read apart.
_KUBE_OPTION = r"--kubeconfig(?:=.*)?"
_MOVING_OPTIONS: dict[str, re.Pattern[str]] = {
    **dict.fromkeys((*_KUBE_CLIENTS, "k9s"), re.compile(_KUBE_OPTION)),
    "helm": re.compile(rf"{_KUBE_OPTION}|--(?:repository-config|registry-config|post-renderer)(?:=.*)?"),
    "svn": re.compile(r"--config-dir(?:=.*)?"), "gem": re.compile(r"--conf[a-z-]*(?:=.*)?"),
    "docker": re.compile(r"--config(?:=.*)?"),
}
# The kubeconfigs their distributions write (k3s, rke2, kubeadm, microk8s) and the login's own:
# KUBECONFIG or `--kubeconfig` naming only these is not moved (an everyday k3s line).
_SYSTEM_KUBECONFIG = re.compile(
    r"/etc/rancher/(?:k3s/k3s|rke2/rke2)\.yaml|/etc/kubernetes/[\w.-]+\.conf"
    r"|/var/snap/microk8s/current/credentials/[\w.-]+\.config|(?:~|/root|/home/[\w.-]+)/\.kube/config")


def _system_kubeconfig(value: str | None) -> bool:
    return value is not None and all(_SYSTEM_KUBECONFIG.fullmatch(part) for part in value.split(":"))


_DOCKER_VALUED = frozenset({"--config", "-c", "--context", "-H", "--host", "-l", "--log-level",
                            "--tlscacert", "--tlscert", "--tlskey"})
_VIMS = ("vim", "vi", "nvim", "view", "vimdiff", "ex", "rvim", "editor", "sensible-editor")
# perl's debugger (-d) reads .perldb in the working folder and HOME, and PERLDB_OPTS/PERL5DB.
_PERL_DEBUGGER = ("HOME", "PERLDB_OPTS", "PERL5DB")
# gpg's own options naming its home or its options file (any abbreviation of them).
_GPG_HOME_OPTION = re.compile(r"--(?:hom|opt)[a-z]*(?:=.*)?")


def _family(name: str) -> str | None:
    """The table's program `name` belongs to: itself, or a name a listed one (three letters or
    more) starts (followed by `-`, `.`, `_` or a version) or ends (`vim.basic`, `ansible-galaxy`,
    `pdb3`, `rust-gdb`, `cgdb`)."""
    if name in _MOVED_BY:
        return name
    bare = re.sub(r"[0-9.]+$", "", name)
    if bare in _MOVED_BY:
        return bare
    for listed in _MOVED_BY:
        if len(listed) >= 3 and (bare.endswith(listed) or (
                name.startswith(listed) and name[len(listed):len(listed) + 1] in ("-", ".", "_"))):
            return listed
    return None
# python reads the .pth files of its user site under HOME (or PYTHONUSERBASE).
_PYTHON_MOVED = ("PYTHONUSERBASE",)


def moved_settings(name: str, known: Collection[str], argv: Sequence[str] = ()) -> str:
    """Why `name`'s settings are unknown, given the variables `known` the line set before it
    and its words `argv` ("" when they are not moved)."""
    family = _family(name)
    if family is not None and family.startswith("gpg") and any(
            _GPG_HOME_OPTION.fullmatch(word) for word in argv[1:]):
        return f"{name} reads gpg.conf (which may name programs it runs) from a folder the line chose"
    if family is not None and (option := _moving_option(family, argv)):
        return f"{name} reads settings that may run commands from a file the line chose ({option})"
    if family is not None:
        variables = _HOMES + _MOVED_BY[family]
    elif re.fullmatch(r"perl[0-9.]*", name) and any(
            re.fullmatch(r"-[a-zA-Z]*d.*", word) for word in argv[1:]):
        variables = _PERL_DEBUGGER
    elif re.fullmatch(r"python[0-9.]*", name):
        variables = ("HOME", *_PYTHON_MOVED)
    else:
        return ""
    values = known if isinstance(known, Mapping) else {}
    moved = [variable for variable in variables if variable in known and not (
        variable == "KUBECONFIG" and _system_kubeconfig(values.get(variable)))]
    if not moved:
        return ""
    return (f"{name} reads settings files that may run commands from under ${moved[0]}, which "
            "the line chose")


def _moving_option(family: str, argv: Sequence[str]) -> str:
    """The option of `argv` (before `--`) that points `family`'s settings elsewhere ("" for
    none): `kubectl --kubeconfig F`, `svn --config-dir D`, `vim -u FILE` (c38f, finding 12)."""
    words = list(argv[1:])
    words = words[:words.index("--")] if "--" in words else words
    pattern = _MOVING_OPTIONS.get(family)
    for at, word in enumerate(words):
        if family == "docker" and not word.startswith("-") and (
                at == 0 or words[at - 1] not in _DOCKER_VALUED):
            return ""  # docker's own options come before its command (`docker run IMG --config`)
        if pattern is not None and pattern.fullmatch(word):
            head, equals, value = word.partition("=")
            value = value if equals else (words[at + 1] if at + 1 < len(words) else None)
            if head != "--kubeconfig" or not _system_kubeconfig(value):
                return head
        if family in _VIMS and word == "-u" and words[at + 1:at + 2] not in (
                ["NONE"], ["NORC"], ["DEFAULTS"], []):
            return "-u"
    return ""
