"""The registry of gallery states: each drives a fresh main window into one state.

How to add a state:

    @state("details-multi", "Twelve cards selected, the details pane summarising them")
    def details_multi(stage: Stage) -> None:
        page = stage.open_product_and_settle(1)
        ...drive with stage.click_row / stage.press / the emulator's knobs...
        stage.wait_until(lambda: <what the merchant would see>, "what we wait for")

Rules: start from `stage` only (the window, `stage.demo()` or `stage.emulators.get(name, ...)`,
real clicks and key presses); end with a `wait_*` for the condition that makes the state what it
is, never a fixed sleep; for a store that is slow to answer, hold its requests
(`Faults(hold=threading.Event(), only_paths=...)`), never a latency a loaded machine can
outrun; leave the emulator as you like, `EmulatorPool.reset()` heals it before
the next state. `prepare` (optional) runs before the window exists, with its config folder, for
what the window reads at start (saved stores). Waits raise StateNotReached, which the runner
reports; the screenshot is taken either way.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt

from app.services.store_registry import SavedStore, StoreRegistry
from app.store_emulator import Faults
from app.store_emulator.seed import EMPTY_PRODUCT_ID, LARGEST_PRODUCT_ID

from .stage import Stage, StateNotReached

if TYPE_CHECKING:
    from app.services.write_queue import WriteQueue
    from app.ui.store_page import StorePage

# The API path of one product's image list, not its image count nor the product list.
IMAGES_PATH = r"/products/\d+/images$"
# What a misbehaving server might say, at the length that once widened the window to 1,500 px.
LONG_SERVER_MESSAGE = ("The catalogue service is temporarily unavailable because an upstream "
                       "dependency did not answer in time; the request was not processed. "
                       * 40)[:5000]


@dataclass(frozen=True)
class GalleryState:
    name: str  # file names and --only use it: lower case and dashes
    description: str
    drive: Callable[[Stage], None]
    prepare: Callable[[Path], None] | None = None


STATES: dict[str, GalleryState] = {}


def state(name: str, description: str, prepare: Callable[[Path], None] | None = None
          ) -> Callable[[Callable[[Stage], None]], Callable[[Stage], None]]:
    def register(drive: Callable[[Stage], None]) -> Callable[[Stage], None]:
        if name in STATES:
            raise ValueError(f"two gallery states are called {name!r}")
        STATES[name] = GalleryState(name, description, drive, prepare)
        return drive
    return register


# ---- start screen ---------------------------------------------------------------------------

@state("start-empty", "The start screen on a first run: no saved stores")
def start_empty(stage: Stage) -> None:
    stage.wait_until(stage.window.start_screen.isVisible, "the start screen")


SAVED_STORES = [
    SavedStore("Northwind Outfitters", "oauth", store_hash="n0rthw1nd"),
    SavedStore("Harbour Ceramics", "basic", store_url="https://harbour-ceramics.example",
               username="admin"),
]


def _save_stores(config_dir: Path) -> None:
    registry = StoreRegistry(config_dir / "stores.json")
    for saved in SAVED_STORES:
        registry.add(saved)


@state("start-saved", "The start screen with two saved stores", prepare=_save_stores)
def start_saved(stage: Stage) -> None:
    stage.wait_until(stage.window.start_screen.isVisible, "the start screen")
    for saved in SAVED_STORES:
        stage.wait_until(lambda label=saved.label: stage.shows_text(label),
                         f"the saved store {saved.label!r} listed")


# ---- loading --------------------------------------------------------------------------------

@state("products-loading", "A slow store: the product list is loading")
def products_loading(stage: Stage) -> None:
    demo = stage.demo()
    demo.faults = Faults(hold=threading.Event(), only_paths=r"/products$")  # until the next state
    page = stage.open_store(demo)
    stage.wait_for_requests(demo, "/products")
    stage.wait_until(lambda: page.product_model.rowCount() == 0, "an empty product list")


@state("grid-loading", "A slow store: the product list is there, the chosen product's "
                       "images are loading")
def grid_loading(stage: Stage) -> None:
    page = stage.open_product_and_settle(LARGEST_PRODUCT_ID)
    demo = stage.demo()
    product_id = page.product_model.product_at(2).id
    demo.faults = Faults(hold=threading.Event(), only_paths=rf"/products/{product_id}/images$")
    asked = len(demo.requests())
    stage.click_row(page.product_view, 2)
    stage.wait_for_requests(demo, f"/products/{product_id}/images", after=asked)
    stage.wait_until(lambda: not page.images_ready, "the grid waiting for the images")


# ---- content --------------------------------------------------------------------------------

@state("many-images", "A product with 300 images, the pictures on screen loaded")
def many_images(stage: Stage) -> None:
    stage.open_product_and_settle(LARGEST_PRODUCT_ID)


@state("empty-product", "A product that has no images")
def empty_product(stage: Stage) -> None:
    demo = stage.demo()
    page = stage.open_store(demo, EMPTY_PRODUCT_ID)
    stage.wait_until(lambda: page.image_count == 0, "the product's empty image list")
    stage.wait_quiet(demo)


@state("empty-store", "A store without any product")
def empty_store(stage: Stage) -> None:
    store = stage.emulators.get("empty-store", catalog="empty")
    page = stage.open_store(store, label="New store")
    stage.wait_for_requests(store, "/products")
    stage.wait_until(lambda: not page.product_model.loading and
                     page.product_model.rowCount() == 0, "the empty product list")
    stage.wait_quiet(store)


# ---- errors ---------------------------------------------------------------------------------

def _images_fail(stage: Stage, faults: Faults, product_id: int = 1) -> None:
    """Opens the demo store at `product_id` while its image list answers with `faults`."""
    demo = stage.demo()
    demo.faults = faults
    page = stage.open_store(demo, product_id)
    stage.wait_until(lambda: page.images_failed, "the grid's error")  # after the retries
    stage.wait_quiet(demo)


@state("error-500", "The image list answers 500 Internal Server Error")
def error_500(stage: Stage) -> None:
    _images_fail(stage, Faults(error_rate=1.0, only_paths=IMAGES_PATH))


@state("error-long-message", "The image list answers 500 with a 5,000-character message")
def error_long_message(stage: Stage) -> None:
    _images_fail(stage, Faults(error_rate=1.0, only_paths=IMAGES_PATH,
                               error_message=LONG_SERVER_MESSAGE))


@state("error-network", "The connection drops on every image-list request")
def error_network(stage: Stage) -> None:
    _images_fail(stage, Faults(drop_rate=1.0, only_paths=IMAGES_PATH))


@state("error-401", "A wrong access token (401 Unauthorized)")
def error_401(stage: Stage) -> None:
    demo = stage.demo()
    page = stage.open_store(demo, 1, token="not-the-right-token")
    stage.wait_until(lambda: page.images_failed and page.product_model.failed,
                     "the grid's and the product list's errors")
    stage.wait_quiet(demo)


@state("error-404-product", "A product that does not exist (product 99999)")
def error_404_product(stage: Stage) -> None:
    _images_fail(stage, Faults(), product_id=99999)


@state("store-unreachable", "Nothing answers at the store's address and nothing of it is "
                           "saved on this computer: offline, said once across the page; the "
                           "list and the grid say what is not saved")
def store_unreachable(stage: Stage) -> None:
    page = stage.open_store(stage.emulators.stopped("stopped"), LARGEST_PRODUCT_ID,
                            label="Northwind Outfitters")
    stage.wait_until(lambda: page.session.offline and page.offline_banner.isVisible()
                     and page.images_failed and not page.product_model.loading
                     and page.grid_panel.title == "This product is not saved on this computer",
                     "offline, with nothing saved")


@state("image-server-failing", "The image server (CDN) fails for every picture")
def image_server_failing(stage: Stage) -> None:
    demo = stage.demo()
    demo.cdn_faults = Faults(error_rate=1.0)
    page = stage.open_store(demo, LARGEST_PRODUCT_ID)
    stage.wait_until(lambda: page.images_ready, "the product's images")
    stage.wait_pictures_settled()
    stage.wait_until(lambda: page.grid.visible_pictures_settled()[1] > 0, "failed pictures")
    stage.wait_quiet(demo)


# ---- selection and inspection ---------------------------------------------------------------

@state("multi-selection", "Twelve cards selected (click, then Shift+Right eleven times)")
def multi_selection(stage: Stage) -> None:
    page = stage.open_product_and_settle(LARGEST_PRODUCT_ID)
    stage.click_row(page.grid, 0)
    stage.press(page.grid, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier, times=11)
    stage.wait_until(lambda: len(page.grid.selectionModel().selectedRows()) == 12,
                     "twelve selected cards")
    stage.wait_pictures_settled()


@state("loupe", "A large preview of the current card (Space on the grid)")
def loupe(stage: Stage) -> None:
    page = stage.open_product_and_settle(LARGEST_PRODUCT_ID)
    stage.click_row(page.grid, 4)
    with stage.new_widgets_over(page.grid) as appeared:
        stage.press(page.grid, Qt.Key.Key_Space)
        stage.wait_until(appeared, "a large preview over the grid", timeout_s=3)
    stage.wait_quiet(stage.demo())


# ---- editing --------------------------------------------------------------------------------

#: A product of the demo store with five images: four uploads join them in view.
FEW_IMAGES_PRODUCT_ID = 9


def _gallery_pictures(count: int, side: int) -> list[Path]:
    """Pictures to upload, made with Pillow: tinted noise, so they do not compress. A file
    near the store's 8 MB cap fills the connection's buffers while the slow store has not yet
    read it, so its upload stops part-way for a while: long enough to be seen."""
    import os
    import tempfile

    from PIL import Image

    folder = Path(tempfile.mkdtemp(prefix="pim-gallery-uploads-"))
    colours = [(66, 133, 244), (234, 67, 53), (251, 188, 5), (52, 168, 83)]
    paths = []
    for n in range(count):
        noise = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
        wash = Image.new("RGB", (side, side), colours[n % len(colours)])
        path = folder / f"new-photo-{n + 1}.png"
        Image.blend(noise, wash, 0.25).save(path, "PNG")
        paths.append(path)
    return paths


def _editable_product(stage: Stage) -> tuple[StorePage, WriteQueue]:
    """The few-images product opened, settled, in a session that keeps changes."""
    page = stage.open_product_and_settle(FEW_IMAGES_PRODUCT_ID)
    queue = page.session.queue
    if page.editor is None or queue is None:
        raise StateNotReached("this session cannot keep changes")
    return page, queue


@state("uploading", "Four pictures queued on a slow store: the first one being sent shows its "
                    "progress, the others wait; one line in the status bar with Cancel")
def uploading(stage: Stage) -> None:
    from PySide6.QtCore import QMimeData, QUrl

    from app.services.image_state import NO_ID
    from app.ui.image_model import ImageRoles

    # Uploads of an earlier run (another window size) landed when its window closed: the
    # product starts again with its own five pictures.
    stage.demo()._running_store().delete_images(FEW_IMAGES_PRODUCT_ID, offset=5)
    page, _queue = _editable_product(stage)
    flow = page.uploads
    assert flow is not None  # a session that keeps changes takes uploads
    # The store holds every upload until the next state heals it: the first stays on its way
    # however long the machine takes to stage and preview the four (a fixed latency raced it).
    stage.demo().faults = Faults(hold=threading.Event(), only_methods=frozenset({"POST"}),
                                 only_paths=IMAGES_PATH)
    # Dropped as a file manager drops them, so each card shows its picture's preview at once.
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path)) for path in _gallery_pictures(4, 1600)])
    model = page.image_model
    flow.drop(mime, model.rowCount())
    # Larger than the store shows: the one question of the batch, answered "as they are".
    stage.wait_until(lambda: flow.question is not None or model.rowCount() == 9,
                     "the dropped pictures checked")
    keep = flow.question_button("Keep as they are")
    if keep is not None:
        keep.click()

    def first_upload_sent() -> bool:
        fractions = [model.index(row).data(ImageRoles.UploadProgress)
                     for row in range(model.rowCount())
                     if model.index(row).data(ImageRoles.ImageId) == NO_ID]
        sending = [f for f in fractions if f is not None]
        # Each card's own picture at hand (asked for as a paint would: a small window shows
        # only some of the cards).
        previews = sum(model.index(row).data(Qt.ItemDataRole.DecorationRole) is not None
                       for row in range(5, model.rowCount()))
        status = stage.window.status.uploads_label.isVisible()
        seen[:] = [f"{len(fractions)} upload cards, sent {sending}, {previews} previews, "
                   f"status line {'shown' if status else 'hidden'}"]
        # Part-way, or all of it when the connection's buffers took the whole file at once
        # (their size varies): the store holds it either way.
        return len(fractions) == 4 and previews == 4 and status and bool(sending) \
            and 0.0 < sending[0] <= 1.0

    seen: list[str] = []
    try:
        stage.wait_until(first_upload_sent, "the first upload being sent, the others waiting")
    except StateNotReached as exc:
        raise StateNotReached(f"{exc}; last seen: {seen[0] if seen else 'nothing'}") from None


@state("offline-pending", "Working offline (the toolbar's toggle): one banner says since when; "
                          "three changes made meanwhile wait on their cards and in the status "
                          "bar, to be sent when the merchant goes online")
def offline_pending(stage: Stage) -> None:
    from app.services.edit_verbs import alt_text_edit, move_edit

    page, queue = _editable_product(stage)
    stage.window.offline_action.trigger()
    stage.wait_until(lambda: page.session.offline_by_choice, "working offline")
    rows = page.view_rows()
    page.editor.apply(FEW_IMAGES_PRODUCT_ID, alt_text_edit(
        rows, {rows[0].key: "Stainless bottle, front", rows[1].key: "Stainless bottle, cap off"}))
    page.editor.apply(FEW_IMAGES_PRODUCT_ID, move_edit(page.view_rows(), [rows[4].key], 0))
    stage.wait_until(lambda: queue.counts() == (3, 0, 0)
                     and "3 changes wait" in page.offline_banner.text,
                     "three changes waiting under the offline banner")


@state("change-failed", "The store refused a change: the card shows its badge, and the "
                        "details pane, where the merchant is looking, spells out why with "
                        "Retry and Discard")
def change_failed(stage: Stage) -> None:
    from app.services.edit_verbs import alt_text_edit

    page, queue = _editable_product(stage)
    # Closed after the shot with the failure still there: close without asking (the question
    # is a modal dialog that would wait for a click).
    stage.window.ask = lambda *_args: True  # type: ignore[method-assign]
    stage.demo().faults = Faults(error_rate=1.0, only_methods=frozenset({"PUT"}))
    stage.click_row(page.grid, 1)
    rows = page.view_rows()
    page.editor.apply(FEW_IMAGES_PRODUCT_ID, alt_text_edit(
        rows, {rows[1].key: "Stainless bottle with its cap off"}))
    stage.wait_until(lambda: queue.counts() == (0, 0, 1)
                     and page.details.change_notice.retry_button.isVisible(),
                     "the failed change in the details pane")


@state("pending-dock", "View ▸ Pending changes open beside the grid, working offline: three "
                       "changes listed under their product, each with Discard")
def pending_dock(stage: Stage) -> None:
    offline_pending(stage)
    stage.window.show_pending_changes()
    stage.wait_until(lambda: stage.window.pending_dock.isVisible()
                     and stage.shows_text("Stainless bottle, front"),
                     "the dock listing the three changes")
