"""What every servicer of one gateway process shares: actors, stores, caches, the batcher."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gateway import limits
from gateway.auth.principal import Principal, Role
from gateway.backorders import BackorderRuns
from gateway.convert import Violations, create_order_from_proto
from oms_actors.batcher import MicroBatcher
from oms_actors.direct import DirectActor
from oms_actors.domain.commands import CreateOrder
from oms_actors.domain.errors import order_not_found
from oms_actors.domain.order import Order
from oms_actors.domain.partitioning import idempotency_shard
from oms_actors.inventory_shard import AvailabilityView
from oms_actors.payments import Payments, build_payments
from oms_actors.routing import RoutingCache
from oms_actors.runtime import Actors
from oms_actors.store.capacity import CapacityLedger, CapacityLeft
from oms_actors.store.customers import CustomerStore
from oms_actors.store.network import NetworkCache
from oms_actors.store.orders import OrderStore
from oms_actors.store.tax_rates import TaxRatesCache, TaxRatesStore
from oms_actors.wire import CREATE_ORDERS, CREATE_OUTCOMES, ORDER, CreateOutcome
from protos.oms.v1 import orders_pb2

log = logging.getLogger(__name__)

# How long a network change waits for each shard to read it again before answering anyway.
NETWORK_REFRESH_S = 5.0


@dataclass
class Backend:
    """What every servicer of one gateway process shares."""

    actors: Actors
    orders: OrderStore
    customers: CustomerStore
    network: NetworkCache
    batcher: MicroBatcher[int, CreateOrder, CreateOutcome]
    routing: RoutingCache
    # Concurrent availability queries share one call per inventory shard.
    availability: MicroBatcher[int, tuple[str, ...], list[AvailabilityView]]
    # Read-only here: receivables and store credit for the customer view.
    payments: Payments
    backorders: BackorderRuns
    capacity: CapacityLeft
    # Capture's calls to the order shards and availability queries to the inventory
    # shards, over their sockets (oms_actors/direct.py).
    order_calls: list[DirectActor]
    inventory_calls: list[DirectActor]
    tax_rates: TaxRatesCache  # each listed country's rates, what orders to it may state

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
        min_batch: int = 1,
        linger_s: float = 0.0,
    ) -> Backend:
        # Over each order shard's socket, not through Ray: most of a small batch's fixed cost.
        order_calls = [DirectActor(actor) for actor in actors.orders]

        async def create_batch(shard: int, commands: list[CreateOrder]) -> list[CreateOutcome]:
            return CREATE_OUTCOMES.decode(await order_calls[shard].call("create_orders", CREATE_ORDERS.encode(commands)))

        batcher: MicroBatcher[int, CreateOrder, CreateOutcome] = MicroBatcher(
            create_batch,
            max_batch=max_batch,
            max_delay_s=max_delay_s,
            max_inflight=max_inflight,
            min_batch=min_batch,
            linger_s=linger_s,
        )
        inventory_calls = [DirectActor(actor) for actor in actors.inventory]

        async def availability_batch(shard: int, queries: list[tuple[str, ...]]) -> list[list[AvailabilityView]]:
            skus = sorted({sku for query in queries for sku in query})
            rows = await inventory_calls[shard].call("availability_view", skus)
            by_sku: dict[str, list[AvailabilityView]] = {}
            for row in rows:
                by_sku.setdefault(row[1], []).append(row)
            return [[row for sku in query for row in by_sku.get(sku, [])] for query in queries]

        return cls(
            actors=actors,
            orders=orders,
            customers=customers,
            network=network,
            batcher=batcher,
            routing=RoutingCache(network),
            availability=MicroBatcher(availability_batch, max_batch=256, max_delay_s=max_delay_s, max_inflight=2),
            payments=build_payments(orders.client),
            backorders=BackorderRuns(actors.orders),
            capacity=CapacityLeft(CapacityLedger(orders.client)),
            order_calls=order_calls,
            inventory_calls=inventory_calls,
            tax_rates=TaxRatesCache(TaxRatesStore(orders.client)),
        )

    def close_calls(self) -> None:
        """Closes the sockets to the shards; the actors keep serving other callers."""
        for calls in [*self.order_calls, *self.inventory_calls]:
            calls.close()

    async def network_changed(self) -> None:
        """After a change to locations, products or routing rules: this gateway and every
        order shard and sourcing worker read the network again before the change is
        answered, so orders placed after it are sourced with it, not up to a cache's age
        later. A shard that does not answer (restarting) reads it when it starts."""
        await self.network.refresh(force=True)
        actors = [*self.actors.orders, *self.actors.sourcing]
        answers = await asyncio.gather(
            *(asyncio.wait_for(a.refresh_network.remote(), NETWORK_REFRESH_S) for a in actors), return_exceptions=True
        )
        failed = [repr(answer) for answer in answers if isinstance(answer, BaseException)]
        if failed:
            log.warning("%d shards did not read the network change (%s); they will within their cache's age", len(failed), failed)

    def stock_arrived(self, skus: list[str]) -> None:
        """Backordered orders of these SKUs may be sourced now, oldest first (no wait)."""
        self.backorders.arrived(skus)

    async def command(self, order_id: str, method: str, *args: Any) -> Order:
        """A command on one order, ``OrderShard.<method>(order_id, *args)``, sent to the shard
        that owns it (over its socket where it can be, direct.py); the order it leaves."""
        owner = self.order_calls[self.orders.shard(order_id)]
        return ORDER.decode(await owner.call(method, order_id, *args))

    async def visible_order(
        self, principal: Principal, order_id: str, *, at: Callable[[Order], str] | None = None
    ) -> Order:
        """The order if the principal sees it; otherwise NOT_FOUND, the same as for no such order.

        ``at``: the location where a fulfilment step happens (receiving, inspecting a
        return). A location's system sees an order only for such a step, at its location."""
        order = await self.orders.get(order_id)
        if order is not None:
            if principal.sees_order(channel=order.channel, customer_id=order.customer_id):
                return order
            if at is not None and principal.role is Role.FULFILMENT and principal.acts_at(at(order)):
                return order
        raise order_not_found(order_id)

    async def check_visible(
        self, principal: Principal, order_id: str, *, at: Callable[[Order], str] | None = None
    ) -> None:
        """``visible_order`` for a command that reads the order itself: a principal who sees
        every order is not checked here (no read), as the command answers an unknown id
        with the same NOT_FOUND."""
        if not principal.sees_everything:
            await self.visible_order(principal, order_id, at=at)

    def order_shard_of_key(self, cmd: CreateOrder) -> int:
        return idempotency_shard(cmd.channel.value, cmd.idempotency_key, self.actors.topology.order_shards)

    async def validate_order(self, request: orders_pb2.CreateOrderRequest) -> CreateOrder:
        await self.network.refresh()
        skus = [line.sku for line in request.lines[: limits.MAX_ORDER_LINES] if line.sku]
        known = await self.network.known_skus(skus) if skus else set()
        pickup: dict[str, str] = {}
        if request.pickup_location_id:
            found = await self.network.known_locations([request.pickup_location_id])
            pickup = {lid: loc.country_code for lid, loc in found.items() if loc.active and loc.pickup_enabled}
        return create_order_from_proto(
            request, known_skus=known, pickup_locations=pickup, tax_rates=await self.tax_rates.get(),
            services=self.network.services() if request.shipping_service else (),
        )  # fmt: skip


def id_or_fail(field: str, value: str) -> None:
    v = Violations()
    v.identifier(field, value)
    v.raise_if_any()
