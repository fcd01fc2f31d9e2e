"""Tax rates by country: the rates an order may state for where it ships. Pure."""

from __future__ import annotations

import pytest

from gateway.convert import Violations, create_order_from_proto, location_from_proto, tax_rates_from_proto, tax_rates_to_proto
from oms_actors.domain.errors import ValidationError
from oms_actors.domain.tax import rate_refusal
from protos.oms.v1 import billing_pb2, common_pb2, inventory_pb2, orders_pb2

TABLE = {"DE": frozenset({1900, 700}), "FR": frozenset({2000, 1000, 550, 210})}


def test_a_listed_countrys_rates_are_the_only_ones_an_order_there_may_state():
    assert rate_refusal(TABLE, "DE", 1900) is None and rate_refusal(TABLE, "DE", 700) is None
    assert rate_refusal(TABLE, "DE", 2000) == "20.00% is not a tax rate of DE (19.00%, 7.00%)"
    assert rate_refusal(TABLE, "DE", 0) is None  # unstated: the channel says nothing, nothing to check
    assert rate_refusal(TABLE, "US", 825) is None  # not listed: not checked


def order(country: str, rate: int, shipping_rate: int | None = None) -> orders_pb2.CreateOrderRequest:
    req = orders_pb2.CreateOrderRequest(
        channel=common_pb2.CHANNEL_WEB, idempotency_key="k", customer_id="c",
        lines=[orders_pb2.OrderLineInput(sku="A", quantity=1, unit_price=common_pb2.Money(amount_minor=1000, currency="EUR"),
                                         tax_rate_bps=rate)],
        delivery_mode=common_pb2.DELIVERY_MODE_SHIP,
        ship_to=common_pb2.Address(country_code=country, position=common_pb2.GeoPoint(latitude=48.8, longitude=2.3)),
    )  # fmt: skip
    if shipping_rate is not None:
        req.shipping.amount.CopyFrom(common_pb2.Money(amount_minor=495, currency="EUR"))
        req.shipping.tax_rate_bps = shipping_rate
    return req


def collected(store: str, rate: int) -> orders_pb2.CreateOrderRequest:
    req = order("FR", rate)  # the customer's address, for the invoice: not where the goods are handed over
    req.delivery_mode = common_pb2.DELIVERY_MODE_PICKUP_IN_STORE
    req.pickup_location_id = store
    return req


STORES = {"ST-BERLIN": "DE", "ST-UNSTATED": ""}


def bad_fields(req: orders_pb2.CreateOrderRequest) -> set[str]:
    try:
        create_order_from_proto(req, known_skus={"A"}, pickup_locations=STORES, tax_rates=TABLE)
    except ValidationError as exc:
        return {f.field for f in exc.violations}
    return set()


def test_an_order_stating_a_rate_its_country_does_not_have_names_each_such_field():
    assert bad_fields(order("FR", 2000, shipping_rate=2000)) == set()
    assert bad_fields(order("FR", 1900, shipping_rate=1900)) == {"lines[0].tax_rate_bps", "shipping.tax_rate_bps"}
    assert bad_fields(order("DE", 1900)) == set() and bad_fields(order("CH", 810)) == set()


def test_an_order_collected_at_a_store_states_the_stores_countrys_rates():
    assert bad_fields(collected("ST-BERLIN", 1900)) == set()
    assert bad_fields(collected("ST-BERLIN", 2000)) == {"lines[0].tax_rate_bps"}  # France's rate, collected in Germany
    assert bad_fields(collected("ST-UNSTATED", 2500)) == set()  # a store whose country is not stated: not checked


@pytest.mark.parametrize(("country", "fields"), [("DE", set()), ("", set()), ("de", {"l.country_code"}), ("DEU", {"l.country_code"})])
def test_a_locations_country_is_a_two_letter_code_or_unstated(country, fields):
    v = Violations()
    msg = inventory_pb2.Location(
        location_id="ST-1", type=common_pb2.LOCATION_TYPE_STORE, position=common_pb2.GeoPoint(latitude=52.5, longitude=13.4),
        country_code=country,
    )  # fmt: skip
    location = location_from_proto(msg, "l", v)
    assert {f.field for f in v.items} == fields
    assert location is not None and location.country_code == country


@pytest.mark.parametrize(
    ("countries", "fields"),
    [
        ([billing_pb2.CountryTaxRates(country_code="de", rates_bps=[1900])], {"rates.countries[0].country_code"}),
        ([billing_pb2.CountryTaxRates(country_code="DE", rates_bps=[])], {"rates.countries[0].rates_bps"}),
        ([billing_pb2.CountryTaxRates(country_code="DE", rates_bps=[19000])], {"rates.countries[0].rates_bps[0]"}),
        (
            [billing_pb2.CountryTaxRates(country_code="DE", rates_bps=[1900]),
             billing_pb2.CountryTaxRates(country_code="DE", rates_bps=[700])],
            {"rates.countries[1].country_code"},
        ),
    ],
)  # fmt: skip
def test_a_bad_table_names_every_bad_field(countries, fields):
    v = Violations()
    tax_rates_from_proto(billing_pb2.TaxRates(countries=countries), v)
    assert {f.field for f in v.items} == fields


def test_the_wire_form_reads_back_as_the_same_table():
    v = Violations()
    assert tax_rates_from_proto(tax_rates_to_proto(TABLE, version=2), v) == TABLE and not v.items
