"""Routing rules as data, and their compilation into eligibility and stock arrays.

Eligibility of a location for a line of an order:

1. the default: every location for a ship order; only the pickup store for a pickup order;
2. an `allow` rule that matches widens the default (for a pickup order, a location it allows
   ships to the pickup store, see costs.py);
3. a `deny` rule that matches always wins: deny overrides allow, whatever the order of the rules.

A rule matches when each of its non-empty sets (channels, delivery modes, location types,
locations, SKUs) contains the order's, location's or line's value; an empty set matches anything.

Safety stock: `safety_stock_by_channel[channel][key]` is the number of units of every SKU held back
from that channel at a location, where `key` is the location id or its type (the id wins).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .costs import SiteTable
from .errors import InstanceError
from .network import DeliveryMode, LocationType
from .problem import UNLIMITED
from .validation import mapping, non_negative_int, positive_int

EFFECTS = ("allow", "deny")


@dataclass(frozen=True, kw_only=True)
class EligibilityRule:
    effect: str  # "allow" | "deny"
    channels: frozenset[str] = frozenset()
    delivery_modes: frozenset[str] = frozenset()
    location_types: frozenset[str] = frozenset()
    locations: frozenset[str] = frozenset()
    skus: frozenset[str] = frozenset()
    description: str = ""


@dataclass(frozen=True, kw_only=True)
class RoutingRules:
    rules: tuple[EligibilityRule, ...] = ()
    max_shipments: int | None = None  # per order, every channel; None = unlimited
    max_shipments_by_channel: Mapping[str, int] = field(default_factory=dict)  # overrides the above
    safety_stock_by_channel: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    unfilled_unit_penalty: int = 100_000
    # Promising from inbound supply, done by the service's sourcing around the solver
    # (oms_actors/promising.py): units a location has on their way and expected within
    # ``inbound_horizon_days`` may be promised to an order that on-hand stock cannot fill,
    # each costing ``inbound_wait_unit_cost`` more per day it waits (less than the
    # unfilled penalty, or nothing is worth waiting for). 0 days: nothing is promised.
    inbound_horizon_days: int = 0
    inbound_wait_unit_cost: int = 0
    # Per unit and day a unit would arrive after the day its order asked for (the service's
    # ``deliver_by``, applied as ``Demand.site_surcharge``): what missing it is worth avoiding.
    late_delivery_unit_cost: int = 2_500
    # Units still waiting, with no location and no date, this many days after their order
    # was placed are cancelled (their money given back) rather than wait for ever: the
    # service's periodic pass, not the solver. 0: they wait until stock comes.
    backorder_cancel_days: int = 0

    def __post_init__(self) -> None:
        # Rules built in code get the same checks (and the same normal form) as rules from JSON.
        rules = self.rules
        if not isinstance(rules, (list, tuple)):
            raise InstanceError(field="rules", message="must be a list")
        max_shipments = self.max_shipments
        if max_shipments is not None:
            max_shipments = positive_int(max_shipments, "max_shipments")
        max_by_channel = {
            _key(ch, "max_shipments_by_channel"): positive_int(v, f"max_shipments_by_channel.{ch}")
            for ch, v in mapping(self.max_shipments_by_channel, "max_shipments_by_channel").items()
        }
        safety: dict[str, dict[str, int]] = {}
        for ch, levels in mapping(self.safety_stock_by_channel, "safety_stock_by_channel").items():
            path = f"safety_stock_by_channel.{ch}"
            safety[_key(ch, "safety_stock_by_channel")] = {
                _key(key, path): non_negative_int(units, f"{path}.{key}")
                for key, units in mapping(levels, path).items()
            }
        for name, value in (
            ("rules", tuple(_rule(raw, f"rules[{i}]") for i, raw in enumerate(rules))),
            ("max_shipments", max_shipments),
            ("max_shipments_by_channel", max_by_channel),
            ("safety_stock_by_channel", safety),
            ("unfilled_unit_penalty", non_negative_int(self.unfilled_unit_penalty, "unfilled_unit_penalty")),
            ("inbound_horizon_days", non_negative_int(self.inbound_horizon_days, "inbound_horizon_days")),
            ("inbound_wait_unit_cost", non_negative_int(self.inbound_wait_unit_cost, "inbound_wait_unit_cost")),
            ("late_delivery_unit_cost", non_negative_int(self.late_delivery_unit_cost, "late_delivery_unit_cost")),
            ("backorder_cancel_days", non_negative_int(self.backorder_cancel_days, "backorder_cancel_days")),
        ):
            object.__setattr__(self, name, value)

    def max_shipments_for(self, channel: str) -> int | None:
        return self.max_shipments_by_channel.get(channel, self.max_shipments)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> RoutingRules:
        """Read (and validate) the JSON form; errors name the offending field."""
        known = (
            "rules", "max_shipments", "max_shipments_by_channel", "safety_stock_by_channel", "unfilled_unit_penalty",
            "inbound_horizon_days", "inbound_wait_unit_cost", "late_delivery_unit_cost", "backorder_cancel_days",
        )  # fmt: skip
        for key in mapping(d, "(rules)"):
            if key not in known:
                raise InstanceError(field=str(key), message="is not a field of routing rules")
        return cls(**{key: d[key] for key in known if key in d})

    def to_dict(self) -> dict:
        """The JSON form, sets as sorted lists, so equal rules serialise equally."""
        return {
            "rules": [
                {"effect": r.effect}
                | {
                    name: sorted(getattr(r, name))
                    for name in ("channels", "delivery_modes", "location_types", "locations", "skus")
                    if getattr(r, name)
                }
                | ({"description": r.description} if r.description else {})
                for r in self.rules
            ],
            "max_shipments": self.max_shipments,
            "max_shipments_by_channel": dict(self.max_shipments_by_channel),
            "safety_stock_by_channel": {ch: dict(levels) for ch, levels in self.safety_stock_by_channel.items()},
            "unfilled_unit_penalty": self.unfilled_unit_penalty,
            "inbound_horizon_days": self.inbound_horizon_days,
            "inbound_wait_unit_cost": self.inbound_wait_unit_cost,
            "late_delivery_unit_cost": self.late_delivery_unit_cost,
            **({"backorder_cancel_days": self.backorder_cancel_days} if self.backorder_cancel_days else {}),
        }


def _rule(raw: Any, path: str) -> EligibilityRule:
    if isinstance(raw, EligibilityRule):
        raw = {
            "effect": raw.effect,
            "channels": raw.channels,
            "delivery_modes": raw.delivery_modes,
            "location_types": raw.location_types,
            "locations": raw.locations,
            "skus": raw.skus,
            "description": raw.description,
        }
    obj = mapping(raw, path)
    allowed = {"effect", "channels", "delivery_modes", "location_types", "locations", "skus", "description"}
    for key in obj:
        if key not in allowed:
            raise InstanceError(field=f"{path}.{key}", message="is not a field of a rule")
    effect = obj.get("effect")
    if effect not in EFFECTS:
        raise InstanceError(field=f"{path}.effect", message="must be 'allow' or 'deny'")
    sets = {name: _string_set(obj.get(name, ()), f"{path}.{name}") for name in ("channels", "delivery_modes", "location_types", "locations", "skus")}
    for mode in sets["delivery_modes"]:
        if mode not in DeliveryMode._value2member_map_:
            raise InstanceError(field=f"{path}.delivery_modes", message=f"{mode!r} is not one of ship, pickup")
    for kind in sets["location_types"]:
        if kind not in LocationType._value2member_map_:
            raise InstanceError(
                field=f"{path}.location_types",
                message=f"{kind!r} is not one of {', '.join(t.value for t in LocationType)}",
            )
    description = obj.get("description", "")
    if not isinstance(description, str):
        raise InstanceError(field=f"{path}.description", message="must be a string")
    return EligibilityRule(effect=effect, description=description, **sets)


def _key(value: Any, path: str) -> str:
    if not isinstance(value, str) or not value:
        raise InstanceError(field=path, message="keys must be non-empty strings")
    return value


def _string_set(value: Any, path: str) -> frozenset[str]:
    if isinstance(value, str) or not isinstance(value, (list, tuple, set, frozenset)):
        raise InstanceError(field=path, message="must be a list of strings")
    if not all(isinstance(v, str) and v for v in value):
        raise InstanceError(field=path, message="must be a list of non-empty strings")
    return frozenset(value)


@dataclass(frozen=True, kw_only=True, eq=False)
class CompiledRules:
    """Rules against one site table: per rule, the mask of the sites it names."""

    rules: RoutingRules
    table: SiteTable
    site_masks: tuple[np.ndarray, ...]
    held: Mapping[str, np.ndarray]  # channel -> int64 [m] units of each SKU held back

    @classmethod
    def build(cls, rules: RoutingRules, table: SiteTable) -> CompiledRules:
        m = len(table.ids)
        type_names = np.array([t.value for t in table.types], dtype=object)
        masks = []
        for rule in rules.rules:
            mask = np.ones(m, dtype=bool)
            if rule.location_types:
                mask &= np.isin(type_names, list(rule.location_types))
            if rule.locations:
                mask &= np.isin(np.array(table.ids, dtype=object), list(rule.locations))
            masks.append(mask)
        held = {
            channel: np.array(
                [levels.get(site_id, levels.get(kind.value, 0)) for site_id, kind in zip(table.ids, table.types)],
                dtype=np.int64,
            )
            for channel, levels in rules.safety_stock_by_channel.items()
        }
        return cls(rules=rules, table=table, site_masks=tuple(masks), held=held)

    def eligible(self, channel: str, mode: str, skus: tuple[str, ...], pickup_site: int | None) -> np.ndarray:
        """bool [n, m]: may line i of such an order come from location j."""
        n, m = len(skus), len(self.table.ids)
        if mode == DeliveryMode.PICKUP:
            allowed = np.zeros((n, m), dtype=bool)
            allowed[:, pickup_site] = True
        else:
            allowed = np.ones((n, m), dtype=bool)
        denied = np.zeros((n, m), dtype=bool)
        for rule, mask in zip(self.rules.rules, self.site_masks):
            if (rule.channels and channel not in rule.channels) or (rule.delivery_modes and mode not in rule.delivery_modes):
                continue
            lines = np.array([s in rule.skus for s in skus]) if rule.skus else np.ones(n, dtype=bool)
            target = denied if rule.effect == "deny" else allowed
            target |= lines[:, None] & mask[None, :]
        return allowed & ~denied

    def held_for(self, channel: str) -> np.ndarray | None:
        return self.held.get(channel)

    def max_shipments_for(self, channel: str) -> int:
        limit = self.rules.max_shipments_for(channel)
        return UNLIMITED if limit is None else limit
