"""The Qt binding itself: a known PySide6 defect that would crash the app must stay away."""

from __future__ import annotations

import sys

from PySide6.QtCore import QStringListModel, Qt


def test_empty_model_data_keeps_its_reference_to_none() -> None:
    # PySide6 6.12.0 returned None for an invalid QVariant without taking a reference; the
    # views call index.data() thousands of times a second, so None's count fell to zero and
    # Python aborted ("none_dealloc"). pyproject.toml keeps that release out.
    model = QStringListModel(["a"])
    index = model.index(0)
    before = sys.getrefcount(None)
    for _ in range(2000):
        assert index.data(Qt.ItemDataRole.UserRole) is None
    assert sys.getrefcount(None) >= before - 50
