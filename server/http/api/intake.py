"""The start every submission shares: the caller authorized and counted against its submit rate, and for whom."""
from __future__ import annotations

from typing import Any

from aiohttp import web

from server.auth.principal import Principal
from server.auth.submit_rate import submit_rate_key
from server.errors import Invalid
from server.http import parse
from server.http.api.common import allow
from server.http.body import Field
from server.http.openapi_schemas import ID

# Whom a submission is for, in each submission's body: read by submitter(), as it depends on the caller.
SUBMITTER = Field.by_hand("participant_id", ID)


def submitting(request: web.Request) -> tuple[Principal, int]:
    """Authorize a remark, comment or request for the floor, and count it against the caller's submit rate."""
    principal, conference_id = allow(request)
    request.app[submit_rate_key].check(principal)
    return principal, conference_id


def submitter(principal: Principal, data: dict[str, Any], refusal: str) -> int:
    """Delegates submit for themselves (`refusal` if they name someone else); operators name someone at their
    point, which the operation checks."""
    if principal.role == "delegate":
        if data.get("participant_id") not in (None, principal.participant_id):
            raise Invalid(refusal, {"participant_id": "not yours"})
        assert principal.participant_id is not None
        return principal.participant_id
    participant_id = parse.integer(data, "participant_id")
    assert participant_id is not None
    return participant_id
