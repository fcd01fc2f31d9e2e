"""A customer's credit line is credit control's: a sales channel neither sets nor changes it.

Channels register and update the customers they sell to (records are shared across
channels), but a business customer's credit limit pays for orders a channel takes,
so only service agents and admins set it. A channel's refused upsert writes nothing
and names the fields; its other upserts keep the line as it is.
"""

from __future__ import annotations

import grpc
import pytest
from google.protobuf import field_mask_pb2

from gateway.auth import Role
from protos.oms.v1 import customers_pb2, customers_pb2_grpc
from tests.integration.support import World
from tests.security.kit import Kit, business_customer, refusal

pytestmark = pytest.mark.integration


async def test_a_channel_neither_sets_nor_changes_a_credit_line(sandbox: Kit):
    stub = customers_pb2_grpc.CustomerServiceStub(sandbox.channel)
    agent, channel = sandbox.md(Role.SERVICE_AGENT), sandbox.md(Role.CHANNEL)
    cid = World.unique("C-CREDIT")
    created = await stub.UpsertCustomer(customers_pb2.UpsertCustomerRequest(customer=business_customer(cid, limit=500_000)), metadata=agent)
    assert created.credit_limit.amount_minor == 500_000

    before = await sandbox.snapshot()
    raise_it = customers_pb2.UpsertCustomerRequest(customer=business_customer(cid, limit=99_000_000))
    assert await refusal(stub.UpsertCustomer(raise_it, metadata=channel)) == (
        grpc.StatusCode.PERMISSION_DENIED,
        "CREDIT_CONTROL",
        {"customer.credit_limit"},
    )
    consumer = business_customer(cid)
    consumer.type = customers_pb2.CUSTOMER_TYPE_CONSUMER
    assert await refusal(stub.UpsertCustomer(customers_pb2.UpsertCustomerRequest(customer=consumer), metadata=channel)) == (
        grpc.StatusCode.PERMISSION_DENIED,
        "CREDIT_CONTROL",
        {"customer.type"},
    )
    assert await sandbox.snapshot() == before  # nothing written by either

    # What a channel may change, it changes; the line stays as credit control set it.
    moved = await stub.UpsertCustomer(
        customers_pb2.UpsertCustomerRequest(customer=business_customer(cid, name="Acme Handel GmbH", city="Potsdam")), metadata=channel
    )
    assert (moved.name, moved.default_address.city, moved.credit_limit.amount_minor) == ("Acme Handel GmbH", "Potsdam", 500_000)
    # Naming the line as it stands changes nothing, so it is not refused.
    same = await stub.UpsertCustomer(customers_pb2.UpsertCustomerRequest(customer=business_customer(cid, limit=500_000)), metadata=channel)
    assert same.credit_limit.amount_minor == 500_000
    stored = await stub.GetCustomer(customers_pb2.GetCustomerRequest(customer_id=cid), metadata=agent)
    assert (stored.name, stored.credit_limit.amount_minor, stored.created_at) == ("Acme GmbH", 500_000, created.created_at)


async def test_a_channel_registers_a_business_customer_without_a_line_and_an_agent_grants_it(sandbox: Kit):
    stub = customers_pb2_grpc.CustomerServiceStub(sandbox.channel)
    agent, channel = sandbox.md(Role.SERVICE_AGENT), sandbox.md(Role.CHANNEL)
    cid = World.unique("C-NEWBIZ")
    before = await sandbox.snapshot()
    refused = stub.UpsertCustomer(customers_pb2.UpsertCustomerRequest(customer=business_customer(cid, limit=100_000)), metadata=channel)
    assert await refusal(refused) == (grpc.StatusCode.PERMISSION_DENIED, "CREDIT_CONTROL", {"customer.credit_limit"})
    assert await sandbox.snapshot() == before
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await stub.GetCustomer(customers_pb2.GetCustomerRequest(customer_id=cid), metadata=agent)
    assert info.value.code() == grpc.StatusCode.NOT_FOUND

    registered = await stub.UpsertCustomer(customers_pb2.UpsertCustomerRequest(customer=business_customer(cid)), metadata=channel)
    assert not registered.HasField("credit_limit")
    granted = await stub.UpsertCustomer(customers_pb2.UpsertCustomerRequest(customer=business_customer(cid, limit=100_000)), metadata=agent)
    assert granted.credit_limit.amount_minor == 100_000
    admin = await stub.UpsertCustomer(
        customers_pb2.UpsertCustomerRequest(customer=business_customer(cid, limit=150_000)), metadata=sandbox.md(Role.ADMIN)
    )
    assert admin.credit_limit.amount_minor == 150_000


async def test_every_change_of_a_credit_line_and_every_refused_grant_is_audited(sandbox: Kit):
    stub = customers_pb2_grpc.CustomerServiceStub(sandbox.channel)
    agent, admin, channel = sandbox.md(Role.SERVICE_AGENT), sandbox.md(Role.ADMIN), sandbox.md(Role.CHANNEL)
    cid = World.unique("C-CREDIT-AUDIT")

    async def credit_entries() -> list:
        return [
            e for e in await sandbox.service.access.audit.tail(50)
            if e.action.endswith("UpsertCustomer:credit_limit") and e.target == f"customer_id={cid}"
        ][::-1]  # fmt: skip

    await stub.UpsertCustomer(customers_pb2.UpsertCustomerRequest(customer=business_customer(cid)), metadata=channel)
    await stub.UpsertCustomer(customers_pb2.UpsertCustomerRequest(customer=business_customer(cid, limit=300_000)), metadata=agent)
    # The channel's address change keeps the line: nothing for credit control.
    await stub.UpsertCustomer(customers_pb2.UpsertCustomerRequest(customer=business_customer(cid, city="Hamburg")), metadata=channel)
    await refusal(stub.UpsertCustomer(customers_pb2.UpsertCustomerRequest(customer=business_customer(cid, limit=9_000_000)), metadata=channel))
    await stub.UpsertCustomer(customers_pb2.UpsertCustomerRequest(customer=business_customer(cid, limit=500_000)), metadata=admin)
    entries = await credit_entries()
    assert [(e.principal.split(" ")[0], e.outcome, e.detail) for e in entries] == [
        ("service_agent", "OK", "credit_limit none -> 300000 EUR"),
        ("channel", "PERMISSION_DENIED", "refused"),
        ("admin", "OK", "credit_limit 300000 EUR -> 500000 EUR"),
    ]


async def test_payment_terms_are_credit_controls_to_set_and_every_change_is_audited(sandbox: Kit):
    stub = customers_pb2_grpc.CustomerServiceStub(sandbox.channel)
    agent, channel = sandbox.md(Role.SERVICE_AGENT), sandbox.md(Role.CHANNEL)
    cid = World.unique("C-TERMS")
    created = await stub.UpsertCustomer(
        customers_pb2.UpsertCustomerRequest(customer=business_customer(cid, limit=200_000)), metadata=agent
    )
    assert not created.HasField("payment_terms_days")  # the service's default applies

    before = await sandbox.snapshot()
    longer = customers_pb2.UpsertCustomerRequest(customer=business_customer(cid, limit=200_000, terms=90))
    assert await refusal(stub.UpsertCustomer(longer, metadata=channel)) == (
        grpc.StatusCode.PERMISSION_DENIED,
        "CREDIT_CONTROL",
        {"customer.payment_terms_days"},
    )
    masked = customers_pb2.UpsertCustomerRequest(
        customer=business_customer(cid, terms=90), update_mask=field_mask_pb2.FieldMask(paths=["payment_terms_days"])
    )
    assert await refusal(stub.UpsertCustomer(masked, metadata=channel)) == (
        grpc.StatusCode.PERMISSION_DENIED,
        "CREDIT_CONTROL",
        {"update_mask"},
    )
    consumer = business_customer(World.unique("C-TERMS"), terms=14)
    consumer.type = customers_pb2.CUSTOMER_TYPE_CONSUMER
    code, _, fields = await refusal(stub.UpsertCustomer(customers_pb2.UpsertCustomerRequest(customer=consumer), metadata=agent))
    assert (code, fields) == (grpc.StatusCode.INVALID_ARGUMENT, {"customer.payment_terms_days"})
    code, _, fields = await refusal(
        stub.UpsertCustomer(customers_pb2.UpsertCustomerRequest(customer=business_customer(cid, terms=400)), metadata=agent)
    )
    assert (code, fields) == (grpc.StatusCode.INVALID_ARGUMENT, {"customer.payment_terms_days"})
    assert await sandbox.snapshot() == before

    granted = await stub.UpsertCustomer(masked, metadata=agent)
    assert (granted.payment_terms_days, granted.credit_limit.amount_minor) == (90, 200_000)
    # A channel's later upsert of the whole record keeps the terms it does not name.
    kept = await stub.UpsertCustomer(
        customers_pb2.UpsertCustomerRequest(customer=business_customer(cid, city="Hamburg")), metadata=channel
    )
    assert (kept.default_address.city, kept.payment_terms_days, kept.credit_limit.amount_minor) == ("Hamburg", 90, 200_000)
    due_on_receipt = await stub.UpsertCustomer(
        customers_pb2.UpsertCustomerRequest(customer=business_customer(cid, limit=200_000, terms=0)), metadata=agent
    )
    assert due_on_receipt.HasField("payment_terms_days") and due_on_receipt.payment_terms_days == 0

    entries = [
        e for e in await sandbox.service.access.audit.tail(50)
        if e.action.endswith("UpsertCustomer:credit_limit") and e.target == f"customer_id={cid}"
    ][::-1]  # fmt: skip
    assert [(e.principal.split(" ")[0], e.outcome, e.detail) for e in entries] == [
        ("service_agent", "OK", "credit_limit none -> 200000 EUR"),
        ("channel", "PERMISSION_DENIED", "refused"),
        ("channel", "PERMISSION_DENIED", "refused"),
        ("service_agent", "OK", "payment_terms_days default -> 90"),
        ("service_agent", "OK", "payment_terms_days 90 -> 0"),
    ]
