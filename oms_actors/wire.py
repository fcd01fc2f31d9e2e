"""What crosses process boundaries on the order-capture hot path, and its encoding.

Batches travel between the gateway and the actors as MessagePack bytes, and so do
the orders that commands on one order answer with: Ray and the actors' sockets
pass bytes through untouched, and msgspec encodes our records (Structs,
``domain/records.py``) many times faster than pickle does (an order, when the records
were still dataclasses: 1.6 against 18.7 microseconds).
"""

from __future__ import annotations

import msgspec

from oms_actors.domain.commands import CreateOrder
from oms_actors.domain.errors import ErrorRecord
from oms_actors.domain.order import Order, SourcingResult
from oms_actors.domain.sourcing import SourcingRequest
from oms_actors.domain.stock import ReservationRequest
from oms_actors.store.codec import Codec


class CreateOutcome(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """One command's answer: the order (replayed when an earlier request created it), or an error."""

    order: Order | None = None
    replayed: bool = False
    error: ErrorRecord | None = None


class ReserveBatch(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """The complete holdings, in one inventory partition, of every order named in ``orders``."""

    orders: list[str]
    requests: list[ReservationRequest]
    # Planned from availability read earlier (``InventoryShard.availability_seen``): its
    # epoch and rise counts; an order with a SKU whose availability rose since is refused.
    epoch: str = ""
    seen: dict[str, int] | None = None


CREATE_ORDERS: Codec[list[CreateOrder]] = Codec(list[CreateOrder], fmt="msgpack")
CREATE_OUTCOMES: Codec[list[CreateOutcome]] = Codec(list[CreateOutcome], fmt="msgpack")
SOURCING_REQUESTS: Codec[list[SourcingRequest]] = Codec(list[SourcingRequest], fmt="msgpack")
SOURCING_RESULTS: Codec[list[SourcingResult]] = Codec(list[SourcingResult], fmt="msgpack")
RESERVE_BATCH: Codec[ReserveBatch] = Codec(ReserveBatch, fmt="msgpack")
# An order shard's answer to a command on one order: the order as the command left it.
ORDER: Codec[Order] = Codec(Order, fmt="msgpack")
