"""Runs gallery states one window at a time: size it, show it, drive it, measure it, grab it."""

from __future__ import annotations

import os
import tempfile
import time
import traceback
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QSettings, QSize
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.credentials import CredentialStore
from app.services.store_registry import StoreRegistry
from app.ui.main_window import MainWindow
from tests.support.memory_keyring import MemoryKeyring

from .stage import EmulatorPool, Stage, StateNotReached
from .states import GalleryState

SETTLE_MS = 80  # the last layout passes after a state's condition is met (not a wait for it)


@dataclass
class Shot:
    """One state at one size and scale: what the window did, and where its picture is."""

    state: str
    size: str                  # "900x620": the logical size asked for
    scale: int
    png: str
    width_requested: int
    height_requested: int
    width_before: int          # once shown at the requested size, before the state
    height_before: int
    width_after: int           # once the state was reached
    height_after: int
    min_size_hint_before: list[int]
    min_size_hint_after: list[int]
    minimum_size_after: list[int]  # what the layout forces on the window
    reached: bool
    problem: str | None = None
    seconds: float = 0.0
    description: str = ""

    @property
    def widened(self) -> bool:
        return self.width_after > self.width_before

    @property
    def lengthened(self) -> bool:
        return self.height_after > self.height_before

    @property
    def took_requested_size(self) -> bool:
        return (self.width_before, self.height_before) == (self.width_requested,
                                                           self.height_requested)

    def verdict(self) -> str:
        problems = []
        if not self.took_requested_size:
            problems.append(f"window shown at {self.width_before}x{self.height_before}, "
                            f"not {self.size}")
        if self.widened:
            problems.append(f"WIDER: {self.width_before} -> {self.width_after} px")
        if self.lengthened:
            problems.append(f"TALLER: {self.height_before} -> {self.height_after} px")
        if not self.reached:
            problems.append(f"NOT REACHED: {self.problem}")
        return "; ".join(problems) or "ok"

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "widened": self.widened, "lengthened": self.lengthened,
                "verdict": self.verdict()}


def shot_file_name(state: str, size: QSize, scale: int, prefix: str, plain: bool) -> str:
    if plain:
        return f"{prefix}{state}.png"
    return f"{prefix}{state}-{size.width()}x{size.height()}@{scale}x.png"


class GalleryRunner:
    def __init__(self, out_dir: Path, scale: int, prefix: str = "", plain_names: bool = False
                 ) -> None:
        self.out_dir = out_dir
        self.scale = scale
        self.prefix = prefix
        self.plain_names = plain_names
        self.emulators = EmulatorPool()

    def run(self, states: list[GalleryState], sizes: list[QSize]) -> list[Shot]:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        shots = []
        try:
            for gallery_state in states:
                for size in sizes:
                    shot = self.run_one(gallery_state, size)
                    print(f"{shot.state:22} {shot.size}@{shot.scale}x  "
                          f"{shot.width_before}x{shot.height_before} -> "
                          f"{shot.width_after}x{shot.height_after}  {shot.seconds:4.1f} s  "
                          f"{shot.verdict()}", flush=True)
                    shots.append(shot)
        finally:
            self.emulators.stop_all()
        return shots

    def run_one(self, gallery_state: GalleryState, size: QSize) -> Shot:
        started = time.monotonic()
        with tempfile.TemporaryDirectory(prefix="pim-gallery-",
                                         ignore_cleanup_errors=True) as folder:
            config_dir, cache_dir = first_run_folders(Path(folder))
            if gallery_state.prepare is not None:
                gallery_state.prepare(config_dir)
            window = make_window(config_dir, cache_dir)
            try:
                window.resize(size)
                window.show()
                QTest.qWaitForWindowExposed(window)
                _settle()
                before, hint_before = window.size(), window.minimumSizeHint()
                problem = None
                try:
                    gallery_state.drive(Stage(window, self.emulators))
                except StateNotReached as exc:
                    problem = str(exc)
                except Exception as exc:  # noqa: BLE001 - one broken script must not end the run
                    traceback.print_exc()
                    problem = f"the state's script failed: {type(exc).__name__}: {exc}"
                _settle()
                after, hint_after = window.size(), window.minimumSizeHint()
                png = self.out_dir / shot_file_name(gallery_state.name, size, self.scale,
                                                    self.prefix, self.plain_names)
                if not window.grab().save(str(png), "PNG"):
                    problem = problem or f"could not write {png}"
                return Shot(
                    state=gallery_state.name, size=f"{size.width()}x{size.height()}",
                    scale=self.scale, png=str(png),
                    width_requested=size.width(), height_requested=size.height(),
                    width_before=before.width(), height_before=before.height(),
                    width_after=after.width(), height_after=after.height(),
                    min_size_hint_before=[hint_before.width(), hint_before.height()],
                    min_size_hint_after=[hint_after.width(), hint_after.height()],
                    minimum_size_after=[window.minimumWidth(), window.minimumHeight()],
                    reached=problem is None, problem=problem,
                    seconds=round(time.monotonic() - started, 2),
                    description=gallery_state.description)
            finally:
                # The store healed first: a held or slow request is answered, so closing the
                # window does not wait on what the state did to the store.
                self.emulators.reset()
                window.close()
                window.deleteLater()
                QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
                QApplication.processEvents()


def first_run_folders(folder: Path) -> tuple[Path, Path]:
    """Points settings, config, cache and data into `folder`, so each state's window starts
    as on a first run: no remembered size, store or product from the state before it."""
    for variable, name in (("XDG_CONFIG_HOME", "xdg-config"), ("XDG_CACHE_HOME", "xdg-cache"),
                           ("XDG_DATA_HOME", "xdg-data")):
        os.environ[variable] = str(folder / name)
    os.environ["PIM_DATA_DIR"] = str(folder / "pim-data")  # app.paths: overrides the XDG ones
    for settings_format in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(settings_format, QSettings.Scope.UserScope, str(folder / "settings"))
    config_dir, cache_dir = folder / "config", folder / "cache"
    config_dir.mkdir()
    return config_dir, cache_dir


def make_window(config_dir: Path, cache_dir: Path) -> MainWindow:
    """The app's main window with a keyring in memory and saved stores in `config_dir`.
    (The one place to follow a change of MainWindow's constructor.)"""
    return MainWindow(CredentialStore(MemoryKeyring()), StoreRegistry(config_dir / "stores.json"),
                      cache_dir)


def _settle() -> None:
    QApplication.processEvents()
    QTest.qWait(SETTLE_MS)
    QApplication.processEvents()
