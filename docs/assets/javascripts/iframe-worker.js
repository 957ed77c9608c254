/* convspec: a stand-in for Web Workers when the site is opened from the file system.
 *
 * Browsers refuse `new Worker(url)` for a page on file://, which is what the
 * search box needs.  This replacement runs the worker's script in a hidden
 * frame instead: the frame inherits the page's origin (it is written with
 * `srcdoc`), so messages pass as plain function calls.  Served over http(s),
 * the browser's own Worker is left alone.
 */
(function () {
  "use strict";
  if (location.protocol !== "file:") return;
  var count = 0;
  var bridges = (window.__convspecWorkers = {});

  function FileWorker(url) {
    var worker = this, events = new EventTarget(), queue = [], frame = null;
    var id = "worker" + ++count;
    this.onmessage = null;
    this.onerror = null;
    this.addEventListener = events.addEventListener.bind(events);
    this.removeEventListener = events.removeEventListener.bind(events);

    bridges[id] = function (inner) {
      inner.postMessage = function (data) {      /* the worker answering the page */
        var event = new MessageEvent("message", {data: data});
        if (typeof worker.onmessage === "function") worker.onmessage(event);
        events.dispatchEvent(event);
      };
    };
    function deliver(data) {                      /* the page writing to the worker */
      frame.contentWindow.dispatchEvent(new MessageEvent("message", {data: data}));
    }
    this.postMessage = function (data) {
      if (frame && frame.dataset.ready) deliver(data); else queue.push(data);
    };
    this.terminate = function () {
      if (frame) frame.remove();
      delete bridges[id];
    };

    var source = new URL(String(url), location.href).href;
    function start() {
      frame = document.createElement("iframe");
      frame.hidden = true;
      frame.setAttribute("aria-hidden", "true");
      frame.setAttribute("title", "search");
      frame.addEventListener("load", function () {
        frame.dataset.ready = "1";
        queue.splice(0).forEach(deliver);
      });
      frame.srcdoc = "<script>parent.__convspecWorkers['" + id + "'](window)<\/script>" +
                     "<script src='" + source.replace(/'/g, "%27") + "'><\/script>";
      document.body.appendChild(frame);
    }
    if (document.body) start(); else document.addEventListener("DOMContentLoaded", start);
  }

  window.Worker = FileWorker;
})();
