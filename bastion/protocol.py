"""`bastion.protocol`, the control protocol's public name (README "Control API"; scripts import
it): the code lives in bastion/control/protocol.py, and this name is that very module."""

import sys

from bastion.control import protocol

sys.modules[__name__] = protocol
