"""Validating passport data against its schema: JSON Schema 2020-12 first, then the business rules.

The engine in a folder, so the map can name its parts:

- ``engine``: ``validate`` and ``is_valid``, the ``Issue`` they report, the compiled-schema cache;
- ``rules``: the business rules a JSON Schema cannot state, driven by the schemas' ``x-`` annotations
  (``field_rules`` on one field or object, ``category_rules`` named per category, ``plan`` compiled once
  per schema);
- ``pointers``: JSON Pointers and the schema nodes and names along a data path;
- ``wording``: the messages in English and Korean.

Plain Python, no Django: the web form, the CSV import and the API all call ``validate``.
"""

from passports.validation.engine import Issue, is_valid, validate

__all__ = ["Issue", "is_valid", "validate"]
