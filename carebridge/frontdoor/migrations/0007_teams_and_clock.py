"""Front-door teams (the routing rules of each council team that takes requests), each
request's team with the rule that chose it, and the response promise's clock: when a request
joined the queue and when it is due. Requests already in a queue get their due time from their
council's office hours and the default promise of 24 business hours."""

from datetime import timedelta

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models

import carebridge.frontdoor.models.teams
from carebridge.core.calendar import add_service_time
from carebridge.frontdoor.models.requests import office_hours_from


def _due_times(apps, schema_editor):
    settings_model = apps.get_model("frontdoor", "FrontDoorSettings")
    request_model = apps.get_model("frontdoor", "FrontDoorRequest")
    event_model = apps.get_model("frontdoor", "RequestEvent")
    queued = request_model.objects.filter(route="queue").order_by("pk")
    hours_of = {}
    changed = []
    asked = dict(
        event_model.objects.filter(kind="assessment_asked").values_list("request_id", "at")
    )
    for request in queued.iterator(chunk_size=2000):
        if request.council_id not in hours_of:
            row = settings_model.objects.filter(council_id=request.council_id).first()
            hours_of[request.council_id] = (
                office_hours_from(row.office_opens, row.office_closes, row.office_days)
                if row
                else office_hours_from(
                    *(
                        settings_model._meta.get_field(name).default
                        for name in ("office_opens", "office_closes", "office_days")
                    )
                ),
                row.response_promise_hours if row else 24,
            )
        hours, promise = hours_of[request.council_id]
        request.queued_at = asked.get(request.pk, request.submitted_at)
        request.due_at = add_service_time(request.queued_at, timedelta(hours=promise), hours)
        changed.append(request)
    request_model.objects.bulk_update(changed, ["queued_at", "due_at"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("frontdoor", "0006_professional_referral"),
        ("organisations", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="FrontDoorTeam",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "order",
                    models.PositiveSmallIntegerField(
                        default=1, help_text="Teams are tried in this order, lowest first."
                    ),
                ),
                (
                    "routes",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text="TeamRoute values.",
                        validators=[carebridge.frontdoor.models.teams._validate_routes],
                    ),
                ),
                (
                    "needs",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text="Care Act outcome codes: a request that flagged one of them matches.",
                        validators=[carebridge.frontdoor.models.teams._validate_needs],
                    ),
                ),
                (
                    "districts",
                    models.CharField(
                        blank=True,
                        help_text="Outward codes separated by spaces, for example TF1 TF2.",
                        max_length=500,
                        validators=[carebridge.frontdoor.models.teams._validate_districts],
                        verbose_name="Postcode districts",
                    ),
                ),
                (
                    "council",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="front_door_teams",
                        to="organisations.council",
                    ),
                ),
                (
                    "team",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="front_door_routing",
                        to="organisations.team",
                    ),
                ),
            ],
            options={
                "ordering": ["order", "pk"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("council", "team"), name="front_door_team_once_in_council"
                    )
                ],
            },
        ),
        migrations.AddField(
            model_name="frontdoorrequest",
            name="due_at",
            field=models.DateTimeField(
                blank=True,
                help_text="The response promise's business hours after it joined the queue.",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="frontdoorrequest",
            name="queued_at",
            field=models.DateTimeField(
                blank=True, help_text="When the request joined the council's queue.", null=True
            ),
        ),
        migrations.AddField(
            model_name="frontdoorrequest",
            name="routing_rule",
            field=models.CharField(
                blank=True,
                help_text="The rule that chose the team.",
                max_length=300,
                verbose_name="Routed by",
            ),
        ),
        migrations.AddField(
            model_name="frontdoorrequest",
            name="team",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="front_door_requests",
                to="organisations.team",
            ),
        ),
        migrations.AddField(
            model_name="frontdoorsettings",
            name="response_promise_hours",
            field=models.PositiveSmallIntegerField(
                default=24,
                help_text="How many business hours the council promises to look at a request in. People are told the time it is due by.",
                validators=[
                    django.core.validators.MinValueValidator(1),
                    django.core.validators.MaxValueValidator(400),
                ],
                verbose_name="Response promise (business hours)",
            ),
        ),
        migrations.AddField(
            model_name="frontdoorsettings",
            name="default_team",
            field=models.ForeignKey(
                blank=True,
                help_text="Takes every request no team's rules match.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="frontdoor.frontdoorteam",
                verbose_name="Default team",
            ),
        ),
        migrations.AlterField(
            model_name="requestevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("submitted", "Request received"),
                    ("assessment_asked", "Asked for an assessment"),
                    ("opened", "Being looked at"),
                    ("information_requested", "More information requested"),
                    ("information_given", "More information given"),
                    ("accepted", "Accepted for assessment"),
                    ("redirected", "Redirected"),
                    ("closed", "Closed"),
                    ("note", "Note"),
                    ("team_moved", "Moved to another team"),
                ],
                max_length=30,
            ),
        ),
        migrations.AddIndex(
            model_name="frontdoorrequest",
            index=models.Index(
                fields=["council", "team", "status"], name="frontdoor_f_council_3b357c_idx"
            ),
        ),
        migrations.RunPython(_due_times, migrations.RunPython.noop),
    ]
