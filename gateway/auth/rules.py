"""Who may call what: ONE table, keyed by full gRPC method name, default deny.

A method missing from the table is PERMISSION_DENIED for every caller, admin
included, with the same answer as any other refusal; a test walks every
method the server serves and fails for one without a rule, so whoever adds an
RPC decides here who may call it.

The table says which roles may call a method at all. What a scoped role then
sees (a channel's own orders, a customer's own orders and record) is decided
per item by ``Principal.sees_order`` / ``sees_customer`` in the servicers,
and anything outside that scope answers exactly as if it did not exist.

Health checking and reflection are open: load balancers and orchestrators
probe health without credentials, health says only "serving", and reflection
describes the API, whose .proto files are public in this repository anyway.
Neither reads or writes any data.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

from gateway.auth.principal import Role


@dataclass(frozen=True, kw_only=True)
class Rule:
    roles: frozenset[Role] = frozenset()
    public: bool = False  # no credentials needed (health, reflection)
    audit: bool = False  # every call, whatever its outcome, goes to the audit log
    # A repeated field of the request: the call costs one rate-limit token per item in it.
    per_item: str = ""


def allow(*roles: Role, audit: bool = False, per_item: str = "") -> Rule:
    """The roles that may call; admin may do everything, so it is in every rule."""
    return Rule(roles=frozenset({Role.ADMIN, *roles}), audit=audit, per_item=per_item)


PUBLIC = Rule(public=True)

ADMIN = Role.ADMIN
AGENT = Role.SERVICE_AGENT
CHANNEL = Role.CHANNEL
CUSTOMER = Role.CUSTOMER
FEED = Role.INVENTORY_FEED
FULFILMENT = Role.FULFILMENT
FINANCE = Role.FINANCE

_ORDERS = "/oms.v1.OrderService/"
_INVENTORY = "/oms.v1.InventoryService/"
_CUSTOMERS = "/oms.v1.CustomerService/"
_FULFILMENT = "/oms.v1.FulfilmentService/"
_RETURNS = "/oms.v1.ReturnService/"
_EVENTS = "/oms.v1.EventService/"
_GIFT_CARDS = "/oms.v1.GiftCardService/"
_BILLING = "/oms.v1.BillingService/"

RULES: Mapping[str, Rule] = MappingProxyType(
    {
        # Orders. A channel key places orders for its own channel only
        # (Principal.places_orders_for); reads are scoped (Principal.sees_order).
        _ORDERS + "CreateOrder": allow(CHANNEL),
        _ORDERS + "CreateOrders": allow(CHANNEL, per_item="orders"),
        _ORDERS + "GetOrder": allow(AGENT, CHANNEL, CUSTOMER),
        _ORDERS + "GetOrderHistory": allow(AGENT, CHANNEL, CUSTOMER),  # whoever sees the order
        _ORDERS + "ListOrders": allow(AGENT, CHANNEL, CUSTOMER),
        _ORDERS + "CountOrders": allow(AGENT, CHANNEL),  # a channel counts its own
        # A channel cancels its channel's orders (a marketplace's cancellation), a customer its
        # own ("cancel my order"); the gateway scopes both, anything else is an unknown order.
        _ORDERS + "CancelOrder": allow(AGENT, CHANNEL, CUSTOMER, audit=True),
        _ORDERS + "CancelOrderLines": allow(AGENT, CHANNEL, CUSTOMER, audit=True),
        _ORDERS + "ReviewOrder": allow(AGENT, audit=True),  # release or reject a held order
        _ORDERS + "HoldOrder": allow(AGENT, audit=True),  # stop an approved order before it ships
        _ORDERS + "GrantGoodwill": allow(AGENT, audit=True),  # money back without a return
        # The customer (or its channel, or an agent on the phone) pays a declined payment another way.
        _ORDERS + "ReplacePaymentInstrument": allow(AGENT, CHANNEL, CUSTOMER, audit=True),
        _ORDERS + "AddOrderNote": allow(AGENT),  # staff's notes; the customer reads those meant for it
        _ORDERS + "UpdateShippingAddress": allow(AGENT, CHANNEL, CUSTOMER, audit=True),  # scoped as cancelling
        _ORDERS + "RescheduleDelivery": allow(AGENT, CHANNEL, CUSTOMER, audit=True),  # scoped as cancelling
        # The rules that hold orders: reviewers and credit control read them, admins set them.
        _ORDERS + "GetRiskRules": allow(AGENT, FINANCE),
        _ORDERS + "SetRiskRules": allow(audit=True),
        # Returns: a customer (or the channel it buys in) asks; locations receive and
        # inspect, which restocks and refunds, so those are audited.
        _RETURNS + "RequestReturn": allow(AGENT, CHANNEL, CUSTOMER, audit=True),
        _RETURNS + "CancelReturn": allow(AGENT, CHANNEL, CUSTOMER, audit=True),  # whoever may ask for it
        _RETURNS + "TrackReturn": allow(AGENT, CHANNEL, CUSTOMER, audit=True),
        _RETURNS + "ReceiveReturn": allow(AGENT, FULFILMENT, audit=True),
        _RETURNS + "InspectReturn": allow(AGENT, FULFILMENT, audit=True),
        _RETURNS + "CompleteRepair": allow(AGENT, FULFILMENT, audit=True),  # where it was received, or service
        _RETURNS + "DeclareBeyondRepair": allow(AGENT, FULFILMENT, audit=True),  # the same: its money is the unit's price
        _RETURNS + "ListReturns": allow(AGENT, FULFILMENT),  # a returns desk's list (a bound key: its own)
        _RETURNS + "GetReturnsReport": allow(AGENT, FINANCE),  # counts over every channel: staff
        # Channels and customers show the deadline; only admins change it.
        _RETURNS + "GetReturnPolicy": allow(AGENT, CHANNEL, CUSTOMER, FULFILMENT),
        _RETURNS + "SetReturnPolicy": allow(audit=True),
        # The event stream, scoped per event like order reads (EventService._sees).
        _EVENTS + "WatchEvents": allow(AGENT, CHANNEL, CUSTOMER),
        # Gift cards: a channel sells them (and shows a balance at checkout), an agent
        # issues goodwill cards; issuing creates money, so it is audited.
        _GIFT_CARDS + "IssueGiftCard": allow(AGENT, CHANNEL, audit=True),
        _GIFT_CARDS + "GetGiftCard": allow(AGENT, CHANNEL),
        _GIFT_CARDS + "TopUpGiftCard": allow(AGENT, CHANNEL, audit=True),
        # Billing: documents are read like the orders they belong to (a customer its own, a
        # channel its channel's: BillingService._sees); what a customer owes on account is
        # its own business, finance's and service agents'. Money received is recorded by
        # finance only (not by agents, who also grant credit lines), and audited.
        _BILLING + "GetInvoice": allow(AGENT, CHANNEL, CUSTOMER, FINANCE),
        _BILLING + "GetCreditNote": allow(AGENT, CHANNEL, CUSTOMER, FINANCE),
        _BILLING + "ListReceivables": allow(AGENT, CUSTOMER, FINANCE),
        _BILLING + "RecordInvoicePayment": allow(FINANCE, audit=True),
        _BILLING + "GetReceivablesAging": allow(AGENT, FINANCE),  # every customer's debts: credit control
        # The tax rates orders may state: channels price with them, admins set them.
        _BILLING + "GetTaxRates": allow(AGENT, CHANNEL, FINANCE),
        _BILLING + "SetTaxRates": allow(audit=True),
        #
        # Fulfilment: a location's system (WMS, store) polls its work and confirms what left,
        # which captures payment and invoices, so confirmations are audited.
        _FULFILMENT + "ListFulfilmentRequests": allow(AGENT, FULFILMENT),
        _FULFILMENT + "ConfirmShipment": allow(FULFILMENT, audit=True),
        _FULFILMENT + "MarkReadyForPickup": allow(FULFILMENT, audit=True),
        _FULFILMENT + "ReportShortage": allow(FULFILMENT, audit=True),  # takes stock off the location
        _FULFILMENT + "ConfirmDelivery": allow(AGENT, FULFILMENT, audit=True),
        _FULFILMENT + "UpdateDeliveryEstimate": allow(AGENT, FULFILMENT, audit=True),  # a carrier's news
        _FULFILMENT + "ReportDeliveryFailure": allow(AGENT, FULFILMENT, audit=True),  # moves money and stock
        _FULFILMENT + "GetDeliveryReport": allow(AGENT, FINANCE, FULFILMENT),  # a location's key: its own figures
        #
        # The network, the catalogue and the routing rules: admins manage them.
        _INVENTORY + "UpsertLocations": allow(audit=True),
        _INVENTORY + "SetPublicHolidays": allow(audit=True),
        _INVENTORY + "UpsertProducts": allow(audit=True),
        _INVENTORY + "SetRoutingRules": allow(audit=True),
        _INVENTORY + "GetRoutingRules": allow(),
        # The catalogue (return terms at checkout, a style's variants to exchange for) and
        # the network (a store picker): for whoever works with orders or stock; costs and
        # capacity only for admins (services/inventory.py).
        _INVENTORY + "ListProducts": allow(AGENT, CHANNEL, FEED, FULFILMENT, FINANCE),
        _INVENTORY + "ListLocations": allow(AGENT, CHANNEL, FEED, FULFILMENT, FINANCE),
        _INVENTORY + "GetPublicHolidays": allow(AGENT, CHANNEL, FEED, FULFILMENT, FINANCE),
        _INVENTORY + "AuditStock": allow(),
        # Stock feeds: an inventory feed key sends them, and nothing else.
        _INVENTORY + "SetStock": allow(FEED),
        _INVENTORY + "StreamStockFeed": allow(FEED),
        _INVENTORY + "SetInboundSupply": allow(FEED),
        _INVENTORY + "ReceiveInboundSupply": allow(FEED),
        # Availability is what channels promise from; it is every company's stock,
        # so customer tokens do not read it (their app's backend, a channel, does).
        _INVENTORY + "GetAvailability": allow(AGENT, CHANNEL, FEED),
        # Customers have no owning channel (one record across channels), so a
        # channel registers the customers it sells to but reads none back; their
        # credit limits are service agents' to set (services/customers.py).
        _CUSTOMERS + "UpsertCustomer": allow(AGENT, CHANNEL),
        _CUSTOMERS + "GetCustomer": allow(AGENT, CUSTOMER),
        _CUSTOMERS + "GetCustomer360": allow(AGENT, CUSTOMER),
        _CUSTOMERS + "EraseCustomer": allow(audit=True),  # the right to erasure: admins (data protection)
        # The benchmarks' empty method (served only with --bench-empty) passes the same
        # checks as CreateOrder, so the ceiling it measures includes them.
        "/oms.bench.Bench/Empty": allow(*Role),
        "/oms.bench.Bench/Stats": allow(),
        "/grpc.health.v1.Health/Check": PUBLIC,
        "/grpc.health.v1.Health/Watch": PUBLIC,
        "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo": PUBLIC,
        "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo": PUBLIC,
    }
)

DENY = Rule()  # what a method missing from the table gets


def rule_for(method: str) -> Rule:
    return RULES.get(method, DENY)
