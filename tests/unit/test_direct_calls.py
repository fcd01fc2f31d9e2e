"""The socket protocol of direct actor calls, between two ends on one event loop (no Ray)."""

from __future__ import annotations

import asyncio
import os
import stat

import pytest

from oms_actors import direct
from oms_actors.direct import ConnectionLost, DirectCallError, DirectServer, _Connection
from oms_actors.domain.errors import InsufficientStockError, LineProblem


class Owner:
    """Stands in for an actor: what its served methods do is all the server sees."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.entered = 0

    async def slow_echo(self, value: bytes, delay_s: float) -> bytes:
        await asyncio.sleep(delay_s)
        return value

    def plain(self, a: int, b: int) -> int:
        return a + b

    async def refuse(self) -> None:
        raise InsufficientStockError(
            "no stock", lines=[LineProblem(line_number=2, sku="SKU-9", reason="only 1 left")]
        )

    async def hang(self) -> None:
        self.entered += 1
        await self.release.wait()

    def private(self) -> str:
        return "not served"


@pytest.fixture
async def served(monkeypatch):
    """An owner and its server; closed after the test (closing twice is harmless)."""
    monkeypatch.setattr(direct, "_this_node", lambda: "node-a")
    owner = Owner()
    server = DirectServer(owner, ("slow_echo", "plain", "refuse", "hang"))
    yield owner, server
    await server.close()


@pytest.fixture
async def connection(served):
    """A caller's connection to the served owner."""
    _, server = served
    endpoint = await server.endpoint()
    assert endpoint is not None
    reader, writer = await asyncio.open_unix_connection(endpoint.path)
    conn = _Connection(reader, writer)
    yield conn
    conn.close()


async def test_answers_find_their_calls_when_they_come_back_out_of_order(served, connection):
    _, server = served
    answers = await asyncio.gather(
        *(connection.call("slow_echo", (f"v{i}".encode(), 0.05 - i * 0.01)) for i in range(5)),
        connection.call("plain", (2, 3)),
    )
    assert answers == [b"v0", b"v1", b"v2", b"v3", b"v4", 5]
    assert server.served == {"slow_echo": 5, "plain": 1}


async def test_the_socket_is_in_a_folder_only_this_user_can_enter(served):
    _, server = served
    endpoint = await server.endpoint()
    assert endpoint is not None and endpoint.node_id == "node-a"
    assert stat.S_IMODE(os.stat(os.path.dirname(endpoint.path)).st_mode) == 0o700
    # Asking again serves the same socket, not a second one.
    assert await server.endpoint() == endpoint


async def test_a_domain_error_arrives_with_its_type_and_fields(connection):
    with pytest.raises(InsufficientStockError) as caught:
        await connection.call("refuse", ())
    assert caught.value.lines == [LineProblem(line_number=2, sku="SKU-9", reason="only 1 left")]
    # The connection still serves calls after an error.
    assert await connection.call("plain", (1, 1)) == 2


async def test_only_the_listed_methods_are_served(served, connection):
    _, server = served
    with pytest.raises(DirectCallError, match="private"):
        await connection.call("private", ())
    assert "private" not in server.served


async def test_calls_in_flight_fail_as_lost_when_the_actor_goes_away(served, connection):
    owner, server = served
    calls = [asyncio.ensure_future(connection.call("hang", ())) for _ in range(3)]
    while owner.entered < 3:
        await asyncio.sleep(0.01)
    await server.close()  # what the process's death does to the socket
    for call in calls:
        with pytest.raises(ConnectionLost):
            await call
    with pytest.raises(ConnectionLost):
        await connection.call("plain", (1, 2))


async def test_switched_off_the_actor_offers_no_socket(served, monkeypatch):
    _, server = served
    monkeypatch.setenv(direct.SWITCH_ENV, "0")
    assert await server.endpoint() is None


def test_folders_of_processes_that_are_gone_are_swept(tmp_path):
    import subprocess
    import sys

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(gone.stdout)
    stale = tmp_path / f"oms-direct-{dead_pid}-abc"
    stale.mkdir()
    (stale / "actor.sock").write_text("")
    live = tmp_path / f"oms-direct-{os.getpid()}-def"
    live.mkdir()
    other = tmp_path / "oms-direct-notapid"
    other.mkdir()

    assert direct.sweep_stale(str(tmp_path)) == [str(stale)]
    assert not stale.exists() and live.exists() and other.exists()
