"""API fields whose values are read by the domain's own parsers.

The parsers (``publishing.inputs``, ``agents.validation`` ...) raise Django's
``ValidationError`` and serve the pages' forms as well, so the API and the pages refuse an
input in the same words. Such a field carries a hand-written schema (``extend_schema_field``
on the subclass), since drf-spectacular cannot see what the parser accepts.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from rest_framework import serializers


def field_error(exc: ValidationError) -> serializers.ValidationError:
    """A parser's refusal, as the serializer field's own: its messages, without the name the
    parser filed them under (the field's place in the answer names it)."""
    return serializers.ValidationError(
        [message for messages in exc.message_dict.values() for message in messages]
    )


class ParsedField(serializers.Field):
    """A field read by ``parse`` and answered as it is, unless a subclass says otherwise."""

    def parse(self, data: Any) -> Any:
        raise NotImplementedError

    def to_internal_value(self, data: Any) -> Any:
        try:
            return self.parse(data)
        except ValidationError as exc:
            raise field_error(exc) from None

    def to_representation(self, value: Any) -> Any:
        return value
