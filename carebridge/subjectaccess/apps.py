from django.apps import AppConfig


class SubjectAccessConfig(AppConfig):
    name = "carebridge.subjectaccess"
    label = "subjectaccess"
    verbose_name = "Subject access requests"
