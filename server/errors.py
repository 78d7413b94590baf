"""Domain errors: each carries the HTTP status and the protocol's error code."""
from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A refusal the client can act on; mapped to the protocol's error shape."""

    status: int = 400
    code: str = "bad_request"

    def __init__(self, message: str, details: dict[str, Any] | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}
        if code is not None:
            self.code = code

    def to_dict(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class BadRequest(DomainError):
    """Malformed request: unreadable JSON, wrong content type."""

    status = 400
    code = "bad_request"


class Invalid(DomainError):
    """Well-formed but invalid input; details name the bad fields."""

    status = 422
    code = "invalid"


class Unauthorized(DomainError):
    """No credentials, or credentials that are not valid."""

    status = 401
    code = "unauthorized"


class Forbidden(DomainError):
    """Valid credentials without the right for this action or point."""

    status = 403
    code = "forbidden"


class NotFound(DomainError):
    """The addressed thing does not exist, or not in this conference."""

    status = 404
    code = "not_found"


class Conflict(DomainError):
    """The current state does not allow the change."""

    status = 409
    code = "conflict"


class Closed(Conflict):
    """Collection of input is over for this conference."""

    code = "collection_closed"


class TooLarge(DomainError):
    """The request body is over the limit."""

    status = 413
    code = "too_large"


class UnsupportedEncoding(DomainError):
    """A request body sent compressed: the server reads bodies only as sent, so nobody can make it inflate one."""

    status = 415
    code = "unsupported_encoding"


class RateLimited(DomainError):
    """Too many attempts in a short time."""

    status = 429
    code = "rate_limited"


class Unavailable(DomainError):
    """A service the request depends on is missing or failed; the same request may work later."""

    status = 503
    code = "unavailable"
