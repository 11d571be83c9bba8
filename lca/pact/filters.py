"""PACT filters as conditions of the list's SQL: v3's query parameters (also a v3 request's criteria), v2's
``$filter`` subset, and a v2 request's footprint-by-example.

One translation serves the list and the answer to a ``RequestCreated`` event, so a request for ``DE`` is
answered by exactly what ``/3/footprints?geography=DE`` lists, and a request for ``Deprecated`` footprints by
the deprecated ones.

Values the specification's parameter schema forbids (a ``companyId`` that is no URN, a ``status`` outside
the enum, a geography that is no code) match nothing rather than being refused: the conformance tool sends
them as "negative" cases and expects an empty list. A date that does not parse is still refused, since
nothing sensible can be matched against it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from lca.pact import listing
from lca.pact.geography import covered
from lca.pact.mapping import urn_match_key
from lca.pact.models import PactFootprint

URN_COLUMNS: Final = {
    "productId": "product_ids_key",
    "companyId": "company_ids_key",
    "classification": "classifications_key",
}
V3_CRITERIA: Final = (*URN_COLUMNS, "geography", "status", "validOn", "validAfter", "validBefore")
CPC_URN: Final = "urn:pact:productclassification:un-cpc:"


class FilterError(ValueError):
    """A filter that cannot be read; the message names the parameter and what was expected."""


def values_of(raw: Any) -> list[str]:
    """A parameter's values: a repeated query parameter, or an event criterion given as a string or a list."""
    if raw is None:
        return []
    items = raw if isinstance(raw, list | tuple) else [raw]
    return [str(item).strip() for item in items if isinstance(item, str | int) and str(item).strip()]


def moment(name: str, raw: str) -> datetime:
    # A "+" in a query string arrives as a space.
    parsed = parse_datetime(raw.strip().replace(" ", "+"))
    if parsed is None:
        raise FilterError(f"{name} must be an RFC 3339 date-time, not {raw!r}.")
    return parsed if parsed.tzinfo else timezone.make_aware(parsed, UTC)


def _nothing(conditions: listing.Conditions) -> None:
    conditions.add("1 = 0")


def _urn_conditions(conditions: listing.Conditions, criteria: Mapping[str, Any]) -> None:
    for name, column in URN_COLUMNS.items():
        given = values_of(criteria.get(name))
        if given:
            urns = [urn_match_key(v) for v in given if v.lower().startswith("urn:")]
            if urns:
                listing.containing_any(conditions, column, urns)
            else:
                _nothing(conditions)


def geography_condition(conditions: listing.Conditions, values: list[str]) -> None:
    """Footprints declared for a place inside any of ``values``: a country matches footprints of that country
    and of its subdivisions (``geography`` holds the country of both), a subdivision matches footprints of
    that subdivision, a region its countries'."""
    countries: set[str] = set()
    subdivisions: set[str] = set()
    for value in values:
        inside, parts = covered(value)
        countries |= inside
        subdivisions |= parts
    clauses, params = [], []
    for name, wanted in (("geography", sorted(countries)), ("geography_subdivision", sorted(subdivisions))):
        if wanted:
            clauses.append(f"{listing.column(name)} IN ({listing.placeholders(wanted)})")
            params.extend(wanted)
    if clauses:
        conditions.any_of(clauses, params)
    else:
        _nothing(conditions)


def _validity_conditions(conditions: listing.Conditions, criteria: Mapping[str, Any]) -> None:
    start, end = listing.column("validity_start"), listing.column("validity_end")
    for value in values_of(criteria.get("validOn"))[:1]:
        on = listing.moment_param(moment("validOn", value))
        conditions.add(f"{start} <= %s AND {end} >= %s", on, on)
    for value in values_of(criteria.get("validAfter"))[:1]:
        conditions.add(f"{start} > %s", listing.moment_param(moment("validAfter", value)))
    for value in values_of(criteria.get("validBefore"))[:1]:
        conditions.add(f"{end} < %s", listing.moment_param(moment("validBefore", value)))


def _status_condition(conditions: listing.Conditions, values: list[str]) -> None:
    known = {"active": str(PactFootprint.Status.ACTIVE), "deprecated": str(PactFootprint.Status.DEPRECATED)}
    wanted = sorted({known[v.lower()] for v in values if v.lower() in known})
    if wanted:
        conditions.add(f"{listing.column('status')} IN ({listing.placeholders(wanted)})", *wanted)
    else:
        _nothing(conditions)


def v3_conditions(conditions: listing.Conditions, criteria: Mapping[str, Any]) -> None:
    """v3 ``ListFootprints`` filters (and request criteria): a repeated parameter ORs its values, different
    parameters AND. ``criteria`` maps a parameter name to its raw value(s)."""
    _urn_conditions(conditions, criteria)
    geographies = values_of(criteria.get("geography"))
    if geographies:
        geography_condition(conditions, geographies)
    _validity_conditions(conditions, criteria)
    statuses = values_of(criteria.get("status"))
    if statuses:
        _status_condition(conditions, statuses)


def has_v3_criteria(data: Mapping[str, Any]) -> bool:
    return any(values_of(data.get(name)) for name in V3_CRITERIA)


# -- v2 ``$filter`` ---------------------------------------------------------------------------------------------
# v2.3 §6.6.3 (filtering): OData v4 expressions, ``eq`` on productIds, companyIds, productCategoryCpc and the
# pcf/geography properties, ``ge``/``lt`` (and their siblings) on created and updated, joined by ``and``;
# list properties through ``any``.

_TOKEN: Final = re.compile(r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<punct>[()/:])|(?P<word>[A-Za-z_][A-Za-z0-9_]*))")
_TIME_COLUMNS: Final = {"created": "created_at", "updated": "updated_at"}
_LISTS: Final = {"productIds": "product_ids_key", "companyIds": "company_ids_key"}
_GEOGRAPHY: Final = ("geographyCountry", "geographyCountrySubdivision", "geographyRegionOrSubregion")
_COMPARISONS: Final = ("eq", "lt", "le", "gt", "ge")


@dataclass
class _Tokens:
    items: list[tuple[str, str]]
    at: int = 0

    def peek(self) -> tuple[str, str] | None:
        return self.items[self.at] if self.at < len(self.items) else None

    def take(self, kind: str | None = None, text: str | None = None) -> str:
        token = self.peek()
        if token is None or (kind and token[0] != kind) or (text and token[1] != text):
            wanted = text or kind or "more"
            found = repr(token[1]) if token else "the end"
            raise FilterError(f"$filter: expected {wanted!r}, found {found}.")
        self.at += 1
        return token[1]


def _tokens(text: str) -> _Tokens:
    items: list[tuple[str, str]] = []
    at = 0
    while at < len(text):
        if text[at:].strip() == "":
            break
        match = _TOKEN.match(text, at)
        if match is None:
            raise FilterError(f"$filter: cannot read {text[at:].strip()[:30]!r}.")
        kind = match.lastgroup or ""
        value = match.group(kind)
        items.append((kind, value[1:-1].replace("''", "'") if kind == "string" else value))
        at = match.end()
    return _Tokens(items)


def _whole_second_bounds(op: str, at: datetime) -> tuple[str, datetime]:
    """Compare the stored time as the document shows it (to the second) with ``at``: the document's
    ``created`` is ``floor(created_at)``, so ``floor(x) >= t`` is ``x >= ceil(t)`` and so on."""
    floor = at.replace(microsecond=0)
    ceil = floor if floor == at else floor + timedelta(seconds=1)
    return {
        "ge": (">=", ceil),
        "gt": (">=", floor + timedelta(seconds=1)),
        "lt": ("<", ceil),
        "le": ("<", floor + timedelta(seconds=1)),
    }[op]


def _any_condition(tokens: _Tokens, conditions: listing.Conditions, name: str) -> None:
    """``productIds/any(p:(p eq 'urn:...'))``: the list holds that value."""
    tokens.take("punct", "(")
    variable = tokens.take("word")
    tokens.take("punct", ":")
    nested = tokens.peek() == ("punct", "(")
    if nested:
        tokens.take("punct", "(")
    if tokens.take("word") != variable or tokens.take("word") != "eq":
        raise FilterError(f"$filter: {name}/any takes '{variable} eq <value>'.")
    value = tokens.take("string")
    if nested:
        tokens.take("punct", ")")
    tokens.take("punct", ")")
    listing.containing_any(conditions, _LISTS[name], [urn_match_key(value)])


def _time_condition(conditions: listing.Conditions, name: str, op: str, value: str) -> None:
    at = moment(f"$filter {name}", value)
    column = listing.column(_TIME_COLUMNS[name])
    if op == "eq":
        floor = at.replace(microsecond=0)
        if floor != at:
            _nothing(conditions)
            return
        after = floor + timedelta(seconds=1)
        conditions.add(f"{column} >= %s AND {column} < %s", listing.moment_param(floor), listing.moment_param(after))
        return
    sql_op, bound = _whole_second_bounds(op, at)
    conditions.add(f"{column} {sql_op} %s", listing.moment_param(bound))


def _comparison(tokens: _Tokens, conditions: listing.Conditions) -> None:
    path = [tokens.take("word")]
    while tokens.peek() == ("punct", "/"):
        tokens.take("punct", "/")
        path.append(tokens.take("word"))
    dotted = "/".join(path)
    if len(path) == 2 and path[0] in _LISTS and path[1] == "any":
        _any_condition(tokens, conditions, path[0])
        return
    op = tokens.take("word")
    if op not in _COMPARISONS:
        raise FilterError(f"$filter: {op!r} is not one of {', '.join(_COMPARISONS)}.")
    value = tokens.take("string")
    if dotted in _TIME_COLUMNS:
        _time_condition(conditions, dotted, op, value)
    elif op != "eq":
        raise FilterError(f"$filter: {dotted} is compared with 'eq' only.")
    elif dotted == "productCategoryCpc":
        listing.containing_any(conditions, "classifications_key", [CPC_URN + value.lower()])
    elif len(path) == 2 and path[0] == "pcf" and path[1] in _GEOGRAPHY:
        geography_condition(conditions, [value])
    else:
        raise FilterError(f"$filter: filtering on {dotted!r} is not supported.")


def v2_filter_conditions(conditions: listing.Conditions, text: str) -> None:
    """Add the conditions of a v2 ``$filter`` expression; ``FilterError`` names what cannot be read."""
    tokens = _tokens(text)
    if tokens.peek() is None:
        return
    _comparison(tokens, conditions)
    while tokens.peek() is not None:
        if tokens.take("word") != "and":
            raise FilterError("$filter: expressions are joined by 'and'.")
        _comparison(tokens, conditions)


# -- v2 request by example --------------------------------------------------------------------------------------


def v2_example_criteria(pf: Mapping[str, Any]) -> dict[str, Any]:
    """A v2 ``RequestCreated``'s ``data.pf`` (a partial ProductFootprint) as v3 criteria: the footprints asked
    for are those that agree with every property the example gives."""
    criteria: dict[str, Any] = {}
    if values_of(pf.get("productIds")):
        criteria["productId"] = values_of(pf.get("productIds"))
    if values_of(pf.get("companyIds")):
        criteria["companyId"] = values_of(pf.get("companyIds"))
    cpc = values_of(pf.get("productCategoryCpc"))
    if cpc:
        criteria["classification"] = [CPC_URN + c for c in cpc]
    pcf: Mapping[str, Any] = pf["pcf"] if isinstance(pf.get("pcf"), dict) else {}
    geographies = [g for key in _GEOGRAPHY for g in values_of(pcf.get(key))]
    if geographies:
        criteria["geography"] = geographies
    if values_of(pf.get("status")):
        criteria["status"] = values_of(pf.get("status"))
    return criteria


def request_criteria(version: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """The v3 criteria of a request event's data, whichever version it came in."""
    if version == "2":
        pf = data.get("pf")
        return v2_example_criteria(pf) if isinstance(pf, dict) else {}
    return {name: data[name] for name in V3_CRITERIA if name in data}


def check_criteria(criteria: Mapping[str, Any]) -> None:
    """Raise ``FilterError`` for criteria that cannot be read (a date that does not parse)."""
    v3_conditions(listing.Conditions(), criteria)


def describe(criteria: Mapping[str, Any]) -> str:
    return "; ".join(f"{name}={','.join(values_of(value))}" for name, value in criteria.items()) or "(none)"


def sharing_rows(criteria: Mapping[str, Any], shares: listing.Shares, *, document: str) -> list[tuple[int, str]]:
    """``(row id, document as JSON text)`` of the footprints shared under ``shares`` that meet ``criteria``."""
    conditions = listing.Conditions()
    shares.limit(conditions)
    conditions.add(f"{listing.column(document)} IS NOT NULL")
    v3_conditions(conditions, criteria)
    return [(pk, text) for _created, pk, text in listing.page(conditions, document=document, limit=1000)]
