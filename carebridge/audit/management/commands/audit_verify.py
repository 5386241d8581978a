"""`carebridge audit_verify`: walk the audit log's hash chain and say where it first breaks;
with anchors (the chain's head as published: carebridge.audit.anchors), also check that each
anchored event still has the hash it had, which a rewrite of the whole chain cannot keep."""

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from carebridge.audit import anchors, chain


class Command(BaseCommand):
    help = (
        "Check the audit log's hash chain, and each anchor given (ID:HASH, as the security log "
        "and the anchor e-mail write them); exit non-zero at the first break."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--anchor",
            action="append",
            default=[],
            metavar="ID:HASH",
            help="An event id and the hash it had when published (repeatable).",
        )
        parser.add_argument(
            "--anchors",
            type=Path,
            metavar="FILE",
            help="A file of anchors: the forwarded security log's lines, or one ID:HASH a line.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        given = self._anchors(options["anchor"], options["anchors"])
        outcome = chain.verify()
        if isinstance(outcome, chain.Break):
            raise CommandError(str(outcome), returncode=1)
        self.stdout.write(str(outcome))
        if not given:
            return
        held = anchors.check(given)
        if isinstance(held, anchors.AnchorBroken):
            raise CommandError(str(held), returncode=1)
        for line in held.lines():
            self.stdout.write(line)

    def _anchors(self, arguments: list[str], path: Path | None) -> list[anchors.Anchor]:
        found = []
        for argument in arguments:
            anchor = anchors.parse(argument) if len(argument) < 100 else None
            if anchor is None or str(anchor) != argument.strip():
                raise CommandError(f"Not an anchor (ID:HASH): {argument[:100]!r}", returncode=2)
            found.append(anchor)
        if path is not None:
            try:
                with path.open(encoding="utf-8", errors="replace") as file:
                    # A line at most LINE_LIMIT long at a time: a file without newlines is
                    # not read into memory whole.
                    lines = iter(lambda: file.readline(anchors.LINE_LIMIT), "")
                    found.extend(anchors.read(lines))
            except OSError as error:
                raise CommandError(f"Cannot read {path}: {error.strerror}", returncode=2) from None
            except anchors.TooManyAnchors as error:
                raise CommandError(str(error), returncode=2) from None
            if not found:
                raise CommandError(f"No anchor (ID:HASH) in {path}", returncode=2)
        return found
