"""The compliance checklist: one row per legal clause the schema cites, judged from the data and its validation.

Every field of our schemas names the provision it comes from (``x-legal``); the validation report names the
clause of each problem (``Issue.legal``). A clause is *missing* when the report has a problem under it,
*met* when the passport holds data for it and no problem, and *not applicable* when its fields are optional
and empty (a new battery has no state-of-health history, Battery Regulation (EU) 2023/1542 Annex XIII(4)).
Evidence is the data itself, shown only where the report's access tier may see it (ESPR Art. 10(1)(d)):
a public report says a clause is met without printing the legitimate-interest values behind it.
Plain Python, no Django.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from exporters.reports.fields import format_value
from exporters.reports.labels import Lang, tier_label, word
from exporters.reports.pdf import Checklist, ChecklistRow
from exporters.reports.pdf.document import ChecklistStatus
from passports.fieldmodel import FieldSpec, is_filled, split_clause, values_at, walk_schema
from passports.tiers import TIERS, tier_rank
from passports.validation import Issue

MAX_EVIDENCE_ITEMS = 2
MAX_EVIDENCE_CHARS = 72  # one value; a URL or a long address is cut so a row stays a few lines high
MAX_REQUIREMENT_TITLES = 4
UNCITED = "—"  # the clause column of problems whose field cites no provision


@dataclass(frozen=True)
class ClauseResult:
    """The verdict on one cited provision, before it is laid out."""

    legal: str
    act: str
    provision: str
    requirement: str
    status: ChecklistStatus
    evidence: str


def _short(text: str) -> str:
    return text if len(text) <= MAX_EVIDENCE_CHARS else text[: MAX_EVIDENCE_CHARS - 1] + "…"


def _bounded(parts: list[str], lang: Lang, limit: int) -> str:
    shown = parts[:limit]
    if len(parts) > limit:
        shown.append(word("more", lang, count=len(parts) - limit))
    return "; ".join(shown)


def _leaf_evidence(members: Sequence[FieldSpec], data: Any, tier: str, lang: Lang) -> tuple[list[str], str | None]:
    """("Title: value" for the visible filled leaves, the lowest tier that would show the hidden ones)."""
    shown: list[str] = []
    hidden_tiers: list[str] = []
    for spec in members:
        if spec.kind == "object":
            continue
        values = [value for value in values_at(data, spec.pattern) if is_filled(value)]
        if not values:
            continue
        if not spec.visible_to(tier):
            hidden_tiers.append(spec.tier)
            continue
        if spec.kind == "array" and all(isinstance(value, list) for value in values):
            flat = [item for value in values for item in value]
            if flat and all(isinstance(item, Mapping) for item in flat):
                shown.append(f"{spec.title(lang)}: {len(flat)}")
                continue
        text = "; ".join(format_value(value, spec.unit, lang) for value in values)
        shown.append(_short(f"{spec.title(lang)}: {text}"))
    known = [name for name in hidden_tiers if name in TIERS]
    lowest = min(known, key=tier_rank) if known else None
    return shown, lowest


def _filled_leaves_under(specs: Sequence[FieldSpec], member: FieldSpec, data: Any) -> int:
    depth = len(member.pattern)
    return sum(
        1
        for spec in specs
        if spec.kind != "object"
        and len(spec.pattern) > depth
        and spec.pattern[:depth] == member.pattern
        and any(is_filled(value) for value in values_at(data, spec.pattern))
    )


def judge_clauses(
    schema: Mapping[str, Any], data: Any, issues: Sequence[Issue], *, tier: str, lang: Lang
) -> list[ClauseResult]:
    """Return one result per distinct ``x-legal`` of ``schema``, in the order the schema first cites them.

    Problems whose field cites no provision are gathered in a last row under ``UNCITED``.
    """
    specs = walk_schema(schema)
    members: dict[str, list[FieldSpec]] = {}
    for spec in specs:
        if spec.own_legal is not None:
            members.setdefault(spec.own_legal, []).append(spec)
    problems: dict[str | None, list[Issue]] = {}
    for issue in issues:
        key = issue.legal if issue.legal in members else None
        problems.setdefault(key, []).append(issue)

    results: list[ClauseResult] = []
    for legal, clause_members in members.items():
        act, provision = split_clause(legal)
        titles = list(dict.fromkeys(spec.title(lang) for spec in clause_members))
        requirement = _bounded(titles, lang, MAX_REQUIREMENT_TITLES)
        status, evidence = _verdict(specs, clause_members, problems.get(legal, []), data, tier=tier, lang=lang)
        results.append(ClauseResult(legal, act, provision, requirement, status, evidence))
    uncited = problems.get(None, [])
    if uncited:
        messages = [_short(_message(issue, lang)) for issue in uncited]
        results.append(
            ClauseResult(UNCITED, UNCITED, UNCITED, UNCITED, "missing", _bounded(messages, lang, MAX_EVIDENCE_ITEMS))
        )
    return results


def _message(issue: Issue, lang: Lang) -> str:
    return issue.message_ko if lang == "ko" else issue.message_en


def _verdict(
    specs: Sequence[FieldSpec],
    members: Sequence[FieldSpec],
    problems: Sequence[Issue],
    data: Any,
    *,
    tier: str,
    lang: Lang,
) -> tuple[ChecklistStatus, str]:
    if problems:
        messages = [_short(_message(issue, lang)) for issue in problems]
        return "missing", _bounded(messages, lang, MAX_EVIDENCE_ITEMS)
    filled = [spec for spec in members if any(is_filled(value) for value in values_at(data, spec.pattern))]
    if not filled:
        return "not_applicable", ""
    shown, hidden_tier = _leaf_evidence(filled, data, tier, lang)
    if shown:
        return "met", _bounded(shown, lang, MAX_EVIDENCE_ITEMS)
    if hidden_tier is not None:
        return "met", word("restricted_evidence", lang, tier=tier_label(hidden_tier, lang))
    # Only containers cite this clause (their fields cite their own): count what they hold.
    counts = [f"{spec.title(lang)}: {_filled_leaves_under(specs, spec, data)}" for spec in filled]
    return "met", _bounded(counts, lang, MAX_EVIDENCE_ITEMS)


def checklists(results: Sequence[ClauseResult]) -> list[Checklist]:
    """Group results by act, one checklist per act, acts in order of first citation."""
    by_act: dict[str, list[ChecklistRow]] = {}
    for result in results:
        clause = result.provision or result.act
        by_act.setdefault(result.act, []).append(
            ChecklistRow(clause=clause, requirement=result.requirement, status=result.status, evidence=result.evidence)
        )
    return [Checklist(rows=rows, title=act) for act, rows in by_act.items()]
