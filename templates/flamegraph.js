// flamegraph.js: what makes a profdiff flame graph interactive, embedded in
// each SVG file (profdiff flame, and the graph files of a report) and once in
// report.html for all the graphs drawn inline in it: click a frame to zoom
// into it, "Reset Zoom" (or Escape) to go back, "Search" (or Ctrl-F in a
// graph of its own) to highlight frames whose name matches a regular
// expression ("ic" or Ctrl-I: ignoring case) and show the share of the
// total they hold (nested matches counted once), the hovered frame's
// figures at the bottom. It reads frames from the SVG itself (each <g>
// holds a <title>, a <rect> and maybe a <text>) and writes only attributes
// and textContent, never markup, so no name can inject anything. Without
// scripting the graph is still a complete picture.
//
// In a page, each graph is an <svg data-flamegraph> whose ids all start with
// its data-idprefix, and each is handled on its own; the page's filter box
// (report.js) highlights matches by sending a graph a "pd-search" event
// whose detail is the text to look for (literally, any case; "" clears).
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var standalone = document.documentElement.localName === "svg";

  function flamegraph(svg) {
    var prefix = svg.getAttribute("data-idprefix") || "";
    function byId(id) { return document.getElementById(prefix + id); }
    function num(name, dflt) {
      var v = parseFloat(svg.getAttribute(name));
      return isFinite(v) ? v : dflt;
    }
    var xpad = num("data-xpad", 10), fontsize = num("data-fontsize", 12);
    var fontwidth = num("data-fontwidth", 0.59), fh = num("data-frameheight", 16);
    var inverted = svg.getAttribute("data-inverted") === "1";
    // flamegraph.pl's --nametype ("Function:"), before the name in details
    var nametype = svg.getAttribute("data-nametype");
    nametype = nametype ? nametype + " " : "";
    var width = num("width", 1200);
    var details = byId("details");
    var unzoom = byId("unzoom");
    var searchBtn = byId("search");
    var matched = byId("matched");
    var container = byId("frames");
    if (!container || !details || !unzoom || !searchBtn || !matched) return;
    svg.setAttribute("data-ready", "");
    // the frames are read at the first hover, click or search, not at load:
    // a page of large graphs holds tens of thousands, mostly never touched
    var frames = null, root = null;
    function load() {
      if (frames) return;
      frames = [];
      for (var g = container.firstElementChild; g; g = g.nextElementSibling) {
        var title = null, rect = null, text = null;
        for (var c = g.firstElementChild; c; c = c.nextElementSibling) {
          if (c.localName === "title") title = c;
          else if (c.localName === "rect") rect = c;
          else if (c.localName === "text") text = c;
        }
        if (!rect) continue;
        var t = title ? title.textContent : "";
        var cut = t.lastIndexOf(" (");
        g.setAttribute("data-i", String(frames.length));
        frames.push({
          g: g, rect: rect, text: text, title: t, name: cut >= 0 ? t.substring(0, cut) : t,
          x: parseFloat(rect.getAttribute("x")), w: parseFloat(rect.getAttribute("width")),
          y: parseFloat(rect.getAttribute("y")), fill: rect.getAttribute("fill")
        });
      }
      root = frames[0];
    }

    function label(f, w) {
      var chars = Math.floor(w / (fontsize * fontwidth));
      if (chars < 3) return "";
      var name = Array.from ? Array.from(f.name) : f.name.split("");
      if (name.length <= chars) return f.name;
      return name.slice(0, chars - 2).join("") + "..";
    }
    function place(f, x, w) {
      f.rect.setAttribute("x", x.toFixed(2));
      f.rect.setAttribute("width", w.toFixed(2));
      var s = label(f, w);
      if (!f.text && s) {
        f.text = document.createElementNS(NS, "text");
        f.text.setAttribute("y", (f.y + fh / 2 + fontsize / 3).toFixed(2));
        f.g.appendChild(f.text);
      }
      if (f.text) {
        f.text.setAttribute("x", (x + 3).toFixed(2));
        f.text.textContent = s;
      }
    }
    // deeper frames are above the root in a flame graph, below it in an icicle
    function deeper(a, b) { return inverted ? a.y > b.y : a.y < b.y; }

    function zoom(z) {
      load();
      var scale = (width - 2 * xpad) / z.w;
      for (var i = 0; i < frames.length; i++) {
        var f = frames[i], mid = f.x + f.w / 2, cls = "";
        if (f === z || (deeper(f, z) && mid > z.x && mid < z.x + z.w)) {
          place(f, xpad + (f.x - z.x) * scale, f.w * scale);
        } else if (deeper(z, f) && f.x <= z.x + 0.01 && f.x + f.w >= z.x + z.w - 0.01) {
          place(f, xpad, width - 2 * xpad);
          cls = "parent";
        } else {
          cls = "hide";
        }
        f.g.setAttribute("class", cls);
      }
      unzoom.setAttribute("class", "on");
      zoomed = true;
    }
    var zoomed = false;
    function reset() {
      if (!frames || !zoomed) return;
      zoomed = false;
      for (var i = 0; i < frames.length; i++) {
        var f = frames[i];
        place(f, f.x, f.w);
        f.g.setAttribute("class", "");
      }
      unzoom.setAttribute("class", "");
    }

    // "ic" (or Ctrl-I) toggles a case-insensitive search, as flamegraph.pl's;
    // the search shown is run again under the new setting
    var icBtn = byId("ignorecase"), ignorecase = false, asked = null;
    function toggleCase() {
      ignorecase = !ignorecase;
      if (icBtn) icBtn.setAttribute("class", ignorecase ? "on" : "");
      if (searching && asked !== null) search(asked);
    }
    var searching = false;
    function clearSearch() {
      if (!frames) return;
      for (var i = 0; i < frames.length; i++) frames[i].rect.setAttribute("fill", frames[i].fill);
      matched.textContent = " ";
      searchBtn.setAttribute("class", "");
      searching = false;
    }
    function search(pattern, flags) {
      load();
      var re;
      try { re = new RegExp(pattern, flags || (ignorecase ? "i" : "")); } catch (e) { matched.textContent = "bad regular expression"; return; }
      var hits = [];
      for (var i = 0; i < frames.length; i++) {
        var f = frames[i];
        if (re.test(f.name)) { f.rect.setAttribute("fill", "#e600e6"); hits.push(f); }
        else f.rect.setAttribute("fill", f.fill);
      }
      // frames overlap only by nesting: a hit inside an earlier one adds nothing
      hits.sort(function (a, b) { return a.x - b.x || b.w - a.w; });
      var sum = 0, end = -Infinity;
      for (var j = 0; j < hits.length; j++) {
        if (hits[j].x + hits[j].w / 2 < end) continue;
        sum += hits[j].w;
        end = hits[j].x + hits[j].w;
      }
      var pct = root && root.w > 0 ? 100 * sum / root.w : 0;
      matched.textContent = "Matched: " + pct.toFixed(1) + "% (" + hits.length + " frames)";
      searchBtn.setAttribute("class", "on");
      searching = true;
    }
    function askSearch() {
      if (searching) { clearSearch(); return; }
      var p = window.prompt("Search frames (regular expression" + (ignorecase ? ", ignoring case" : "") + "):", "");
      if (p) search(asked = p);
    }

    function frameOf(node) {
      load();
      while (node && node !== container) {
        if (node.getAttribute && node.hasAttribute("data-i")) return frames[+node.getAttribute("data-i")];
        node = node.parentNode;
      }
      return null;
    }
    container.addEventListener("click", function (e) {
      var f = frameOf(e.target);
      if (f) zoom(f);
    });
    container.addEventListener("mouseover", function (e) {
      var f = frameOf(e.target);
      details.textContent = f ? nametype + f.title : " ";
    });
    container.addEventListener("mouseout", function () { details.textContent = " "; });
    unzoom.addEventListener("click", reset);
    searchBtn.addEventListener("click", askSearch);
    if (icBtn) icBtn.addEventListener("click", toggleCase);
    window.addEventListener("keydown", function (e) {
      // Ctrl-F is the page's own find in report.html, where graphs are many
      if (standalone && (e.ctrlKey || e.metaKey) && (e.key === "f" || e.keyCode === 70)) {
        e.preventDefault();
        askSearch();
      } else if (standalone && e.ctrlKey && (e.key === "i" || e.keyCode === 73)) {
        e.preventDefault();
        toggleCase();
      } else if (e.key === "Escape") {
        reset();
        clearSearch();
      }
    });
    // the page's filter box: its text, literally and in any case
    svg.addEventListener("pd-search", function (e) {
      var text = e.detail == null ? "" : String(e.detail);
      asked = null;
      if (!text) { if (searching) clearSearch(); return; }
      search(text.replace(/[.*+?^${}()|[\]\\\/]/g, "\\$&"), "i");
    });
    // a search given in the URL (file.svg?s=regex) is applied at once; a
    // malformed escape (?s=%E0) would throw from decodeURIComponent, so it is
    // searched for as written instead
    var m = standalone ? /[?&]s=([^&]*)/.exec(window.location.search || "") : null;
    if (m) {
      var q = m[1];
      try { q = decodeURIComponent(q); } catch (e) { /* keep it as written */ }
      search(asked = q);
    }
  }

  if (standalone) flamegraph(document.documentElement);
  else Array.prototype.forEach.call(document.querySelectorAll("svg[data-flamegraph]"), flamegraph);
})();
