from django.apps import AppConfig


class HelpConfig(AppConfig):
    name = "carebridge.help"
    label = "help"
    verbose_name = "Help"
