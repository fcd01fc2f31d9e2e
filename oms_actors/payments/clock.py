"""Time for the payment side: epoch milliseconds (UTC), injectable so tests can age authorisations."""

from __future__ import annotations

import time
from typing import Callable

Clock = Callable[[], int]

DAY_MS = 24 * 3600 * 1000


def system_clock_ms() -> int:
    return int(time.time() * 1000)
