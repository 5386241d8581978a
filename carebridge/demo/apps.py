from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "carebridge.demo"
    label = "demo"
