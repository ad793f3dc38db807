from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        # The password-change receivers (every process, management commands included) and
        # the OpenAPI description of the token scheme.
        from accounts import schema, signals  # noqa: F401

        signals.connect_signals()
