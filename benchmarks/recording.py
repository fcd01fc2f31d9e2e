"""The recorded demand of a run (``demand.bin`` in its report folder): the exact requests, replayable.

Layout: the line ``OMS-DEMAND 1``, a little-endian uint32 length and a JSON header
(scenario, seed, run id, currency, gift cards, counts, SHA-256 of the requests),
then records of ``<B d I`` (kind, second of the day, length) followed by that many
bytes of a serialised message: kind 1 a ``customers.Customer``, kind 2 an
``orders.CreateOrderRequest``, in the order they were sent. Protobuf bytes rather
than JSON, so a replay sends the very bytes the first run sent.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
from google.protobuf.message import DecodeError

from benchmarks.demand import Day, GiftCard
from protos.oms.v1 import customers_pb2, orders_pb2

MAGIC = b"OMS-DEMAND 1\n"
FILE_NAME = "demand.bin"
RECORD = struct.Struct("<BdI")
CUSTOMER, ORDER = 1, 2


def write_day(day: Day, path: Path) -> str:
    """Writes the day; returns the SHA-256 of its requests."""
    digest = day.sha256()
    header = {
        "scenario": day.scenario,
        "seed": day.seed,
        "run_id": day.run_id,
        "currency": day.currency,
        "requests": len(day.requests),
        "customers": len(day.customers),
        "gift_cards": [[g.number, g.amount_minor, g.customer_id] for g in day.gift_cards],
        "requests_sha256": digest,
        "made_on": day.made_on,
    }
    encoded = json.dumps(header).encode()
    with open(path, "wb") as f:
        f.write(MAGIC)
        f.write(struct.pack("<I", len(encoded)))
        f.write(encoded)
        for c in day.customers:
            payload = c.SerializeToString(deterministic=True)
            f.write(RECORD.pack(CUSTOMER, 0.0, len(payload)))
            f.write(payload)
        for at, payload in zip(day.arrivals_s, day.payloads()):
            f.write(RECORD.pack(ORDER, float(at), len(payload)))
            f.write(payload)
    return digest


def read_day(path: Path) -> Day:
    """The day recorded at ``path`` (a demand.bin, or a report folder holding one)."""
    path = Path(path)
    if path.is_dir():
        path = path / FILE_NAME
    data = path.read_bytes()
    if not data.startswith(MAGIC):
        raise ValueError(f"{path}: not a recorded demand (no {MAGIC.strip().decode()!r} header)")
    pos = len(MAGIC)
    (size,) = struct.unpack_from("<I", data, pos)
    pos += 4
    header = json.loads(data[pos : pos + size])
    pos += size
    customers: list[customers_pb2.Customer] = []
    requests: list[orders_pb2.CreateOrderRequest] = []
    arrivals: list[float] = []
    while pos < len(data):
        kind, at, length = RECORD.unpack_from(data, pos)
        pos += RECORD.size
        payload = data[pos : pos + length]
        pos += length
        try:
            if kind == CUSTOMER:
                customers.append(customers_pb2.Customer.FromString(payload))
            elif kind == ORDER:
                requests.append(orders_pb2.CreateOrderRequest.FromString(payload))
                arrivals.append(at)
            else:
                raise ValueError(f"{path}: unknown record kind {kind} before byte {pos}")
        except DecodeError as exc:
            raise ValueError(f"{path}: damaged record before byte {pos}: {exc}") from exc
    day = Day(
        scenario=header["scenario"],
        seed=header["seed"],
        run_id=header["run_id"],
        currency=header["currency"],
        requests=requests,
        arrivals_s=np.array(arrivals, dtype=float),
        customers=customers,
        gift_cards=[GiftCard(number=n, amount_minor=a, customer_id=c) for n, a, c in header["gift_cards"]],
        made_on=header.get("made_on", ""),
    )
    if day.sha256() != header["requests_sha256"]:
        raise ValueError(f"{path}: the requests do not match the digest in its header (damaged file?)")
    return day


def read_schedule(path: Path) -> list[tuple[float, bytes]]:
    """(second of the day, request bytes) of every recorded request, in order: what a client
    process sends, without parsing the messages."""
    data = Path(path).read_bytes()
    if not data.startswith(MAGIC):
        raise ValueError(f"{path}: not a recorded demand (no {MAGIC.strip().decode()!r} header)")
    pos = len(MAGIC)
    (size,) = struct.unpack_from("<I", data, pos)
    pos += 4 + size
    out = []
    while pos < len(data):
        kind, at, length = RECORD.unpack_from(data, pos)
        pos += RECORD.size
        if kind == ORDER:
            out.append((at, data[pos : pos + length]))
        pos += length
    return out
