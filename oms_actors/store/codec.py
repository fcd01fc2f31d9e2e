"""Codecs of stored and transported values (msgspec: strict, fast, Struct- and dataclass-aware).

JSON for what is stored in Redis (readable with redis-cli); MessagePack for
batches crossing Ray process boundaries, where it is an order of magnitude
cheaper than pickling the same records.
"""

from __future__ import annotations

from typing import Generic, Literal, TypeVar

import msgspec

T = TypeVar("T")


class Codec(Generic[T]):
    def __init__(self, type_: type[T], *, fmt: Literal["json", "msgpack"] = "json") -> None:
        module = msgspec.json if fmt == "json" else msgspec.msgpack
        self._encoder = module.Encoder()
        self._decoder = module.Decoder(type_)

    def encode(self, value: T) -> bytes:
        return self._encoder.encode(value)

    def decode(self, data: bytes | str) -> T:
        return self._decoder.decode(data)
