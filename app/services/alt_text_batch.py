"""Alt text for many images at once (issue 9 §4): what a batch would change, before it does.

Qt-free and pure. The merchant picks a rule (a template with fields, or find and replace),
optionally only for images whose alt text is empty; `plan` says, image by image, what the alt
text is now and what it would become, leaving out every image the rule would not change. The
same plan is the dialog's preview and, through `alt_text_edit`, the one undoable edit applied,
so the count the merchant saw is the count that is sent.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

#: The reference gives `description` the type "text" and no documented limit; a MySQL TEXT
#: holds 65,535 bytes, so at most 16,383 characters always fit, whatever their UTF-8 size.
MAX_ALT_TEXT = 16_383

#: The template's fields, in the order the dialog offers them.
FIELDS: tuple[tuple[str, str], ...] = (("product", "Product name"), ("sku", "SKU"),
                                       ("position", "Position"), ("filename", "File name"))
_FIELD = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")
#: The store's "__12345" after a stored file's name (bigcommerce-api-facts §4.1).
_STORE_SUFFIX = re.compile(r"__\d+$")


def clean_alt_text(text: str) -> str:
    """Plain, one-line alt text: runs of whitespace (pasted line breaks, tabs) become one
    space, none at either end."""
    return " ".join(text.split())


def file_stem(image_file: str) -> str:
    """The name a merchant gave the file: no folder, no extension, no store suffix
    ("p/022/blue-tote__36562.jpg" -> "blue-tote")."""
    name = image_file.replace("\\", "/").rsplit("/", 1)[-1]
    stem = name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name
    return _STORE_SUFFIX.sub("", stem)


def template_fields(template: str) -> list[str]:
    """The field names a template uses, known or not, in order of first use."""
    names = [match.group(1) for match in _FIELD.finditer(template) if match.group(1) is not None]
    return list(dict.fromkeys(names))


def unknown_fields(template: str) -> list[str]:
    known = {name for name, _ in FIELDS}
    return [name for name in template_fields(template) if name.strip() not in known]


def expand_template(template: str, values: Mapping[str, str]) -> str:
    """`template` with each `{field}` replaced by its value; `{{` and `}}` are braces; a field
    with no value is left as written (the dialog names it before anything is applied)."""
    def replacement(match: re.Match[str]) -> str:
        if match.group(0) == "{{":
            return "{"
        if match.group(0) == "}}":
            return "}"
        name = match.group(1).strip()
        return values.get(name, match.group(0))
    return _FIELD.sub(replacement, template)


def replace_text(text: str, find: str, replacement: str, match_case: bool) -> str:
    """Every occurrence of `find` (literal text, not a pattern) replaced."""
    if not find:
        return text
    if match_case:
        return text.replace(find, replacement)
    return re.sub(re.escape(find), lambda _: replacement, text, flags=re.IGNORECASE)


@dataclass(frozen=True)
class Template:
    text: str


@dataclass(frozen=True)
class FindReplace:
    find: str
    replacement: str
    match_case: bool = False


Rule = Template | FindReplace


@dataclass(frozen=True)
class BatchImage:
    """One image the batch may change, as the merchant sees it now."""

    key: str            # the row key the edit names
    position: int       # 1-based place in the grid (storefront order)
    image_file: str
    text: str           # its alt text now ("" for none)


@dataclass(frozen=True)
class Change:
    key: str
    position: int
    before: str
    after: str
    #: The rule made a longer text than the store keeps; `after` was cut to MAX_ALT_TEXT.
    truncated: bool = False


@dataclass(frozen=True)
class Plan:
    changes: tuple[Change, ...]
    considered: int           # images the rule looked at (after "only empty")
    #: Template fields that are not fields ({name}); nothing may be applied while there are.
    unknown: tuple[str, ...] = ()

    @property
    def truncated(self) -> int:
        return sum(change.truncated for change in self.changes)

    def texts(self) -> dict[str, str]:
        """Row key -> new alt text: what `alt_text_edit` takes."""
        return {change.key: change.after for change in self.changes}


def plan(images: Sequence[BatchImage], rule: Rule, *, product: str, sku: str,
         only_empty: bool = False, max_length: int = MAX_ALT_TEXT) -> Plan:
    """What `rule` would make of each image's alt text; images it would not change are left
    out. Results are one line (`clean_alt_text`) and at most `max_length` characters. A blank
    template changes nothing (clearing every alt text is never what an empty field means)."""
    if isinstance(rule, Template) and not rule.text.strip():
        return Plan((), 0)
    unknown = tuple(unknown_fields(rule.text)) if isinstance(rule, Template) else ()
    changes: list[Change] = []
    considered = 0
    for image in images:
        before = image.text or ""
        if only_empty and before.strip():
            continue
        considered += 1
        if isinstance(rule, Template):
            values = {"product": product, "sku": sku, "position": str(image.position),
                      "filename": file_stem(image.image_file)}
            after = expand_template(rule.text, values)
        else:
            after = replace_text(before, rule.find, rule.replacement, rule.match_case)
        after = clean_alt_text(after)
        truncated = len(after) > max_length
        if truncated:
            after = after[:max_length].rstrip()
        if after != before:
            changes.append(Change(image.key, image.position, before, after, truncated))
    return Plan(tuple(changes), considered, unknown)
