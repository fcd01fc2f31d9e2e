"""Events: what changed between two versions of an order, as facts others can follow. Pure.

The store writes them in the same transaction as the new version, so an event
exists exactly when its change is durable: never before, never twice.
"""

from __future__ import annotations

from collections.abc import Iterator

import msgspec

from oms_actors.domain.inbound import PROMISE_SEP, split_site
from oms_actors.domain.order import Order, OrderLine


class OrderEvent(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    type: str
    order_id: str
    customer_id: str
    channel: str
    order_version: int
    at_ms: int
    data: dict[str, str] = msgspec.field(default_factory=dict)


def order_events(old: Order | None, new: Order) -> list[OrderEvent]:
    events: list[tuple[str, dict[str, str]]] = []
    if old is None:
        created = {"status": new.status.value, "total": str(new.total.amount_minor)}
        if new.ship_complete:
            created["ship_complete"] = "true"  # a warehouse system following the stream plans one parcel
        if new.deliver_from:
            created["deliver_from"] = new.deliver_from  # not before: what it was scheduled for
        events.append(("order.created", created))
    else:
        if old.status != new.status:
            events.append(("order.status_changed", {"from": old.status.value, "to": new.status.value}))
        if old.approval.status != new.approval.status:
            events.append(
                (
                    "order.approval_changed",
                    {"to": new.approval.status.value, "by": new.approval.decided_by, "reasons": "; ".join(new.approval.reasons)},
                )
            )
        if sum(line.cancelled for line in new.lines) > sum(line.cancelled for line in old.lines):
            events.append(("order.cancelled", {"reason": new.cancel_reason}))
        if old.ship_to != new.ship_to and new.ship_to is not None and new.erased_at_ms == old.erased_at_ms:
            # Where to, not who or the street: the stream is read more widely than the order.
            to = new.ship_to
            events.append(("order.ship_to_changed", {"city": to.city, "postal_code": to.postal_code, "country_code": to.country_code}))
    _promises(old, new, events)
    promised_on = new.promised_on
    if promised_on is not None and (old is None or old.promised_on != promised_on):
        # The day to tell the customer (a confirmation, a changed date once a backorder is planned).
        events.append(("order.delivery_promised", {"promised_on": promised_on}))
    _at_risk(old, new, events)
    _payments(old, new, events)
    _receipts(old, new, events)
    _overdue(old, new, events)
    _shortages(old, new, events)
    _shipments(old, new, events)
    _returns(old, new, events)
    _appeasements(old, new, events)
    if old is not None and new.erased_at_ms and not old.erased_at_ms:
        events.append(("order.personal_data_erased", {}))
    if old is not None and len(new.notes) > len(old.notes):
        # That there is a note, not what it says: the stream is read more widely than the order.
        for note in new.notes[len(old.notes) :]:
            events.append(("order.note_added", {"note_id": note.note_id, "internal": str(note.internal).lower(), "by": note.by}))
    return [
        OrderEvent(
            type=kind,
            order_id=new.order_id,
            customer_id=new.customer_id,
            channel=new.channel.value,
            order_version=new.version,
            at_ms=new.updated_at_ms,
            data=data,
        )
        for kind, data in events
    ]


def _promised(line: OrderLine) -> tuple[tuple[str, int], ...]:
    return tuple(sorted((a.location_id, a.quantity) for a in line.allocations if PROMISE_SEP in a.location_id))


def _changed_lines(old: Order | None, new: Order) -> Iterator[tuple[OrderLine | None, OrderLine]]:
    """(the line as it was, or None for a new order, and as it is) for each line the change
    touched: an untouched line is the same object in both versions."""
    for line in new.lines:
        was = old.lines[line.line_number - 1] if old is not None and line.line_number <= len(old.lines) else None
        if was is not line:
            yield was, line


def _promises(old: Order | None, new: Order, events: list[tuple[str, dict[str, str]]]) -> None:
    """A line promised units of supply on its way, or whose promise moved or ended (kept when the
    supply arrived, given up when it was cut, or shipped from stock that came first): what a
    customer is told about its delivery date follows these."""
    for was, line in _changed_lines(old, new):
        now = _promised(line)
        if now == (_promised(was) if was is not None else ()):
            continue
        days = sorted({split_site(site)[1] for site, _ in now})
        events.append(
            (
                "line.promise_changed",
                {
                    "line_number": str(line.line_number),
                    "sku": line.sku,
                    "promised": str(sum(q for _, q in now)),
                    "expected_on": days[-1] if days else "",  # the day the last promised unit is due
                    "from": ", ".join(f"{split_site(site)[0]} {split_site(site)[1]}: {q}" for site, q in now),
                },
            )
        )


def _at_risk(old: Order | None, new: Order, events: list[tuple[str, dict[str, str]]]) -> None:
    """A promised line sourced again so that it arrives after its promise, or waits with no date
    (a shortage, a cancelled purchase order): whom service tells of a late delivery."""
    for was, line in _changed_lines(old, new):
        if not line.delivery_at_risk:
            continue
        if was is not None and was.delivery_at_risk and was.estimated_on == line.estimated_on:
            continue
        events.append(
            (
                "line.delivery_at_risk",
                {
                    "line_number": str(line.line_number),
                    "sku": line.sku,
                    "promised_on": line.promised_on or "",
                    "estimated_on": line.estimated_on or "",  # empty: waits for stock with no date
                },
            )
        )


def _payments(old: Order | None, new: Order, events: list[tuple[str, dict[str, str]]]) -> None:
    before = {p.payment_id: p for p in old.payment_records} if old else {}
    for p in new.payment_records:
        was = before.get(p.payment_id)
        base = {"payment_id": p.payment_id, "method": p.method.value}
        if p.authorization_id and (was is None or was.authorization_id != p.authorization_id):
            events.append(("payment.authorized", {**base, "amount": str(p.authorized)}))
        if p.declined_reason and (was is None or was.declined_reason != p.declined_reason or was.attempts != p.attempts):
            events.append(("payment.declined", {**base, "reason": p.declined_reason}))
        if was is not None and p.captured > was.captured:
            events.append(("payment.captured", {**base, "amount": str(p.captured - was.captured)}))
        if p.voided and (was is None or not was.voided):
            events.append(("payment.voided", {**base, "released": str(p.authorized - p.captured)}))
        if was is not None and p.refunded > was.refunded:
            events.append(("payment.refunded", {**base, "amount": str(p.refunded - was.refunded)}))


def _receipts(old: Order | None, new: Order, events: list[tuple[str, dict[str, str]]]) -> None:
    """Money received on account against an invoice of the order."""
    seen = {r.receipt_id for r in old.receipts} if old else set()
    for r in new.receipts:
        if r.receipt_id not in seen:
            events.append(
                (
                    "payment.received",
                    {"receipt_id": r.receipt_id, "invoice_number": r.invoice_number, "amount": str(r.amount.amount_minor)},
                )
            )


def _overdue(old: Order | None, new: Order, events: list[tuple[str, dict[str, str]]]) -> None:
    """An invoice of the order went past its due date unpaid: what dunning follows."""
    seen = {n.invoice_number for n in old.overdue} if old else set()
    for n in new.overdue:
        if n.invoice_number not in seen:
            events.append(
                (
                    "invoice.overdue",
                    {"invoice_number": n.invoice_number, "due_at_ms": str(n.due_at_ms), "open": str(n.open.amount_minor)},
                )
            )


def _shortages(old: Order | None, new: Order, events: list[tuple[str, dict[str, str]]]) -> None:
    """A location could not ship units it was asked to: they are sourced again."""
    seen = {s.shortage_id for s in old.shortages} if old else set()
    for s in new.shortages:
        if s.shortage_id not in seen:
            events.append(
                (
                    "fulfilment.shortage",
                    {
                        "shortage_id": s.shortage_id,
                        "location_id": s.location_id,
                        "reason": s.reason.value,
                        "units": str(sum(line.quantity for line in s.lines)),
                    },
                )
            )


def _shipments(old: Order | None, new: Order, events: list[tuple[str, dict[str, str]]]) -> None:
    before = {s.shipment_id: s for s in old.shipments} if old else {}
    for s in new.shipments:
        was = before.get(s.shipment_id)
        base = {"shipment_id": s.shipment_id, "location_id": s.location_id}
        if was is None:
            shipped = {**base, "carrier": s.carrier, "tracking": s.tracking, "value": str(s.value)}
            if s.shipping_service:  # a carrier's next-day product, say: what a carrier integration books
                shipped["shipping_service"] = s.shipping_service
            events.append(("shipment.shipped", shipped))
        if s.invoice_number and (was is None or not was.invoice_number):
            events.append(("invoice.issued", {**base, "invoice_number": s.invoice_number, "amount": str(s.value)}))
        if s.status.value == "delivered" and (was is None or was.status != s.status):
            events.append(("shipment.delivered", base))
        if s.returned_at_ms and (was is None or not was.returned_at_ms):  # came back undelivered, or lost
            if s.status.value == "lost":
                events.append(("shipment.lost", {**base, "reason": s.undelivered_reason}))
            else:
                events.append(("shipment.returned", {**base, "reason": s.undelivered_reason}))
        if s.estimated_delivery and (was is None or was.estimated_delivery != s.estimated_delivery):
            events.append(
                ("shipment.estimate_changed", {**base, "estimated_delivery": s.estimated_delivery, "reason": s.estimate_reason})
            )


def _appeasements(old: Order | None, new: Order, events: list[tuple[str, dict[str, str]]]) -> None:
    before = {a.appeasement_id: a for a in old.appeasements} if old else {}
    for a in new.appeasements:
        was = before.get(a.appeasement_id)
        base = {"goodwill_id": a.appeasement_id, "amount": str(a.amount), "resolution": a.resolution.value}
        if was is None:
            events.append(("goodwill.granted", base))
        if a.resolved and (was is None or not was.resolved):
            events.append(("goodwill.paid", {**base, "credit_notes": ",".join(a.credit_notes)}))


def _returns(old: Order | None, new: Order, events: list[tuple[str, dict[str, str]]]) -> None:
    before = {r.return_id: r for r in old.returns} if old else {}
    for r in new.returns:
        was = before.get(r.return_id)
        data = {"return_id": r.return_id, "location_id": r.location_id}
        if r.replacement_order_id:  # the order that sends the replacement or exchanged items
            data["replacement_order_id"] = r.replacement_order_id
        if was is None and r.shipment_id:
            # A parcel that came back undelivered: received where it came back (a lost one
            # comes back nowhere: shipment.lost tells of it, return.resolved of its resolution).
            if r.location_id:
                events.append(("return.received", {**data, "shipment_id": r.shipment_id, "reason": r.undelivered_reason}))
        elif was is None:
            events.append(("return.authorized", data))
            if r.kept:  # resolved as asked: nothing to bring back
                events.append(("return.kept", data))
        elif was.status != r.status:
            events.append((f"return.{r.status.value}", data))
        elif r.resolved and not was.resolved:  # resolved on receipt: money and items out before inspection
            events.append(("return.resolved_on_receipt", data))
        if r.sent_at_ms and (was is None or was.sent_at_ms != r.sent_at_ms):
            events.append(("return.in_transit", {**data, "carrier": r.inbound_carrier, "tracking": r.inbound_tracking}))
        if r.repaired_at_ms and (was is None or not was.repaired_at_ms):
            events.append(("return.repaired", {**data, "carrier": r.repair_carrier, "tracking": r.repair_tracking}))
        if r.unrepairable_at_ms and (was is None or not was.unrepairable_at_ms):
            events.append(("return.unrepairable", {**data, "resolution": r.unrepairable}))
        if r.unrepairable_resolved_at_ms and (was is None or not was.unrepairable_resolved_at_ms):
            made = {**data, "resolution": r.unrepairable}
            if r.repair_replacement_order_id:
                made["repair_replacement_order_id"] = r.repair_replacement_order_id
            events.append(("return.made_good", made))
        # New ones only: units found beyond repair add notes to those of the return's resolution.
        issued = set(was.credit_notes) if was is not None else set()
        for number in r.credit_notes:
            if number not in issued:
                events.append(("credit_note.issued", {"return_id": r.return_id, "credit_note": number}))
