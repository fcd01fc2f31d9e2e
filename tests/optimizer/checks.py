"""An independent reading of FORMAT.md: the cost and validity of an answer, from the JSON alone.

Deliberately shares no code with the optimizer, so a bug there cannot hide behind itself.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping


def answer_cost(instance: Mapping, answer: Mapping) -> int:
    """The objective of `answer` (FORMAT.md answer shape) on `instance` (FORMAT.md instance)."""
    ship = {loc["id"]: loc["shipment_cost"] for loc in instance["locations"]}
    orders = {o["id"]: o for o in instance["orders"]}
    total = 0
    for plan in answer["orders"]:
        order = orders[plan["id"]]
        unit_costs = {line["sku"]: line["unit_costs"] for line in order["lines"]}
        qty = {line["sku"]: line["qty"] for line in order["lines"]}
        shipped: dict[str, int] = defaultdict(int)
        used = set()
        for a in plan["allocations"]:
            if a["qty"] > 0:
                total += unit_costs[a["sku"]][a["location"]] * a["qty"]
                shipped[a["sku"]] += a["qty"]
                used.add(a["location"])
        total += sum(order.get("shipment_costs", {}).get(loc, ship[loc]) for loc in used)
        total += instance["unfilled_unit_penalty"] * sum(qty[s] - shipped[s] for s in qty)
    return total


def answer_violations(instance: Mapping, answer: Mapping) -> list[str]:
    """Every rule of FORMAT.md the answer breaks; empty when valid."""
    problems: list[str] = []
    stock = {(s["location"], s["sku"]): s["qty"] for s in instance["stock"]}
    capacity = {loc["id"]: loc.get("capacity_units") for loc in instance["locations"]}
    orders = {o["id"]: o for o in instance["orders"]}
    if sorted(p["id"] for p in answer["orders"]) != sorted(orders):
        problems.append("the answer does not list every order exactly once")
    taken: dict[tuple[str, str], int] = defaultdict(int)
    shipped_from: dict[str, int] = defaultdict(int)
    for plan in answer["orders"]:
        order = orders[plan["id"]]
        lines = {line["sku"]: line for line in order["lines"]}
        per_line: dict[str, int] = defaultdict(int)
        used = set()
        for a in plan["allocations"]:
            if a["qty"] < 0:
                problems.append(f"{plan['id']}: negative quantity")
            if a["location"] not in lines[a["sku"]]["unit_costs"]:
                problems.append(f"{plan['id']}: {a['sku']} from ineligible {a['location']}")
            per_line[a["sku"]] += a["qty"]
            taken[(a["location"], a["sku"])] += a["qty"]
            shipped_from[a["location"]] += a["qty"]
            if a["qty"] > 0:
                used.add(a["location"])
        for sku, q in per_line.items():
            if q > lines[sku]["qty"]:
                problems.append(f"{plan['id']}: {sku} allocated {q} > {lines[sku]['qty']}")
        unfilled = {u["sku"]: u["qty"] for u in plan.get("unfilled", [])}
        for sku, line in lines.items():
            if unfilled.get(sku, 0) != line["qty"] - per_line.get(sku, 0):
                problems.append(f"{plan['id']}: unfilled {sku} misreported")
        limit = order.get("max_shipments")
        if limit is not None and len(used) > limit:
            problems.append(f"{plan['id']}: {len(used)} shipments > {limit}")
    for key, q in taken.items():
        if q > stock.get(key, 0):
            problems.append(f"stock of {key} exceeded: {q} > {stock.get(key, 0)}")
    for loc, q in shipped_from.items():
        if capacity[loc] is not None and q > capacity[loc]:
            problems.append(f"capacity of {loc} exceeded: {q} > {capacity[loc]}")
    return problems
