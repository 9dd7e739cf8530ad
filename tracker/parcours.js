/* Parcours tracker, served per property at /js/<property_id>.js with the two values below
   filled in by the server. No cookies, no storage identifiers, no fingerprinting: the visitor id
   is derived on the server. Beacons go as text/plain, so no CORS preflight is needed.
   Options on the script tag: data-hash (count hash routes as pages), data-gpc (honour Global
   Privacy Control), data-outbound="false", data-downloads="false", data-search="q" (a page
   whose URL has that query parameter is a site search: sent as a "search" event).
   Custom events: parcours("signup", {plan: "pro"}); calls made before this loads are queued by
   window.parcours = window.parcours || function () { (parcours.q = parcours.q || []).push(arguments) }. */
(function (w, d, n, l) {
  var PROPERTY = "__PARCOURS_PROPERTY__", ENDPOINT = "__PARCOURS_ENDPOINT__";
  var script = d.currentScript, queued = (w.parcours && w.parcours.q) || [];
  function option(name) { return script && script.getAttribute("data-" + name); }
  try { if (w.localStorage.parcours_ignore == "true") return; } catch (e) {}
  if (option("gpc") != null && n.globalPrivacyControl) return;
  var meta, tag = d.getElementById("parcours-meta");
  try { meta = tag && JSON.parse(tag.textContent); } catch (e) {}

  var page, referrer = d.referrer, engaged, since, depth, pinged;
  function now() { return Date.now(); }
  function time() { return engaged + (since ? now() - since : 0); }
  function send(name, extra) {
    var body = {p: PROPERTY, n: name, u: page, r: referrer || undefined, t: d.title,
                l: n.language, w: w.screen.width, m: meta}, key;
    for (key in extra) body[key] = extra[key];
    body = JSON.stringify(body);
    if (!(n.sendBeacon && n.sendBeacon(ENDPOINT, body))) {
      fetch(ENDPOINT, {method: "POST", body: body, keepalive: true, headers: {"Content-Type": "text/plain"}});
    }
  }
  function exit() { if (page) send("page_exit", {e: time(), s: depth}); }
  function view() {
    var url = option("hash") != null ? l.href : l.href.split("#")[0];
    if (url == page) return;
    if (page) { exit(); referrer = page; }
    page = url; engaged = 0; depth = 0; pinged = 0;
    since = d.visibilityState == "visible" ? now() : 0;
    send("page_view");
    var term = option("search");
    if (term && (term = new URL(url).searchParams.get(term))) send("search", {d: {query: term.slice(0, 200)}});
    scroll(1);
  }
  function scroll(quiet) {  /* quiet: the depth a page shows on load is not a scroll */
    var e = d.documentElement, total = e.scrollHeight - w.innerHeight;
    var reached = total > 0 ? Math.min(100, Math.round(100 * w.scrollY / total)) : 100;
    var mark = 25 * Math.floor(reached / 25);
    if (reached > depth) {
      if (quiet !== 1 && mark > 25 * Math.floor(depth / 25)) send("scroll", {s: mark});
      depth = reached;
    }
  }
  function visibility() {
    if (d.visibilityState == "visible") { since = since || now(); return; }
    if (since) { engaged += now() - since; since = 0; }
    exit();
  }
  function click(event) {
    var a = event.target.closest && event.target.closest("a[href]");
    if (!a || !/^https?:/.test(a.href)) return;
    if (option("downloads") != "false" && /\.(pdf|zip|gz|dmg|exe|msi|docx?|xlsx?|pptx?|csv|mp3|mp4|epub)$/i.test(a.pathname)) {
      send("download", {d: {url: a.href}});
    } else if (option("outbound") != "false" && a.host != l.host) {
      send("outbound", {d: {url: a.href}});
    }
  }
  function wrap(name) {
    var original = history[name];
    history[name] = function () { var result = original.apply(this, arguments); view(); return result; };
  }

  wrap("pushState"); wrap("replaceState");
  w.addEventListener("popstate", view);
  if (option("hash") != null) w.addEventListener("hashchange", view);
  w.addEventListener("scroll", scroll, {passive: true});
  d.addEventListener("visibilitychange", visibility);
  w.addEventListener("pagehide", exit);
  d.addEventListener("click", click, true);
  setInterval(function () {
    if (since && time() - pinged >= 30000) { pinged = time(); send("ping", {e: pinged}); }
  }, 5000);
  w.parcours = function (name, props) { send(name, {d: props}); };
  view();
  for (var i = 0; i < queued.length; i++) w.parcours.apply(w, queued[i]);
})(window, document, navigator, location);
