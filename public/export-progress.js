// The console's export page: while an export is queued or running, the progress region is read
// again every 2 seconds (the same page, fetched) and its text replaced, so a screen reader hears the
// new phase and n/total (aria-live). When the export ends the page is loaded again to offer the file.
// Without scripts the "Atualizar o progresso" link does the same by hand.
(function () {
  var region = document.querySelector('[data-export-progress]');
  if (!region || !region.querySelector('[data-export-pending]')) return;
  function poll() {
    fetch(window.location.pathname, { credentials: 'same-origin', headers: { Accept: 'text/html' } })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        var next = new DOMParser().parseFromString(html, 'text/html').querySelector('[data-export-progress]');
        if (!next || !next.querySelector('[data-export-pending]')) { window.location.reload(); return; }
        region.innerHTML = next.innerHTML;
        setTimeout(poll, 2000);
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 2000);
})();
