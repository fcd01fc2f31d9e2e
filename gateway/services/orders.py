"""OrderService: order capture (single and batch), reads, lists and cancellation.

Access: the rules table (``gateway.auth.rules``) decided who may call each
method; here each call sees only its principal's orders. An order outside
that scope answers exactly as an unknown id, and a list is narrowed to it.
"""

from __future__ import annotations

import asyncio
from typing import Any

import grpc
from google.rpc import status_pb2

from gateway import limits
from gateway.auth import Role
from gateway.auth.access import caller, visible_orders
from gateway.auth.errors import PermissionDeniedError, abort, auth_status
from gateway.auth.principal import Principal
from gateway.convert import (
    CHANNELS,
    ORDER_STATUS_TO_PROTO,
    ORDER_STATUSES,
    PAYMENT_METHODS,
    RELEASE_WAITS,
    RESOLUTIONS,
    Violations,
    address_from_proto,
    event_to_proto,
    order_basic_to_proto,
    order_to_proto,
    risk_rules_from_proto,
    risk_rules_to_proto,
    timestamp_from_proto,
)
from gateway.errors import rpc, to_status
from gateway.paging import page_after, page_token
from gateway.services.backend import Backend, id_or_fail
from oms_actors.domain.enums import OrderStatus
from oms_actors.domain.errors import ValidationError
from oms_actors.domain.inbound import utc_today
from oms_actors.domain.order import INSTRUMENTS, Order, ReleaseWait
from oms_actors.domain.returns import Resolution
from oms_actors.store.events import EventReader
from oms_actors.store.orders import Cursor, OrderFilter
from oms_actors.store.risk_rules import RiskRulesStore
from protos.oms.v1 import orders_pb2, orders_pb2_grpc

# Whether a view asks for the basic answer; unspecified is the full order, as before
# views existed.
BASIC_VIEW = {orders_pb2.ORDER_VIEW_UNSPECIFIED: False, orders_pb2.ORDER_VIEW_FULL: False, orders_pb2.ORDER_VIEW_BASIC: True}
REVIEW_DECISIONS = {orders_pb2.REVIEW_DECISION_APPROVE: "approve", orders_pb2.REVIEW_DECISION_REJECT: "reject"}


class OrderService(orders_pb2_grpc.OrderServiceServicer):
    def __init__(self, backend: Backend) -> None:
        self.b = backend
        self.risk_rules = RiskRulesStore(backend.orders.client)
        self.events = EventReader(backend.orders.client, backend.actors.topology.order_shards)

    @rpc
    async def CreateOrder(
        self, request: orders_pb2.CreateOrderRequest, context: grpc.aio.ServicerContext
    ) -> orders_pb2.CreateOrderResponse:
        principal = await caller(context)
        if (denied := _channel_denied(principal, request)) is not None:
            await abort(context, denied)
        cmd = await self.b.validate_order(request)
        outcome = await self.b.batcher.submit(self.b.order_shard_of_key(cmd), cmd)
        if outcome.error is not None:
            raise outcome.error.to_exception()
        assert outcome.order is not None
        return orders_pb2.CreateOrderResponse(order=order_to_proto(outcome.order), replayed=outcome.replayed)

    @rpc
    async def CreateOrders(
        self, request: orders_pb2.CreateOrdersRequest, context: grpc.aio.ServicerContext
    ) -> orders_pb2.CreateOrdersResponse:
        v = Violations()
        v.count("orders", request.orders, at_least=1, at_most=limits.MAX_BATCH_ORDERS)
        basic = _basic_view(v, request.view)
        v.raise_if_any()
        principal = await caller(context)
        pending: list[Any] = []
        for item in request.orders:
            if (denied := _channel_denied(principal, item)) is not None:
                pending.append(auth_status(denied))
                continue
            try:
                cmd = await self.b.validate_order(item)
            except ValidationError as exc:
                pending.append(exc)
                continue
            pending.append(self.b.batcher.submit(self.b.order_shard_of_key(cmd), cmd))
        response = orders_pb2.CreateOrdersResponse()
        for p in pending:
            result = response.results.add()
            if isinstance(p, status_pb2.Status):
                result.error.CopyFrom(p)
                continue
            if isinstance(p, Exception):
                result.error.CopyFrom(to_status(p))
                continue
            try:
                outcome = await p
            except Exception as exc:  # noqa: BLE001 - reported per item
                result.error.CopyFrom(to_status(exc))
                continue
            if outcome.error is not None:
                result.error.CopyFrom(to_status(outcome.error.to_exception()))
            else:
                result.order.CopyFrom(_answer(outcome.order, basic=basic, staff=False))
                result.replayed = outcome.replayed
        return response

    @rpc
    async def GetOrder(self, request: orders_pb2.GetOrderRequest, context: grpc.aio.ServicerContext) -> orders_pb2.Order:
        principal = await caller(context)
        id_or_fail("order_id", request.order_id)
        return order_to_proto(await self.b.visible_order(principal, request.order_id), internal_notes=principal.sees_everything)

    @rpc
    async def GetOrderHistory(
        self, request: orders_pb2.GetOrderHistoryRequest, context: grpc.aio.ServicerContext
    ) -> orders_pb2.GetOrderHistoryResponse:
        v = Violations()
        v.identifier("order_id", request.order_id)
        size = v.page_size(request.page_size)
        after = page_after(request.page_token, v, (int,), "this order's history") if request.page_token else None
        v.raise_if_any()
        principal = await caller(context)
        order = await self.b.visible_order(principal, request.order_id)  # unknown: NOT_FOUND, not an empty history
        skip = after[0] if after else 0
        events, more = await self.events.history(request.order_id, order.customer_id, skip=skip, limit=size)
        return orders_pb2.GetOrderHistoryResponse(
            events=[event_to_proto("", e) for e in events],
            next_page_token=page_token([skip + len(events)]) if more else "",
        )

    @rpc
    async def ListOrders(
        self, request: orders_pb2.ListOrdersRequest, context: grpc.aio.ServicerContext
    ) -> orders_pb2.ListOrdersResponse:
        v = Violations()
        v.identifier("customer_id", request.customer_id, required=False)
        channel = CHANNELS.get(request.channel)
        if request.channel and channel is None:
            v.add("channel", f"unknown value {request.channel}")
        status = ORDER_STATUSES.get(request.status)
        if request.status and status is None:
            v.add("status", f"unknown value {request.status}")
        size = v.page_size(request.page_size)
        if len(request.page_token) > 512:
            v.add("page_token", "not a page token")
        created_from = timestamp_from_proto(request.created_from) if request.HasField("created_from") else None
        created_before = timestamp_from_proto(request.created_before) if request.HasField("created_before") else None
        if created_from is not None and created_before is not None and created_before <= created_from:
            v.add("created_before", "after created_from")
        v.identifier("external_reference", request.external_reference, required=False)
        v.identifier("sku", request.sku, required=False)
        basic = _basic_view(v, request.view)
        principal = await caller(context)
        if request.external_reference and channel is None and principal.channel is None:
            v.add("channel", "is required with external_reference: references are the channel's own")
        v.raise_if_any()
        asked = OrderFilter(
            customer_id=request.customer_id, channel=channel, status=status,
            created_from_ms=created_from, created_before_ms=created_before, sku=request.sku,
            late_on=utc_today() if request.late else "",
        )  # fmt: skip
        visible = visible_orders(principal, asked)
        if visible is not None and request.external_reference:
            return await self._by_reference(visible, request.external_reference, basic=basic, staff=principal.sees_everything)
        if visible is None:
            # Only what the caller may not see was asked for: answer as for filters that match
            # nothing (an unknown customer id), page token checked the same way.
            if request.page_token:
                Cursor.decode(request.page_token, asked.fingerprint())
            return orders_pb2.ListOrdersResponse()
        orders, token = await self.b.orders.list(
            visible,
            page_size=size,
            page_token=request.page_token,
        )
        staff = principal.sees_everything
        return orders_pb2.ListOrdersResponse(
            orders=[_answer(o, basic=basic, staff=staff) for o in orders], next_page_token=token
        )

    @rpc
    async def CountOrders(
        self, request: orders_pb2.CountOrdersRequest, context: grpc.aio.ServicerContext
    ) -> orders_pb2.CountOrdersResponse:
        v = Violations()
        channel = CHANNELS.get(request.channel)
        if request.channel and channel is None:
            v.add("channel", f"unknown value {request.channel}")
        low = timestamp_from_proto(request.created_from) if request.HasField("created_from") else None
        high = timestamp_from_proto(request.created_before) if request.HasField("created_before") else None
        if low is not None and high is not None and high <= low:
            v.add("created_before", "after created_from")
        v.raise_if_any()
        visible = visible_orders(await caller(context), OrderFilter(channel=channel))
        counts: dict[OrderStatus, int] = {}
        awaiting = late = 0
        waiting: dict[str, int] = {}
        if visible is not None:  # (None: only another channel's orders were asked for)
            counting = self.b.orders.count_by_status(visible.channel, created_from_ms=low, created_before_ms=high)
            channel_id = visible.channel.value if visible.channel is not None else ""
            today = utc_today()
            counts, *per_shard = await asyncio.gather(
                counting, *(a.count_open.remote(channel_id, low, high, today) for a in self.b.actors.orders)
            )
            for shard_awaiting, shard_late, shard_waiting in per_shard:
                awaiting, late = awaiting + shard_awaiting, late + shard_late
                for reason, n in shard_waiting.items():
                    waiting[reason] = waiting.get(reason, 0) + n
        return orders_pb2.CountOrdersResponse(
            waiting=[
                orders_pb2.WaitCount(reason=RELEASE_WAITS[reason], count=waiting.get(reason.value, 0)) for reason in ReleaseWait
            ],
            total=sum(counts.values()),
            by_status=[
                orders_pb2.StatusCount(status=ORDER_STATUS_TO_PROTO[status], count=counts.get(status, 0)) for status in OrderStatus
            ],
            awaiting_delivery=awaiting,
            late=late,
        )

    async def _by_reference(
        self, flt: OrderFilter, reference: str, *, basic: bool, staff: bool
    ) -> orders_pb2.ListOrdersResponse:
        """The order a channel placed under its own reference, if the other filters let it through."""
        assert flt.channel is not None
        order_id = await self.b.orders.by_external_reference(flt.channel.value, reference)
        order = await self.b.orders.get(order_id) if order_id else None
        if order is None or not flt.matches(order):
            return orders_pb2.ListOrdersResponse()
        return orders_pb2.ListOrdersResponse(orders=[_answer(order, basic=basic, staff=staff)])

    @rpc
    async def CancelOrder(
        self, request: orders_pb2.CancelOrderRequest, context: grpc.aio.ServicerContext
    ) -> orders_pb2.Order:
        v = Violations()
        v.identifier("order_id", request.order_id)
        v.text("reason", request.reason)
        v.raise_if_any()
        # A channel or a customer cancels only what it sees; any other order is an unknown one.
        principal = await caller(context)
        await self.b.check_visible(principal, request.order_id)
        order = await self.b.command(request.order_id, "cancel_order", request.reason)
        return order_to_proto(order, internal_notes=principal.sees_everything)

    @rpc
    async def CancelOrderLines(
        self, request: orders_pb2.CancelOrderLinesRequest, context: grpc.aio.ServicerContext
    ) -> orders_pb2.Order:
        v = Violations()
        v.identifier("order_id", request.order_id)
        v.text("reason", request.reason)
        if not request.line_numbers and not request.reduce_to:
            v.add("line_numbers", "lines to cancel, or reduce_to: lines to reduce")
        if v.count("line_numbers", request.line_numbers, at_most=limits.MAX_ORDER_LINES):
            for i, n in enumerate(request.line_numbers):
                if n < 1:
                    v.add(f"line_numbers[{i}]", "1 or more")
            if len(set(request.line_numbers)) != len(request.line_numbers):
                v.add("line_numbers", "each line once")
        targets: dict[int, int] = {}
        if v.count("reduce_to", request.reduce_to, at_most=limits.MAX_ORDER_LINES):
            for i, line in enumerate(request.reduce_to):
                if line.line_number < 1:
                    v.add(f"reduce_to[{i}].line_number", "1 or more")
                elif line.line_number in targets or line.line_number in request.line_numbers:
                    v.add(f"reduce_to[{i}].line_number", "each line once, cancelled whole or reduced")
                if line.quantity < 0:
                    v.add(f"reduce_to[{i}].quantity", "0 or more")
                targets[line.line_number] = line.quantity
        v.raise_if_any()
        principal = await caller(context)
        await self.b.check_visible(principal, request.order_id)
        order = await self.b.command(request.order_id, "cancel_lines", list(request.line_numbers), request.reason, targets)
        return order_to_proto(order, internal_notes=principal.sees_everything)

    @rpc
    async def ReviewOrder(
        self, request: orders_pb2.ReviewOrderRequest, context: grpc.aio.ServicerContext
    ) -> orders_pb2.Order:
        v = Violations()
        v.identifier("order_id", request.order_id)
        decision = v.enum("decision", request.decision, REVIEW_DECISIONS)
        v.text("note", request.note)
        v.raise_if_any()
        principal = await caller(context)
        await self.b.check_visible(principal, request.order_id)
        order = await self.b.command(
            request.order_id, "review_order", decision == "approve", principal.actor, request.note
        )
        return order_to_proto(order, internal_notes=principal.sees_everything)

    @rpc
    async def HoldOrder(
        self, request: orders_pb2.HoldOrderRequest, context: grpc.aio.ServicerContext
    ) -> orders_pb2.Order:
        v = Violations()
        v.identifier("order_id", request.order_id)
        v.required_text("reason", request.reason, "the reviewer who decides next reads it")
        v.raise_if_any()
        principal = await caller(context)
        await self.b.check_visible(principal, request.order_id)
        order = await self.b.command(
            request.order_id, "hold_order", principal.actor, request.reason
        )
        return order_to_proto(order, internal_notes=principal.sees_everything)

    @rpc
    async def AddOrderNote(
        self, request: orders_pb2.AddOrderNoteRequest, context: grpc.aio.ServicerContext
    ) -> orders_pb2.Order:
        v = Violations()
        v.identifier("order_id", request.order_id)
        v.identifier("note_id", request.note_id)
        if not request.text.strip():
            v.add("text", "is required")
        if len(request.text) > limits.MAX_NOTE_LEN:
            v.add("text", f"at most {limits.MAX_NOTE_LEN} characters")
        elif any(ord(c) < 32 and c not in "\n\t" for c in request.text):
            v.add("text", "control characters other than line breaks and tabs are not allowed")
        v.raise_if_any()
        principal = await caller(context)
        await self.b.check_visible(principal, request.order_id)
        order = await self.b.command(
            request.order_id, "add_note", request.note_id, request.text, not request.for_customer,
            principal.actor,
        )  # fmt: skip
        return order_to_proto(order, internal_notes=principal.sees_everything)

    @rpc
    async def ReplacePaymentInstrument(
        self, request: orders_pb2.ReplacePaymentInstrumentRequest, context: grpc.aio.ServicerContext
    ) -> orders_pb2.Order:
        v = Violations()
        v.identifier("order_id", request.order_id)
        v.identifier("payment_id", request.payment_id)
        v.token("token", request.token, required=True)
        method = v.enum("method", request.method, PAYMENT_METHODS) if request.method else None
        if method is not None and method not in INSTRUMENTS:
            v.add("method", "CARD or GIFT_CARD: the methods paid with an instrument, or unspecified for its own")
        v.raise_if_any()
        principal = await caller(context)
        await self.b.check_visible(principal, request.order_id)
        order = await self.b.command(
            request.order_id, "replace_payment_instrument", request.payment_id, request.token, method.value if method else ""
        )
        return order_to_proto(order, internal_notes=principal.sees_everything)

    @rpc
    async def GrantGoodwill(
        self, request: orders_pb2.GrantGoodwillRequest, context: grpc.aio.ServicerContext
    ) -> orders_pb2.Order:
        v = Violations()
        v.identifier("order_id", request.order_id)
        v.identifier("goodwill_id", request.goodwill_id)
        v.required_text("reason", request.reason, "the credit note and the order's history say why")
        amount = v.money("amount", request.amount, positive=True) if request.HasField("amount") else None
        if not request.HasField("amount"):
            v.add("amount", "is required")
        resolution = v.enum("resolution", request.resolution, RESOLUTIONS)
        if resolution is not None and resolution not in (Resolution.REFUND, Resolution.STORE_CREDIT):
            v.add("resolution", "REFUND or STORE_CREDIT: goodwill is money")
        v.raise_if_any()
        principal = await caller(context)
        order = await self.b.visible_order(principal, request.order_id)  # its currency
        assert amount is not None and resolution is not None
        if amount.currency != order.currency:
            v.add("amount.currency", f"must be the order currency ({order.currency})")
            v.raise_if_any()
        if principal.role is not Role.ADMIN:
            await self._within_goodwill_limit(principal, order, request.goodwill_id, amount.amount_minor, context)
        order = await self.b.command(
            request.order_id, "grant_goodwill", request.goodwill_id, amount.amount_minor, request.reason,
            resolution.value, principal.actor,
        )  # fmt: skip
        return order_to_proto(order, internal_notes=principal.sees_everything)

    async def _within_goodwill_limit(
        self, principal: Principal, order: Order, goodwill_id: str, amount: int, context: grpc.aio.ServicerContext
    ) -> None:
        """A service agent's goodwill stays within its share of the order's total (its key's own
        limit, else the rules'), over all the order's goodwill (a retry of the same id counts
        once); beyond it takes an admin, or an agent allowed more."""
        limit = principal.goodwill_limit_percent
        if limit is None:
            limit = (await self.risk_rules.get()).rules.agent_goodwill_limit_percent
        if limit is None:
            return
        given = sum(a.amount for a in order.appeasements if a.appeasement_id != goodwill_id)
        allowed = order.total.amount_minor * limit // 100
        if given + amount > allowed:
            await abort(
                context,
                PermissionDeniedError(
                    f"this service agent gives at most {limit}% of the order's total ({allowed}) in goodwill; "
                    f"{given} given already: more takes an admin, or an agent allowed more",
                    code="GOODWILL_LIMIT",
                ),
            )

    @rpc
    async def UpdateShippingAddress(
        self, request: orders_pb2.UpdateShippingAddressRequest, context: grpc.aio.ServicerContext
    ) -> orders_pb2.Order:
        v = Violations()
        v.identifier("order_id", request.order_id)
        if not request.HasField("ship_to"):
            v.add("ship_to", "is required")
        address = address_from_proto(request.ship_to, "ship_to", v, need_position=True)
        if not request.ship_to.country_code:
            v.add("ship_to.country_code", "is required")
        v.raise_if_any()
        principal = await caller(context)
        await self.b.check_visible(principal, request.order_id)
        order = await self.b.command(request.order_id, "change_ship_to", address)
        return order_to_proto(order, internal_notes=principal.sees_everything)

    @rpc
    async def RescheduleDelivery(
        self, request: orders_pb2.RescheduleDeliveryRequest, context: grpc.aio.ServicerContext
    ) -> orders_pb2.Order:
        v = Violations()
        v.identifier("order_id", request.order_id)
        day = v.coming_day("deliver_from", request.deliver_from) if request.HasField("deliver_from") else ""
        v.raise_if_any()
        principal = await caller(context)
        await self.b.check_visible(principal, request.order_id)
        order = await self.b.command(request.order_id, "reschedule_delivery", day)
        return order_to_proto(order, internal_notes=principal.sees_everything)

    @rpc
    async def GetRiskRules(
        self, request: orders_pb2.GetRiskRulesRequest, context: grpc.aio.ServicerContext
    ) -> orders_pb2.RiskRules:
        current = await self.risk_rules.get()
        return risk_rules_to_proto(current.rules, current.version)

    @rpc
    async def SetRiskRules(
        self, request: orders_pb2.SetRiskRulesRequest, context: grpc.aio.ServicerContext
    ) -> orders_pb2.RiskRules:
        v = Violations()
        expected = v.rules_update(request, "rules", "GetRiskRules")
        rules = risk_rules_from_proto(request.rules, v)
        v.raise_if_any()
        written = await self.risk_rules.set(rules, expected_version=expected)
        return risk_rules_to_proto(written.rules, written.version)


def _channel_denied(principal: Principal, request: orders_pb2.CreateOrderRequest) -> PermissionDeniedError | None:
    """A channel key places orders for its own channel only. An unset or unknown channel is left
    to validation, which names it as a bad field."""
    channel = CHANNELS.get(request.channel)
    if channel is None or principal.places_orders_for(channel):
        return None
    return PermissionDeniedError(f"this key places orders for its own channel only, not {channel.value}")


def _basic_view(v: Violations, view: int) -> bool:
    """Whether ``view`` asks for the basic answer (an unknown value is a violation)."""
    basic = BASIC_VIEW.get(view)
    if basic is None:
        v.add("view", f"unknown value {view}")
    return bool(basic)


def _answer(order: Order, *, basic: bool, staff: bool) -> orders_pb2.Order:
    """``staff``: internal notes too, in the full view (the basic one has no notes)."""
    return order_basic_to_proto(order) if basic else order_to_proto(order, internal_notes=staff)
