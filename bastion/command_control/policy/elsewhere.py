"""Programs that hand the line's standard input to a reader elsewhere (found after outside attack
r27f, findings 7 and 8): a shell in a container, a container's own command, a console or an
attached process, a login on another host by a client other than ssh.

- `console`: the program gives the stdin to a terminal elsewhere (a serial line, a virtual
  machine's or a container's console, a process attached to, a remote login by another client:
  `virsh console vm`, `docker attach c`, `picocom /dev/ttyS0`, `vagrant ssh`, `tsh ssh h`);
  that terminal's line discipline and the shell behind it edit what they are fed, so it is read
  as a pty maker (policy/own_terminal.py): refused without an SSH pty, judged key by key with one.
- `stdin_elsewhere`: "shell" when a shell in a container reads the stdin (`pct enter 101`,
  `apptainer shell img`, `snap run --shell x`): the stdin gate judges its statements, as for
  `lxc-attach -n c`; "program" when a container's own command does (`docker run -i debian`,
  `docker start -ai c`, `kubectl run -i x --image=debian`, `docker compose run svc`): what it
  is cannot be told, so an exec channel's first data is held (bastion.ssh.fed_gate), as for a
  program no table reads.

The readings fail closed: a verb counts wherever it stands among the words (`docker --context
prod attach c`, `docker container attach c`), and a container run counts as fed the stdin with
`-i`/`--interactive`/`--stdin`/`-a stdin` anywhere, with or without a command after the image; a
container's or a pod's spec read from stdin (`docker compose -f - up`, `kubectl apply -f -`) is
"program" too (attack v31f, finding 17).
See docs/ARCHITECTURE.md (command control)."""

from __future__ import annotations

import re

from bastion.command_control.policy.paths import _descriptor_file
from bastion.command_control.policy.python_runners import python_module
from bastion.command_control.policy.words import _Word

# Programs that are a console or a serial terminal whatever their words.
_CONSOLES = frozenset({
    "lxc-console", "picocom", "minicom", "microcom", "cu", "tip", "tio", "conman", "ipmiconsole",
    "plink", "et", "mosh-client", "conserver", "console", "miniterm", "miniterm.py",
    "pyserial-miniterm", "bt", "dterm", "putty", "kitty-ssh",
})  # fmt: skip
# The serial and hypervisor consoles as device files: the stdin copied there is typed at a
# console elsewhere (`cat > /dev/ttyS0`, `tee /dev/ttyUSB0`: attack t29f, finding 4).
SERIAL_DEVICE = re.compile(r"/dev/(?:tty(?:S|USB|ACM|AMA|AMC|SAC|MFD|THS|O|mxc|LP|PS|X)\S*|hvc\S*|"
                           r"ttyprintk|serial/\S+|rfcomm\S*|xvc\S*)")
# Consoles attached by an option of another verb (`virsh start --console`, `lxc-start -F`).
_CONSOLE_OPTIONS = {"virsh": ("--console",), "lxc": ("--console",), "incus": ("--console",),
                    "lxc-start": ("-F", "--foreground"), "xl": ("-c",), "xm": ("-c",)}
# Programs whose verb (any of these words among their operands) is a console, an attach or a
# login elsewhere.
_CONSOLE_VERBS = {
    "docker": {"attach"}, "podman": {"attach"}, "nerdctl": {"attach"}, "crictl": {"attach"},
    "kubectl": {"attach"}, "oc": {"attach", "rsh"}, "lxc": {"console", "shell"},
    "incus": {"console", "shell"}, "pct": {"console"}, "qm": {"terminal"},
    "vzctl": {"enter", "console"}, "prlctl": {"enter", "console"}, "virsh": {"console"},
    "xl": {"console"}, "ipmitool": {"activate"}, "tsh": {"ssh"}, "vagrant": {"ssh"},
    "multipass": {"shell"}, "juju": {"ssh"}, "limactl": {"shell"}, "colima": {"ssh"},
    "minikube": {"ssh"}, "doctl": {"ssh"}, "gcloud": {"ssh"}, "az": {"ssh", "serial-console"},
    "aws": {"start-session"}, "flyctl": {"ssh", "console"},
    # found after outside attack t29f (finding 4)
    "virtctl": {"console", "ssh", "vnc"}, "xm": {"console"}, "gh": {"ssh"}, "ctr": {"attach"},
}  # fmt: skip
_CONSOLE_VERBS["gcloud"] = {"ssh", "connect-to-serial-port"}
_CONSOLE_VERBS["podman"] = {"attach", "ssh"}  # `podman machine ssh`
# Programs whose verb starts a shell in a container reading the stdin directly (no terminal).
_SHELL_VERBS = {"pct": {"enter"}, "apptainer": {"shell"}, "singularity": {"shell"},
                "snap": {"--shell"}, "toolbox": {"enter"}, "distrobox": {"enter"},
                "npm": {"explore"}}  # the package's folder, $SHELL reading stdin (y34f, 4)
# Container runs that always feed the stdin to the image's own command (t29f, finding 7).
_ALWAYS_FED = {"apptainer": {"run"}, "singularity": {"run"}, "enroot": {"start"},
               "udocker": {"run"}, "ctr": {"start"}, "runc": {"run"}, "crun": {"run"},
               "runsc": {"run"}, "youki": {"run"}}
# Container runs whose stdin may reach the container's command, by their verbs; those that
# attach the stdin by default (ctr run, compose run, oc debug), the others with `-i`,
# `--interactive`, `--stdin` or `-a stdin`.
_RUN_VERBS = {"docker": {"run", "start"}, "podman": {"run", "start"}, "nerdctl": {"run", "start"},
              "kubectl": {"run", "debug"}, "oc": {"run", "debug"}, "ctr": {"run"},
              "docker-compose": {"run"}, "podman-compose": {"run"}}
_BY_DEFAULT = frozenset({"ctr", "docker-compose", "podman-compose", "compose"})
# pflag's spellings (docker, podman, nerdctl, kubectl, oc): `-i`, `-ai`, `-i=VALUE`,
# `--interactive=VALUE`, `--stdin=VALUE` with any value but one ParseBool reads as false (t29f, 1)
_STDIN_OPTION = re.compile(r"(?:-[A-Za-z]*i|--interactive|--stdin)(?:=(?!(?:0|f|F|FALSE|false|False)$).*)?|"
                           r"-[A-Za-z]*i[A-Za-z]*|-a|--attach|(-a|--attach=)(?i:stdin)")


# found after outside attack v31f (finding 17): verbs that take a container's or a pod's whole
# definition (image, privileges, host mounts, command) from a file, which may be the stdin
# (`docker compose -f - up`, `kubectl apply -f -`, `podman kube play -`, `nomad job run -`).
_SPEC_VERBS = {"docker": {"compose", "stack", "kube", "play"}, "podman": {"compose", "kube", "play"},
               "nerdctl": {"compose"}, "docker-compose": None, "podman-compose": None,
               "kubectl": {"apply", "create", "replace", "patch"}, "oc": {"apply", "create",
                                                                         "replace", "patch"},
               "kubecolor": {"apply", "create", "replace", "patch"}, "k3s": {"kubectl"},
               "microk8s": {"kubectl", "kubectl.wrapper"}, "nomad": {"run"},
               "helm": {"install", "upgrade"}, "waypoint": {"up", "deploy"},
               "virsh": {"create", "define"}, "crictl": {"run", "create", "runp"}}
# Verbs that read a spec (YAML) from stdin whenever it is no terminal, with no `-` to say so:
# LXD's and Incus's `launch`/`init`/`create` (a container's config: `security.privileged`, a
# disk device with `source: /`) and their `... edit` verbs.
_STDIN_SPEC_VERBS = {"lxc": {"launch", "init", "create", "edit"},
                     "incus": {"launch", "init", "create", "edit"}}


def _spec_from_stdin(name: str, words: list[str]) -> bool:
    """Whether a spec verb (`_SPEC_VERBS`) reads a file that is the stdin: `-`, a descriptor
    file, or either as an option's value (`-f-`, `--filename=-`, `-c=/dev/stdin`)."""
    if set(words) & _STDIN_SPEC_VERBS.get(name, set()):
        return True
    if name not in _SPEC_VERBS:
        return False
    verbs = _SPEC_VERBS[name]
    if verbs is not None and not verbs & set(words):
        return False

    def stdin(value: str) -> bool:
        return value == "-" or _descriptor_file(value) is not None

    return any(stdin(w) or (w.startswith("-") and (
        ("=" in w and stdin(w.partition("=")[2])) or
        (not w.startswith("--") and len(w) > 2 and stdin(w[2:])))) for w in words)


def _words(argv: tuple[str, ...]) -> list[str]:
    """The operands and options before a `--` (what follows is the command run inside)."""
    words = list(argv[1:])
    return words[: words.index("--")] if "--" in words else words


def console(name: str, argv: tuple[str, ...]) -> str | None:
    """How the program `name` (its words `argv`) hands the stdin to a terminal elsewhere (`virsh
    console`), or None."""
    if name in _CONSOLES:
        return name
    words = _words(argv)
    found = next((w for w in words if w in _CONSOLE_VERBS.get(name, ())), None)
    if found is not None:
        return f"{name} {found}"
    options = _CONSOLE_OPTIONS.get(name, ())
    if any(w.partition("=")[0] in options or (len(o) == 2 and w[:1] == "-" and w[1:2] != "-"
                                              and o[1] in w[1:]) for w in words for o in options):
        return f"{name} with a console"
    if name == "virt-install" and "--noautoconsole" not in words and \
            "--autoconsole=none" not in words and ("none" not in words or any(
                w.partition("=")[0] in ("--autoconsole", "--console") for w in words)):
        return "virt-install with a console"  # it attaches one unless told not to
    if name.startswith("qemu-system-") or name in ("qemu-kvm", "kvm"):
        if any("stdio" in w or w in ("-nographic", "--nographic") for w in words):
            return f"{name} with its console on stdio"
    if name in ("python3", "python") and "serial.tools.miniterm" in words:
        return "miniterm"
    module = python_module([_Word(w, w) for w in argv]) if name.startswith("python") else None
    if module is not None and module[0].value == "serial.tools.miniterm":
        return "miniterm"  # `python3 -Imserial.tools.miniterm` (attack z35f, finding 6)
    return None


def _npm_verb(words: list[str]) -> str:
    """npm's verb: the first word that is no option nor, maybe, an option's value (a word after
    an option with no `=`: `npm --prefix /x explore y`); "explore" wherever it may be the verb."""
    for index, word in enumerate(words):
        if word.startswith("-"):
            continue
        if word == "explore" or index == 0 or not words[index - 1].startswith("-") or \
                "=" in words[index - 1]:
            return word
    return ""


def stdin_elsewhere(name: str, argv: tuple[str, ...]) -> str:
    """"shell" when the program `name` (its words `argv`) starts a shell elsewhere reading the
    line's stdin, "program" when a container's own command may read it, else ""."""
    words = _words(argv)
    if name == "npm":  # its verb, with no command (`npm explore x -- CMD` runs CMD: judged)
        if _npm_verb(words) == "explore" and "--" not in argv:
            return "shell"
    elif any(w in _SHELL_VERBS.get(name, ()) for w in words):
        return "shell"
    if any(w in _ALWAYS_FED.get(name, ()) for w in words) or _spec_from_stdin(name, words):
        return "program"
    if not set(words) & _RUN_VERBS.get(name, set()):
        return ""
    if name in _BY_DEFAULT or _BY_DEFAULT & set(words) or (name == "oc" and "debug" in words):
        return "program"
    return "program" if any(_STDIN_OPTION.fullmatch(w) for w in words if w.startswith("-")) else ""
