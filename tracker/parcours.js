/* Parcours tracker. Served per property at /js/<property_id>.js with the two values below
   filled in by the server. No cookies, no storage, no fingerprinting: the visitor id is
   derived on the server. Sends text/plain so that no CORS preflight is needed. */
(function (w, d, n) {
  var PROPERTY = "__PARCOURS_PROPERTY__", ENDPOINT = "__PARCOURS_ENDPOINT__";
  function send(name) {
    var body = JSON.stringify({
      p: PROPERTY, n: name, u: location.href, r: d.referrer || undefined,
      t: d.title, l: n.language, w: w.screen.width
    });
    if (!(n.sendBeacon && n.sendBeacon(ENDPOINT, body))) {
      fetch(ENDPOINT, {method: "POST", body: body, keepalive: true, headers: {"Content-Type": "text/plain"}});
    }
  }
  send("page_view");
})(window, document, navigator);
