// Follows a process-PDF job: asks for its status every second and shows the progress, then the
// download button. Without JavaScript the "Atualizar" link reloads the page by hand.
(function () {
  'use strict';
  var box = document.querySelector('[data-pdf-job]');
  if (!box || !window.fetch) return;
  var url = box.getAttribute('data-pdf-job') + '?formato=json';
  var running = box.querySelector('[data-pdf-running]');
  var finished = box.querySelector('[data-pdf-finished]');
  var failed = box.querySelector('[data-pdf-failed]');
  var status = box.querySelector('[data-pdf-status]');
  var bar = box.querySelector('[data-pdf-progress]');
  function poll() {
    fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (r) { return r.json(); })
      .then(function (job) {
        var percent = job.total ? Math.round((job.done / job.total) * 100) : 0;
        bar.value = percent;
        bar.textContent = percent + '%';
        status.textContent = 'Gerando o PDF: ' + job.done + ' de ' + job.total + ' documentos (' + percent + '%).';
        if (job.status === 'running') return setTimeout(poll, 1000);
        running.hidden = true;
        if (job.status === 'finished') {
          finished.hidden = false;
          finished.querySelector('a').focus();
        } else {
          failed.hidden = false;
          failed.querySelector('[data-pdf-error]').textContent = job.error || '';
        }
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  if (!running.hidden) poll();
})();
