"""The API's JSON parser: DRF's ``JSONParser`` reading bodies with orjson (``core.json_bodies``).

Same media type, same ``ParseError`` (``JSON parse error - ...``, answered as ``parse_error`` in the error
envelope) with the same message wherever the standard library refuses the body too; parsing a 10 KB
passport costs a third of what it did, which the validation endpoints and the benchmark rely on.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from core.json_bodies import parse_json


class OrjsonParser(JSONParser):
    """``application/json`` bodies parsed by orjson; see ``core.json_bodies`` for what it refuses."""

    def parse(
        self, stream: IO[Any], media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> Any:
        if not self.strict:
            # STRICT_JSON off asks for NaN and Infinity, which only the standard library reads.
            return super().parse(stream, media_type, parser_context)
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            return parse_json(stream.read(), encoding)
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
