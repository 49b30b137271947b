"""Whether a failed request may be sent again without duplicating anything, for every failure
the client reports and every method, provoked through the emulator's real HTTP answers.

`transient` (may work later) and `safe_to_resend` (cannot apply twice) are different
questions: a POST whose connection dropped is transient, yet sending it again could add a
second image. The rows below are the contract a write queue relies on.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from app.api import ImageChanges, OAuthCredentials, StoreClient
from app.api import errors
from app.api.errors import applied_by_status
from app.store_emulator import StoreEmulator
from app.store_emulator.config import Faults
from tests.api.conftest import ClientFactory, fast_retry, free_port, spend_quota

METHODS = ("GET", "POST", "PUT", "DELETE")
WRITES = ("POST", "PUT", "DELETE")


@dataclass
class Target:
    emu: StoreEmulator
    product_id: int
    image_id: int
    picture_url: str


def run(method: str, client: StoreClient, target: Target) -> None:
    """One request of `method`, as the write path sends it (no follow-up read)."""
    pid, iid = target.product_id, target.image_id
    if method == "GET":
        client.get_image(pid, iid)
    elif method == "POST":
        client.create_image_from_url(pid, target.picture_url, complete=False)
    elif method == "PUT":
        client.update_image(pid, iid, ImageChanges(description="Side view"), complete=False)
    else:
        client.delete_image(pid, iid, missing_ok=False)


def fault(**rates: Any) -> Callable[[Target, ClientFactory], StoreClient]:
    def setup(target: Target, make_client: ClientFactory) -> StoreClient:
        for name, value in rates.items():
            setattr(target.emu.faults, name, value)
        return make_client(target.emu, retry=fast_retry(max_attempts=2))
    return setup


def refused_port(target: Target, make_client: ClientFactory) -> StoreClient:
    base = f"http://127.0.0.1:{free_port()}/stores/pimdemo/v2"
    return make_client(credentials=OAuthCredentials("pimdemo", "tok", api_base=base),
                       retry=fast_retry(max_attempts=2))


def wrong_token(target: Target, make_client: ClientFactory) -> StoreClient:
    return make_client(target.emu, token="not-the-token")


def read_only_token(target: Target, make_client: ClientFactory) -> StoreClient:
    return make_client(target.emu, token=target.emu.config.read_only_tokens[0])


def unknown_product(target: Target, make_client: ClientFactory) -> StoreClient:
    target.product_id = 9999
    return make_client(target.emu)


def quota_used_up(target: Target, make_client: ClientFactory) -> StoreClient:
    target.emu.reset_rate_limit()
    spend_quota(target.emu, target.emu.config.rate_limit_quota)
    return make_client(target.emu, retry=fast_retry(max_rate_limit_waits=0))


def cancelled_before_sending(target: Target, make_client: ClientFactory) -> StoreClient:
    cancel = threading.Event()
    cancel.set()
    return make_client(target.emu, cancel=cancel)


N, T, F = None, True, False  # applied: unknown, yes, no

#: name -> (setup, {method: (error class, applied, safe_to_resend, outcome_unknown)}).
#: A method missing from a row does not fail in that situation (e.g. a 204 has no body to
#: garble), or is not refused (a read-only token may read).
TABLE: dict[str, tuple[Callable[[Target, ClientFactory], StoreClient],
                       dict[str, tuple[type[errors.ApiError], bool | None, bool, bool]]]] = {
    "connection refused": (refused_port, {
        m: (errors.NetworkError, F, T, F) for m in METHODS}),
    "401 wrong token": (wrong_token, {
        m: (errors.AuthenticationFailed, F, T, F) for m in METHODS}),
    "403 read-only token": (read_only_token, {
        m: (errors.PermissionDenied, F, T, F) for m in WRITES}),
    "404 unknown product": (unknown_product, {
        m: (errors.NotFound, F, T, F) for m in METHODS}),
    "429 quota used up": (quota_used_up, {
        m: (errors.RateLimited, F, T, F) for m in METHODS}),
    "cancelled before sending": (cancelled_before_sending, {
        m: (errors.Cancelled, F, T, F) for m in METHODS}),
    "500": (fault(error_rate=1.0), {
        "GET": (errors.ServerError, N, T, F),
        "POST": (errors.ServerError, N, F, T),
        "PUT": (errors.ServerError, N, T, T),
        "DELETE": (errors.ServerError, N, T, T)}),
    "dropped before handling": (fault(drop_rate=1.0), {
        "GET": (errors.NetworkError, N, T, F),
        "POST": (errors.OutcomeUnknown, N, F, T),
        "PUT": (errors.NetworkError, N, T, T),
        "DELETE": (errors.NetworkError, N, T, T)}),
    "dropped after commit": (fault(drop_after_commit_rate=1.0), {
        "GET": (errors.NetworkError, N, T, F),
        "POST": (errors.OutcomeUnknown, N, F, T),
        "PUT": (errors.NetworkError, N, T, T),
        "DELETE": (errors.NetworkError, N, T, T)}),
    "2xx with a garbled body": (fault(garbage_rate=1.0), {
        "GET": (errors.MalformedResponse, T, T, F),
        "POST": (errors.MalformedResponse, T, F, F),
        "PUT": (errors.MalformedResponse, T, T, F)}),
    "2xx body cut short": (fault(truncate_rate=1.0), {
        "GET": (errors.NetworkError, N, T, F),
        "POST": (errors.OutcomeUnknown, N, F, T),
        "PUT": (errors.NetworkError, N, T, T)}),
}
CASES = [(name, method) for name, (_, rows) in TABLE.items() for method in rows]


@pytest.mark.parametrize(("situation", "method"), CASES)
def test_every_failure_says_whether_it_may_be_sent_again(
        emulator_factory, make_client: ClientFactory, situation: str, method: str) -> None:
    emu = emulator_factory(catalog="empty", rate_limit_quota=20)
    pid = emu.add_product("Mug", "MUG-1", image_count=2)
    first = make_client(emu).list_images(pid)[0]
    assert first.zoom_url
    target = Target(emu, pid, first.id, first.zoom_url)
    setup, rows = TABLE[situation]
    expected_class, applied, safe, unknown = rows[method]
    client = setup(target, make_client)
    with pytest.raises(errors.ApiError) as caught:
        run(method, client, target)
    error = caught.value
    assert type(error) is expected_class
    assert error.method == method
    assert (error.applied, error.safe_to_resend, error.outcome_unknown) == (applied, safe, unknown)
    # The flags never lie about the store: a POST said not applied added nothing, one said
    # applied added exactly one image.
    if method == "POST" and applied is not None:
        assert emu.image_count(pid) == 2 + int(applied)


class FaultOnce(httpx.HTTPTransport):
    """Real HTTP; the emulator's faults are switched off after the first request."""

    def __init__(self, emu: StoreEmulator) -> None:
        super().__init__()
        self.emu = emu

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return super().handle_request(request)
        finally:
            self.emu.faults = Faults()


def test_a_refusal_after_an_attempt_that_may_have_worked_is_not_not_applied(
        empty_emulator: StoreEmulator, make_client: ClientFactory) -> None:
    emu = empty_emulator
    pid = emu.add_product("Mug", "MUG-1", image_count=2)
    image = make_client(emu).list_images(pid)[0]
    emu.faults.drop_after_commit_rate = 1.0
    client = make_client(emu, wire=FaultOnce(emu))
    with pytest.raises(errors.NotFound) as caught:
        client.delete_image(pid, image.id, missing_ok=False)
    # The 404 alone says "not applied"; but the first attempt deleted the image.
    assert caught.value.applied is None and caught.value.outcome_unknown
    assert emu.image_count(pid) == 1


def test_transient_and_safe_to_resend_are_different_questions() -> None:
    lost_post = errors.OutcomeUnknown("no answer", method="POST")
    assert lost_post.transient and not lost_post.safe_to_resend and lost_post.outcome_unknown
    refused = errors.ValidationFailed("bad field", method="POST", applied=False)
    assert not refused.transient and refused.safe_to_resend and not refused.outcome_unknown


#: (method, applied) -> (safe_to_resend, outcome_unknown), for every error class alike.
RULES = {
    ("GET", F): (T, F), ("GET", N): (T, F), ("GET", T): (T, F),
    ("PUT", F): (T, F), ("PUT", N): (T, T), ("PUT", T): (T, F),
    ("DELETE", F): (T, F), ("DELETE", N): (T, T), ("DELETE", T): (T, F),
    ("POST", F): (T, F), ("POST", N): (F, T), ("POST", T): (F, F),
    (None, F): (T, F), (None, N): (F, F), (None, T): (F, F),
}


def all_error_classes() -> list[type[errors.ApiError]]:
    found: list[type[errors.ApiError]] = []
    pending = [errors.ApiError]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending += cls.__subclasses__()
    return found


@pytest.mark.parametrize("cls", all_error_classes(), ids=lambda cls: cls.__name__)
def test_the_rules_hold_for_every_error_class(cls: type[errors.ApiError]) -> None:
    assert len(all_error_classes()) >= 19
    for (method, applied), (safe, unknown) in RULES.items():
        error = cls("x", method=method, applied=applied)
        assert (error.safe_to_resend, error.outcome_unknown) == (safe, unknown), (method,
                                                                                 applied)


@pytest.mark.parametrize(("status", "applied"), [
    (200, T), (201, T), (204, T), (301, F), (400, F), (401, F), (403, F), (404, F),
    (409, F), (413, F), (422, F), (429, F), (509, F), (500, N), (502, N), (503, N), (507, N),
])
def test_whether_an_answered_request_was_applied(status: int, applied: bool | None) -> None:
    assert applied_by_status(status) is applied
