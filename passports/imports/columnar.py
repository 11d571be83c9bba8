"""Judging a batch column by column: converting cells, and checking values with a model field's own rules.

Every rule of a field is the field's: its ``clean`` (type, blank, choices, validators) says whether a value
passes and in which words it fails. What this module adds is how often it is asked:

- a cell is converted by a vectorised reader where it is plain (``12.5``, ``7``, ``true``, text); any other
  cell goes through ``columns.convert``, which gives its value or the message saying why it is not one;
- a column of few distinct values (units, stages, gases, ratings, GTINs repeated over a million rows) is
  judged once per distinct value by ``field.clean`` and the verdicts are mapped back by dictionary indices;
- a column of mostly distinct values (amounts, free text) is checked by a mask read off the field's
  declaration (``max_length``, ``blank``, ``max_digits``/``decimal_places``, a ``MinValueValidator(0)``): a
  value inside the mask passes ``clean`` by construction, and only values outside it are given to ``clean``,
  which decides and words the message.

So a rule is written once, in the model; a failing row gets its message from the same place the web form
gets it, and only failing rows pay for one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from django.core import validators as django_validators
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation

from passports.imports.batches import WHITESPACE
from passports.imports.columns import _TRUE, _WORDS, CellError, HeaderMap, Node, convert
from passports.imports.formats import NumberFormat

MEMO_LIMIT = 100_000


@dataclass
class Column:
    """One field's column of a batch: the value of each row (Python objects, or an Arrow array while every
    value is plain), whether the row gave one, and the rows whose cell could not be read (with the message)."""

    name: str
    values: pa.Array
    present: np.ndarray
    failed: dict[int, tuple[str, str]] = field(default_factory=dict)


def trimmed(column: pa.Array) -> pa.Array:
    """Cells as a person reads them: surrounding white space (Python's definition) removed."""
    return pc.utf8_trim(column, characters=WHITESPACE)


def read_column(raw: pa.Array, leaf: Node, numbers: NumberFormat) -> Column:
    """Convert one text column for ``leaf``: plain cells by vectorised kernels, the rest by ``convert``."""
    text = trimmed(raw)
    present = np.asarray(pc.not_equal(pc.utf8_length(text), 0), dtype=bool)
    kind = leaf.type
    if kind == "string":
        return Column(leaf.name, text, present)
    plain = _plain_mask(text, kind, numbers) & present
    values: pa.Array
    if kind == "decimal":
        values = text if numbers.decimal == "." else pc.replace_substring(text, ",", ".")
    elif kind == "integer":
        values = pc.if_else(pa.array(plain), text, pa.scalar("0")).cast(pa.int64())
    elif kind == "boolean":
        values = pc.is_in(pc.utf8_lower(text), value_set=pa.array(sorted(_TRUE)))
    else:
        values = pa.array([None] * len(text), pa.null())
    column = Column(leaf.name, values, present)
    other = np.flatnonzero(present & ~plain)
    if len(other):
        _convert_rest(column, text, other, leaf, numbers)
    return column


def _plain_mask(text: pa.Array, kind: str, numbers: NumberFormat) -> np.ndarray:
    if kind == "decimal":
        pattern = r"^[+-]?[0-9]+(\.[0-9]+)?$" if numbers.decimal == "." else r"^[+-]?[0-9]+(,[0-9]+)?$"
    elif kind == "integer":
        pattern = r"^[0-9]+$"
    elif kind == "boolean":
        return np.asarray(pc.is_in(pc.utf8_lower(text), value_set=pa.array(sorted(_WORDS))), dtype=bool)
    else:
        return np.zeros(len(text), dtype=bool)
    return np.asarray(pc.match_substring_regex(text, pattern), dtype=bool)


def _convert_rest(column: Column, text: pa.Array, rows: np.ndarray, leaf: Node, numbers: NumberFormat) -> None:
    """Cells the vectorised reader left: ``convert`` gives the value, or the message of a cell that is none."""
    title = (leaf.title_en, leaf.title_ko)
    values = column.values.to_pylist()
    cells = text.take(pa.array(rows, pa.int64())).to_pylist()
    for row, cell in zip(rows.tolist(), cells, strict=True):
        try:
            value = convert(cell, leaf, numbers, title)
        except CellError as exc:
            column.failed[row] = (exc.message_en, exc.message_ko)
            column.present[row] = False
            values[row] = None
            continue
        values[row] = str(value) if isinstance(value, Decimal) else value
    column.values = pa.array(values, column.values.type if column.values.type != pa.null() else None)


def read_columns(batch_columns: Sequence[pa.Array], header_map: HeaderMap, numbers: NumberFormat) -> dict[str, Column]:
    """Every resolved column of a flat kind, converted."""
    return {
        resolved.leaf.name: read_column(batch_columns[index], resolved.leaf, numbers)
        for index, _header, resolved in header_map.columns
    }


# --------------------------------------------------------------------------------------------------
# Model fields


def messages_of(exc: ValidationError) -> tuple[str, str]:
    """A validation error's messages, in English and in Korean, as one text each."""
    texts = []
    for language in ("en", "ko"):
        with translation.override(language):
            texts.append(" ".join(str(message) for message in exc.messages))
    return texts[0], texts[1]


class FieldJudge:
    """A model field's ``clean`` over whole columns.

    ``judge`` returns, for each row, whether the value passes, the cleaned values (as an Arrow array where
    the field allows) and the message of each row that fails. Verdicts on distinct values are remembered for
    the run (a field's verdict depends on the value alone).
    """

    def __init__(self, model_field: models.Field[Any, Any]) -> None:
        self.field = model_field
        self.memo: dict[Any, tuple[Any, tuple[str, str] | None]] = {}
        self.mask = _declared_mask(model_field)

    def clean(self, value: Any) -> tuple[Any, tuple[str, str] | None]:
        found = self.memo.get(value)
        if found is not None:
            return found
        try:
            verdict: tuple[Any, tuple[str, str] | None] = (self.field.clean(value, None), None)
        except ValidationError as exc:
            verdict = (None, messages_of(exc))
        if len(self.memo) < MEMO_LIMIT:
            self.memo[value] = verdict
        return verdict

    def judge(
        self, values: pa.Array, present: np.ndarray, default: Any
    ) -> tuple[np.ndarray, pa.Array | list[Any], dict[int, tuple[str, str]]]:
        """(passes, cleaned values, messages of failing rows) for a column; absent rows take ``default``."""
        count = len(values)
        if self.mask is not None and pa.types.is_string(values.type):
            inside = self.mask(values) & present
            absent = ~present
            rest = np.flatnonzero(~inside & ~absent)
            ok = np.ones(count, dtype=bool)
            failed: dict[int, tuple[str, str]] = {}
            if absent.any():
                cleaned_default, error = self.clean(default)
                if error is not None:
                    ok[absent] = False
                    failed.update(dict.fromkeys(np.flatnonzero(absent).tolist(), error))
                values = pc.if_else(pa.array(present), values, pa.scalar(_text(cleaned_default), pa.string()))
            if len(rest):
                for row, value in zip(rest.tolist(), values.take(pa.array(rest, pa.int64())).to_pylist(), strict=True):
                    _cleaned, error = self.clean(_typed_value(self.field, value))
                    if error is not None:
                        ok[row] = False
                        failed[row] = error
            return ok, values, failed
        encoded = pc.dictionary_encode(pc.if_else(pa.array(present), values, pa.scalar(None, values.type)))
        distinct = encoded.dictionary.to_pylist()
        table = [self.clean(_typed_value(self.field, value)) for value in distinct]
        table.append(self.clean(default))
        indices = np.asarray(encoded.indices.fill_null(len(distinct)), dtype=np.int64)
        passes = np.array([error is None for _, error in table], dtype=bool)[indices]
        failed = {row: table[indices[row]][1] for row in np.flatnonzero(~passes).tolist()}
        try:
            cleaned: pa.Array | list[Any] = pa.array([value for value, _ in table]).take(pa.array(indices))
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            cleaned = [table[index][0] for index in indices.tolist()]
        return passes, cleaned, failed


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _typed_value(model_field: models.Field[Any, Any], value: Any) -> Any:
    if isinstance(model_field, models.DecimalField) and isinstance(value, str):
        try:
            return Decimal(value)
        except ArithmeticError:
            return value
    return value


def _length_mask(limit: int) -> Callable[[pa.Array], np.ndarray]:
    return lambda values: np.asarray(pc.less_equal(pc.utf8_length(values), limit), dtype=bool)


def _declared_mask(model_field: models.Field[Any, Any]) -> Callable[[pa.Array], np.ndarray] | None:
    """A vectorised test that a text value passes ``model_field.clean``, read off its declaration; None when
    the field's rules cannot be read that way (choices, other validators): then distinct values are judged."""
    if getattr(model_field, "choices", None):
        return None
    if isinstance(model_field, models.DecimalField):
        return _decimal_mask(model_field)
    if isinstance(model_field, models.CharField | models.TextField):
        return _text_mask(model_field)
    return None


def _decimal_mask(model_field: models.DecimalField) -> Callable[[pa.Array], np.ndarray] | None:
    """Plain decimals within the field's digits; no minus sign where a ``MinValueValidator(0)`` stands."""
    whole = model_field.max_digits - model_field.decimal_places
    sign = "[+-]?"
    for validator in model_field.validators:
        if isinstance(validator, django_validators.MinValueValidator) and validator.limit_value == 0:
            sign = r"\+?"
        elif not isinstance(validator, django_validators.DecimalValidator):
            return None
    pattern = rf"^{sign}[0-9]{{1,{whole}}}(\.[0-9]{{1,{model_field.decimal_places}}})?$"
    return lambda values: np.asarray(pc.match_substring_regex(values, pattern), dtype=bool)


def _text_mask(model_field: models.CharField | models.TextField) -> Callable[[pa.Array], np.ndarray] | None:
    """Text within ``max_length``, without NUL characters, not empty unless the field may be blank."""
    known: list[Callable[[pa.Array], np.ndarray]] = []
    for validator in model_field.validators:
        if isinstance(validator, django_validators.MaxLengthValidator):
            known.append(_length_mask(validator.limit_value))
        elif isinstance(validator, django_validators.ProhibitNullCharactersValidator):
            known.append(lambda values: ~np.asarray(pc.match_substring(values, "\x00"), dtype=bool))
        else:
            return None
    blank = model_field.blank

    def mask(values: pa.Array) -> np.ndarray:
        inside = np.ones(len(values), dtype=bool) if blank else np.asarray(pc.not_equal(values, ""), dtype=bool)
        for check in known:
            inside &= check(values)
        return inside

    return mask
