// Small behaviours without inline scripts (CSP forbids them): confirmation of destructive actions.
document.addEventListener('submit', function (event) {
  var message = event.target.getAttribute('data-confirm');
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});

// Resolutions: a link to an element inside a card tab (e.g. #resolution-12 from a notification) opens that tab.
document.addEventListener('DOMContentLoaded', function () {
  var target = window.location.hash ? document.getElementById(window.location.hash.slice(1)) : null;
  var pane = target ? target.closest('.tab-pane') : null;
  if (!pane || pane.classList.contains('active') || !window.bootstrap) {
    return;
  }
  var button = document.querySelector('[data-bs-target="#' + pane.id + '"]');
  if (button) {
    window.bootstrap.Tab.getOrCreateInstance(button).show();
    target.scrollIntoView();
  }
});
