"""Bounds on what a request may carry, and the shape of identifiers.

Identifiers never contain ``|`` or whitespace: they are joined into Redis
fields with ``|`` and printed in logs.
"""

from __future__ import annotations

import re

MAX_MESSAGE_BYTES = 4 * 1024 * 1024
MAX_ID_LEN = 128
MAX_TEXT_LEN = 256
MAX_NOTE_LEN = 2_000  # a note on an order: a few sentences
MAX_ADDRESS_LINES = 4
MAX_ORDER_LINES = 200
MAX_LINE_QUANTITY = 100_000
MAX_PAYMENTS = 10
MAX_TOKEN_LEN = 512
MAX_BATCH_ORDERS = 1_000
MAX_BULK_ITEMS = 10_000  # locations, products or stock levels in one call
MAX_INBOUND_HORIZON_DAYS = 366  # how far ahead routing rules may promise supply on its way
MAX_BACKORDER_DAYS = 366  # how long units may wait for stock before the routing rules cancel them
MAX_PAYMENT_TERMS_DAYS = 366  # when an invoice on account falls due at the latest
MAX_AVAILABILITY_SKUS = 1_000
MAX_PAGE_SIZE = 500
MAX_AGING_ROWS = 1_000  # customers one aging report lists
DEFAULT_PAGE_SIZE = 50

ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@#/+=~-]*")
COUNTRY_PATTERN = re.compile(r"[A-Z]{2}")
TOKEN_PATTERN = re.compile(r"[!-~]*")  # printable ASCII without space: no control characters
MAX_TAX_COUNTRIES = 300  # SetTaxRates: countries in the table
MAX_TAX_RATES_PER_COUNTRY = 10
MAX_DAYS_AHEAD = 366  # how far ahead a delivery day may be asked for (deliver_by) or estimated by a carrier
