"""The states of the work, without the tables (work.models stores them): a prestation's
status and a contest's, and the roles that record work (`WORKING_ROLES`). Pure module."""

from __future__ import annotations

from enum import StrEnum

from governance.members import Role


class PrestationStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    VALIDATED = "validated"
    REJECTED = "rejected"
    REVERSED = "reversed"  # was validated; its entry is cancelled by a reversing entry


class ContestStatus(StrEnum):
    OPEN = "open"
    CORRECTED = "corrected"  # the prestation was reversed and recorded again, corrected
    KEPT = "kept"  # kept as it was, with a reason the member reads


# The roles that record work: an observer does not.
WORKING_ROLES = (Role.COOPERATOR, Role.WORKER, Role.COORDINATOR)
