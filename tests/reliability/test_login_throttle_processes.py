"""Sign-in throttling holds across app processes: one budget per address, not one per worker.

gunicorn with 4 workers and production settings, without Redis (the counters then live in
the database) and with it. Sequential wrong passwords from one address, answered by
whichever worker takes each connection, must be refused with 429 once the address's rate
(``LOGIN_THROTTLE_RATE``, 20 a minute) is used up - with counters kept per process, each
worker would have allowed its own 20.
"""

from __future__ import annotations

import pytest

from tests import factories
from tests.reliability.servers import request

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

RATE = 20  # LOGIN_THROTTLE_RATE's default, per minute
ATTEMPTS = 30


def test_wrong_passwords_from_one_address_share_one_budget_across_workers(deployment):
    factories.UserFactory(username="victim")
    deployment.wait_until_serving("/api/v2/nothing", token="-", expect=404)

    statuses = [
        request(
            f"{deployment.base}/api/v2/auth/token",
            token="unused",
            method="POST",
            body={"username": "victim", "password": f"guess {number}"},
        )[0]
        for number in range(ATTEMPTS)
    ]

    assert statuses == [400] * RATE + [429] * (ATTEMPTS - RATE), deployment.output()
    assert len(deployment.worker_pids("/auth/token")) > 1, "one worker answered everything"
