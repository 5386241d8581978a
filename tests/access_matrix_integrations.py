"""The access matrix's integrations part: the other provider's API key (whose revoke page only
that provider's Super Users reach), the other council's case-management system, its polls and
updates, its Dynamics 365 connection and its NHS demographics (PDS) connection, whose words must never show on our pages. The provider
API's URLs take a referral: they authenticate by key, so every session is refused (their
tenancy by key is tried in tests/test_access_matrix_api.py)."""

from __future__ import annotations

from carebridge.accounts.models import User
from carebridge.core.calendar import now
from carebridge.integrations.models import (
    ApiToken,
    CaseSystem,
    CaseUpdate,
    DataverseConnection,
    FeedPoll,
    PdsConnection,
)
from carebridge.integrations.services import api_token_create
from carebridge.organisations.models import Council, Provider
from carebridge.referrals.models import Referral
from tests.access_entry import Entry

PROVIDER_API_REFERRAL_URLS = (
    "provider_api_referral_detail",
    "provider_api_referral_accept",
    "provider_api_referral_refuse",
    "provider_api_referral_delay",
    "provider_api_referral_fail",
    "provider_api_referral_update",
    "provider_api_referral_actuals",
)

REGISTRY = {
    "api_tokens:revoke": Entry(
        kwargs=lambda w: {"pk": w.other_api_token.pk}, owner=lambda w: w.other_provider_user
    ),
    **{
        name: Entry(kwargs=lambda w: {"pk": w.other_referral.pk})
        for name in PROVIDER_API_REFERRAL_URLS
    },
}

MARKERS = [
    "Zephyrine roster key",
    "Quillmosaic case system",
    "https://quill.example.org",
    "QCM-REFUSED-1",
    "Quillrefusal reason",
    "quill-client-id",
    "QCM-000077",
    "Quill peer refused",
    "quill-pds-app-key",
    "quill-kid-7",
    "quillcare.nhs.uk",
]


def build_integrations(
    *, council: Council, provider: Provider, provider_user: User, referral: Referral
) -> dict[str, ApiToken]:
    """The other council's and the other provider's integrations, for the matrix's world."""
    token, _key = api_token_create(provider=provider, name="Zephyrine roster key", by=provider_user)
    CaseSystem.objects.create(
        council=council,
        name="Quillmosaic case system",
        base_url="https://quill.example.org/case-management",
        api_key="quill-api-key",
        signing_secret="quill-signing-secret",
    )
    FeedPoll.objects.create(
        council=council,
        started_at=now(),
        finished_at=now(),
        received=1,
        refused=1,
        refusals=[{"id": "QCM-REFUSED-1", "reason": "Quillrefusal reason"}],
    )
    DataverseConnection.objects.create(
        council=council,
        environment_url="https://quill.crm11.dynamics.com",
        token_url="https://login.microsoftonline.com/quill/oauth2/v2.0/token",
        client_id="quill-client-id",
        client_secret="quill-client-secret",
    )
    PdsConnection.objects.create(
        council=council,
        base_url="https://quill-pds.example.org/personal-demographics/FHIR/R4",
        token_url="https://quill-pds.example.org/oauth2/token",
        api_key="quill-pds-app-key",
        key_id="quill-kid-7",
        private_key="-----BEGIN PRIVATE KEY-----\nquill\n-----END PRIVATE KEY-----",
        trusted_email_domains="quillcare.nhs.uk",
    )
    Referral.objects.filter(pk=referral.pk).update(external_id="QCM-000077")
    CaseUpdate.objects.create(
        council=council,
        referral=referral,
        sequence=1,
        event="accepted",
        key=f"referral-{referral.pk}-1",
        payload={"referral": {"external_id": "QCM-000077"}},
        created_at=now(),
        attempts=8,
        gave_up=True,
        last_error="Quill peer refused",
        last_status_code=400,
    )
    return {"other_api_token": token}
