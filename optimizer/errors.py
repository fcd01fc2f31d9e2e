"""The one exception root of the optimizer package.

Callers (the gateway, the command line) map these to their own error shapes, so every error
carries the field it is about as data, not only inside its message.
"""

from __future__ import annotations


class OptimizerError(Exception):
    """Root of every error the optimizer raises on purpose."""


class InstanceError(OptimizerError, ValueError):
    """An instance, a demand or a rule set is malformed; `field` names the offending field.

    `field` uses the JSON path of the input (``orders[0].lines[1].qty``), so a caller can point a
    user at the exact place, and the message says what the value must be.
    """

    def __init__(self, *, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message

    def __reduce__(self):  # keep the keyword-only fields across pickling (process pools, Ray)
        return (_rebuild_instance_error, (self.field, self.message))


def _rebuild_instance_error(field: str, message: str) -> InstanceError:
    return InstanceError(field=field, message=message)
