"""JSON from clients, read one way by the API and the pages alike.

``loads_json`` is the one place client JSON is parsed: the API's ``SafeJSONParser`` and the
pages' JSON form fields (``agents.forms.SafeJSONField``) both call it, so a body the API
refuses with 400 is refused by the page too (inline, 400) instead of a 500.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class UnsafeJSON(ValueError):
    """Text that is not JSON this application can hold; the message says why."""


def _refuse_constant(name: str) -> Any:
    raise UnsafeJSON(f"{name} is not valid JSON.")


def loads_json(text: str | bytes) -> Any:
    """Parse JSON text, or raise ``UnsafeJSON`` - never anything else.

    Beyond malformed text, three inputs make the standard library raise something a caller
    would not expect from "invalid JSON", each of which used to be a 500:

    * deep nesting (``[[[[...``) exhausts the parser's recursion (``RecursionError``);
    * an integer of more than 4,300 digits trips Python's int-conversion limit (a plain
      ``ValueError``, not a ``JSONDecodeError``);
    * ``"\\ud800"`` spells a lone surrogate that no UTF-8 text can hold, so it fails later,
      wherever the value is encoded (an error message, a hash, the database, a re-rendered
      page).

    ``NaN`` and ``Infinity`` are refused too: they are not JSON.
    """
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise UnsafeJSON("nested too deeply.") from None
    except UnsafeJSON:
        raise
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, the int digit limit
        raise UnsafeJSON(str(exc)) from None
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except RecursionError:
        raise UnsafeJSON("nested too deeply.") from None
    except UnicodeEncodeError:
        raise UnsafeJSON("lone surrogate (not valid Unicode).") from None
    return data


class SafeJSONParser(JSONParser):
    """JSON where anything ``loads_json`` refuses is a 400 ``ParseError``, never a 500."""

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        raw = stream.read() if stream is not None else b""
        try:
            return loads_json(raw.decode(encoding))
        except (UnsafeJSON, UnicodeDecodeError) as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
