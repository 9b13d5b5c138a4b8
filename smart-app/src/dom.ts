/** A small element builder: text always goes in as text nodes, never as HTML. */

type Attributes = Record<string, string | number | boolean | undefined>;
export type Child = Node | string | null | undefined | false | Child[];

export function h(tag: string, attributes: Attributes = {}, ...children: Child[]): HTMLElement {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (name === 'class') element.className = String(value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else parent.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

/** An external link that opens in a new tab without giving it access to this window. */
export function externalLink(url: string, text: string): HTMLElement {
  if (!url) return h('span', {}, text);
  return h(
    'a',
    { href: url, target: '_blank', rel: 'noopener noreferrer' },
    text,
    h('span', { class: 'visually-hidden' }, ' (opens in a new tab)'),
  );
}

/**
 * The rules' detail text is a little Markdown: paragraphs, "- " lists, **bold**, _italic_ and [links](url).
 * Rendered as elements (links only for http(s)), never as HTML.
 */
export function markdown(text: string): HTMLElement {
  const container = h('div', { class: 'detail' });
  for (const block of text.split(/\n{2,}/)) {
    const lines = block.split('\n').filter((line) => line.trim() !== '');
    if (lines.length === 0) continue;
    if (lines.every((line) => /^\s*[-*] /.test(line))) {
      container.appendChild(
        h('ul', {}, ...lines.map((line) => h('li', {}, ...inline(line.replace(/^\s*[-*] /, ''))))),
      );
    } else {
      const items = lines.map((line, i) => [...inline(line), i < lines.length - 1 ? h('br') : null]);
      container.appendChild(h('p', {}, ...items));
    }
  }
  return container;
}

const INLINE = /\*\*([^*]+)\*\*|_([^_]+)_|\[([^\]]+)\]\(([^)\s]+)\)/g;

function inline(text: string): Child[] {
  const out: Child[] = [];
  let last = 0;
  for (const match of text.matchAll(INLINE)) {
    const index = match.index ?? 0;
    if (index > last) out.push(text.slice(last, index));
    if (match[1] !== undefined) out.push(h('strong', {}, match[1]));
    else if (match[2] !== undefined) out.push(h('em', {}, match[2]));
    else if (match[3] !== undefined) out.push(externalLink(httpOnly(match[4] ?? ''), match[3]));
    last = index + match[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

function httpOnly(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : '';
  } catch {
    return '';
  }
}
