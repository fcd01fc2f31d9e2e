"""Reading the catalogue and the network back: products by SKU or style, locations nearest first."""

from __future__ import annotations

import grpc
import pytest

from gateway.auth import Role
from oms_actors.domain.enums import Channel
from protos.oms.v1 import common_pb2, inventory_pb2
from tests.integration.support import World, field_violations
from tests.integration.test_billing import as_role

pytestmark = pytest.mark.integration

REYKJAVIK = (64.1466, -21.9426)  # far from every other test's locations
STORE = common_pb2.LOCATION_TYPE_STORE


async def test_a_styles_variants_are_listed_a_page_at_a_time_and_skus_are_read_with_the_missing_named(world: World, oms):
    style = World.unique("STYLE")
    variants = sorted(
        [
            await world.sku({}, style=style),
            await world.sku({}, style=style, return_window_days=14),
            await world.sku({}, style=style, returnable=False),
        ]
    )
    other = await world.sku({}, style=World.unique("STYLE"))
    channel = await as_role(oms, Role.CHANNEL, channel=Channel.WEB)
    try:
        first = await channel.inventory.ListProducts(inventory_pb2.ListProductsRequest(style=style, page_size=2))
        assert [p.sku for p in first.products] == variants[:2] and first.next_page_token
        rest = await channel.inventory.ListProducts(
            inventory_pb2.ListProductsRequest(style=style, page_size=2, page_token=first.next_page_token)
        )
        assert [p.sku for p in rest.products] == variants[2:] and not rest.next_page_token
        terms = {p.sku: (p.returnable, p.return_window_days, p.style) for p in [*first.products, *rest.products]}
        assert sorted(terms.values()) == sorted([(True, 0, style), (True, 14, style), (False, 0, style)])

        missing = World.unique("NO-SUCH-SKU")
        asked = await channel.inventory.ListProducts(inventory_pb2.ListProductsRequest(skus=[other, missing, variants[0], other]))
        assert [p.sku for p in asked.products] == [other, variants[0]] and list(asked.missing_skus) == [missing]
    finally:
        await channel.close()

    for bad, fields in [
        (inventory_pb2.ListProductsRequest(skus=[other], style=style), {"skus"}),
        (inventory_pb2.ListProductsRequest(page_size=501), {"page_size"}),
        (inventory_pb2.ListProductsRequest(page_token="not-a-token"), {"page_token"}),
        (inventory_pb2.ListProductsRequest(skus=["bad sku"]), {"skus[0]"}),
    ]:
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await world.inventory.ListProducts(bad)
        assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert field_violations(info.value) == fields


def near(lat_offset: float) -> tuple[float, float]:
    return (REYKJAVIK[0] + lat_offset, REYKJAVIK[1])  # 0.01 degrees of latitude: about 1.1 km


async def test_a_store_picker_lists_the_pickup_stores_nearest_first_and_only_admins_see_costs(world: World, oms):
    express = inventory_pb2.CarrierService(code="express", transit_km_per_day=1_000, parcel_cost_minor=600)
    here = await world.location(
        "T-ST-HERE", kind=STORE, at=near(0), pickup_enabled=True, daily_capacity_units=40,
        shipping=inventory_pb2.ShippingSchedule(services=[express]),
    )  # fmt: skip
    five = await world.location("T-ST-FIVE", kind=STORE, at=near(0.045), pickup_enabled=True)
    ten = await world.location("T-ST-TEN", kind=STORE, at=near(0.09))  # no pickup
    warehouse = await world.location("T-DC-NEAR", at=near(0.02))
    closed = World.unique("T-ST-CLOSED")
    await world.inventory.UpsertLocations(
        inventory_pb2.UpsertLocationsRequest(
            locations=[
                inventory_pb2.Location(
                    location_id=closed, type=STORE, name=closed, pickup_enabled=True, active=False,
                    position=common_pb2.GeoPoint(latitude=near(0.01)[0], longitude=near(0.01)[1]),
                )
            ]
        )
    )  # fmt: skip
    point = common_pb2.GeoPoint(latitude=REYKJAVIK[0], longitude=REYKJAVIK[1])
    channel = await as_role(oms, Role.CHANNEL, channel=Channel.MOBILE_APP)
    try:
        picker = inventory_pb2.ListLocationsRequest(near=point, within_km=50, pickup_only=True, page_size=1)
        first = await channel.inventory.ListLocations(picker)
        picker.page_token = first.next_page_token
        second = await channel.inventory.ListLocations(picker)
        assert [x.location.location_id for x in [*first.locations, *second.locations]] == [here, five]
        assert not second.next_page_token
        assert first.locations[0].distance_km < 0.01 and 4.5 < second.locations[0].distance_km < 5.5
        # A channel sees where and what a location is, not what it costs or can ship.
        seen = first.locations[0].location
        assert (seen.name, seen.pickup_enabled, seen.active, seen.position.latitude) == (here, True, True, REYKJAVIK[0])
        assert (seen.shipment_cost_minor, seen.daily_capacity_units) == (0, 0)
        # Its carrier services, but not what their parcels cost.
        assert [(s.code, s.transit_km_per_day, s.parcel_cost_minor) for s in seen.shipping.services] == [("express", 1_000, 0)]
    finally:
        await channel.close()

    every_store = await world.inventory.ListLocations(
        inventory_pb2.ListLocationsRequest(near=point, within_km=50, type=STORE, include_inactive=True)
    )
    assert [x.location.location_id for x in every_store.locations] == [here, closed, five, ten]
    distances = [x.distance_km for x in every_store.locations]
    assert distances == sorted(distances) and distances[-1] < 11
    # The admin sees the cost model's figures.
    assert (every_store.locations[0].location.shipment_cost_minor, every_store.locations[0].location.daily_capacity_units) == (
        100,
        40,
    )
    assert [s.parcel_cost_minor for s in every_store.locations[0].location.shipping.services] == [600]
    active = await world.inventory.ListLocations(inventory_pb2.ListLocationsRequest(near=point, within_km=50))
    assert [x.location.location_id for x in active.locations] == [here, warehouse, five, ten]
    # Without a point: in id order, every active location of the type.
    by_id = await world.inventory.ListLocations(inventory_pb2.ListLocationsRequest(type=STORE, page_size=500))
    ids = [x.location.location_id for x in by_id.locations]
    assert ids == sorted(ids) and {here, five, ten} <= set(ids) and closed not in ids and warehouse not in ids
    assert all(x.distance_km == 0 for x in by_id.locations)

    for bad, fields in [
        (inventory_pb2.ListLocationsRequest(within_km=5), {"within_km"}),
        (inventory_pb2.ListLocationsRequest(near=common_pb2.GeoPoint(latitude=91), within_km=-1), {"near", "within_km"}),
        (inventory_pb2.ListLocationsRequest(type=99), {"type"}),
        (inventory_pb2.ListLocationsRequest(page_token=first.next_page_token), {"page_token"}),  # a list near a point's
    ]:
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await world.inventory.ListLocations(bad)
        assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert field_violations(info.value) == fields
