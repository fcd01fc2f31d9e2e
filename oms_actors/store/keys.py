"""The Redis key layout, in one place.

Keys a shard writes together carry the shard's hash tag (``{inv-3}``,
``{ord-1}``), so each of its batches is one MULTI/EXEC transaction, on a Redis
Cluster too. Cross-shard read models (order indexes) are global keys.
"""

from __future__ import annotations

ROOT = "oms"
SEP = "|"  # ids are validated never to contain it

TOPOLOGY = f"{ROOT}:topology"
LOCATIONS = f"{ROOT}:net:locations"
PRODUCTS = f"{ROOT}:net:products"
ROUTING_RULES = f"{ROOT}:net:rules"
NETWORK_VERSION = f"{ROOT}:net:version"
HOLIDAYS = f"{ROOT}:net:holidays"  # hash: country code -> its public holidays (JSON list of YYYY-MM-DD)
RISK_RULES = f"{ROOT}:net:risk"  # JSON of RiskRules fields; absent: the defaults
RISK_RULES_VERSION = f"{ROOT}:net:risk:version"  # bumped by every change (SetRiskRules)
RETURN_POLICY = f"{ROOT}:net:returns"  # JSON of ReturnPolicy fields; absent: the default window
RETURN_POLICY_VERSION = f"{ROOT}:net:returns:version"  # bumped by every change (SetReturnPolicy)
TAX_RATES = f"{ROOT}:net:tax"  # JSON: country -> its tax rates in bps; absent: nothing checked
TAX_RATES_VERSION = f"{ROOT}:net:tax:version"  # bumped by every change (SetTaxRates)
CARD_SIMULATOR = f"{ROOT}:net:card-sim"  # the simulated card acquirer's behaviour (JSON)
# Access: API key records (hashes of secrets only) and the capped audit stream.
API_KEYS = f"{ROOT}:auth:keys"
AUDIT_LOG = f"{ROOT}:audit-log"


def order(shard: int, order_id: str) -> str:
    return f"{ROOT}:{{ord-{shard}}}:order:{order_id}"


def order_pattern(shard: int) -> str:
    return f"{ROOT}:{{ord-{shard}}}:order:*"


def order_events(shard: int) -> str:
    """A stream: every event of the shard's orders, written with the change that caused it."""
    return f"{ROOT}:{{ord-{shard}}}:events"


def order_events_pattern() -> str:
    return f"{ROOT}:{{ord-*}}:events"


def order_history(shard: int, order_id: str) -> str:
    """A list: every event of one order, one entry per save (its events, oldest first)."""
    return f"{ROOT}:{{ord-{shard}}}:history:{order_id}"


def customer_timeline(customer_id: str) -> str:
    """A capped stream: the latest events of one customer's orders, as written before orders
    kept their histories (read beside them for the 360 view; no longer written)."""
    return f"{ROOT}:timeline:{customer_id}"


def returns_day(day: str) -> str:
    """The returns asked for on a UTC day (yyyymmdd), counted by field (``domain.return_report``)."""
    return f"{ROOT}:returns:day:{day}"


def deliveries_day(day: str) -> str:
    """The shipment steps recorded on a UTC day (yyyymmdd), counted by field (``domain.delivery_report``)."""
    return f"{ROOT}:deliveries:day:{day}"


EXTERNAL_REFERENCES = f"{ROOT}:idx:extref"  # "channel|reference" -> order id
CUSTOMER_EMAILS = f"{ROOT}:idx:email"  # lower-cased email -> customer id
CUSTOMER_PHONES = f"{ROOT}:idx:phone"  # digits of the phone number -> customer id
ERASURES_WAITING = f"{ROOT}:erasures:waiting"  # customers to erase once their orders are over (gateway.erasure)


def open_orders(shard: int) -> str:
    """The shard's orders not yet finished (what it loads when it starts), scored by creation time."""
    return f"{ROOT}:{{ord-{shard}}}:open"


def sku_index_built(shard: int) -> str:
    """Set once every order of the shard is in the SKU indexes (data older than them is scanned once)."""
    return f"{ROOT}:{{ord-{shard}}}:sku-built"


def open_orders_built(shard: int) -> str:
    """Set once ``open_orders`` lists every unfinished order (data older than it is scanned once)."""
    return f"{ROOT}:{{ord-{shard}}}:open-built"


def idempotency(shard: int) -> str:
    return f"{ROOT}:{{ord-{shard}}}:idem"


def idempotency_field(channel: str, key: str) -> str:
    return f"{channel}{SEP}{key}"


def order_index(kind: str, value: str = "") -> str:
    """Sorted sets of order ids scored by creation time: all, customer, channel, status, channel+status."""
    return f"{ROOT}:idx:{kind}:{value}" if value else f"{ROOT}:idx:{kind}"


def inventory_on_hand(shard: int) -> str:
    return f"{ROOT}:{{inv-{shard}}}:onhand"


def inventory_safety(shard: int) -> str:
    return f"{ROOT}:{{inv-{shard}}}:safety"


def inventory_reservations(shard: int) -> str:
    return f"{ROOT}:{{inv-{shard}}}:resv"


def inventory_ledger(shard: int) -> str:
    """A stream: every change to on hand, in order (the audit's source of truth)."""
    return f"{ROOT}:{{inv-{shard}}}:ledger"


def inventory_feed_positions(shard: int) -> str:
    return f"{ROOT}:{{inv-{shard}}}:feeds"


def inventory_consumed(shard: int) -> str:
    return f"{ROOT}:{{inv-{shard}}}:consumed"


def inventory_inbound(shard: int) -> str:
    return f"{ROOT}:{{inv-{shard}}}:inbound"


def stock_field(location_id: str, sku: str) -> str:
    return f"{location_id}{SEP}{sku}"


def customer(customer_id: str) -> str:
    return f"{ROOT}:cust:{customer_id}"


# Payments. Every key of one payment provider's ledger shares the provider's hash
# tag, so each operation is one Lua script on one slot, on a Redis Cluster too.
# The tag is the provider, not the account: idempotency keys must be unique per
# provider (a key reused for another card is a conflict, not a second payment).
# The scripts in oms_actors/payments/scripts.py build these same names below the root.


def payments(provider: str) -> str:
    return f"{ROOT}:{{pay-{provider}}}"


def payment_idempotency(provider: str) -> str:
    """Hash: "<operation>|<key>" -> the fingerprint of the arguments and the result."""
    return f"{payments(provider)}:idem"


def payment_attempts(provider: str) -> str:
    """Hash: "<operation>|<key>" -> calls seen (the simulator's timeouts depend on it)."""
    return f"{payments(provider)}:attempts"


def payment_sequence(provider: str) -> str:
    return f"{payments(provider)}:seq"


def payment_authorization(provider: str, authorization_id: str) -> str:
    return f"{payments(provider)}:auth:{authorization_id}"


def payment_authorization_captures(provider: str, authorization_id: str) -> str:
    """List of the capture ids of one authorisation, in order."""
    return f"{payments(provider)}:auth:{authorization_id}:caps"


def payment_authorizations(provider: str) -> str:
    """Sorted set of authorisation ids scored by creation time."""
    return f"{payments(provider)}:auths"


def payment_capture(provider: str, capture_id: str) -> str:
    return f"{payments(provider)}:cap:{capture_id}"


def payment_account(provider: str, account: str) -> str:
    """Hash of a balance (gift card, store credit) or a credit line (pay on invoice)."""
    return f"{payments(provider)}:acct:{account}"


def payment_receivable(provider: str, capture_id: str) -> str:
    return f"{payments(provider)}:recv:{capture_id}"


def payment_receivables(provider: str, customer_id: str) -> str:
    """Sorted set of a customer's receivables (capture ids) scored by issue time."""
    return f"{payments(provider)}:recvs:{customer_id}"


def payment_open_receivables(provider: str, customer_id: str) -> str:
    """Sorted set of a customer's receivables still open, scored by due time."""
    return f"{payments(provider)}:open:{customer_id}"


def aging_report(provider: str, report_id: str) -> str:
    """One receivables aging report as it was made (its rows, kept a while for its later pages)."""
    return f"{payments(provider)}:aging:{report_id}"


def payment_due_receivables(provider: str) -> str:
    """Sorted set of every customer's receivables still open, scored by due time: aging."""
    return f"{payments(provider)}:due"


def payment_overdue_swept(provider: str) -> str:
    """The due time up to which receivables past due have been noticed (gateway/dunning.py)."""
    return f"{payments(provider)}:due:swept"


def payment_due_index_built(provider: str) -> str:
    """Set once the due index holds the receivables written before it existed."""
    return f"{payments(provider)}:due:built"


def payment_events(provider: str) -> str:
    """Stream of every effect (authorise, capture, void, refund, credit, payment) in order."""
    return f"{payments(provider)}:events"


def documents(namespace: str = "docs") -> str:
    """Root of the invoice and credit note register; one hash tag so numbering and write are one script."""
    return f"{ROOT}:{{{namespace}}}"


def document(namespace: str, number: str) -> str:
    return f"{documents(namespace)}:doc:{number}"


def document_sequence(namespace: str, kind: str, year: int) -> str:
    return f"{documents(namespace)}:seq:{kind}:{year}"


def document_list(namespace: str, kind: str) -> str:
    """Sorted set of document numbers of one kind scored year * 10**9 + sequence."""
    return f"{documents(namespace)}:list:{kind}"


def document_idempotency(namespace: str) -> str:
    return f"{documents(namespace)}:idem"


def document_captures(namespace: str) -> str:
    """Hash: capture id -> the number of the invoice listing it (a receivable's invoice)."""
    return f"{documents(namespace)}:by_capture"


def document_invoice_credits(namespace: str) -> str:
    """Hash: invoice number -> "<total>|<credited>" in minor units, so credit notes never exceed it."""
    return f"{documents(namespace)}:credited"
