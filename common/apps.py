from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "common"
    verbose_name = "审核记录"
    default_auto_field = "django.db.models.BigAutoField"
