"""Programs read with the wrong grammar (outside attack U, items of issue 12's second list):
renamers an editor drives, launchers spelled otherwise, python's `-m` modules and pip's
folders. Tables of lines against the shipped policy, pure.

Each held line was allowed before; each honest line beside it stays allowed.
"""

from __future__ import annotations

from bastion.command_control.policy import Policy, evaluate, script_doubt
from tests.rows import each

HELD = ("deny", "confirm")


def verdicts(policy: Policy, line: str) -> tuple[str, str]:
    """The action for a line typed at a terminal, and for the same line as an exec command."""
    typed = evaluate(policy, line, role="engineer", target="web01").action
    sent = evaluate(policy, line, role="engineer", target="web01", login="root",
                    interactive=False).action
    return typed, sent


# Item 1: renameutils and vidir rename or copy files to names an editor, a prompt or a
# decoding gives: any name beside each file, or inside each folder given; an editor program
# given on the line (or in EDITOR/VISUAL) is code and computes the names itself.
RENAMERS_HELD = [
    "qmv /etc/sudoers.d",
    "qmv -R /etc",
    "qcp /etc/sudoers.d/README",
    "cd /etc/sudoers.d && qmv .",
    "imv /etc/sudoers.d/x",
    "icp /etc/sudoers.d/README",
    "vidir /etc/sudoers.d",
    "vidir /etc/sudoers.d/x",
    "vidir -",  # the files' names from stdin
    "qmv -e 'sed -i s/x/y/' /srv/app",  # a program computes the names: anywhere
    "qmv --editor=/tmp/ed /srv/app",
    "EDITOR=/tmp/ed vidir /srv/app",
    "export VISUAL=/tmp/ed; qmv /srv/app",
    "qmv -e 'touch /etc/sudoers.d/F' /srv/app",  # the editor is code, judged as such
    "qmv -c export /srv/app",  # command mode: its `export` writes a file
    "qmv -i /srv/app",
    "qmv --unheard-of /srv/app",
    "deurlname /etc/sudoers.d/x%20y",
    "deurlname /tmp/..%2Fetc%2Fsudoers.d%2Fx",  # a decoded `/` leaves the folder
    "rnm -rs '/x/sudoers/' /tmp/x",
    "f2 -f x -r /etc/sudoers.d/x -x /tmp",
    "zmv '(*).txt' '/etc/sudoers.d/$1'",
]
RENAMERS_HONEST = [
    "qmv /srv/app/releases",
    "qmv -e vim /srv/app/releases",
    "EDITOR=nano vidir /srv/app/releases",
    "imv /srv/app/x.txt",
    "f2 -f x -r y /srv/app",  # f2 shows the renames unless told to run them (-x)
    "zmv -n '(*).txt' '$1.md'",
]

# Item 2: the command a launcher runs is judged as if typed, whichever spelling starts it.
LAUNCHERS_HELD = [
    "npm exe -- touch /etc/sudoers.d/F",
    "pnpx touch /etc/sudoers.d/F",
    "yarn exec touch /etc/sudoers.d/F",
    "yarn dlx touch /etc/sudoers.d/F",
    "yarn run touch /etc/sudoers.d/F",
    "yarn --cwd /etc exec touch sudoers.d/F",
    "yarn --unheard-of exec touch /etc/sudoers.d/F",
    "yarn $verb touch /etc/sudoers.d/F",
    "bundler exec touch /etc/sudoers.d/F",
    "pdm run touch /etc/sudoers.d/F",
    "pdm -p /etc run touch sudoers.d/F",
    "hatch run touch /etc/sudoers.d/F",
    "rye run touch /etc/sudoers.d/F",
    "pixi run touch /etc/sudoers.d/F",
    "pixi exec touch /etc/sudoers.d/F",
    "devbox run touch /etc/sudoers.d/F",
    "bunx touch /etc/sudoers.d/F",
    "bun x touch /etc/sudoers.d/F",
    "uvx touch /etc/sudoers.d/F",
    "uvx --from x touch /etc/sudoers.d/F",
    "uv tool run touch /etc/sudoers.d/F",
    "uv -q tool run touch /etc/sudoers.d/F",
    "uv tool -q run touch /etc/sudoers.d/F",  # options between the subcommand's words
    "uv tool --unheard-of run touch /etc/sudoers.d/F",
    "hatch env -v run -- touch /etc/sudoers.d/F",
    "uv --directory /etc tool run touch sudoers.d/F",
    "pipx run touch /etc/sudoers.d/F",
    "dotenv -- touch /etc/sudoers.d/F",
    "dotenv -e .env -- touch /etc/sudoers.d/F",
    "dotenv run touch /etc/sudoers.d/F",
    "dotenv -f .env run touch /etc/sudoers.d/F",
    "dotenv -c touch /etc/sudoers.d/F",  # an optional value: not read
    "dotenvx run -- touch /etc/sudoers.d/F",
    "envchain ns touch /etc/sudoers.d/F",
    "infisical run -- touch /etc/sudoers.d/F",
    "infisical run --command 'touch /etc/sudoers.d/F'",
    "chamber exec svc -- touch /etc/sudoers.d/F",
    "sops exec-env f.json 'touch /etc/sudoers.d/F'",
    "sops exec-file f.json 'cp {} /etc/sudoers.d/x'",
    "nix run nixpkgs#coreutils -- touch /etc/sudoers.d/F",  # the package's program: unnamed
    "guix shell -- touch /etc/sudoers.d/F",
    "guix shell coreutils -- touch /etc/sudoers.d/F",
    "zrun touch /etc/sudoers.d/F",
    # the class: version managers, other language tools, sandboxed applications
    "rvm 2.7 do touch /etc/sudoers.d/F",
    "rvm in /etc do touch x",
    "rvm --unheard-of 2.7 do touch /etc/sudoers.d/F",
    "rustup run stable touch /etc/sudoers.d/F",
    "nvm exec 18 touch /etc/sudoers.d/F",
    "fnm exec --using=18 touch /etc/sudoers.d/F",
    "volta run touch /etc/sudoers.d/F",
    "jenv exec touch /etc/sudoers.d/F",
    "chruby-exec 3.1 -- touch /etc/sudoers.d/F",
    "opam exec -- touch /etc/sudoers.d/F",
    "stack exec touch /etc/sudoers.d/F",
    "cabal exec touch /etc/sudoers.d/F",
    "hatch env run -- touch /etc/sudoers.d/F",
    "rtx x -- touch /etc/sudoers.d/F",
    "flatpak run --command=sh org.example.App",
    "yarn node -e 'require(\"fs\").writeFileSync(\"/etc/sudoers.d/F\", \"\")'",
    "yarn workspace a exec touch /etc/sudoers.d/F",
    # moreutils' parallel: the command before `--`, each argument appended (or in {} with -i)
    "parallel sh -c -- 'touch /etc/sudoers.d/F'",
    "parallel -j2 -i sh -c 'cp {} /etc/sudoers.d/' -- /tmp/a",
    "parallel -j 2 -- 'touch /etc/sudoers.d/F'",
    "parallel -x sh -c -- 'touch /etc/sudoers.d/F'",
]
LAUNCHERS_HONEST = [
    "npm exe eslint .",
    "yarn run build",
    "yarn build",
    "bundler exec rake test",
    "pdm run pytest",
    "hatch run test",
    "uvx ruff check .",
    "uv tool run ruff check .",
    "bun x prettier --check .",
    "pipx run black --check .",
    "dotenv run make",
    "dotenv list",
    "sops exec-env f.json 'make deploy'",
    "sops -d f.json",
    "chamber exec app -- make",
    "guix shell python -- python3 x.py",
    "pixi run --frozen test",
    "parallel -j2 gzip -- a b c",
    "parallel -j2 -- 'gzip a' 'gzip b'",
    "ts '%F %T'",  # moreutils' ts stamps stdin's lines: its word is a format, not a command
    "chronic make",
    "rvm all do rake test",
    "rustup run stable cargo build",
    "stack build",
]

# Item 3: python's -m modules that write, and pip's folders.
MODULES_HELD = [
    "python3 -m gzip -d /etc/sudoers.d/x.gz",
    "python3 -m gzip /etc/sudoers.d/x",
    "python3 -m uu -d /tmp/x",  # the header names the file written
    "python3 -m zipfile -e /tmp/a.zip /etc/sudoers.d",
    "python3 -m tarfile -e /tmp/a.tar /srv/app",  # members may name any path
    "python3 -m zipfile -c /etc/sudoers.d/x.zip /tmp/a",
    "python3 -m venv /etc/sudoers.d",
    "python3 -m virtualenv /etc/sudoers.d",
    "python3 -m ensurepip --root /etc",
    "python3 -m compileall /etc/sudoers.d",
    "python3 -m py_compile /etc/sudoers.d/x.py",
    "python3 -m json.tool /tmp/x /etc/sudoers.d/x",
    "python3 -m zipapp /tmp/app -o /etc/sudoers.d/x",
    "python3 -m http.server --cgi",
    "python3 -m sqlite3 /tmp/db \"ATTACH '/etc/sudoers.d/x' AS x\"",
    "python3 -Im pip install --target /etc/sudoers.d x",
    "python3 -m pip download -d /etc/sudoers.d x",
    "pip install --target /etc/sudoers.d x",
    "pip install -t /etc/sudoers.d x",
    "pip install -t/etc/sudoers.d x",
    "pip install -qt /etc/sudoers.d x",
    "pip install --targ /etc/sudoers.d x",  # optparse takes any unambiguous start
    "pip install --prefix /etc x",
    "pip install --root=/etc x",
    "pip3 install --src /etc/sudoers.d -e git+https://x/y#egg=y",
    "pip wheel -w /etc/sudoers.d x",
    "pip install --log /etc/sudoers.d/x x",
    "pip install --report /etc/sudoers.d/x x",
    "uv pip install --target /etc/sudoers.d x",
    "uv -q pip install --prefix=/etc x",
    "uv venv /etc/sudoers.d",
    "virtualenv /etc/sudoers.d",
    "echo /etc/sudoers.d | xargs virtualenv",
]
MODULES_HONEST = [
    "python3 -m venv /srv/app/.venv",
    "python3 -m gzip -d /srv/app/x.gz",
    "python3 -m http.server 8000",
    "python3 -m http.server -d /srv/app/public 8000",
    "python3 -m json.tool /srv/app/x.json",
    "python3 -m zipfile -e /tmp/a.zip /srv/app",
    "python3 -m compileall /srv/app",
    "python3 -m pytest -q",
    "pip install -r requirements.txt",
    "pip install --pre x",
    "pip install --target /srv/app/lib x",
    "pip download -d /srv/wheels x",
    "pip install --report - x",
    "uv pip install -r requirements.txt",
    "virtualenv /srv/app/.venv",
    "echo x | xargs pip install",  # as before: pip runs no command xargs appends
]


@each("line", RENAMERS_HELD + LAUNCHERS_HELD + MODULES_HELD)
def test_attack_u_programs_read_with_their_own_grammar_are_held(default_policy, line):
    typed, sent = verdicts(default_policy, line)
    assert typed in HELD and sent in HELD, (typed, sent)


@each("line", LAUNCHERS_HONEST + MODULES_HONEST)
def test_attack_u_honest_uses_of_the_same_programs_stay_allowed(default_policy, line):
    assert verdicts(default_policy, line) == ("allow", "allow")


@each("line", RENAMERS_HONEST)
def test_attack_u_honest_renames_run(default_policy, line):
    # A new name beside any file may be authorized_keys: the shipped rule alerts, never holds.
    assert all(v in ("allow", "alert") for v in verdicts(default_policy, line))


@each(("line", "expected"), [
    # a known editor at the terminal: what is typed there is the person's, as in `vi FILE`;
    # a new name beside an ordinary file may still be authorized_keys (the shipped alert)
    ("qmv /srv/app", "alert"),
    ("deurlname /srv/app/x%20y", "allow"),  # the decoded name is known: no authorized_keys
    # the user's shell, as `nix develop` starts it: a nested shell, as `bash` is (i18f)
    ("hatch shell", "alert"),
    ("nix run nixpkgs#hello", "confirm"),
])
def test_attack_u_launcher_and_renamer_edges(default_policy, line, expected):
    assert verdicts(default_policy, line)[0] == expected


# Item 4: honest work held. A readonly integer takes no later assignment, so no later line can
# make bash evaluate a value as arithmetic through it; a plain `declare -i n=5` keeps the
# attribute, and a later line's `n=$x` (x='a[$(cmd)]') would run cmd unseen: still held.
@each(("line", "expected"), [
    ("declare -ir n=5", "allow"),
    ("typeset -ri n=5 m=0x10", "allow"),
    ("declare -i n=5", "confirm"),
    ("declare -i a -r n=5", "confirm"),  # bash takes `-r` after a name for a name
    ("declare -ir n='a[$(touch /etc/sudoers.d/x)]'", "confirm"),
    ("declare -ir n=$x", "confirm"),
    ("x='a[$(touch /etc/sudoers.d/x)]'; declare -ir n=x", "confirm"),
])
def test_attack_u_integer_declarations(default_policy, line, expected):
    assert verdicts(default_policy, line) == (expected, expected)


@each(("statement", "doubt"), [
    # pip asks an index's password with input(), through a buffer that swallows the script
    # after it, unless --no-input; requirements from a descriptor are that script too.
    ("pip install --no-input -r requirements.txt", False),
    ("pip3 install --no-input -r requirements.txt", False),
    ("pip install -r requirements.txt", True),
    ("pip install --no-input -r /dev/stdin", True),
    ("pip install --no-input -r -", True),
    # the next line would be the new name (`/etc/sudoers.d/x`), or an editor's keys (`:!cmd`)
    ("imv /tmp/payload", True),
    ("qmv /srv/app", True),
    ("vidir /srv/app", True),
])
def test_attack_u_programs_in_a_stdin_script_that_read_the_script_after_them(statement, doubt):
    assert (script_doubt(statement) is not None) is doubt
