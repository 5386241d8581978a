"""An invoiced week amended: the invoice follows it in place while still the provider's to
correct, else a credit note (a fall) or supplementary invoice (a rise) corrects it, submitted and
referenced to the original; for any edits, what is invoiced net is each week's cost now."""

from __future__ import annotations

import contextlib
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from carebridge.actuals import csvio
from carebridge.actuals import services as actuals
from carebridge.actuals.models import Actual
from carebridge.actuals.tests.conftest import item, make_payment_rule, weeks_ago
from carebridge.actuals.tests.csv_support import as_csv, export_text, table
from carebridge.audit.models import Event
from carebridge.organisations.choices import ContractType, PaymentMethod
from carebridge.payments import services
from carebridge.payments.choices import InvoiceKind, InvoiceStatus
from carebridge.payments.models import Invoice, InvoiceLine
from carebridge.payments.selectors import corrections_of, invoice_totals, invoiced_net, pre_invoice
from carebridge.payments.tests.conftest import LAST_WEEK, clients, create, enter, period_of
from tests.support import make_two_council_provider

pytestmark = pytest.mark.django_db
S = InvoiceStatus
K = InvoiceKind


def submitted(world, **fields) -> Invoice:
    return services.invoice_submit(by=world.carer, invoice=create(world, **fields))


def actual_of(world, cpli=None, week=LAST_WEEK) -> Actual:
    return Actual.objects.get(cpli=cpli or world.cpli, week_start=week)


def correction(original: Invoice, kind: str) -> Invoice:
    return Invoice.objects.get(corrects=original, kind=kind)


@pytest.fixture
def invoiced(paying) -> Invoice:
    """The world's client's 14 hours last week (£226.24), on a submitted invoice INV-1."""
    enter(paying, (paying.cpli, "14"))
    return submitted(paying)


def test_a_fall_in_an_invoiced_week_becomes_a_credit_note_of_the_original(paying, invoiced):
    enter(paying, (paying.cpli, "12"), comments="Amended")
    note = correction(invoiced, K.CREDIT_NOTE)
    assert (note.reference, note.status) == ("INV-1-CN1", S.SUBMITTED)
    assert (note.council, note.provider, note.service, note.period) == (
        invoiced.council,
        invoiced.provider,
        invoiced.service,
        invoiced.period,
    )
    line = note.lines.get()
    assert (line.kind, line.actual, line.cpli) == (K.CREDIT_NOTE, actual_of(paying), paying.cpli)
    assert (line.quantity, line.rate, line.amount) == (
        Decimal("2"),
        Decimal("16.16"),
        Decimal("32.32"),
    )
    assert "amended: 14 hours invoiced, now 12 (£226.24 to £193.92)" in line.description
    # What it credits, shown positive.
    assert invoice_totals(note) == (Decimal("32.32"), Decimal("0.00"), Decimal("32.32"))
    # The submitted invoice itself is never changed.
    assert invoiced.lines.get().amount == Decimal("226.24")
    assert invoiced_net(paying.carer, [actual_of(paying).pk])[actual_of(paying).pk].amount == (
        Decimal("193.92")
    )
    assert list(corrections_of(paying.carer, invoiced)) == [note]
    assert list(corrections_of(paying.other_officer, invoiced)) == []


def test_a_rise_in_an_invoiced_week_becomes_a_supplementary_invoice(paying, invoiced):
    services.invoice_authorise(by=paying.payments_officer, invoice=invoiced)
    enter(paying, (paying.cpli, "15"), comments="Amended")
    extra = correction(invoiced, K.SUPPLEMENTARY)
    assert (extra.reference, extra.status, extra.corrects) == ("INV-1-SUP1", S.SUBMITTED, invoiced)
    line = extra.lines.get()
    assert (line.kind, line.quantity, line.amount) == (
        K.SUPPLEMENTARY,
        Decimal("1"),
        Decimal("16.16"),
    )
    assert invoice_totals(extra)[2] == Decimal("16.16")
    assert Invoice.objects.get(pk=invoiced.pk).status == S.AUTHORISED


def test_a_correction_is_audited_and_joins_the_payments_teams_queue_as_submitted(paying, invoiced):
    enter(paying, (paying.cpli, "13"), comments="Amended")
    note = correction(invoiced, K.CREDIT_NOTE)
    events = Event.objects.filter(object_id=str(note.pk), object_type="payments.invoice")
    assert list(events.order_by("pk").values_list("action", flat=True)) == [
        "invoice.corrected",
        "invoice.submit",
    ]
    corrected = events.get(action="invoice.corrected")
    assert corrected.detail["corrects"] == "INV-1" and corrected.detail["total"] == "16.16"
    assert (corrected.actor, corrected.provider_id, corrected.council_id) == (
        paying.carer,
        paying.provider.pk,
        paying.council.pk,
    )


def test_an_unsubmitted_invoices_line_follows_the_week_in_place(paying):
    enter(paying, (paying.cpli, "14"))
    invoice = create(paying)
    enter(paying, (paying.cpli, "20"), comments="Family away")
    line = invoice.lines.get()
    assert (line.quantity, line.amount, line.over_exception) == (
        Decimal("20"),
        Decimal("323.20"),
        True,
    )
    assert not Invoice.objects.filter(corrects=invoice).exists()
    assert Event.objects.get(action="invoice.lines_amended").detail["lines"] == [
        {"actual": line.actual_id, "before": "226.24", "after": "323.20"}
    ]
    # Over the exception now: the provider must remove it before Submit, as for any line.
    with pytest.raises(services.PaymentsRefused):
        services.invoice_submit(by=paying.carer, invoice=invoice)


def test_a_returned_invoice_follows_in_place_until_a_week_of_it_has_been_corrected(
    paying, invoiced
):
    enter(paying, (paying.cpli, "12"), comments="Amended")
    services.invoice_return(by=paying.payments_officer, invoice=invoiced, reason="Check hours")
    # The credit note already took the fall: changing the line too would credit it twice.
    enter(paying, (paying.cpli, "11"), comments="Amended")
    assert invoiced.lines.get().amount == Decimal("226.24")
    assert list(
        Invoice.objects.filter(corrects=invoiced).order_by("pk").values_list("reference", flat=True)
    ) == ["INV-1-CN1", "INV-1-CN2"]
    (other,) = clients(paying, 1)
    enter(paying, (other, "10"))
    returned = services.invoice_submit(
        by=paying.carer, invoice=create(paying, [actual_of(paying, other).pk], reference="INV-2")
    )
    services.invoice_return(by=paying.payments_officer, invoice=returned, reason="Wrong")
    enter(paying, (other, "9"), comments="Amended")
    assert returned.lines.get().amount == Decimal("145.44")
    assert not Invoice.objects.filter(corrects=returned).exists()


def test_unchanged_cost_or_only_a_comment_raises_nothing(paying, invoiced):
    enter(paying, (paying.cpli, "14"), comments="All as planned")
    assert not Invoice.objects.filter(corrects=invoiced).exists()
    assert not Event.objects.filter(action__in=["invoice.corrected", "invoice.lines_amended"])


def test_one_document_per_original_and_kind_for_a_save_of_many_weeks(paying):
    more = clients(paying, 3)
    enter(paying, (paying.cpli, "14"), *[(cpli, "10") for cpli in more])
    invoice = submitted(paying)
    enter(paying, (more[0], "8"), (more[1], "9"), (more[2], "12"), comments="Moved")
    note = correction(invoice, K.CREDIT_NOTE)
    extra = correction(invoice, K.SUPPLEMENTARY)
    assert sorted(note.lines.values_list("amount", flat=True)) == [
        Decimal("16.16"),
        Decimal("32.32"),
    ]
    assert list(extra.lines.values_list("amount", flat=True)) == [Decimal("32.32")]
    assert Invoice.objects.filter(corrects=invoice).count() == 2


def test_a_reference_the_provider_used_is_skipped_and_a_long_one_is_cut_to_fit(paying):
    enter(paying, (paying.cpli, "14"))
    (other,) = clients(paying, 1)
    enter(paying, (other, "10"))
    long_reference = "R" * 50
    invoice = submitted(paying, actual_ids=[actual_of(paying).pk], reference=long_reference)
    # The provider's own invoice happens to be called what the first credit note would be.
    create(paying, [actual_of(paying, other).pk], reference="R" * 46 + "-CN1")
    enter(paying, (paying.cpli, "13"), comments="Amended")
    note = correction(invoice, K.CREDIT_NOTE)
    assert note.reference == "R" * 46 + "-CN2" and len(note.reference) == 50


def test_a_corrected_week_is_never_offered_on_the_pre_invoice_again(paying, invoiced):
    enter(paying, (paying.cpli, "12"), comments="Amended")
    enter(paying, (paying.cpli, "16"), comments="Amended")
    assert pre_invoice(paying.carer, paying.service, period_of(paying)) == []


def test_a_week_whose_payment_is_processed_still_cannot_be_amended(paying, invoiced):
    actuals.actuals_confirm(paying.carer, period_of(paying))
    actuals.period_mark_paid(paying.payments_officer, period_of(paying))
    with pytest.raises(actuals.ActualsInvalid):
        enter(paying, (paying.cpli, "12"), comments="Amended")
    assert not Invoice.objects.filter(corrects=invoiced).exists()


def test_a_week_amended_by_csv_upload_is_corrected_the_same_way(paying, invoiced):
    rows = table(export_text(paying.carer, start=LAST_WEEK))
    rows[1][4:10] = ["10", "0", "4", "0", "14", "Fewer visits"]
    assert csvio.import_rows(paying.carer, as_csv(rows)).changed == 1
    line = correction(invoiced, K.CREDIT_NOTE).lines.get()
    assert (line.quantity, line.amount) == (Decimal("4"), Decimal("64.64"))


def test_a_refused_correction_rolls_back_the_whole_save(paying, invoiced, monkeypatch):
    def refuse(**_kwargs):
        raise services.PaymentsRefused("No")

    monkeypatch.setattr("carebridge.payments.receivers.invoices_follow_actuals", refuse)
    with pytest.raises(services.PaymentsRefused):
        enter(paying, (paying.cpli, "12"), comments="Amended")
    assert actual_of(paying).actual == Decimal("14")


def test_a_provider_of_two_councils_is_corrected_only_where_it_invoices(clock):
    two = make_two_council_provider()
    # The weekly council pays on invoice; the four-weekly one self-bills (no rule: the default).
    make_payment_rule(two.weekly, ContractType.SPOT, payment_method=PaymentMethod.ON_INVOICE)
    self_billed = weeks_ago(2)
    week = two.week
    actuals.actuals_save(
        two.carer,
        [
            item(two.weekly_cpli, week, "10", visits=10),
            item(two.four_weekly_cpli, self_billed, "10", visits=10),
        ],
    )
    ours = Actual.objects.get(cpli=two.weekly_cpli, week_start=week)
    invoice = services.invoice_submit(
        by=two.carer,
        invoice=services.invoice_create(
            by=two.carer,
            service=two.service,
            period=two.open_period,
            reference="LF-1",
            invoice_date=weeks_ago(0),
            actual_ids=[ours.pk],
        ),
    )
    actuals.actuals_save(
        two.carer,
        [
            item(two.weekly_cpli, week, "8", visits=10, comments="Amended"),
            item(two.four_weekly_cpli, self_billed, "8", visits=10, comments="Amended"),
        ],
    )
    assert list(Invoice.objects.exclude(pk=invoice.pk).values_list("reference", "kind")) == [
        ("LF-1-CN1", K.CREDIT_NOTE)
    ]
    assert correction(invoice, K.CREDIT_NOTE).lines.get().amount == Decimal("37.00")
    assert not InvoiceLine.objects.filter(actual__cpli=two.four_weekly_cpli).exists()


# --- For any sequence of edits ------------------------------------------------------------------

# Quarter hours up to 30 a week, as the rulebook's step allows.
HOURS = st.integers(min_value=0, max_value=120).map(lambda n: Decimal(n) / 4)
EDIT = st.tuples(st.just("edit"), st.lists(HOURS, min_size=2, max_size=2))
DECIDE = st.tuples(
    st.just("decide"), st.sampled_from(["submit", "hold", "return", "resubmit", "authorise", "pay"])
)
_references = iter(range(1, 10**6))


def _decide(world, invoice: Invoice, step: str) -> None:
    """A status change the product allows at this moment (a refused one changes nothing)."""
    officer = world.payments_officer
    calls = {
        "submit": lambda: services.invoice_submit(by=world.carer, invoice=invoice),
        "hold": lambda: services.invoice_hold(by=officer, invoice=invoice, reason="Checking"),
        "return": lambda: services.invoice_return(by=officer, invoice=invoice, reason="Wrong"),
        "resubmit": lambda: services.invoice_resubmit(by=world.carer, invoice=invoice),
        "authorise": lambda: services.invoice_authorise(by=officer, invoice=invoice),
        "pay": lambda: services.invoice_pay(by=None, invoice=invoice),
    }
    with contextlib.suppress(services.PaymentsRefused):
        calls[step]()


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    first=st.lists(HOURS, min_size=2, max_size=2),
    submit=st.booleans(),
    steps=st.lists(st.one_of(EDIT, DECIDE), min_size=1, max_size=10),
)
# Corrected while submitted, then returned and amended again.
@example(
    first=[Decimal("10"), Decimal("10")],
    submit=True,
    steps=[
        ("edit", [Decimal("8"), Decimal("10")]),
        ("decide", "return"),
        ("edit", [Decimal("7"), Decimal("11")]),
    ],
)
def test_for_any_edits_what_is_invoiced_net_is_each_weeks_cost_now(paying, first, submit, steps):
    cplis = clients(paying, 2)
    enter(paying, *zip(cplis, map(str, first), strict=True), comments="As delivered")
    ids = [actual_of(paying, cpli).pk for cpli in cplis]
    original = create(paying, ids, reference=f"H-{next(_references)}")
    if submit:
        _decide(paying, original, "submit")
    for step, value in steps:
        invoice = Invoice.objects.get(pk=original.pk)
        lines_before = sorted(invoice.lines.values_list("actual_id", "quantity", "amount"))
        if step == "decide":
            _decide(paying, invoice, value)
            continue
        enter(paying, *zip(cplis, map(str, value), strict=True), comments="Amended")
        if invoice.status not in (S.UNSUBMITTED, S.RETURNED):
            assert sorted(invoice.lines.values_list("actual_id", "quantity", "amount")) == (
                lines_before
            )
        net = invoiced_net(paying.carer, ids)
        costs = dict(Actual.objects.filter(pk__in=ids).values_list("pk", "cost"))
        # Credit + supplementary = new cost - what was invoiced: nothing paid twice or lost.
        assert {pk: net[pk].amount for pk in ids} == costs
    for document in Invoice.objects.filter(corrects=original):
        assert all(line.amount > 0 for line in document.lines.all())
        assert document.status != S.UNSUBMITTED


def test_a_termination_back_over_an_invoiced_week_credits_it(paying, invoiced):
    from datetime import timedelta

    from carebridge.contracts import services as contracts

    # The council ends the care the week before: last week, invoiced and submitted, plans nothing.
    contracts.contract_document_terminate(
        document=paying.cpli.document,
        end_date=weeks_ago(2) + timedelta(days=6),
        reason="Moved to residential care",
        by=paying.broker,
    )
    assert actual_of(paying).cost == 0
    note = correction(invoiced, K.CREDIT_NOTE)
    assert (note.status, note.created_by) == (S.SUBMITTED, paying.broker)
    assert note.lines.get().amount == Decimal("226.24")
    assert invoiced_net(paying.carer, [actual_of(paying).pk])[actual_of(paying).pk].amount == 0
    assert invoiced.lines.get().amount == Decimal("226.24")
