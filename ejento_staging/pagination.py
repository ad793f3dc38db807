"""Page-number pagination that refuses a malformed ``page`` instead of guessing.

DRF reads ``?page=`` as page 1 and ``?page=1&page=2`` as page 2: a client's bug answered
with data it did not ask for. Here both are 400 ``{"page": [...]}``. A page that is not a
whole number, or past the end, stays DRF's 404 "Invalid page." (the documented "no such
page").
"""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


class StrictPageNumberPagination(PageNumberPagination):
    def get_page_number(self, request: Any, paginator: Any) -> Any:
        values = request.query_params.getlist(self.page_query_param)
        if len(values) > 1:
            raise ValidationError({self.page_query_param: ["Give this parameter once."]})
        if values and values[0] == "":
            raise ValidationError(
                {self.page_query_param: ["Must be a page number (1 or more), or left out."]}
            )
        return super().get_page_number(request, paginator)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
        return parameters
