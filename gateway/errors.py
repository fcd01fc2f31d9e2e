"""Domain errors to gRPC statuses with ``google.rpc`` details, in one place.

Bad input is INVALID_ARGUMENT with every field violation; unknown ids
NOT_FOUND; forbidden transitions and missing stock FAILED_PRECONDITION; a
reused idempotency key or a customer's email taken ALREADY_EXISTS; Redis or Ray down UNAVAILABLE. Only a
bug in the service is INTERNAL.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from typing import Any, AsyncIterator, Awaitable, Callable, Iterable, TypeVar

import grpc
from google.protobuf import any_pb2, duration_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from oms_actors.domain.errors import (
    AlreadyExistsError,
    ConcurrentChangeError,
    FailedPreconditionError,
    FieldViolation,
    IdempotencyConflictError,
    NotFoundError,
    OmsError,
    UnavailableError,
    ValidationError,
)
from oms_actors.payments.errors import AccountExistsError, PaymentIdempotencyConflictError

log = logging.getLogger(__name__)

DOMAIN = "oms.v1"
T = TypeVar("T")


def _pack(msg: Any) -> any_pb2.Any:
    packed = any_pb2.Any()
    packed.Pack(msg)
    return packed


def bad_request(violations: Iterable[FieldViolation]) -> error_details_pb2.BadRequest:
    """The BadRequest detail naming each field of ``violations``."""
    return error_details_pb2.BadRequest(
        field_violations=[
            error_details_pb2.BadRequest.FieldViolation(field=v.field, description=v.description) for v in violations
        ]
    )


def to_status(err: BaseException) -> status_pb2.Status:
    """The rich status for an error; also the per-item error of batch RPCs."""
    err = as_oms_error(err)
    if err is None:
        return status_pb2.Status(code=code_pb2.INTERNAL, message="internal error")
    info = error_details_pb2.ErrorInfo(reason=err.code, domain=DOMAIN)
    details: list[Any] = []
    if isinstance(err, ValidationError):
        code = code_pb2.INVALID_ARGUMENT
        details.append(bad_request(err.violations))
    elif isinstance(err, AlreadyExistsError):
        code = code_pb2.ALREADY_EXISTS
        details.append(bad_request(err.violations))
    elif isinstance(err, NotFoundError):
        code = code_pb2.NOT_FOUND
        details.append(
            error_details_pb2.ResourceInfo(resource_type=err.resource, resource_name=err.resource_id, description=err.message)
        )
    elif isinstance(err, IdempotencyConflictError):
        code = code_pb2.ALREADY_EXISTS
        info.metadata["channel"] = err.channel
        info.metadata["idempotency_key"] = err.idempotency_key
    elif isinstance(err, (PaymentIdempotencyConflictError, AccountExistsError)):
        code = code_pb2.ALREADY_EXISTS  # a key used for something else; a card number already issued
    elif isinstance(err, FailedPreconditionError):
        code = code_pb2.FAILED_PRECONDITION
        details.append(
            error_details_pb2.PreconditionFailure(
                violations=[
                    error_details_pb2.PreconditionFailure.Violation(
                        type=err.code, subject=f"lines[{p.line_number - 1}]", description=f"{p.sku}: {p.reason}"
                    )
                    for p in err.lines
                ]
                or [error_details_pb2.PreconditionFailure.Violation(type=err.code, description=err.message)]
            )
        )
    elif isinstance(err, ConcurrentChangeError):
        code = code_pb2.ABORTED  # AIP-154: a stale version is retried after a fresh read
        info.metadata["resource"] = err.resource
        info.metadata["current_version"] = str(err.current_version)
    elif isinstance(err, UnavailableError):
        code = code_pb2.UNAVAILABLE
        info.metadata["dependency"] = err.dependency
        details.append(error_details_pb2.RetryInfo(retry_delay=duration_pb2.Duration(seconds=1)))
    else:
        code = code_pb2.FAILED_PRECONDITION
    return status_pb2.Status(code=code, message=err.message, details=[_pack(info), *map(_pack, details)])


def as_oms_error(err: BaseException) -> OmsError | None:
    """Our own errors come back from Ray wrapped; unwrap them, and map Ray outages."""
    if isinstance(err, OmsError):
        return err
    cause = getattr(err, "cause", None)  # ray.exceptions.RayTaskError carries the original
    if isinstance(cause, OmsError):
        return cause
    import ray.exceptions as rex

    if isinstance(err, (rex.RayActorError, rex.ActorUnavailableError, rex.GetTimeoutError, rex.RaySystemError)):
        return UnavailableError(f"a service actor is unavailable: {type(err).__name__}", dependency="ray")
    import redis

    if isinstance(err, (redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError)):
        return UnavailableError("redis unavailable", dependency="redis")
    return None


def rpc(handler: Callable[..., Awaitable[T]]) -> Callable[..., Awaitable[T]]:
    """Wraps a servicer method: domain errors become rich statuses, never INTERNAL."""

    @functools.wraps(handler)
    async def wrapper(self: Any, request: Any, context: grpc.aio.ServicerContext) -> T:
        try:
            return await handler(self, request, context)
        except grpc.aio.AbortError:
            raise
        except Exception as exc:  # noqa: BLE001 - mapped below, bugs logged
            if as_oms_error(exc) is None:
                log.exception("unexpected error in %s", handler.__qualname__)
            await context.abort_with_status(rpc_status.to_status(to_status(exc)))
            raise  # abort_with_status raises; this keeps type checkers content

    return wrapper


def rpc_stream(handler: Callable[..., AsyncIterator[T]]) -> Callable[..., AsyncIterator[T]]:
    """``rpc`` for server-streaming methods: an error ends the stream with a rich status."""

    @functools.wraps(handler)
    async def wrapper(self: Any, request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[T]:
        try:
            async for item in handler(self, request, context):
                yield item
        except grpc.aio.AbortError:
            raise
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - mapped below, bugs logged
            if as_oms_error(exc) is None:
                log.exception("unexpected error in %s", handler.__qualname__)
            await context.abort_with_status(rpc_status.to_status(to_status(exc)))

    return wrapper
