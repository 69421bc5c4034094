// After a validation error, take the user to the error summary at the top of the page.
document.addEventListener('DOMContentLoaded', function () {
  var summary = document.querySelector('[data-error-summary]');
  if (summary) summary.focus();
  // The header's menu button shows or hides the menu entries on narrow screens.
  var trigger = document.querySelector('[data-app-menu-trigger]');
  var menu = document.querySelector('#header-navigation .app-nav');
  if (trigger && menu) {
    trigger.addEventListener('click', function () {
      var open = menu.classList.toggle('is-open');
      trigger.setAttribute('aria-expanded', open ? 'true' : 'false');
    });
  }
});
