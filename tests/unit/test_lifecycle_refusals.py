"""The simulated customers read why a return was refused from the rich status, as a channel would. Pure."""

from __future__ import annotations

import grpc
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc.aio import AioRpcError, Metadata

from benchmarks.lifecycle import refusals


def refused(*reasons: str) -> AioRpcError:
    failure = error_details_pb2.PreconditionFailure(
        violations=[
            error_details_pb2.PreconditionFailure.Violation(type="RETURN_NOT_ALLOWED", subject=f"lines[{i}]", description=r)
            for i, r in enumerate(reasons)
        ]
    )
    detail = any_pb2.Any()
    detail.Pack(failure)
    status = status_pb2.Status(code=code_pb2.FAILED_PRECONDITION, message="return R1 is not allowed", details=[detail])
    trailing = Metadata(("grpc-status-details-bin", status.SerializeToString()))
    return AioRpcError(grpc.StatusCode.FAILED_PRECONDITION, Metadata(), trailing, details="return R1 is not allowed")


def test_each_lines_reason_is_read_from_the_status_details_not_its_message():
    exc = refused("SKU-2 is sold out: a refund, or another variant", "the return window has closed")
    assert refusals(exc) == ["SKU-2 is sold out: a refund, or another variant", "the return window has closed"]
    assert "sold out" not in exc.details()  # why the simulator looked in the wrong place before


def test_a_refusal_without_details_says_nothing_of_its_lines():
    bare = AioRpcError(grpc.StatusCode.UNAVAILABLE, Metadata(), Metadata(), details="down")
    assert refusals(bare) == []
