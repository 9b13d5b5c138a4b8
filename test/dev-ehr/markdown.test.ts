import { describe, expect, test } from 'vitest';
import { renderMarkdown } from '../../functions/dev-ehr/markdown';

describe('renderMarkdown (card details)', () => {
  test('paragraphs, lists, bold, italic, code and links', () => {
    expect(
      renderMarkdown(
        '**Finding:** CYP2C19 _poor_ metabolizer.\n\n- one\n- `two`\n\nSee [CPIC](https://cpicpgx.org/x).',
      ),
    ).toBe(
      [
        '<p><strong>Finding:</strong> CYP2C19 <em>poor</em> metabolizer.</p>',
        '<ul><li>one</li><li><code>two</code></li></ul>',
        '<p>See <a href="https://cpicpgx.org/x" target="_blank" rel="noopener noreferrer">CPIC</a>.</p>',
      ].join('\n'),
    );
  });

  test('a list right after a heading line in one block', () => {
    expect(renderMarkdown('**Alternatives**\n- prasugrel\n- ticagrelor')).toBe(
      '<p><strong>Alternatives</strong></p>\n<ul><li>prasugrel</li><li>ticagrelor</li></ul>',
    );
  });

  test.each([
    ['<script>alert(1)</script>', '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>'],
    ['[x](javascript:alert(1))', '<p>[x](javascript:alert(1))</p>'],
    [
      '[x](https://a.example/?q="><b>)',
      '<p><a href="https://a.example/?q=&quot;&gt;&lt;b&gt;" target="_blank" rel="noopener noreferrer">x</a></p>',
    ],
    ['`<b>` and **<i>**', '<p><code>&lt;b&gt;</code> and <strong>&lt;i&gt;</strong></p>'],
    ['_Rule a-b v1.0.0 · rule set 2.1.0_', '<p><em>Rule a-b v1.0.0 · rule set 2.1.0</em></p>'],
  ])('escapes %s', (input, output) => {
    expect(renderMarkdown(input)).toBe(output);
  });

  test('nothing in the text becomes a tag', () => {
    const out = renderMarkdown('<img src=x onerror=alert(1)> **<svg onload=x>** [<a>](https://x.example)');
    expect(out).not.toMatch(/<(img|svg|a>)/);
  });
});
