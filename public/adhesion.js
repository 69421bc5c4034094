// Adhesion wizard, progressive enhancement: the forms work without this script.
(function () {
  'use strict';

  function debounce(fn, ms) {
    var timer;
    return function () {
      var args = arguments;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(null, args); }, ms);
    };
  }

  function getJson(url) {
    return fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' }).then(function (r) { return r.json(); });
  }

  // Municipality type-ahead: accents ignored by the server, filtered by the UF chosen.
  var form = document.querySelector('[data-municipality-search]');
  if (form) {
    var q = form.querySelector('#q');
    var uf = form.querySelector('#uf');
    var select = form.querySelector('#ibgeCode');
    var count = form.querySelector('[data-municipality-count]');
    var refresh = debounce(function () {
      if (!q.value.trim() && !uf.value) return;
      var params = new URLSearchParams({ q: q.value, uf: uf.value });
      getJson('/api/adesao/municipios?' + params.toString()).then(function (data) {
        var current = select.value;
        select.innerHTML = '';
        var first = document.createElement('option');
        first.value = '';
        first.textContent = 'Escolha o município (' + data.municipalities.length + ' encontrados)';
        select.appendChild(first);
        data.municipalities.forEach(function (m) {
          var o = document.createElement('option');
          o.value = m.ibgeCode;
          o.textContent = m.name + ' (' + m.uf + ') — IBGE ' + m.ibgeCode;
          if (m.ibgeCode === current) o.selected = true;
          select.appendChild(o);
        });
        if (data.municipalities.length === 1) select.value = data.municipalities[0].ibgeCode;
        count.textContent = data.municipalities.length + ' municípios encontrados.';
      });
    }, 250);
    q.addEventListener('input', refresh);
    uf.addEventListener('change', refresh);
    // Choosing a municipality also sets its UF, so the pair always agrees.
    function pick() {
      var m = /\(([A-Z]{2})\)/.exec(select.options[select.selectedIndex].textContent || '');
      if (m) uf.value = m[1];
      var kind = form.querySelector('#kind-municipio');
      if (select.value && kind) kind.checked = true;
    }
    select.addEventListener('change', pick);
    select.addEventListener('input', pick);
  }

  // Tenant address: live availability hint.
  var slugBox = document.querySelector('[data-slug-check]');
  if (slugBox) {
    var slug = slugBox.querySelector('#slug');
    var hint = slugBox.querySelector('[data-slug-availability]');
    var preview = slugBox.querySelector('[data-slug-preview]');
    var check = debounce(function () {
      var value = slug.value.trim().toLowerCase();
      preview.textContent = value;
      if (!value) { hint.textContent = ''; return; }
      getJson('/api/adesao/endereco?slug=' + encodeURIComponent(value)).then(function (data) {
        if (data.slug !== slug.value.trim().toLowerCase()) return;
        hint.textContent = (data.available ? 'Disponível: ' : 'Indisponível: ') + data.message;
        hint.className = 'text-down-01 mt-1 mb-0 ' + (data.available ? 'app-hint-ok' : 'app-hint-bad');
      });
    }, 300);
    slug.addEventListener('input', check);
  }
})();
