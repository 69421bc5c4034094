// Enviar para outro órgão: type-ahead over the platform directory of receiving units (by ente or
// unit name). Without script, the "Procurar" button does the same search on the server.
(function () {
  'use strict';
  var q = document.getElementById('q');
  var list = document.querySelector('[data-directory-list]');
  var status = document.querySelector('[data-directory-status]');
  if (!q || !list) return;
  var timer;
  var render = function (rows) {
    var checked = list.querySelector('input[name="destino"]:checked');
    var keep = checked ? checked.value : null;
    list.textContent = '';
    rows.forEach(function (row) {
      var value = row.tenantId + ':' + row.unitId;
      var id = 'destino-' + row.tenantId + '-' + row.unitId;
      var div = document.createElement('div');
      div.className = 'br-radio';
      var input = document.createElement('input');
      input.type = 'radio';
      input.name = 'destino';
      input.id = id;
      input.value = value;
      input.checked = value === keep;
      var label = document.createElement('label');
      label.htmlFor = id;
      var strong = document.createElement('strong');
      strong.textContent = row.ente;
      label.appendChild(strong);
      label.appendChild(document.createTextNode(' (' + row.uf + ') — ' + row.unit));
      div.appendChild(input);
      div.appendChild(label);
      list.appendChild(div);
    });
    if (!rows.length) {
      var p = document.createElement('p');
      p.textContent = 'Nenhuma unidade receptora encontrada para “' + q.value.trim() + '”.';
      list.appendChild(p);
    }
    if (status) status.textContent = rows.length + (rows.length === 1 ? ' unidade receptora encontrada' : ' unidades receptoras encontradas');
  };
  q.addEventListener('input', function () {
    clearTimeout(timer);
    var text = q.value.trim();
    if (text.length === 1) return;
    timer = setTimeout(function () {
      fetch('/api/tramita/diretorio?q=' + encodeURIComponent(text), { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (rows) { if (rows) render(rows); });
    }, 200);
  });
})();
