"""Reading frozen dataclasses from JSON with every problem named by its field path.

A planner edits scenario files by hand; one run that lists every mistake
("demand.orders_per_hour.web: must hold 24 numbers") beats fixing them one
error at a time. ``read`` converts by the dataclass's type hints and collects
problems instead of raising on the first; classes add meaning checks with a
``problems(path)`` method that yields (field, message) pairs.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Iterator, Mapping
from typing import Any, TypeVar

T = TypeVar("T")

_MISSING = object()


class ScenarioError(ValueError):
    """Every problem of a scenario, each as (field path, message)."""

    def __init__(self, source: str, problems: list[tuple[str, str]]) -> None:
        self.source = source
        self.problems = problems
        lines = "\n".join(f"  {field}: {message}" for field, message in problems)
        super().__init__(f"{source}: {len(problems)} problem(s)\n{lines}")


def join(path: str, name: str | int) -> str:
    if isinstance(name, int):
        return f"{path}[{name}]"
    return f"{path}.{name}" if path else name


def read(cls: type[T], raw: Any, path: str, problems: list[tuple[str, str]]) -> T | None:
    """``raw`` as an instance of the dataclass ``cls``, or None with the reasons added to ``problems``."""
    value = _convert(cls, raw, path, problems)
    return value if value is not _MISSING else None


def _convert(tp: Any, raw: Any, path: str, problems: list[tuple[str, str]]) -> Any:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(tp)
        if raw is None and type(None) in args:
            return None
        (inner,) = [a for a in args if a is not type(None)]
        return _convert(inner, raw, path, problems)
    if dataclasses.is_dataclass(tp):
        return _dataclass(tp, raw, path, problems)
    if tp is bool:
        if isinstance(raw, bool):
            return raw
        problems.append((path, f"must be true or false, not {raw!r}"))
        return _MISSING
    if tp is int:
        if isinstance(raw, int) and not isinstance(raw, bool):
            return raw
        if isinstance(raw, float) and raw.is_integer():
            return int(raw)
        problems.append((path, f"must be a whole number, not {raw!r}"))
        return _MISSING
    if tp is float:
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            return float(raw)
        problems.append((path, f"must be a number, not {raw!r}"))
        return _MISSING
    if tp is str:
        if isinstance(raw, str):
            return raw
        problems.append((path, f"must be a string, not {raw!r}"))
        return _MISSING
    if tp is Any or tp is dict:
        return raw
    if origin is tuple:
        args = typing.get_args(tp)
        if not isinstance(raw, list):
            problems.append((path, "must be a list"))
            return _MISSING
        if len(args) == 2 and args[1] is Ellipsis:
            items = [_convert(args[0], x, join(path, i), problems) for i, x in enumerate(raw)]
        elif len(raw) != len(args):
            problems.append((path, f"must be a list of {len(args)} values"))
            return _MISSING
        else:
            items = [_convert(a, x, join(path, i), problems) for i, (a, x) in enumerate(zip(args, raw))]
        return _MISSING if any(x is _MISSING for x in items) else tuple(items)
    if origin in (Mapping, dict, typing.Mapping) or tp is Mapping:
        _, value_type = typing.get_args(tp) or (str, Any)
        if not isinstance(raw, dict):
            problems.append((path, "must be an object"))
            return _MISSING
        out = {k: _convert(value_type, v, join(path, k), problems) for k, v in raw.items()}
        return _MISSING if any(v is _MISSING for v in out.values()) else out
    raise TypeError(f"fields.read cannot read {tp!r} (at {path})")  # a programming error, not a user's


def _dataclass(cls: type, raw: Any, path: str, problems: list[tuple[str, str]]) -> Any:
    if not isinstance(raw, dict):
        problems.append((path or "(scenario)", "must be an object"))
        return _MISSING
    hints = typing.get_type_hints(cls)
    known = {f.name: f for f in dataclasses.fields(cls) if f.init}
    for key in raw:
        if key not in known:
            problems.append((join(path, key), f"is not a field here (known: {', '.join(sorted(known))})"))
    values: dict[str, Any] = {}
    ok = True
    for name, f in known.items():
        if name not in raw:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                problems.append((join(path, name), "is required"))
                ok = False
            continue
        value = _convert(hints[name], raw[name], join(path, name), problems)
        if value is _MISSING:
            ok = False
        else:
            values[name] = value
    if not ok:
        return _MISSING
    obj = cls(**values)
    check = getattr(obj, "problems", None)
    if check is not None:
        before = len(problems)
        problems.extend(check(path))
        if len(problems) > before:
            return _MISSING
    return obj


def share(value: float, path: str) -> Iterator[tuple[str, str]]:
    if not 0.0 <= value <= 1.0:
        yield path, f"must be between 0 and 1, not {value}"


def mix(values: Mapping[str, float], path: str, allowed: tuple[str, ...]) -> Iterator[tuple[str, str]]:
    """A distribution over named choices: known names, non-negative weights, not all zero."""
    for name, weight in values.items():
        if name not in allowed:
            yield join(path, name), f"is not one of {', '.join(allowed)}"
        if weight < 0:
            yield join(path, name), "must not be negative"
    if values and sum(values.values()) <= 0:
        yield path, "needs at least one positive weight"


def positive(value: float, path: str) -> Iterator[tuple[str, str]]:
    if value <= 0:
        yield path, f"must be above 0, not {value}"


def non_negative(value: float, path: str) -> Iterator[tuple[str, str]]:
    if value < 0:
        yield path, f"must not be negative, not {value}"


def merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """``override`` over ``base``: objects merge key by key, anything else replaces."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out
