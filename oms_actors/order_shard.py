"""OrderShard: the single writer of the orders whose id hashes to it.

It decides idempotency keys, accepts orders durably, has them sourced, and
drives every later transition. An async actor: while one batch waits for
sourcing, the next batch is accepted. Two things keep that safe: a key being
decided is parked in ``_pending`` before the first ``await``, and every
transition of an existing order holds that order's lock.

Durability order, always: write the new version to Redis, then replace it in
memory, then answer. A restarted shard rebuilds from Redis and its reconciler
re-drives any order a crash left between two steps.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
import os
import time
from collections import defaultdict
from typing import Any, AsyncIterator, Callable, Iterable, Sequence

import redis

from oms_actors import gc_tuning
from oms_actors.batcher import MicroBatcher
from oms_actors.direct import DirectActor, DirectServer, Endpoint
from oms_actors.domain.commands import Address, CreateOrder, LineInput
from oms_actors.domain.customer import Customer
from oms_actors.domain.delivery import Promiser
from oms_actors.domain.enums import DeliveryMode, OrderStatus, PaymentMethod
from oms_actors.domain.errors import (
    ErrorRecord,
    FailedPreconditionError,
    FieldViolation,
    IdempotencyConflictError,
    NotFoundError,
    OmsError,
    UnavailableError,
    ValidationError,
    no_such_shipment,
    order_not_found,
)
from oms_actors.domain.fulfilment import ShortageReason, UndeliveredReason
from oms_actors.domain.inbound import utc_today
from oms_actors.domain.money import Money
from oms_actors.domain.order import ALLOWED, STEP_RELEASE, STEP_SHORTAGE, ApprovalStatus, Command, Order, SourcingResult
from oms_actors.domain.partitioning import idempotency_shard, new_order_id, shard_of
from oms_actors.domain.payment_state import OverdueNotice, PaymentStatus, Receipt
from oms_actors.domain.records import evolve
from oms_actors.domain.return_policy import DAY_MS
from oms_actors.domain.returns import (
    AWAITING_REPAIR,
    SENDS_ITEMS,
    UNCOLLECTED,
    UNREPAIRABLE,
    WITHDRAWN,
    DeskRow,
    Disposition,
    Resolution,
    ReturnRecord,
    ReturnStatus,
    desk_backlog,
    desk_order,
)
from oms_actors.domain.risk import held_for_declines_alone
from oms_actors.domain.sourcing import SourcingRequest
from oms_actors.domain.stock import available_units
from oms_actors.event_loop import loop_name
from oms_actors.metrics import StageTimer
from oms_actors.order_effects import OrderEffects, PaymentFlow, next_step
from oms_actors.payment_flow import build_payment_flow
from oms_actors.recent import RecentKeys
from oms_actors.routing import RoutingCache, promisable_units
from oms_actors.sourcing_worker import SourcingWorker
from oms_actors.store.connection import connect_async
from oms_actors.store.customers import CustomerStore
from oms_actors.store.network import NetworkCache, NetworkStore
from oms_actors.store.orders import IdempotencyRecord, OrderStore
from oms_actors.store.return_policy import ReturnPolicyCache, ReturnPolicyStore
from oms_actors.topology import Topology
from oms_actors.wire import CREATE_ORDERS, CREATE_OUTCOMES, ORDER, SOURCING_REQUESTS, SOURCING_RESULTS, CreateOutcome

log = logging.getLogger(__name__)

RECONCILE_EVERY_S = 2.0
# An ACCEPTED order older than this with no step in flight was left by a crash.
STUCK_AFTER_MS = 2_000
# Backorders are sourced again when stock arrives, and every this many reconcile ticks
# (at most BACKORDER_BATCH of them, oldest first), so none waits forever for a trigger.
BACKORDER_EVERY_TICKS = 30
BACKORDER_BATCH = 200
MAX_STEPS_PER_DRIVE = 64
# How long capture waits for payment authorisation before leaving it to the background.
INLINE_ASSESS_S = float(os.environ.get("OMS_INLINE_ASSESS_S", "0.2"))
# Saves of single orders (commands, steps) that arrive while others are being written
# go together in one transaction, at most this many.
SAVE_BATCH = 128
SAVES_IN_FLIGHT = 4
# What callers on the same node reach over the shard's socket (direct.py): capture, the
# commands the gateways send for one order, and a location's fulfilment list.
SERVED_DIRECTLY = (
    "create_orders", "cancel_order", "cancel_lines", "review_order", "confirm_shipment",
    "confirm_delivery", "fulfilment_requests", "request_return", "receive_return", "inspect_return",
    "record_receipt", "note_overdue", "report_shortage", "change_ship_to", "hold_order", "grant_goodwill",
    "add_note", "erase_personal_data", "replace_payment_instrument", "returns_at", "settle_replacement",
    "cancel_return", "complete_repair", "track_return", "declare_beyond_repair", "estimate_shipment",
    "return_undelivered", "reschedule_delivery",
)  # fmt: skip
# Idempotency keys a shard remembers; a retry of an older one costs a Redis read.
IDEMPOTENCY_CACHE = int(os.environ.get("OMS_IDEMPOTENCY_CACHE", "200000"))
PAYMENT_UPDATED = "payment-updated"
RETURNS_TO_HANDLE = frozenset({ReturnStatus.AUTHORIZED, ReturnStatus.RECEIVED})  # a returns desk's list  # who approves an order once its declined payments are paid another way


def now_ms() -> int:
    return int(time.time() * 1000)


class KeyedLocks:
    """One asyncio lock per key, dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._users: defaultdict[str, int] = defaultdict(int)

    def hold(self, key: str) -> contextlib.AbstractAsyncContextManager[None]:
        return self.hold_many((key,))

    @contextlib.asynccontextmanager
    async def hold_many(self, keys: Iterable[str]) -> AsyncIterator[None]:
        """All of the keys' locks, taken in sorted order (so two callers never deadlock)."""
        ordered = sorted(set(keys))
        for key in ordered:
            self._locks.setdefault(key, asyncio.Lock())
            self._users[key] += 1
        taken: list[asyncio.Lock] = []
        try:
            for key in ordered:
                lock = self._locks[key]
                await lock.acquire()
                taken.append(lock)
            yield
        finally:
            for lock in reversed(taken):
                lock.release()
            for key in ordered:
                self._users[key] -= 1
                if not self._users[key]:
                    del self._users[key]
                    del self._locks[key]

    def busy(self, key: str) -> bool:
        return key in self._locks

    def held(self) -> list[str]:
        """Keys held or waited for now (diagnostics)."""
        return sorted(self._locks)


_REDIS_DOWN = (redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError)


class OrderShard:
    def __init__(self, shard: int, redis_url: str, topology: Topology, *, reconcile: bool = True) -> None:
        gc_tuning.tune()
        self.shard = shard
        self.topology = topology
        self.store = OrderStore(connect_async(redis_url), topology.order_shards)
        self.orders: dict[str, Order] = {}
        # Keys decided lately; older ones are read from the shard's idempotency hash when
        # they come again, so memory does not grow with every order ever placed.
        self.idem: RecentKeys[tuple[str, str], IdempotencyRecord] = RecentKeys(IDEMPOTENCY_CACHE)
        # (channel, key) -> (order id, content hash, answer) while the key is being decided
        self._pending: dict[tuple[str, str], tuple[str, str, asyncio.Future[CreateOutcome]]] = {}
        self._locks = KeyedLocks()
        self._loaded: asyncio.Task[None] | None = None
        self._reconcile = reconcile
        self._reconciler: asyncio.Task[None] | None = None
        self._workers: Any = None
        self._inventory: list[DirectActor] | None = None
        self._peers: dict[int, DirectActor] = {}  # other order shards, for replacement orders
        self.timer = StageTimer()
        self.customers = CustomerStore(self.store.client)
        self.network = NetworkCache(NetworkStore(self.store.client))
        self._routing = RoutingCache(self.network)  # what a channel may be promised (exchanges asked for)
        self.return_policy = ReturnPolicyCache(ReturnPolicyStore(self.store.client))
        self._inline = (
            SourcingWorker(redis_url, topology, network=self.network) if topology.sourcing_workers == 0 else None
        )
        self.payments: PaymentFlow = build_payment_flow(self.store.client)
        self._effects_: OrderEffects | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        # Group commit: every save of one order goes through here, and the ones that meet
        # in a turn of the loop share one script call (its round trip and its overhead).
        self._saves: MicroBatcher[None, tuple[Order, Order], BaseException | None] = MicroBatcher(
            self._save_batch, max_batch=SAVE_BATCH, max_delay_s=0.0, max_inflight=SAVES_IN_FLIGHT
        )
        # The gateways' calls come over a socket, not through Ray (see direct.py): capture
        # and the commands on placed orders. Each is idempotent, as a retried call needs.
        self.direct = DirectServer(self, SERVED_DIRECTLY)
        # Orders still accepted or with steps pending: all the reconciler needs to look at.
        self._attention: set[str] = set()
        # New orders whose first save failed on the way back (the connection lost): Redis
        # may have written them all the same, and a retry of the key then answers the
        # stored order. The reconciler reads them back and keeps those that were written.
        self._uncertain: set[str] = set()
        # Placed orders whose last save failed on the way back: Redis may hold that change
        # or not, so memory may be behind it. Each is read back before it is used again,
        # since a change made to the older copy and saved would overwrite the newer one.
        self._unsure: set[str] = set()
        # Open, sourced orders with backordered units, by SKU backordered: what arriving
        # stock may fill, found without a pass over every order in memory.
        self._backordered: dict[str, set[str]] = {}
        # Open orders with units released to a location and not yet shipped from it, by
        # location: its fulfilment list, found without a pass over every order in memory.
        self._to_ship: dict[str, set[str]] = {}
        # Open orders with returns on their way to a location or received there and not yet
        # inspected, by location: its returns desk's list (``returns_at``).
        self._returning: dict[str, set[str]] = {}
        # Open orders awaiting a promised delivery: the late ones are among them (the metrics).
        self._awaiting: set[str] = set()

    # -- wiring ---------------------------------------------------------------

    async def _ready(self) -> None:
        if self._loaded is None:
            self._loaded = asyncio.create_task(self._load())
        try:
            await asyncio.shield(self._loaded)
        except Exception:
            self._loaded = None  # let the next call try again
            raise

    async def _load(self) -> None:
        try:
            orders = await self.store.load_shard(self.shard)
            await self.return_policy.get()  # read once here, so a refresh that fails has one to keep
        except _REDIS_DOWN as exc:
            raise UnavailableError(f"order shard {self.shard}: cannot load: redis unavailable", dependency="redis") from exc
        self.orders = {}
        self._attention.clear()
        self._backordered.clear()
        self._to_ship.clear()
        self._returning.clear()
        self._awaiting.clear()
        for order in orders:
            self._remember(order)
        self.idem.clear()
        gc_tuning.tune(freeze=True)  # the loaded partition stays; the collector need not walk it
        log.info("order shard %d: loaded %d orders", self.shard, len(orders))
        if self._reconcile and self._reconciler is None:
            self._reconciler = asyncio.create_task(self._reconcile_forever())

    def _actors(self) -> tuple[Any, list[DirectActor]]:
        """The sourcing workers (in turn) and the inventory shards, the latter called over
        their sockets where they can be; inline sourcing's own calls share them."""
        if self._inventory is None:
            import ray

            workers = [
                ray.get_actor(Topology.sourcing_name(i), namespace=self.topology.namespace)
                for i in range(self.topology.sourcing_workers)
            ]
            self._workers = itertools.cycle(workers) if workers else None
            self._inventory = (
                self._inline.inventory_calls()
                if self._inline is not None
                else [
                    DirectActor(ray.get_actor(Topology.inventory_name(i), namespace=self.topology.namespace))
                    for i in range(self.topology.inventory_shards)
                ]
            )
        assert self._inventory is not None
        return self._workers, self._inventory

    def _peer(self, shard: int) -> DirectActor:
        if shard not in self._peers:
            import ray

            self._peers[shard] = DirectActor(ray.get_actor(Topology.order_name(shard), namespace=self.topology.namespace))
        return self._peers[shard]

    def _remember(self, order: Order) -> None:
        """The in-memory copy, whether the reconciler should look at the order, and what it waits for.

        A finished order (cancelled, rejected, closed, nothing pending) leaves memory: it is
        durable, reads come from the store, and a command on it is read back to be refused,
        so a shard's memory holds its open orders, not every order it ever took."""
        previous = self.orders.get(order.order_id)
        if order.finished:
            self.orders.pop(order.order_id, None)
        else:
            self.orders[order.order_id] = order
        if order.status is OrderStatus.ACCEPTED or order.pending:
            self._attention.add(order.order_id)
        else:
            self._attention.discard(order.order_id)
        known = previous is not None
        _reindex(self._backordered, order.order_id, _waits_for(previous) if known else set(), _waits_for(order))
        _reindex(self._to_ship, order.order_id, _ships_from(previous) if known else set(), _ships_from(order))
        if order.returns or (known and previous.returns):  # (capture's orders have none: no work there)
            _reindex(self._returning, order.order_id, _returns_to(previous) if known else set(), _returns_to(order))
        if order.awaits_promised_delivery:
            self._awaiting.add(order.order_id)
        else:
            self._awaiting.discard(order.order_id)

    async def refresh_network(self) -> int:
        """Reads locations, products and rules again now, not when the cache next checks:
        the gateway calls it after a change so that orders placed after it see it."""
        await self.network.refresh(force=True)  # the inline sourcer's cache too: it is the same
        return self.network.version

    async def ping(self) -> int:
        await self._ready()
        return self.shard

    async def direct_endpoint(self) -> Endpoint | None:
        return await self.direct.endpoint()

    def stats(self) -> dict[str, Any]:
        stages = self.timer.snapshot()
        if self._inline is not None:
            stages.update({f"sourcing: {k}": v for k, v in self._inline.timer.snapshot().items()})
        saves = self._saves.stats
        # Open orders awaiting a promised delivery, and of them those late today (a line
        # re-sourced or reported past its promise, or its promised day gone by).
        awaiting, late = self._deliveries(utc_today())
        return {
            "shard": self.shard,
            "orders": len(self.orders),
            "stages": stages,
            "direct": dict(self.direct.served),
            "single_saves": {"batches": saves.batches, "orders": saves.items},
            "event_loop": loop_name(),
            # What the reconciler sees: orders it should look at, those it must skip while
            # their lock is held, and whether it runs (it starts once the shard has loaded).
            "attention": len(self._attention),
            "uncertain": len(self._uncertain),
            "unsure": len(self._unsure),
            "locked": self._locks.held()[:20],
            "reconciler": "none" if self._reconciler is None else ("stopped" if self._reconciler.done() else "running"),
            # What its orders' returns desks still have to handle, by location (the index of
            # returns to handle: open orders only, so a scrape costs no pass over every order).
            "returns": desk_backlog(
                r
                for order_id in set().union(*self._returning.values())
                if (order := self.orders.get(order_id)) is not None
                for r in order.returns
            ),
            "awaiting_delivery": awaiting,
            "late": late,
        }

    async def count_open(
        self, channel: str, created_from_ms: int | None, created_before_ms: int | None, today: str
    ) -> tuple[int, int, dict[str, int]]:
        """(open orders awaiting a promised delivery, of them late on ``today``, reason -> open
        orders with units waiting for it) of the channel ("": every one), created in ``[from,
        before)``: from memory, as the metrics count them; one call for a dashboard's figures."""
        await self._ready()
        awaiting, late = self._deliveries(today, channel, created_from_ms, created_before_ms)
        return awaiting, late, self._waiting(channel, created_from_ms, created_before_ms)

    def _deliveries(
        self, today: str, channel: str = "", created_from_ms: int | None = None, created_before_ms: int | None = None
    ) -> tuple[int, int]:
        awaiting = late = 0
        for order_id in self._awaiting:
            order = self.orders.get(order_id)
            if order is None or not _counted(order, channel, created_from_ms, created_before_ms):
                continue
            awaiting += 1
            late += order.is_late(today)
        return awaiting, late

    def _waiting(self, channel: str, created_from_ms: int | None, created_before_ms: int | None) -> dict[str, int]:
        """Reason -> open orders with units waiting for it (``Order.release_waits_for``): memory holds the open orders."""
        waiting: dict[str, int] = {}
        for order in self.orders.values():
            if _counted(order, channel, created_from_ms, created_before_ms):
                for reason in order.release_waits_for:
                    waiting[reason.value] = waiting.get(reason.value, 0) + 1
        return waiting

    # -- commands -------------------------------------------------------------

    async def create_orders(self, payload: bytes) -> bytes:
        """Accepts a batch (``wire.CREATE_ORDERS``); each command succeeds or fails on its own,
        answers (``wire.CREATE_OUTCOMES``) in command order."""
        return CREATE_OUTCOMES.encode(await self.place_orders(CREATE_ORDERS.decode(payload)))

    async def place_orders(self, commands: Sequence[CreateOrder]) -> list[CreateOutcome]:
        await self._ready()
        with self.timer.stage("create_orders", len(commands)):
            return await self._place_orders(commands)

    async def _place_orders(self, commands: Sequence[CreateOrder]) -> list[CreateOutcome]:
        outcomes: list[CreateOutcome | asyncio.Future[CreateOutcome] | None] = [None] * len(commands)
        fresh: list[tuple[int, CreateOrder]] = []
        parked: list[tuple[str, str]] = []
        replays: list[tuple[int, str]] = []  # a retry of a placed order: answered with it
        unknown = [
            key for key in {(c.channel.value, c.idempotency_key) for c in commands}
            if key not in self.idem and key not in self._pending
        ]  # fmt: skip
        customers: dict[str, Customer] = {}
        if unknown:
            # Decided longer ago than memory holds, or never: the hash says which. Nothing
            # awaits between here and parking the fresh keys below, so a key another batch
            # parks or records meanwhile is seen by the loop. The same read brings the
            # customers the fresh orders will need (only fresh keys are unknown).
            asked = set(unknown)
            decided, customers = await self.store.decided_and_customers(
                self.shard,
                unknown,
                sorted({c.customer_id for c in commands if (c.channel.value, c.idempotency_key) in asked}),
            )
            self.idem.update(decided)
        for i, cmd in enumerate(commands):
            key = (cmd.channel.value, cmd.idempotency_key)
            digest = cmd.content_hash()
            record = self.idem.get(key)
            if record is None and key in self._pending:
                pending_id, pending_hash, _ = self._pending[key]
                record = IdempotencyRecord(order_id=pending_id, content_hash=pending_hash)
            if record is not None:
                if record.content_hash != digest:
                    outcomes[i] = _failed(_conflict(cmd, record.order_id))
                elif key in self._pending:
                    outcomes[i] = self._pending[key][2]  # same order still being placed: share its answer
                else:
                    replays.append((i, record.order_id))
                continue
            order_id = new_order_id(self.shard, self.topology.order_shards)
            self._pending[key] = (order_id, digest, asyncio.get_running_loop().create_future())
            parked.append(key)
            fresh.append((i, cmd))
        try:
            for i, order_id in replays:
                outcomes[i] = CreateOutcome(order=await self._get(order_id), replayed=True)
            if fresh:
                await self._place(fresh, outcomes, customers)
        finally:
            for key in parked:
                _, _, fut = self._pending.pop(key)
                if not fut.done():
                    fut.set_result(_failed(UnavailableError("order placement interrupted", dependency="oms")))
        results: list[CreateOutcome] = []
        for out in outcomes:
            if isinstance(out, asyncio.Future):
                shared = await out
                results.append(CreateOutcome(order=shared.order, replayed=True, error=shared.error))
            else:
                assert out is not None
                results.append(out)
        return results

    async def _accept(
        self, candidates: list[tuple[int, Order]], outcomes: list[Any], records: dict[str, Customer]
    ) -> list[tuple[int, Order]]:
        """Checks the customers and saves the orders that pass; answers the others in ``outcomes``.

        The goal first: accepted orders are durable before anything is reserved for
        them or authorised. ``records``: the batch's customers that exist."""
        accepted: list[tuple[int, Order]] = []
        for i, order in candidates:
            if order.customer_id not in records:
                out = _failed(ValidationError.of([FieldViolation(field="customer_id", description="unknown customer")]))
            else:
                accepted.append((i, order))
                continue
            outcomes[i] = out
            self._pending[(order.channel.value, order.idempotency_key)][2].set_result(out)
        if not accepted:
            return []
        try:
            with self.timer.stage("save accepted", len(accepted)):
                await self.store.save(self.shard, [(o, None) for _, o in accepted])
        except _REDIS_DOWN:
            for i, order in accepted:
                self._uncertain.add(order.order_id)
                out = _failed(
                    UnavailableError("redis unavailable; retry with the same idempotency key", dependency="redis")
                )
                outcomes[i] = out
                self._pending[(order.channel.value, order.idempotency_key)][2].set_result(out)
            return []
        return accepted

    async def _place(
        self, fresh: list[tuple[int, CreateOrder]], outcomes: list[Any], records: dict[str, Customer]
    ) -> None:
        """``records``: the fresh orders' customers that exist (read with their keys)."""
        policy = await self.return_policy.get()  # each order is sold under its channel's window now
        # ... and each line under its product's terms now (final sale, its own window).
        await self.network.refresh()
        if any(line.sku not in self.network.products for _, cmd in fresh for line in cmd.lines):
            await self.network.known_skus(sorted({line.sku for _, cmd in fresh for line in cmd.lines}))
        products = self.network.products
        now = now_ms()
        candidates = []
        for i, cmd in fresh:
            order_id, digest, _ = self._pending[(cmd.channel.value, cmd.idempotency_key)]
            accepted = Order.accept(
                cmd, order_id=order_id, now_ms=now, content_hash=digest,
                return_window_days=policy.window_days_for(cmd.channel.value), products=products,
            )  # fmt: skip
            candidates.append((i, accepted))
        # Reading availability reserves nothing, so it runs beside the save below; an
        # order refused on the way only added SKUs to the read.
        requests = {o.order_id: SourcingRequest.of(o) for _, o in candidates}
        prefetched = (
            asyncio.ensure_future(self._inline.read_availability(list(requests.values()), new=True))
            if self._inline is not None and not self._inline.plans_without_reading(list(requests.values()))
            else None
        )
        try:
            accepted = await self._accept(candidates, outcomes, records)
        except BaseException:
            await _drop(prefetched)
            raise
        if not accepted:
            await _drop(prefetched)
            return
        for _, order in accepted:
            self._remember(order)
            self.idem[(order.channel.value, order.idempotency_key)] = IdempotencyRecord(
                order_id=order.order_id, content_hash=order.content_hash
            )
        async with self._locks.hold_many(order.order_id for _, order in accepted):
            sourced = await self._source(
                [o for _, o in accepted],
                assess=True,
                new=True,
                requests=[requests[o.order_id] for _, o in accepted],
                prefetched=prefetched,
                customers=records,  # the one read serves the check above, the credit limits and the risk rules
            )
        for (i, order), final in zip(accepted, sourced):
            out = CreateOutcome(order=final)
            outcomes[i] = out
            self._pending[(order.channel.value, order.idempotency_key)][2].set_result(out)
        # Risk, payment authorisation and release follow at once, but after the answer:
        # a channel is told "accepted and reserved" without waiting for a card network.
        self._background(self._drive_in_background([o.order_id for o in sourced if next_step(o)]))

    def _background(self, work: Any) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _source(
        self,
        orders: list[Order],
        *,
        assess: bool = False,
        new: bool = False,
        requests: list[SourcingRequest] | None = None,
        prefetched: asyncio.Future | None = None,
        customers: dict[str, Customer] | None = None,
    ) -> list[Order]:
        """Sources and records the plans; on any failure the orders stay as they were for the reconciler.

        With ``assess`` (new orders), the payments are authorised while sourcing runs and
        the risk rules decide before the one save, so an order is usually approved and
        released by the time CreateOrder answers; an authorisation that fails or takes
        longer than INLINE_ASSESS_S leaves the step pending for the background. The risk
        rules' reads run beside sourcing too: they depend only on what the orders were
        accepted with. ``new``: orders just accepted, holding nothing yet. ``requests``: the
        orders' sourcing requests when the caller has them; ``prefetched``: the availability
        read it began for them; ``customers``: their customers' records when it has read them."""
        workers, _ = self._actors()
        if requests is None:
            requests = [SourcingRequest.of(o) for o in orders]
        side: list[asyncio.Future] = []
        if assess:
            effects = self._effects()
            if customers is None:
                customers = await effects.customers_of(orders)
            authorizing = asyncio.ensure_future(
                asyncio.wait_for(effects.authorize_many(orders, customers=customers), INLINE_ASSESS_S)
            )
            reading = asyncio.ensure_future(effects.read_risk(orders, now_ms(), customers=customers))
            side = [authorizing, reading]
        try:
            with self.timer.stage("sourcing", len(orders)):
                if self._inline is not None:
                    results = await self._inline.source_requests(requests, prefetched=prefetched, new=new)
                else:
                    results = SOURCING_RESULTS.decode(await next(workers).source.remote(SOURCING_REQUESTS.encode(requests), new))
        except Exception as exc:  # a dead worker or shard: the order is safe, sourcing is retried
            log.warning("order shard %d: sourcing failed (%s); left for the reconciler", self.shard, exc)
            for fut in side:
                fut.cancel()
            await asyncio.gather(*side, return_exceptions=True)
            await _drop(prefetched)
            return orders
        # Sourced by a worker elsewhere, this process may not have read the network yet.
        with contextlib.suppress(Exception):  # a stale copy only leaves estimates as they were
            await self.network.refresh()
        now = now_ms()
        promiser = self.network.promiser(now)
        updated = [_applied(o, r, now, promiser) for o, r in zip(orders, results)]
        if side:
            try:
                with self.timer.stage("inline assess", len(orders)):
                    decided = await self._effects().decide_many(updated, await authorizing, now, reads=await reading)
                updated = [d if isinstance(d, Order) else u for u, d in zip(updated, decided)]
            except Exception as exc:  # slow or failing provider: the background assesses them
                log.info("order shard %d: inline assessment left to the background (%s)", self.shard, exc)
                await asyncio.gather(*side, return_exceptions=True)  # nothing left running or unread
        try:
            with self.timer.stage("save sourced", len(updated)):
                await self.store.save(self.shard, list(zip(updated, orders)))
        except _REDIS_DOWN:
            log.warning("order shard %d: could not record sourcing; left for the reconciler", self.shard)
            self._unsure.update(o.order_id for o in updated)
            return orders
        for order in updated:
            self._remember(order)
        return updated

    async def get_order(self, order_id: str) -> Order:
        await self._ready()
        return await self._get(order_id)

    async def _get(self, order_id: str) -> Order:
        """The order: from memory while open, from the store once finished."""
        if order_id in self._unsure:
            try:
                await self._read_back([order_id])
            except _REDIS_DOWN as exc:
                raise UnavailableError("redis unavailable; retry with the same ids", dependency="redis") from exc
        order = self.orders.get(order_id)
        if order is None and self.store.shard(order_id) == self.shard:
            order = await self.store.get(order_id)
            if order is not None and not order.finished and order_id not in self.orders:
                self._adopt(order)
        if order is None:
            raise order_not_found(order_id)
        return order

    def _adopt(self, order: Order) -> None:
        """An open order the store has and memory lacks was written by a save whose answer
        was lost (``_uncertain``): this shard owns it, so it joins memory, and the reconciler
        takes it on from where it stands."""
        log.warning("order shard %d: order %s was written though its save failed; taken on", self.shard, order.order_id)
        self._uncertain.discard(order.order_id)
        self._remember(order)

    async def _settle_uncertain(self) -> None:
        """Reads back the orders whose first save failed on the way back: those written are
        taken on, the others were never placed (their keys place them anew)."""
        ids = [oid for oid in self._uncertain if oid not in self.orders]
        if not ids:
            self._uncertain.clear()
            return
        found = await self.store.get_many(ids)
        for order_id, order in zip(ids, found):
            if order_id in self.orders:  # taken on by a retry meanwhile
                continue
            if order is not None and not order.finished:
                self._adopt(order)
            self._uncertain.discard(order_id)

    async def _read_back(self, order_ids: list[str]) -> None:
        """Memory takes the stored versions of the orders whose last save's answer was lost."""
        ids = [oid for oid in order_ids if oid in self._unsure]
        if not ids:
            return
        for order_id, stored in zip(ids, await self.store.get_many(ids)):
            self._unsure.discard(order_id)
            current = self.orders.get(order_id)
            # Another caller may have read it back and moved it on while this one read.
            if stored is not None and (current is None or stored.version > current.version):
                self._remember(stored)

    # -- commands on existing orders --------------------------------------------

    async def _command(self, order_id: str, change: Callable[[Order], Order]) -> bytes:
        """Applies one command under the order's lock, saves it, then drives its steps;
        answers the order as it then is (``wire.ORDER``)."""
        await self._ready()
        async with self._locks.hold(order_id):
            order = await self._get(order_id)
            updated = change(order)
            if updated is not order:
                await self._save_one(updated, order)
            return ORDER.encode(await self._drive(updated))

    async def cancel_order(self, order_id: str, reason: str) -> bytes:
        def cancel(order: Order) -> Order:
            if order.status in (OrderStatus.CANCELLED, OrderStatus.REJECTED):
                return order  # a retry of a cancel that was already done
            return order.cancel(reason=reason, now_ms=now_ms())

        return await self._command(order_id, cancel)

    async def cancel_lines(
        self, order_id: str, line_numbers: list[int], reason: str, reduce_to: dict[int, int] | None = None
    ) -> bytes:
        def cancel(order: Order) -> Order:
            if line_numbers and not (
                all(1 <= n <= len(order.lines) for n in line_numbers)
                and all(order.line(n).active == order.line(n).shipped_quantity for n in line_numbers)
            ):  # (nothing left to cancel on those lines: a retry)
                order = order.cancel_lines(line_numbers, reason=reason, now_ms=now_ms())
            return order.reduce_lines(reduce_to, reason=reason, now_ms=now_ms()) if reduce_to else order

        return await self._command(order_id, cancel)

    async def review_order(self, order_id: str, approve: bool, reviewer: str, note: str) -> bytes:
        def review(order: Order) -> Order:
            reasons = (note,) if note else ()
            if approve:
                if order.approval.status is ApprovalStatus.APPROVED:
                    return order
                # Released now, maybe days after it was sourced: its lines leave from now.
                approved = order.approve(by=reviewer, reasons=reasons, now_ms=now_ms())
                return approved.reestimate(self.network.promiser(now_ms()), now_ms=now_ms())
            if order.approval.status is ApprovalStatus.REJECTED:
                return order
            return order.reject(reasons=reasons or ("rejected in review",), by=reviewer, now_ms=now_ms())

        if approve:
            await self._retry_declined(order_id)
            with contextlib.suppress(Exception):  # a stale copy only leaves estimates as they were
                await self.network.refresh()
        return await self._command(order_id, review)

    async def record_receipt(
        self, order_id: str, receipt_id: str, invoice_number: str, amount_minor: int, currency: str, received_at_ms: int
    ) -> bytes:
        """Money received on account against one of the order's invoices (the ledger recorded
        it first): on the order and in its events, once per receipt id."""
        receipt = Receipt(
            receipt_id=receipt_id,
            invoice_number=invoice_number,
            amount=Money(amount_minor=amount_minor, currency=currency),
            received_at_ms=received_at_ms,
        )
        return await self._command(order_id, lambda order: order.record_receipt(receipt, now_ms=now_ms()))

    async def note_overdue(
        self, order_id: str, invoice_number: str, due_at_ms: int, open_minor: int, currency: str
    ) -> bytes:
        """One of the order's invoices went past its due date unpaid (the gateway's sweep of
        the receivables): on the order and in its events, once per invoice."""
        notice = OverdueNotice(
            invoice_number=invoice_number,
            due_at_ms=due_at_ms,
            open=Money(amount_minor=open_minor, currency=currency),
            noticed_at_ms=now_ms(),
        )
        return await self._command(order_id, lambda order: order.note_overdue(notice, now_ms=now_ms()))

    async def replace_payment_instrument(self, order_id: str, payment_id: str, token: str, method: str = "") -> bytes:
        """A declined payment paid with another card or gift card (``method``: the one it is paid
        with from now, a PaymentMethod value; "": its own): the instrument is written first, then
        the payment asked for again (``_retry_declined``); paid, an order held for its declined
        payments alone goes on, as the customer did what the hold waited for."""
        new_method = PaymentMethod(method) if method else None
        await self._command(
            order_id, lambda order: order.replace_payment_instrument(payment_id, token, now_ms=now_ms(), method=new_method)
        )
        await self._retry_declined(order_id)

        def go_on_if_paid(order: Order) -> Order:
            if (
                order.approval.status is ApprovalStatus.HELD
                and order.payments_authorized
                and held_for_declines_alone(order.approval.reasons)
            ):
                return order.approve(by=PAYMENT_UPDATED, reasons=(f"{payment_id} paid with another instrument",), now_ms=now_ms())
            return order

        return await self._command(order_id, go_on_if_paid)

    async def _retry_declined(self, order_id: str) -> None:
        """A reviewer approving a held order whose payment was declined asks for the payment
        again first: the customer may have paid what it owed on account (BillingService) or
        fixed its card since. Each attempt has a key of its own (``PaymentRecord.attempts``);
        one declined again is recorded, and the approval then refuses, naming the decline."""
        await self._ready()
        async with self._locks.hold(order_id):
            order = await self._get(order_id)
            if order.approval.status is not ApprovalStatus.HELD or not any(
                p.status is PaymentStatus.DECLINED for p in order.payment_records
            ):
                return
            again = evolve(
                order,
                payment_records=tuple(
                    p.with_(declined_reason="") if p.status is PaymentStatus.DECLINED else p for p in order.payment_records
                ),
            )  # what to authorise, not a version of the order
            effects = self._effects()
            [records] = await effects.authorize_many([again], customers=await effects.customers_of([again]))
            if isinstance(records, BaseException):
                raise records
            updated = order.record_authorizations(records, now_ms=now_ms())
            await self._save_one(updated, order)

    async def confirm_shipment(
        self,
        order_id: str,
        shipment_id: str,
        location_id: str,
        quantities: dict[int, int],
        carrier: str,
        tracking: str,
        acting_at: str = "",
        pickup: bool = False,
    ) -> bytes:
        """``acting_at``: the location the caller is bound to ("" for none): an order that is
        not that location's work answers as one that does not exist. ``pickup``: the units are
        ready for collection at the order's own pickup location, not shipped."""

        def ship(order: Order) -> Order:
            _check_scope(order, acting_at)
            if pickup and (order.delivery_mode is not DeliveryMode.PICKUP or order.pickup_location_id != location_id):
                raise FailedPreconditionError(f"order {order_id} is not collected at {location_id}", code="NOT_A_PICKUP_HERE")
            location = self.network.locations.get(location_id)
            return order.ship(
                shipment_id=shipment_id,
                location_id=location_id,
                quantities=quantities,
                carrier=carrier,
                tracking=tracking,
                # As its pick list said: the order's service where the location offers it.
                shipping_service=location.shipping.sent_by(order.shipping_service) if location is not None else "",
                now_ms=now_ms(),
            )

        return await self._command(order_id, ship)

    async def report_shortage(
        self,
        order_id: str,
        shortage_id: str,
        location_id: str,
        quantities: dict[int, int],
        reason: str,
        acting_at: str = "",
    ) -> bytes:
        """Units released to the location that it cannot ship (missing or damaged): they leave
        its stock with their reservation, then the order is sourced again for them at once, so
        another location ships them or they wait as a backorder. ``acting_at`` as for
        confirm_shipment."""

        def short(order: Order) -> Order:
            _check_scope(order, acting_at)
            return order.report_shortage(
                shortage_id=shortage_id,
                location_id=location_id,
                quantities=quantities,
                reason=ShortageReason(reason),
                now_ms=now_ms(),
            )

        answer = await self._command(order_id, short)
        order = self.orders.get(order_id)
        if order is not None and any(line.backordered_quantity for line in order.lines) and not _shortage_pending(order):
            await self._resource([order])
            order = self.orders.get(order_id, order)
            return ORDER.encode(order)
        return answer

    async def hold_order(self, order_id: str, reviewer: str, reason: str) -> bytes:
        """A reviewer holds an approved order before anything ships (``Order.hold_for_review``):
        the locations' lists lose it until ReviewOrder approves it again."""
        return await self._command(order_id, lambda order: order.hold_for_review(by=reviewer, reason=reason, now_ms=now_ms()))

    async def grant_goodwill(
        self, order_id: str, goodwill_id: str, amount: int, reason: str, resolution: str, by: str
    ) -> bytes:
        """Money back without a return (``Order.appease``); the step pays it before the answer."""
        return await self._command(
            order_id,
            lambda order: order.appease(
                appeasement_id=goodwill_id, amount=amount, reason=reason, resolution=Resolution(resolution), by=by,
                now_ms=now_ms(),
            ),  # fmt: skip
        )

    async def erase_personal_data(self, order_id: str) -> bytes:
        return await self._command(order_id, lambda order: order.erase_personal_data(now_ms=now_ms()))

    async def add_note(self, order_id: str, note_id: str, text: str, internal: bool, by: str) -> bytes:
        return await self._command(
            order_id, lambda order: order.add_note(note_id=note_id, text=text, internal=internal, by=by, now_ms=now_ms())
        )

    async def change_ship_to(self, order_id: str, address: Address) -> bytes:
        """A new delivery address before anything shipped (``Order.change_ship_to``). Units no
        location was released yet are planned again for it at once (costs depend on where they
        go); released ones stay with their locations."""
        before = self.orders.get(order_id)
        answer = await self._command(order_id, lambda order: order.change_ship_to(address, now_ms=now_ms()))
        order = self.orders.get(order_id)
        if order is not None and order is not before and any(line.active > line.released_quantity for line in order.lines):
            await self._resource([order])
            return ORDER.encode(self.orders.get(order_id, order))
        return answer

    async def reschedule_delivery(self, order_id: str, day: str) -> bytes:
        """Another day for the order's delivery, or none (``Order.reschedule``): promised again
        from it; with none, released at once (its steps, driven after the save). A later day
        gives back the use of today's capacity (it takes its own the day it is released);
        released at once, it uses today's."""
        before = self.orders.get(order_id)
        answer = await self._command(
            order_id, lambda order: order.reschedule(day, now_ms=now_ms(), promiser=self.network.promiser(now_ms()))
        )
        order = self.orders.get(order_id)
        if order is not None and order is not before:
            if order.scheduled:
                await self._effects().capacity.release(order_id)
            else:
                await self._use_capacity_today([order_id])
        return answer

    async def confirm_delivery(self, order_id: str, shipment_id: str, acting_at: str = "") -> bytes:
        """``acting_at`` as for confirm_shipment; another location's shipment answers as one the
        order does not have."""

        def deliver(order: Order) -> Order:
            _check_scope(order, acting_at)
            shipment = order.shipment(shipment_id)
            # The location it left from, or the store it is collected at (sent there from a warehouse).
            if acting_at and shipment is not None and shipment.location_id != acting_at and not order.collected_at(acting_at):
                raise no_such_shipment(order_id, shipment_id)
            return order.deliver(shipment_id, now_ms=now_ms())

        return await self._command(order_id, deliver)

    async def estimate_shipment(self, order_id: str, shipment_id: str, day: str, reason: str, acting_at: str = "") -> bytes:
        """The carrier's estimate for a parcel (``Order.estimate_shipment``); scoped as confirm_delivery."""

        def estimate(order: Order) -> Order:
            _check_scope(order, acting_at)
            shipment = order.shipment(shipment_id)
            if acting_at and shipment is not None and shipment.location_id != acting_at:
                raise no_such_shipment(order_id, shipment_id)
            return order.estimate_shipment(shipment_id, day, reason=reason, now_ms=now_ms())

        return await self._command(order_id, estimate)

    async def return_undelivered(
        self,
        order_id: str,
        shipment_id: str,
        return_id: str,
        reason: str,
        resolution: str,
        location_id: str = "",
        ship_to: Address | None = None,
        note: str = "",
        acting_at: str = "",
    ) -> bytes:
        """A parcel came back undelivered (``Order.return_undelivered``), to ``location_id``:
        by default where it left from, or for a pickup the store holding it. ``acting_at``
        scopes it as confirm_delivery: a location reports its own parcels (the gateway lets it
        name no other location)."""
        if location_id:
            with contextlib.suppress(Exception):  # a stale copy still knows every location but the newest
                await self.network.refresh()
            known = self.network.locations.get(location_id)
            if known is None or not known.active:
                raise FailedPreconditionError(f"location {location_id} is unknown or inactive", code="UNKNOWN_LOCATION")

        def back(order: Order) -> Order:
            _check_scope(order, acting_at)
            shipment = order.shipment(shipment_id)
            if acting_at and shipment is not None and shipment.location_id != acting_at and not order.collected_at(acting_at):
                raise no_such_shipment(order_id, shipment_id)
            to = location_id or (order.pickup_location_id if order.delivery_mode is DeliveryMode.PICKUP else "")
            to = to or (shipment.location_id if shipment is not None else "")
            return order.return_undelivered(
                shipment_id, return_id=return_id, reason=UndeliveredReason(reason), resolution=Resolution(resolution),
                location_id=to, ship_to=ship_to, note=note, now_ms=now_ms(),
            )  # fmt: skip

        return await self._command(order_id, back)

    async def fulfilment_requests(
        self, location_id: str, limit: int, service: str = ""
    ) -> list[tuple[str, str, str, list[tuple[int, int]], str, bool]]:
        """(day to ship by, earliest day promised, order id, [(line, units)], carrier service,
        one parcel) released to the location and not yet shipped: what must leave first first
        (the day its promise needs it to leave here), then the earliest promise, then the oldest
        ("" for lines sold before promises, and where no day can be told). The service is the
        order's where the location offers it, else "" (its standard one); with ``service``, only
        the requests to send by it. One parcel: the order's ship_complete (never ship it in part)."""
        await self._ready()
        with contextlib.suppress(Exception):  # a stale copy only leaves ship-by days as they were
            await self.network.refresh()
        promiser = self.network.promiser(now_ms())
        found: list[tuple[str, str, int, str, list[tuple[int, int]], str, bool]] = []
        location = self.network.locations.get(location_id)
        sent_by = location.shipping.sent_by if location is not None else lambda _: ""
        for order_id in self._to_ship.get(location_id, ()):
            order = self.orders[order_id]
            by = sent_by(order.shipping_service)
            if service and by != service:
                continue
            lines = [(line, units) for line in order.lines if (units := line.unshipped_at(location_id)) > 0]
            promised = min((line.promised_on or "" for line, _ in lines), default="")
            ship_by = promiser.ship_by(location_id, promised, order.door()) if promised else ""
            units = [(line.line_number, n) for line, n in lines]
            found.append((ship_by, promised, order.created_at_ms, order_id, units, by, order.ship_complete))
        first = heapq.nsmallest(limit, found)
        return [(ship_by, promised, order_id, units, by, whole) for ship_by, promised, _, order_id, units, by, whole in first]

    # -- returns ------------------------------------------------------------------

    async def returns_at(
        self, location_id: str, statuses: list[str], limit: int, after: tuple[int, str, str] | None = None
    ) -> list[DeskRow]:
        """The oldest ``limit`` returns of these statuses at the location ("": at every location)
        (to be brought there, or received there and not inspected; ``AWAITING_REPAIR``: received
        there with units at repair), after ``after`` (requested at, order id, return id):
        (requested at, order id, currency, return, its lines' unit prices)."""
        await self._ready()
        repairs = AWAITING_REPAIR in statuses
        wanted = {ReturnStatus(s) for s in statuses if s != AWAITING_REPAIR}
        order_ids = self._returning.get(location_id, set()) if location_id else set().union(*self._returning.values())
        found = [
            (r.requested_at_ms, order.order_id, order.currency, r, order.unit_prices(r))
            for order_id in order_ids
            if (order := self.orders.get(order_id)) is not None
            for r in order.returns
            if r.location_id and r.location_id == (location_id or r.location_id)
            and (r.status in wanted or (repairs and r.awaiting_repair))
            and (after is None or (r.requested_at_ms, order.order_id, r.return_id) > tuple(after))
        ]  # fmt: skip
        return heapq.nsmallest(limit, found, key=desk_order)

    async def request_return(
        self,
        order_id: str,
        return_id: str,
        lines: dict[int, tuple[int, str, str]],
        channel: str,
        location_id: str,
        exchanges: dict[int, str] | None = None,
        reason_codes: dict[int, str] | None = None,
    ) -> bytes:
        """``exchanges``: line -> the SKU wanted in its place, for EXCHANGE lines;
        ``reason_codes``: line -> its ReturnReason value, where one was given."""
        await self.network.refresh()
        try:
            placed: Order | None = await self._get(order_id)
        except NotFoundError:
            placed = None  # the command below answers for it
        skus = {line.sku for line in placed.lines} if placed is not None else set()
        known = await self.network.known_skus(sorted(skus | set((exchanges or {}).values())))
        non_returnable = frozenset(s for s in known if not self.network.products[s].returnable)
        styles = {s: self.network.products[s].style for s in known}
        # Checked before the return is recorded; a unit sold between this read and the
        # reservation leaves the exchange backordered, not lost.
        wanted = sorted(set((exchanges or {}).values()) & known)
        sold_out = await self._sold_out(placed, wanted) if wanted and placed is not None else frozenset()
        policy = await self.return_policy.get()
        return await self._command(
            order_id,
            lambda order: order.request_return(
                return_id=return_id,
                lines={n: (q, reason, Resolution(res)) for n, (q, reason, res) in lines.items()},
                channel=channel,
                location_id=location_id,
                window_ms=order.return_window_ms(policy.window_ms(order.channel.value)),
                non_returnable=non_returnable,
                now_ms=now_ms(),
                exchanges=exchanges,
                styles=styles,
                keep_below=policy.keep_it_below,
                reason_codes=reason_codes,
                sold_out=sold_out,
                restocking_fee=policy.restocking_fee_bps_for,
            ),
        )

    async def complete_repair(self, order_id: str, return_id: str, carrier: str, tracking: str) -> bytes:
        return await self._command(
            order_id, lambda order: order.complete_repair(return_id, carrier=carrier, tracking=tracking, now_ms=now_ms())
        )

    async def declare_beyond_repair(self, order_id: str, return_id: str, resolution: str, reason: str) -> bytes:
        return await self._command(
            order_id,
            lambda order: order.declare_beyond_repair(
                return_id, resolution=Resolution(resolution), reason=reason, now_ms=now_ms()
            ),
        )

    async def _sold_out(self, order: Order, skus: list[str]) -> frozenset[str]:
        """Of ``skus``, those no location may promise the order's replacement a unit of now:
        as GetAvailability answers the order's channel (``routing.promisable_units``), for
        its delivery mode and pickup store, today's capacity aside: the exchange ships once
        the return is in, days from now (a unit it cannot take today is sourced again)."""
        _, inventory = self._actors()
        by_shard: dict[int, list[str]] = defaultdict(list)
        for sku in skus:
            by_shard[shard_of(sku, len(inventory))].append(sku)
        answers = await asyncio.gather(*(inventory[i].call("availability", wanted) for i, wanted in by_shard.items()))
        view = await self._routing.view()
        channel = order.channel.value
        eligible = {sku: view.eligible(channel, order.delivery_mode, sku, order.pickup_location_id) for sku in skus}
        have = {
            sku
            for rows in answers
            for loc, sku, on_hand, reserved, safety in rows
            if promisable_units(
                view,
                channel=channel,
                eligible=eligible[sku],
                location_id=loc,
                available=available_units(on_hand, reserved, safety),
                capacity_left=None,
            )
            > 0
        }
        return frozenset(skus) - have

    async def track_return(self, order_id: str, return_id: str, carrier: str, tracking: str) -> bytes:
        return await self._command(
            order_id, lambda order: order.track_return(return_id, carrier=carrier, tracking=tracking, now_ms=now_ms())
        )

    async def cancel_return(self, order_id: str, return_id: str, reason: str) -> bytes:
        return await self._command(order_id, lambda order: order.cancel_return(return_id, reason=reason, now_ms=now_ms()))

    async def receive_return(self, order_id: str, return_id: str, location_id: str, quantities: dict[int, int]) -> bytes:
        resolve_now = (await self.return_policy.get()).resolve_on_receipt
        return await self._command(
            order_id,
            lambda order: order.receive_return(
                return_id, location_id=location_id, quantities=quantities, now_ms=now_ms(), resolve_now=resolve_now
            ),
        )

    async def inspect_return(
        self,
        order_id: str,
        return_id: str,
        dispositions: dict[int, str],
        deductions: dict[int, tuple[int, str, str]] | None = None,
    ) -> bytes:
        """``deductions``: line -> (amount in minor units, currency, reason)."""

        asked = {n: Disposition(d) for n, d in dispositions.items()}
        kept = {n: (Money(amount_minor=a, currency=c), why) for n, (a, c, why) in (deductions or {}).items()}

        def inspect(order: Order) -> Order:
            if order.inspected_as(return_id, dispositions=asked, deductions=kept):
                return order  # the desk repeated its message
            return order.inspect_return(return_id, dispositions=asked, deductions=kept, now_ms=now_ms())

        return await self._command(order_id, inspect)

    async def place(self, order: Order, return_id: str, *, secured: bool = False, unrepairable: bool = False) -> str:
        """The replacement order of a return: the same items (or, for exchanges, the variants
        asked for) at no charge, sourced like any order. ``secured``: placed when the return
        is asked for, with the units asked for, and held until it is received (``settle``);
        otherwise (returns asked for before that) with the units received. ``unrepairable``:
        new units for those of its REPAIR lines found beyond repair, under a key of its own."""
        record = order.return_(return_id)
        assert record is not None
        if unrepairable:
            sent = _unrepairable_lines(order, record)
            key = f"replacement:{order.order_id}:{return_id}:{UNREPAIRABLE}"
        else:
            sent = _replacement_lines(order, record, received=not secured)
            key = f"replacement:{order.order_id}:{return_id}"
        command = CreateOrder(
            channel=order.channel,
            idempotency_key=key,
            customer_id=order.customer_id,
            lines=tuple(
                LineInput(sku=sku, quantity=q, unit_price=Money.zero(order.currency), tax_rate_bps=rate)
                for sku, (q, rate) in sent.items()
            ),
            delivery_mode=order.delivery_mode,
            ship_to=record.ship_to or order.ship_to,  # a parcel that came back: maybe to a corrected address
            # A parcel that never arrived goes again as the customer paid for it (an express one
            # by express, one parcel as one parcel); items a customer sent back are replaced by
            # the standard service, each as soon as it can be.
            shipping_service=order.shipping_service if record.shipment_id else "",
            ship_complete=order.ship_complete and bool(record.shipment_id),
            pickup_location_id=order.pickup_location_id,
            external_reference=f"REPLACEMENT-{order.order_id}",
            awaits_return=f"{order.order_id}/{return_id}" if secured else "",
        )
        target = idempotency_shard(command.channel.value, command.idempotency_key, self.topology.order_shards)
        if target == self.shard:
            [outcome] = await self.place_orders([command])
        else:
            [outcome] = CREATE_OUTCOMES.decode(await self._peer(target).call("create_orders", CREATE_ORDERS.encode([command])))
        if outcome.error is not None:
            raise outcome.error.to_exception()
        assert outcome.order is not None
        return outcome.order.order_id

    async def settle(self, order: Order, return_id: str, replacement_order_id: str) -> None:
        """A secured replacement order sends what the return brought back, and goes out; an
        expired return's is withdrawn (nothing came back)."""
        record = order.return_(return_id)
        assert record is not None
        came_back = {} if record.status in WITHDRAWN else _replacement_lines(order, record, received=True)
        wanted = {sku: units for sku, (units, _) in came_back.items()}
        args = (replacement_order_id, wanted, f"{order.order_id}/{return_id}")
        target = self.store.shard(replacement_order_id)
        if target == self.shard:
            await self.settle_replacement(*args)
        else:
            await self._peer(target).call("settle_replacement", *args)

    async def settle_replacement(self, order_id: str, wanted: dict[str, int], return_ref: str) -> bytes:
        """``Order.settle_for_return`` on an order of this shard (``wire.ORDER``)."""
        return await self._command(order_id, lambda o: o.settle_for_return(wanted, return_ref=return_ref, now_ms=now_ms()))

    # -- steps ------------------------------------------------------------------

    def _effects(self) -> OrderEffects:
        if self._effects_ is None:
            _, inventory = self._actors()
            self._effects_ = OrderEffects(
                inventory=inventory, store=self.store, customers=self.customers, payments=self.payments, replacements=self
            )
        return self._effects_

    async def _drive(self, order: Order) -> Order:
        """Performs the order's pending steps in order, saving after each; the caller holds its lock.

        A step that fails (a provider or shard down) stays pending: the reconciler
        comes back to it, and since each step is idempotent nothing happens twice."""
        for _ in range(MAX_STEPS_PER_DRIVE):
            step = next_step(order)
            if step is None:
                break
            try:
                with self.timer.stage(f"step {step.split(':')[0]}"):
                    updated = await self._effects().perform(step, order, now_ms())
            except OmsError as exc:
                if isinstance(exc, UnavailableError):
                    log.warning("order %s: step %s waits: %s", order.order_id, step, exc)
                    break
                raise
            except Exception as exc:  # a dead actor or provider: retried by the reconciler
                log.warning("order %s: step %s failed (%s); retried later", order.order_id, step, exc)
                break
            await self._save_one(updated, order)
            order = updated
        return order

    async def _drive_in_background(self, order_ids: list[str]) -> None:
        try:
            async with self._locks.hold_many(order_ids):
                # One finished while this waited for its lock has nothing left to drive.
                # One whose save was lost meanwhile is the reconciler's, once it is read back.
                await self._drive_many([self.orders[oid] for oid in order_ids if oid in self.orders and oid not in self._unsure])
        except Exception as exc:  # the reconciler retries
            log.warning("order shard %d: driving %d orders failed: %s", self.shard, len(order_ids), exc)

    async def _drive_many(self, orders: list[Order]) -> list[Order]:
        """``_drive`` for many orders at once: each round performs every order's next step
        (effects concurrently, shared look-ups batched) and saves the round in one transaction."""
        current = {o.order_id: o for o in orders}
        stuck: set[str] = set()  # a step failed this drive: left for the reconciler
        for _ in range(MAX_STEPS_PER_DRIVE):
            due = [o for o in current.values() if next_step(o) and o.order_id not in stuck]
            if not due:
                break
            with self.timer.stage("steps", len(due)):
                stepped = await self._effects().perform_many(due, now_ms())
            changed = [(new, old) for new, old in zip(stepped, due) if new is not old]
            stuck.update(old.order_id for new, old in zip(stepped, due) if new is old)
            if not changed:
                break
            try:
                with self.timer.stage("save steps", len(changed)):
                    await self.store.save(self.shard, changed)
            except _REDIS_DOWN:
                self._unsure.update(new.order_id for new, _ in changed)
                break
            for new, _ in changed:
                self._remember(new)
                current[new.order_id] = new
        return list(current.values())

    async def _save_one(self, new: Order, old: Order) -> None:
        """Saves one order's change, with whatever other single saves are due at the same time."""
        try:
            failed = await self._saves.submit(None, (new, old))
            if failed is not None:
                raise failed
        except _REDIS_DOWN as exc:
            self._unsure.add(new.order_id)
            raise UnavailableError(
                "redis unavailable; the change may not have been saved: retry with the same ids", dependency="redis"
            ) from exc
        self._remember(new)

    async def _save_batch(self, _: None, changes: list[tuple[Order, Order]]) -> list[BaseException | None]:
        """One transaction for the batch; per change, the error that kept it from being saved.

        An error raised before anything was sent (an order that cannot be encoded) is its
        order's alone: the others are saved without it, one by one. Redis being down or
        refusing the script fails them all, as it would have each of them."""
        try:
            await self.store.save(self.shard, changes)
            return [None] * len(changes)
        except (*_REDIS_DOWN, redis.ResponseError):
            raise
        except Exception as exc:
            if len(changes) == 1:
                return [exc]
        failures: list[BaseException | None] = []
        for change in changes:
            try:
                await self.store.save(self.shard, [change])
                failures.append(None)
            except Exception as exc:  # noqa: BLE001 - handed to that order's command alone
                failures.append(exc)
        return failures

    # -- recovery -------------------------------------------------------------

    async def reconcile(self) -> int:
        """Re-drives orders a crash left between two steps; every step is idempotent."""
        await self._ready()
        if self._uncertain:
            await self._settle_uncertain()
        if self._unsure:
            await self._read_back(sorted(self._unsure))
        stuck_before = now_ms() - STUCK_AFTER_MS
        idle = [self.orders[oid] for oid in list(self._attention) if not self._locks.busy(oid)]
        stuck = [o for o in idle if o.status is OrderStatus.ACCEPTED and o.created_at_ms < stuck_before]
        if stuck:
            await self._resource(stuck)
        due = [
            o.order_id for o in idle
            if o.order_id in self.orders and o.updated_at_ms < stuck_before and next_step(self.orders[o.order_id])
        ]  # fmt: skip
        due = [oid for oid in due if not self._locks.busy(oid)]
        await self._drive_in_background(due)
        return len(stuck) + len(due)

    async def resource_backorders(self, skus: list[str] | None = None, limit: int = BACKORDER_BATCH) -> int:
        """Sources again the backordered units of this shard's open orders (of these SKUs), oldest first.

        The periodic pass, so nothing waits forever for a trigger; arriving stock goes
        through the gateway's BackorderRuns, which keeps the order across shards. Busy
        orders are left for the next pass: the reconciler runs this, and must not wait
        behind a long step while orders a crash left behind wait for it."""
        rows = await self.backorders_for(skus, limit)
        idle = [oid for _, oid in rows if not self._locks.busy(oid)]
        return await self.resource_orders(idle, skus)

    async def backorders_for(self, skus: list[str] | None = None, limit: int = BACKORDER_BATCH) -> list[tuple[int, str]]:
        """(placed at, order id) of the oldest open orders with backordered units of these SKUs (of any, without)."""
        await self._ready()
        wanted = set(skus) if skus else set(self._backordered)
        candidates = {oid for sku in wanted for oid in self._backordered.get(sku, ())}
        return heapq.nsmallest(limit, ((self.orders[oid].created_at_ms, oid) for oid in candidates))

    async def resource_orders(self, order_ids: list[str], skus: list[str] | None = None) -> int:
        """Sources these orders again, in this order, if they still wait for (any of) these SKUs.

        Busy orders are waited for, not skipped: an order still being driven when its
        stock arrives (authorised, released right after capture) would otherwise wait for
        the next periodic pass. Under the locks, only what still waits is sourced."""
        await self._ready()
        wanted = set(skus) if skus else None
        orders = [self.orders[oid] for oid in order_ids if oid in self.orders]
        if not orders:
            return 0

        def still(order: Order) -> bool:
            waits = _waits_for(order)
            return bool(waits) and (wanted is None or not waits.isdisjoint(wanted))

        return await self._resource(orders, still=still)

    async def _resource(self, orders: list[Order], *, still: Callable[[Order], bool] | None = None) -> int:
        async with self._locks.hold_many(o.order_id for o in orders):
            # Orders whose last save was lost wait for the reconciler to read them back.
            current = [self.orders[o.order_id] for o in orders if o.order_id in self.orders and o.order_id not in self._unsure]
            current = [
                o for o in current
                if Command.SOURCE in ALLOWED[o.status] and not _shortage_pending(o) and (still is None or still(o))
            ]  # fmt: skip
            if not current:
                return 0
            # Replace semantics: each order's new plan becomes its complete holding.
            sourced = await self._source(current)
            for order in sourced:
                if order.order_id not in self._unsure:  # its new plan may be stored: read back first
                    await self._drive(order)
            return len(current)

    async def cancel_stale_backorders(
        self, after_ms: int | None = None, skus: list[str] | None = None, limit: int = BACKORDER_BATCH
    ) -> int:
        """Cancels the units still waiting for stock the routing rules' backorder_cancel_days
        after their order was placed (the periodic pass, after re-sourcing has had its try;
        ``after_ms``, for tests, instead of the rules'), of orders waiting for any of ``skus``
        (None: any): their money is given back by the order's steps. Answers the orders changed."""
        await self._ready()
        if after_ms is None:
            days = (await self._routing.view()).rules.backorder_cancel_days
            if not days:
                return 0
            after_ms = days * DAY_MS
        now = now_ms()
        asked = skus if skus is not None else list(self._backordered)
        waiting = {oid for sku in asked for oid in self._backordered.get(sku, ())}
        return await self._sweep(
            lambda o: o.order_id in waiting and o.backorder_expired(now, after_ms),
            lambda o: o.cancel_backorders(now_ms=now),
            limit,
        )

    async def release_scheduled(self, today: str | None = None, limit: int = BACKORDER_BATCH) -> int:
        """Releases the scheduled orders whose units must leave today to arrive on the day their
        customer asked for (deliver_from), or had to already (the periodic pass; ``today``, for
        tests, a later day than the real one): in the same save, as release touches nothing
        outside the order. Answers the orders changed."""
        await self._ready()
        with contextlib.suppress(Exception):  # a stale copy only moves the day a little
            await self.network.refresh()
        now = now_ms()
        promiser = self.network.promiser(now)
        day = today or utc_today()
        gone: list[str] = []

        def released(order: Order) -> Order:
            order = order.let_go(now_ms=now)
            while next_step(order) == STEP_RELEASE:
                order = order.release(now_ms=now)
            gone.append(order.order_id)
            return order

        n = await self._sweep(lambda o: o.scheduled and o.due_for_release(promiser, day), released, limit)
        await self._use_capacity_today([oid for oid in gone if oid in self.orders])
        return n

    async def _use_capacity_today(self, order_ids: list[str]) -> None:
        """The units of orders released today for a later day count on their locations' days
        now, as sourcing counts an order shipping at once: the release happens whatever is
        left of the day (the customer's day is kept), so the use is recorded uncapped."""
        if not order_ids:
            return
        view = await self._routing.view()
        if not view.capacity:
            return
        ledger = self._effects().capacity
        uses = {oid: self.orders[oid].units_by_location() for oid in order_ids}
        await asyncio.gather(*(ledger.take(oid, units, {}, days=view.days(units)) for oid, units in uses.items()))

    async def expire_returns(self, arrival_ms: int | None = None, limit: int = BACKORDER_BATCH) -> int:
        """Expires authorised returns not received within the return policy's arrival_days
        (the periodic pass; ``arrival_ms``, for tests, instead of the policy's): their units
        may be asked for again, and their orders can close. Answers the orders changed."""
        await self._ready()
        now = now_ms()
        if arrival_ms is None:
            arrival_ms = (await self.return_policy.get()).arrival_ms
        if arrival_ms is None:
            return 0
        return await self._sweep(
            lambda o: bool(o.returns and o.lapsed_returns(now, arrival_ms)),
            lambda o: o.expire_returns(o.lapsed_returns(now, arrival_ms), now_ms=now),
            limit,
        )

    async def return_uncollected(self, hold_ms: dict[str, int] | None = None, limit: int = BACKORDER_BATCH) -> int:
        """Pickups left at their store longer than its hold period (``Location.pickup_hold_days``;
        ``hold_ms``, for tests, store -> hold instead) come back undelivered: refunded to the
        customer, and the store puts the units back after checking them (the periodic pass).
        Answers the orders changed."""
        await self._ready()
        now = now_ms()
        if hold_ms is None:
            with contextlib.suppress(Exception):  # a stale copy holds as it did
                await self.network.refresh()
            hold_ms = {
                loc.location_id: loc.pickup_hold_days * DAY_MS
                for loc in self.network.locations.values()
                if loc.pickup_hold_days
            }  # fmt: skip
        if not hold_ms:
            return 0

        def give_back(order: Order) -> Order:
            for shipment_id in order.uncollected(now, hold_ms):
                order = order.return_undelivered(
                    shipment_id, return_id=f"{UNCOLLECTED}{shipment_id}", reason=UndeliveredReason.NOT_COLLECTED,
                    resolution=Resolution.REFUND, location_id=order.pickup_location_id, now_ms=now,
                )  # fmt: skip
            return order

        return await self._sweep(lambda o: bool(o.uncollected(now, hold_ms)), give_back, limit)

    async def close_settled(self, window_ms: int | None = None, limit: int = BACKORDER_BATCH) -> int:
        """Closes delivered orders whose return window (their own, or the return policy's for
        their channel if they keep none) has shut with no return open: they are finished, so they leave memory (the periodic
        pass; ``window_ms``, for tests, one window for every channel)."""
        await self._ready()
        now = now_ms()
        policy = await self.return_policy.get()

        def closable(order: Order) -> bool:
            window = order.return_window_ms(policy.window_ms(order.channel.value)) if window_ms is None else window_ms
            return order.closable(now, window)

        return await self._sweep(closable, lambda o: o.close(now_ms=now), limit)

    async def _sweep(self, due: Callable[[Order], bool], change: Callable[[Order], Order], limit: int) -> int:
        """A periodic pass over the open orders: up to ``limit`` that are ``due`` (and neither
        busy nor unsure) are changed under their locks, checked again there, and saved in one
        transaction. Answers how many changed."""
        picked = [oid for oid, o in self.orders.items() if due(o) and not self._locks.busy(oid) and oid not in self._unsure][:limit]
        if not picked:
            return 0
        async with self._locks.hold_many(picked):
            changes = [
                (change(order), order)
                for order in (self.orders.get(oid) for oid in picked)
                if order is not None and due(order)
            ]
            if changes:
                try:
                    await self.store.save(self.shard, changes)
                except _REDIS_DOWN:
                    self._unsure.update(new.order_id for new, _ in changes)
                    raise
                for new, _ in changes:
                    self._remember(new)
        return len(changes)

    async def _reconcile_forever(self) -> None:
        ticks = 0
        periodic: asyncio.Task[None] | None = None
        while True:
            await asyncio.sleep(RECONCILE_EVERY_S)
            ticks += 1
            try:
                with self.timer.stage("reconcile pass", len(self._attention)):
                    n = await self.reconcile()
                if n:
                    log.info("order shard %d: reconciled %d orders", self.shard, n)
            except Exception as exc:  # keep the loop alive through outages
                log.warning("order shard %d: reconcile failed: %s", self.shard, exc)
            # The backlog and closing passes can take long (hundreds of orders, steps that
            # wait on a provider): beside the loop, one at a time, so orders a crash left
            # behind are never kept waiting for them.
            if ticks % BACKORDER_EVERY_TICKS == 0 and (periodic is None or periodic.done()):
                periodic = asyncio.get_running_loop().create_task(self._periodic_pass())

    async def _periodic_pass(self) -> None:
        try:
            # Expired returns first: an order waiting only for a parcel that is not coming closes in the same pass.
            # Stock that came has its try before what still waits is given up.
            n = await self.release_scheduled()
            n += await self.resource_backorders() + await self.cancel_stale_backorders()
            n += await self.expire_returns() + await self.return_uncollected()
            n += await self.close_settled()
            if n:
                log.info("order shard %d: re-sourced or closed %d orders", self.shard, n)
        except Exception as exc:  # the next pass tries again
            log.warning("order shard %d: periodic pass failed: %s", self.shard, exc)


def _applied(order: Order, result: SourcingResult, now: int, promiser: Promiser) -> Order:
    """The order with its new plan; a plan it refuses (a bug upstream) leaves it as it was,
    for the periodic re-sourcing, rather than losing the plans of the rest of the batch."""
    try:
        return order.apply_sourcing(result, now_ms=now, promiser=promiser)
    except (ValueError, OmsError) as exc:
        log.error("order %s: sourcing result not applicable (%s); left for re-sourcing", order.order_id, exc)
        return order


def _reindex(index: dict[str, set[str]], order_id: str, before: set[str], after: set[str]) -> None:
    """Moves the order in ``index`` (key -> order ids) from the keys ``before`` to ``after``."""
    for key in before - after:
        members = index.get(key)
        if members is not None:
            members.discard(order_id)
            if not members:
                del index[key]
    for key in after:
        index.setdefault(key, set()).add(order_id)


def _replacement_lines(order: Order, record: ReturnRecord, *, received: bool) -> dict[str, tuple[int, int]]:
    """SKU -> (units, tax rate) a return's replacement order sends: per line replaced or
    exchanged, the units received (``received``) or asked for. One line per SKU, as for any
    order: an exchange may ask for what another line replaces."""
    sent: dict[str, tuple[int, int]] = {}
    for rl in sorted(record.lines, key=lambda rl: rl.line_number):
        units = rl.received if received else rl.quantity
        if rl.resolution in SENDS_ITEMS and units:
            sku = rl.exchange_sku if rl.resolution is Resolution.EXCHANGE else order.line(rl.line_number).sku
            before, rate = sent.get(sku, (0, order.line(rl.line_number).tax_rate_bps))
            sent[sku] = (before + units, rate)
    return sent


def _unrepairable_lines(order: Order, record: ReturnRecord) -> dict[str, tuple[int, int]]:
    """SKU -> (units, tax rate) of new units for a return's units found beyond repair."""
    sent: dict[str, tuple[int, int]] = {}
    for rl, _, units in record.money_lines(unrepairable=True):
        line = order.line(rl.line_number)
        before, rate = sent.get(line.sku, (0, line.tax_rate_bps))
        sent[line.sku] = (before + units, rate)
    return sent


def _shortage_pending(order: Order) -> bool:
    """Units a location could not ship have not left its stock yet: sourcing again first would
    replace the reservation the step is to take away with them."""
    return any(step.startswith(STEP_SHORTAGE) for step in order.pending)


def _counted(order: Order, channel: str, created_from_ms: int | None, created_before_ms: int | None) -> bool:
    """Whether a dashboard count of the channel ("": every one) over ``[from, before)`` counts the order."""
    return (
        (not channel or order.channel.value == channel)
        and (created_from_ms is None or order.created_at_ms >= created_from_ms)
        and (created_before_ms is None or order.created_at_ms < created_before_ms)
    )


def _check_scope(order: Order, acting_at: str) -> None:
    """A caller bound to a location sees only that location's work: any other order answers
    exactly as an unknown one (the same error _get raises), so it learns nothing of it."""
    if acting_at and not order.works_at(acting_at):
        raise order_not_found(order.order_id)


def _ships_from(order: Order) -> set[str]:
    """The locations whose fulfilment lists hold the order: it is open and has units released there, unshipped."""
    if not order.is_open:
        return set()
    return {a.location_id for line in order.lines for a in line.released if line.unshipped_at(a.location_id) > 0}


def _returns_to(order: Order) -> set[str]:
    """Locations the order has returns on their way to, received at and not yet inspected, or
    received at with units at repair."""
    return {r.location_id for r in order.returns if r.location_id and (r.status in RETURNS_TO_HANDLE or r.awaiting_repair)}


def _waits_for(order: Order) -> set[str]:
    """The SKUs an open, sourced order has backordered units of (re-sourcing may fill them)."""
    if Command.SOURCE not in ALLOWED[order.status] or not order.sourced:
        return set()
    return {line.sku for line in order.lines if line.backordered_quantity}


async def _drop(prefetched: asyncio.Future | None) -> None:
    """Stops a read nobody will use, and retrieves its outcome so none is left unread."""
    if prefetched is not None:
        prefetched.cancel()
        await asyncio.gather(prefetched, return_exceptions=True)


def _failed(err: OmsError) -> CreateOutcome:
    return CreateOutcome(error=ErrorRecord.of(err))


def _conflict(cmd: CreateOrder, order_id: str) -> IdempotencyConflictError:
    return IdempotencyConflictError(
        f"idempotency key {cmd.idempotency_key!r} of channel {cmd.channel.value} was used for a different order",
        channel=cmd.channel.value,
        idempotency_key=cmd.idempotency_key,
        order_id=order_id,
    )
