"""The schema of the offline metadata database, as forward migrations.

`PRAGMA user_version` counts the migrations applied; `MIGRATIONS[n]` turns version n into
n + 1. Append only: a later version adds a step (never edits an old one), and
tests/cache/test_metadata_migrations.py builds every earlier version with its own script and
opens it with the current code. Scripts put no ";" inside comments or strings (they are split
into statements so they run inside the opener's transaction).
"""

from __future__ import annotations

# v1: what was seen of each store: its products and their images.
_V1 = """
CREATE TABLE stores (
    store TEXT PRIMARY KEY,          -- the app's store key (never a credential)
    label TEXT NOT NULL DEFAULT '',  -- the name the merchant knows it by
    last_seen REAL NOT NULL          -- unix time the app last talked to it
);
CREATE TABLE products (
    store TEXT NOT NULL REFERENCES stores (store) ON DELETE CASCADE,
    id INTEGER NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    sku TEXT NOT NULL DEFAULT '',
    image_count INTEGER,             -- NULL until known
    date_modified TEXT,              -- ISO 8601, as the store sent it
    primary_image TEXT,              -- JSON: the product list's picture URLs, or NULL
    extra TEXT NOT NULL DEFAULT '{}',-- JSON: fields this app does not know, kept losslessly
    seen_at REAL NOT NULL,           -- unix time the record was last written
    PRIMARY KEY (store, id)
);
CREATE TABLE images (
    store TEXT NOT NULL,
    product_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    image_file TEXT NOT NULL DEFAULT '',
    zoom_url TEXT,
    thumbnail_url TEXT,
    standard_url TEXT,
    tiny_url TEXT,
    is_thumbnail INTEGER NOT NULL DEFAULT 0,
    sort_order INTEGER NOT NULL DEFAULT 0,
    description TEXT,                -- NULL and '' are different (older images carry null)
    date_created TEXT,               -- ISO 8601
    extra TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (store, product_id, id),
    FOREIGN KEY (store, product_id) REFERENCES products (store, id) ON DELETE CASCADE
);
"""

# v2: offline use. `pinned`: the merchant asked for the product to be kept offline (its
# renditions are pinned in the blob cache too). `synced_at`: when its images were last read
# from the store. The index serves "images of a product in storefront order".
_V2 = """
ALTER TABLE products ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;
ALTER TABLE products ADD COLUMN synced_at REAL;
CREATE INDEX products_pinned ON products (store, id) WHERE pinned = 1;
CREATE INDEX images_in_order ON images (store, product_id, sort_order, id);
"""

#: MIGRATIONS[n] upgrades a database at user_version n to n + 1. Append only.
MIGRATIONS: tuple[str, ...] = (_V1, _V2)
SCHEMA_VERSION = len(MIGRATIONS)
#: The tables a database of SCHEMA_VERSION has; one without them is not ours.
TABLES = frozenset({"stores", "products", "images"})

