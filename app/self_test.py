"""`--self-test`: report what this installation (frozen or not) can do, fail on what it lacks.

Each line carries its own verdict: "ok", "warn" (the app works, with less: no usable keyring
means credentials are kept for this session only) or "FAIL" (the app cannot do its job).
"""

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
    warn: bool = False  # works, but the merchant should know (ignored when not ok)

    @property
    def mark(self) -> str:
        return "FAIL" if not self.ok else "warn" if self.warn else "ok"


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


def keyring_check() -> Check:
    """The backend the app would really use, judged by the app's own rules (plaintext and
    fallback backends refused), and probed with a read as the app does."""
    from app.credentials import CredentialStore

    status = CredentialStore().status()
    if status.usable:
        return Check("keyring backend", status.backend_name)
    found = "" if status.backend_name == "none" else f" ({status.backend_name})"
    return Check("keyring backend", f"none usable{found}. {status.message}", warn=True)


def picture_decoder_check() -> Check:
    """Pictures are decoded with Pillow (it releases the GIL; Qt's decoders do not)."""
    from PIL import features

    names = {"jpeg": "jpg", "png": "zlib", "gif": None, "webp": "webp"}
    missing = [fmt for fmt, feature in names.items()
               if feature is not None and not features.check(feature)]
    return Check("picture decoder", "Pillow: " + " ".join(f for f in names if f not in missing)
                 + (f"  (MISSING: {', '.join(missing)})" if missing else ""), ok=not missing)


def run_checks() -> list[Check]:
    # Imported here so `--version` and `--help` stay instant.
    import httpx
    import PIL
    import PySide6
    from PySide6.QtCore import qVersion
    from PySide6.QtGui import QGuiApplication, QImageReader

    from app import __version__

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
        picture_decoder_check(),
        keyring_check(),
        Check("tls bundle", bundle or "MISSING: no CA bundle found; HTTPS to the store would fail",
              ok=bundle is not None),
    ]
    return checks


def main() -> int:
    checks = run_checks()
    width = max(len(c.name) for c in checks)
    for check in checks:
        print(f"{check.mark.ljust(4)} {check.name.ljust(width)}  {check.value}")
    failed = [c.name for c in checks if not c.ok]
    if failed:
        print(f"self-test failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    warned = [c.name for c in checks if c.warn]
    print(f"self-test passed with warnings: {', '.join(warned)}" if warned
          else "self-test passed")
    return 0
