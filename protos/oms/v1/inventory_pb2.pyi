import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from protos.oms.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AdjustmentReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ADJUSTMENT_REASON_UNSPECIFIED: _ClassVar[AdjustmentReason]
    ADJUSTMENT_REASON_CYCLE_COUNT: _ClassVar[AdjustmentReason]
    ADJUSTMENT_REASON_DAMAGE: _ClassVar[AdjustmentReason]
    ADJUSTMENT_REASON_SHRINKAGE: _ClassVar[AdjustmentReason]
    ADJUSTMENT_REASON_FOUND: _ClassVar[AdjustmentReason]
    ADJUSTMENT_REASON_RETURN_TO_VENDOR: _ClassVar[AdjustmentReason]
    ADJUSTMENT_REASON_OTHER: _ClassVar[AdjustmentReason]

class RuleEffect(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RULE_EFFECT_UNSPECIFIED: _ClassVar[RuleEffect]
    RULE_EFFECT_ALLOW: _ClassVar[RuleEffect]
    RULE_EFFECT_DENY: _ClassVar[RuleEffect]
ADJUSTMENT_REASON_UNSPECIFIED: AdjustmentReason
ADJUSTMENT_REASON_CYCLE_COUNT: AdjustmentReason
ADJUSTMENT_REASON_DAMAGE: AdjustmentReason
ADJUSTMENT_REASON_SHRINKAGE: AdjustmentReason
ADJUSTMENT_REASON_FOUND: AdjustmentReason
ADJUSTMENT_REASON_RETURN_TO_VENDOR: AdjustmentReason
ADJUSTMENT_REASON_OTHER: AdjustmentReason
RULE_EFFECT_UNSPECIFIED: RuleEffect
RULE_EFFECT_ALLOW: RuleEffect
RULE_EFFECT_DENY: RuleEffect

class Location(_message.Message):
    __slots__ = ("location_id", "type", "name", "position", "shipment_cost_minor", "shipment_cost_per_km_minor", "unit_handling_cost_minor", "unit_cost_per_kg_km_minor", "pickup_enabled", "active", "daily_capacity_units", "time_zone", "country_code", "shipping", "pickup_hold_days")
    LOCATION_ID_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    SHIPMENT_COST_MINOR_FIELD_NUMBER: _ClassVar[int]
    SHIPMENT_COST_PER_KM_MINOR_FIELD_NUMBER: _ClassVar[int]
    UNIT_HANDLING_COST_MINOR_FIELD_NUMBER: _ClassVar[int]
    UNIT_COST_PER_KG_KM_MINOR_FIELD_NUMBER: _ClassVar[int]
    PICKUP_ENABLED_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    DAILY_CAPACITY_UNITS_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_CODE_FIELD_NUMBER: _ClassVar[int]
    SHIPPING_FIELD_NUMBER: _ClassVar[int]
    PICKUP_HOLD_DAYS_FIELD_NUMBER: _ClassVar[int]
    location_id: str
    type: _common_pb2.LocationType
    name: str
    position: _common_pb2.GeoPoint
    shipment_cost_minor: int
    shipment_cost_per_km_minor: float
    unit_handling_cost_minor: int
    unit_cost_per_kg_km_minor: float
    pickup_enabled: bool
    active: bool
    daily_capacity_units: int
    time_zone: str
    country_code: str
    shipping: ShippingSchedule
    pickup_hold_days: int
    def __init__(self, location_id: _Optional[str] = ..., type: _Optional[_Union[_common_pb2.LocationType, str]] = ..., name: _Optional[str] = ..., position: _Optional[_Union[_common_pb2.GeoPoint, _Mapping]] = ..., shipment_cost_minor: _Optional[int] = ..., shipment_cost_per_km_minor: _Optional[float] = ..., unit_handling_cost_minor: _Optional[int] = ..., unit_cost_per_kg_km_minor: _Optional[float] = ..., pickup_enabled: _Optional[bool] = ..., active: _Optional[bool] = ..., daily_capacity_units: _Optional[int] = ..., time_zone: _Optional[str] = ..., country_code: _Optional[str] = ..., shipping: _Optional[_Union[ShippingSchedule, _Mapping]] = ..., pickup_hold_days: _Optional[int] = ...) -> None: ...

class ShippingSchedule(_message.Message):
    __slots__ = ("handling_days", "cutoff", "shipping_weekdays", "transit_km_per_day", "transit_min_days", "delivery_weekdays", "closed_dates", "services")
    HANDLING_DAYS_FIELD_NUMBER: _ClassVar[int]
    CUTOFF_FIELD_NUMBER: _ClassVar[int]
    SHIPPING_WEEKDAYS_FIELD_NUMBER: _ClassVar[int]
    TRANSIT_KM_PER_DAY_FIELD_NUMBER: _ClassVar[int]
    TRANSIT_MIN_DAYS_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_WEEKDAYS_FIELD_NUMBER: _ClassVar[int]
    CLOSED_DATES_FIELD_NUMBER: _ClassVar[int]
    SERVICES_FIELD_NUMBER: _ClassVar[int]
    handling_days: int
    cutoff: str
    shipping_weekdays: _containers.RepeatedScalarFieldContainer[int]
    transit_km_per_day: int
    transit_min_days: int
    delivery_weekdays: _containers.RepeatedScalarFieldContainer[int]
    closed_dates: _containers.RepeatedCompositeFieldContainer[_timestamp_pb2.Timestamp]
    services: _containers.RepeatedCompositeFieldContainer[CarrierService]
    def __init__(self, handling_days: _Optional[int] = ..., cutoff: _Optional[str] = ..., shipping_weekdays: _Optional[_Iterable[int]] = ..., transit_km_per_day: _Optional[int] = ..., transit_min_days: _Optional[int] = ..., delivery_weekdays: _Optional[_Iterable[int]] = ..., closed_dates: _Optional[_Iterable[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]]] = ..., services: _Optional[_Iterable[_Union[CarrierService, _Mapping]]] = ...) -> None: ...

class CarrierService(_message.Message):
    __slots__ = ("code", "transit_km_per_day", "transit_min_days", "cutoff", "parcel_cost_minor", "delivery_weekdays")
    CODE_FIELD_NUMBER: _ClassVar[int]
    TRANSIT_KM_PER_DAY_FIELD_NUMBER: _ClassVar[int]
    TRANSIT_MIN_DAYS_FIELD_NUMBER: _ClassVar[int]
    CUTOFF_FIELD_NUMBER: _ClassVar[int]
    PARCEL_COST_MINOR_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_WEEKDAYS_FIELD_NUMBER: _ClassVar[int]
    code: str
    transit_km_per_day: int
    transit_min_days: int
    cutoff: str
    parcel_cost_minor: int
    delivery_weekdays: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, code: _Optional[str] = ..., transit_km_per_day: _Optional[int] = ..., transit_min_days: _Optional[int] = ..., cutoff: _Optional[str] = ..., parcel_cost_minor: _Optional[int] = ..., delivery_weekdays: _Optional[_Iterable[int]] = ...) -> None: ...

class HolidayCalendar(_message.Message):
    __slots__ = ("country_code", "dates")
    COUNTRY_CODE_FIELD_NUMBER: _ClassVar[int]
    DATES_FIELD_NUMBER: _ClassVar[int]
    country_code: str
    dates: _containers.RepeatedCompositeFieldContainer[_timestamp_pb2.Timestamp]
    def __init__(self, country_code: _Optional[str] = ..., dates: _Optional[_Iterable[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]]] = ...) -> None: ...

class SetPublicHolidaysRequest(_message.Message):
    __slots__ = ("calendars",)
    CALENDARS_FIELD_NUMBER: _ClassVar[int]
    calendars: _containers.RepeatedCompositeFieldContainer[HolidayCalendar]
    def __init__(self, calendars: _Optional[_Iterable[_Union[HolidayCalendar, _Mapping]]] = ...) -> None: ...

class SetPublicHolidaysResponse(_message.Message):
    __slots__ = ("countries",)
    COUNTRIES_FIELD_NUMBER: _ClassVar[int]
    countries: int
    def __init__(self, countries: _Optional[int] = ...) -> None: ...

class GetPublicHolidaysRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetPublicHolidaysResponse(_message.Message):
    __slots__ = ("calendars",)
    CALENDARS_FIELD_NUMBER: _ClassVar[int]
    calendars: _containers.RepeatedCompositeFieldContainer[HolidayCalendar]
    def __init__(self, calendars: _Optional[_Iterable[_Union[HolidayCalendar, _Mapping]]] = ...) -> None: ...

class UpsertLocationsRequest(_message.Message):
    __slots__ = ("locations",)
    LOCATIONS_FIELD_NUMBER: _ClassVar[int]
    locations: _containers.RepeatedCompositeFieldContainer[Location]
    def __init__(self, locations: _Optional[_Iterable[_Union[Location, _Mapping]]] = ...) -> None: ...

class UpsertLocationsResponse(_message.Message):
    __slots__ = ("upserted",)
    UPSERTED_FIELD_NUMBER: _ClassVar[int]
    upserted: int
    def __init__(self, upserted: _Optional[int] = ...) -> None: ...

class Product(_message.Message):
    __slots__ = ("sku", "name", "weight_grams", "returnable", "style", "return_window_days")
    SKU_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_GRAMS_FIELD_NUMBER: _ClassVar[int]
    RETURNABLE_FIELD_NUMBER: _ClassVar[int]
    STYLE_FIELD_NUMBER: _ClassVar[int]
    RETURN_WINDOW_DAYS_FIELD_NUMBER: _ClassVar[int]
    sku: str
    name: str
    weight_grams: int
    returnable: bool
    style: str
    return_window_days: int
    def __init__(self, sku: _Optional[str] = ..., name: _Optional[str] = ..., weight_grams: _Optional[int] = ..., returnable: _Optional[bool] = ..., style: _Optional[str] = ..., return_window_days: _Optional[int] = ...) -> None: ...

class ListProductsRequest(_message.Message):
    __slots__ = ("skus", "style", "page_size", "page_token")
    SKUS_FIELD_NUMBER: _ClassVar[int]
    STYLE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    skus: _containers.RepeatedScalarFieldContainer[str]
    style: str
    page_size: int
    page_token: str
    def __init__(self, skus: _Optional[_Iterable[str]] = ..., style: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListProductsResponse(_message.Message):
    __slots__ = ("products", "missing_skus", "next_page_token")
    PRODUCTS_FIELD_NUMBER: _ClassVar[int]
    MISSING_SKUS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    products: _containers.RepeatedCompositeFieldContainer[Product]
    missing_skus: _containers.RepeatedScalarFieldContainer[str]
    next_page_token: str
    def __init__(self, products: _Optional[_Iterable[_Union[Product, _Mapping]]] = ..., missing_skus: _Optional[_Iterable[str]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListLocationsRequest(_message.Message):
    __slots__ = ("type", "pickup_only", "include_inactive", "near", "within_km", "page_size", "page_token")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    PICKUP_ONLY_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_INACTIVE_FIELD_NUMBER: _ClassVar[int]
    NEAR_FIELD_NUMBER: _ClassVar[int]
    WITHIN_KM_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    type: _common_pb2.LocationType
    pickup_only: bool
    include_inactive: bool
    near: _common_pb2.GeoPoint
    within_km: float
    page_size: int
    page_token: str
    def __init__(self, type: _Optional[_Union[_common_pb2.LocationType, str]] = ..., pickup_only: _Optional[bool] = ..., include_inactive: _Optional[bool] = ..., near: _Optional[_Union[_common_pb2.GeoPoint, _Mapping]] = ..., within_km: _Optional[float] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListedLocation(_message.Message):
    __slots__ = ("location", "distance_km")
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    DISTANCE_KM_FIELD_NUMBER: _ClassVar[int]
    location: Location
    distance_km: float
    def __init__(self, location: _Optional[_Union[Location, _Mapping]] = ..., distance_km: _Optional[float] = ...) -> None: ...

class ListLocationsResponse(_message.Message):
    __slots__ = ("locations", "next_page_token")
    LOCATIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    locations: _containers.RepeatedCompositeFieldContainer[ListedLocation]
    next_page_token: str
    def __init__(self, locations: _Optional[_Iterable[_Union[ListedLocation, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class UpsertProductsRequest(_message.Message):
    __slots__ = ("products",)
    PRODUCTS_FIELD_NUMBER: _ClassVar[int]
    products: _containers.RepeatedCompositeFieldContainer[Product]
    def __init__(self, products: _Optional[_Iterable[_Union[Product, _Mapping]]] = ...) -> None: ...

class UpsertProductsResponse(_message.Message):
    __slots__ = ("upserted",)
    UPSERTED_FIELD_NUMBER: _ClassVar[int]
    upserted: int
    def __init__(self, upserted: _Optional[int] = ...) -> None: ...

class StockLevel(_message.Message):
    __slots__ = ("location_id", "sku", "on_hand", "safety_stock")
    LOCATION_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_FIELD_NUMBER: _ClassVar[int]
    ON_HAND_FIELD_NUMBER: _ClassVar[int]
    SAFETY_STOCK_FIELD_NUMBER: _ClassVar[int]
    location_id: str
    sku: str
    on_hand: int
    safety_stock: int
    def __init__(self, location_id: _Optional[str] = ..., sku: _Optional[str] = ..., on_hand: _Optional[int] = ..., safety_stock: _Optional[int] = ...) -> None: ...

class SetStockRequest(_message.Message):
    __slots__ = ("levels",)
    LEVELS_FIELD_NUMBER: _ClassVar[int]
    levels: _containers.RepeatedCompositeFieldContainer[StockLevel]
    def __init__(self, levels: _Optional[_Iterable[_Union[StockLevel, _Mapping]]] = ...) -> None: ...

class SetStockResponse(_message.Message):
    __slots__ = ("applied",)
    APPLIED_FIELD_NUMBER: _ClassVar[int]
    applied: int
    def __init__(self, applied: _Optional[int] = ...) -> None: ...

class GetAvailabilityRequest(_message.Message):
    __slots__ = ("skus", "location_ids", "channel", "delivery_mode", "pickup_location_id", "destination", "shipping_service", "destination_country", "basket")
    SKUS_FIELD_NUMBER: _ClassVar[int]
    LOCATION_IDS_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_MODE_FIELD_NUMBER: _ClassVar[int]
    PICKUP_LOCATION_ID_FIELD_NUMBER: _ClassVar[int]
    DESTINATION_FIELD_NUMBER: _ClassVar[int]
    SHIPPING_SERVICE_FIELD_NUMBER: _ClassVar[int]
    DESTINATION_COUNTRY_FIELD_NUMBER: _ClassVar[int]
    BASKET_FIELD_NUMBER: _ClassVar[int]
    skus: _containers.RepeatedScalarFieldContainer[str]
    location_ids: _containers.RepeatedScalarFieldContainer[str]
    channel: _common_pb2.Channel
    delivery_mode: _common_pb2.DeliveryMode
    pickup_location_id: str
    destination: _common_pb2.GeoPoint
    shipping_service: str
    destination_country: str
    basket: _containers.RepeatedCompositeFieldContainer[BasketLine]
    def __init__(self, skus: _Optional[_Iterable[str]] = ..., location_ids: _Optional[_Iterable[str]] = ..., channel: _Optional[_Union[_common_pb2.Channel, str]] = ..., delivery_mode: _Optional[_Union[_common_pb2.DeliveryMode, str]] = ..., pickup_location_id: _Optional[str] = ..., destination: _Optional[_Union[_common_pb2.GeoPoint, _Mapping]] = ..., shipping_service: _Optional[str] = ..., destination_country: _Optional[str] = ..., basket: _Optional[_Iterable[_Union[BasketLine, _Mapping]]] = ...) -> None: ...

class BasketLine(_message.Message):
    __slots__ = ("sku", "quantity")
    SKU_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    sku: str
    quantity: int
    def __init__(self, sku: _Optional[str] = ..., quantity: _Optional[int] = ...) -> None: ...

class OneParcel(_message.Message):
    __slots__ = ("locations", "earliest_delivery")
    LOCATIONS_FIELD_NUMBER: _ClassVar[int]
    EARLIEST_DELIVERY_FIELD_NUMBER: _ClassVar[int]
    locations: _containers.RepeatedCompositeFieldContainer[ParcelLocation]
    earliest_delivery: _timestamp_pb2.Timestamp
    def __init__(self, locations: _Optional[_Iterable[_Union[ParcelLocation, _Mapping]]] = ..., earliest_delivery: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ParcelLocation(_message.Message):
    __slots__ = ("location_id", "delivers_on")
    LOCATION_ID_FIELD_NUMBER: _ClassVar[int]
    DELIVERS_ON_FIELD_NUMBER: _ClassVar[int]
    location_id: str
    delivers_on: _timestamp_pb2.Timestamp
    def __init__(self, location_id: _Optional[str] = ..., delivers_on: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class InboundAvailability(_message.Message):
    __slots__ = ("expected_at", "quantity", "promised")
    EXPECTED_AT_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    PROMISED_FIELD_NUMBER: _ClassVar[int]
    expected_at: _timestamp_pb2.Timestamp
    quantity: int
    promised: int
    def __init__(self, expected_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., quantity: _Optional[int] = ..., promised: _Optional[int] = ...) -> None: ...

class LocationAvailability(_message.Message):
    __slots__ = ("location_id", "on_hand", "reserved", "safety_stock", "available", "promisable", "inbound", "capacity_left_today", "delivers_on")
    LOCATION_ID_FIELD_NUMBER: _ClassVar[int]
    ON_HAND_FIELD_NUMBER: _ClassVar[int]
    RESERVED_FIELD_NUMBER: _ClassVar[int]
    SAFETY_STOCK_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    PROMISABLE_FIELD_NUMBER: _ClassVar[int]
    INBOUND_FIELD_NUMBER: _ClassVar[int]
    CAPACITY_LEFT_TODAY_FIELD_NUMBER: _ClassVar[int]
    DELIVERS_ON_FIELD_NUMBER: _ClassVar[int]
    location_id: str
    on_hand: int
    reserved: int
    safety_stock: int
    available: int
    promisable: int
    inbound: _containers.RepeatedCompositeFieldContainer[InboundAvailability]
    capacity_left_today: int
    delivers_on: _timestamp_pb2.Timestamp
    def __init__(self, location_id: _Optional[str] = ..., on_hand: _Optional[int] = ..., reserved: _Optional[int] = ..., safety_stock: _Optional[int] = ..., available: _Optional[int] = ..., promisable: _Optional[int] = ..., inbound: _Optional[_Iterable[_Union[InboundAvailability, _Mapping]]] = ..., capacity_left_today: _Optional[int] = ..., delivers_on: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class SkuAvailability(_message.Message):
    __slots__ = ("sku", "available", "locations", "promisable", "earliest_delivery", "delivery_options")
    SKU_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    LOCATIONS_FIELD_NUMBER: _ClassVar[int]
    PROMISABLE_FIELD_NUMBER: _ClassVar[int]
    EARLIEST_DELIVERY_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_OPTIONS_FIELD_NUMBER: _ClassVar[int]
    sku: str
    available: int
    locations: _containers.RepeatedCompositeFieldContainer[LocationAvailability]
    promisable: int
    earliest_delivery: _timestamp_pb2.Timestamp
    delivery_options: _containers.RepeatedCompositeFieldContainer[DeliveryOption]
    def __init__(self, sku: _Optional[str] = ..., available: _Optional[int] = ..., locations: _Optional[_Iterable[_Union[LocationAvailability, _Mapping]]] = ..., promisable: _Optional[int] = ..., earliest_delivery: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., delivery_options: _Optional[_Iterable[_Union[DeliveryOption, _Mapping]]] = ...) -> None: ...

class DeliveryOption(_message.Message):
    __slots__ = ("shipping_service", "earliest_delivery")
    SHIPPING_SERVICE_FIELD_NUMBER: _ClassVar[int]
    EARLIEST_DELIVERY_FIELD_NUMBER: _ClassVar[int]
    shipping_service: str
    earliest_delivery: _timestamp_pb2.Timestamp
    def __init__(self, shipping_service: _Optional[str] = ..., earliest_delivery: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetAvailabilityResponse(_message.Message):
    __slots__ = ("skus", "one_parcel")
    SKUS_FIELD_NUMBER: _ClassVar[int]
    ONE_PARCEL_FIELD_NUMBER: _ClassVar[int]
    skus: _containers.RepeatedCompositeFieldContainer[SkuAvailability]
    one_parcel: OneParcel
    def __init__(self, skus: _Optional[_Iterable[_Union[SkuAvailability, _Mapping]]] = ..., one_parcel: _Optional[_Union[OneParcel, _Mapping]] = ...) -> None: ...

class StockQuantity(_message.Message):
    __slots__ = ("sku", "quantity")
    SKU_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    sku: str
    quantity: int
    def __init__(self, sku: _Optional[str] = ..., quantity: _Optional[int] = ...) -> None: ...

class StockSnapshot(_message.Message):
    __slots__ = ("quantities", "complete")
    QUANTITIES_FIELD_NUMBER: _ClassVar[int]
    COMPLETE_FIELD_NUMBER: _ClassVar[int]
    quantities: _containers.RepeatedCompositeFieldContainer[StockQuantity]
    complete: bool
    def __init__(self, quantities: _Optional[_Iterable[_Union[StockQuantity, _Mapping]]] = ..., complete: _Optional[bool] = ...) -> None: ...

class StockDelta(_message.Message):
    __slots__ = ("changes",)
    CHANGES_FIELD_NUMBER: _ClassVar[int]
    changes: _containers.RepeatedCompositeFieldContainer[StockQuantity]
    def __init__(self, changes: _Optional[_Iterable[_Union[StockQuantity, _Mapping]]] = ...) -> None: ...

class StockAdjustment(_message.Message):
    __slots__ = ("changes", "reason", "note")
    CHANGES_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    changes: _containers.RepeatedCompositeFieldContainer[StockQuantity]
    reason: AdjustmentReason
    note: str
    def __init__(self, changes: _Optional[_Iterable[_Union[StockQuantity, _Mapping]]] = ..., reason: _Optional[_Union[AdjustmentReason, str]] = ..., note: _Optional[str] = ...) -> None: ...

class StockFeedMessage(_message.Message):
    __slots__ = ("feed_id", "sequence", "location_id", "snapshot", "delta", "adjustment")
    FEED_ID_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    LOCATION_ID_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_FIELD_NUMBER: _ClassVar[int]
    DELTA_FIELD_NUMBER: _ClassVar[int]
    ADJUSTMENT_FIELD_NUMBER: _ClassVar[int]
    feed_id: str
    sequence: int
    location_id: str
    snapshot: StockSnapshot
    delta: StockDelta
    adjustment: StockAdjustment
    def __init__(self, feed_id: _Optional[str] = ..., sequence: _Optional[int] = ..., location_id: _Optional[str] = ..., snapshot: _Optional[_Union[StockSnapshot, _Mapping]] = ..., delta: _Optional[_Union[StockDelta, _Mapping]] = ..., adjustment: _Optional[_Union[StockAdjustment, _Mapping]] = ...) -> None: ...

class FeedPosition(_message.Message):
    __slots__ = ("feed_id", "location_id", "last_sequence")
    FEED_ID_FIELD_NUMBER: _ClassVar[int]
    LOCATION_ID_FIELD_NUMBER: _ClassVar[int]
    LAST_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    feed_id: str
    location_id: str
    last_sequence: int
    def __init__(self, feed_id: _Optional[str] = ..., location_id: _Optional[str] = ..., last_sequence: _Optional[int] = ...) -> None: ...

class StockFeedSummary(_message.Message):
    __slots__ = ("applied", "replayed", "positions")
    APPLIED_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    POSITIONS_FIELD_NUMBER: _ClassVar[int]
    applied: int
    replayed: int
    positions: _containers.RepeatedCompositeFieldContainer[FeedPosition]
    def __init__(self, applied: _Optional[int] = ..., replayed: _Optional[int] = ..., positions: _Optional[_Iterable[_Union[FeedPosition, _Mapping]]] = ...) -> None: ...

class InboundSupply(_message.Message):
    __slots__ = ("location_id", "sku", "expected_at", "quantity")
    LOCATION_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_AT_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    location_id: str
    sku: str
    expected_at: _timestamp_pb2.Timestamp
    quantity: int
    def __init__(self, location_id: _Optional[str] = ..., sku: _Optional[str] = ..., expected_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., quantity: _Optional[int] = ...) -> None: ...

class SetInboundSupplyRequest(_message.Message):
    __slots__ = ("supplies",)
    SUPPLIES_FIELD_NUMBER: _ClassVar[int]
    supplies: _containers.RepeatedCompositeFieldContainer[InboundSupply]
    def __init__(self, supplies: _Optional[_Iterable[_Union[InboundSupply, _Mapping]]] = ...) -> None: ...

class SetInboundSupplyResponse(_message.Message):
    __slots__ = ("applied", "orders_to_resource")
    APPLIED_FIELD_NUMBER: _ClassVar[int]
    ORDERS_TO_RESOURCE_FIELD_NUMBER: _ClassVar[int]
    applied: int
    orders_to_resource: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, applied: _Optional[int] = ..., orders_to_resource: _Optional[_Iterable[str]] = ...) -> None: ...

class ReceivedSupply(_message.Message):
    __slots__ = ("sku", "expected_at", "quantity")
    SKU_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_AT_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    sku: str
    expected_at: _timestamp_pb2.Timestamp
    quantity: int
    def __init__(self, sku: _Optional[str] = ..., expected_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., quantity: _Optional[int] = ...) -> None: ...

class ReceiveInboundSupplyRequest(_message.Message):
    __slots__ = ("receipt_id", "location_id", "lines")
    RECEIPT_ID_FIELD_NUMBER: _ClassVar[int]
    LOCATION_ID_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    receipt_id: str
    location_id: str
    lines: _containers.RepeatedCompositeFieldContainer[ReceivedSupply]
    def __init__(self, receipt_id: _Optional[str] = ..., location_id: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[ReceivedSupply, _Mapping]]] = ...) -> None: ...

class ReceiveInboundSupplyResponse(_message.Message):
    __slots__ = ("received", "promises_kept")
    RECEIVED_FIELD_NUMBER: _ClassVar[int]
    PROMISES_KEPT_FIELD_NUMBER: _ClassVar[int]
    received: int
    promises_kept: int
    def __init__(self, received: _Optional[int] = ..., promises_kept: _Optional[int] = ...) -> None: ...

class EligibilityRule(_message.Message):
    __slots__ = ("effect", "channels", "delivery_modes", "location_types", "location_ids", "skus", "description")
    EFFECT_FIELD_NUMBER: _ClassVar[int]
    CHANNELS_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_MODES_FIELD_NUMBER: _ClassVar[int]
    LOCATION_TYPES_FIELD_NUMBER: _ClassVar[int]
    LOCATION_IDS_FIELD_NUMBER: _ClassVar[int]
    SKUS_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    effect: RuleEffect
    channels: _containers.RepeatedScalarFieldContainer[_common_pb2.Channel]
    delivery_modes: _containers.RepeatedScalarFieldContainer[_common_pb2.DeliveryMode]
    location_types: _containers.RepeatedScalarFieldContainer[_common_pb2.LocationType]
    location_ids: _containers.RepeatedScalarFieldContainer[str]
    skus: _containers.RepeatedScalarFieldContainer[str]
    description: str
    def __init__(self, effect: _Optional[_Union[RuleEffect, str]] = ..., channels: _Optional[_Iterable[_Union[_common_pb2.Channel, str]]] = ..., delivery_modes: _Optional[_Iterable[_Union[_common_pb2.DeliveryMode, str]]] = ..., location_types: _Optional[_Iterable[_Union[_common_pb2.LocationType, str]]] = ..., location_ids: _Optional[_Iterable[str]] = ..., skus: _Optional[_Iterable[str]] = ..., description: _Optional[str] = ...) -> None: ...

class ChannelShipmentLimit(_message.Message):
    __slots__ = ("channel", "max_shipments")
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    MAX_SHIPMENTS_FIELD_NUMBER: _ClassVar[int]
    channel: _common_pb2.Channel
    max_shipments: int
    def __init__(self, channel: _Optional[_Union[_common_pb2.Channel, str]] = ..., max_shipments: _Optional[int] = ...) -> None: ...

class ChannelSafetyStock(_message.Message):
    __slots__ = ("channel", "location_id", "location_type", "units")
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    LOCATION_ID_FIELD_NUMBER: _ClassVar[int]
    LOCATION_TYPE_FIELD_NUMBER: _ClassVar[int]
    UNITS_FIELD_NUMBER: _ClassVar[int]
    channel: _common_pb2.Channel
    location_id: str
    location_type: _common_pb2.LocationType
    units: int
    def __init__(self, channel: _Optional[_Union[_common_pb2.Channel, str]] = ..., location_id: _Optional[str] = ..., location_type: _Optional[_Union[_common_pb2.LocationType, str]] = ..., units: _Optional[int] = ...) -> None: ...

class RoutingRules(_message.Message):
    __slots__ = ("rules", "max_shipments", "channel_shipment_limits", "channel_safety_stock", "unfilled_unit_penalty_minor", "inbound_horizon_days", "inbound_wait_unit_cost_minor", "late_delivery_unit_cost_minor", "backorder_cancel_after_days")
    RULES_FIELD_NUMBER: _ClassVar[int]
    MAX_SHIPMENTS_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_SHIPMENT_LIMITS_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_SAFETY_STOCK_FIELD_NUMBER: _ClassVar[int]
    UNFILLED_UNIT_PENALTY_MINOR_FIELD_NUMBER: _ClassVar[int]
    INBOUND_HORIZON_DAYS_FIELD_NUMBER: _ClassVar[int]
    INBOUND_WAIT_UNIT_COST_MINOR_FIELD_NUMBER: _ClassVar[int]
    LATE_DELIVERY_UNIT_COST_MINOR_FIELD_NUMBER: _ClassVar[int]
    BACKORDER_CANCEL_AFTER_DAYS_FIELD_NUMBER: _ClassVar[int]
    rules: _containers.RepeatedCompositeFieldContainer[EligibilityRule]
    max_shipments: int
    channel_shipment_limits: _containers.RepeatedCompositeFieldContainer[ChannelShipmentLimit]
    channel_safety_stock: _containers.RepeatedCompositeFieldContainer[ChannelSafetyStock]
    unfilled_unit_penalty_minor: int
    inbound_horizon_days: int
    inbound_wait_unit_cost_minor: int
    late_delivery_unit_cost_minor: int
    backorder_cancel_after_days: int
    def __init__(self, rules: _Optional[_Iterable[_Union[EligibilityRule, _Mapping]]] = ..., max_shipments: _Optional[int] = ..., channel_shipment_limits: _Optional[_Iterable[_Union[ChannelShipmentLimit, _Mapping]]] = ..., channel_safety_stock: _Optional[_Iterable[_Union[ChannelSafetyStock, _Mapping]]] = ..., unfilled_unit_penalty_minor: _Optional[int] = ..., inbound_horizon_days: _Optional[int] = ..., inbound_wait_unit_cost_minor: _Optional[int] = ..., late_delivery_unit_cost_minor: _Optional[int] = ..., backorder_cancel_after_days: _Optional[int] = ...) -> None: ...

class GetRoutingRulesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class AuditStockRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class StockDifference(_message.Message):
    __slots__ = ("location_id", "sku", "kind", "expected", "actual", "detail")
    LOCATION_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_FIELD_NUMBER: _ClassVar[int]
    ACTUAL_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    location_id: str
    sku: str
    kind: str
    expected: int
    actual: int
    detail: str
    def __init__(self, location_id: _Optional[str] = ..., sku: _Optional[str] = ..., kind: _Optional[str] = ..., expected: _Optional[int] = ..., actual: _Optional[int] = ..., detail: _Optional[str] = ...) -> None: ...

class AuditStockResponse(_message.Message):
    __slots__ = ("rows_checked", "reservations_checked", "orders_checked", "differences")
    ROWS_CHECKED_FIELD_NUMBER: _ClassVar[int]
    RESERVATIONS_CHECKED_FIELD_NUMBER: _ClassVar[int]
    ORDERS_CHECKED_FIELD_NUMBER: _ClassVar[int]
    DIFFERENCES_FIELD_NUMBER: _ClassVar[int]
    rows_checked: int
    reservations_checked: int
    orders_checked: int
    differences: _containers.RepeatedCompositeFieldContainer[StockDifference]
    def __init__(self, rows_checked: _Optional[int] = ..., reservations_checked: _Optional[int] = ..., orders_checked: _Optional[int] = ..., differences: _Optional[_Iterable[_Union[StockDifference, _Mapping]]] = ...) -> None: ...
