"""The generated modules match the .proto files: regenerate with ``make protos`` when this fails."""

from __future__ import annotations

import importlib

from google.protobuf import descriptor_pb2

from protos import generate


def _without_json_names(fdp: descriptor_pb2.FileDescriptorProto) -> descriptor_pb2.FileDescriptorProto:
    """The generator drops default json_name values the descriptor set keeps; compare the rest."""
    fdp = descriptor_pb2.FileDescriptorProto.FromString(fdp.SerializeToString())
    pending = list(fdp.message_type)
    while pending:
        msg = pending.pop()
        for field in msg.field:
            field.ClearField("json_name")
        pending.extend(msg.nested_type)
    return fdp


def test_generated_modules_match_the_proto_sources():
    wanted = generate.descriptor_set()
    assert wanted.file, "no .proto files found"
    for fdp in wanted.file:
        if not fdp.name.startswith("protos/"):
            continue
        module = importlib.import_module(fdp.name.removesuffix(".proto").replace("/", ".") + "_pb2")
        have = descriptor_pb2.FileDescriptorProto()
        module.DESCRIPTOR.CopyToProto(have)
        assert _without_json_names(have) == _without_json_names(fdp), f"{fdp.name} changed since its module was generated: run `make protos`"


def test_every_service_method_has_a_stub():
    for fdp in generate.descriptor_set().file:
        if not fdp.service:
            continue
        grpc_module = importlib.import_module(fdp.name.removesuffix(".proto").replace("/", ".") + "_pb2_grpc")
        for service in fdp.service:
            stub = getattr(grpc_module, f"{service.name}Stub")
            servicer = getattr(grpc_module, f"{service.name}Servicer")
            for method in service.method:
                assert hasattr(servicer, method.name), f"{service.name}.{method.name} missing: run `make protos`"
                assert f"/{fdp.package}.{service.name}/{method.name}" in open(grpc_module.__file__).read()
            assert stub is not None
