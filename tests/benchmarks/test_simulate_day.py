"""A small day end to end through a real service, its report, a replay of it and the comparison.

Figures are checked for consistency, never for speed: timings depend on the machine.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from rich.console import Console

from benchmarks.compare import compare
from benchmarks.recording import read_day, read_schedule
from benchmarks.scenario import load_scenario
from benchmarks.simulate import Options, simulate

pytestmark = pytest.mark.integration

REPORT_FILES = ("summary.json", "index.html", "orders.csv", "demand.bin", "scenario.json")
PLOTS = ("capture", "demand", "hours", "policies", "locations", "ceilings", "rpcs", "payments")


def tiny():
    """About a hundred orders over the normal network: seconds, not minutes. Its returns are
    paid back once inspected (``inspect-first``), so the desks may keep deductions for wear,
    less a restocking fee for a change of mind or a size that does not fit; the service's own
    tests cover paying back on receipt."""
    return load_scenario("smoke").derive(
        {
            "demand": {
                "scale": 0.02, "retry_share": 0.05, "express_share": {"web": 0.3, "mobile_app": 0.3},
                "carrier_service_share": {"web": 0.3, "mobile_app": 0.3},
                "ship_complete_share": {"web": 0.3, "call_center": 0.3, "field_sales": 0.5},
                "scheduled_share": {"call_center": 0.3, "field_sales": 0.3},
            },
            "customers": {"count": 80},
            "fulfilment": {"shortage_share": 0.1, "decline_share": 0.2, "carrier_delay_share": 0.1, "undelivered_share": 0.1},
            "goodwill": {"share": 0.3}, "payments": {"card_decline_share": 0.2}, "review": {"fixed_card_share": 0.6},
            "service": {"note_share": 0.3, "reduce_share": 0.3},
            "return_policy": {"resolve_on_receipt": False, "restocking_fee_bps": 1000,
                              "restocking_fee_reasons": ["RETURN_REASON_CHANGED_MIND", "RETURN_REASON_DOES_NOT_FIT"]},
            "returns": {"worn_share": 0.8},
        }  # fmt: skip
    )


async def test_a_small_day_is_driven_reported_replayed_and_compared(deployments, tmp_path):
    first = await deployments(5)
    console = Console(record=True, width=140)
    options = Options(scenario=tiny(), out_dir=tmp_path / "day", processes=2, concurrency=16, ceiling_seconds=0.5, quiet=True)
    summary, folder = await simulate(first, options, console=console)

    for name in REPORT_FILES:
        assert (folder / name).stat().st_size > 0, name
    for name in PLOTS:
        assert (folder / "plots" / f"{name}.png").stat().st_size > 0, name
    assert json.loads((folder / "summary.json").read_text())["capture"] == summary["capture"]
    page = (folder / "index.html").read_text()
    assert "data:image/png;base64," in page and "Key figures" in page

    cap = summary["capture"]
    day = read_day(folder)
    assert cap["sent"] == len(day.requests) > 100
    assert cap["accepted"] + cap["replayed"] + cap["rejected"] == cap["sent"]
    assert cap["rejected"] == 0, cap["rejected_by_code"]
    assert cap["replayed"] == len(day.requests) - len({r.idempotency_key for r in day.requests}) > 0
    rows = list(csv.DictReader(io.StringIO((folder / "orders.csv").read_text())))
    assert len(rows) == cap["sent"]
    assert len({r["order_id"] for r in rows}) == cap["accepted"]  # a retry is answered with its first order

    src = summary["sourcing"]
    assert src["orders"] == cap["accepted"]
    assert 0.0 <= src["fill_rate"] <= 1.0 and 0.0 <= src["split_rate"] <= 1.0
    assert src["units_allocated"] + src["backordered_units"] == src["units"]
    assert sum(src["status_at_capture"].values()) == cap["accepted"]
    # Every order with each unit held is told the day it arrives: within a week across Germany.
    told = [r for r in rows if r["promised_in_days"] and r["replayed"] == "0"]
    assert len(told) == round(src["delivery_promised_share"] * src["orders"]) >= src["orders"] - src["backorders"]
    soon = [int(r["promised_in_days"]) for r in told if not r["asked_from_in_days"]]
    assert 0 <= min(soon) and max(soon) == src["promised_delivery_days"]["max"] <= 7  # 0: collected in store today
    # An order for a later day is told that day, or a later one where none could make it.
    assert all(int(r["promised_in_days"]) >= int(r["asked_from_in_days"]) for r in told if r["asked_from_in_days"])
    # Express orders asked for a day two days out; how many are promised it depends on the weekday.
    express = src["express"]
    assert express["orders"] > 0 and 0.0 <= express["promised_by_the_day_share"] <= 1.0 and express["late_cost_per_order"] >= 0
    # Next-day orders were sent from the warehouses only (the normal network's stores and
    # drop-shipper do not offer it), and told a day wherever every unit was held.
    next_day = [r for r in rows if r["carrier_service"] == "next_day" and r["replayed"] == "0"]
    served = src["carrier_service"]
    assert len(next_day) == served["orders"] > 0
    assert all(part.startswith("DC-") for r in next_day for part in r["allocations"].split())
    assert sum(1 for r in next_day if r["promised_in_days"]) == round(served["delivery_promised_share"] * served["orders"])
    assert served["orders"] - served["backorders"] <= round(served["delivery_promised_share"] * served["orders"])
    policies = {p["policy"]: p for p in summary["policies"]}
    assert set(policies) == {"service (live)", "optimal", "greedy", "single-first"}
    for p in policies.values():
        assert p["orders"] == cap["accepted"] and 0.0 <= p["fill_rate"] <= 1.0

    ceilings = {c["name"]: c for c in summary["ceilings"]}
    for name in ("empty gRPC call", "Ray actor call", "Redis PING"):
        assert ceilings[name]["rate"] and ceilings[name]["rate"] > 0, ceilings[name]
        assert summary["ratios"][name] == pytest.approx(cap["orders_per_s"] / ceilings[name]["rate"])

    life = summary["lifecycle"]
    assert life["unsettled"] == 0
    assert life["held"] == life["approved_in_review"] + life["rejected_in_review"] + life["cards_replaced"]
    assert life["cards_replaced"] == sum(r["ok"] for r in summary["rpcs"] if r["rpc"] == "ReplacePaymentInstrument") > 0
    assert life["shipments"] > 0 and life["delivered_shipments"] > 0 and life["returns_requested"] > 0
    # Each return asked for was refused, kept by the customer (a cheap item), cancelled, or
    # received and inspected from a desk's list.
    assert (
        life["returns_refused"] + life["returns_kept"] + life["returns_cancelled"] + life["returns_listed"]
        == life["returns_requested"]
    ), life
    # Each parcel back undelivered was recorded so, and inspected from the desk's list where it
    # came back; a lost one has nothing to inspect.
    assert life["undelivered_reported"] == life["undelivered_shipments"] > 0, life
    assert life["undelivered_inspected"] == life["undelivered_reported"] - life["undelivered_lost"], life
    assert life["events"].get("shipment.returned", 0) == life["undelivered_inspected"]
    assert life["events"].get("shipment.lost", 0) == life["undelivered_lost"]
    # Each repair received went back to its customer, or was declared beyond repair and made good.
    assert life["repairs_returned"] + life["repairs_unrepairable"] == life["repairs_due"]
    assert life["events"].get("return.made_good", 0) == life["repairs_unrepairable"]
    # The desks kept a deduction from most of the refunded or credited returns they inspected
    # (a handful in so small a day: at half, none was seen once in a run), and the orders show
    # each as it was kept.
    assert life["deducted_lines"] == life["worn_lines"] > 0
    # A restocking fee on the lines returned for a change of mind or the wrong size, each as priced.
    assert life["restocking_fee_lines"] > 0 and life["restocking_fees_minor"] > 0
    assert life["restocking_fee_differences"] == 0, life["restocking_fee_examples"]
    assert life["deducted_minor"] == life["worn_deducted_minor"] > 0
    # Posted returns were tracked on their way (a store return is handed over the counter).
    tracked = sum(r["ok"] for r in summary["rpcs"] if r["rpc"] == "TrackReturn")
    assert 0 < tracked <= life["returns_listed"] and life["events"].get("return.in_transit", 0) == tracked
    assert "unspecified" not in life["returns_by_reason"]  # every return the day asked for gave its reason as a code
    assert life["invoices"] == life["shipments"]  # every shipment captured and invoiced
    # Business customers paid some invoices on account: what they sent is what was owed on them.
    assert 0 <= life["invoices_paid"] <= life["invoices"]
    assert (summary["payments"]["received_on_account_minor"] > 0) == (life["invoices_paid"] > 0)
    assert life["invoices_paid"] == sum(r["ok"] for r in summary["rpcs"] if r["rpc"] == "RecordInvoicePayment")
    reported = sum(r["ok"] for r in summary["rpcs"] if r["rpc"] == "ReportShortage")
    assert life["shortages"] > 0 and life["declines"] > 0 and life["shortages"] + life["declines"] == reported
    assert 0 <= life["shortages_shipped_elsewhere"] <= life["shortages_shipped"] <= life["shortages"]
    # A store that declined is sent nothing more of the order; the rest ships from elsewhere.
    assert life["declines_shipped_there_after"] == 0 and 0 < life["declines_shipped"] <= life["declines"]
    # Orders asked to go in one parcel went in one: none was split.
    together = life["ship_complete"]
    assert 0 < together["shipped"] <= together["orders"] and together["split"] == 0, together
    assert together["shipments"] >= together["shipped"]
    # Orders for a later day wait for it reserved and on no list, each promised no earlier than the day asked.
    later = life["scheduled"]
    assert later["orders"] > 0 and later["waiting"] > 0 and later["waiting_released_anywhere"] == 0, later
    assert later["promised_earlier"] == 0 and later["promised_the_day_asked"] > 0, later
    # Every open order with units no location was sent says why; those waiting for their day among them.
    assert life["waiting_without_reason"] == 0 and life["waiting_by_reason"].get("delivery_day", 0) >= later["waiting"], life[
        "waiting_by_reason"
    ]
    # The day's fulfilment throughput: the fulfil phase's shipments (not the replacements')
    # over its seconds, and the deliver phase's deliveries over its seconds.
    assert 0 < life["shipments_per_s"] * life["phases_s"]["fulfil"] <= life["shipments"] + 1e-6
    assert 0 < life["deliveries_per_s"] * life["phases_s"]["deliver"] <= life["delivered_shipments"] + 1e-6
    assert life["stock_audit"]["differences"] == 0, life["stock_audit"]
    # The status indexes (CountOrders) count the day's orders as they ended, status by status.
    assert life["status_index_differences"] == 0, life["status_index_examples"]
    # Merchandising's returns report counts every unit the day's returns asked back, by reason.
    assert life["returns_report_differences"] == 0, life["returns_report_examples"]
    assert life["returns_report_units"] > 0
    # Operations' delivery report agrees, location by location, with the shipments on the orders.
    assert life["delivery_report_differences"] == 0, life["delivery_report_examples"]
    deliveries = life["delivery_report"]
    assert deliveries["shipped"] > deliveries["delivered"] > 0 and deliveries["returned"] + deliveries["lost"] > 0
    # Service staff read orders' histories: each from its creation to the version read last.
    assert life["histories_read"] > 0 and life["history_differences"] == 0, life["history_examples"]
    # A recall of the day's most ordered SKU finds exactly the day's orders with a line of it.
    assert life["recall"]["orders"] > 1 and life["recall"]["differences"] == 0, life["recall"]
    # Service's list of late orders after the shortages is exactly the late ones among them.
    assert life["late"]["differences"] == 0 and life["late"]["listed"] == life["late"]["late"], life["late"]
    # Each parcel its carrier reported two days past the promise made its order late.
    assert 0 < life["late"]["carrier_delays"] <= life["late"]["late"], life["late"]
    assert sum(life["status_counts"].values()) == life["orders"]
    assert life["events"]["order.created"] == life["orders"]
    # Goodwill on about 30% of the delivered orders nobody returned, each paid (refund or voucher).
    assert life["goodwill"] == sum(r["ok"] for r in summary["rpcs"] if r["rpc"] == "GrantGoodwill") > 0
    assert life["events"]["goodwill.paid"] == life["goodwill"] and life["goodwill_minor"] > 0
    # Service before shipping: notes and customers wanting a unit fewer, each an answered call.
    assert life["notes"] == life["events"]["order.note_added"] > 0
    assert life["reduced"] == sum(r["ok"] for r in summary["rpcs"] if r["rpc"] == "CancelOrderLines") > 0
    money = summary["payments"]
    assert money["captured_minor"] > 0
    # The normal day's pricing: prices include 19% or 7%, small orders shipped pay for delivery.
    assert any(r.shipping.HasField("amount") for r in day.requests) and any(r.lines[0].tax_rate_bps for r in day.requests)
    assert 0 < money["tax_invoiced_minor"] < money["captured_minor"] * 0.16  # 19/119 at most
    assert 0 < money["shipping_charged_minor"] < money["captured_minor"]
    assert money["refunded_minor"] <= money["captured_minor"]
    assert sum(r["calls"] for r in summary["rpcs"] if r["rpc"] in ("ConfirmShipment", "MarkReadyForPickup")) >= life["shipments"]
    printed = console.export_text()
    assert "Simulation: " in printed
    assert "shipments confirmed/s (fulfil phase)" in printed

    # The recorded day again, on a fresh deployment, as a what-if: a tenth of the stock, and
    # orders promised supply on its way: the very same requests, the same orders, other plans.
    second = await deployments(6)
    what_if = tiny().derive(
        {
            "stock": {"scale": 0.1, "inbound": {"sku_share": 0.8, "days_of_cover": 20.0}},
            "routing_rules": {"inbound_horizon_days": 14, "inbound_wait_unit_cost_minor": 100},
        }
    )
    replay = Options(
        scenario=what_if, out_dir=tmp_path / "replay", replay=folder, processes=1, concurrency=8,
        lifecycle=False, ceilings=False, quiet=True,
    )
    again, replay_folder = await simulate(second, replay, console=console)
    assert [p for _, p in read_schedule(replay_folder / "demand.bin")] == [p for _, p in read_schedule(folder / "demand.bin")]
    assert again["run"]["demand_sha256"] == summary["run"]["demand_sha256"]
    assert again["scenario"]["replay_of"]["report"] == str(folder)
    assert again["capture"]["sent"] == cap["sent"]
    assert again["capture"]["accepted"] == cap["accepted"] and again["capture"]["replayed"] == cap["replayed"]
    assert "lifecycle" not in again
    promised = again["sourcing"]
    assert 0 < promised["units_promised"] <= promised["backordered_units"] and promised["orders_promised"] > 0
    assert promised["units_allocated"] + promised["backordered_units"] == promised["units"]
    offline = {p["policy"]: p for p in again["policies"]}
    assert offline["service (live)"]["promise_rate"] > 0 and offline["optimal"]["promise_rate"] > 0
    assert "of them promised from inbound supply" in console.export_text()

    page = compare(folder, replay_folder, tmp_path / "compare", console=console)
    assert page.exists() and "the same requests" in page.read_text()


async def test_the_simulator_drives_a_gateway_under_mutual_tls(deployments, tmp_path):
    from gateway.auth.client import ClientTls
    from gateway.auth.tls import TlsConfig
    from tests.security.test_tls import issue, make_ca

    ca, ca_key, ca_cert = make_ca("OMS simulation CA")
    server = issue(ca_key, ca_cert, "localhost", server=True)
    planner = issue(ca_key, ca_cert, "planner", server=False)
    deployment = await deployments(
        7,
        tls=TlsConfig(cert_chain_pem=server.cert, private_key_pem=server.key, client_ca_pem=ca.cert),
        client_tls=ClientTls(root_certificates=ca.cert, client_cert=planner.cert, client_key=planner.key),
    )
    options = Options(
        scenario=tiny(), out_dir=tmp_path / "tls", processes=1, concurrency=8, ceiling_seconds=0.3, lifecycle=False, quiet=True
    )
    summary, _ = await simulate(deployment, options, console=Console(record=True, width=140))
    cap = summary["capture"]
    assert cap["accepted"] > 50 and cap["rejected"] == 0, cap
    empty = {c["name"]: c for c in summary["ceilings"]}["empty gRPC call"]
    assert empty["rate"] and empty["rate"] > 0, empty  # measured over the same TLS channel setup
