"""evolve() is dataclasses.replace, faster, for the order's records."""

from __future__ import annotations

import dataclasses

import pytest

from oms_actors.domain.enums import Channel, DeliveryMode
from oms_actors.domain.evolve import evolve, settle
from oms_actors.domain.money import Money
from oms_actors.domain.order import Order, OrderLine


def _order() -> Order:
    line = OrderLine(line_number=1, sku="A", quantity=2, unit_price=Money(amount_minor=100, currency="EUR"))
    return Order(
        order_id="o1", channel=Channel.WEB, customer_id="c", idempotency_key="k", content_hash="h",
        lines=(line,), delivery_mode=DeliveryMode.SHIP,
    )  # fmt: skip


def test_evolve_equals_replace_and_leaves_the_original_alone():
    order = _order()
    changed = evolve(order, version=7, customer_id="d")
    assert changed == dataclasses.replace(order, version=7, customer_id="d")
    assert (order.version, order.customer_id) == (1, "c")
    with pytest.raises(dataclasses.FrozenInstanceError):
        changed.version = 8  # type: ignore[misc]


def test_evolve_refuses_unknown_fields_and_classes_it_cannot_copy_safely():
    with pytest.raises(TypeError, match="no field"):
        evolve(_order(), versoin=2)

    @dataclasses.dataclass(frozen=True, slots=True)
    class Checked:
        n: int

        def __post_init__(self) -> None:
            if self.n < 0:
                raise ValueError("negative")

    with pytest.raises(TypeError, match="__post_init__"):
        evolve(Checked(n=1), n=-1)


def test_settle_fills_in_a_fresh_copy_in_place_and_the_original_keeps_its_values():
    order = _order()
    copy = evolve(order, version=2)
    settled = settle(copy, customer_id="d", version=3)
    assert settled is copy
    assert (settled.customer_id, settled.version) == ("d", 3)
    assert (order.customer_id, order.version) == ("c", 1)
    assert settled == dataclasses.replace(order, customer_id="d", version=3)
