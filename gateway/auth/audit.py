"""The audit log: who did what, when, in a capped Redis stream, readable by admins (``oms audit-log``).

Recorded: calls of the RPCs the rules table marks ``audit`` (network,
catalogue and rule changes, cancellations, and later review decisions and
refunds), whatever their outcome, and every key creation and revocation.
An entry names the principal by role and key id (never a credential), the
method, the ids the request named, and the status code. The stream is capped
(``MAXLEN ~``) so it can never fill Redis; the newest entries are kept.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import redis.asyncio as aioredis

from oms_actors.store import keys

log = logging.getLogger(__name__)

DEFAULT_MAX_ENTRIES = 100_000


@dataclass(frozen=True, kw_only=True)
class AuditEntry:
    entry_id: str
    at_ms: int
    action: str
    principal: str
    target: str
    outcome: str
    detail: str


class AuditLog:
    def __init__(self, client: aioredis.Redis, *, max_entries: int = DEFAULT_MAX_ENTRIES) -> None:
        self.client = client
        self.max_entries = max_entries

    async def record(self, *, action: str, principal: str, target: str = "", outcome: str = "OK", detail: str = "") -> None:
        fields = {
            "at_ms": str(int(time.time() * 1000)),
            "action": action,
            "principal": principal,
            "target": target,
            "outcome": outcome,
            "detail": detail,
        }
        await self.client.xadd(keys.AUDIT_LOG, fields, maxlen=self.max_entries, approximate=True)

    async def record_quietly(self, **entry: str) -> None:
        """For entries written after the action took effect: a failure is logged, not answered."""
        try:
            await self.record(**entry)
        except Exception as exc:  # noqa: BLE001 - the action is done; its caller must still get its answer
            log.warning("audit entry for %s not written: %s", entry.get("action", "?"), type(exc).__name__)

    async def tail(self, count: int = 50) -> list[AuditEntry]:
        """The newest ``count`` entries, newest first."""
        rows = await self.client.xrevrange(keys.AUDIT_LOG, count=count)
        out = []
        for entry_id, raw in rows:
            f = {k.decode(): v.decode() for k, v in raw.items()}
            out.append(
                AuditEntry(
                    entry_id=entry_id.decode(),
                    at_ms=int(f.get("at_ms", "0")),
                    action=f.get("action", ""),
                    principal=f.get("principal", ""),
                    target=f.get("target", ""),
                    outcome=f.get("outcome", ""),
                    detail=f.get("detail", ""),
                )
            )
        return out
