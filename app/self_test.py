"""`--self-test`: report what this installation (frozen or not) can do, fail on what it lacks."""

from __future__ import annotations

import os
import platform
import ssl
import sys
from dataclasses import dataclass

REQUIRED_IMAGE_FORMATS = ("jpeg", "png", "gif", "webp")


@dataclass(frozen=True)
class Check:
    name: str
    value: str
    ok: bool = True


def tls_bundle_path() -> str | None:
    """The CA bundle httpx verifies against (certifi's, bundled in frozen builds)."""
    try:
        import certifi

        path = certifi.where()
    except ImportError:
        path = ssl.get_default_verify_paths().cafile
    return path if path and os.path.isfile(path) else None


def _version(distribution: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution)
    except PackageNotFoundError:  # frozen builds may not carry the metadata
        return "(bundled)"


def _describe_keyring(name: str) -> str:
    if name in ("fail", "null"):
        return (f"{name} (no usable keyring: credentials would be kept for this session only; "
                "install gnome-keyring or KWallet)")
    return name


def run_checks() -> list[Check]:
    # Imported here so `--version` and `--help` stay instant.
    import httpx
    import PIL
    import PySide6
    from PySide6.QtCore import qVersion
    from PySide6.QtGui import QGuiApplication, QImageReader

    from app import __version__
    from app.credentials import detect_backend_name

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    formats = sorted({bytes(f.data()).decode() for f in QImageReader.supportedImageFormats()})
    missing_formats = [f for f in REQUIRED_IMAGE_FORMATS if f not in formats]
    bundle = tls_bundle_path()
    frozen = getattr(sys, "frozen", False)
    checks = [
        Check("app", f"Product Image Manager {__version__}" + (" (frozen)" if frozen else "")),
        Check("python", f"{platform.python_version()} on {platform.platform()}"),
        Check("qt", f"Qt {qVersion()}, PySide6 {PySide6.__version__}"),
        Check("qt platform", app.platformName()),
        Check("libraries", f"httpx {httpx.__version__}, keyring {_version('keyring')}, "
                           f"Pillow {PIL.__version__}"),
        Check("image formats", " ".join(formats)
              + (f"  (MISSING: {', '.join(missing_formats)})" if missing_formats else ""),
              ok=not missing_formats),
        Check("keyring backend", _describe_keyring(detect_backend_name())),
        Check("tls bundle", bundle or "MISSING: no CA bundle found; HTTPS to the store would fail",
              ok=bundle is not None),
    ]
    return checks


def main() -> int:
    checks = run_checks()
    width = max(len(c.name) for c in checks)
    for check in checks:
        mark = "ok  " if check.ok else "FAIL"
        print(f"{mark} {check.name.ljust(width)}  {check.value}")
    failed = [c.name for c in checks if not c.ok]
    if failed:
        print(f"self-test failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    print("self-test passed")
    return 0
