"""Fixtures of the review tests: the cast of ``tests.reviews.scenario``."""

from tests.reviews.scenario import (  # noqa: F401
    checks_route,
    editor,
    live,
    publisher,
    stranger,
    viewer,
)
