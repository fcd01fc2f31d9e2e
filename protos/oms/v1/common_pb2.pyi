from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Channel(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CHANNEL_UNSPECIFIED: _ClassVar[Channel]
    CHANNEL_WEB: _ClassVar[Channel]
    CHANNEL_MOBILE_APP: _ClassVar[Channel]
    CHANNEL_STORE: _ClassVar[Channel]
    CHANNEL_CALL_CENTER: _ClassVar[Channel]
    CHANNEL_FIELD_SALES: _ClassVar[Channel]
    CHANNEL_MARKETPLACE: _ClassVar[Channel]

class DeliveryMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DELIVERY_MODE_UNSPECIFIED: _ClassVar[DeliveryMode]
    DELIVERY_MODE_SHIP: _ClassVar[DeliveryMode]
    DELIVERY_MODE_PICKUP_IN_STORE: _ClassVar[DeliveryMode]

class LocationType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LOCATION_TYPE_UNSPECIFIED: _ClassVar[LocationType]
    LOCATION_TYPE_WAREHOUSE: _ClassVar[LocationType]
    LOCATION_TYPE_STORE: _ClassVar[LocationType]
    LOCATION_TYPE_DROPSHIP: _ClassVar[LocationType]
CHANNEL_UNSPECIFIED: Channel
CHANNEL_WEB: Channel
CHANNEL_MOBILE_APP: Channel
CHANNEL_STORE: Channel
CHANNEL_CALL_CENTER: Channel
CHANNEL_FIELD_SALES: Channel
CHANNEL_MARKETPLACE: Channel
DELIVERY_MODE_UNSPECIFIED: DeliveryMode
DELIVERY_MODE_SHIP: DeliveryMode
DELIVERY_MODE_PICKUP_IN_STORE: DeliveryMode
LOCATION_TYPE_UNSPECIFIED: LocationType
LOCATION_TYPE_WAREHOUSE: LocationType
LOCATION_TYPE_STORE: LocationType
LOCATION_TYPE_DROPSHIP: LocationType

class Money(_message.Message):
    __slots__ = ("amount_minor", "currency")
    AMOUNT_MINOR_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    amount_minor: int
    currency: str
    def __init__(self, amount_minor: _Optional[int] = ..., currency: _Optional[str] = ...) -> None: ...

class GeoPoint(_message.Message):
    __slots__ = ("latitude", "longitude")
    LATITUDE_FIELD_NUMBER: _ClassVar[int]
    LONGITUDE_FIELD_NUMBER: _ClassVar[int]
    latitude: float
    longitude: float
    def __init__(self, latitude: _Optional[float] = ..., longitude: _Optional[float] = ...) -> None: ...

class Address(_message.Message):
    __slots__ = ("name", "lines", "city", "region", "postal_code", "country_code", "position", "phone")
    NAME_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    CITY_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    POSTAL_CODE_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_CODE_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    name: str
    lines: _containers.RepeatedScalarFieldContainer[str]
    city: str
    region: str
    postal_code: str
    country_code: str
    position: GeoPoint
    phone: str
    def __init__(self, name: _Optional[str] = ..., lines: _Optional[_Iterable[str]] = ..., city: _Optional[str] = ..., region: _Optional[str] = ..., postal_code: _Optional[str] = ..., country_code: _Optional[str] = ..., position: _Optional[_Union[GeoPoint, _Mapping]] = ..., phone: _Optional[str] = ...) -> None: ...
