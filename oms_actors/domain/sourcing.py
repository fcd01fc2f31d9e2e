"""What the order shard asks the sourcing step for, and gets back."""

from __future__ import annotations

import msgspec

from oms_actors.domain.delivery import Door
from oms_actors.domain.enums import Channel, DeliveryMode
from oms_actors.domain.order import LineAllocation, Order


class SourcingLine(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    line_number: int
    sku: str
    quantity: int  # units still to plan
    # Units released to a location stay there (shipped ones included): sourcing
    # keeps them, and reserves what of them has not shipped yet.
    kept: tuple[LineAllocation, ...] = ()
    shipped: tuple[LineAllocation, ...] = ()

    def still_held(self) -> dict[str, int]:
        """location -> kept units not yet shipped (still to reserve)."""
        shipped = {a.location_id: a.quantity for a in self.shipped}
        held = {a.location_id: a.quantity - shipped.get(a.location_id, 0) for a in self.kept}
        return {loc: q for loc, q in held.items() if q > 0}


class SourcingRequest(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    order_id: str
    channel: Channel
    delivery_mode: DeliveryMode
    door: Door  # where its units go and how (Order.door)
    lines: tuple[SourcingLine, ...]
    deliver_by: str = ""  # the day the customer asked for (Order.deliver_by); "": none
    avoid: tuple[str, ...] = ()  # locations that declined to ship it (Order.declined_locations)
    ship_complete: bool = False  # from one location only (Order.ship_complete)
    # For a later day (Order.scheduled): it uses no location's capacity today; the day it is released, it does.
    scheduled: bool = False

    @classmethod
    def of(cls, order: Order) -> SourcingRequest:
        return cls(
            order_id=order.order_id,
            channel=order.channel,
            delivery_mode=order.delivery_mode,
            door=order.door(),
            lines=tuple(
                SourcingLine(
                    line_number=line.line_number,
                    sku=line.sku,
                    quantity=line.active - line.released_quantity,
                    kept=line.released,
                    shipped=line.shipped,
                )
                for line in order.lines
                if line.active
            ),
            deliver_by=order.deliver_by,
            avoid=tuple(sorted(order.declined_locations)),
            ship_complete=order.ship_complete,
            scheduled=order.scheduled,
        )
