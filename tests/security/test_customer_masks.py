"""UpsertCustomer with an update mask: a channel sets what it knows and keeps what others gave.

Customer records are shared by every channel, so replacing the whole record on each
upsert let a channel that knows only a phone number wipe the address or name another
channel had stored. With ``update_mask`` only the named fields change; the merged
record is checked whole, a refused one writes nothing, and the credit line stays
credit control's.
"""

from __future__ import annotations

import grpc
import pytest
from google.protobuf import field_mask_pb2

from gateway.auth import Role
from protos.oms.v1 import common_pb2, customers_pb2, customers_pb2_grpc
from tests.integration.support import World, field_violations
from tests.security.kit import Kit, business_customer, refusal

pytestmark = pytest.mark.integration


def _masked(customer: customers_pb2.Customer, *paths: str) -> customers_pb2.UpsertCustomerRequest:
    return customers_pb2.UpsertCustomerRequest(customer=customer, update_mask=field_mask_pb2.FieldMask(paths=list(paths)))


async def test_a_masked_upsert_changes_only_the_named_fields(sandbox: Kit):
    stub = customers_pb2_grpc.CustomerServiceStub(sandbox.channel)
    agent, channel = sandbox.md(Role.SERVICE_AGENT), sandbox.md(Role.CHANNEL)
    cid = World.unique("C-MASK")
    first = await stub.UpsertCustomer(customers_pb2.UpsertCustomerRequest(customer=business_customer(cid, limit=300_000)), metadata=agent)
    # The store's system knows the phone number only.
    phone = await stub.UpsertCustomer(_masked(customers_pb2.Customer(customer_id=cid, phone="+49 30 555 0101"), "phone"), metadata=channel)
    assert phone.phone == "+49 30 555 0101"
    assert (phone.name, phone.email, phone.default_address, phone.credit_limit) == (
        first.name, first.email, first.default_address, first.credit_limit,
    )  # fmt: skip
    assert phone.created_at == first.created_at and phone.type == customers_pb2.CUSTOMER_TYPE_BUSINESS
    # A message field named but left unset is cleared: the agent removes the address.
    cleared = await stub.UpsertCustomer(_masked(customers_pb2.Customer(customer_id=cid), "default_address"), metadata=agent)
    assert not cleared.HasField("default_address") and cleared.phone == "+49 30 555 0101"


async def test_a_masked_upsert_that_fails_a_check_writes_nothing(sandbox: Kit):
    stub = customers_pb2_grpc.CustomerServiceStub(sandbox.channel)
    agent, channel = sandbox.md(Role.SERVICE_AGENT), sandbox.md(Role.CHANNEL)
    cid = World.unique("C-MASKBAD")
    await stub.UpsertCustomer(customers_pb2.UpsertCustomerRequest(customer=business_customer(cid, limit=300_000)), metadata=agent)
    before = await sandbox.snapshot()
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await stub.UpsertCustomer(_masked(customers_pb2.Customer(customer_id=cid, phone="1"), "phone", "credit_limt"), metadata=agent)
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field_violations(info.value) == {"update_mask.paths[1]"}
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await stub.UpsertCustomer(_masked(customers_pb2.Customer(customer_id=cid, email="not-an-address"), "email"), metadata=agent)
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field_violations(info.value) == {"customer.email"}
    # A channel may not name the credit line in a mask, nor make its holder a consumer.
    limit = customers_pb2.Customer(customer_id=cid, credit_limit=common_pb2.Money(amount_minor=1, currency="EUR"))
    assert await refusal(stub.UpsertCustomer(_masked(limit, "credit_limit"), metadata=channel)) == (
        grpc.StatusCode.PERMISSION_DENIED, "CREDIT_CONTROL", {"update_mask"},
    )  # fmt: skip
    consumer = customers_pb2.Customer(customer_id=cid, type=customers_pb2.CUSTOMER_TYPE_CONSUMER)
    assert await refusal(stub.UpsertCustomer(_masked(consumer, "type"), metadata=channel)) == (
        grpc.StatusCode.PERMISSION_DENIED, "CREDIT_CONTROL", {"customer.type"},
    )  # fmt: skip
    assert await sandbox.snapshot() == before


async def test_a_masked_upsert_of_a_new_customer_makes_it_from_the_whole_request(sandbox: Kit):
    stub = customers_pb2_grpc.CustomerServiceStub(sandbox.channel)
    cid = World.unique("C-MASKNEW")
    made = await stub.UpsertCustomer(_masked(business_customer(cid, name="Neu GmbH"), "phone"), metadata=sandbox.md(Role.CHANNEL))
    assert (made.name, made.default_address.city, made.type) == ("Neu GmbH", "Berlin", customers_pb2.CUSTOMER_TYPE_BUSINESS)
