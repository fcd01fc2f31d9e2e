"""Tax included in prices: what of a gross amount is tax, by rate, for invoices and credit notes. Pure.

Channels price in gross (the price a customer sees, tax included) and say at which rate
each line is taxed, since they know the customer's country and the goods; the OMS does
not decide rates. Documents state, per rate, the gross, the net and the tax: rounded once
per rate over the whole document (half up), as EU VAT rules allow, so the three add up
exactly and the gross is what was charged.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import msgspec

MAX_TAX_RATE_BPS = 10_000  # 100%; 1,900 is 19%
BPS = 10_000


class TaxAmount(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """One rate's part of a document, in minor units: ``net + tax == gross``."""

    rate_bps: int
    gross: int
    net: int
    tax: int


def net_of(gross: int, rate_bps: int) -> int:
    """The net amount whose tax at ``rate_bps`` makes ``gross``, rounded half away from zero."""
    if not 0 <= rate_bps <= MAX_TAX_RATE_BPS:
        raise ValueError(f"tax rate {rate_bps} bps outside 0-{MAX_TAX_RATE_BPS}")
    divisor = BPS + rate_bps
    magnitude = (2 * abs(gross) * BPS + divisor) // (2 * divisor)
    return magnitude if gross >= 0 else -magnitude


def breakdown(gross_by_rate: Mapping[int, int] | Iterable[tuple[int, int]]) -> tuple[TaxAmount, ...]:
    """Per rate (lowest first), the gross of everything at that rate split into net and tax;
    pairs of (rate, gross) at one rate are added first. Rates with nothing charged are left out."""
    pairs = gross_by_rate.items() if isinstance(gross_by_rate, Mapping) else gross_by_rate
    totals: dict[int, int] = {}
    for rate, gross in pairs:
        totals[rate] = totals.get(rate, 0) + gross
    out = []
    for rate in sorted(totals):
        gross = totals[rate]
        if gross:
            net = net_of(gross, rate)
            out.append(TaxAmount(rate_bps=rate, gross=gross, net=net, tax=gross - net))
    return tuple(out)


def split_by_rate(gross_by_rate: Mapping[int, int], amount: int) -> dict[int, int]:
    """``amount`` shared over the rates in proportion to their gross (a discount on a whole
    document), in whole minor units adding up exactly: largest remainders get the rest."""
    whole = sum(gross_by_rate.values())
    if whole <= 0:
        return {0: amount} if amount else {}
    shares = {rate: amount * gross // whole for rate, gross in gross_by_rate.items()}
    rest = amount - sum(shares.values())
    by_remainder = sorted(gross_by_rate, key=lambda rate: (-(amount * gross_by_rate[rate] % whole), rate))
    for rate in by_remainder[:rest]:
        shares[rate] += 1
    return {rate: share for rate, share in shares.items() if share}


TaxTable = Mapping[str, frozenset[int]]  # country (ISO 3166-1 alpha-2) -> its tax rates in bps


def rate_refusal(table: TaxTable, country: str, rate_bps: int) -> str | None:
    """Why an order to ``country`` may not state ``rate_bps``; None when it may. Countries
    the table does not list are not checked, nor is an unstated rate (0)."""
    rates = table.get(country)
    if rates is None or not rate_bps or rate_bps in rates:
        return None
    listed = ", ".join(f"{r / 100:.2f}%" for r in sorted(rates, reverse=True))
    return f"{rate_bps / 100:.2f}% is not a tax rate of {country} ({listed})"
