// Hosted mode: when a session has ended (idle timeout, logout in another tab), the
// server answers the page's next call 401. Keep what the player was typing (every text
// field, in sessionStorage, never passwords) and go to the login page, which comes back
// here; the fields are filled again once the app has hydrated. The local app never
// answers 401, so this does nothing there.
(function () {
  'use strict';
  var KEY = 'jetx-drafts';
  var here = function () { return location.pathname + location.search; };
  var fields = function () {
    return Array.prototype.slice.call(document.querySelectorAll(
      'main input:not([type=password]):not([type=checkbox]):not([type=radio])' +
      ':not([type=file]):not([type=hidden]):not([type=submit]), main textarea'));
  };
  var keyOf = function (el, i) {
    return el.id || el.name || el.getAttribute('aria-label') || ('#' + i);
  };
  var leaving = false;
  var expired = function () {
    if (leaving || location.pathname === '/login' || location.pathname === '/signup') return;
    leaving = true;
    var drafts = {};
    fields().forEach(function (el, i) { if (el.value) drafts[keyOf(el, i)] = el.value; });
    try {
      sessionStorage.setItem(KEY, JSON.stringify({ path: here(), drafts: drafts }));
    } catch (e) { /* storage full or off: the login still happens */ }
    location.assign('/login?expired=1&next=' + encodeURIComponent(here()));
  };
  var original = window.fetch.bind(window);
  window.fetch = function (input, init) {
    return original(input, init).then(function (res) {
      var url = new URL(typeof input === 'string' ? input : input.url, location.href);
      if (res.status === 401 && url.origin === location.origin &&
          url.pathname.indexOf('/api/') === 0 && url.pathname.indexOf('/api/v1/auth/') !== 0) {
        // A moment later: the page first handles the refusal (the entry field puts a
        // value that was not stored back), then its fields are kept.
        setTimeout(expired, 250);
      }
      return res;
    });
  };
  var restore = function () {
    var saved = null;
    try { saved = JSON.parse(sessionStorage.getItem(KEY) || 'null'); } catch (e) { saved = null; }
    if (!saved || saved.path !== here()) return;
    sessionStorage.removeItem(KEY);
    fields().forEach(function (el, i) {
      var value = saved.drafts[keyOf(el, i)];
      if (value !== undefined && !el.value) {
        el.value = value;
        el.dispatchEvent(new Event('input', { bubbles: true }));
      }
    });
  };
  // After hydration (the app marks the body), so the app's own state takes the values.
  var whenHydrated = function () {
    if (document.body.dataset.hydrated) return restore();
    new MutationObserver(function (_, observer) {
      if (document.body.dataset.hydrated) { observer.disconnect(); restore(); }
    }).observe(document.body, { attributes: true });
  };
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', whenHydrated);
  } else {
    whenHydrated();
  }
})();
