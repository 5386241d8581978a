from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "carebridge.home"
    label = "home"
