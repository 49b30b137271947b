"""The one TLS context every client shares: certificate checks always on.

Building a context reads and parses the CA bundle (~20 ms); httpx would do it again for each
client. One shared context makes a client cost ~1 ms, and lets the app build it once, early,
on a worker thread instead of on the GUI thread when a store opens.
"""

from __future__ import annotations

import ssl
import threading

import certifi

_lock = threading.Lock()
_context: ssl.SSLContext | None = None


def tls_context() -> ssl.SSLContext:
    """Verifies certificates and host names against certifi's bundle (bundled when frozen)."""
    global _context
    with _lock:
        if _context is None:
            _context = ssl.create_default_context(cafile=certifi.where())
        return _context
