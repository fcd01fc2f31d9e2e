"""CustomerService: one customer record across every channel.

Access: a customer principal reads its own record only; any other id answers
exactly as an unknown one. Records have no owning channel (the store and the web
shop sell to the same customer), so whoever the rules table lets upsert may upsert
any record, with one exception: the credit line. A business customer's credit limit
is credit control's decision, set by service agents and admins; a sales channel,
whose orders it would pay for, may neither set nor change it (nor turn a customer
with a credit line into a consumer), and its upserts keep the line as it is.
A line granted or raised lets the customer's orders held for credit alone go on
(``gateway.credit``), as a payment does.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import replace

import grpc

from gateway import limits
from gateway.auth.access import caller
from gateway.auth.audit import AuditLog
from gateway.auth.errors import PermissionDeniedError, abort
from gateway.convert import (
    CHANNELS,
    Violations,
    customer_from_proto,
    customer_to_proto,
    event_to_proto,
    money_to_proto,
    order_to_proto,
)
from gateway.credit import release_credit_holds
from gateway.erasure import Erasures
from gateway.errors import rpc
from gateway.services.backend import Backend, id_or_fail
from oms_actors.domain.customer import Customer
from oms_actors.domain.enums import CustomerType
from oms_actors.domain.errors import FieldViolation, NotFoundError
from oms_actors.domain.money import Money
from oms_actors.store import keys
from oms_actors.store.events import EventReader
from oms_actors.store.orders import OrderFilter
from protos.oms.v1 import customers_pb2, customers_pb2_grpc

log = logging.getLogger(__name__)

# What UpsertCustomerRequest.update_mask may name (a message among them is set whole).
MASKABLE = ("type", "name", "email", "phone", "default_address", "credit_limit", "payment_terms_days")
# The credit line: what credit control alone sets (the limit lent, and when invoices fall due).
CREDIT_FIELDS = ("credit_limit", "payment_terms_days")
DEFAULT_ORDERS = 50
DEFAULT_EVENTS = 100
_STAYS_BUSINESS = "a customer with a credit line stays a business customer until a service agent changes it"


def credit_fields_denied(
    asked: Customer, named: Sequence[str], existing: Customer | None
) -> tuple[FieldViolation, ...]:
    """What a caller without credit control asks of the credit line that it may not:
    a limit or payment terms other than the ones stored (``named``: the credit fields the
    request sets), or a customer with a line made a consumer (which cannot hold one)."""
    denied = []
    for name in named:
        if getattr(asked, name) != (getattr(existing, name) if existing is not None else None):
            denied.append(FieldViolation(field=f"customer.{name}", description="set by service agents (credit control); leave it out"))
    if _holds_credit(existing) and asked.type is not CustomerType.BUSINESS:
        denied.append(FieldViolation(field="customer.type", description=_STAYS_BUSINESS))
    return tuple(denied)


def masked_credit_denied(mask: Sequence[str], asked: customers_pb2.Customer, existing: Customer) -> tuple[FieldViolation, ...]:
    """The same, for an update mask on a stored record: naming the line at all, or making
    a customer who holds one a consumer (refused before the merged record is checked,
    whose own checks would call that bad input rather than not the caller's to do)."""
    denied = []
    for name in CREDIT_FIELDS:
        if name in mask:
            denied.append(FieldViolation(field="update_mask", description=f"{name} is set by service agents (credit control)"))
    if "type" in mask and _holds_credit(existing) and asked.type != customers_pb2.CUSTOMER_TYPE_BUSINESS:
        denied.append(FieldViolation(field="customer.type", description=_STAYS_BUSINESS))
    return tuple(denied)


def _holds_credit(customer: Customer | None) -> bool:
    return customer is not None and any(getattr(customer, name) is not None for name in CREDIT_FIELDS)


def _refuse_credit(denied: tuple[FieldViolation, ...]) -> None:
    if denied:
        raise PermissionDeniedError(
            "a customer's credit line is set by service agents (credit control), not by a sales channel",
            code="CREDIT_CONTROL",
            fields=denied,
        )


CREDIT_LINE_ACTION = "/oms.v1.CustomerService/UpsertCustomer:credit_limit"


def _line(limit: Money | None) -> str:
    return f"{limit.amount_minor} {limit.currency}" if limit is not None else "none"


def _credit_change(before: Customer | None, after: Customer) -> str:
    """The audit detail of a change of the credit line, "" when it did not change."""
    parts = []
    if (before.credit_limit if before else None) != after.credit_limit:
        parts.append(f"credit_limit {_line(before.credit_limit if before else None)} -> {_line(after.credit_limit)}")
    old_terms = before.payment_terms_days if before else None
    if old_terms != after.payment_terms_days:
        parts.append(f"payment_terms_days {_terms(old_terms)} -> {_terms(after.payment_terms_days)}")
    return "; ".join(parts)


def _credit_widened(before: Customer | None, after: Customer) -> bool:
    """Whether the change grants or raises a business customer's credit line: what may let
    its orders held for credit go on."""
    if after.credit_limit is None or after.type is not CustomerType.BUSINESS:
        return False
    if before is None or before.credit_limit is None or before.type is not CustomerType.BUSINESS:
        return True
    return (
        after.credit_limit.currency != before.credit_limit.currency
        or after.credit_limit.amount_minor > before.credit_limit.amount_minor
    )


def _terms(days: int | None) -> str:
    return "default" if days is None else str(days)


class CustomerService(customers_pb2_grpc.CustomerServiceServicer):
    def __init__(self, backend: Backend, *, audit: AuditLog | None = None) -> None:
        self.b = backend
        # Granting or changing a credit line is money lent: each change is an audit entry.
        self.audit = audit
        self.erasures = Erasures(backend)

    @rpc
    async def UpsertCustomer(
        self, request: customers_pb2.UpsertCustomerRequest, context: grpc.aio.ServicerContext
    ) -> customers_pb2.Customer:
        principal = await caller(context)
        v = Violations()
        if not request.HasField("customer"):
            v.add("customer", "is required")
            v.raise_if_any()
        mask = request.update_mask.paths
        for i, path in enumerate(mask):
            if path not in MASKABLE:
                v.add(f"update_mask.paths[{i}]", f"not a field to set: one of {', '.join(MASKABLE)}")
        if mask:
            v.identifier("customer.customer_id", request.customer.customer_id)
        whole = None if mask else customer_from_proto(request.customer, v)
        v.raise_if_any()
        now = int(time.time() * 1000)
        change = ""  # the credit line's change, as stored and as written by the attempt that won
        widened = False

        def upsert(existing: Customer | None) -> Customer:
            nonlocal change, widened
            asked = whole
            named = [name for name in CREDIT_FIELDS if request.customer.HasField(name)]
            if mask:
                source = request.customer  # nothing stored yet: the whole request makes the record
                if existing is not None:
                    if not principal.controls_credit:
                        _refuse_credit(masked_credit_denied(mask, request.customer, existing))
                    # The stored record with the masked fields as the request has them (a
                    # message field it leaves unset is cleared), checked whole.
                    source = customer_to_proto(existing)
                    request.update_mask.MergeMessage(request.customer, source, replace_message_field=True)
                    named = [name for name in CREDIT_FIELDS if name in mask]
                found = Violations()
                asked = customer_from_proto(source, found)
                found.raise_if_any()
            assert asked is not None
            new = asked
            if not principal.controls_credit:
                _refuse_credit(credit_fields_denied(asked, named, existing))
                new = replace(
                    asked,
                    credit_limit=existing.credit_limit if existing is not None else None,
                    payment_terms_days=existing.payment_terms_days if existing is not None else None,
                )
            created = existing.created_at_ms if existing is not None else now
            change = _credit_change(existing, new)
            widened = _credit_widened(existing, new)
            return replace(new, created_at_ms=created, updated_at_ms=now)

        target = f"customer_id={request.customer.customer_id[:128]}"
        try:
            stored = await self.b.customers.update(request.customer.customer_id, upsert)
        except PermissionDeniedError as err:
            if err.code == "CREDIT_CONTROL":  # a channel tried to grant credit: credit control hears of it
                await self._audit_credit(principal.describe(), target, "PERMISSION_DENIED", "refused")
            await abort(context, err)
            raise  # not reached: abort raises
        if change:
            await self._audit_credit(principal.describe(), target, "OK", change)
        if widened:
            # The line is written whatever happens here: a failure leaves the orders held for
            # a reviewer, or for the customer's next payment, to let go.
            try:
                await release_credit_holds(self.b, stored.customer_id, f"credit line {_line(stored.credit_limit)} granted")
            except Exception as exc:  # noqa: BLE001 - the upsert itself succeeded
                log.warning("customer %s: orders held for credit stay held: %s", stored.customer_id, exc)
        return customer_to_proto(stored)

    @rpc
    async def EraseCustomer(
        self, request: customers_pb2.EraseCustomerRequest, context: grpc.aio.ServicerContext
    ) -> customers_pb2.EraseCustomerResponse:
        v = Violations()
        v.identifier("customer_id", request.customer_id)
        v.required_text("reason", request.reason, "the request this answers, for the audit log")
        v.raise_if_any()
        if request.when_orders_close:
            stored, erased, still_open = await self.erasures.erase_when_orders_close(request.customer_id)
        else:
            (stored, erased), still_open = await self.erasures.erase(request.customer_id), 0
        return customers_pb2.EraseCustomerResponse(
            customer=customer_to_proto(stored), orders_erased=erased, orders_open=still_open
        )

    async def _audit_credit(self, principal: str, target: str, outcome: str, detail: str) -> None:
        if self.audit is not None:
            await self.audit.record_quietly(
                action=CREDIT_LINE_ACTION, principal=principal, target=target, outcome=outcome, detail=detail
            )

    @rpc
    async def GetCustomer(
        self, request: customers_pb2.GetCustomerRequest, context: grpc.aio.ServicerContext
    ) -> customers_pb2.Customer:
        principal = await caller(context)
        id_or_fail("customer_id", request.customer_id)
        # Another customer's record is not even read: the answer cannot depend on whether it exists.
        customer = await self.b.customers.get(request.customer_id) if principal.sees_customer(request.customer_id) else None
        if customer is None:
            raise NotFoundError(
                f"customer {request.customer_id} not found", resource="customer", resource_id=request.customer_id
            )
        return customer_to_proto(customer)

    @rpc
    async def GetCustomer360(
        self, request: customers_pb2.GetCustomer360Request, context: grpc.aio.ServicerContext
    ) -> customers_pb2.Customer360:
        v = Violations()
        key = request.WhichOneof("key")
        if key is None:
            v.add("key", "one of customer_id, email, phone, order_id or external_reference")
        elif key in ("customer_id", "order_id", "external_reference"):
            v.identifier(key, getattr(request, key))
        else:
            v.text(key, getattr(request, key))
        channel = CHANNELS.get(request.channel)
        if key == "external_reference" and channel is None:
            v.add("channel", "is required with external_reference")
        for name in ("order_limit", "event_limit"):
            if not 0 <= getattr(request, name) <= limits.MAX_PAGE_SIZE:
                v.add(name, f"between 0 and {limits.MAX_PAGE_SIZE}")
        v.raise_if_any()
        principal = await caller(context)
        customer_id = await self._resolve(key, request, channel)
        customer = await self.b.customers.get(customer_id) if customer_id and principal.sees_customer(customer_id) else None
        if customer is None:
            wanted = getattr(request, key) if key else ""
            raise NotFoundError("customer not found", resource="customer", resource_id=wanted)
        orders, _ = await self.b.orders.list(
            OrderFilter(customer_id=customer.customer_id), page_size=request.order_limit or DEFAULT_ORDERS
        )
        count = await self.b.orders.client.zcard(keys.order_index("customer", customer.customer_id))
        timeline = await EventReader(self.b.orders.client, self.b.actors.topology.order_shards).timeline(
            customer.customer_id, [o.order_id for o in orders], limit=request.event_limit or DEFAULT_EVENTS
        )
        view = customers_pb2.Customer360(
            customer=customer_to_proto(customer),
            orders=[order_to_proto(o, internal_notes=principal.sees_everything) for o in orders],
            order_count=count,
            timeline=[event_to_proto("", e) for e in timeline],
            invoices=[s.invoice_number for o in orders for s in reversed(o.shipments) if s.invoice_number],
            credit_notes=[n for o in orders for r in reversed(o.returns) for n in r.credit_notes],
        )
        currency = orders[0].currency if orders else None
        if currency:
            owed = await self.b.payments.receivables.of(customer.customer_id)
            if owed.open_total is not None:
                view.receivables_open.CopyFrom(money_to_proto(owed.open_total))
            if owed.overdue_total is not None:
                view.receivables_overdue.CopyFrom(money_to_proto(owed.overdue_total))
            balance = await self.b.payments.store_credit.balance(customer.customer_id, currency)
            view.store_credit.CopyFrom(money_to_proto(balance.available))
        return view

    async def _resolve(self, key: str | None, request: customers_pb2.GetCustomer360Request, channel) -> str | None:
        if key == "customer_id":
            return request.customer_id
        if key in ("email", "phone"):
            return await self.b.customers.find(**{key: getattr(request, key)})
        order_id = request.order_id
        if key == "external_reference":
            order_id = await self.b.orders.by_external_reference(channel.value, request.external_reference) or ""
        order = await self.b.orders.get(order_id) if order_id else None
        return order.customer_id if order else None
