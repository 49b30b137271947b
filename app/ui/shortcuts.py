"""Every keyboard shortcut of the window in one table, and the words messages use for them.

A `QKeySequence.StandardKey` means different keys under each platform theme: Refresh is F5 on
Windows and KDE but Ctrl+R under GNOME and on macOS. Two actions that end up with the same key
make both dead ("Ambiguous shortcut"), so a command lists its fixed keys (always bound) first and
its standard key after them; a platform binding that another command already claims is left out.
Messages name a shortcut through `press_hint`, so their words follow the real binding.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtGui import QKeySequence

StandardKey = QKeySequence.StandardKey
Key = str | StandardKey  # a portable key text ("F5", "Ctrl+Shift+R") or a platform's standard key


@dataclass(frozen=True)
class Command:
    name: str               # the action's text, as messages name it
    keys: tuple[Key, ...]   # in order of preference; the first one is the one messages show


STORES = Command("Stores", ("Ctrl+Shift+S",))
REFRESH = Command("Refresh", ("F5", StandardKey.Refresh))  # F5 everywhere; GNOME adds Ctrl+R
FIND_PRODUCT = Command("Find product", (StandardKey.Find,))
# Not Ctrl+R: that is Refresh under GNOME and on macOS.
RETRY_PICTURES = Command("Retry pictures", ("Ctrl+Shift+R",))
SMALLER = Command("Smaller", (StandardKey.ZoomOut,))
LARGER = Command("Larger", (StandardKey.ZoomIn, "Ctrl+="))  # "+" needs Shift on most keyboards
RESET_SIZE = Command("Reset size", ("Ctrl+0",))

QUIT = Command("Quit", ("Ctrl+Q",))
UNDO = Command("Undo", (StandardKey.Undo,))
# Ctrl+Shift+Z everywhere (the key); Ctrl+Y too where the platform has it.
REDO = Command("Redo", ("Ctrl+Shift+Z", StandardKey.Redo))
UNDO_HISTORY = Command("Undo history", ("Ctrl+Alt+Z",))
WORK_OFFLINE = Command("Work offline", ("Ctrl+Shift+O",))
PENDING_CHANGES = Command("Pending changes", ("Ctrl+Shift+P",))
SETTINGS = Command("Settings", ("Ctrl+,",))  # the menu says "Settings…" (Cmd+, on macOS)

# The store page's own commands (bound on the grid, not window-wide).
EDIT_ALT_TEXT = Command("Edit alt text", ("F2",))
# The store page's own (Edit menu): pictures from this computer, and the clipboard's pictures
# while the grid has the focus (elsewhere Ctrl+V pastes text as usual).
ADD_IMAGES = Command("Add images", ("Ctrl+O",))   # the menu says "Add images…"
PASTE_PICTURES = Command("Paste pictures", ("Ctrl+V",))
PAGE_COMMANDS: tuple[Command, ...] = (ADD_IMAGES, PASTE_PICTURES)

WINDOW_COMMANDS: tuple[Command, ...] = (STORES, REFRESH, FIND_PRODUCT, RETRY_PICTURES, SMALLER,
                                        LARGER, RESET_SIZE, QUIT, UNDO, REDO,
                                        UNDO_HISTORY, WORK_OFFLINE, PENDING_CHANGES,
                                        SETTINGS)

# The image verbs: bound on the image grid only (a Delete typed in a text field stays there).
# Ctrl+Shift+arrows, not Ctrl+arrows: Ctrl+arrows move the current card without selecting.
MOVE_LEFT = Command("Move left", ("Ctrl+Shift+Left",))
MOVE_RIGHT = Command("Move right", ("Ctrl+Shift+Right",))
MAKE_FIRST = Command("Make first", ("Ctrl+Shift+Home",))
MOVE_TO_END = Command("Move to end", ("Ctrl+Shift+End",))
SET_THUMBNAIL = Command("Set as thumbnail", ("Ctrl+T",))
# Backspace too: the key labelled "delete" on a Mac keyboard sends it.
DELETE_IMAGES = Command("Delete", ("Del", "Backspace"))

IMAGE_COMMANDS: tuple[Command, ...] = (MOVE_LEFT, MOVE_RIGHT, MAKE_FIRST, MOVE_TO_END,
                                       SET_THUMBNAIL, DELETE_IMAGES)


def platform_bindings(key: StandardKey) -> list[QKeySequence]:
    """The running platform theme's keys for `key` (tests put another platform's table here)."""
    return list(QKeySequence.keyBindings(key))


def _portable(sequence: QKeySequence) -> str:
    return sequence.toString(QKeySequence.SequenceFormat.PortableText)


def resolve(commands: Sequence[Command],
            bindings: Callable[[StandardKey], list[QKeySequence]] | None = None,
            ) -> dict[Command, list[QKeySequence]]:
    """Each command's key sequences on this platform, without giving one key to two commands.

    Fixed keys are always kept (a clash between two of them is a mistake the tests catch); a
    standard key's bindings are kept only where no other command has claimed the same key."""
    lookup = bindings or platform_bindings
    claimed = {_portable(QKeySequence(key)) for command in commands for key in command.keys
               if isinstance(key, str)}
    resolved: dict[Command, list[QKeySequence]] = {}
    for command in commands:
        sequences: list[QKeySequence] = []
        mine: set[str] = set()
        for key in command.keys:
            if isinstance(key, str):
                candidates = [QKeySequence(key)]
            else:
                candidates = [s for s in lookup(key) if _portable(s) not in claimed - mine]
            for sequence in candidates:
                text = _portable(sequence)
                if text and text not in mine:
                    sequences.append(sequence)
                    mine.add(text)
        claimed |= mine
        resolved[command] = sequences
    return resolved


def native_text(sequence: QKeySequence) -> str:
    return sequence.toString(QKeySequence.SequenceFormat.NativeText)


def press_hint(command: Command) -> str:
    """"press Refresh (F5)": the words a message uses for a command and its first key here."""
    keys = resolve(WINDOW_COMMANDS + IMAGE_COMMANDS).get(command) or resolve([command])[command]
    return f"press {command.name} ({native_text(keys[0])})" if keys else \
        f"press {command.name}"
