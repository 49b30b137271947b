"""What the client checks about a local picture before anything is sent."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.api.errors import InvalidImageFile
from app.api.image_files import (MAX_IMAGE_BYTES, MIME_TYPES, ImageUpload, read_image_upload,
                                 sniff_image_type)
from tests.api.conftest import picture_bytes

KINDS = ("jpeg", "png", "gif", "webp")


@pytest.mark.parametrize("kind", KINDS)
def test_sniffs_each_type_pillow_writes(kind: str) -> None:
    data = picture_bytes(kind)
    assert sniff_image_type(data[:16]) == kind
    assert sniff_image_type(data) == kind


@pytest.mark.parametrize("head", [
    b"", b"\xff\xd8", b"\x89PNG\r\n", b"GIF8", b"GIF89", b"RIFF\x00\x00\x00\x00WEB",
    b"RIFF\x10\x00\x00\x00WAVEfmt ", b"BM6\x00\x00\x00", b"<html><body>", b"%PDF-1.7",
    b"II*\x00",  # TIFF: a picture, but not one the store takes
])
def test_other_or_truncated_heads_are_not_images(head: bytes) -> None:
    assert sniff_image_type(head) is None


@given(st.binary(max_size=32))
def test_sniffing_never_fails(head: bytes) -> None:
    assert sniff_image_type(head) in (None, *KINDS)


@pytest.mark.parametrize("kind", KINDS)
def test_reads_each_type(tmp_path: Path, kind: str) -> None:
    path = tmp_path / f"Red Mug.{kind}"
    data = picture_bytes(kind)
    path.write_bytes(data)
    upload = read_image_upload(path)
    assert upload == ImageUpload("Red Mug." + kind, data, kind)
    assert upload.mime_type == MIME_TYPES[kind] == f"image/{kind}"


def test_the_type_comes_from_the_bytes_not_the_name(tmp_path: Path) -> None:
    renamed_png = tmp_path / "photo.jpg"
    renamed_png.write_bytes(picture_bytes("png"))
    upload = read_image_upload(renamed_png)
    assert upload.image_type == "png" and upload.mime_type == "image/png"
    assert upload.file_name == "photo.jpg"


def test_a_renamed_non_image_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "photo.jpg"
    fake.write_text("<!doctype html><title>Download</title>")
    with pytest.raises(InvalidImageFile) as caught:
        read_image_upload(fake)
    message = str(caught.value)
    assert "'photo.jpg'" in message and "JPEG, PNG, GIF or WebP" in message
    assert "Convert" in message  # says what to do


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty.png"
    empty.touch()
    with pytest.raises(InvalidImageFile, match="'empty.png' is empty"):
        read_image_upload(empty)


def test_a_file_above_8_mb_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "huge.png"
    with big.open("wb") as handle:
        handle.write(picture_bytes("png"))
        handle.truncate(MAX_IMAGE_BYTES + 1)  # sparse: no 8 MB written
    with pytest.raises(InvalidImageFile) as caught:
        read_image_upload(big)
    assert "'huge.png' is 8.0 MB" in str(caught.value) and "at most 8 MB" in str(caught.value)


def test_exactly_8_mb_is_accepted(tmp_path: Path) -> None:
    edge = tmp_path / "edge.png"
    with edge.open("wb") as handle:
        handle.write(picture_bytes("png"))
        handle.truncate(MAX_IMAGE_BYTES)
    assert len(read_image_upload(edge).content) == MAX_IMAGE_BYTES


def test_a_smaller_limit_is_honoured(tmp_path: Path) -> None:
    path = tmp_path / "a.gif"
    path.write_bytes(picture_bytes("gif"))
    with pytest.raises(InvalidImageFile, match="at most"):
        read_image_upload(path, max_bytes=10)


def test_a_missing_file_is_invalid_not_oserror(tmp_path: Path) -> None:
    with pytest.raises(InvalidImageFile, match="'gone.jpg' cannot be read"):
        read_image_upload(tmp_path / "gone.jpg")


def test_a_folder_is_invalid_not_oserror(tmp_path: Path) -> None:
    folder = tmp_path / "Holiday photos"
    folder.mkdir()
    (folder / "a.jpg").write_bytes(picture_bytes("jpeg"))  # a non-empty folder
    with pytest.raises(InvalidImageFile, match="'Holiday photos'"):
        read_image_upload(folder)
