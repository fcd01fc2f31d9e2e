"""The report's figures, computed once from what the run recorded, as plain JSON (``summary.json``).

``oms compare`` and the HTML page read the same dictionary, so a figure has one
definition. Money is in minor units of the scenario's currency; rates are shares
within 0..1; latencies in milliseconds.
"""

from __future__ import annotations

import collections
from collections.abc import Sequence
from typing import Any

import numpy as np

from benchmarks.ceilings import Ceiling
from benchmarks.clients import Outcome
from benchmarks.demand import CHANNEL_NAMES, Day
from benchmarks.lifecycle import STATUS, DayAfter
from benchmarks.policies import PolicyResult
from benchmarks.scenario import HOURS, Scenario
from oms_actors.domain.tax import breakdown
from protos.oms.v1 import orders_pb2

METHOD = {v: orders_pb2.PaymentMethod.Name(v).removeprefix("PAYMENT_METHOD_").lower() for v in orders_pb2.PaymentMethod.values()}
RESOLUTION = {v: orders_pb2.ReturnResolution.Name(v).removeprefix("RETURN_RESOLUTION_").lower() for v in orders_pb2.ReturnResolution.values()}
WAIT = {v: orders_pb2.ReleaseWait.Name(v).removeprefix("RELEASE_WAIT_").lower() for v in orders_pb2.ReleaseWait.values()}
# Statuses in which an order may still have units no location was sent.
NOT_DONE = {
    orders_pb2.ORDER_STATUS_ACCEPTED, orders_pb2.ORDER_STATUS_ON_HOLD, orders_pb2.ORDER_STATUS_ALLOCATED,
    orders_pb2.ORDER_STATUS_PARTLY_BACKORDERED, orders_pb2.ORDER_STATUS_BACKORDERED, orders_pb2.ORDER_STATUS_RELEASED,
    orders_pb2.ORDER_STATUS_PARTLY_SHIPPED,
}  # fmt: skip
REASON = {v: orders_pb2.ReturnReason.Name(v).removeprefix("RETURN_REASON_").lower() for v in orders_pb2.ReturnReason.values()}
RETURN_STATUS = {v: orders_pb2.ReturnStatus.Name(v).removeprefix("RETURN_STATUS_").lower() for v in orders_pb2.ReturnStatus.values()}


def _share(part: float, whole: float) -> float:
    return part / whole if whole else 0.0


def _latency(seconds: Sequence[float] | np.ndarray) -> dict[str, float]:
    a = np.asarray(seconds, dtype=float) * 1000
    if len(a) == 0:
        return {"p50": 0.0, "p90": 0.0, "p99": 0.0, "max": 0.0, "mean": 0.0}
    p50, p90, p99 = np.percentile(a, [50, 90, 99])
    return {"p50": float(p50), "p90": float(p90), "p99": float(p99), "max": float(a.max()), "mean": float(a.mean())}


def capture(outcomes: Sequence[Outcome], wall_s: float) -> dict[str, Any]:
    ok = [o for o in outcomes if o.code == "OK"]
    new = [o for o in ok if not o.replayed]
    rejected = collections.Counter(o.code for o in outcomes if o.code != "OK")
    return {
        "sent": len(outcomes),
        "accepted": len(new),  # orders created by this run
        "replayed": len(ok) - len(new),  # retries answered with the order an earlier request created
        "rejected": sum(rejected.values()),
        "rejected_by_code": dict(rejected),
        "wall_s": wall_s,
        "orders_per_s": _share(len(outcomes), wall_s),  # every CreateOrder answered, per second
        "accepted_per_s": _share(len(new), wall_s),
        "latency_ms": _latency([o.latency_s for o in outcomes]),
    }


def sourcing(new: Sequence[Outcome]) -> dict[str, Any]:
    """The service's sourcing decisions at capture, over the orders this run created."""
    n = len(new)
    units = sum(o.units for o in new)
    allocated = sum(o.allocated for o in new)
    return {
        "orders": n,
        "status_at_capture": dict(collections.Counter(STATUS.get(o.status, str(o.status)) for o in new)),
        "units": units,
        "units_allocated": allocated,
        "fill_rate": _share(allocated, units),
        "backorders": sum(1 for o in new if o.allocated < o.units),  # orders with a unit waiting for stock
        "backordered_units": units - allocated,
        # Of those, units promised from supply on its way (with a date), and the orders holding such a promise.
        "units_promised": sum(o.promised for o in new),
        "orders_promised": sum(1 for o in new if o.promised),
        "split_rate": _share(sum(1 for o in new if o.shipments > 1), n),
        "shipments_per_order": _share(sum(o.shipments for o in new), n),
        "proven_optimal_share": _share(sum(1 for o in new if o.optimal), n),
        "fulfilment_cost_per_order": _share(sum(o.unit_cost + o.shipment_cost for o in new), n),
        "total_cost_per_order": _share(sum(o.cost for o in new), n),
        "unfilled_cost_per_order": _share(sum(o.unfilled_cost for o in new), n),
        "greedy_cost_per_order_reported": _share(sum(o.greedy_cost for o in new), n),
        # What customers were told at checkout: the share of orders given a delivery day, and
        # how many days after the day they were placed (a closed warehouse lengthens them; those
        # for a later day apart, as their day is the customer's).
        "delivery_promised_share": _share(sum(1 for o in new if o.delivery_days >= 0), n),
        "promised_delivery_days": _days([o.delivery_days for o in new if o.delivery_days >= 0 and o.asked_from_days < 0]),
        # Orders that asked for a day (express): how many were promised it, and what sourcing
        # priced the days late at (a what-if on RoutingRules.late_delivery_unit_cost_minor).
        "express": {
            "orders": len(asked := [o for o in new if o.asked_days >= 0]),
            "promised_by_the_day_share": _share(sum(1 for o in asked if 0 <= o.delivery_days <= o.asked_days), len(asked)),
            "late_cost_per_order": _share(sum(o.late_cost for o in asked), len(asked)),
        },
        # Orders that asked for a carrier service (next day): how many were told a day, how
        # far away, and how many wait for stock where the service is offered.
        "carrier_service": {
            "orders": len(served := [o for o in new if o.service]),
            "delivery_promised_share": _share(sum(1 for o in served if o.delivery_days >= 0), len(served)),
            "promised_delivery_days": _days([o.delivery_days for o in served if o.delivery_days >= 0 and o.asked_from_days < 0]),
            "backorders": sum(1 for o in served if o.allocated < o.units),
        },
    }


def _days(days: Sequence[int]) -> dict[str, float]:
    a = np.asarray(days, dtype=float)
    if len(a) == 0:
        return {"p50": 0.0, "p90": 0.0, "max": 0.0, "mean": 0.0}
    p50, p90 = np.percentile(a, [50, 90])
    return {"p50": float(p50), "p90": float(p90), "max": float(a.max()), "mean": float(a.mean())}


def policy_rows(new: Sequence[Outcome], offline: Sequence[PolicyResult]) -> list[dict[str, Any]]:
    n = len(new) or 1
    units = sum(o.units for o in new)
    live = {
        "policy": "service (live)",
        "orders": len(new),
        "fill_rate": _share(sum(o.allocated for o in new), units),
        "promise_rate": _share(sum(o.promised for o in new), units),
        "fulfilment_cost_per_order": sum(o.unit_cost + o.shipment_cost for o in new) / n,
        "total_cost_per_order": sum(o.cost for o in new) / n,
        "unit_cost_per_order": sum(o.unit_cost for o in new) / n,
        "shipment_cost_per_order": sum(o.shipment_cost for o in new) / n,
        "unfilled_cost_per_order": sum(o.unfilled_cost for o in new) / n,
        "shipments_per_order": sum(o.shipments for o in new) / n,
        "split_rate": sum(1 for o in new if o.shipments > 1) / n,
        "backordered_orders": sum(1 for o in new if o.allocated < o.units),
        "proven_optimal_share": sum(1 for o in new if o.optimal) / n,
    }
    rows = [live, *(p.to_dict() for p in offline)]
    for row in rows:
        row.pop("by_location", None)
    return rows


def versus(rows: Sequence[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """How much cheaper the service and the offline optimum are than the rule-based policies
    (negative: cheaper), on fulfilment cost and on the total with the backorder penalty."""
    by = {r["policy"]: r for r in rows}
    out: dict[str, dict[str, float]] = {}
    for mine in ("service (live)", "optimal"):
        for other in ("greedy", "single-first"):
            if mine in by and other in by:
                for cost in ("fulfilment_cost_per_order", "total_cost_per_order"):
                    base = by[other][cost]
                    out.setdefault(f"{mine} vs {other}", {})[cost] = (by[mine][cost] / base - 1) if base else 0.0
    return out


def timeline(outcomes: Sequence[Outcome], *, buckets: int = 60) -> dict[str, list[float]]:
    """Answers per second and latency percentiles over the capture, in equal time buckets."""
    if not outcomes:
        return {"t_s": [], "orders_per_s": [], "p50_ms": [], "p90_ms": [], "p99_ms": []}
    sent = np.array([o.sent_s for o in outcomes])
    done = sent + np.array([o.latency_s for o in outcomes])
    lat = np.array([o.latency_s for o in outcomes]) * 1000
    t0, t1 = float(sent.min()), float(done.max())
    width = max((t1 - t0) / buckets, 0.1)
    edges = np.arange(t0, t1 + width, width)
    answered, _ = np.histogram(done, bins=edges)
    which = np.clip(np.digitize(sent, edges) - 1, 0, len(edges) - 2)
    p50, p90, p99 = [], [], []
    for b in range(len(edges) - 1):
        x = lat[which == b]
        q = np.percentile(x, [50, 90, 99]) if len(x) else [np.nan] * 3
        p50.append(float(q[0]))
        p90.append(float(q[1]))
        p99.append(float(q[2]))
    return {
        "t_s": [float(e - t0) for e in edges[:-1]],
        "width_s": width,
        "orders_per_s": [float(a / width) for a in answered],
        "p50_ms": p50,
        "p90_ms": p90,
        "p99_ms": p99,
    }


def by_hour(day: Day, new: Sequence[Outcome]) -> list[dict[str, Any]]:
    hours = day.hour_of()
    groups: dict[int, list[Outcome]] = collections.defaultdict(list)
    for o in new:
        groups[int(hours[o.index])].append(o)
    rows = []
    for h in range(HOURS):
        g = groups.get(h, [])
        units = sum(o.units for o in g)
        rows.append(
            {
                "hour": h,
                "orders": len(g),
                "fill_rate": _share(sum(o.allocated for o in g), units),
                "split_rate": _share(sum(1 for o in g if o.shipments > 1), len(g)),
                "fulfilment_cost_per_order": _share(sum(o.unit_cost + o.shipment_cost for o in g), len(g)),
            }
        )
    return rows


def demand_by_hour(day: Day) -> dict[str, list[int]]:
    """Orders per hour by channel as sent (retries counted once)."""
    from benchmarks.demand import unique_requests

    hours = day.hour_of()
    out: dict[str, list[int]] = {}
    for i in unique_requests(day.requests):
        channel = CHANNEL_NAMES.get(day.requests[i].channel, "?")
        out.setdefault(channel, [0] * HOURS)[int(hours[i])] += 1
    return out


def by_channel(day: Day, new: Sequence[Outcome], after: DayAfter | None) -> list[dict[str, Any]]:
    groups: dict[str, list[Outcome]] = collections.defaultdict(list)
    for o in new:
        groups[CHANNEL_NAMES.get(day.requests[o.index].channel, "?")].append(o)
    held_ids = set(after.held) if after else set()
    rows = []
    for channel, g in sorted(groups.items()):
        units = sum(o.units for o in g)
        rows.append(
            {
                "channel": channel,
                "orders": len(g),
                "fill_rate": _share(sum(o.allocated for o in g), units),
                "split_rate": _share(sum(1 for o in g if o.shipments > 1), len(g)),
                "fulfilment_cost_per_order": _share(sum(o.unit_cost + o.shipment_cost for o in g), len(g)),
                "held": sum(1 for o in g if o.order_id in held_ids),
                "latency_p50_ms": _latency([o.latency_s for o in g])["p50"],
            }
        )
    return rows


def locations(s: Scenario, new: Sequence[Outcome], after: DayAfter | None, offline: Sequence[PolicyResult]) -> list[dict[str, Any]]:
    allocated: dict[str, int] = collections.Counter()
    for o in new:
        for lid, q in o.allocations:
            allocated[lid] += q
    shipped: dict[str, int] = collections.Counter()
    if after:
        for _, _, lid, units in after.shipments:
            shipped[lid] += units
    rows = []
    for lid, loc in s.network.locations.items():
        cap = loc.capacity_units_per_day
        row = {
            "location": lid,
            "type": loc.type,
            "active": loc.active,
            "capacity_units_per_day": cap,
            "allocated_units": allocated.get(lid, 0),
            "shipped_units": shipped.get(lid, 0),
            "capacity_backlog_units": after.capacity_backlog.get(lid, 0) if after else 0,
            "load": _share(allocated.get(lid, 0), cap) if cap else None,  # allocated / capacity: above 1 cannot ship today
        }
        for p in offline:
            row[f"{p.policy}_units"] = p.by_location.get(lid, 0)
        rows.append(row)
    return rows


def lifecycle(after: DayAfter) -> dict[str, Any]:
    final = list(after.final.values())
    statuses = collections.Counter(STATUS.get(o.status, str(o.status)) for o in final)
    reasons: collections.Counter = collections.Counter()
    for o in after.held.values():
        for r in o.approval.reasons:
            reasons[_reason_kind(r)] += 1
    risk_rejected = sum(
        1 for o in final if o.approval.status == orders_pb2.APPROVAL_STATUS_REJECTED and o.approval.decided_by == "risk-rules"
    )
    shipments = [s for o in final for s in o.shipments]
    returns = [r for o in final for r in o.returns if not r.shipment_id]  # customers' (not parcels back undelivered)
    done = (
        orders_pb2.ORDER_STATUS_SHIPPED, orders_pb2.ORDER_STATUS_DELIVERED, orders_pb2.ORDER_STATUS_UNDELIVERED,
        orders_pb2.ORDER_STATUS_CLOSED,
    )  # fmt: skip
    shorted_shipped = [
        (o, at) for order_id, at in after.shortages.items() if (o := after.final.get(order_id)) is not None and o.status in done
    ]
    declined_shipped = [
        (o, at) for order_id, at in after.declines.items() if (o := after.final.get(order_id)) is not None and o.status in done
    ]
    resolutions = collections.Counter(RESOLUTION.get(line.resolution, "?") for r in returns for line in r.lines)
    fees = _restocking_fees(final)
    return {
        "orders": len(final),
        "final_status": dict(statuses),
        "unsettled": after.unsettled,
        "held": len(after.held),
        "hold_reasons": dict(reasons.most_common()),
        "approved_in_review": after.approved,
        "rejected_in_review": after.rejected_in_review,
        "cards_replaced": after.cards_replaced,
        "notes": after.notes,
        "reduced": after.reduced,
        "rejected_by_risk_rules": risk_rejected,
        "shipments": len(shipments),
        "units_shipped": sum(line.quantity for s in shipments for line in s.lines),
        "shipments_per_shipped_order": _share(len(shipments), sum(1 for o in final if o.shipments)),
        "delivered_shipments": sum(1 for s in shipments if s.status == orders_pb2.SHIPMENT_STATUS_DELIVERED),
        # Parcels back undelivered or lost (ReportDeliveryFailure) as reported, as the orders
        # ended, those lost (nothing to inspect), and those the desks found on their lists and inspected.
        "undelivered_reported": after.undelivered,
        "undelivered_shipments": sum(
            1 for s in shipments if s.status in (orders_pb2.SHIPMENT_STATUS_RETURNED, orders_pb2.SHIPMENT_STATUS_LOST)
        ),
        "undelivered_lost": sum(1 for s in shipments if s.status == orders_pb2.SHIPMENT_STATUS_LOST),
        "undelivered_inspected": after.undelivered_inspected,
        "capacity_backlog_units": sum(after.capacity_backlog.values()),
        "invoices": sum(1 for s in shipments if s.invoice_number),
        "invoices_paid": after.invoices_paid,  # on account, recorded against the invoice (collect phase)
        # Reported short at picking (ReportShortage); of those orders, how many then shipped
        # every unit, and how many of them without the location that reported (it may have
        # had more of the SKU than the units it could not find).
        "shortages": len(after.shortages),
        "shortages_shipped": len(shorted_shipped),
        "shortages_shipped_elsewhere": sum(1 for o, at in shorted_shipped if all(s.location_id != at for s in o.shipments)),
        # Declined by a store (ReportShortage, declined): how many orders then shipped everything, and
        # how many shipments left the store that declined after it did (the service sends it nothing more).
        "declines": len(after.declines),
        "declines_shipped": sum(1 for o, _ in declined_shipped),
        "declines_shipped_there_after": sum(
            1 for order_id, at in after.declines.items() if (o := after.final.get(order_id)) is not None
            for s in o.shipments if s.location_id == at and s.shipped_at.ToMilliseconds() > _declined_at(o, at)
        ),  # fmt: skip
        # Orders asked to go in one parcel (ship_complete): those shipped, in how many parcels, and
        # any sent in more than one (must be 0: the service releases them whole, locations send them whole).
        "ship_complete": {
            "orders": len(together := [o for o in final if o.ship_complete]),
            "shipped": sum(1 for o in together if o.status in done),
            "shipments": sum(len(o.shipments) for o in together),
            "split": sum(1 for o in together if len(o.shipments) > 1),
        },
        # Orders for a later day (deliver_from): still waiting for it (reserved, released to no
        # location), released already (their units had to leave today to arrive then), and how
        # many of them were promised that very day (the rest: later, as no location could make it).
        "scheduled": {
            "orders": len(later := [o for o in final if o.HasField("deliver_from")]),
            "waiting": sum(1 for o in later if o.scheduled),
            "waiting_released_anywhere": sum(1 for o in later if o.scheduled and any(line.released for line in o.lines)),
            "released": sum(1 for o in later if not o.scheduled),
            "promised_the_day_asked": sum(
                1 for o in later if o.HasField("promised_delivery") and o.promised_delivery.seconds == o.deliver_from.seconds
            ),
            "promised_later": sum(
                1 for o in later if o.HasField("promised_delivery") and o.promised_delivery.seconds > o.deliver_from.seconds
            ),
            "promised_earlier": sum(
                1 for o in later if o.HasField("promised_delivery") and o.promised_delivery.seconds < o.deliver_from.seconds
            ),
        },
        # Open orders with units no location was sent, by each reason they wait for (an order may
        # give several); those with none and no step pending would be stuck (must be 0).
        "waiting_by_reason": dict(collections.Counter(WAIT[w] for o in final for w in o.release_waits_for).most_common()),
        "waiting_without_reason": sum(
            1 for o in final
            if o.status in NOT_DONE and not o.release_waits_for and not o.pending_steps
            and any(sum(r.quantity for r in line.released) < line.quantity - line.cancelled_quantity for line in o.lines)
        ),  # fmt: skip
        "returns_requested": after.returns_requested,
        "returns_refused": after.returns_refused,
        "returns_listed": after.returns_listed,
        "returns_kept": after.returns_kept,
        "repairs_returned": after.repairs_returned,
        "repairs_unrepairable": after.repairs_unrepairable,
        # Returns whose repair units came in and were inspected: each should have gone back.
        "repairs_due": sum(
            1 for r in returns
            if r.status in (orders_pb2.RETURN_STATUS_INSPECTED, orders_pb2.RETURN_STATUS_RESOLVED)
            and any(line.resolution == orders_pb2.RETURN_RESOLUTION_REPAIR and line.received for line in r.lines)
        ),  # fmt: skip
        "returns_cancelled": after.returns_cancelled,
        "exchanges_sold_out": after.exchanges_sold_out,
        # Deductions the desks kept for worn units, as they asked and as the orders ended.
        "worn_lines": after.worn_lines,
        "worn_deducted_minor": after.worn_deducted_minor,
        "deducted_lines": sum(1 for r in returns for line in r.lines if line.deducted.amount_minor),
        "deducted_minor": sum(line.deducted.amount_minor for r in returns for line in r.lines),
        # Restocking fees the return policy charged (lines asked for with one, what they kept of the
        # units received), and lines whose fee or refund is not what their price and the fee make.
        **fees,
        "returns_by_status": dict(collections.Counter(RETURN_STATUS.get(r.status, "?") for r in returns)),
        "returns_by_resolution": dict(resolutions),
        "returns_by_reason": dict(collections.Counter(REASON.get(line.reason_code, "?") for r in returns for line in r.lines)),
        "units_restocked": sum(line.restocked for r in returns for line in r.lines),
        "units_written_off": sum(line.written_off for r in returns for line in r.lines),
        "replacement_orders": sum(1 for r in returns if r.replacement_order_id),
        "credit_notes": sum(len(r.credit_notes) for r in returns),
        "goodwill": after.goodwill,
        "goodwill_minor": after.goodwill_minor,
        "refunded_minor": sum(r.refunded.amount_minor for r in returns),
        "store_credit_minor": sum(r.store_credit.amount_minor for r in returns),
        "events": after.events,
        "events_total": sum(after.events.values()),
        "customer_360s": after.customer_360s,
        "status_counts": after.status_counts,
        "status_index_differences": len(after.status_index_differences),
        "returns_report_units": after.returns_report_units,
        "returns_report_differences": len(after.returns_report_differences),
        "returns_report_examples": {k: list(v) for k, v in after.returns_report_differences.items()},
        "delivery_report": after.delivery_report,
        "delivery_report_differences": len(after.delivery_report_differences),
        "delivery_report_examples": {k: [list(x) for x in v] for k, v in list(after.delivery_report_differences.items())[:10]},
        "status_index_examples": {k: list(v) for k, v in after.status_index_differences.items()},
        "recall": after.recall,
        "late": after.late,
        "histories_read": after.histories_read,
        "history_differences": len(after.history_differences),
        "history_examples": dict(list(after.history_differences.items())[:10]),
        "stock_audit": after.audit,
        "phases_s": after.phase_s,
        # Shipments (deliveries) confirmed per second of the phase that confirms them.
        "shipments_per_s": _per_second(after, "fulfil"),
        "deliveries_per_s": _per_second(after, "deliver"),
    }


def _declined_at(order: orders_pb2.Order, location_id: str) -> int:
    """When ``location_id`` first declined part of the order (ms; 0: never)."""
    return min(
        (s.reported_at.ToMilliseconds() for s in order.shortages if s.location_id == location_id and s.reason == "declined"),
        default=0,
    )


def _restocking_fees(final: list[orders_pb2.Order]) -> dict[str, Any]:
    lines, kept, wrong = 0, 0, []
    for o in final:
        for r in o.returns:
            for line in r.lines:
                if not line.restocking_fee_bps:
                    continue
                lines += 1
                kept += line.restocking_fee.amount_minor
                price = o.lines[line.line_number - 1].unit_price.amount_minor * line.received
                fee = (price * line.restocking_fee_bps + 5_000) // 10_000  # half up, as ReturnLine.restocking_fee
                net = price - fee - line.deducted.amount_minor
                if line.restocking_fee.amount_minor != fee or line.refunded.amount_minor > net:
                    wrong.append(f"{o.order_id} {r.return_id} line {line.line_number}")
    return {
        "restocking_fee_lines": lines,
        "restocking_fees_minor": kept,
        "restocking_fee_differences": len(wrong),
        "restocking_fee_examples": wrong[:10],
    }


def _per_second(after: DayAfter, phase: str) -> float:
    """Calls confirmed per second of the phase (0 when it did not run)."""
    seconds = after.phase_s.get(phase, 0.0)
    return after.phase_calls.get(phase, 0) / seconds if seconds else 0.0


def _reason_kind(reason: str) -> str:
    """A hold reason without its figures, so reasons of one rule count together."""
    for kind in ("payment declined", "credit limit", "first order", "order value", "orders by this customer", "orders with this card", "ships to", "pay on invoice"):
        if kind in reason:
            return kind
    return reason


def invoiced(after: DayAfter) -> tuple[int, int]:
    """Shipping charged and tax invoiced over the day's shipments: each shipment's invoice
    states the tax of its lines (and shipping charge) by rate, as ``domain.tax`` rounds it."""
    shipping = tax = 0
    for o in after.final.values():
        lines = {line.line_number: line for line in o.lines}
        for s in o.shipments:
            gross = [(lines[x.line_number].tax_rate_bps, lines[x.line_number].unit_price.amount_minor * x.quantity) for x in s.lines]
            if s.HasField("shipping"):
                shipping += s.shipping.amount_minor
                gross.append((o.shipping.tax_rate_bps, s.shipping.amount_minor))
            tax += sum(t.tax for t in breakdown(gross))
    return shipping, tax


def payments(after: DayAfter) -> dict[str, Any]:
    by: dict[str, dict[str, int]] = {}
    for o in after.final.values():
        for p in o.payment_status:
            row = by.setdefault(METHOD.get(p.method, str(p.method)), {"payments": 0, "declined": 0, "authorized_minor": 0, "captured_minor": 0, "refunded_minor": 0})
            row["payments"] += 1
            row["declined"] += p.status == orders_pb2.PAYMENT_STATUS_DECLINED
            row["authorized_minor"] += p.authorized.amount_minor
            row["captured_minor"] += p.captured.amount_minor
            row["refunded_minor"] += p.refunded.amount_minor
    return {
        "by_method": dict(sorted(by.items())),
        "captured_minor": sum(r["captured_minor"] for r in by.values()),
        "refunded_minor": sum(r["refunded_minor"] for r in by.values()),
        "declined": sum(r["declined"] for r in by.values()),
        "received_on_account_minor": after.received_minor,
        **dict(zip(("shipping_charged_minor", "tax_invoiced_minor"), invoiced(after))),
    }


def ceilings(service_rate: float, measured: Sequence[Ceiling]) -> tuple[list[dict[str, Any]], dict[str, float | None]]:
    rows = [c.to_dict() for c in measured]
    ratios = {c.name: (service_rate / c.rate if c.rate else None) for c in measured}
    return rows, ratios
