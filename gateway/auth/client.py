"""The client side of access, for the benchmarks, the simulator and tests: how to send a credential.

Per-call metadata is the cheapest way in Python (call credentials run a plugin
on a thread per call); ``channel_credentials`` is grpc's own composite of
channel and call credentials, for clients that prefer it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import grpc

CREDENTIAL_ENV = "OMS_API_KEY"  # what clients send when no credential is given explicitly


def bearer(credential: str) -> tuple[tuple[str, str], ...]:
    """Call metadata carrying an API key or a JWT."""
    return (("authorization", f"Bearer {credential}"),)


def credential_from_env() -> str | None:
    return os.environ.get(CREDENTIAL_ENV) or None


def channel_credentials(
    credential: str,
    *,
    root_certificates: bytes | None = None,
    client_key: bytes | None = None,
    client_cert: bytes | None = None,
    tls: bool = True,
) -> grpc.ChannelCredentials:
    """TLS (or, with ``tls=False``, grpc's local-connection credentials) with the credential on every call."""
    transport = (
        grpc.ssl_channel_credentials(root_certificates, client_key, client_cert)
        if tls
        else grpc.local_channel_credentials(grpc.LocalConnectionType.LOCAL_TCP)
    )
    return grpc.composite_channel_credentials(transport, grpc.access_token_call_credentials(credential))


@dataclass(frozen=True, kw_only=True)
class ClientTls:
    """How a client trusts a TLS gateway, and proves itself under mutual TLS (PEM bytes)."""

    root_certificates: bytes | None = None  # None: the system's trust store
    client_cert: bytes | None = None
    client_key: bytes | None = None
    server_name: str = ""  # the name the server's certificate is checked against, when not the target's host

    def __post_init__(self) -> None:
        if (self.client_cert is None) != (self.client_key is None):
            raise ValueError("a client certificate and its key go together")

    @classmethod
    def from_files(
        cls, *, ca: Path | None = None, cert: Path | None = None, key: Path | None = None, server_name: str = ""
    ) -> ClientTls:
        def read(path: Path | None) -> bytes | None:
            return path.read_bytes() if path is not None else None

        return cls(root_certificates=read(ca), client_cert=read(cert), client_key=read(key), server_name=server_name)


def open_channel(target: str, tls: ClientTls | None = None) -> grpc.aio.Channel:
    """A channel to the gateway: plaintext without ``tls``; credentials go in call metadata (``bearer``)."""
    if tls is None:
        return grpc.aio.insecure_channel(target)
    creds = grpc.ssl_channel_credentials(tls.root_certificates, tls.client_key, tls.client_cert)
    options = (("grpc.ssl_target_name_override", tls.server_name),) if tls.server_name else ()
    return grpc.aio.secure_channel(target, creds, options=options)
