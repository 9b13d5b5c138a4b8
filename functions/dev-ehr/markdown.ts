import { escapeHtml } from './html';

/**
 * A small, safe Markdown subset for CDS Hooks card details: paragraphs, `-`/`*` lists, **bold**, _italic_ /
 * *italic*, `code` and [links](https://...). The text is escaped first, so nothing in it can become markup;
 * only http(s) links are made.
 */
export function renderMarkdown(markdown: string): string {
  const blocks = markdown.replace(/\r\n?/g, '\n').split(/\n{2,}/);
  return blocks
    .map((block) => block.trim())
    .filter((block) => block !== '')
    .map(renderBlock)
    .join('\n');
}

function renderBlock(block: string): string {
  const lines = block.split('\n');
  const html: string[] = [];
  let paragraph: string[] = [];
  let list: string[] = [];
  const flushParagraph = () => {
    if (paragraph.length > 0) html.push(`<p>${paragraph.map(inline).join('<br>')}</p>`);
    paragraph = [];
  };
  const flushList = () => {
    if (list.length > 0) html.push(`<ul>${list.map((item) => `<li>${inline(item)}</li>`).join('')}</ul>`);
    list = [];
  };
  for (const line of lines) {
    const item = /^\s*[-*]\s+(.*)$/.exec(line);
    if (item) {
      flushParagraph();
      list.push(item[1] ?? '');
    } else if (/^#{1,6}\s+/.test(line)) {
      flushParagraph();
      flushList();
      html.push(`<p><strong>${inline(line.replace(/^#{1,6}\s+/, ''))}</strong></p>`);
    } else {
      flushList();
      paragraph.push(line.trim());
    }
  }
  flushParagraph();
  flushList();
  return html.join('\n');
}

/** Code spans and links are found first; the text between them is escaped, then emphasised. */
function inline(text: string): string {
  const tokens = /`([^`]+)`|\[([^\]]+)\]\(([^)\s]+)\)/g;
  let out = '';
  let last = 0;
  for (const match of text.matchAll(tokens)) {
    const [whole, code, label, url] = match;
    const at = match.index ?? 0;
    out += emphasis(escapeHtml(text.slice(last, at)));
    if (code !== undefined) out += `<code>${escapeHtml(code)}</code>`;
    else if (url !== undefined && /^https?:\/\//i.test(url))
      out += `<a href="${escapeHtml(url)}" target="_blank" rel="noopener noreferrer">${emphasis(escapeHtml(label ?? ''))}</a>`;
    else out += emphasis(escapeHtml(whole));
    last = at + whole.length;
  }
  return out + emphasis(escapeHtml(text.slice(last)));
}

function emphasis(escaped: string): string {
  return escaped
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/(^|[\s(])_([^_]+)_(?=$|[\s).,;:!?])/g, '$1<em>$2</em>')
    .replace(/(^|[\s(])\*([^*\s][^*]*)\*(?=$|[\s).,;:!?])/g, '$1<em>$2</em>');
}
