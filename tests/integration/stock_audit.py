"""The stock audit as tests call it: every difference the service reports."""

from __future__ import annotations

from protos.oms.v1 import inventory_pb2
from tests.integration.support import World


async def audit_differences(world: World) -> list[inventory_pb2.StockDifference]:
    report = await world.inventory.AuditStock(inventory_pb2.AuditStockRequest())
    return list(report.differences)
