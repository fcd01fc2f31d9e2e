"""The gRPC servicers: validate at the edge, batch to the owning actors, read Redis directly."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Any

import grpc

from gateway import limits
from gateway.batcher import MicroBatcher
from gateway.convert import (
    CHANNELS,
    ORDER_STATUSES,
    Violations,
    create_order_from_proto,
    customer_from_proto,
    customer_to_proto,
    location_from_proto,
    order_to_proto,
    product_from_proto,
    stock_level_from_proto,
)
from gateway.errors import rpc, to_status
from oms_actors.domain.commands import CreateOrder
from oms_actors.domain.errors import NotFoundError, ValidationError
from oms_actors.domain.partitioning import idempotency_shard, shard_of
from oms_actors.wire import CREATE_ORDERS, CREATE_OUTCOMES, CreateOutcome
from oms_actors.runtime import Actors
from oms_actors.store.customers import CustomerStore
from oms_actors.store.network import NetworkCache
from oms_actors.store.orders import OrderFilter, OrderStore
from protos.oms.v1 import (
    customers_pb2,
    customers_pb2_grpc,
    inventory_pb2,
    inventory_pb2_grpc,
    orders_pb2,
    orders_pb2_grpc,
)


@dataclass
class Backend:
    """What every servicer of one gateway process shares."""

    actors: Actors
    orders: OrderStore
    customers: CustomerStore
    network: NetworkCache
    batcher: MicroBatcher[int, CreateOrder, CreateOutcome]

    @classmethod
    def create(
        cls,
        *,
        actors: Actors,
        orders: OrderStore,
        customers: CustomerStore,
        network: NetworkCache,
        max_batch: int = 256,
        max_delay_s: float = 0.001,
        max_inflight: int = 1,
    ) -> Backend:
        async def create_batch(shard: int, commands: list[CreateOrder]) -> list[CreateOutcome]:
            return CREATE_OUTCOMES.decode(await actors.orders[shard].create_orders.remote(CREATE_ORDERS.encode(commands)))

        batcher: MicroBatcher[int, CreateOrder, CreateOutcome] = MicroBatcher(
            create_batch, max_batch=max_batch, max_delay_s=max_delay_s, max_inflight=max_inflight
        )
        return cls(actors=actors, orders=orders, customers=customers, network=network, batcher=batcher)

    def order_shard_of_key(self, cmd: CreateOrder) -> int:
        return idempotency_shard(cmd.channel.value, cmd.idempotency_key, self.actors.topology.order_shards)

    async def validate_order(self, request: orders_pb2.CreateOrderRequest) -> CreateOrder:
        await self.network.refresh()
        skus = [line.sku for line in request.lines[: limits.MAX_ORDER_LINES] if line.sku]
        known = await self.network.known_skus(skus) if skus else set()
        pickup = set()
        if request.pickup_location_id:
            found = await self.network.known_locations([request.pickup_location_id])
            pickup = {lid for lid, loc in found.items() if loc.active and loc.pickup_enabled}
        return create_order_from_proto(request, known_skus=known, pickup_locations=pickup)


def _id_or_fail(field: str, value: str) -> None:
    v = Violations()
    v.identifier(field, value)
    v.raise_if_any()


class OrderService(orders_pb2_grpc.OrderServiceServicer):
    def __init__(self, backend: Backend) -> None:
        self.b = backend

    @rpc
    async def CreateOrder(
        self, request: orders_pb2.CreateOrderRequest, context: grpc.aio.ServicerContext
    ) -> orders_pb2.CreateOrderResponse:
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
        v.raise_if_any()
        pending: list[Any] = []
        for item in request.orders:
            try:
                cmd = await self.b.validate_order(item)
            except ValidationError as exc:
                pending.append(exc)
                continue
            pending.append(self.b.batcher.submit(self.b.order_shard_of_key(cmd), cmd))
        response = orders_pb2.CreateOrdersResponse()
        for p in pending:
            result = response.results.add()
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
                result.order.CopyFrom(order_to_proto(outcome.order))
                result.replayed = outcome.replayed
        return response

    @rpc
    async def GetOrder(self, request: orders_pb2.GetOrderRequest, context: grpc.aio.ServicerContext) -> orders_pb2.Order:
        _id_or_fail("order_id", request.order_id)
        order = await self.b.orders.get(request.order_id)
        if order is None:
            raise NotFoundError(f"order {request.order_id} not found", resource="order", resource_id=request.order_id)
        return order_to_proto(order)

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
        if not 0 <= request.page_size <= limits.MAX_PAGE_SIZE:
            v.add("page_size", f"between 1 and {limits.MAX_PAGE_SIZE} (0 for {limits.DEFAULT_PAGE_SIZE})")
        if len(request.page_token) > 512:
            v.add("page_token", "not a page token")
        v.raise_if_any()
        orders, token = await self.b.orders.list(
            OrderFilter(customer_id=request.customer_id, channel=channel, status=status),
            page_size=request.page_size or limits.DEFAULT_PAGE_SIZE,
            page_token=request.page_token,
        )
        return orders_pb2.ListOrdersResponse(orders=[order_to_proto(o) for o in orders], next_page_token=token)

    @rpc
    async def CancelOrder(
        self, request: orders_pb2.CancelOrderRequest, context: grpc.aio.ServicerContext
    ) -> orders_pb2.Order:
        v = Violations()
        v.identifier("order_id", request.order_id)
        v.text("reason", request.reason)
        v.raise_if_any()
        shard = self.b.orders.shard(request.order_id)
        order = await self.b.actors.orders[shard].cancel_order.remote(request.order_id, request.reason)
        return order_to_proto(order)


class InventoryService(inventory_pb2_grpc.InventoryServiceServicer):
    def __init__(self, backend: Backend) -> None:
        self.b = backend

    @rpc
    async def UpsertLocations(
        self, request: inventory_pb2.UpsertLocationsRequest, context: grpc.aio.ServicerContext
    ) -> inventory_pb2.UpsertLocationsResponse:
        v = Violations()
        v.count("locations", request.locations, at_least=1, at_most=limits.MAX_BULK_ITEMS)
        locations = [location_from_proto(m, f"locations[{i}]", v) for i, m in enumerate(request.locations)]
        _no_duplicates(v, "locations", [m.location_id for m in request.locations], "location_id")
        v.raise_if_any()
        await self.b.network.store.upsert_locations([loc for loc in locations if loc is not None])
        await self.b.network.refresh(force=True)
        return inventory_pb2.UpsertLocationsResponse(upserted=len(locations))

    @rpc
    async def UpsertProducts(
        self, request: inventory_pb2.UpsertProductsRequest, context: grpc.aio.ServicerContext
    ) -> inventory_pb2.UpsertProductsResponse:
        v = Violations()
        v.count("products", request.products, at_least=1, at_most=limits.MAX_BULK_ITEMS)
        products = [product_from_proto(m, f"products[{i}]", v) for i, m in enumerate(request.products)]
        _no_duplicates(v, "products", [m.sku for m in request.products], "sku")
        v.raise_if_any()
        await self.b.network.store.upsert_products(products)
        await self.b.network.refresh(force=True)
        return inventory_pb2.UpsertProductsResponse(upserted=len(products))

    @rpc
    async def SetStock(
        self, request: inventory_pb2.SetStockRequest, context: grpc.aio.ServicerContext
    ) -> inventory_pb2.SetStockResponse:
        v = Violations()
        v.count("levels", request.levels, at_least=1, at_most=limits.MAX_BULK_ITEMS)
        changes = [stock_level_from_proto(m, f"levels[{i}]", v) for i, m in enumerate(request.levels)]
        _no_duplicates(v, "levels", [f"{c.location_id}|{c.sku}" for c in changes], "(location_id, sku)")
        await self.b.network.refresh()
        known_skus = await self.b.network.known_skus([c.sku for c in changes])
        known_locs = await self.b.network.known_locations([c.location_id for c in changes])
        for i, c in enumerate(changes):
            if c.location_id and c.location_id not in known_locs:
                v.add(f"levels[{i}].location_id", f"unknown location {c.location_id!r}")
            if c.sku and c.sku not in known_skus:
                v.add(f"levels[{i}].sku", f"unknown SKU {c.sku!r}")
        v.raise_if_any()
        shards = self.b.actors.inventory
        by_shard: dict[int, list[Any]] = defaultdict(list)
        for c in changes:
            by_shard[shard_of(c.sku, len(shards))].append(c)
        # Absolute levels: a retry after a partial failure converges, it never double-counts.
        counts = await asyncio.gather(*(shards[i].set_levels.remote(by_shard[i]) for i in sorted(by_shard)))
        return inventory_pb2.SetStockResponse(applied=sum(counts))

    @rpc
    async def GetAvailability(
        self, request: inventory_pb2.GetAvailabilityRequest, context: grpc.aio.ServicerContext
    ) -> inventory_pb2.GetAvailabilityResponse:
        v = Violations()
        v.count("skus", request.skus, at_least=1, at_most=limits.MAX_AVAILABILITY_SKUS)
        for i, sku in enumerate(request.skus):
            v.identifier(f"skus[{i}]", sku)
        v.count("location_ids", request.location_ids, at_most=limits.MAX_BULK_ITEMS)
        for i, lid in enumerate(request.location_ids):
            v.identifier(f"location_ids[{i}]", lid)
        v.raise_if_any()
        known = await self.b.network.known_skus(list(request.skus))
        for i, sku in enumerate(request.skus):
            if sku not in known:
                v.add(f"skus[{i}]", f"unknown SKU {sku!r}")
        v.raise_if_any()
        shards = self.b.actors.inventory
        by_shard: dict[int, list[str]] = defaultdict(list)
        for sku in dict.fromkeys(request.skus):
            by_shard[shard_of(sku, len(shards))].append(sku)
        order = sorted(by_shard)
        rows = await asyncio.gather(
            *(shards[i].availability.remote(by_shard[i], list(request.location_ids) or None) for i in order)
        )
        per_sku: dict[str, list[inventory_pb2.LocationAvailability]] = defaultdict(list)
        for shard_rows in rows:
            for loc, sku, on_hand, reserved, safety in shard_rows:
                per_sku[sku].append(
                    inventory_pb2.LocationAvailability(
                        location_id=loc,
                        on_hand=on_hand,
                        reserved=reserved,
                        safety_stock=safety,
                        available=max(0, on_hand - reserved - safety),
                    )
                )
        response = inventory_pb2.GetAvailabilityResponse()
        for sku in dict.fromkeys(request.skus):
            locs = sorted(per_sku.get(sku, []), key=lambda r: r.location_id)
            response.skus.add(sku=sku, available=sum(r.available for r in locs), locations=locs)
        return response


class CustomerService(customers_pb2_grpc.CustomerServiceServicer):
    def __init__(self, backend: Backend) -> None:
        self.b = backend

    @rpc
    async def UpsertCustomer(
        self, request: customers_pb2.UpsertCustomerRequest, context: grpc.aio.ServicerContext
    ) -> customers_pb2.Customer:
        v = Violations()
        if not request.HasField("customer"):
            v.add("customer", "is required")
            v.raise_if_any()
        customer = customer_from_proto(request.customer, v)
        v.raise_if_any()
        assert customer is not None
        now = int(time.time() * 1000)
        existing = await self.b.customers.get(customer.customer_id)
        created = existing.created_at_ms if existing is not None else now
        stored = replace(customer, created_at_ms=created, updated_at_ms=now)
        await self.b.customers.put(stored)
        return customer_to_proto(stored)

    @rpc
    async def GetCustomer(
        self, request: customers_pb2.GetCustomerRequest, context: grpc.aio.ServicerContext
    ) -> customers_pb2.Customer:
        _id_or_fail("customer_id", request.customer_id)
        customer = await self.b.customers.get(request.customer_id)
        if customer is None:
            raise NotFoundError(
                f"customer {request.customer_id} not found", resource="customer", resource_id=request.customer_id
            )
        return customer_to_proto(customer)


def _no_duplicates(v: Violations, field: str, ids: list[str], what: str) -> None:
    seen: dict[str, int] = {}
    for i, value in enumerate(ids):
        if value in seen:
            v.add(f"{field}[{i}]", f"duplicate {what} of {field}[{seen[value]}]")
        seen.setdefault(value, i)
