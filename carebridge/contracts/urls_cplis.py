from django.urls import path

from carebridge.contracts.views import cplis

app_name = "cplis"

urlpatterns = [
    path("", cplis.cpli_list, name="cpli_list"),
    # One address per format, so an export is a list page like any other, not an object.
    path("export.csv", cplis.cpli_export, {"fmt": "csv"}, name="cpli_export_csv"),
    path("export.xlsx", cplis.cpli_export, {"fmt": "xlsx"}, name="cpli_export_xlsx"),
    path("purchase-orders/", cplis.po_list, name="po_list"),
    path(
        "purchase-orders/<int:service_user_id>/<int:year>/",
        cplis.po_detail,
        name="po_detail",
    ),
]
