"""Attack p25f (the twenty-fifth round on the command filter), findings 1, 2, 3, 4 and 12:
what a pattern or a tilde may name. `shopt -s nocaseglob` makes `/etc/SUDOER[S]` /etc/sudoers
(a pattern is matched against the rules without case, always); POSIX bracket expressions
(`[[.s.]]`, `[[=s=]]`, `[[:alpha:]]`, ranges, `!`/`^`) read as bash reads them, or as any one
character; dotglob turned on by any GLOBIGNORE assignment as by `shopt -s dotglob`; `~+`,
`~0`, `~+0` are $PWD, which the line (or an earlier one) may assign; `systemctl link
~/auditd.service` links /etc/systemd/system/auditd.service, with no tilde of its own. The
tester's lines and their siblings, typed and as exec commands, refused or held as they
should be; the honest lines beside them, and what each costs."""

from __future__ import annotations

from bastion.command_control.policy import KnownValues, evaluate
from tests.rows import each

HELD, DENY, ALLOW = "held", "deny", "allow"

ROWS = [
    # 1: nocaseglob, however it is turned on (also on an earlier line: matched without case always)
    ("shopt -s nocaseglob; echo x >> /etc/SUDOER[S]", HELD),
    ("shopt -s nocaseglob; tee -a /etc/SUDOER[S]", HELD),
    ("shopt -s nocaseglob; cp /tmp/x /etc/SUDOERS.[D]/", HELD),
    ("shopt -s nocaseglob; ln -sf /tmp/x /etc/SUDOERS.[D]/x", HELD),
    ("shopt -s nocaseglob; chmod 777 /etc/SHADO[W]", HELD),
    ("shopt -s nocaseglob; rm -rf /var/log/AUDI[T]", HELD),
    ("shopt -s nocaseglob; truncate -s0 /var/log/AUTH.LO[G]", HELD),
    ("shopt -s nocaseglob; find /etc/SUDOERS.[D] -delete", HELD),
    ("shopt -s nocaseglob; cp /tmp/x /etc/ld.so.PRELOA[D]", HELD),
    ("bash -O nocaseglob -c 'echo x >> /etc/SUDOER[S]'", HELD),
    ("sudo bash -O nocaseglob -c 'echo x >> /etc/SUDOER[S]'", HELD),
    ("env BASHOPTS=nocaseglob bash -c 'echo x >> /etc/SUDOER[S]'", HELD),
    ("echo x >> /etc/SUDOER[S]", HELD),  # nocaseglob set by an earlier line
    ("echo x >> /etc/Sudoer?", HELD),
    ("shopt -s nocaseglob\necho 'alice ALL=(ALL) NOPASSWD: ALL' >> /etc/SUDOER[S]\n", HELD),
    ("shopt -s nocaseglob; cp /tmp/x /etc/SUDOERS.D/", ALLOW),  # no pattern: bash keeps it literal
    # 2: bracket expressions
    ("echo x >> /etc/sudoer[[.s.]]", HELD),
    ("echo x >> /etc/sudoer[[=s=]]", HELD),
    ("echo x >> /etc/sudoer[[:alpha:]]", HELD),
    ("echo x >> /etc/sudoer[[.s.][:digit:]]", HELD),
    ("echo x >> /etc/sudoer[![:digit:]]", HELD),
    ("echo x >> /etc/sudoer[^x]", HELD),
    ("echo x >> /etc/sudoer[!x]", HELD),
    ("echo x >> /etc/sudoer[r-t]", HELD),
    ("echo x >> /etc/sudoer[]s]", HELD),
    ("echo x >> /etc/sudoer['\\\\'s]", HELD),
    ("echo x >> /etc/sudoer[![:]", HELD),  # bash reads a `[` in a negated expression otherwise
    ("p='\\s'; echo x >> /etc/sudoer$p*", HELD),  # an unquoted expansion's backslash escapes
    ("echo x | sudo tee -a /etc/sudoer[[.s.]]", HELD),
    ("sudo sh -c 'cp /tmp/x /etc/sudoers.[[:lower:]]/'", HELD),
    ("cp /tmp/x /etc/sudoers.[[.d.]]/", HELD),
    ("tar -xf x.tar -C /etc/sudoers.[[.d.]]", HELD),
    ("cd /etc/sudoers.[[=d=]] && cp /tmp/x .", HELD),
    ("cd /[[.e.]]tc && cp /tmp/x sudoers", HELD),
    ("chmod 777 /etc/shado[[.w.]]", HELD),
    ("rm -rf /var/log/audi[[.t.]]", HELD),
    ("rm -rf /var/log/aud[[.i.]-t]t", HELD),
    ("rm -rf /var/lo[[.g.]]", HELD),
    ("export PROMPT_COMMAND='rm -rf /var/log/audi[[.t.]]'", HELD),
    ("find /etc -maxdepth 1 -name 'sudoers.[[.d.]]' -exec cp /tmp/x {} \\;", HELD),
    ("find ~ -name '[[:punct:]]bash_history' -delete", DENY),
    ("systemctl start 'shutdown.targe[[.t.]]'", DENY),
    ("systemctl stop 'audit[[=d=]]'", DENY),
    ("cd /tmp\necho 'alice ALL=(ALL) NOPASSWD: ALL' >> /etc/sudoer[[.s.]]\n", HELD),
    ("echo x >> /etc/sudoer[[.x.]]", ALLOW),  # the collating symbol x: /etc/sudoerx
    ("rm -f /var/log/app/*.[[:digit:]]", ALLOW),
    # 3: dotglob, GLOBIGNORE
    ("shopt -s dotglob; rm -f ~/?bash_history", HELD),
    ("shopt -s dotglob; cp /tmp/x ~/?rhost[s]", HELD),
    ("bash -O dotglob -c 'rm -f ~/?bash_history'", HELD),
    ("GLOBIGNORE=x; rm -f ~/?bash_history", HELD),
    ("GLOBIGNORE=x; cp /tmp/x ~/?rhost[s]", HELD),
    ("export GLOBIGNORE=x; rm -f ~/*history", HELD),
    ("declare GLOBIGNORE=x; rm -f ~/?bash_history", HELD),
    ("read GLOBIGNORE <<< x; rm -f ~/?bash_history", HELD),
    ("printf -v GLOBIGNORE x; rm -f ~/?bash_history", HELD),
    ("GLOBIGNORE=x rm -f ~/?bash_history", HELD),
    ("env BASHOPTS=dotglob bash -c 'rm -f ~/?bash_history'", HELD),
    ("shopt -s dotglob\nrm -f ~/?bash_history\n", HELD),
    ("rm -f ~/?bash_history", ALLOW),  # dotglob off: `?` cannot match the dot (open: an earlier line)
    ("rm -f *", ALLOW),
    ("GLOBIGNORE=x; rm -f *.log", ALLOW),
    # 4: ~+ ~0 ~+0 are $PWD; ~- $OLDPWD; ~N the stack
    ("PWD=/etc; cp /tmp/x ~+/sudoers", HELD),
    ("PWD=/etc; echo x >> ~+/sudoers", HELD),
    ("PWD=/etc; cp /tmp/x ~0/sudoers", HELD),
    ("PWD=/etc; cp /tmp/x ~+0/sudoers", HELD),
    ("PWD=/etc/sudoers.d; cp /tmp/x ~+", HELD),
    ("export PWD=/etc; cp /tmp/x ~+/sudoers", HELD),
    ("read PWD <<< /etc; cp /tmp/x ~+/sudoers", HELD),
    ("printf -v PWD /etc; cp /tmp/x ~+/sudoers", HELD),
    ("cd /tmp && PWD=/etc && cp /tmp/x ~+/sudoers", HELD),
    ("PWD=/var/log; rm -rf ~+/audit", HELD),
    ("PWD=/; rm -rf ~+", HELD),
    ("bash -c 'PWD=/etc; cp /tmp/x ~+/sudoers'", HELD),
    ("PWD=/etc\necho 'alice ALL=(ALL) NOPASSWD: ALL' >> ~+/sudoers\n", HELD),
    ("echo x >> ~+/sudoers", HELD),  # PWD set by an earlier line
    ("cd /etc; cp /tmp/x ~+/sudoers", DENY),  # the directory cd chose is still followed
    ("cd /etc; cp /tmp/x ~0/sudoers", DENY),
    ("cd /tmp; cp /tmp/x ~-/sudoers", HELD),
    ("pushd /etc; cp /tmp/x ~1/sudoers", HELD),
    ("cp /tmp/x ~+1/sudoers", HELD),
    ("cp /tmp/x ~-1/sudoers", HELD),
    ("cp a ~+/b", HELD),  # honest cost: `~+` is `$PWD`, held as `cp a $PWD/b` is
    ("cat ~+/notes", ALLOW),  # a read no rule protects
    # 12: the unit link systemctl makes has no tilde of its own
    ("systemctl link ~/auditd.service", HELD),
    ("systemctl link ~/x/auditd.service", HELD),
    ("systemctl enable ~/auditd.service", HELD),
    ("systemctl enable --now ~/sshd.service", HELD),
    ("systemctl reenable ~/sshd.service", HELD),
    ("systemctl link ~root/auditd.service", HELD),
    ("systemctl link ~alice/x/auditd.service", HELD),
    ("systemctl link ~+/auditd.service", HELD),
    ("systemctl --runtime link ~/systemd-journald.service", HELD),
    ("systemctl link ~/rsyslog.service", HELD),
    ("systemctl add-wants auditd.service ~/evil.service", HELD),
    ("sudo systemctl link ~/auditd.service", HELD),
    ("systemctl link ~/app.service", HELD),  # any unit linked in: held since u30f (13)
    # honest lines
    ("ls /etc/*.conf", ALLOW),
    ("cat /etc/*.conf", ALLOW),
    ("cat ~/notes", ALLOW),
    ("cp a ~/b", ALLOW),
    ("rm -f /tmp/build/*.[oa]", ALLOW),
    ("ls /var/log/[a-z]*.log", ALLOW),
    ("shopt -s nocaseglob; ls /srv/*.JPG", ALLOW),
    ("systemctl restart 'app@[[:digit:]].service'", ALLOW),
]


@each(("line", "expected"), ROWS)
def test_attack_p25f_glob_and_tilde_lines_typed_and_as_exec_commands(default_policy, line, expected):
    typed = evaluate(default_policy, line, role="engineer", target="web01")
    executed = evaluate(default_policy, line, role="engineer", target="web01",
                        interactive=False, known=KnownValues())
    for verdict in (typed, executed):
        if expected == HELD:
            assert verdict.action in ("deny", "confirm"), (line, verdict)
        else:
            assert verdict.action == expected, (line, verdict)
