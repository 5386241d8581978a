"""The referrals API, for a council's case-management system: send a referral, follow its answer.

Every call acts for the council that owns the token; another council's referral is "not found".
The views only parse, call `intake.referral_intake` (the one path from a system's body to a
referral, which the case-management feed's poller takes too, through the same service as the
council's pages) and render.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response

from carebridge.audit.services import record_listed
from carebridge.core.calendar import now
from carebridge.core.formats import guide_datetime
from carebridge.core.idempotency import (
    HEADER,
    BadIdempotencyKey,
    created_before,
    key_from_header,
)
from carebridge.integrations.api import (
    CouncilApiView,
    ErrorOutput,
    LondonDateTimeField,
)
from carebridge.integrations.authentication import ApiCaller
from carebridge.organisations.models import Provider
from carebridge.people import services as people
from carebridge.people.models import ServiceUser
from carebridge.referrals import services
from carebridge.referrals.choices import FailureReason, ReferralStatus, RefusalReason, Stage
from carebridge.referrals.filters import ApiReferralFilters

# The body's serializers live with the intake the feed shares; they are still read from here.
from carebridge.referrals.intake import (  # noqa: F401
    ReferralCreateInput,
    ServiceUserInput,
    referral_intake,
)
from carebridge.referrals.models import Referral, ReferralEvent
from carebridge.referrals.selectors import open_referrals_alike, referrals_of_council, stage_of

PAGE_SIZE = 100

# --- Input ------------------------------------------------------------------------------------


class ReferralListQuery(serializers.Serializer):
    changed_since = LondonDateTimeField(
        required=False,
        help_text=(
            "Only referrals changed after this moment, oldest change first: ISO 8601 with its "
            "offset (write + as %2B, or use Z). Without it, every referral, newest change first."
        ),
    )
    status = serializers.ChoiceField(
        choices=ReferralStatus.choices, required=False, help_text="Only referrals in this state."
    )

    def to_internal_value(self, data: Any) -> Any:
        # An unencoded "+" in a query string arrives as a space: "…T10:00:00 01:00".
        value = data.get("changed_since")
        if value is not None and not value.strip():
            # Most likely a sender that lost its last moment: listing everything would hide that.
            raise serializers.ValidationError(
                {"changed_since": ["Give a moment, or leave changed_since out to list them all."]}
            )
        if isinstance(value, str) and " " in value.strip():
            data = data.copy()
            data["changed_since"] = value.strip().replace(" ", "+")
        return super().to_internal_value(data)


# --- Output -----------------------------------------------------------------------------------


class OutputSerializer(serializers.ModelSerializer):
    """Read-only model output, with every moment written in London time with its offset."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: LondonDateTimeField,
    }


class ProviderOutput(OutputSerializer):
    class Meta:
        model = Provider
        fields = ["id", "name"]


class ServiceUserOutput(OutputSerializer):
    class Meta:
        model = ServiceUser
        fields = ["id", "ss_ref", "first_name", "last_name", "date_of_birth"]


class ReferralEventOutput(OutputSerializer):
    kind_label = serializers.CharField(source="get_kind_display")
    by = serializers.CharField(source="by_label", help_text="Who, for which organisation.")
    details = serializers.DictField(help_text="What was submitted with the event.")

    class Meta:
        model = ReferralEvent
        fields = ["kind", "kind_label", "at", "by", "details"]


class ReferralOutput(OutputSerializer):
    """A referral and where it stands, without its update log (the list's rows)."""

    stage = serializers.SerializerMethodField(help_text="Where an open referral stands, now.")
    # Blank until the referral is refused or its start fails.
    refusal_reason = serializers.ChoiceField(
        choices=RefusalReason.choices, allow_blank=True, read_only=True
    )
    failure_reason = serializers.ChoiceField(
        choices=FailureReason.choices, allow_blank=True, read_only=True
    )
    provider = ProviderOutput()
    district = serializers.CharField(source="district.name")
    service_user = ServiceUserOutput()

    class Meta:
        model = Referral
        fields = [
            "id",
            "external_id",
            "status",
            "stage",
            "provider",
            "district",
            "service_user",
            "received_at",
            "respond_by",
            "changed_at",
            "answered_at",
            "first_visit_at",
            "delay_count",
            "refusal_reason",
            "refusal_details",
            "failure_reason",
            "failure_details",
            "update_due_by",
            "provider_update_at",
            "care_start_date",
            "predicted_end_date",
            "terminated_within_72_hours",
            "needs_changed",
            "needs_change_details",
            "update_completed_by",
            "update_completed_on",
            "actuals_at",
            "actuals_start_date",
            "actuals_end_date",
            "visits_delivered",
            "hours_delivered",
            "carers_at_start",
            "carers_at_end",
            "withdrawal_reason",
            "closed_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=Stage.choices))
    def get_stage(self, referral: Referral) -> str:
        return stage_of(referral, self.context["at"]).value


class ReferralDetailOutput(ReferralOutput):
    """A referral, where it stands, and its update log newest first."""

    events = ReferralEventOutput(many=True, help_text="The update log, newest first.")

    class Meta(ReferralOutput.Meta):
        fields = [*ReferralOutput.Meta.fields, "events"]
        read_only_fields = fields


class ReferralWarningOutput(serializers.Serializer):
    """Something the sender should know about the referral it made, which was made all the same."""

    code = serializers.ChoiceField(
        choices=["open_referral_exists"],
        help_text="`open_referral_exists`: the service user has another open referral (pending, "
        "accepted or updated) to the same provider; it may have been sent twice.",
    )
    message = serializers.CharField()
    referral = serializers.IntegerField(help_text="The id of the other open referral.")


class ReferralCreatedOutput(ReferralDetailOutput):
    """A referral just sent (or found by its external_id or Idempotency-Key), with warnings."""

    warnings = serializers.SerializerMethodField(
        help_text="Empty, or what the sender should check: the referral was made all the same."
    )

    class Meta(ReferralDetailOutput.Meta):
        fields = [*ReferralDetailOutput.Meta.fields, "warnings"]
        read_only_fields = fields

    @extend_schema_field(ReferralWarningOutput(many=True))
    def get_warnings(self, referral: Referral) -> list[dict[str, Any]]:
        return [
            {
                "code": "open_referral_exists",
                "message": (
                    f"{referral.service_user.ss_ref} already has an open referral "
                    f"({other.pk}, {other.get_status_display().lower()}) to "
                    f"{referral.provider.name}, received {guide_datetime(other.received_at)}. "
                    "This one was made too: withdraw one if it was sent twice."
                ),
                "referral": other.pk,
            }
            for other in open_referrals_alike(referral)
        ]


class ReferralPageOutput(serializers.Serializer):
    next = serializers.URLField(allow_null=True, help_text="The next page; null on the last.")
    previous = serializers.URLField(allow_null=True)
    results = ReferralOutput(many=True)


# --- Reads, scoped to the caller's council ------------------------------------------------------


def _caller(request: Request) -> ApiCaller:
    caller: ApiCaller = request.user
    return caller


def _referrals_of(caller: ApiCaller) -> models.QuerySet[Referral]:
    return referrals_of_council(caller.council.pk)


def _referral_with_events(caller: ApiCaller, pk: int) -> Referral:
    referral = (
        _referrals_of(caller)
        .prefetch_related(
            models.Prefetch("events", queryset=ReferralEvent.objects.order_by("-at", "-pk"))
        )
        .filter(pk=pk)
        .first()
    )
    if referral is None:
        raise exceptions.NotFound("The council has no referral with this id.")
    return referral


def _detail_response(request: Request, referral_id: int, code: int) -> Response:
    referral = _referral_with_events(_caller(request), referral_id)
    body = ReferralCreatedOutput(referral, context={"at": now(), "request": request}).data
    location = request.build_absolute_uri(reverse("api_referral_detail", args=[referral.pk]))
    return Response(body, status=code, headers={"Location": location})


# --- Views --------------------------------------------------------------------------------------

ERRORS = {
    401: OpenApiResponse(ErrorOutput, description="No key, or a key not valid or revoked."),
}
BAD_CURSOR = {
    404: OpenApiResponse(
        ErrorOutput, description="A cursor that is not from a `next` or `previous` link."
    )
}
LOCATION = OpenApiParameter(
    "Location",
    OpenApiTypes.URI,
    OpenApiParameter.HEADER,
    response=[200, 201],
    description="The referral's own URL.",
)
IDEMPOTENCY_KEY = OpenApiParameter(
    HEADER,
    str,
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "A key the system chooses for this referral (a UUID, say; up to 255 printable "
        "characters): sending the same key again within a day, after a timeout or twice at once, "
        "makes nothing new and answers with the referral the first request made (201). The "
        "key stands for that first request: a repeat's body is not used, so use a new key for "
        "a new referral."
    ),
)


class ReferralPagination(CursorPagination):
    page_size = PAGE_SIZE
    ordering = ("-changed_at", "-pk")


class ReferralListCreate(CouncilApiView):
    @extend_schema(
        operation_id="referrals_list",
        summary="The council's referrals, or those changed since a moment",
        description=(
            "With `changed_since`: referrals changed after that moment, oldest change first, so "
            "a system can follow every change by keeping the last `changed_at` it has read. "
            "Ask again from a minute before that time: a change whose transaction commits late "
            "can carry a slightly earlier time, and reading a referral twice is harmless. "
            "Without it: every referral, newest change first. 100 a page; follow `next` until "
            "it is null. The rows carry each referral's state but not its update log: read one "
            "referral for that."
        ),
        parameters=[
            ReferralListQuery,
            OpenApiParameter("cursor", str, description="From a `next` or `previous` link."),
        ],
        responses={
            200: ReferralPageOutput,
            400: OpenApiResponse(ErrorOutput, description="A bad changed_since or status."),
            **BAD_CURSOR,
            **ERRORS,
        },
        tags=["referrals"],
    )
    def get(self, request: Request) -> Response:
        query = ReferralListQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        referrals = ApiReferralFilters(
            query.validated_data, _referrals_of(_caller(request)), at=now()
        ).qs
        paginator = ReferralPagination()
        if "changed_since" in query.validated_data:
            paginator.ordering = ("changed_at", "pk")
        page = paginator.paginate_queryset(referrals, request, view=self)
        rows = ReferralOutput(page, many=True, context={"at": now(), "request": request}).data
        # Each page names up to PAGE_SIZE people: one event for the page, with how many.
        caller = _caller(request)
        record_listed(
            action="referrals.listed",
            by=None,
            counts={caller.council.pk: len(rows)},
            detail={"via": caller.label},
            ip_address=request.META.get("REMOTE_ADDR"),
        )
        return paginator.get_paginated_response(rows)

    @extend_schema(
        operation_id="referrals_create",
        summary="Send a referral to a provider",
        description=(
            "Makes a referral for the token's council, offered to one provider, for a service "
            "user the council has (by `ss_ref`) or a new person. When `external_id` names a "
            "referral the council has sent already, nothing is made and that referral is "
            "answered with 200. When `service_user.ss_ref` names an existing service user, that "
            "record is used as it is: other person fields sent with it are not applied. When "
            "the service user already has an open referral to the same provider, the referral "
            "is made all the same (a system may mean it) and `warnings` says so."
        ),
        request=ReferralCreateInput,
        parameters=[LOCATION, IDEMPOTENCY_KEY],
        responses={
            201: OpenApiResponse(ReferralCreatedOutput, description="The referral was made."),
            200: OpenApiResponse(
                ReferralCreatedOutput, description="A referral with this external_id exists."
            ),
            400: OpenApiResponse(
                ErrorOutput, description="Not JSON, unknown or missing fields, wrong values."
            ),
            415: OpenApiResponse(ErrorOutput, description="The body is not sent as JSON."),
            **ERRORS,
        },
        tags=["referrals"],
    )
    def post(self, request: Request) -> Response:
        caller = _caller(request)
        try:
            key = key_from_header(request, client=caller.token.pk)
        except BadIdempotencyKey as error:
            raise serializers.ValidationError({HEADER: [str(error)]}) from error
        first = created_before(key=key, purpose=services.REFERRAL_CREATE)
        if first is not None and _referrals_of(caller).filter(pk=first).exists():
            return _detail_response(request, first, status.HTTP_201_CREATED)
        # The one intake the case-management feed's poller uses too (intake.py).
        taken = referral_intake(
            council=caller.council, body=request.data, via=caller.label, idempotency_key=key
        )
        if taken.errors is not None:
            raise serializers.ValidationError(taken.errors)
        assert taken.referral is not None
        code = status.HTTP_201_CREATED if taken.created else status.HTTP_200_OK
        return _detail_response(request, taken.referral.pk, code)


class ReferralDetail(CouncilApiView):
    @extend_schema(
        operation_id="referrals_retrieve",
        summary="One referral: where it stands, and its update log",
        responses={
            200: ReferralDetailOutput,
            404: OpenApiResponse(ErrorOutput, description="No such referral for this council."),
            **ERRORS,
        },
        tags=["referrals"],
    )
    def get(self, request: Request, pk: int) -> Response:
        caller = _caller(request)
        referral = _referral_with_events(caller, pk)
        people.service_user_viewed(
            person=referral.service_user,
            by=None,
            via=caller.label,
            ip=request.META.get("REMOTE_ADDR"),
        )
        return Response(
            ReferralDetailOutput(referral, context={"at": now(), "request": request}).data
        )
