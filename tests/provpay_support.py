"""Builders and readers for the tests of the provider's payment reports (Pending scheduled
payments, Remittance advice, Pending payments exceptions): the two-council provider
(`make_two_council_provider`, under the actuals tests' frozen clock: Monday 16 November 2026)
with its councils paying it on schedule or self-billing, more clients, another provider's work
at the same council, runs finalised; and the page, CSV, workbook and PDF read back as rows.

Both councils' CPLIs are 10 hours a week at £18.50 (£185.00 a week) from 21 September 2026.
Every object is made through the product's own services."""

from __future__ import annotations

import base64
import csv
import io
import re
import zlib
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.test import Client
from openpyxl import load_workbook

from carebridge.accounts.models import User
from carebridge.actuals import services as actuals
from carebridge.actuals.rules import Entry
from carebridge.actuals.tests.conftest import make_payment_rule, set_level
from carebridge.audit.models import Event
from carebridge.contracts import services as contracts
from carebridge.contracts.choices import PricingBasis
from carebridge.contracts.models import Cpli, ServiceLevel
from carebridge.organisations import services as org
from carebridge.organisations.choices import ContractType, PaymentMethod
from carebridge.organisations.models import Council
from carebridge.payments.models import PaymentRun
from carebridge.payments.tests.pay_support import finalise_at, period_at
from carebridge.people import services as people
from tests.support import (
    PASSWORD,
    TwoCouncilProvider,
    client_for,
    make_contract,
    make_provider,
    make_user,
)

CPLIS_FROM = date(2026, 9, 21)
_numbers = iter(range(1, 10**6))


def pays(council: Council, method: str) -> None:
    """The council pays spot contracts (the two-council provider's) by `method`."""
    make_payment_rule(council, ContractType.SPOT, payment_method=method)


def on_schedule(council: Council) -> None:
    pays(council, PaymentMethod.ON_SCHEDULE)


def with_vat(level: ServiceLevel, percent: str = "20") -> None:
    set_level(level, vat_rate=Decimal(percent))


def _line(level: ServiceLevel, quantity: str = "10") -> contracts.Line:
    return contracts.Line(
        service_level=level,
        quantity=Decimal(quantity),
        rate=Decimal("18.50"),
        pricing_basis=PricingBasis.SPOT,
        start_date=CPLIS_FROM,
        end_date=None,
        visits=10,
    )


def more_clients(two: TwoCouncilProvider, count: int, *, four_weekly: bool = False) -> list[Cpli]:
    """`count` more clients of the provider's service at one council (the weekly one unless
    `four_weekly`), each with one agreed CPLI like the first client's."""
    council = two.four_weekly if four_weekly else two.weekly
    broker = two.four_weekly_broker if four_weekly else two.weekly_broker
    level = two.four_weekly_level if four_weekly else two.weekly_level
    made = []
    for _ in range(count):
        n = next(_numbers)
        person = people.service_user_create(
            council=council,
            by=broker,
            ss_ref=f"PP{n:05d}",
            first_name="Client",
            last_name=f"Extra{n:03d}",
            date_of_birth=date(1941, 2, 3),
        )
        document = contracts.contract_document_publish(
            council=council,
            service=two.service,
            service_user=person,
            care_package_reference=f"CP-PP{n}",
            lines=[_line(level)],
            by=broker,
        )
        contracts.contract_document_agree(document=document, by=two.carer, password=PASSWORD)
        made.append(document.cplis.get())
    return made


def other_providers_client(two: TwoCouncilProvider) -> tuple[User, Cpli]:
    """Another provider's client at the weekly council (paid as the council pays spot
    contracts): its super user and CPLI."""
    provider = make_provider("Quillon Care")
    make_contract(two.weekly, provider, start_date=two.periods_from)
    service = org.service_create(provider=provider, name="Quillon – Hilltop", postcode="M2 2BB")
    signer = make_user(provider=provider, role="super_user_scheduled")
    person = people.service_user_create(
        council=two.weekly,
        by=two.weekly_broker,
        ss_ref="QC9001",
        first_name="Olive",
        last_name="Quarry",
        date_of_birth=date(1939, 9, 9),
    )
    document = contracts.contract_document_publish(
        council=two.weekly,
        service=service,
        service_user=person,
        care_package_reference="CP-QUILLON",
        lines=[_line(two.weekly_level, quantity="4")],
        by=two.weekly_broker,
    )
    contracts.contract_document_agree(document=document, by=signer, password=PASSWORD)
    return signer, document.cplis.get()


def confirm_four_weeks(two: TwoCouncilProvider, first: date, hours: str = "10") -> None:
    """The provider's actuals at the four-weekly council for the period starting `first`,
    `hours` a week for each of its clients there, confirmed."""
    period = period_at(two.four_weekly, first)
    cplis = Cpli.objects.filter(council=two.four_weekly, provider=two.provider)
    weeks = [period.start_date + timedelta(weeks=n) for n in range(4)]
    actuals.actuals_save(
        two.carer,
        [
            actuals.Item(cpli.pk, week, Entry(actual=Decimal(hours), visits=10), (cpli.pk, week))
            for cpli in cplis
            for week in weeks
        ],
    )
    actuals.actuals_confirm(two.carer, period)


def finalise(
    two: TwoCouncilProvider, *, four_weekly: bool, day: date, payment_date: date
) -> PaymentRun:
    """The council's run for the period holding `day`, prepared by its officer, approved by a
    second one and finalised, paying on `payment_date`."""
    council = two.four_weekly if four_weekly else two.weekly
    officer = two.four_weekly_officer if four_weekly else two.weekly_officer
    approver = make_user(council=council, role="payments_officer")
    return finalise_at(council, officer, approver, day, payment_date=payment_date)


# --- Reading the page and the files back --------------------------------------------------------


def url(slug: str, fmt: str = "", /, **query: object) -> str:
    """The report's page, or its download in `fmt`, with these filters."""
    path = f"/reports/{slug}/download.{fmt}" if fmt else f"/reports/{slug}/"
    given = urlencode(query)
    return f"{path}?{given}" if given else path


def page(user: User, slug: str, **query: object) -> Any:
    response = client_for(user).get(url(slug, **query))
    assert response.status_code == 200
    return response


def page_cells(response: Any) -> list[list[str]]:
    """The page's rows as shown (text of each cell), then its totals row."""
    rows = [[text for text, _numeric in row] for row in response.context["rows"]]
    return [*rows, [text for text, _numeric in response.context["totals"]]]


def download(client: Client, slug: str, fmt: str, **query: object) -> bytes:
    response: Any = client.get(url(slug, fmt, **query))
    assert response.status_code == 200
    if response.streaming:
        return b"".join(response.streaming_content)
    return bytes(response.content)


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def xlsx_rows(content: bytes) -> list[list[Any]]:
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def pdf_text(content: bytes) -> list[str]:
    """The text shown on the PDF's pages, one string per `Tj` (ReportLab writes each page's
    content stream ASCII85- and Flate-encoded, its text in WinAnsi; the project has no PDF
    reader, so this reads ReportLab's own output only)."""
    shown = []
    for stream in re.findall(rb"stream\r?\n(.*?)~>endstream", content, re.S):
        body = zlib.decompress(base64.a85decode(stream))
        for text in re.findall(rb"\(((?:[^()\\]|\\.)*)\) Tj", body, re.S):
            text = re.sub(rb"\\([0-7]{3})", lambda m: bytes([int(m.group(1), 8)]), text)
            shown.append(re.sub(rb"\\(.)", rb"\1", text).decode("cp1252"))
    return shown


def downloads_audited() -> list[tuple[int | None, dict[str, Any]]]:
    """Each download's audit events, (council, detail), by council and format."""
    return sorted(
        (
            (event.council_id, event.detail)
            for event in Event.objects.filter(action="reports.report_downloaded")
        ),
        key=lambda pair: (pair[0] or 0, str(pair[1].get("format"))),
    )
