"""Signed tokens (JWT, verified with PyJWT) for customer-facing apps: ``sub`` is the customer id.

The identity provider that signs them is configured by key: an HS256 shared
secret and/or RS256 / ES256 public keys (PEM files). Each key is bound to the
one algorithm its type allows, and a token is only tried against keys of the
algorithm its header names, so neither ``alg: none`` nor an HMAC forged with
a public key as the secret can pass. ``exp`` and ``sub`` are required;
``iss`` and ``aud`` are checked when configured.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from gateway import limits
from gateway.auth.errors import AuthConfigError, UnauthenticatedError, invalid_credentials
from gateway.auth.principal import CredentialKind, Principal, Role

MIN_HS256_SECRET_BYTES = 32  # RFC 7518 3.2: at least the hash size


@dataclass(frozen=True, kw_only=True)
class JwtConfig:
    hs256_secret: bytes | None = None
    public_keys_pem: tuple[bytes, ...] = ()
    issuer: str | None = None
    audience: str | None = None
    leeway_s: float = 30.0  # clock skew allowed between the issuer and this gateway

    @property
    def enabled(self) -> bool:
        return self.hs256_secret is not None or bool(self.public_keys_pem)

    @classmethod
    def from_files(
        cls,
        *,
        hs256_secret_file: Path | None = None,
        public_key_files: list[Path] | tuple[Path, ...] = (),
        issuer: str | None = None,
        audience: str | None = None,
        leeway_s: float = 30.0,
    ) -> JwtConfig:
        def read(path: Path) -> bytes:
            try:
                return path.read_bytes()
            except OSError as exc:
                raise AuthConfigError(f"cannot read {path}: {exc.strerror}") from exc

        # A secret file usually ends with a newline the secret does not include.
        secret = read(hs256_secret_file).strip() if hs256_secret_file else None
        return cls(
            hs256_secret=secret,
            public_keys_pem=tuple(read(p) for p in public_key_files),
            issuer=issuer or None,
            audience=audience or None,
            leeway_s=leeway_s,
        )


class JwtVerifier:
    def __init__(self, config: JwtConfig) -> None:
        self.config = config
        self._keys: dict[str, list[Any]] = {}
        if config.hs256_secret is not None:
            if len(config.hs256_secret) < MIN_HS256_SECRET_BYTES:
                raise AuthConfigError(f"the HS256 secret must be at least {MIN_HS256_SECRET_BYTES} bytes")
            self._keys.setdefault("HS256", []).append(config.hs256_secret)
        for i, pem in enumerate(config.public_keys_pem):
            try:
                key = load_pem_public_key(pem)
            except ValueError as exc:
                raise AuthConfigError(f"JWT public key #{i + 1} is not a PEM public key") from exc
            if isinstance(key, rsa.RSAPublicKey):
                if key.key_size < 2048:
                    raise AuthConfigError(f"JWT public key #{i + 1}: RSA keys need at least 2048 bits")
                self._keys.setdefault("RS256", []).append(key)
            elif isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1):
                self._keys.setdefault("ES256", []).append(key)
            else:
                raise AuthConfigError(f"JWT public key #{i + 1}: only RSA (RS256) and P-256 (ES256) keys are accepted")
        self._options: dict[str, Any] = {
            "require": ["exp", "sub"] + (["iss"] if config.issuer else []) + (["aud"] if config.audience else []),
            "verify_aud": config.audience is not None,
        }

    @property
    def enabled(self) -> bool:
        return bool(self._keys)

    def verify(self, token: str) -> Principal:
        try:
            alg = jwt.get_unverified_header(token).get("alg")
        except jwt.PyJWTError:
            raise invalid_credentials() from None
        candidates = self._keys.get(alg, []) if isinstance(alg, str) else []
        for i, key in enumerate(candidates):
            try:
                claims = jwt.decode(
                    token,
                    key,
                    algorithms=[alg],
                    audience=self.config.audience,
                    issuer=self.config.issuer,
                    leeway=self.config.leeway_s,
                    options=self._options,
                )
            except jwt.InvalidSignatureError:
                if i + 1 < len(candidates):
                    continue  # signed by another of the configured keys, perhaps
                raise invalid_credentials() from None
            except jwt.ExpiredSignatureError:
                raise UnauthenticatedError("token expired") from None
            except jwt.PyJWTError:
                raise invalid_credentials() from None
            return self._principal(claims)
        raise invalid_credentials()

    @staticmethod
    def _principal(claims: dict[str, Any]) -> Principal:
        sub = claims.get("sub")
        if not isinstance(sub, str) or len(sub) > limits.MAX_ID_LEN or not limits.ID_PATTERN.fullmatch(sub):
            raise invalid_credentials()
        return Principal(role=Role.CUSTOMER, kind=CredentialKind.TOKEN, id=f"token:{sub}", customer_id=sub)
