"""The one error the lab's library code raises; ``lab/__main__.py`` turns it into the exit.

Library code raises, so a caller (a test, the engine matrix, a later entry point) can catch and
inspect the failure; only the command line (``python -m lab``) exits. The message is what the
user reads: it starts with ``lab:`` and names what failed and what to do.
"""

from __future__ import annotations


class LabError(Exception):
    """The lab cannot do what was asked; ``str()`` is the message for the user."""
