"""The first screen of pictures: the real window against a plain script doing the same requests.

Both run in fresh processes against one store emulator in a third (40 ms API, 20 ms CDN
latency), with nothing cached:
- app: the main window opens the store on a product, from the call to the moment every card on
  screen shows its picture; it also counts how many pictures it downloaded for those cards;
- baseline: a plain httpx + QImage script that reads the product's images (one page of 250),
  then downloads and decodes the same cards' pictures with as many threads as the app's loader.
Neither clock includes building the TLS context (~16 ms of reading the CA bundle) or importing
the HTTP client: the window builds the one and imports the store page on a worker after its
first paint, long before a merchant opens a store; the script does both before its clock.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from benchmarks.figures import Figure, Size
from benchmarks.installed import child_environment, compile_app
from benchmarks.remote_store import RemoteStore

API_LATENCY_MS = 40
CDN_LATENCY_MS = 20
LOADER_WORKERS = 6


def measure_app(address: dict, product_id: int) -> dict:
    import os
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from app.api.auth import OAuthCredentials
    from app.api.cdn import ImageDownloader
    from app.credentials import CredentialStore
    from app.services.session import StoreInfo
    from app.services.store_registry import StoreRegistry
    from app.ui.image_model import ImageRoles
    from app.ui.main_window import MainWindow
    from benchmarks.soak import pump_until
    from tests.support.memory_keyring import MemoryKeyring

    downloads: list[str] = []
    download = ImageDownloader.download  # every picture the app loads comes through here

    def counted(self, url: str, *args, **kwargs):  # type: ignore[no-untyped-def]
        downloads.append(url)
        return download(self, url, *args, **kwargs)

    ImageDownloader.download = counted  # type: ignore[method-assign]
    app = QApplication([])  # noqa: F841
    import tempfile
    tmp = Path(tempfile.mkdtemp(prefix="pim-bench-"))
    window = MainWindow(CredentialStore(MemoryKeyring()), StoreRegistry(tmp / "stores.json"),
                        tmp / "cache")
    window.resize(1280, 800)
    window.show()
    credentials = OAuthCredentials(address["store_hash"], address["access_token"],
                                   api_base=address["api_base"])
    # After its first paint the window builds the TLS context and imports the store page on a
    # worker, long before a merchant's first click; the baseline builds its TLS context and
    # imports httpx before its clock too.
    pump_until(lambda: window.prepared_for_a_store, 60)
    start = time.perf_counter()
    page = window.open_store(StoreInfo("Bench store", credentials), product_id)
    assert page is not None
    pump_until(lambda: page.images_ready and page.grid.visible_pictures_settled()[0], 120)
    elapsed = time.perf_counter() - start
    cards = [page.image_model.index(row, 0).data(ImageRoles.Image)
             for row in page.grid.visible_rows()]
    # The rendition the grid shows at this card size; the details pane and the product
    # list ask for their own (bigger or smaller) ones, which are not the grid's to count.
    box = page.image_model.picture_size.width()
    card_urls = {image.rendition_url(box) for image in cards}
    window.close()
    return {"seconds": elapsed, "cards": len(cards), "visible_ids": [i.id for i in cards],
            "downloads_for_cards": sum(url in card_urls for url in downloads)}


def measure_baseline(address: dict, product_id: int, image_ids: list[int]) -> dict:
    import ssl

    import certifi
    import httpx
    from PySide6.QtCore import QSize, Qt
    from PySide6.QtGui import QImage

    box = QSize(110, 143)
    verify = ssl.create_default_context(cafile=certifi.where())
    start = time.perf_counter()
    with httpx.Client(headers={"X-Auth-Token": address["access_token"],
                               "Accept": "application/json"}, verify=verify) as api:
        images = api.get(f"{address['api_base']}/products/{product_id}/images",
                         params={"limit": 250}).json()
    wanted = set(image_ids)
    urls = [image["standard_url"] for image in images if image["id"] in wanted]

    with httpx.Client(verify=verify) as cdn:
        def load(url: str) -> None:
            image = QImage.fromData(cdn.get(url).content)
            image.scaled(box, Qt.AspectRatioMode.KeepAspectRatio,
                         Qt.TransformationMode.SmoothTransformation)

        with ThreadPoolExecutor(LOADER_WORKERS) as pool:
            list(pool.map(load, urls))
    return {"seconds": time.perf_counter() - start, "pictures": len(urls)}


def _in_child(function: str, *args: object, bytecode: Path | None = None) -> dict:
    environment = child_environment(bytecode) if bytecode is not None else None
    done = subprocess.run([sys.executable, "-m", "benchmarks.first_screen", function,
                           json.dumps(args)], capture_output=True, text=True, timeout=300,
                          cwd=Path(__file__).resolve().parent.parent, env=environment)
    if done.returncode != 0:
        raise RuntimeError(f"{function} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(size: Size) -> list[Figure]:
    rounds = 5 if size == "full" else 1
    latency = {"latency_ms": API_LATENCY_MS, "cdn_latency_ms": CDN_LATENCY_MS} \
        if size == "full" else {}
    apps, bases, cards, downloads = [], [], 0, 0
    with RemoteStore(products={"first": 300}, **latency) as address, \
            tempfile.TemporaryDirectory(prefix="pim-bytecode-") as bytecode:
        product_id = address.product_ids["first"]
        compile_app(Path(bytecode))
        for round_ in range(rounds):
            # A fresh product each round would be fairer to the CDN's cache; the emulator
            # keeps its drawn renditions, so round 1 warms them for every later round.
            app = _in_child("measure_app", address.__dict__, product_id,
                            bytecode=Path(bytecode))
            base = _in_child("measure_baseline", address.__dict__, product_id,
                             app["visible_ids"], bytecode=Path(bytecode))
            if round_ == 0 and rounds > 1:
                continue
            apps.append(app["seconds"])
            bases.append(base["seconds"])
            cards = app["cards"]
            downloads = app["downloads_for_cards"]
    figures = [Figure(f"first screen of pictures ({cards} cards, "
                      f"{API_LATENCY_MS if size == 'full' else 0} ms API latency)",
                      statistics.median(apps) * 1000, statistics.median(bases) * 1000, "ms",
                      "plain httpx + QImage script, same requests", target="≤ 1.1x")]
    figures.append(Figure("pictures downloaded for the first screen's cards", downloads,
                          cards, "", "one per card", target="= cards"))
    return figures


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] in ("measure_app", "measure_baseline"):
        args = json.loads(sys.argv[2])
        print(json.dumps(globals()[sys.argv[1]](*args)))
        return
    from benchmarks.figures import table
    print(table(run("tiny" if "--tiny" in sys.argv else "full")))


if __name__ == "__main__":
    main()
