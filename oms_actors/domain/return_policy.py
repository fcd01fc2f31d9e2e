"""The return policy as data: how long after delivery an order's lines may be returned. Pure.

The window follows the channel the order was placed in, not the one the return is
asked in: a marketplace's 30 days hold whether its customer comes back online or in a
store, and orders a field sales team took on account may have none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from oms_actors.domain.money import Money

DAY_MS = 86_400_000
MAX_WINDOW_DAYS = 3650
MAX_RESTOCKING_FEE_BPS = 5_000  # half the price: beyond that it is not a fee but a refusal


@dataclass(frozen=True, kw_only=True, slots=True)
class ReturnPolicy:
    window_days: int  # the channels not listed
    channel_window_days: Mapping[str, int] = field(default_factory=dict)  # channel value -> days
    # Refund, credit, replace or exchange as soon as a return is received, not once it is
    # inspected (a warehouse may inspect days later); inspection then only restocks or writes off.
    resolve_on_receipt: bool = False
    # Days an authorised return has to arrive before it expires; 0: never.
    arrival_days: int = 0
    # Items priced under this (per unit, in its currency) need not come back: refunded,
    # credited, replaced or exchanged when asked for. None: every return comes back.
    keep_it_below: Money | None = None
    # Kept from the money given back (refund or store credit, not an exchange or a
    # replacement) for lines returned for these reasons (ReturnReason values; "": none
    # given), in basis points of the units' price: the cost of checking and repacking an
    # item the customer simply did not want. Fixed on each line when the return is asked for.
    restocking_fee_bps: int = 0
    restocking_fee_reasons: frozenset[str] = frozenset()

    @property
    def arrival_ms(self) -> int | None:
        """How long an authorised return may take to arrive; None: for ever."""
        return self.arrival_days * DAY_MS if self.arrival_days else None

    def restocking_fee_bps_for(self, reason_code: str) -> int:
        """The fee for a line returned for ``reason_code`` ("": none given); 0: none."""
        return self.restocking_fee_bps if reason_code in self.restocking_fee_reasons else 0

    def window_days_for(self, channel: str) -> int:
        return self.channel_window_days.get(channel, self.window_days)

    def window_ms(self, channel: str) -> int:
        """How long after a line's last delivery it may be returned, for an order of ``channel``."""
        return self.window_days_for(channel) * DAY_MS

    def to_dict(self) -> dict[str, Any]:
        return {
            "window_days": self.window_days,
            "channel_window_days": dict(sorted(self.channel_window_days.items())),
            "resolve_on_receipt": self.resolve_on_receipt,
            "arrival_days": self.arrival_days,
            **(
                {"keep_it_below": [self.keep_it_below.amount_minor, self.keep_it_below.currency]}
                if self.keep_it_below is not None else {}
            ),
            **(
                {"restocking_fee_bps": self.restocking_fee_bps, "restocking_fee_reasons": sorted(self.restocking_fee_reasons)}
                if self.restocking_fee_bps else {}
            ),
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> ReturnPolicy:
        return cls(
            window_days=int(raw["window_days"]),
            channel_window_days={str(k): int(v) for k, v in raw.get("channel_window_days", {}).items()},
            resolve_on_receipt=bool(raw.get("resolve_on_receipt", False)),
            arrival_days=int(raw.get("arrival_days", 0)),
            keep_it_below=Money(amount_minor=int(raw["keep_it_below"][0]), currency=str(raw["keep_it_below"][1]))
            if raw.get("keep_it_below") else None,
            restocking_fee_bps=int(raw.get("restocking_fee_bps", 0)),
            restocking_fee_reasons=frozenset(str(r) for r in raw.get("restocking_fee_reasons", ())),
        )
