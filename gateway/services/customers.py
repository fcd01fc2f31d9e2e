"""CustomerService: one customer record across every channel.

Access: a customer principal reads its own record only; any other id answers
exactly as an unknown one. Records have no owning channel, so whoever the
rules table lets upsert may upsert any record.
"""

from __future__ import annotations

import time
from dataclasses import replace

import grpc

from gateway.auth.access import caller
from gateway.convert import Violations, customer_from_proto, customer_to_proto
from gateway.errors import rpc
from gateway.services.backend import Backend, id_or_fail
from oms_actors.domain.errors import NotFoundError
from protos.oms.v1 import customers_pb2, customers_pb2_grpc


class CustomerService(customers_pb2_grpc.CustomerServiceServicer):
    def __init__(self, backend: Backend) -> None:
        self.b = backend

    @rpc
    async def UpsertCustomer(
        self, request: customers_pb2.UpsertCustomerRequest, context: grpc.aio.ServicerContext
    ) -> customers_pb2.Customer:
        await caller(context)
        v = Violations()
        if not request.HasField("customer"):
            v.add("customer", "is required")
            v.raise_if_any()
        customer = customer_from_proto(request.customer, v)
        v.raise_if_any()
        assert customer is not None
        now = int(time.time() * 1000)
        existing = await self.b.customers.get(customer.customer_id)
        created = existing.created_at_ms if existing is not None else now
        stored = replace(customer, created_at_ms=created, updated_at_ms=now)
        await self.b.customers.put(stored)
        return customer_to_proto(stored)

    @rpc
    async def GetCustomer(
        self, request: customers_pb2.GetCustomerRequest, context: grpc.aio.ServicerContext
    ) -> customers_pb2.Customer:
        principal = await caller(context)
        id_or_fail("customer_id", request.customer_id)
        # Another customer's record is not even read: the answer cannot depend on whether it exists.
        customer = await self.b.customers.get(request.customer_id) if principal.sees_customer(request.customer_id) else None
        if customer is None:
            raise NotFoundError(
                f"customer {request.customer_id} not found", resource="customer", resource_id=request.customer_id
            )
        return customer_to_proto(customer)
