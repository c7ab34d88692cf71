"""Errors that services raise and routes turn into pages or JSON, with a translated message."""

from __future__ import annotations


class DomainError(Exception):
    status_code = 400

    def __init__(self, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class Invalid(DomainError):
    """The input is wrong; `fields` names each bad field with its message. Nothing changed."""

    status_code = 422


class PermissionDenied(DomainError):
    status_code = 403


class NotFound(DomainError):
    status_code = 404


class Conflict(DomainError):
    status_code = 409


class TooManyAttempts(DomainError):
    status_code = 429


class Unavailable(DomainError):
    """Something this server needs is missing; nothing was changed."""

    status_code = 503
