"""Validation names the offending field; the JSON form reads back to the same instance."""

from __future__ import annotations

import copy

import pytest

from optimizer import InstanceError, OptimizerError, instance_to_json, load_instance

TINY = {
    "version": 1,
    "unfilled_unit_penalty": 100000,
    "locations": [
        {"id": "DC-1", "shipment_cost": 450, "capacity_units": 120},
        {"id": "ST-7", "shipment_cost": 700},
    ],
    "stock": [
        {"location": "DC-1", "sku": "SKU-1", "qty": 7},
        {"location": "ST-7", "sku": "SKU-1", "qty": 1},
        {"location": "ST-7", "sku": "SKU-2", "qty": 4},
    ],
    "orders": [
        {
            "id": "O-1",
            "max_shipments": 2,
            "shipment_costs": {"ST-7": 300},
            "lines": [
                {"sku": "SKU-1", "qty": 2, "unit_costs": {"DC-1": 120, "ST-7": 80}},
                {"sku": "SKU-2", "qty": 1, "unit_costs": {"ST-7": 95}},
            ],
        }
    ],
}


def _set(path: list, value) -> dict:
    data = copy.deepcopy(TINY)
    target = data
    for key in path[:-1]:
        target = target[key]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


_DELETE = object()

BAD = [
    (["orders", 0, "lines", 1, "qty"], 0, "orders[0].lines[1].qty", "must be a positive integer"),
    (["orders", 0, "lines", 1, "qty"], 1.5, "orders[0].lines[1].qty", "must be a positive integer"),
    (["orders", 0, "lines", 1, "qty"], "2", "orders[0].lines[1].qty", "must be a positive integer"),
    (["orders", 0, "lines", 1, "qty"], True, "orders[0].lines[1].qty", "must be a positive integer"),
    (["orders", 0, "lines", 0, "unit_costs", "XX"], 5, "orders[0].lines[0].unit_costs.XX", "not a location"),
    (["orders", 0, "lines", 0, "unit_costs", "DC-1"], -1, "orders[0].lines[0].unit_costs.DC-1", "non-negative"),
    (["orders", 0, "lines", 1, "sku"], "SKU-1", "orders[0].lines[1].sku", "twice"),
    (["orders", 0, "lines"], [], "orders[0].lines", "at least one line"),
    (["orders", 0, "max_shipments"], 0, "orders[0].max_shipments", "positive integer"),
    (["orders", 0, "max_shipment"], 2, "orders[0].max_shipment", "not a field"),
    (["orders", 0, "shipment_costs", "DC-9"], 1, "orders[0].shipment_costs.DC-9", "not a location"),
    (["orders", 0, "id"], "", "orders[0].id", "non-empty string"),
    (["locations", 1, "id"], "DC-1", "locations[1].id", "duplicate"),
    (["locations", 0, "capacity_units"], -3, "locations[0].capacity_units", "non-negative"),
    (["locations", 0, "shipment_cost"], _DELETE, "locations[0].shipment_cost", "required"),
    (["stock", 0, "location"], "DC-9", "stock[0].location", "unknown location"),
    (["stock", 1, "sku"], "SKU-1", "stock[1]", None),
    (["stock", 2, "qty"], -4, "stock[2].qty", "non-negative"),
    (["unfilled_unit_penalty"], _DELETE, "unfilled_unit_penalty", "required"),
    (["version"], 2, "version", "must be 1"),
    (["orders"], {}, "orders", "must be a list"),
]


@pytest.mark.parametrize(("path", "value", "field", "message"), BAD, ids=[b[2] + ":" + repr(b[1])[:12] for b in BAD])
def test_a_bad_instance_is_refused_naming_the_field(path, value, field, message) -> None:
    data = _set(path, value)
    if path == ["stock", 1, "sku"]:  # make stock[1] repeat stock[0]'s (location, sku)
        data["stock"][1]["location"] = "DC-1"
    with pytest.raises(InstanceError) as caught:
        load_instance(data)
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}: ")
    if message:
        assert message in caught.value.message
    assert isinstance(caught.value, OptimizerError)


def test_not_an_object() -> None:
    with pytest.raises(InstanceError, match="must be an object"):
        load_instance([])


def test_round_trip() -> None:
    instance = load_instance(TINY)
    assert load_instance(instance_to_json(instance)) == instance
    assert instance.orders[0].lines[1].unit_costs == {"ST-7": 95}
    assert instance.locations[1].capacity_units is None
    assert instance.stock[("ST-7", "SKU-2")] == 4


def test_degenerate_instances_are_answered() -> None:
    from optimizer import Policy, SolveStatus, solve

    empty = {"unfilled_unit_penalty": 5, "locations": [], "stock": [], "orders": []}
    nowhere = empty | {"orders": [{"id": "o", "lines": [{"sku": "s", "qty": 2, "unit_costs": {}}]}]}
    for data, objective in ((empty, 0), (nowhere, 10)):
        for policy in Policy:
            solution = solve(load_instance(data), policy=policy)
            assert solution.status is SolveStatus.OPTIMAL and solution.objective == objective
