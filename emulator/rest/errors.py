"""The REST API's refusal: :class:`RestError` (HTTP status and the message of the JSON error body).

Every rule of the REST meetings API raises it for anything refused; :mod:`emulator.rest.handlers`
turns it into the error answer. Stands on nothing.
"""

from __future__ import annotations


class RestError(Exception):
    """A refused request: HTTP status and the message of the JSON error body."""

    def __init__(self, status: int, message: str, description: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.description = description or message


def bad(message: str) -> RestError:
    """A 400 refusal with ``message``."""
    return RestError(400, message)


__all__ = ["RestError", "bad"]
