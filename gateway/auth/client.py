"""The client side of access, for the benchmarks, the simulator and tests: how to send a credential.

Per-call metadata is the cheapest way in Python (call credentials run a plugin
on a thread per call); ``channel_credentials`` is grpc's own composite of
channel and call credentials, for clients that prefer it.
"""

from __future__ import annotations

import os

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
