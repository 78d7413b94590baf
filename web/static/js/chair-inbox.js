// The chair's inbox around the feed: filters and a search that the server answers, comment counts per article
// (a click filters by it), a comment shown beside its article's text, bulk rulings of the picked comments, and
// the pre-moderation switch, an article in any of its views (as published, with its proposals marked, revised),
// and the form for the secretariat's own proposals. The cards themselves are chair-feed.js.
import { DISPOSITIONS, act, api, base, debounce, el, notify, option, runNodes, sectionLabel, t } from "./api.js";
import { projectButton } from "./chair-display.js";
import { createFeed, proposalBlock } from "./chair-feed.js";
import { createChangeProposal, wordingOf } from "./change-proposal.js";

const SEARCH_PAUSE_MS = 300;
const PAGE = 200;
// Filters that only comments have: with any of them set, remarks are not listed.
const COMMENT_ONLY = ["article", "disposition", "has_proposed", "work"];
const VIEWS = ["original", "diff", "revised"];

const statusText = (value) => t(value === "pending" ? "disposition.none" : `disposition.${value}`);

/** One part of a section-view answer: its words, or each proposal's words marked, or an inserted provision. */
function viewPart(part) {
  const label = (text) => el("p", { class: "label view-label", text });
  const proposalLabel = (p) => label([t("display.proposal", { n: p.no }), t(`inbox.proposal_${p.kind}`), statusText(p.status)].join(" · "));
  const node = el("div", { class: "view-part", dataset: { change: part.change, kind: part.kind } });
  if (part.change === "inserted") {
    node.append(part.proposals.length ? proposalLabel(part.proposals[0]) : label(t("display.added")));
  } else if (part.change === "conflict") {
    node.append(label(t("display.conflict")));
  }
  if (part.proposals.length && part.change !== "inserted") {
    for (const p of part.proposals) node.append(proposalLabel(p), el("p", { class: "prose diff" }, runNodes(p.runs)));
  } else if (part.runs.length) {
    node.append(el("p", { class: "prose diff" }, runNodes(part.runs)));
  }
  return node;
}

/** "dieu-3.khoan-2" → "dieu-3": the article a provision belongs to (a chapter prefix is kept). */
export function articleOf(anchor) {
  if (!anchor) return null;
  const parts = anchor.split(".");
  const at = parts.findIndex((part) => part.startsWith("dieu-"));
  return at < 0 ? null : parts.slice(0, at + 1).join(".");
}

export function createInbox(agendaTitle) {
  const $ = (id) => document.getElementById(id);
  const controls = {
    kind: $("inbox-kind"),
    point: $("inbox-point"),
    article: $("inbox-article"),
    disposition: $("inbox-disposition"),
    proposed: $("inbox-proposed"),
    work: $("inbox-work"),
    search: $("inbox-search"),
  };
  const bulk = $("inbox-bulk");
  const detail = $("inbox-detail");
  const premoderation = $("inbox-premoderation");
  let sections = [];
  let loading = 0;
  // Items heard live while a listing is on its way: the listing may have been read before they were written.
  let heardDuring = null;

  const targetText = (anchor) => wordingOf(sections, anchor);

  const feed = createFeed($("feed"), $("feed-empty"), agendaTitle, {
    currentText: targetText,
    onOpen: show,
    onSelect: (count) => {
      $("bulk-count").textContent = t("inbox.picked", { n: count });
      bulk.hidden = count === 0;
    },
  });

  function filters() {
    const f = {
      point_id: controls.point.value,
      article: controls.article.value,
      disposition: controls.disposition.value,
      has_proposed: controls.proposed.checked ? "true" : "",
      work: controls.work.value,
      q: controls.search.value.trim(),
    };
    return Object.fromEntries(Object.entries(f).filter(([, value]) => value !== ""));
  }

  function filtered() {
    return Object.keys(filters()).length > 0 || controls.kind.value !== "";
  }

  async function refresh() {
    const f = filters();
    const kind = controls.kind.value;
    const query = (params) => new URLSearchParams({ ...params, limit: String(PAGE) }).toString();
    const wantRemarks = kind !== "comment" && !COMMENT_ONLY.some((key) => key in f);
    const wantComments = kind !== "remark";
    const remarkFilter = Object.fromEntries(Object.entries(f).filter(([key]) => !COMMENT_ONLY.includes(key)));
    const mine = ++loading;
    heardDuring = [];
    const [remarks, comments] = await Promise.all([
      wantRemarks ? api("GET", `${base}/remarks?${query(remarkFilter)}`) : { items: [], total: 0 },
      wantComments ? api("GET", `${base}/comments?${query(f)}`) : { items: [], total: 0 },
    ]);
    // A slower answer to an older filter must not overwrite a newer one.
    if (mine !== loading) return;
    const heard = heardDuring;
    heardDuring = null;
    feed.reset(remarks.items, comments.items);
    const fetched = new Map([...remarks.items.map((r) => [`remark:${r.id}`, r]), ...comments.items.map((c) => [`comment:${c.id}`, c])]);
    listed = new Set(fetched.keys());
    counted = { shown: listed.size, total: remarks.total + comments.total, filtered: filtered() };
    drawTotal();
    // What was heard meanwhile and is newer than the listing (or missing from it) is drawn again.
    for (const [kind, item, upsert] of heard) {
      const known = fetched.get(`${kind}:${item.id}`);
      if (!known || (item.revision ?? 0) > (known.revision ?? 0)) arrived(kind, item, upsert);
    }
  }

  // What the list holds, kept up as items arrive live, so the line above it never lags behind the cards.
  let listed = new Set();
  let counted = { shown: 0, total: 0, filtered: false };

  // Nothing yet, nothing matching, all of it, or a page of it: "Hiển thị 0 / 0" said none of these.
  function drawTotal() {
    const { shown, total, filtered: narrowed } = counted;
    const key = total === 0
      ? (narrowed ? "inbox.total_no_match" : "inbox.total_none")
      : shown < total ? "inbox.total" : narrowed ? "inbox.total_matching" : "inbox.total_all";
    $("inbox-total").textContent = t(key, { shown, total });
  }

  const refreshSoon = debounce(() => refresh().catch(() => notify(t("error.unknown"), "error")), SEARCH_PAUSE_MS);

  // ---- counts per article ---------------------------------------------------------------------------

  async function loadCounts() {
    const counts = await api("GET", `${base}/comments/counts`);
    const chosen = controls.article.value;
    controls.article.replaceChildren(
      option("", t("inbox.all_articles"), chosen === ""),
      ...counts.articles.map((a) => option(a.anchor, `${sectionLabel(a.anchor)}${a.title ? `. ${a.title}` : ""}`, a.anchor === chosen)),
    );
    const row = (anchor, label, n, extra) => el(
      "li",
      { dataset: { anchor: anchor ?? "" }, class: anchor && anchor === chosen ? "is-chosen" : null },
      anchor
        ? el("button", { type: "button", class: "link-button", text: label, on: { click: () => chooseArticle(anchor) } })
        : el("span", { text: label }),
      el("span", { class: "count", text: String(n) }),
      extra ? el("span", { class: "meta", text: extra }) : null,
      anchor
        ? el("button", { type: "button", class: "link-button read-article", text: t("inbox.read_article"), "aria-label": t("inbox.read_article_of", { section: label }), on: { click: () => showArticle(anchor) } })
        : null,
    );
    $("inbox-counts").replaceChildren(
      ...counts.articles.filter((a) => a.comments > 0).map((a) =>
        row(a.anchor, `${sectionLabel(a.anchor)}${a.title ? `. ${a.title}` : ""}`, a.comments, t("inbox.count_detail", { proposed: a.proposed, ruled: a.ruled }))),
      // replaceChildren would print a null as the text "null".
      ...[
        counts.general ? row(null, t("section.general"), counts.general) : null,
        counts.other ? row(null, t("inbox.other_sections"), counts.other) : null,
      ].filter(Boolean),
    );
    $("inbox-counts-total").textContent = t("inbox.counts_total", { n: counts.total });
  }

  const countsSoon = debounce(() => loadCounts().catch(() => {}), SEARCH_PAUSE_MS);

  function chooseArticle(anchor) {
    controls.article.value = anchor;
    if (controls.kind.value === "remark") controls.kind.value = "";
    loadCounts().catch(() => {});
    refresh();
  }

  // ---- a comment beside its article -----------------------------------------------------------------

  async function loadSections() {
    const drafts = await api("GET", `${base}/drafts`);
    const current = drafts.items[0];
    sections = current ? (await api("GET", `${base}/drafts/${current.id}`)).sections : [];
    changeProposal.show(sections);
  }

  // The view the chair reads an article in, kept while the chair opens other comments.
  let view = "original";

  function originalNodes(article, commented) {
    const own = sections.filter((s) => article && (s.anchor === article || s.anchor.startsWith(`${article}.`)));
    if (!own.length) return [el("p", { class: "empty", text: commented ? t("inbox.no_section_text") : t("section.general") })];
    return own.map((s) => el(
      "div",
      { class: `section-text${s.anchor === commented ? " is-commented" : ""}`, dataset: { anchor: s.anchor } },
      s.title || s.number
        ? el("p", { class: "label section-cite" }, [sectionLabel(s.anchor), s.title].filter(Boolean).join(". "), projectButton(s, () => view))
        : null,
      s.text ? el("p", { class: "prose", text: s.text }) : null,
    ));
  }

  /** The article as published (from the draft already loaded), or as the server lays it out in the other views. */
  async function drawArticle(article, commented) {
    const box = $("detail-text");
    const switcher = el("div", { class: "view-switch", role: "group", "aria-label": t("screen.view") },
      VIEWS.map((v) => el("button", {
        type: "button",
        dataset: { view: v },
        "aria-pressed": String(v === view),
        text: t(`screen.view_${v}`),
        on: { click: () => { view = v; drawArticle(article, commented).catch(() => notify(t("error.unknown"), "error")); } },
      })));
    const head = sections.find((s) => s.anchor === article);
    if (view === "original" || !head) {
      box.replaceChildren(head ? switcher : "", ...originalNodes(article, commented));
      box.dataset.view = head ? view : "";
      return;
    }
    const shown = await api("GET", `${base}/section-view?${new URLSearchParams({ anchor: article, view })}`);
    const changed = shown.parts.some((p) => p.proposals.length || p.change === "inserted");
    // replaceChildren would print a null as the text "null".
    box.replaceChildren(...[
      switcher,
      el("p", { class: "label section-cite" }, [sectionLabel(shown.revised_anchor ?? article), head.title].filter(Boolean).join(". "), projectButton(head, () => view)),
      shown.revised_anchor === null ? el("p", { class: "meta", text: t("display.deleted") }) : null,
      view === "diff" && !changed ? el("p", { class: "meta", text: t("display.no_changes") }) : null,
      ...shown.parts.map(viewPart),
    ].filter(Boolean));
    box.dataset.view = view;
  }

  function show(comment) {
    drawArticle(articleOf(comment.section_anchor), comment.section_anchor).catch(() => notify(t("error.unknown"), "error"));
    $("detail-comment").replaceChildren(
      el("p", { class: "feed-head" }, el("span", { class: "comment-id", text: `#${comment.number}`, title: t("comment.number", { n: comment.number }) }), el("strong", { text: sectionLabel(comment.section_anchor) })),
      el("p", { class: "meta", text: [comment.author, comment.point].filter(Boolean).join(" · ") }),
      el("p", { class: "prose", text: comment.body }),
      proposalBlock(comment, targetText),
      el("p", { class: "meta", text: comment.disposition ? t(`disposition.${comment.disposition}`) : t("disposition.none") }),
    );
    detail.dataset.id = comment.id;
    openDetail();
  }

  /** An article from the counts list, in the view chosen, with no comment beside it. */
  function showArticle(anchor) {
    drawArticle(anchor, null).catch(() => notify(t("error.unknown"), "error"));
    $("detail-comment").replaceChildren();
    delete detail.dataset.id;
    openDetail();
  }

  function openDetail() {
    detail.hidden = false;
    detail.scrollIntoView({ block: "nearest" });
  }

  $("detail-close").addEventListener("click", () => { detail.hidden = true; });

  // ---- the secretariat's own proposals (đề xuất chỉnh lý của Ban soạn thảo) --------------------------

  const changeProposal = createChangeProposal($("change-proposal"), (filed) => {
    arrived("comment", filed, (c) => feed.upsertComment(c));
    countsSoon();
  });

  // ---- bulk rulings ---------------------------------------------------------------------------------

  bulk.elements.disposition.replaceChildren(...DISPOSITIONS.map((value, i) => option(value, t(`disposition.${value}`), i === 0)));
  bulk.addEventListener("submit", (event) => {
    event.preventDefault();
    const picked = feed.picked();
    if (!picked.length) return;
    const disposition = bulk.elements.disposition.value;
    const response = bulk.elements.response.value.trim();
    const items = picked.map((c) => ({ id: c.id, revision: c.revision, disposition, response }));
    act(bulk.querySelector('button[type="submit"]'), async () => {
      try {
        const ruled = await api("PATCH", `${base}/comments`, { items });
        ruled.items.forEach((c) => feed.upsertComment(c, { force: true }));
        feed.clearPicked();
        bulk.reset();
        notify(t("inbox.bulk_saved", { n: ruled.items.length }));
      } catch (error) {
        if (error.code !== "revision_conflict") throw error;
        // Nothing was written: show what the others did, keep the choice so the chair can look and retry.
        const current = error.details.current ?? [];
        current.forEach((c) => feed.upsertComment(c, { force: true }));
        feed.repick(current);
        notify(t("inbox.bulk_conflict"), "error");
      }
      countsSoon();
    });
  });
  $("bulk-clear").addEventListener("click", () => feed.clearPicked());

  // ---- filters and pre-moderation -------------------------------------------------------------------

  for (const control of [controls.kind, controls.point, controls.article, controls.disposition, controls.proposed, controls.work]) {
    control.addEventListener("change", () => {
      if (control === controls.article) loadCounts().catch(() => {});
      refresh();
    });
  }
  controls.search.addEventListener("input", refreshSoon);
  controls.search.form?.addEventListener("submit", (event) => { event.preventDefault(); refresh(); });
  $("inbox-reset").addEventListener("click", () => {
    for (const control of [controls.kind, controls.point, controls.article, controls.disposition, controls.work]) control.value = "";
    controls.proposed.checked = false;
    controls.search.value = "";
    loadCounts().catch(() => {});
    refresh();
  });

  premoderation.addEventListener("change", () => {
    const wanted = premoderation.checked;
    act(premoderation, async () => {
      try {
        const conference = await api("PATCH", base, { premoderation: wanted });
        premoderation.checked = conference.premoderation;
        notify(t(conference.premoderation ? "inbox.premoderation_on" : "inbox.premoderation_off"));
      } catch (error) {
        premoderation.checked = !wanted;
        throw error;
      }
    });
  });

  async function loadPoints() {
    const points = await api("GET", `${base}/points`);
    const chosen = controls.point.value;
    controls.point.replaceChildren(
      option("", t("inbox.all_points"), chosen === ""),
      ...points.items.map((p) => option(String(p.id), p.name, String(p.id) === chosen)),
    );
  }

  async function load(conference) {
    premoderation.checked = Boolean(conference.premoderation);
    await Promise.all([loadPoints(), loadCounts(), loadSections()]);
    await refresh();
  }

  // ---- live -----------------------------------------------------------------------------------------

  /** A change to a shown item is drawn in place; a new one joins at once unless a filter may exclude it. */
  function arrived(kind, item, upsert) {
    heardDuring?.push([kind, item, upsert]);
    if (feed.has(kind, item.id) || !filtered()) {
      upsert(item);
      const key = `${kind}:${item.id}`;
      if (!filtered() && !listed.has(key)) {
        listed.add(key);
        counted = { shown: counted.shown + 1, total: counted.total + 1, filtered: false };
        drawTotal();
      }
    } else if (!feed.busy()) refreshSoon();
  }

  const onComment = (comment) => {
    arrived("comment", comment, (c) => feed.upsertComment(c));
    countsSoon();
  };
  const onRemark = (remark) => arrived("remark", remark, (r) => feed.upsertRemark(r));

  const handlers = {
    "comment.submitted": onComment,
    "comment.disposed": onComment,
    "comment.merged": onComment,
    "comment.unmerged": onComment,
    "comment.moderated": onComment,
    "comment.answered": onComment,
    "remark.submitted": onRemark,
    "remark.moderated": onRemark,
    "conference.updated": (data) => {
      if (data.changed?.includes("premoderation")) api("GET", base).then((c) => { premoderation.checked = Boolean(c.premoderation); }).catch(() => {});
    },
    "draft.published": () => { loadSections().catch(() => {}); loadCounts().catch(() => {}); },
  };

  return { load, handlers };
}
