"""How many shards of each kind there are, their actor names, and the agreement on both.

Shard counts decide which shard owns a SKU or an order, so every process must
use the same ones: the first ``oms serve`` records them in Redis and later
ones adopt them; asking for different counts over existing data is refused
(moving partitions is a resharding job, not a restart).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

import redis

from oms_actors.store import keys

NAMESPACE = "oms"


@dataclass(frozen=True, kw_only=True)
class Topology:
    # Defaults fit one 2-core machine, measured with benchmarks.capture: a second
    # inventory shard adds a Ray call per batch and buys no parallelism there.
    inventory_shards: int = 1
    order_shards: int = 2
    # 0: each order shard sources its own batches in its own process (fewest hops,
    # the optimizer's CPU spread over the order shards); K > 0: K separate
    # workers do it, so sourcing CPU scales apart from order ownership.
    sourcing_workers: int = 0
    # The Ray namespace the named actors live in: one deployment per namespace,
    # so a test or a second environment can share a Ray cluster.
    namespace: str = NAMESPACE

    def __post_init__(self) -> None:
        for name in ("inventory_shards", "order_shards"):
            if not 1 <= getattr(self, name) <= 256:
                raise ValueError(f"{name} must be between 1 and 256")
        if not 0 <= self.sourcing_workers <= 256:
            raise ValueError("sourcing_workers must be between 0 and 256")

    @staticmethod
    def inventory_name(i: int) -> str:
        return f"oms-inventory-{i}"

    @staticmethod
    def order_name(i: int) -> str:
        return f"oms-orders-{i}"

    @staticmethod
    def sourcing_name(i: int) -> str:
        return f"oms-sourcing-{i}"

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, raw: str | bytes) -> Topology:
        return cls(**json.loads(raw))


def agree_topology(client: redis.Redis, wanted: Topology | None) -> Topology:
    """Records ``wanted`` if none is recorded; else returns the recorded one (workers may differ)."""
    if wanted is not None and client.set(keys.TOPOLOGY, wanted.to_json(), nx=True):
        return wanted
    raw = client.get(keys.TOPOLOGY)
    if raw is None:
        fallback = wanted or Topology()
        client.set(keys.TOPOLOGY, fallback.to_json(), nx=True)
        return Topology.from_json(client.get(keys.TOPOLOGY))
    recorded = Topology.from_json(raw)
    if wanted is None:
        return recorded
    if (recorded.inventory_shards, recorded.order_shards) != (wanted.inventory_shards, wanted.order_shards):
        raise ValueError(
            f"this data was written with {recorded.inventory_shards} inventory and {recorded.order_shards} order "
            f"shards; {wanted.inventory_shards} and {wanted.order_shards} were asked for"
        )
    if recorded.sourcing_workers != wanted.sourcing_workers:
        client.set(keys.TOPOLOGY, wanted.to_json())
    return wanted
