"""Fixtures of the review tests: the cast of ``tests.reviews.scenario``, and another
organization's agent for the API tests (``tests.reviews.api_client``)."""

from tests.reviews.api_client import other_agent  # noqa: F401
from tests.reviews.scenario import (  # noqa: F401
    editor,
    live,
    publisher,
    stranger,
    viewer,
)
