from protos.oms.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Location(_message.Message):
    __slots__ = ("location_id", "type", "name", "position", "shipment_cost_minor", "shipment_cost_per_km_minor", "unit_handling_cost_minor", "unit_cost_per_kg_km_minor", "pickup_enabled", "active")
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
    def __init__(self, location_id: _Optional[str] = ..., type: _Optional[_Union[_common_pb2.LocationType, str]] = ..., name: _Optional[str] = ..., position: _Optional[_Union[_common_pb2.GeoPoint, _Mapping]] = ..., shipment_cost_minor: _Optional[int] = ..., shipment_cost_per_km_minor: _Optional[float] = ..., unit_handling_cost_minor: _Optional[int] = ..., unit_cost_per_kg_km_minor: _Optional[float] = ..., pickup_enabled: _Optional[bool] = ..., active: _Optional[bool] = ...) -> None: ...

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
    __slots__ = ("sku", "name", "weight_grams", "returnable")
    SKU_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_GRAMS_FIELD_NUMBER: _ClassVar[int]
    RETURNABLE_FIELD_NUMBER: _ClassVar[int]
    sku: str
    name: str
    weight_grams: int
    returnable: bool
    def __init__(self, sku: _Optional[str] = ..., name: _Optional[str] = ..., weight_grams: _Optional[int] = ..., returnable: _Optional[bool] = ...) -> None: ...

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
    __slots__ = ("skus", "location_ids")
    SKUS_FIELD_NUMBER: _ClassVar[int]
    LOCATION_IDS_FIELD_NUMBER: _ClassVar[int]
    skus: _containers.RepeatedScalarFieldContainer[str]
    location_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, skus: _Optional[_Iterable[str]] = ..., location_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class LocationAvailability(_message.Message):
    __slots__ = ("location_id", "on_hand", "reserved", "safety_stock", "available")
    LOCATION_ID_FIELD_NUMBER: _ClassVar[int]
    ON_HAND_FIELD_NUMBER: _ClassVar[int]
    RESERVED_FIELD_NUMBER: _ClassVar[int]
    SAFETY_STOCK_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    location_id: str
    on_hand: int
    reserved: int
    safety_stock: int
    available: int
    def __init__(self, location_id: _Optional[str] = ..., on_hand: _Optional[int] = ..., reserved: _Optional[int] = ..., safety_stock: _Optional[int] = ..., available: _Optional[int] = ...) -> None: ...

class SkuAvailability(_message.Message):
    __slots__ = ("sku", "available", "locations")
    SKU_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    LOCATIONS_FIELD_NUMBER: _ClassVar[int]
    sku: str
    available: int
    locations: _containers.RepeatedCompositeFieldContainer[LocationAvailability]
    def __init__(self, sku: _Optional[str] = ..., available: _Optional[int] = ..., locations: _Optional[_Iterable[_Union[LocationAvailability, _Mapping]]] = ...) -> None: ...

class GetAvailabilityResponse(_message.Message):
    __slots__ = ("skus",)
    SKUS_FIELD_NUMBER: _ClassVar[int]
    skus: _containers.RepeatedCompositeFieldContainer[SkuAvailability]
    def __init__(self, skus: _Optional[_Iterable[_Union[SkuAvailability, _Mapping]]] = ...) -> None: ...
