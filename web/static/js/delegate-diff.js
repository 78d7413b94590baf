// A word-level diff of proposed wording against the current text of a section, drawn with <ins>/<del>.
// Text is compared as written (NFC, case and diacritics kept); only whitespace separates words.

const MAX_CELLS = 4_000_000;

/** Words of a text, NFC, split on whitespace. */
export function words(text) {
  return (text ?? "").normalize("NFC").split(/\s+/).filter(Boolean);
}

/**
 * The longest-common-subsequence diff of two word lists: [{op: "same"|"ins"|"del", text}], adjacent words of
 * the same op joined with a space. Very long texts (beyond MAX_CELLS) fall back to "all deleted, all inserted".
 */
export function diffWords(before, after) {
  const a = words(before);
  const b = words(after);
  const ops = [];
  // Common head and tail need no table.
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head += 1;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail += 1;
  const x = a.slice(head, a.length - tail);
  const y = b.slice(head, b.length - tail);
  const middle = [];
  if ((x.length + 1) * (y.length + 1) > MAX_CELLS) {
    x.forEach((w) => middle.push(["del", w]));
    y.forEach((w) => middle.push(["ins", w]));
  } else {
    const cols = y.length + 1;
    const table = new Uint32Array((x.length + 1) * cols);
    for (let i = x.length - 1; i >= 0; i -= 1) {
      for (let j = y.length - 1; j >= 0; j -= 1) {
        table[i * cols + j] = x[i] === y[j] ? table[(i + 1) * cols + j + 1] + 1 : Math.max(table[(i + 1) * cols + j], table[i * cols + j + 1]);
      }
    }
    let i = 0;
    let j = 0;
    while (i < x.length || j < y.length) {
      if (i < x.length && j < y.length && x[i] === y[j]) { middle.push(["same", x[i]]); i += 1; j += 1; }
      else if (i < x.length && (j === y.length || table[(i + 1) * cols + j] >= table[i * cols + j + 1])) { middle.push(["del", x[i]]); i += 1; }
      else { middle.push(["ins", y[j]]); j += 1; }
    }
  }
  const all = [...a.slice(0, head).map((w) => ["same", w]), ...middle, ...a.slice(a.length - tail).map((w) => ["same", w])];
  for (const [op, text] of all) {
    const last = ops.at(-1);
    if (last && last.op === op) last.text += ` ${text}`;
    else ops.push({ op, text });
  }
  return ops;
}

/** The diff as DOM nodes: text nodes for unchanged words, <ins> and <del> for changes, spaces between. */
export function diffNodes(before, after) {
  const nodes = [];
  for (const part of diffWords(before, after)) {
    if (nodes.length) nodes.push(document.createTextNode(" "));
    if (part.op === "same") nodes.push(document.createTextNode(part.text));
    else {
      const node = document.createElement(part.op);
      node.textContent = part.text;
      nodes.push(node);
    }
  }
  return nodes;
}
