"""Fixtures of the review tests: the cast of ``tests.reviews.scenario``."""

from tests.reviews.scenario import editor, live, publisher, reviewer, stranger, viewer  # noqa: F401
