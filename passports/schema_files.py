"""The passport schemas shipped in ``passports/schemas/``: listing, loading, and their examples.

A schema file is named ``<category>-<version>.json`` (``battery-1.0.json``) and carries the same pair in
its ``x-category`` and ``x-version`` keys; examples live in ``schemas/examples/`` as
``<category>-<version>-<what>.json``. Plain Python, no Django: the registry, the validation engine, the
tests and the benchmarks all read the files through this module, so there is one way to find them.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from core.pointers import pointer_tokens

SCHEMA_DIR: Path = Path(__file__).resolve().parent / "schemas"
EXAMPLES_DIR: Path = SCHEMA_DIR / "examples"
BROKEN_DIR: Path = EXAMPLES_DIR / "broken"

# Categories are lower-case words joined by hyphens (``cbam-installation``); versions are dotted numbers.
# The version is matched from the right so that a hyphen inside the category is not mistaken for the split.
_SCHEMA_NAME = re.compile(r"^(?P<category>[a-z][a-z0-9]*(?:-[a-z][a-z0-9]*)*)-(?P<version>[0-9]+(?:\.[0-9]+)*)$")


def iter_schema_files() -> Iterator[tuple[str, str, Path]]:
    """Yield ``(category, version, path)`` for every shipped schema file, sorted by file name."""
    for path in sorted(SCHEMA_DIR.glob("*.json")):
        match = _SCHEMA_NAME.match(path.stem)
        if match is None:
            continue
        yield match["category"], match["version"], path


def schema_path(category: str, version: str) -> Path:
    """Return the path of ``<category>-<version>.json``; ``LookupError`` if no such schema is shipped."""
    for found_category, found_version, path in iter_schema_files():
        if (found_category, found_version) == (category, version):
            return path
    raise LookupError(f"no passport schema {category}/{version} in {SCHEMA_DIR.name}/")


def load_schema(category: str, version: str) -> dict[str, Any]:
    """Return the parsed schema ``category/version``.

    The same dict is returned on every call (the validation engine caches its compiled validators by
    the schema's ``$id`` and recognises the very same object at no cost), so callers must treat it as
    read-only; take a ``copy.deepcopy`` before changing it.
    """
    return _load_schema_cached(category, version)


@lru_cache(maxsize=64)
def _load_schema_cached(category: str, version: str) -> dict[str, Any]:
    path = schema_path(category, version)
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if (schema.get("x-category"), schema.get("x-version")) != (category, version):
        raise ValueError(
            f"{path.name} declares x-category/x-version {schema.get('x-category')}/{schema.get('x-version')}, "
            f"not {category}/{version}"
        )
    return schema


def example_files(category: str | None = None, version: str | None = None) -> list[Path]:
    """Return the shipped valid examples, optionally only those of one category and/or version.

    Broken variants in ``examples/broken/`` are not examples of valid passports and are not listed.
    """
    found: list[Path] = []
    schemas = list(iter_schema_files())
    for path in sorted(EXAMPLES_DIR.glob("*.json")):
        owner = _owning_schema(path.stem, schemas)
        if owner is None:
            continue
        owner_category, owner_version = owner
        if category is not None and owner_category != category:
            continue
        if version is not None and owner_version != version:
            continue
        found.append(path)
    return found


def current_example_files() -> list[Path]:
    """Return the examples a new passport would be made from: of each example kind, its newest schema version's.

    An example's kind is its name after ``<category>-<version>-`` (``ev-pack``). When a schema gains a version,
    its examples are shipped again under the new version and the old files stay (an old version must remain
    checkable against its own examples), so the demo seeds only the newest of each kind.
    """
    newest: dict[tuple[str, str], tuple[tuple[int, ...], Path]] = {}
    for path in example_files():
        category, version = example_schema(path)
        kind = path.stem[len(f"{category}-{version}-") :]
        rank = version_key(version)
        if (category, kind) not in newest or rank > newest[(category, kind)][0]:
            newest[(category, kind)] = (rank, path)
    return sorted(path for _rank, path in newest.values())


def version_key(version: str) -> tuple[int, ...]:
    """A schema version as numbers, so that ``1.10`` sorts after ``1.9``."""
    return tuple(int(part) for part in version.split("."))


def example_schema(path: Path) -> tuple[str, str]:
    """Return ``(category, version)`` of the schema an example file belongs to, from its name."""
    owner = _owning_schema(path.stem, list(iter_schema_files()))
    if owner is None:
        raise LookupError(f"{path.name} does not start with the name of a shipped schema")
    return owner


def _owning_schema(stem: str, schemas: list[tuple[str, str, Path]]) -> tuple[str, str] | None:
    # The longest matching prefix wins, so ``espr-core-1.0-x`` is never taken for a category ``espr``.
    best: tuple[str, str] | None = None
    best_length = -1
    for category, version, _path in schemas:
        prefix = f"{category}-{version}-"
        if stem.startswith(prefix) and len(prefix) > best_length:
            best, best_length = (category, version), len(prefix)
    return best


@dataclass(frozen=True)
class BrokenVariant:
    """A deliberately broken copy of a shipped example and the issues it must raise.

    Stored in ``examples/broken/`` as the example's file name, a list of RFC 6902 operations (``add``,
    ``remove``, ``replace``) that break it, and the expected ``{"pointer", "rule"}`` pairs, so the tests
    and the benchmark read the same cases and a reader sees each mistake beside its expected report.
    """

    path: Path
    category: str
    version: str
    description: str
    data: Any
    expected: frozenset[tuple[str, str]]


def broken_files(category: str | None = None, version: str | None = None) -> list[Path]:
    """Return the broken variants, optionally only those of one category and/or version."""
    schemas = list(iter_schema_files())
    found: list[Path] = []
    for path in sorted(BROKEN_DIR.glob("*.json")):
        owner = _owning_schema(path.stem, schemas)
        if owner is None:
            continue
        if category is not None and owner[0] != category:
            continue
        if version is not None and owner[1] != version:
            continue
        found.append(path)
    return found


def load_broken_variant(path: Path) -> BrokenVariant:
    """Return the broken variant stored at ``path``: its example with the operations applied."""
    spec = json.loads(path.read_text(encoding="utf-8"))
    example = EXAMPLES_DIR / spec["example"]
    category, version = example_schema(example)
    data = apply_operations(json.loads(example.read_text(encoding="utf-8")), spec["operations"])
    expected = frozenset((item["pointer"], item["rule"]) for item in spec["expected"])
    return BrokenVariant(path, category, version, spec.get("description", ""), data, expected)


def apply_operations(document: Any, operations: list[dict[str, Any]]) -> Any:
    """Apply RFC 6902 ``add``, ``remove`` and ``replace`` operations to a copy of ``document``.

    Only these three are needed to break an example; any other operation raises ``ValueError``.
    """
    result = copy.deepcopy(document)
    for operation in operations:
        op, tokens = operation["op"], pointer_tokens(operation["path"])
        if not tokens:
            raise ValueError("operations on the whole document are not supported")
        parent = result
        for token in tokens[:-1]:
            parent = parent[int(token)] if isinstance(parent, list) else parent[token]
        last = tokens[-1]
        if isinstance(parent, list):
            index = len(parent) if last == "-" else int(last)
            if op == "add":
                parent.insert(index, copy.deepcopy(operation["value"]))
            elif op == "replace":
                parent[index] = copy.deepcopy(operation["value"])
            elif op == "remove":
                del parent[index]
            else:
                raise ValueError(f"unsupported operation {op!r}")
        elif op in ("add", "replace"):
            if op == "replace" and last not in parent:
                raise ValueError(f"replace of a missing member {operation['path']}")
            parent[last] = copy.deepcopy(operation["value"])
        elif op == "remove":
            del parent[last]
        else:
            raise ValueError(f"unsupported operation {op!r}")
    return result
