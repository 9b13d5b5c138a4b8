/** HTML building blocks of the development EHR's pages. */

export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Marks a string as already-safe HTML for `html` templates. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export const raw = (value: string) => new SafeHtml(value);

/** A tagged template that escapes every interpolated value except SafeHtml (and arrays of them). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

function render(value: unknown): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === undefined || value === null || value === false) return '';
  return escapeHtml(value);
}

const STYLE = `
:root { color-scheme: light; --ink: #1b1f24; --muted: #4a5560; --line: #c9d1d9; --brand: #0b4f71;
  --critical: #9b1c1c; --warning: #7a4d00; --info: #1d4e89; --bg: #f5f7f9; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
a { color: var(--brand); }
:focus-visible { outline: 3px solid #f0a400; outline-offset: 2px; }
.ehr-header { display: flex; gap: 1.5rem; align-items: center; padding: .5rem 1rem; background: var(--brand); color: #fff; }
.ehr-header a { color: #fff; }
.ehr-header .brand { font-weight: 700; }
.ehr-header nav ul { display: flex; gap: 1rem; list-style: none; margin: 0; padding: 0; }
main { padding: 1rem; max-width: 72rem; margin: 0 auto; }
main.frame { max-width: none; padding: 0; }
.banner { display: flex; flex-wrap: wrap; gap: .25rem 1.5rem; padding: .5rem 1rem; background: #e3ecf2; border-bottom: 1px solid var(--line); }
.banner .name { font-weight: 700; font-size: 1.1rem; }
table { border-collapse: collapse; width: 100%; background: #fff; }
caption { text-align: left; font-weight: 600; padding: .5rem 0; }
th, td { border: 1px solid var(--line); padding: .5rem; text-align: left; vertical-align: top; }
.actions { display: flex; gap: .5rem; flex-wrap: wrap; }
.actions form { margin: 0; }
button { font: inherit; padding: .4rem .9rem; border-radius: 4px; border: 1px solid var(--brand); background: var(--brand); color: #fff; cursor: pointer; }
button.secondary { background: #fff; color: var(--brand); }
label { font-weight: 600; display: block; margin-bottom: .25rem; }
select { font: inherit; padding: .35rem; min-width: 24rem; max-width: 100%; }
.order-form { background: #fff; border: 1px solid var(--line); padding: 1rem; display: grid; gap: .75rem; }
.app-frame { display: block; width: 100%; height: calc(100vh - 7rem); border: 0; background: #fff; }
.status { padding: .75rem 1rem; border-radius: 4px; border: 1px solid var(--line); background: #fff; }
.status.error { border-color: var(--critical); color: var(--critical); font-weight: 600; }
.cards { display: grid; gap: 1rem; }
.card { background: #fff; border: 1px solid var(--line); border-left: 8px solid var(--info); padding: .75rem 1rem; }
.card--critical { border-left-color: var(--critical); }
.card--warning { border-left-color: var(--warning); }
.indicator { display: inline-block; font-weight: 700; font-size: .85rem; text-transform: uppercase; letter-spacing: .03em; padding: .1rem .5rem; border-radius: 3px; color: #fff; background: var(--info); }
.card--critical .indicator { background: var(--critical); }
.card--warning .indicator { background: var(--warning); }
.card h3 { margin: .4rem 0; font-size: 1.1rem; }
.card .source { color: var(--muted); font-size: .9rem; }
.card details { margin: .5rem 0; }
.meta { color: var(--muted); font-size: .9rem; }
`;

export function page(title: string, body: SafeHtml, options: { mainClass?: string } = {}): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header class="ehr-header">
  <span class="brand">Development EHR</span>
  <nav aria-label="EHR"><ul><li><a href="/">Patient list</a></li></ul></nav>
  <span>Testby Hospital (fictional) · signed in as Eva Testdoctor</span>
</header>
<main${options.mainClass ? ` class="${escapeHtml(options.mainClass)}"` : ''}>
${body.value}
</main>
</body>
</html>
`;
}
