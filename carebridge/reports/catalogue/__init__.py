"""The reports, one module each: its filters form, its one selector (`build`, which the page
and every download read, so they cannot disagree) and, where a picture is quicker to read, its
chart. Each module registers its `Report` when imported; `discover` imports them all."""

from __future__ import annotations

import importlib
import pkgutil


def discover() -> None:
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
