"""The referrals API for a provider's own systems, mounted at /api/v1/provider/."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from carebridge.referrals import provider_api as api

# Every call is authenticated by its key (ApiTokenAuthentication), never by the site's log-in:
# LoginRequiredMiddleware must let these through to answer 401 in JSON, not redirect.
ANSWERS = {
    "accept": api.ProviderReferralAccept,
    "refuse": api.ProviderReferralRefuse,
    "delay": api.ProviderReferralDelay,
    "fail": api.ProviderReferralFail,
    "update": api.ProviderReferralUpdate,
    "actuals": api.ProviderReferralActuals,
}

urlpatterns = [
    path(
        "referrals/",
        login_not_required(api.ProviderReferralList.as_view()),
        name="provider_api_referral_list",
    ),
    path(
        "referrals/<int:pk>/",
        login_not_required(api.ProviderReferralDetail.as_view()),
        name="provider_api_referral_detail",
    ),
    *(
        path(
            f"referrals/<int:pk>/{answer}",
            login_not_required(view.as_view()),
            name=f"provider_api_referral_{answer}",
        )
        for answer, view in ANSWERS.items()
    ),
]
