"""The portal's Jinja templates, shared by the public and the supervisors' pages."""

from __future__ import annotations

from pathlib import Path

from fastapi.templating import Jinja2Templates

from services.reporting.domain import disclosure, labels, vocabulary

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
templates.env.globals["labels"] = labels
templates.env.globals["disclosure"] = disclosure
templates.env.globals["region_label"] = vocabulary.region_label
