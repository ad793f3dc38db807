from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"

    def ready(self) -> None:
        from background import sweep
        from webhooks.delivery import hand_on_lost_deliveries

        sweep.register("webhook deliveries", hand_on_lost_deliveries)
