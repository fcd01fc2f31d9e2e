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

class Disposition(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DISPOSITION_UNSPECIFIED: _ClassVar[Disposition]
    DISPOSITION_RESTOCK: _ClassVar[Disposition]
    DISPOSITION_WRITE_OFF: _ClassVar[Disposition]
DISPOSITION_UNSPECIFIED: Disposition
DISPOSITION_RESTOCK: Disposition
DISPOSITION_WRITE_OFF: Disposition

class ReturnLineRequest(_message.Message):
    __slots__ = ("line_number", "quantity", "reason", "resolution", "exchange_sku", "reason_code")
    LINE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    RESOLUTION_FIELD_NUMBER: _ClassVar[int]
    EXCHANGE_SKU_FIELD_NUMBER: _ClassVar[int]
    REASON_CODE_FIELD_NUMBER: _ClassVar[int]
    line_number: int
    quantity: int
    reason: str
    resolution: _orders_pb2.ReturnResolution
    exchange_sku: str
    reason_code: _orders_pb2.ReturnReason
    def __init__(self, line_number: _Optional[int] = ..., quantity: _Optional[int] = ..., reason: _Optional[str] = ..., resolution: _Optional[_Union[_orders_pb2.ReturnResolution, str]] = ..., exchange_sku: _Optional[str] = ..., reason_code: _Optional[_Union[_orders_pb2.ReturnReason, str]] = ...) -> None: ...

class RequestReturnRequest(_message.Message):
    __slots__ = ("order_id", "return_id", "channel", "location_id", "lines")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    RETURN_ID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    LOCATION_ID_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    return_id: str
    channel: _common_pb2.Channel
    location_id: str
    lines: _containers.RepeatedCompositeFieldContainer[ReturnLineRequest]
    def __init__(self, order_id: _Optional[str] = ..., return_id: _Optional[str] = ..., channel: _Optional[_Union[_common_pb2.Channel, str]] = ..., location_id: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[ReturnLineRequest, _Mapping]]] = ...) -> None: ...

class ReceiveReturnRequest(_message.Message):
    __slots__ = ("order_id", "return_id", "location_id", "lines")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    RETURN_ID_FIELD_NUMBER: _ClassVar[int]
    LOCATION_ID_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    return_id: str
    location_id: str
    lines: _containers.RepeatedCompositeFieldContainer[_orders_pb2.ShipmentLine]
    def __init__(self, order_id: _Optional[str] = ..., return_id: _Optional[str] = ..., location_id: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[_orders_pb2.ShipmentLine, _Mapping]]] = ...) -> None: ...

class LineDisposition(_message.Message):
    __slots__ = ("line_number", "disposition")
    LINE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    DISPOSITION_FIELD_NUMBER: _ClassVar[int]
    line_number: int
    disposition: Disposition
    def __init__(self, line_number: _Optional[int] = ..., disposition: _Optional[_Union[Disposition, str]] = ...) -> None: ...

class CompleteRepairRequest(_message.Message):
    __slots__ = ("order_id", "return_id", "carrier", "tracking")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    RETURN_ID_FIELD_NUMBER: _ClassVar[int]
    CARRIER_FIELD_NUMBER: _ClassVar[int]
    TRACKING_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    return_id: str
    carrier: str
    tracking: str
    def __init__(self, order_id: _Optional[str] = ..., return_id: _Optional[str] = ..., carrier: _Optional[str] = ..., tracking: _Optional[str] = ...) -> None: ...

class DeclareBeyondRepairRequest(_message.Message):
    __slots__ = ("order_id", "return_id", "resolution", "reason")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    RETURN_ID_FIELD_NUMBER: _ClassVar[int]
    RESOLUTION_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    return_id: str
    resolution: _orders_pb2.ReturnResolution
    reason: str
    def __init__(self, order_id: _Optional[str] = ..., return_id: _Optional[str] = ..., resolution: _Optional[_Union[_orders_pb2.ReturnResolution, str]] = ..., reason: _Optional[str] = ...) -> None: ...

class TrackReturnRequest(_message.Message):
    __slots__ = ("order_id", "return_id", "carrier", "tracking")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    RETURN_ID_FIELD_NUMBER: _ClassVar[int]
    CARRIER_FIELD_NUMBER: _ClassVar[int]
    TRACKING_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    return_id: str
    carrier: str
    tracking: str
    def __init__(self, order_id: _Optional[str] = ..., return_id: _Optional[str] = ..., carrier: _Optional[str] = ..., tracking: _Optional[str] = ...) -> None: ...

class CancelReturnRequest(_message.Message):
    __slots__ = ("order_id", "return_id", "reason")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    RETURN_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    return_id: str
    reason: str
    def __init__(self, order_id: _Optional[str] = ..., return_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class InspectReturnRequest(_message.Message):
    __slots__ = ("order_id", "return_id", "dispositions", "deductions")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    RETURN_ID_FIELD_NUMBER: _ClassVar[int]
    DISPOSITIONS_FIELD_NUMBER: _ClassVar[int]
    DEDUCTIONS_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    return_id: str
    dispositions: _containers.RepeatedCompositeFieldContainer[LineDisposition]
    deductions: _containers.RepeatedCompositeFieldContainer[LineDeduction]
    def __init__(self, order_id: _Optional[str] = ..., return_id: _Optional[str] = ..., dispositions: _Optional[_Iterable[_Union[LineDisposition, _Mapping]]] = ..., deductions: _Optional[_Iterable[_Union[LineDeduction, _Mapping]]] = ...) -> None: ...

class LineDeduction(_message.Message):
    __slots__ = ("line_number", "amount", "reason")
    LINE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    line_number: int
    amount: _common_pb2.Money
    reason: str
    def __init__(self, line_number: _Optional[int] = ..., amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., reason: _Optional[str] = ...) -> None: ...

class ReturnPolicy(_message.Message):
    __slots__ = ("window_days", "channel_windows", "version", "resolve_on_receipt", "arrival_days", "keep_it_below", "restocking_fee_bps", "restocking_fee_reasons")
    WINDOW_DAYS_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_WINDOWS_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    RESOLVE_ON_RECEIPT_FIELD_NUMBER: _ClassVar[int]
    ARRIVAL_DAYS_FIELD_NUMBER: _ClassVar[int]
    KEEP_IT_BELOW_FIELD_NUMBER: _ClassVar[int]
    RESTOCKING_FEE_BPS_FIELD_NUMBER: _ClassVar[int]
    RESTOCKING_FEE_REASONS_FIELD_NUMBER: _ClassVar[int]
    window_days: int
    channel_windows: _containers.RepeatedCompositeFieldContainer[ChannelReturnWindow]
    version: int
    resolve_on_receipt: bool
    arrival_days: int
    keep_it_below: _common_pb2.Money
    restocking_fee_bps: int
    restocking_fee_reasons: _containers.RepeatedScalarFieldContainer[_orders_pb2.ReturnReason]
    def __init__(self, window_days: _Optional[int] = ..., channel_windows: _Optional[_Iterable[_Union[ChannelReturnWindow, _Mapping]]] = ..., version: _Optional[int] = ..., resolve_on_receipt: _Optional[bool] = ..., arrival_days: _Optional[int] = ..., keep_it_below: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., restocking_fee_bps: _Optional[int] = ..., restocking_fee_reasons: _Optional[_Iterable[_Union[_orders_pb2.ReturnReason, str]]] = ...) -> None: ...

class ChannelReturnWindow(_message.Message):
    __slots__ = ("channel", "window_days")
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    WINDOW_DAYS_FIELD_NUMBER: _ClassVar[int]
    channel: _common_pb2.Channel
    window_days: int
    def __init__(self, channel: _Optional[_Union[_common_pb2.Channel, str]] = ..., window_days: _Optional[int] = ...) -> None: ...

class GetReturnPolicyRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class SetReturnPolicyRequest(_message.Message):
    __slots__ = ("policy", "expected_version")
    POLICY_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    policy: ReturnPolicy
    expected_version: int
    def __init__(self, policy: _Optional[_Union[ReturnPolicy, _Mapping]] = ..., expected_version: _Optional[int] = ...) -> None: ...

class ListReturnsRequest(_message.Message):
    __slots__ = ("location_id", "status", "page_size", "page_token", "awaiting_repair")
    LOCATION_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    AWAITING_REPAIR_FIELD_NUMBER: _ClassVar[int]
    location_id: str
    status: _orders_pb2.ReturnStatus
    page_size: int
    page_token: str
    awaiting_repair: bool
    def __init__(self, location_id: _Optional[str] = ..., status: _Optional[_Union[_orders_pb2.ReturnStatus, str]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., awaiting_repair: _Optional[bool] = ...) -> None: ...

class ReturnToHandle(_message.Message):
    __slots__ = ("order_id", "details")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    DETAILS_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    details: _orders_pb2.Return
    def __init__(self, order_id: _Optional[str] = ..., details: _Optional[_Union[_orders_pb2.Return, _Mapping]] = ...) -> None: ...

class ListReturnsResponse(_message.Message):
    __slots__ = ("returns", "next_page_token")
    RETURNS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    returns: _containers.RepeatedCompositeFieldContainer[ReturnToHandle]
    next_page_token: str
    def __init__(self, returns: _Optional[_Iterable[_Union[ReturnToHandle, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetReturnsReportRequest(_message.Message):
    __slots__ = ("requested_from", "requested_to", "skus", "top_skus")
    REQUESTED_FROM_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_TO_FIELD_NUMBER: _ClassVar[int]
    SKUS_FIELD_NUMBER: _ClassVar[int]
    TOP_SKUS_FIELD_NUMBER: _ClassVar[int]
    requested_from: _timestamp_pb2.Timestamp
    requested_to: _timestamp_pb2.Timestamp
    skus: _containers.RepeatedScalarFieldContainer[str]
    top_skus: int
    def __init__(self, requested_from: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., requested_to: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., skus: _Optional[_Iterable[str]] = ..., top_skus: _Optional[int] = ...) -> None: ...

class ReasonCount(_message.Message):
    __slots__ = ("reason", "units")
    REASON_FIELD_NUMBER: _ClassVar[int]
    UNITS_FIELD_NUMBER: _ClassVar[int]
    reason: _orders_pb2.ReturnReason
    units: int
    def __init__(self, reason: _Optional[_Union[_orders_pb2.ReturnReason, str]] = ..., units: _Optional[int] = ...) -> None: ...

class ResolutionCount(_message.Message):
    __slots__ = ("resolution", "units")
    RESOLUTION_FIELD_NUMBER: _ClassVar[int]
    UNITS_FIELD_NUMBER: _ClassVar[int]
    resolution: _orders_pb2.ReturnResolution
    units: int
    def __init__(self, resolution: _Optional[_Union[_orders_pb2.ReturnResolution, str]] = ..., units: _Optional[int] = ...) -> None: ...

class SkuReturns(_message.Message):
    __slots__ = ("sku", "units", "by_reason")
    SKU_FIELD_NUMBER: _ClassVar[int]
    UNITS_FIELD_NUMBER: _ClassVar[int]
    BY_REASON_FIELD_NUMBER: _ClassVar[int]
    sku: str
    units: int
    by_reason: _containers.RepeatedCompositeFieldContainer[ReasonCount]
    def __init__(self, sku: _Optional[str] = ..., units: _Optional[int] = ..., by_reason: _Optional[_Iterable[_Union[ReasonCount, _Mapping]]] = ...) -> None: ...

class ReturnsReport(_message.Message):
    __slots__ = ("returns", "units", "by_reason", "by_resolution", "skus", "by_channel", "by_channel_asked")
    RETURNS_FIELD_NUMBER: _ClassVar[int]
    UNITS_FIELD_NUMBER: _ClassVar[int]
    BY_REASON_FIELD_NUMBER: _ClassVar[int]
    BY_RESOLUTION_FIELD_NUMBER: _ClassVar[int]
    SKUS_FIELD_NUMBER: _ClassVar[int]
    BY_CHANNEL_FIELD_NUMBER: _ClassVar[int]
    BY_CHANNEL_ASKED_FIELD_NUMBER: _ClassVar[int]
    returns: int
    units: int
    by_reason: _containers.RepeatedCompositeFieldContainer[ReasonCount]
    by_resolution: _containers.RepeatedCompositeFieldContainer[ResolutionCount]
    skus: _containers.RepeatedCompositeFieldContainer[SkuReturns]
    by_channel: _containers.RepeatedCompositeFieldContainer[ChannelCount]
    by_channel_asked: _containers.RepeatedCompositeFieldContainer[ChannelCount]
    def __init__(self, returns: _Optional[int] = ..., units: _Optional[int] = ..., by_reason: _Optional[_Iterable[_Union[ReasonCount, _Mapping]]] = ..., by_resolution: _Optional[_Iterable[_Union[ResolutionCount, _Mapping]]] = ..., skus: _Optional[_Iterable[_Union[SkuReturns, _Mapping]]] = ..., by_channel: _Optional[_Iterable[_Union[ChannelCount, _Mapping]]] = ..., by_channel_asked: _Optional[_Iterable[_Union[ChannelCount, _Mapping]]] = ...) -> None: ...

class ChannelCount(_message.Message):
    __slots__ = ("channel", "units")
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    UNITS_FIELD_NUMBER: _ClassVar[int]
    channel: _common_pb2.Channel
    units: int
    def __init__(self, channel: _Optional[_Union[_common_pb2.Channel, str]] = ..., units: _Optional[int] = ...) -> None: ...
