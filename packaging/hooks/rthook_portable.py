"""PyInstaller runtime hook: portable mode.

If `portable.txt` or a `pim-data/` folder sits beside the executable, settings, data and cache
go to `<that folder>/pim-data` (through PIM_DATA_DIR, read by app.paths), so the app can run
from a USB stick and leave nothing in the user's profile. An explicit PIM_DATA_DIR still wins.
For a macOS .app, "beside the executable" means beside the .app bundle.
"""


def _portable_data_dir():
    import os
    import sys

    if os.environ.get("PIM_DATA_DIR"):
        return None
    exe_dir = os.path.dirname(os.path.abspath(sys.executable))
    contents = os.path.dirname(exe_dir)
    if (os.path.basename(exe_dir) == "MacOS" and os.path.basename(contents) == "Contents"
            and os.path.dirname(contents).endswith(".app")):
        exe_dir = os.path.dirname(os.path.dirname(contents))
    data_dir = os.path.join(exe_dir, "pim-data")
    if os.path.isfile(os.path.join(exe_dir, "portable.txt")) or os.path.isdir(data_dir):
        return data_dir
    return None


def _enable_portable_mode():
    import os

    data_dir = _portable_data_dir()
    if data_dir:
        os.environ["PIM_DATA_DIR"] = data_dir


_enable_portable_mode()
