"""Script calls made in the same event-loop turn on one Redis client share one round trip.

An order shard authorises a whole batch of orders at once, with one ledger script
per payment and one ledger per provider (card, gift card, invoice, ...). Sent one
by one, or one pipeline per provider, that is several round trips per batch, and on
a small machine each costs more in system calls than the scripts cost Redis. Each
script stays atomic and idempotent by its own key, and the pipeline is not a
transaction, so sharing it changes no outcome: only how many writes carry them.
"""

from __future__ import annotations

import asyncio
import weakref
from typing import Any

import redis
import redis.asyncio as aioredis


class ScriptCalls:
    """The shared queue of one client: ``call`` waits for its script's own result or error."""

    def __init__(self, client: aioredis.Redis) -> None:
        self.client = client
        self._pending: list[tuple[Any, list[str], list[str], asyncio.Future]] = []
        self._flushes: set[asyncio.Task] = set()

    async def call(self, script: Any, keys: list[str], args: list[str]) -> Any:
        future: asyncio.Future = asyncio.get_running_loop().create_future()
        self._pending.append((script, keys, args, future))
        if len(self._pending) == 1:
            asyncio.get_running_loop().call_soon(self._start_flush)
        return await future

    def _start_flush(self) -> None:
        batch, self._pending = self._pending, []
        task = asyncio.ensure_future(self._flush(batch))
        self._flushes.add(task)
        task.add_done_callback(self._flushes.discard)

    async def _flush(self, batch: list[tuple[Any, list[str], list[str], asyncio.Future]]) -> None:
        try:
            if len(batch) == 1:
                script, keys, args, _ = batch[0]
                results: list[Any] = [await script(keys=keys, args=args)]
            else:
                pipe = self.client.pipeline(transaction=False)
                for script, keys, args, _ in batch:
                    pipe.evalsha(script.sha, len(keys), *keys, *args)
                results = await pipe.execute(raise_on_error=False)
                for i, (script, keys, args, _) in enumerate(batch):
                    if isinstance(results[i], redis.exceptions.NoScriptError):
                        # The server lost its script cache (a restart); the script call loads it again.
                        results[i] = await script(keys=keys, args=args)
        except BaseException as exc:  # noqa: BLE001 - every waiter learns what happened to its call
            for *_, future in batch:
                if not future.done():
                    future.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
            return
        for (*_, future), result in zip(batch, results):
            if future.done():
                continue
            if isinstance(result, BaseException):
                future.set_exception(result)
            else:
                future.set_result(result)


_SHARED: weakref.WeakKeyDictionary[aioredis.Redis, ScriptCalls] = weakref.WeakKeyDictionary()


def script_calls(client: aioredis.Redis) -> ScriptCalls:
    """The queue every user of this client shares."""
    calls = _SHARED.get(client)
    if calls is None:
        calls = _SHARED[client] = ScriptCalls(client)
    return calls
