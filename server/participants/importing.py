"""Roster import: check the rows of a file against the points and the roster, insert the valid ones in bulk."""
from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from schema.events import payloads
from schema.tables import Participant, Point
from server import events
from server.conferences.operations import get_conference, require_not_closed
from server.errors import Invalid
from server.participants.roster_file import COLUMNS, Entry, Parsed, error
from server.points import counters
from server.text import fold

MAX_REPORTED_ERRORS = 1_000
PREVIEW_ROWS = 20


async def import_roster(
    session: AsyncSession, conference_id: int, parsed: Parsed, dry_run: bool, skip_invalid: bool
) -> dict[str, Any]:
    """Check the rows against the points and the roster; unless a dry run, add the valid ones in one statement."""
    require_not_closed(await get_conference(session, conference_id))
    points = dict(
        (await session.execute(select(Point.code, Point.id).where(Point.conference_id == conference_id))).all()
    )
    roster = await session.execute(
        select(Participant.point_id, Participant.full_name).where(
            Participant.conference_id == conference_id, Participant.on_roster.is_(True)
        )
    )
    valid, errors = _match(parsed, points, {(point_id, fold(name)) for point_id, name in roster.all()})
    codes = {point_id: code for code, point_id in points.items()}
    report = {
        "valid_rows": len(valid),
        "created": 0,
        "invalid_rows": len({e["row"] for e in errors}),
        "error_count": len(errors),
        "errors": errors[:MAX_REPORTED_ERRORS],
        "preview": [{"row": e.row, **e.values, "point_code": codes[p], "point_id": p} for e, p in valid[:PREVIEW_ROWS]],
    }
    if dry_run:
        return report
    if errors and not skip_invalid:
        raise Invalid("The file has errors; nothing was imported", report, code="import_invalid")
    if not valid:
        raise Invalid("The file has no valid rows; nothing was imported", report, code="import_invalid")
    await _insert(session, conference_id, valid)
    return {**report, "created": len(valid)}


def _match(
    parsed: Parsed, points: dict[str, int], taken: set[tuple[int, str]]
) -> tuple[list[tuple[Entry, int]], list[dict[str, Any]]]:
    """The rows that can be added, each with its point id, and every error sorted by row and column."""
    by_folded = {code.casefold(): point_id for code, point_id in points.items()}
    seen: dict[tuple[int, str], int] = {}
    errors = list(parsed.errors)
    valid: list[tuple[Entry, int]] = []
    for entry in parsed.entries:
        problems = list(entry.errors)
        code = entry.values["point_code"]
        point_id = None if code is None else points.get(code, by_folded.get(code.casefold()))
        if code is not None and point_id is None:
            problems.append(error(entry.row, "point_code", "unknown point code"))
        if point_id is not None and entry.name_key is not None:
            # The same person twice at one point is a mistake; the same name at two points is two people.
            key = (point_id, entry.name_key)
            if key in taken:
                problems.append(error(entry.row, "full_name", "already on the roster of this point"))
            elif key in seen:
                problems.append(error(entry.row, "full_name", f"duplicate of row {seen[key]}"))
            else:
                seen[key] = entry.row
        if problems:
            errors += problems
        elif point_id is not None:
            valid.append((entry, point_id))
    errors.sort(key=lambda e: (e["row"], COLUMNS.index(e["column"]) if e["column"] else -1))
    return valid, errors


async def _insert(session: AsyncSession, conference_id: int, valid: list[tuple[Entry, int]]) -> None:
    """One executemany for all rows, then one counter update per point and one event for the whole import."""
    rows = [
        {
            "conference_id": conference_id,
            "point_id": point_id,
            **{column: entry.values[column] for column in COLUMNS if column != "point_code"},
            "search_key": entry.search_key,
            "sort_key": entry.sort_key,
            "on_roster": True,
        }
        for entry, point_id in valid
    ]
    await session.execute(insert(Participant), rows)
    per_point = Counter(point_id for _, point_id in valid)
    for point_id, count in sorted(per_point.items()):
        await counters.adjust(session, conference_id, point_id, expected=count)
    await events.append(session, conference_id, payloads.participants_imported(len(valid), per_point), events.STAFF)
