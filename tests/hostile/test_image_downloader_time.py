"""An image host that drips, stalls or never answers cannot hold a loader's worker: each
download has a deadline (retries included) that its sockets keep, and cancel stops a read."""

from __future__ import annotations

import threading
import time

import pytest

from app.api import errors
from app.api.cdn import ImageDownloader
from app.api.retry import RetryPolicy
from tests.hostile.hostile_api import HostileApiServer

DEADLINE_S = 1.5


@pytest.mark.parametrize("answer", ["drip-body", "drip-headers", "silent",
                                    "silent-after-headers", "endless-until-close"])
def test_a_stalling_image_host_is_given_up_on_at_the_deadline(
        hostile_api: HostileApiServer, answer: str) -> None:
    downloader = ImageDownloader(deadline_s=DEADLINE_S,
                                 retry=RetryPolicy(max_attempts=3, base_delay=0.1, max_delay=0.2))
    url = f"{hostile_api.api_base(answer)}/picture.png"
    started = time.monotonic()
    try:
        with pytest.raises((errors.TimedOut, errors.ResponseTooLarge)):
            downloader.fetch(url)
    finally:
        downloader.close()
    # Bounded by the deadline plus one socket poll, not by the host (which never stops).
    assert time.monotonic() - started < DEADLINE_S * 4


def test_cancel_stops_a_download_in_the_middle_of_a_read(hostile_api: HostileApiServer) -> None:
    cancel = threading.Event()
    downloader = ImageDownloader(cancel=cancel, deadline_s=60)
    url = f"{hostile_api.api_base('silent-after-headers')}/picture.png"
    outcome: list[BaseException] = []

    def download() -> None:
        try:
            downloader.fetch(url)
        except errors.ApiError as exc:
            outcome.append(exc)

    worker = threading.Thread(target=download)
    worker.start()
    deadline = time.monotonic() + 10
    while not hostile_api.requests and time.monotonic() < deadline:
        time.sleep(0.01)  # until the host has the request: the read is then blocked on it
    assert hostile_api.requests, "the download never reached the host"
    cancel.set()
    worker.join(10)
    downloader.close()
    assert not worker.is_alive(), "cancel did not stop the blocked read"
    assert len(outcome) == 1 and isinstance(outcome[0], errors.Cancelled)
