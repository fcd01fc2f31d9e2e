import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from protos.oms.v1 import common_pb2 as _common_pb2
from protos.oms.v1 import orders_pb2 as _orders_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ReceivableStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RECEIVABLE_STATUS_UNSPECIFIED: _ClassVar[ReceivableStatus]
    RECEIVABLE_STATUS_OPEN: _ClassVar[ReceivableStatus]
    RECEIVABLE_STATUS_OVERDUE: _ClassVar[ReceivableStatus]
    RECEIVABLE_STATUS_SETTLED: _ClassVar[ReceivableStatus]
RECEIVABLE_STATUS_UNSPECIFIED: ReceivableStatus
RECEIVABLE_STATUS_OPEN: ReceivableStatus
RECEIVABLE_STATUS_OVERDUE: ReceivableStatus
RECEIVABLE_STATUS_SETTLED: ReceivableStatus

class GetInvoiceRequest(_message.Message):
    __slots__ = ("number",)
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    number: str
    def __init__(self, number: _Optional[str] = ...) -> None: ...

class GetCreditNoteRequest(_message.Message):
    __slots__ = ("number",)
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    number: str
    def __init__(self, number: _Optional[str] = ...) -> None: ...

class DocumentLine(_message.Message):
    __slots__ = ("sku", "quantity", "unit_price", "line_total", "tax_rate_bps", "charge")
    SKU_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    UNIT_PRICE_FIELD_NUMBER: _ClassVar[int]
    LINE_TOTAL_FIELD_NUMBER: _ClassVar[int]
    TAX_RATE_BPS_FIELD_NUMBER: _ClassVar[int]
    CHARGE_FIELD_NUMBER: _ClassVar[int]
    sku: str
    quantity: int
    unit_price: _common_pb2.Money
    line_total: _common_pb2.Money
    tax_rate_bps: int
    charge: str
    def __init__(self, sku: _Optional[str] = ..., quantity: _Optional[int] = ..., unit_price: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., line_total: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., tax_rate_bps: _Optional[int] = ..., charge: _Optional[str] = ...) -> None: ...

class TaxAmount(_message.Message):
    __slots__ = ("rate_bps", "net", "tax", "gross")
    RATE_BPS_FIELD_NUMBER: _ClassVar[int]
    NET_FIELD_NUMBER: _ClassVar[int]
    TAX_FIELD_NUMBER: _ClassVar[int]
    GROSS_FIELD_NUMBER: _ClassVar[int]
    rate_bps: int
    net: _common_pb2.Money
    tax: _common_pb2.Money
    gross: _common_pb2.Money
    def __init__(self, rate_bps: _Optional[int] = ..., net: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., tax: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., gross: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...

class InvoicePayment(_message.Message):
    __slots__ = ("method", "capture_id", "amount")
    METHOD_FIELD_NUMBER: _ClassVar[int]
    CAPTURE_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    method: _orders_pb2.PaymentMethod
    capture_id: str
    amount: _common_pb2.Money
    def __init__(self, method: _Optional[_Union[_orders_pb2.PaymentMethod, str]] = ..., capture_id: _Optional[str] = ..., amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...

class Receivable(_message.Message):
    __slots__ = ("invoice_number", "order_id", "capture_id", "amount", "paid", "credited", "open", "issued_at", "due_at", "status")
    INVOICE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    CAPTURE_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    PAID_FIELD_NUMBER: _ClassVar[int]
    CREDITED_FIELD_NUMBER: _ClassVar[int]
    OPEN_FIELD_NUMBER: _ClassVar[int]
    ISSUED_AT_FIELD_NUMBER: _ClassVar[int]
    DUE_AT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    invoice_number: str
    order_id: str
    capture_id: str
    amount: _common_pb2.Money
    paid: _common_pb2.Money
    credited: _common_pb2.Money
    open: _common_pb2.Money
    issued_at: _timestamp_pb2.Timestamp
    due_at: _timestamp_pb2.Timestamp
    status: ReceivableStatus
    def __init__(self, invoice_number: _Optional[str] = ..., order_id: _Optional[str] = ..., capture_id: _Optional[str] = ..., amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., paid: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., credited: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., open: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., issued_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., status: _Optional[_Union[ReceivableStatus, str]] = ...) -> None: ...

class Invoice(_message.Message):
    __slots__ = ("number", "order_id", "shipment_id", "customer_id", "lines", "total", "issued_at", "payments", "credited", "receivables", "taxes", "net_total", "tax_total")
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    SHIPMENT_ID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    ISSUED_AT_FIELD_NUMBER: _ClassVar[int]
    PAYMENTS_FIELD_NUMBER: _ClassVar[int]
    CREDITED_FIELD_NUMBER: _ClassVar[int]
    RECEIVABLES_FIELD_NUMBER: _ClassVar[int]
    TAXES_FIELD_NUMBER: _ClassVar[int]
    NET_TOTAL_FIELD_NUMBER: _ClassVar[int]
    TAX_TOTAL_FIELD_NUMBER: _ClassVar[int]
    number: str
    order_id: str
    shipment_id: str
    customer_id: str
    lines: _containers.RepeatedCompositeFieldContainer[DocumentLine]
    total: _common_pb2.Money
    issued_at: _timestamp_pb2.Timestamp
    payments: _containers.RepeatedCompositeFieldContainer[InvoicePayment]
    credited: _common_pb2.Money
    receivables: _containers.RepeatedCompositeFieldContainer[Receivable]
    taxes: _containers.RepeatedCompositeFieldContainer[TaxAmount]
    net_total: _common_pb2.Money
    tax_total: _common_pb2.Money
    def __init__(self, number: _Optional[str] = ..., order_id: _Optional[str] = ..., shipment_id: _Optional[str] = ..., customer_id: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[DocumentLine, _Mapping]]] = ..., total: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., issued_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., payments: _Optional[_Iterable[_Union[InvoicePayment, _Mapping]]] = ..., credited: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., receivables: _Optional[_Iterable[_Union[Receivable, _Mapping]]] = ..., taxes: _Optional[_Iterable[_Union[TaxAmount, _Mapping]]] = ..., net_total: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., tax_total: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...

class CreditNote(_message.Message):
    __slots__ = ("number", "invoice_number", "order_id", "customer_id", "return_id", "lines", "total", "issued_at", "reason", "taxes", "net_total", "tax_total")
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    INVOICE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    RETURN_ID_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    ISSUED_AT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    TAXES_FIELD_NUMBER: _ClassVar[int]
    NET_TOTAL_FIELD_NUMBER: _ClassVar[int]
    TAX_TOTAL_FIELD_NUMBER: _ClassVar[int]
    number: str
    invoice_number: str
    order_id: str
    customer_id: str
    return_id: str
    lines: _containers.RepeatedCompositeFieldContainer[DocumentLine]
    total: _common_pb2.Money
    issued_at: _timestamp_pb2.Timestamp
    reason: str
    taxes: _containers.RepeatedCompositeFieldContainer[TaxAmount]
    net_total: _common_pb2.Money
    tax_total: _common_pb2.Money
    def __init__(self, number: _Optional[str] = ..., invoice_number: _Optional[str] = ..., order_id: _Optional[str] = ..., customer_id: _Optional[str] = ..., return_id: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[DocumentLine, _Mapping]]] = ..., total: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., issued_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., reason: _Optional[str] = ..., taxes: _Optional[_Iterable[_Union[TaxAmount, _Mapping]]] = ..., net_total: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., tax_total: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...

class ListReceivablesRequest(_message.Message):
    __slots__ = ("customer_id", "include_settled")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_SETTLED_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    include_settled: bool
    def __init__(self, customer_id: _Optional[str] = ..., include_settled: _Optional[bool] = ...) -> None: ...

class ListReceivablesResponse(_message.Message):
    __slots__ = ("customer_id", "receivables", "open_total", "overdue_total", "held", "credit_limit", "credit_available")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    RECEIVABLES_FIELD_NUMBER: _ClassVar[int]
    OPEN_TOTAL_FIELD_NUMBER: _ClassVar[int]
    OVERDUE_TOTAL_FIELD_NUMBER: _ClassVar[int]
    HELD_FIELD_NUMBER: _ClassVar[int]
    CREDIT_LIMIT_FIELD_NUMBER: _ClassVar[int]
    CREDIT_AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    receivables: _containers.RepeatedCompositeFieldContainer[Receivable]
    open_total: _common_pb2.Money
    overdue_total: _common_pb2.Money
    held: _common_pb2.Money
    credit_limit: _common_pb2.Money
    credit_available: _common_pb2.Money
    def __init__(self, customer_id: _Optional[str] = ..., receivables: _Optional[_Iterable[_Union[Receivable, _Mapping]]] = ..., open_total: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., overdue_total: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., held: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., credit_limit: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., credit_available: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...

class GetReceivablesAgingRequest(_message.Message):
    __slots__ = ("limit", "page_token")
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    limit: int
    page_token: str
    def __init__(self, limit: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class AgingBuckets(_message.Message):
    __slots__ = ("not_due", "days_1_to_30", "days_31_to_60", "days_61_to_90", "over_90_days", "past_due", "total")
    NOT_DUE_FIELD_NUMBER: _ClassVar[int]
    DAYS_1_TO_30_FIELD_NUMBER: _ClassVar[int]
    DAYS_31_TO_60_FIELD_NUMBER: _ClassVar[int]
    DAYS_61_TO_90_FIELD_NUMBER: _ClassVar[int]
    OVER_90_DAYS_FIELD_NUMBER: _ClassVar[int]
    PAST_DUE_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    not_due: _common_pb2.Money
    days_1_to_30: _common_pb2.Money
    days_31_to_60: _common_pb2.Money
    days_61_to_90: _common_pb2.Money
    over_90_days: _common_pb2.Money
    past_due: _common_pb2.Money
    total: _common_pb2.Money
    def __init__(self, not_due: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., days_1_to_30: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., days_31_to_60: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., days_61_to_90: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., over_90_days: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., past_due: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., total: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...

class CustomerAging(_message.Message):
    __slots__ = ("customer_id", "amounts", "open_receivables", "oldest_due")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNTS_FIELD_NUMBER: _ClassVar[int]
    OPEN_RECEIVABLES_FIELD_NUMBER: _ClassVar[int]
    OLDEST_DUE_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    amounts: AgingBuckets
    open_receivables: int
    oldest_due: _timestamp_pb2.Timestamp
    def __init__(self, customer_id: _Optional[str] = ..., amounts: _Optional[_Union[AgingBuckets, _Mapping]] = ..., open_receivables: _Optional[int] = ..., oldest_due: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetReceivablesAgingResponse(_message.Message):
    __slots__ = ("as_of", "customers", "customer_count", "totals", "next_page_token")
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    CUSTOMERS_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_COUNT_FIELD_NUMBER: _ClassVar[int]
    TOTALS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    as_of: _timestamp_pb2.Timestamp
    customers: _containers.RepeatedCompositeFieldContainer[CustomerAging]
    customer_count: int
    totals: _containers.RepeatedCompositeFieldContainer[AgingBuckets]
    next_page_token: str
    def __init__(self, as_of: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., customers: _Optional[_Iterable[_Union[CustomerAging, _Mapping]]] = ..., customer_count: _Optional[int] = ..., totals: _Optional[_Iterable[_Union[AgingBuckets, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class RecordInvoicePaymentRequest(_message.Message):
    __slots__ = ("idempotency_key", "invoice_number", "amount", "received_at")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    INVOICE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    RECEIVED_AT_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    invoice_number: str
    amount: _common_pb2.Money
    received_at: _timestamp_pb2.Timestamp
    def __init__(self, idempotency_key: _Optional[str] = ..., invoice_number: _Optional[str] = ..., amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., received_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RecordInvoicePaymentResponse(_message.Message):
    __slots__ = ("payment_id", "replayed", "invoice", "released_orders")
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    INVOICE_FIELD_NUMBER: _ClassVar[int]
    RELEASED_ORDERS_FIELD_NUMBER: _ClassVar[int]
    payment_id: str
    replayed: bool
    invoice: Invoice
    released_orders: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, payment_id: _Optional[str] = ..., replayed: _Optional[bool] = ..., invoice: _Optional[_Union[Invoice, _Mapping]] = ..., released_orders: _Optional[_Iterable[str]] = ...) -> None: ...

class CountryTaxRates(_message.Message):
    __slots__ = ("country_code", "rates_bps")
    COUNTRY_CODE_FIELD_NUMBER: _ClassVar[int]
    RATES_BPS_FIELD_NUMBER: _ClassVar[int]
    country_code: str
    rates_bps: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, country_code: _Optional[str] = ..., rates_bps: _Optional[_Iterable[int]] = ...) -> None: ...

class TaxRates(_message.Message):
    __slots__ = ("countries", "version")
    COUNTRIES_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    countries: _containers.RepeatedCompositeFieldContainer[CountryTaxRates]
    version: int
    def __init__(self, countries: _Optional[_Iterable[_Union[CountryTaxRates, _Mapping]]] = ..., version: _Optional[int] = ...) -> None: ...

class GetTaxRatesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class SetTaxRatesRequest(_message.Message):
    __slots__ = ("rates", "expected_version")
    RATES_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    rates: TaxRates
    expected_version: int
    def __init__(self, rates: _Optional[_Union[TaxRates, _Mapping]] = ..., expected_version: _Optional[int] = ...) -> None: ...
