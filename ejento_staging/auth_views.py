"""The login page, throttled like the token endpoint."""

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse

from ejento_staging.throttles import AccountLoginThrottle, LoginRateThrottle, login_username


class ThrottledLoginView(auth_views.LoginView):
    """Django's login page with the API's sign-in limits: per client address and per account."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        throttle = LoginRateThrottle()
        if not throttle.allow_request(request, self):
            return self._too_many(throttle.wait())
        self.account = AccountLoginThrottle(login_username(request.POST))
        wait = self.account.blocked()
        if wait is not None:
            return self._too_many(wait)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: Any) -> HttpResponse:
        self.account.failed()
        return super().form_invalid(form)

    def _too_many(self, wait: float | None) -> HttpResponse:
        # The form is not validated: validating it would check the password.
        messages.error(self.request, "Too many sign-in attempts. Try again in a minute.")
        response = self.render_to_response(
            self.get_context_data(form=self.get_form_class()(self.request)), status=429
        )
        response["Retry-After"] = str(int(wait or 60))
        return response
