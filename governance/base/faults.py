"""Fault injection for the tests that kill (or hold) a process in the middle of a transaction.

`cut(point)` does nothing unless GOVERNANCE_FAULT names that point. `point` alone: the process
dies at once, without unwinding, as a power cut would leave it. `point=sleep:N`: it waits N
seconds there, holding whatever it holds (so that a second process really runs into it).
Only tests set the variable.
"""

from __future__ import annotations

import os
import time

FAULT_VARIABLE = "GOVERNANCE_FAULT"
KILLED_EXIT_CODE = 86


def cut(point: str) -> None:
    wanted = os.environ.get(FAULT_VARIABLE)
    if not wanted:
        return
    name, _, action = wanted.partition("=")
    if name != point:
        return
    if action.startswith("sleep:"):
        time.sleep(float(action.removeprefix("sleep:")))
        return
    os._exit(KILLED_EXIT_CODE)
