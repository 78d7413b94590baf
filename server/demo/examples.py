"""The demo workshop replayed to its close, and its frozen summary written out in every format."""
from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from server.db import open_database
from server.demo.replay import replay_workshop
from server.demo.seed import seed_demo
from server.migrate import upgrade
from server.settings import Settings, load
from server.summary.exports import (
    FORMATS,
    Export,
    export_revised_draft,
    export_summary,
    summary_record,
)

# Stable names, so the files kept with the documentation are overwritten in place.
NAMES = {fmt: f"bien-ban-tong-hop.{fmt}" for fmt in FORMATS} | {
    "pdfa": "bien-ban-tong-hop-pdfa.pdf", "revised": "du-thao-sau-tiep-thu.docx",
}


async def _exports(settings: Settings) -> dict[str, Export]:
    db = open_database(settings)
    try:
        conference_id = (await seed_demo(db, settings))["conference_id"]
        await replay_workshop(db, conference_id)
        async with db.read() as session:
            record = await summary_record(session, conference_id)
        files = {fmt: await export_summary(record, fmt, settings) for fmt in FORMATS}
        return files | {"revised": export_revised_draft(record)}
    finally:
        await db.dispose()


def write_demo_summary(directory: Path) -> list[Path]:
    """Replay the demo on a throwaway SQLite file and write each format of its frozen summary into `directory`."""
    with tempfile.TemporaryDirectory(prefix="diemcau-demo-") as scratch:
        settings = load(database_url=f"sqlite+aiosqlite:///{Path(scratch) / 'demo.db'}", data_dir=Path(scratch))
        upgrade(settings.database_url)
        files = asyncio.run(_exports(settings))
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for key, export in files.items():
        path = directory / NAMES[key]
        path.write_bytes(export.body)
        written.append(path)
    return written
