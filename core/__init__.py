"""The platform's kernel: plain plumbing that every app uses and that knows no app.

- API plumbing: ``errors`` (the one error envelope and exception handler), ``parsers`` and ``json_bodies``
  (JSON bodies through orjson), ``ids`` (row ids in requests), ``filtering``, ``pagination``,
  ``throttling``, ``openapi`` (drf-spectacular hooks);
- background work: ``jobs`` (enqueue after commit), ``sweeper`` (stuck jobs resumed by heartbeat);
- ``netguard`` (the SSRF guard for outbound requests), ``requestid`` (request id and request context),
  ``language`` (which of our two languages a page is shown in).

No models and no imports of ``passports``, ``lca``, ``exporters`` or ``config``
(``tests/test_layering.py`` holds it to that): the apps import ``core``, never the other way round.
"""
