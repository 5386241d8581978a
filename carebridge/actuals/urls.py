from django.urls import path

app_name = "actuals"

urlpatterns: list = []
