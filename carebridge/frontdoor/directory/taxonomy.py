"""The council's taxonomy mapping: which of the feed's taxonomy terms stand for which need, and
every service's needs derived again from its terms when the mapping changes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from carebridge.accounts.models import User
from carebridge.audit.services import record
from carebridge.frontdoor.directory import feed as oruk
from carebridge.frontdoor.directory.imports import BATCH, chunks
from carebridge.frontdoor.directory.selectors import term_mapping
from carebridge.frontdoor.models import DirectoryService, TaxonomyMapping
from carebridge.organisations.models import Council


@dataclass(frozen=True)
class TermChoice:
    """A taxonomy term and the need the council maps it to ("" for none)."""

    vocabulary: str
    term_id: str
    term_name: str
    outcome: str


def outcomes_refresh(council: Council) -> int:
    """Derive every service's needs again from its terms and the mapping; how many changed."""
    mapping = term_mapping(council)
    changed = []
    for service in DirectoryService.objects.filter(council=council).only(
        "pk", "taxonomy_terms", "outcomes"
    ):
        outcomes = oruk.outcomes_for(service.taxonomy_terms, mapping)
        if outcomes != service.outcomes:
            service.outcomes = outcomes
            changed.append(service)
    DirectoryService.objects.bulk_update(changed, ["outcomes"], batch_size=BATCH)
    return len(changed)


@transaction.atomic
def taxonomy_mapping_save(
    *, council: Council, choices: Iterable[TermChoice], by: User | None
) -> int:
    """Map the council's taxonomy terms to needs (a blank need unmaps the term) and derive
    every service's needs again, all at once. How many services' needs changed."""
    existing = {
        (m.vocabulary, m.term_id): m for m in TaxonomyMapping.objects.filter(council=council)
    }
    before: dict[str, str] = {}
    after: dict[str, str] = {}
    to_create, to_update, to_delete = [], [], []
    for choice in choices:
        if choice.outcome and choice.outcome not in oruk.NEEDS:
            raise ValidationError(f"{choice.outcome!r} is not a need the directory knows.")
        key = (choice.vocabulary, choice.term_id)
        label = f"{choice.vocabulary}: {choice.term_name} ({choice.term_id})"
        current = existing.get(key)
        if current is None and choice.outcome:
            to_create.append(
                TaxonomyMapping(
                    council=council,
                    vocabulary=choice.vocabulary[: oruk.VOCABULARY_LENGTH],
                    term_id=choice.term_id[: oruk.ID_LENGTH],
                    term_name=choice.term_name[: oruk.TERM_LENGTH],
                    outcome=choice.outcome,
                )
            )
            after[label] = choice.outcome
        elif current is not None and not choice.outcome:
            to_delete.append(current.pk)
            before[label] = current.outcome
        elif current is not None and current.outcome != choice.outcome:
            before[label], after[label] = current.outcome, choice.outcome
            current.outcome = choice.outcome
            to_update.append(current)
    TaxonomyMapping.objects.bulk_create(to_create, batch_size=BATCH)
    TaxonomyMapping.objects.bulk_update(to_update, ["outcome"], batch_size=BATCH)
    for chunk in chunks(to_delete):
        TaxonomyMapping.objects.filter(pk__in=chunk).delete()
    changed = outcomes_refresh(council)
    if before or after:
        record(
            action="directory.mapping_saved",
            by=by,
            council=council,
            before=before,
            after=after,
            detail={"services_changed": changed},
        )
    return changed
