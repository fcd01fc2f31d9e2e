"""The Redis ledger under every built-in provider: idempotent, atomic operations and their readers.

A ``PaymentLedger`` owns one provider's keys (``keys.payments(provider)``) and
runs each operation as one script of ``scripts.py``. Three ways an operation
moves money besides the authorisation record itself (``LedgerMode``):

- ``NONE``: nothing else (a card network, cash);
- ``HOLD``: a balance account (gift card, store credit): authorise moves money
  from available to held, capture spends the hold, void gives it back, refund
  credits available; available never goes negative;
- ``CREDIT``: a credit line (pay on invoice): authorise holds headroom under the
  limit, capture turns the hold into a receivable due after the payment terms.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, AsyncIterator, Generic, Sequence, TypeVar

import redis
import redis.asyncio as aioredis

from oms_actors.domain.enums import PaymentMethod
from oms_actors.domain.errors import FieldViolation, NotFoundError, UnavailableError, ValidationError
from oms_actors.domain.money import MAX_AMOUNT_MINOR, Money, is_currency
from oms_actors.payments import scripts
from oms_actors.payments.errors import (
    AccountExistsError,
    AuthorizationExpiredError,
    AuthorizationNotOpenError,
    CaptureExceedsAuthorizationError,
    PaymentExceedsReceivableError,
    PaymentIdempotencyConflictError,
    RefundExceedsCaptureError,
)
from oms_actors.payments.results import (
    AccountBalance,
    Authorization,
    AuthorizationLedger,
    AuthorizationState,
    Capture,
    CaptureLedger,
    Credit,
    PaymentStatus,
    Refund,
    Void,
)
from oms_actors.store import keys
from oms_actors.store.script_calls import script_calls

T = TypeVar("T")

REDIS_DOWN = (redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError)
# Braces would move a key's hash tag and "|" separates parts of fields; ids the
# gateway accepts (``[A-Za-z0-9][A-Za-z0-9._:@#/+=~-]*``) never hold them.
_FORBIDDEN_IN_IDS = set("{}|")


class LedgerMode(StrEnum):
    NONE = "none"
    HOLD = "hold"
    CREDIT = "credit"


@dataclass(frozen=True, kw_only=True, slots=True)
class Recorded(Generic[T]):
    """An operation's result and how the ledger came by it."""

    result: T
    attempt: int  # calls with this key so far, this one included
    replayed: bool  # True when the key was seen before: no new effect


@dataclass(frozen=True, kw_only=True, slots=True)
class PaymentPart:
    """What one payment settled of one receivable."""

    capture_id: str
    amount: Money


@dataclass(frozen=True, kw_only=True, slots=True)
class ReceivablePayment:
    payment_id: str
    capture_id: str  # the first receivable it settled
    customer_id: str
    amount: Money
    created_at_ms: int
    parts: tuple[PaymentPart, ...] = ()  # per receivable, in the order settled


@dataclass(frozen=True, kw_only=True, slots=True)
class LedgerEvent:
    """One entry of the provider's event stream, in the order effects happened."""

    kind: str  # authorize, capture, void, refund, credit, payment
    reference: str
    authorization_id: str
    amount: Money
    at_ms: int


def check_amount(amount: Money, field: str = "amount") -> None:
    problems = []
    if not is_currency(amount.currency):
        problems.append(
            FieldViolation(field=f"{field}.currency", description=f"unknown ISO 4217 code {amount.currency!r}")
        )
    if not 0 < amount.amount_minor <= MAX_AMOUNT_MINOR:
        problems.append(FieldViolation(field=f"{field}.amount_minor", description=f"must be in 1..{MAX_AMOUNT_MINOR}"))
    if problems:
        raise ValidationError.of(problems)


def check_id(value: str, field: str) -> None:
    if not value or len(value) > 200 or _FORBIDDEN_IN_IDS & set(value) or any(c.isspace() for c in value):
        raise ValidationError.of(
            [FieldViolation(field=field, description="required, at most 200 characters, no whitespace, braces or |")]
        )


def check_key(key: str) -> None:
    if not key or len(key) > 500:
        raise ValidationError.of([FieldViolation(field="key", description="an idempotency key of 1..500 characters")])


def fingerprint(*parts: object) -> str:
    """Identifies an operation's arguments, so a retry can be told from a reuse of its key."""
    return hashlib.blake2b(json.dumps([str(p) for p in parts]).encode(), digest_size=16).hexdigest()


def secret_digest(secret: str) -> str:
    """Instrument tokens enter fingerprints only as a digest: the ledger never stores one."""
    return hashlib.sha256(secret.encode()).hexdigest()


def as_text(raw: Any) -> str:
    return raw.decode() if isinstance(raw, bytes) else str(raw)


def decode_hash(raw: dict) -> dict[str, str]:
    return {as_text(k): as_text(v) for k, v in raw.items()}


def _expiry(raw: str) -> int | None:
    return int(raw) if raw else None


class PaymentLedger:
    def __init__(self, client: aioredis.Redis, *, provider: str, method: PaymentMethod, mode: LedgerMode) -> None:
        check_id(provider, "provider")
        self.client = client
        self.provider = provider
        self.method = method
        self.mode = mode
        self.root = keys.payments(provider)
        self._authorize = client.register_script(scripts.AUTHORIZE)
        self._capture = client.register_script(scripts.CAPTURE)
        self._void = client.register_script(scripts.VOID)
        self._refund = client.register_script(scripts.REFUND)
        self._credit = client.register_script(scripts.CREDIT)
        self._pay = client.register_script(scripts.PAY)
        self._calls = script_calls(client)

    # -- operations --------------------------------------------------------------------------

    async def authorize(
        self,
        key: str,
        *,
        fingerprint: str,
        now_ms: int,
        customer_id: str,
        account: str,
        amount: Money,
        expires_at_ms: int | None,
        decline_reason: str = "",
        credit_limit: Money | None = None,
    ) -> Recorded[Authorization]:
        args = [
            key, fingerprint, now_ms, self.provider, customer_id, account, amount.amount_minor, amount.currency,
            "" if expires_at_ms is None else expires_at_ms, self.mode.value, decline_reason,
            "" if credit_limit is None else credit_limit.amount_minor,
            "" if credit_limit is None else credit_limit.currency,
        ]  # fmt: skip
        env = await self._run(self._authorize, "authorize", key, args)
        r = env["ok"]
        auth = Authorization(
            authorization_id=r["id"],
            provider=self.provider,
            method=self.method,
            customer_id=r["customer"],
            amount=Money(amount_minor=int(r["amount"]), currency=r["currency"]),
            status=PaymentStatus(r["status"]),
            decline_reason=r["reason"],
            expires_at_ms=_expiry(r["expires"]) if r["status"] == PaymentStatus.APPROVED else None,
            created_at_ms=int(r["created"]),
        )
        return self._recorded(auth, env)

    async def capture(
        self, key: str, *, fingerprint: str, now_ms: int, authorization_id: str, amount: Money, terms_ms: int = 0
    ) -> Recorded[Capture]:
        args = [
            key,
            fingerprint,
            now_ms,
            self.provider,
            authorization_id,
            amount.amount_minor,
            amount.currency,
            terms_ms,
        ]
        env = await self._run(self._capture, "capture", key, args, authorization_id=authorization_id, amount=amount)
        r = env["ok"]
        cap = Capture(
            capture_id=r["id"],
            authorization_id=r["auth"],
            provider=self.provider,
            amount=Money(amount_minor=int(r["amount"]), currency=r["currency"]),
            created_at_ms=int(r["created"]),
        )
        return self._recorded(cap, env)

    async def void(self, key: str, *, fingerprint: str, now_ms: int, authorization_id: str) -> Recorded[Void]:
        args = [key, fingerprint, now_ms, self.provider, authorization_id]
        env = await self._run(self._void, "void", key, args, authorization_id=authorization_id)
        r = env["ok"]
        void = Void(
            void_id=r["id"],
            authorization_id=r["auth"],
            provider=self.provider,
            amount=Money(amount_minor=int(r["amount"]), currency=r["currency"]),
            created_at_ms=int(r["created"]),
        )
        return self._recorded(void, env)

    async def refund(
        self, key: str, *, fingerprint: str, now_ms: int, capture_id: str, amount: Money
    ) -> Recorded[Refund]:
        args = [key, fingerprint, now_ms, self.provider, capture_id, amount.amount_minor, amount.currency]
        env = await self._run(self._refund, "refund", key, args, capture_id=capture_id, amount=amount)
        r = env["ok"]
        refund = Refund(
            refund_id=r["id"],
            capture_id=r["capture"],
            authorization_id=r["auth"],
            provider=self.provider,
            amount=Money(amount_minor=int(r["amount"]), currency=r["currency"]),
            created_at_ms=int(r["created"]),
        )
        return self._recorded(refund, env)

    async def credit(
        self,
        key: str,
        *,
        fingerprint: str,
        now_ms: int,
        account: str,
        amount: Money,
        customer_id: str = "",
        reason: str = "",
        must_be_new: bool = False,
    ) -> Recorded[Credit]:
        """Puts money on a balance account (issues a gift card, grants store credit)."""
        args = [
            key, fingerprint, now_ms, self.provider, account, amount.amount_minor, amount.currency, customer_id,
            reason, "1" if must_be_new else "0",
        ]  # fmt: skip
        env = await self._run(self._credit, "credit", key, args, account=account, amount=amount)
        r = env["ok"]
        credit = Credit(
            credit_id=r["id"],
            account=r["account"],
            customer_id=r["customer"],
            amount=Money(amount_minor=int(r["amount"]), currency=r["currency"]),
            reason=r["reason"],
            created_at_ms=int(r["created"]),
        )
        return self._recorded(credit, env)

    async def pay(
        self, key: str, *, fingerprint: str, now_ms: int, capture_ids: Sequence[str], amount: Money
    ) -> Recorded[ReceivablePayment]:
        """Records a payment against receivables of one customer (pay on invoice), settling them
        in the order given; all of it or nothing."""
        args = [key, fingerprint, now_ms, self.provider, amount.amount_minor, amount.currency, *capture_ids]
        env = await self._run(self._pay, "pay", key, args, capture_id=",".join(capture_ids), amount=amount)
        r = env["ok"]
        cur = r["currency"]
        # Payments recorded before a payment could settle several receivables name only one.
        parts = r.get("parts") or [{"capture": r["capture"], "amount": r["amount"]}]
        payment = ReceivablePayment(
            payment_id=r["id"],
            capture_id=r["capture"],
            customer_id=r["customer"],
            amount=Money(amount_minor=int(r["amount"]), currency=cur),
            created_at_ms=int(r["created"]),
            parts=tuple(
                PaymentPart(capture_id=p["capture"], amount=Money(amount_minor=int(p["amount"]), currency=cur))
                for p in parts
            ),
        )
        return self._recorded(payment, env)

    # -- readers -----------------------------------------------------------------------------

    async def authorization(self, authorization_id: str) -> AuthorizationLedger:
        """The ledger of one authorisation; ``NotFoundError`` when the provider never saw it."""
        try:
            pipe = self.client.pipeline(transaction=True)
            pipe.hgetall(keys.payment_authorization(self.provider, authorization_id))
            pipe.lrange(keys.payment_authorization_captures(self.provider, authorization_id), 0, -1)
            raw_auth, raw_caps = await pipe.execute()
            a = decode_hash(raw_auth)
            if not a:
                raise NotFoundError(
                    f"{self.provider}: no authorization {authorization_id}",
                    resource="authorization",
                    resource_id=authorization_id,
                )
            pipe = self.client.pipeline(transaction=False)
            for cap_id in raw_caps:
                pipe.hgetall(keys.payment_capture(self.provider, as_text(cap_id)))
            caps = [decode_hash(c) for c in await pipe.execute()] if raw_caps else []
        except REDIS_DOWN as exc:
            raise UnavailableError(f"{self.provider}: redis unavailable", dependency="redis") from exc
        cur = a["currency"]

        def money(value: str) -> Money:
            return Money(amount_minor=int(value), currency=cur)

        return AuthorizationLedger(
            authorization_id=a["id"],
            provider=self.provider,
            customer_id=a["customer"],
            state=AuthorizationState(a["state"]),
            decline_reason=a["reason"],
            requested=money(a["requested"]),
            authorized=money(a["authorized"]),
            captured=money(a["captured"]),
            voided=money(a["voided"]),
            refunded=money(a["refunded"]),
            expires_at_ms=_expiry(a["expires"]),
            created_at_ms=int(a["created"]),
            captures=tuple(
                CaptureLedger(
                    capture_id=c["id"],
                    amount=money(c["amount"]),
                    refunded=money(c["refunded"]),
                    created_at_ms=int(c["created"]),
                )
                for c in caps
            ),
        )

    async def authorization_ids(self) -> list[str]:
        """Every authorisation the provider recorded, oldest first."""
        raw = await self.client.zrange(keys.payment_authorizations(self.provider), 0, -1)
        return [as_text(x) for x in raw]

    async def ledgers(self) -> AsyncIterator[AuthorizationLedger]:
        for authorization_id in await self.authorization_ids():
            yield await self.authorization(authorization_id)

    async def balance(self, account: str) -> AccountBalance | None:
        raw = decode_hash(await self.client.hgetall(keys.payment_account(self.provider, account)))
        if "currency" not in raw:
            return None
        cur = raw["currency"]
        return AccountBalance(
            account=account,
            available=Money(amount_minor=int(raw.get("balance", "0")), currency=cur),
            held=Money(amount_minor=int(raw.get("held", "0")), currency=cur),
        )

    async def events(self) -> list[LedgerEvent]:
        """Every effect in order (for reconciliation; a real deployment would page through it)."""
        out = []
        for _id, fields in await self.client.xrange(keys.payment_events(self.provider)):
            f = decode_hash(fields)
            out.append(
                LedgerEvent(
                    kind=f["type"],
                    reference=f["ref"],
                    authorization_id=f["auth"],
                    amount=Money(amount_minor=int(f["amount"]), currency=f["currency"]),
                    at_ms=int(f["at"]),
                )
            )
        return out

    # -- plumbing ----------------------------------------------------------------------------

    @staticmethod
    def _recorded(result: T, env: dict) -> Recorded[T]:
        return Recorded(result=result, attempt=int(env["attempt"]), replayed=env["replayed"] == "1")

    async def _run(self, script: Any, operation: str, key: str, args: list, **context: Any) -> dict:
        try:
            raw = await self._call(script, [str(a) for a in args])
        except REDIS_DOWN as exc:
            # The script is atomic: it ran entirely or not at all; the same key tells which on retry.
            raise UnavailableError(
                f"{self.provider}: redis unavailable during {operation}; retry with the same key", dependency="redis"
            ) from exc
        env = json.loads(as_text(raw))
        if "error" in env:
            self._raise(env, operation, key, context)
        return env

    async def _call(self, script: Any, args: list[str]) -> Any:
        # Shared with every ledger on this client: a batch's authorisations across
        # providers go out in one pipelined round trip.
        return await self._calls.call(script, [self.root], args)

    def _raise(self, env: dict, operation: str, key: str, context: dict[str, Any]) -> None:
        code = env["error"]
        who = self.provider
        amount: Money | None = context.get("amount")
        cur = env.get("currency") or (amount.currency if amount else "")
        if code == "IDEMPOTENCY_CONFLICT":
            raise PaymentIdempotencyConflictError(
                f"{who}: key {key!r} was used for another {operation}",
                provider=who, operation=operation, idempotency_key=key,
            )  # fmt: skip
        if code in ("UNKNOWN_AUTHORIZATION", "UNKNOWN_CAPTURE", "UNKNOWN_RECEIVABLE"):
            resource = code.removeprefix("UNKNOWN_").lower()
            rid = env.get("capture") or context.get("authorization_id") or context.get("capture_id") or ""
            raise NotFoundError(f"{who}: no {resource} {rid}", resource=resource, resource_id=rid)
        if code == "CURRENCY_MISMATCH":
            raise ValidationError.of(
                [FieldViolation(field="amount.currency", description=f"{who} holds this in {env.get('currency')}")]
            )
        if code == "AUTHORIZATION_NOT_OPEN":
            auth = context["authorization_id"]
            raise AuthorizationNotOpenError(
                f"{who}: authorization {auth} is {env['state']}", authorization_id=auth, state=env["state"]
            )
        if code == "AUTHORIZATION_EXPIRED":
            auth = context["authorization_id"]
            raise AuthorizationExpiredError(
                f"{who}: authorization {auth} expired; authorize again", authorization_id=auth,
                expired_at_ms=int(env["expires"]),
            )  # fmt: skip
        if code == "EXCEEDS_AUTHORIZATION":
            remaining = Money(amount_minor=int(env["remaining"]), currency=cur)
            raise CaptureExceedsAuthorizationError(
                f"{who}: capture of {amount} exceeds the {remaining} left on {context['authorization_id']}",
                authorization_id=context["authorization_id"], requested=amount, remaining=remaining,
            )  # fmt: skip
        if code == "EXCEEDS_CAPTURE":
            refundable = Money(amount_minor=int(env["refundable"]), currency=cur)
            raise RefundExceedsCaptureError(
                f"{who}: refund of {amount} exceeds the {refundable} refundable on {context['capture_id']}",
                capture_id=context["capture_id"], requested=amount, refundable=refundable,
            )  # fmt: skip
        if code == "EXCEEDS_OPEN":
            open_amount = Money(amount_minor=int(env["open"]), currency=cur)
            raise PaymentExceedsReceivableError(
                f"{who}: payment of {amount} exceeds the {open_amount} open on {context['capture_id']}",
                capture_id=context["capture_id"], requested=amount, open_amount=open_amount,
            )  # fmt: skip
        if code == "ACCOUNT_EXISTS":
            raise AccountExistsError(f"{who}: account {context['account']} exists", account=context["account"])
        if code == "MIXED_CUSTOMERS":
            raise ValidationError.of(
                [FieldViolation(field="capture_ids", description="receivables of one customer only")]
            )
        raise RuntimeError(f"{who}: unexpected ledger answer {env}")  # a script/code mismatch, not a caller's fault
