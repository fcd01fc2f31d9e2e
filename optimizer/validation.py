"""Checks shared by every input reader; each raises InstanceError naming the field's path."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import InstanceError


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)  # JSON true is not 1


def non_negative_int(value: Any, path: str) -> int:
    if not is_int(value) or value < 0:
        raise InstanceError(field=path, message="must be a non-negative integer")
    return value


def positive_int(value: Any, path: str) -> int:
    if not is_int(value) or value <= 0:
        raise InstanceError(field=path, message="must be a positive integer")
    return value


def number_in(value: Any, path: str, low: float, high: float) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not low <= value <= high:
        raise InstanceError(field=path, message=f"must be a number in [{low:g}, {high:g}]")
    return value


def text(value: Any, path: str) -> str:
    if not isinstance(value, str) or not value:
        raise InstanceError(field=path, message="must be a non-empty string")
    return value


def mapping(value: Any, path: str) -> Mapping:
    if not isinstance(value, Mapping):
        raise InstanceError(field=path, message="must be an object")
    return value
