"""The pure parts of access: key format, token verification, limits, listening rules, deadlines, redaction."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time

import grpc
import jwt
import pytest
import redis
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from gateway.auth import Principal, Role
from gateway.auth.apikeys import generate_key, hash_secret, parse_key
from gateway.auth.errors import AuthConfigError, UnauthenticatedError
from gateway.auth.interceptor import AccessInterceptor, request_summary
from gateway.auth.principal import CredentialKind
from gateway.auth.ratelimit import Limit, RateLimiter
from gateway.auth.rules import allow
from gateway.auth.tls import check_listen, is_loopback
from gateway.auth.tokens import JwtConfig, JwtVerifier
from oms_actors.domain.enums import Channel
from oms_actors.store.connection import connect
from protos.oms.v1 import common_pb2, orders_pb2


def test_keys_parse_back_and_hash_with_their_id():
    key = generate_key()
    key_id, secret = parse_key(key)
    assert key == f"omsk_{key_id}_{secret}" and len(secret) == 43
    assert hash_secret(key_id, secret) != hash_secret("0" * 16, secret)
    for bad in ("", "omsk_", key + "x", key.replace("omsk", "oms"), key.upper(), "omsk_zz" + key[7:]):
        assert parse_key(bad) is None


def _pem(public_key) -> bytes:
    return public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def _claims(**over):
    return {"sub": "CUST-1", "exp": int(time.time()) + 60, **over}


def test_rs256_and_es256_tokens_verify_against_their_public_keys_only():
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ec_key = ec.generate_private_key(ec.SECP256R1())
    verifier = JwtVerifier(JwtConfig(public_keys_pem=(_pem(rsa_key.public_key()), _pem(ec_key.public_key()))))
    assert verifier.verify(jwt.encode(_claims(), rsa_key, algorithm="RS256")).customer_id == "CUST-1"
    assert verifier.verify(jwt.encode(_claims(), ec_key, algorithm="ES256")).customer_id == "CUST-1"
    stranger = ec.generate_private_key(ec.SECP256R1())
    with pytest.raises(UnauthenticatedError):
        verifier.verify(jwt.encode(_claims(), stranger, algorithm="ES256"))
    # The public key's PEM used as an HMAC secret: the classic algorithm confusion.
    with pytest.raises(UnauthenticatedError):
        verifier.verify(_hs256(_claims(), _pem(rsa_key.public_key())))
    both = JwtVerifier(JwtConfig(hs256_secret=b"s" * 32, public_keys_pem=(_pem(rsa_key.public_key()),)))
    with pytest.raises(UnauthenticatedError):
        both.verify(_hs256(_claims(), _pem(rsa_key.public_key())))
    assert both.verify(_hs256(_claims(), b"s" * 32)).customer_id == "CUST-1"


def _hs256(claims: dict, secret: bytes) -> str:
    """Signed by hand: PyJWT rightly refuses to use a PEM key as an HMAC secret."""

    def b64(raw: bytes) -> bytes:
        return base64.urlsafe_b64encode(raw).rstrip(b"=")

    signing_input = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()) + b"." + b64(json.dumps(claims).encode())
    return (signing_input + b"." + b64(hmac.new(secret, signing_input, hashlib.sha256).digest())).decode()


def test_unusable_token_keys_are_refused_at_start():
    with pytest.raises(AuthConfigError):
        JwtVerifier(JwtConfig(hs256_secret=b"short"))
    with pytest.raises(AuthConfigError):
        JwtVerifier(JwtConfig(public_keys_pem=(b"not a key",)))
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    with pytest.raises(AuthConfigError):
        JwtVerifier(JwtConfig(public_keys_pem=(_pem(small.public_key()),)))
    p384 = ec.generate_private_key(ec.SECP384R1())
    with pytest.raises(AuthConfigError):
        JwtVerifier(JwtConfig(public_keys_pem=(_pem(p384.public_key()),)))


def test_a_token_bucket_admits_its_burst_then_its_rate():
    limiter = RateLimiter({Role.CUSTOMER: Limit(rate_per_s=10, burst=3)})
    p = Principal(role=Role.CUSTOMER, kind=CredentialKind.TOKEN, id="token:C", customer_id="C")
    q = Principal(role=Role.CUSTOMER, kind=CredentialKind.TOKEN, id="token:D", customer_id="D")
    assert [limiter.take(p) for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = limiter.take(p)
    assert 0 < wait <= 0.1
    assert limiter.take(q) == 0.0
    time.sleep(wait + 0.01)
    assert limiter.take(p) == 0.0
    assert Limit.parse("5") == Limit(rate_per_s=5, burst=10) and Limit.parse("5:7").burst == 7
    unlimited = RateLimiter({Role.ADMIN: Limit.parse("0")})
    admin = Principal(role=Role.ADMIN, kind=CredentialKind.API_KEY, id="key:x")
    assert all(unlimited.take(admin) == 0.0 for _ in range(100_000))


def test_a_costly_call_takes_all_its_tokens_or_none():
    limiter = RateLimiter({Role.CHANNEL: Limit(rate_per_s=10, burst=10)})
    p = Principal(role=Role.CHANNEL, kind=CredentialKind.API_KEY, id="key:c", channel=Channel.WEB)
    assert limiter.take(p, 7) == 0.0
    wait = limiter.take(p, 5)  # 3 left: refused whole, nothing taken
    assert 0.15 < wait <= 0.2
    assert limiter.take(p, 3) == 0.0  # the 3 were still there
    q = Principal(role=Role.CHANNEL, kind=CredentialKind.API_KEY, id="key:d", channel=Channel.WEB)
    assert limiter.take(q, 1_000) == 0.0  # above the burst: charged as a full bucket, not refused forever
    assert limiter.take(q) > 0


def test_buckets_that_refilled_are_forgotten_so_memory_stays_bounded():
    limiter = RateLimiter({Role.CUSTOMER: Limit(rate_per_s=1000, burst=1)}, max_buckets=100)
    for i in range(1000):
        limiter.take(Principal(role=Role.CUSTOMER, kind=CredentialKind.TOKEN, id=f"token:{i}", customer_id=f"C{i}"))
    assert len(limiter._buckets) <= 100


def test_plaintext_is_refused_off_loopback_unless_insecure_is_asked_for():
    for host in ("127.0.0.1", "::1", "[::1]", "localhost", "127.0.0.2"):
        assert is_loopback(host)
        check_listen(host, tls=None, insecure=False)
    for host in ("0.0.0.0", "::", "10.1.2.3", "oms.example.com"):
        assert not is_loopback(host)
        with pytest.raises(AuthConfigError, match="--insecure"):
            check_listen(host, tls=None, insecure=False)
        check_listen(host, tls=None, insecure=True)


def test_oms_serve_refuses_to_start_in_plaintext_on_all_interfaces(capsys):
    from gateway.cli import main

    assert main(["serve", "--host", "0.0.0.0", "--port", "0"]) == 2
    assert "refusing to listen on 0.0.0.0 without TLS" in capsys.readouterr().err


def test_oms_serve_refuses_a_minimum_batch_no_batch_can_hold(capsys):
    from gateway.cli import main

    with pytest.raises(SystemExit) as stopped:
        main(["serve", "--port", "0", "--max-batch", "4", "--min-batch", "5"])
    assert stopped.value.code == 2
    assert "--min-batch must be between 1 and --max-batch (4)" in capsys.readouterr().err


def test_audit_summaries_name_ids_and_counts_never_payment_tokens_or_text():
    request = orders_pb2.CreateOrderRequest(
        channel=common_pb2.CHANNEL_WEB,
        customer_id="CUST-1",
        idempotency_key="k-1",
        lines=[orders_pb2.OrderLineInput(sku="S", quantity=1)],
        payments=[orders_pb2.PaymentInstruction(token="tok_4111111111111111")],
        ship_to=common_pb2.Address(name="Erika Mustermann"),
    )
    summary = request_summary(request)
    assert summary == "customer_id=CUST-1 lines[1] payments[1]"
    assert request_summary(b"raw") == ""


class _Context:
    """Just enough of grpc.aio.ServicerContext for the interceptor's admission."""

    def __init__(self, remaining: float | None, metadata=()) -> None:
        self.remaining, self.metadata, self.aborted = remaining, metadata, None

    def time_remaining(self):
        return self.remaining

    def invocation_metadata(self):
        return self.metadata

    async def abort(self, code, details=""):
        self.aborted = (code, details)
        raise asyncio.CancelledError  # stands in for grpc's AbortError

    async def abort_with_status(self, status):
        self.aborted = (status.code, status.details)
        raise asyncio.CancelledError


async def test_a_call_whose_deadline_has_passed_is_not_started():
    authenticated = []

    class Auth:
        async def principal(self, metadata):
            authenticated.append(metadata)
            return Principal(role=Role.ADMIN, kind=CredentialKind.API_KEY, id="key:x")

    interceptor = AccessInterceptor(authenticator=Auth(), limiter=RateLimiter(), audit=None)
    late = _Context(remaining=-0.001)
    with pytest.raises(asyncio.CancelledError):
        await interceptor.admit("/m", allow(), late)
    assert late.aborted[0] == grpc.StatusCode.DEADLINE_EXCEEDED and not authenticated
    on_time = _Context(remaining=5.0)
    assert (await interceptor.admit("/m", allow(), on_time)).role is Role.ADMIN


class _Recording(_Context):
    """A context that notes, in one list with the audit log, when grpc would send a status."""

    def __init__(self, events: list[str]) -> None:
        super().__init__(remaining=5.0, metadata=(("authorization", "Bearer x"),))
        self.events = events

    def code(self):
        return self.aborted[0] if self.aborted else None

    async def abort(self, code, details="", trailing_metadata=()):
        self.events.append(f"status {code.name}")
        self.aborted = (code, details)
        raise grpc.aio.AbortError()

    async def abort_with_status(self, status):
        self.events.append(f"status {status.code.name}")
        self.aborted = (status.code, status.details)
        raise grpc.aio.AbortError()


async def test_an_audited_refusal_is_in_the_log_before_the_caller_hears_it():
    from gateway.errors import rpc
    from oms_actors.domain.errors import NotFoundError

    events: list[str] = []

    class Auth:
        async def principal(self, metadata):
            return Principal(role=Role.ADMIN, kind=CredentialKind.API_KEY, id="key:x")

    class Log:
        async def record_quietly(self, *, action, principal, target, outcome):
            events.append(f"audit {outcome}")

    class Servicer:
        @rpc
        async def Cancel(self, request, context):
            raise NotFoundError("order O-1 not found", resource="order", resource_id="O-1")

        @rpc
        async def Cancelled(self, request, context):
            return orders_pb2.Order(order_id=request.order_id)

    interceptor = AccessInterceptor(authenticator=Auth(), limiter=RateLimiter(), audit=Log())
    servicer = Servicer()
    raw = orders_pb2.CancelOrderRequest(order_id="O-1").SerializeToString()
    for name, expected in (("Cancel", ["audit NOT_FOUND", "status NOT_FOUND"]), ("Cancelled", ["audit OK"])):
        events.clear()
        handler = grpc.unary_unary_rpc_method_handler(
            getattr(servicer, name), request_deserializer=orders_pb2.CancelOrderRequest.FromString
        )
        wrapped = interceptor._wrap(f"/oms.v1.OrderService/{name}", allow(audit=True), handler)
        try:
            await wrapped.unary_unary(raw, _Recording(events))
        except grpc.aio.AbortError:
            pass
        assert events == expected, name
    # A method that is not audited writes nothing, and its refusal goes out as before.
    events.clear()
    handler = grpc.unary_unary_rpc_method_handler(servicer.Cancel, request_deserializer=orders_pb2.CancelOrderRequest.FromString)
    with pytest.raises(grpc.aio.AbortError):
        await interceptor._wrap("/oms.v1.OrderService/Get", allow(), handler).unary_unary(raw, _Recording(events))
    assert events == ["status NOT_FOUND"]


def test_redis_urls_carry_tls_and_passwords_to_redis_py():
    client = connect("rediss://:s3cret@redis.example.com:6380/2?ssl_cert_reqs=required")
    kwargs = client.connection_pool.connection_kwargs
    assert client.connection_pool.connection_class is redis.SSLConnection
    assert (kwargs["password"], kwargs["db"], kwargs["ssl_cert_reqs"]) == ("s3cret", 2, "required")
    plain = connect("redis://user:pw@redis.example.com:6379/0")
    assert plain.connection_pool.connection_class is redis.Connection
    assert (plain.connection_pool.connection_kwargs["username"], plain.connection_pool.connection_kwargs["password"]) == (
        "user",
        "pw",
    )
