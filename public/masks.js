// Masks as users type, for every field marked data-mask (on the input or on a wrapper around it):
// cpf, cnpj (numeric or the alphanumeric format of July 2026), cpf-cnpj (by length), phone, cep.
// The server accepts the values with or without punctuation; this only helps reading and typing.
(function () {
  'use strict';
  var FORMATS = {
    cpf: { size: 11, keep: /[^0-9]/g, groups: [['', 3], ['.', 3], ['.', 3], ['-', 2]] },
    cnpj: { size: 14, keep: /[^0-9A-Z]/g, groups: [['', 2], ['.', 3], ['.', 3], ['/', 4], ['-', 2]] },
    cep: { size: 8, keep: /[^0-9]/g, groups: [['', 5], ['-', 3]] },
    phone10: { size: 10, keep: /[^0-9]/g, groups: [['(', 2], [') ', 4], ['-', 4]] },
    phone11: { size: 11, keep: /[^0-9]/g, groups: [['(', 2], [') ', 5], ['-', 4]] },
  };

  function apply(value, f) {
    var raw = value.toUpperCase().replace(f.keep, '').slice(0, f.size);
    var out = '';
    var pos = 0;
    f.groups.forEach(function (g) {
      if (pos >= raw.length) return;
      out += (pos || g[0] === '(' ? g[0] : '') + raw.slice(pos, pos + g[1]);
      pos += g[1];
    });
    return out;
  }

  function formatFor(kind, value) {
    var digits = value.replace(/[^0-9A-Za-z]/g, '');
    if (kind === 'cpf-cnpj') return digits.length <= 11 && /^[0-9]*$/.test(digits) ? FORMATS.cpf : FORMATS.cnpj;
    if (kind === 'phone') return digits.length > 10 ? FORMATS.phone11 : FORMATS.phone10;
    return FORMATS[kind];
  }

  document.querySelectorAll('[data-mask]').forEach(function (el) {
    var kind = el.getAttribute('data-mask');
    var input = el.tagName === 'INPUT' ? el : el.querySelector('input');
    if (!input || !formatFor(kind, '')) return;
    input.addEventListener('input', function () {
      var f = formatFor(kind, input.value);
      input.value = apply(input.value, f);
    });
  });
})();
