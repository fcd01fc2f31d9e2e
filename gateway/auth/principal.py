"""Who is calling: a role and the scope it is bound to, and what that scope may see.

Every call but health checks and reflection runs with a ``Principal`` (the
interceptor sets it). The methods here are the one place that says whose
orders and customer records a scoped principal sees; servicers ask them
instead of comparing fields themselves, so a new RPC that reads orders,
returns or invoices gets the same answer (``sees_order``, ``sees_customer``).
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass
from enum import StrEnum

from oms_actors.domain.enums import Channel


class Role(StrEnum):
    ADMIN = "admin"  # manages locations, products, rules and keys; may do everything
    SERVICE_AGENT = "service_agent"  # reads every order, cancels, reviews, handles returns
    CHANNEL = "channel"  # places and reads the orders of one sales channel
    CUSTOMER = "customer"  # reads one customer's orders and record (customer-facing apps)
    INVENTORY_FEED = "inventory_feed"  # sends stock feeds, reads availability
    FULFILMENT = "fulfilment"  # a location's system: lists its work, confirms shipments and deliveries
    FINANCE = "finance"  # accounts receivable: reads every invoice and receivable, records payments received


LOCATION_SCOPED = frozenset({Role.FULFILMENT, Role.INVENTORY_FEED})


class CredentialKind(StrEnum):
    API_KEY = "api_key"
    TOKEN = "token"  # a signed JWT


@dataclass(frozen=True, kw_only=True, slots=True)
class Principal:
    role: Role
    kind: CredentialKind
    # Stable and unique per credential holder: the API key id, or "token:<sub>".
    # Rate limits and the audit log are keyed by it; it is never a secret.
    id: str
    channel: Channel | None = None  # set for (and only for) Role.CHANNEL
    customer_id: str = ""  # set for (and only for) Role.CUSTOMER
    # A location's own system (fulfilment, stock feed) may be bound to that location; "" acts for all.
    location_id: str = ""
    # A service agent's own goodwill limit, in percent of an order's total (a supervisor gives
    # more than a trainee); None: the risk rules' agent_goodwill_limit_percent.
    goodwill_limit_percent: int | None = None

    def __post_init__(self) -> None:
        if (self.role is Role.CHANNEL) != (self.channel is not None):
            raise ValueError("a channel principal needs a channel, and only it has one")
        if (self.role is Role.CUSTOMER) != bool(self.customer_id):
            raise ValueError("a customer principal needs a customer id, and only it has one")
        if self.location_id and self.role not in LOCATION_SCOPED:
            raise ValueError("only fulfilment and inventory feed principals are bound to a location")
        if self.goodwill_limit_percent is not None and self.role is not Role.SERVICE_AGENT:
            raise ValueError("only service agents have a goodwill limit of their own")

    def acts_at(self, location_id: str) -> bool:
        """May it confirm work, receive returns or send stock at this location?"""
        return not self.location_id or self.location_id == location_id

    @property
    def sees_everything(self) -> bool:
        """Unscoped: every order and customer record (admins and service agents)."""
        return self.role is Role.ADMIN or self.role is Role.SERVICE_AGENT

    def sees_order(self, *, channel: Channel, customer_id: str) -> bool:
        if self.sees_everything:
            return True
        if self.role is Role.CHANNEL:
            return channel == self.channel
        if self.role is Role.CUSTOMER:
            return customer_id == self.customer_id
        return False

    def sees_customer(self, customer_id: str) -> bool:
        """Customer records, and later a customer's returns and invoices."""
        if self.sees_everything:
            return True
        return self.role is Role.CUSTOMER and customer_id == self.customer_id

    def sees_billing_of(self, customer_id: str) -> bool:
        """A customer's invoices, credit notes and receivables: finance sees every customer's."""
        return self.role is Role.FINANCE or self.sees_customer(customer_id)

    @property
    def controls_credit(self) -> bool:
        """May set a customer's credit line (credit control): admins and service agents,
        never a sales channel, whose orders the line would pay for."""
        return self.role is Role.ADMIN or self.role is Role.SERVICE_AGENT

    def places_orders_for(self, channel: Channel) -> bool:
        return self.role is Role.ADMIN or (self.role is Role.CHANNEL and channel == self.channel)

    @property
    def actor(self) -> str:
        """Who decided, as an order records it (``role:id``): an approval, a hold, a note, goodwill."""
        return f"{self.role.value}:{self.id}"

    def describe(self) -> str:
        """For the audit log and errors: role and id, never a credential."""
        bound = self.channel.value if self.channel else self.customer_id or self.location_id
        scope = f" {bound}" if bound else ""
        return f"{self.role.value}{scope} ({self.id})"


_CURRENT: contextvars.ContextVar[Principal | None] = contextvars.ContextVar("oms_principal", default=None)


def current_principal() -> Principal | None:
    """The principal of the call being served; None outside an authenticated call."""
    return _CURRENT.get()


def bind_principal(principal: Principal) -> contextvars.Token[Principal | None]:
    return _CURRENT.set(principal)


def unbind_principal(token: contextvars.Token[Principal | None]) -> None:
    _CURRENT.reset(token)
