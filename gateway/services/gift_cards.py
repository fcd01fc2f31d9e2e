"""GiftCardService: cards sold in any channel and their balances.

The cards live in the payments ledger (``oms_actors.payments.gift_cards``), the
same one orders authorise and capture against, so a card issued here can pay
for an order at once. Issuing is idempotent per caller scope and key: a
channel's key ``K`` and another channel's ``K`` are different cards.
"""

from __future__ import annotations

import grpc

from gateway.auth.access import caller
from gateway.convert import Violations, money_to_proto
from gateway.errors import rpc
from gateway.services.backend import Backend
from oms_actors.domain.errors import FieldViolation, NotFoundError, ValidationError
from protos.oms.v1 import payments_pb2, payments_pb2_grpc


class GiftCardService(payments_pb2_grpc.GiftCardServiceServicer):
    def __init__(self, backend: Backend) -> None:
        self.b = backend

    @rpc
    async def IssueGiftCard(
        self, request: payments_pb2.IssueGiftCardRequest, context: grpc.aio.ServicerContext
    ) -> payments_pb2.GiftCard:
        v = Violations()
        v.identifier("idempotency_key", request.idempotency_key)
        amount = v.money("amount", request.amount, positive=True)
        v.identifier("number", request.number, required=False)
        v.identifier("customer_id", request.customer_id, required=False)
        v.raise_if_any()
        if request.customer_id and await self.b.customers.get(request.customer_id) is None:
            raise ValidationError.of([FieldViolation(field="customer_id", description="unknown customer")])
        assert amount is not None
        issued = await self.b.payments.gift_cards.issue(
            f"rpc/{await _scope(context)}/{request.idempotency_key}",
            amount=amount,
            card_number=request.number or None,
            customer_id=request.customer_id,
        )
        return await self._card(issued.account)

    @rpc
    async def TopUpGiftCard(
        self, request: payments_pb2.TopUpGiftCardRequest, context: grpc.aio.ServicerContext
    ) -> payments_pb2.GiftCard:
        v = Violations()
        v.identifier("idempotency_key", request.idempotency_key)
        v.identifier("number", request.number)
        amount = v.money("amount", request.amount, positive=True)
        v.raise_if_any()
        assert amount is not None
        # The ledger's load would open a card that does not exist: a top-up is for cards sold.
        await self._card(request.number)
        await self.b.payments.gift_cards.load(
            f"rpc/{await _scope(context)}/topup/{request.idempotency_key}", card_number=request.number, amount=amount, reason="top-up"
        )
        return await self._card(request.number)

    @rpc
    async def GetGiftCard(
        self, request: payments_pb2.GetGiftCardRequest, context: grpc.aio.ServicerContext
    ) -> payments_pb2.GiftCard:
        v = Violations()
        v.identifier("number", request.number)
        v.raise_if_any()
        return await self._card(request.number)

    async def _card(self, number: str) -> payments_pb2.GiftCard:
        balance = await self.b.payments.gift_cards.balance(number)
        if balance is None:
            raise NotFoundError(f"no gift card {number}", resource="gift_card", resource_id=number)
        return payments_pb2.GiftCard(
            number=balance.account, available=money_to_proto(balance.available), held=money_to_proto(balance.held)
        )


async def _scope(context: grpc.aio.ServicerContext) -> str:
    """Whose idempotency keys these are: a channel's, or a role's (agents, admins)."""
    principal = await caller(context)
    return principal.channel.value if principal.channel else principal.role.value
