// Small behaviours without inline scripts (CSP forbids them): confirmation of destructive actions.
document.addEventListener('submit', function (event) {
  var message = event.target.getAttribute('data-confirm');
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});
