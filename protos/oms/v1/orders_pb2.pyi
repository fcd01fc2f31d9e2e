import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.rpc import status_pb2 as _status_pb2
from protos.oms.v1 import common_pb2 as _common_pb2
from protos.oms.v1 import events_pb2 as _events_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PaymentMethod(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PAYMENT_METHOD_UNSPECIFIED: _ClassVar[PaymentMethod]
    PAYMENT_METHOD_CARD: _ClassVar[PaymentMethod]
    PAYMENT_METHOD_GIFT_CARD: _ClassVar[PaymentMethod]
    PAYMENT_METHOD_STORE_CREDIT: _ClassVar[PaymentMethod]
    PAYMENT_METHOD_INVOICE: _ClassVar[PaymentMethod]
    PAYMENT_METHOD_CASH_ON_DELIVERY: _ClassVar[PaymentMethod]
    PAYMENT_METHOD_CASH_IN_STORE: _ClassVar[PaymentMethod]

class OrderView(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ORDER_VIEW_UNSPECIFIED: _ClassVar[OrderView]
    ORDER_VIEW_FULL: _ClassVar[OrderView]
    ORDER_VIEW_BASIC: _ClassVar[OrderView]

class OrderStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ORDER_STATUS_UNSPECIFIED: _ClassVar[OrderStatus]
    ORDER_STATUS_ACCEPTED: _ClassVar[OrderStatus]
    ORDER_STATUS_ALLOCATED: _ClassVar[OrderStatus]
    ORDER_STATUS_PARTLY_BACKORDERED: _ClassVar[OrderStatus]
    ORDER_STATUS_BACKORDERED: _ClassVar[OrderStatus]
    ORDER_STATUS_CANCELLED: _ClassVar[OrderStatus]
    ORDER_STATUS_ON_HOLD: _ClassVar[OrderStatus]
    ORDER_STATUS_REJECTED: _ClassVar[OrderStatus]
    ORDER_STATUS_RELEASED: _ClassVar[OrderStatus]
    ORDER_STATUS_PARTLY_SHIPPED: _ClassVar[OrderStatus]
    ORDER_STATUS_SHIPPED: _ClassVar[OrderStatus]
    ORDER_STATUS_DELIVERED: _ClassVar[OrderStatus]
    ORDER_STATUS_CLOSED: _ClassVar[OrderStatus]
    ORDER_STATUS_UNDELIVERED: _ClassVar[OrderStatus]

class LineStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LINE_STATUS_UNSPECIFIED: _ClassVar[LineStatus]
    LINE_STATUS_ACCEPTED: _ClassVar[LineStatus]
    LINE_STATUS_ALLOCATED: _ClassVar[LineStatus]
    LINE_STATUS_PARTLY_BACKORDERED: _ClassVar[LineStatus]
    LINE_STATUS_BACKORDERED: _ClassVar[LineStatus]
    LINE_STATUS_CANCELLED: _ClassVar[LineStatus]
    LINE_STATUS_RELEASED: _ClassVar[LineStatus]
    LINE_STATUS_PARTLY_SHIPPED: _ClassVar[LineStatus]
    LINE_STATUS_SHIPPED: _ClassVar[LineStatus]
    LINE_STATUS_DELIVERED: _ClassVar[LineStatus]
    LINE_STATUS_UNDELIVERED: _ClassVar[LineStatus]

class ApprovalStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    APPROVAL_STATUS_UNSPECIFIED: _ClassVar[ApprovalStatus]
    APPROVAL_STATUS_PENDING: _ClassVar[ApprovalStatus]
    APPROVAL_STATUS_APPROVED: _ClassVar[ApprovalStatus]
    APPROVAL_STATUS_HELD: _ClassVar[ApprovalStatus]
    APPROVAL_STATUS_REJECTED: _ClassVar[ApprovalStatus]

class PaymentStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PAYMENT_STATUS_UNSPECIFIED: _ClassVar[PaymentStatus]
    PAYMENT_STATUS_PENDING: _ClassVar[PaymentStatus]
    PAYMENT_STATUS_AUTHORIZED: _ClassVar[PaymentStatus]
    PAYMENT_STATUS_DECLINED: _ClassVar[PaymentStatus]
    PAYMENT_STATUS_PARTLY_CAPTURED: _ClassVar[PaymentStatus]
    PAYMENT_STATUS_CAPTURED: _ClassVar[PaymentStatus]
    PAYMENT_STATUS_VOIDED: _ClassVar[PaymentStatus]

class ShipmentStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SHIPMENT_STATUS_UNSPECIFIED: _ClassVar[ShipmentStatus]
    SHIPMENT_STATUS_SHIPPED: _ClassVar[ShipmentStatus]
    SHIPMENT_STATUS_DELIVERED: _ClassVar[ShipmentStatus]
    SHIPMENT_STATUS_RETURNED: _ClassVar[ShipmentStatus]
    SHIPMENT_STATUS_LOST: _ClassVar[ShipmentStatus]

class UndeliveredReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    UNDELIVERED_REASON_UNSPECIFIED: _ClassVar[UndeliveredReason]
    UNDELIVERED_REASON_REFUSED: _ClassVar[UndeliveredReason]
    UNDELIVERED_REASON_ADDRESS_UNKNOWN: _ClassVar[UndeliveredReason]
    UNDELIVERED_REASON_NOT_COLLECTED: _ClassVar[UndeliveredReason]
    UNDELIVERED_REASON_DAMAGED_IN_TRANSIT: _ClassVar[UndeliveredReason]
    UNDELIVERED_REASON_OTHER: _ClassVar[UndeliveredReason]
    UNDELIVERED_REASON_LOST: _ClassVar[UndeliveredReason]

class ReleaseWait(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RELEASE_WAIT_UNSPECIFIED: _ClassVar[ReleaseWait]
    RELEASE_WAIT_ASSESSMENT: _ClassVar[ReleaseWait]
    RELEASE_WAIT_REVIEW: _ClassVar[ReleaseWait]
    RELEASE_WAIT_RETURN: _ClassVar[ReleaseWait]
    RELEASE_WAIT_PAYMENT: _ClassVar[ReleaseWait]
    RELEASE_WAIT_STOCK: _ClassVar[ReleaseWait]
    RELEASE_WAIT_SUPPLY: _ClassVar[ReleaseWait]
    RELEASE_WAIT_ONE_PARCEL: _ClassVar[ReleaseWait]
    RELEASE_WAIT_DELIVERY_DAY: _ClassVar[ReleaseWait]

class ReturnStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RETURN_STATUS_UNSPECIFIED: _ClassVar[ReturnStatus]
    RETURN_STATUS_AUTHORIZED: _ClassVar[ReturnStatus]
    RETURN_STATUS_RECEIVED: _ClassVar[ReturnStatus]
    RETURN_STATUS_INSPECTED: _ClassVar[ReturnStatus]
    RETURN_STATUS_RESOLVED: _ClassVar[ReturnStatus]
    RETURN_STATUS_EXPIRED: _ClassVar[ReturnStatus]
    RETURN_STATUS_CANCELLED: _ClassVar[ReturnStatus]

class ReturnReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RETURN_REASON_UNSPECIFIED: _ClassVar[ReturnReason]
    RETURN_REASON_DOES_NOT_FIT: _ClassVar[ReturnReason]
    RETURN_REASON_NOT_AS_DESCRIBED: _ClassVar[ReturnReason]
    RETURN_REASON_DAMAGED: _ClassVar[ReturnReason]
    RETURN_REASON_DEFECTIVE: _ClassVar[ReturnReason]
    RETURN_REASON_WRONG_ITEM: _ClassVar[ReturnReason]
    RETURN_REASON_CHANGED_MIND: _ClassVar[ReturnReason]
    RETURN_REASON_ARRIVED_LATE: _ClassVar[ReturnReason]
    RETURN_REASON_OTHER: _ClassVar[ReturnReason]
    RETURN_REASON_UNDELIVERED: _ClassVar[ReturnReason]

class ReturnResolution(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RETURN_RESOLUTION_UNSPECIFIED: _ClassVar[ReturnResolution]
    RETURN_RESOLUTION_REFUND: _ClassVar[ReturnResolution]
    RETURN_RESOLUTION_STORE_CREDIT: _ClassVar[ReturnResolution]
    RETURN_RESOLUTION_REPLACEMENT: _ClassVar[ReturnResolution]
    RETURN_RESOLUTION_REPAIR: _ClassVar[ReturnResolution]
    RETURN_RESOLUTION_EXCHANGE: _ClassVar[ReturnResolution]

class ReviewDecision(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REVIEW_DECISION_UNSPECIFIED: _ClassVar[ReviewDecision]
    REVIEW_DECISION_APPROVE: _ClassVar[ReviewDecision]
    REVIEW_DECISION_REJECT: _ClassVar[ReviewDecision]
PAYMENT_METHOD_UNSPECIFIED: PaymentMethod
PAYMENT_METHOD_CARD: PaymentMethod
PAYMENT_METHOD_GIFT_CARD: PaymentMethod
PAYMENT_METHOD_STORE_CREDIT: PaymentMethod
PAYMENT_METHOD_INVOICE: PaymentMethod
PAYMENT_METHOD_CASH_ON_DELIVERY: PaymentMethod
PAYMENT_METHOD_CASH_IN_STORE: PaymentMethod
ORDER_VIEW_UNSPECIFIED: OrderView
ORDER_VIEW_FULL: OrderView
ORDER_VIEW_BASIC: OrderView
ORDER_STATUS_UNSPECIFIED: OrderStatus
ORDER_STATUS_ACCEPTED: OrderStatus
ORDER_STATUS_ALLOCATED: OrderStatus
ORDER_STATUS_PARTLY_BACKORDERED: OrderStatus
ORDER_STATUS_BACKORDERED: OrderStatus
ORDER_STATUS_CANCELLED: OrderStatus
ORDER_STATUS_ON_HOLD: OrderStatus
ORDER_STATUS_REJECTED: OrderStatus
ORDER_STATUS_RELEASED: OrderStatus
ORDER_STATUS_PARTLY_SHIPPED: OrderStatus
ORDER_STATUS_SHIPPED: OrderStatus
ORDER_STATUS_DELIVERED: OrderStatus
ORDER_STATUS_CLOSED: OrderStatus
ORDER_STATUS_UNDELIVERED: OrderStatus
LINE_STATUS_UNSPECIFIED: LineStatus
LINE_STATUS_ACCEPTED: LineStatus
LINE_STATUS_ALLOCATED: LineStatus
LINE_STATUS_PARTLY_BACKORDERED: LineStatus
LINE_STATUS_BACKORDERED: LineStatus
LINE_STATUS_CANCELLED: LineStatus
LINE_STATUS_RELEASED: LineStatus
LINE_STATUS_PARTLY_SHIPPED: LineStatus
LINE_STATUS_SHIPPED: LineStatus
LINE_STATUS_DELIVERED: LineStatus
LINE_STATUS_UNDELIVERED: LineStatus
APPROVAL_STATUS_UNSPECIFIED: ApprovalStatus
APPROVAL_STATUS_PENDING: ApprovalStatus
APPROVAL_STATUS_APPROVED: ApprovalStatus
APPROVAL_STATUS_HELD: ApprovalStatus
APPROVAL_STATUS_REJECTED: ApprovalStatus
PAYMENT_STATUS_UNSPECIFIED: PaymentStatus
PAYMENT_STATUS_PENDING: PaymentStatus
PAYMENT_STATUS_AUTHORIZED: PaymentStatus
PAYMENT_STATUS_DECLINED: PaymentStatus
PAYMENT_STATUS_PARTLY_CAPTURED: PaymentStatus
PAYMENT_STATUS_CAPTURED: PaymentStatus
PAYMENT_STATUS_VOIDED: PaymentStatus
SHIPMENT_STATUS_UNSPECIFIED: ShipmentStatus
SHIPMENT_STATUS_SHIPPED: ShipmentStatus
SHIPMENT_STATUS_DELIVERED: ShipmentStatus
SHIPMENT_STATUS_RETURNED: ShipmentStatus
SHIPMENT_STATUS_LOST: ShipmentStatus
UNDELIVERED_REASON_UNSPECIFIED: UndeliveredReason
UNDELIVERED_REASON_REFUSED: UndeliveredReason
UNDELIVERED_REASON_ADDRESS_UNKNOWN: UndeliveredReason
UNDELIVERED_REASON_NOT_COLLECTED: UndeliveredReason
UNDELIVERED_REASON_DAMAGED_IN_TRANSIT: UndeliveredReason
UNDELIVERED_REASON_OTHER: UndeliveredReason
UNDELIVERED_REASON_LOST: UndeliveredReason
RELEASE_WAIT_UNSPECIFIED: ReleaseWait
RELEASE_WAIT_ASSESSMENT: ReleaseWait
RELEASE_WAIT_REVIEW: ReleaseWait
RELEASE_WAIT_RETURN: ReleaseWait
RELEASE_WAIT_PAYMENT: ReleaseWait
RELEASE_WAIT_STOCK: ReleaseWait
RELEASE_WAIT_SUPPLY: ReleaseWait
RELEASE_WAIT_ONE_PARCEL: ReleaseWait
RELEASE_WAIT_DELIVERY_DAY: ReleaseWait
RETURN_STATUS_UNSPECIFIED: ReturnStatus
RETURN_STATUS_AUTHORIZED: ReturnStatus
RETURN_STATUS_RECEIVED: ReturnStatus
RETURN_STATUS_INSPECTED: ReturnStatus
RETURN_STATUS_RESOLVED: ReturnStatus
RETURN_STATUS_EXPIRED: ReturnStatus
RETURN_STATUS_CANCELLED: ReturnStatus
RETURN_REASON_UNSPECIFIED: ReturnReason
RETURN_REASON_DOES_NOT_FIT: ReturnReason
RETURN_REASON_NOT_AS_DESCRIBED: ReturnReason
RETURN_REASON_DAMAGED: ReturnReason
RETURN_REASON_DEFECTIVE: ReturnReason
RETURN_REASON_WRONG_ITEM: ReturnReason
RETURN_REASON_CHANGED_MIND: ReturnReason
RETURN_REASON_ARRIVED_LATE: ReturnReason
RETURN_REASON_OTHER: ReturnReason
RETURN_REASON_UNDELIVERED: ReturnReason
RETURN_RESOLUTION_UNSPECIFIED: ReturnResolution
RETURN_RESOLUTION_REFUND: ReturnResolution
RETURN_RESOLUTION_STORE_CREDIT: ReturnResolution
RETURN_RESOLUTION_REPLACEMENT: ReturnResolution
RETURN_RESOLUTION_REPAIR: ReturnResolution
RETURN_RESOLUTION_EXCHANGE: ReturnResolution
REVIEW_DECISION_UNSPECIFIED: ReviewDecision
REVIEW_DECISION_APPROVE: ReviewDecision
REVIEW_DECISION_REJECT: ReviewDecision

class ReplacePaymentInstrumentRequest(_message.Message):
    __slots__ = ("order_id", "payment_id", "token", "method")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    payment_id: str
    token: str
    method: PaymentMethod
    def __init__(self, order_id: _Optional[str] = ..., payment_id: _Optional[str] = ..., token: _Optional[str] = ..., method: _Optional[_Union[PaymentMethod, str]] = ...) -> None: ...

class PaymentInstruction(_message.Message):
    __slots__ = ("method", "amount", "token", "token_hint")
    METHOD_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOKEN_HINT_FIELD_NUMBER: _ClassVar[int]
    method: PaymentMethod
    amount: _common_pb2.Money
    token: str
    token_hint: str
    def __init__(self, method: _Optional[_Union[PaymentMethod, str]] = ..., amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., token: _Optional[str] = ..., token_hint: _Optional[str] = ...) -> None: ...

class OrderLineInput(_message.Message):
    __slots__ = ("sku", "quantity", "unit_price", "tax_rate_bps")
    SKU_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    UNIT_PRICE_FIELD_NUMBER: _ClassVar[int]
    TAX_RATE_BPS_FIELD_NUMBER: _ClassVar[int]
    sku: str
    quantity: int
    unit_price: _common_pb2.Money
    tax_rate_bps: int
    def __init__(self, sku: _Optional[str] = ..., quantity: _Optional[int] = ..., unit_price: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., tax_rate_bps: _Optional[int] = ...) -> None: ...

class CreateOrderRequest(_message.Message):
    __slots__ = ("channel", "idempotency_key", "customer_id", "lines", "delivery_mode", "ship_to", "pickup_location_id", "payments", "external_reference", "shipping", "deliver_by", "shipping_service", "ship_complete", "deliver_from")
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_MODE_FIELD_NUMBER: _ClassVar[int]
    SHIP_TO_FIELD_NUMBER: _ClassVar[int]
    PICKUP_LOCATION_ID_FIELD_NUMBER: _ClassVar[int]
    PAYMENTS_FIELD_NUMBER: _ClassVar[int]
    EXTERNAL_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    SHIPPING_FIELD_NUMBER: _ClassVar[int]
    DELIVER_BY_FIELD_NUMBER: _ClassVar[int]
    SHIPPING_SERVICE_FIELD_NUMBER: _ClassVar[int]
    SHIP_COMPLETE_FIELD_NUMBER: _ClassVar[int]
    DELIVER_FROM_FIELD_NUMBER: _ClassVar[int]
    channel: _common_pb2.Channel
    idempotency_key: str
    customer_id: str
    lines: _containers.RepeatedCompositeFieldContainer[OrderLineInput]
    delivery_mode: _common_pb2.DeliveryMode
    ship_to: _common_pb2.Address
    pickup_location_id: str
    payments: _containers.RepeatedCompositeFieldContainer[PaymentInstruction]
    external_reference: str
    shipping: ShippingCharge
    deliver_by: _timestamp_pb2.Timestamp
    shipping_service: str
    ship_complete: bool
    deliver_from: _timestamp_pb2.Timestamp
    def __init__(self, channel: _Optional[_Union[_common_pb2.Channel, str]] = ..., idempotency_key: _Optional[str] = ..., customer_id: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[OrderLineInput, _Mapping]]] = ..., delivery_mode: _Optional[_Union[_common_pb2.DeliveryMode, str]] = ..., ship_to: _Optional[_Union[_common_pb2.Address, _Mapping]] = ..., pickup_location_id: _Optional[str] = ..., payments: _Optional[_Iterable[_Union[PaymentInstruction, _Mapping]]] = ..., external_reference: _Optional[str] = ..., shipping: _Optional[_Union[ShippingCharge, _Mapping]] = ..., deliver_by: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., shipping_service: _Optional[str] = ..., ship_complete: _Optional[bool] = ..., deliver_from: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ShippingCharge(_message.Message):
    __slots__ = ("amount", "tax_rate_bps")
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    TAX_RATE_BPS_FIELD_NUMBER: _ClassVar[int]
    amount: _common_pb2.Money
    tax_rate_bps: int
    def __init__(self, amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., tax_rate_bps: _Optional[int] = ...) -> None: ...

class CreateOrderResponse(_message.Message):
    __slots__ = ("order", "replayed")
    ORDER_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    order: Order
    replayed: bool
    def __init__(self, order: _Optional[_Union[Order, _Mapping]] = ..., replayed: _Optional[bool] = ...) -> None: ...

class CreateOrdersRequest(_message.Message):
    __slots__ = ("orders", "view")
    ORDERS_FIELD_NUMBER: _ClassVar[int]
    VIEW_FIELD_NUMBER: _ClassVar[int]
    orders: _containers.RepeatedCompositeFieldContainer[CreateOrderRequest]
    view: OrderView
    def __init__(self, orders: _Optional[_Iterable[_Union[CreateOrderRequest, _Mapping]]] = ..., view: _Optional[_Union[OrderView, str]] = ...) -> None: ...

class CreateOrderResult(_message.Message):
    __slots__ = ("order", "error", "replayed")
    ORDER_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    order: Order
    error: _status_pb2.Status
    replayed: bool
    def __init__(self, order: _Optional[_Union[Order, _Mapping]] = ..., error: _Optional[_Union[_status_pb2.Status, _Mapping]] = ..., replayed: _Optional[bool] = ...) -> None: ...

class CreateOrdersResponse(_message.Message):
    __slots__ = ("results",)
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[CreateOrderResult]
    def __init__(self, results: _Optional[_Iterable[_Union[CreateOrderResult, _Mapping]]] = ...) -> None: ...

class Approval(_message.Message):
    __slots__ = ("status", "reasons", "decided_by", "decided_at")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    REASONS_FIELD_NUMBER: _ClassVar[int]
    DECIDED_BY_FIELD_NUMBER: _ClassVar[int]
    DECIDED_AT_FIELD_NUMBER: _ClassVar[int]
    status: ApprovalStatus
    reasons: _containers.RepeatedScalarFieldContainer[str]
    decided_by: str
    decided_at: _timestamp_pb2.Timestamp
    def __init__(self, status: _Optional[_Union[ApprovalStatus, str]] = ..., reasons: _Optional[_Iterable[str]] = ..., decided_by: _Optional[str] = ..., decided_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Payment(_message.Message):
    __slots__ = ("payment_id", "method", "amount", "status", "authorized", "captured", "refunded", "token_hint", "declined_reason", "authorization_expires_at", "authorization_reference")
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    AUTHORIZED_FIELD_NUMBER: _ClassVar[int]
    CAPTURED_FIELD_NUMBER: _ClassVar[int]
    REFUNDED_FIELD_NUMBER: _ClassVar[int]
    TOKEN_HINT_FIELD_NUMBER: _ClassVar[int]
    DECLINED_REASON_FIELD_NUMBER: _ClassVar[int]
    AUTHORIZATION_EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    AUTHORIZATION_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    payment_id: str
    method: PaymentMethod
    amount: _common_pb2.Money
    status: PaymentStatus
    authorized: _common_pb2.Money
    captured: _common_pb2.Money
    refunded: _common_pb2.Money
    token_hint: str
    declined_reason: str
    authorization_expires_at: _timestamp_pb2.Timestamp
    authorization_reference: str
    def __init__(self, payment_id: _Optional[str] = ..., method: _Optional[_Union[PaymentMethod, str]] = ..., amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., status: _Optional[_Union[PaymentStatus, str]] = ..., authorized: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., captured: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., refunded: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., token_hint: _Optional[str] = ..., declined_reason: _Optional[str] = ..., authorization_expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., authorization_reference: _Optional[str] = ...) -> None: ...

class ShipmentLine(_message.Message):
    __slots__ = ("line_number", "quantity")
    LINE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    line_number: int
    quantity: int
    def __init__(self, line_number: _Optional[int] = ..., quantity: _Optional[int] = ...) -> None: ...

class Shipment(_message.Message):
    __slots__ = ("shipment_id", "location_id", "lines", "status", "carrier", "tracking", "value", "invoice_number", "shipped_at", "delivered_at", "shipping", "estimated_delivery", "estimate_reason", "shipping_service", "returned_at", "undelivered_reason")
    SHIPMENT_ID_FIELD_NUMBER: _ClassVar[int]
    LOCATION_ID_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CARRIER_FIELD_NUMBER: _ClassVar[int]
    TRACKING_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    INVOICE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    SHIPPED_AT_FIELD_NUMBER: _ClassVar[int]
    DELIVERED_AT_FIELD_NUMBER: _ClassVar[int]
    SHIPPING_FIELD_NUMBER: _ClassVar[int]
    ESTIMATED_DELIVERY_FIELD_NUMBER: _ClassVar[int]
    ESTIMATE_REASON_FIELD_NUMBER: _ClassVar[int]
    SHIPPING_SERVICE_FIELD_NUMBER: _ClassVar[int]
    RETURNED_AT_FIELD_NUMBER: _ClassVar[int]
    UNDELIVERED_REASON_FIELD_NUMBER: _ClassVar[int]
    shipment_id: str
    location_id: str
    lines: _containers.RepeatedCompositeFieldContainer[ShipmentLine]
    status: ShipmentStatus
    carrier: str
    tracking: str
    value: _common_pb2.Money
    invoice_number: str
    shipped_at: _timestamp_pb2.Timestamp
    delivered_at: _timestamp_pb2.Timestamp
    shipping: _common_pb2.Money
    estimated_delivery: _timestamp_pb2.Timestamp
    estimate_reason: str
    shipping_service: str
    returned_at: _timestamp_pb2.Timestamp
    undelivered_reason: UndeliveredReason
    def __init__(self, shipment_id: _Optional[str] = ..., location_id: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[ShipmentLine, _Mapping]]] = ..., status: _Optional[_Union[ShipmentStatus, str]] = ..., carrier: _Optional[str] = ..., tracking: _Optional[str] = ..., value: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., invoice_number: _Optional[str] = ..., shipped_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., delivered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., shipping: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., estimated_delivery: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., estimate_reason: _Optional[str] = ..., shipping_service: _Optional[str] = ..., returned_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., undelivered_reason: _Optional[_Union[UndeliveredReason, str]] = ...) -> None: ...

class Allocation(_message.Message):
    __slots__ = ("location_id", "quantity", "expected_on")
    LOCATION_ID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_ON_FIELD_NUMBER: _ClassVar[int]
    location_id: str
    quantity: int
    expected_on: _timestamp_pb2.Timestamp
    def __init__(self, location_id: _Optional[str] = ..., quantity: _Optional[int] = ..., expected_on: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class OrderLine(_message.Message):
    __slots__ = ("line_number", "sku", "quantity", "unit_price", "line_total", "status", "allocations", "backordered_quantity", "released", "shipped", "delivered_quantity", "cancelled_quantity", "promised_quantity", "tax_rate_bps", "return_by", "final_sale", "return_window_days", "promised_delivery", "estimated_delivery", "delivery_late", "undelivered_quantity")
    LINE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    SKU_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    UNIT_PRICE_FIELD_NUMBER: _ClassVar[int]
    LINE_TOTAL_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ALLOCATIONS_FIELD_NUMBER: _ClassVar[int]
    BACKORDERED_QUANTITY_FIELD_NUMBER: _ClassVar[int]
    RELEASED_FIELD_NUMBER: _ClassVar[int]
    SHIPPED_FIELD_NUMBER: _ClassVar[int]
    DELIVERED_QUANTITY_FIELD_NUMBER: _ClassVar[int]
    CANCELLED_QUANTITY_FIELD_NUMBER: _ClassVar[int]
    PROMISED_QUANTITY_FIELD_NUMBER: _ClassVar[int]
    TAX_RATE_BPS_FIELD_NUMBER: _ClassVar[int]
    RETURN_BY_FIELD_NUMBER: _ClassVar[int]
    FINAL_SALE_FIELD_NUMBER: _ClassVar[int]
    RETURN_WINDOW_DAYS_FIELD_NUMBER: _ClassVar[int]
    PROMISED_DELIVERY_FIELD_NUMBER: _ClassVar[int]
    ESTIMATED_DELIVERY_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_LATE_FIELD_NUMBER: _ClassVar[int]
    UNDELIVERED_QUANTITY_FIELD_NUMBER: _ClassVar[int]
    line_number: int
    sku: str
    quantity: int
    unit_price: _common_pb2.Money
    line_total: _common_pb2.Money
    status: LineStatus
    allocations: _containers.RepeatedCompositeFieldContainer[Allocation]
    backordered_quantity: int
    released: _containers.RepeatedCompositeFieldContainer[Allocation]
    shipped: _containers.RepeatedCompositeFieldContainer[Allocation]
    delivered_quantity: int
    cancelled_quantity: int
    promised_quantity: int
    tax_rate_bps: int
    return_by: _timestamp_pb2.Timestamp
    final_sale: bool
    return_window_days: int
    promised_delivery: _timestamp_pb2.Timestamp
    estimated_delivery: _timestamp_pb2.Timestamp
    delivery_late: bool
    undelivered_quantity: int
    def __init__(self, line_number: _Optional[int] = ..., sku: _Optional[str] = ..., quantity: _Optional[int] = ..., unit_price: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., line_total: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., status: _Optional[_Union[LineStatus, str]] = ..., allocations: _Optional[_Iterable[_Union[Allocation, _Mapping]]] = ..., backordered_quantity: _Optional[int] = ..., released: _Optional[_Iterable[_Union[Allocation, _Mapping]]] = ..., shipped: _Optional[_Iterable[_Union[Allocation, _Mapping]]] = ..., delivered_quantity: _Optional[int] = ..., cancelled_quantity: _Optional[int] = ..., promised_quantity: _Optional[int] = ..., tax_rate_bps: _Optional[int] = ..., return_by: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., final_sale: _Optional[bool] = ..., return_window_days: _Optional[int] = ..., promised_delivery: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., estimated_delivery: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., delivery_late: _Optional[bool] = ..., undelivered_quantity: _Optional[int] = ...) -> None: ...

class SourcingExplanation(_message.Message):
    __slots__ = ("status", "cost_minor", "unit_cost_minor", "shipment_cost_minor", "unfilled_cost_minor", "bound_minor", "greedy_cost_minor", "solver", "shipments", "late_cost_minor")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    COST_MINOR_FIELD_NUMBER: _ClassVar[int]
    UNIT_COST_MINOR_FIELD_NUMBER: _ClassVar[int]
    SHIPMENT_COST_MINOR_FIELD_NUMBER: _ClassVar[int]
    UNFILLED_COST_MINOR_FIELD_NUMBER: _ClassVar[int]
    BOUND_MINOR_FIELD_NUMBER: _ClassVar[int]
    GREEDY_COST_MINOR_FIELD_NUMBER: _ClassVar[int]
    SOLVER_FIELD_NUMBER: _ClassVar[int]
    SHIPMENTS_FIELD_NUMBER: _ClassVar[int]
    LATE_COST_MINOR_FIELD_NUMBER: _ClassVar[int]
    status: str
    cost_minor: int
    unit_cost_minor: int
    shipment_cost_minor: int
    unfilled_cost_minor: int
    bound_minor: int
    greedy_cost_minor: int
    solver: str
    shipments: int
    late_cost_minor: int
    def __init__(self, status: _Optional[str] = ..., cost_minor: _Optional[int] = ..., unit_cost_minor: _Optional[int] = ..., shipment_cost_minor: _Optional[int] = ..., unfilled_cost_minor: _Optional[int] = ..., bound_minor: _Optional[int] = ..., greedy_cost_minor: _Optional[int] = ..., solver: _Optional[str] = ..., shipments: _Optional[int] = ..., late_cost_minor: _Optional[int] = ...) -> None: ...

class Order(_message.Message):
    __slots__ = ("order_id", "channel", "customer_id", "idempotency_key", "external_reference", "status", "lines", "delivery_mode", "ship_to", "pickup_location_id", "payments", "total", "created_at", "updated_at", "version", "sourcing", "cancel_reason", "approval", "payment_status", "shipments", "payable", "pending_steps", "returns", "receipts", "overdue_invoices", "shortages", "shipping", "goodwill", "notes", "return_window_days", "hold_requested", "promised_delivery", "delivery_late", "deliver_by", "shipping_service", "ship_complete", "deliver_from", "scheduled", "release_waits_for")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    EXTERNAL_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_MODE_FIELD_NUMBER: _ClassVar[int]
    SHIP_TO_FIELD_NUMBER: _ClassVar[int]
    PICKUP_LOCATION_ID_FIELD_NUMBER: _ClassVar[int]
    PAYMENTS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    SOURCING_FIELD_NUMBER: _ClassVar[int]
    CANCEL_REASON_FIELD_NUMBER: _ClassVar[int]
    APPROVAL_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_STATUS_FIELD_NUMBER: _ClassVar[int]
    SHIPMENTS_FIELD_NUMBER: _ClassVar[int]
    PAYABLE_FIELD_NUMBER: _ClassVar[int]
    PENDING_STEPS_FIELD_NUMBER: _ClassVar[int]
    RETURNS_FIELD_NUMBER: _ClassVar[int]
    RECEIPTS_FIELD_NUMBER: _ClassVar[int]
    OVERDUE_INVOICES_FIELD_NUMBER: _ClassVar[int]
    SHORTAGES_FIELD_NUMBER: _ClassVar[int]
    SHIPPING_FIELD_NUMBER: _ClassVar[int]
    GOODWILL_FIELD_NUMBER: _ClassVar[int]
    NOTES_FIELD_NUMBER: _ClassVar[int]
    RETURN_WINDOW_DAYS_FIELD_NUMBER: _ClassVar[int]
    HOLD_REQUESTED_FIELD_NUMBER: _ClassVar[int]
    PROMISED_DELIVERY_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_LATE_FIELD_NUMBER: _ClassVar[int]
    DELIVER_BY_FIELD_NUMBER: _ClassVar[int]
    SHIPPING_SERVICE_FIELD_NUMBER: _ClassVar[int]
    SHIP_COMPLETE_FIELD_NUMBER: _ClassVar[int]
    DELIVER_FROM_FIELD_NUMBER: _ClassVar[int]
    SCHEDULED_FIELD_NUMBER: _ClassVar[int]
    RELEASE_WAITS_FOR_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    channel: _common_pb2.Channel
    customer_id: str
    idempotency_key: str
    external_reference: str
    status: OrderStatus
    lines: _containers.RepeatedCompositeFieldContainer[OrderLine]
    delivery_mode: _common_pb2.DeliveryMode
    ship_to: _common_pb2.Address
    pickup_location_id: str
    payments: _containers.RepeatedCompositeFieldContainer[PaymentInstruction]
    total: _common_pb2.Money
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    version: int
    sourcing: SourcingExplanation
    cancel_reason: str
    approval: Approval
    payment_status: _containers.RepeatedCompositeFieldContainer[Payment]
    shipments: _containers.RepeatedCompositeFieldContainer[Shipment]
    payable: _common_pb2.Money
    pending_steps: _containers.RepeatedScalarFieldContainer[str]
    returns: _containers.RepeatedCompositeFieldContainer[Return]
    receipts: _containers.RepeatedCompositeFieldContainer[PaymentReceipt]
    overdue_invoices: _containers.RepeatedCompositeFieldContainer[OverdueInvoice]
    shortages: _containers.RepeatedCompositeFieldContainer[FulfilmentShortage]
    shipping: ShippingCharge
    goodwill: _containers.RepeatedCompositeFieldContainer[Goodwill]
    notes: _containers.RepeatedCompositeFieldContainer[OrderNote]
    return_window_days: int
    hold_requested: HoldRequest
    promised_delivery: _timestamp_pb2.Timestamp
    delivery_late: bool
    deliver_by: _timestamp_pb2.Timestamp
    shipping_service: str
    ship_complete: bool
    deliver_from: _timestamp_pb2.Timestamp
    scheduled: bool
    release_waits_for: _containers.RepeatedScalarFieldContainer[ReleaseWait]
    def __init__(self, order_id: _Optional[str] = ..., channel: _Optional[_Union[_common_pb2.Channel, str]] = ..., customer_id: _Optional[str] = ..., idempotency_key: _Optional[str] = ..., external_reference: _Optional[str] = ..., status: _Optional[_Union[OrderStatus, str]] = ..., lines: _Optional[_Iterable[_Union[OrderLine, _Mapping]]] = ..., delivery_mode: _Optional[_Union[_common_pb2.DeliveryMode, str]] = ..., ship_to: _Optional[_Union[_common_pb2.Address, _Mapping]] = ..., pickup_location_id: _Optional[str] = ..., payments: _Optional[_Iterable[_Union[PaymentInstruction, _Mapping]]] = ..., total: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., version: _Optional[int] = ..., sourcing: _Optional[_Union[SourcingExplanation, _Mapping]] = ..., cancel_reason: _Optional[str] = ..., approval: _Optional[_Union[Approval, _Mapping]] = ..., payment_status: _Optional[_Iterable[_Union[Payment, _Mapping]]] = ..., shipments: _Optional[_Iterable[_Union[Shipment, _Mapping]]] = ..., payable: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., pending_steps: _Optional[_Iterable[str]] = ..., returns: _Optional[_Iterable[_Union[Return, _Mapping]]] = ..., receipts: _Optional[_Iterable[_Union[PaymentReceipt, _Mapping]]] = ..., overdue_invoices: _Optional[_Iterable[_Union[OverdueInvoice, _Mapping]]] = ..., shortages: _Optional[_Iterable[_Union[FulfilmentShortage, _Mapping]]] = ..., shipping: _Optional[_Union[ShippingCharge, _Mapping]] = ..., goodwill: _Optional[_Iterable[_Union[Goodwill, _Mapping]]] = ..., notes: _Optional[_Iterable[_Union[OrderNote, _Mapping]]] = ..., return_window_days: _Optional[int] = ..., hold_requested: _Optional[_Union[HoldRequest, _Mapping]] = ..., promised_delivery: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., delivery_late: _Optional[bool] = ..., deliver_by: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., shipping_service: _Optional[str] = ..., ship_complete: _Optional[bool] = ..., deliver_from: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., scheduled: _Optional[bool] = ..., release_waits_for: _Optional[_Iterable[_Union[ReleaseWait, str]]] = ...) -> None: ...

class HoldRequest(_message.Message):
    __slots__ = ("by", "reason", "at")
    BY_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    by: str
    reason: str
    at: _timestamp_pb2.Timestamp
    def __init__(self, by: _Optional[str] = ..., reason: _Optional[str] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class FulfilmentShortage(_message.Message):
    __slots__ = ("shortage_id", "location_id", "lines", "reason", "reported_at")
    SHORTAGE_ID_FIELD_NUMBER: _ClassVar[int]
    LOCATION_ID_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REPORTED_AT_FIELD_NUMBER: _ClassVar[int]
    shortage_id: str
    location_id: str
    lines: _containers.RepeatedCompositeFieldContainer[ShipmentLine]
    reason: str
    reported_at: _timestamp_pb2.Timestamp
    def __init__(self, shortage_id: _Optional[str] = ..., location_id: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[ShipmentLine, _Mapping]]] = ..., reason: _Optional[str] = ..., reported_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class OverdueInvoice(_message.Message):
    __slots__ = ("invoice_number", "due_at", "open", "noticed_at")
    INVOICE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    DUE_AT_FIELD_NUMBER: _ClassVar[int]
    OPEN_FIELD_NUMBER: _ClassVar[int]
    NOTICED_AT_FIELD_NUMBER: _ClassVar[int]
    invoice_number: str
    due_at: _timestamp_pb2.Timestamp
    open: _common_pb2.Money
    noticed_at: _timestamp_pb2.Timestamp
    def __init__(self, invoice_number: _Optional[str] = ..., due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., open: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., noticed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class PaymentReceipt(_message.Message):
    __slots__ = ("receipt_id", "invoice_number", "amount", "received_at")
    RECEIPT_ID_FIELD_NUMBER: _ClassVar[int]
    INVOICE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    RECEIVED_AT_FIELD_NUMBER: _ClassVar[int]
    receipt_id: str
    invoice_number: str
    amount: _common_pb2.Money
    received_at: _timestamp_pb2.Timestamp
    def __init__(self, receipt_id: _Optional[str] = ..., invoice_number: _Optional[str] = ..., amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., received_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ReturnLine(_message.Message):
    __slots__ = ("line_number", "quantity", "reason", "resolution", "received", "restocked", "written_off", "refunded", "exchange_sku", "repaired", "reason_code", "deducted", "deduction_reason", "restocking_fee_bps", "restocking_fee")
    LINE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    RESOLUTION_FIELD_NUMBER: _ClassVar[int]
    RECEIVED_FIELD_NUMBER: _ClassVar[int]
    RESTOCKED_FIELD_NUMBER: _ClassVar[int]
    WRITTEN_OFF_FIELD_NUMBER: _ClassVar[int]
    REFUNDED_FIELD_NUMBER: _ClassVar[int]
    EXCHANGE_SKU_FIELD_NUMBER: _ClassVar[int]
    REPAIRED_FIELD_NUMBER: _ClassVar[int]
    REASON_CODE_FIELD_NUMBER: _ClassVar[int]
    DEDUCTED_FIELD_NUMBER: _ClassVar[int]
    DEDUCTION_REASON_FIELD_NUMBER: _ClassVar[int]
    RESTOCKING_FEE_BPS_FIELD_NUMBER: _ClassVar[int]
    RESTOCKING_FEE_FIELD_NUMBER: _ClassVar[int]
    line_number: int
    quantity: int
    reason: str
    resolution: ReturnResolution
    received: int
    restocked: int
    written_off: int
    refunded: _common_pb2.Money
    exchange_sku: str
    repaired: int
    reason_code: ReturnReason
    deducted: _common_pb2.Money
    deduction_reason: str
    restocking_fee_bps: int
    restocking_fee: _common_pb2.Money
    def __init__(self, line_number: _Optional[int] = ..., quantity: _Optional[int] = ..., reason: _Optional[str] = ..., resolution: _Optional[_Union[ReturnResolution, str]] = ..., received: _Optional[int] = ..., restocked: _Optional[int] = ..., written_off: _Optional[int] = ..., refunded: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., exchange_sku: _Optional[str] = ..., repaired: _Optional[int] = ..., reason_code: _Optional[_Union[ReturnReason, str]] = ..., deducted: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., deduction_reason: _Optional[str] = ..., restocking_fee_bps: _Optional[int] = ..., restocking_fee: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...

class Return(_message.Message):
    __slots__ = ("return_id", "status", "channel", "location_id", "lines", "refunded", "store_credit", "credit_notes", "replacement_order_id", "requested_at", "resolved_at", "expired_at", "kept", "cancel_reason", "cancelled_at", "repair_carrier", "repair_tracking", "repaired_at", "inbound_carrier", "inbound_tracking", "sent_at", "unrepairable", "unrepairable_reason", "unrepairable_at", "made_good_at", "repair_replacement_order_id", "shipment_id", "undelivered_reason", "ship_to")
    RETURN_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    LOCATION_ID_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    REFUNDED_FIELD_NUMBER: _ClassVar[int]
    STORE_CREDIT_FIELD_NUMBER: _ClassVar[int]
    CREDIT_NOTES_FIELD_NUMBER: _ClassVar[int]
    REPLACEMENT_ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_AT_FIELD_NUMBER: _ClassVar[int]
    RESOLVED_AT_FIELD_NUMBER: _ClassVar[int]
    EXPIRED_AT_FIELD_NUMBER: _ClassVar[int]
    KEPT_FIELD_NUMBER: _ClassVar[int]
    CANCEL_REASON_FIELD_NUMBER: _ClassVar[int]
    CANCELLED_AT_FIELD_NUMBER: _ClassVar[int]
    REPAIR_CARRIER_FIELD_NUMBER: _ClassVar[int]
    REPAIR_TRACKING_FIELD_NUMBER: _ClassVar[int]
    REPAIRED_AT_FIELD_NUMBER: _ClassVar[int]
    INBOUND_CARRIER_FIELD_NUMBER: _ClassVar[int]
    INBOUND_TRACKING_FIELD_NUMBER: _ClassVar[int]
    SENT_AT_FIELD_NUMBER: _ClassVar[int]
    UNREPAIRABLE_FIELD_NUMBER: _ClassVar[int]
    UNREPAIRABLE_REASON_FIELD_NUMBER: _ClassVar[int]
    UNREPAIRABLE_AT_FIELD_NUMBER: _ClassVar[int]
    MADE_GOOD_AT_FIELD_NUMBER: _ClassVar[int]
    REPAIR_REPLACEMENT_ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    SHIPMENT_ID_FIELD_NUMBER: _ClassVar[int]
    UNDELIVERED_REASON_FIELD_NUMBER: _ClassVar[int]
    SHIP_TO_FIELD_NUMBER: _ClassVar[int]
    return_id: str
    status: ReturnStatus
    channel: _common_pb2.Channel
    location_id: str
    lines: _containers.RepeatedCompositeFieldContainer[ReturnLine]
    refunded: _common_pb2.Money
    store_credit: _common_pb2.Money
    credit_notes: _containers.RepeatedScalarFieldContainer[str]
    replacement_order_id: str
    requested_at: _timestamp_pb2.Timestamp
    resolved_at: _timestamp_pb2.Timestamp
    expired_at: _timestamp_pb2.Timestamp
    kept: bool
    cancel_reason: str
    cancelled_at: _timestamp_pb2.Timestamp
    repair_carrier: str
    repair_tracking: str
    repaired_at: _timestamp_pb2.Timestamp
    inbound_carrier: str
    inbound_tracking: str
    sent_at: _timestamp_pb2.Timestamp
    unrepairable: ReturnResolution
    unrepairable_reason: str
    unrepairable_at: _timestamp_pb2.Timestamp
    made_good_at: _timestamp_pb2.Timestamp
    repair_replacement_order_id: str
    shipment_id: str
    undelivered_reason: UndeliveredReason
    ship_to: _common_pb2.Address
    def __init__(self, return_id: _Optional[str] = ..., status: _Optional[_Union[ReturnStatus, str]] = ..., channel: _Optional[_Union[_common_pb2.Channel, str]] = ..., location_id: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[ReturnLine, _Mapping]]] = ..., refunded: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., store_credit: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., credit_notes: _Optional[_Iterable[str]] = ..., replacement_order_id: _Optional[str] = ..., requested_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., resolved_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., expired_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., kept: _Optional[bool] = ..., cancel_reason: _Optional[str] = ..., cancelled_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., repair_carrier: _Optional[str] = ..., repair_tracking: _Optional[str] = ..., repaired_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., inbound_carrier: _Optional[str] = ..., inbound_tracking: _Optional[str] = ..., sent_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., unrepairable: _Optional[_Union[ReturnResolution, str]] = ..., unrepairable_reason: _Optional[str] = ..., unrepairable_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., made_good_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., repair_replacement_order_id: _Optional[str] = ..., shipment_id: _Optional[str] = ..., undelivered_reason: _Optional[_Union[UndeliveredReason, str]] = ..., ship_to: _Optional[_Union[_common_pb2.Address, _Mapping]] = ...) -> None: ...

class GetOrderRequest(_message.Message):
    __slots__ = ("order_id",)
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    def __init__(self, order_id: _Optional[str] = ...) -> None: ...

class GetOrderHistoryRequest(_message.Message):
    __slots__ = ("order_id", "page_size", "page_token")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    page_size: int
    page_token: str
    def __init__(self, order_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class GetOrderHistoryResponse(_message.Message):
    __slots__ = ("events", "next_page_token")
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[_events_pb2.Event]
    next_page_token: str
    def __init__(self, events: _Optional[_Iterable[_Union[_events_pb2.Event, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListOrdersRequest(_message.Message):
    __slots__ = ("customer_id", "channel", "status", "page_size", "page_token", "created_from", "created_before", "external_reference", "view", "sku", "late")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    CREATED_FROM_FIELD_NUMBER: _ClassVar[int]
    CREATED_BEFORE_FIELD_NUMBER: _ClassVar[int]
    EXTERNAL_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    VIEW_FIELD_NUMBER: _ClassVar[int]
    SKU_FIELD_NUMBER: _ClassVar[int]
    LATE_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    channel: _common_pb2.Channel
    status: OrderStatus
    page_size: int
    page_token: str
    created_from: _timestamp_pb2.Timestamp
    created_before: _timestamp_pb2.Timestamp
    external_reference: str
    view: OrderView
    sku: str
    late: bool
    def __init__(self, customer_id: _Optional[str] = ..., channel: _Optional[_Union[_common_pb2.Channel, str]] = ..., status: _Optional[_Union[OrderStatus, str]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., created_from: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_before: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., external_reference: _Optional[str] = ..., view: _Optional[_Union[OrderView, str]] = ..., sku: _Optional[str] = ..., late: _Optional[bool] = ...) -> None: ...

class ListOrdersResponse(_message.Message):
    __slots__ = ("orders", "next_page_token")
    ORDERS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    orders: _containers.RepeatedCompositeFieldContainer[Order]
    next_page_token: str
    def __init__(self, orders: _Optional[_Iterable[_Union[Order, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class CancelOrderRequest(_message.Message):
    __slots__ = ("order_id", "reason")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    reason: str
    def __init__(self, order_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class CancelOrderLinesRequest(_message.Message):
    __slots__ = ("order_id", "line_numbers", "reason", "reduce_to")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    LINE_NUMBERS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REDUCE_TO_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    line_numbers: _containers.RepeatedScalarFieldContainer[int]
    reason: str
    reduce_to: _containers.RepeatedCompositeFieldContainer[LineQuantity]
    def __init__(self, order_id: _Optional[str] = ..., line_numbers: _Optional[_Iterable[int]] = ..., reason: _Optional[str] = ..., reduce_to: _Optional[_Iterable[_Union[LineQuantity, _Mapping]]] = ...) -> None: ...

class LineQuantity(_message.Message):
    __slots__ = ("line_number", "quantity")
    LINE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    line_number: int
    quantity: int
    def __init__(self, line_number: _Optional[int] = ..., quantity: _Optional[int] = ...) -> None: ...

class ReviewOrderRequest(_message.Message):
    __slots__ = ("order_id", "decision", "note")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    DECISION_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    decision: ReviewDecision
    note: str
    def __init__(self, order_id: _Optional[str] = ..., decision: _Optional[_Union[ReviewDecision, str]] = ..., note: _Optional[str] = ...) -> None: ...

class RiskRules(_message.Message):
    __slots__ = ("hold_order_value_above_minor", "reject_order_value_above_minor", "hold_first_order_above_minor", "max_orders_per_customer_per_hour", "max_orders_per_instrument_per_hour", "hold_on_country_mismatch", "hold_overdue_after_days", "version", "limits_currency", "value_limits", "agent_goodwill_limit_percent")
    class ValueLimitsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: ValueLimits
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[ValueLimits, _Mapping]] = ...) -> None: ...
    HOLD_ORDER_VALUE_ABOVE_MINOR_FIELD_NUMBER: _ClassVar[int]
    REJECT_ORDER_VALUE_ABOVE_MINOR_FIELD_NUMBER: _ClassVar[int]
    HOLD_FIRST_ORDER_ABOVE_MINOR_FIELD_NUMBER: _ClassVar[int]
    MAX_ORDERS_PER_CUSTOMER_PER_HOUR_FIELD_NUMBER: _ClassVar[int]
    MAX_ORDERS_PER_INSTRUMENT_PER_HOUR_FIELD_NUMBER: _ClassVar[int]
    HOLD_ON_COUNTRY_MISMATCH_FIELD_NUMBER: _ClassVar[int]
    HOLD_OVERDUE_AFTER_DAYS_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    LIMITS_CURRENCY_FIELD_NUMBER: _ClassVar[int]
    VALUE_LIMITS_FIELD_NUMBER: _ClassVar[int]
    AGENT_GOODWILL_LIMIT_PERCENT_FIELD_NUMBER: _ClassVar[int]
    hold_order_value_above_minor: int
    reject_order_value_above_minor: int
    hold_first_order_above_minor: int
    max_orders_per_customer_per_hour: int
    max_orders_per_instrument_per_hour: int
    hold_on_country_mismatch: bool
    hold_overdue_after_days: int
    version: int
    limits_currency: str
    value_limits: _containers.MessageMap[str, ValueLimits]
    agent_goodwill_limit_percent: int
    def __init__(self, hold_order_value_above_minor: _Optional[int] = ..., reject_order_value_above_minor: _Optional[int] = ..., hold_first_order_above_minor: _Optional[int] = ..., max_orders_per_customer_per_hour: _Optional[int] = ..., max_orders_per_instrument_per_hour: _Optional[int] = ..., hold_on_country_mismatch: _Optional[bool] = ..., hold_overdue_after_days: _Optional[int] = ..., version: _Optional[int] = ..., limits_currency: _Optional[str] = ..., value_limits: _Optional[_Mapping[str, ValueLimits]] = ..., agent_goodwill_limit_percent: _Optional[int] = ...) -> None: ...

class ValueLimits(_message.Message):
    __slots__ = ("hold_order_value_above_minor", "reject_order_value_above_minor", "hold_first_order_above_minor")
    HOLD_ORDER_VALUE_ABOVE_MINOR_FIELD_NUMBER: _ClassVar[int]
    REJECT_ORDER_VALUE_ABOVE_MINOR_FIELD_NUMBER: _ClassVar[int]
    HOLD_FIRST_ORDER_ABOVE_MINOR_FIELD_NUMBER: _ClassVar[int]
    hold_order_value_above_minor: int
    reject_order_value_above_minor: int
    hold_first_order_above_minor: int
    def __init__(self, hold_order_value_above_minor: _Optional[int] = ..., reject_order_value_above_minor: _Optional[int] = ..., hold_first_order_above_minor: _Optional[int] = ...) -> None: ...

class HoldOrderRequest(_message.Message):
    __slots__ = ("order_id", "reason")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    reason: str
    def __init__(self, order_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class UpdateShippingAddressRequest(_message.Message):
    __slots__ = ("order_id", "ship_to")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    SHIP_TO_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    ship_to: _common_pb2.Address
    def __init__(self, order_id: _Optional[str] = ..., ship_to: _Optional[_Union[_common_pb2.Address, _Mapping]] = ...) -> None: ...

class RescheduleDeliveryRequest(_message.Message):
    __slots__ = ("order_id", "deliver_from")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    DELIVER_FROM_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    deliver_from: _timestamp_pb2.Timestamp
    def __init__(self, order_id: _Optional[str] = ..., deliver_from: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class AddOrderNoteRequest(_message.Message):
    __slots__ = ("order_id", "note_id", "text", "for_customer")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    NOTE_ID_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    FOR_CUSTOMER_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    note_id: str
    text: str
    for_customer: bool
    def __init__(self, order_id: _Optional[str] = ..., note_id: _Optional[str] = ..., text: _Optional[str] = ..., for_customer: _Optional[bool] = ...) -> None: ...

class OrderNote(_message.Message):
    __slots__ = ("note_id", "text", "by", "at", "for_customer")
    NOTE_ID_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    BY_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    FOR_CUSTOMER_FIELD_NUMBER: _ClassVar[int]
    note_id: str
    text: str
    by: str
    at: _timestamp_pb2.Timestamp
    for_customer: bool
    def __init__(self, note_id: _Optional[str] = ..., text: _Optional[str] = ..., by: _Optional[str] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., for_customer: _Optional[bool] = ...) -> None: ...

class CountOrdersRequest(_message.Message):
    __slots__ = ("channel", "created_from", "created_before")
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    CREATED_FROM_FIELD_NUMBER: _ClassVar[int]
    CREATED_BEFORE_FIELD_NUMBER: _ClassVar[int]
    channel: _common_pb2.Channel
    created_from: _timestamp_pb2.Timestamp
    created_before: _timestamp_pb2.Timestamp
    def __init__(self, channel: _Optional[_Union[_common_pb2.Channel, str]] = ..., created_from: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_before: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CountOrdersResponse(_message.Message):
    __slots__ = ("total", "by_status", "awaiting_delivery", "late", "waiting")
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    BY_STATUS_FIELD_NUMBER: _ClassVar[int]
    AWAITING_DELIVERY_FIELD_NUMBER: _ClassVar[int]
    LATE_FIELD_NUMBER: _ClassVar[int]
    WAITING_FIELD_NUMBER: _ClassVar[int]
    total: int
    by_status: _containers.RepeatedCompositeFieldContainer[StatusCount]
    awaiting_delivery: int
    late: int
    waiting: _containers.RepeatedCompositeFieldContainer[WaitCount]
    def __init__(self, total: _Optional[int] = ..., by_status: _Optional[_Iterable[_Union[StatusCount, _Mapping]]] = ..., awaiting_delivery: _Optional[int] = ..., late: _Optional[int] = ..., waiting: _Optional[_Iterable[_Union[WaitCount, _Mapping]]] = ...) -> None: ...

class StatusCount(_message.Message):
    __slots__ = ("status", "count")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    status: OrderStatus
    count: int
    def __init__(self, status: _Optional[_Union[OrderStatus, str]] = ..., count: _Optional[int] = ...) -> None: ...

class WaitCount(_message.Message):
    __slots__ = ("reason", "count")
    REASON_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    reason: ReleaseWait
    count: int
    def __init__(self, reason: _Optional[_Union[ReleaseWait, str]] = ..., count: _Optional[int] = ...) -> None: ...

class GrantGoodwillRequest(_message.Message):
    __slots__ = ("order_id", "goodwill_id", "amount", "reason", "resolution")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    GOODWILL_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    RESOLUTION_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    goodwill_id: str
    amount: _common_pb2.Money
    reason: str
    resolution: ReturnResolution
    def __init__(self, order_id: _Optional[str] = ..., goodwill_id: _Optional[str] = ..., amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., reason: _Optional[str] = ..., resolution: _Optional[_Union[ReturnResolution, str]] = ...) -> None: ...

class Goodwill(_message.Message):
    __slots__ = ("goodwill_id", "amount", "reason", "resolution", "granted_by", "granted_at", "paid_at", "refunded", "store_credit", "credit_notes")
    GOODWILL_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    RESOLUTION_FIELD_NUMBER: _ClassVar[int]
    GRANTED_BY_FIELD_NUMBER: _ClassVar[int]
    GRANTED_AT_FIELD_NUMBER: _ClassVar[int]
    PAID_AT_FIELD_NUMBER: _ClassVar[int]
    REFUNDED_FIELD_NUMBER: _ClassVar[int]
    STORE_CREDIT_FIELD_NUMBER: _ClassVar[int]
    CREDIT_NOTES_FIELD_NUMBER: _ClassVar[int]
    goodwill_id: str
    amount: _common_pb2.Money
    reason: str
    resolution: ReturnResolution
    granted_by: str
    granted_at: _timestamp_pb2.Timestamp
    paid_at: _timestamp_pb2.Timestamp
    refunded: _common_pb2.Money
    store_credit: _common_pb2.Money
    credit_notes: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, goodwill_id: _Optional[str] = ..., amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., reason: _Optional[str] = ..., resolution: _Optional[_Union[ReturnResolution, str]] = ..., granted_by: _Optional[str] = ..., granted_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., paid_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., refunded: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., store_credit: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., credit_notes: _Optional[_Iterable[str]] = ...) -> None: ...

class GetRiskRulesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class SetRiskRulesRequest(_message.Message):
    __slots__ = ("rules", "expected_version")
    RULES_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    rules: RiskRules
    expected_version: int
    def __init__(self, rules: _Optional[_Union[RiskRules, _Mapping]] = ..., expected_version: _Optional[int] = ...) -> None: ...
