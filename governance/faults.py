"""Fault injection for the tests that kill a process in the middle of a transaction.

`cut(point)` does nothing unless GOVERNANCE_FAULT names that point; then the process dies at
once, without unwinding, as a power cut would leave it. Only tests set the variable.
"""

from __future__ import annotations

import os

FAULT_VARIABLE = "GOVERNANCE_FAULT"
KILLED_EXIT_CODE = 86


def cut(point: str) -> None:
    if os.environ.get(FAULT_VARIABLE) == point:
        os._exit(KILLED_EXIT_CODE)
