"""Business rules a JSON Schema cannot state, driven by ``x-`` annotations in the passport schemas.

JSON Schema checks each value on its own; the rules here compare values with each other or with an
outside table: GTIN check digits, shares that must total 100 %, parts that must add up to their total,
dates and limits that must come in order, CN codes that must belong to the schema's product category,
and units that must agree. A schema says where each rule applies, so a new schema version can add or
drop a rule without code:

- ``"x-check": "gtin"`` / ``"x-check": "cn_code"`` on a string field;
- ``"x-sum": {"parts": [...], "total": "...", "relative_tolerance": r, "absolute_tolerance": a}`` on an
  object whose ``total`` member must equal the sum of its ``parts`` members;
- ``"x-shares-total": {"share": "...", "total": 100, "tolerance": t}`` on an array of objects whose
  ``share`` members must add up to ``total`` (percentage points of tolerance);
- ``"x-order": [["earlier", "later"], ...]`` on an object whose members must not decrease;
- ``"x-cn-prefixes"`` at the schema's top level: the CN code prefixes allowed for the category;
- ``"x-rules"`` at the top level: named cross-section rules of one category (``passports.validation.category_rules``).

Plain Python, no Django. The engine (``passports.validation.engine``) runs the plan compiled here after the
schema check and turns each ``Finding`` into an ``Issue`` (adding the legal clause of the schema node).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.pointers import pointer_of
from passports.validation.category_rules import NAMED_RULES
from passports.validation.field_rules import FIELD_CHECKERS
from passports.validation.plan import FieldRule, Finding, RulePlan, expand
from passports.validation.pointers import ANY_ITEM, Path


def compile_rules(schema: Mapping[str, Any]) -> RulePlan:
    """Walk the schema once and collect every annotated node with the data path pattern that reaches it."""
    plan = RulePlan(schema=schema)
    prefixes = schema.get("x-cn-prefixes")
    if isinstance(prefixes, list):
        plan.cn_prefixes = tuple(str(prefix) for prefix in prefixes)
    for name in schema.get("x-rules", ()):
        if name not in NAMED_RULES:
            raise ValueError(f"schema {schema.get('$id')} names an unknown rule {name!r} in x-rules")
        plan.named.append(NAMED_RULES[name])
    _collect(schema, (), plan)
    return plan


def _collect(node: Mapping[str, Any], pattern: Path, plan: RulePlan) -> None:
    check = node.get("x-check")
    if check is not None:
        if check not in ("gtin", "cn_code"):
            raise ValueError(f"unknown x-check {check!r} at {pointer_of(pattern)}")
        plan.field_rules.append(FieldRule(pattern, check, None))
    for keyword, kind in (("x-sum", "sum"), ("x-shares-total", "shares"), ("x-order", "order")):
        if keyword in node:
            plan.field_rules.append(FieldRule(pattern, kind, node[keyword]))
    properties = node.get("properties")
    if isinstance(properties, Mapping):
        for name, child in properties.items():
            if isinstance(child, Mapping):
                _collect(child, (*pattern, name), plan)
    items = node.get("items")
    if isinstance(items, Mapping):
        _collect(items, (*pattern, ANY_ITEM), plan)


def run_rules(plan: RulePlan, data: Any) -> list[Finding]:
    """Return every broken business rule in ``data``, in schema order, then the category's named rules."""
    findings: list[Finding] = []
    for rule in plan.field_rules:
        checker = FIELD_CHECKERS[rule.kind]
        for path, value in expand(data, rule.pattern):
            findings.extend(checker(plan, rule.spec, path, value))
    for named in plan.named:
        findings.extend(named(plan, data))
    return findings
