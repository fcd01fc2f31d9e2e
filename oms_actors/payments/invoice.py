"""Pay on invoice for business customers, and the receivables it creates.

Authorising is a credit check: the credit limit minus what the customer owes
(open receivables) minus what other orders hold (uncaptured authorisations)
must cover the amount; the check and the hold are one script. A capture turns
the held amount into a receivable, due ``payment_terms_days`` after it. A
receivable is known by the capture id, which the invoice lists among the
captures it was paid with; payments and refunds (credit notes) settle it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Awaitable, Callable, Sequence

import msgspec
import redis.asyncio as aioredis

from oms_actors.domain.enums import PaymentMethod
from oms_actors.domain.errors import FieldViolation, NotFoundError, ValidationError
from oms_actors.domain.money import Money
from oms_actors.payments.base import LedgerProvider
from oms_actors.payments.clock import DAY_MS, Clock, system_clock_ms
from oms_actors.payments.ledger import (
    LedgerMode,
    PaymentLedger,
    ReceivablePayment,
    Recorded,
    as_text,
    check_amount,
    check_id,
    check_key,
    decode_hash,
    fingerprint,
)
from oms_actors.payments.results import Authorization
from oms_actors.store import keys

# Both lookups take a customer id; ``None`` from the limit lookup means no credit line.
CreditLimits = Callable[[str], Awaitable[Money | None]]
PaymentTerms = Callable[[str], Awaitable[int]]


def customer_credit_limits(client: aioredis.Redis) -> CreditLimits:
    """The credit limit on the customer's record (``CustomerService``), read at each authorisation."""
    from oms_actors.store.customers import CustomerStore

    store = CustomerStore(client)

    async def lookup(customer_id: str) -> Money | None:
        customer = await store.get(customer_id)
        return customer.credit_limit if customer is not None else None

    return lookup


def customer_payment_terms(client: aioredis.Redis, default_days: int) -> PaymentTerms:
    """The payment terms on the customer's record (``CustomerService``), else ``default_days``;
    read when an invoice on account is issued, so a change applies to the next invoice."""
    from oms_actors.store.customers import CustomerStore

    store = CustomerStore(client)

    async def lookup(customer_id: str) -> int:
        customer = await store.get(customer_id)
        if customer is None or customer.payment_terms_days is None:
            return default_days
        return customer.payment_terms_days

    return lookup


def fixed_credit_limits(limits: dict[str, Money]) -> CreditLimits:
    async def lookup(customer_id: str) -> Money | None:
        return limits.get(customer_id)

    return lookup


class PayOnInvoiceProvider(LedgerProvider):
    MODE = LedgerMode.CREDIT

    def __init__(
        self,
        client: aioredis.Redis,
        *,
        credit_limits: CreditLimits,
        payment_terms_days: int | PaymentTerms = 30,
        name: str = "invoice",
        clock: Clock = system_clock_ms,
    ) -> None:
        super().__init__(client, name=name, method=PaymentMethod.INVOICE, clock=clock)
        self._credit_limits = credit_limits
        self._terms = payment_terms_days
        self.receivables = Receivables(client, provider=name, clock=clock)

    def _account(self, *, customer_id: str, instrument_token: str, amount: Money) -> str:
        return customer_id

    async def authorize(
        self,
        key: str,
        *,
        customer_id: str,
        instrument_token: str,
        amount: Money,
        credit_limit: Money | None = None,
    ) -> Authorization:
        """As ``PaymentProvider.authorize``; ``credit_limit`` spares the lookup when the caller has it."""
        limit = credit_limit if credit_limit is not None else await self._credit_limits(customer_id)
        recorded = await self._authorize(
            key, customer_id=customer_id, instrument_token=instrument_token, amount=amount, credit_limit=limit
        )
        return recorded.result

    async def _payment_terms_ms(self, authorization_id: str) -> int:
        if isinstance(self._terms, int):
            return self._terms * DAY_MS
        customer = await self._ledger.client.hget(keys.payment_authorization(self.name, authorization_id), "customer")
        if customer is None:
            return 0  # the script answers that the authorisation is unknown
        return await self._terms(as_text(customer)) * DAY_MS


@dataclass(frozen=True, kw_only=True, slots=True)
class Receivable:
    capture_id: str  # the receivable's reference: the capture the invoice lists
    authorization_id: str
    customer_id: str
    amount: Money
    paid: Money
    credited: Money  # by refunds (credit notes)
    open: Money  # still owed
    issued_at_ms: int
    due_at_ms: int

    @property
    def owed_back(self) -> Money:
        """What the customer paid beyond what is now due (a credit note after payment)."""
        over = self.paid.amount_minor + self.credited.amount_minor - self.amount.amount_minor
        return Money(amount_minor=max(0, over), currency=self.amount.currency)

    def overdue(self, now_ms: int) -> bool:
        return self.open.amount_minor > 0 and now_ms > self.due_at_ms


@dataclass(frozen=True, kw_only=True, slots=True)
class AccountPosition:
    """What a customer owes on account, as the credit checks need it."""

    open: int  # minor units still owed
    oldest_due_ms: int | None = None  # the due date of the oldest receivable still open

    def past_due_ms(self, now_ms: int) -> int:
        """How long the oldest open receivable is past its due date (0: none is)."""
        return max(0, now_ms - self.oldest_due_ms) if self.oldest_due_ms is not None else 0


# Aging buckets by days past due: not due yet, 1-30, 31-60, 61-90, more than 90.
AGING_BUCKETS = ("not_due", "days_1_30", "days_31_60", "days_61_90", "over_90")
_AGING_CHUNK = 1_000  # receivables read per round trip
# A report's rows are kept this long for its later pages, which then read them alone instead
# of every open receivable again, and show the same moment the first page did.
AGING_REPORT_KEPT_S = 600


def aging_bucket(now_ms: int, due_at_ms: int) -> int:
    """The index in AGING_BUCKETS of a receivable due at ``due_at_ms``: a day past due counts
    from the first millisecond after the due date."""
    if now_ms <= due_at_ms:
        return 0
    days = -(-(now_ms - due_at_ms) // DAY_MS)  # 1 from the first millisecond late
    return 1 if days <= 30 else 2 if days <= 60 else 3 if days <= 90 else 4


@dataclass(frozen=True, kw_only=True, slots=True)
class AgingRow:
    """What one customer owes in one currency, by how late it is."""

    customer_id: str
    currency: str
    buckets: tuple[int, ...]  # minor units, as AGING_BUCKETS
    receivables: int  # open receivables counted
    oldest_due_ms: int

    @property
    def total(self) -> int:
        return sum(self.buckets)

    @property
    def past_due(self) -> int:
        return sum(self.buckets[1:])


def aging_order(row: AgingRow) -> tuple[int, int, str, str]:
    """The report's order: the most past due first, then the most owed, then by customer."""
    return (-row.past_due, -row.total, row.customer_id, row.currency)


@dataclass(frozen=True, kw_only=True, slots=True)
class CustomerReceivables:
    customer_id: str
    open: tuple[Receivable, ...]  # still owed, due or not
    paid: tuple[Receivable, ...]  # settled by payments and credit notes
    overdue: tuple[Receivable, ...]  # owed past their due date
    open_total: Money | None  # None while the customer never bought on account
    overdue_total: Money | None
    held: Money | None  # authorised on account, not yet invoiced


class Receivables:
    """A customer's receivables from pay on invoice, and payments recorded against them."""

    def __init__(self, client: aioredis.Redis, *, provider: str = "invoice", clock: Clock = system_clock_ms) -> None:
        self._ledger = PaymentLedger(client, provider=provider, method=PaymentMethod.INVOICE, mode=LedgerMode.CREDIT)
        self._clock = clock
        self._due_indexed = False

    async def record_payment(self, key: str, *, capture_id: str, amount: Money) -> ReceivablePayment:
        """Records money received against a receivable, once per key; never more than is open."""
        check_id(capture_id, "capture_id")
        return (await self.pay(key, capture_ids=[capture_id], amount=amount)).result

    async def pay(self, key: str, *, capture_ids: Sequence[str], amount: Money) -> Recorded[ReceivablePayment]:
        """Records money received against receivables of one customer (say all an invoice was
        paid with on account), settling them in the order given: all of it, or nothing when
        it exceeds what they have open. Once per key; ``replayed`` says it was recorded before."""
        check_key(key)
        for capture_id in capture_ids:
            check_id(capture_id, "capture_ids")
        if not capture_ids:
            raise ValidationError.of([FieldViolation(field="capture_ids", description="at least one receivable")])
        check_amount(amount)
        return await self._ledger.pay(
            key,
            fingerprint=fingerprint("pay", *capture_ids, amount.amount_minor, amount.currency),
            now_ms=self._clock(),
            capture_ids=list(capture_ids),
            amount=amount,
        )

    async def of_captures(self, capture_ids: list[str]) -> list[Receivable]:
        """The receivables of these captures (those that are receivables), in the order asked."""
        return await self._read(capture_ids)

    async def get(self, capture_id: str) -> Receivable:
        found = await self._read([capture_id])
        if not found:
            raise NotFoundError(f"no receivable {capture_id}", resource="receivable", resource_id=capture_id)
        return found[0]

    async def of(self, customer_id: str, *, now_ms: int | None = None) -> CustomerReceivables:
        now = self._clock() if now_ms is None else now_ms
        client = self._ledger.client
        provider = self._ledger.provider
        ids = [as_text(x) for x in await client.zrange(keys.payment_receivables(provider, customer_id), 0, -1)]
        every = await self._read(ids)
        acct = decode_hash(await client.hgetall(keys.payment_account(provider, customer_id)))
        open_ = tuple(r for r in every if r.open.amount_minor > 0)
        overdue = tuple(r for r in open_ if r.overdue(now))
        cur = acct.get("currency")

        def total(items: tuple[Receivable, ...]) -> Money | None:
            return Money(amount_minor=sum(r.open.amount_minor for r in items), currency=cur) if cur else None

        return CustomerReceivables(
            customer_id=customer_id,
            open=open_,
            paid=tuple(r for r in every if r.open.amount_minor == 0),
            overdue=overdue,
            open_total=total(open_),
            overdue_total=total(overdue),
            held=Money(amount_minor=int(acct.get("held", "0")), currency=cur) if cur else None,
        )

    async def open_totals(self, customer_ids: list[str]) -> dict[str, int]:
        """What each customer owes (minor units)."""
        return {c: p.open for c, p in (await self.positions(customer_ids)).items()}

    async def positions(self, customer_ids: list[str]) -> dict[str, AccountPosition]:
        """What each customer owes and since when, from the running total the ledger keeps and
        its index of open receivables by due date: one round trip."""
        if not customer_ids:
            return {}
        pipe = self._ledger.client.pipeline(transaction=False)
        provider = self._ledger.provider
        for customer_id in customer_ids:
            pipe.hget(keys.payment_account(provider, customer_id), "open")
            pipe.zrange(keys.payment_open_receivables(provider, customer_id), 0, 0, withscores=True)
        raw = iter(await pipe.execute())
        out = {}
        for customer_id in customer_ids:
            owed, oldest = next(raw), next(raw)
            out[customer_id] = AccountPosition(open=int(owed or 0), oldest_due_ms=int(oldest[0][1]) if oldest else None)
        return out

    async def aging(self, *, now_ms: int | None = None) -> list[AgingRow]:
        """Every customer's open receivables by days past due, one row per customer and
        currency, the most past due first: the receivables aging report."""
        now = self._clock() if now_ms is None else now_ms
        await self.ensure_due_index()
        client, provider = self._ledger.client, self._ledger.provider
        due_key = keys.payment_due_receivables(provider)
        entries = [(as_text(member), int(score)) for member, score in await client.zrange(due_key, 0, -1, withscores=True)]
        rows: dict[tuple[str, str], list[int]] = {}
        counts: dict[tuple[str, str], int] = {}
        oldest: dict[tuple[str, str], int] = {}
        settled = []
        for start in range(0, len(entries), _AGING_CHUNK):
            chunk = entries[start : start + _AGING_CHUNK]
            pipe = client.pipeline(transaction=False)
            for capture_id, _ in chunk:
                pipe.hmget(keys.payment_receivable(provider, capture_id), "customer", "open", "currency")
            for (capture_id, due), (customer, open_, currency) in zip(chunk, await pipe.execute()):
                if customer is None or not int(open_ or 0):
                    settled.append(capture_id)  # indexed before it was settled (the index's first build)
                    continue
                key = (as_text(customer), as_text(currency))
                buckets = rows.setdefault(key, [0] * len(AGING_BUCKETS))
                buckets[aging_bucket(now, due)] += int(open_)
                counts[key] = counts.get(key, 0) + 1
                oldest[key] = min(oldest.get(key, due), due)
        if settled:
            await client.zrem(due_key, *settled)
        out = [
            AgingRow(customer_id=c, currency=cur, buckets=tuple(b), receivables=counts[(c, cur)], oldest_due_ms=oldest[(c, cur)])
            for (c, cur), b in rows.items()
        ]
        return sorted(out, key=aging_order)

    async def aging_report(self, report_id: str = "", *, now_ms: int | None = None) -> tuple[str, int, list[AgingRow]]:
        """(report id, as of, rows): the report ``report_id`` names while it is kept
        (AGING_REPORT_KEPT_S after it was made); otherwise a new one, made now (``aging``)
        and kept under a new id."""
        client, provider = self._ledger.client, self._ledger.provider
        if report_id:
            kept = await client.get(keys.aging_report(provider, report_id))
            if kept is not None:
                as_of, rows = msgspec.json.decode(kept, type=tuple[int, list[AgingRow]])
                return report_id, as_of, rows
        now = self._clock() if now_ms is None else now_ms
        rows = await self.aging(now_ms=now)
        new_id = uuid.uuid4().hex
        await client.set(keys.aging_report(provider, new_id), msgspec.json.encode((now, rows)), ex=AGING_REPORT_KEPT_S)
        return new_id, now, rows

    async def due_between(self, after_ms: int, until_ms: int, *, limit: int) -> list[tuple[str, int]]:
        """Open receivables due after ``after_ms`` and by ``until_ms``, earliest first:
        (capture id, due time)."""
        await self.ensure_due_index()
        found = await self._ledger.client.zrangebyscore(
            keys.payment_due_receivables(self._ledger.provider), f"({after_ms}", until_ms, start=0, num=limit, withscores=True
        )
        return [(as_text(member), int(score)) for member, score in found]

    async def overdue_swept(self) -> int:
        """The due time up to which receivables past due have been noticed (0: none yet)."""
        return int(await self._ledger.client.get(keys.payment_overdue_swept(self._ledger.provider)) or 0)

    async def mark_overdue_swept(self, due_ms: int) -> None:
        await self._ledger.client.set(keys.payment_overdue_swept(self._ledger.provider), due_ms)

    async def ensure_due_index(self) -> None:
        """The due index (``keys.payment_due_receivables``) holds receivables written since it
        exists; those written before are added from each customer's open set, once."""
        if self._due_indexed:
            return
        client, provider = self._ledger.client, self._ledger.provider
        marker = keys.payment_due_index_built(provider)
        if not await client.exists(marker):
            due_key = keys.payment_due_receivables(provider)
            async for name in client.scan_iter(match=keys.payment_open_receivables(provider, "*"), count=1_000):
                entries = await client.zrange(name, 0, -1, withscores=True)
                if entries:
                    await client.zadd(due_key, {member: score for member, score in entries})
            await client.set(marker, "1")
        self._due_indexed = True

    async def _read(self, capture_ids: list[str]) -> list[Receivable]:
        pipe = self._ledger.client.pipeline(transaction=False)
        for capture_id in capture_ids:
            pipe.hgetall(keys.payment_receivable(self._ledger.provider, capture_id))
        out = []
        for raw in await pipe.execute() if capture_ids else []:
            r = decode_hash(raw)
            if not r:
                continue
            cur = r["currency"]
            out.append(
                Receivable(
                    capture_id=r["id"],
                    authorization_id=r["auth"],
                    customer_id=r["customer"],
                    amount=Money(amount_minor=int(r["amount"]), currency=cur),
                    paid=Money(amount_minor=int(r["paid"]), currency=cur),
                    credited=Money(amount_minor=int(r["credited"]), currency=cur),
                    open=Money(amount_minor=int(r["open"]), currency=cur),
                    issued_at_ms=int(r["issued"]),
                    due_at_ms=int(r["due"]),
                )
            )
        return out
