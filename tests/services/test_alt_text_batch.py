"""Batch alt text: template fields, find and replace, only-empty, the store's length limit."""

from __future__ import annotations

from app.api.models import ProductImage
from app.services.alt_text_batch import (
    MAX_ALT_TEXT,
    BatchImage,
    FindReplace,
    Template,
    clean_alt_text,
    expand_template,
    file_stem,
    plan,
    replace_text,
    unknown_fields,
)
from app.services.edit_verbs import alt_text_edit
from app.services.image_state import ImageState


def images(*texts: str) -> list[BatchImage]:
    return [BatchImage(f"image:{10 + n}", n + 1, f"p/02{n}/tote-{n + 1}__3656{n}.jpg", text)
            for n, text in enumerate(texts)]


def test_file_stem_drops_folder_extension_and_store_suffix() -> None:
    assert file_stem("p/022/blue-tote__36562.jpg") == "blue-tote"
    assert file_stem("sample_images/in_123__14581.jpg") == "in_123"
    assert file_stem("photo.final.png") == "photo.final"
    assert file_stem("C:\\pictures\\front view.webp") == "front view"
    assert file_stem("no-extension") == "no-extension"
    assert file_stem("bag__2.jpg") == "bag"  # the suffix, however many digits
    assert file_stem("my__notes.jpg") == "my__notes"  # not digits: part of the name


def test_template_fields_are_filled_and_braces_can_be_escaped() -> None:
    values = {"product": "Canvas Tote", "sku": "TOTE-001", "position": "3",
              "filename": "tote-3"}
    assert expand_template("{product} ({sku}), view {position}: {filename}", values) == \
        "Canvas Tote (TOTE-001), view 3: tote-3"
    assert expand_template("{{product}} {product}", values) == "{product} Canvas Tote"
    assert expand_template("{ product }", values) == "Canvas Tote"
    assert expand_template("{colour} {product}", values) == "{colour} Canvas Tote"
    assert unknown_fields("{colour} {product} {Product} {}") == ["colour", "Product", ""]


def test_a_template_gives_each_image_its_own_text() -> None:
    result = plan(images("", "Old text", ""), Template("{product}, view {position} ({sku})"),
                  product="Canvas Tote", sku="TOTE-001")
    assert [(c.key, c.before, c.after) for c in result.changes] == [
        ("image:10", "", "Canvas Tote, view 1 (TOTE-001)"),
        ("image:11", "Old text", "Canvas Tote, view 2 (TOTE-001)"),
        ("image:12", "", "Canvas Tote, view 3 (TOTE-001)"),
    ]
    assert result.considered == 3 and result.truncated == 0 and result.unknown == ()


def test_only_empty_leaves_images_with_alt_text_alone() -> None:
    result = plan(images("", "Old text", "   ", ""), Template("{filename}"),
                  product="P", sku="", only_empty=True)
    assert [(c.key, c.after) for c in result.changes] == [
        ("image:10", "tote-1"), ("image:12", "tote-3"), ("image:13", "tote-4")]
    assert result.considered == 3


def test_images_the_rule_does_not_change_are_left_out_of_the_plan() -> None:
    result = plan(images("Canvas Tote", "x"), Template("{product}"), product="Canvas Tote",
                  sku="")
    assert [c.key for c in result.changes] == ["image:11"]
    assert plan(images("a", "b"), Template("   "), product="P", sku="").changes == ()


def test_find_and_replace_with_and_without_case() -> None:
    texts = images("Blue tote, front", "blue TOTE", "Red bag")
    ignoring = plan(texts, FindReplace("tote", "bag"), product="", sku="")
    assert [(c.key, c.after) for c in ignoring.changes] == [
        ("image:10", "Blue bag, front"), ("image:11", "blue bag")]
    matching = plan(texts, FindReplace("tote", "bag", match_case=True), product="", sku="")
    assert [(c.key, c.after) for c in matching.changes] == [("image:10", "Blue bag, front")]
    assert replace_text("a.b.c", ".", "-", False) == "a-b-c"  # literal, not a pattern
    assert replace_text("x", "x", r"\1", False) == r"\1"  # the replacement too
    assert replace_text("abc", "", "z", False) == "abc"


def test_results_are_one_line_and_cut_to_the_store_limit() -> None:
    long_name = "word " * 5000  # 25,000 characters
    result = plan(images(""), Template("{product}\n{position}"), product=long_name, sku="")
    (change,) = result.changes
    assert change.truncated and result.truncated == 1
    assert len(change.after) <= MAX_ALT_TEXT and "\n" not in change.after
    short = plan(images(""), Template("A\tB\n  C "), product="", sku="", max_length=3)
    assert short.changes[0].after == "A B" and short.changes[0].truncated
    assert clean_alt_text("  a \n b\t") == "a b"


def test_unknown_fields_are_reported() -> None:
    result = plan(images(""), Template("{colour} {product}"), product="Tote", sku="")
    assert result.unknown == ("colour",)


def test_the_plan_is_one_edit_with_as_many_steps_as_the_preview_counts() -> None:
    server = [ProductImage(id=10 + n, product_id=1, image_file=f"p/{n}__1{n}.jpg",
                           sort_order=n, description=text)
              for n, text in enumerate(["", "Has text", None, ""])]
    rows = ImageState.from_server(1, server).view()
    batch = [BatchImage(row.key, n + 1, row.image.image_file, row.image.description or "")
             for n, row in enumerate(rows)]
    result = plan(batch, Template("{product} {position}"), product="Tote", sku="",
                  only_empty=True)
    edit = alt_text_edit(rows, result.texts())
    assert edit is not None and len(edit.steps) == len(result.changes) == 3
    assert edit.label == "Change alt text of 3 images"
