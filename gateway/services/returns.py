"""ReturnService: returns in any channel, received at any location, inspected and resolved."""

from __future__ import annotations

import asyncio

import grpc

from gateway import limits
from gateway.auth.access import caller, check_location
from gateway.convert import (
    CHANNEL_TO_PROTO,
    CHANNEL_VALUES,
    CHANNELS,
    REASONS,
    REASONS_TO_PROTO,
    RESOLUTIONS,
    RESOLUTIONS_TO_PROTO,
    Violations,
    order_to_proto,
    return_policy_from_proto,
    return_policy_to_proto,
    return_to_proto,
)
from gateway.errors import rpc
from gateway.paging import page_after, page_token
from gateway.services.backend import Backend
from oms_actors.domain.enums import Channel
from oms_actors.domain.order import Order
from oms_actors.domain.returns import (
    AWAITING_REPAIR,
    MAKES_GOOD,
    Disposition,
    Resolution,
    ReturnReason,
    ReturnStatus,
    desk_order,
)
from oms_actors.store.return_policy import ReturnPolicyStore
from oms_actors.store.return_report import MAX_DAYS as MAX_REPORT_DAYS
from oms_actors.store.return_report import read_report
from protos.oms.v1 import orders_pb2, returns_pb2, returns_pb2_grpc

DEFAULT_RETURNS_PAGE = 100
# What a returns desk lists: returns to be brought to it, and returns received and not inspected.
LISTED_STATUSES = {
    orders_pb2.RETURN_STATUS_AUTHORIZED: ReturnStatus.AUTHORIZED,
    orders_pb2.RETURN_STATUS_RECEIVED: ReturnStatus.RECEIVED,
}
MAX_REPORT_SKUS = 100
DEFAULT_TOP_SKUS = 20
REASON_VALUES = frozenset(r.value for r in ReturnReason)
RESOLUTION_VALUES = frozenset(r.value for r in Resolution)
DISPOSITIONS = {returns_pb2.DISPOSITION_RESTOCK: Disposition.RESTOCK, returns_pb2.DISPOSITION_WRITE_OFF: Disposition.WRITE_OFF}


def _received_at(order: Order, return_id: str) -> str:
    """Where the return was received; before that, no location's business ("" would mean any)."""
    record = order.return_(return_id)
    return record.location_id if record is not None and record.received_at_ms else "\0"


def _check_parcel(request: returns_pb2.TrackReturnRequest | returns_pb2.CompleteRepairRequest, why: str) -> None:
    """A parcel of a return (the customer's on its way, or a repair going back): its order,
    return, carrier and tracking, every bad field named. ``why``: who reads the tracking."""
    v = Violations()
    v.identifier("order_id", request.order_id)
    v.identifier("return_id", request.return_id)
    v.required_text("carrier", request.carrier, why)
    v.required_text("tracking", request.tracking, why)
    v.raise_if_any()


class ReturnService(returns_pb2_grpc.ReturnServiceServicer):
    def __init__(self, backend: Backend) -> None:
        self.b = backend
        self.policy = ReturnPolicyStore(backend.orders.client)

    @rpc
    async def RequestReturn(
        self, request: returns_pb2.RequestReturnRequest, context: grpc.aio.ServicerContext
    ) -> orders_pb2.Order:
        v = Violations()
        v.identifier("order_id", request.order_id)
        v.identifier("return_id", request.return_id)
        channel = v.enum("channel", request.channel, CHANNELS)
        v.identifier("location_id", request.location_id, required=False)
        lines: dict[int, tuple[int, str, str]] = {}
        exchanges: dict[int, str] = {}  # line -> the SKU wanted in its place
        codes: dict[int, str] = {}  # line -> why, as a code (optional)
        if v.count("lines", request.lines, at_least=1, at_most=limits.MAX_ORDER_LINES):
            for i, line in enumerate(request.lines):
                f = f"lines[{i}]"
                resolution = v.enum(f"{f}.resolution", line.resolution, RESOLUTIONS)
                v.text(f"{f}.reason", line.reason)
                if line.reason_code:
                    code = v.enum(f"{f}.reason_code", line.reason_code, REASONS)
                    if code is ReturnReason.UNDELIVERED:
                        v.add(f"{f}.reason_code", "is for parcels that came back undelivered (ReportDeliveryFailure)")
                    elif code is not None:
                        codes[line.line_number] = code.value
                if resolution is Resolution.EXCHANGE:
                    v.identifier(f"{f}.exchange_sku", line.exchange_sku)
                    exchanges[line.line_number] = line.exchange_sku
                elif line.exchange_sku:
                    v.add(f"{f}.exchange_sku", "only for the EXCHANGE resolution")
                if not 1 <= line.quantity <= limits.MAX_LINE_QUANTITY:
                    v.add(f"{f}.quantity", f"between 1 and {limits.MAX_LINE_QUANTITY}")
                if line.line_number in lines:
                    v.add(f"{f}.line_number", "each line once per return")
                if resolution is not None:
                    lines[line.line_number] = (line.quantity, line.reason, resolution.value)
        v.raise_if_any()
        if request.location_id and not await self.b.network.known_locations([request.location_id]):
            v.add("location_id", f"unknown location {request.location_id!r}")
        known = await self.b.network.known_skus(list(exchanges.values()))
        for i, line in enumerate(request.lines):
            if line.line_number in exchanges and line.exchange_sku not in known:
                v.add(f"lines[{i}].exchange_sku", f"unknown SKU {line.exchange_sku!r}")
        v.raise_if_any()
        principal = await caller(context)
        await self.b.check_visible(principal, request.order_id)
        assert channel is not None
        order = await self.b.command(
            request.order_id, "request_return", request.return_id, lines, channel.value, request.location_id, exchanges, codes
        )
        return order_to_proto(order, internal_notes=principal.sees_everything)

    @rpc
    async def TrackReturn(
        self, request: returns_pb2.TrackReturnRequest, context: grpc.aio.ServicerContext
    ) -> orders_pb2.Order:
        _check_parcel(request, "service tells the customer where the parcel is with it")
        principal = await caller(context)
        await self.b.check_visible(principal, request.order_id)
        order = await self.b.command(request.order_id, "track_return", request.return_id, request.carrier, request.tracking)
        return order_to_proto(order, internal_notes=principal.sees_everything)

    @rpc
    async def CancelReturn(
        self, request: returns_pb2.CancelReturnRequest, context: grpc.aio.ServicerContext
    ) -> orders_pb2.Order:
        v = Violations()
        v.identifier("order_id", request.order_id)
        v.identifier("return_id", request.return_id)
        v.required_text("reason", request.reason, "service staff read it later")
        v.raise_if_any()
        principal = await caller(context)
        await self.b.check_visible(principal, request.order_id)
        order = await self.b.command(request.order_id, "cancel_return", request.return_id, request.reason)
        return order_to_proto(order, internal_notes=principal.sees_everything)

    @rpc
    async def ReceiveReturn(
        self, request: returns_pb2.ReceiveReturnRequest, context: grpc.aio.ServicerContext
    ) -> orders_pb2.Order:
        v = Violations()
        v.identifier("order_id", request.order_id)
        v.identifier("return_id", request.return_id)
        v.identifier("location_id", request.location_id)
        quantities: dict[int, int] = {}
        if v.count("lines", request.lines, at_least=1, at_most=limits.MAX_ORDER_LINES):
            for i, line in enumerate(request.lines):
                if not 0 <= line.quantity <= limits.MAX_LINE_QUANTITY:
                    v.add(f"lines[{i}].quantity", f"between 0 and {limits.MAX_LINE_QUANTITY}")
                if line.line_number in quantities:
                    v.add(f"lines[{i}].line_number", "each line once")
                quantities[line.line_number] = line.quantity
        v.raise_if_any()
        if not await self.b.network.known_locations([request.location_id]):
            v.add("location_id", f"unknown location {request.location_id!r}")
            v.raise_if_any()
        principal = await caller(context)
        await self.b.check_visible(principal, request.order_id, at=lambda _: request.location_id)
        order = await self.b.command(
            request.order_id, "receive_return", request.return_id, request.location_id, quantities
        )
        return order_to_proto(order, internal_notes=principal.sees_everything)

    @rpc
    async def InspectReturn(
        self, request: returns_pb2.InspectReturnRequest, context: grpc.aio.ServicerContext
    ) -> orders_pb2.Order:
        v = Violations()
        v.identifier("order_id", request.order_id)
        v.identifier("return_id", request.return_id)
        dispositions: dict[int, str] = {}
        if v.count("dispositions", request.dispositions, at_most=limits.MAX_ORDER_LINES):
            for i, d in enumerate(request.dispositions):
                kind = v.enum(f"dispositions[{i}].disposition", d.disposition, DISPOSITIONS)
                if kind is not None:
                    dispositions[d.line_number] = kind.value
        deductions: dict[int, tuple[int, str, str]] = {}
        if v.count("deductions", request.deductions, at_most=limits.MAX_ORDER_LINES):
            for i, d in enumerate(request.deductions):
                f = f"deductions[{i}]"
                if d.line_number < 1:
                    v.add(f"{f}.line_number", "a line of the order, from 1")
                elif d.line_number in deductions:
                    v.add(f"{f}.line_number", f"line {d.line_number} is named twice")
                amount = v.money(f"{f}.amount", d.amount, positive=True)
                v.required_text(f"{f}.reason", d.reason, "the customer is told why less came back")
                if amount is not None and d.line_number >= 1:
                    deductions[d.line_number] = (amount.amount_minor, amount.currency, d.reason)
        v.raise_if_any()
        principal = await caller(context)
        await self.b.check_visible(principal, request.order_id, at=lambda o: _received_at(o, request.return_id))
        order = await self.b.command(request.order_id, "inspect_return", request.return_id, dispositions, deductions)
        return order_to_proto(order, internal_notes=principal.sees_everything)

    @rpc
    async def CompleteRepair(
        self, request: returns_pb2.CompleteRepairRequest, context: grpc.aio.ServicerContext
    ) -> orders_pb2.Order:
        _check_parcel(request, "the customer follows the parcel with it")
        principal = await caller(context)
        await self.b.check_visible(principal, request.order_id, at=lambda o: _received_at(o, request.return_id))
        order = await self.b.command(request.order_id, "complete_repair", request.return_id, request.carrier, request.tracking)
        return order_to_proto(order, internal_notes=principal.sees_everything)

    @rpc
    async def DeclareBeyondRepair(
        self, request: returns_pb2.DeclareBeyondRepairRequest, context: grpc.aio.ServicerContext
    ) -> orders_pb2.Order:
        v = Violations()
        v.identifier("order_id", request.order_id)
        v.identifier("return_id", request.return_id)
        resolution = v.enum("resolution", request.resolution, RESOLUTIONS)
        if resolution is not None and resolution not in MAKES_GOOD:
            v.add("resolution", "REFUND, STORE_CREDIT or REPLACEMENT: what the customer gets for the unit")
        v.required_text("reason", request.reason, "the customer and service read what the repair found")
        v.raise_if_any()
        assert resolution is not None
        principal = await caller(context)
        await self.b.check_visible(principal, request.order_id, at=lambda o: _received_at(o, request.return_id))
        order = await self.b.command(
            request.order_id, "declare_beyond_repair", request.return_id, resolution.value, request.reason
        )
        return order_to_proto(order, internal_notes=principal.sees_everything)

    @rpc
    async def ListReturns(
        self, request: returns_pb2.ListReturnsRequest, context: grpc.aio.ServicerContext
    ) -> returns_pb2.ListReturnsResponse:
        v = Violations()
        v.identifier("location_id", request.location_id, required=False)  # "": every location's
        statuses = [ReturnStatus.AUTHORIZED, ReturnStatus.RECEIVED]
        if request.awaiting_repair and request.status:
            v.add("status", "not with awaiting_repair, which lists returns by their repairs instead")
        elif request.status in LISTED_STATUSES:
            statuses = [LISTED_STATUSES[request.status]]
        elif request.status:
            v.add("status", "AUTHORIZED or RECEIVED (UNSPECIFIED: both): what a returns desk has to handle")
        limit = v.page_size(request.page_size, DEFAULT_RETURNS_PAGE)
        asked = [AWAITING_REPAIR] if request.awaiting_repair else [s.value for s in statuses]
        listed = [request.location_id, ",".join(asked)]  # which list a page token belongs to
        after = None
        if request.page_token:
            key = page_after(request.page_token, v, (str, str, int, str, str), "this list")
            if key is not None and list(key[:2]) != listed:
                v.add("page_token", "issued for another location or status; start again without it")
            elif key is not None:
                after = key[2:]
        v.raise_if_any()
        # A key bound to a location lists its own desk's returns, not every location's.
        await check_location(context, await caller(context), request.location_id)
        # One more than a page from each shard: whether another page follows.
        per_shard = await asyncio.gather(
            *(shard.call("returns_at", request.location_id, asked, limit + 1, after) for shard in self.b.order_calls)
        )
        rows = sorted((row for rows in per_shard for row in rows), key=desk_order)
        page = rows[:limit]
        more = len(rows) > limit
        return returns_pb2.ListReturnsResponse(
            returns=[
                returns_pb2.ReturnToHandle(order_id=order_id, details=return_to_proto(record, currency, prices))
                for _, order_id, currency, record, prices in page
            ],
            next_page_token=page_token([*listed, *desk_order(page[-1])]) if more else "",
        )

    @rpc
    async def GetReturnsReport(
        self, request: returns_pb2.GetReturnsReportRequest, context: grpc.aio.ServicerContext
    ) -> returns_pb2.ReturnsReport:
        v = Violations()
        span = v.day_span(request, "requested_from", "requested_to", MAX_REPORT_DAYS)
        v.identifiers("skus", request.skus, at_most=MAX_REPORT_SKUS)
        if not 0 <= request.top_skus <= MAX_REPORT_SKUS:
            v.add("top_skus", f"between 1 and {MAX_REPORT_SKUS} (0 for {DEFAULT_TOP_SKUS})")
        v.raise_if_any()
        assert span is not None
        found = await read_report(
            self.b.orders.client,
            *span,
            skus=list(request.skus),
            top=request.top_skus or DEFAULT_TOP_SKUS,
        )
        return returns_pb2.ReturnsReport(
            returns=found.returns,
            units=found.units,
            by_reason=_reasons(found.by_reason),
            by_resolution=[
                returns_pb2.ResolutionCount(resolution=RESOLUTIONS_TO_PROTO[Resolution(r)], units=n)
                for r, n in _most_first(found.by_resolution)
                if r in RESOLUTION_VALUES
            ],
            skus=[returns_pb2.SkuReturns(sku=s.sku, units=s.units, by_reason=_reasons(s.by_reason)) for s in found.skus],
            by_channel=_channels(found.by_channel),
            by_channel_asked=_channels(found.by_channel_asked),
        )

    @rpc
    async def GetReturnPolicy(
        self, request: returns_pb2.GetReturnPolicyRequest, context: grpc.aio.ServicerContext
    ) -> returns_pb2.ReturnPolicy:
        current = await self.policy.get()
        return return_policy_to_proto(current.policy, current.version)

    @rpc
    async def SetReturnPolicy(
        self, request: returns_pb2.SetReturnPolicyRequest, context: grpc.aio.ServicerContext
    ) -> returns_pb2.ReturnPolicy:
        v = Violations()
        expected = v.rules_update(request, "policy", "GetReturnPolicy")
        policy = return_policy_from_proto(request.policy, v)
        v.raise_if_any()
        written = await self.policy.set(policy, expected_version=expected)
        return return_policy_to_proto(written.policy, written.version)


def _most_first(counts: dict[str, int]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def _reasons(counts: dict[str, int]) -> list[returns_pb2.ReasonCount]:
    """Counts by ReturnReason value (``UNSPECIFIED``: none given), most units first."""
    return [
        returns_pb2.ReasonCount(reason=REASONS_TO_PROTO[ReturnReason(r)] if r in REASON_VALUES else 0, units=n)
        for r, n in _most_first(counts)
    ]


def _channels(units: dict[str, int]) -> list[returns_pb2.ChannelCount]:
    return [
        returns_pb2.ChannelCount(channel=CHANNEL_TO_PROTO[Channel(c)], units=n)
        for c, n in _most_first(units)
        if c in CHANNEL_VALUES
    ]
