from django.urls import path

from carebridge.referrals.views import answers, council, detail, lists

app_name = "referrals"

urlpatterns = [
    # The provider's screens, as the HomeFirst guide lays them out.
    path("", lists.pending, name="pending"),
    path("service-users/", lists.existing, name="existing"),
    path("<int:pk>/accept/", answers.accept, name="accept"),
    path("<int:pk>/refuse/", answers.refuse, name="refuse"),
    path("<int:pk>/delay/", answers.delay, name="delay"),
    path("<int:pk>/failed-start/", answers.failed_start, name="failed_start"),
    path("<int:pk>/provider-update/", answers.provider_update, name="provider_update"),
    path("<int:pk>/visit-actuals/", answers.visit_actuals, name="visit_actuals"),
    # Both sides: the referral with its details, and its update log.
    path("<int:pk>/", detail.detail, name="detail"),
    path("<int:pk>/update-log/", detail.update_log, name="update_log"),
    # The council's screens.
    path("sent/", council.referral_list, name="council_list"),
    path("new/", council.referral_new, name="new"),
    path("<int:pk>/withdraw/", council.withdraw, name="withdraw"),
]
