"""The Qt widgets layer: the only package that imports QtWidgets."""
