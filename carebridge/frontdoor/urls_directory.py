"""The directory pages: officer_patterns under /front-door/ (namespace "frontdoor"),
public_patterns under /care-and-support/<council>/ (namespace "care")."""

from django.urls import URLPattern, path

from carebridge.frontdoor import views_directory as views

officer_patterns: list[URLPattern] = [
    path("directory/", views.directory_list, name="directory_list"),
    path("directory/services/<int:pk>/", views.directory_service, name="directory_service"),
    path("directory/imports/", views.directory_imports, name="directory_imports"),
    path("directory/imports/<int:pk>/", views.directory_import, name="directory_import"),
    path("directory/taxonomy/", views.taxonomy_mapping, name="taxonomy_mapping"),
    path("directory/neighbours/", views.neighbour_list, name="neighbour_list"),
    path("directory/neighbours/add/", views.neighbour_add, name="neighbour_add"),
    path("directory/neighbours/<int:pk>/edit/", views.neighbour_edit, name="neighbour_edit"),
    path("directory/neighbours/<int:pk>/remove/", views.neighbour_remove, name="neighbour_remove"),
]
public_patterns: list[URLPattern] = [
    path("support/", views.support, name="support"),
]
