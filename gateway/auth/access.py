"""The checks servicers make on data, beyond the rules table: whose orders and records a caller sees.

The interceptor decided the caller may use the method; these decide which
items. Anything outside the caller's scope is answered exactly as if it did
not exist, so trying other ids teaches nothing.
"""

from __future__ import annotations

from dataclasses import replace

import grpc

from gateway.auth.errors import PermissionDeniedError, abort
from gateway.auth.principal import Principal, Role, current_principal
from oms_actors.store.orders import OrderFilter


async def caller(context: grpc.aio.ServicerContext) -> Principal:
    """The call's principal. None means the servicer runs without the interceptor: refuse, fail closed."""
    principal = current_principal()
    if principal is None:
        await abort(context, PermissionDeniedError())
        raise AssertionError("abort returned")  # pragma: no cover - abort raises
    return principal


async def check_location(context: grpc.aio.ServicerContext, principal: Principal, *location_ids: str) -> None:
    """A key bound to one location works there only (stock, fulfilment); else PERMISSION_DENIED.
    An empty location id is every location (a list across them), which such a key is refused."""
    others = sorted({loc or "every location" for loc in location_ids if not principal.acts_at(loc)})
    if others:
        denied = PermissionDeniedError(f"this key acts for location {principal.location_id} only, not {', '.join(others)}")
        await abort(context, denied)


def visible_orders(principal: Principal, asked: OrderFilter) -> OrderFilter | None:
    """``asked`` narrowed to what the principal sees; None when it asks only for what it may not see."""
    if principal.sees_everything:
        return asked
    if principal.role is Role.CHANNEL:
        if asked.channel is None:
            return replace(asked, channel=principal.channel)
        return asked if asked.channel == principal.channel else None
    if principal.role is Role.CUSTOMER:
        if not asked.customer_id:
            return replace(asked, customer_id=principal.customer_id)
        return asked if asked.customer_id == principal.customer_id else None
    return None
