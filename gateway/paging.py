"""Page tokens of keyset-paged lists: where a page ended, as the last row's sort key.

The next page lists the rows after that key, as they then stand, so rows added or
gone between two pages neither repeat nor shift the rest. The token is the key as
URL-safe base64 of JSON: opaque to callers, checked for shape when it comes back.
"""

from __future__ import annotations

import base64
import json
from typing import Any, Callable, Sequence

from gateway.convert import Violations


def page_token(key: Sequence[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(key), separators=(",", ":")).encode()).decode().rstrip("=")


def page_after(token: str, v: Violations, shape: Sequence[Callable[[Any], Any]], what: str) -> tuple[Any, ...] | None:
    """The key a token carries, each part through ``shape`` (``int``, ``str``, ...); a token
    that is no such key is a bad ``page_token`` (``what``: of which list), None."""
    try:
        parts = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if not isinstance(parts, list) or len(parts) != len(shape):
            raise ValueError("not a key of this list")
        return tuple(convert(part) for convert, part in zip(shape, parts))
    except (ValueError, TypeError):
        v.add("page_token", f"not a page token of {what}")
        return None
