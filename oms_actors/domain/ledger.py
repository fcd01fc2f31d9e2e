"""Changes to on-hand stock, each recorded as a ledger entry. Pure, no I/O.

Every change of on hand (an admin level, a feed snapshot, delta or adjustment,
a shipment, a return) is one ``LedgerEntry`` carrying the change and the level
after it. The sum of a (location, sku)'s changes is its on hand: that is what
the audit checks. Planners here read a ``StockBook`` and return entries; the
shard writes them to Redis and only then applies them to the book.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from oms_actors.domain.errors import LineProblem
from oms_actors.domain.stock import Reservation, ReservationKey, StockBook, StockLevelChange


class EntryKind(StrEnum):
    SET = "set"  # an administrator set the level
    SNAPSHOT = "snapshot"
    DELTA = "delta"
    ADJUSTMENT = "adjustment"
    SHIPMENT = "shipment"  # units left with a shipment: the reservation is consumed
    RETURN = "return"  # units came back and were restocked
    RECEIPT = "receipt"  # inbound supply arrived
    SHORTAGE = "shortage"  # units a location was to ship were missing or damaged: the reservation goes with them


@dataclass(frozen=True, kw_only=True, slots=True)
class LedgerEntry:
    location_id: str
    sku: str
    kind: EntryKind
    change: int
    after: int
    ref: str = ""  # what caused it: "feed:<id>#<seq>", "order:<id>/<line>", ...
    reason: str = ""


class FeedKind(StrEnum):
    SNAPSHOT = "snapshot"
    DELTA = "delta"
    ADJUSTMENT = "adjustment"


@dataclass(frozen=True, kw_only=True, slots=True)
class FeedMessage:
    """The part of one feed message that falls in one inventory partition."""

    feed_id: str
    sequence: int
    location_id: str
    kind: FeedKind
    quantities: tuple[tuple[str, int], ...]  # (sku, quantity or signed change)
    complete: bool = False  # snapshot: SKUs not listed are set to 0
    reason: str = ""
    note: str = ""


class FeedOutcome(StrEnum):
    APPLIED = "applied"
    REPLAY = "replay"  # at or below the last applied number: changes nothing
    GAP = "gap"  # above the next number: refused, changes nothing


@dataclass(frozen=True, kw_only=True)
class FeedPlan:
    outcome: FeedOutcome
    last_sequence: int  # after this message, if applied
    entries: list[LedgerEntry] = field(default_factory=list)
    problems: list[LineProblem] = field(default_factory=list)  # APPLIED would drive on hand below zero


@dataclass(frozen=True, kw_only=True, slots=True)
class Consumption:
    """Units of an order line that left a location with a shipment."""

    order_id: str
    line_number: int
    location_id: str
    sku: str
    quantity: int
    shipment_id: str = ""
    kind: EntryKind = EntryKind.SHIPMENT  # or SHORTAGE: the units left without shipping

    @property
    def ref(self) -> str:
        """Names this consumption so a repeat of it is recognised and skipped."""
        tag = "" if self.kind is EntryKind.SHIPMENT else f"{self.kind.value}:"
        return f"{self.order_id}/{self.line_number}/{self.location_id}#{tag}{self.shipment_id}"


@dataclass(frozen=True, kw_only=True, slots=True)
class Restock:
    """Units that came back (a return) into a location's stock."""

    location_id: str
    sku: str
    quantity: int
    ref: str = ""


def _entry(book: StockBook, loc: str, sku: str, after: int, kind: EntryKind, ref: str, reason: str = "") -> LedgerEntry:
    before = book.on_hand.get((loc, sku), 0)
    return LedgerEntry(location_id=loc, sku=sku, kind=kind, change=after - before, after=after, ref=ref, reason=reason)


def plan_levels(book: StockBook, changes: list[StockLevelChange], *, ref: str = "admin") -> list[LedgerEntry]:
    return [_entry(book, c.location_id, c.sku, c.on_hand, EntryKind.SET, ref) for c in changes]


def plan_feed(book: StockBook, msg: FeedMessage, last_sequence: int) -> FeedPlan:
    if msg.sequence <= last_sequence:
        return FeedPlan(outcome=FeedOutcome.REPLAY, last_sequence=last_sequence)
    if msg.sequence != last_sequence + 1:
        return FeedPlan(outcome=FeedOutcome.GAP, last_sequence=last_sequence)
    ref = f"feed:{msg.feed_id}#{msg.sequence}"
    loc = msg.location_id
    entries: list[LedgerEntry] = []
    problems: list[LineProblem] = []
    if msg.kind is FeedKind.SNAPSHOT:
        listed = {sku for sku, _ in msg.quantities}
        targets = dict(msg.quantities)
        if msg.complete:
            for sku in book.skus_at(loc):
                targets.setdefault(sku, 0)
        entries = [_entry(book, loc, sku, qty, EntryKind.SNAPSHOT, ref) for sku, qty in targets.items()]
        entries = [e for e in entries if e.change or e.sku in listed]
    else:
        kind = EntryKind.DELTA if msg.kind is FeedKind.DELTA else EntryKind.ADJUSTMENT
        running: dict[str, int] = {}
        for i, (sku, change) in enumerate(msg.quantities):
            before = running.get(sku, book.on_hand.get((loc, sku), 0))
            if before + change < 0:
                problems.append(
                    LineProblem(line_number=i + 1, sku=sku, reason=f"{loc} holds {before}; {change} would go below 0")
                )
                continue
            running[sku] = before + change
            entries.append(
                LedgerEntry(
                    location_id=loc, sku=sku, kind=kind, change=change, after=before + change, ref=ref, reason=msg.reason
                )
            )
    return FeedPlan(outcome=FeedOutcome.APPLIED, last_sequence=msg.sequence, entries=entries, problems=problems)


def plan_consumption(
    book: StockBook, items: list[Consumption]
) -> tuple[list[LedgerEntry], dict[ReservationKey, Reservation], list[LineProblem]]:
    """Shipping consumes the reservation and the units: all items or none; a repeat is skipped.
    A shortage (units missing or damaged at picking) takes the reservation and as many of the
    units as are still on hand: a count may have taken them off already."""
    entries: list[LedgerEntry] = []
    upserts: dict[ReservationKey, Reservation] = {}
    problems: list[LineProblem] = []
    on_hand: dict[tuple[str, str], int] = {}
    for item in items:
        if item.ref in book.consumed:
            continue
        key = ReservationKey(order_id=item.order_id, line_number=item.line_number, location_id=item.location_id)
        held = upserts.get(key) or book.reservations.get(key)
        have = on_hand.get((item.location_id, item.sku), book.on_hand.get((item.location_id, item.sku), 0))
        if item.kind is EntryKind.SHORTAGE and item.quantity > 0:
            # Whatever is still reserved for the units goes with them (the holdings may have been
            # made exact first), and as many as are still on hand.
            held = Reservation(sku=item.sku, quantity=max(item.quantity, held.quantity if held else 0))
        if held is None or held.sku != item.sku or held.quantity < item.quantity or item.quantity <= 0:
            problems.append(
                LineProblem(
                    line_number=item.line_number,
                    sku=item.sku,
                    reason=f"{item.location_id} holds {held.quantity if held else 0} for this line, {item.quantity} shipped",
                )
            )
            continue
        leaving = min(have, item.quantity) if item.kind is EntryKind.SHORTAGE else item.quantity
        if have < leaving:
            problems.append(
                LineProblem(line_number=item.line_number, sku=item.sku, reason=f"{item.location_id} has {have} on hand")
            )
            continue
        upserts[key] = Reservation(sku=item.sku, quantity=held.quantity - item.quantity)
        on_hand[(item.location_id, item.sku)] = have - leaving
        if leaving:
            entries.append(
                LedgerEntry(
                    location_id=item.location_id,
                    sku=item.sku,
                    kind=item.kind,
                    change=-leaving,
                    after=have - leaving,
                    ref=item.ref,
                )
            )
    return entries, upserts, problems


def plan_restock(book: StockBook, items: list[Restock]) -> list[LedgerEntry]:
    entries: list[LedgerEntry] = []
    running: dict[tuple[str, str], int] = {}
    for item in items:
        if item.ref and item.ref in book.consumed:
            continue  # this return was restocked already
        before = running.get((item.location_id, item.sku), book.on_hand.get((item.location_id, item.sku), 0))
        running[(item.location_id, item.sku)] = before + item.quantity
        entries.append(
            LedgerEntry(
                location_id=item.location_id,
                sku=item.sku,
                kind=EntryKind.RETURN,
                change=item.quantity,
                after=before + item.quantity,
                ref=item.ref,
            )
        )
    return entries


def replay(entries: list[LedgerEntry]) -> dict[tuple[str, str], int]:
    """On hand per (location, sku) as the ledger tells it: the sum of its changes."""
    level: dict[tuple[str, str], int] = {}
    for e in entries:
        level[(e.location_id, e.sku)] = level.get((e.location_id, e.sku), 0) + e.change
    return level
