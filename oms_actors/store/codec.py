"""JSON codecs of stored values (msgspec: strict, fast, dataclass-aware)."""

from __future__ import annotations

from typing import Generic, TypeVar

import msgspec

T = TypeVar("T")


class Codec(Generic[T]):
    def __init__(self, type_: type[T]) -> None:
        self._encoder = msgspec.json.Encoder()
        self._decoder = msgspec.json.Decoder(type_)

    def encode(self, value: T) -> bytes:
        return self._encoder.encode(value)

    def decode(self, data: bytes | str) -> T:
        return self._decoder.decode(data)
