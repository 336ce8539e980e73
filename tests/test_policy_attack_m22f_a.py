"""Outside attack m22f, findings 1 to 5 (the command filter): a unit glob starting
shutdown/rescue targets, iproute2's prefix spellings, -all and batches, capsh's cap_launch
twins `-+`/`=+`, start-stop-daemon's abbreviated long options, runcon -c's command. The shipped
policy, each line judged typed and as an exec command; attack lines refused or held, honest
lines allowed."""

from __future__ import annotations

from bastion.command_control.policy import KnownValues, Policy, evaluate
from tests.rows import each


def _both(policy: Policy, line: str) -> tuple[str, str]:
    typed = evaluate(policy, line, role="engineer", target="web01").action
    run = evaluate(policy, line, role="engineer", target="web01", interactive=False,
                   known=KnownValues()).action
    return typed, run


_STOPPED = "deny"
_HELD = "confirm"


@each(("line", "expected"), [
    # 1: a start verb's glob reaching shutdown/umount/final/rescue/emergency/reboot targets
    ("systemctl start 'shutdown.targe?'", _STOPPED),
    ("systemctl start 'shut*'", _STOPPED),
    ("systemctl start 'umount.t[a]rget'", _STOPPED),
    ("systemctl start 'fina?.target'", _STOPPED),
    ("systemctl start 'rescu?.target'", _STOPPED),
    ("systemctl start 'emergenc?.target'", _STOPPED),
    ("systemctl start 'reboo?.target'", _STOPPED),
    ("systemctl start 'poweroff.t*'", _STOPPED),
    ("systemctl start '*.target'", _STOPPED),
    ("systemctl start '*'", _STOPPED),
    ("systemctl restart 'shutdown.targ*'", _STOPPED),
    ("systemctl reload-or-restart 'shutdown.targ*'", _STOPPED),
    ("systemctl try-restart 'shutdown.targ*'", _STOPPED),
    ("systemctl start sysinit.target 'shutdown.targe[t]'", _STOPPED),
    ("systemctl start --job-mode=replace-irreversibly 'shutdown.targe?'", _STOPPED),
    # 2: ip and tc by iproute2's prefix rule, -all, batches
    ("ip net exec m22fx rm -rf /", _STOPPED),
    ("ip netns e m22fx rm -rf /", _STOPPED),
    ("ip netn ex m22fx rm -rf /", _STOPPED),
    ("ip --netns blue net e m22fx rm -rf /", _STOPPED),
    ("ip net e m22fx systemctl stop auditd", _STOPPED),
    ("ip -all netns exec rm -rf /", _STOPPED),
    ("ip -a netns exec rm -rf /", _STOPPED),
    ("ip -al net e rm -rf /", _STOPPED),
    ("ip vr e blue rm -rf /", _STOPPED),
    ("ip v exec blue rm -rf /", _STOPPED),
    ("ip -- net e m22fx rm -rf /", _STOPPED),
    ("ip - 3 net e m22fx rm -rf /", _STOPPED),
    ("ip -b /tmp/batch", _HELD),
    ("ip -batch /tmp/batch", _HELD),
    ("ip --ba /tmp/batch", _HELD),
    ("ip -force -b /tmp/batch", _HELD),
    ("echo 'netns exec x rm -rf /' | ip -b -", _HELD),
    ("ip -batch - <<< 'netns exec x rm -rf /'", _HELD),
    ("tc -b /tmp/batch", _HELD),
    ("tc -batch -", _HELD),
    ("tc exec bpf import /tmp/uds run sh", _HELD),
    ("tc -n blue exec bpf import /tmp/uds run sh", _HELD),
    # 3: capsh's cap_launch twins of `--` and `==`
    ("capsh -+ -c 'rm -rf /'", _STOPPED),
    ("capsh -+ -c 'systemctl stop auditd'", _STOPPED),
    ("capsh --user=root -+ -c 'rm -rf /'", _STOPPED),
    ("capsh --shell=/bin/rm -+ -rf /", _STOPPED),
    ("capsh =+ -+ -c 'rm -rf /'", _STOPPED),
    ("capsh =+ -- -c 'rm -rf /'", _STOPPED),
    ("echo 'rm -rf /' | capsh -+", _STOPPED),
    ("capsh -+ -i", "alert"),
    # 4: start-stop-daemon's long options by any unambiguous start
    ("start-stop-daemon --sto -n auditd", _STOPPED),
    ("start-stop-daemon --sto -x /usr/sbin/auditd", _STOPPED),
    ("start-stop-daemon --sto --exe=/sbin/rsyslogd", _STOPPED),
    ("start-stop-daemon --sto --pidf /run/auditd.pid", _STOPPED),
    ("start-stop-daemon --sto -n systemd-journald", _STOPPED),
    ("start-stop-daemon --sto -u root", _STOPPED),
    ("start-stop-daemon --sto --us=root -s KILL", _STOPPED),
    ("start-stop-daemon --sto --pp 1", _STOPPED),
    ("start-stop-daemon --stop --pid 1", _STOPPED),
    ("start-stop-daemon --sta -x /bin/rm -- -rf /", _STOPPED),
    # 5: runcon -c (and any option) takes no CONTEXT: the first operand is the command
    ("runcon -c rm -rf /", _STOPPED),
    ("runcon -c -- rm -rf /", _STOPPED),
    ("runcon --compute rm -rf /", _STOPPED),
    ("runcon --comp rm -rf /", _STOPPED),
    ("runcon -c auditctl -D", _STOPPED),
    ("runcon -c pkill auditd", _STOPPED),
    ("runcon -t unconfined_t rm -rf /", _STOPPED),
    ("runcon -- unconfined_u:unconfined_r:unconfined_t:s0 rm -rf /", _STOPPED),
    # honest lines
    ("systemctl start nginx", "allow"),
    ("systemctl restart 'nginx*'", "allow"),
    ("systemctl start 'php*-fpm'", "allow"),
    ("systemctl status '*'", "allow"),
    ("systemctl start multi-user.target", "allow"),
    ("ip addr show", "allow"),
    ("ip -br a", "allow"),
    ("ip n", "allow"),
    ("ip -n blue addr", "allow"),
    ("ip netns list", "allow"),
    ("ip net e blue ip addr", "allow"),
    ("ip -all netns exec ip addr", "allow"),
    ("tc qdisc show", "allow"),
    ("tc -s class show dev eth0", "allow"),
    ("capsh --print", "allow"),
    ("capsh -+ -c 'ls /tmp'", "allow"),
    ("start-stop-daemon --sto -n nginx", "allow"),
    ("start-stop-daemon --status -n nginx", "allow"),
    ("runcon -c ls /", "allow"),
    ("runcon system_u:system_r:httpd_t:s0 ls", "allow"),
])
def test_attack_m22f_a_lines(default_policy: Policy, line: str, expected: str) -> None:
    assert _both(default_policy, line) == (expected, expected)
