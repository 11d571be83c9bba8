"""The kinds of file an organization can import, each with its columns, natural key and row handler.

- ``products``: one row per product, by GTIN;
- one kind per passport schema (``battery``, ``espr-core``, ``textile``, ``steel``, ``cbam-installation``):
  one row per passport (or one row per item of a repeated group), by GTIN + lot + serial, columns from the
  schema's latest version;
- the kinds other apps register with ``register_kind`` when they start: the LCA app's ``activity-data``
  and ``bom-lines`` (``lca.imports``), one row per activity (product, stage, process, source) or per
  component line. A hook rather than an import, so ``passports`` stays below ``lca``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from passports import identifiers
from passports.imports.columns import ColumnTree, Node
from passports.imports.rows import PassportRows, ProductRows, RowHandler
from passports.schema_files import example_files, iter_schema_files, load_schema


@dataclass(frozen=True)
class Kind:
    """One importable kind: its name, titles, columns, the columns it cannot do without, its handler."""

    name: str
    title_en: str
    title_ko: str
    tree: ColumnTree
    handler: RowHandler
    key_columns: tuple[str, ...]
    examples: tuple[dict[str, Any], ...] = field(default=())

    def group_key(self, cells: list[Any], indexes: dict[str, int]) -> tuple[str, ...] | None:
        """The natural key of a row from its key columns, for gathering one-row-per-item groups."""
        key = tuple(
            str(cells[indexes[name]]).strip() if name in indexes and indexes[name] < len(cells) else ""
            for name in self.key_columns
        )
        return key if any(key) else None


def _example_gtin(body: str) -> str:
    return body + str(identifiers.gs1_check_digit(body))


PRODUCT_NODES: tuple[Node, ...] = (
    Node(
        "gtin",
        "GTIN",
        "GTIN(국제거래단품식별코드)",
        required=True,
        description="GS1 GTIN-8/12/13/14",
        description_ko="GS1 GTIN-8/12/13/14",
        check="gtin",
    ),
    Node("name", "Name (English)", "제품명(영어)", required=True),
    Node("name_ko", "Name (Korean)", "제품명(한국어)"),
    Node("description", "Description (English)", "설명(영어)"),
    Node("description_ko", "Description (Korean)", "설명(한국어)"),
    Node(
        "category",
        "Category",
        "범주",
        required=True,
        description="battery, textile, steel, espr-core... (or the Korean name: 배터리, 섬유, 철강)",
        description_ko="battery, textile, steel, espr-core 등 스키마 범주(배터리, 섬유, 철강처럼 한국어 이름도 가능)",
        check="category",
    ),
    Node(
        "cn_code",
        "CN code",
        "CN 코드(품목번호)",
        description="8-digit EU Combined Nomenclature code",
        description_ko="EU 통합품목분류(CN) 8자리 코드",
        check="cn_code",
    ),
    Node("brand", "Brand", "브랜드"),
    Node("model_name", "Model", "모델명"),
    Node("facility_gln", "Manufacturing facility (GLN)", "제조 사업장(GLN)", check="gln"),
    Node("expected_lifetime_years", "Expected lifetime (years)", "기대 수명(년)", type="integer"),
)

PRODUCT_EXAMPLE: dict[str, Any] = {
    "gtin": _example_gtin("880123456789"),
    "name": "LFP battery pack 48 V",
    "name_ko": "LFP 배터리 팩 48 V",
    "description": "Stationary storage module",
    "description_ko": "고정형 에너지 저장 모듈",
    "category": "battery",
    "cn_code": "85076000",
    "brand": "Hanbit",
    "model_name": "HB-48-100",
    "expected_lifetime_years": 15,
}

PASSPORT_KEY_NODES: tuple[Node, ...] = (
    Node(
        "gtin",
        "GTIN",
        "GTIN(국제거래단품식별코드)",
        required=True,
        description="the product's GTIN",
        description_ko="제품의 GTIN",
        check="gtin",
    ),
    Node(
        "lot",
        "Lot or batch number",
        "로트(배치) 번호",
        description="empty for a model passport",
        description_ko="모델 여권은 비워 둠",
    ),
    Node(
        "serial",
        "Serial number",
        "일련번호",
        description="for an item passport",
        description_ko="개별 제품 여권에 기재",
    ),
)


def latest_schemas() -> dict[str, str]:
    """Each shipped schema category with its highest version."""
    latest: dict[str, str] = {}
    for category, version, _path in iter_schema_files():
        current = latest.get(category)
        if current is None or _version_key(version) > _version_key(current):
            latest[category] = version
    return latest


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def _passport_kind(category: str, version: str) -> Kind:
    schema = load_schema(category, version)
    examples = []
    for path in example_files(category, version):
        data = json.loads(path.read_text(encoding="utf-8"))
        examples.append({"gtin": _gtin_in(data), **data})
    return Kind(
        name=category,
        title_en=str(schema.get("title", category)),
        title_ko=str(schema.get("x-title-ko", schema.get("title", category))),
        tree=ColumnTree.from_schema(schema, PASSPORT_KEY_NODES),
        handler=PassportRows(category, version),
        key_columns=("gtin", "lot", "serial"),
        examples=tuple(examples),
    )


def _gtin_in(data: dict[str, Any]) -> str:
    for group in ("product_identification", "general_product_information"):
        gtin = (data.get(group) or {}).get("gtin")
        if isinstance(gtin, str):
            return gtin
    return _example_gtin("880123456790")


_REGISTERED: dict[str, Kind] = {}


def register_kind(kind: Kind) -> None:
    """Offer ``kind`` for import alongside the products and passport kinds; an app calls this from its
    ``AppConfig.ready``. Registering a name again replaces the earlier kind (a reloaded app), but a name
    may not shadow a products or passport schema kind."""
    if kind.name == "products" or kind.name in latest_schemas():
        raise ValueError(f"kind {kind.name!r} is already a products or passport schema kind")
    _REGISTERED[kind.name] = kind
    kinds.cache_clear()


@lru_cache(maxsize=1)
def kinds() -> dict[str, Kind]:
    """Every importable kind by name: products, one per passport schema, then the registered ones."""
    found: dict[str, Kind] = {
        "products": Kind(
            name="products",
            title_en="Products",
            title_ko="제품",
            tree=ColumnTree.flat(PRODUCT_NODES),
            handler=ProductRows(),
            key_columns=("gtin",),
            examples=(PRODUCT_EXAMPLE,),
        )
    }
    for category, version in latest_schemas().items():
        found[category] = _passport_kind(category, version)
    found.update(_REGISTERED)
    return found


def kind_get(name: str) -> Kind:
    """The kind named ``name``; ``LookupError`` naming the kinds there are."""
    try:
        return kinds()[name]
    except KeyError:
        raise LookupError(f"unknown kind {name!r}; known: {', '.join(sorted(kinds()))}") from None
