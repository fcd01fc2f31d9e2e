from protos.oms.v1 import common_pb2 as _common_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class IssueGiftCardRequest(_message.Message):
    __slots__ = ("idempotency_key", "amount", "number", "customer_id")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    amount: _common_pb2.Money
    number: str
    customer_id: str
    def __init__(self, idempotency_key: _Optional[str] = ..., amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., number: _Optional[str] = ..., customer_id: _Optional[str] = ...) -> None: ...

class GetGiftCardRequest(_message.Message):
    __slots__ = ("number",)
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    number: str
    def __init__(self, number: _Optional[str] = ...) -> None: ...

class TopUpGiftCardRequest(_message.Message):
    __slots__ = ("idempotency_key", "number", "amount")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    number: str
    amount: _common_pb2.Money
    def __init__(self, idempotency_key: _Optional[str] = ..., number: _Optional[str] = ..., amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...

class GiftCard(_message.Message):
    __slots__ = ("number", "available", "held")
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    HELD_FIELD_NUMBER: _ClassVar[int]
    number: str
    available: _common_pb2.Money
    held: _common_pb2.Money
    def __init__(self, number: _Optional[str] = ..., available: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., held: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...
