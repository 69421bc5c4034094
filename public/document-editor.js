// Rich-text editing of internal documents with Quill (served from node_modules, no CDN). Without
// JavaScript the plain <textarea> holding the HTML is the editor; with it, Quill replaces it and
// keeps the textarea in sync, so the form posts the same field either way. The server sanitises.
(function () {
  'use strict';
  var LABELS = {
    'ql-bold': 'Negrito', 'ql-italic': 'Itálico', 'ql-underline': 'Sublinhado', 'ql-link': 'Inserir link',
    'ql-clean': 'Limpar formatação', 'ql-header': 'Estilo do parágrafo', 'ql-align': 'Alinhamento',
  };
  // Quill's toolbar in Portuguese, with a name on every control (its pickers have none).
  function labelToolbar(toolbar) {
    if (!toolbar || !toolbar.classList.contains('ql-toolbar')) return;
    toolbar.setAttribute('role', 'toolbar');
    toolbar.setAttribute('aria-label', 'Formatação do texto');
    Array.prototype.forEach.call(toolbar.querySelectorAll('button, .ql-picker'), function (el) {
      var name = Object.keys(LABELS).filter(function (c) { return el.classList.contains(c); })[0];
      var label = name ? LABELS[name] : null;
      if (el.classList.contains('ql-list')) label = el.value === 'ordered' ? 'Lista numerada' : 'Lista com marcadores';
      if (!label) return;
      if (el.tagName === 'BUTTON') el.setAttribute('aria-label', label);
      else {
        var opener = el.querySelector('.ql-picker-label');
        if (opener) opener.setAttribute('aria-label', label);
      }
    });
  }
  function start() {
    if (typeof window.Quill !== 'function') return;
    var forms = document.querySelectorAll('[data-editor-form]');
    Array.prototype.forEach.call(forms, function (form) {
      var source = form.querySelector('[data-editor-source]');
      var holder = form.querySelector('[data-editor-for]');
      if (!source || !holder) return;
      holder.hidden = false;
      var quill = new window.Quill(holder, {
        theme: 'snow',
        modules: {
          // Tab and Shift+Tab move the focus like everywhere else (no keyboard trap, WCAG 2.1.2).
          keyboard: { bindings: { tab: null, 'remove tab': null, indent: null, outdent: null, 'table tab': null } },
          toolbar: [[{ header: [2, 3, false] }], ['bold', 'italic', 'underline'], [{ list: 'ordered' }, { list: 'bullet' }], [{ align: [] }], ['link'], ['clean']],
        },
      });
      quill.clipboard.dangerouslyPasteHTML(source.value);
      // Quill drops a trailing blank line when it reads HTML; keep it, so that text typed at the end of a
      // template starts its own paragraph instead of running into the template's last line.
      if (/<p>(\s|<br\s*\/?>)*<\/p>\s*$/.test(source.value)) quill.insertText(quill.getLength() - 1, '\n', 'silent');
      labelToolbar(holder.previousElementSibling);
      quill.root.setAttribute('aria-label', 'Texto do documento');
      quill.root.setAttribute('role', 'textbox');
      quill.root.setAttribute('aria-multiline', 'true');
      source.hidden = true;
      source.setAttribute('aria-hidden', 'true');
      source.tabIndex = -1;
      var label = form.querySelector('label[for="' + source.id + '"]');
      if (label) label.addEventListener('click', function () { quill.focus(); });
      var sync = function () { source.value = quill.root.innerHTML; };
      quill.on('text-change', sync);
      form.addEventListener('submit', sync);
    });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
