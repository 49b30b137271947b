"""All images of a 300-image product: pages of 250 (the client's way) vs the default 50."""

from __future__ import annotations

import statistics
import time

from app.api import OAuthCredentials, StoreClient
from app.store_emulator import EmulatorConfig, StoreEmulator
from benchmarks.figures import Figure, Size

LATENCY_MS = 40


def fetch_all(client: StoreClient, product_id: int, page_size: int) -> int:
    return sum(len(page) for page in client.iter_image_pages(product_id, page_size=page_size))


def run(size: Size) -> list[Figure]:
    rounds, latency = (5, LATENCY_MS) if size == "full" else (1, 0)
    config = EmulatorConfig(latency_ms=latency, rate_limit_quota=10_000)
    with StoreEmulator(config) as emulator:
        credentials = OAuthCredentials(config.store_hash, config.access_token,
                                       api_base=emulator.oauth_api_base)
        with StoreClient(credentials) as client:
            results = {}
            for page_size in (50, 250):
                times, requests = [], 0
                for _ in range(rounds):
                    emulator.clear_requests()
                    start = time.perf_counter()
                    assert fetch_all(client, 1, page_size) == 300
                    times.append(time.perf_counter() - start)
                    requests = len(emulator.requests())
                results[page_size] = (statistics.median(times), requests)
    (base_time, base_requests), (ours_time, ours_requests) = results[50], results[250]
    baseline = "pages of 50 (the store's default)"
    return [
        Figure("requests to read a 300-image product", ours_requests, base_requests,
               "requests", baseline),
        Figure(f"time to read a 300-image product ({latency} ms store latency)",
               ours_time * 1000, base_time * 1000, "ms", baseline),
    ]


if __name__ == "__main__":
    from benchmarks.figures import table
    print(table(run("full")))
