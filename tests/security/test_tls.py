"""TLS and mutual TLS on the gateway, with a CA and certificates made here (cryptography)."""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass

import grpc
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from gateway.auth import AccessConfig, Role
from gateway.auth.client import channel_credentials
from gateway.auth.tls import TlsConfig
from gateway.server import build_server, listen
from protos.oms.v1 import orders_pb2, orders_pb2_grpc
from tests.security.kit import Kit

pytestmark = pytest.mark.integration


@dataclass(frozen=True)
class Pem:
    cert: bytes
    key: bytes


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def make_ca(cn: str) -> tuple[Pem, ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(cn))
        .issuer_name(_name(cn))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .sign(key, hashes.SHA256())
    )
    return Pem(cert.public_bytes(serialization.Encoding.PEM), _key_pem(key)), key, cert


def issue(ca_key, ca_cert, cn: str, *, server: bool) -> Pem:
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.timezone.utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(cn))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH]),
            critical=False,
        )
    )
    if server:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
    cert = builder.sign(ca_key, hashes.SHA256())
    return Pem(cert.public_bytes(serialization.Encoding.PEM), _key_pem(key))


@pytest.fixture(scope="module")
def pki():
    ca, ca_key, ca_cert = make_ca("OMS test CA")
    rogue_ca, rogue_key, rogue_cert = make_ca("Someone else's CA")
    return {
        "ca": ca,
        "server": issue(ca_key, ca_cert, "localhost", server=True),
        "client": issue(ca_key, ca_cert, "channel-web", server=False),
        "rogue_client": issue(rogue_key, rogue_cert, "intruder", server=False),
    }


async def _serve(kit: Kit, tls: TlsConfig) -> tuple[grpc.aio.Server, str]:
    """The sandbox's servicers and access checks behind a TLS port."""
    server, _ = build_server(kit.service.backend, access=kit.service.access)
    port = listen(server, "127.0.0.1", 0, AccessConfig(tls=tls))
    await server.start()
    return server, f"localhost:{port}"


async def _get_order(target: str, creds: grpc.ChannelCredentials, kit: Kit) -> grpc.StatusCode:
    async with grpc.aio.secure_channel(target, creds) as channel:
        try:
            await orders_pb2_grpc.OrderServiceStub(channel).GetOrder(
                orders_pb2.GetOrderRequest(order_id=kit.order_id), timeout=10
            )
        except grpc.aio.AioRpcError as err:
            return err.code()
    return grpc.StatusCode.OK


async def test_tls_serves_clients_that_trust_its_ca_and_refuses_plaintext(sandbox: Kit, pki):
    server, target = await _serve(sandbox, TlsConfig(cert_chain_pem=pki["server"].cert, private_key_pem=pki["server"].key))
    try:
        key = sandbox.credentials[Role.CUSTOMER]
        assert await _get_order(target, channel_credentials(key, root_certificates=pki["ca"].cert), sandbox) == grpc.StatusCode.OK
        # TLS alone is no credential: calls still need one.
        no_key = grpc.ssl_channel_credentials(pki["ca"].cert)
        assert await _get_order(target, no_key, sandbox) == grpc.StatusCode.UNAUTHENTICATED
        # A client that does not trust the server's CA does not get through the handshake.
        other_ca = channel_credentials(key, root_certificates=pki["rogue_client"].cert)
        assert await _get_order(target, other_ca, sandbox) == grpc.StatusCode.UNAVAILABLE
        async with grpc.aio.insecure_channel(target) as plain:
            with pytest.raises(grpc.aio.AioRpcError) as info:
                await orders_pb2_grpc.OrderServiceStub(plain).GetOrder(
                    orders_pb2.GetOrderRequest(order_id=sandbox.order_id), timeout=5
                )
            assert info.value.code() == grpc.StatusCode.UNAVAILABLE
    finally:
        await server.stop(0)


async def test_mutual_tls_refuses_clients_without_a_certificate_from_its_ca(sandbox: Kit, pki):
    tls = TlsConfig(cert_chain_pem=pki["server"].cert, private_key_pem=pki["server"].key, client_ca_pem=pki["ca"].cert)
    server, target = await _serve(sandbox, tls)
    try:
        key = sandbox.credentials[Role.CUSTOMER]
        ca = pki["ca"].cert
        with_cert = channel_credentials(
            key, root_certificates=ca, client_key=pki["client"].key, client_cert=pki["client"].cert
        )
        assert await _get_order(target, with_cert, sandbox) == grpc.StatusCode.OK
        without_cert = channel_credentials(key, root_certificates=ca)
        assert await _get_order(target, without_cert, sandbox) == grpc.StatusCode.UNAVAILABLE
        rogue = channel_credentials(
            key, root_certificates=ca, client_key=pki["rogue_client"].key, client_cert=pki["rogue_client"].cert
        )
        assert await _get_order(target, rogue, sandbox) == grpc.StatusCode.UNAVAILABLE
    finally:
        await server.stop(0)
