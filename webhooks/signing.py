"""Secrets and signatures per the Standard Webhooks spec (https://www.standardwebhooks.com).

Each request carries ``webhook-id`` (the delivery's id: the same on every retry),
``webhook-timestamp`` (seconds) and ``webhook-signature``: ``v1,<base64 HMAC-SHA256 of
"id.timestamp.body">``. During a secret rotation the request is signed with both secrets,
space separated, so a receiver still holding the old one keeps verifying.
"""

from __future__ import annotations

import base64
import secrets
from datetime import datetime

from standardwebhooks import Webhook

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def signed_headers(
    *, webhook_id: str, timestamp: datetime, body: str, secrets_: list[str]
) -> dict[str, str]:
    """The three Standard Webhooks headers for ``body``, signed with every secret given."""
    signatures = " ".join(
        Webhook(secret).sign(msg_id=webhook_id, timestamp=timestamp, data=body)
        for secret in secrets_
    )
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": signatures,
    }
