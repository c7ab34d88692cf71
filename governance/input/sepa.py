"""SEPA's Latin character set, which a bank transfer's names are written in. Pure module.

The member's profile checks the account holder's name against it (members.bank) and the
payout file checks every line's name again before it is built (ledger.payouts.payout_sepa).
"""

from __future__ import annotations

import re

# SEPA's Latin character set (EPC guidance on the use of characters): the only characters
# every bank of the SEPA area accepts in a name. The holder's name must be written in it.
SEPA_NAME_RE = re.compile(r"[A-Za-z0-9/\-?:().,'+ ]*\Z")
