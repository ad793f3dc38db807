"""Signals sent by the publishing services - only after the transaction commits."""

from django.dispatch import Signal

# Sent with sender=PublishRecord, record=<PublishRecord>, agent=<Agent>.
agent_published = Signal()
