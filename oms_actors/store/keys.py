"""The Redis key layout, in one place.

Keys a shard writes together carry the shard's hash tag (``{inv-3}``,
``{ord-1}``), so each of its batches is one MULTI/EXEC transaction, on a Redis
Cluster too. Cross-shard read models (order indexes) are global keys.
"""

from __future__ import annotations

ROOT = "oms"
SEP = "|"  # ids are validated never to contain it

TOPOLOGY = f"{ROOT}:topology"
LOCATIONS = f"{ROOT}:net:locations"
PRODUCTS = f"{ROOT}:net:products"
ROUTING_RULES = f"{ROOT}:net:rules"
NETWORK_VERSION = f"{ROOT}:net:version"
# Access: API key records (hashes of secrets only) and the capped audit stream.
API_KEYS = f"{ROOT}:auth:keys"
AUDIT_LOG = f"{ROOT}:audit-log"


def order(shard: int, order_id: str) -> str:
    return f"{ROOT}:{{ord-{shard}}}:order:{order_id}"


def order_pattern(shard: int) -> str:
    return f"{ROOT}:{{ord-{shard}}}:order:*"


def idempotency(shard: int) -> str:
    return f"{ROOT}:{{ord-{shard}}}:idem"


def idempotency_field(channel: str, key: str) -> str:
    return f"{channel}{SEP}{key}"


def order_index(kind: str, value: str = "") -> str:
    """Sorted sets of order ids scored by creation time: all, customer, channel, status, channel+status."""
    return f"{ROOT}:idx:{kind}:{value}" if value else f"{ROOT}:idx:{kind}"


def inventory_on_hand(shard: int) -> str:
    return f"{ROOT}:{{inv-{shard}}}:onhand"


def inventory_safety(shard: int) -> str:
    return f"{ROOT}:{{inv-{shard}}}:safety"


def inventory_reservations(shard: int) -> str:
    return f"{ROOT}:{{inv-{shard}}}:resv"


def inventory_ledger(shard: int) -> str:
    """A stream: every change to on hand, in order (the audit's source of truth)."""
    return f"{ROOT}:{{inv-{shard}}}:ledger"


def inventory_feed_positions(shard: int) -> str:
    return f"{ROOT}:{{inv-{shard}}}:feeds"


def inventory_inbound(shard: int) -> str:
    return f"{ROOT}:{{inv-{shard}}}:inbound"


def stock_field(location_id: str, sku: str) -> str:
    return f"{location_id}{SEP}{sku}"


def customer(customer_id: str) -> str:
    return f"{ROOT}:cust:{customer_id}"
