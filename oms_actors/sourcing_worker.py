"""SourcingWorker: turns a batch of orders into reservations at the cheapest provable plan.

Stateless between calls; any worker can take any batch. Per batch it makes one
availability call and one reserve call per inventory shard (in parallel),
whatever the number of orders, and solves every order with ``optimizer``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
import os
import time
from collections import defaultdict
from typing import Any, Awaitable, Iterable, Sequence

import optimizer
from oms_actors import gc_tuning, promising
from oms_actors.direct import DirectActor
from oms_actors.domain.enums import DeliveryMode
from oms_actors.domain.inbound import add_days, utc_today
from oms_actors.domain.network import Product
from oms_actors.domain.order import LineAllocation, SourcingExplanation, SourcingResult
from oms_actors.domain.partitioning import shard_of
from oms_actors.domain.seen_stock import SeenStock
from oms_actors.domain.sourcing import SourcingRequest
from oms_actors.domain.stock import ReservationRequest, available_units
from oms_actors.metrics import StageTimer
from oms_actors.routing import RoutingCache, RoutingView
from oms_actors.store.capacity import CapacityLedger
from oms_actors.store.connection import connect_async
from oms_actors.store.network import NetworkCache, NetworkStore
from oms_actors.topology import Topology
from oms_actors.wire import RESERVE_BATCH, SOURCING_REQUESTS, SOURCING_RESULTS, ReserveBatch

log = logging.getLogger(__name__)

# SKUs per call when reading the catalogue's availability ahead of new orders.
WARM_CHUNK = 1_000
# Most SKUs whose availability a sourcer keeps between batches (OMS_SEEN_SKUS): at a
# few dozen locations per SKU and about 100 bytes a location, 20,000 SKUs take some 60 MB.
SEEN_SKUS = int(os.environ.get("OMS_SEEN_SKUS", 20_000))

# A concurrent batch may take stock between our availability read and our
# reserve; the refused orders are sourced again against fresh availability.
MAX_ATTEMPTS = 4


def to_demand(req: SourcingRequest, products: dict[str, Product]) -> optimizer.Demand:
    return optimizer.Demand(
        id=req.order_id,
        channel=req.channel.value,
        delivery_mode="pickup" if req.delivery_mode is DeliveryMode.PICKUP else "ship",
        dest_lat=req.door.latitude,
        dest_lon=req.door.longitude,
        pickup_site=req.door.pickup_location_id or None,
        lines=tuple(
            optimizer.DemandLine(
                sku=line.sku,
                qty=line.quantity,
                weight_g=products[line.sku].weight_grams if line.sku in products else 0,
            )
            for line in req.lines
            if line.quantity > 0
        ),
        max_shipments=1 if req.ship_complete else None,
    )


def _only_kept(req: SourcingRequest) -> SourcingResult:
    """The plan of an order nothing more could be sourced for: what it keeps at the
    locations it was released to (they may be picking it), nothing else."""
    return SourcingResult(
        order_id=req.order_id,
        allocations={line.line_number: line.kept for line in req.lines if line.kept},
        explanation=None,
    )


def _skus_by_shard(requests: Sequence[SourcingRequest], shards: int) -> dict[int, set[str]]:
    by_shard: dict[int, set[str]] = defaultdict(set)
    for req in requests:
        for line in req.lines:
            by_shard[shard_of(line.sku, shards)].add(line.sku)
    return by_shard


def _cannot_source(demand: optimizer.Demand, error: optimizer.InstanceError) -> None:
    log.error("order %s cannot be sourced: %s", demand.id, error)


def _avoiding(req: SourcingRequest, demand: optimizer.Demand, sites: Iterable[str]) -> optimizer.Demand:
    """The demand sent from no location that declined to ship the order (its supply on the way
    included: ``promising.demand_with`` extends ``only_sites`` by location)."""
    if not req.avoid:
        return demand
    allowed = demand.only_sites if demand.only_sites is not None else frozenset(sites)
    return dataclasses.replace(demand, only_sites=allowed - frozenset(req.avoid))


def _explain(decision: optimizer.Decision, demand: optimizer.Demand) -> SourcingExplanation:
    cost = decision.plan.cost
    # The optimizer counts a surcharge as unit cost; the explanation tells lateness apart.
    extra = dict(demand.site_surcharge)
    late = sum(a.qty * extra.get(a.location, 0) for a in decision.plan.allocations) if extra else 0
    return SourcingExplanation(
        status=str(decision.status),
        unit_cost=cost.units - late,
        late_cost=late,
        shipment_cost=cost.shipments,
        unfilled_cost=cost.unfilled,
        bound=decision.bound,
        greedy_cost=decision.greedy_cost,
        solver=decision.solver,
        shipments=len({a.location for a in decision.plan.allocations if a.qty > 0}),
    )


class SourcingWorker:
    def __init__(
        self, redis_url: str, topology: Topology, *, time_limit_s: float = 0.5, network: NetworkCache | None = None
    ) -> None:
        """``network``: the cache of the process it runs in, when inline in an order shard
        (one copy of locations, products and rules per process, refreshed once)."""
        gc_tuning.tune()
        self.topology = topology
        self.time_limit_s = time_limit_s
        client = connect_async(redis_url)
        self.network = network if network is not None else NetworkCache(NetworkStore(client))
        self.routing = RoutingCache(self.network)
        self.capacity = CapacityLedger(client)
        self._inventory: list[DirectActor] | None = None
        self.seen = SeenStock(limit=SEEN_SKUS)
        # Promise sites seen this day under this network version (promising.promise_pass ``known``).
        self._promise_sites: tuple[tuple[str, int], dict[str, optimizer.Site]] = (("", -1), {})
        self._warming: asyncio.Task[None] | None = None
        self.timer = StageTimer()

    def ping(self) -> str:
        return "ok"

    async def refresh_network(self) -> int:
        """Reads locations, products and rules again now (see OrderShard.refresh_network)."""
        await self.network.refresh(force=True)
        return self.network.version

    def stats(self) -> dict[str, Any]:
        return {"stages": self.timer.snapshot()}

    def inventory_calls(self) -> list[DirectActor]:
        """The inventory shards, called over their sockets where they can be (direct.py)."""
        if self._inventory is None:
            import ray

            self._inventory = [
                DirectActor(ray.get_actor(Topology.inventory_name(i), namespace=self.topology.namespace))
                for i in range(self.topology.inventory_shards)
            ]
        return self._inventory

    async def source(self, payload: bytes, new: bool = False) -> bytes:
        """Sources a batch (``wire.SOURCING_REQUESTS``); answers ``wire.SOURCING_RESULTS`` in order.
        ``new``: orders just accepted, which hold nothing anywhere yet."""
        requests = SOURCING_REQUESTS.decode(payload)
        with self.timer.stage("source", len(requests)):
            return SOURCING_RESULTS.encode(await self.source_requests(requests, new=new))

    async def read_availability(self, requests: Sequence[SourcingRequest], *, new: bool = False) -> list[Any]:
        """The stock rows of every SKU the requests name: one call per inventory shard, in parallel.

        Reads only, so the order shard starts it while the orders are still being
        saved and passes it to ``source_requests`` as ``prefetched``. ``new``: orders
        just accepted; what is read for them is kept for later batches (``self.seen``)."""
        shards = self.inventory_calls()
        skus_by_shard = _skus_by_shard(requests, len(shards))
        ids = [r.order_id for r in requests]
        with self.timer.stage("availability", len(requests)):
            if new:  # nothing to credit them with: kept, so later batches of new orders can plan without a read
                if self._warming is None:
                    self._warming = asyncio.ensure_future(self._warm())
                rows = await asyncio.gather(*(self._read_seen(i, sorted(skus_by_shard[i])) for i in sorted(skus_by_shard)))
            else:
                rows = await asyncio.gather(
                    *(shards[i].call("availability", sorted(skus_by_shard[i]), None, ids) for i in sorted(skus_by_shard))
                )
        return [row for shard_rows in rows for row in shard_rows]

    async def _read_seen(self, shard: int, skus: list[str]) -> list[Any]:
        epoch, as_of, rises, rows = await self.inventory_calls()[shard].call("availability_seen", skus)
        self.seen.learn(epoch, as_of, rises, rows)
        return rows

    async def _warm(self) -> None:
        """Reads the availability of every product not seen yet, a chunk at a time, once new
        orders start coming: a catalogue's long tail would otherwise be read batch by batch."""
        try:
            await self.routing.view()  # the products, read once the network is
            n = len(self.inventory_calls())
            unseen: dict[int, list[str]] = defaultdict(list)
            for sku in sorted(self.network.products):
                if not self.seen.covers([sku]):
                    unseen[shard_of(sku, n)].append(sku)
            for i, skus in sorted(unseen.items()):
                for start in range(0, len(skus), WARM_CHUNK):
                    if self.seen.full:  # a larger catalogue: the rest is read as orders ask
                        return
                    await self._read_seen(i, skus[start : start + WARM_CHUNK])
        except Exception as exc:  # noqa: BLE001 - an optimisation: batches read what they need
            log.info("reading the catalogue's availability ahead of orders failed (%s)", exc)

    def plans_without_reading(self, requests: Sequence[SourcingRequest]) -> bool:
        """Whether ``source_requests`` can plan these new orders from availability read
        earlier (it has seen all their SKUs): then there is nothing to prefetch."""
        return self.seen.covers(line.sku for req in requests for line in req.lines)

    async def source_requests(
        self, requests: Sequence[SourcingRequest], *, prefetched: Awaitable[list[Any]] | None = None, new: bool = False
    ) -> list[SourcingResult]:
        """Sources the requests; ``prefetched``: ``read_availability`` of the same requests, begun
        earlier. ``new``: orders just accepted, which hold nothing anywhere yet: they may be
        planned from availability read for earlier batches (an order that holds units must
        be planned from a read that credits it with them)."""
        view = await self.routing.view()
        results: dict[str, SourcingResult] = {}
        pending = list(requests)
        for attempt in range(MAX_ATTEMPTS):
            if not pending:
                break
            rows = None
            if attempt == 0 and prefetched is not None:
                try:
                    rows = await prefetched
                except Exception as exc:  # noqa: BLE001 - read again below
                    log.info("prefetched availability failed (%s); reading it again", exc)
            # A retry always reads afresh: what was refused was planned from stale availability.
            refused = await self._attempt(pending, view, results, rows, new=new, from_seen=new and attempt == 0 and rows is None)
            pending = [r for r in pending if r.order_id in refused]
            if pending:
                log.info("attempt %d: %d orders lost stock to a concurrent batch; sourcing again", attempt + 1, len(pending))
        for req in pending:  # still contended after every attempt: backorder the rest
            log.warning("order %s: stock still contended after %d attempts; backordered", req.order_id, MAX_ATTEMPTS)
            results[req.order_id] = _only_kept(req)
        if view.capacity:
            # Orders left with only what was released to locations (contended, stranded)
            # give back the rest of the day's capacity they used.
            fell_back = [r.order_id for r in requests if results[r.order_id].explanation is None]
            await asyncio.gather(*(self.capacity.shrink(oid, results[oid].units_by_location()) for oid in fell_back))
        return [results[r.order_id] for r in requests]

    async def _attempt(
        self,
        requests: list[SourcingRequest],
        view: RoutingView,
        results: dict[str, SourcingResult],
        rows: list[Any] | None = None,
        *,
        new: bool = False,
        from_seen: bool = False,
    ) -> set[str]:
        sites = view.sites
        # A pickup store closed since the order was accepted: nothing can be promised there now.
        stranded = [r for r in requests if r.delivery_mode is DeliveryMode.PICKUP and r.door.pickup_location_id not in sites]
        for r in stranded:
            results[r.order_id] = _only_kept(r)
        requests = [r for r in requests if r.order_id not in results]
        if not requests:
            return set()
        shards = self.inventory_calls()
        n = len(shards)
        skus_by_shard = _skus_by_shard(requests, n)
        seen: dict[int, tuple[str, dict[str, int]] | None] = {}
        if rows is None and from_seen and self.plans_without_reading(requests):
            seen = {i: self.seen.seen(skus) for i, skus in skus_by_shard.items()}
        if seen and all(s is not None for s in seen.values()):
            stock = {key: units for key, units in self.seen.stock(sorted(set().union(*skus_by_shard.values()))).items() if key[0] in sites}
        else:
            seen = {}
            if rows is None:
                rows = await self.read_availability(requests, new=new)
            # Rows read for more orders than are left (the stranded ones) only add SKUs no plan asks for.
            stock = {
                (loc, sku): available_units(on_hand, reserved, safety)
                for loc, sku, on_hand, reserved, safety in rows
                if loc in sites
            }
        # Availability credits each order with what it holds; units it keeps at a
        # location it was released to are spoken for, not free to plan again.
        for req in requests:
            for line in req.lines:
                for loc, qty in line.still_held().items():
                    if (loc, line.sku) in stock:
                        stock[(loc, line.sku)] = max(0, stock[(loc, line.sku)] - qty)
        to_plan = [r for r in requests if any(line.quantity > 0 for line in r.lines)]
        demands = [to_demand(r, self.network.products) for r in to_plan]
        if any(r.door.service for r in to_plan):
            demands = self._with_services(to_plan, demands, view)
        if view.rules.late_delivery_unit_cost and any(r.deliver_by for r in to_plan):
            demands = self._with_deadlines(to_plan, demands, view)
        if any(r.avoid for r in to_plan):
            demands = [_avoiding(r, d, sites) for r, d in zip(to_plan, demands)]
        capacity = None
        mine: dict[str, dict[str, int]] = {}
        days: dict[str, str] = {}
        if view.capacity:
            # What is left of each location's day, crediting what these orders already use
            # (a re-sourced order may keep its units where it has them). The take below
            # checks each order exactly; one a concurrent batch crowded out is sourced again.
            day = await self.capacity.view(view.capacity, [r.order_id for r in requests], days=view.days(view.capacity))
            capacity, mine, days = day.credited(), day.mine, day.days
        with self.timer.stage("solve", len(demands)):
            # An order the optimizer refuses (stored with an address it cannot place) answers
            # None and keeps what it has; it does not hold up the rest of the batch.
            solved = optimizer.source_orders(
                demands, sites, stock, view.rules, time_limit_s=self.time_limit_s, capacity=capacity, on_invalid=_cannot_source
            )
        if view.rules.inbound_horizon_days and any(d is not None and d.plan.unfilled for d in solved):
            solved, demands = await self._promise(to_plan, demands, solved, sites, stock, view, capacity)
        decided = {r.order_id: d for r, d in zip(to_plan, solved) if d is not None}
        demand_of = {r.order_id: d for r, d in zip(to_plan, demands)}
        for r, d in zip(to_plan, solved):
            if d is None:  # an order no plan can be made for: it keeps what it has, nothing more
                results[r.order_id] = _only_kept(r)
        requests = [r for r in requests if r.order_id not in results]
        if not requests:
            return set()

        by_shard: dict[int, list[ReservationRequest]] = defaultdict(list)
        planned: dict[str, SourcingResult] = {}
        for req in requests:
            decision = decided.get(req.order_id)
            line_of = {line.sku: line for line in req.lines}
            planned_units: dict[int, dict[str, int]] = defaultdict(dict)
            for a in decision.plan.allocations if decision else ():
                if a.qty > 0:
                    planned_units[line_of[a.sku].line_number][a.location] = a.qty
            allocations: dict[int, list[LineAllocation]] = defaultdict(list)
            for line in req.lines:
                units = dict(planned_units.get(line.line_number, {}))
                kept = {k.location_id: k.quantity for k in line.kept}
                held = line.still_held()
                for loc in sorted(set(units) | set(kept)):
                    allocations[line.line_number].append(
                        LineAllocation(location_id=loc, quantity=units.get(loc, 0) + kept.get(loc, 0))
                    )
                for loc in sorted(set(units) | set(held)):
                    by_shard[shard_of(line.sku, n)].append(
                        ReservationRequest(
                            order_id=req.order_id,
                            line_number=line.line_number,
                            location_id=loc,
                            sku=line.sku,
                            quantity=units.get(loc, 0) + held.get(loc, 0),
                            keep=view.keep(req.channel.value, loc) if loc in units else 0,
                        )
                    )
            planned[req.order_id] = SourcingResult(
                order_id=req.order_id,
                allocations={k: tuple(v) for k, v in allocations.items()},
                explanation=_explain(decision, demand_of[req.order_id]) if decision else None,
            )
        # Every shard holding any of an order's SKUs gets its complete holding
        # there, possibly none: a line now backordered gives back what it held.
        orders_by_shard: dict[int, list[str]] = defaultdict(list)
        for req in requests:
            for i in sorted({shard_of(line.sku, n) for line in req.lines}):
                orders_by_shard[i].append(req.order_id)
        shard_ids = sorted(orders_by_shard)
        with self.timer.stage("reserve", len(requests)):
            # The answers say where each shard's change count stands, so the reservations
            # of new orders can be taken off availability kept for later batches.
            marked = await asyncio.gather(
                *(
                    shards[i].call("reserve_seen", RESERVE_BATCH.encode(self._reserve_batch(i, orders_by_shard, by_shard, seen)))
                    for i in shard_ids
                )
            )
        refused: set[str] = set()
        for _, _, refused_here in marked:
            refused.update(refused_here)
        if new:
            for i, (epoch, as_of, refused_here) in zip(shard_ids, marked):
                if seen:  # planned from what was kept: the SKUs of what this shard refused are read again
                    self.seen.forget({req.sku for req in by_shard.get(i, []) if req.order_id in refused_here})
                # An order a capacity check refuses below gives its units back: a rise the
                # shard counts, so what is kept here for its SKUs is read again before use.
                self.seen.took(
                    epoch, as_of, ((r.location_id, r.sku, r.quantity) for r in by_shard.get(i, []) if r.order_id not in refused)
                )
        if view.capacity:
            later = {r.order_id for r in requests if r.scheduled}
            today = {oid: plan for oid, plan in planned.items() if oid not in later}
            refused |= await self._take_capacity(today, refused, view, mine, days)
            # Not leaving today: no day of a location is theirs yet (a use from before they were
            # scheduled is given back); the day they are released, they take their own.
            await asyncio.gather(*(self.capacity.release(oid) for oid in later if oid in planned and oid not in refused))
        if refused:
            # All-or-nothing across shards: give back what other shards granted, down to
            # what the orders keep at locations they were released to (those locations
            # may be picking it; the orders' records still list it).
            holders = sorted(i for i in shard_ids if refused.intersection(orders_by_shard[i]))
            kept: dict[int, list[ReservationRequest]] = defaultdict(list)
            for req in requests:
                if req.order_id in refused:
                    for line in req.lines:
                        for loc, qty in line.still_held().items():
                            kept[shard_of(line.sku, n)].append(
                                ReservationRequest(
                                    order_id=req.order_id, line_number=line.line_number, location_id=loc, sku=line.sku, quantity=qty
                                )
                            )
            back = await asyncio.gather(
                *(
                    shards[i].call(
                        "reserve",
                        RESERVE_BATCH.encode(
                            ReserveBatch(orders=sorted(refused.intersection(orders_by_shard[i])), requests=kept.get(i, []))
                        )
                    )
                    for i in holders
                )
            )
            if any(back):  # a shrink of an order's own holding cannot be short of stock
                log.error("giving back to what refused orders keep was refused: %s", [b for b in back if b])
        for oid, result in planned.items():
            if oid not in refused:
                results[oid] = result
        return refused

    def _with_services(
        self, requests: list[SourcingRequest], demands: list[optimizer.Demand], view: RoutingView
    ) -> list[optimizer.Demand]:
        """The demands of orders that asked for a carrier service, each sent only from the
        locations offering it, each parcel costing what the service costs there beyond the
        location's shipment cost. None offering it: the units wait, as for stock."""
        out = []
        for req, demand in zip(requests, demands):
            if req.door.service:
                offered = {
                    site_id: service
                    for site_id in view.sites
                    if (location := self.network.locations.get(site_id)) is not None
                    and (service := location.shipping.service(req.door.service)) is not None
                }
                demand = dataclasses.replace(
                    demand,
                    only_sites=frozenset(offered),
                    shipment_surcharge=tuple((s, svc.parcel_cost_minor) for s, svc in offered.items() if svc.parcel_cost_minor),
                )
            out.append(demand)
        return out

    def _with_deadlines(
        self,
        requests: list[SourcingRequest],
        demands: list[optimizer.Demand],
        view: RoutingView,
        sites: Iterable[str] | None = None,
    ) -> list[optimizer.Demand]:
        """The demands of orders that asked for a day, each site that would deliver later priced
        by the days it misses it (``RoutingRules.late_delivery_unit_cost`` per unit and day):
        the network's locations, or ``sites`` (supply on its way: promise sites), added to
        what the demands are priced at already."""
        promiser = self.network.promiser(int(time.time() * 1000))
        rate = view.rules.late_delivery_unit_cost
        sites = list(view.sites if sites is None else sites)
        out = []
        for req, demand in zip(requests, demands):
            if req.deliver_by:
                asked = dt.date.fromisoformat(req.deliver_by)
                extra = []
                for site_id in sites:
                    day = promiser.arrival_day(site_id, req.door)
                    if day is not None and day > asked:
                        extra.append((site_id, (day - asked).days * rate))
                demand = dataclasses.replace(demand, site_surcharge=demand.site_surcharge + tuple(extra))
            out.append(demand)
        return out

    async def _promise(
        self,
        to_plan: list[SourcingRequest],
        demands: list[optimizer.Demand],
        solved: list[optimizer.Decision | None],
        sites: dict[str, optimizer.Site],
        stock: dict[tuple[str, str], int],
        view: RoutingView,
        capacity: dict[str, int] | None,
    ) -> tuple[list[optimizer.Decision | None], list[optimizer.Demand]]:
        """The orders on-hand stock left short, planned again with the supply on its way
        (``promising.promise_pass``); one read per inventory shard, crediting each order
        with what it was promised before. With the demands as priced then (a day asked for
        prices the supply's sites too), which the plans' explanations are of."""
        short = [r for r, d in zip(to_plan, solved) if d is not None and d.plan.unfilled]
        today = utc_today()
        until = add_days(today, view.rules.inbound_horizon_days)
        shards = self.inventory_calls()
        skus_by_shard = _skus_by_shard(short, len(shards))
        ids = [r.order_id for r in short]
        with self.timer.stage("promise", len(short)):
            rows = await asyncio.gather(
                *(shards[i].call("inbound_availability", sorted(skus_by_shard[i]), until, ids) for i in sorted(skus_by_shard))
            )
            if self._promise_sites[0] != (today, view.version):  # a new day, or other locations or rules
                self._promise_sites = ((today, view.version), {})
            inbound = [row for shard_rows in rows for row in shard_rows]
            if view.rules.late_delivery_unit_cost and any(r.deliver_by for r in short):
                # Supply on its way delivers later than stock: a day asked for prices it too.
                coming = {row[0] for row in inbound}.union(self._promise_sites[1])
                demands = self._with_deadlines(to_plan, demands, view, sites=sorted(coming))
            decisions = promising.promise_pass(
                demands, solved, sites, stock, view.rules, inbound,
                today=today, capacity=capacity, time_limit_s=self.time_limit_s, on_invalid=_cannot_source,
                known=self._promise_sites[1],
            )  # fmt: skip
            return decisions, demands

    def _reserve_batch(
        self,
        shard: int,
        orders_by_shard: dict[int, list[str]],
        by_shard: dict[int, list[ReservationRequest]],
        seen: dict[int, tuple[str, dict[str, int]] | None],
    ) -> ReserveBatch:
        mark = seen.get(shard)
        return ReserveBatch(
            orders=orders_by_shard[shard],
            requests=by_shard.get(shard, []),
            epoch=mark[0] if mark else "",
            seen=mark[1] if mark else None,
        )

    async def _take_capacity(
        self,
        planned: dict[str, SourcingResult],
        refused: set[str],
        view: RoutingView,
        mine: dict[str, dict[str, int]],
        days: dict[str, str],
    ) -> set[str]:
        """Records each reserved plan's use of today's capacity; answers the orders a
        concurrent batch left no room for (their reservations are given back by the caller).

        The plans were made with the batch's own use of today pooled, so one order may
        have planned units another still records; the scripts run in pipeline order, so
        the orders that give capacity back go first and those that take more go last.
        ``days``: the capped locations' days the plans were made for; a location without
        capacity is recorded on its own current day."""
        capacity = view.capacity

        def growth(oid: str) -> int:
            before = mine.get(oid, {})
            return sum(u for loc, u in planned[oid].units_by_location().items() if loc in capacity) - sum(before.values())

        takers = sorted((oid for oid in planned if oid not in refused), key=growth)
        takes = [(oid, planned[oid].units_by_location()) for oid in takers]
        answers = await asyncio.gather(
            *(self.capacity.take(oid, units, capacity, days={**view.days(units), **days}) for oid, units in takes)
        )
        crowded = {oid for oid, full in zip(takers, answers) if full}
        if crowded:
            log.info("%d orders found a location's day full since it was read; sourcing again", len(crowded))
        return crowded
