"""The OpenAPI document: valid OpenAPI 3.1, every operation named, tagged and described, and answers as documented."""
from __future__ import annotations

import re
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from schemathesis.specs.openapi.definitions import OPENAPI_31_VALIDATOR

from server.simulate.loopback import Server
from tests.event_schemas import format_checker
from tests.support.http import Call, Reply

DOCUMENT = "urn:diemcau:openapi"
JSON = "application/json"


def pointer(*parts: str) -> str:
    return "/".join(part.replace("~", "~0").replace("/", "~1") for part in parts)


def resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema and schema["$ref"].startswith("#/components/schemas/"):
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def described(document: dict[str, Any], schema: dict[str, Any]) -> bool:
    """A shape with fields or items, not a bare object: each alternative of a choice too, null aside."""
    schema = resolve(document, schema)
    choices = schema.get("oneOf") or schema.get("anyOf")
    if choices:
        return all(described(document, c) for c in choices if c != {"type": "null"})
    return (
        "properties" in schema
        or "items" in schema
        or ("$ref" in schema and described(document, {"$ref": schema["$ref"]}))
    )


async def test_every_operation_is_named_tagged_and_described(shared_server: Server, call: Call) -> None:
    document = (await call("GET", f"{shared_server.base_url}/api/v1/openapi.json")).body
    # The OpenAPI 3.1 schema as the OpenAPI Initiative publishes it (schemathesis ships it, compiled) checks the
    # document's structure; each JSON Schema in it is checked against draft 2020-12, which 3.1 uses.
    OPENAPI_31_VALIDATOR.validate(document)
    for schema in document["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)
    tags = {t["name"] for t in document["tags"]}
    assert all(t["description"] for t in document["tags"])
    used: set[str] = set()
    ids: list[str] = []
    missing: list[str] = []
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            label = f"{method.upper()} {path} ({operation['operationId']})"
            ids.append(operation["operationId"])
            summary, operation_tags = operation.get("summary"), operation.get("tags", [])
            if not summary or len(operation_tags) != 1 or not set(operation_tags) <= tags:
                missing.append(f"{label}: no summary or tag; give its Route a Doc in server/http/routes.py")
            used.update(operation_tags)
            for status, response in operation["responses"].items():
                if not status.startswith("2"):
                    continue
                for media, content in response["content"].items():
                    if media == JSON and not described(document, content["schema"]):
                        missing.append(f"{label} {status}: the answer is a bare object")
                    if media != JSON:
                        assert content["schema"]["type"] == "string", label
    assert not missing, "\n".join(missing)
    for bare in ({"type": "object"}, {"oneOf": [{"type": "object"}, {"$ref": "#/components/schemas/point"}]}):
        assert not described(document, bare)
    assert len(ids) == len(set(ids)) >= 80
    assert used == tags


class Checker:
    """Calls the demo server and validates each answer against the schema its operation documents for its status."""

    def __init__(self, server: Server, call: Call, document: dict[str, Any]) -> None:
        self.server, self.call, self.document = server, call, document
        self.registry = Registry().with_resource(DOCUMENT, Resource(contents=document, specification=DRAFT202012))
        self.tags: set[str] = set()

    async def __call__(self, method: str, path: str, token: str | None, expect: int = 200, **kwargs: Any) -> Reply:
        """`path` as the document writes it; {conference_id} is the demo conference, other parameters come from
        `ids`."""
        ids = {"conference_id": self.server.conference_id, **kwargs.pop("ids", {})}
        url = self.server.base_url + re.sub(r"{(\w+)}", lambda m: str(ids[m.group(1)]), path.split("?")[0])
        query = path.partition("?")[2]
        reply = await self.call(method, url + ("?" + query if query else ""), token, **kwargs)
        assert reply.status == expect, (method, path, reply.status, reply.body)
        operation = self.document["paths"][path.split("?")[0]][method.lower()]
        self.tags.update(operation["tags"])
        content = operation["responses"][str(reply.status)]["content"]
        media = reply.headers["Content-Type"].split(";")[0]
        assert media in content, (method, path, media, list(content))
        if media == JSON:
            errors = self.errors(method, path.split("?")[0], reply.status, reply.body)
            assert not errors, (method, path, errors[:5])
        return reply

    def errors(self, method: str, path: str, status: int, body: Any) -> list[str]:
        where = pointer("paths", path, method.lower(), "responses", str(status), "content", JSON, "schema")
        validator = Draft202012Validator(
            {"$ref": f"{DOCUMENT}#/{where}"}, registry=self.registry, format_checker=format_checker
        )
        return [f"{list(e.absolute_path)}: {e.message[:300]}" for e in validator.iter_errors(body)]


async def test_the_servers_answers_are_as_documented(shared_server: Server, call: Call) -> None:
    s, t = shared_server, shared_server.tokens
    document = (await call("GET", f"{s.base_url}/api/v1/openapi.json")).body
    check = Checker(s, call, document)
    admin, chair, display = t["admin"], t["chair"], t["display"]
    operator = t["operators"]["HGI"]
    c = "/api/v1/conferences/{conference_id}"

    await check("GET", "/healthz", None)
    await check("GET", "/api/v1/openapi.json", None)
    signed_in = await check(
        "POST", "/api/v1/auth/login", None, json={"username": "chair", "password": str(t["passwords"]["chair"])}
    )
    await check("GET", "/api/v1/me", operator)
    await check("POST", "/api/v1/auth/logout", signed_in.body["token"])
    users = await check("GET", "/api/v1/users", admin)
    await check("POST", "/api/v1/users/{user_id}/unlock", admin, ids={"user_id": users.body["items"][0]["id"]})
    await check("GET", "/api/v1/conferences", admin)
    await check("GET", c, display)
    await check("POST", c + "/open", chair)

    points = await check("GET", c + "/points", admin)
    hgi = next(p["id"] for p in points.body["items"] if p["code"] == "HGI")
    await check(
        "POST",
        c + "/points/{point_id}/status",
        operator,
        ids={"point_id": hgi},
        json={"link": "degraded", "note": "Mất tiếng"},
    )
    await check("GET", c + "/invitations", admin)
    await check("POST", c + "/invitations", admin, 201, json={"role": "display"})

    roster = await check("GET", c + "/participants?limit=5", operator)
    first, second = (p["id"] for p in roster.body["items"][:2])
    await check("POST", c + "/checkins", operator, 201, json={"participant_id": first})
    await check(
        "POST", c + "/checkins", operator, 201, json={"full_name": "Nguyễn Văn Khách", "substitute_for": second}
    )
    await check("DELETE", c + "/checkins/{participant_id}", operator, ids={"participant_id": first})
    await check(
        "PATCH", c + "/participants/{participant_id}", operator, ids={"participant_id": second},
        json={"absence_reason": "Đi công tác"},
    )
    await check("GET", c + "/participants/{participant_id}/movements", operator, ids={"participant_id": first})
    await check("GET", f"{c}/stays?point_id={hgi}", chair)
    await check("GET", c + "/attendance", display)
    await check("GET", c + "/attendance/export.csv", admin)
    await check("POST", c + "/checkins", operator, 201, json={"participant_id": first})

    await check("GET", c + "/agenda", display)
    await check("POST", c + "/agenda/next", chair, json={"expected_current_id": None})
    await check("POST", c + "/speaking-requests", operator, 201, json={"participant_id": first, "topic": "Về Điều 3"})
    await check("GET", c + "/speaking-requests", display)
    await check("GET", c + "/speaking-log", chair)

    drafts = await check("GET", c + "/drafts", display)
    draft = await check("GET", c + "/drafts/{draft_id}", display, ids={"draft_id": drafts.body["items"][0]["id"]})
    anchor = next(section["anchor"] for section in draft.body["sections"] if section["kind"] == "article")
    await check(
        "POST", c + "/remarks", operator, 201, json={"participant_id": first, "title": "Tham luận", "body": "Nội dung"}
    )
    comment = await check(
        "POST", c + "/comments", operator, 201,
        json={"participant_id": first, "section_anchor": anchor, "body": "Đề nghị sửa", "proposed_text": "Văn bản mới"},
    )
    await check("GET", c + "/remarks", chair)
    await check("GET", c + "/comments?order=oldest", chair)
    await check("GET", c + "/comments/counts", chair)
    m = {"comment_id": comment.body["id"]}
    staff = await check("GET", c + "/staff", chair)
    await check(
        "PUT", c + "/comments/{comment_id}/assignment", chair, ids=m, json={"assigned_to": staff.body["items"][0]["id"]}
    )
    await check("POST", c + "/comments/assign", chair, json={"comment_ids": [comment.body["id"]], "assigned_to": None})
    template = await check("POST", c + "/answer-templates", chair, 201,
                           json={"title": "Tiếp thu", "disposition": "accepted", "response": "Tiếp thu"})
    await check("PUT", c + "/answer-templates/{template_id}", chair, ids={"template_id": template.body["id"]},
                json={"title": "Giải trình", "response": "Xin giải trình"})
    await check("GET", c + "/answer-templates", chair)
    await check("DELETE", c + "/answer-templates/{template_id}", chair, ids={"template_id": template.body["id"]})
    await check(
        "PUT",
        c + "/comments/{comment_id}/draft",
        chair,
        ids=m,
        json={"disposition": "accepted", "response": "Tiếp thu"},
    )
    await check("POST", c + "/comments/{comment_id}/notes", chair, 201, ids=m, json={"body": "Ghi chú"})
    await check("GET", c + "/comment-work", chair)
    await check("GET", c + "/comments?work=drafted", chair)
    await check(
        "PATCH", c + "/comments/{comment_id}", chair, ids=m,
        json={"disposition": "accepted", "response": "Tiếp thu", "revision": comment.body["revision"]},
    )
    await check(
        "POST", c + "/comments/{comment_id}/approve", chair, ids=m, json={"revision": comment.body["revision"] + 1}
    )

    await check("PUT", c + "/display", chair, json={"mode": "section", "anchor": anchor, "view": "diff"})
    await check("GET", c + "/display", display)
    await check("PUT", c + "/display", chair, json={"mode": "message", "text": "Giải lao 15 phút"})

    await check("GET", c + "/summary.json", chair)
    await check("GET", c + "/summary.md", chair)
    await check("GET", c + "/closing-statement", chair)
    await check("GET", c + "/audit", admin)
    await check("GET", "/api/v1/audit", admin)
    await check("GET", c + "/events?after=0", operator)
    assert check.tags == {tag["name"] for tag in document["tags"]}

    # And an answer that strays from its document is caught: a field missing, one too many, a wrong type.
    item = roster.body["items"][0]
    strays = [
        {**roster.body, "items": [{k: v for k, v in item.items() if k != "present"}]},
        {**roster.body, "items": [{**item, "nickname": "Ân"}]},
        {**roster.body, "total": "5"},
    ]
    for stray in strays:
        assert check.errors("GET", c + "/participants", 200, stray)
