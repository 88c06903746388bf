'use strict';
// Progressive enhancement for the cart: Add to cart forms and the cart page's quantity and remove
// forms call the JSON API (/api/cart/...) and update the page and the header badge in place.
// Every form also works without this file; on any unexpected failure the form is posted normally.
// Plain ES2017, no build step, no inline handlers (strict CSP).
(function () {
  // Refusals the cart explains itself; anything else falls back to the ordinary form post.
  var CART_ERRORS = ['product_not_found', 'not_in_cart', 'out_of_stock', 'quantity_invalid', 'quantity_exceeds_stock', 'currency_mismatch'];

  // app.js (loaded first, both deferred) owns the page's one live region.
  function announce(message) {
    if (window.shop && typeof window.shop.announce === 'function') window.shop.announce(message);
  }

  function field(form, name) {
    var input = form.querySelector('[name="' + name + '"]');
    return input ? input.value : undefined;
  }

  /** Resolves with { ok, data } for JSON answers the cart understands; rejects on anything else. */
  function callApi(path, body) {
    // Same-origin: the browser's Sec-Fetch-Site and Origin headers are what the store checks, no token.
    return fetch(path, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
    }).then(function (res) {
      var type = res.headers.get('content-type') || '';
      if (type.indexOf('application/json') !== 0) throw new Error('not JSON');
      return res.json().then(function (data) {
        if (res.ok && data && Array.isArray(data.items)) return { ok: true, data: data };
        var code = data && data.error && data.error.code;
        if (res.status < 500 && CART_ERRORS.indexOf(code) >= 0) return { ok: false, message: data.error.message };
        throw new Error('unexpected answer ' + res.status);
      });
    });
  }

  var pluralRules = new Intl.PluralRules('en-GB');

  /** '1 item', '2 items': the badge's and the announcement's wording. */
  function itemCount(count) {
    return count + (pluralRules.select(count) === 'one' ? ' item' : ' items');
  }

  function updateBadge(count) {
    var link = document.querySelector('.cart-link');
    if (!link) return;
    var badge = link.querySelector('.badge');
    if (count > 0) {
      if (!badge) {
        badge = document.createElement('span');
        badge.className = 'badge';
        link.appendChild(badge);
      }
      badge.textContent = String(count);
      badge.setAttribute('aria-label', itemCount(count));
    } else if (badge) {
      badge.parentNode.removeChild(badge);
    }
  }

  function notice(kind, text, link) {
    var p = document.createElement('p');
    p.className = 'notice ' + kind;
    p.textContent = text;
    if (link) {
      var a = document.createElement('a');
      a.href = link.href;
      a.textContent = link.text;
      p.appendChild(document.createTextNode(' '));
      p.appendChild(a);
    }
    return p;
  }

  /** Runs a form through the API; `done` gets the answer. Falls back to a normal post on failure. */
  function enhance(form, path, body, done) {
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var buttons = form.querySelectorAll('button[type="submit"]');
      buttons.forEach(function (b) {
        b.disabled = true;
      });
      callApi(path, body(form)).then(
        function (answer) {
          buttons.forEach(function (b) {
            b.disabled = false;
          });
          done(form, answer);
        },
        function () {
          // Only when the API gave no usable answer (so the change cannot have happened twice).
          // HTMLFormElement.submit() fires no submit event: the form is posted as if there were no script.
          form.submit();
        },
      );
    });
  }

  /** Product pages: Add to cart without leaving the page. */
  function enhanceAddToCart(form) {
    var message = document.createElement('div');
    message.className = 'cart-message';
    form.parentNode.insertBefore(message, form.nextSibling);
    enhance(
      form,
      '/api/cart/add',
      function (f) {
        return { sku: field(f, 'sku'), quantity: field(f, 'quantity') || '1' };
      },
      function (f, answer) {
        message.textContent = '';
        if (answer.ok) {
          updateBadge(answer.data.count);
          message.appendChild(notice('success', 'Added to your cart.', { href: '/cart', text: 'View cart' }));
          announce('Added to your cart. ' + itemCount(answer.data.count) + ' in your cart.');
        } else {
          message.appendChild(notice('error', answer.message));
          announce(answer.message);
        }
      },
    );
  }

  function focusHeading(section) {
    var heading = section.querySelector('h1');
    if (!heading) return;
    heading.setAttribute('tabindex', '-1');
    heading.focus();
  }

  function showEmpty(section) {
    if (section.contains(document.activeElement)) focusHeading(section);
    ['.cart-items', '#cart-problems', '.cart-actions'].forEach(function (selector) {
      var el = section.querySelector(selector);
      if (el) el.parentNode.removeChild(el);
    });
    if (section.querySelector('.cart-empty')) return;
    var empty = document.createElement('div');
    empty.className = 'empty-state cart-empty';
    var p = document.createElement('p');
    p.textContent = 'Your cart is empty.';
    var a = document.createElement('a');
    a.className = 'button primary';
    a.href = '/';
    a.textContent = 'Browse the shop';
    empty.appendChild(p);
    empty.appendChild(a);
    section.appendChild(empty);
    section.setAttribute('data-empty', 'true');
  }

  /** Brings the cart page in line with the API's answer. */
  function renderCart(section, cart) {
    updateBadge(cart.count);
    if (cart.items.length === 0) return showEmpty(section);
    var bySku = {};
    cart.items.forEach(function (item) {
      bySku[item.sku] = item;
    });
    section.querySelectorAll('tr[data-sku]').forEach(function (row) {
      var item = bySku[row.getAttribute('data-sku')];
      if (!item) {
        // The focused Remove button goes with its row; keep keyboard users in the cart.
        if (row.contains(document.activeElement)) focusHeading(section);
        return row.parentNode.removeChild(row);
      }
      var input = row.querySelector('input[name="quantity"]');
      if (input) input.value = String(item.quantity);
      row.querySelector('[data-role="unit-price"]').textContent = item.formattedUnitPrice;
      row.querySelector('[data-role="line-total"]').textContent = item.formattedLineTotal;
      var slot = row.querySelector('[data-role="warning"]');
      slot.textContent = '';
      if (item.warning) {
        var p = document.createElement('p');
        var gone = item.problem === 'sold_out' || item.problem === 'unavailable';
        p.className = 'stock ' + (gone ? 'sold-out' : 'low-stock');
        p.textContent = item.warning;
        slot.appendChild(p);
      }
      row.classList.toggle('has-problem', Boolean(item.problem));
    });
    var total = section.querySelector('#cart-total');
    if (total && cart.formattedTotal) total.textContent = cart.formattedTotal;
    var problems = section.querySelector('#cart-problems');
    if (problems) problems.hidden = cart.canCheckout;
  }

  function enhanceCartPage(section) {
    // A discount is priced on the server: with a code, the forms post and the page comes back whole.
    if (section.getAttribute('data-discount') === 'true') return;
    var status = section.querySelector('#cart-status');
    function say(kind, text) {
      if (!status) return announce(text);
      status.textContent = '';
      status.appendChild(notice(kind, text));
    }
    function after(success) {
      return function (form, answer) {
        if (!answer.ok) return say('error', answer.message);
        renderCart(section, answer.data);
        say('success', success);
      };
    }
    section.querySelectorAll('form.cart-update').forEach(function (form) {
      enhance(
        form,
        '/api/cart/update',
        function (f) {
          return { sku: field(f, 'sku'), quantity: field(f, 'quantity') };
        },
        after('Quantity updated.'),
      );
    });
    section.querySelectorAll('form.cart-remove-form').forEach(function (form) {
      enhance(
        form,
        '/api/cart/remove',
        function (f) {
          return { sku: field(f, 'sku') };
        },
        after('Removed from your cart.'),
      );
    });
  }

  function init() {
    if (!window.fetch || !window.JSON) return;
    document.querySelectorAll('form.add-to-cart').forEach(enhanceAddToCart);
    var section = document.getElementById('cart');
    if (section) enhanceCartPage(section);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
