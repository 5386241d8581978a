from django.contrib.auth.decorators import login_not_required
from django.urls import path

from carebridge.referrals import api

# The API authenticates every call by its token (ApiTokenAuthentication), never by the site's
# log-in: LoginRequiredMiddleware must let these through to answer 401 in JSON, not redirect.
urlpatterns = [
    path(
        "referrals/",
        login_not_required(api.ReferralListCreate.as_view()),
        name="api_referral_list",
    ),
    path(
        "referrals/<int:pk>/",
        login_not_required(api.ReferralDetail.as_view()),
        name="api_referral_detail",
    ),
]
