"""The login page, throttled like the token endpoint."""

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse

from ejento_staging.throttles import LoginRateThrottle


class ThrottledLoginView(auth_views.LoginView):
    """Django's login page with the API's sign-in rate limit per client address."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        throttle = LoginRateThrottle()
        if not throttle.allow_request(request, self):
            # The form is not validated: validating it would check the password.
            messages.error(request, "Too many sign-in attempts. Try again in a minute.")
            response = self.render_to_response(
                self.get_context_data(form=self.get_form_class()(request)), status=429
            )
            response["Retry-After"] = str(int(throttle.wait() or 60))
            return response
        return super().post(request, *args, **kwargs)
