"""Authentication, authorization and rate-limit failures, and the statuses they answer.

They hang off the one exception root (``OmsError``). ``gateway.errors`` maps
the domain's kinds; these are answered here, by the interceptor and the
access checks, because their statuses must say as little as possible: one
fixed message per kind, whatever the reason (unknown key, wrong secret and
revoked key all read the same), so a caller learns nothing it could probe.
"""

from __future__ import annotations

import math

import grpc
from google.protobuf import any_pb2, duration_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from gateway.errors import bad_request
from oms_actors.domain.errors import FieldViolation, OmsError

DOMAIN = "oms.v1"


class AuthError(OmsError):
    """Refused before the request was looked at; nothing was read or written."""

    grpc_code: int = code_pb2.PERMISSION_DENIED


class UnauthenticatedError(AuthError):
    code = "UNAUTHENTICATED"
    grpc_code = code_pb2.UNAUTHENTICATED


class PermissionDeniedError(AuthError):
    code = "PERMISSION_DENIED"
    grpc_code = code_pb2.PERMISSION_DENIED

    def __init__(
        self,
        message: str = "the caller may not use this method",
        *,
        code: str | None = None,
        fields: tuple[FieldViolation, ...] = (),
    ) -> None:
        super().__init__(message, code=code)
        # Fields of an admitted request the caller may not set: named, so the caller knows
        # what to leave out; the method itself is open to it.
        self.fields = fields


class RateLimitedError(AuthError):
    code = "RATE_LIMITED"
    grpc_code = code_pb2.RESOURCE_EXHAUSTED

    def __init__(self, message: str, *, retry_after_s: float) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class AuthConfigError(OmsError):
    """The service's own access configuration is unusable (a key file, a TLS setting): refuse to start."""

    code = "AUTH_CONFIG"


class KeyStoreError(OmsError):
    """An API key operation that cannot be done (unknown key id, a scope that does not fit the role)."""

    code = "KEY_STORE"


def missing_credentials() -> UnauthenticatedError:
    return UnauthenticatedError("missing credentials: send 'authorization: Bearer <API key or token>'")


def invalid_credentials() -> UnauthenticatedError:
    """The same answer for an unknown key, a wrong secret, a revoked key and a bad signature."""
    return UnauthenticatedError("invalid credentials")


def auth_status(err: AuthError) -> status_pb2.Status:
    info = error_details_pb2.ErrorInfo(reason=err.code, domain=DOMAIN)
    details = [info]
    if isinstance(err, PermissionDeniedError) and err.fields:
        details.append(bad_request(err.fields))
    if isinstance(err, RateLimitedError):
        seconds = max(err.retry_after_s, 0.001)
        whole = math.floor(seconds)
        details.append(
            error_details_pb2.RetryInfo(
                retry_delay=duration_pb2.Duration(seconds=whole, nanos=int((seconds - whole) * 1e9))
            )
        )
    packed = []
    for d in details:
        any_ = any_pb2.Any()
        any_.Pack(d)
        packed.append(any_)
    return status_pb2.Status(code=err.grpc_code, message=err.message, details=packed)


async def abort(context: grpc.aio.ServicerContext, err: AuthError) -> None:
    """Ends the call with ``err``'s status (raises grpc's AbortError)."""
    await context.abort_with_status(rpc_status.to_status(auth_status(err)))
