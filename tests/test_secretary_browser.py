"""Who works on what in a real Chromium: the chair hands a comment to a secretary, the secretary (whose console is
the inbox alone) saves an answer template and drafts the answer from it, the chair approves the draft as its
ruling, and the inbox filters by the work done."""
from __future__ import annotations

import re

from playwright.async_api import expect

from server.simulate.loopback import Server
from tests.support.accounts import secretary
from tests.support.api import comment, people
from tests.support.browser import Open, card, catalog
from tests.support.http import Call

VI = catalog("vi")


async def test_chair_assigns_secretary_drafts_from_a_template_chair_approves(
    demo_server: Server, open_console: Open, call: Call,
) -> None:
    s = demo_server
    author, _ = await people(call, s)
    lan, lan_id = await secretary(call, s, "thu-ky-lan")
    item = await comment(call, s, author, "dieu-3", "Cần làm rõ thẩm quyền.")
    chair = await open_console(s, s.tokens["chair"], f"/chair/{s.conference_id}#hop-thu")

    # The chair hands the comment over from its card.
    await card(chair, item).locator(".work select.assign-to").select_option(str(lan_id))
    await expect(card(chair, item).locator(".work")).to_have_attribute("data-assigned", str(lan_id))

    # The secretary's console is the inbox alone; it cannot rule, it drafts.
    clerk = await open_console(s, lan, f"/chair/{s.conference_id}")
    await expect(clerk.locator(".role-badge")).to_have_text(VI["role.secretary"])
    await expect(clerk.locator("#chair-tabs [role=tab]")).to_have_count(1)
    await expect(clerk.locator("#pane-hop-thu")).to_be_visible()
    mine = card(clerk, item)
    await expect(mine.locator(".work")).to_contain_text(VI["work.assigned"].format(name="Thư ký thu-ky-lan"))
    await expect(mine.locator(".dispose-form")).to_be_hidden()

    templates = clerk.locator("details.answer-templates")
    await templates.locator("summary").click()
    await templates.locator("input[name=title]").fill("Tiếp thu, chỉnh lý")
    await templates.locator("select[name=disposition]").select_option("accepted")
    await templates.locator("textarea[name=response]").fill("Ban soạn thảo tiếp thu, chỉnh lý Điều 3.")
    await templates.locator("button[type=submit]").click()
    await expect(templates.locator(".template-list li")).to_have_count(1)

    form = mine.locator(".draft-form")
    await form.locator("select[name=template]").select_option(label="Tiếp thu, chỉnh lý")
    await expect(form.locator("textarea[name=response]")).to_have_value("Ban soạn thảo tiếp thu, chỉnh lý Điều 3.")
    await form.locator("button[type=submit]").click()
    await expect(mine.locator(".work-draft")).to_contain_text("Ban soạn thảo tiếp thu, chỉnh lý Điều 3.")

    # The draft reaches the chair live; the filter finds it; "Duyệt" rules with it.
    theirs = card(chair, item)
    await expect(theirs.locator(".work-draft")).to_contain_text(VI["disposition.accepted"])
    await chair.locator("#inbox-work").select_option("drafted")
    await expect(chair.locator("#feed > li")).to_have_count(1)
    await theirs.locator(".approve-draft").click()
    await expect(card(chair, item)).to_have_class(re.compile(r"is-disposed"))
    await expect(card(clerk, item)).to_have_class(re.compile(r"is-disposed"))
    await chair.locator("#inbox-work").select_option("ruled")
    await expect(chair.locator("#feed > li")).to_have_count(1)
    await chair.locator("#inbox-work").select_option("unassigned")
    await expect(chair.locator("#feed > li.kind-comment")).to_have_count(0)
