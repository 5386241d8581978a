"""The Tuesday peak as locust users: providers doing their weekly actuals and answering
referrals, brokers sending referrals, payments officers looking at a run, residents at the public
front door, and a /healthz probe in the same run. Run by bench/load/run.py; bench/load/README.md
says how to run it by hand and which environment variables it reads (LOAD_ACTIONS_LOG,
LOAD_PROVIDER_LOGINS, LOAD_PAYMENTS_LOGIN, LOAD_BROKER_LOGIN, LOAD_ADDRESS_OCTET).

Every user works the pages as a browser does: it reads each form from the page (CSRF token,
hidden fields, what is filled in already), posts it back with its own answers, and does not
follow redirects by itself, so each named step is one request. Each user binds its own loopback
source address, so the server's per-address rate limits see many visitors, as in production.
"""

from __future__ import annotations

import datetime
import itertools
import json
import os
import random
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import gevent
from locust import HttpUser, between, constant, task
from locust.clients import LocustHttpAdapter
from locust.exception import StopUser
from locust.user.task import LOCUST_STATE_RUNNING, LOCUST_STATE_STOPPING, LOCUST_STATE_WAITING
from urllib3 import PoolManager

ROOT = Path(__file__).resolve().parent.parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.load import Form, errors_of, forms_of, post_form  # noqa: E402
from carebridge.demo.credentials import DEMO_PASSCODE, DEMO_PASSWORD  # noqa: E402


def _think_range() -> tuple[float, float]:
    """5 to 15 s, as the issue's target says; LOAD_THINK="0,0" for the journeys' own test."""
    low, high = (os.environ.get("LOAD_THINK") or "5,15").split(",")
    return float(low), float(high)


THINK = between(*_think_range())
COUNCIL_SLUG = "scale"
LONDON = ZoneInfo("Europe/London")

# --- The actions log: the background effects the scale-out run counts -----------------------


def record(kind: str, pk: int | None, user: str, **extra: Any) -> None:
    """Append one JSON line to LOAD_ACTIONS_LOG, in one write: users run concurrently (and, with
    several locust processes, in several processes), and O_APPEND keeps each line whole."""
    path = os.environ.get("LOAD_ACTIONS_LOG")
    if not path:
        return
    line = json.dumps({"kind": kind, "pk": pk, "user": user, **extra}) + "\n"
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(descriptor, line.encode())
    finally:
        os.close(descriptor)


# --- Users: each its own source address and log-in -----------------------------------------

_users = itertools.count(1)
_providers = itertools.count(1)
_OCTET = int(os.environ.get("LOAD_ADDRESS_OCTET") or random.randint(16, 250))


def source_address(number: int) -> str:
    """127.<octet>.x.y for the number'th user: Linux routes all of 127/8 to loopback, so the
    server sees each user come from its own address (REMOTE_ADDR), as real visitors do."""
    return f"127.{_OCTET}.{number // 250 % 256}.{number % 250 + 1}"


def provider_login() -> str:
    logins = int(os.environ.get("LOAD_PROVIDER_LOGINS") or 0)
    if logins <= 0:
        return "provider@scale.example"
    return f"provider{(next(_providers) - 1) % logins + 1:04d}@scale.example"


_started = itertools.count(1)


def started(environment: Any) -> None:
    """With LOAD_RESET_AFTER_START, the statistics start again LOAD_SETTLE seconds (30) after the
    last user has started (logged in): the ramp-up, its two argon2 hashes a log-in, and the queue
    they leave behind them are not in the figures."""
    runner = environment.runner
    if not os.environ.get("LOAD_RESET_AFTER_START") or runner is None:
        return
    if next(_started) == runner.target_user_count:
        settle = float(os.environ.get("LOAD_SETTLE") or 30)
        gevent.spawn_later(settle, runner.stats.reset_all)


Codes = tuple[int, ...]
OK: Codes = (200,)
Data = list[tuple[str, str]] | None


class PortalUser(HttpUser):
    """A visitor of the portal with its own address; `email()` names its log-in, if any.

    A person reads each page before asking for the next one: every request a person makes
    (a link followed, a form sent) comes after a think time of 5 to 15 s (`think`). A redirect
    is followed at once, as a browser follows it, and so are the log-in's steps, which happen
    while the users start (they are left out of the figures). Between journeys there is no
    further wait: the journey's first page has its own think time."""

    abstract = True
    wait_time = constant(0)

    def __init__(self, environment: Any) -> None:
        super().__init__(environment)
        self.new_address()
        self.login = ""

    def new_address(self) -> None:
        """Its own loopback source address on its HTTP connections, a new one each call."""
        self.address = source_address(next(_users))
        adapter = LocustHttpAdapter(pool_manager=PoolManager(source_address=(self.address, 0)))
        self.client.mount("http://", adapter)
        self.client.mount("https://", adapter)

    def think(self) -> None:
        """5 to 15 s reading the page. As locust's own wait between tasks, the user is marked
        waiting meanwhile, so a stopping run ends it at once rather than after the journey."""
        if self._state == LOCUST_STATE_STOPPING:
            raise StopUser()
        self._state = LOCUST_STATE_WAITING
        gevent.sleep(THINK(self))
        if self._state == LOCUST_STATE_STOPPING:
            raise StopUser()
        self._state = LOCUST_STATE_RUNNING

    def email(self) -> str:
        return ""

    def on_start(self) -> None:
        try:
            self.login = self.email()
            if self.login:
                self.log_in(self.login)
        finally:
            started(self.environment)

    def request(
        self, method: str, path: str, name: str, *, expect: Codes = OK, data: Data = None,
        problem: Callable[[Any], str] | None = None, follow: bool = False,
    ) -> Any:  # fmt: skip
        """One request as one named step, after a think time unless it is a redirect being
        followed (`follow`): a status other than expected fails it, and so does what `problem`
        finds wrong with the response (its message, or "" for nothing)."""
        if not follow:
            self.think()
        with self.client.request(
            method, path, name=name, data=data, allow_redirects=False, catch_response=True
        ) as response:
            wrong = problem(response) if problem and response.status_code in expect else ""
            if response.status_code not in expect:
                where = response.headers.get("Location", "") or errors_of(response.text)
                response.failure(f"{method} {path}: {response.status_code} {where}")
            elif wrong:
                response.failure(f"{method} {path}: {wrong}")
            else:
                response.success()
            return response

    def ok(self, response: Any, *statuses: int) -> bool:
        return response.status_code in (statuses or (200,))

    def log_in(self, email: str) -> None:
        """Both steps, each from its form (CSRF token included)."""
        for path, name, answers, then in (
            ("/accounts/login/", "log-in: password", {"email": email, "password": DEMO_PASSWORD},
             "/accounts/login/second-step/"),
            ("/accounts/login/second-step/", "log-in: passcode", {"passcode": DEMO_PASSCODE}, "/"),
        ):  # fmt: skip
            page = self.request("GET", path, f"{name} page", follow=True)
            form = post_form(page.text, "csrfmiddlewaretoken") if self.ok(page) else None
            if form is None:
                raise StopUser()
            sent = self.request(
                "POST", path, name, expect=(302,), data=form.data(answers), follow=True
            )
            if sent.status_code != 302 or sent.headers.get("Location", "").split("?")[0] != then:
                raise StopUser()


class HealthProbe(PortalUser):
    """The baseline: /healthz with the same think times, in the same run."""

    weight = 1

    @task
    def probe(self) -> None:
        self.request("GET", "/healthz", "healthz")


# --- Providers: the weekly actuals -----------------------------------------------------------

_PERIOD_LINK = re.compile(
    r'href="/actuals/periods/(\d+)/">(\d\d)/(\d\d)/(\d{4}) to (\d\d)/(\d\d)/(\d{4})'
)


def _day(day: str, month: str, year: str) -> datetime.date:
    return datetime.date(int(year), int(month), int(day))


def whole_rows(form: Form) -> list[tuple[str, int, int]]:
    """(CPLI, actual, missed) of the rows whose figures are whole numbers: a change of one is
    then right in any unit (hours in quarters, nights or weeks whole). The data has nights
    planned in halves, which a provider could not save changed by one either."""
    found = []
    for cpli in form.values("rows"):
        figures = [(form.values(f"line{cpli}-{name}") or ["0"])[0] or "0" for name in FIGURES]
        if all(re.fullmatch(r"\d+(\.0+)?", figure) for figure in figures):
            found.append((cpli, int(float(figures[0])), int(float(figures[1]))))
    return found


FIGURES = ("actual", "missed")


def five_row_changes(form: Form) -> dict[str, Any]:
    """Five rows changed as a provider changes them: a missed visit (an hour less delivered,
    missed, with its reason and a comment), or a missed visit made good again."""
    rows = whole_rows(form)
    changes: dict[str, Any] = {}
    for cpli, actual, missed in random.sample(rows, min(5, len(rows))):
        reasons = form.field(f"line{cpli}-missed_reason")
        reason = next((v for v, _ in (reasons.options if reasons else []) if v), "")
        if missed >= 1:
            row = (actual + missed, 0, "", "Visits delivered as planned.")
        elif actual >= 1 and reason:
            row = (actual - 1, 1, reason, "One visit missed: the client was not at home.")
        else:
            row = (actual + 1, missed, "", "An extra hour agreed with the client's family.")
        names = ("actual", "missed", "missed_reason", "comments")
        changes |= {f"line{cpli}-{n}": str(v) for n, v in zip(names, row, strict=True)}
    return changes


class ProviderWeek(PortalUser):
    """A provider's Tuesday: home, the week's actuals, five rows changed and saved, the period's
    exceptions, and confirming the period once (after that, the confirm page only)."""

    weight = 10

    def email(self) -> str:
        self.confirmed: set[str] = set()
        return provider_login()

    @task
    def weekly_actuals(self) -> None:
        self.request("GET", "/", "provider: home")
        week = self.request("GET", "/actuals/", "provider: actuals week")
        if not self.ok(week):
            return
        form = post_form(week.text, "rows")
        if form is None and "/actuals/generate/" in week.text:
            week = self._generate(week.text)
            form = post_form(week.text, "rows") if week is not None else None
        if form is None:
            return
        saved = self.request(
            "POST", "/actuals/", "provider: save five rows",
            expect=(302,), data=form.data(five_row_changes(form)),
        )  # fmt: skip
        if self.ok(saved, 302):
            self.request("GET", saved.headers["Location"], "provider: actuals week", follow=True)
        self._exceptions_and_confirm(form.values("week")[0])

    def _generate(self, page: str) -> Any:
        """The week has no actuals yet: Generate actuals, as the page offers."""
        generate = next(
            (f for f in forms_of(page) if f.action.startswith("/actuals/generate/")), None
        )
        if generate is None:
            return None
        made = self.request(
            "POST", "/actuals/generate/", "provider: generate actuals",
            expect=(302,), data=generate.data(),
        )  # fmt: skip
        if not self.ok(made, 302):
            return None
        week = self.request("GET", made.headers["Location"], "provider: actuals week", follow=True)
        return week if self.ok(week) else None

    def _exceptions_and_confirm(self, week: str) -> None:
        periods = self.request("GET", "/actuals/periods/", "provider: periods")
        day = datetime.date.fromisoformat(week)
        found = _PERIOD_LINK.finditer(periods.text)
        within = [m[1] for m in found if _day(*m.group(2, 3, 4)) <= day <= _day(*m.group(5, 6, 7))]
        if not within:
            return
        period = within[0]
        path = f"/actuals/periods/{period}/"
        page = self.request("GET", path, "provider: exceptions")
        form = post_form(page.text, "csrfmiddlewaretoken") if self.ok(page) else None
        if form is None or period in self.confirmed:
            return
        sent = self.request("POST", path, "provider: confirm", expect=(302,), data=form.data())
        if self.ok(sent, 302):
            # The page it goes back to says whether the period was confirmed, or why not (a
            # refusal, e.g. weeks without actuals: an error of the journey or of the data).
            done = self.request(
                "GET",
                path,
                "provider: confirmed",
                follow=True,
                problem=lambda r: banner_unless(r, CONFIRMED),
            )
            if CONFIRMED in done.text:
                self.confirmed.add(period)
                record("actuals_confirmed", int(period), self.login)


CONFIRMED = "Actuals confirmed for"


def banner_unless(response: Any, expected: str) -> str:
    """The page's message banner, unless it says what was expected."""
    if expected in response.text:
        return ""
    found = re.search(r'notification-banner__heading">(.*?)</p>', response.text, re.S)
    return f"refused: {found[1].strip() if found else '(no message)'}"[:300]


# --- Providers: answering referrals ----------------------------------------------------------


class ProviderReferrals(PortalUser):
    """A provider's referral desk: the pending list, one referral, and accept or decline it."""

    weight = 3

    def email(self) -> str:
        return provider_login()

    @task
    def answer_a_referral(self) -> None:
        pending = self.request("GET", "/referrals/", "provider: pending referrals")
        ids = sorted(set(re.findall(r'href="/referrals/(\d+)/"', pending.text)))
        if not ids:
            return
        pk = random.choice(ids)
        self.request("GET", f"/referrals/{pk}/", "provider: referral")
        if random.random() < 0.5:
            self._accept(pk)
        else:
            self._decline(pk)

    def _accept(self, pk: str) -> None:
        path = f"/referrals/{pk}/accept/"
        page = self.request("GET", path, "provider: accept form")
        form = post_form(page.text, "visit_time")
        if form is None:
            return  # answered already (by a colleague): the page says so instead of a form
        tomorrow = datetime.datetime.now(LONDON).date() + datetime.timedelta(days=1)
        answers = {
            "visit_date_0": tomorrow.day,
            "visit_date_1": tomorrow.month,
            "visit_date_2": tomorrow.year,
            "visit_time": "10:00",
        }
        sent = self.request(
            "POST", path, "provider: accept referral", expect=(302, 200),
            data=form.data(answers), problem=form_came_back(unless="confirmed"),
        )  # fmt: skip
        again = post_form(sent.text, "confirmed") if sent.status_code == 200 else None
        if again is not None:
            # A first visit later than the rulebook's hours: confirm it is agreed, as asked.
            answers["confirmed"] = "on"
            sent = self.request(
                "POST", path, "provider: accept referral", expect=(302, 200),
                data=again.data(answers), problem=form_came_back(),
            )  # fmt: skip
        if sent.status_code == 302:
            record("referral_answered", int(pk), self.login, answer="accept")

    def _decline(self, pk: str) -> None:
        path = f"/referrals/{pk}/refuse/"
        page = self.request("GET", path, "provider: decline form")
        form = post_form(page.text, "reason")
        if form is None:
            return
        reason = form.values("reason")[0]
        answers = {"reason": reason, "details": "No carers free in this area this week."}
        sent = self.request(
            "POST", path, "provider: decline referral", expect=(302, 200),
            data=form.data(answers), problem=form_came_back(),
        )  # fmt: skip
        if sent.status_code == 302:
            record("referral_answered", int(pk), self.login, answer="decline")


def form_came_back(unless: str = "") -> Callable[[Any], str]:
    """A POST answered 200 with its form on the page again: the answer was refused, which is
    a failure (unless the form now asks for `unless`, a confirmation it wants first). A page
    without the form is not: it says the referral was answered already, by a colleague."""

    def problem(response: Any) -> str:
        if response.status_code != 200 or (unless and post_form(response.text, unless)):
            return ""
        if post_form(response.text, "csrfmiddlewaretoken") is None:
            return ""
        return f"the form came back: {errors_of(response.text)}"

    return problem


# --- Council users ---------------------------------------------------------------------------

# What a broker types into the new referral form where it is empty: the referral comes from
# the district team (a hospital's asks for the ward and discharge date too).
REFERRAL_ANSWERS = {
    "source": "district_team",
    "district_team": "North district team",
    "worker_team": "Brokerage",
    "support_summary": "Two calls a day: personal care in the morning, a meal in the evening.",
    "health_needs": "Type 2 diabetes, managed with tablets.",
    "home_circumstances": "Lives alone in a ground-floor flat.",
    "mobility": "Walks with a frame indoors.",
    "risks": "Falls at night.",
}


class Broker(PortalUser):
    """A broker sending a referral from a service user's record, as the council's form asks."""

    weight = 2

    def email(self) -> str:
        return os.environ.get("LOAD_BROKER_LOGIN") or "broker@scale.example"

    @task
    def send_a_referral(self) -> None:
        self.request("GET", "/referrals/sent/", "broker: referrals sent")
        people = self.request("GET", "/service-users/", "broker: service users")
        ids = sorted(set(re.findall(r'href="/service-users/(\d+)/"', people.text)))
        if not ids:
            return
        path = f"/referrals/new/?service_user={random.choice(ids)}"
        page = self.request("GET", path, "broker: new referral form")
        form = post_form(page.text, "provider")
        if form is None:
            return
        answers = referral_answers(form)
        sent = self.request(
            "POST", path, "broker: send referral", expect=(302, 200),
            data=form.data(answers), problem=form_came_back(unless="confirm_postcode"),
        )  # fmt: skip
        again = post_form(sent.text, "confirm_postcode") if sent.status_code == 200 else None
        if again is not None:
            # The person's postcode is outside the district: the broker confirms, as asked.
            answers["confirm_postcode"] = "on"
            sent = self.request(
                "POST", path, "broker: send referral", expect=(302,), data=again.data(answers)
            )
        made = re.match(r".*/referrals/(\d+)/$", sent.headers.get("Location", ""))
        if sent.status_code == 302 and made:
            record("referral_sent", int(made.group(1)), self.login)


def referral_answers(form: Form) -> dict[str, Any]:
    """The new referral form's empty fields filled in: a provider chosen at random, the start
    two days from now, REFERRAL_ANSWERS, and the first choice of any other question."""
    start = datetime.datetime.now(LONDON).date() + datetime.timedelta(days=2)
    answers: dict[str, Any] = {
        "requested_start_date_0": start.day,
        "requested_start_date_1": start.month,
        "requested_start_date_2": start.year,
    }
    for f in form.fields:
        if f.name in answers:
            continue
        if f.name in REFERRAL_ANSWERS and not (f.value.strip() and f.kind != "radio"):
            answers[f.name] = REFERRAL_ANSWERS[f.name]
        elif f.tag == "select" and f.name == "provider":
            answers[f.name] = random.choice([v for v, _ in f.options if v])
        elif f.tag == "select" and not any(s and v for v, s in f.options):
            answers[f.name] = next((v for v, _ in f.options if v), "")
        elif f.kind == "radio" and not any(g.checked for g in form.fields if g.name == f.name):
            answers[f.name] = f.value
    return answers


class PaymentsOfficer(PortalUser):
    """A payments officer getting a run ready: the runs, the prepare page (the periods it can
    pay), and the run in hand."""

    fixed_count = 2

    def email(self) -> str:
        return os.environ.get("LOAD_PAYMENTS_LOGIN") or "payments@scale.example"

    @task
    def look_at_the_run(self) -> None:
        runs = self.request("GET", "/payments/council/runs/", "payments: runs")
        self.request("GET", "/payments/council/runs/new/", "payments: prepare run")
        found = re.findall(r'href="/payments/council/runs/(\d+)/"', runs.text)
        if found:
            self.request("GET", f"/payments/council/runs/{found[0]}/", "payments: run")


# --- Residents: the public front door --------------------------------------------------------


def resident_answers(number: int) -> dict[str, Any]:
    """An adult who cannot manage three outcomes, with a significant impact: a request that goes
    to the council's queue."""
    outcomes = ("toilet", "clothing", "home_safety", "relationships", "work", "community")
    return {
        "asker": "family",
        "about": "adult",
        "urgent": ["none"],
        "postcode": "WB1 1AB",
        "adult_impairment": "yes",
        "adult_fluctuates": "no",
        **{f"adult_{code}": ["no_difficulty"] for code in outcomes},
        "adult_nutrition": ["needs_help"],
        "adult_hygiene": ["needs_help", "pain_distress"],
        "adult_habitable_home": ["takes_longer"],
        "adult_child_care": ["not_applicable"],
        "adult_wellbeing": ["dignity", "health"],
        "adult_significant_impact": "yes",
        "person_name": "Edith Marlowe",
        "person_dob-day": "3",
        "person_dob-month": "3",
        "person_dob-year": "1941",
        "person_email": "",
        "person_phone": "",
        "asker_name": "Rosa Marlowe",
        "asker_email": f"resident{number}@example.org",
        "asker_phone": "01632 960 321",
        "consent": "yes",
    }


class Resident(PortalUser):
    """A resident asking for care and support: the start page, each question, check your
    answers, send. A new visitor each time: no cookies, and another address (the front door's
    submit is rate limited per address, as it must be against scripts)."""

    weight = 1

    @task
    def ask_for_care(self) -> None:
        self.client.cookies.clear()
        self.new_address()
        base = f"/care-and-support/{COUNCIL_SLUG}/"
        start = self.request("GET", base, "resident: start")
        first = re.search(rf'href="({base}questions/[^"/]+/)"', start.text)
        if first is None:
            return
        answers = resident_answers(next(_users))
        location = first.group(1)
        for asked_before in range(60):
            if "/questions/" not in location:
                break
            # The first question is a link the resident follows; the next ones are redirects.
            page = self.request("GET", location, "resident: question", follow=asked_before > 0)
            form = post_form(page.text, "csrfmiddlewaretoken")
            if form is None:
                return
            asked = {n: answers.get(n, "") for n in form.names() if n != "csrfmiddlewaretoken"}
            sent = self.request("POST", location, "resident: answer", expect=(302,),
                                data=form.data(asked))  # fmt: skip
            if sent.status_code != 302:
                return
            location = sent.headers["Location"]
        if not location.endswith("/check-your-answers/"):
            return
        check = self.request("GET", location, "resident: check answers", follow=True)
        form = post_form(check.text, "csrfmiddlewaretoken")
        if form is None:
            return
        sent = self.request("POST", location, "resident: submit", expect=(302,), data=form.data())
        if sent.status_code == 302:
            result = self.request("GET", sent.headers["Location"], "resident: result", follow=True)
            reference = re.search(r"Your reference<br><strong>([^<]+)</strong>", result.text)
            if reference:
                record("frontdoor_submitted", None, answers["asker_email"],
                       reference=reference.group(1))  # fmt: skip
