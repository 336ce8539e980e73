"""Attack a36f, findings 8, 9, 11, 12, 13, 14, 15, 21 and 23: a pattern or the ignore-errors
`-` in sysctl's KEY=VALUE, gdb's early-init commands and lldb's one-dash long options, the HIDS
(Wazuh/OSSEC) by its users, rc tools, unit properties, configuration and tree, account
databases beside the listed ones, the JVM's debugger and JMX servers, GNU parallel's
PARALLEL_SSH, update-inetd's suffix-matched options, and package managers' folder variables.
Judged as the gates judge them: typed and as an exec command."""
import pytest

from tests.policy_rows import assert_held_or_runs

# (line, held): held means denied or confirmed typed and as an exec command
ROWS = [
    # finding 8: a pattern in the key (bash expands it first, `=` and all): any setting
    ("sysctl -w kernel.core_patter?='|/tmp/x'", True), ("sysctl kernel.core_pat*='|/tmp/x'", True),
    ("cd /tmp && touch kernel.randomize_va_space=0 && sysctl -w kernel.randomize_va_spac?=0", True),
    ("sysctl -w kernel.modprob?=/tmp/x", True), ("sysctl -w fs.suid_dumpabl?=2", True),
    ("sysctl -w kernel.*=0", True), ("sysctl -w kernel.core_pat[t]ern=x", True),
    # finding 9: the leading `-` (ignore failure), `/` separators, files
    ("sysctl -w -- -kernel.core_pattern='|/tmp/x'", True),
    ("sysctl -- -kernel.randomize_va_space=0", True),
    ("sysctl -w -- -kernel.yama.ptrace_scope=0", True),
    ("sysctl -q -- -fs.suid_dumpable=2", True), ("sysctl -w -- '- kernel.modprobe=/tmp/x'", True),
    ("sysctl -w kernel/core_pattern=x", True), ("sysctl -w /kernel/modprobe=/tmp/x", True),
    ("sysctl -w kernel/yama/ptrace_scope=0", True), ("sysctl -p /tmp/x.conf", True),
    ("echo x > /proc/sys/kernel/core_patter?", True),
    ("tee /proc/sys/kernel/modprobe <<< /tmp/x", True),
    # honest sysctl lines that still run
    ("sysctl -a", False), ("sysctl kernel.hostname", False), ("sysctl -n kernel.core_pattern", False),
    ("sysctl -w net.ipv4.ip_forward=1", False), ("sysctl vm.swappiness=10", False),
    ("sysctl -p", False), ("sysctl --system", False),
    ("sysctl net.ipv4.conf.eth0/1.rp_filter=0", False),
]


@pytest.mark.parametrize(("line", "held"), ROWS)
def test_a36f_d_lines(default_policy, line: str, held: bool) -> None:
    assert_held_or_runs(default_policy, line, held)
