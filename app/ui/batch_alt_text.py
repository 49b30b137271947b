"""The "Alt text for N images…" dialog: a rule, a live preview, nothing applied until OK.

The rule is a template (`{product}`, `{sku}`, `{position}`, `{filename}`) or find and replace
(with a case option), optionally only for images whose alt text is empty. The preview says how
many images change and shows the first few, before → after; OK applies exactly that plan (the
page turns it into one undoable edit). The logic is app/services/alt_text_batch.py; this is
only its screen.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services.alt_text_batch import (
    FIELDS,
    MAX_ALT_TEXT,
    BatchImage,
    FindReplace,
    Plan,
    Rule,
    Template,
    plan,
)
from app.services.image_state import RowKey, ViewRow
from app.ui.plain_text import plain_label, wrapping_label

PREVIEW_ROWS = 5
DEFAULT_TEMPLATE = "{product}, view {position}"
WARNING_STYLE = "color: #b06000;"


def _images(count: int) -> str:
    return f"{count} image{'s' if count != 1 else ''}"


class BatchAltTextDialog(QDialog):
    """Asks for the rule and previews it over `rows()` (the grid's rows, read afresh)."""

    def __init__(self, rows: Callable[[], Sequence[ViewRow]], selected: Sequence[RowKey], *,
                 product: str, sku: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows = rows
        self._selected = list(selected)
        self._product = product
        self._sku = sku
        self._plan = Plan((), 0)
        self.setWindowTitle("Alt text for several images")
        self.setAccessibleName("Batch alt text")
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)

        # Which images
        total = len(rows())
        self.scope_selected = QRadioButton(f"The {_images(len(self._selected))} selected")
        self.scope_all = QRadioButton(f"All {_images(total)} of {product}")
        scope_group = QButtonGroup(self)
        scope_group.addButton(self.scope_selected)
        scope_group.addButton(self.scope_all)
        has_selection = 0 < len(self._selected) < total
        (self.scope_selected if has_selection and len(self._selected) > 1
         else self.scope_all).setChecked(True)
        self.scope_selected.setVisible(has_selection)
        self.scope_all.setVisible(has_selection)
        scope_row = QHBoxLayout()
        scope_row.addWidget(self.scope_selected)
        scope_row.addWidget(self.scope_all)
        scope_row.addStretch(1)
        layout.addLayout(scope_row)

        # The rule
        rules = QGridLayout()
        rules.setColumnStretch(1, 1)
        self.use_template = QRadioButton("Set from a &template")
        self.template = QLineEdit(DEFAULT_TEMPLATE)
        self.template.setAccessibleName("Template")
        self.template.setToolTip("The same text for every image, with fields filled in per "
                                 "image: {product}, {sku}, {position}, {filename}")
        fields = QHBoxLayout()
        fields.addWidget(plain_label("Insert:"))
        self.field_buttons: dict[str, QPushButton] = {}
        for name, caption in FIELDS:
            button = QPushButton(caption)
            button.setToolTip(f"Insert {{{name}}}")
            button.setAccessibleName(f"Insert the {caption.lower()} field")
            button.setAutoDefault(False)
            button.clicked.connect(lambda _=False, n=name: self._insert_field(n))
            fields.addWidget(button)
            self.field_buttons[name] = button
        fields.addStretch(1)
        self.use_replace = QRadioButton("&Find and replace")
        self.find = QLineEdit()
        self.find.setPlaceholderText("Find")
        self.find.setAccessibleName("Find")
        self.replacement = QLineEdit()
        self.replacement.setPlaceholderText("Replace with")
        self.replacement.setAccessibleName("Replace with")
        self.match_case = QCheckBox("Match &case")
        replace_row = QHBoxLayout()
        replace_row.addWidget(self.find, 1)
        replace_row.addWidget(plain_label("→"))
        replace_row.addWidget(self.replacement, 1)
        replace_row.addWidget(self.match_case)
        rule_group = QButtonGroup(self)
        rule_group.addButton(self.use_template)
        rule_group.addButton(self.use_replace)
        self.use_template.setChecked(True)
        rules.addWidget(self.use_template, 0, 0)
        rules.addWidget(self.template, 0, 1)
        rules.addLayout(fields, 1, 1)
        rules.addWidget(self.use_replace, 2, 0)
        rules.addLayout(replace_row, 2, 1)
        layout.addLayout(rules)
        self.only_empty = QCheckBox("Only images whose alt text is &empty")
        layout.addWidget(self.only_empty)

        # The preview
        self.summary = plain_label()
        self.summary.setAccessibleName("What changes")
        font = self.summary.font()
        font.setBold(True)
        self.summary.setFont(font)
        layout.addWidget(self.summary)
        self.preview = QTreeWidget()
        self.preview.setAccessibleName("Preview of the first changes")
        self.preview.setHeaderLabels(["Image", "Alt text now", "New alt text"])
        self.preview.setRootIsDecorated(False)
        self.preview.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.preview.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.preview.setUniformRowHeights(True)
        header = self.preview.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        # Room for the first few rows, no more: the count above says how many there are.
        row_height = self.preview.fontMetrics().height() + 4
        self.preview.setFixedHeight(header.sizeHint().height() + PREVIEW_ROWS * row_height
                                    + 2 * self.preview.frameWidth() + 4)
        layout.addWidget(self.preview)
        self.more = plain_label()
        layout.addWidget(self.more)
        self.warning = wrapping_label()
        self.warning.setStyleSheet(WARNING_STYLE)
        self.warning.setAccessibleName("Warning")
        layout.addWidget(self.warning)
        layout.addStretch(1)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        for signal in (self.template.textChanged, self.find.textChanged,
                       self.replacement.textChanged):
            signal.connect(self.refresh)
        for button in (self.use_template, self.use_replace, self.match_case, self.only_empty,
                       self.scope_selected, self.scope_all):
            button.toggled.connect(self.refresh)
        self.template.textEdited.connect(lambda: self.use_template.setChecked(True))
        self.find.textEdited.connect(lambda: self.use_replace.setChecked(True))
        self.replacement.textEdited.connect(lambda: self.use_replace.setChecked(True))
        self.refresh()
        self.template.setFocus()
        self.template.selectAll()

    # ---- the rule and its plan ------------------------------------------------------------

    def rule(self) -> Rule:
        if self.use_replace.isChecked():
            return FindReplace(self.find.text(), self.replacement.text(),
                               self.match_case.isChecked())
        return Template(self.template.text())

    def images(self) -> list[BatchImage]:
        """The images in scope, as the grid shows them now (positions 1-based)."""
        wanted = set(self._selected) if self.scope_selected.isChecked() else None
        return [BatchImage(row.key, position, row.image.image_file, row.image.description or "")
                for position, row in enumerate(self._rows(), start=1)
                if wanted is None or row.key in wanted]

    def plan(self) -> Plan:
        """What OK applies (computed afresh: the grid may have changed since the preview)."""
        self.refresh()
        return self._plan

    def refresh(self) -> None:
        template = self.use_template.isChecked()
        self.only_empty.setEnabled(template)  # find and replace never changes an empty text
        self._plan = plan(self.images(), self.rule(), product=self._product, sku=self._sku,
                          only_empty=template and self.only_empty.isChecked())
        self._show_plan(self._plan)

    def _show_plan(self, result: Plan) -> None:
        count = len(result.changes)
        if result.unknown:
            self.summary.setText("Nothing will change yet")
        elif count:
            self.summary.setText(f"{_images(count)} will change")
        else:
            self.summary.setText("No image would change")
        self.preview.clear()
        for change in result.changes[:PREVIEW_ROWS]:
            item = QTreeWidgetItem([str(change.position), change.before or "(none)",
                                    change.after])
            item.setToolTip(1, change.before)
            item.setToolTip(2, change.after)
            if not change.before:
                item.setForeground(1, self.palette().placeholderText())
            self.preview.addTopLevelItem(item)
        hidden = count - PREVIEW_ROWS
        self.more.setText(f"…and {hidden} more image{'s' if hidden != 1 else ''}"
                          if hidden > 0 else "")
        self.more.setVisible(hidden > 0)
        self.warning.setText(self._warnings(result))
        self.warning.setVisible(bool(self.warning.text()))
        self.ok_button.setEnabled(count > 0 and not result.unknown)
        self.ok_button.setText(f"Change {_images(count)}" if count else "Change")

    def _warnings(self, result: Plan) -> str:
        notes: list[str] = []
        if result.unknown:
            names = ", ".join(f"{{{name}}}" for name in result.unknown)
            notes.append(f"{names} is not a field: use {{product}}, {{sku}}, {{position}} or "
                         "{filename}, or double the braces ({{ and }}) to write them.")
        if isinstance(self.rule(), Template) and "sku" in self.template.text() \
                and not self._sku:
            notes.append("This product has no SKU: {sku} stays empty.")
        if result.truncated:
            notes.append(f"{_images(result.truncated)} would get a text longer than the store "
                         f"keeps ({MAX_ALT_TEXT:,} characters); it is cut there.")
        return " ".join(notes)

    def _insert_field(self, name: str) -> None:
        self.use_template.setChecked(True)
        self.template.insert(f"{{{name}}}")
        self.template.setFocus()
