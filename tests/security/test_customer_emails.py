"""An email names one customer: UpsertCustomer refuses to give a second customer an email
another holds, so GetCustomer360 by email can only ever find the one it belongs to."""

from __future__ import annotations

import grpc
import pytest
from google.protobuf import field_mask_pb2

from gateway.auth import Role
from protos.oms.v1 import customers_pb2, customers_pb2_grpc
from tests.integration.support import World
from tests.security.kit import Kit, business_customer, refusal

pytestmark = pytest.mark.integration


def _upsert(customer: customers_pb2.Customer, *mask: str) -> customers_pb2.UpsertCustomerRequest:
    return customers_pb2.UpsertCustomerRequest(customer=customer, update_mask=field_mask_pb2.FieldMask(paths=list(mask)))


async def test_a_second_customer_cannot_take_an_email_and_nothing_is_written(sandbox: Kit):
    stub = customers_pb2_grpc.CustomerServiceStub(sandbox.channel)
    channel = sandbox.md(Role.CHANNEL)
    first, second = World.unique("C-MAIL-A"), World.unique("C-MAIL-B")
    holder = await stub.UpsertCustomer(_upsert(business_customer(first)), metadata=channel)
    await stub.UpsertCustomer(_upsert(business_customer(second)), metadata=channel)
    before = await sandbox.snapshot()
    # A new customer with the email, the other customer moving to it (whole or masked),
    # in another letter case: each refused with the field, and nothing written.
    taken = holder.email.upper()
    newcomer = business_customer(World.unique("C-MAIL-C"))
    newcomer.email = taken
    moved = business_customer(second)
    moved.email = taken
    for request in (
        _upsert(newcomer),
        _upsert(moved),
        _upsert(customers_pb2.Customer(customer_id=second, email=taken), "email"),
    ):
        assert await refusal(stub.UpsertCustomer(request, metadata=channel)) == (
            grpc.StatusCode.ALREADY_EXISTS, "EMAIL_TAKEN", {"customer.email"},
        )  # fmt: skip
    assert await sandbox.snapshot() == before
    found = await stub.GetCustomer360(customers_pb2.GetCustomer360Request(email=taken), metadata=sandbox.md(Role.SERVICE_AGENT))
    assert found.customer.customer_id == first


async def test_an_email_its_holder_gives_up_can_be_taken_and_phones_may_be_shared(sandbox: Kit):
    stub = customers_pb2_grpc.CustomerServiceStub(sandbox.channel)
    channel, agent = sandbox.md(Role.CHANNEL), sandbox.md(Role.SERVICE_AGENT)
    first, second = World.unique("C-MAIL-D"), World.unique("C-MAIL-E")
    holder = await stub.UpsertCustomer(_upsert(business_customer(first)), metadata=channel)
    # Its holder upserts the record again with its own email: not a conflict.
    again = await stub.UpsertCustomer(_upsert(customers_pb2.Customer(customer_id=first, email=holder.email, phone="+49 30 1"), "email", "phone"), metadata=channel)
    assert again.email == holder.email
    await stub.UpsertCustomer(_upsert(customers_pb2.Customer(customer_id=first, email=f"{first.lower()}@example.org"), "email"), metadata=channel)
    # The email is free now; a second customer takes it, with the same phone (a switchboard).
    second_record = business_customer(second)
    second_record.email, second_record.phone = holder.email, "+49 30 1"
    taken = await stub.UpsertCustomer(_upsert(second_record), metadata=channel)
    assert taken.email == holder.email
    by_email = await stub.GetCustomer360(customers_pb2.GetCustomer360Request(email=holder.email), metadata=agent)
    assert by_email.customer.customer_id == second
    by_phone = await stub.GetCustomer360(customers_pb2.GetCustomer360Request(phone="+49 30 1"), metadata=agent)
    assert by_phone.customer.customer_id == second  # the last to register a shared phone
