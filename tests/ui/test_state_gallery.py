"""Every state of the window, screenshotted at 900×620 and 1280×800 and at 2×, on a real X
server (Xvfb): no state may make the window wider (or taller) than it was, each state must be
reached, and each picture must exist and show something. The pictures stay in build/state-gallery/ for a person to look at.

The gallery runs in one subprocess per scale and size (its own QApplication, so
QT_SCALE_FACTOR can differ), all at the same time: the states mostly wait on the store's retries,
so three runs side by side take about as long as one. Each state's test reads the reports.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.support.state_gallery import STATES

REPO = Path(__file__).resolve().parents[2]
GALLERY_DIR = REPO / "build" / "state-gallery"
RUNS = [(1, "900x620"), (1, "1280x800"), (2, "900x620")]  # scale, logical window size
RUN_TIMEOUT_S = 240

pytestmark = [pytest.mark.gallery, pytest.mark.timeout(RUN_TIMEOUT_S + 60)]


@dataclass
class GalleryRun:
    scale: int
    size: str
    returncode: int
    output: str
    shots: list[dict[str, Any]]

    def __repr__(self) -> str:  # pytest prints the fixture: the output is in the failures
        return f"<gallery run {self.size}@{self.scale}x: {len(self.shots)} shots>"


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("PIM_") and k not in ("QT_QPA_PLATFORM", "QT_SCALE_FACTOR")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


@pytest.fixture(scope="module")
def gallery() -> Iterator[list[GalleryRun]]:
    assert shutil.which("xvfb-run"), "xvfb-run is missing: apt-get install xvfb xauth"
    shutil.rmtree(GALLERY_DIR, ignore_errors=True)
    GALLERY_DIR.mkdir(parents=True)
    running = []
    for scale, size in RUNS:
        report = GALLERY_DIR / f"report-{size}@{scale}x.json"
        command = [sys.executable, "-m", "tests.support.state_gallery", "--xvfb", "always",
                   "--out", str(GALLERY_DIR), "--scale", str(scale), "--size", size,
                   "--report", str(report)]
        running.append((scale, size, report, subprocess.Popen(
            command, cwd=REPO, env=_environment(), text=True,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)))
    runs = []
    for scale, size, report, process in running:
        try:
            output, _ = process.communicate(timeout=RUN_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
            pytest.fail(f"the gallery at {size}@{scale}x ran over {RUN_TIMEOUT_S} s:\n{output}")
        shots = json.loads(report.read_text(encoding="utf-8")) if report.is_file() else []
        runs.append(GalleryRun(scale, size, process.returncode, output, shots))
    print(f"\nstate gallery: screenshots in {GALLERY_DIR}")
    for run in runs:
        print(run.output, end="")
    yield runs


def test_every_state_was_shot_at_every_size_and_scale(gallery: list[GalleryRun]) -> None:
    for run in gallery:
        where = f"{run.size}@{run.scale}x"
        taken = [(shot["state"], shot["size"], shot["scale"]) for shot in run.shots]
        assert taken == [(name, run.size, run.scale) for name in STATES], \
            f"the gallery at {where} did not finish:\n{run.output}"
        assert run.returncode in (0, 1), f"the gallery at {where} crashed:\n{run.output}"


def _picture_problem(shot: dict[str, Any]) -> str | None:
    path = Path(shot["png"])
    if not path.is_file():
        return f"no picture at {path}"
    with Image.open(path) as image:
        if all(low == high for low, high in image.convert("RGB").getextrema()):
            return f"{path.name} is one flat colour"
        expected = (shot["width_after"] * shot["scale"], shot["height_after"] * shot["scale"])
        if image.size != expected:
            return f"{path.name} is {image.size[0]}x{image.size[1]} px, not {expected} " \
                   f"(the window at {shot['scale']}x)"
    return None


def _shot_problems(shot: dict[str, Any]) -> list[str]:
    problems = []
    if shot["width_after"] > shot["width_before"]:
        problems.append(f"the window grew from {shot['width_before']} to {shot['width_after']} "
                        f"px wide (minimum size hint {shot['min_size_hint_after'][0]} px)")
    if shot["height_after"] > shot["height_before"]:
        problems.append(f"the window grew from {shot['height_before']} to "
                        f"{shot['height_after']} px tall (minimum size hint "
                        f"{shot['min_size_hint_after'][1]} px)")
    if (shot["width_before"], shot["height_before"]) != (shot["width_requested"],
                                                         shot["height_requested"]):
        problems.append(f"the window could not take that size, it opened at "
                        f"{shot['width_before']}x{shot['height_before']}")
    if not shot["reached"]:
        problems.append(f"state not reached: {shot['problem']}")
    picture = _picture_problem(shot)
    if picture:
        problems.append(picture)
    return problems


@pytest.mark.parametrize("state", list(STATES))
def test_state_keeps_the_window_size_and_shows_something(gallery: list[GalleryRun],
                                                         state: str) -> None:
    problems = []
    for run in gallery:
        where = f"{run.size}@{run.scale}x"
        shots = [shot for shot in run.shots if shot["state"] == state]
        if len(shots) != 1:
            problems.append(f"{where}: shot {len(shots)} times, not once "
                            f"(see test_every_state_was_shot_at_every_size_and_scale)")
        problems += [f"{where}: {problem}" for shot in shots for problem in _shot_problems(shot)]
    assert not problems, (f"{state} ({STATES[state].description}); pictures in "
                          f"{GALLERY_DIR}:\n" + "\n".join(problems))
