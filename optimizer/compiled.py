"""The network and rules compiled once and reused across `source_orders` calls.

Sites and rules change rarely (a network version), while the capture path calls `source_orders`
for every batch of 10-60 orders; validating the sites and compiling the rules used to cost about
as much per batch as sourcing a few orders. `compiled_network` memoises the compilation by value:
a call whose sites and rules equal an earlier call's reuses it, whether or not the caller rebuilt
the `Site` objects (the capture path does, every batch). Nothing about a call's result depends on
whether it hit the memo.

The compiled form also keeps plain-Python copies of what the per-order code reads element by
element (capacity, safety stock, eligibility rows): on arrays of ~17 locations a numpy call costs
more than the Python loop it would replace.
"""

from __future__ import annotations

import operator
import threading
from collections import OrderedDict
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field

from .costs import SiteTable
from .network import DeliveryMode, Site
from .rules import CompiledRules, RoutingRules

# Distinct (sites, rules) pairs kept: a few network versions side by side is plenty.
MEMO_SIZE = 8
# Eligibility bases kept per network: (channel, delivery mode, pickup site) combinations.
ELIGIBILITY_MEMO_SIZE = 4096

Row = tuple[bool, ...]


@dataclass(frozen=True, kw_only=True, eq=False)
class _RuleGroup:
    """The rules that can apply to one (channel, mode, pickup site): the SKU-agnostic ones folded
    into two rows, the SKU-specific ones kept to be matched per line."""

    allowed: Row  # the default plus every matching allow rule without SKUs
    denied: Row  # every matching deny rule without SKUs
    by_sku: tuple[tuple[bool, frozenset[str], Row], ...]  # (is deny, skus, site mask)
    base: Row  # allowed & ~denied: the row of a line no SKU-specific rule names


@dataclass(frozen=True, kw_only=True, eq=False)
class CompiledNetwork:
    """Sites and rules ready for sourcing; immutable apart from its eligibility memo."""

    table: SiteTable
    rules: CompiledRules
    capacity: tuple[int, ...]  # UNLIMITED where none
    held: Mapping[str, tuple[int, ...]]  # channel -> units of every SKU held back per location
    _groups: dict[tuple[str, str, int | None], _RuleGroup] = field(default_factory=dict)

    @classmethod
    def build(cls, sites: Mapping[str, Site], rules: RoutingRules) -> CompiledNetwork:
        table = SiteTable.build(sites)
        compiled = CompiledRules.build(rules, table)
        return cls(
            table=table,
            rules=compiled,
            capacity=tuple(table.capacity.tolist()),
            held={channel: tuple(levels.tolist()) for channel, levels in compiled.held.items()},
        )

    def eligible_row(self, channel: str, mode: str, pickup_site: int | None, sku: str) -> Row:
        """May a line of `sku` in such an order come from each location; the same answer as
        `CompiledRules.eligible` gives for that line."""
        group = self._group(channel, mode, pickup_site)
        if not group.by_sku:
            return group.base
        allowed, denied = list(group.allowed), list(group.denied)
        matched = False
        for deny, skus, mask in group.by_sku:
            if sku in skus:
                matched = True
                target = denied if deny else allowed
                for j, hit in enumerate(mask):
                    if hit:
                        target[j] = True
        if not matched:
            return group.base
        return tuple(a and not d for a, d in zip(allowed, denied))

    def _group(self, channel: str, mode: str, pickup_site: int | None) -> _RuleGroup:
        key = (channel, mode, pickup_site)
        group = self._groups.get(key)
        if group is None:
            group = self._build_group(channel, mode, pickup_site)
            if len(self._groups) >= ELIGIBILITY_MEMO_SIZE:
                self._groups.clear()  # unbounded channel names must not grow memory without end
            self._groups[key] = group
        return group

    def _build_group(self, channel: str, mode: str, pickup_site: int | None) -> _RuleGroup:
        m = len(self.table.ids)
        if mode == DeliveryMode.PICKUP:
            allowed = [j == pickup_site for j in range(m)]
        else:
            allowed = [True] * m
        denied = [False] * m
        by_sku = []
        for rule, mask in zip(self.rules.rules.rules, self.rules.site_masks):
            if (rule.channels and channel not in rule.channels) or (rule.delivery_modes and mode not in rule.delivery_modes):
                continue
            deny = rule.effect == "deny"
            if rule.skus:
                by_sku.append((deny, rule.skus, tuple(mask.tolist())))
                continue
            target = denied if deny else allowed
            for j in mask.nonzero()[0].tolist():
                target[j] = True
        return _RuleGroup(
            allowed=tuple(allowed),
            denied=tuple(denied),
            by_sku=tuple(by_sku),
            base=tuple(a and not d for a, d in zip(allowed, denied)),
        )


_memo: OrderedDict[Hashable, CompiledNetwork] = OrderedDict()
_memo_lock = threading.Lock()


@dataclass(frozen=True, kw_only=True, eq=False)
class _Last:
    """The latest call's inputs by identity: a caller that keeps its sites between batches
    (one dict of Site objects per network version) skips building and hashing the key."""

    names: tuple[str, ...]
    sites: tuple[Site, ...]
    rules_key: tuple
    network: CompiledNetwork

    def matches(self, sites: Mapping[str, Site], rules_key: tuple) -> bool:
        # Site is frozen: the very same objects under the very same names hold the same values.
        return (
            len(sites) == len(self.sites)
            and all(map(operator.is_, sites.values(), self.sites))
            and all(map(operator.is_, sites, self.names))
            and rules_key == self.rules_key
        )


_last: _Last | None = None


def compiled_network(sites: Mapping[str, Site], rules: RoutingRules) -> CompiledNetwork:
    """The compiled sites and rules, from the memo when equal ones were compiled before.

    Validation is part of compiling, so only valid sites reach the memo; the key holds each
    field's type as well as its value, so an input that equals a valid one but would fail
    validation (5.0 or True for an integer) still misses the memo and fails as it always did.
    """
    global _last
    try:
        rules_key = _rules_key(rules)
        last = _last
        if last is not None and last.matches(sites, rules_key):
            return last.network
        key = (_sites_key(sites), rules_key)
        hash(key)
    except TypeError:  # unhashable field values: compile without the memo
        return CompiledNetwork.build(sites, rules)
    with _memo_lock:
        network = _memo.get(key)
        if network is not None:
            _memo.move_to_end(key)
    if network is None:
        network = CompiledNetwork.build(sites, rules)
        with _memo_lock:
            _memo[key] = network
            while len(_memo) > MEMO_SIZE:
                _memo.popitem(last=False)
    _last = _Last(names=tuple(sites), sites=tuple(sites.values()), rules_key=rules_key, network=network)
    return network


def _sites_key(sites: Mapping[str, Site]) -> tuple:
    # Field values as a plain tuple hash and compare in C, several times faster than the
    # dataclass's own __hash__/__eq__ (the capture path rebuilds its Site objects every batch).
    key = []
    for name, site in sites.items():
        values = tuple(vars(site).values())
        key.append((name, type(site), values, tuple(map(type, values))))
    return tuple(key)


def _rules_key(rules: RoutingRules) -> tuple:
    # RoutingRules holds dicts (unhashable), so its normalised content stands for it.
    return (
        rules.rules,
        rules.max_shipments,
        tuple(sorted(rules.max_shipments_by_channel.items())),
        tuple(sorted((channel, tuple(sorted(levels.items()))) for channel, levels in rules.safety_stock_by_channel.items())),
        rules.unfilled_unit_penalty,
    )
