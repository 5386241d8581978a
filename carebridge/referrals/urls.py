from django.urls import path

from carebridge.referrals.views import council, provider

app_name = "referrals"

urlpatterns = [
    # The provider's screens, as the HomeFirst guide lays them out.
    path("", provider.pending, name="pending"),
    path("service-users/", provider.existing, name="existing"),
    path("<int:pk>/accept/", provider.accept, name="accept"),
    path("<int:pk>/refuse/", provider.refuse, name="refuse"),
    path("<int:pk>/delay/", provider.delay, name="delay"),
    path("<int:pk>/failed-start/", provider.failed_start, name="failed_start"),
    path("<int:pk>/provider-update/", provider.provider_update, name="provider_update"),
    path("<int:pk>/visit-actuals/", provider.visit_actuals, name="visit_actuals"),
    # Both sides: the referral with its details, and its update log.
    path("<int:pk>/", provider.detail, name="detail"),
    path("<int:pk>/update-log/", provider.update_log, name="update_log"),
    # The council's screens.
    path("sent/", council.referral_list, name="council_list"),
    path("new/", council.referral_new, name="new"),
    path("<int:pk>/withdraw/", council.withdraw, name="withdraw"),
]
