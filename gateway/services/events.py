"""EventService: follow every change of orders, shipments, payments, invoices and returns.

A consumer gets each event once, in order per order, and resumes from the
cursor of the last event it saw. A channel key sees its channel's events and
a customer token its own; an agent sees all.
"""

from __future__ import annotations

from typing import AsyncIterator

import grpc

from gateway import limits
from gateway.auth.access import caller
from gateway.auth.principal import Principal
from gateway.convert import Violations, event_to_proto
from gateway.errors import rpc_stream
from gateway.services.backend import Backend
from oms_actors.domain.enums import Channel
from oms_actors.domain.events import OrderEvent
from oms_actors.store.events import EventCursor, EventReader
from protos.oms.v1 import events_pb2, events_pb2_grpc

FOLLOW_BLOCK_MS = 1_000  # how long one read waits for new events while following
PAGE = 500
_CHANNELS = {c.value for c in Channel}


def _sees(principal: Principal, event: OrderEvent) -> bool:
    """The same scope as reading the order the event is about."""
    return event.channel in _CHANNELS and principal.sees_order(
        channel=Channel(event.channel), customer_id=event.customer_id
    )


class EventService(events_pb2_grpc.EventServiceServicer):
    def __init__(self, backend: Backend) -> None:
        self.b = backend
        self.reader = EventReader(backend.orders.client, backend.actors.topology.order_shards)

    @rpc_stream
    async def WatchEvents(
        self, request: events_pb2.WatchEventsRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[events_pb2.Event]:
        v = Violations()
        v.count("types", request.types, at_most=64)
        for i, t in enumerate(request.types):
            v.text(f"types[{i}]", t, max_len=64)
        v.identifier("customer_id", request.customer_id, required=False)
        if request.limit < 0:
            v.add("limit", "0 (no limit) or more")
        if len(request.after) > limits.MAX_TEXT_LEN * 8:
            v.add("after", "not a cursor of this stream")
        v.raise_if_any()
        cursor = EventCursor.parse(request.after, self.reader.order_shards)
        principal = await caller(context)
        types = tuple(request.types)
        sent = 0
        while True:
            batch = await self.reader.read(cursor, count=PAGE, block_ms=FOLLOW_BLOCK_MS if request.follow else None)
            for shard, entry_id, index, of, event in batch:
                cursor = cursor.at(shard, entry_id, index + 1, of)
                if types and not any(event.type == t or (t.endswith(".") and event.type.startswith(t)) for t in types):
                    continue
                if request.customer_id and event.customer_id != request.customer_id:
                    continue
                if not _sees(principal, event):
                    continue
                yield event_to_proto(str(cursor), event)
                sent += 1
                if request.limit and sent >= request.limit:
                    return
            if not batch and not request.follow:
                return
