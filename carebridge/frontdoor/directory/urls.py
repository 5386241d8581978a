"""The directory pages: officer_patterns under /front-door/ (namespace "frontdoor"),
public_patterns under /care-and-support/<council>/ (namespace "care")."""

from django.urls import URLPattern, path

from carebridge.frontdoor.directory.views import officer, public

officer_patterns: list[URLPattern] = [
    path("directory/", officer.directory_list, name="directory_list"),
    path("directory/services/<int:pk>/", officer.directory_service, name="directory_service"),
    path("directory/imports/", officer.directory_imports, name="directory_imports"),
    path("directory/imports/<int:pk>/", officer.directory_import, name="directory_import"),
    path("directory/taxonomy/", officer.taxonomy_mapping, name="taxonomy_mapping"),
    path("directory/neighbours/", officer.neighbour_list, name="neighbour_list"),
    path("directory/neighbours/add/", officer.neighbour_add, name="neighbour_add"),
    path("directory/neighbours/<int:pk>/edit/", officer.neighbour_edit, name="neighbour_edit"),
    path(
        "directory/neighbours/<int:pk>/remove/", officer.neighbour_remove, name="neighbour_remove"
    ),
]
public_patterns: list[URLPattern] = [
    path("support/", public.support, name="support"),
]
