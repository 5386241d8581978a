"""What every API endpoint shares: errors as JSON in one shape, serializers that refuse fields
they do not know (a misspelt field must not be silently ignored), and fields that refuse values of
the wrong JSON type instead of guessing ("3" is not a number, "yes" is not a boolean)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from django.http import Http404
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from carebridge.core.bounds import refuse_control_characters, refuse_date_out_of_bounds
from carebridge.core.calendar import to_london
from carebridge.core.forms import MULTI_LINE_MAX, too_long_message
from carebridge.core.permissions import PROVIDER_ROLES, Function, can_edit
from carebridge.integrations.models import ApiToken
from carebridge.organisations.models import Council

if TYPE_CHECKING:
    from carebridge.accounts.models import User
    from carebridge.integrations.authentication import ApiCaller

GENERIC_MESSAGES: dict[type[exceptions.APIException], str] = {
    exceptions.ParseError: "The body is not valid JSON.",
    exceptions.UnsupportedMediaType: "Send the body as JSON, with Content-Type: application/json.",
    exceptions.NotAuthenticated: "Give the API key as Authorization: Bearer <key>.",
}


# A provider's token acts with the rights of the Super User who made it, while that person may
# still make keys (core.permissions: the API_KEYS function).
PROVIDER_TOKEN_ROLES = frozenset(
    role for role in PROVIDER_ROLES if can_edit(role, Function.API_KEYS)
)


class CouncilApiView(APIView):
    """An API view called by a council's system with its token (ApiTokenAuthentication)."""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        token = request.auth
        if isinstance(token, ApiToken) and token.council_id is None:
            raise exceptions.PermissionDenied(
                "This is a provider's key: a provider's system uses /api/v1/provider/."
            )
        # DRF also puts its caller on Django's request, where templates, error pages and
        # middleware expect a person (`user.organisation`…): a system is not one. The view
        # itself keeps the caller as `request.user`.
        request._request.user = AnonymousUser()


class ProviderApiView(APIView):
    """An API view called by a provider's system with its token. It acts as the Super User who
    made the token (`acting_user`), through the same services, rules and scoping as the pages;
    once that person has left the provider or lost the role, the token answers 403."""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        token = request.auth
        if not isinstance(token, ApiToken) or token.provider_id is None:
            raise exceptions.PermissionDenied(
                "This is a council's key: the provider API takes a provider's key."
            )
        maker = token.created_by
        if (
            maker is None
            or not maker.is_active
            or maker.provider_id != token.provider_id
            or maker.role not in PROVIDER_TOKEN_ROLES
        ):
            raise exceptions.PermissionDenied(
                "The Super User who made this key can no longer use it: a Super User must make "
                "a new one."
            )
        request._request.user = AnonymousUser()

    @staticmethod
    def acting_user(request: Request) -> User:
        """The person whose rights the token carries (checked in `initial`)."""
        token = request.auth
        assert isinstance(token, ApiToken) and token.created_by is not None
        return token.created_by


def bound_text_field(name: str, field: serializers.Field) -> None:
    """Give a text field a maximum length (a long text's, when it has none) and refuse control
    characters in it, with the same words as the portal's forms."""
    if not isinstance(field, serializers.CharField):
        return
    limit = field.max_length if field.max_length is not None else MULTI_LINE_MAX
    field.max_length = limit
    field.validators = [
        validator
        for validator in field.validators
        # DRF's own check covers NUL alone, and its length message is not in GOV.UK's words.
        if not isinstance(validator, MaxLengthValidator | ProhibitNullCharactersValidator)
    ]
    label = name.replace("_", " ")
    field.validators.append(MaxLengthValidator(limit, message=too_long_message(label, limit)))
    field.validators.append(refuse_control_characters)


class StrictSerializer(serializers.Serializer):
    """An input serializer that answers 400 for any field it does not define, and whose every
    text field is bounded (a maximum length, no control characters)."""

    def get_fields(self) -> dict[str, serializers.Field]:
        fields: dict[str, serializers.Field] = super().get_fields()
        for name, field in fields.items():
            bound_text_field(name, field)
        return fields

    def to_internal_value(self, data: Any) -> Any:
        unknown = {}
        if isinstance(data, dict):
            unknown = {
                name: ["This field is not known."] for name in sorted(set(data) - set(self.fields))
            }
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as error:
            # Every mistake at once: a sender fixes them in one go, not one per round trip.
            if unknown and isinstance(error.detail, dict):
                raise serializers.ValidationError({**error.detail, **unknown}) from error
            raise
        if unknown:
            raise serializers.ValidationError(unknown)
        return value


class StrictCharField(serializers.CharField):
    """Text given as a JSON string: a number or a boolean is refused, not turned into text."""

    default_error_messages = {"invalid": "Give this as a JSON string."}

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    """A whole number given as a JSON number: "3", 3.5 and true are refused."""

    default_error_messages = {"invalid": "Give a whole number, like 2, not in quotes."}

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """true or false, as JSON booleans: "yes", 1 and "true" are refused."""

    default_error_messages = {"invalid": "Give true or false, not in quotes."}

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class LondonDateTimeField(serializers.DateTimeField):
    """A moment read as ISO 8601 with its UTC offset, and written in Europe/London time.

    A time without an offset is refused: a case-management system in another zone, or a clock
    change, would otherwise move it silently by an hour.
    """

    default_error_messages = {
        "naive": "Give the time with its UTC offset, like 2018-05-21T16:57:00+01:00.",
    }

    def to_internal_value(self, value: Any) -> datetime:
        if not isinstance(value, str):
            self.fail("invalid", format="YYYY-MM-DDThh:mm[:ss[.uuuuuu]]+HH:MM")
        try:
            parsed = parse_datetime(value)
        except ValueError:
            parsed = None
        if parsed is not None and parsed.tzinfo is None:
            self.fail("naive")
        result: datetime = super().to_internal_value(value)
        return result

    def to_representation(self, value: datetime | None) -> str | None:
        if value is None:
            return None
        return to_london(value).isoformat()


class ErrorBodyOutput(serializers.Serializer):
    status = serializers.IntegerField(help_text="The HTTP status, again.")
    message = serializers.CharField(help_text="What went wrong, in words.")
    fields = serializers.DictField(
        help_text=(
            "For 400: each field in error with a list of messages; nested objects give nested "
            "fields. Empty for other errors."
        )
    )


class ErrorOutput(serializers.Serializer):
    """The shape of every error the API answers with."""

    error = ErrorBodyOutput()


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every error as `{"error": {"status": …, "message": …, "fields": {…}}}`."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied | PermissionError):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = (
            response.data
            if isinstance(response.data, dict)
            else {"non_field_errors": response.data}
        )
        message = "The request has errors: see fields."
    else:
        fields = {}
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else ""
        message = str(detail) or "The request could not be carried out."
        generic = next((m for t, m in GENERIC_MESSAGES.items() if type(exc) is t), "")
        if generic and isinstance(exc, exceptions.ParseError):
            # DRF's detail names the position of the mistake, which helps whoever fixes the sender.
            message = f"{generic} {message}"
        elif generic:
            message = f"{message} {generic}"
    response.data = {
        "error": {"status": response.status_code, "message": message, "fields": fields}
    }
    return response


# --- What the provider API's views share ------------------------------------------------------


class ProviderPagination(PageNumberPagination):
    page_size = 100  # follow `next` until it is null


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with what was received before."


class BoundedDateField(serializers.DateField):
    """A date as YYYY-MM-DD, from 1900 to 2100 (outside, the date arithmetic would overflow)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("validators", [refuse_date_out_of_bounds])
        super().__init__(format="%Y-%m-%d", input_formats=["%Y-%m-%d"], **kwargs)


class CouncilOutput(serializers.Serializer):
    slug = serializers.CharField(help_text="The council's slug, as the API's filters take it.")
    name = serializers.CharField()


class ClientOutput(serializers.Serializer):
    ss_ref = serializers.CharField(help_text="The council's own reference for the client.")
    name = serializers.CharField(source="full_name")


# The errors every provider API operation may answer.
PROVIDER_ERRORS = {
    401: OpenApiResponse(ErrorOutput, description="No key, or a key not valid or revoked."),
    403: OpenApiResponse(
        ErrorOutput,
        description="A council's key, a key whose maker may no longer use it, or a role that "
        "may not use this function.",
    ),
}


PAGE_ERRORS = {**PROVIDER_ERRORS, 404: OpenApiResponse(ErrorOutput, description="No such page.")}


def caller_label(request: Request) -> str:
    caller: ApiCaller = request.user
    return caller.label


def ip_of(request: Request) -> str | None:
    return request.META.get("REMOTE_ADDR")


def provider_of(user: User) -> int:
    """The provider the key's maker works for (ProviderApiView checked it is the key's)."""
    assert user.provider_id is not None
    return user.provider_id


def council_of_provider(user: User, slug: str) -> Council:
    """The council with this slug that the user's provider holds a contract with; 400 naming the
    field for any other (another provider's council is not told apart from none)."""
    council = (
        Council.objects.filter(slug=slug, contracts__provider_id=provider_of(user))
        .select_related("rulebook")
        .distinct()
        .first()
    )
    if council is None:
        raise serializers.ValidationError({"council": ["Give a council you work for."]})
    return council
