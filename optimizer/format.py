"""FORMAT.md (version 1) to and from the model: validation with field-named errors, and answers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .errors import InstanceError
from .model import Instance, LineSpec, LocationSpec, OrderSpec, Solution
from .validation import mapping, non_negative_int, positive_int, text

FORMAT_VERSION = 1


def _object(value: Any, path: str, *, required: Sequence[str], optional: Sequence[str] = ()) -> Mapping:
    # Unknown keys are refused: in an exchange format a misspelt optional field ("max_shipment")
    # silently ignored would change the answer without anyone noticing.
    mapping(value, path)
    for key in required:
        if key not in value:
            raise InstanceError(field=_join(path, key), message="is required")
    allowed = set(required) | set(optional)
    for key in value:
        if key not in allowed:
            raise InstanceError(field=_join(path, str(key)), message="is not a field of this object")
    return value


def _list(value: Any, path: str) -> list:
    if not isinstance(value, list):
        raise InstanceError(field=path, message="must be a list")
    return value


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _cost_map(value: Any, path: str, known: Mapping[str, int]) -> dict[str, int]:
    if not isinstance(value, Mapping):
        raise InstanceError(field=path, message="must be an object mapping location ids to costs")
    result: dict[str, int] = {}
    for location, cost in value.items():
        if location not in known:
            raise InstanceError(field=f"{path}.{location}", message="is not a location of the instance")
        result[location] = non_negative_int(cost, f"{path}.{location}")
    return result


def load_instance(data: Mapping) -> Instance:
    """Validate a FORMAT.md object and build the Instance; raises InstanceError naming the field."""
    root = _object(
        data,
        "",
        required=("unfilled_unit_penalty", "locations", "stock", "orders"),
        optional=("version",),
    )
    if "version" in root and root["version"] != FORMAT_VERSION:
        raise InstanceError(field="version", message=f"must be {FORMAT_VERSION}")
    penalty = non_negative_int(root["unfilled_unit_penalty"], "unfilled_unit_penalty")

    locations: list[LocationSpec] = []
    index: dict[str, int] = {}
    for i, raw in enumerate(_list(root["locations"], "locations")):
        path = f"locations[{i}]"
        obj = _object(raw, path, required=("id", "shipment_cost"), optional=("capacity_units",))
        location_id = text(obj["id"], f"{path}.id")
        if location_id in index:
            raise InstanceError(field=f"{path}.id", message=f"duplicate location id {location_id!r}")
        capacity = obj.get("capacity_units")
        if capacity is not None:
            capacity = non_negative_int(capacity, f"{path}.capacity_units")
        index[location_id] = i
        locations.append(
            LocationSpec(
                id=location_id,
                shipment_cost=non_negative_int(obj["shipment_cost"], f"{path}.shipment_cost"),
                capacity_units=capacity,
            )
        )

    stock: dict[tuple[str, str], int] = {}
    for i, raw in enumerate(_list(root["stock"], "stock")):
        path = f"stock[{i}]"
        obj = _object(raw, path, required=("location", "sku", "qty"))
        location_id = text(obj["location"], f"{path}.location")
        if location_id not in index:
            raise InstanceError(field=f"{path}.location", message=f"unknown location {location_id!r}")
        sku = text(obj["sku"], f"{path}.sku")
        if (location_id, sku) in stock:
            raise InstanceError(field=path, message=f"duplicate stock entry for ({location_id!r}, {sku!r})")
        stock[(location_id, sku)] = non_negative_int(obj["qty"], f"{path}.qty")

    orders: list[OrderSpec] = []
    order_ids: set[str] = set()
    for o, raw in enumerate(_list(root["orders"], "orders")):
        path = f"orders[{o}]"
        obj = _object(raw, path, required=("id", "lines"), optional=("max_shipments", "shipment_costs"))
        order_id = text(obj["id"], f"{path}.id")
        if order_id in order_ids:
            raise InstanceError(field=f"{path}.id", message=f"duplicate order id {order_id!r}")
        order_ids.add(order_id)
        max_shipments = obj.get("max_shipments")
        if max_shipments is not None:
            max_shipments = positive_int(max_shipments, f"{path}.max_shipments")
        shipment_costs = _cost_map(obj.get("shipment_costs", {}), f"{path}.shipment_costs", index)
        raw_lines = _list(obj["lines"], f"{path}.lines")
        if not raw_lines:
            raise InstanceError(field=f"{path}.lines", message="must hold at least one line")
        lines: list[LineSpec] = []
        skus: set[str] = set()
        for li, raw_line in enumerate(raw_lines):
            lpath = f"{path}.lines[{li}]"
            line = _object(raw_line, lpath, required=("sku", "qty", "unit_costs"))
            sku = text(line["sku"], f"{lpath}.sku")
            if sku in skus:
                raise InstanceError(field=f"{lpath}.sku", message=f"sku {sku!r} appears twice in the order")
            skus.add(sku)
            lines.append(
                LineSpec(
                    sku=sku,
                    qty=positive_int(line["qty"], f"{lpath}.qty"),
                    unit_costs=_cost_map(line["unit_costs"], f"{lpath}.unit_costs", index),
                )
            )
        orders.append(
            OrderSpec(
                id=order_id,
                lines=tuple(lines),
                max_shipments=max_shipments,
                shipment_costs=shipment_costs,
            )
        )
    return Instance(
        locations=tuple(locations),
        stock=stock,
        orders=tuple(orders),
        unfilled_unit_penalty=penalty,
    )


def instance_to_json(instance: Instance) -> dict:
    """The FORMAT.md object of an instance (what load_instance reads back)."""
    return {
        "version": FORMAT_VERSION,
        "unfilled_unit_penalty": instance.unfilled_unit_penalty,
        "locations": [
            {"id": loc.id, "shipment_cost": loc.shipment_cost}
            | ({} if loc.capacity_units is None else {"capacity_units": loc.capacity_units})
            for loc in instance.locations
        ],
        "stock": [
            {"location": location, "sku": sku, "qty": qty}
            for (location, sku), qty in instance.stock.items()
        ],
        "orders": [
            {"id": order.id}
            | ({} if order.max_shipments is None else {"max_shipments": order.max_shipments})
            | ({"shipment_costs": dict(order.shipment_costs)} if order.shipment_costs else {})
            | {
                "lines": [
                    {"sku": line.sku, "qty": line.qty, "unit_costs": dict(line.unit_costs)}
                    for line in order.lines
                ]
            }
            for order in instance.orders
        ],
    }


def solution_to_json(solution: Solution) -> dict:
    """The FORMAT.md answer, plus the explanation: cost breakdown, bound, greedy cost, solver."""
    return {
        "status": str(solution.status),
        "objective": solution.objective,
        "bound": solution.bound,
        "cost": {
            "units": solution.cost.units,
            "shipments": solution.cost.shipments,
            "unfilled": solution.cost.unfilled,
        },
        "greedy_objective": solution.greedy_objective,
        "solver": solution.solver,
        "elapsed_s": round(solution.elapsed_s, 6),
        "orders": [
            {
                "id": plan.id,
                "allocations": [
                    {"sku": a.sku, "location": a.location, "qty": a.qty} for a in plan.allocations
                ],
                "unfilled": [{"sku": sku, "qty": qty} for sku, qty in plan.unfilled.items()],
                "cost": {
                    "units": plan.cost.units,
                    "shipments": plan.cost.shipments,
                    "unfilled": plan.cost.unfilled,
                },
            }
            for plan in solution.orders
        ],
    }
