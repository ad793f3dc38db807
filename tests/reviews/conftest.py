"""Fixtures of the review tests: the cast of ``tests.reviews.scenario``."""

from tests.reviews.scenario import (  # noqa: F401
    editor,
    live,
    publisher,
    stranger,
    viewer,
)
