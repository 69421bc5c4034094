import { expect } from 'chai';
import { htmlToText, sanitizeDocumentHtml } from '../../../server/documents/sanitize';

/** Payloads from the usual XSS cheat sheets (OWASP, PortSwigger), including mutation and encoding tricks. */
const PAYLOADS = [
  '<script>alert(1)</script>',
  '<SCRIPT SRC=http://xss.rocks/xss.js></SCRIPT>',
  '<img src=x onerror=alert(1)>',
  '<img src="javascript:alert(1)">',
  '<svg onload=alert(1)>',
  '<svg><script>alert(1)</script></svg>',
  '<body onload=alert(1)>',
  '<iframe src="https://evil.example"></iframe>',
  '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>',
  '<object data="data:text/html,<script>alert(1)</script>"></object>',
  '<embed src="https://evil.example/x.swf">',
  '<a href="javascript:alert(1)">x</a>',
  '<a href="JaVaScRiPt:alert(1)">x</a>',
  '<a href="jav&#x09;ascript:alert(1)">x</a>',
  '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
  '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
  '<a href="vbscript:msgbox(1)">x</a>',
  '<a href="//evil.example/">x</a>',
  '<p onclick="alert(1)">texto</p>',
  '<p onmouseover=alert(1)>texto</p>',
  '<div style="background:url(javascript:alert(1))">x</div>',
  '<p style="width:expression(alert(1))">x</p>',
  '<style>@import "https://evil.example/x.css";</style>',
  '<link rel="stylesheet" href="https://evil.example/x.css">',
  '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
  '<base href="https://evil.example/">',
  '<form action="https://evil.example"><input name="x"><button>ok</button></form>',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
  '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
  '<table background="javascript:alert(1)"><tr><td>x</td></tr></table>',
  '<video><source onerror="alert(1)"></video>',
  '<audio src=x onerror=alert(1)>',
  '<details open ontoggle=alert(1)>',
  '<marquee onstart=alert(1)>x</marquee>',
  '<input autofocus onfocus=alert(1)>',
  '<textarea><script>alert(1)</script></textarea>',
  '<template><script>alert(1)</script></template>',
  '"><script>alert(1)</script>',
  '<scr<script>ipt>alert(1)</scr</script>ipt>',
  '<img src="https://tracker.example/pixel.gif">',
  '<p class="x" id="y" data-foo="z">texto</p>',
  '<a href="https://gov.br" target="_blank" onclick="x()">gov</a>',
];

describe('Unit - documents/sanitize', () => {
  for (const payload of PAYLOADS) {
    it(`neutralises ${payload.slice(0, 60)}`, () => {
      const out = sanitizeDocumentHtml(payload);
      expect(out).not.to.match(/<\s*(script|style|iframe|object|embed|svg|math|img|link|meta|base|form|input|button|video|audio|source|body|template|textarea|noscript|details|marquee)\b/i);
      expect(out).not.to.match(/\son[a-z]+\s*=/i);
      expect(out).not.to.match(/javascript:|vbscript:|data:|expression\(/i);
      expect(out).not.to.match(/\s(style|src|srcdoc|background|id|target)\s*=/i);
      expect(out).not.to.match(/href="\/\//);
    });
  }

  it('keeps what the editor produces: paragraphs, emphasis, lists, alignment, links and tables', () => {
    const html =
      '<h2>Assunto</h2><p class="ql-align-justify">Texto <strong>forte</strong>, <em>ênfase</em> e <u>sublinhado</u>.</p>' +
      '<ol><li data-list="bullet">um</li></ol><p><a href="https://www.gov.br/x">link</a></p>' +
      '<table><tbody><tr><th scope="col">A</th></tr><tr><td colspan="2">1</td></tr></tbody></table>';
    const out = sanitizeDocumentHtml(html);
    expect(out).to.contain('<h2>Assunto</h2>');
    expect(out).to.contain('<p class="ql-align-justify">');
    expect(out).to.contain('<strong>forte</strong>');
    expect(out).to.contain('<li data-list="bullet">um</li>');
    expect(out).to.contain('<a href="https://www.gov.br/x" rel="noopener noreferrer">link</a>');
    expect(out).to.contain('<td colspan="2">1</td>');
  });

  it('drops classes outside the editor list', () => {
    expect(sanitizeDocumentHtml('<p class="ql-align-center evil">x</p>')).to.equal('<p class="ql-align-center">x</p>');
  });

  it('turns HTML into searchable text', () => {
    expect(htmlToText('<p>Licitação &amp; contratos</p><p>segunda<br>linha</p>')).to.equal('Licitação & contratos\nsegunda\nlinha');
  });
});
