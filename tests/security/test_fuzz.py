"""Hostile requests to every RPC: random field values, huge strings, unknown enum numbers, random bytes.

Every answer must be OK or a client error (never INTERNAL or UNKNOWN); a
refused request must leave Redis exactly as it was (the key count and every
value's digest, the audit log aside); and the gateway keeps serving.
Requests come as every role, so refusals by access are exercised too.
"""

from __future__ import annotations

import asyncio

import grpc
import pytest
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message
from google.protobuf.message_factory import GetMessageClass
from grpc_health.v1 import health_pb2, health_pb2_grpc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.auth import Role
from oms_actors.order_effects import RISK_RULES_TTL_S
from oms_actors.store.return_policy import POLICY_TTL_S
from oms_actors.store.tax_rates import TAX_RATES_TTL_S
from protos.oms.v1 import billing_pb2, billing_pb2_grpc, orders_pb2, orders_pb2_grpc, returns_pb2, returns_pb2_grpc
from tests.security.kit import Kit
from tests.security.methods import Method, api_methods, invoke

pytestmark = pytest.mark.integration

METHODS = api_methods()
CLIENT_ERRORS = {
    grpc.StatusCode.OK,
    grpc.StatusCode.INVALID_ARGUMENT,
    grpc.StatusCode.NOT_FOUND,
    grpc.StatusCode.ALREADY_EXISTS,
    grpc.StatusCode.FAILED_PRECONDITION,
    grpc.StatusCode.ABORTED,  # written over a version changed since it was read (SetRiskRules)
    grpc.StatusCode.OUT_OF_RANGE,
    grpc.StatusCode.PERMISSION_DENIED,
    grpc.StatusCode.UNAUTHENTICATED,
    grpc.StatusCode.RESOURCE_EXHAUSTED,
    grpc.StatusCode.UNIMPLEMENTED,  # an RPC declared in the protos whose servicer method is not written yet
}
FUZZ = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,  # the same examples every run: a failure here is a bug to fix, not a flake
)

_ints = {
    FieldDescriptor.TYPE_INT32: (-(2**31), 2**31 - 1),
    FieldDescriptor.TYPE_SINT32: (-(2**31), 2**31 - 1),
    FieldDescriptor.TYPE_SFIXED32: (-(2**31), 2**31 - 1),
    FieldDescriptor.TYPE_INT64: (-(2**63), 2**63 - 1),
    FieldDescriptor.TYPE_SINT64: (-(2**63), 2**63 - 1),
    FieldDescriptor.TYPE_SFIXED64: (-(2**63), 2**63 - 1),
    FieldDescriptor.TYPE_UINT32: (0, 2**32 - 1),
    FieldDescriptor.TYPE_FIXED32: (0, 2**32 - 1),
    FieldDescriptor.TYPE_UINT64: (0, 2**64 - 1),
    FieldDescriptor.TYPE_FIXED64: (0, 2**64 - 1),
}
# Strings that test bounds and parsing: long runs, control and separator characters, unicode.
# The longest only at the top of a request: a 70,000-character string in each of a thousand
# nested messages, each repeated a thousand times, would be gigabytes, not a hostile request.
_RUNS = st.sampled_from(["x", "é", "|", "\x00", "9"])
_short_strings = st.one_of(
    st.text(max_size=24),
    st.sampled_from(["", " ", "|", "a|b", "..", "../../etc", "O" * 23, "\x00", "\n", "EUR", "DE", "web", "*", "%s"]),
    st.builds(lambda c, n: c * n, _RUNS, st.sampled_from([129, 257, 513])),
)
_strings = st.one_of(_short_strings, st.builds(lambda c: c * 70_000, _RUNS))
_counts = st.one_of(st.integers(0, 3), st.sampled_from([201, 1001]))


def messages(descriptor, depth: int = 0) -> st.SearchStrategy[dict]:
    """Field values for a message type, each field set or not, nested messages to depth 3."""

    def value(field: FieldDescriptor) -> st.SearchStrategy:
        if field.type == FieldDescriptor.TYPE_MESSAGE:
            if depth >= 3 or field.message_type.full_name.startswith("google.protobuf."):
                if field.message_type.full_name == "google.protobuf.Timestamp":
                    return st.fixed_dictionaries({"seconds": st.integers(-62135596800, 253402300799), "nanos": st.integers(0, 999_999_999)})
                return st.just({})
            return messages(field.message_type, depth + 1)
        if field.type == FieldDescriptor.TYPE_ENUM:
            known = [v.number for v in field.enum_type.values]
            return st.one_of(st.sampled_from(known), st.integers(-(2**31), 2**31 - 1))
        if field.type == FieldDescriptor.TYPE_STRING:
            return _strings if depth == 0 else _short_strings
        if field.type == FieldDescriptor.TYPE_BYTES:
            return st.binary(max_size=64)
        if field.type == FieldDescriptor.TYPE_BOOL:
            return st.booleans()
        if field.type in (FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT):
            return st.floats(allow_nan=True, allow_infinity=True, width=32 if field.type == FieldDescriptor.TYPE_FLOAT else 64)
        lo, hi = _ints[field.type]
        return st.one_of(st.integers(lo, hi), st.sampled_from([0, 1, -1, lo, hi]))

    def field_strategy(field: FieldDescriptor) -> st.SearchStrategy:
        if field.label == FieldDescriptor.LABEL_REPEATED:
            if depth > 0:  # a large count inside a large count multiplies: large at the top only
                return st.lists(value(field), max_size=3)
            # Large counts repeat one drawn element: big requests without slow generation.
            return st.one_of(
                st.lists(value(field), max_size=3),
                st.builds(lambda v, n: [v] * n, value(field), _counts),
            )
        return value(field)

    fields = [f for f in descriptor.fields if not (f.message_type and f.message_type.GetOptions().map_entry)]
    optional = {f.name: st.one_of(st.none(), field_strategy(f)) for f in fields}
    return st.fixed_dictionaries({}, optional=optional).map(lambda d: {k: v for k, v in d.items() if v is not None})


def build(cls: type[Message], values: dict) -> Message:
    msg = cls()
    for name, value in values.items():
        field = cls.DESCRIPTOR.fields_by_name[name]
        if field.containing_oneof is not None and msg.WhichOneof(field.containing_oneof.name):
            continue  # one member of a oneof at a time
        if field.label == FieldDescriptor.LABEL_REPEATED:
            target = getattr(msg, name)
            for item in value:
                if field.type == FieldDescriptor.TYPE_MESSAGE:
                    target.add().CopyFrom(_nested(field, item))
                else:
                    target.append(item)
        elif field.type == FieldDescriptor.TYPE_MESSAGE:
            getattr(msg, name).CopyFrom(_nested(field, value))
        else:
            setattr(msg, name, value)
    return msg


def _nested(field: FieldDescriptor, values: dict) -> Message:
    return build(GetMessageClass(field.message_type), values)


def hostile(method: Method) -> st.SearchStrategy:
    one = messages(method.request.DESCRIPTOR).map(lambda v: build(method.request, v))
    raw = st.binary(max_size=512)
    if method.client_streaming:
        # One message per stream: when the server answers a stream early (a bad first message),
        # a second write in flight makes the Python client report INTERNAL ("Internal error from
        # Core") locally in place of the server's status, which would hide what the server said.
        return st.one_of(one, raw).map(lambda item: [item])
    return st.one_of(one, raw)


async def _check(kit: Kit, method: Method, request, role: Role) -> None:
    before = await kit.snapshot()
    # A server stream may follow new events until the client's deadline: that end is by design.
    timeout = 2 if method.server_streaming else 30
    try:
        await invoke(kit.channel, method, request, metadata=kit.md(role), timeout=timeout)
        code, details = grpc.StatusCode.OK, ""
    except grpc.aio.AioRpcError as err:
        code, details = err.code(), err.details()
    allowed = CLIENT_ERRORS | ({grpc.StatusCode.DEADLINE_EXCEEDED} if method.server_streaming else set())
    assert code in allowed, f"{method.path} as {role.value}: {code.name} {details}"
    if code != grpc.StatusCode.OK:
        assert await kit.snapshot() == before, f"{method.path} as {role.value} answered {code.name} but wrote"


@pytest.fixture(scope="module")
async def audit_log_exists(sandbox: Kit) -> None:
    # A call of an audited method is logged even when refused: have the log's key before counting keys.
    await sandbox.service.access.audit.record(action="fuzz.start", principal="tests")


@pytest.fixture(scope="module", autouse=True)
async def rules_restored(sandbox: Kit):
    """Fuzzing SetRiskRules, SetReturnPolicy and SetTaxRates leaves the sandbox's rules at
    whatever it drew last (a hold on every order, no returns in a channel, a rate no order
    states, say); the tests after this module place orders and return them there."""
    stub = orders_pb2_grpc.OrderServiceStub(sandbox.channel)
    returns = returns_pb2_grpc.ReturnServiceStub(sandbox.channel)
    md = sandbox.md(Role.ADMIN)
    before = await stub.GetRiskRules(orders_pb2.GetRiskRulesRequest(), metadata=md)
    policy = await returns.GetReturnPolicy(returns_pb2.GetReturnPolicyRequest(), metadata=md)
    policy.ClearField("version")
    billing = billing_pb2_grpc.BillingServiceStub(sandbox.channel)
    rates = await billing.GetTaxRates(billing_pb2.GetTaxRatesRequest(), metadata=md)
    rates.ClearField("version")
    yield
    await stub.SetRiskRules(orders_pb2.SetRiskRulesRequest(rules=before), metadata=md)
    await returns.SetReturnPolicy(returns_pb2.SetReturnPolicyRequest(policy=policy), metadata=md)
    await billing.SetTaxRates(billing_pb2.SetTaxRatesRequest(rates=rates), metadata=md)
    # Until the order shard and the gateway read them again.
    await asyncio.sleep(max(RISK_RULES_TTL_S, POLICY_TTL_S, TAX_RATES_TTL_S) + 0.3)
    await sandbox.customer_bucket_refilled()


@pytest.mark.parametrize("method", METHODS, ids=lambda m: m.short)
@FUZZ
@given(data=st.data())
async def test_hostile_requests_get_client_errors_and_refused_ones_write_nothing(
    sandbox: Kit, audit_log_exists: None, method: Method, data: st.DataObject
):
    if method.service not in await sandbox.served_services():
        pytest.skip(f"{method.service} is not served by the gateway yet")
    request = data.draw(hostile(method), label="request")
    role = data.draw(st.sampled_from([Role.ADMIN, Role.ADMIN, *Role]), label="role")
    await _check(sandbox, method, request, role)


async def test_the_gateway_still_serves_after_the_fuzzing(sandbox: Kit):
    health = health_pb2_grpc.HealthStub(sandbox.channel)
    assert (await health.Check(health_pb2.HealthCheckRequest())).status == health_pb2.HealthCheckResponse.SERVING
    stub = orders_pb2_grpc.OrderServiceStub(sandbox.channel)
    order = await stub.GetOrder(orders_pb2.GetOrderRequest(order_id=sandbox.order_id), metadata=sandbox.md(Role.CUSTOMER))
    assert order.order_id == sandbox.order_id
