// After a validation error, take the user to the error summary at the top of the page.
document.addEventListener('DOMContentLoaded', function () {
  var summary = document.querySelector('[data-error-summary]');
  if (summary) summary.focus();
});
