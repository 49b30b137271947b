"""Working offline, as the store's page shows it (issue 10 §3): one banner across the page that
says the app is offline and since when, and what happens to the merchant's changes; and the
page's reactions to going offline and back (the list and the grid come from disk, then from
the store again).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QDateTime, QLocale

from app.ui.message_panel import MessageBanner

if TYPE_CHECKING:
    from app.ui.store_page import StorePage


def offline_since_words(since: float, now: float | None = None) -> str:
    """"since 14:05" today, "since 28 Nov, 14:05" before (the locale's short forms)."""
    moment = QDateTime.fromSecsSinceEpoch(int(since))
    locale = QLocale()
    clock = locale.toString(moment.time(), QLocale.FormatType.ShortFormat)
    today = QDateTime.fromSecsSinceEpoch(int(now if now is not None else time.time())).date()
    if moment.date() == today:
        return f"since {clock}"
    return f"since {locale.toString(moment.date(), 'd MMM')}, {clock}"


def _changes(count: int) -> str:
    return "1 change waits" if count == 1 else f"{count:,} changes wait"


def _failed(count: int) -> str:
    return "1 change failed" if count == 1 else f"{count:,} changes failed"


class OfflineBanner(MessageBanner):
    """The page's offline line; hidden while the store is used."""

    def __init__(self, page: StorePage) -> None:
        super().__init__("Offline")
        self._page = page
        session = page.session
        session.offlineChanged.connect(self._offline_changed)
        self.actionTriggered.connect(self._go_online)
        if session.queue is not None:
            # A bound method: Qt drops the connection with the banner (the queue outlives
            # the page while it drains on close).
            session.queue.countsChanged.connect(self._counts_changed)
        self.hide()

    def _go_online(self) -> None:
        session = self._page.session
        if session.offline_by_choice:
            session.work_offline(False)
        else:
            session.try_online()

    def _counts_changed(self, *_: int) -> None:
        self._update()

    def _update(self) -> None:
        session = self._page.session
        if session.offline_since is None:
            self.hide()
            return
        queue = session.queue
        # A failed change is not sent again by going online (it waits for Retry on its card):
        # counting it as "waits to be sent" would promise what will not happen.
        waiting, sending, failed = queue.counts() if queue is not None else (0, 0, 0)
        pending = waiting + sending
        if session.offline_by_choice:
            head = f"Working offline {offline_since_words(session.offline_since)}"
            action = "Go online"
            when = "when you go online"
        else:
            head = (f"Offline {offline_since_words(session.offline_since)}: the store "
                    "can't be reached")
            action = "Try now"
            when = "when the store can be reached"
        if queue is None:
            tail = "Showing what is saved on this computer."
        elif failed:
            waits = f"{_changes(pending)} to be sent {when}; " if pending else ""
            tail = (f"Showing what is saved on this computer; {waits}"
                    f"{_failed(failed)}: Retry or Discard on its card.")
        elif pending:
            tail = (f"Showing what is saved on this computer; {_changes(pending)} to be "
                    f"sent {when}.")
        else:
            tail = ("Showing what is saved on this computer; changes you make are kept and "
                    f"sent {when}.")
        self.show_message(f"{head}. {tail}", action)

    def _offline_changed(self, since: float | None) -> None:
        self._update()
        page = self._page
        if since is not None:
            page.saved_copy_banner.hide()  # this banner says it for the whole page
            page.show_saved_copy_after_failure()
        else:
            page.use_store_again()
