"""`python -m app.store_emulator`: serve an emulated store until Ctrl+C (or SIGTERM)."""

from __future__ import annotations

import argparse
import ipaddress
import signal
import sys
import threading
from types import FrameType

from .config import EmulatorConfig
from .emulator import StoreEmulator


def build_parser() -> argparse.ArgumentParser:
    defaults = EmulatorConfig()
    parser = argparse.ArgumentParser(
        prog="python -m app.store_emulator",
        description="A local BigCommerce store: v2 Product Images API, products, v3 image"
                    " upload and a CDN. For development and tests only.")
    add = parser.add_argument
    add("--host", default=defaults.host, help="interface to listen on (default: %(default)s)")
    add("--port", type=int, default=8750, help="API port, 0 for any free one (default: 8750)")
    add("--cdn-port", type=int, default=8751, help="CDN port, 0 for any free one (default: 8751)")
    add("--store-hash", default=defaults.store_hash)
    add("--access-token", default=defaults.access_token, help="OAuth token with write scope")
    add("--read-only-token", action="append", dest="read_only_tokens", metavar="TOKEN",
        help="OAuth token with read-only scope (repeatable; default: %s)"
             % defaults.read_only_tokens[0])
    add("--basic-user", default=defaults.basic_user, help="legacy Basic auth user name")
    add("--basic-key", default=defaults.basic_key, help="legacy Basic auth API key")
    add("--seed", type=int, default=defaults.seed, help="seed of the demo catalog and faults")
    add("--empty", action="store_true", help="start with no products instead of the demo ones")
    add("--latency-ms", type=int, default=0, help="delay added to every API request")
    add("--cdn-latency-ms", type=int, default=0, help="delay added to every CDN request")
    add("--rate-limit-quota", type=int, default=defaults.rate_limit_quota)
    add("--rate-limit-window-ms", type=int, default=defaults.rate_limit_window_ms)
    add("--basic-hourly-limit", type=int, default=defaults.basic_hourly_limit)
    add("--error-rate", type=float, default=0.0, help="fraction of API requests answered 500")
    add("--drop-rate", type=float, default=0.0, help="fraction of API connections dropped")
    add("--truncate-rate", type=float, default=0.0, help="fraction of API bodies cut short")
    add("--garbage-rate", type=float, default=0.0, help="fraction of 200s with a non-JSON body")
    add("--drop-after-commit-rate", type=float, default=0.0,
        help="fraction of requests applied, then dropped without a response")
    add("--empty-collection-200", action="store_true",
        help="answer empty lists with 200 [] instead of 204")
    add("--db", metavar="PATH", help="keep the store in this SQLite file across runs")
    add("--import-dir", metavar="DIR", help="folder standing in for the WebDAV import directory")
    return parser


def config_from(args: argparse.Namespace) -> EmulatorConfig:
    defaults = EmulatorConfig()
    return EmulatorConfig(
        host=args.host, port=args.port, cdn_port=args.cdn_port, store_hash=args.store_hash,
        access_token=args.access_token,
        read_only_tokens=tuple(args.read_only_tokens or defaults.read_only_tokens),
        basic_user=args.basic_user, basic_key=args.basic_key, seed=args.seed,
        catalog="empty" if args.empty else "demo", latency_ms=args.latency_ms,
        cdn_latency_ms=args.cdn_latency_ms, rate_limit_quota=args.rate_limit_quota,
        rate_limit_window_ms=args.rate_limit_window_ms,
        basic_hourly_limit=args.basic_hourly_limit,
        empty_collection_status=200 if args.empty_collection_200 else 204,
        db_path=args.db, import_dir=args.import_dir)


def describe(emulator: StoreEmulator) -> str:
    config = emulator.config
    lines = [
        "BigCommerce store emulator (local, for development and tests)",
        f"  OAuth API base:   {emulator.oauth_api_base}",
        f"  Basic API base:   {emulator.basic_api_base}",
        f"  v3 API base:      {emulator.v3_api_base}",
        f"  Store URL:        {emulator.store_url}",
        f"  CDN origin:       {emulator.cdn_origin}",
        f"  Store hash:       {config.store_hash}",
        f"  Access token:     {config.access_token}",
        *(f"  Read-only token:  {token}" for token in config.read_only_tokens),
        f"  Basic user:       {config.basic_user}",
        f"  Basic API key:    {config.basic_key}",
        "Serving; press Ctrl+C to stop.",
    ]
    return "\n".join(lines)


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


PUBLIC_WARNING = (
    "WARNING: listening on {host}, not only on this computer (127.0.0.1). Anyone who can reach "
    "this machine can use the store with the demo credentials printed below, which are public. "
    "Use --host 127.0.0.1 unless you really mean to share it.")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if not is_loopback(args.host):
        print(PUBLIC_WARNING.format(host=args.host), file=sys.stderr, flush=True)
    emulator = StoreEmulator(config_from(args))
    for name in ("error_rate", "drop_rate", "truncate_rate", "garbage_rate",
                 "drop_after_commit_rate"):
        setattr(emulator.faults, name, getattr(args, name))
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    with emulator:
        print(describe(emulator), flush=True)
        while not stop.wait(0.5):
            pass
    print("Stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
