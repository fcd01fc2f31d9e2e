"""Hypothesis strategies for small random FORMAT.md instances (as JSON objects)."""

from __future__ import annotations

from hypothesis import strategies as st


@st.composite
def instances(draw, *, max_orders: int = 1, max_locations: int = 6, max_lines: int = 4) -> dict:
    n_loc = draw(st.integers(1, max_locations))
    n_sku = draw(st.integers(1, max_lines + 1))
    locs = [f"L{j}" for j in range(n_loc)]
    skus = [f"S{s}" for s in range(n_sku)]
    # Small penalties make "cheaper to leave unfilled" reachable too.
    penalty = draw(st.sampled_from([40, 150, 400, 100_000]))
    locations = []
    for loc in locs:
        entry = {"id": loc, "shipment_cost": draw(st.integers(0, 400))}
        if draw(st.booleans()) and draw(st.booleans()):
            entry["capacity_units"] = draw(st.integers(0, 8))
        locations.append(entry)
    stock = [
        {"location": loc, "sku": sku, "qty": q}
        for loc in locs
        for sku in skus
        if (q := draw(st.integers(0, 6))) > 0 or draw(st.booleans())
    ]
    orders = []
    for o in range(draw(st.integers(1, max_orders))):
        order_skus = draw(st.lists(st.sampled_from(skus), min_size=1, max_size=min(max_lines, n_sku), unique=True))
        lines = []
        for sku in order_skus:
            eligible = draw(st.lists(st.sampled_from(locs), unique=True, max_size=n_loc))
            lines.append(
                {"sku": sku, "qty": draw(st.integers(1, 6)), "unit_costs": {loc: draw(st.integers(0, 300)) for loc in eligible}}
            )
        order: dict = {"id": f"O{o}", "lines": lines}
        if draw(st.booleans()):
            order["max_shipments"] = draw(st.integers(1, 3))
        if draw(st.booleans()):
            order["shipment_costs"] = {loc: draw(st.integers(0, 600)) for loc in draw(st.lists(st.sampled_from(locs), unique=True))}
        orders.append(order)
    return {"version": 1, "unfilled_unit_penalty": penalty, "locations": locations, "stock": stock, "orders": orders}
