"""Commands the gateway hands to the actors: plain validated values, never proto objects."""

from __future__ import annotations

import hashlib

import msgspec

from oms_actors.domain.enums import Channel, DeliveryMode, PaymentMethod
from oms_actors.domain.money import Money
from oms_actors.domain.records import repr_hiding, token_hint


class Address(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    name: str = ""
    lines: tuple[str, ...] = ()
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country_code: str = ""
    latitude: float | None = None
    longitude: float | None = None
    phone: str = ""


# omit_defaults: an untaxed line encodes as before, so its request's content hash is unchanged.
class LineInput(msgspec.Struct, frozen=True, kw_only=True, gc=False, omit_defaults=True):
    sku: str
    quantity: int
    unit_price: Money  # gross: the tax is included
    tax_rate_bps: int = 0  # the rate of the tax included in unit_price (1,900: 19%)


SHIPPING_CHARGE = "shipping"  # how documents and refunds name the delivery charge


class ShippingCharge(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """What the customer pays for delivery, gross, as the channel charged it: owed once, with
    the first shipment, unless every unit is cancelled before anything ships."""

    amount: Money
    tax_rate_bps: int = 0


class PaymentInstruction(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    method: PaymentMethod
    amount: Money
    # Secret: stored for the provider, never returned, logged or published (not even in a repr).
    token: str = ""

    __repr__ = repr_hiding("token")

    @property
    def token_hint(self) -> str:
        return token_hint(self.token)

    @property
    def instrument_id(self) -> str:
        """A stable name for the instrument (velocity checks), never the token itself."""
        return hashlib.blake2b(self.token.encode(), digest_size=10).hexdigest() if self.token else ""


class CreateOrder(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    channel: Channel
    idempotency_key: str
    customer_id: str
    lines: tuple[LineInput, ...]
    delivery_mode: DeliveryMode
    ship_to: Address | None = None
    pickup_location_id: str = ""
    payments: tuple[PaymentInstruction, ...] = ()
    external_reference: str = ""
    shipping: ShippingCharge | None = None
    # A return's replacement order, placed when the return is asked for: reserved at once,
    # held until the return it waits for (order id/return id) is received. Not in the API.
    awaits_return: str = ""
    # The day (YYYY-MM-DD) the customer asked to have it by; "": none asked.
    deliver_by: str = ""
    # The carrier service asked for (a CarrierService code); "": the standard one.
    shipping_service: str = ""
    # Everything in one parcel: sourced from one location, released once it holds it all.
    ship_complete: bool = False
    # The day (YYYY-MM-DD) it is wanted, not before: reserved at once, released to arrive then.
    deliver_from: str = ""

    @property
    def currency(self) -> str:
        return self.lines[0].unit_price.currency

    def total(self) -> Money:
        total = Money.zero(self.currency)
        for line in self.lines:
            total = total + line.unit_price.times(line.quantity)
        if self.shipping is not None:
            total = total + self.shipping.amount
        return total

    def content_hash(self) -> str:
        """Identifies the content, so a retry can be told from a reuse of the key."""
        raw = msgspec.json.encode(self)
        # A request without the fields added since hashes as it did before them: a retry
        # that spans an upgrade is still the same request. The last added comes off first.
        for unset in _UNSET_SINCE:
            if raw.endswith(unset):
                raw = raw[: -len(unset)] + b"}"
        return hashlib.blake2b(raw, digest_size=16).hexdigest()


_UNSET_SINCE = (
    b',"deliver_from":""}', b',"ship_complete":false}', b',"shipping_service":""}', b',"deliver_by":""}',
    b',"awaits_return":""}', b',"shipping":null}',
)  # fmt: skip
