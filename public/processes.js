// Process screens: type-ahead over interessados, unit filter of "Enviar", access options per type.
(function () {
  'use strict';

  // Type-ahead: fill the datalist with the tenant's previous interessados; picking one fills its CPF/CNPJ.
  var list = document.getElementById('party-suggestions');
  if (list) {
    var known = {};
    var timer;
    document.querySelectorAll('[data-party-name]').forEach(function (input) {
      input.addEventListener('input', function () {
        clearTimeout(timer);
        var q = input.value.trim();
        var doc = input.closest('[data-party-row]').querySelector('[data-party-document]');
        if (known[q] && doc && !doc.value) doc.value = known[q];
        if (q.length < 2) return;
        timer = setTimeout(function () {
          fetch('/api/processos/interessados?q=' + encodeURIComponent(q), { headers: { Accept: 'application/json' } })
            .then(function (r) { return r.ok ? r.json() : []; })
            .then(function (rows) {
              list.textContent = '';
              rows.forEach(function (row) {
                var option = document.createElement('option');
                option.value = row.name;
                if (row.document) { option.label = row.document; known[row.name] = row.document; }
                list.appendChild(option);
              });
            });
        }, 200);
      });
    });
  }

  // Enviar: filter the unit checkboxes by sigla or name.
  var filter = document.querySelector('[data-unit-filter]');
  if (filter) {
    var status = document.querySelector('[data-unit-filter-status]');
    var norm = function (s) { return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase(); };
    filter.addEventListener('input', function () {
      var q = norm(filter.value.trim());
      var shown = 0;
      document.querySelectorAll('[data-unit-option]').forEach(function (el) {
        var match = !q || norm(el.getAttribute('data-search')).indexOf(q) !== -1 || el.querySelector('input').checked;
        el.hidden = !match;
        if (match) shown += 1;
      });
      if (status) status.textContent = shown + (shown === 1 ? ' unidade listada' : ' unidades listadas');
    });
  }

  // Iniciar/Alterar: offer only the access levels the chosen type allows, and say so next to the field.
  var LEVEL_NAMES = { public: 'público', restricted: 'restrito', secret: 'sigiloso' };
  var type = document.querySelector('[data-process-type]');
  if (type) {
    var apply = function (initial) {
      var option = type.options[type.selectedIndex];
      var levels = option && option.getAttribute('data-levels');
      if (!levels) return;
      var allowed = levels.split(' ');
      var note = document.querySelector('[data-access-note]');
      if (note) {
        var names = allowed.map(function (l) { return LEVEL_NAMES[l] || l; });
        note.innerHTML = '';
        if (allowed.length < 3) {
          var icon = document.createElement('i');
          icon.className = 'fas fa-info-circle mr-1';
          icon.setAttribute('aria-hidden', 'true');
          note.appendChild(icon);
          note.appendChild(document.createTextNode('Este tipo de processo só admite acesso ' +
            (names.length === 1 ? names[0] : names.slice(0, -1).join(', ') + ' ou ' + names[names.length - 1]) + '.'));
        }
      }
      document.querySelectorAll('[data-access-option]').forEach(function (el) {
        var ok = allowed.indexOf(el.getAttribute('data-access-option')) !== -1;
        el.hidden = !ok;
        var input = el.querySelector('input');
        input.disabled = !ok;
        if (!ok) input.checked = false;
      });
      if (!initial || !document.querySelector('input[name="accessLevel"]:checked')) {
        var def = document.getElementById('accessLevel-' + option.getAttribute('data-default-level'));
        if (def) def.checked = true;
        var basis = document.getElementById('legalBasisId');
        if (basis && !basis.value && option.getAttribute('data-default-legal-basis')) basis.value = option.getAttribute('data-default-legal-basis');
      }
    };
    type.addEventListener('change', function () { apply(false); });
    apply(true);
  }
})();
