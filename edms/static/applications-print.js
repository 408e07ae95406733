// «Печать» on the application pages (CSP forbids inline handlers).
document.addEventListener('click', function (event) {
  if (event.target.closest('[data-print]')) {
    window.print();
  }
});
