"""The ``oms`` command: ``oms serve`` runs the service, ``oms simulate`` drives a day of orders through it,
``oms keys`` manages API keys and ``oms audit-log`` shows who changed what."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from dataclasses import replace
from pathlib import Path

from oms_actors import event_loop, gc_tuning
from oms_actors.store.connection import FSYNC_POLICIES
from oms_actors.topology import Topology

ROLES = ("admin", "service_agent", "channel", "customer", "inventory_feed", "fulfilment")
CHANNELS = ("web", "mobile_app", "store", "call_center", "field_sales", "marketplace")


def _add_service_args(p: argparse.ArgumentParser, *, default_port: int) -> None:
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: loopback)")
    p.add_argument("--port", type=int, default=default_port, help="port (0: any free port)")
    p.add_argument("--redis-url", default=None, help="external Redis (default: $REDIS_URL, else embedded)")
    p.add_argument("--ray-address", default=None, help="Ray cluster (default: $RAY_ADDRESS, else local)")
    p.add_argument("--data-dir", type=Path, default=None, help="embedded Redis data (default: ./.oms-data)")
    p.add_argument("--appendfsync", choices=FSYNC_POLICIES, default="everysec", help="embedded Redis fsync policy")
    p.add_argument("--inventory-shards", type=int, default=None)
    p.add_argument("--order-shards", type=int, default=None)
    p.add_argument("--sourcing-workers", type=int, default=None)


def _add_access_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("access", "TLS, credentials and limits (see README, Access)")
    g.add_argument("--tls-cert", type=Path, default=None, help="PEM certificate chain: serve TLS")
    g.add_argument("--tls-key", type=Path, default=None, help="PEM private key of --tls-cert")
    g.add_argument("--tls-client-ca", type=Path, default=None, help="PEM CA bundle: require client certificates (mutual TLS)")
    g.add_argument("--insecure", action="store_true", help="allow plaintext on a non-loopback address")
    g.add_argument(
        "--bootstrap-key-file",
        type=Path,
        default=None,
        help="an admin API key to register at start (default: $OMS_BOOTSTRAP_ADMIN_KEY); make one with `oms keys generate`",
    )
    g.add_argument("--jwt-hs256-secret-file", type=Path, default=None, help="shared secret of HS256 customer tokens")
    g.add_argument(
        "--jwt-public-key", type=Path, action="append", default=[], help="PEM public key of RS256/ES256 tokens (repeatable)"
    )
    g.add_argument("--jwt-issuer", default=None, help="required 'iss' of tokens")
    g.add_argument("--jwt-audience", default=None, help="required 'aud' of tokens")
    g.add_argument(
        "--rate-limit",
        action="append",
        default=[],
        metavar="ROLE=RATE[:BURST]",
        help="calls per second per principal of a role, per gateway (0: unlimited; repeatable)",
    )
    g.add_argument(
        "--key-cache-ttl", type=float, default=1.0, help="seconds an API key check is cached: the most a revocation waits"
    )


def access_config(args: argparse.Namespace):
    """AccessConfig from the command line; AuthConfigError for files or values that do not work."""
    from gateway.auth import AccessConfig, Role
    from gateway.auth.errors import AuthConfigError
    from gateway.auth.ratelimit import DEFAULT_LIMITS, Limit
    from gateway.auth.tls import TlsConfig
    from gateway.auth.tokens import JwtConfig

    if (args.tls_cert is None) != (args.tls_key is None):
        raise AuthConfigError("--tls-cert and --tls-key go together")
    if args.tls_client_ca is not None and args.tls_cert is None:
        raise AuthConfigError("--tls-client-ca needs --tls-cert and --tls-key")
    tls = TlsConfig.from_files(cert=args.tls_cert, key=args.tls_key, client_ca=args.tls_client_ca) if args.tls_cert else None
    limits = dict(DEFAULT_LIMITS)
    for item in args.rate_limit:
        role, _, value = item.partition("=")
        try:
            limits[Role(role)] = Limit.parse(value)
        except ValueError as exc:
            raise AuthConfigError(f"--rate-limit {item!r}: ROLE=RATE[:BURST] with ROLE one of {', '.join(ROLES)}") from exc
    cfg = AccessConfig(
        tls=tls,
        insecure=args.insecure,
        jwt=JwtConfig.from_files(
            hs256_secret_file=args.jwt_hs256_secret_file,
            public_key_files=args.jwt_public_key,
            issuer=args.jwt_issuer,
            audience=args.jwt_audience,
        ),
        rate_limits=limits,
        key_cache_ttl_s=args.key_cache_ttl,
    )
    if args.bootstrap_key_file is not None:
        try:
            key = args.bootstrap_key_file.read_text().strip()
        except OSError as exc:
            raise AuthConfigError(f"cannot read {args.bootstrap_key_file}: {exc.strerror}") from exc
        cfg = replace(cfg, bootstrap_admin_key=key)
    return cfg


def service_config(args: argparse.Namespace):
    from gateway.server import ServiceConfig

    cfg = ServiceConfig(host=args.host, port=args.port, appendfsync=args.appendfsync)
    if hasattr(args, "tls_cert"):
        cfg.access = access_config(args)
    cfg.bench_empty = getattr(args, "bench_empty", False)
    cfg.overdue_sweep_s = getattr(args, "overdue_sweep_s", cfg.overdue_sweep_s) or None
    cfg.metrics_port = getattr(args, "metrics_port", None)
    cfg.max_batch = getattr(args, "max_batch", cfg.max_batch)
    cfg.max_delay_s = getattr(args, "max_delay_ms", cfg.max_delay_s * 1000) / 1000
    cfg.max_inflight = getattr(args, "max_inflight", cfg.max_inflight)
    cfg.min_batch = getattr(args, "min_batch", cfg.min_batch)
    cfg.linger_s = getattr(args, "linger_ms", cfg.linger_s * 1000) / 1000
    if args.redis_url:
        cfg.redis_url = args.redis_url
    if args.ray_address:
        cfg.ray_address = args.ray_address
    if args.data_dir:
        cfg.data_dir = args.data_dir
    counts = (args.inventory_shards, args.order_shards, args.sourcing_workers)
    if any(c is not None for c in counts):
        d = Topology()
        pick = lambda given, default: default if given is None else given  # noqa: E731 - 0 is a valid count
        cfg.topology = Topology(
            inventory_shards=pick(args.inventory_shards, d.inventory_shards),
            order_shards=pick(args.order_shards, d.order_shards),
            sourcing_workers=pick(args.sourcing_workers, d.sourcing_workers),
        )
    return cfg


async def _serve(args: argparse.Namespace) -> int:
    from gateway.auth.errors import AuthConfigError
    from gateway.server import OmsService

    try:
        config = service_config(args)
        config.check()
    except AuthConfigError as exc:
        print(f"oms serve: {exc.message}", file=sys.stderr)
        return 2
    service = OmsService(config)
    gc_tuning.tune()
    try:
        port = await service.start()
        print(f"oms gateway listening on {args.host}:{port}", flush=True)
        if args.port_file:
            Path(args.port_file).write_text(str(port))
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()

        def on_signal() -> None:
            if stop.is_set():  # a second signal: stop waiting for stragglers
                service.stop_dependencies()
                os._exit(1)
            stop.set()

        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, on_signal)
        await stop.wait()
        print("draining in-flight calls ...", flush=True)
        try:
            await asyncio.wait_for(service.stop(), timeout=service.config.grace_s + 5)
        except asyncio.TimeoutError:
            print("calls still in flight after the grace period; stopping anyway", flush=True)
    finally:
        service.stop_dependencies()
    return 0


def _redis_for_admin(args: argparse.Namespace):
    """(async client, embedded server or None): $REDIS_URL / --redis-url, else the embedded one of --data-dir,
    started here only when no gateway is running on it."""
    import redis

    from oms_actors.store.connection import EmbeddedRedis, connect, connect_async, default_data_dir

    url = args.redis_url or os.environ.get("REDIS_URL")
    embedded = None
    if not url:
        server = EmbeddedRedis(args.data_dir or default_data_dir())
        url = server.url
        try:
            probe = connect(url)
            probe.ping()  # a running gateway's server: use it and leave it running
            probe.close()
        except (redis.ConnectionError, OSError):
            server.start()
            embedded = server
    return connect_async(url), embedded


def _operator() -> str:
    """Who the audit log names for changes made with this command: the local user, on this host."""
    import getpass
    import socket

    return f"cli:{getpass.getuser()}@{socket.gethostname()}"


def _when(ms: int) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(ms / 1000, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if ms else "-"


async def _keys(args: argparse.Namespace) -> int:
    from gateway.auth import Role
    from gateway.auth.apikeys import ApiKeyStore, check_scope, generate_key
    from gateway.auth.audit import AuditLog
    from gateway.auth.errors import KeyStoreError
    from oms_actors.domain.enums import Channel

    if args.keys_command == "generate":
        print(generate_key())
        return 0
    if args.keys_command == "create":
        try:  # before touching Redis: a key whose scope does not fit its role is never made
            check_scope(
                Role(args.role), Channel(args.channel) if args.channel else None, args.customer or "", args.location or "",
                args.goodwill_limit,
            )  # fmt: skip
        except KeyStoreError as exc:
            print(f"oms keys: {exc.message}", file=sys.stderr)
            return 2
    client, embedded = _redis_for_admin(args)
    try:
        store = ApiKeyStore(client, AuditLog(client))
        if args.keys_command == "create":
            record, key = await store.create(
                role=Role(args.role),
                channel=Channel(args.channel) if args.channel else None,
                customer_id=args.customer or "",
                location_id=args.location or "",
                name=args.name or "",
                by=_operator(),
                goodwill_limit_percent=args.goodwill_limit,
            )
            print(f"key id {record.key_id} ({record.role.value} {record.scope()})".rstrip(), file=sys.stderr)
            print("the key below is shown once; store it now", file=sys.stderr)
            print(key)
        elif args.keys_command == "revoke":
            record = await store.revoke(args.key_id, by=_operator())
            print(f"revoked {record.key_id} at {_when(record.revoked_at_ms)}; gateways refuse it within their key cache ttl")
        else:
            print(f"{'key id':<17} {'role':<15} {'scope':<20} {'created':<21} {'revoked':<21} name")
            for r in await store.list():
                print(
                    f"{r.key_id:<17} {r.role.value:<15} {r.scope() or '-':<20} "
                    f"{_when(r.created_at_ms):<21} {_when(r.revoked_at_ms):<21} {r.name}"
                )
    except KeyStoreError as exc:
        print(f"oms keys: {exc.message}", file=sys.stderr)
        return 2
    finally:
        await client.aclose()
        if embedded is not None:
            embedded.stop()
    return 0


async def _audit_log(args: argparse.Namespace) -> int:
    from gateway.auth.audit import AuditLog

    client, embedded = _redis_for_admin(args)
    try:
        for e in await AuditLog(client).tail(args.count):
            print(f"{_when(e.at_ms)}  {e.principal:<40} {e.action:<44} {e.outcome:<18} {e.target} {e.detail}".rstrip())
    finally:
        await client.aclose()
        if embedded is not None:
            embedded.stop()
    return 0


def _add_redis_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--redis-url", default=None, help="the deployment's Redis (default: $REDIS_URL, else embedded)")
    p.add_argument("--data-dir", type=Path, default=None, help="embedded Redis data (default: ./.oms-data)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="oms", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the gateway, the actors and (by default) an embedded Redis")
    _add_service_args(serve, default_port=50051)
    serve.add_argument("--port-file", default=None, help="write the bound port here once listening")
    serve.add_argument("--log-level", default="INFO")
    serve.add_argument("--bench-empty", action="store_true", help="also serve an empty method, the benchmarks' ceiling")
    serve.add_argument(
        "--overdue-sweep-s", type=float, default=30.0,
        help="how often the periodic passes run: invoices newly past due noted on their orders (invoice.overdue), "
        "customers waiting for erasure erased once their orders are over (0: never)",
    )  # fmt: skip
    serve.add_argument(
        "--metrics-port", type=int, default=None,
        help="serve Prometheus metrics at http://HOST:PORT/metrics (RPCs by method and code, latency, "
        "order shards' open orders and backlog); 0: any free port; default: none",
    )  # fmt: skip
    serve.add_argument("--max-batch", type=int, default=256, help="most orders per actor call")
    serve.add_argument("--max-delay-ms", type=float, default=1.0, help="longest an order waits for its batch on an idle shard")
    serve.add_argument("--max-inflight", type=int, default=1, help="batches in flight per order shard")
    serve.add_argument(
        "--min-batch", type=int, default=8, help="orders a batch waits for once the shard's last batch returned"
    )
    serve.add_argument("--linger-ms", type=float, default=5.0, help="longest they wait for them (0: not at all)")
    _add_access_args(serve)

    keys = sub.add_parser("keys", help="create, revoke and list API keys (in the deployment's Redis)")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True)
    create = keys_sub.add_parser("create", help="a new key bound to a role and scope; printed once")
    create.add_argument("--role", choices=ROLES, required=True)
    scope = create.add_mutually_exclusive_group()
    scope.add_argument("--channel", choices=CHANNELS, help="the channel a channel key places and reads orders for")
    scope.add_argument("--customer", metavar="ID", help="the customer a customer key reads")
    scope.add_argument(
        "--location", metavar="ID", help="binds a fulfilment or inventory_feed key to one location (default: all)"
    )
    create.add_argument("--name", default="", help="a label, e.g. who holds the key")
    create.add_argument(
        "--goodwill-limit",
        type=int,
        metavar="PERCENT",
        help="a service agent's own goodwill limit, in percent of an order's total (default: the risk rules')",
    )
    _add_redis_args(create)
    revoke = keys_sub.add_parser("revoke", help="revoke a key by id (gateways refuse it within --key-cache-ttl)")
    revoke.add_argument("key_id")
    _add_redis_args(revoke)
    listing = keys_sub.add_parser("list", help="every key: id, role, scope, created, revoked (never secrets)")
    _add_redis_args(listing)
    keys_sub.add_parser("generate", help="print a fresh key without storing it (for OMS_BOOTSTRAP_ADMIN_KEY)")

    audit = sub.add_parser("audit-log", help="the newest audit entries: admin actions, decisions, key changes")
    audit.add_argument("--count", type=int, default=50)
    _add_redis_args(audit)

    from benchmarks import commands  # oms simulate, oms compare

    commands.register(sub)

    args = parser.parse_args(argv)
    if args.command == "serve" and not 1 <= args.min_batch <= args.max_batch:
        serve.error(f"--min-batch must be between 1 and --max-batch ({args.max_batch})")
    logging.basicConfig(
        level=getattr(args, "log_level", "WARNING"), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if args.command == "serve":
        return event_loop.run(_serve(args))  # uvloop, as Ray gives the actors
    if args.command == "keys":
        return asyncio.run(_keys(args))
    if args.command == "audit-log":
        return asyncio.run(_audit_log(args))
    return commands.run(args)


if __name__ == "__main__":
    sys.exit(main())
