"""The command line, run as a merchant would: a real process, screenshots on a real X server."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from app import __version__

XVFB = ["xvfb-run", "-a", "-s", "-screen 0 1280x800x24"]


def _run(args: list[str], tmp_path: Path, env: dict[str, str] | None = None,
         timeout: float = 120, display: bool = False) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items()
                   if not k.startswith("PIM_") and k != "QT_QPA_PLATFORM"}
    environment["PIM_DATA_DIR"] = str(tmp_path / "data")
    if not display:
        environment["QT_QPA_PLATFORM"] = "offscreen"
    environment.update(env or {})
    command = [sys.executable, "-m", "app", *args]
    if display:
        assert shutil.which("xvfb-run"), "xvfb-run is missing: apt-get install xvfb xauth"
        command = XVFB + command
    return subprocess.run(command, env=environment, capture_output=True, text=True,
                          timeout=timeout, cwd=tmp_path)


def _distinct_colours(path: Path) -> int:
    with Image.open(path) as image:
        small = image.convert("RGB").resize((320, 200))
        return len(small.getcolors(maxcolors=320 * 200) or [])


def test_version(tmp_path: Path) -> None:
    result = _run(["--version"], tmp_path)
    assert result.returncode == 0
    assert result.stdout.strip() == f"product-image-manager {__version__}"


def test_self_test_reports_what_the_app_needs(tmp_path: Path, secret_service) -> None:
    result = _run(["--self-test"], tmp_path,
                  env={"DBUS_SESSION_BUS_ADDRESS": secret_service.bus_address})
    assert result.returncode == 0, result.stdout + result.stderr
    formats = next(line for line in result.stdout.splitlines() if "image formats" in line)
    for name in ("jpeg", "png", "gif", "webp"):
        assert f" {name}" in formats
    assert "SecretService" in result.stdout
    assert "tls bundle" in result.stdout and ".pem" in result.stdout
    assert "self-test passed" in result.stdout


def test_demo_screenshot_shows_pictures(tmp_path: Path) -> None:
    shot = tmp_path / "demo.png"
    result = _run(["--demo", "--product", "1", "--screenshot", str(shot)], tmp_path,
                  display=True)
    assert result.returncode == 0, result.stdout + result.stderr
    with Image.open(shot) as image:
        assert image.size == (1280, 800)
    assert _distinct_colours(shot) > 200  # pictures, not an empty window


def test_api_base_takes_the_secret_from_the_environment(tmp_path: Path, emulator) -> None:
    shot = tmp_path / "direct.png"
    result = _run(["--api-base", emulator.oauth_api_base, "--auth", "oauth", "--product", "3",
                   "--screenshot", str(shot)], tmp_path,
                  env={"PIM_ACCESS_TOKEN": emulator.config.access_token})
    assert result.returncode == 0, result.stdout + result.stderr
    assert shot.is_file()
    assert any(r.path.endswith("/products/3/images") for r in emulator.requests())


def test_api_base_basic_auth_and_missing_secrets(tmp_path: Path, emulator) -> None:
    missing = _run(["--api-base", emulator.basic_api_base, "--auth", "basic"], tmp_path)
    assert missing.returncode == 2
    assert "PIM_USERNAME and PIM_API_KEY" in missing.stderr
    shot = tmp_path / "basic.png"
    result = _run(["--api-base", emulator.basic_api_base, "--auth", "basic", "--product", "3",
                   "--screenshot", str(shot)], tmp_path,
                  env={"PIM_USERNAME": emulator.config.basic_user,
                       "PIM_API_KEY": emulator.config.basic_key})
    assert result.returncode == 0, result.stdout + result.stderr


def test_screenshot_exit_code_says_pictures_failed(tmp_path: Path, emulator) -> None:
    emulator.cdn_faults.error_rate = 1.0
    shot = tmp_path / "broken.png"
    result = _run(["--api-base", emulator.oauth_api_base, "--product", "1",
                   "--screenshot", str(shot)], tmp_path,
                  env={"PIM_ACCESS_TOKEN": emulator.config.access_token})
    assert result.returncode == 1
    assert "failed to load" in result.stdout
    assert shot.is_file()


@pytest.mark.parametrize("secret_flag", ["--access-token", "--token", "--api-key"])
def test_secrets_are_not_accepted_on_the_command_line(tmp_path: Path, secret_flag: str) -> None:
    result = _run([secret_flag, "x"], tmp_path)
    assert result.returncode == 2
    assert "unrecognized arguments" in result.stderr


def test_screenshot_exit_code_says_the_images_failed(tmp_path: Path, emulator) -> None:
    result = _run(["--api-base", emulator.oauth_api_base, "--product", "999",
                   "--screenshot", str(tmp_path / "none.png")], tmp_path,
                  env={"PIM_ACCESS_TOKEN": emulator.config.access_token})
    assert result.returncode == 1
    assert "could not be loaded" in result.stdout
