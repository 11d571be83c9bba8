"""How far a passport's data is from what the law asks: field by field, clause by clause, and in one figure.

The validator says what is wrong; a compliance manager also needs to know what is *there*, what is still
*missing* and what does not apply, grouped by the legal clause each field comes from (``x-legal``), so the
readiness cockpit and the per-passport conformance matrix read one assessment made here.

Every data field of the schema (a leaf of the field model: a scalar, or an array of scalars) gets one status:

- ``invalid``: a validation problem other than a missing value points at the field (or inside it);
- ``missing``: the schema requires it and it is absent: required from the root down (*mandatory*), or
  required inside a part that is given (the validator's ``required`` issue points at it or at a required
  part above it);
- ``present``: it holds a value and no problem;
- ``not_applicable``: it is empty and nothing requires it, with the reason: ``optional`` (the schema does not
  ask for it) or ``part_absent`` (it belongs to an optional part, e.g. a repair history, that was not given).

The one figure, *completeness*, is the share of mandatory fields that are present: a valid passport is
100 %. Validation problems the schema cannot pin on a field (a rule about a whole section) are kept per clause.
Plain Python, no Django: the same code runs in the save path, the import and the cockpit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from core.pointers import pointer_tokens
from passports.fieldmodel import ITEM, FieldSpec, is_filled, specs_by_pattern, split_clause, values_at, walk_schema
from passports.validation import Issue

Status = Literal["present", "missing", "invalid", "not_applicable"]
STATUSES: tuple[Status, ...] = ("present", "missing", "invalid", "not_applicable")
UNCITED = ""  # the clause key of fields and problems under no x-legal


@dataclass(frozen=True)
class FieldResult:
    """One data field's verdict."""

    spec: FieldSpec
    status: Status
    reason: str = ""  # for not_applicable: "optional" or "part_absent"
    absent_part: FieldSpec | None = None  # for part_absent: the optional part that was not given
    issues: tuple[Issue, ...] = ()

    @property
    def pointer_pattern(self) -> str:
        """The field as a JSON Pointer pattern (``/materials/*/cas_number``)."""
        return "/" + "/".join(self.spec.pattern)


@dataclass
class ClauseResult:
    """Everything one clause covers: its fields and the problems that name no single field."""

    legal: str
    fields: list[FieldResult] = field(default_factory=list)
    problems: list[Issue] = field(default_factory=list)

    @property
    def act(self) -> str:
        return split_clause(self.legal)[0] if self.legal else ""

    @property
    def provision(self) -> str:
        return split_clause(self.legal)[1] if self.legal else ""

    def count(self, status: Status) -> int:
        return sum(1 for result in self.fields if result.status == status)

    @property
    def blocking(self) -> int:
        """Fields missing or invalid, plus problems about the clause as a whole."""
        return self.count("missing") + self.count("invalid") + len(self.problems)


@dataclass(frozen=True)
class Assessment:
    clauses: tuple[ClauseResult, ...]
    mandatory: int
    mandatory_present: int
    error_count: int

    @property
    def completeness(self) -> int:
        """Percent of mandatory fields present, rounded down (99.6 % is not yet 100 %)."""
        if self.mandatory == 0:
            return 100 if self.error_count == 0 else 0
        return self.mandatory_present * 100 // self.mandatory

    @property
    def fields(self) -> list[FieldResult]:
        return [result for clause in self.clauses for result in clause.fields]

    def gaps(self) -> dict[str, list[int]]:
        """Clause → [missing fields, invalid fields + clause-wide problems], only clauses with a gap.

        This is what the save path stores beside the version, so the cockpit can list missing fields by
        clause for thousands of passports without validating any of them again.
        """
        found: dict[str, list[int]] = {}
        for clause in self.clauses:
            missing, invalid = clause.count("missing"), clause.count("invalid") + len(clause.problems)
            if missing or invalid:
                found[clause.legal] = [missing, invalid]
        return found


@dataclass(frozen=True)
class _Plan:
    """What the assessment needs from a schema, computed once per walked schema."""

    leaves: tuple[FieldSpec, ...]
    index: Mapping[tuple[str, ...], FieldSpec]
    mandatory: frozenset[tuple[str, ...]]


_plans: dict[int, tuple[Sequence[FieldSpec], _Plan]] = {}


def _plan(schema: Mapping[str, Any]) -> _Plan:
    specs = walk_schema(schema)
    cached = _plans.get(id(specs))
    if cached is not None and cached[0] is specs:
        return cached[1]
    index = specs_by_pattern(specs)
    leaves: list[FieldSpec] = []
    for spec in specs:
        if not spec.pattern or spec.kind == "object":
            continue
        if spec.pattern[-1] == ITEM:
            continue  # an array's items: the array (of scalars) or the items' members (of objects) are the fields
        if spec.kind == "array":
            item = index.get((*spec.pattern, ITEM))
            if item is not None and item.kind == "object":
                continue
        leaves.append(spec)
    mandatory = frozenset(spec.pattern for spec in leaves if _required_from(index, (), spec.pattern))
    plan = _Plan(tuple(leaves), index, mandatory)
    if len(_plans) < 64:
        _plans[id(specs)] = (specs, plan)
    return plan


def _required_from(index: Mapping[tuple[str, ...], FieldSpec], top: tuple[str, ...], pattern: tuple[str, ...]) -> bool:
    """Whether every node strictly below ``top`` down to ``pattern`` is required by its parent."""
    return all(index[pattern[:depth]].required for depth in range(len(top) + 1, len(pattern) + 1))


def _pattern_of(pointer: str, index: Mapping[tuple[str, ...], FieldSpec]) -> tuple[str, ...]:
    """The field-model pattern of a concrete JSON Pointer (``/materials/2/cas`` → materials, *, cas).

    Stops at the deepest known node: a member the schema does not know is a problem of its container.
    """
    if not pointer:
        return ()
    pattern: tuple[str, ...] = ()
    for part in pointer_tokens(pointer):
        if (*pattern, part) in index:
            pattern = (*pattern, part)
        elif (*pattern, ITEM) in index and part.isdigit():
            pattern = (*pattern, ITEM)
        else:
            break
    return pattern


def assess(schema: Mapping[str, Any], data: Any, issues: Sequence[Issue]) -> Assessment:
    """Judge every data field of ``data`` (the effective data) against ``schema`` and its validation ``issues``."""
    plan = _plan(schema)
    index = plan.index
    leaf_set = {spec.pattern for spec in plan.leaves}
    # Problems by the pattern they point at; "required" problems apart, since they make fields missing.
    required_at: set[tuple[str, ...]] = set()
    invalid_at: dict[tuple[str, ...], list[Issue]] = {}
    missing_issues: dict[tuple[str, ...], list[Issue]] = {}
    for issue in issues:
        pattern = _pattern_of(issue.pointer, index)
        if issue.rule == "required":
            required_at.add(pattern)
            missing_issues.setdefault(pattern, []).append(issue)
        else:
            invalid_at.setdefault(pattern, []).append(issue)

    clauses: dict[str, ClauseResult] = {}
    claimed: set[tuple[str, ...]] = set()  # problem patterns that landed on a field
    present = 0
    for spec in plan.leaves:
        result = _verdict(
            plan,
            spec,
            data,
            invalid_at=invalid_at,
            required_at=required_at,
            missing_issues=missing_issues,
            claimed=claimed,
        )
        clauses.setdefault(spec.legal or UNCITED, ClauseResult(spec.legal or UNCITED)).fields.append(result)
        if result.status == "present" and spec.pattern in plan.mandatory:
            present += 1

    # Problems no field took (a rule about a whole section, a member the schema does not know).
    for problems in (invalid_at, missing_issues):
        for at, found in problems.items():
            if at in claimed or (at in leaf_set):
                continue
            for issue in found:
                legal = issue.legal or (index[at].legal if at in index else None) or UNCITED
                clauses.setdefault(legal, ClauseResult(legal)).problems.append(issue)
    return Assessment(
        clauses=tuple(clauses.values()),
        mandatory=len(plan.mandatory),
        mandatory_present=present,
        error_count=len(issues),
    )


def _verdict(
    plan: _Plan,
    spec: FieldSpec,
    data: Any,
    *,
    invalid_at: Mapping[tuple[str, ...], list[Issue]],
    required_at: set[tuple[str, ...]],
    missing_issues: Mapping[tuple[str, ...], list[Issue]],
    claimed: set[tuple[str, ...]],
) -> FieldResult:
    """One field's status, in order of precedence: invalid, missing, present, not applicable."""
    pattern = spec.pattern
    inside = [at for at in invalid_at if at[: len(pattern)] == pattern]
    if inside:
        claimed.update(inside)
        return FieldResult(spec, "invalid", issues=tuple(issue for at in inside for issue in invalid_at[at]))
    requiring = [top for top in required_at if pattern[: len(top)] == top and _required_from(plan.index, top, pattern)]
    if requiring:
        claimed.update(requiring)
        return FieldResult(spec, "missing", issues=tuple(i for top in requiring for i in missing_issues.get(top, ())))
    if any(is_filled(value) for value in values_at(data, pattern)):
        return FieldResult(spec, "present")
    if pattern in plan.mandatory:
        return FieldResult(spec, "missing")
    absent = _absent_optional_part(plan.index, pattern, data)
    if absent is None:
        return FieldResult(spec, "not_applicable", reason="optional")
    return FieldResult(spec, "not_applicable", reason="part_absent", absent_part=absent)


def _absent_optional_part(
    index: Mapping[tuple[str, ...], FieldSpec], pattern: tuple[str, ...], data: Any
) -> FieldSpec | None:
    """The outermost optional part above the field that holds nothing, if any (its fields then do not apply)."""
    for depth in range(1, len(pattern)):
        part = pattern[:depth]
        if part[-1] == ITEM:
            continue
        spec = index[part]
        if not spec.required and not any(is_filled(value) for value in values_at(data, part)):
            return spec
    return None


def summary(schema: Mapping[str, Any], data: Any, issues: Sequence[Issue]) -> tuple[int, dict[str, list[int]]]:
    """(completeness %, gaps by clause): what a saved version keeps for the cockpit."""
    assessment = assess(schema, data, issues)
    return assessment.completeness, assessment.gaps()
