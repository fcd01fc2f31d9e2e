"""FulfilmentService: what each location is asked to ship, and its confirmations."""

from __future__ import annotations

import asyncio

import grpc

from gateway import limits
from gateway.auth.access import caller, check_location
from gateway.convert import (
    RESOLUTIONS,
    UNDELIVERED_REASONS,
    UNDELIVERED_TO_PROTO,
    Violations,
    address_from_proto,
    day_to_proto,
    order_to_proto,
)
from gateway.errors import rpc
from gateway.services.backend import Backend
from oms_actors.domain.delivery_report import DeliveryCounts
from oms_actors.domain.fulfilment import ShortageReason, UndeliveredReason
from oms_actors.domain.returns import UNDELIVERED_RESOLUTIONS, Resolution
from oms_actors.store.delivery_report import read_report
from oms_actors.store.return_report import MAX_DAYS as MAX_REPORT_DAYS
from protos.oms.v1 import fulfilment_pb2, fulfilment_pb2_grpc, orders_pb2

DEFAULT_REQUESTS_PAGE = 100
MAX_REPORT_LOCATIONS = 100
UNDELIVERED_VALUES = {r.value for r in UndeliveredReason}
SHORTAGE_REASONS = {
    fulfilment_pb2.SHORTAGE_REASON_MISSING: ShortageReason.MISSING,
    fulfilment_pb2.SHORTAGE_REASON_DAMAGED: ShortageReason.DAMAGED,
    fulfilment_pb2.SHORTAGE_REASON_DECLINED: ShortageReason.DECLINED,
}


def _shipment_lines(v: Violations, lines) -> dict[int, int]:
    quantities: dict[int, int] = {}
    if v.count("lines", lines, at_least=1, at_most=limits.MAX_ORDER_LINES):
        for i, line in enumerate(lines):
            if line.line_number < 1:
                v.add(f"lines[{i}].line_number", "1 or more")
            if not 1 <= line.quantity <= limits.MAX_LINE_QUANTITY:
                v.add(f"lines[{i}].quantity", f"between 1 and {limits.MAX_LINE_QUANTITY}")
            if line.line_number in quantities:
                v.add(f"lines[{i}].line_number", "each line once per shipment")
            quantities[line.line_number] = line.quantity
    return quantities


def _counts(c: DeliveryCounts) -> fulfilment_pb2.DeliveryCounts:
    return fulfilment_pb2.DeliveryCounts(
        shipped=c.shipped,
        units_shipped=c.units,
        delivered=c.delivered,
        on_time=c.on_time,
        late=c.late,
        mean_hours_to_deliver=c.mean_hours_to_deliver,
        returned=c.returned,
        lost=c.lost,
        by_reason=[
            fulfilment_pb2.UndeliveredCount(reason=UNDELIVERED_TO_PROTO[UndeliveredReason(r)], parcels=n)
            for r, n in sorted(c.by_reason.items(), key=lambda kv: (-kv[1], kv[0]))
            if r in UNDELIVERED_VALUES
        ],
    )


class FulfilmentService(fulfilment_pb2_grpc.FulfilmentServiceServicer):
    def __init__(self, backend: Backend) -> None:
        self.b = backend

    @rpc
    async def ListFulfilmentRequests(
        self, request: fulfilment_pb2.ListFulfilmentRequestsRequest, context: grpc.aio.ServicerContext
    ) -> fulfilment_pb2.ListFulfilmentRequestsResponse:
        v = Violations()
        v.identifier("location_id", request.location_id)
        v.identifier("shipping_service", request.shipping_service, required=False)
        limit = v.page_size(request.page_size, DEFAULT_REQUESTS_PAGE)
        v.raise_if_any()
        await check_location(context, await caller(context), request.location_id)
        per_shard = await asyncio.gather(
            *(
                shard.call("fulfilment_requests", request.location_id, limit, request.shipping_service)
                for shard in self.b.order_calls
            )
        )
        response = fulfilment_pb2.ListFulfilmentRequestsResponse()
        # Each shard's first to ship, in the same order; order ids sort by creation within a day.
        rows = sorted((r for rows in per_shard for r in rows), key=lambda r: (r[0], r[1], r[2]))
        for ship_by, promised, order_id, lines, service, whole in rows[:limit]:
            response.requests.add(
                order_id=order_id,
                location_id=request.location_id,
                lines=[orders_pb2.ShipmentLine(line_number=n, quantity=q) for n, q in lines],
                promised_delivery=day_to_proto(promised) if promised else None,
                ship_by=day_to_proto(ship_by) if ship_by else None,
                shipping_service=service,
                ship_complete=whole,
            )
        return response

    @rpc
    async def UpdateDeliveryEstimate(
        self, request: fulfilment_pb2.UpdateDeliveryEstimateRequest, context: grpc.aio.ServicerContext
    ) -> orders_pb2.Order:
        v = Violations()
        v.identifier("order_id", request.order_id)
        v.identifier("shipment_id", request.shipment_id)
        v.text("reason", request.reason)
        day = ""
        if not request.HasField("estimated_delivery"):
            v.add("estimated_delivery", "is required: the day the carrier now expects to deliver")
        else:
            day = v.coming_day("estimated_delivery", request.estimated_delivery)
        v.raise_if_any()
        principal = await caller(context)
        # Scoped by the order shard, as ConfirmDelivery.
        return order_to_proto(
            await self.b.command(
                request.order_id, "estimate_shipment", request.shipment_id, day, request.reason, principal.location_id or ""
            ),
            internal_notes=principal.sees_everything,
        )

    async def _confirm(
        self, request: fulfilment_pb2.ConfirmShipmentRequest, context: grpc.aio.ServicerContext, *, pickup: bool
    ) -> orders_pb2.Order:
        v = Violations()
        v.identifier("order_id", request.order_id)
        v.identifier("location_id", request.location_id)
        v.identifier("shipment_id", request.shipment_id)
        v.text("carrier", request.carrier)
        v.text("tracking", request.tracking)
        quantities = _shipment_lines(v, request.lines)
        v.raise_if_any()
        principal = await caller(context)
        await check_location(context, principal, request.location_id)
        # The order shard checks, under the order's lock, that a key bound to a location works
        # on that location's orders only (any other answers as an unknown order), and that a
        # pickup is the order's own: no read of the order here first.
        updated = await self.b.command(
            request.order_id,
            "confirm_shipment",
            request.shipment_id,
            request.location_id,
            quantities,
            request.carrier,
            request.tracking,
            principal.location_id or "",
            pickup,
        )
        return order_to_proto(updated, internal_notes=principal.sees_everything)

    @rpc
    async def ConfirmShipment(
        self, request: fulfilment_pb2.ConfirmShipmentRequest, context: grpc.aio.ServicerContext
    ) -> orders_pb2.Order:
        return await self._confirm(request, context, pickup=False)

    @rpc
    async def MarkReadyForPickup(
        self, request: fulfilment_pb2.ConfirmShipmentRequest, context: grpc.aio.ServicerContext
    ) -> orders_pb2.Order:
        return await self._confirm(request, context, pickup=True)

    @rpc
    async def ReportShortage(
        self, request: fulfilment_pb2.ReportShortageRequest, context: grpc.aio.ServicerContext
    ) -> orders_pb2.Order:
        v = Violations()
        v.identifier("order_id", request.order_id)
        v.identifier("location_id", request.location_id)
        v.identifier("shortage_id", request.shortage_id)
        reason = v.enum("reason", request.reason, SHORTAGE_REASONS)
        quantities = _shipment_lines(v, request.lines)
        v.raise_if_any()
        assert reason is not None
        principal = await caller(context)
        await check_location(context, principal, request.location_id)
        updated = await self.b.command(
            request.order_id, "report_shortage", request.shortage_id, request.location_id, quantities,
            reason.value, principal.location_id or "",
        )  # fmt: skip
        return order_to_proto(updated, internal_notes=principal.sees_everything)

    @rpc
    async def ConfirmDelivery(
        self, request: fulfilment_pb2.ConfirmDeliveryRequest, context: grpc.aio.ServicerContext
    ) -> orders_pb2.Order:
        v = Violations()
        v.identifier("order_id", request.order_id)
        v.identifier("shipment_id", request.shipment_id)
        v.raise_if_any()
        principal = await caller(context)
        # Scoped by the order shard, as ConfirmShipment: another location's order answers as an
        # unknown one, another location's shipment as one the order does not have.
        return order_to_proto(
            await self.b.command(request.order_id, "confirm_delivery", request.shipment_id, principal.location_id or ""),
            internal_notes=principal.sees_everything,
        )

    @rpc
    async def ReportDeliveryFailure(
        self, request: fulfilment_pb2.ReportDeliveryFailureRequest, context: grpc.aio.ServicerContext
    ) -> orders_pb2.Order:
        v = Violations()
        v.identifier("order_id", request.order_id)
        v.identifier("shipment_id", request.shipment_id)
        v.identifier("return_id", request.return_id)
        reason = v.enum("reason", request.reason, UNDELIVERED_REASONS)
        resolution = v.enum("resolution", request.resolution, RESOLUTIONS)
        if resolution is not None and resolution not in UNDELIVERED_RESOLUTIONS:
            v.add("resolution", "REFUND, STORE_CREDIT or REPLACEMENT: the money back, or the items sent again")
        v.identifier("location_id", request.location_id, required=False)
        if reason is UndeliveredReason.LOST and request.location_id:
            v.add("location_id", "a lost parcel comes back nowhere")
        v.text("note", request.note)
        ship_to = None
        if request.HasField("ship_to"):
            ship_to = address_from_proto(request.ship_to, "ship_to", v, need_position=True)
            if not request.ship_to.country_code:
                v.add("ship_to.country_code", "is required")
            if resolution is not None and resolution is not Resolution.REPLACEMENT:
                v.add("ship_to", "only for a REPLACEMENT: where the items go again")
        v.raise_if_any()
        assert reason is not None and resolution is not None
        principal = await caller(context)
        if request.location_id:  # a location's key names no other location
            await check_location(context, principal, request.location_id)
        # Scoped by the order shard, as ConfirmDelivery: a location reports its own parcels.
        updated = await self.b.command(
            request.order_id, "return_undelivered", request.shipment_id, request.return_id, reason.value, resolution.value,
            request.location_id, ship_to, request.note, principal.location_id or "",
        )  # fmt: skip
        return order_to_proto(updated, internal_notes=principal.sees_everything)

    @rpc
    async def GetDeliveryReport(
        self, request: fulfilment_pb2.GetDeliveryReportRequest, context: grpc.aio.ServicerContext
    ) -> fulfilment_pb2.DeliveryReport:
        v = Violations()
        span = v.day_span(request, "counted_from", "counted_to", MAX_REPORT_DAYS)
        v.identifiers("location_ids", request.location_ids, at_most=MAX_REPORT_LOCATIONS)
        v.raise_if_any()
        assert span is not None
        # A location's key names its own location; asking for every one is asking for others'.
        await check_location(context, await caller(context), *(request.location_ids or [""]))
        found = await read_report(self.b.orders.client, *span, locations=set(request.location_ids))
        return fulfilment_pb2.DeliveryReport(
            total=_counts(found.total),
            by_location=[
                fulfilment_pb2.LocationDeliveries(location_id=loc, counts=_counts(c)) for loc, c in found.by_location.items()
            ],
            by_carrier=[
                fulfilment_pb2.CarrierDeliveries(
                    carrier=route.carrier, shipping_service=route.shipping_service, pickup=route.pickup, counts=_counts(c)
                )
                for route, c in found.by_carrier.items()
            ],
            by_day=[
                fulfilment_pb2.DayDeliveries(day=day_to_proto(f"{day[:4]}-{day[4:6]}-{day[6:]}"), counts=_counts(c))
                for day, c in found.by_day.items()
            ],
        )
