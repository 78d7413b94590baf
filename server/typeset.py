"""Documents typeset by Typst from our own templates and only the fonts in Typst's wheel, the same bytes anywhere."""
from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import typst

TEMPLATES = Path(__file__).parent / "typst"


def typeset(template: str, data: Any, *, created: datetime, standards: Sequence[str] = ("ua-1",)) -> bytes:
    """`server/typst/{template}.typ` laid out as PDF over `data` (read there as `json(bytes(sys.inputs.data))`).

    The machine's fonts are never looked at, and `created` is the only date written: the same template, data and
    Typst release give the same bytes on every machine.
    """
    return typst.compile(
        str(TEMPLATES / f"{template}.typ"),
        root=str(TEMPLATES),
        format="pdf",
        sys_inputs={"data": json.dumps(data, ensure_ascii=False)},
        ignore_system_fonts=True,
        pdf_standards=list(standards),
        # Typst takes only a fixed offset; a time in a named zone (ZoneInfo) is the same moment at its offset then.
        # It refuses a fraction of a second too (a close time has one), which a PDF date cannot show anyway.
        timestamp=created.astimezone(timezone(created.utcoffset() or timedelta())).replace(microsecond=0),
    )
