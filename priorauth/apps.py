from django.apps import AppConfig


class PriorauthConfig(AppConfig):
    name = "priorauth"
    verbose_name = "Prior authorization review"

    def ready(self):
        from django.urls import register_converter

        from priorauth.http_guard import IdConverter

        # Before any URLconf is read (they are read on the first request or reverse()).
        register_converter(IdConverter, "id")
