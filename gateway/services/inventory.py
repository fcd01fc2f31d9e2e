"""InventoryService: the network, the catalogue, stock levels and availability."""

from __future__ import annotations

import asyncio
import json
import time
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, Callable

import grpc
import msgspec
import numpy as np
from google.protobuf import timestamp_pb2

import optimizer
from gateway import limits
from gateway.auth.access import caller, check_location
from gateway.auth.principal import Role
from gateway.convert import (
    CHANNELS,
    DELIVERY_MODES,
    LOCATION_TYPES,
    Violations,
    day_to_proto,
    feed_message_from_proto,
    location_from_proto,
    location_to_proto,
    product_from_proto,
    product_to_proto,
    routing_rules_from_proto,
    routing_rules_to_proto,
    stock_level_from_proto,
)
from gateway.errors import rpc
from gateway.paging import page_after, page_token
from gateway.services.backend import Backend
from oms_actors.audit import ReservationCheck, check_reservations, settled_differences
from oms_actors.domain.delivery import MAX_CLOSED_DATES, Door
from oms_actors.domain.enums import DeliveryMode
from oms_actors.domain.errors import FailedPreconditionError, FieldViolation, ValidationError
from oms_actors.domain.ledger import FeedKind, FeedMessage, FeedOutcome
from oms_actors.domain.partitioning import shard_of
from oms_actors.domain.stock import available_units
from oms_actors.routing import promisable_units
from optimizer.costs import haversine_km
from protos.oms.v1 import inventory_pb2, inventory_pb2_grpc

MAX_COUNTRIES = 250  # calendars per call: every country there is

# Shards and orders are read one after the other; a mismatch is reported only when
# every pass sees it the same way (an order re-sourced between two reads is not one).
AUDIT_PASSES = 3
AUDIT_SETTLE_S = 0.5

class InventoryService(inventory_pb2_grpc.InventoryServiceServicer):
    def __init__(self, backend: Backend) -> None:
        self.b = backend

    @rpc
    async def UpsertLocations(
        self, request: inventory_pb2.UpsertLocationsRequest, context: grpc.aio.ServicerContext
    ) -> inventory_pb2.UpsertLocationsResponse:
        v = Violations()
        v.count("locations", request.locations, at_least=1, at_most=limits.MAX_BULK_ITEMS)
        locations = [location_from_proto(m, f"locations[{i}]", v) for i, m in enumerate(request.locations)]
        v.unique("locations", [m.location_id for m in request.locations], "location_id")
        v.raise_if_any()
        await self.b.network.store.upsert_locations([loc for loc in locations if loc is not None])
        await self.b.network_changed()
        return inventory_pb2.UpsertLocationsResponse(upserted=len(locations))

    @rpc
    async def SetPublicHolidays(
        self, request: inventory_pb2.SetPublicHolidaysRequest, context: grpc.aio.ServicerContext
    ) -> inventory_pb2.SetPublicHolidaysResponse:
        v = Violations()
        v.count("calendars", request.calendars, at_least=1, at_most=MAX_COUNTRIES)
        calendars: dict[str, list[str]] = {}
        for i, calendar in enumerate(request.calendars):
            v.country(f"calendars[{i}].country_code", calendar.country_code, required=True)
            v.count(f"calendars[{i}].dates", calendar.dates, at_most=MAX_CLOSED_DATES)
            days = {v.day(f"calendars[{i}].dates[{j}]", ts) for j, ts in enumerate(calendar.dates)}
            calendars[calendar.country_code] = sorted(days)
        v.unique("calendars", [c.country_code for c in request.calendars], "country_code")
        v.raise_if_any()
        await self.b.network.store.set_holidays(calendars)
        await self.b.network_changed()
        return inventory_pb2.SetPublicHolidaysResponse(countries=len(calendars))

    @rpc
    async def GetPublicHolidays(
        self, request: inventory_pb2.GetPublicHolidaysRequest, context: grpc.aio.ServicerContext
    ) -> inventory_pb2.GetPublicHolidaysResponse:
        await self.b.network.refresh()
        return inventory_pb2.GetPublicHolidaysResponse(
            calendars=[
                inventory_pb2.HolidayCalendar(country_code=country, dates=[day_to_proto(day) for day in sorted(days)])
                for country, days in sorted(self.b.network.holidays.items())
            ]
        )

    @rpc
    async def UpsertProducts(
        self, request: inventory_pb2.UpsertProductsRequest, context: grpc.aio.ServicerContext
    ) -> inventory_pb2.UpsertProductsResponse:
        v = Violations()
        v.count("products", request.products, at_least=1, at_most=limits.MAX_BULK_ITEMS)
        products = [product_from_proto(m, f"products[{i}]", v) for i, m in enumerate(request.products)]
        v.unique("products", [m.sku for m in request.products], "sku")
        v.raise_if_any()
        await self.b.network.store.upsert_products(products)
        await self.b.network_changed()
        return inventory_pb2.UpsertProductsResponse(upserted=len(products))

    @rpc
    async def ListProducts(
        self, request: inventory_pb2.ListProductsRequest, context: grpc.aio.ServicerContext
    ) -> inventory_pb2.ListProductsResponse:
        v = Violations()
        v.count("skus", request.skus, at_most=limits.MAX_BULK_ITEMS)
        for i, sku in enumerate(request.skus):
            v.identifier(f"skus[{i}]", sku)
        if request.skus and (request.style or request.page_size or request.page_token):
            v.add("skus", "either SKUs, or a style and pages: not both")
        v.identifier("style", request.style, required=False)
        size = v.page_size(request.page_size)
        after = page_after(request.page_token, v, (str,), "this list") if request.page_token else None
        v.raise_if_any()
        network = self.b.network
        await network.refresh()
        if request.skus:
            asked = list(dict.fromkeys(request.skus))
            known = await network.known_skus(asked)
            return inventory_pb2.ListProductsResponse(
                products=[product_to_proto(network.products[s]) for s in asked if s in known],
                missing_skus=[s for s in asked if s not in known],
            )
        page = network.product_page(after=after[0] if after else None, limit=size + 1, style=request.style)
        return inventory_pb2.ListProductsResponse(
            products=[product_to_proto(p) for p in page[:size]],
            next_page_token=page_token([page[size - 1].sku]) if len(page) > size else "",
        )

    @rpc
    async def ListLocations(
        self, request: inventory_pb2.ListLocationsRequest, context: grpc.aio.ServicerContext
    ) -> inventory_pb2.ListLocationsResponse:
        principal = await caller(context)
        v = Violations()
        kind = v.enum("type", request.type, LOCATION_TYPES) if request.type else None
        near = request.near if request.HasField("near") else None
        if near is not None:
            v.position("near", near)
        if not request.within_km >= 0:  # NaN too
            v.add("within_km", "kilometres, 0 (any distance) or more")
        elif request.within_km and near is None:
            v.add("within_km", "only with near")
        size = v.page_size(request.page_size)
        shape = (float, str) if near is not None else (str,)
        after = page_after(request.page_token, v, shape, "this list") if request.page_token else None
        v.raise_if_any()
        await self.b.network.refresh()
        chosen = [
            loc
            for loc in self.b.network.locations.values()
            if (kind is None or loc.type is kind)
            and (request.include_inactive or loc.active)
            and (not request.pickup_only or (loc.pickup_enabled and loc.active))
        ]
        if near is not None and chosen:
            km = haversine_km(
                np.array([loc.latitude for loc in chosen]), np.array([loc.longitude for loc in chosen]), near.latitude, near.longitude
            )
            keyed = sorted(((float(d), loc.location_id), loc) for d, loc in zip(km, chosen))
            if request.within_km:
                keyed = [(key, loc) for key, loc in keyed if key[0] <= request.within_km]
        else:
            keyed = sorted(((loc.location_id,), loc) for loc in chosen)
        listed = [(key, loc) for key, loc in keyed if after is None or key > after]
        costs = principal.role is Role.ADMIN
        return inventory_pb2.ListLocationsResponse(
            locations=[
                inventory_pb2.ListedLocation(
                    location=location_to_proto(loc, costs=costs), distance_km=key[0] if near is not None else 0.0
                )
                for key, loc in listed[:size]
            ],
            next_page_token=page_token(list(listed[size - 1][0])) if len(listed) > size else "",
        )

    @rpc
    async def SetStock(
        self, request: inventory_pb2.SetStockRequest, context: grpc.aio.ServicerContext
    ) -> inventory_pb2.SetStockResponse:
        v = Violations()
        v.count("levels", request.levels, at_least=1, at_most=limits.MAX_BULK_ITEMS)
        changes = [stock_level_from_proto(m, f"levels[{i}]", v) for i, m in enumerate(request.levels)]
        v.unique("levels", [f"{c.location_id}|{c.sku}" for c in changes], "(location_id, sku)")
        await self.b.network.refresh()
        known_skus = await self.b.network.known_skus([c.sku for c in changes])
        known_locs = await self.b.network.known_locations([c.location_id for c in changes])
        for i, c in enumerate(changes):
            if c.location_id and c.location_id not in known_locs:
                v.add(f"levels[{i}].location_id", f"unknown location {c.location_id!r}")
            if c.sku and c.sku not in known_skus:
                v.add(f"levels[{i}].sku", f"unknown SKU {c.sku!r}")
        v.raise_if_any()
        await check_location(context, await caller(context), *(c.location_id for c in changes))
        shards = self.b.actors.inventory
        by_shard: dict[int, list[Any]] = defaultdict(list)
        for c in changes:
            by_shard[shard_of(c.sku, len(shards))].append(c)
        # Absolute levels: a retry after a partial failure converges, it never double-counts.
        counts = await asyncio.gather(*(shards[i].set_levels.remote(by_shard[i]) for i in sorted(by_shard)))
        self.b.stock_arrived([c.sku for c in changes])
        return inventory_pb2.SetStockResponse(applied=sum(counts))

    @rpc
    async def GetAvailability(
        self, request: inventory_pb2.GetAvailabilityRequest, context: grpc.aio.ServicerContext
    ) -> inventory_pb2.GetAvailabilityResponse:
        v = Violations()
        v.count("skus", request.skus, at_least=0 if request.basket else 1, at_most=limits.MAX_AVAILABILITY_SKUS)
        for i, sku in enumerate(request.skus):
            v.identifier(f"skus[{i}]", sku)
        if v.count("basket", request.basket, at_most=limits.MAX_AVAILABILITY_SKUS):
            for i, line in enumerate(request.basket):
                v.identifier(f"basket[{i}].sku", line.sku)
                if not 1 <= line.quantity <= limits.MAX_LINE_QUANTITY:
                    v.add(f"basket[{i}].quantity", f"between 1 and {limits.MAX_LINE_QUANTITY}")
            first: dict[str, int] = {}
            for i, line in enumerate(request.basket):
                if line.sku in first:
                    v.add(f"basket[{i}].sku", f"the same SKU as basket[{first[line.sku]}]: one line per SKU")
                first.setdefault(line.sku, i)
        asked = list(dict.fromkeys([*request.skus, *(line.sku for line in request.basket)]))
        if len(asked) > limits.MAX_AVAILABILITY_SKUS:
            v.add("basket", f"with skus, at most {limits.MAX_AVAILABILITY_SKUS} SKUs")
        v.count("location_ids", request.location_ids, at_most=limits.MAX_BULK_ITEMS)
        for i, lid in enumerate(request.location_ids):
            v.identifier(f"location_ids[{i}]", lid)
        channel = CHANNELS.get(request.channel)
        if request.channel and channel is None:
            v.add("channel", f"unknown value {request.channel}")
        mode = DELIVERY_MODES.get(request.delivery_mode, DeliveryMode.SHIP)
        if request.delivery_mode and request.delivery_mode not in DELIVERY_MODES:
            v.add("delivery_mode", f"unknown value {request.delivery_mode}")
        if mode is DeliveryMode.PICKUP:
            v.identifier("pickup_location_id", request.pickup_location_id)
        elif request.pickup_location_id:
            v.add("pickup_location_id", "only for delivery_mode PICKUP_IN_STORE")
        if request.HasField("destination"):
            if mode is DeliveryMode.PICKUP:
                v.add("destination", "a pickup is collected at pickup_location_id")
            else:
                v.position("destination", request.destination)
        if request.destination_country:
            if mode is DeliveryMode.PICKUP:
                v.add("destination_country", "a pickup is collected at pickup_location_id")
            else:
                v.country("destination_country", request.destination_country)
        if request.shipping_service:
            v.identifier("shipping_service", request.shipping_service)
            if mode is DeliveryMode.PICKUP:
                v.add("shipping_service", "a pickup is collected, not sent: only for a ship view")
        v.raise_if_any()
        known = await self.b.network.known_skus(asked)
        for i, sku in enumerate(request.skus):
            if sku not in known:
                v.add(f"skus[{i}]", f"unknown SKU {sku!r}")
        for i, line in enumerate(request.basket):
            if line.sku not in known:
                v.add(f"basket[{i}].sku", f"unknown SKU {line.sku!r}")
        v.raise_if_any()
        view = await self.b.routing.view()
        if mode is DeliveryMode.PICKUP and request.pickup_location_id not in view.sites:
            v.add("pickup_location_id", "not an active location")
            v.raise_if_any()
        shards = self.b.actors.inventory
        by_shard: dict[int, list[str]] = defaultdict(list)
        for sku in asked:
            by_shard[shard_of(sku, len(shards))].append(sku)
        wanted = set(request.location_ids)
        rows = [
            [row for row in shard_rows if not wanted or row[0] in wanted]
            for shard_rows in await asyncio.gather(
                *(self.b.availability.submit(i, tuple(by_shard[i])) for i in sorted(by_shard))
            )
        ]
        eligible: dict[str, set[str]] = {}
        left_today = await self.b.capacity.left(view.capacity, view.days(view.capacity))
        arrives = self._delivery_days(request, mode)
        per_sku: dict[str, list[inventory_pb2.LocationAvailability]] = defaultdict(list)
        for shard_rows in rows:
            for loc, sku, on_hand, reserved, safety, inbound in shard_rows:
                available = available_units(on_hand, reserved, safety)
                if channel is not None and sku not in eligible:
                    eligible[sku] = view.eligible(channel.value, mode, sku, request.pickup_location_id)
                capacity_left = left_today.get(loc)
                promisable = promisable_units(
                    view,
                    channel=channel.value if channel is not None else None,
                    eligible=eligible.get(sku, set()),
                    location_id=loc,
                    available=available,
                    capacity_left=capacity_left,
                )
                per_sku[sku].append(
                    inventory_pb2.LocationAvailability(
                        location_id=loc,
                        on_hand=on_hand,
                        reserved=reserved,
                        safety_stock=safety,
                        available=available,
                        promisable=promisable,
                        inbound=[
                            inventory_pb2.InboundAvailability(expected_at=day_to_proto(day), quantity=qty, promised=promised)
                            for day, qty, promised in inbound
                        ],
                        capacity_left_today=capacity_left,
                        delivers_on=arrives(loc, request.shipping_service),
                    )
                )
        # The choices a checkout shows: only for a destination with no service asked.
        options = mode is DeliveryMode.SHIP and request.HasField("destination") and not request.shipping_service
        response = inventory_pb2.GetAvailabilityResponse()
        if request.basket:
            response.one_parcel.CopyFrom(self._one_parcel(request, per_sku, left_today))
        for sku in asked:
            locs = sorted(per_sku.get(sku, []), key=lambda r: r.location_id)
            days = [r.delivers_on for r in locs if r.promisable > 0 and r.HasField("delivers_on")]
            response.skus.add(
                sku=sku,
                available=sum(r.available for r in locs),
                promisable=sum(r.promisable for r in locs),
                locations=locs,
                earliest_delivery=_earliest(days),
                delivery_options=self._options([r.location_id for r in locs if r.promisable > 0], arrives) if options else [],
            )
        return response

    def _one_parcel(
        self,
        request: inventory_pb2.GetAvailabilityRequest,
        per_sku: Mapping[str, list[inventory_pb2.LocationAvailability]],
        left_today: Mapping[str, int | None],
    ) -> inventory_pb2.OneParcel:
        """The locations that may be promised the whole basket now, the earliest arriving first:
        what an order asking for one parcel (ship_complete) would be sourced from."""
        units = sum(line.quantity for line in request.basket)
        where: set[str] | None = None
        for line in request.basket:
            here = {r.location_id for r in per_sku.get(line.sku, ()) if r.promisable >= line.quantity}
            where = here if where is None else where & here
        service = request.shipping_service
        rows = []
        for lid in where or ():
            left = left_today.get(lid)
            location = self.b.network.locations.get(lid)
            if (left is not None and left < units) or (
                service and (location is None or all(s.code != service for s in location.shipping.services))
            ):
                continue
            row = next(r for r in per_sku[request.basket[0].sku] if r.location_id == lid)
            day = row.delivers_on if row.HasField("delivers_on") else None
            rows.append(inventory_pb2.ParcelLocation(location_id=lid, delivers_on=day))
        rows.sort(key=lambda r: (not r.HasField("delivers_on"), r.delivers_on.seconds, r.location_id))
        return inventory_pb2.OneParcel(
            locations=rows, earliest_delivery=_earliest([r.delivers_on for r in rows if r.HasField("delivers_on")])
        )

    def _options(
        self, location_ids: list[str], arrives: Callable[[str, str], timestamp_pb2.Timestamp | None]
    ) -> list[inventory_pb2.DeliveryOption]:
        """Each carrier service of these locations (the standard one, "", first) with its earliest day among them."""
        by_service: dict[str, list[timestamp_pb2.Timestamp]] = defaultdict(list)
        for location_id in location_ids:
            location = self.b.network.locations.get(location_id)
            for code in ("", *(s.code for s in location.shipping.services)) if location is not None else ():
                if (day := arrives(location_id, code)) is not None:
                    by_service[code].append(day)
        return [
            inventory_pb2.DeliveryOption(shipping_service=code, earliest_delivery=_earliest(days))
            for code, days in sorted(by_service.items())
        ]

    def _delivery_days(
        self, request: inventory_pb2.GetAvailabilityRequest, mode: DeliveryMode
    ) -> Callable[[str, str], timestamp_pb2.Timestamp | None]:
        """A location's delivery day to the request's destination (or pickup store) for a unit
        sourced there now, by a carrier service ("": the standard one); None for every location
        when the request names neither, and for a location not offering that service."""
        if mode is DeliveryMode.SHIP and not request.HasField("destination"):
            return lambda _, __: None
        promiser = self.b.network.promiser(int(time.time() * 1000))
        at = request.destination
        door = Door(
            latitude=at.latitude, longitude=at.longitude, country=request.destination_country,
            pickup_location_id=request.pickup_location_id if mode is DeliveryMode.PICKUP else "",
        )  # fmt: skip
        days: dict[tuple[str, str], timestamp_pb2.Timestamp | None] = {}
        locations = self.b.network.locations

        def arrives(location_id: str, service: str) -> timestamp_pb2.Timestamp | None:
            if (location_id, service) not in days:
                location = locations.get(location_id)
                day = (
                    promiser.arrival_day(location_id, msgspec.structs.replace(door, service=service))
                    if location is not None and location.shipping.sent_by(service) == service
                    else None
                )
                days[(location_id, service)] = None if day is None else day_to_proto(day.isoformat())
            return days[(location_id, service)]

        return arrives

    @rpc
    async def StreamStockFeed(
        self, request_iterator: Any, context: grpc.aio.ServicerContext
    ) -> inventory_pb2.StockFeedSummary:
        shards = self.b.actors.inventory
        principal = await caller(context)
        summary = inventory_pb2.StockFeedSummary()
        positions: dict[tuple[str, str], int] = {}
        index = 0
        async for msg in request_iterator:
            v = Violations()
            feed = feed_message_from_proto(msg, f"messages[{index}]", v)
            v.raise_if_any()
            assert feed is not None
            await check_location(context, principal, feed.location_id)
            await self._check_feed_names(feed, index)
            # Every partition sees every message (most with no SKUs of theirs), so the
            # sequence advances everywhere and a retry after a partial failure converges.
            parts = [
                replace(feed, quantities=tuple(q for q in feed.quantities if shard_of(q[0], len(shards)) == i))
                for i in range(len(shards))
            ]
            checks = await asyncio.gather(*(shards[i].check_feed.remote(parts[i]) for i in range(len(shards))))
            problems = [p for _, _, found in checks for p in found]
            if problems:
                raise FailedPreconditionError(
                    f"feed {feed.feed_id} message {feed.sequence} would take stock below zero; nothing applied",
                    code="NEGATIVE_STOCK",
                    lines=problems,
                )
            if any(outcome == FeedOutcome.GAP for outcome, _, _ in checks):
                expected = min(last for _, last, _ in checks) + 1
                raise FailedPreconditionError(
                    f"feed {feed.feed_id} at {feed.location_id}: message {feed.sequence} arrived, "
                    f"{expected} expected; messages before it are applied, resend from {expected}",
                    code="SEQUENCE_GAP",
                )
            results = await asyncio.gather(*(shards[i].apply_feed.remote(parts[i]) for i in range(len(shards))))
            if all(outcome == FeedOutcome.REPLAY for outcome, _ in results):
                summary.replayed += 1
            else:
                summary.applied += 1
                self.b.stock_arrived([sku for sku, qty in feed.quantities if feed.kind is FeedKind.SNAPSHOT or qty > 0])
            positions[(feed.feed_id, feed.location_id)] = max(last for _, last in results)
            index += 1
        if index == 0:
            raise ValidationError.of([FieldViolation(field="messages", description="the stream held no message")])
        for (feed_id, loc), last in sorted(positions.items()):
            summary.positions.add(feed_id=feed_id, location_id=loc, last_sequence=last)
        return summary

    async def _check_feed_names(self, feed: FeedMessage, index: int) -> None:
        v = Violations()
        await self.b.network.refresh()
        if not await self.b.network.known_locations([feed.location_id]):
            v.add(f"messages[{index}].location_id", f"unknown location {feed.location_id!r}")
        skus = [sku for sku, _ in feed.quantities]
        known = await self.b.network.known_skus(skus) if skus else set()
        name = "quantities" if feed.kind is FeedKind.SNAPSHOT else "changes"
        for i, sku in enumerate(skus):
            if sku not in known:
                v.add(f"messages[{index}].{feed.kind.value}.{name}[{i}].sku", f"unknown SKU {sku!r}")
        v.raise_if_any()

    @rpc
    async def SetInboundSupply(
        self, request: inventory_pb2.SetInboundSupplyRequest, context: grpc.aio.ServicerContext
    ) -> inventory_pb2.SetInboundSupplyResponse:
        v = Violations()
        v.count("supplies", request.supplies, at_least=1, at_most=limits.MAX_BULK_ITEMS)
        rows: list[tuple[str, str, str, int]] = []
        for i, s in enumerate(request.supplies):
            f = f"supplies[{i}]"
            v.identifier(f"{f}.location_id", s.location_id)
            v.identifier(f"{f}.sku", s.sku)
            if s.quantity < 0:
                v.add(f"{f}.quantity", "must not be negative (0 removes the supply)")
            if not s.HasField("expected_at"):
                v.add(f"{f}.expected_at", "is required")
            day = v.day(f"{f}.expected_at", s.expected_at) if s.HasField("expected_at") else ""
            rows.append((s.location_id, s.sku, day, s.quantity))
        v.unique("supplies", [f"{loc}|{sku}|{day}" for loc, sku, day, _ in rows], "(location_id, sku, day)")
        v.raise_if_any()
        await self._known_names(v, "supplies", [(loc, sku) for loc, sku, _, _ in rows])
        await check_location(context, await caller(context), *(loc for loc, _, _, _ in rows))
        shards = self.b.actors.inventory
        by_shard: dict[int, list[tuple[str, str, str, int]]] = defaultdict(list)
        for row in rows:
            by_shard[shard_of(row[1], len(shards))].append(row)
        answers = await asyncio.gather(*(shards[i].set_inbound.remote(by_shard[i]) for i in sorted(by_shard)))
        lost = sorted({oid for _, orders in answers for oid in orders})
        view = await self.b.routing.view()
        if lost or view.rules.inbound_horizon_days:
            # Orders waiting for these SKUs may be promised the new supply, and orders that
            # lost a promise are sourced again: both are backorders of these SKUs.
            self.b.stock_arrived(sorted({sku for _, sku, _, _ in rows}))
        return inventory_pb2.SetInboundSupplyResponse(applied=sum(n for n, _ in answers), orders_to_resource=lost)

    @rpc
    async def ReceiveInboundSupply(
        self, request: inventory_pb2.ReceiveInboundSupplyRequest, context: grpc.aio.ServicerContext
    ) -> inventory_pb2.ReceiveInboundSupplyResponse:
        v = Violations()
        v.identifier("receipt_id", request.receipt_id)
        v.identifier("location_id", request.location_id)
        v.count("lines", request.lines, at_least=1, at_most=limits.MAX_BULK_ITEMS)
        items: list[tuple[str, str, int]] = []
        for i, line in enumerate(request.lines):
            f = f"lines[{i}]"
            v.identifier(f"{f}.sku", line.sku)
            if line.quantity <= 0:
                v.add(f"{f}.quantity", "must be positive")
            if not line.HasField("expected_at"):
                v.add(f"{f}.expected_at", "is required: the day the supply was expected")
            day = v.day(f"{f}.expected_at", line.expected_at) if line.HasField("expected_at") else ""
            items.append((line.sku, day, line.quantity))
        v.unique("lines", [f"{sku}|{day}" for sku, day, _ in items], "(sku, expected_at)")
        v.raise_if_any()
        await self.b.network.refresh()
        if request.location_id not in await self.b.network.known_locations([request.location_id]):
            v.add("location_id", f"unknown location {request.location_id!r}")
        known = await self.b.network.known_skus([sku for sku, _, _ in items])
        for i, (sku, _, _) in enumerate(items):
            if sku not in known:
                v.add(f"lines[{i}].sku", f"unknown SKU {sku!r}")
        v.raise_if_any()
        await check_location(context, await caller(context), request.location_id)
        shards = self.b.actors.inventory
        by_shard: dict[int, list[tuple[str, str, str, int, str]]] = defaultdict(list)
        for sku, day, units in items:
            # One ref per line: a repeated receipt changes nothing, one cut short by a failure completes.
            ref = f"receipt/{request.location_id}/{request.receipt_id}/{sku}/{day}"
            by_shard[shard_of(sku, len(shards))].append((request.location_id, sku, day, units, ref))
        answers = await asyncio.gather(*(shards[i].receive_inbound.remote(by_shard[i]) for i in sorted(by_shard)))
        # The orders promised these units hold them now; sourced again, they are released to
        # the location, and backorders of the rest of what arrived are served.
        self.b.stock_arrived(sorted({sku for sku, _, _ in items}))
        return inventory_pb2.ReceiveInboundSupplyResponse(
            received=sum(received for received, _ in answers),
            promises_kept=sum(units for _, kept in answers for *_, units in kept),
        )

    async def _known_names(self, v: Violations, field: str, pairs: list[tuple[str, str]]) -> None:
        await self.b.network.refresh()
        known_skus = await self.b.network.known_skus([sku for _, sku in pairs])
        known_locs = await self.b.network.known_locations([loc for loc, _ in pairs])
        for i, (loc, sku) in enumerate(pairs):
            if loc and loc not in known_locs:
                v.add(f"{field}[{i}].location_id", f"unknown location {loc!r}")
            if sku and sku not in known_skus:
                v.add(f"{field}[{i}].sku", f"unknown SKU {sku!r}")
        v.raise_if_any()

    @rpc
    async def SetRoutingRules(
        self, request: inventory_pb2.RoutingRules, context: grpc.aio.ServicerContext
    ) -> inventory_pb2.RoutingRules:
        v = Violations()
        doc = routing_rules_from_proto(request, v)
        v.raise_if_any()
        try:
            rules = optimizer.RoutingRules.from_dict(doc)
        except optimizer.InstanceError as exc:
            raise ValidationError.of([FieldViolation(field=exc.field, description=exc.message)]) from exc
        await self.b.network.store.set_routing_rules(json.dumps(rules.to_dict()).encode())
        await self.b.network_changed()
        return routing_rules_to_proto(rules)

    @rpc
    async def GetRoutingRules(
        self, request: inventory_pb2.GetRoutingRulesRequest, context: grpc.aio.ServicerContext
    ) -> inventory_pb2.RoutingRules:
        view = await self.b.routing.view()
        return routing_rules_to_proto(view.rules)

    @rpc
    async def AuditStock(
        self, request: inventory_pb2.AuditStockRequest, context: grpc.aio.ServicerContext
    ) -> inventory_pb2.AuditStockResponse:
        checks: list[ReservationCheck] = []
        for attempt in range(AUDIT_PASSES):
            if attempt:
                await asyncio.sleep(AUDIT_SETTLE_S)  # let changes in flight land, then look again
            reports = await asyncio.gather(*(shard.audit.remote() for shard in self.b.actors.inventory))
            orders = await self.b.orders.all_orders()
            held = [row for report in reports for row in report["reservations"]]
            checks.append(check_reservations(orders, held))
            if not checks[-1].mismatches:
                break
        differences = settled_differences(checks)
        response = inventory_pb2.AuditStockResponse(
            rows_checked=sum(r["rows"] for r in reports),
            reservations_checked=len(held),
            orders_checked=checks[-1].checked,
        )
        for report in reports:
            for loc, sku, expected, actual, detail in report["differences"]:
                response.differences.add(
                    location_id=loc, sku=sku, kind="on_hand", expected=expected, actual=actual, detail=detail
                )
            for loc, sku, on_hand, reserved in report["oversold"]:
                response.differences.add(
                    location_id=loc,
                    sku=sku,
                    kind="oversold",
                    expected=on_hand,
                    actual=reserved,
                    detail="more reserved than on hand: a count or feed took stock that orders hold",
                )
        for d in differences:
            response.differences.add(
                location_id=d.location_id, sku=d.sku, kind=d.kind, expected=d.expected, actual=d.actual, detail=d.detail
            )
        return response


def _earliest(days: list[timestamp_pb2.Timestamp]) -> timestamp_pb2.Timestamp | None:
    return min(days, key=lambda ts: ts.seconds) if days else None
