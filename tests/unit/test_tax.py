"""Tax included in gross prices: net and tax by rate, rounded once per rate, always adding up."""

from __future__ import annotations

import pytest

from oms_actors.domain.tax import TaxAmount, breakdown, net_of


def test_the_net_of_a_gross_amount_rounds_half_up():
    assert net_of(11_900, 1_900) == 10_000
    assert net_of(100, 1_900) == 84  # 84.03
    assert net_of(1_785, 1_900) == 1_500  # exactly 1,500
    assert net_of(119, 1_900) == 100 and net_of(60, 2_000) == 50  # 50.0
    assert net_of(5, 0) == 5 and net_of(0, 1_900) == 0
    assert net_of(-11_900, 1_900) == -10_000  # symmetric, for corrections
    with pytest.raises(ValueError):
        net_of(100, 10_001)


def test_half_a_minor_unit_rounds_away_from_zero():
    # 3 gross at 20%: 2.5 net, rounded to 3; the tax is then 0, and net + tax is still the gross.
    assert net_of(3, 2_000) == 3 and net_of(-3, 2_000) == -3


def test_a_breakdown_adds_each_rate_up_before_rounding():
    # Per line, 3 × 999 at 19% would round to 3 × 839 = 2,517 net; over the rate it is 2,519.
    assert breakdown([(1_900, 999), (1_900, 999), (1_900, 999), (700, 1_070), (0, 0)]) == (
        TaxAmount(rate_bps=700, gross=1_070, net=1_000, tax=70),
        TaxAmount(rate_bps=1_900, gross=2_997, net=2_518, tax=479),
    )
    assert breakdown({}) == ()
    for parts in breakdown({1_900: 12_345, 700: 99, 2_500: 1}):
        assert parts.net + parts.tax == parts.gross
