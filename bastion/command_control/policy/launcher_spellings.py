"""Launchers spelled otherwise (attack U): the subcommands, aliases and two-word verbs that run
a command (`npm exe`, `bundler exec`, `yarn dlx`, `uv tool run`, `bun x`, `uvx`, `pdm run`,
`dotenv --`, `sops exec-env FILE CMD`, `rvm VERSION do CMD`...), each read with a `_Strict`
table of its own.

`RESPELLED[name]` lists `(verb words, table, what)`: after the program's options (read with
`GLOBALS[name]`, else the first entry's table) come the verb words (`*`: any word), then the
words `_strict` reads with that table; `what` is "command" (judged as typed), "shell" (the
user's shell starts, reading stdin), "unknown" (runs a program the policy cannot name: `nix run
PACKAGE`), "plain" (a subcommand that runs nothing) or "as PROGRAM" (the words after it are
PROGRAM's: `uv pip` is pip). A verb the table does not list leaves the program as it was
judged before: its `_STRICT` entry, its interpreter reading, or a plain program."""

from __future__ import annotations

from bastion.command_control.policy.collect_launchers import _STRICT, _runs, _Strict


def _bare(name: str) -> _Strict:
    """`_STRICT[name]` read after its verb: the same options, no verb."""
    return _STRICT[name]._replace(verbs=frozenset())


_NPX = _bare("npx")
_YARN = _runs("", "p", ("--cwd", "--package", "--modules-folder", "--cache-folder",
                        "--mutex", "--network-timeout", "--registry"), "q",
              ("--quiet", "--silent", "--offline", "--prefer-offline", "--frozen-lockfile",
               "--immutable", "--ignore-engines", "--top-level", "--binaries-only",
               "--no-progress", "--non-interactive", "--inspect", "--inspect-brk",
               "--require", "--top-level"), chdir=("--cwd",))
_PDM = _runs("", "p", ("--project", "--venv"), "gsqvl",
             ("--global", "--site-packages", "--list", "--json", "--recreate", "--verbose",
              "--quiet", "--no-isolation"), chdir=("-p", "--project"))
_HATCH = _runs("", "ep", ("--env", "--project", "--data-dir", "--cache-dir", "--config"), "qv",
               ("--interactive", "--no-interactive", "--no-color", "--color"))
_RYE = _runs("", "", ("--pyproject",), "lvq", ("--list", "--verbose", "--quiet"))
_PIXI = _runs("", "ecsp", ("--manifest-path", "--environment", "--spec", "--channel",
                           "--platform", "--concurrent-downloads", "--concurrent-solves",
                           "--color", "--executable", "--with"), "vq",
              ("--frozen", "--locked", "--force-reinstall", "--clean-env", "--revalidate",
               "--skip-deps", "--no-lockfile-update", "--no-install", "--no-progress",
               "--list"))
_DEVBOX = _runs("", "ce", ("--config", "--env", "--env-file", "--environment"), "q",
                ("--pure", "--omit-nix-env", "--list", "--quiet"))
_BUNX = _runs("", "p", ("--package",), "", ("--bun", "--silent", "--verbose"))
_UVX = _bare("uv")._replace(long=_STRICT["uv"].long | {"--from"})
_PIPX = _runs("", "", ("--spec", "--python", "--pip-args", "--index-url", "--backend"), "vq",
              ("--no-cache", "--system-site-packages", "--path", "--pypackages",
               "--verbose", "--quiet", "--fetch-missing-python"))
# python-dotenv: `dotenv [-f F] [-q Q] [-e E] run [--override] CMD`; Node's dotenv-cli:
# `dotenv [-e F]... [-v K=V] [-p VAR] [--] CMD` (its `-c [ENV]` takes an optional value:
# not read, unknown).
_DOTENV_GLOBALS = _runs("", "fqev", ("--file", "--quote", "--export"), "", ("--debug",))
_DOTENV_RUN = _runs("", "", (), "", ("--override", "--no-override"))
_DOTENV_CLI = _runs("", "evpf", ("--file",), "", ("--debug", "--override", "--quiet"))
_DOTENVX = _runs("", "fe", ("--env-file", "--env", "--env-keys-file", "--env-vault-file",
                            "--convention", "--log-level", "--ops-off"), "qvdo",
                 ("--overload", "--strict", "--ignore", "--debug"))
_ENVCHAIN = _runs("", "", (), "", ("--noecho", "--require-passphrase", "--no-require-passphrase"),
                  operands=1)
_INFISICAL = _runs("", "", ("--env", "--path", "--projectId", "--token", "--domain", "--tags",
                            "--log-level", "--project-config-dir"), "",
                   ("--watch", "--include-imports", "--expand", "--silent", "--recursive",
                    "--secret-overriding", "--telemetry"), code=("--command",))
# chamber: the services up to `--`, the command after it (none without: chamber refuses).
_CHAMBER = _runs("", "rb", ("--retries", "--backend", "--kms-key-alias"), "v",
                 ("--pristine", "--strict", "--strict-value", "--verbose"), installables=True)
# sops exec-env/exec-file FILE COMMAND: COMMAND is one word a shell runs (`{}` is the file).
_SOPS = _runs("", "", ("--user", "--filename", "--input-type", "--output-type", "--config"), "",
              ("--background", "--no-fifo", "--pristine", "--same-process", "--verbose"),
              operands=1, joined=True)
# guix shell: packages up to `--`, the command after; none: the user's shell.
_GUIX = _runs("", "mfrSEL", ("--manifest", "--file", "--root", "--symlink", "--preserve",
                             "--expose", "--share", "--load-path", "--system"), "CNDqP",
              ("--container", "--network", "--development", "--pure", "--check",
               "--emulate-fhs", "--no-cwd", "--nesting", "--link-profile", "--rebuild-cache"),
              installables=True, no_command="shell")
_ZRUN = _runs("")
# Version managers that run a command with a version chosen first: `rustup run TOOLCHAIN CMD`,
# `nvm exec VERSION CMD`, `rvm VERSION do CMD`, `chruby-exec RUBY -- CMD`, `fnm exec -- CMD`.
_VERSION_FIRST = _runs("", operands=1)
_CHRUBY = _runs("", installables=True)
_FNM = _runs("", "", ("--using",), "", ("--log-level",))
_STACK = _runs("", "", ("--cwd", "--package", "--stack-yaml", "--resolver"), "",
               ("--rts-options", "--no-ghc-package-path", "--silent"), chdir=("--cwd",))
_SHELL = _runs("")
_OPAM = _runs("", "", ("--switch", "--root"), "", ("--set-switch", "--set-root"))
_PLAIN = _runs("")

RESPELLED: dict[str, tuple[tuple[tuple[str, ...], _Strict, str], ...]] = {
    "npm": ((("exe",), _bare("npm"), "command"),),
    "pnpx": (((), _NPX, "command"),),
    # yarn exec runs its words joined, in yarn's shell (attack y34f, finding 4: `yarn exec 'CODE'`)
    "yarn": ((("exec",), _YARN._replace(joined=True), "command"), (("dlx",), _YARN, "command"),
             (("run",), _YARN, "command"), (("node",), _PLAIN, "unknown"),
             (("workspace",), _PLAIN, "unknown"), (("workspaces",), _PLAIN, "unknown")),
    "bundler": ((("exec",), _bare("bundle"), "command"),),
    "pdm": ((("run",), _PDM, "command"),),
    "rye": ((("run",), _RYE, "command"), (("shell",), _SHELL, "shell")),
    "pixi": ((("run",), _PIXI, "command"), (("exec",), _PIXI, "command"),
             (("shell",), _SHELL, "shell")),
    "devbox": ((("run",), _DEVBOX, "command"), (("shell",), _SHELL, "shell")),
    "bunx": (((), _BUNX, "command"),),
    "bun": ((("x",), _BUNX, "command"),),
    "uvx": (((), _UVX, "command"),),
    "uv": ((("tool", "run"), _UVX, "command"), (("pip",), _PLAIN, "as pip"),
           (("venv",), _PLAIN, "as virtualenv")),
    # `pipx runpip VENV ARGS` runs the venv's pip with ARGS (attack z35f, finding 16)
    "pipx": ((("run",), _PIPX, "command"), (("runpip", "*"), _PLAIN, "as pip")),
    "poetry": ((("shell",), _SHELL, "shell"),),
    "pipenv": ((("shell",), _SHELL, "shell"),),
    "dotenv": ((("run",), _DOTENV_RUN, "command"),
               *(((verb,), _PLAIN, "plain") for verb in ("list", "get", "set", "unset")),
               ((), _DOTENV_CLI, "command")),
    "dotenvx": ((("run",), _DOTENVX, "command"),),
    "envchain": (((), _ENVCHAIN, "command"),),
    "infisical": ((("run",), _INFISICAL, "command"),),
    "chamber": ((("exec",), _CHAMBER, "command"),),
    "sops": ((("exec-env",), _SOPS, "command"), (("exec-file",), _SOPS, "command")),
    "nix": ((("run",), _PLAIN, "unknown"),),
    "guix": ((("shell",), _GUIX, "command"), (("environment",), _GUIX, "command")),
    "zrun": (((), _ZRUN, "command"),),
    "rtx": ((("exec",), _bare("mise"), "command"), (("x",), _bare("mise"), "command")),
    "rustup": ((("run",), _VERSION_FIRST, "command"),),
    "nvm": ((("exec",), _VERSION_FIRST, "command"), (("run",), _PLAIN, "unknown")),
    "fnm": ((("exec",), _FNM, "command"),),
    "volta": ((("run",), _runs("", "", ("--node", "--npm", "--yarn", "--pnpm", "--env"), "",
                                ("--bundled-npm", "--no-yarn", "--no-pnpm", "--verbose", "--quiet")),
               "command"),),
    "jenv": ((("exec",), _ZRUN, "command"),),
    "rvm": ((("*", "do"), _ZRUN, "command"), (("in",), _PLAIN, "unknown")),
    "plenv": ((("exec",), _ZRUN, "command"),),
    "chruby-exec": (((), _CHRUBY, "command"),),
    "opam": ((("exec",), _OPAM, "command"), (("config", "exec"), _OPAM, "command")),
    "stack": ((("exec",), _STACK, "command"),),
    "cabal": ((("exec",), _runs("", "", ("--project-file", "--builddir"), "v", ("--verbose",)),
               "command"),),
    "hatch": ((("run",), _HATCH, "command"), (("env", "run"), _HATCH, "command"),
              (("shell",), _SHELL, "shell")),
    # an application whose program the policy cannot name (`--command=sh`), and yarn's own
    # node (`yarn node -e CODE`) or another workspace's commands
    "flatpak": ((("run",), _PLAIN, "unknown"),),
}  # fmt: skip
# Options before the verb, where the verb's table does not read them.
GLOBALS = {"dotenv": _DOTENV_GLOBALS, "sops": _runs("", "", ("--config",), "", ("--verbose",)),
           "chamber": _CHAMBER, "guix": _runs("")}
