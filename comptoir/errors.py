"""Domain errors carry their HTTP status and a message a person understands (in French)."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error a user can cause; never a 500."""

    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class BadRequest(DomainError):
    status_code = 400
    code = "bad_request"


class Unauthorized(DomainError):
    status_code = 401
    code = "not_authenticated"


class Forbidden(DomainError):
    status_code = 403
    code = "forbidden"


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class Conflict(DomainError):
    """The step is not allowed in the current state (e.g. a Temporal update was rejected)."""

    status_code = 409
    code = "conflict"


class Unprocessable(DomainError):
    status_code = 422
    code = "invalid"


class TooManyRequests(DomainError):
    status_code = 429
    code = "too_many_requests"


class ServiceUnavailable(DomainError):
    """A component we depend on (Temporal, Stripe) did not answer; the user may retry."""

    status_code = 503
    code = "service_unavailable"
