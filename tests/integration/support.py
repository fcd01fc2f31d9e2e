"""A client-side view of the system for integration tests: the generated stubs and test data."""

from __future__ import annotations

import contextlib
import itertools
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import grpc
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status

from gateway.auth import client as auth_client
from protos.oms.v1 import (
    common_pb2,
    customers_pb2,
    customers_pb2_grpc,
    inventory_pb2,
    inventory_pb2_grpc,
    orders_pb2,
    orders_pb2_grpc,
)

BERLIN = (52.52, 13.40)
# A small network: three warehouses, two stores (one offers pickup), a drop-ship supplier.
LOCATIONS = [
    ("T-DC-NORTH", common_pb2.LOCATION_TYPE_WAREHOUSE, 53.55, 9.99, 450, False),
    ("T-DC-SOUTH", common_pb2.LOCATION_TYPE_WAREHOUSE, 48.14, 11.58, 430, False),
    ("T-DC-WEST", common_pb2.LOCATION_TYPE_WAREHOUSE, 50.94, 6.96, 470, False),
    ("T-ST-MITTE", common_pb2.LOCATION_TYPE_STORE, 52.52, 13.41, 700, True),
    ("T-ST-LEIPZIG", common_pb2.LOCATION_TYPE_STORE, 51.34, 12.37, 690, False),
    ("T-DS-SUPPLIER", common_pb2.LOCATION_TYPE_DROPSHIP, 50.11, 8.68, 950, False),
]
CHANNELS = [
    common_pb2.CHANNEL_WEB,
    common_pb2.CHANNEL_MOBILE_APP,
    common_pb2.CHANNEL_STORE,
    common_pb2.CHANNEL_CALL_CENTER,
    common_pb2.CHANNEL_FIELD_SALES,
    common_pb2.CHANNEL_MARKETPLACE,
]


def eur(minor: int) -> common_pb2.Money:
    return common_pb2.Money(amount_minor=minor, currency="EUR")


def rich_status(err: grpc.aio.AioRpcError) -> status_pb2.Status | None:
    return rpc_status.from_call(err)


def field_violations(err: grpc.aio.AioRpcError) -> set[str]:
    status = rich_status(err)
    fields: set[str] = set()
    for detail in status.details if status else []:
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            fields.update(v.field for v in bad.field_violations)
    return fields


def precondition_violations(err: grpc.aio.AioRpcError) -> dict[str, str]:
    """subject -> description of the status's PreconditionFailure (``lines[0]``: the first line)."""
    status = rich_status(err)
    found: dict[str, str] = {}
    for detail in status.details if status else []:
        if detail.Is(error_details_pb2.PreconditionFailure.DESCRIPTOR):
            failure = error_details_pb2.PreconditionFailure()
            detail.Unpack(failure)
            found.update({v.subject: v.description for v in failure.violations})
    return found


@dataclass
class World:
    channel: grpc.aio.Channel
    orders: orders_pb2_grpc.OrderServiceStub
    inventory: inventory_pb2_grpc.InventoryServiceStub
    customers: customers_pb2_grpc.CustomerServiceStub

    _counter = itertools.count()

    @classmethod
    async def open(
        cls, target: str, *, credential: str | None = None, channel_credentials: grpc.ChannelCredentials | None = None
    ) -> World:
        """A client sending ``credential`` (an API key or a token; default ``$OMS_API_KEY``) with every call,
        over ``channel_credentials`` when given (TLS, composed with the credential by the caller)."""
        credential = credential or auth_client.credential_from_env()
        if channel_credentials is not None:
            channel = grpc.aio.secure_channel(target, channel_credentials)
        elif credential:
            channel = grpc.aio.secure_channel(target, auth_client.channel_credentials(credential, tls=False))
        else:
            channel = grpc.aio.insecure_channel(target)
        await channel.channel_ready()
        return cls(
            channel=channel,
            orders=orders_pb2_grpc.OrderServiceStub(channel),
            inventory=inventory_pb2_grpc.InventoryServiceStub(channel),
            customers=customers_pb2_grpc.CustomerServiceStub(channel),
        )

    async def close(self) -> None:
        await self.channel.close()

    @staticmethod
    def unique(prefix: str) -> str:
        return f"{prefix}-{uuid.uuid4().hex[:10]}"

    async def seed_network(self) -> None:
        await self.inventory.UpsertLocations(
            inventory_pb2.UpsertLocationsRequest(
                locations=[
                    _location(
                        lid,
                        kind=kind,
                        at=(lat, lon),
                        shipment_cost_minor=ship,
                        shipment_cost_per_km_minor=0.5,
                        unit_handling_cost_minor=60 if kind == common_pb2.LOCATION_TYPE_WAREHOUSE else 120,
                        unit_cost_per_kg_km_minor=0.02,
                        pickup_enabled=pickup,
                    )
                    for lid, kind, lat, lon, ship, pickup in LOCATIONS
                ]
            )
        )

    async def location(
        self,
        prefix: str,
        *,
        kind: int = common_pb2.LOCATION_TYPE_WAREHOUSE,
        at: tuple[float, float] = BERLIN,
        shipment_cost_minor: int = 100,
        **fields: object,
    ) -> str:
        """A location of the test's own, active, at ``at`` (by default Berlin, where the
        test orders ship to, and cheap: the place to ship from); ``fields`` of Location."""
        lid = self.unique(prefix)
        await self.inventory.UpsertLocations(
            inventory_pb2.UpsertLocationsRequest(
                locations=[_location(lid, kind=kind, at=at, shipment_cost_minor=shipment_cost_minor, **fields)]
            )
        )
        return lid

    async def sku(
        self,
        stock: dict[str, int],
        *,
        weight_grams: int = 500,
        safety: dict[str, int] | None = None,
        style: str = "",
        returnable: bool = True,
        return_window_days: int = 0,
    ) -> str:
        sku = self.unique("SKU")
        product = inventory_pb2.Product(sku=sku, name=sku, weight_grams=weight_grams, style=style)
        product.returnable, product.return_window_days = returnable, return_window_days
        await self.inventory.UpsertProducts(inventory_pb2.UpsertProductsRequest(products=[product]))
        if stock:
            await self.inventory.SetStock(
                inventory_pb2.SetStockRequest(
                    levels=[
                        inventory_pb2.StockLevel(
                            location_id=loc, sku=sku, on_hand=qty, safety_stock=(safety or {}).get(loc, 0)
                        )
                        for loc, qty in stock.items()
                    ]
                )
            )
        return sku

    async def customer(self, *, business: bool = False) -> str:
        cid = self.unique("CUST")
        await self.customers.UpsertCustomer(
            customers_pb2.UpsertCustomerRequest(
                customer=customers_pb2.Customer(
                    customer_id=cid,
                    type=customers_pb2.CUSTOMER_TYPE_BUSINESS if business else customers_pb2.CUSTOMER_TYPE_CONSUMER,
                    name="Test Customer",
                    email=f"{cid.lower()}@example.com",
                )
            )
        )
        return cid

    def order(
        self,
        customer_id: str,
        lines: list[tuple[str, int]],
        *,
        channel: int = common_pb2.CHANNEL_WEB,
        key: str | None = None,
        price: int = 1999,
        pickup: str = "",
    ) -> orders_pb2.CreateOrderRequest:
        req = orders_pb2.CreateOrderRequest(
            channel=channel,
            idempotency_key=key or self.unique("idem"),
            customer_id=customer_id,
            lines=[orders_pb2.OrderLineInput(sku=s, quantity=q, unit_price=eur(price)) for s, q in lines],
            delivery_mode=common_pb2.DELIVERY_MODE_PICKUP_IN_STORE if pickup else common_pb2.DELIVERY_MODE_SHIP,
            pickup_location_id=pickup,
            external_reference=self.unique("ext"),
        )
        if not pickup:
            req.ship_to.CopyFrom(
                common_pb2.Address(
                    name="Erika Mustermann",
                    lines=["Unter den Linden 1"],
                    city="Berlin",
                    postal_code="10117",
                    country_code="DE",
                    position=common_pb2.GeoPoint(latitude=BERLIN[0], longitude=BERLIN[1]),
                )
            )
        return req

    @contextlib.asynccontextmanager
    async def rules_added(self, *rules: inventory_pb2.EligibilityRule) -> AsyncIterator[None]:
        """The routing rules with ``rules`` added (best scoped to the test's own SKUs), then as they were."""
        previous = await self.inventory.GetRoutingRules(inventory_pb2.GetRoutingRulesRequest())
        changed = inventory_pb2.RoutingRules()
        changed.CopyFrom(previous)
        changed.rules.extend(rules)
        await self.inventory.SetRoutingRules(changed)
        try:
            yield
        finally:
            await self.inventory.SetRoutingRules(previous)

    async def available(self, sku: str) -> dict[str, tuple[int, int]]:
        """location -> (on_hand, reserved)."""
        resp = await self.inventory.GetAvailability(inventory_pb2.GetAvailabilityRequest(skus=[sku]))
        return {loc.location_id: (loc.on_hand, loc.reserved) for loc in resp.skus[0].locations}

    async def reserved(self, sku: str) -> int:
        return sum(r for _, r in (await self.available(sku)).values())


def _location(lid: str, *, kind: int, at: tuple[float, float], shipment_cost_minor: int, **fields: object) -> inventory_pb2.Location:
    """An active location named for its id."""
    return inventory_pb2.Location(
        location_id=lid,
        type=kind,
        name=lid,
        position=common_pb2.GeoPoint(latitude=at[0], longitude=at[1]),
        shipment_cost_minor=shipment_cost_minor,
        active=True,
        **fields,
    )


async def status_of(call) -> grpc.StatusCode:
    """The status a call ends with: OK, or the code it failed with."""
    try:
        await call
    except grpc.aio.AioRpcError as err:
        return err.code()
    return grpc.StatusCode.OK
