"""Where pictures can be dropped besides the grid (whose own drop the grid reports with
`externalDrop(mime, row)`, connected to `UploadFlow.drop`): a product in the product list, and
the grid's place while a product has no images. Each only routes the drop to `UploadFlow`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QFrame, QListView, QWidget

from app.ui.product_model import ProductRoles

if TYPE_CHECKING:
    from app.ui.upload_flow import UploadFlow


class ProductDropTarget(QObject):
    """Pictures dropped on a product in the list go after that product's images; a frame
    shows which product a drop would reach."""

    def __init__(self, view: QListView, flow: UploadFlow) -> None:
        super().__init__(view)
        self._view = view
        self._flow = flow
        view.setAcceptDrops(True)
        view.viewport().setAcceptDrops(True)
        view.viewport().installEventFilter(self)
        self.marker = QFrame(view.viewport())
        self.marker.setObjectName("product-drop-marker")
        self.marker.setStyleSheet("#product-drop-marker { border: 2px solid palette(highlight);"
                                  " border-radius: 4px; background: transparent; }")
        self.marker.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.marker.hide()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            assert isinstance(event, QDragMoveEvent)
            index = self._view.indexAt(event.position().toPoint())
            if index.isValid() and self._flow.can_take(event.mimeData()):
                event.setDropAction(Qt.DropAction.CopyAction)
                event.accept()
                self.marker.setGeometry(self._view.visualRect(index))
                self.marker.show()
                self.marker.raise_()
            else:
                # A drag enters anywhere; it is only taken over a product.
                event.setAccepted(kind == QEvent.Type.DragEnter
                                  and self._flow.can_take(event.mimeData()))
                self.marker.hide()
            return True
        if kind == QEvent.Type.DragLeave:
            self.marker.hide()
            return True
        if kind == QEvent.Type.Drop:
            assert isinstance(event, QDropEvent)
            self.marker.hide()
            index = self._view.indexAt(event.position().toPoint())
            product = index.data(ProductRoles.Product) if index.isValid() else None
            if product is not None and self._flow.drop_on_product(event.mimeData(), product.id,
                                                                  product.name):
                event.setDropAction(Qt.DropAction.CopyAction)
                event.accept()
            else:
                event.ignore()
            return True
        return False


class PanelDropTarget(QObject):
    """The grid's place while a product has no images (a panel saying so) takes drops too."""

    def __init__(self, panel: QWidget, flow: UploadFlow) -> None:
        super().__init__(panel)
        self._flow = flow
        panel.setAcceptDrops(True)
        panel.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            assert isinstance(event, QDragMoveEvent)
            if self._flow.can_take(event.mimeData()):
                event.setDropAction(Qt.DropAction.CopyAction)
                event.accept()
            else:
                event.ignore()
            return True
        if kind == QEvent.Type.Drop:
            assert isinstance(event, QDropEvent)
            if self._flow.drop(event.mimeData(), 0):
                event.setDropAction(Qt.DropAction.CopyAction)
                event.accept()
            else:
                event.ignore()
            return True
        return False

