"""All images of a 300-image product: pages of 250 (the client's way) vs the default 50."""

from __future__ import annotations

import statistics
import time

from app.api import OAuthCredentials, StoreClient
from app.store_emulator import EmulatorConfig, StoreEmulator

LATENCY_MS = 40
ROUNDS = 5


def fetch_all(client: StoreClient, product_id: int, page_size: int) -> int:
    return sum(len(page) for page in client.iter_image_pages(product_id, page_size=page_size))


def main() -> None:
    config = EmulatorConfig(latency_ms=LATENCY_MS, rate_limit_quota=10_000)
    with StoreEmulator(config) as emulator:
        credentials = OAuthCredentials(config.store_hash, config.access_token,
                                       api_base=emulator.oauth_api_base)
        with StoreClient(credentials) as client:
            results = {}
            for page_size in (50, 250):
                times, requests = [], 0
                for _ in range(ROUNDS):
                    emulator.clear_requests()
                    start = time.perf_counter()
                    assert fetch_all(client, 1, page_size) == 300
                    times.append(time.perf_counter() - start)
                    requests = len(emulator.requests())
                results[page_size] = (statistics.median(times), requests)
    base_time, base_requests = results[50]
    ours_time, ours_requests = results[250]
    print(f"store latency {LATENCY_MS} ms, median of {ROUNDS} rounds")
    print(f"baseline (limit 50):  {base_requests} requests, {base_time * 1000:.0f} ms")
    print(f"client   (limit 250): {ours_requests} requests, {ours_time * 1000:.0f} ms")
    print(f"ratio: {base_requests / ours_requests:.1f}x fewer requests, "
          f"{base_time / ours_time:.1f}x faster")


if __name__ == "__main__":
    main()
