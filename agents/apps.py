from django.apps import AppConfig


class AgentsConfig(AppConfig):
    name = "agents"
    verbose_name = "Agents"

    def ready(self) -> None:
        # `<id:...>` in the pages' URLs: registered before any URLconf is imported.
        from django.urls import register_converter

        from ejento_staging.converters import IdConverter

        register_converter(IdConverter, "id")
