"""One exception root for the domain; the gateway maps each kind to a gRPC status.

Every error carries keyword-only fields a caller can act on (which field, which
lines, a stable code), never only a sentence. They are plain picklable values
so a Ray actor can return or raise them and the gateway still sees the type.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, kw_only=True)
class FieldViolation:
    field: str  # path in the request, e.g. "lines[2].quantity"
    description: str


@dataclass(frozen=True, kw_only=True)
class LineProblem:
    line_number: int
    sku: str
    reason: str


class OmsError(Exception):
    """Root of every error the OMS raises on purpose."""

    code: str = "OMS_ERROR"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __reduce__(self):  # keyword-only fields survive pickling across Ray processes
        return (_rebuild, (type(self), self.__dict__.copy()))


def _rebuild(cls: type[OmsError], state: dict) -> OmsError:
    err = cls.__new__(cls)
    Exception.__init__(err, state.get("message", ""))
    err.__dict__.update(state)
    return err


class ValidationError(OmsError):
    """The request is malformed or names things that do not exist; nothing was written."""

    code = "INVALID_ARGUMENT"

    def __init__(self, message: str, *, violations: list[FieldViolation], code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.violations = list(violations)

    @classmethod
    def of(cls, violations: list[FieldViolation]) -> ValidationError:
        head = "; ".join(f"{v.field}: {v.description}" for v in violations[:3])
        more = f" (+{len(violations) - 3} more)" if len(violations) > 3 else ""
        return cls(f"invalid request: {head}{more}", violations=violations)


class AlreadyExistsError(OmsError):
    """Something the request would register is another record's already (a customer's
    email); nothing was written. ``violations`` name the request's fields."""

    code = "ALREADY_EXISTS"

    def __init__(self, message: str, *, violations: list[FieldViolation], code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.violations = list(violations)


class NotFoundError(OmsError):
    code = "NOT_FOUND"

    def __init__(self, message: str, *, resource: str, resource_id: str) -> None:
        super().__init__(message)
        self.resource = resource
        self.resource_id = resource_id


class FailedPreconditionError(OmsError):
    """The request is well-formed but the state of the system forbids it now."""

    code = "FAILED_PRECONDITION"

    def __init__(self, message: str, *, code: str | None = None, lines: list[LineProblem] | None = None) -> None:
        super().__init__(message, code=code)
        self.lines = list(lines or [])


class ConcurrentChangeError(OmsError):
    """Someone changed the thing since the caller read it (its version moved): read again, then retry."""

    code = "ABORTED"

    def __init__(self, message: str, *, resource: str, current_version: int, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.resource = resource
        self.current_version = current_version


def order_not_found(order_id: str) -> NotFoundError:
    """The one answer for an order that does not exist and for one the caller may not see:
    scoping relies on the two being indistinguishable, so both are made here."""
    return NotFoundError(f"order {order_id} not found", resource="order", resource_id=order_id)


def no_such_shipment(order_id: str, shipment_id: str) -> FailedPreconditionError:
    """The one answer for a shipment the order does not have and for another location's."""
    return FailedPreconditionError(f"order {order_id} has no shipment {shipment_id}", code="NO_SUCH_SHIPMENT")


class InvalidTransitionError(FailedPreconditionError):
    def __init__(self, message: str, *, current: str, requested: str) -> None:
        super().__init__(message, code="INVALID_TRANSITION")
        self.current = current
        self.requested = requested


class InsufficientStockError(FailedPreconditionError):
    def __init__(self, message: str, *, lines: list[LineProblem]) -> None:
        super().__init__(message, code="INSUFFICIENT_STOCK", lines=lines)


class IdempotencyConflictError(OmsError):
    """The idempotency key was used before with different content."""

    code = "IDEMPOTENCY_KEY_REUSED"

    def __init__(self, message: str, *, channel: str, idempotency_key: str, order_id: str) -> None:
        super().__init__(message)
        self.channel = channel
        self.idempotency_key = idempotency_key
        self.order_id = order_id


class UnavailableError(OmsError):
    """A dependency (Redis, a Ray actor) is down; nothing was half-written, retry later."""

    code = "UNAVAILABLE"

    def __init__(self, message: str, *, dependency: str) -> None:
        super().__init__(message)
        self.dependency = dependency


@dataclass(frozen=True, kw_only=True, slots=True)
class ErrorRecord:
    """An OmsError as a plain value, to travel inside a batch answer beside the successes."""

    kind: str
    message: str
    code: str
    violations: tuple[FieldViolation, ...] = ()
    lines: tuple[LineProblem, ...] = ()
    attrs: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, err: OmsError) -> ErrorRecord:
        state = dict(err.__dict__)
        return cls(
            kind=type(err).__name__,
            message=state.pop("message", str(err)),
            code=state.pop("code", err.code),
            violations=tuple(state.pop("violations", ())),
            lines=tuple(state.pop("lines", ())),
            attrs={k: str(v) for k, v in state.items()},
        )

    def to_exception(self) -> OmsError:
        cls = _ERROR_KINDS().get(self.kind, OmsError)
        err = cls.__new__(cls)
        Exception.__init__(err, self.message)
        err.__dict__.update(self.attrs)
        err.message = self.message
        err.code = self.code
        if self.violations or issubclass(cls, ValidationError):
            err.violations = list(self.violations)
        if self.lines or issubclass(cls, FailedPreconditionError):
            err.lines = list(self.lines)
        return err


def _ERROR_KINDS() -> dict[str, type[OmsError]]:
    kinds: dict[str, type[OmsError]] = {}
    pending: list[type[OmsError]] = [OmsError]
    while pending:
        cls = pending.pop()
        kinds[cls.__name__] = cls
        pending.extend(cls.__subclasses__())
    return kinds
