"""Which streams of the event log a caller sees: the log knows streams, this knows roles."""
from __future__ import annotations

from server.auth.principal import Principal
from server.events import EVERYTHING, PUBLIC, Audience, for_point


def streams_of(principal: Principal) -> list[str]:
    """The streams a caller sees; staff see every event, which `EVERYTHING` stands for."""
    if principal.is_staff:
        return [EVERYTHING]
    streams = [PUBLIC.stream]
    if principal.role == "operator" and principal.point_id is not None:
        streams.append(for_point(principal.point_id).stream)
    if principal.role == "delegate" and principal.participant_id is not None:
        streams.append(Audience("participant", participant_id=principal.participant_id).stream)
    return streams
