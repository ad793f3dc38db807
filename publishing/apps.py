from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "publishing"
    verbose_name = "Publishing"

    def ready(self) -> None:
        # Connects the live-read cache invalidation receivers in every process, management
        # commands included, not only once something imports the publishing services.
        from background import sweep
        from publishing.live import invalidation  # noqa: F401
        from publishing.scheduling import hand_on_lost_schedules

        sweep.register("scheduled publishes", hand_on_lost_schedules)
