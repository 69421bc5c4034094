import { expect } from 'chai';
import { sanitizeTemplate } from '../../../server/catalogs/sanitize';

describe('Unit - catalogs/sanitize (document templates)', () => {
  it('keeps the allowed structure and the placeholders', () => {
    const html = '<h2>Ofício</h2><p><strong>Assunto:</strong> <em>{{especificacao}}</em> <u>x</u></p><ul><li>{{unidade}}</li></ul><table><tbody><tr><td>{{data}}</td></tr></tbody></table><p><a href="https://www.gov.br/">gov.br</a></p>';
    expect(sanitizeTemplate(html)).to.equal(html);
  });

  const payloads: [string, string][] = [
    ['<p>a</p><script>alert(1)</script>', '<p>a</p>'],
    ['<p onclick="alert(1)">a</p>', '<p>a</p>'],
    ['<img src=x onerror=alert(1)><p>a</p>', '<p>a</p>'],
    ['<a href="javascript:alert(1)">a</a>', '<a>a</a>'],
    ['<a href="data:text/html;base64,PHNjcmlwdD4=">a</a>', '<a>a</a>'],
    ['<a href="//evil.example/x">a</a>', '<a>a</a>'],
    ['<p style="background:url(https://evil.example/x)">a</p>', '<p>a</p>'],
    ['<style>p{color:red}</style><p>a</p>', '<p>a</p>'],
    ['<iframe src="https://evil.example"></iframe><p>a</p>', '<p>a</p>'],
    ['<svg><script>alert(1)</script></svg><p>a</p>', '<p>a</p>'],
    ['<p>a<form action="https://evil.example"><input name="x"></form></p>', '<p>a</p><p></p>'],
    ['<link rel="stylesheet" href="https://evil.example/x.css"><p>a</p>', '<p>a</p>'],
  ];
  for (const [input, output] of payloads) {
    it(`neutralises ${input}`, () => {
      expect(sanitizeTemplate(input)).to.equal(output);
    });
  }
});
