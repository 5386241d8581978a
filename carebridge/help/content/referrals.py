"""The help topics of the referrals pages (the provider's and the council's) and of the
council's service users."""

from carebridge.help.topics import Audience, Topic

SECTION = "Referrals"

TOPICS: list[Topic] = [
    Topic(
        "pending-referrals",
        "Pending referrals",
        views=("referrals:pending",),
        audience=Audience.PROVIDER,
        areas=("referrals",),
        section=SECTION,
        summary="The referrals your council has sent you that still need an answer, and when "
        "each answer is due.",
    ),
    Topic(
        "referral-details",
        "A referral's details and update log",
        views=("referrals:detail", "referrals:update_log"),
        audience=Audience.EVERYONE,
        areas=("referrals",),
        section=SECTION,
        summary="Everything about one referral: the person, their needs, where the referral "
        "stands and everything that has happened to it.",
    ),
    Topic(
        "accepting-or-refusing-a-referral",
        "Accepting or refusing a referral",
        views=("referrals:accept", "referrals:refuse"),
        audience=Audience.PROVIDER,
        areas=("referrals",),
        section=SECTION,
        summary="How to accept a referral with the date of the first visit, or refuse it with "
        "a reason.",
    ),
    Topic(
        "after-you-accept-a-referral",
        "After you accept: delays, failed starts, updates and visit actuals",
        views=(
            "referrals:delay",
            "referrals:failed_start",
            "referrals:provider_update",
            "referrals:visit_actuals",
        ),
        audience=Audience.PROVIDER,
        areas=("referrals",),
        section=SECTION,
        summary="What to send the council once you have accepted a referral, and when.",
    ),
    Topic(
        "existing-service-users",
        "Existing service users",
        views=("referrals:existing",),
        audience=Audience.PROVIDER,
        areas=("referrals",),
        section=SECTION,
        summary="The people you have accepted who still need a provider update or visit actuals.",
    ),
    Topic(
        "council-referrals",
        "Your council's referrals",
        views=("referrals:council_list", "referrals:withdraw"),
        audience=Audience.COUNCIL,
        areas=("referrals",),
        section=SECTION,
        summary="Every referral your council has sent, where each one stands, and how to "
        "withdraw one.",
    ),
    Topic(
        "sending-a-referral",
        "Sending a referral",
        views=("referrals:new",),
        audience=Audience.COUNCIL,
        areas=("referrals",),
        section=SECTION,
        summary="How to ask a provider to start care for a person, and what each part of the "
        "form is for.",
    ),
    Topic(
        "service-users",
        "Service users",
        views=("people:service_user_list", "people:service_user_detail", "people:rectify"),
        audience=Audience.COUNCIL,
        section=SECTION,
        summary="Find a person your council supports, see their details and the history of "
        "changes to their record, and correct their details with the reason.",
    ),
    Topic(
        "client-level-data-details",
        "Client Level Data details",
        views=("people:cld_details",),
        audience=Audience.COUNCIL,
        section=SECTION,
        summary="Record what the council's quarterly Client Level Data return says about a person.",
    ),
]

# Views of this area that are not pages a person reads: the council systems' referral API and
# the providers' systems' referral API.
NOT_PAGES: set[str] = {
    "api_referral_list",
    "api_referral_detail",
    "provider_api_referral_list",
    "provider_api_referral_detail",
    "provider_api_referral_accept",
    "provider_api_referral_refuse",
    "provider_api_referral_delay",
    "provider_api_referral_fail",
    "provider_api_referral_update",
    "provider_api_referral_actuals",
}

__all__ = ["NOT_PAGES", "TOPICS", "Audience", "Topic"]
