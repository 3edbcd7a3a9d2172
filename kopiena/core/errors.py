"""Domain errors raised by services; views and APIs turn them into messages for the person who can fix them."""

from __future__ import annotations


class DomainError(Exception):
    """A refused operation with a message meant for the user (already translated where possible)."""

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


class NotPermitted(DomainError):
    """The actor may see the object but not do this to it."""

    def __init__(self, message: str = "You are not allowed to do this.", **kwargs):
        super().__init__(message, code="forbidden", **kwargs)
