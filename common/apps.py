from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "common"
    verbose_name = "审核记录"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks  # noqa: F401 — registers the field-key checks
