"""Access to the gateway: TLS, who is calling (API keys, JWTs), what they may call and see, rate limits, audit.

``rules`` is the one table of who may call which RPC; ``principal`` says what
a scoped caller sees; ``interceptor`` applies both to every call.
"""

from gateway.auth.principal import CredentialKind, Principal, Role, current_principal
from gateway.auth.rules import RULES, Rule, rule_for
from gateway.auth.service import Access, AccessConfig

__all__ = [
    "RULES",
    "Access",
    "AccessConfig",
    "CredentialKind",
    "Principal",
    "Role",
    "Rule",
    "current_principal",
    "rule_for",
]
