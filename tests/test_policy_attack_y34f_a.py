"""Attack y34f, findings 1, 3 and 4: programs a table reads for one verb (launcher_spellings'
RESPELLED, the launchers' `_STRICT`, the interpreters deno and bun, gem, pip), whose other verbs
wrote what they named unjudged; output options of programs read for their others (pv -o,
xgettext -p, tshark --export-objects, kotlinc -d, python3 -m pickletools -o); sort's temporary
folder (-T, --temporary-directory, $TMPDIR) and the temporary folder any program takes from
TMPDIR, TMP, TEMP; the package managers' verbs that run shell code (npm explore, npm edit
--editor, npm pkg set scripts.X, pnpm -c exec, yarn exec, bun exec, pixi task add, mise tasks
add, opam config exec, GEM_EDITOR, gem open --editor, nix's unsafe native code setting).

Each line is judged typed at a terminal and as an exec command: the attacker's lines and their
siblings are held at the level of their plain spelling (`deny` where `echo ... >
/etc/sudoers.d/ops`, `sort -o /etc/sudoers.d/ops` or `rm -rf /etc` is refused; `confirm` where a
write is not certain, as an unread program's are: `cpanm -l /etc/sudoers.d x`; `alert` where
`echo ... > /etc/cron.d/x` or an interactive shell is), and the honest lines beside them still
run (`allow`: installing, building, exporting into the project, sort's temporary folder in /tmp
or /var/tmp, the launchers' own verbs, package names that are also programs' names)."""
import pytest

from bastion.command_control import policy
from tests.policy_rows import assert_held_or_runs, typed_and_exec
from tests.rows import each

ROWS = [
    # 1: the other verbs of programs a table reads for one verb, and output options
    ("dotenv -q never -f /etc/sudoers.d/ops set 'ops ALL' '(ALL) NOPASSWD: ALL'", 'confirm'),
    ("dotenv --quote=never --file=/etc/sudoers.d/ops set 'ops ALL' '(ALL) NOPASSWD: ALL'", 'confirm'),
    ('dotenv -f /etc/environment set LD_PRELOAD /tmp/x.so', 'confirm'),
    ('dotenv -f /etc/ld.so.preload set x y', 'confirm'),
    ('dotenv -f /etc/sudoers unset Defaults', 'confirm'),
    ('dotenvx set x y -f /etc/sudoers.d/ops', 'confirm'),
    ("dotenv -q never -f /var/log/auth.log set 'Dec  7 20:00:00 web01 sshd[1]: FORGED' x", 'confirm'),
    ('pip lock -o /etc/sudoers.d/ops x', 'confirm'),
    ("echo 'ops ALL=(ALL) NOPASSWD: ALL' | pv -q -o /etc/sudoers.d/ops", 'deny'),
    ("echo 'ops ALL=(ALL) NOPASSWD: ALL' | pv -q --output=/etc/sudoers.d/ops", 'deny'),
    ('python3 -m pickletools -o /etc/sudoers.d/ops x', 'deny'),
    ('python3 -m zipapp src -o /etc/sudoers.d/ops', 'deny'),
    ('python3 -m ensurepip --root /etc/sudoers.d', 'deny'),
    ('tshark -r x.pcap --export-objects http,/etc/sudoers.d', 'deny'),
    ('xgettext --output-dir=/etc/sudoers.d -o ops x.c', 'deny'),
    ('xgettext -p /etc/sudoers.d -o ops x.c', 'deny'),
    ('nix build -o /etc/sudoers.d/x nixpkgs#hello', 'confirm'),
    ('nix copy --to /etc/sudoers.d nixpkgs#hello', 'confirm'),
    ('poetry export -o /etc/sudoers.d/x', 'confirm'),
    ('pdm export -o /etc/sudoers.d/x', 'confirm'),
    ('uv export -o /etc/sudoers.d/x', 'confirm'),
    ('uv pip compile x.in -o /etc/sudoers.d/x', 'confirm'),
    ('uv tool install --bin-dir /etc/sudoers.d x', 'confirm'),
    ('guix build -r /etc/sudoers.d/x hello', 'confirm'),
    ('guix pack -r /etc/sudoers.d/x hello', 'confirm'),
    ('bundle lock --lockfile=/etc/sudoers', 'confirm'),
    ('bundle binstubs rake --path /etc/sudoers.d', 'confirm'),
    ('hatch build /etc/sudoers.d', 'confirm'),
    ('gem install --local --no-wrappers --bindir /etc/sudoers.d ./ops-1.gem', 'confirm'),
    ('gem install --no-wrappers -n /etc/cron.d ./x-1.gem', 'alert'),
    ('gem build x.gemspec -o /etc/sudoers.d/ops', 'confirm'),
    ('bun build x.js --outfile /etc/sudoers.d/ops', 'confirm'),
    ('deno compile -o /etc/sudoers x.ts', 'confirm'),
    ('deno compile --output=/etc/sudoers x.ts', 'confirm'),
    ('kotlinc x.kt -d /etc/sudoers.d', 'deny'),
    ('stack install --local-bin-path /etc/sudoers.d x', 'confirm'),
    ('cabal install --installdir /etc/sudoers.d --install-method=copy x', 'confirm'),
    ('yarn pack --filename /etc/sudoers.d/x', 'confirm'),
    ('npm pack --pack-destination /etc/sudoers.d', 'confirm'),
    ('npm --prefix /etc/cron.d install x', 'confirm'),
    ('conda env export -f /etc/sudoers.d/x', 'confirm'),
    ('sops -d --output /etc/sudoers.d/x y.enc', 'confirm'),
    ('op read -o /etc/sudoers.d/x op://a/b/c', 'confirm'),
    # 1 (siblings): output, download and root folders of programs read for their other options
    ("node --redirect-warnings=/etc/sudoers.d/ops x.js", 'deny'),
    ("node --cpu-prof --cpu-prof-dir=/etc/sudoers.d x.js", 'deny'),
    ("node --diagnostic-dir /etc/cron.d x.js", 'alert'),
    ("dnf download --destdir=/etc/sudoers.d x", 'deny'),
    ("yum install --downloadonly --downloaddir=/etc/sudoers.d x", 'deny'),
    ("zypper --root /etc/sudoers.d install x", 'deny'),
    ("pacman -r /etc/sudoers.d -S x", 'deny'), ("pacman --cache=/etc/cron.d -Sw x", 'alert'),
    ("pip download -d /etc/sudoers.d x", 'confirm'), ("pip wheel -w /etc/sudoers.d x", 'confirm'),
    ("deno install -g -n ops --root /etc/sudoers.d x.ts", 'confirm'),
    ("conda create -p /etc/cron.d/x", 'alert'), ("cargo install --root /etc/cron.d x", 'alert'),
    ("msgmerge -U /etc/sudoers.d/ops x.pot", 'deny'), ("msgmerge --update /etc/sudoers.d/ops x.pot", 'deny'),
    ("msgfmt --java -d /etc/sudoers.d -r x x.po", 'deny'),
    ("tshark -i eth0 --log-file /etc/sudoers.d/ops", 'deny'),
    ("dumpcap -i eth0 --log-file=/etc/sudoers.d/ops", 'deny'),
    ("tshark -r x.pcap --export-tls-session-keys /etc/sudoers.d/ops", 'deny'),
    # the same CLIs as python's modules, and under wrappers
    ("python3 -m dotenv -f /etc/sudoers.d/ops set a b", 'confirm'),
    ("python3 -m poetry export -o /etc/sudoers.d/x", 'confirm'),
    ("python3 -m dotenv run -- rm -rf /etc", 'deny'),
    ("sudo dotenv -f /etc/sudoers.d/ops set a b", 'confirm'),
    ("uvx --from python-dotenv dotenv -f /etc/sudoers.d/ops set a b", 'confirm'),
    # ruby's un library: coreutils' verbs under ruby's name
    ("ruby -run -e cp -- /tmp/x /etc/sudoers.d/ops", 'deny'), ("ruby -run -e rm -- -rf /etc", 'deny'),
    ("ruby -r un -e mv /etc/shadow /tmp/x", 'deny'), ("ruby -run -e httpd -- -p 8000 /", 'confirm'),
    # 3: temporary files written into a protected folder
    ("(yes 'ops ALL=(ALL) NOPASSWD: ALL' | head -200000; sleep 600) | "
     "sort -S 100K -T /etc/sudoers.d > /dev/null", 'deny'),
    ('sort -S 1K -T /etc/sudoers.d big', 'deny'),
    ('sort -T/etc/sudoers.d -S 1K big', 'deny'),
    ('sort -uT /etc/sudoers.d -S 1K big', 'deny'),
    ('sort -sT/etc/sudoers.d big', 'deny'),
    ('sort --temporary-directory=/etc/sudoers.d -S 1K big', 'deny'),
    ('sort --temporary-directory /etc/sudoers.d big', 'deny'),
    ('sort --temp=/etc/sudoers.d -S 1K big', 'deny'),
    ('TMPDIR=/etc/sudoers.d sort -S 1K big', 'confirm'),
    ('export TMPDIR=/etc/sudoers.d; sort -S 1K big', 'confirm'),
    ('env TMPDIR=/etc/sudoers.d sort big', 'confirm'),
    ('TMPDIR=/etc/sudoers.d tac', 'confirm'),
    ('TMPDIR=/etc/sudoers.d m4 x', 'confirm'),
    ('TMP=/etc/sudoers.d python3 x.py', 'confirm'),
    ('SQLITE_TMPDIR=/etc/sudoers.d sqlite3 x.db', 'confirm'),
    ('sort -S 1K -T /etc/cron.d big', 'alert'),
    ('parallel --tmpdir /etc/sudoers.d --files echo ::: a', 'confirm'),
    ("sort --temporary-directory=$x big", 'confirm'), ('sort -T"$x" big', 'confirm'),
    ("TMPDIR=$x sort big", 'confirm'),  # a folder known only at run time
    # 3 (siblings): 7-Zip's working folder
    ("7z a -w/etc/sudoers.d x.7z y", 'deny'),
    # 4: the package managers' verbs that run shell code (and pandoc's filter programs)
    ("pandoc --filter=$x a.md", 'confirm'), ("pandoc --filter=sh a.md", 'alert'),
    ("pandoc -F /bin/bash a.md", 'alert'),
    ('npm explore x -- rm -rf /etc', 'deny'),
    ("npm explore x -- 'rm -rf /etc'", 'deny'),
    ("npm explore x -- sh -c 'rm -rf /etc'", 'deny'),
    ("mkdir -p node_modules/x && echo '{}' > node_modules/x/package.json && "
     "npm explore x -- rm -rf /etc", 'deny'),
    ("npm edit x --editor='rm -rf /etc'", 'deny'),
    ("npm pkg set scripts.x='rm -rf /etc' && npm run x", 'deny'),
    ("npm pkg set 'scripts.x=systemctl stop auditd'; npm run x", 'deny'),
    ("npm pkg set scripts.postinstall='rm -rf /etc' && npm install", 'deny'),
    ("pnpm pkg set scripts.x='rm -rf /etc'; pnpm run x", 'deny'),
    ("npm docs x --browser='rm -rf /etc'", 'deny'),
    ("npm help npm --viewer=browser --browser='rm -rf /etc'", 'deny'),
    ("npm set-script x 'rm -rf /etc'", 'deny'),
    ("yarn set-script x 'rm -rf /etc'", 'deny'),
    ("pnpm -c exec 'rm -rf /etc'", 'deny'),
    ("pnpm -c -r exec 'rm -rf /etc'", 'deny'),
    ("pnpm -rc exec 'rm -rf /etc'", 'deny'),
    ("pnpm --shell-mode=true exec 'rm -rf /etc'", 'deny'),
    ("yarn exec 'rm -rf /etc'", 'deny'),
    ("bun exec 'rm -rf /etc'", 'deny'),
    ("composer exec 'rm -rf /etc'", 'deny'),
    ("composer config scripts.x 'rm -rf /etc'", 'deny'),
    ("pixi task add x 'rm -rf /etc' && pixi run x", 'deny'),
    ('pixi task add x -- rm -rf /etc', 'deny'),
    ('mise tasks add x -- rm -rf /etc', 'deny'),
    ("mise tasks add x 'rm -rf /etc'", 'deny'),
    ('opam config exec -- rm -rf /etc', 'deny'),
    ("GEM_EDITOR='rm -rf /etc' gem open x", 'deny'),
    ("gem open --editor='rm -rf /etc' x", 'deny'),
    ("gem open x -e 'rm -rf /etc'", 'deny'),
    ("BUNDLER_EDITOR='rm -rf /etc' bundle open x", 'deny'),
    ("nix eval --option allow-unsafe-native-code-during-evaluation true "
     "--expr 'builtins.exec [\"rm\" \"-rf\" \"/etc\"]'", 'confirm'),
    ("nix eval --option allow-unsafe-native-code-during-evaluation true --expr 'x'", 'confirm'),
    ('nix-instantiate --option allow-unsafe-native-code-during-evaluation true --eval x.nix', 'confirm'),
    ('npm explore x', 'alert'),
    ('npm explore --shell=/bin/bash x', 'confirm'),  # npm's --shell setting is held (z35f 16)
]

# Honest lines beside them: they still run, typed and as exec commands.
HONEST = [
    "pacman -Syu", "dnf download --destdir=/tmp/x x", "node --redirect-warnings=/tmp/w x.js",
    "zypper -R /srv/root install x", "7z a -w /tmp x.7z y", "TMPDIR=/tmp sort x",
    "pandoc --pdf-engine=xelatex a.md -o a.pdf", "pandoc --filter pandoc-citeproc a.md -o a.html",
    "msgmerge -U de.po x.pot", "tshark -i eth0 --log-file /tmp/ts.log", "npm install explore",
    "ruby -run -e cp -- a.txt /tmp/b.txt", "ruby -e 'puts 1'",
    "python3 -m dotenv list", "python3 -m poetry install",
    'npm install',
    'npm ci',
    'npm install express',
    'npm install -g typescript',
    'npm run build',
    'npm test',
    'npm run build -- --watch',
    'npm ls',
    'npm view express version',
    'npm exec -- eslint .',
    'npx prettier --check src',
    'pnpm install',
    'pnpm run dev',
    'pnpm exec eslint .',
    'yarn install',
    'yarn build',
    'pip install requests',
    'pip install -r requirements.txt',
    'pip install --user ansible',
    'pip3 install httpie',
    'pip list',
    'pip freeze',
    'pip lock -o pylock.toml x',
    'uv sync',
    'uv pip install requests',
    'uv tool run black .',
    'uv export -o requirements.txt',
    'poetry install',
    'poetry export -o requirements.txt',
    'poetry run pytest',
    'pdm install',
    'hatch build',
    'gem install rails',
    'gem list',
    'bundle install',
    'bundle exec rake db:migrate',
    'bundle lock',
    'cabal build',
    'cabal install --installdir ~/bin x',
    'stack build',
    'nix build nixpkgs#hello',
    'nix build -o result nixpkgs#hello',
    "nix eval --expr '1 + 1'",
    'nix flake update',
    'guix install hello',
    'deno run x.ts',
    'deno compile -o app x.ts',
    'bun install',
    'bun run dev',
    'bun build x.js --outfile dist/x.js',
    'dotenv list',
    'dotenv -f .env set KEY value',
    'dotenv run -- python3 app.py',
    'dotenvx run -- node app.js',
    'sort -T /tmp big',
    'sort -S 1K -T /var/tmp big',
    'TMPDIR=/var/tmp sort big',
    'TMPDIR=/tmp/build make',
    'sort -t, -k2 x.csv',
    'sort -u x',
    'pv big.iso > /dev/null',
    'pv /var/log/syslog | gzip > /tmp/x.gz',
    'pv -o /tmp/out big',
    'tshark -r x.pcap --export-objects http,/tmp/objs',
    'xgettext -p po -o x.pot x.c',
    'kotlinc x.kt -d out',
    'kotlinc x.kt -include-runtime -d x.jar',
    'python3 -m pickletools x.pickle',
    'mise install',
    'mise run build',
    'opam install dune',
    'opam config exec -- dune build',
    'pixi install',
    'pixi run test',
    'composer install',
    'gem open rake',
    'npm edit x',
    'pip install ansible',
    'pip install sh',
    'gem install bundler',
    'npm install -g yarn',
    'bundle open x',
    'BUNDLER_EDITOR=vim bundle open x',
    'yarn exec eslint .',
    'opam config exec -- dune build',
    'npm explore x -- npm ls',
    'TMPDIR=/var/tmp/build sort big',
    'sort -k2 -t, -T /var/tmp x.csv',
]


@pytest.mark.parametrize(("line", "expected"), ROWS, ids=[r[0] for r in ROWS])
def test_attack_y34f_a_lines(default_policy, line: str, expected: str) -> None:
    for verdict in typed_and_exec(default_policy, line):
        assert verdict.action == expected, verdict


@each("line", HONEST)
def test_attack_y34f_a_honest_lines_run(default_policy, line: str) -> None:
    assert_held_or_runs(default_policy, line, held=False)


# 4: `npm explore PKG` with no command starts $SHELL on the exec channel's stdin (the stdin
# gate: "shell"), as `opam config exec -- sh` and `yarn exec sh` do; with a command it runs that.
@each(("line", "reads"), [
    ("npm explore x", "shell"), ("npm explore --shell=/bin/bash x", "shell"),
    ("opam config exec -- sh", "shell"), ("yarn exec sh", "shell"),
    ("npm --prefix /srv/app explore x", "shell"), ("npm -w a explore b", "shell"),
    ("npm explore x -- ls", None), ("npm install", None), ("npm install explore", None),
])
def test_attack_y34f_a_stdin_shells(line: str, reads: str | None) -> None:
    assert policy.reads_script_from_stdin(line) == reads
