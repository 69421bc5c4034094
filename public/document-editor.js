// Rich-text editing of internal documents with Quill (served from node_modules, no CDN). Without
// JavaScript the plain <textarea> holding the HTML is the editor; with it, Quill replaces it and
// keeps the textarea in sync, so the form posts the same field either way. The server sanitises.
(function () {
  'use strict';
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
          toolbar: [[{ header: [2, 3, false] }], ['bold', 'italic', 'underline'], [{ list: 'ordered' }, { list: 'bullet' }], [{ align: [] }], ['link'], ['clean']],
        },
      });
      quill.clipboard.dangerouslyPasteHTML(source.value);
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
