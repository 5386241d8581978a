"""Applying the eligibility rules (rules.py, where the Care Act table and how the result is
computed are set out) to a set of answers: the recommendation and every reason for it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from carebridge.frontdoor.assessment.rules import (
    ABOUT,
    ADULT_WELLBEING,
    CARER_SIGNPOSTING,
    CARER_SUPPORT,
    CARER_WELLBEING,
    CONDITIONS,
    NO_DIFFICULTY,
    NOT_APPLICABLE,
    OUTCOME_REFERENCES,
    RULES,
    RULESET_VERSION,
    SHORT_REASONS,
    WELLBEING_AREAS,
    Condition,
    Effect,
    Rule,
    outcome_question,
    outcomes_for,
)
from carebridge.frontdoor.choices import About, Outcome, Result

_WELLBEING_LABELS = dict(WELLBEING_AREAS)


# --- The result ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """A condition (or an urgent flag) and what decided it: met is None when not sure."""

    reference: str  # "2(1)(a)"; "urgent" for urgent flags
    text: str
    met: bool | None
    rule_ids: tuple[str, ...]
    reason: str  # why, in plain English, citing the regulation of each deciding rule

    def to_json(self) -> dict[str, Any]:
        return {
            "reference": self.reference,
            "text": self.text,
            "met": self.met,
            "rule_ids": list(self.rule_ids),
            "reason": self.reason,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Finding:
        return cls(
            reference=data["reference"],
            text=data["text"],
            met=data["met"],
            rule_ids=tuple(data["rule_ids"]),
            reason=data["reason"],
        )


@dataclass(frozen=True)
class OutcomeFinding:
    """One outcome, whether it can be achieved, and the rules that decided it."""

    code: str  # Outcome or CarerOutcome value
    label: str
    reference: str  # "2(2)(a)", "3(2)(b)(iv)"
    unable: bool
    rule_ids: tuple[str, ...]  # the tests that made it unmet; empty when it is not
    text: str  # "needs help; takes significantly longer", "no difficulty", "not answered"

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "label": self.label,
            "reference": self.reference,
            "unable": self.unable,
            "rule_ids": list(self.rule_ids),
            "text": self.text,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> OutcomeFinding:
        return cls(
            code=data["code"],
            label=data["label"],
            reference=data["reference"],
            unable=data["unable"],
            rule_ids=tuple(data["rule_ids"]),
            text=data["text"],
        )


@dataclass(frozen=True)
class Assessment:
    """The tool's recommendation and every reason for it, as stored with the request."""

    version: str
    about: About
    result: Result
    urgent: bool
    urgent_reasons: tuple[Finding, ...]
    conditions: tuple[Finding, ...]
    outcomes: tuple[OutcomeFinding, ...]
    fluctuating: bool
    unmet: tuple[str, ...]  # signposting codes: Outcome values, and "carer_support" for carers
    reasons: tuple[str, ...]
    wellbeing_areas: tuple[str, ...] = field(default=())  # s.1(2) area codes ticked

    @property
    def unable_count(self) -> int:
        return sum(1 for outcome in self.outcomes if outcome.unable)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON types only, so the request can store it in a JSONField."""
        return {
            "version": self.version,
            "about": self.about.value,
            "result": self.result.value,
            "urgent": self.urgent,
            "urgent_reasons": [finding.to_json() for finding in self.urgent_reasons],
            "conditions": [finding.to_json() for finding in self.conditions],
            "outcomes": [outcome.to_json() for outcome in self.outcomes],
            "fluctuating": self.fluctuating,
            "unmet": list(self.unmet),
            "reasons": list(self.reasons),
            "wellbeing_areas": list(self.wellbeing_areas),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Assessment:
        return cls(
            version=data["version"],
            about=About(data["about"]),
            result=Result(data["result"]),
            urgent=data["urgent"],
            urgent_reasons=tuple(Finding.from_json(item) for item in data["urgent_reasons"]),
            conditions=tuple(Finding.from_json(item) for item in data["conditions"]),
            outcomes=tuple(OutcomeFinding.from_json(item) for item in data["outcomes"]),
            fluctuating=data["fluctuating"],
            unmet=tuple(data["unmet"]),
            reasons=tuple(data["reasons"]),
            wellbeing_areas=tuple(data.get("wellbeing_areas", ())),
        )


# --- Applying the rules -------------------------------------------------------------------------


def answer_values(answers: Mapping[str, Any], question: str) -> tuple[str, ...]:
    """The answer to one question as a tuple of strings; anything else counts as no answer."""
    value = answers.get(question)
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | tuple):
        return tuple(item for item in value if isinstance(item, str))
    return ()


def about_from(answers: Mapping[str, Any]) -> About:
    """Who the answers are about; adults unless "carer" was chosen."""
    values = answer_values(answers, ABOUT)
    return About.CARER if values and values[0] == About.CARER else About.ADULT


def _fires(rule: Rule, answers: Mapping[str, Any]) -> bool:
    return rule.answer in answer_values(answers, rule.question)


def _outcome_finding(
    about: About, code: str, label: str, answers: Mapping[str, Any]
) -> OutcomeFinding:
    reference, _ = OUTCOME_REFERENCES[about][code]
    fired = tuple(
        rule
        for rule in RULES
        if rule.effect == Effect.UNABLE
        and rule.about == about
        and rule.outcome == code
        and _fires(rule, answers)
    )
    given = answer_values(answers, outcome_question(about, code))
    if fired:
        text = "; ".join(SHORT_REASONS[rule.answer] for rule in fired)
    elif NOT_APPLICABLE in given:
        text = "does not apply"
    elif NO_DIFFICULTY in given:
        text = "no difficulty"
    else:
        text = "not answered"
    return OutcomeFinding(
        code=code,
        label=label,
        reference=reference,
        unable=bool(fired),
        rule_ids=tuple(rule.id for rule in fired),
        text=text,
    )


def _count_reason(about: About, outcomes: tuple[OutcomeFinding, ...], rule: Rule) -> str:
    unable = [outcome for outcome in outcomes if outcome.unable]
    noun = "outcomes" if about == About.ADULT else "carer outcomes"
    line = (
        f"Cannot achieve {len(unable)} of the {len(outcomes)} {noun} "
        f"({rule.threshold} or more needed)"
    )
    if unable:
        line += ": " + "; ".join(f"{outcome.label} ({outcome.text})" for outcome in unable)
    return line


def _condition_finding(
    condition: Condition, answers: Mapping[str, Any], outcomes: tuple[OutcomeFinding, ...]
) -> Finding:
    unable = sum(1 for outcome in outcomes if outcome.unable)
    # Each rule for the condition that applies, with the met value it gives and its reason.
    verdicts: list[tuple[Rule, bool | None, str]] = []
    for rule in RULES:
        if rule.condition != condition.reference:
            continue
        if rule.effect == Effect.AT_LEAST:
            verdicts.append(
                (rule, unable >= rule.threshold, _count_reason(condition.about, outcomes, rule))
            )
        elif _fires(rule, answers):
            met = {Effect.MET: True, Effect.NOT_MET: False, Effect.UNSURE: None}[rule.effect]
            verdicts.append((rule, met, rule.text))
    for wanted in (True, None, False):
        deciding = [(rule, reason) for rule, met, reason in verdicts if met is wanted]
        if deciding:
            return Finding(
                reference=condition.reference,
                text=condition.text,
                met=wanted,
                rule_ids=tuple(rule.id for rule, _ in deciding),
                reason=". ".join(
                    f"{reason} (regulation {rule.criterion})" for rule, reason in deciding
                ),
            )
    # Nobody is screened out for a question left unanswered.
    return Finding(
        reference=condition.reference,
        text=condition.text,
        met=None,
        rule_ids=(),
        reason="Not answered; the council will check this at assessment "
        f"(regulation {condition.reference})",
    )


def _unmet_codes(about: About, outcomes: tuple[OutcomeFinding, ...]) -> tuple[str, ...]:
    if about == About.ADULT:
        return tuple(outcome.code for outcome in outcomes if outcome.unable)
    mapped = {
        CARER_SIGNPOSTING[o.code] for o in outcomes if o.unable and o.code in CARER_SIGNPOSTING
    }
    return (CARER_SUPPORT, *(code.value for code in Outcome if code in mapped))


def assess(answers: Mapping[str, Any]) -> Assessment:
    """The recommendation for a set of answers keyed by question id.

    Never raises: unknown question ids, missing answers and values that are not strings (or
    lists of strings) are treated as not answered, and an unknown "about" as an adult.
    """
    if not isinstance(answers, Mapping):
        answers = {}
    about = about_from(answers)
    outcomes = tuple(
        _outcome_finding(about, code, label, answers) for code, label in outcomes_for(about)
    )
    conditions = tuple(
        _condition_finding(condition, answers, outcomes)
        for condition in CONDITIONS
        if condition.about == about
    )
    urgent_reasons = tuple(
        Finding(
            reference=rule.criterion,
            text=rule.text,
            met=True,
            rule_ids=(rule.id,),
            reason=rule.text,
        )
        for rule in RULES
        if rule.effect == Effect.URGENT and _fires(rule, answers)
    )
    fluctuation = tuple(
        rule
        for rule in RULES
        if rule.effect == Effect.FLUCTUATING and rule.about == about and _fires(rule, answers)
    )
    wellbeing_question = ADULT_WELLBEING if about == About.ADULT else CARER_WELLBEING
    chosen = set(answer_values(answers, wellbeing_question))
    wellbeing_areas = tuple(code for code, _ in WELLBEING_AREAS if code in chosen)
    not_met = [finding for finding in conditions if finding.met is False]
    result = Result.MAY_NOT_BE_ELIGIBLE if not_met else Result.LIKELY_ELIGIBLE

    reasons: list[str] = [f"Urgent: {finding.text}" for finding in urgent_reasons]
    reasons += [finding.reason for finding in conditions]
    reasons += [f"{rule.text} (regulation {rule.criterion})" for rule in fluctuation]
    if wellbeing_areas:
        reasons.append(
            "Areas of well-being affected: "
            + "; ".join(_WELLBEING_LABELS[code] for code in wellbeing_areas)
        )
    regulation = "2(1)" if about == About.ADULT else "3(1)"
    if not_met:
        references = ", ".join(finding.reference for finding in not_met)
        reasons.append(
            f"Not met: regulation {references}, so the needs may not be eligible. "
            "You can still ask the council for an assessment."
        )
    else:
        reasons.append(
            f"Every condition of regulation {regulation} is met or may be met, so the needs are "
            "likely to be eligible. The council decides after an assessment."
        )
    return Assessment(
        version=RULESET_VERSION,
        about=about,
        result=result,
        urgent=bool(urgent_reasons),
        urgent_reasons=urgent_reasons,
        conditions=conditions,
        outcomes=outcomes,
        fluctuating=bool(fluctuation),
        unmet=_unmet_codes(about, outcomes),
        reasons=tuple(reasons),
        wellbeing_areas=wellbeing_areas,
    )
