"""`python -m app.store_emulator`: prints where it serves and with which credentials."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]


def _start(*args: str) -> tuple[subprocess.Popen[str], dict[str, str]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "app.store_emulator", "--port", "0", "--cdn-port", "0", *args],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    printed: dict[str, str] = {}
    for line in process.stdout:
        if line.startswith("Serving"):
            break
        if match := re.match(r"\s+([\w -]+):\s+(\S+)$", line):
            printed[match[1]] = match[2]
    return process, printed


def test_cli_prints_urls_and_credentials_and_serves_until_terminated(tmp_path: Path) -> None:
    process, printed = _start("--store-hash", "clistore", "--access-token", "cli-token",
                              "--basic-user", "cliuser", "--basic-key", "cli-key",
                              "--seed", "3", "--empty", "--rate-limit-quota", "7")
    try:
        assert printed["OAuth API base"].endswith("/stores/clistore/v2")
        assert printed["Basic API base"].endswith("/api/v2")
        assert printed["CDN origin"].startswith("http://127.0.0.1:")
        assert printed["Access token"] == "cli-token"
        assert printed["Read-only token"] == "demo-read-only-token"
        assert (printed["Basic user"], printed["Basic API key"]) == ("cliuser", "cli-key")
        with httpx.Client(trust_env=False) as http:
            oauth = http.get(printed["OAuth API base"] + "/products",
                             headers={"X-Auth-Token": "cli-token"})
            basic = http.get(printed["Basic API base"] + "/products/count",
                             auth=("cliuser", "cli-key"))
        assert oauth.status_code == 204  # --empty
        assert oauth.headers["X-Rate-Limit-Requests-Quota"] == "7"
        assert basic.json() == {"count": 0}
    finally:
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=15)
    assert process.returncode == 0, stderr
    assert "Stopped." in stdout


def test_cli_keeps_state_in_a_db_file_and_exits_cleanly_on_sigterm(tmp_path: Path) -> None:
    db = tmp_path / "store.sqlite3"
    process, printed = _start("--db", str(db))
    try:
        with httpx.Client(trust_env=False, headers={"X-Auth-Token": "demo-access-token"}) as http:
            assert http.delete(printed["OAuth API base"] + "/products/3/images").status_code == 204
    finally:
        process.terminate()
        process.communicate(timeout=15)
    assert process.returncode == 0
    process, printed = _start("--db", str(db))
    try:
        with httpx.Client(trust_env=False, headers={"X-Auth-Token": "demo-access-token"}) as http:
            count = http.get(printed["OAuth API base"] + "/products/3/images/count").json()
            products = http.get(printed["OAuth API base"] + "/products/count").json()
    finally:
        process.terminate()
        process.communicate(timeout=15)
    assert count == {"count": 0} and products == {"count": 24}
