"""Just-in-time SSH access bastion."""

import warnings

from cryptography.utils import CryptographyDeprecationWarning

__version__ = "0.1.0"

# asyncssh 2.24 still names DSA types, which cryptography >= 47 deprecates at every use. That is
# asyncssh's business, not the user's: only this category, and only from asyncssh's modules.
warnings.filterwarnings("ignore", category=CryptographyDeprecationWarning, module=r"asyncssh(\.|$)")
