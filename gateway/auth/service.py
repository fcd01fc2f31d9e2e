"""Access settings of one gateway, and the parts built from them: key store, verifiers, limiter, audit, interceptor."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from typing import Mapping

import redis.asyncio as aioredis

from gateway.auth.apikeys import ApiKeyStore, ApiKeyVerifier, parse_key
from gateway.auth.audit import DEFAULT_MAX_ENTRIES, AuditLog
from gateway.auth.errors import AuthConfigError
from gateway.auth.interceptor import AccessInterceptor, Authenticator
from gateway.auth.principal import Role
from gateway.auth.ratelimit import DEFAULT_LIMITS, Limit, RateLimiter
from gateway.auth.tls import TlsConfig, check_listen
from gateway.auth.tokens import JwtConfig, JwtVerifier

log = logging.getLogger(__name__)

BOOTSTRAP_KEY_ENV = "OMS_BOOTSTRAP_ADMIN_KEY"


@dataclass(frozen=True, kw_only=True)
class AccessConfig:
    tls: TlsConfig | None = None
    insecure: bool = False  # plaintext off loopback, on purpose
    jwt: JwtConfig = field(default_factory=JwtConfig)
    rate_limits: Mapping[Role, Limit] = field(default_factory=lambda: dict(DEFAULT_LIMITS))
    # How long a gateway trusts an API key record it read: the bound on revocation delay.
    key_cache_ttl_s: float = 1.0
    # An admin key registered at start (idempotent), so a fresh deployment can be driven at all.
    bootstrap_admin_key: str | None = field(default_factory=lambda: os.environ.get(BOOTSTRAP_KEY_ENV) or None)
    audit_max_entries: int = DEFAULT_MAX_ENTRIES

    def check(self, host: str) -> None:
        """AuthConfigError for what would expose the service or cannot work, before anything starts."""
        check_listen(host, tls=self.tls, insecure=self.insecure)
        JwtVerifier(self.jwt)  # refuses short secrets and unusable key files
        if self.bootstrap_admin_key and parse_key(self.bootstrap_admin_key) is None:
            raise AuthConfigError(
                f"the bootstrap admin key ({BOOTSTRAP_KEY_ENV} or --bootstrap-key-file) is not an API key; "
                "make one with `oms keys generate`"
            )


@dataclass(frozen=True, kw_only=True)
class Access:
    config: AccessConfig
    keys: ApiKeyStore
    verifier: ApiKeyVerifier
    tokens: JwtVerifier
    limiter: RateLimiter
    audit: AuditLog
    interceptor: AccessInterceptor

    @classmethod
    def create(cls, client: aioredis.Redis, config: AccessConfig) -> Access:
        audit = AuditLog(client, max_entries=config.audit_max_entries)
        keys = ApiKeyStore(client, audit)
        verifier = ApiKeyVerifier(keys, ttl_s=config.key_cache_ttl_s)
        tokens = JwtVerifier(config.jwt)
        limiter = RateLimiter(config.rate_limits)
        interceptor = AccessInterceptor(authenticator=Authenticator(verifier, tokens), limiter=limiter, audit=audit)
        return cls(
            config=config, keys=keys, verifier=verifier, tokens=tokens, limiter=limiter, audit=audit, interceptor=interceptor
        )

    async def bootstrap(self) -> None:
        key = self.config.bootstrap_admin_key
        if not key:
            return
        record = await self.keys.register(key, role=Role.ADMIN, name="bootstrap", by="bootstrap")
        if record.revoked:
            log.warning("the bootstrap admin key %s was revoked; it stays revoked", record.key_id)
