"""Reads about an agent that several layers share (pages, API, publishing).

Production is read here only through the ``agent.production`` relation that
``publishing.models`` declares; this app never imports ``publishing``.
"""

from __future__ import annotations

from agents.models import Agent


def has_unpublished_changes(agent: Agent) -> bool:
    """Staging differs from Production (or there is none yet), without building a snapshot.

    Every Staging edit stores the configuration's fingerprint, and Production keeps the one
    it was published with, so this is a comparison of two loaded fields.
    """
    production = agent.production_or_none()
    return production is None or agent.staging.fingerprint != production.fingerprint
