"""The order shard's view of payments: authorise, capture per shipment, void, receivables."""

from __future__ import annotations

from typing import Any

from oms_actors.domain.fulfilment import Shipment, ShipmentCapture
from oms_actors.domain.order import Order
from oms_actors.domain.payment_state import PaymentRecord, PaymentStatus
from oms_actors.order_effects import PaymentFlow


class UnconfiguredPayments:
    """Declines every authorisation: no provider is wired in, so nothing may ship unpaid."""

    async def authorize(self, order: Order) -> tuple[PaymentRecord, ...]:
        return tuple(
            p.with_(declined_reason="no payment provider configured") if p.status is PaymentStatus.PENDING else p
            for p in order.payment_records
        )

    async def capture(
        self, order: Order, shipment: Shipment
    ) -> tuple[tuple[ShipmentCapture, ...], tuple[PaymentRecord, ...], str]:
        raise RuntimeError("no payment provider configured")

    async def void(self, order: Order) -> tuple[PaymentRecord, ...]:
        return order.payment_records

    async def open_receivables(self, customer_id: str) -> int:
        return 0


def build_payment_flow(client: Any) -> PaymentFlow:
    return UnconfiguredPayments()
