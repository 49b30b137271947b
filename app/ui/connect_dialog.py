"""Connect a store, or edit a saved store's credentials: both auth styles, an advanced API
base, and "Test connection".

The test runs on a worker thread and ends in a verdict a merchant can act on: wrong token,
no permission, unreachable, or not a store. The store hash field takes whatever BigCommerce
shows with the hash in it (the API path, the store's address); what it cannot use is refused
next to the field, with an example.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QGroupBox, QLabel,
                               QLineEdit, QPushButton, QTabWidget, QVBoxLayout, QWidget)

from app.api import StoreClient
from app.api.auth import BasicCredentials, OAuthCredentials, StoreCredentials
from app.api.errors import (AuthenticationFailed, MalformedResponse, NetworkError, NotFound,
                            PermissionDenied, UnexpectedStatus)
from app.api.retry import RetryPolicy
from app.api.store_hash import parse_store_hash
from app.services.store_registry import SavedStore
from app.services.tasks import Task, TaskRunner

TEST_RETRY = RetryPolicy(max_attempts=1, max_rate_limit_waits=1)


def connection_verdict(error: Exception | None, product_count: int | None = None) -> str:
    """One sentence on how the connection test went."""
    if error is None:
        return f"Connected: the store has {product_count} products."
    if isinstance(error, AuthenticationFailed):
        return ("Wrong credentials: the store refused the access token (or user name and API "
                "key). Copy them again from the store's API account.")
    if isinstance(error, PermissionDenied):
        return ("No permission: this API account may not read products. Give it the "
                "'Products' scope in the control panel, then test again.")
    if isinstance(error, NetworkError):
        return f"Unreachable: {error.message}"
    if isinstance(error, (MalformedResponse, NotFound, UnexpectedStatus)):
        return ("Not a store: that address does not answer like a BigCommerce store API. "
                "Check the store hash or address (and the advanced API base).")
    return f"The test failed: {error}"


def _password_field(name: str) -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setAccessibleName(name)
    return field


KEEP_SECRET_HINT = "Leave empty to keep the current one"


class ConnectDialog(QDialog):
    """`editing`: a saved store to edit (its fields filled in, its secret never shown: an
    empty secret field keeps the current one, `current_secret`, which only the test uses)."""

    def __init__(self, parent: QWidget | None = None, editing: SavedStore | None = None,
                 current_secret: str | None = None) -> None:
        super().__init__(parent)
        self.editing = editing
        self._current_secret = current_secret
        self.setWindowTitle("Edit store credentials" if editing else "Connect a store")
        self.setMinimumWidth(520)
        self._runner = TaskRunner("connect-test", max_workers=1, parent=self)
        self._cancel = threading.Event()  # set when the dialog closes: no test outlives it
        self._test: Task | None = None
        layout = QVBoxLayout(self)

        self.label_field = QLineEdit()
        self.label_field.setPlaceholderText("e.g. My shop (optional)")
        self.label_field.setAccessibleName("Store name")
        name_form = QFormLayout()
        name_form.addRow("&Name:", self.label_field)
        layout.addLayout(name_form)

        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Kind of API account")
        oauth = QWidget()
        oauth_form = QFormLayout(oauth)
        self.store_hash_field = QLineEdit()
        self.store_hash_field.setPlaceholderText("abc123, or paste the API path or store address")
        self.store_hash_field.setAccessibleName("Store hash")
        self.store_hash_field.setToolTip(
            "The hash is in the API account's API path (https://api.bigcommerce.com/stores/"
            "abc123/v3/) and in the store's address (https://store-abc123.mybigcommerce.com). "
            "Paste either: the hash is taken from it.")
        self.store_hash_field.editingFinished.connect(self._check_store_hash)
        self.store_hash_field.textEdited.connect(lambda _: self._show_hash_problem(""))
        # Not word-wrapped: its lines are short, and wrapping inside a tab would clip it.
        self.store_hash_problem = QLabel("")
        self.store_hash_problem.setTextFormat(Qt.TextFormat.PlainText)
        self.store_hash_problem.setAccessibleName("Store hash problem")
        self.store_hash_problem.setStyleSheet("color: #d93025;")
        self.store_hash_problem.hide()
        self.access_token_field = _password_field("Access token")
        oauth_form.addRow("Store &hash:", self.store_hash_field)
        oauth_form.addRow(self.store_hash_problem)  # right under the field, full width
        oauth_form.addRow("Access &token:", self.access_token_field)
        self.tabs.addTab(oauth, "API account (OAuth)")

        basic = QWidget()
        basic_form = QFormLayout(basic)
        self.store_url_field = QLineEdit()
        self.store_url_field.setPlaceholderText("https://store-abc123.mybigcommerce.com")
        self.store_url_field.setAccessibleName("Store address")
        self.username_field = QLineEdit()
        self.username_field.setAccessibleName("User name")
        self.api_key_field = _password_field("API key")
        basic_form.addRow("Store &address:", self.store_url_field)
        basic_form.addRow("&User name:", self.username_field)
        basic_form.addRow("API &key:", self.api_key_field)
        note = QLabel("Legacy API keys can browse and edit, but adding pictures from this "
                      "computer needs an OAuth API account.")
        note.setWordWrap(True)
        note.setStyleSheet("color: #5f6368;")
        basic_form.addRow(note)
        self.tabs.addTab(basic, "Legacy API key")
        layout.addWidget(self.tabs)

        self.advanced = QGroupBox("Advanced: a different API base (staging, local emulator)")
        self.advanced.setCheckable(True)
        self.advanced.setChecked(False)
        advanced_form = QFormLayout(self.advanced)
        self.api_base_field = QLineEdit()
        self.api_base_field.setPlaceholderText("http://127.0.0.1:8080/stores/abc123/v2")
        self.api_base_field.setAccessibleName("API base address")
        advanced_form.addRow("API &base:", self.api_base_field)
        layout.addWidget(self.advanced)

        self.verdict = QLabel("")
        self.verdict.setWordWrap(True)
        self.verdict.setAccessibleName("Connection test result")
        self.verdict.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.verdict)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.test_button = QPushButton("&Test connection")
        self.save_button = QPushButton("&Save and reconnect" if editing else "&Save and connect")
        self.save_button.setDefault(True)
        self.buttons.addButton(self.test_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.rejected.connect(self.reject)
        self.test_button.clicked.connect(self.test_connection)
        self.save_button.clicked.connect(self._save)
        layout.addWidget(self.buttons)
        self.last_test_ok: bool | None = None
        if editing is not None:
            self._fill_from(editing)
        # Where typing starts: the hash of a new store, the secret of an edited one.
        (self.store_hash_field if editing is None else
         self.access_token_field if editing.kind == "oauth" else self.api_key_field).setFocus()

    def _fill_from(self, store: SavedStore) -> None:
        self.label_field.setText(store.label)
        if store.kind == "oauth":
            self.tabs.setCurrentIndex(0)
            self.store_hash_field.setText(store.store_hash)
        else:
            self.tabs.setCurrentIndex(1)
            self.store_url_field.setText(store.store_url)
            self.username_field.setText(store.username)
        self.advanced.setChecked(bool(store.api_base))
        self.api_base_field.setText(store.api_base)
        for field in (self.access_token_field, self.api_key_field):
            field.setPlaceholderText(KEEP_SECRET_HINT)

    # ---- the store hash -----------------------------------------------------------------

    def _show_hash_problem(self, text: str) -> None:
        self.store_hash_problem.setText(text)
        self.store_hash_problem.setVisible(bool(text))

    def _check_store_hash(self) -> str | None:
        """The hash in the field (the field then shows just the hash), or None with the
        problem shown under the field."""
        try:
            store_hash = parse_store_hash(self.store_hash_field.text())
        except ValueError as exc:
            if self.store_hash_field.text().strip():
                self._show_hash_problem(str(exc))
            return None
        self._show_hash_problem("")
        if self.store_hash_field.text() != store_hash:
            self.store_hash_field.setText(store_hash)
        return store_hash

    # ---- reading the form ---------------------------------------------------------------

    @property
    def kind(self) -> str:
        return "oauth" if self.tabs.currentIndex() == 0 else "basic"

    def credentials(self, secret_required: bool = True) -> StoreCredentials:
        """The form as credentials; ValueError names the field to fix. When editing, an empty
        secret field stands for the current secret."""
        api_base = self.api_base_field.text().strip() if self.advanced.isChecked() else ""
        kept = self._current_secret if self.editing and self.editing.kind == self.kind else None
        secret = self.secret() or kept or ""
        if self.kind == "oauth":
            if not self.store_hash_field.text().strip():
                raise ValueError("Enter the store hash (the part after /stores/ in the API path).")
            store_hash = self._check_store_hash()
            if store_hash is None:
                raise ValueError(self.store_hash_problem.text())
            if not secret and secret_required:
                raise ValueError("Enter the access token of the store's API account.")
            credentials: StoreCredentials = OAuthCredentials(store_hash, secret, api_base or None)
        else:
            url = self.store_url_field.text().strip()
            user = self.username_field.text().strip()
            if not url or not user or (not secret and secret_required):
                raise ValueError("Enter the store address, the user name and the API key.")
            credentials = BasicCredentials(url, user, secret, api_base or None)
        _ = credentials.v2_base  # validates the addresses (raises ValueError with the fix)
        return credentials

    def secret(self) -> str:
        """What was typed in the secret field ("" while editing: keep the current one)."""
        return (self.access_token_field.text().strip() if self.kind == "oauth"
                else self.api_key_field.text().strip())

    def saved_store(self) -> SavedStore:
        # Editing, the secret may stay empty (kept), unless the kind of account changed.
        credentials = self.credentials(
            secret_required=self.editing is None or self.editing.kind != self.kind)
        label = self.label_field.text().strip() or (
            credentials.store_hash if isinstance(credentials, OAuthCredentials)
            else credentials.store_url)
        return SavedStore.from_credentials(label, credentials)

    # ---- testing ------------------------------------------------------------------------

    def test_connection(self) -> None:
        try:
            credentials = self.credentials()
        except ValueError as exc:
            self._show_form_problem(exc)
            return
        if self._test is not None:
            self._test.cancel()
        self.test_button.setEnabled(False)
        self._show_verdict("Testing…", ok=None)

        def work() -> int:
            with StoreClient(credentials, retry=TEST_RETRY, cancel=self._cancel) as client:
                return client.count_products()

        self._test = self._runner.submit("test-connection", work,
                                         on_success=self._on_test_ok,
                                         on_failure=self._on_test_failed)

    def _on_test_ok(self, count: int) -> None:
        self._test = None
        self.test_button.setEnabled(True)
        self._show_verdict(connection_verdict(None, count), ok=True)

    def _on_test_failed(self, error: Exception) -> None:
        self._test = None
        self.test_button.setEnabled(True)
        self._show_verdict(connection_verdict(error), ok=False)

    def _show_form_problem(self, problem: ValueError) -> None:
        """A field to fix: said once, where the eye is (under the store hash if it is that)."""
        if self.store_hash_problem.isVisible() and str(problem) == self.store_hash_problem.text():
            self._show_verdict("Check the store hash: see above.", ok=False)
            self.store_hash_field.setFocus()
        else:
            self._show_verdict(str(problem), ok=False)

    def _show_verdict(self, text: str, ok: bool | None) -> None:
        self.last_test_ok = ok
        self.verdict.setText(text)
        self.verdict.setStyleSheet({True: "color: #188038;", False: "color: #d93025;",
                                    None: ""}[ok])

    def _save(self) -> None:
        try:
            self.saved_store()
        except ValueError as exc:
            self._show_form_problem(exc)
            return
        self.accept()

    def done(self, result: int) -> None:
        self._cancel.set()
        self._runner.shutdown()
        super().done(result)
