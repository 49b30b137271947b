"""The real StoreClient against every answer of the hostile API catalogue.

For each: the call ends within its deadline, memory stays under a cap, and what the merchant
gets is one of the app's ApiError types with a plain message (no markup, no traceback, no
secret), or, for answers that are merely odd, the data exactly as sent.
"""

from __future__ import annotations

import re
import threading
import tracemalloc
from typing import Any, Callable

import pytest

from app.api import OAuthCredentials, StoreClient
from app.api import errors
from app.api.models import ImageChanges
from app.api.retry import RetryPolicy
from app.api.transport import MAX_API_BODY_BYTES
from tests.hostile.hostile_api import API_ANSWERS, MARKUP, HostileAnswer, HostileApiServer

TOKEN = "hostile-test-token"
DEADLINE_S = 3.0  # per call; the app's own is 90 s, shortened so the suite stays quick
STUCK_AFTER_S = DEADLINE_S + 10.0  # past this the call is stuck, whatever the machine load
#: The body cap and a little: a bomb is stopped at the cap, never held twice (measured: 33.4 MB
#: for the worst answer with the 32 MB cap).
MEMORY_CAP = MAX_API_BODY_BYTES + 8 * 1024 * 1024
QUICK_RETRY = RetryPolicy(max_attempts=2, base_delay=0.01, max_delay=0.05)

CALLS: dict[str, Callable[[StoreClient], Any]] = {
    "list": lambda client: client.list_images(1, limit=50),
    "all": lambda client: client.all_images(1),
    "product": lambda client: client.get_product(1),
    "twice": lambda client: (client.list_images(1, limit=50), client.list_images(1, limit=50)),
    "update": lambda client: client.update_image(1, 1, ImageChanges(description="Blue mug")),
    "create": lambda client: client.create_image_from_url(1, "https://example.com/mug.jpg"),
}

_MARKUP_LEFT = re.compile(r"<\s*[a-zA-Z/!?]")


def assert_plain(message: str) -> None:
    assert message.strip(), "an empty message"
    assert len(message) <= 800, f"{len(message)} characters is not a message"
    assert not _MARKUP_LEFT.search(message), message
    assert "Traceback" not in message and "File \"" not in message, message
    assert TOKEN not in message


def _run(answer: HostileAnswer, server: HostileApiServer) -> tuple[Any, BaseException | None,
                                                                   int, bool]:
    """The result, the exception, the traced peak memory, and whether the call ended."""
    client = StoreClient(OAuthCredentials("hostile", TOKEN, api_base=server.api_base(answer.name)),
                         deadline_s=DEADLINE_S, retry=QUICK_RETRY)
    outcome: dict[str, Any] = {}

    def call() -> None:
        try:
            outcome["result"] = CALLS[answer.call](client)
        except BaseException as exc:  # noqa: BLE001 - any escape is judged by the test
            outcome["error"] = exc

    tracemalloc.start()
    try:
        worker = threading.Thread(target=call, name=f"hostile-{answer.name}", daemon=True)
        worker.start()
        worker.join(STUCK_AFTER_S)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    ended = not worker.is_alive()
    if ended:
        client.close()
    return outcome.get("result"), outcome.get("error"), peak, ended


@pytest.mark.parametrize("answer", API_ANSWERS, ids=lambda answer: answer.name)
def test_a_hostile_answer_ends_in_time_bounded_and_plain(
        hostile_api: HostileApiServer, answer: HostileAnswer) -> None:
    result, error, peak, ended = _run(answer, hostile_api)
    assert ended, f"{answer.name}: the call was still running {STUCK_AFTER_S} s later"
    assert peak < MEMORY_CAP, f"{answer.name}: {peak / 2**20:.0f} MB traced"
    if not answer.raises:
        assert error is None, f"{answer.name}: {error!r}"
        return
    assert error is not None, f"{answer.name}: succeeded with {result!r}"
    assert isinstance(error, answer.raises), f"{answer.name}: {type(error).__name__}: {error}"
    assert isinstance(error, errors.ApiError)
    assert_plain(error.message)


def test_text_fields_come_through_exactly_as_sent(hostile_api: HostileApiServer) -> None:
    """Models keep store text as data: showing it as plain text is the window's job."""
    with StoreClient(OAuthCredentials("hostile", TOKEN,
                                      api_base=hostile_api.api_base("markup-everywhere")),
                     deadline_s=DEADLINE_S, retry=QUICK_RETRY) as client:
        images = client.list_images(1, limit=50)
    assert [image.description for image in images] == [MARKUP, MARKUP]
    assert images[0].zoom_url == MARKUP and images[0].date_created is None


def test_a_redirect_to_another_host_is_not_followed(hostile_api: HostileApiServer) -> None:
    hostile_api.requests.clear()
    with StoreClient(OAuthCredentials("hostile", TOKEN,
                                      api_base=hostile_api.api_base("redirect-elsewhere")),
                     deadline_s=DEADLINE_S, retry=QUICK_RETRY) as client:
        with pytest.raises(errors.UnexpectedStatus):
            client.list_images(1)
    assert len(hostile_api.requests) == 1


def test_the_catalogue_is_counted() -> None:
    """The README quotes this count: keep names unique so none is silently shadowed."""
    names = [answer.name for answer in API_ANSWERS]
    assert len(names) == len(set(names)) >= 40
