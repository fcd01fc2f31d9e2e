"""What the order shard asks the sourcing step for, and gets back."""

from __future__ import annotations

from dataclasses import dataclass

from oms_actors.domain.enums import Channel, DeliveryMode
from oms_actors.domain.order import Order


@dataclass(frozen=True, kw_only=True, slots=True)
class SourcingLine:
    line_number: int
    sku: str
    quantity: int  # units still to source


@dataclass(frozen=True, kw_only=True, slots=True)
class SourcingRequest:
    order_id: str
    channel: Channel
    delivery_mode: DeliveryMode
    latitude: float | None
    longitude: float | None
    pickup_location_id: str
    lines: tuple[SourcingLine, ...]

    @classmethod
    def of(cls, order: Order) -> SourcingRequest:
        ship_to = order.ship_to
        return cls(
            order_id=order.order_id,
            channel=order.channel,
            delivery_mode=order.delivery_mode,
            latitude=ship_to.latitude if ship_to else None,
            longitude=ship_to.longitude if ship_to else None,
            pickup_location_id=order.pickup_location_id,
            lines=tuple(SourcingLine(line_number=l.line_number, sku=l.sku, quantity=l.quantity) for l in order.lines),
        )
