"""The right to erasure: a customer's personal data leaves its record and its orders.

What it bought, paid and owes stays under its id (tax law keeps invoices); who it is, where
its parcels went and what it told service staff go. An order not over yet still needs the
address (returns and refunds may follow), so erasure waits for it: refused, or, asked with
``when_orders_close``, recorded on the customer's record and in a set every gateway's
periodic pass works through, erasing each customer whose last order is over. Erasing is
idempotent, so two gateways passing at once, or a pass cut short, erase nothing twice.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace

from gateway.services.backend import Backend
from oms_actors.domain.customer import Customer
from oms_actors.domain.errors import FailedPreconditionError, NotFoundError
from oms_actors.domain.order import Order
from oms_actors.store import keys

log = logging.getLogger(__name__)


class Erasures:
    def __init__(self, backend: Backend) -> None:
        self.b = backend

    async def _orders(self, customer_id: str) -> tuple[list[str], list[Order], list[str]]:
        """(its order ids, its orders, the ids of those not over yet)."""
        ids = [
            oid.decode() if isinstance(oid, bytes) else oid
            for oid in await self.b.orders.client.zrange(keys.order_index("customer", customer_id), 0, -1)
        ]
        orders = [o for o in await self.b.orders.get_many(ids) if o is not None]
        return ids, orders, sorted(o.order_id for o in orders if not o.erased_at_ms and (o.is_open or o.pending))

    async def _known(self, customer_id: str) -> None:
        if await self.b.customers.get(customer_id) is None:
            raise NotFoundError(f"customer {customer_id} not found", resource="customer", resource_id=customer_id)

    async def erase(self, customer_id: str) -> tuple[Customer, int]:
        """Erases the customer now: (its record as left, orders erased by this call). Refused
        (``ORDERS_OPEN``), erasing nothing, while any of its orders is not over."""
        await self._known(customer_id)
        ids, orders, still_open = await self._orders(customer_id)
        if still_open:
            raise FailedPreconditionError(
                f"customer {customer_id} has {len(still_open)} orders not over yet "
                f"({', '.join(still_open[:5])}{', ...' if len(still_open) > 5 else ''}): their data is needed until then",
                code="ORDERS_OPEN",
            )
        return await self._forget(customer_id, ids, orders)

    async def erase_when_orders_close(self, customer_id: str) -> tuple[Customer, int, int]:
        """Erases the customer now if its orders are over, else records that it is to be:
        (its record, orders erased now, orders still open)."""
        await self._known(customer_id)
        ids, orders, still_open = await self._orders(customer_id)
        if not still_open:
            stored, erased = await self._forget(customer_id, ids, orders)
            return stored, erased, 0
        now = int(time.time() * 1000)

        def wait(existing: Customer | None) -> Customer:
            assert existing is not None
            if existing.erasure_requested_at_ms:
                return existing  # asked before: the first request stands
            return replace(existing, erasure_requested_at_ms=now, updated_at_ms=now)

        # The set first: a pass that finds it before the record says so erases no sooner than due.
        await self.b.orders.client.sadd(keys.ERASURES_WAITING, customer_id)
        return await self.b.customers.update(customer_id, wait), 0, len(still_open)

    async def _forget(self, customer_id: str, ids: list[str], orders: list[Order]) -> tuple[Customer, int]:
        """Every order first, then the record: a retry after a failure part-way finds the orders
        by the customer's id again, and orders already erased are left as they are."""
        erased = 0
        for order in orders:
            if not order.erased_at_ms:
                await self.b.command(order.order_id, "erase_personal_data")
                erased += 1
        now = int(time.time() * 1000)

        def forget(existing: Customer | None) -> Customer:
            assert existing is not None
            return Customer(
                customer_id=existing.customer_id, type=existing.type, credit_limit=existing.credit_limit,
                payment_terms_days=existing.payment_terms_days, created_at_ms=existing.created_at_ms,
                updated_at_ms=now, erased_at_ms=existing.erased_at_ms or now,
                erasure_requested_at_ms=existing.erasure_requested_at_ms,
            )  # fmt: skip

        stored = await self.b.customers.update(customer_id, forget)
        # Its timeline and its orders' histories go: they tell where its parcels went and why.
        histories = [keys.order_history(self.b.orders.shard(oid), oid) for oid in ids]
        await self.b.orders.client.delete(keys.customer_timeline(customer_id))
        for start in range(0, len(histories), 1000):  # a business customer's thousands of orders
            await self.b.orders.client.delete(*histories[start : start + 1000])
        await self.b.orders.client.srem(keys.ERASURES_WAITING, customer_id)
        return stored, erased

    async def sweep(self) -> int:
        """Erases every customer waiting whose orders are now over; answers how many."""
        members = await self.b.orders.client.smembers(keys.ERASURES_WAITING)
        waiting = sorted(c.decode() if isinstance(c, bytes) else c for c in members)
        erased = 0
        for customer_id in waiting:
            if await self.b.customers.get(customer_id) is None:
                await self.b.orders.client.srem(keys.ERASURES_WAITING, customer_id)
                continue
            ids, orders, still_open = await self._orders(customer_id)
            if still_open:
                continue  # the next pass
            await self._forget(customer_id, ids, orders)
            log.info("erasure: customer %s erased, its last order being over", customer_id)
            erased += 1
        return erased
