"""stores.json: a damaged file is kept aside, never overwritten; writes are atomic."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from app.services.store_registry import SavedStore, StoreRegistry, StoresFileUnreadable

SHOP = SavedStore("Shop", "oauth", store_hash="abc123")
OTHER = SavedStore("Other", "basic", store_url="https://store-x.mybigcommerce.com",
                   username="me")


def _registry(tmp_path: Path) -> StoreRegistry:
    return StoreRegistry(tmp_path / "config" / "stores.json")


def test_round_trip_and_replace_in_place(tmp_path: Path) -> None:
    registry = _registry(tmp_path)
    assert registry.load().stores == []
    registry.add(SHOP)
    registry.add(OTHER)
    renamed = SavedStore("Shop (new token)", "oauth", store_hash="def456")
    result = registry.replace(SHOP.store_id, renamed)
    assert result.stores == [renamed, OTHER] == registry.load().stores
    assert result.set_aside is None
    assert registry.remove(OTHER.store_id).stores == [renamed]


@pytest.mark.parametrize("damage", [
    b'{"stores": [{"label": "Shop", "kind": "oauth", "store_ha',   # cut short
    b"\xff\xfe not text",
    b'["a list"]',
    b'{"stores": {"label": "x"}}',
])
def test_a_damaged_file_is_kept_aside_and_never_overwritten(tmp_path: Path,
                                                            damage: bytes) -> None:
    registry = _registry(tmp_path)
    registry.path.parent.mkdir(parents=True)
    registry.path.write_bytes(damage)
    loaded = registry.load()
    assert loaded.stores == []
    assert loaded.set_aside is not None and loaded.problem
    assert loaded.set_aside.name.startswith("stores.json.damaged-")
    assert loaded.set_aside.read_bytes() == damage
    # The next save starts a new list beside the kept one.
    registry.add(SHOP)
    assert registry.load().stores == [SHOP]
    assert loaded.set_aside.read_bytes() == damage


def test_readable_stores_of_a_partly_damaged_file_are_kept(tmp_path: Path) -> None:
    registry = _registry(tmp_path)
    registry.add(SHOP)
    raw = json.loads(registry.path.read_text())
    raw["stores"].append({"label": "Bad", "kind": "oauth",
                          "store_hash": "https://api.bigcommerce.com/stores/x/v3"})
    raw["stores"].append({"label": "Worse", "kind": "telnet"})
    registry.path.write_text(json.dumps(raw))
    original = registry.path.read_bytes()
    loaded = registry.load()
    assert loaded.stores == [SHOP]
    assert loaded.set_aside is not None and loaded.set_aside.read_bytes() == original
    assert "store hash" in loaded.problem


def test_two_damaged_files_in_the_same_second_are_both_kept(tmp_path: Path) -> None:
    registry = _registry(tmp_path)
    registry.path.parent.mkdir(parents=True)
    kept = []
    for damage in (b"{one", b"{two"):
        registry.path.write_bytes(damage)
        kept.append(registry.load().set_aside)
    assert kept[0] != kept[1]
    assert {p.read_bytes() for p in kept if p} == {b"{one", b"{two"}


def test_a_file_that_cannot_be_read_is_not_written_over(tmp_path: Path) -> None:
    registry = _registry(tmp_path)
    registry.path.mkdir(parents=True)  # reading a directory fails like a permission problem
    with pytest.raises(StoresFileUnreadable, match="cannot be read"):
        registry.load()
    with pytest.raises(StoresFileUnreadable):
        registry.add(SHOP)
    assert registry.path.is_dir()


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path: Path,
                                                                  monkeypatch) -> None:
    registry = _registry(tmp_path)
    registry.add(SHOP)
    before = registry.path.read_bytes()

    def disk_full(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError):
        registry.add(OTHER)
    assert registry.path.read_bytes() == before
    assert sorted(p.name for p in registry.path.parent.iterdir()) == ["stores.json"]
