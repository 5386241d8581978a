"""The help topic of the subject access pages: the requests, finding a person, a request and
its decisions."""

from carebridge.help.topics import Audience, Topic

TOPICS: list[Topic] = [
    Topic(
        "subject-access-requests",
        "Subject access requests",
        views=(
            "subjectaccess:request_list",
            "subjectaccess:find",
            "subjectaccess:request_create",
            "subjectaccess:request_detail",
            "subjectaccess:request_decide",
        ),
        audience=Audience.COUNCIL,
        section="Administration",
        summary="Record a person's request for their records, verify who asked, export "
        "everything held about them once, and answer within one calendar month.",
    ),
]

# The export is prepared by a POST and downloaded by its one-off link.
NOT_PAGES: set[str] = {"subjectaccess:export_prepare", "subjectaccess:export_download"}
