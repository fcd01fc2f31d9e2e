"""One place says which provider takes which method; every provider honours the interface."""

from __future__ import annotations

import pickle

import pytest

from oms_actors.domain.enums import PaymentMethod
from oms_actors.domain.errors import ErrorRecord
from oms_actors.payments import (
    AuthorizationExpiredError,
    CashProvider,
    PaymentMethodNotConfiguredError,
    PaymentProvider,
    PaymentProviders,
    PaymentsConfig,
    ReconcilableProvider,
    SimulatedCardConfig,
    build_payments,
    fixed_credit_limits,
)
from tests.payments.support import eur, fresh_name


def test_every_payment_method_has_a_provider_of_that_method(redis_client, clock):
    payments = build_payments(
        redis_client,
        config=PaymentsConfig(namespace=fresh_name("reg")),
        credit_limits=fixed_credit_limits({}),
        clock=clock,
    )
    for method in PaymentMethod:
        provider = payments.providers.for_method(method)
        assert provider.method is method
        assert isinstance(provider, PaymentProvider) and isinstance(provider, ReconcilableProvider)
    names = [payments.providers.for_method(m).name for m in PaymentMethod]
    assert len(set(names)) == len(names)  # one ledger per method
    assert payments.receivables is payments.invoice.receivables


async def test_the_registry_routes_calls_to_the_configured_ledger(redis_client, clock):
    config = PaymentsConfig(namespace=fresh_name("reg"), card=SimulatedCardConfig(decline_above=eur(100)))
    payments = build_payments(
        redis_client, config=config, credit_limits=fixed_credit_limits({"b": eur(50)}), clock=clock
    )
    card = payments.providers.for_method(PaymentMethod.CARD)
    assert (await card.authorize("k", customer_id="c", instrument_token="tok_12345678", amount=eur(101))).decline_reason
    invoice = payments.providers.for_method(PaymentMethod.INVOICE)
    assert (await invoice.authorize("k", customer_id="b", instrument_token="", amount=eur(50))).approved


def test_an_unconfigured_method_is_refused_by_name(redis_client):
    cash = CashProvider(redis_client, method=PaymentMethod.CASH_IN_STORE, name=fresh_name("cash"))
    providers = PaymentProviders({PaymentMethod.CASH_IN_STORE: cash})
    assert PaymentMethod.CASH_IN_STORE in providers and providers.methods == {PaymentMethod.CASH_IN_STORE}
    with pytest.raises(PaymentMethodNotConfiguredError) as err:
        providers.for_method(PaymentMethod.CARD)
    assert err.value.method is PaymentMethod.CARD and err.value.code == "PAYMENT_METHOD_NOT_CONFIGURED"
    with pytest.raises(ValueError):
        PaymentProviders({PaymentMethod.CARD: cash})


def test_errors_keep_their_fields_across_processes():
    err = AuthorizationExpiredError("expired", authorization_id="a-1", expired_at_ms=42)
    back = pickle.loads(pickle.dumps(err))
    assert (type(back), back.authorization_id, back.expired_at_ms, back.code) == (
        AuthorizationExpiredError, "a-1", 42, "AUTHORIZATION_EXPIRED"
    )  # fmt: skip
    record = ErrorRecord.of(err)
    assert record.kind == "AuthorizationExpiredError" and record.attrs["authorization_id"] == "a-1"
    assert isinstance(record.to_exception(), AuthorizationExpiredError)
