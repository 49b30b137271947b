"""Checking pictures before an upload is queued (issue 9 §2): real files made by Pillow."""

from __future__ import annotations

import hashlib
import io
import os
import random
import sys
import threading
import tracemalloc
from pathlib import Path

import pytest
from PIL import Image

from app.api.image_files import MAX_IMAGE_BYTES
from app.services.picture_limits import MAX_PICTURE_PIXELS
from app.services.upload_check import (
    ZOOM_SIDE,
    Accepted,
    BatchReport,
    Rejected,
    check_batch,
    check_candidate,
)
from app.services.upload_downscale import DownscaleRefused, downscale
from app.services.upload_gather import (
    DataCandidate,
    FileCandidate,
    RawImage,
    UrlCandidate,
    gather,
    natural_key,
)
from tests.hostile.hostile_images import png_pixel_bomb


def save(path: Path, picture: Image.Image, fmt: str, **options: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    picture.save(path, fmt, **options)
    return path


def solid(size: tuple[int, int] = (64, 48), colour: tuple[int, int, int] = (200, 40, 40),
          mode: str = "RGB") -> Image.Image:
    return Image.new(mode, size, colour)


def one(report: BatchReport) -> Accepted | Rejected:
    items = [*report.accepted, *report.rejected]
    assert len(items) == 1, items
    return items[0]


def noise_png(path: Path, side: int) -> Path:
    """Incompressible RGB noise: side*side*3 bytes of PNG and more."""
    return save(path, Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)), "PNG",
                compress_level=1)


# ---- the formats the store takes ---------------------------------------------------------------

@pytest.mark.parametrize("fmt, kind", [("JPEG", "jpeg"), ("PNG", "png"), ("GIF", "gif"),
                                       ("WEBP", "webp")])
def test_each_format_the_store_takes_is_accepted_with_its_size_and_hash(
        tmp_path: Path, fmt: str, kind: str) -> None:
    path = save(tmp_path / f"red.{kind}", solid((300, 200)), fmt)
    judged = one(check_batch([path]))
    assert isinstance(judged, Accepted), judged
    assert (judged.kind, judged.width, judged.height) == (kind, 300, 200)
    assert judged.size == path.stat().st_size
    assert judged.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert judged.path == path and judged.name == f"red.{kind}"
    assert not judged.can_downscale and not judged.needs_downscale and not judged.oriented


def test_a_jpeg_turned_by_exif_is_noted_and_measured_as_shown(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways: shown turned a quarter
    path = save(tmp_path / "phone.jpg", solid((400, 300)), "JPEG", exif=exif.tobytes())
    judged = one(check_batch([path]))
    assert isinstance(judged, Accepted)
    assert judged.orientation == 6 and judged.oriented
    assert (judged.width, judged.height) == (300, 400)


def test_the_type_comes_from_the_bytes_a_jpg_that_is_a_png_is_a_png(tmp_path: Path) -> None:
    path = save(tmp_path / "really-a-png.jpg", solid(), "PNG")
    judged = one(check_batch([path]))
    assert isinstance(judged, Accepted) and judged.kind == "png"


@pytest.mark.parametrize("file_name, content, says, fix", [
    ("photo.heic", b"\x00\x00\x00\x18ftypheic" + bytes(200), "HEIC pictures are not accepted",
     "Save it as JPEG"),
    ("notes.png", b"Remember to photograph the blue mug.\n" * 5,
     "not a picture the store accepts", "ends in .png"),
    ("scan.tif", None, "TIFF pictures are not accepted", "Save it as JPEG"),
    ("old.bmp", None, "BMP pictures are not accepted", "Save it as PNG"),
    ("empty.jpg", b"", "The file is empty", "picture file itself"),
], ids=["heic", "text-named-png", "tiff", "bmp", "empty"])
def test_a_file_the_store_refuses_is_named_with_the_reason_and_the_fix(
        tmp_path: Path, file_name: str, content: bytes | None, says: str, fix: str) -> None:
    path = tmp_path / file_name
    if content is None:
        save(path, solid(), "TIFF" if file_name.endswith(".tif") else "BMP")
    else:
        path.write_bytes(content)
    judged = one(check_batch([path]))
    assert isinstance(judged, Rejected), judged
    assert judged.name == file_name
    assert says in judged.message and fix in judged.message
    assert judged.message.startswith(f"{file_name}: ")


def test_a_truncated_jpeg_is_refused_as_damaged(tmp_path: Path) -> None:
    whole = io.BytesIO()
    Image.frombytes("RGB", (800, 600), os.urandom(800 * 600 * 3)).save(whole, "JPEG")
    path = tmp_path / "cut.jpg"
    path.write_bytes(whole.getvalue()[: len(whole.getvalue()) // 2])
    judged = one(check_batch([path]))
    assert isinstance(judged, Rejected)
    assert "damaged or incomplete" in judged.reason and "save it again" in judged.fix


def test_raw_picture_bytes_from_a_browser_are_checked_and_named(tmp_path: Path) -> None:
    out = io.BytesIO()
    solid().save(out, "PNG")
    report = check_batch([RawImage(out.getvalue(), "dragged image")])
    judged = one(report)
    assert isinstance(judged, Accepted) and judged.kind == "png"
    assert judged.name == "dragged image.png" and judged.path is None
    assert judged.read_bytes() == out.getvalue()


# ---- size: over 8 MB, larger than zoom, bombs -------------------------------------------------

def test_a_9_mb_png_needs_downscale_and_comes_out_within_8_mb_and_1280_pixels(
        tmp_path: Path) -> None:
    path = noise_png(tmp_path / "huge.png", 1800)  # ~9.7 MB of noise
    assert path.stat().st_size > 9 * 1024 * 1024
    report = check_batch([path])
    judged = one(report)
    assert isinstance(judged, Accepted)
    assert judged.needs_downscale and judged.can_downscale
    assert report.needs_downscale == 1
    question = report.downscale_question()
    assert question is not None and "8 MB" in question and "left out" in question

    smaller = downscale(judged, tmp_path / "staging")
    assert smaller.path is not None and smaller.path.parent == tmp_path / "staging"
    assert smaller.size == smaller.path.stat().st_size <= MAX_IMAGE_BYTES
    assert max(smaller.width, smaller.height) <= ZOOM_SIDE and smaller.kind == "png"
    again = check_candidate(smaller.candidate)  # and what was written is a picture the store takes
    assert isinstance(again, Accepted) and not again.can_downscale
    assert (again.width, again.height) == (ZOOM_SIDE, ZOOM_SIDE)
    assert smaller.name == "huge.png" and smaller.sha256 == again.sha256


def test_a_picture_larger_than_zoom_may_be_made_smaller_but_need_not(tmp_path: Path) -> None:
    path = save(tmp_path / "big.jpg", solid((3000, 2000)), "JPEG")
    report = check_batch([path])
    judged = one(report)
    assert isinstance(judged, Accepted) and judged.can_downscale and not judged.needs_downscale
    assert report.needs_downscale == 0 and report.can_downscale == 1
    question = report.downscale_question()
    assert question is not None and "1280x1280" in question and "left out" not in question


def test_downscale_turns_the_picture_upright_and_keeps_its_format(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6
    picture = solid((3000, 2000))
    picture.paste((0, 200, 0), (0, 0, 100, 100))  # a green corner to see where it went
    path = save(tmp_path / "phone.jpg", picture, "JPEG", exif=exif.tobytes(), quality=95)
    judged = check_candidate(FileCandidate(path, path.name, path.name))
    assert isinstance(judged, Accepted) and (judged.width, judged.height) == (2000, 3000)
    smaller = downscale(judged, tmp_path / "staging")
    assert smaller.kind == "jpeg" and not smaller.oriented
    with Image.open(smaller.path) as result:
        assert result.size == (853, 1280)
        assert result.getexif().get(0x0112, 1) == 1
        # Orientation 6 turns the picture clockwise: the top-left corner goes to the top right.
        red, green, _ = result.convert("RGB").getpixel((850, 5))
        assert green > 150 and red < 80


def test_an_animation_is_not_made_smaller(tmp_path: Path) -> None:
    frames = [solid((1500, 100), (i * 40, 0, 0)) for i in range(3)]
    path = tmp_path / "spin.gif"
    frames[0].save(path, "GIF", save_all=True, append_images=frames[1:])
    judged = one(check_batch([path]))
    assert isinstance(judged, Accepted) and judged.frames == 3 and not judged.can_downscale
    with pytest.raises(DownscaleRefused, match="animations"):
        downscale(judged, tmp_path / "staging")


def _bomb_check_memory(candidate: DataCandidate, max_pixels: int) -> tuple[Accepted | Rejected,
                                                                          int, int]:
    """Judges `candidate` and says how much memory it took: Pillow's image blocks (its pixel
    memory, outside Python's allocator) and tracemalloc's peak (Python's own)."""
    Image.core.reset_stats()
    tracemalloc.start()
    try:
        judged = check_candidate(candidate, max_pixels=max_pixels)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return judged, Image.core.get_stats()["new_count"], peak


def test_a_20000_pixel_square_bomb_is_refused_from_its_header(tmp_path: Path) -> None:
    bomb = png_pixel_bomb(20000, 20000)  # 400 MP of grey in a few hundred KB
    path = tmp_path / "huge-poster.png"
    path.write_bytes(bomb)
    judged = one(check_batch([path]))
    assert isinstance(judged, Rejected)
    assert "megapixels" in judged.reason and "JPEG" in judged.fix


def test_a_bomb_under_pillows_limit_is_refused_before_any_pixel_is_decoded() -> None:
    # 7000x7000 = 49 MP: over the app's cap, under Pillow's own (179 MP), so only the header
    # check stands between it and a 49 MB decode (at 1/8 scale, still a 0.8 MB image).
    out = io.BytesIO()
    Image.new("L", (7000, 7000), 255).save(out, "JPEG")
    bomb = DataCandidate(out.getvalue(), "bomb.jpg", "bomb.jpg")
    assert 7000 * 7000 > MAX_PICTURE_PIXELS

    judged, images_made, peak = _bomb_check_memory(bomb, MAX_PICTURE_PIXELS)
    assert isinstance(judged, Rejected) and "7000x7000 pixels" in judged.reason
    assert images_made == 0  # Pillow allocated no pixel memory at all
    assert peak < 7000 * 7000 // 8  # nothing near the decoded size passed through Python

    # The measure can tell: with the cap lifted, the same check decodes (scaled) and it shows.
    judged, images_made, _ = _bomb_check_memory(bomb, 10 * MAX_PICTURE_PIXELS)
    assert isinstance(judged, Accepted) and images_made > 0


# ---- gathering: folders, URLs, the cap ---------------------------------------------------------

def test_a_folder_gives_its_pictures_recursively_in_natural_order_without_junk(
        tmp_path: Path) -> None:
    shoot = tmp_path / "Shoot"
    for name in ["img10.jpg", "img2.jpg", "img1.jpg", "b/IMG3.png", "a/z.webp",
                 ".hidden.jpg", ".secret/inside.jpg", "Thumbs.db", ".DS_Store", "notes.txt"]:
        (shoot / name).parent.mkdir(parents=True, exist_ok=True)
        save(shoot / name, solid((8, 8), (len(name) * 9 % 255, 0, 0)), "PNG")
    outside = save(tmp_path / "outside" / "private.jpg", solid(), "JPEG")
    (shoot / "link-out.jpg").symlink_to(outside)
    (shoot / "loop").symlink_to(shoot, target_is_directory=True)

    gathered = gather([shoot])
    shown = [c.shown_as for c in gathered.candidates]
    assert shown == ["Shoot/a/z.webp", "Shoot/b/IMG3.png", "Shoot/img1.jpg", "Shoot/img2.jpg",
                     "Shoot/img10.jpg"]
    assert all(isinstance(c, FileCandidate) for c in gathered.candidates)
    assert gathered.candidates[1].name == "IMG3.png"
    assert any("1 other file" in note for note in gathered.notes)  # notes.txt, said so


def test_natural_order_puts_2_before_10_folder_by_folder() -> None:
    names = ["x10/a.jpg", "x2/b.jpg", "x2/a10.jpg", "x2/A9.jpg"]
    assert sorted(names, key=natural_key) == ["x2/A9.jpg", "x2/a10.jpg", "x2/b.jpg", "x10/a.jpg"]


@pytest.mark.parametrize("url, says", [
    ("ftp://example.com/a.jpg", "http:// or https://"),
    ("https://user:secret@example.com/a.jpg", "user name or password"),
    ("https://example.com/" + "a" * 250 + ".jpg", "at most 255"),
], ids=["ftp", "credentials", "too-long"])
def test_an_unusable_web_address_is_refused_with_the_reason(url: str, says: str) -> None:
    report = check_batch([url])
    assert not report.urls and len(report.rejected) == 1
    assert says in report.rejected[0].message
    assert "secret" not in report.rejected[0].message  # a password is never repeated


def test_a_good_web_address_is_kept_as_a_url_for_the_store_to_fetch() -> None:
    url = "https://cdn.example.com/photos/Red%20Mug.jpg?v=2"
    report = check_batch([url])
    assert report.urls == [UrlCandidate(url, "Red Mug.jpg", url)]
    assert not report.accepted and not report.rejected


def test_a_missing_file_is_refused_and_a_file_url_is_a_path(tmp_path: Path) -> None:
    path = save(tmp_path / "here.png", solid(), "PNG")
    report = check_batch([tmp_path / "gone.jpg", path.as_uri()])
    assert [r.name for r in report.rejected] == ["gone.jpg"]
    assert "no longer there" in report.rejected[0].reason
    assert [a.path for a in report.accepted] == [path]


def test_more_than_2000_files_are_cut_at_2000_with_a_clear_note(tmp_path: Path) -> None:
    out = io.BytesIO()
    solid((4, 4)).save(out, "PNG")
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(2001):
        (folder / f"p{i}.png").write_bytes(out.getvalue())
    gathered = gather([folder])
    assert len(gathered.candidates) == 2000
    assert gathered.candidates[-1].name == "p1999.png"  # natural order: p2000 is the one left
    assert any("first 2,000" in note and "another batch" in note for note in gathered.notes)
    assert len(gather([folder], max_files=5000).candidates) == 2001


# ---- warnings -----------------------------------------------------------------------------------

def test_byte_identical_files_in_one_batch_are_warned_about_naming_both(tmp_path: Path) -> None:
    first = save(tmp_path / "a.png", solid(), "PNG")
    copy = tmp_path / "b.png"
    copy.write_bytes(first.read_bytes())
    different = save(tmp_path / "c.png", solid(colour=(1, 2, 3)), "PNG")
    report = check_batch([first, copy, different])
    assert len(report.accepted) == 3  # warnings do not reject
    assert [(w.kind, w.name, w.other) for w in report.warnings] == [("duplicate", "b.png",
                                                                    "a.png")]
    assert "a.png" in report.warnings[0].message and "b.png" in report.warnings[0].message


def test_a_name_already_on_the_product_is_warned_about(tmp_path: Path) -> None:
    clash = save(tmp_path / "Red Mug.JPG", solid(), "JPEG")
    fresh = save(tmp_path / "blue-mug.jpg", solid(colour=(0, 0, 200)), "JPEG")
    existing = ["r/123/red-mug__45678.jpg", "b/001/blue-mug-2__11111.jpg"]
    report = check_batch([clash, fresh, "https://example.com/x/blue-mug-2.png"], existing)
    assert len(report.accepted) == 2 and len(report.urls) == 1
    clashes = [(w.name, w.other) for w in report.warnings if w.kind == "name_clash"]
    assert clashes == [("Red Mug.JPG", "r/123/red-mug__45678.jpg"),
                       ("https://example.com/x/blue-mug-2.png", "b/001/blue-mug-2__11111.jpg")]


# ---- cancel and progress -----------------------------------------------------------------------

def test_checking_reports_progress_and_stops_between_files_when_cancelled(
        tmp_path: Path) -> None:
    paths = [save(tmp_path / f"p{i}.png", solid(colour=(i, 0, 0)), "PNG") for i in range(10)]
    cancel = threading.Event()
    seen: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> None:
        seen.append((done, total))
        if done == 4:
            cancel.set()

    report = check_batch(paths, cancel=cancel, progress=progress)
    assert seen == [(1, 10), (2, 10), (3, 10), (4, 10)]
    assert report.cancelled and report.checked == 4 and report.total == 10
    assert [a.name for a in report.accepted] == ["p0.png", "p1.png", "p2.png", "p3.png"]

    finished = check_batch(paths, progress=lambda done, total: None)
    assert not finished.cancelled and finished.checked == 10 and len(finished.accepted) == 10


def test_the_check_imports_no_qt() -> None:
    import subprocess
    code = ("import sys, app.services.upload_check, app.services.upload_downscale; "
            "sys.exit(any(m.startswith('PySide6') for m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).parents[2],
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])},
                          check=False).returncode == 0


def test_damaged_bytes_of_every_kind_are_rejected_never_raised() -> None:
    # Pillow's parsers raise IndexError and struct.error on some corrupt files: one such file
    # must become a rejection, not end the batch.
    rng = random.Random(1)
    frames = [solid((50, 50), (i * 50, 0, 0)) for i in range(3)]
    bases = []
    for fmt in ["JPEG", "PNG", "GIF", "WEBP"]:
        out = io.BytesIO()
        Image.effect_noise((120, 90), 40).convert("RGB").save(out, fmt)
        bases.append(out.getvalue())
        out = io.BytesIO()
        if fmt in ("GIF", "WEBP"):
            frames[0].save(out, fmt, save_all=True, append_images=frames[1:])
            bases.append(out.getvalue())
    damaged = []
    for n in range(1500):
        data = bytearray(rng.choice(bases))
        for _ in range(rng.randint(1, 6)):
            if len(data) < 40:
                break
            where = rng.randrange(len(data))
            roll = rng.random()
            if roll < 0.6:
                data[where] = rng.randrange(256)
            elif roll < 0.8:
                del data[where:where + rng.randint(1, 50)]
            else:
                data = data[:max(where, 20)]
        damaged.append(RawImage(bytes(data), f"damaged-{n}"))
    report = check_batch(damaged)
    assert report.checked == 1500 and len(report.accepted) + len(report.rejected) == 1500
    assert any("cannot be read as a picture" in r.reason for r in report.rejected)


def test_a_file_changed_after_its_check_is_not_made_smaller(tmp_path: Path) -> None:
    path = save(tmp_path / "big.jpg", solid((3000, 2000)), "JPEG")
    judged = check_candidate(FileCandidate(path, path.name, path.name))
    assert isinstance(judged, Accepted)
    save(path, solid((3000, 2000), (0, 0, 0)), "JPEG")  # replaced in the meantime
    with pytest.raises(DownscaleRefused, match="changed after it was checked"):
        downscale(judged, tmp_path / "staging")
    assert not (tmp_path / "staging").exists() or not any((tmp_path / "staging").iterdir())


def test_the_same_web_address_twice_is_warned_about() -> None:
    url = "https://example.com/a.jpg"
    report = check_batch([url, url])
    assert len(report.urls) == 2
    assert [(w.kind, w.message) for w in report.warnings] == [
        ("duplicate", f"{url} is the same web address as {url}; it would be added twice.")]


def test_the_answer_to_the_one_question_splits_the_batch(tmp_path: Path) -> None:
    small = save(tmp_path / "small.jpg", solid((300, 200)), "JPEG")
    large = save(tmp_path / "large.jpg", solid((3000, 2000)), "JPEG")
    huge = noise_png(tmp_path / "huge.png", 1800)
    report = check_batch([small, large, huge])
    by_name = {a.name: a for a in report.accepted}
    assert by_name["small.jpg"].downscale_note is None
    assert by_name["large.jpg"].downscale_note == (
        "large.jpg: 3000x2000 pixels is larger than the 1280x1280 the store shows. It can be "
        "made smaller for you.")
    note = by_name["huge.png"].downscale_note
    assert note is not None and note.startswith("huge.png: 9.") and "8 MB limit" in note

    def names(items: list[Accepted]) -> list[str]:
        return [a.name for a in items]

    as_they_are, smaller, left_out = report.split(make_smaller=True)
    assert (names(as_they_are), names(smaller), names(left_out)) == (
        ["small.jpg"], ["large.jpg", "huge.png"], [])
    as_they_are, smaller, left_out = report.split(make_smaller=False)
    assert (names(as_they_are), names(smaller), names(left_out)) == (
        ["small.jpg", "large.jpg"], [], ["huge.png"])


def test_a_gif_over_the_stores_150_frames_is_refused(tmp_path: Path) -> None:
    frames = [solid((8, 8), (i, 255 - i, 0)) for i in range(151)]
    path = tmp_path / "long.gif"
    frames[0].save(path, "GIF", save_all=True, append_images=frames[1:])
    judged = one(check_batch([path]))
    assert isinstance(judged, Rejected)
    assert "151 frames" in judged.reason and "at most 150" in judged.reason
    frames[0].save(path, "GIF", save_all=True, append_images=frames[1:150])
    assert isinstance(one(check_batch([path])), Accepted)
