"""Reports, charts, downloads and the statutory Client Level Data return (`docs/decisions/0012-reports.md`)."""
