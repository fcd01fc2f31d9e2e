"""Operators' view: standard health checking and server reflection, so grpcurl works."""

from __future__ import annotations

import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from tests.integration.support import World

pytestmark = pytest.mark.integration


async def test_health_reports_every_service_serving(world: World):
    stub = health_pb2_grpc.HealthStub(world.channel)
    for service in ("", "oms.v1.OrderService", "oms.v1.InventoryService", "oms.v1.CustomerService"):
        resp = await stub.Check(health_pb2.HealthCheckRequest(service=service))
        assert resp.status == health_pb2.HealthCheckResponse.SERVING


async def test_reflection_lists_the_services_and_their_files(world: World):
    stub = reflection_pb2_grpc.ServerReflectionStub(world.channel)

    async def ask(request):
        async for resp in stub.ServerReflectionInfo(iter([request])):
            return resp

    listed = await ask(reflection_pb2.ServerReflectionRequest(list_services=""))
    names = {s.name for s in listed.list_services_response.service}
    assert {"oms.v1.OrderService", "oms.v1.InventoryService", "oms.v1.CustomerService", "grpc.health.v1.Health"} <= names
    files = await ask(reflection_pb2.ServerReflectionRequest(file_containing_symbol="oms.v1.OrderService"))
    assert files.file_descriptor_response.file_descriptor_proto
