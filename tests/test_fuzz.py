"""Schemathesis against the live server's /api/v1/openapi.json, as every role: no 5xx, every answer as documented.

A bounded run: a few generated cases (valid and invalid) per operation and role, derandomized so CI sees the
same cases each time. The figures and the bugs it found are in docs/security.md ("Fuzzing").
"""
from __future__ import annotations

import asyncio
import gzip
import os
import re
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.errors import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from server.simulate.loopback import Server
from tests.support.http import Call
from tests.support.servers import start_server, stop_server

# Admin last: it may revoke or reissue invitations whose tokens the other roles fuzz with.
ROLES = ("display", "delegate", "operator", "chair", "admin")
# Cases per operation: most where the role may act (its cases reach the handler's parsing and the database),
# a few where it may not (authorization answers before anything else is read). DIEMCAU_FUZZ_SCALE=4 makes a
# longer run with fresh random cases, for hunting locally; CI runs the same bounded, derandomized cases.
SCALE = int(os.environ.get("DIEMCAU_FUZZ_SCALE") or 0)
EXAMPLES = {GenerationMode.POSITIVE: 16 * max(SCALE, 1), GenerationMode.NEGATIVE: 8 * max(SCALE, 1)}
REFUSED_EXAMPLES = {GenerationMode.POSITIVE: 2, GenerationMode.NEGATIVE: 1}
# A valid case of these starts a typesetter for a second or more, and all valid cases are alike (a PDF of the same
# workshop): a few show the answer holds to its document; the invalid ones, refused before typesetting, stay many.
TYPESET = frozenset({
    "GET /api/v1/conferences/{conference_id}/points/{point_id}/attendance-sheet",
    "GET /api/v1/conferences/{conference_id}/attendance-sheets",
    "GET /api/v1/conferences/{conference_id}/summary.pdf",
    "GET /api/v1/conferences/{conference_id}/summary.pdfa",
})
TYPESET_EXAMPLES = {GenerationMode.POSITIVE: 2, GenerationMode.NEGATIVE: 8}
# Logging out would end the staff session the rest of the run uses.
SKIPPED = frozenset({"POST /api/v1/auth/logout"})
# Closing the workshop cannot be undone and turns every later write into 409: fuzzed after everything else.
LAST = frozenset({"POST /api/v1/conferences/{conference_id}/close"})
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@dataclass
class Tally:
    """What one role's run did: cases sent per operation, statuses seen, and the failures found."""

    cases: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    failures: dict[str, str] = field(default_factory=dict)


@pytest.fixture(scope="module")
async def fuzz_server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Server]:
    # A limit no fuzzing role reaches, so submissions are fuzzed rather than refused.
    server = await start_server(tmp_path_factory.mktemp("fuzz"), {"DIEMCAU_SUBMIT_RATE": "100000/60"})
    yield server
    stop_server(server)


def token_of(s: Server, role: str) -> str:
    if role == "operator":
        return str(s.tokens["operators"]["HGI"])
    if role == "delegate":
        return str(next(iter(s.tokens["delegates"].values())))
    return str(s.tokens[role])


def fuzz_operation(
    s: Server, operation: Any, role: str, mode: GenerationMode, http: requests.Session, tally: Tally
) -> None:
    """A bounded number of cases of one operation; a failure is recorded, not raised, so the run goes on."""
    auth = {"Authorization": f"Bearer {token_of(s, role)}"}
    fixed = {"conference_id": s.conference_id} if "{conference_id}" in operation.path else {}
    label = f"{operation.label} [{role}, {mode.value}]"
    roles = operation.definition.raw.get("x-roles")
    examples = EXAMPLES if roles is None or role in roles else REFUSED_EXAMPLES
    if operation.label in TYPESET and examples is EXAMPLES:
        examples = TYPESET_EXAMPLES

    @settings(
        max_examples=examples[mode], deadline=None, database=None, derandomize=not SCALE,
        phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=fixed, headers=auth))
    def run(case: schemathesis.Case) -> None:
        tally.cases[operation.label] += 1
        response = case.call(base_url=s.base_url, session=http, headers=auth, timeout=60)
        tally.statuses[response.status_code] += 1
        try:
            case.validate_response(response, checks=CHECKS)
        except (AssertionError, FailureGroup) as error:
            tally.failures.setdefault(label, f"{str(error)[:1500]}\n  curl: {case.as_curl_command()}")

    try:
        run()
    except Unsatisfiable:
        # Nothing in this operation can be made invalid (no parameters, no body): no negative case exists.
        assert mode is GenerationMode.NEGATIVE, label


def fuzz_role(s: Server, operations: list[Any], role: str) -> Tally:
    """These operations, valid and invalid cases, with this role's token."""
    tally = Tally()
    http = requests.Session()
    for operation in operations:
        for mode in EXAMPLES:
            fuzz_operation(s, operation, role, mode, http, tally)
    return tally


async def test_what_fuzzing_found_stays_fixed(fuzz_server: Server, call: Call) -> None:
    """Each input once gave a 500; each is the client's error now, in the protocol's shape."""
    s, t = fuzz_server, fuzz_server.tokens
    huge = 2**70
    bad = [
        # Ids past SQLite's 64-bit INTEGER overflowed the driver: in a path, a query, a body.
        (404, await call("GET", s.api(f"/drafts/{huge}"), t["admin"])),
        (422, await call("GET", s.api(f"/comments?offset={huge}"), t["chair"])),
        (422, await call("PATCH", s.api("/agenda"), t["chair"], json={"order": [huge]})),
        (
            422,
            await call("POST", s.api("/comments"), t["operators"]["HGI"], json={"participant_id": huge, "body": "x"}),
        ),
        # A malformed multipart body (a part header aiohttp refuses, or no boundary) escaped as aiohttp's own error.
        (
            400,
            await call(
                "POST",
                s.api("/remarks"),
                t["operators"]["HGI"],
                data=b'--b\r\nContent-Disposition: form-data; name="\x1c"\r\n\r\nx\r\n--b--\r\n',
                headers={"Content-Type": "multipart/form-data; boundary=b"},
            ),
        ),
        (
            400,
            await call(
                "POST",
                s.api("/participants/import"),
                t["admin"],
                data=b"x",
                headers={"Content-Type": "multipart/form-data"},
            ),
        ),
        # A start near year 9999 (or year 1 east of UTC) was stored, then overflowed every agenda and summary read.
        (422, await call("PATCH", s.api(), t["admin"], json={"starts_at": "9999-12-31T23:00:00+00:00"})),
        (422, await call("PATCH", s.api(), t["admin"], json={"starts_at": "0001-01-01T00:00:00+07:00"})),
    ]
    for status, reply in bad:
        assert reply.status == status, reply.body
        assert set(reply.body["error"]) == {"code", "message", "details"}
    assert (await call("GET", s.api(f"/comments?limit={huge}"), t["chair"])).status == 200


async def test_the_api_holds_to_its_document_under_fuzzing(fuzz_server: Server) -> None:
    s = fuzz_server
    # Open, so that submissions reach their handlers' checks instead of the workshop's state.
    chair = {"Authorization": f"Bearer {s.tokens['chair']}"}
    async with aiohttp.ClientSession() as http, http.post(s.api("/open"), headers=chair) as response:
        assert response.status == 200
    schema = await asyncio.to_thread(schemathesis.openapi.from_url, f"{s.base_url}/api/v1/openapi.json")
    operations = [r.ok() for r in schema.get_all_operations() if r.ok().label not in SKIPPED]
    assert {o.label for o in operations} >= TYPESET
    tallies = []
    for batch in ([o for o in operations if o.label not in LAST], [o for o in operations if o.label in LAST]):
        for role in ROLES:
            tallies.append(await asyncio.to_thread(fuzz_role, s, batch, role))
    fuzzed = {label for t in tallies for label in t.cases}
    cases = sum(sum(t.cases.values()) for t in tallies)
    statuses = sum((t.statuses for t in tallies), Counter())
    failures = {key: text for t in tallies for key, text in t.failures.items()}
    print(
        f"\nfuzzed {len(fuzzed)} operations as {len(ROLES)} roles: {cases} cases, statuses {sorted(statuses.items())}"
    )
    assert len(fuzzed) == len(operations) >= 80
    assert not failures, f"{len(failures)} failing operations:\n\n" + "\n\n".join(
        f"{k}\n{v}" for k, v in sorted(failures.items())
    )


HOSTILE_BODIES = {
    "deep": ('{"a":' + "[" * 10_000 + "]" * 10_000 + "}").encode(),
    "non-finite": b'{"title": "x", "body": "x", "participant_id": NaN, "ghi_chu": Infinity, "so": 1e400}',
}


async def test_every_route_with_a_body_refuses_deep_non_finite_and_compressed_json(fuzz_server: Server) -> None:
    """What a hand-written attacker sent, to every operation that takes a body, as a role allowed to call it."""
    s = fuzz_server
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{s.base_url}/api/v1/openapi.json") as response:
            spec = await response.json()
        refused = Counter[str]()
        for path, methods in spec["paths"].items():
            for method, operation in methods.items():
                label = f"{method.upper()} {path}"
                if "requestBody" not in operation or label in SKIPPED | LAST:
                    continue
                role = (operation.get("x-roles") or ["admin"])[0]
                url = s.base_url + path.replace("{conference_id}", str(s.conference_id))
                url = re.sub(r"\{\w+\}", "1", url)
                headers = {"Authorization": f"Bearer {token_of(s, role)}", "Content-Type": "application/json"}
                attempts = [(name, body, headers) for name, body in HOSTILE_BODIES.items()]
                attempts.append(("gzip", gzip.compress(b'{"a": 1}'), {**headers, "Content-Encoding": "gzip"}))
                for name, body, sent_headers in attempts:
                    async with http.request(method, url, data=body, headers=sent_headers) as response:
                        answer = await response.json(content_type=None)
                    # A route that reads no body (an unlock, a state change) may ignore it and succeed.
                    assert response.status < 500, (label, name, response.status, answer)
                    if response.status >= 400:
                        assert set(answer["error"]) == {"code", "message", "details"}, (label, name, answer)
                        refused[name] += 1
                    if name == "gzip":
                        assert response.status == 415, (label, answer)
    assert min(refused.values()) >= 30, refused
