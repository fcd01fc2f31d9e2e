"""The server interceptor every call passes: deadline, credentials, rate limit, rule, audit.

For each method it wraps the servicer's handler once (cached), so per call
the checks are a metadata scan, a dictionary look-up for the key (Redis only
when the cached record is older than the cache's ttl), a token bucket and a
set membership. In order:

1. a call whose deadline has already passed is not started (DEADLINE_EXCEEDED);
2. the credential in ``authorization: Bearer ...`` is an API key or a JWT
   (missing or bad: UNAUTHENTICATED; Redis down: UNAVAILABLE, fail closed);
3. the principal's token bucket (empty: RESOURCE_EXHAUSTED with RetryInfo);
4. the method's rule (role not in it, or no rule at all: PERMISSION_DENIED);
5. only then is the request parsed (bytes that are no valid message:
   INVALID_ARGUMENT, where grpc itself would answer UNKNOWN);
6. the handler runs with the principal bound (``current_principal()``) and
   bounded by the call's remaining deadline;
7. calls of audited methods are written to the audit log with their outcome.

Health and reflection (public in the rules) skip 1-4 and 7, not 5.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import time
from typing import Any, AsyncIterator, Awaitable, Callable

import grpc
from google.protobuf.message import Message
from grpc_status import rpc_status

from gateway.auth.apikeys import ApiKeyVerifier, looks_like_key
from gateway.auth.audit import AuditLog
from gateway.auth.errors import (
    AuthError,
    PermissionDeniedError,
    RateLimitedError,
    abort,
    invalid_credentials,
    missing_credentials,
)
from gateway.auth.principal import Principal, bind_principal, unbind_principal
from gateway.auth.ratelimit import RateLimiter
from gateway.auth.rules import Rule, rule_for
from gateway.auth.tokens import JwtVerifier
from gateway.errors import to_status
from gateway.rpc_metrics import RpcMetrics
from oms_actors.domain.errors import FieldViolation, OmsError, ValidationError

Handler = grpc.RpcMethodHandler


class Authenticator:
    """A bearer credential to a principal: API keys by their prefix, anything else with two dots as a JWT."""

    def __init__(self, keys: ApiKeyVerifier, tokens: JwtVerifier | None) -> None:
        self.keys = keys
        self.tokens = tokens if tokens is not None and tokens.enabled else None

    async def principal(self, metadata: Any) -> Principal:
        credential = None
        for key, value in metadata or ():
            if key == "authorization":
                scheme, _, rest = value.partition(" ")
                credential = rest.strip() if scheme.lower() == "bearer" else ""
                break
        if credential is None:
            raise missing_credentials()
        if looks_like_key(credential):
            return await self.keys.verify(credential)
        if self.tokens is not None and credential.count(".") == 2:
            return self.tokens.verify(credential)
        raise invalid_credentials()


def request_summary(request: Any) -> str:
    """What the audit log keeps of a request: the ids and document numbers it names, the
    amounts of money it moves and the sizes of its lists.

    Nothing else: free text, addresses, payment tokens and gift card numbers (``number``,
    which spends the card) stay out of the log."""
    if not isinstance(request, Message):
        return ""
    parts = []
    for field, value in request.ListFields():
        if field.label == field.LABEL_REPEATED:
            parts.append(f"{field.name}[{len(value)}]")
        elif field.type == field.TYPE_STRING and field.name.endswith(("_id", "_number")):
            parts.append(f"{field.name}={value[:128]}")
        elif field.type == field.TYPE_MESSAGE and field.message_type.full_name == "oms.v1.Money":
            parts.append(f"{field.name}={value.amount_minor} {value.currency[:3]}")
    return " ".join(parts)


class AccessInterceptor(grpc.aio.ServerInterceptor):
    def __init__(self, *, authenticator: Authenticator, limiter: RateLimiter, audit: AuditLog) -> None:
        self.authenticator = authenticator
        self.limiter = limiter
        self.audit = audit
        self.rpc = RpcMetrics()  # every call's method, status code and latency (gateway/metrics.py)
        self._wrapped: dict[str, tuple[Handler, Handler]] = {}

    async def intercept_service(
        self, continuation: Callable[[grpc.HandlerCallDetails], Awaitable[Handler | None]], details: grpc.HandlerCallDetails
    ) -> Handler | None:
        handler = await continuation(details)
        if handler is None:
            return None  # not served: UNIMPLEMENTED, as without the interceptor
        method = details.method
        cached = self._wrapped.get(method)
        if cached is not None and cached[0] is handler:
            return cached[1]
        wrapped = self._wrap(method, rule_for(method), handler)
        self._wrapped[method] = (handler, wrapped)
        return wrapped

    async def admit(self, method: str, rule: Rule, context: grpc.aio.ServicerContext, request: Any = None) -> Principal:
        """The principal of an admitted call; otherwise the call is ended here (raises AbortError)."""
        remaining = context.time_remaining()
        if remaining is not None and remaining <= 0:
            await context.abort(grpc.StatusCode.DEADLINE_EXCEEDED, "the deadline passed before the call started")
        try:
            principal = await self.authenticator.principal(context.invocation_metadata())
            wait = self.limiter.take(principal)
            if wait:
                raise RateLimitedError(f"rate limit of {principal.role.value} principals exceeded", retry_after_s=wait)
            if principal.role not in rule.roles:
                # An attempt at an audited action by someone not allowed to is worth knowing about.
                await self._audit(rule, method, principal, request, "PERMISSION_DENIED")
                raise PermissionDeniedError()
        except AuthError as err:
            await abort(context, err)
            raise  # not reached: abort raises
        except OmsError as err:  # UnavailableError: the key store cannot be read
            await context.abort_with_status(rpc_status.to_status(to_status(err)))
            raise
        return principal

    async def _audit(self, rule: Rule, method: str, principal: Principal, request: Any, outcome: str) -> None:
        if rule.audit:
            await self.audit.record_quietly(
                action=method, principal=principal.describe(), target=request_summary(request), outcome=outcome
            )

    def _wrap(self, method: str, rule: Rule, handler: Handler) -> Handler:
        """The handler behind the checks. It takes the request as bytes and parses it itself, after
        the checks: a caller without access cannot make the gateway parse anything, and bytes
        that are no valid message are INVALID_ARGUMENT (grpc would answer UNKNOWN)."""
        admit, audit, limiter, observe = self.admit, self._audit, self.limiter, self.rpc.observe
        parse = handler.request_deserializer or (lambda raw: raw)
        kind = next(k for k in ("unary_unary", "unary_stream", "stream_unary", "stream_stream") if getattr(handler, k))
        behavior = getattr(handler, kind)
        client_streams = kind.startswith("stream_")

        async def parsed(raw: bytes, context: grpc.aio.ServicerContext) -> Any:
            try:
                return parse(raw)
            except Exception:  # noqa: BLE001 - any failure to parse untrusted bytes is the sender's
                await context.abort_with_status(rpc_status.to_status(to_status(_malformed(handler))))

        async def parsed_stream(raws: AsyncIterator[bytes], context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
            async for raw in raws:
                yield await parsed(raw, context)

        async def enter(request: Any, context: grpc.aio.ServicerContext) -> tuple[Principal | None, Any]:
            principal = None if rule.public else await admit(method, rule, context)
            if client_streams:
                return principal, parsed_stream(request, context)
            message = await parsed(request, context)
            if rule.per_item and principal is not None:
                # admit() took the call's first token before anything was parsed; the rest now.
                extra = len(getattr(message, rule.per_item)) - 1
                wait = limiter.take(principal, extra) if extra > 0 else 0.0
                if wait:
                    await abort(
                        context,
                        RateLimitedError(
                            f"rate limit of {principal.role.value} principals exceeded by a batch of {extra + 1}",
                            retry_after_s=wait,
                        ),
                    )
            return principal, message

        def outcome_of(context: grpc.aio.ServicerContext, exc: BaseException | None) -> str:
            if exc is None:
                return "OK"
            code = context.code()
            return code.name if isinstance(code, grpc.StatusCode) else type(exc).__name__

        async def bounded(context: grpc.aio.ServicerContext, call: Any) -> Any:
            # The remaining deadline bounds the work: waiting on the batcher or an actor is
            # cancelled when it passes (the actor's own step completes or not, atomically).
            if not inspect.isawaitable(call):
                return call  # a plain function handler has already run
            remaining = context.time_remaining()
            if remaining is None:
                return await call
            try:
                async with asyncio.timeout(remaining) as scope:
                    return await call
            except TimeoutError:
                if scope.expired():
                    await context.abort(grpc.StatusCode.DEADLINE_EXCEEDED, "deadline exceeded")
                raise

        def audited_context(context: grpc.aio.ServicerContext, principal: Principal | None, audited: Any) -> Any:
            """The context the handler gets: for an audited method, one whose refusals are
            written to the audit log before grpc sends them, so no caller hears an outcome
            the log does not hold yet."""
            if principal is None or not rule.audit:
                return context
            return _AuditFirst(context, lambda outcome: audit(rule, method, principal, audited, outcome))

        @contextlib.asynccontextmanager
        async def serving(context: Any, principal: Principal | None, audited: Any) -> AsyncIterator[None]:
            """The handler runs as the principal; an audited method records its outcome
            before the caller hears it (a refusal as it is made, anything else on the way out)."""
            bound = bind_principal(principal) if principal else None
            failure: BaseException | None = None
            try:
                yield
            except BaseException as exc:
                failure = exc
                raise
            finally:
                if bound is not None:
                    unbind_principal(bound)
                if principal is not None and rule.audit and not getattr(context, "recorded", False):
                    await audit(rule, method, principal, audited, outcome_of(context, failure))

        async def unary_out(request: Any, context: grpc.aio.ServicerContext) -> Any:
            started, failure = time.perf_counter(), None
            try:
                principal, message = await enter(request, context)
                context = audited_context(context, principal, message)
                async with serving(context, principal, message):
                    return await bounded(context, behavior(message, context))
            except BaseException as exc:
                failure = exc
                raise
            finally:
                observe(method, _status_name(context, failure), time.perf_counter() - started)

        async def stream_out(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
            # Server streaming: checked before the first message; its length is the client's
            # to bound with its deadline, which grpc enforces on the stream itself.
            started, failure = time.perf_counter(), None
            try:
                principal, message = await enter(request, context)
                context = audited_context(context, principal, None)
                async with serving(context, principal, None):
                    result = behavior(message, context)
                    if hasattr(result, "__aiter__"):
                        async for item in result:
                            yield item
                    else:  # a coroutine that writes with context.write
                        await result
            except BaseException as exc:
                failure = exc
                raise
            finally:
                observe(method, _status_name(context, failure), time.perf_counter() - started)

        factory = getattr(grpc, f"{kind}_rpc_method_handler")
        return factory(
            stream_out if kind.endswith("_stream") else unary_out,
            request_deserializer=None,
            response_serializer=handler.response_serializer,
        )


def _status_name(context: grpc.aio.ServicerContext, failure: BaseException | None) -> str:
    """The status code a call ended with, as grpc names it (what the caller was told)."""
    if failure is None:
        return "OK"
    code = context.code()
    if isinstance(code, grpc.StatusCode):
        return code.name
    return "CANCELLED" if isinstance(failure, asyncio.CancelledError) else "UNKNOWN"


class _AuditFirst:
    """A servicer context whose ``abort`` and ``abort_with_status`` write the call's audit
    entry first; everything else is the wrapped context's. grpc sends a refusal's status
    as ``abort`` is called, so an entry written after it would trail the caller's answer."""

    def __init__(self, context: grpc.aio.ServicerContext, record: Callable[[str], Awaitable[None]]) -> None:
        self._context = context
        self._record = record
        self.recorded = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._context, name)

    async def _first(self, code: Any) -> None:
        if not self.recorded:
            self.recorded = True
            await self._record(code.name if isinstance(code, grpc.StatusCode) else str(code))

    async def abort(self, code: grpc.StatusCode, details: str = "", trailing_metadata: Any = ()) -> None:
        await self._first(code)
        await self._context.abort(code, details, trailing_metadata)

    async def abort_with_status(self, status: grpc.Status) -> None:
        await self._first(status.code)
        await self._context.abort_with_status(status)


def _malformed(handler: Handler) -> ValidationError:
    name = getattr(getattr(handler.request_deserializer, "__self__", None), "DESCRIPTOR", None)
    what = f"a valid {name.full_name} message" if name is not None else "a valid message"
    return ValidationError.of([FieldViolation(field="(request)", description=f"the request bytes are not {what}")])
