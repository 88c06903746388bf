/**
 * The client script of a signed-in page (served at /auth/session.js): it refreshes the session when
 * the server says it is due (a minute before the access token expires, half-way through a shorter
 * one), so a page left open does not lose its session.
 * Kept as a string so the build (tsc) ships it without a copy step.
 */
export const KEEPALIVE_SCRIPT = `'use strict';
// Keeps the session of a long-lived page alive: refreshes it when it is due (POST
// /api/session/refresh, a same-origin fetch). Served at /auth/session.js.
(function () {
  if (!window.fetch) return;
  var headers = { accept: 'application/json' };

  function schedule(body) {
    // refreshIn null: no refresh token, the next page load renews the session through the provider.
    if (!body || typeof body.expiresIn !== 'number' || body.refreshIn === null) return;
    // refreshIn: when the server refreshes (a minute before expiry, or half-way for shorter tokens).
    var seconds = typeof body.refreshIn === 'number' ? Math.max(5, body.refreshIn + 1) : Math.max(10, body.expiresIn - 60);
    setTimeout(refresh, Math.min(seconds * 1000, 2147483647));
  }

  function refresh() {
    fetch('/api/session/refresh', { method: 'POST', credentials: 'same-origin', headers: headers })
      .then(function (response) {
        // 401: the session has ended; the next navigation leads to the login page.
        return response.ok ? response.json() : null;
      })
      .then(schedule, function () {
        setTimeout(refresh, 30000);
      });
  }

  fetch('/api/session', { credentials: 'same-origin', headers: { accept: 'application/json' } })
    .then(function (response) {
      return response.ok ? response.json() : null;
    })
    .then(schedule, function () {});
})();
`;
