"""Every RPC of the API, read from the generated descriptors, and a generic way to call any of them.

Walking the descriptors (not a list kept by hand) is what makes the access
tests cover an RPC the day it is added.
"""

from __future__ import annotations

import asyncio
import importlib
import pkgutil
from dataclasses import dataclass
from typing import Any

import grpc
from google.protobuf import descriptor_pool
from google.protobuf.message import Message
from google.protobuf.message_factory import GetMessageClass

import protos.oms.v1 as api


@dataclass(frozen=True)
class Method:
    path: str  # "/oms.v1.OrderService/CreateOrder"
    service: str
    name: str
    request: type[Message]
    response: type[Message]
    client_streaming: bool
    server_streaming: bool

    @property
    def short(self) -> str:
        return f"{self.service.rsplit('.', 1)[-1]}.{self.name}"


def _load_api_modules() -> None:
    for info in pkgutil.iter_modules(api.__path__):
        if info.name.endswith("_pb2"):
            importlib.import_module(f"{api.__name__}.{info.name}")


def method_of(service_desc: Any, m: Any) -> Method:
    return Method(
        path=f"/{service_desc.full_name}/{m.name}",
        service=service_desc.full_name,
        name=m.name,
        request=GetMessageClass(m.input_type),
        response=GetMessageClass(m.output_type),
        client_streaming=m.client_streaming,
        server_streaming=m.server_streaming,
    )


def api_methods() -> list[Method]:
    """Every method of every service in the oms.v1 protos."""
    _load_api_modules()
    out = []
    for info in sorted(pkgutil.iter_modules(api.__path__), key=lambda i: i.name):
        if not info.name.endswith("_pb2"):
            continue
        module = importlib.import_module(f"{api.__name__}.{info.name}")
        for service in module.DESCRIPTOR.services_by_name.values():
            out.extend(method_of(service, m) for m in service.methods)
    return out


def service_methods(full_name: str) -> list[Method]:
    """The methods of a service the server lists (reflection), from the default descriptor pool."""
    _load_api_modules()
    service = descriptor_pool.Default().FindServiceByName(full_name)
    return [method_of(service, m) for m in service.methods]


async def invoke(
    channel: grpc.aio.Channel,
    method: Method,
    request: Message | bytes | list[Any],
    *,
    metadata: Any = None,
    timeout: float = 30,
) -> Any:
    """Calls ``method`` with a message, raw bytes (sent as they are) or, for client streaming, a list."""
    raw = isinstance(request, bytes) or (isinstance(request, list) and request and isinstance(request[0], bytes))
    serializer = None if raw else method.request.SerializeToString
    if method.client_streaming:
        call = channel.stream_unary(method.path, request_serializer=serializer, response_deserializer=method.response.FromString)
        # Written one by one, not from an iterator: a server that answers before reading the
        # stream (a refused caller) makes later writes fail, and the answer is then the server's
        # status, not the client library's error about the failed write.
        streaming = call(metadata=metadata, timeout=timeout)
        try:
            for item in request if isinstance(request, list) else [request]:
                await streaming.write(item)
            await streaming.done_writing()
        except (grpc.aio.AioRpcError, asyncio.InvalidStateError, grpc.aio.UsageError):
            pass
        return await streaming
    if method.server_streaming:
        call = channel.unary_stream(method.path, request_serializer=serializer, response_deserializer=method.response.FromString)
        return [m async for m in call(request, metadata=metadata, timeout=timeout)]
    call = channel.unary_unary(method.path, request_serializer=serializer, response_deserializer=method.response.FromString)
    return await call(request, metadata=metadata, timeout=timeout)
