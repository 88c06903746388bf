'use strict';
// The order page's Copy buttons: each copies the license key in the read-only field it names. Without
// this script the buttons stay hidden and the field itself can be selected and copied.
(function () {
  // app.js (loaded on every page, before this file) owns the one polite live region.
  function announce(message) {
    if (window.shop && typeof window.shop.announce === 'function') window.shop.announce(message);
  }

  /** The clipboard API where the page may use it, else the field's selection and the older copy command. */
  function copy(field) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(field.value);
    field.focus();
    field.select();
    return document.execCommand('copy') ? Promise.resolve() : Promise.reject(new Error('copy refused'));
  }

  function enhance(button) {
    var field = document.getElementById(button.getAttribute('data-copy'));
    if (!field) return;
    var label = button.textContent;
    button.hidden = false;
    button.setAttribute('aria-describedby', field.id);
    button.addEventListener('click', function () {
      copy(field).then(
        function () {
          button.textContent = 'Copied';
          announce('License key copied.');
          setTimeout(function () {
            button.textContent = label;
          }, 2000);
        },
        function () {
          // Copying was refused: the key is selected so the buyer can copy it by hand.
          field.focus();
          field.select();
          announce('Press Ctrl+C (or ⌘C) to copy the selected key.');
        },
      );
    });
  }

  var buttons = document.querySelectorAll('button[data-copy]');
  for (var i = 0; i < buttons.length; i++) enhance(buttons[i]);
})();
