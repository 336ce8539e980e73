"""Benchmarks of the bastion against direct OpenSSH and OpenSSH ProxyJump: `make bench`
(`python -m bench.run --help`). Everything runs on loopback in a temporary folder."""
