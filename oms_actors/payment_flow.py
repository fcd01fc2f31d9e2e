"""The order shard's payments: authorise at acceptance, capture and invoice per shipment, void the rest.

Every provider call carries a key derived from the order (see
``oms_actors.payments``): a step retried after a crash or a timeout repeats the
same calls with the same keys, and the providers answer them without a second
effect. The order records the results only after the calls returned.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import time
from typing import Any

from oms_actors.domain.commands import SHIPPING_CHARGE
from oms_actors.domain.enums import PaymentMethod
from oms_actors.domain.fulfilment import Shipment, ShipmentCapture
from oms_actors.domain.money import Money
from oms_actors.domain.order import Order
from oms_actors.domain.payment_state import PaymentRecord, PaymentStatus, plan_captures
from oms_actors.domain.records import evolve
from oms_actors.domain.returns import GOODWILL, RefundPart
from oms_actors.domain.tax import split_by_rate
from oms_actors.order_effects import PaymentFlow
from oms_actors.payments import (
    AccountPosition,
    AuthorizationExpiredError,
    CaptureReference,
    DocumentLine,
    Payments,
    PaymentsConfig,
    RefundReference,
    SimulatedCardConfig,
    build_payments,
)
from oms_actors.store import keys

log = logging.getLogger(__name__)
SIM_CONFIG_TTL_S = 1.0


def _money(amount: int, currency: str) -> Money:
    return Money(amount_minor=amount, currency=currency)


class ProviderPaymentFlow:
    def __init__(self, payments: Payments) -> None:
        self.payments = payments

    async def ready(self) -> None:
        """Hook for flows whose providers can change at run time."""

    def _stale(self) -> bool:
        return False

    async def authorize(self, order: Order, *, credit_limit: Money | None = None) -> tuple[PaymentRecord, ...]:
        """``credit_limit``: the customer's, when the caller read it (spares pay on invoice a read)."""
        if self._stale():
            await self.ready()
        records = []
        for record in order.payment_records:
            if record.status is not PaymentStatus.PENDING:
                records.append(record)
                continue
            provider = self.payments.providers.for_method(record.method)
            extra = {"credit_limit": credit_limit} if credit_limit is not None and record.method is PaymentMethod.INVOICE else {}
            auth = await provider.authorize(
                record.authorization_key(order.order_id),
                customer_id=order.customer_id,
                instrument_token=record.token,
                amount=record.amount,
                **extra,
            )
            if auth.status.value == "approved":
                records.append(
                    record.with_(
                        authorization_id=auth.authorization_id,
                        authorized=record.amount.amount_minor,
                        expires_at_ms=auth.expires_at_ms or 0,
                        declined_reason="",
                    )
                )
            else:
                # The next attempt (after the customer fixed the card) needs a new key.
                records.append(record.with_(declined_reason=auth.decline_reason or "declined", attempts=record.attempts + 1))
        return tuple(records)

    async def capture(
        self, order: Order, shipment: Shipment
    ) -> tuple[tuple[ShipmentCapture, ...], tuple[PaymentRecord, ...], str]:
        if self._stale():
            await self.ready()
        records = {r.payment_id: r for r in order.payment_records}
        captures: list[ShipmentCapture] = []
        references: list[CaptureReference] = []
        for payment_id, amount in plan_captures(order.payment_records, shipment.value):
            record = records[payment_id]
            provider = self.payments.providers.for_method(record.method)
            key = f"{order.order_id}/ship/{shipment.shipment_id}/{payment_id}"
            if record.expires_at_ms and record.expires_at_ms < int(time.time() * 1000):
                record = await self._reauthorize(order, record)
            try:
                cap = await provider.capture(key, authorization_id=record.authorization_id, amount=_money(amount, record.currency))
            except AuthorizationExpiredError:
                record = await self._reauthorize(order, record)
                cap = await provider.capture(key, authorization_id=record.authorization_id, amount=_money(amount, record.currency))
            records[payment_id] = record.with_(captured=record.captured + amount)
            captures.append(ShipmentCapture(payment_id=payment_id, amount=amount, capture_id=cap.capture_id))
            references.append(
                CaptureReference(
                    method=record.method,
                    provider=provider.name,
                    capture_id=cap.capture_id,
                    amount=_money(amount, record.currency),
                )
            )
        invoice = await self.payments.documents.write_invoice(
            f"{order.order_id}/ship/{shipment.shipment_id}",
            order_id=order.order_id,
            shipment_id=shipment.shipment_id,
            customer_id=order.customer_id,
            lines=_invoice_lines(order, shipment),
            captures=tuple(references),
        )
        return tuple(captures), tuple(records[r.payment_id] for r in order.payment_records), invoice.number

    async def _reauthorize(self, order: Order, record: PaymentRecord) -> PaymentRecord:
        """An expired authorisation is replaced by one for what it had left."""
        provider = self.payments.providers.for_method(record.method)
        nxt = record.with_(attempts=record.attempts + 1)
        auth = await provider.reauthorize(
            nxt.authorization_key(order.order_id), authorization_id=record.authorization_id, instrument_token=record.token
        )
        if auth.status.value != "approved":
            raise RuntimeError(f"order {order.order_id} {record.payment_id}: re-authorisation declined ({auth.decline_reason})")
        return nxt.with_(
            authorization_id=auth.authorization_id,
            authorized=record.captured + auth.amount.amount_minor,
            expires_at_ms=auth.expires_at_ms or 0,
        )

    async def void(self, order: Order) -> tuple[PaymentRecord, ...]:
        if self._stale():
            await self.ready()
        records = []
        for record in order.payment_records:
            if record.capturable > 0:
                provider = self.payments.providers.for_method(record.method)
                await provider.void(f"{order.order_id}/cancel/{record.payment_id}", authorization_id=record.authorization_id)
                record = record.with_(voided=True)
            records.append(record)
        return tuple(records)

    async def refund(
        self, order: Order, return_id: str, plan: list[RefundPart], *, kind: str = "rma"
    ) -> tuple[RefundPart, ...]:
        """Gives money back to the captures it came from, once per (return, capture): the parts
        of one capture (several lines of one shipment, its delivery charge) are one refund, as
        the provider's key for it names the capture alone."""
        if self._stale():
            await self.ready()
        by_capture: dict[str, list[RefundPart]] = {}
        for part in plan:
            by_capture.setdefault(part.capture_id, []).append(part)
        refund_ids: dict[str, str] = {}
        for capture_id, parts in by_capture.items():
            record = order.payment(parts[0].payment_id)
            provider = self.payments.providers.for_method(record.method)
            refund = await provider.refund(
                f"{order.order_id}/{kind}/{return_id}/{capture_id}",
                capture_id=capture_id,
                amount=_money(sum(p.amount for p in parts), record.currency),
            )
            refund_ids[capture_id] = refund.refund_id
        return tuple(evolve(part, refund_id=refund_ids[part.capture_id]) for part in plan)

    async def grant_store_credit(self, order: Order, return_id: str, amount: int, *, kind: str = "rma", reason: str = "") -> None:
        if self._stale():
            await self.ready()
        await self.payments.store_credit.grant(
            f"{order.order_id}/{kind}/{return_id}/store-credit",
            customer_id=order.customer_id,
            amount=_money(amount, order.currency),
            reason=reason or f"return {return_id} of order {order.order_id}",
        )

    async def goodwill_credit_notes(self, order: Order, appeasement_id: str, refunds: tuple[RefundPart, ...]) -> tuple[str, ...]:
        """One credit note per invoice goodwill refunds money of, split over the invoice's tax
        rates in proportion to what it charged at each (a discount on the whole invoice)."""
        if self._stale():
            await self.ready()
        record = order.appeasement(appeasement_id)
        assert record is not None
        numbers = []
        for shipment in order.shipments:
            parts = [p for p in refunds if p.shipment_id == shipment.shipment_id]
            total = sum(p.amount for p in parts)
            if not total or not shipment.invoice_number:
                continue
            note = await self.payments.documents.write_credit_note(
                f"{order.order_id}/{GOODWILL}/{appeasement_id}/{shipment.shipment_id}",
                order_id=order.order_id,
                customer_id=order.customer_id,
                invoice_number=shipment.invoice_number,
                refunds=_references(order, parts, self.payments.providers),
                total=_money(total, order.currency),
                gross_by_rate=split_by_rate(_charged_by_rate(order, shipment), total),
                reason=f"goodwill: {record.reason}",
            )
            numbers.append(note.number)
        return tuple(numbers)

    async def credit_notes(
        self,
        order: Order,
        return_id: str,
        refunds: tuple[RefundPart, ...],
        store_credit_by_shipment: dict[str, dict[int, int]],
        *,
        kind: str = "rma",
        reason: str = "return",
    ) -> tuple[str, ...]:
        """One credit note per invoice the return touches: what was refunded or credited against it,
        by the tax rates of the lines it pays back. ``kind`` keys them (``UNREPAIRABLE``: for units
        found beyond repair, apart from the return's own)."""
        if self._stale():
            await self.ready()
        per_shipment: dict[str, list[RefundPart]] = {}
        for part in refunds:
            per_shipment.setdefault(part.shipment_id, []).append(part)
        numbers = []
        for shipment in order.shipments:
            parts = per_shipment.get(shipment.shipment_id, [])
            credit = store_credit_by_shipment.get(shipment.shipment_id, {})
            total = sum(p.amount for p in parts) + sum(credit.values())
            if not total or not shipment.invoice_number:
                continue
            gross_by_rate: dict[int, int] = {}
            for part in parts:
                rate = _rate(order, part.line_number, part.charge)
                gross_by_rate[rate] = gross_by_rate.get(rate, 0) + part.amount
            for line_number, amount in credit.items():
                rate = _rate(order, line_number, "")
                gross_by_rate[rate] = gross_by_rate.get(rate, 0) + amount
            references = _references(order, parts, self.payments.providers)
            note = await self.payments.documents.write_credit_note(
                f"{order.order_id}/{kind}/{return_id}/{shipment.shipment_id}",
                order_id=order.order_id,
                customer_id=order.customer_id,
                invoice_number=shipment.invoice_number,
                refunds=references,
                total=_money(total, order.currency),
                gross_by_rate=gross_by_rate,
                return_id=return_id,
                reason=reason,
            )
            numbers.append(note.number)
        return tuple(numbers)

    async def open_receivables(self, customer_ids: list[str]) -> dict[str, AccountPosition]:
        return await self.payments.receivables.positions(customer_ids)


def _references(order: Order, parts: list[RefundPart], providers: Any) -> tuple[RefundReference, ...]:
    """A credit note's refunds: one reference per refund (the parts of one capture are one)."""
    refunded: dict[tuple[str, str, str], int] = {}
    for p in parts:
        key = (p.payment_id, p.refund_id, p.capture_id)
        refunded[key] = refunded.get(key, 0) + p.amount
    return tuple(
        RefundReference(
            method=order.payment(payment_id).method,
            provider=providers.for_method(order.payment(payment_id).method).name,
            refund_id=refund_id,
            capture_id=capture_id,
            amount=_money(amount, order.currency),
        )
        for (payment_id, refund_id, capture_id), amount in refunded.items()
    )


def _charged_by_rate(order: Order, shipment: Shipment) -> dict[int, int]:
    """What a shipment's invoice charged at each tax rate (its lines, as ``_invoice_lines`` writes them)."""
    out: dict[int, int] = {}
    for line in _invoice_lines(order, shipment):
        out[line.tax_rate_bps] = out.get(line.tax_rate_bps, 0) + line.line_total.amount_minor
    return out


def _rate(order: Order, line_number: int, charge: str) -> int:
    """The tax rate of money given back for a line or a charge (0: a part from before lines were kept)."""
    if charge == SHIPPING_CHARGE and order.shipping is not None:
        return order.shipping.tax_rate_bps
    return order.line(line_number).tax_rate_bps if line_number else 0


def _invoice_lines(order: Order, shipment: Shipment) -> tuple[DocumentLine, ...]:
    """What a shipment carried, and the order's shipping charge if it is the shipment that carries it."""
    lines = [
        DocumentLine.of(
            sku=order.line(s.line_number).sku,
            quantity=s.quantity,
            unit_price=order.line(s.line_number).unit_price,
            tax_rate_bps=order.line(s.line_number).tax_rate_bps,
        )
        for s in shipment.lines
    ]
    if shipment.shipping and order.shipping is not None:
        lines.append(
            DocumentLine.of(
                sku="", quantity=1, unit_price=_money(shipment.shipping, order.currency),
                tax_rate_bps=order.shipping.tax_rate_bps, charge=SHIPPING_CHARGE,
            )  # fmt: skip
        )
    return tuple(lines)


class SimulatorControlledFlow(ProviderPaymentFlow):
    """The standard providers, with the simulated card acquirer's behaviour read from Redis.

    ``oms:net:card-sim`` (JSON of ``SimulatedCardConfig`` fields) lets a demo or a
    fault test change latency, declines and timeouts while the service runs;
    absent, the OMS_CARD_SIM_* environment applies.
    """

    def __init__(self, client: Any) -> None:
        self.client = client
        self._raw: bytes | None = None
        self._checked = float("-inf")
        super().__init__(self._build(None))

    def _stale(self) -> bool:
        return time.monotonic() - self._checked >= SIM_CONFIG_TTL_S

    def _build(self, raw: bytes | None) -> Payments:
        config = card_config_from_env()
        if raw:
            fields = json.loads(raw)
            config = dataclasses.replace(config, **fields)
        return build_payments(self.client, config=PaymentsConfig(card=config))

    async def ready(self) -> None:
        self._checked = time.monotonic()
        raw = await self.client.get(keys.CARD_SIMULATOR)
        if raw != self._raw:
            self.payments = self._build(raw)
            self._raw = raw


def card_config_from_env() -> SimulatedCardConfig:
    """The simulated card acquirer's behaviour, for demos and load runs (OMS_CARD_SIM_*)."""

    def num(name: str, default: float) -> float:
        return float(os.environ.get(f"OMS_CARD_SIM_{name}", default))

    return SimulatedCardConfig(
        latency_ms=num("LATENCY_MS", 0.0),
        jitter_ms=num("JITTER_MS", 0.0),
        decline_rate=num("DECLINE_RATE", 0.0),
        timeout_rate=num("TIMEOUT_RATE", 0.0),
        seed=int(num("SEED", 0)),
    )


def build_payment_flow(client: Any) -> PaymentFlow:
    return SimulatorControlledFlow(client)
