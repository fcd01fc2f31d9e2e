"""API keys: their format, their storage (hashes only) in Redis, and the cached check on the hot path.

A key reads ``omsk_<key id>_<secret>``: a 16-hex-digit public id (what
``oms keys list`` shows and ``revoke`` takes) and a 256-bit random secret.
Only SHA-256 of (id, secret) is stored. A slow password hash would buy
nothing here: nobody can guess 256 random bits, so a leaked hash table
yields no key, and the fast hash keeps verification at a microsecond.

Gateways cache what they read for ``ttl_s`` (1 s by default), so the hot
path reads Redis about once a second per key, and a revocation takes effect
on every gateway within ``ttl_s`` (calls already admitted finish).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass, replace

import redis.asyncio as aioredis

from gateway import limits
from gateway.auth.audit import AuditLog
from gateway.auth.errors import KeyStoreError, invalid_credentials
from gateway.auth.principal import LOCATION_SCOPED, CredentialKind, Principal, Role
from oms_actors.domain.enums import Channel
from oms_actors.domain.errors import UnavailableError
from oms_actors.store import keys
from oms_actors.store.codec import Codec

PREFIX = "omsk"
_KEY_PATTERN = re.compile(rf"{PREFIX}_([0-9a-f]{{16}})_([A-Za-z0-9_-]{{43}})")


def generate_key() -> str:
    """A fresh key string (not stored): for ``OMS_BOOTSTRAP_ADMIN_KEY`` or a key file."""
    return f"{PREFIX}_{secrets.token_hex(8)}_{secrets.token_urlsafe(32)}"


def parse_key(credential: str) -> tuple[str, str] | None:
    """(key id, secret), or None when the string is not an API key."""
    m = _KEY_PATTERN.fullmatch(credential)
    return (m.group(1), m.group(2)) if m else None


def looks_like_key(credential: str) -> bool:
    return credential.startswith(PREFIX + "_")


def hash_secret(key_id: str, secret: str) -> str:
    # The id is hashed in, so a stored hash cannot be moved to another key's record.
    return hashlib.sha256(f"oms-api-key:v1:{key_id}:{secret}".encode()).hexdigest()


@dataclass(frozen=True, kw_only=True)
class ApiKeyRecord:
    key_id: str
    role: Role
    secret_hash: str
    channel: Channel | None = None
    customer_id: str = ""
    location_id: str = ""  # fulfilment and feed keys may be bound to one location
    name: str = ""
    created_at_ms: int = 0
    created_by: str = ""
    revoked_at_ms: int = 0
    revoked_by: str = ""
    goodwill_limit_percent: int | None = None  # a service agent's own (None: the risk rules')

    @property
    def revoked(self) -> bool:
        return self.revoked_at_ms > 0

    def principal(self) -> Principal:
        return Principal(
            role=self.role,
            kind=CredentialKind.API_KEY,
            id=f"key:{self.key_id}",
            channel=self.channel,
            customer_id=self.customer_id,
            location_id=self.location_id,
            goodwill_limit_percent=self.goodwill_limit_percent,
        )

    def scope(self) -> str:
        return self.channel.value if self.channel else self.customer_id or self.location_id


_CODEC: Codec[ApiKeyRecord] = Codec(ApiKeyRecord)


def check_scope(
    role: Role, channel: Channel | None, customer_id: str, location_id: str = "", goodwill_limit_percent: int | None = None
) -> None:
    """A key is bound to exactly the scope its role needs, no more."""
    if goodwill_limit_percent is not None:
        if role is not Role.SERVICE_AGENT:
            raise KeyStoreError("--goodwill-limit is only for service_agent keys")
        if not 0 <= goodwill_limit_percent <= 100:
            raise KeyStoreError("--goodwill-limit is a percent of the order's total: 0 to 100")
    if location_id:
        if role not in LOCATION_SCOPED:
            raise KeyStoreError("--location is only for fulfilment and inventory_feed keys")
        if len(location_id) > limits.MAX_ID_LEN or not limits.ID_PATTERN.fullmatch(location_id):
            raise KeyStoreError(f"not a location id: {location_id!r}")
    if role is Role.CHANNEL and channel is None:
        raise KeyStoreError("a channel key needs --channel")
    if role is Role.CUSTOMER:
        if not customer_id:
            raise KeyStoreError("a customer key needs --customer")
        if len(customer_id) > limits.MAX_ID_LEN or not limits.ID_PATTERN.fullmatch(customer_id):
            raise KeyStoreError(f"not a customer id: {customer_id!r}")
    if role is not Role.CHANNEL and channel is not None:
        raise KeyStoreError("--channel is only for channel keys")
    if role is not Role.CUSTOMER and customer_id:
        raise KeyStoreError("--customer is only for customer keys")


def _now_ms() -> int:
    return int(time.time() * 1000)


class ApiKeyStore:
    """Key records in one Redis hash (id -> JSON record, secret hash only); every change audited."""

    def __init__(self, client: aioredis.Redis, audit: AuditLog) -> None:
        self.client = client
        self.audit = audit

    async def create(
        self,
        *,
        role: Role,
        by: str,
        channel: Channel | None = None,
        customer_id: str = "",
        location_id: str = "",
        name: str = "",
        goodwill_limit_percent: int | None = None,
    ) -> tuple[ApiKeyRecord, str]:
        """Stores a new key; returns its record and the key string, which is never shown again."""
        check_scope(role, channel, customer_id, location_id, goodwill_limit_percent)
        key = generate_key()
        record = await self._insert(
            key, role=role, channel=channel, customer_id=customer_id, location_id=location_id, name=name, by=by,
            goodwill_limit_percent=goodwill_limit_percent,
        )  # fmt: skip
        assert record is not None  # a fresh 64-bit id does not collide
        return record, key

    async def register(self, key: str, *, role: Role, name: str, by: str) -> ApiKeyRecord:
        """Stores a key chosen outside (a bootstrap key); idempotent, and never revives a revoked one."""
        parsed = parse_key(key)
        if parsed is None:
            raise KeyStoreError(f"not an API key (expected {PREFIX}_<16 hex digits>_<43 characters>)")
        check_scope(role, None, "")
        record = await self._insert(key, role=role, channel=None, customer_id="", name=name, by=by)
        if record is not None:
            return record
        existing = await self.get(parsed[0])
        assert existing is not None
        if not hmac.compare_digest(existing.secret_hash, hash_secret(*parsed)) or existing.role is not role:
            raise KeyStoreError(f"key id {parsed[0]} is already stored with another secret or role")
        return existing

    async def _insert(
        self,
        key: str,
        *,
        role: Role,
        channel: Channel | None,
        customer_id: str,
        name: str,
        by: str,
        location_id: str = "",
        goodwill_limit_percent: int | None = None,
    ) -> ApiKeyRecord | None:
        parsed = parse_key(key)
        assert parsed is not None
        key_id, secret = parsed
        record = ApiKeyRecord(
            key_id=key_id,
            role=role,
            secret_hash=hash_secret(key_id, secret),
            channel=channel,
            customer_id=customer_id,
            location_id=location_id,
            name=name,
            created_at_ms=_now_ms(),
            created_by=by,
            goodwill_limit_percent=goodwill_limit_percent,
        )
        if not await self.client.hsetnx(keys.API_KEYS, key_id, _CODEC.encode(record)):
            return None
        await self.audit.record(
            action="key.create",
            principal=by,
            target=key_id,
            detail=f"role={role.value} scope={record.scope()} name={name}"
            + (f" goodwill_limit={goodwill_limit_percent}%" if goodwill_limit_percent is not None else ""),
        )
        return record

    async def revoke(self, key_id: str, *, by: str) -> ApiKeyRecord:
        record = await self.get(key_id)
        if record is None:
            raise KeyStoreError(f"no key {key_id}")
        if record.revoked:
            return record
        revoked = replace(record, revoked_at_ms=_now_ms(), revoked_by=by)
        await self.client.hset(keys.API_KEYS, key_id, _CODEC.encode(revoked))
        await self.audit.record(action="key.revoke", principal=by, target=key_id, detail=f"role={record.role.value}")
        return revoked

    async def get(self, key_id: str) -> ApiKeyRecord | None:
        raw = await self.client.hget(keys.API_KEYS, key_id)
        return _CODEC.decode(raw) if raw is not None else None

    async def list(self) -> list[ApiKeyRecord]:
        records = [_CODEC.decode(v) for v in (await self.client.hgetall(keys.API_KEYS)).values()]
        return sorted(records, key=lambda r: (r.created_at_ms, r.key_id))


class ApiKeyVerifier:
    """Checks presented keys against records cached for ``ttl_s``; the bound on revocation delay."""

    def __init__(self, store: ApiKeyStore, *, ttl_s: float = 1.0, max_entries: int = 10_000) -> None:
        self.store = store
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        # key id -> (expires at, record or None for "no such key"); misses are cached
        # too, so a stream of made-up keys costs one Redis read per id per ttl, not per call.
        self._cache: dict[str, tuple[float, ApiKeyRecord | None]] = {}
        self._loading: dict[str, asyncio.Future[ApiKeyRecord | None]] = {}

    async def verify(self, credential: str) -> Principal:
        parsed = parse_key(credential)
        if parsed is None:
            raise invalid_credentials()
        key_id, secret = parsed
        record = await self._record(key_id)
        if (
            record is None
            or record.revoked
            or not hmac.compare_digest(record.secret_hash, hash_secret(key_id, secret))
        ):
            raise invalid_credentials()
        return record.principal()

    async def _record(self, key_id: str) -> ApiKeyRecord | None:
        now = time.monotonic()
        hit = self._cache.get(key_id)
        if hit is not None and hit[0] > now:
            return hit[1]
        # One Redis read per key id however many calls wait for it.
        pending = self._loading.get(key_id)
        if pending is not None:
            return await asyncio.shield(pending)
        fut: asyncio.Future[ApiKeyRecord | None] = asyncio.get_running_loop().create_future()
        self._loading[key_id] = fut
        try:
            record = await self.store.get(key_id)
        except Exception as exc:  # noqa: BLE001 - Redis down: fail closed, retryable
            err = UnavailableError("cannot check credentials: redis unavailable", dependency="redis")
            fut.set_exception(err)
            fut.exception()  # retrieved: no "never retrieved" warning when nobody else waited
            raise err from exc
        finally:
            self._loading.pop(key_id, None)
        fut.set_result(record)
        self._remember(key_id, record, now)
        return record

    def _remember(self, key_id: str, record: ApiKeyRecord | None, now: float) -> None:
        if len(self._cache) >= self.max_entries:
            self._cache = {k: v for k, v in self._cache.items() if v[0] > now}
            if len(self._cache) >= self.max_entries:
                self._cache.clear()
        self._cache[key_id] = (now + self.ttl_s, record)
