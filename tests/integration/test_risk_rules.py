"""The risk and credit rules as data over gRPC: read, replaced with a version, checked, applied."""

from __future__ import annotations

import asyncio

import grpc
import pytest

from oms_actors.order_effects import RISK_RULES_TTL_S
from protos.oms.v1 import orders_pb2
from tests.integration.support import World
from tests.integration.test_lifecycle import card
from tests.integration.waiting import settled
from tests.security.kit import refusal

pytestmark = pytest.mark.integration


async def _in_effect() -> None:
    await asyncio.sleep(RISK_RULES_TTL_S + 0.3)  # the order shards read the rules again


async def test_risk_rules_are_read_and_replaced_as_data_with_a_version(world: World):
    original = await world.orders.GetRiskRules(orders_pb2.GetRiskRulesRequest())
    if original.version == 0:  # never set: the defaults, every rule on
        assert (original.hold_order_value_above_minor, original.reject_order_value_above_minor) == (500_000, 5_000_000)
        assert original.hold_on_country_mismatch and original.HasField("hold_overdue_after_days")
        assert original.hold_overdue_after_days == 0
    try:
        stricter = orders_pb2.RiskRules()
        stricter.CopyFrom(original)
        stricter.hold_order_value_above_minor = 20_000
        stricter.ClearField("max_orders_per_instrument_per_hour")  # unset: off
        written = await world.orders.SetRiskRules(
            orders_pb2.SetRiskRulesRequest(rules=stricter, expected_version=original.version)
        )
        assert written.version == original.version + 1
        assert written.hold_order_value_above_minor == 20_000 and not written.HasField("max_orders_per_instrument_per_hour")
        assert await world.orders.GetRiskRules(orders_pb2.GetRiskRulesRequest()) == written

        # Written over a version someone else changed since: refused, nothing changed.
        lost_update = orders_pb2.SetRiskRulesRequest(rules=original, expected_version=original.version)
        code, reason, _ = await refusal(world.orders.SetRiskRules(lost_update))
        assert (code, reason) == (grpc.StatusCode.ABORTED, "RISK_RULES_CHANGED")
        bad = orders_pb2.RiskRules()
        bad.CopyFrom(stricter)
        bad.max_orders_per_customer_per_hour = -1
        bad.reject_order_value_above_minor = 10**16
        code, _, fields = await refusal(world.orders.SetRiskRules(orders_pb2.SetRiskRulesRequest(rules=bad)))
        assert (code, fields) == (
            grpc.StatusCode.INVALID_ARGUMENT,
            {"rules.max_orders_per_customer_per_hour", "rules.reject_order_value_above_minor"},
        )
        code, _, fields = await refusal(world.orders.SetRiskRules(orders_pb2.SetRiskRulesRequest(expected_version=-2)))
        assert (code, fields) == (grpc.StatusCode.INVALID_ARGUMENT, {"rules", "expected_version"})
        assert await world.orders.GetRiskRules(orders_pb2.GetRiskRulesRequest()) == written

        # Orders assessed from then on follow the rules written.
        await _in_effect()
        sku = await world.sku({"T-DC-NORTH": 20})
        customer = await world.customer()
        request = card(world.order(customer, [(sku, 3)], price=10_000))
        held = await settled(world, (await world.orders.CreateOrder(request)).order.order_id)
        assert held.status == orders_pb2.ORDER_STATUS_ON_HOLD
        assert list(held.approval.reasons) == ["order value 30000 above 20000"]
    finally:
        restored = await world.orders.SetRiskRules(orders_pb2.SetRiskRulesRequest(rules=original))
        await _in_effect()
    assert restored.version == original.version + 2
    for field in ("hold_order_value_above_minor", "max_orders_per_instrument_per_hour", "hold_overdue_after_days"):
        assert restored.HasField(field) == original.HasField(field) and getattr(restored, field) == getattr(original, field)


def _in_currency(request: orders_pb2.CreateOrderRequest, currency: str) -> orders_pb2.CreateOrderRequest:
    for line in request.lines:
        line.unit_price.currency = currency
    for payment in request.payments:
        payment.amount.currency = currency
    return request


async def test_orders_in_another_currency_are_judged_by_that_currencys_value_limits(world: World):
    original = await world.orders.GetRiskRules(orders_pb2.GetRiskRulesRequest())
    try:
        rules = orders_pb2.RiskRules()
        rules.CopyFrom(original)
        rules.hold_order_value_above_minor = 500_000  # 5,000.00 EUR
        rules.ClearField("hold_first_order_above_minor")
        rules.limits_currency = "EUR"
        rules.value_limits.clear()
        rules.value_limits["JPY"].hold_order_value_above_minor = 1_000_000  # yen have no minor unit
        written = await world.orders.SetRiskRules(orders_pb2.SetRiskRulesRequest(rules=rules))
        assert written.limits_currency == "EUR" and dict(written.value_limits) == {"JPY": rules.value_limits["JPY"]}

        # A limit keyed by something other than a currency, or by the rules' own: refused, nothing changed.
        bad = orders_pb2.RiskRules()
        bad.CopyFrom(rules)
        bad.value_limits["yen"].hold_order_value_above_minor = 1
        bad.value_limits["EUR"].reject_order_value_above_minor = -5
        code, _, fields = await refusal(world.orders.SetRiskRules(orders_pb2.SetRiskRulesRequest(rules=bad)))
        assert (code, fields) == (
            grpc.StatusCode.INVALID_ARGUMENT,
            {"rules.value_limits[yen]", "rules.value_limits[EUR]", "rules.value_limits[EUR].reject_order_value_above_minor"},
        )
        assert await world.orders.GetRiskRules(orders_pb2.GetRiskRulesRequest()) == written

        await _in_effect()
        sku = await world.sku({"T-DC-NORTH": 20})
        customer = await world.customer()
        # 750,000 yen: above the EUR threshold as a number, well within the yen one.
        yen = _in_currency(card(world.order(customer, [(sku, 3)], price=250_000)), "JPY")
        approved = await settled(world, (await world.orders.CreateOrder(yen)).order.order_id)
        assert approved.total.currency == "JPY" and approved.status != orders_pb2.ORDER_STATUS_ON_HOLD
        assert list(approved.approval.reasons) == []
        big_yen = _in_currency(card(world.order(customer, [(sku, 5)], price=250_000)), "JPY")
        held = await settled(world, (await world.orders.CreateOrder(big_yen)).order.order_id)
        assert list(held.approval.reasons) == ["order value 1250000 above 1000000"]
        # Dollars: nobody set what is a lot, so a reviewer decides.
        dollars = _in_currency(card(world.order(customer, [(sku, 1)], price=1_999)), "USD")
        unknown = await settled(world, (await world.orders.CreateOrder(dollars)).order.order_id)
        assert unknown.status == orders_pb2.ORDER_STATUS_ON_HOLD
        assert list(unknown.approval.reasons) == ["no value limits for USD in the risk rules"]
    finally:
        await world.orders.SetRiskRules(orders_pb2.SetRiskRulesRequest(rules=original))
        await _in_effect()
