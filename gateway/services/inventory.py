"""InventoryService: the network, the catalogue, stock levels and availability."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import Any

import grpc

from gateway import limits
from gateway.convert import Violations, location_from_proto, product_from_proto, stock_level_from_proto
from gateway.errors import rpc
from gateway.services.backend import Backend, no_duplicates
from oms_actors.domain.partitioning import shard_of
from protos.oms.v1 import inventory_pb2, inventory_pb2_grpc


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
        no_duplicates(v, "locations", [m.location_id for m in request.locations], "location_id")
        v.raise_if_any()
        await self.b.network.store.upsert_locations([loc for loc in locations if loc is not None])
        await self.b.network.refresh(force=True)
        return inventory_pb2.UpsertLocationsResponse(upserted=len(locations))

    @rpc
    async def UpsertProducts(
        self, request: inventory_pb2.UpsertProductsRequest, context: grpc.aio.ServicerContext
    ) -> inventory_pb2.UpsertProductsResponse:
        v = Violations()
        v.count("products", request.products, at_least=1, at_most=limits.MAX_BULK_ITEMS)
        products = [product_from_proto(m, f"products[{i}]", v) for i, m in enumerate(request.products)]
        no_duplicates(v, "products", [m.sku for m in request.products], "sku")
        v.raise_if_any()
        await self.b.network.store.upsert_products(products)
        await self.b.network.refresh(force=True)
        return inventory_pb2.UpsertProductsResponse(upserted=len(products))

    @rpc
    async def SetStock(
        self, request: inventory_pb2.SetStockRequest, context: grpc.aio.ServicerContext
    ) -> inventory_pb2.SetStockResponse:
        v = Violations()
        v.count("levels", request.levels, at_least=1, at_most=limits.MAX_BULK_ITEMS)
        changes = [stock_level_from_proto(m, f"levels[{i}]", v) for i, m in enumerate(request.levels)]
        no_duplicates(v, "levels", [f"{c.location_id}|{c.sku}" for c in changes], "(location_id, sku)")
        await self.b.network.refresh()
        known_skus = await self.b.network.known_skus([c.sku for c in changes])
        known_locs = await self.b.network.known_locations([c.location_id for c in changes])
        for i, c in enumerate(changes):
            if c.location_id and c.location_id not in known_locs:
                v.add(f"levels[{i}].location_id", f"unknown location {c.location_id!r}")
            if c.sku and c.sku not in known_skus:
                v.add(f"levels[{i}].sku", f"unknown SKU {c.sku!r}")
        v.raise_if_any()
        shards = self.b.actors.inventory
        by_shard: dict[int, list[Any]] = defaultdict(list)
        for c in changes:
            by_shard[shard_of(c.sku, len(shards))].append(c)
        # Absolute levels: a retry after a partial failure converges, it never double-counts.
        counts = await asyncio.gather(*(shards[i].set_levels.remote(by_shard[i]) for i in sorted(by_shard)))
        return inventory_pb2.SetStockResponse(applied=sum(counts))

    @rpc
    async def GetAvailability(
        self, request: inventory_pb2.GetAvailabilityRequest, context: grpc.aio.ServicerContext
    ) -> inventory_pb2.GetAvailabilityResponse:
        v = Violations()
        v.count("skus", request.skus, at_least=1, at_most=limits.MAX_AVAILABILITY_SKUS)
        for i, sku in enumerate(request.skus):
            v.identifier(f"skus[{i}]", sku)
        v.count("location_ids", request.location_ids, at_most=limits.MAX_BULK_ITEMS)
        for i, lid in enumerate(request.location_ids):
            v.identifier(f"location_ids[{i}]", lid)
        v.raise_if_any()
        known = await self.b.network.known_skus(list(request.skus))
        for i, sku in enumerate(request.skus):
            if sku not in known:
                v.add(f"skus[{i}]", f"unknown SKU {sku!r}")
        v.raise_if_any()
        shards = self.b.actors.inventory
        by_shard: dict[int, list[str]] = defaultdict(list)
        for sku in dict.fromkeys(request.skus):
            by_shard[shard_of(sku, len(shards))].append(sku)
        order = sorted(by_shard)
        rows = await asyncio.gather(
            *(shards[i].availability.remote(by_shard[i], list(request.location_ids) or None) for i in order)
        )
        per_sku: dict[str, list[inventory_pb2.LocationAvailability]] = defaultdict(list)
        for shard_rows in rows:
            for loc, sku, on_hand, reserved, safety in shard_rows:
                per_sku[sku].append(
                    inventory_pb2.LocationAvailability(
                        location_id=loc,
                        on_hand=on_hand,
                        reserved=reserved,
                        safety_stock=safety,
                        available=max(0, on_hand - reserved - safety),
                    )
                )
        response = inventory_pb2.GetAvailabilityResponse()
        for sku in dict.fromkeys(request.skus):
            locs = sorted(per_sku.get(sku, []), key=lambda r: r.location_id)
            response.skus.add(sku=sku, available=sum(r.available for r in locs), locations=locs)
        return response
