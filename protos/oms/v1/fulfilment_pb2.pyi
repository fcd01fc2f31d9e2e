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

class ShortageReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SHORTAGE_REASON_UNSPECIFIED: _ClassVar[ShortageReason]
    SHORTAGE_REASON_MISSING: _ClassVar[ShortageReason]
    SHORTAGE_REASON_DAMAGED: _ClassVar[ShortageReason]
    SHORTAGE_REASON_DECLINED: _ClassVar[ShortageReason]
SHORTAGE_REASON_UNSPECIFIED: ShortageReason
SHORTAGE_REASON_MISSING: ShortageReason
SHORTAGE_REASON_DAMAGED: ShortageReason
SHORTAGE_REASON_DECLINED: ShortageReason

class GetDeliveryReportRequest(_message.Message):
    __slots__ = ("counted_from", "counted_to", "location_ids")
    COUNTED_FROM_FIELD_NUMBER: _ClassVar[int]
    COUNTED_TO_FIELD_NUMBER: _ClassVar[int]
    LOCATION_IDS_FIELD_NUMBER: _ClassVar[int]
    counted_from: _timestamp_pb2.Timestamp
    counted_to: _timestamp_pb2.Timestamp
    location_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, counted_from: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., counted_to: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., location_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class UndeliveredCount(_message.Message):
    __slots__ = ("reason", "parcels")
    REASON_FIELD_NUMBER: _ClassVar[int]
    PARCELS_FIELD_NUMBER: _ClassVar[int]
    reason: _orders_pb2.UndeliveredReason
    parcels: int
    def __init__(self, reason: _Optional[_Union[_orders_pb2.UndeliveredReason, str]] = ..., parcels: _Optional[int] = ...) -> None: ...

class DeliveryCounts(_message.Message):
    __slots__ = ("shipped", "units_shipped", "delivered", "on_time", "late", "mean_hours_to_deliver", "returned", "lost", "by_reason")
    SHIPPED_FIELD_NUMBER: _ClassVar[int]
    UNITS_SHIPPED_FIELD_NUMBER: _ClassVar[int]
    DELIVERED_FIELD_NUMBER: _ClassVar[int]
    ON_TIME_FIELD_NUMBER: _ClassVar[int]
    LATE_FIELD_NUMBER: _ClassVar[int]
    MEAN_HOURS_TO_DELIVER_FIELD_NUMBER: _ClassVar[int]
    RETURNED_FIELD_NUMBER: _ClassVar[int]
    LOST_FIELD_NUMBER: _ClassVar[int]
    BY_REASON_FIELD_NUMBER: _ClassVar[int]
    shipped: int
    units_shipped: int
    delivered: int
    on_time: int
    late: int
    mean_hours_to_deliver: float
    returned: int
    lost: int
    by_reason: _containers.RepeatedCompositeFieldContainer[UndeliveredCount]
    def __init__(self, shipped: _Optional[int] = ..., units_shipped: _Optional[int] = ..., delivered: _Optional[int] = ..., on_time: _Optional[int] = ..., late: _Optional[int] = ..., mean_hours_to_deliver: _Optional[float] = ..., returned: _Optional[int] = ..., lost: _Optional[int] = ..., by_reason: _Optional[_Iterable[_Union[UndeliveredCount, _Mapping]]] = ...) -> None: ...

class LocationDeliveries(_message.Message):
    __slots__ = ("location_id", "counts")
    LOCATION_ID_FIELD_NUMBER: _ClassVar[int]
    COUNTS_FIELD_NUMBER: _ClassVar[int]
    location_id: str
    counts: DeliveryCounts
    def __init__(self, location_id: _Optional[str] = ..., counts: _Optional[_Union[DeliveryCounts, _Mapping]] = ...) -> None: ...

class CarrierDeliveries(_message.Message):
    __slots__ = ("carrier", "shipping_service", "pickup", "counts")
    CARRIER_FIELD_NUMBER: _ClassVar[int]
    SHIPPING_SERVICE_FIELD_NUMBER: _ClassVar[int]
    PICKUP_FIELD_NUMBER: _ClassVar[int]
    COUNTS_FIELD_NUMBER: _ClassVar[int]
    carrier: str
    shipping_service: str
    pickup: bool
    counts: DeliveryCounts
    def __init__(self, carrier: _Optional[str] = ..., shipping_service: _Optional[str] = ..., pickup: _Optional[bool] = ..., counts: _Optional[_Union[DeliveryCounts, _Mapping]] = ...) -> None: ...

class DayDeliveries(_message.Message):
    __slots__ = ("day", "counts")
    DAY_FIELD_NUMBER: _ClassVar[int]
    COUNTS_FIELD_NUMBER: _ClassVar[int]
    day: _timestamp_pb2.Timestamp
    counts: DeliveryCounts
    def __init__(self, day: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., counts: _Optional[_Union[DeliveryCounts, _Mapping]] = ...) -> None: ...

class DeliveryReport(_message.Message):
    __slots__ = ("total", "by_location", "by_carrier", "by_day")
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    BY_LOCATION_FIELD_NUMBER: _ClassVar[int]
    BY_CARRIER_FIELD_NUMBER: _ClassVar[int]
    BY_DAY_FIELD_NUMBER: _ClassVar[int]
    total: DeliveryCounts
    by_location: _containers.RepeatedCompositeFieldContainer[LocationDeliveries]
    by_carrier: _containers.RepeatedCompositeFieldContainer[CarrierDeliveries]
    by_day: _containers.RepeatedCompositeFieldContainer[DayDeliveries]
    def __init__(self, total: _Optional[_Union[DeliveryCounts, _Mapping]] = ..., by_location: _Optional[_Iterable[_Union[LocationDeliveries, _Mapping]]] = ..., by_carrier: _Optional[_Iterable[_Union[CarrierDeliveries, _Mapping]]] = ..., by_day: _Optional[_Iterable[_Union[DayDeliveries, _Mapping]]] = ...) -> None: ...

class ReportDeliveryFailureRequest(_message.Message):
    __slots__ = ("order_id", "shipment_id", "return_id", "reason", "resolution", "location_id", "ship_to", "note")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    SHIPMENT_ID_FIELD_NUMBER: _ClassVar[int]
    RETURN_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    RESOLUTION_FIELD_NUMBER: _ClassVar[int]
    LOCATION_ID_FIELD_NUMBER: _ClassVar[int]
    SHIP_TO_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    shipment_id: str
    return_id: str
    reason: _orders_pb2.UndeliveredReason
    resolution: _orders_pb2.ReturnResolution
    location_id: str
    ship_to: _common_pb2.Address
    note: str
    def __init__(self, order_id: _Optional[str] = ..., shipment_id: _Optional[str] = ..., return_id: _Optional[str] = ..., reason: _Optional[_Union[_orders_pb2.UndeliveredReason, str]] = ..., resolution: _Optional[_Union[_orders_pb2.ReturnResolution, str]] = ..., location_id: _Optional[str] = ..., ship_to: _Optional[_Union[_common_pb2.Address, _Mapping]] = ..., note: _Optional[str] = ...) -> None: ...

class ReportShortageRequest(_message.Message):
    __slots__ = ("order_id", "location_id", "shortage_id", "lines", "reason")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    LOCATION_ID_FIELD_NUMBER: _ClassVar[int]
    SHORTAGE_ID_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    location_id: str
    shortage_id: str
    lines: _containers.RepeatedCompositeFieldContainer[_orders_pb2.ShipmentLine]
    reason: ShortageReason
    def __init__(self, order_id: _Optional[str] = ..., location_id: _Optional[str] = ..., shortage_id: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[_orders_pb2.ShipmentLine, _Mapping]]] = ..., reason: _Optional[_Union[ShortageReason, str]] = ...) -> None: ...

class FulfilmentRequest(_message.Message):
    __slots__ = ("order_id", "location_id", "lines", "promised_delivery", "ship_by", "shipping_service", "ship_complete")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    LOCATION_ID_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    PROMISED_DELIVERY_FIELD_NUMBER: _ClassVar[int]
    SHIP_BY_FIELD_NUMBER: _ClassVar[int]
    SHIPPING_SERVICE_FIELD_NUMBER: _ClassVar[int]
    SHIP_COMPLETE_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    location_id: str
    lines: _containers.RepeatedCompositeFieldContainer[_orders_pb2.ShipmentLine]
    promised_delivery: _timestamp_pb2.Timestamp
    ship_by: _timestamp_pb2.Timestamp
    shipping_service: str
    ship_complete: bool
    def __init__(self, order_id: _Optional[str] = ..., location_id: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[_orders_pb2.ShipmentLine, _Mapping]]] = ..., promised_delivery: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., ship_by: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., shipping_service: _Optional[str] = ..., ship_complete: _Optional[bool] = ...) -> None: ...

class ListFulfilmentRequestsRequest(_message.Message):
    __slots__ = ("location_id", "page_size", "shipping_service")
    LOCATION_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    SHIPPING_SERVICE_FIELD_NUMBER: _ClassVar[int]
    location_id: str
    page_size: int
    shipping_service: str
    def __init__(self, location_id: _Optional[str] = ..., page_size: _Optional[int] = ..., shipping_service: _Optional[str] = ...) -> None: ...

class ListFulfilmentRequestsResponse(_message.Message):
    __slots__ = ("requests",)
    REQUESTS_FIELD_NUMBER: _ClassVar[int]
    requests: _containers.RepeatedCompositeFieldContainer[FulfilmentRequest]
    def __init__(self, requests: _Optional[_Iterable[_Union[FulfilmentRequest, _Mapping]]] = ...) -> None: ...

class ConfirmShipmentRequest(_message.Message):
    __slots__ = ("order_id", "location_id", "shipment_id", "lines", "carrier", "tracking")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    LOCATION_ID_FIELD_NUMBER: _ClassVar[int]
    SHIPMENT_ID_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    CARRIER_FIELD_NUMBER: _ClassVar[int]
    TRACKING_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    location_id: str
    shipment_id: str
    lines: _containers.RepeatedCompositeFieldContainer[_orders_pb2.ShipmentLine]
    carrier: str
    tracking: str
    def __init__(self, order_id: _Optional[str] = ..., location_id: _Optional[str] = ..., shipment_id: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[_orders_pb2.ShipmentLine, _Mapping]]] = ..., carrier: _Optional[str] = ..., tracking: _Optional[str] = ...) -> None: ...

class ConfirmDeliveryRequest(_message.Message):
    __slots__ = ("order_id", "shipment_id")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    SHIPMENT_ID_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    shipment_id: str
    def __init__(self, order_id: _Optional[str] = ..., shipment_id: _Optional[str] = ...) -> None: ...

class UpdateDeliveryEstimateRequest(_message.Message):
    __slots__ = ("order_id", "shipment_id", "estimated_delivery", "reason")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    SHIPMENT_ID_FIELD_NUMBER: _ClassVar[int]
    ESTIMATED_DELIVERY_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    shipment_id: str
    estimated_delivery: _timestamp_pb2.Timestamp
    reason: str
    def __init__(self, order_id: _Optional[str] = ..., shipment_id: _Optional[str] = ..., estimated_delivery: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., reason: _Optional[str] = ...) -> None: ...
