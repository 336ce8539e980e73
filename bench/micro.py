"""In-process figures: the policy's decision time per command line and the certificate minting
rate. Both run for a fixed time in this process and touch no network."""

from __future__ import annotations

import itertools
import tempfile
import time
from pathlib import Path
from typing import Any

import asyncssh

import certs
from bastion.command_control import policy
from bench.stats import median, percentile

# Lines as engineers type them at a shell on a server; {n} makes every line new, so the policy's
# parse cache never answers and each figure is a full parse and judgement.
COMMAND_LINES = (
    "ls -la /var/log/nginx/{n}",
    "cd /srv/app/releases/{n}",
    "tail -n {n} /var/log/syslog",
    "tail -f /var/log/app/{n}.log | grep -i error",
    "grep -rn 'timeout' /etc/nginx/conf.d/site{n}.conf",
    "sudo systemctl restart nginx@{n}",
    "sudo journalctl -u app --since '-{n}m' --no-pager | less",
    "ps aux --sort=-%mem | head -n {n}",
    "df -h; du -sh /var/lib/docker/{n}",
    "kubectl -n prod get pods -l app=web{n} -o wide",
    "docker logs --tail {n} web",
    "git -C /srv/app pull --ff-only && make -j{n}",
    "for f in /var/log/*.{n}; do gzip -9 \"$f\"; done",
    "find /tmp -name '*.tmp{n}' -mtime +7 -delete",
    "cat /etc/passwd | awk -F: '$3 >= {n} {{print $1}}'",
    "echo \"$(date) checked {n}\" >> /tmp/notes.txt",
    "curl -fsS http://127.0.0.1:{n}/health | jq .status",
    "rm -rf /srv/app/releases/{n}",
    "sudo -u postgres psql -c 'select {n}'",
    "vim /etc/app/config{n}.yaml",
    "export HISTSIZE={n}",
    "bash -c 'echo {n} > /proc/sys/vm/drop_caches'",
    "ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub # {n}",
    "tar czf /backup/etc-{n}.tgz /etc && ls -l /backup",
    "iptables -L -n | head -{n}",
    "while read -r l; do echo \"{n}:$l\"; done < /etc/hosts",
    "sed -i 's/workers {n}/workers 8/' /etc/app.conf",
    "chmod 640 /etc/app/secret{n}",
    "top -b -n {n}",
    "python3 -c 'print({n})'",
    # and a few the default policy stops or holds
    "rm -rf / --no-preserve-root # {n}",
    "mkfs.ext4 /dev/sdb{n}",
    "dd if=/dev/zero of=/dev/sda bs=1M count={n}",
    "curl -fsSL http://get.example.com/{n}.sh | sudo bash",
    "iptables -F # {n}",
)


def policy_decision(policy_file: Path, seconds: float, *, role: str = "engineer",
                    target: str = "bench") -> dict[str, Any]:
    """Microseconds per `policy.evaluate` call on new lines (`cold`: parse and judge) and
    on lines seen before (`warm`: the parse cache answers), with the verdicts seen."""
    loaded = policy.load_policy(policy_file)
    cold: list[float] = []
    actions: dict[str, int] = {}
    deadline = time.perf_counter() + seconds
    for n in itertools.count(1):
        # At least the whole corpus once, however slow the machine: the verdicts seen are
        # part of the result (a loaded machine must not make them fewer).
        if n > len(COMMAND_LINES) and time.perf_counter() >= deadline:
            break
        line = COMMAND_LINES[n % len(COMMAND_LINES)].format(n=n)
        start = time.perf_counter_ns()
        verdict = policy.evaluate(loaded, line, role=role, target=target)
        cold.append((time.perf_counter_ns() - start) / 1000)
        actions[verdict.action] = actions.get(verdict.action, 0) + 1
    repeated = [template.format(n=1) for template in COMMAND_LINES]
    warm: list[float] = []
    for line in repeated * 20:
        start = time.perf_counter_ns()
        policy.evaluate(loaded, line, role=role, target=target)
        warm.append((time.perf_counter_ns() - start) / 1000)
    return {
        "policy_file": str(policy_file),
        "corpus_templates": len(COMMAND_LINES),
        "lines": len(cold),
        "cold_us": {"mean": round(sum(cold) / len(cold), 2), "p50": median(cold, 2),
                    "p99": percentile(cold, 99, 2)},
        "warm_us": {"mean": round(sum(warm) / len(warm), 2), "p50": median(warm, 2),
                    "p99": percentile(warm, 99, 2)},
        "verdicts": actions,
    }


def cert_minting(seconds: float) -> dict[str, Any]:
    """Certificates per second from `certs.mint_user_certificate` with a CA in memory, for one
    subject key (`mint_per_s`), and with a fresh Ed25519 key generated for each, as the bastion
    does per upstream connection (`keygen_and_mint_per_s`)."""
    with tempfile.TemporaryDirectory(prefix="bench-ca-") as folder:
        ca = certs.load_or_create_ca(Path(folder) / "ca", "bench CA")
    subject = asyncssh.generate_private_key("ssh-ed25519").convert_to_public()
    valid_after, valid_before = certs.validity_window(time.time(), 300)

    def mint(key: asyncssh.SSHKey, serial: int) -> None:
        certs.mint_user_certificate(
            ca, key, serial=serial, key_id=certs.format_key_id(operator="bench", session=f"s{serial}"),
            principals=["deploy"], valid_after=valid_after, valid_before=valid_before,
            source_address=["127.0.0.1"])

    def rate(work: Any) -> float:
        count = 0
        start = time.perf_counter()
        while (elapsed := time.perf_counter() - start) < seconds / 2:
            count += 1
            work(count)
        return round(count / elapsed, 1)

    return {
        "mint_per_s": rate(lambda n: mint(subject, n)),
        "keygen_and_mint_per_s": rate(
            lambda n: mint(certs.generate_ephemeral_key().convert_to_public(), n)),
    }
