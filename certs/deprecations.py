"""Dependency warnings that are no business of the bastion's users, filtered before asyncssh loads.

asyncssh 2.24 still names DSA types, which cryptography >= 47 deprecates at every use, so each
import printed ten lines of CryptographyDeprecationWarning on stderr and broke the one-line error
contract of every command. The filter names that category and only asyncssh's modules: the same
warning from any other module, and any other warning from asyncssh, still shows.

`certs` is the lowest package that imports asyncssh, and `bastion` imports it first (its
`__init__`), so every entry point (the CLI, `serve`, the demo, the console, `certs` or `tui`
imported on their own) has the filter in place before asyncssh is imported.
"""

import warnings

from cryptography.utils import CryptographyDeprecationWarning

ASYNCSSH_MODULES = r"asyncssh(\.|$)"

warnings.filterwarnings("ignore", category=CryptographyDeprecationWarning, module=ASYNCSSH_MODULES)
