"""Prompt payment on the provider's pages: `invoice|prompt_facts` gives an invoice's received,
due by, paid on and days taken (payments.prompt_payment, the one place the 30-day rule lives),
from fields the page has already read, so a list asks the database nothing more."""

from __future__ import annotations

from django import template

from carebridge.payments.models import Invoice
from carebridge.payments.prompt_payment import PromptPayment, prompt_payment

register = template.Library()


@register.filter
def prompt_facts(invoice: Invoice) -> PromptPayment | None:
    """None until the council has received the invoice (it is submitted)."""
    return prompt_payment(invoice.submitted_at, invoice.paid_on)
