"""The referrals API for a provider's own systems (rostering, call monitoring): read the referrals
offered to the provider, and answer them.

Every call acts as the Super User who made the key (`ProviderApiView.acting_user`), through the
same scoping (`selectors.referrals_visible_to`), services and rules as the provider's pages
(`views/answers.py`): another provider's referral is "not found", a state that does not allow the
answer is 409 with the service's own words, and each referral follows its own council's
rulebook (reply window, delays allowed, the first visit that needs confirming).
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import models
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from carebridge.accounts.models import User
from carebridge.audit.services import record_listed
from carebridge.core.calendar import now
from carebridge.core.permissions import Function, can_edit
from carebridge.integrations.api import (
    PROVIDER_ERRORS,
    Conflict,
    ErrorOutput,
    LondonDateTimeField,
    ProviderApiView,
    StrictBooleanField,
    StrictCharField,
    StrictIntegerField,
    StrictSerializer,
)
from carebridge.integrations.authentication import ApiCaller
from carebridge.organisations.models import Council
from carebridge.people import services as people
from carebridge.people.models import ServiceUser
from carebridge.referrals import services
from carebridge.referrals.access import shows_person
from carebridge.referrals.api import (
    BAD_CURSOR,
    OutputSerializer,
    ReferralEventOutput,
    ReferralListQuery,
    ReferralOutput,
    ReferralPagination,
)
from carebridge.referrals.choices import FailureReason, ReferralEventKind, RefusalReason
from carebridge.referrals.filters import ApiReferralFilters
from carebridge.referrals.forms.council import REFERRAL_FIELDS
from carebridge.referrals.models import Referral, ReferralEvent
from carebridge.referrals.selectors import referrals_visible_to

E = ReferralEventKind
TAG = "provider: referrals"
# The limits of the provider's own forms (forms/provider.py), so the API takes what they take.
DETAILS_MAX = 2000
NEEDS_CHANGE_MAX = 4000
MOST_VISITS = 10_000
MOST_CARERS = 20
MOST_HOURS = Decimal(10_000)

# --- Input ------------------------------------------------------------------------------------


def _details(most: int, help_text: str) -> StrictCharField:
    return StrictCharField(
        max_length=most, required=False, allow_blank=True, default="", help_text=help_text
    )


def _count(most: int, help_text: str) -> StrictIntegerField:
    return StrictIntegerField(min_value=0, max_value=most, help_text=help_text)


# The same choices as the referral's refusal_reason and failure_reason, so the schema names them
# once (a field called "reason" would otherwise make a second name for each, and the two
# "reason" fields would collide).
@extend_schema_field({"$ref": "#/components/schemas/RefusalReasonEnum"})
class RefusalReasonField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=RefusalReason.choices, **kwargs)


@extend_schema_field({"$ref": "#/components/schemas/FailureReasonEnum"})
class FailureReasonField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=FailureReason.choices, **kwargs)


class AcceptInput(StrictSerializer):
    """The provider takes the person into service, with the first visit."""

    first_visit_at = LondonDateTimeField(
        help_text="The date and time of the first visit, ISO 8601 with its offset; not before "
        "the day the referral was received."
    )
    confirmed = StrictBooleanField(
        required=False,
        default=False,
        help_text="True when the first visit is agreed for that date: needed when it is more "
        "than the council's rulebook hours away (the pages ask the same).",
    )


class DelayInput(StrictSerializer):
    """The first visit moves later."""

    first_visit_at = LondonDateTimeField(
        help_text="The new date and time of the first visit, later than the one booked."
    )


class RefuseInput(StrictSerializer):
    """The provider turns the referral down, with one of the guide's reasons."""

    reason = RefusalReasonField()
    details = _details(DETAILS_MAX, "More about the refusal; needed when reason is other.")


class FailInput(StrictSerializer):
    """The accepted service did not start, with one of the guide's reasons."""

    reason = FailureReasonField()
    details = _details(DETAILS_MAX, "Why the service was cancelled; needed when reason is other.")


class UpdateInput(StrictSerializer):
    """The provider update: how the service has started."""

    care_start_date = serializers.DateField(help_text="YYYY-MM-DD; not in the future.")
    predicted_end_date = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="If known; not before the start."
    )
    terminated_within_72_hours = StrictBooleanField()
    needs_changed = StrictBooleanField(help_text="Whether the needs or package have changed.")
    needs_change_details = _details(NEEDS_CHANGE_MAX, "The changes; needed when needs_changed.")
    completed_by = StrictCharField(max_length=200, help_text="Who completed this update.")
    completed_on = serializers.DateField(help_text="YYYY-MM-DD; not before the start date.")


class ActualsInput(StrictSerializer):
    """The visits and hours really delivered, sent on the last day: this ends the service."""

    start_date = serializers.DateField()
    end_date = serializers.DateField(help_text="Not in the future, nor before the first visit.")
    visits_delivered = _count(MOST_VISITS, "The total number of visits delivered.")
    hours_delivered = serializers.DecimalField(
        max_digits=7,
        decimal_places=2,
        min_value=Decimal(0),
        max_value=MOST_HOURS,
        help_text="In hours and quarter hours, like 15.25, as a number or a string.",
    )
    carers_at_start = _count(MOST_CARERS, "Carers on commencement of the service.")
    carers_at_end = _count(MOST_CARERS, "Carers at the end of the service.")


# --- Output -----------------------------------------------------------------------------------


class ReferralCouncilOutput(OutputSerializer):
    class Meta:
        model = Council
        fields = ["id", "name"]


class ProviderReferralOutput(ReferralOutput):
    """A referral offered to the provider and where it stands (the list's rows)."""

    council = ReferralCouncilOutput(help_text="The council that sent it, whose rules it follows.")

    class Meta(ReferralOutput.Meta):
        fields = ["id", "council", *[f for f in ReferralOutput.Meta.fields if f != "id"]]
        read_only_fields = fields


class PersonOutput(OutputSerializer):
    class Meta:
        model = ServiceUser
        fields = [
            "ss_ref",
            "title",
            "first_name",
            "last_name",
            "preferred_name",
            "date_of_birth",
            "nhs_number",
            "address_line_1",
            "address_line_2",
            "address_line_3",
            "town",
            "county",
            "postcode",
            "phone",
            "mobile",
            "gp_name",
            "gp_practice",
            "gp_phone",
        ]


class CareOutput(OutputSerializer):
    """What the council's referral says of the person's needs and who to contact."""

    class Meta:
        model = Referral
        # The referral's own answers: those the council's form asks for.
        fields = list(REFERRAL_FIELDS)


class ProviderReferralDetailOutput(ProviderReferralOutput):
    """A referral, the person and their needs, and its update log newest first. After a refusal,
    a withdrawal or a failed start, only its summary: `person` and `care` are null, as on the
    provider's pages."""

    person = serializers.SerializerMethodField()
    care = serializers.SerializerMethodField()
    events = ReferralEventOutput(many=True, help_text="The update log, newest first.")

    class Meta(ProviderReferralOutput.Meta):
        fields = [*ProviderReferralOutput.Meta.fields, "person", "care", "events"]
        read_only_fields = fields

    @extend_schema_field(PersonOutput(allow_null=True))
    def get_person(self, referral: Referral) -> dict[str, Any] | None:
        if not shows_person(self.context["user"], referral):
            return None
        return dict(PersonOutput(referral.service_user, context=self.context).data)

    @extend_schema_field(CareOutput(allow_null=True))
    def get_care(self, referral: Referral) -> dict[str, Any] | None:
        if not shows_person(self.context["user"], referral):
            return None
        return dict(CareOutput(referral, context=self.context).data)


class ProviderReferralPageOutput(serializers.Serializer):
    next = serializers.URLField(allow_null=True, help_text="The next page; null on the last.")
    previous = serializers.URLField(allow_null=True)
    results = ProviderReferralOutput(many=True)


# --- Reads, scoped to the acting user's provider ---------------------------------------------------


def _label(request: Request) -> str:
    caller: ApiCaller = request.user
    return caller.label


def _referrals_of(user: User) -> models.QuerySet[Referral]:
    return referrals_visible_to(user).select_related(
        "council", "provider", "district", "service_user"
    )


def _referral(user: User, pk: int) -> Referral:
    referral = _referrals_of(user).filter(pk=pk).first()
    if referral is None:
        raise exceptions.NotFound("The provider has no referral with this id.")
    return referral


def _with_events(user: User, pk: int) -> Referral:
    referral = (
        _referrals_of(user)
        .prefetch_related(
            models.Prefetch("events", queryset=ReferralEvent.objects.order_by("-at", "-pk"))
        )
        .filter(pk=pk)
        .first()
    )
    if referral is None:
        raise exceptions.NotFound("The provider has no referral with this id.")
    return referral


def _context(request: Request, user: User) -> dict[str, Any]:
    return {"at": now(), "request": request, "user": user}


# --- Views --------------------------------------------------------------------------------------

ERRORS = PROVIDER_ERRORS
NOT_FOUND = {
    404: OpenApiResponse(ErrorOutput, description="No such referral offered to the provider.")
}


class ProviderReferralList(ProviderApiView):
    @extend_schema(
        operation_id="provider_referrals_list",
        summary="The referrals offered to the provider, or those changed since a moment",
        description=(
            "Every referral any council has offered to the key's provider. With "
            "`changed_since`: those changed after that moment, oldest change first, so a system "
            "can follow every change by keeping the last `changed_at` it has read (ask again "
            "from a minute before it). Without it: newest change first. With `status=pending`: "
            "the referrals waiting for an answer. 100 a page; follow `next` until it is null."
        ),
        parameters=[
            ReferralListQuery,
            OpenApiParameter("cursor", str, description="From a `next` or `previous` link."),
        ],
        responses={
            200: ProviderReferralPageOutput,
            400: OpenApiResponse(ErrorOutput, description="A bad changed_since or status."),
            **BAD_CURSOR,
            **ERRORS,
        },
        tags=[TAG],
    )
    def get(self, request: Request) -> Response:
        user = self.acting_user(request)
        query = ReferralListQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        referrals = ApiReferralFilters(query.validated_data, _referrals_of(user), at=now()).qs
        paginator = ReferralPagination()
        if "changed_since" in query.validated_data:
            paginator.ordering = ("changed_at", "pk")
        page = paginator.paginate_queryset(referrals, request, view=self) or []
        rows = ProviderReferralOutput(page, many=True, context=_context(request, user)).data
        # A page names people of one or more councils: one event in each council's log.
        record_listed(
            action="referrals.listed",
            by=user,
            counts=Counter(referral.council_id for referral in page),
            detail={"via": _label(request)},
            ip_address=request.META.get("REMOTE_ADDR"),
        )
        return paginator.get_paginated_response(rows)


class ProviderReferralDetail(ProviderApiView):
    @extend_schema(
        operation_id="provider_referrals_retrieve",
        summary="One referral: the person, their needs, where it stands, and its update log",
        responses={200: ProviderReferralDetailOutput, **NOT_FOUND, **ERRORS},
        tags=[TAG],
    )
    def get(self, request: Request, pk: int) -> Response:
        user = self.acting_user(request)
        referral = _with_events(user, pk)
        people.service_user_viewed(
            person=referral.service_user,
            by=user,
            via=_label(request),
            ip=request.META.get("REMOTE_ADDR"),
        )
        return Response(
            ProviderReferralDetailOutput(referral, context=_context(request, user)).data
        )


def _answer_responses(what: str) -> dict[int, OpenApiResponse]:
    return {
        200: OpenApiResponse(
            ProviderReferralOutput,
            description=f"{what}; sending the same answer again changes nothing and answers "
            "the same.",
        ),
        400: OpenApiResponse(
            ErrorOutput, description="Not JSON, unknown or missing fields, or a rule broken."
        ),
        409: OpenApiResponse(
            ErrorOutput,
            description="The referral's state does not allow this answer (the message says "
            "why), or it changed at the same moment.",
        ),
        415: OpenApiResponse(ErrorOutput, description="The body is not sent as JSON."),
        **NOT_FOUND,
        **ERRORS,
    }


class _Answer(ProviderApiView):
    """One answer to a referral: the same service call as the provider's answer page."""

    input_class: type[StrictSerializer]

    def carry_out(self, referral: Referral, user: User, data: dict[str, Any], via: str) -> Referral:
        raise NotImplementedError

    def answer(self, request: Request, pk: int) -> Response:
        user = self.acting_user(request)
        referral = _referral(user, pk)
        if not can_edit(user.role, Function.REFERRALS):
            raise exceptions.PermissionDenied("The key's maker may not answer referrals.")
        given = self.input_class(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            # A rule the service finds broken is a Django ValidationError: the exception
            # handler answers it with 400 and its fields, as the form shows them.
            answered = self.carry_out(
                referral, user, dict(given.validated_data), via=request.user.label
            )
        except services.TransitionRefused as refusal:
            raise Conflict(refusal.message) from refusal
        answered = _referral(user, answered.pk)
        return Response(ProviderReferralOutput(answered, context=_context(request, user)).data)


class ProviderReferralAccept(_Answer):
    input_class = AcceptInput

    def carry_out(self, referral: Referral, user: User, data: dict[str, Any], via: str) -> Referral:
        first_visit_at = data["first_visit_at"]
        # Care should start within the council's hours; later only once it is confirmed.
        hours = referral.council.rulebook.referral_first_visit_warning_hours
        if first_visit_at - now() > timedelta(hours=hours) and not data["confirmed"]:
            raise serializers.ValidationError(
                {
                    "confirmed": [
                        f"The first visit is more than {hours} hours away: send confirmed: true "
                        "once the first visit is agreed for this date."
                    ]
                }
            )
        return services.referral_accept(
            referral=referral, by=user, via=via, first_visit_at=first_visit_at
        )

    @extend_schema(
        operation_id="provider_referrals_accept",
        summary="Accept a pending referral, with the first visit",
        request=AcceptInput,
        responses=_answer_responses("Accepted: the referral as it now stands"),
        tags=[TAG],
    )
    def post(self, request: Request, pk: int) -> Response:
        return self.answer(request, pk)


class ProviderReferralRefuse(_Answer):
    input_class = RefuseInput

    def carry_out(self, referral: Referral, user: User, data: dict[str, Any], via: str) -> Referral:
        return services.referral_refuse(referral=referral, by=user, via=via, **data)

    @extend_schema(
        operation_id="provider_referrals_refuse",
        summary="Refuse a pending referral, with the reason",
        request=RefuseInput,
        responses=_answer_responses("Refused"),
        tags=[TAG],
    )
    def post(self, request: Request, pk: int) -> Response:
        return self.answer(request, pk)


class ProviderReferralDelay(_Answer):
    input_class = DelayInput

    def carry_out(self, referral: Referral, user: User, data: dict[str, Any], via: str) -> Referral:
        return services.referral_delay(referral=referral, by=user, via=via, **data)

    @extend_schema(
        operation_id="provider_referrals_delay",
        summary="Delay the start of an accepted referral's service",
        description="At most the council's rulebook's number of times; then 409.",
        request=DelayInput,
        responses=_answer_responses("Delayed"),
        tags=[TAG],
    )
    def post(self, request: Request, pk: int) -> Response:
        return self.answer(request, pk)


class ProviderReferralFail(_Answer):
    input_class = FailInput

    def carry_out(self, referral: Referral, user: User, data: dict[str, Any], via: str) -> Referral:
        return services.referral_fail(referral=referral, by=user, via=via, **data)

    @extend_schema(
        operation_id="provider_referrals_fail",
        summary="Report that an accepted referral's service failed to start",
        request=FailInput,
        responses=_answer_responses("Failed start recorded"),
        tags=[TAG],
    )
    def post(self, request: Request, pk: int) -> Response:
        return self.answer(request, pk)


class ProviderReferralUpdate(_Answer):
    input_class = UpdateInput

    def carry_out(self, referral: Referral, user: User, data: dict[str, Any], via: str) -> Referral:
        return services.referral_update(referral=referral, by=user, via=via, **data)

    @extend_schema(
        operation_id="provider_referrals_update",
        summary="Send the provider update: how the service has started",
        request=UpdateInput,
        responses=_answer_responses("Update recorded"),
        tags=[TAG],
    )
    def post(self, request: Request, pk: int) -> Response:
        return self.answer(request, pk)


class ProviderReferralActuals(_Answer):
    input_class = ActualsInput

    def carry_out(self, referral: Referral, user: User, data: dict[str, Any], via: str) -> Referral:
        return services.referral_send_actuals(referral=referral, by=user, via=via, **data)

    @extend_schema(
        operation_id="provider_referrals_actuals",
        summary="Send the visit actuals on the last day: this ends the service",
        request=ActualsInput,
        responses=_answer_responses("Actuals recorded, the service ended"),
        tags=[TAG],
    )
    def post(self, request: Request, pk: int) -> Response:
        return self.answer(request, pk)
