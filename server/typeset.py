"""Documents typeset by Typst from our own templates and only the fonts in Typst's wheel, the same bytes anywhere."""
from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sys
from asyncio.subprocess import PIPE
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typst

from server.errors import Unavailable

if TYPE_CHECKING:
    from typst import PDFStandard

TEMPLATES = Path(__file__).parent / "typst"
_STDERR_TAIL = 2000
log = logging.getLogger(__name__)


def typeset(template: str, data: Any, *, created: datetime, standards: Sequence[PDFStandard] = ("ua-1",)) -> bytes:
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


async def typeset_apart(module: str, job: Any, *, timeout: float, what: str,
                        unavailable: type[Unavailable] = Unavailable) -> bytes:
    """The PDF `python -m {module}` writes to stdout for `job` (JSON on its stdin), in a child process of its own.

    Typst keeps everything it laid out for its process's life (about 1.2 MiB a page) and the binding never lets go:
    a child gives it all back when it exits, and unlike a thread it can be stopped when it runs past `timeout` or
    the request goes away. Its own session, so bench/summary.py can measure the processes we start.
    """
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", module, stdin=PIPE, stdout=PIPE, stderr=PIPE, start_new_session=True,
    )
    try:
        async with asyncio.timeout(timeout):
            pdf, stderr = await process.communicate(json.dumps(job, ensure_ascii=False).encode())
    except TimeoutError:
        log.warning("typesetting %s took longer than %s s", module, timeout)
        raise unavailable(f"{what} cannot be made: typesetting took too long") from None
    finally:
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
    if process.returncode != 0 or not pdf.startswith(b"%PDF-"):
        log.warning("typesetting %s failed (%s): %s", module, process.returncode,
                    stderr[-_STDERR_TAIL:].decode(errors="replace"))
        raise unavailable(f"{what} cannot be made: typesetting failed", {"status": process.returncode})
    return pdf
