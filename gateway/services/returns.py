"""ReturnService: returns in any channel, received at any location, inspected and resolved."""

from __future__ import annotations

from collections.abc import Callable

import grpc

from gateway import limits
from gateway.auth.access import caller
from gateway.auth.principal import Role
from gateway.convert import CHANNELS, RESOLUTIONS, Violations, order_to_proto
from gateway.errors import rpc
from gateway.services.backend import Backend
from oms_actors.domain.errors import NotFoundError
from oms_actors.domain.order import Order
from oms_actors.domain.returns import Disposition
from protos.oms.v1 import orders_pb2, returns_pb2, returns_pb2_grpc

DISPOSITIONS = {returns_pb2.DISPOSITION_RESTOCK: Disposition.RESTOCK, returns_pb2.DISPOSITION_WRITE_OFF: Disposition.WRITE_OFF}


def _received_at(order: Order, return_id: str) -> str:
    """Where the return was received; before that, no location's business ("" would mean any)."""
    record = order.return_(return_id)
    return record.location_id if record is not None and record.received_at_ms else "\0"


class ReturnService(returns_pb2_grpc.ReturnServiceServicer):
    def __init__(self, backend: Backend) -> None:
        self.b = backend

    async def _order(
        self, context: grpc.aio.ServicerContext, order_id: str, *, at: Callable[[Order], str] | None = None
    ) -> Order:
        """The order if the caller sees it; the same NOT_FOUND otherwise.

        ``at``: the location where the step happens (receiving, inspecting). A location's
        system sees an order only for such a step, and only at its own location."""
        principal = await caller(context)
        order = await self.b.orders.get(order_id)
        if order is not None:
            if principal.sees_order(channel=order.channel, customer_id=order.customer_id):
                return order
            if at is not None and principal.role is Role.FULFILMENT and principal.acts_at(at(order)):
                return order
        raise NotFoundError(f"order {order_id} not found", resource="order", resource_id=order_id)

    def _shard(self, order_id: str):
        return self.b.actors.orders[self.b.orders.shard(order_id)]

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
        if v.count("lines", request.lines, at_least=1, at_most=limits.MAX_ORDER_LINES):
            for i, line in enumerate(request.lines):
                f = f"lines[{i}]"
                resolution = v.enum(f"{f}.resolution", line.resolution, RESOLUTIONS)
                v.text(f"{f}.reason", line.reason)
                if not 1 <= line.quantity <= limits.MAX_LINE_QUANTITY:
                    v.add(f"{f}.quantity", f"between 1 and {limits.MAX_LINE_QUANTITY}")
                if line.line_number in lines:
                    v.add(f"{f}.line_number", "each line once per return")
                if resolution is not None:
                    lines[line.line_number] = (line.quantity, line.reason, resolution.value)
        v.raise_if_any()
        if request.location_id and not await self.b.network.known_locations([request.location_id]):
            v.add("location_id", f"unknown location {request.location_id!r}")
            v.raise_if_any()
        await self._order(context, request.order_id)
        assert channel is not None
        order = await self._shard(request.order_id).request_return.remote(
            request.order_id, request.return_id, lines, channel.value, request.location_id
        )
        return order_to_proto(order)

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
        await self._order(context, request.order_id, at=lambda _: request.location_id)
        order = await self._shard(request.order_id).receive_return.remote(
            request.order_id, request.return_id, request.location_id, quantities
        )
        return order_to_proto(order)

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
        v.raise_if_any()
        await self._order(context, request.order_id, at=lambda o: _received_at(o, request.return_id))
        order = await self._shard(request.order_id).inspect_return.remote(request.order_id, request.return_id, dispositions)
        return order_to_proto(order)
