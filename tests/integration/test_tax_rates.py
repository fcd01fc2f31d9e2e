"""Tax rates by country, set by an admin: an order stating a rate its ship-to country lacks is refused."""

from __future__ import annotations

import asyncio

import grpc
import pytest

from oms_actors.store.tax_rates import TAX_RATES_TTL_S
from protos.oms.v1 import billing_pb2, billing_pb2_grpc, common_pb2, orders_pb2
from tests.integration.support import World, field_violations
from tests.integration.test_lifecycle import card

pytestmark = pytest.mark.integration


async def test_an_order_to_a_listed_country_states_one_of_its_rates_or_is_refused_with_nothing_placed(world: World):
    billing = billing_pb2_grpc.BillingServiceStub(world.channel)
    before = await billing.GetTaxRates(billing_pb2.GetTaxRatesRequest())
    germany = billing_pb2.TaxRates(countries=[billing_pb2.CountryTaxRates(country_code="DE", rates_bps=[1900, 700])])
    try:
        written = await billing.SetTaxRates(billing_pb2.SetTaxRatesRequest(rates=germany, expected_version=before.version))
        assert written.version == before.version + 1 and list(written.countries[0].rates_bps) == [1900, 700]
        await asyncio.sleep(TAX_RATES_TTL_S + 0.3)  # the gateway's copy

        store = await world.location("T-ST-TAX", kind=common_pb2.LOCATION_TYPE_STORE, pickup_enabled=True, country_code="DE")
        sku = await world.sku({"T-DC-NORTH": 5, store: 3})
        customer = await world.customer()
        wrong = card(world.order(customer, [(sku, 1)], key=World.unique("tax")))  # ships to Berlin
        wrong.lines[0].tax_rate_bps = 2000
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await world.orders.CreateOrder(wrong)
        assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert field_violations(info.value) == {"lines[0].tax_rate_bps"}
        assert "20.00% is not a tax rate of DE" in info.value.details()
        listed = await world.orders.ListOrders(orders_pb2.ListOrdersRequest(customer_id=customer))
        assert not listed.orders  # nothing placed under the key
        wrong.lines[0].tax_rate_bps = 700  # the same key, now right: placed, as new
        placed = await world.orders.CreateOrder(wrong)
        assert placed.order.lines[0].tax_rate_bps == 700

        # Collected at a store in Germany: the store's country's rates, whatever the address.
        collected = card(world.order(customer, [(sku, 1)], key=World.unique("tax-pickup"), pickup=store))
        collected.lines[0].tax_rate_bps = 2000
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await world.orders.CreateOrder(collected)
        assert field_violations(info.value) == {"lines[0].tax_rate_bps"}
        assert "20.00% is not a tax rate of DE" in info.value.details()
        assert len((await world.orders.ListOrders(orders_pb2.ListOrdersRequest(customer_id=customer))).orders) == 1
        collected.lines[0].tax_rate_bps = 1900
        assert (await world.orders.CreateOrder(collected)).order.pickup_location_id == store

        # A bad table or a stale version changes nothing.
        bad = billing_pb2.TaxRates(countries=[billing_pb2.CountryTaxRates(country_code="Germany", rates_bps=[1900])])
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await billing.SetTaxRates(billing_pb2.SetTaxRatesRequest(rates=bad))
        assert field_violations(info.value) == {"rates.countries[0].country_code"}
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await billing.SetTaxRates(billing_pb2.SetTaxRatesRequest(rates=germany, expected_version=before.version))
        assert info.value.code() == grpc.StatusCode.ABORTED
        assert await billing.GetTaxRates(billing_pb2.GetTaxRatesRequest()) == written
    finally:
        before.ClearField("version")
        await billing.SetTaxRates(billing_pb2.SetTaxRatesRequest(rates=before))
        await asyncio.sleep(TAX_RATES_TTL_S + 0.3)
