"""What the CRM tests share: a request as the submit service leaves one, a CRM on loopback
that records each post, a council's CRM settings, pushing a request, and running the tries
Huey has scheduled."""

import json
import threading
import time
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import count

from huey.contrib.djhuey import HUEY

from carebridge.core.calendar import now
from carebridge.frontdoor.assessment.eligibility import assess
from carebridge.frontdoor.choices import About, Asker, RequestStatus, Route
from carebridge.frontdoor.models import FrontDoorRequest, FrontDoorSettings
from carebridge.frontdoor.requests.crm import crm_push_queue

SECRET = "a-long-shared-secret-for-signing"
_numbers = count(1)
ANSWERS = {
    "asker": "professional",
    "professional_organisation": "Riverside Surgery",
    "professional_role": "Practice nurse",
    "about": "adult",
    "urgent": ["none"],
    "postcode": "TF3 4NB",
    "adult_impairment": "yes",
    "adult_fluctuates": "no",
    "adult_nutrition": ["needs_help"],
    "adult_hygiene": ["needs_help", "takes_longer"],
    "adult_significant_impact": "yes",
    "person_name": "Edith Marlow",
    "person_dob": "1941-03-03",
    "consent": "yes",
}


def make_request(council, **fields) -> FrontDoorRequest:
    """A request as the submit service leaves one in the council's queue."""
    moment = fields.pop("submitted_at", now())
    assessment = assess(ANSWERS)
    values = {
        "reference": f"FD-TEST-{next(_numbers):04d}",
        "status": RequestStatus.RECEIVED,
        "route": Route.QUEUE,
        "asker": Asker.PROFESSIONAL,
        "asker_name": "Priya Nurse",
        "asker_email": "priya.nurse@example.org",
        "asker_phone": "01632 960 111",
        "professional_organisation": "Riverside Surgery",
        "professional_role": "Practice nurse",
        "about": About.ADULT,
        "person_name": "Edith Marlow",
        "person_date_of_birth": date(1941, 3, 3),
        "person_phone": "01632 960 222",
        "postcode": "TF3 4NB",
        "consent_to_share": True,
        "answers": ANSWERS,
        "assessment": assessment.to_json(),
        "ruleset_version": assessment.version,
        "result": assessment.result,
        "urgent": assessment.urgent,
        "submitted_at": moment,
        "changed_at": moment,
        **fields,
    }
    return FrontDoorRequest.objects.create(council=council, **values)


class Crm:
    """A CRM on loopback: records each post; answers with the statuses planned, then 201."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.plan: list[int | float] = []  # a float: wait that many seconds, then answer 201
        crm_server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                crm_server.received.append(
                    {"path": self.path, "headers": dict(self.headers), "body": body}
                )
                step = crm_server.plan.pop(0) if crm_server.plan else 201
                if isinstance(step, float):
                    time.sleep(step)
                    step = 201
                answer = (
                    {"reference": f"CRM-{len(crm_server.received)}"}
                    if step < 300
                    else {"error": "not today"}
                )
                try:
                    self.send_response(step)
                    if step in (301, 302, 307, 308):
                        self.send_header("Location", "/elsewhere")
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(json.dumps(answer).encode())
                except OSError:
                    pass  # the client gave up waiting

            def do_GET(self):
                crm_server.received.append({"path": self.path, "headers": {}, "body": b""})
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def url(self, path: str = "/crm/requests") -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def posts(self, path: str | None = None) -> list[dict]:
        return [r for r in self.received if path is None or r["path"] == path]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def run_due_retries() -> int:
    """Run the tries Huey has scheduled, as its consumer would once their time came."""
    later = datetime.now(UTC).replace(tzinfo=None) + timedelta(days=3)
    due = HUEY.read_schedule(later)
    for task in due:
        HUEY.execute(task, later)
    return len(due)


def with_crm(council, url: str, secret: str = SECRET) -> FrontDoorSettings:
    return FrontDoorSettings.objects.create(
        council=council, crm_webhook_url=url, crm_webhook_secret=secret
    )


def push(request, capture, event="submitted"):
    with capture(execute=True):
        return crm_push_queue(request=request, event=event)
