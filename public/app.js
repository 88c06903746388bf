'use strict';
// Progressive enhancement for the server-rendered pages. Every page works without this file;
// it only adds conveniences. Plain ES2017, no build step, no inline handlers (strict CSP).
(function () {
  var live;

  /** Says a short message to screen readers through one polite live region. */
  function announce(message) {
    if (!live) {
      live = document.createElement('div');
      live.className = 'visually-hidden';
      live.setAttribute('role', 'status');
      live.setAttribute('aria-live', 'polite');
      document.body.appendChild(live);
    }
    // Clearing first makes a repeated message be read again.
    live.textContent = '';
    setTimeout(function () {
      live.textContent = message;
    }, 50);
  }

  function button(label, text) {
    var b = document.createElement('button');
    b.type = 'button';
    b.setAttribute('aria-label', label);
    b.textContent = text;
    return b;
  }

  /** − and + buttons around each add-to-cart quantity field, within its min and max. */
  function enhanceQuantity(input) {
    // A sold-out product's field is disabled: nothing to step.
    if (input.disabled) return;
    var min = Number(input.min) || 1;
    var max = Number(input.max) || 99;
    var wrap = document.createElement('span');
    wrap.className = 'stepper';
    var less = button('Decrease quantity', '−');
    var more = button('Increase quantity', '+');
    input.parentNode.insertBefore(wrap, input);
    wrap.appendChild(less);
    wrap.appendChild(input);
    wrap.appendChild(more);

    function sync() {
      var value = Number(input.value) || min;
      less.disabled = input.disabled || value <= min;
      more.disabled = input.disabled || value >= max;
    }
    function step(delta) {
      var value = Math.min(max, Math.max(min, (Number(input.value) || min) + delta));
      input.value = String(value);
      sync();
      announce('Quantity ' + value);
    }
    less.addEventListener('click', function () {
      step(-1);
    });
    more.addEventListener('click', function () {
      step(1);
    });
    input.addEventListener('input', sync);
    sync();
  }

  /** Turns the product gallery into one main image with thumbnail buttons that switch it. */
  function enhanceGallery(gallery) {
    var images = gallery.querySelectorAll('li img');
    if (images.length < 2) return;
    var main = images[0];
    // An uploaded image is a <picture>: its AVIF <source> and the <img>'s WebP srcset switch with it.
    var avifOf = function (img) {
      return img.parentNode.tagName === 'PICTURE' ? img.parentNode.querySelector('source') : null;
    };
    var mainAvif = avifOf(main);
    var sources = Array.prototype.map.call(images, function (img) {
      var avif = avifOf(img);
      return {
        src: img.getAttribute('src'),
        srcset: img.getAttribute('srcset'),
        avif: avif && avif.getAttribute('srcset'),
        alt: img.getAttribute('alt') || '',
      };
    });
    var setOrRemove = function (el, name, value) {
      if (value) el.setAttribute(name, value);
      else el.removeAttribute(name);
    };
    var strip = document.createElement('div');
    strip.className = 'gallery-thumbs';
    strip.setAttribute('role', 'group');
    strip.setAttribute('aria-label', 'Choose an image');
    var buttons = sources.map(function (source, i) {
      var b = button('Show image ' + (i + 1) + ' of ' + sources.length + ': ' + source.alt, '');
      b.setAttribute('aria-pressed', i === 0 ? 'true' : 'false');
      var thumb = document.createElement('img');
      thumb.src = source.src;
      thumb.alt = '';
      b.appendChild(thumb);
      b.addEventListener('click', function () {
        if (mainAvif) setOrRemove(mainAvif, 'srcset', source.avif);
        setOrRemove(main, 'srcset', source.srcset);
        main.src = source.src;
        main.alt = source.alt;
        buttons.forEach(function (other) {
          other.setAttribute('aria-pressed', other === b ? 'true' : 'false');
        });
        announce('Showing image ' + (i + 1) + ' of ' + sources.length);
      });
      strip.appendChild(b);
      return b;
    });
    gallery.appendChild(strip);
    gallery.classList.add('enhanced');
  }

  function init() {
    document.querySelectorAll('form.add-to-cart input[type="number"]').forEach(enhanceQuantity);
    document.querySelectorAll('.gallery').forEach(enhanceGallery);
  }

  // A small namespace later scripts (cart, session) can share.
  window.shop = { announce: announce };

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
