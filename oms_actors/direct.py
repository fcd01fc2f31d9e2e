"""Hot-path calls to an actor on the same node over a Unix socket, beside Ray's own calls.

On the 2-core reference box a Ray actor call costs about 1.1 ms of CPU (0.6 ms in the
actor, 0.5 ms in the caller: serialisation, the core worker's threads, gRPC between
them) and 1.1 ms of wall time; the same bytes over a Unix socket to the actor's own
event loop cost about 0.05 ms (``benchmarks/actor_calls.py`` measures both). Capture
makes two such calls per batch (gateway to order shard, order shard to inventory shard),
which at moderate rates is a large part of what a batch costs, and a shipment two more.

Ray still places, names, restarts and finds the actors, and every method an actor does
not list still goes through it. An actor serves only the methods it lists, on its own
event loop, so it stays the single writer of its partition: a direct call runs exactly where a Ray
call to the same method would. The socket lives in a directory only this OS user can
enter (the trust boundary of Ray's own local sockets), and a caller learns its path
through Ray. A caller on another node, or with ``OMS_DIRECT_CALLS=0``, uses Ray.

Calls in flight when the connection drops are retried on the restarted actor, as Ray's
``max_task_retries`` does: every method served here is idempotent.
"""

from __future__ import annotations

import asyncio
import atexit
import inspect
import itertools
import logging
import os
import pickle
import shutil
import struct
import tempfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from oms_actors.domain.errors import UnavailableError

log = logging.getLogger(__name__)

SWITCH_ENV = "OMS_DIRECT_CALLS"  # "0": every call goes through Ray
_PREFIX = "oms-direct-"  # then the serving process's id: a folder whose process is gone is swept
_LENGTH = struct.Struct("<I")
_PICKLE = pickle.HIGHEST_PROTOCOL


def enabled() -> bool:
    return os.environ.get(SWITCH_ENV, "1") != "0"


@dataclass(frozen=True, kw_only=True, slots=True)
class Endpoint:
    node_id: str  # Ray's id of the node the actor runs on
    path: str  # its Unix socket there


class ConnectionLost(ConnectionError):
    """The actor's socket closed with the call in flight: it died or is restarting."""


class DirectCallError(Exception):
    """An answer that could not be carried back (not picklable): a bug, not an outage."""


def _frame(value: Any) -> bytes:
    body = pickle.dumps(value, protocol=_PICKLE)
    return _LENGTH.pack(len(body)) + body


async def _read_frame(reader: asyncio.StreamReader) -> Any:
    (length,) = _LENGTH.unpack(await reader.readexactly(_LENGTH.size))
    return pickle.loads(await reader.readexactly(length))


def sweep_stale(parent: str) -> list[str]:
    """Removes the socket folders of this user's processes that are gone: Ray kills
    actors without running their exit handlers, so each restart would leave one."""
    removed: list[str] = []
    try:
        entries = list(os.scandir(parent))
    except OSError:
        return removed
    for entry in entries:
        pid = entry.name[len(_PREFIX) :].partition("-")[0]
        if not (entry.name.startswith(_PREFIX) and pid.isdigit()):
            continue
        try:
            if not entry.is_dir(follow_symlinks=False) or entry.stat(follow_symlinks=False).st_uid != os.getuid():
                continue
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(entry.path, ignore_errors=True)
            removed.append(entry.path)
        except OSError:
            continue  # alive under another user, or unreadable: not ours to judge
    return removed


def _this_node() -> str:
    import ray

    return ray.get_runtime_context().get_node_id()


class DirectServer:
    """The actor's side: serves ``methods`` of ``owner`` on the actor's own event loop."""

    def __init__(self, owner: object, methods: Iterable[str]) -> None:
        self._handlers = {name: getattr(owner, name) for name in methods}
        self._opened: asyncio.Future[Endpoint] | None = None
        self._server: asyncio.AbstractServer | None = None
        self._connections: set[asyncio.Task[None]] = set()
        self._calls: set[asyncio.Task[None]] = set()  # held here: the loop keeps only weak references
        self.served: Counter[str] = Counter()  # calls answered here, by method

    async def endpoint(self) -> Endpoint | None:
        """Where to call; the socket opens on the first ask. None when direct calls are off."""
        if not enabled():
            return None
        if self._opened is None:
            self._opened = asyncio.ensure_future(self._open())
        try:
            return await asyncio.shield(self._opened)
        except Exception:
            self._opened = None  # the next ask tries again
            raise

    async def _open(self) -> Endpoint:
        parent = tempfile.gettempdir()
        sweep_stale(parent)
        folder = tempfile.mkdtemp(prefix=f"{_PREFIX}{os.getpid()}-", dir=parent)  # mode 0700
        atexit.register(shutil.rmtree, folder, True)
        path = os.path.join(folder, "actor.sock")
        self._server = await asyncio.start_unix_server(self._serve, path=path)
        return Endpoint(node_id=_this_node(), path=path)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            for task in [*self._connections, *self._calls]:
                task.cancel()
            await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        me = asyncio.current_task()
        if me is not None:
            self._connections.add(me)
        try:
            while True:
                call_id, method, args = await _read_frame(reader)
                # Each call is a task of its own, as a Ray call to an async actor is:
                # a batch waiting on Redis does not hold up the next one.
                task = asyncio.ensure_future(self._run(writer, call_id, method, args))
                self._calls.add(task)
                task.add_done_callback(self._calls.discard)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass  # the caller went away; calls it made still run to the end, answered to no one
        finally:
            if me is not None:
                self._connections.discard(me)
            writer.close()

    async def _run(self, writer: asyncio.StreamWriter, call_id: int, method: str, args: tuple[Any, ...]) -> None:
        try:
            handler = self._handlers.get(method)
            if handler is None:
                raise DirectCallError(f"{method!r} is not served directly")
            self.served[method] += 1
            result = handler(*args)
            if inspect.isawaitable(result):
                result = await result
            answer: tuple[int, bool, Any] = (call_id, True, result)
        except Exception as exc:  # noqa: BLE001 - carried back and raised in the caller, as Ray does
            answer = (call_id, False, exc)
        try:
            frame = _frame(answer)
        except Exception as exc:  # noqa: BLE001
            log.exception("direct call %s: answer not picklable", method)
            frame = _frame((call_id, False, DirectCallError(f"{method}: answer not picklable: {exc!r}")))
        if not writer.is_closing():
            writer.write(frame)
            try:
                await writer.drain()
            except ConnectionError:
                pass


class _Connection:
    """One socket to one actor; calls are matched to answers by id, so many can be in flight."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writer = writer
        self._pending: dict[int, asyncio.Future[tuple[bool, Any]]] = {}
        self._ids = itertools.count()
        self.closed = False
        self._reading = asyncio.ensure_future(self._read(reader))

    async def call(self, method: str, args: tuple[Any, ...]) -> Any:
        if self.closed:
            raise ConnectionLost("connection closed")
        call_id = next(self._ids)
        answer: asyncio.Future[tuple[bool, Any]] = asyncio.get_running_loop().create_future()
        self._pending[call_id] = answer
        try:
            self._writer.write(_frame((call_id, method, args)))
            await self._writer.drain()
            ok, value = await answer
        except (ConnectionError, OSError) as exc:
            raise ConnectionLost(str(exc)) from exc
        finally:
            self._pending.pop(call_id, None)
        if ok:
            return value
        raise value

    async def _read(self, reader: asyncio.StreamReader) -> None:
        reason = "closed by the actor"
        try:
            while True:
                call_id, ok, value = await _read_frame(reader)
                answer = self._pending.get(call_id)
                if answer is not None and not answer.done():
                    answer.set_result((ok, value))
        except (asyncio.IncompleteReadError, ConnectionError, OSError) as exc:
            reason = repr(exc)
        finally:
            self.closed = True
            for answer in self._pending.values():
                if not answer.done():
                    answer.set_exception(ConnectionLost(reason))
            self._writer.close()

    def close(self) -> None:
        self.closed = True
        self._reading.cancel()
        self._writer.close()


class DirectActor:
    """The caller's side: ``await DirectActor(handle).call("method", *args)`` is
    ``await handle.method.remote(*args)``, over the actor's socket when it is on this node."""

    def __init__(self, actor: Any, *, retries: int = 3) -> None:
        self.actor = actor
        self.retries = retries  # as the actors' max_task_retries
        self._connection: _Connection | None = None
        self._connecting: asyncio.Future[_Connection | None] | None = None
        self._via_ray = not enabled()
        self._unreachable: Endpoint | None = None  # the last endpoint that could not be connected to

    @property
    def direct(self) -> bool:
        """Whether calls go over the socket (known after the first call)."""
        return self._connection is not None and not self._connection.closed

    async def call(self, method: str, *args: Any) -> Any:
        for attempt in itertools.count():
            if self._via_ray:
                return await getattr(self.actor, method).remote(*args)
            try:
                connection = await self._connect()
                if connection is None:
                    continue  # the actor is elsewhere or serves nothing directly: Ray from now on
                return await connection.call(method, args)
            except ConnectionLost as exc:
                if attempt >= self.retries:
                    raise UnavailableError(
                        f"actor call {method} lost its connection {attempt + 1} times: {exc}", dependency="ray"
                    ) from exc
                log.warning("direct call %s: connection lost (%s); asking Ray for the actor again", method, exc)
        raise AssertionError("unreachable")

    async def _connect(self) -> _Connection | None:
        if self._connection is not None and not self._connection.closed:
            return self._connection
        # Concurrent callers share one attempt, so one socket serves them all.
        if self._connecting is None:
            self._connecting = asyncio.ensure_future(self._open())
        attempt = self._connecting
        try:
            return await asyncio.shield(attempt)
        finally:
            if self._connecting is attempt and attempt.done():
                self._connecting = None

    async def _open(self) -> _Connection | None:
        ask = getattr(self.actor, "direct_endpoint", None)  # None: an actor of a version without it
        # Ray answers this once the actor is up, restarted if it had died.
        endpoint: Endpoint | None = await ask.remote() if ask is not None else None
        try:
            here = _this_node()
        except Exception:  # noqa: BLE001 - a driver Ray cannot place (Ray Client): Ray's own calls work
            here = None
        if endpoint is None or endpoint.node_id != here:
            self._via_ray = True
            return None
        try:
            reader, writer = await asyncio.open_unix_connection(endpoint.path)
        except OSError as exc:
            if endpoint == self._unreachable:
                # The same live actor twice: its socket is not on this filesystem (another
                # container on the node, a Ray Client driver), not gone with a dead actor.
                log.warning("cannot reach %s (%r); calling it through Ray", endpoint.path, exc)
                self._via_ray = True
                return None
            self._unreachable = endpoint  # gone between the answer and the connect, perhaps
            raise ConnectionLost(repr(exc)) from exc
        self._connection = _Connection(reader, writer)
        return self._connection

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
