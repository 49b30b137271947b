"""Upload: 50 files of 2 MB through the app's write queue vs a plain httpx script (issue 9).

The store emulator runs in its own process (40 ms API latency), so its work (reading the
multipart body, checking the picture, SQLite) never holds the measured process's GIL.
- app: `WriteQueue.submit(CreateFromFile)` for every file, from the first submit until the
  queue has settled: each file copied into the journal (read, hashed, fsynced) before its op is
  journaled, then the v3 multipart POST, the answer reconciled; one ordered lane per product,
  so one product's uploads go one at a time;
- baseline: a plain `httpx.Client` doing the same v3 multipart POSTs (each file read from disk),
  with the same concurrency: one at a time.
Files are PNGs of noise (incompressible, so each is its size on the wire), each different.
"""

from __future__ import annotations

import io
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from benchmarks.figures import Figure, Size
from benchmarks.remote_store import RemoteStore, StoreAddress

LATENCY_MS = 40


def noise_png(path: Path, size_bytes: int, seed: int) -> None:
    """A PNG of about `size_bytes` that compresses to nothing: random pixels."""
    from PIL import Image

    side = max(8, int((size_bytes / 3) ** 0.5))
    pixels = random.Random(seed).randbytes(side * side * 3)
    buffer = io.BytesIO()
    Image.frombytes("RGB", (side, side), pixels).save(buffer, format="PNG", compress_level=1)
    path.write_bytes(buffer.getvalue())


def upload_with_httpx(address: StoreAddress, product_id: int, files: list[Path]) -> float:
    url = address.api_base.removesuffix("/v2") + f"/v3/catalog/products/{product_id}/images"
    with httpx.Client(headers={"X-Auth-Token": address.access_token,
                               "Accept": "application/json"}, timeout=60) as client:
        start = time.perf_counter()
        for path in files:
            response = client.post(url, files={"image_file": (path.name, path.read_bytes(),
                                                              "image/png")})
            response.raise_for_status()
        return time.perf_counter() - start


def upload_with_the_queue(address: StoreAddress, product_id: int, files: list[Path],
                          journal: Path) -> float:
    from app.api import OAuthCredentials, StoreClient
    from app.services.image_state import CreateFromFile, new_row_key, next_op_id
    from app.services.write_queue import WriteQueue

    credentials = OAuthCredentials(address.store_hash, address.access_token,
                                   api_base=address.api_base)
    with StoreClient(credentials) as client:
        queue = WriteQueue(client, address.store_hash, journal)
        try:
            queue.set_server_images(product_id, client.all_images(product_id))
            if not queue.drain(30):
                raise RuntimeError("the write queue did not start")
            start = time.perf_counter()
            for n, path in enumerate(files):
                queue.submit(product_id, CreateFromFile(
                    op_id=next_op_id(), row_key=new_row_key(), path=path, sha256="", size=0,
                    name=path.name, position=n))
            if not queue.drain(600) or queue.pending_count():
                raise RuntimeError("the uploads did not all reach the store")
            return time.perf_counter() - start
        finally:
            queue.shutdown()


def run(size: Size) -> list[Figure]:
    count, file_bytes, latency, rounds = ((50, 2_000_000, LATENCY_MS, 2) if size == "full"
                                          else (3, 40_000, 0, 1))
    with tempfile.TemporaryDirectory(prefix="pim-bench-upload-") as folder:
        root = Path(folder)
        files = [root / f"photo-{n:02d}.png" for n in range(count)]
        for n, path in enumerate(files):
            noise_png(path, file_bytes, seed=n)
        megabytes = sum(path.stat().st_size for path in files) / 1e6
        products = {f"{who}-{n}": 0 for who in ("baseline", "app", "warm-up")
                    for n in range(rounds)}
        times: dict[str, list[float]] = {"baseline": [], "app": []}
        with RemoteStore(latency_ms=latency, catalog="empty", products=products) as address:
            ids = address.product_ids
            upload_with_httpx(address, ids["warm-up-0"], files[:2])  # both start warm
            for n in range(rounds):
                # Each round in the other order: neither side always meets a fuller store.
                for who in (("baseline", "app") if n % 2 == 0 else ("app", "baseline")):
                    product_id = ids[f"{who}-{n}"]
                    times[who].append(
                        upload_with_httpx(address, product_id, files) if who == "baseline"
                        else upload_with_the_queue(address, product_id, files,
                                                   root / f"journal-{n}"))
    ours, baseline = statistics.median(times["app"]), statistics.median(times["baseline"])
    return [Figure(f"{count} uploads of {megabytes / count:.2g} MB ({latency} ms latency, "
                   f"one at a time)", ours * 1000, baseline * 1000, "ms",
                   "plain httpx, same requests and concurrency",
                   target=f"app/baseline ≤ 1.2 (here {ours / baseline:.2f})"),
            Figure("upload throughput", megabytes / ours, megabytes / baseline, "MB/s",
                   "plain httpx", lower_is_better=False)]


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from benchmarks.figures import table
    app = QApplication.instance() or QApplication([])
    print(table(run("full")))
