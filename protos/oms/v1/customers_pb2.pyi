import datetime

from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from protos.oms.v1 import common_pb2 as _common_pb2
from protos.oms.v1 import events_pb2 as _events_pb2
from protos.oms.v1 import orders_pb2 as _orders_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CustomerType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CUSTOMER_TYPE_UNSPECIFIED: _ClassVar[CustomerType]
    CUSTOMER_TYPE_CONSUMER: _ClassVar[CustomerType]
    CUSTOMER_TYPE_BUSINESS: _ClassVar[CustomerType]
CUSTOMER_TYPE_UNSPECIFIED: CustomerType
CUSTOMER_TYPE_CONSUMER: CustomerType
CUSTOMER_TYPE_BUSINESS: CustomerType

class EraseCustomerRequest(_message.Message):
    __slots__ = ("customer_id", "reason", "when_orders_close")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    WHEN_ORDERS_CLOSE_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    reason: str
    when_orders_close: bool
    def __init__(self, customer_id: _Optional[str] = ..., reason: _Optional[str] = ..., when_orders_close: _Optional[bool] = ...) -> None: ...

class EraseCustomerResponse(_message.Message):
    __slots__ = ("customer", "orders_erased", "orders_open")
    CUSTOMER_FIELD_NUMBER: _ClassVar[int]
    ORDERS_ERASED_FIELD_NUMBER: _ClassVar[int]
    ORDERS_OPEN_FIELD_NUMBER: _ClassVar[int]
    customer: Customer
    orders_erased: int
    orders_open: int
    def __init__(self, customer: _Optional[_Union[Customer, _Mapping]] = ..., orders_erased: _Optional[int] = ..., orders_open: _Optional[int] = ...) -> None: ...

class Customer(_message.Message):
    __slots__ = ("customer_id", "type", "name", "email", "phone", "default_address", "credit_limit", "created_at", "updated_at", "payment_terms_days", "erased_at", "erasure_requested_at")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    CREDIT_LIMIT_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_TERMS_DAYS_FIELD_NUMBER: _ClassVar[int]
    ERASED_AT_FIELD_NUMBER: _ClassVar[int]
    ERASURE_REQUESTED_AT_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    type: CustomerType
    name: str
    email: str
    phone: str
    default_address: _common_pb2.Address
    credit_limit: _common_pb2.Money
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    payment_terms_days: int
    erased_at: _timestamp_pb2.Timestamp
    erasure_requested_at: _timestamp_pb2.Timestamp
    def __init__(self, customer_id: _Optional[str] = ..., type: _Optional[_Union[CustomerType, str]] = ..., name: _Optional[str] = ..., email: _Optional[str] = ..., phone: _Optional[str] = ..., default_address: _Optional[_Union[_common_pb2.Address, _Mapping]] = ..., credit_limit: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., payment_terms_days: _Optional[int] = ..., erased_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., erasure_requested_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class UpsertCustomerRequest(_message.Message):
    __slots__ = ("customer", "update_mask")
    CUSTOMER_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    customer: Customer
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, customer: _Optional[_Union[Customer, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class GetCustomerRequest(_message.Message):
    __slots__ = ("customer_id",)
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    def __init__(self, customer_id: _Optional[str] = ...) -> None: ...

class GetCustomer360Request(_message.Message):
    __slots__ = ("customer_id", "email", "phone", "order_id", "external_reference", "channel", "order_limit", "event_limit")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    EXTERNAL_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    ORDER_LIMIT_FIELD_NUMBER: _ClassVar[int]
    EVENT_LIMIT_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    email: str
    phone: str
    order_id: str
    external_reference: str
    channel: _common_pb2.Channel
    order_limit: int
    event_limit: int
    def __init__(self, customer_id: _Optional[str] = ..., email: _Optional[str] = ..., phone: _Optional[str] = ..., order_id: _Optional[str] = ..., external_reference: _Optional[str] = ..., channel: _Optional[_Union[_common_pb2.Channel, str]] = ..., order_limit: _Optional[int] = ..., event_limit: _Optional[int] = ...) -> None: ...

class Customer360(_message.Message):
    __slots__ = ("customer", "orders", "order_count", "timeline", "receivables_open", "receivables_overdue", "store_credit", "invoices", "credit_notes")
    CUSTOMER_FIELD_NUMBER: _ClassVar[int]
    ORDERS_FIELD_NUMBER: _ClassVar[int]
    ORDER_COUNT_FIELD_NUMBER: _ClassVar[int]
    TIMELINE_FIELD_NUMBER: _ClassVar[int]
    RECEIVABLES_OPEN_FIELD_NUMBER: _ClassVar[int]
    RECEIVABLES_OVERDUE_FIELD_NUMBER: _ClassVar[int]
    STORE_CREDIT_FIELD_NUMBER: _ClassVar[int]
    INVOICES_FIELD_NUMBER: _ClassVar[int]
    CREDIT_NOTES_FIELD_NUMBER: _ClassVar[int]
    customer: Customer
    orders: _containers.RepeatedCompositeFieldContainer[_orders_pb2.Order]
    order_count: int
    timeline: _containers.RepeatedCompositeFieldContainer[_events_pb2.Event]
    receivables_open: _common_pb2.Money
    receivables_overdue: _common_pb2.Money
    store_credit: _common_pb2.Money
    invoices: _containers.RepeatedScalarFieldContainer[str]
    credit_notes: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, customer: _Optional[_Union[Customer, _Mapping]] = ..., orders: _Optional[_Iterable[_Union[_orders_pb2.Order, _Mapping]]] = ..., order_count: _Optional[int] = ..., timeline: _Optional[_Iterable[_Union[_events_pb2.Event, _Mapping]]] = ..., receivables_open: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., receivables_overdue: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., store_credit: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., invoices: _Optional[_Iterable[str]] = ..., credit_notes: _Optional[_Iterable[str]] = ...) -> None: ...
