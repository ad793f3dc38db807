"""Login throttling, shared by the token endpoint and the login page."""

from typing import Any

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


class LoginRateThrottle(SimpleRateThrottle):
    """Limits sign-in attempts per client address, at ``DEFAULT_THROTTLE_RATES["login"]``.

    One scope for the API token endpoint and the login page, so switching between the two
    gains a guesser nothing. The rate is read per request (not once at import like DRF's
    throttles), so a settings change - a deployment's environment or a test's override -
    applies at once.
    """

    scope = "login"

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
