"""TLS for the gateway (grpc's own ssl_server_credentials), and the rule that plaintext stays on loopback.

With a client CA the gateway requires and verifies client certificates
(mutual TLS): a client without one is refused in the handshake. Callers
still authenticate per call with an API key or token; the certificate only
proves the connection comes from a trusted machine.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path

import grpc

from gateway.auth.errors import AuthConfigError


@dataclass(frozen=True, kw_only=True)
class TlsConfig:
    cert_chain_pem: bytes
    private_key_pem: bytes
    client_ca_pem: bytes | None = None  # set: mutual TLS, client certificates required

    @classmethod
    def from_files(cls, *, cert: Path, key: Path, client_ca: Path | None = None) -> TlsConfig:
        def read(path: Path) -> bytes:
            try:
                return path.read_bytes()
            except OSError as exc:
                raise AuthConfigError(f"cannot read {path}: {exc.strerror}") from exc

        return cls(cert_chain_pem=read(cert), private_key_pem=read(key), client_ca_pem=read(client_ca) if client_ca else None)

    def server_credentials(self) -> grpc.ServerCredentials:
        return grpc.ssl_server_credentials(
            [(self.private_key_pem, self.cert_chain_pem)],
            root_certificates=self.client_ca_pem,
            require_client_auth=self.client_ca_pem is not None,
        )


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a name: it may resolve to anything


def check_listen(host: str, *, tls: TlsConfig | None, insecure: bool) -> None:
    """Plaintext off loopback would send API keys, tokens and customers' data in clear: only when asked."""
    if tls is None and not insecure and not is_loopback(host):
        raise AuthConfigError(
            f"refusing to listen on {host} without TLS: give --tls-cert and --tls-key "
            "(and --tls-client-ca for mutual TLS), or --insecure to serve plaintext on a network you trust"
        )
