"""Request parsing shared by every API view."""

import json
from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class SafeJSONParser(JSONParser):
    """JSON, where a pathologically nested body or invalid Unicode is a 400, never a 500."""

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - nested too deeply.") from None
        # JSON may spell a lone surrogate (\ud800) that no UTF-8 text can hold: refused here,
        # it cannot reach an error message, a hash or the database and turn into a 500.
        try:
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise ParseError("JSON parse error - lone surrogate (not valid Unicode).") from None
        return data
