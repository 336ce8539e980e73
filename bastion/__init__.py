"""Just-in-time SSH access bastion."""

__version__ = "0.1.0"
