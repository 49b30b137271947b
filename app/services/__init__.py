"""The bridge between the blocking, Qt-free layers (api, cache, credentials) and the widgets.

Work runs on worker threads; results reach the GUI thread through queued Qt signals only.
"""
