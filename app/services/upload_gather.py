"""What a drop, a paste or "Add images…" hands over, as a list of candidates to check.

Sources are file paths, folder paths (their pictures, recursively), image URLs and raw picture
bytes (a browser drag or clipboard image data). Nothing is decoded here and no URL is fetched;
`upload_check` judges each candidate. Runs on a worker thread: a dropped folder may be large,
so the walk is bounded in files taken and entries looked at, and can be cancelled.
"""

from __future__ import annotations

import os
import re
import stat
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

#: Files one batch takes (a drop of a whole photo library is a mistake, not a batch).
MAX_BATCH_FILES = 2_000
#: Folder entries looked at before the walk gives up (a drop of the home folder).
MAX_WALKED_ENTRIES = 50_000
#: The API's `image_url` limit (reference: v3 `image_url` max 255 chars; docs#794).
MAX_URL_LENGTH = 255

#: In a dropped folder, the files taken are those whose name says "picture"; the type is still
#: sniffed from the bytes. Formats the store refuses are taken too, so they are named with the
#: reason instead of vanishing without a word.
PICTURE_SUFFIXES = frozenset({
    ".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".gif", ".webp",
    ".heic", ".heif", ".avif", ".tif", ".tiff", ".bmp", ".svg", ".psd", ".ico",
})
#: Operating-system clutter skipped in folders (hidden files, starting with ".", are too).
_JUNK_NAMES = frozenset({"thumbs.db", "desktop.ini", "ehthumbs.db", "__macosx", "$recycle.bin",
                         "system volume information"})
_FILE_ATTRIBUTE_HIDDEN = 0x2  # Windows' hidden flag in st_file_attributes


@dataclass(frozen=True)
class FileCandidate:
    path: Path
    name: str          # the file's own name: what the store files the picture under
    shown_as: str      # how messages name it: the path below the dropped folder, or the name


@dataclass(frozen=True)
class DataCandidate:
    """Picture bytes without a file: image data dragged from a browser or pasted."""
    data: bytes = field(repr=False)
    name: str
    shown_as: str


@dataclass(frozen=True)
class UrlCandidate:
    url: str
    name: str          # the file name the URL gives the store ("…/Red%20Mug.jpg" -> "Red Mug.jpg")
    shown_as: str


Candidate = FileCandidate | DataCandidate | UrlCandidate


@dataclass(frozen=True)
class RawImage:
    """Raw picture bytes handed to `gather`, with the name to give them."""
    data: bytes = field(repr=False)
    suggested_name: str = "pasted image"


@dataclass(frozen=True)
class Refusal:
    """A source that is not even a candidate: a missing path, a bad URL, too many files."""
    shown_as: str
    reason: str
    fix: str

    @property
    def message(self) -> str:
        return f"{self.shown_as}: {self.reason} {self.fix}"


@dataclass
class Gathered:
    candidates: list[Candidate] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    #: Things the merchant should know that are not about one file ("only the first 2,000…").
    notes: list[str] = field(default_factory=list)
    cancelled: bool = False


Source = str | os.PathLike[str] | RawImage | bytes


def natural_key(relative: str) -> tuple[tuple[tuple[int, int | str], ...], ...]:
    """Sorts "img2" before "img10", folder by folder, ignoring case."""
    parts = PurePosixPath(relative.replace("\\", "/")).parts
    return tuple(tuple((0, int(piece)) if piece.isdigit() else (1, piece)
                       for piece in re.split(r"(\d+)", part.casefold()) if piece)
                 for part in parts)


def url_refusal(url: str) -> tuple[str, str] | None:
    """Why the store cannot take `url` as `image_url`/`image_file`, as (reason, fix), or None."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return ("This is not a web address the store can use.",
                "Copy the picture's address again from the browser.")
    if parts.scheme.lower() not in ("http", "https") or not host:
        return ("Only web addresses starting with http:// or https:// can be added.",
                "Download the picture and add the file instead.")
    if parts.username is not None or parts.password is not None:
        return (("This web address contains a user name or password, which would be sent "
                 "to the store in plain sight."),
                "Use an address without them, or download the picture and add the file.")
    if len(url) > MAX_URL_LENGTH:
        return ((f"This web address is {len(url)} characters long; the store takes at most "
                 f"{MAX_URL_LENGTH}."), "Download the picture and add the file instead.")
    return None


def url_file_name(url: str) -> str:
    name = unquote(PurePosixPath(urlsplit(url).path).name)
    return name or "image"


def _looks_like_url(text: str) -> bool:
    return re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", text) is not None


def _is_junk(entry: os.DirEntry[str]) -> bool:
    if entry.name.startswith(".") or entry.name.casefold() in _JUNK_NAMES:
        return True
    try:
        attributes = getattr(entry.stat(follow_symlinks=False), "st_file_attributes", 0)
    except OSError:
        return True
    return bool(attributes & _FILE_ATTRIBUTE_HIDDEN)


class _Walk:
    def __init__(self, cancel: threading.Event | None, room: int) -> None:
        self.cancel = cancel
        self.room = room                  # files the batch can still take
        self.entries = 0
        self.over = False                 # more files than room were found
        self.skipped_other = 0            # files left out because their name is not a picture's
        self.gave_up = False              # MAX_WALKED_ENTRIES reached
        self.seen: set[Path] = set()      # real paths taken (a file dropped twice is taken once)

    def folder(self, root: Path) -> list[tuple[str, Path]]:
        """(relative path, path) of the pictures under `root`, in natural order."""
        real_root = root.resolve()
        found: list[tuple[str, Path]] = []
        visited = {real_root}
        stack = [(root, "")]
        while stack:
            if (self.cancel is not None and self.cancel.is_set()) or self.gave_up:
                break
            folder, prefix = stack.pop()
            try:
                entries = list(os.scandir(folder))
            except OSError:
                continue  # unreadable subfolder: its pictures cannot be taken anyway
            for entry in entries:
                self.entries += 1
                if self.entries > MAX_WALKED_ENTRIES:
                    self.gave_up = True
                    break
                if _is_junk(entry):
                    continue
                relative = f"{prefix}{entry.name}"
                target = Path(entry.path)
                try:
                    real = target.resolve() if entry.is_symlink() else target
                    if entry.is_symlink() and not real.is_relative_to(real_root):
                        continue  # a link out of the dropped folder is not followed
                    is_dir = entry.is_dir()  # follows a link that stays inside
                    is_file = not is_dir and entry.is_file()
                except OSError:
                    continue
                if is_dir:
                    real_dir = target.resolve()
                    if real_dir not in visited:  # a link back up would loop forever
                        visited.add(real_dir)
                        stack.append((target, relative + "/"))
                elif is_file:
                    if target.suffix.casefold() in PICTURE_SUFFIXES:
                        found.append((relative, target))
                    else:
                        self.skipped_other += 1
        found.sort(key=lambda item: natural_key(item[0]))
        return found

    def take(self, path: Path) -> bool:
        """Whether the batch takes one more file (False: over the cap, or taken already)."""
        try:
            real = path.resolve()
        except OSError:
            real = path
        if real in self.seen:
            return False
        if self.room <= 0:
            self.over = True
            return False
        self.seen.add(real)
        self.room -= 1
        return True


def gather(sources: Iterable[Source], *, cancel: threading.Event | None = None,
           max_files: int = MAX_BATCH_FILES) -> Gathered:
    """The candidates in `sources`, in the order given (a folder's pictures in natural order of
    their path below it). Strings are URLs when they have a scheme ("https://…"; "file://" is
    a path), paths otherwise. Nothing is decoded or fetched."""
    gathered = Gathered()
    walk = _Walk(cancel, max_files)
    for source in sources:
        if cancel is not None and cancel.is_set():
            gathered.cancelled = True
            break
        if isinstance(source, (RawImage, bytes)):
            raw = source if isinstance(source, RawImage) else RawImage(source)
            if walk.room <= 0:
                walk.over = True
                continue
            walk.room -= 1
            name = Path(raw.suggested_name.replace("\\", "/")).name or "pasted image"
            gathered.candidates.append(DataCandidate(raw.data, name, name))
            continue
        text = os.fspath(source)
        if _looks_like_url(text) and not text.lower().startswith("file://"):
            _add_url(gathered, walk, text.strip())
            continue
        if text.lower().startswith("file://"):
            text = unquote(urlsplit(text).path)
        _add_path(gathered, walk, Path(text))
    if cancel is not None and cancel.is_set():
        gathered.cancelled = True
    if walk.over or walk.gave_up:
        gathered.notes.append(
            f"Only the first {max_files:,} pictures are checked in one go; the rest were left "
            "out. Add them in another batch, a folder at a time." if walk.over else
            f"The dropped folder holds more than {MAX_WALKED_ENTRIES:,} files and folders; "
            "only the pictures found in the first ones were taken. Drop a smaller folder.")
    if walk.skipped_other:
        files = "file" if walk.skipped_other == 1 else "files"
        gathered.notes.append(
            f"{walk.skipped_other:,} other {files} in the dropped folders were left out: "
            "their names do not end like a picture's (.jpg, .png, .gif, .webp).")
    return gathered


def _add_url(gathered: Gathered, walk: _Walk, url: str) -> None:
    problem = url_refusal(url)
    shown = _shown_url(url)
    if problem is not None:
        gathered.refused.append(Refusal(shown, *problem))
        return
    if walk.room <= 0:
        walk.over = True
        return
    walk.room -= 1
    gathered.candidates.append(UrlCandidate(url, url_file_name(url), shown))


def _shown_url(url: str) -> str:
    """The address as messages show it: without a user name or password, cut when long."""
    try:
        parts = urlsplit(url)
        if "@" in parts.netloc:
            url = parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]).geturl()
    except ValueError:
        pass
    return url if len(url) <= 80 else url[:77] + "…"


def _add_path(gathered: Gathered, walk: _Walk, path: Path) -> None:
    try:
        mode = path.stat().st_mode
    except OSError:
        gathered.refused.append(Refusal(
            path.name or str(path), "This file is no longer there or cannot be opened.",
            "Check that it was not moved or deleted, and add it again."))
        return
    if stat.S_ISDIR(mode):
        pictures = walk.folder(path)
        if not pictures and not walk.gave_up:
            gathered.notes.append(f"The folder “{path.name}” holds no pictures.")
        for relative, picture in pictures:
            if walk.take(picture):
                gathered.candidates.append(
                    FileCandidate(picture, picture.name, f"{path.name}/{relative}"))
        return
    if not stat.S_ISREG(mode):
        gathered.refused.append(Refusal(path.name, "This is not a file.",
                                        "Choose the picture file itself."))
        return
    if walk.take(path):
        gathered.candidates.append(FileCandidate(path, path.name, path.name))
