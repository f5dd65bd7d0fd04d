from django.apps import AppConfig


class DeclarationsConfig(AppConfig):
    name = "declarations"
    verbose_name = "申报"

    def ready(self) -> None:
        # The export jobs' Celery tasks live with the exports (declarations/exports.py); a
        # worker imports no admin, so they are registered here.
        from . import exports  # noqa: F401
