"""Just-in-time SSH access bastion."""

# Before anything imports asyncssh: certs filters the dependency warnings users must not see
# (certs/deprecations.py says which, and why).
import certs  # noqa: F401

__version__ = "0.1.0"
