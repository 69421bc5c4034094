// Unit tree: each unit with subunits gets a disclosure button (aria-expanded) that shows or hides
// them; "Expandir tudo" / "Recolher tudo" act on all. Without JavaScript everything stays expanded.
document.addEventListener('DOMContentLoaded', function () {
  function set(button, open) {
    button.setAttribute('aria-expanded', open ? 'true' : 'false');
    var list = document.getElementById(button.getAttribute('aria-controls'));
    if (list) list.hidden = !open;
    var icon = button.querySelector('i');
    if (icon) icon.className = open ? 'fas fa-chevron-down' : 'fas fa-chevron-right';
  }
  var toggles = Array.prototype.slice.call(document.querySelectorAll('[data-tree-toggle]'));
  toggles.forEach(function (button) {
    button.hidden = false;
    button.addEventListener('click', function () {
      set(button, button.getAttribute('aria-expanded') !== 'true');
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll('[data-tree-all]'), function (button) {
    button.hidden = false;
    button.addEventListener('click', function () {
      var open = button.getAttribute('data-tree-all') === 'expand';
      toggles.forEach(function (t) { set(t, open); });
    });
  });
});
