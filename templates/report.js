// report.js: click a column header to sort its table (again to reverse).
// Cells hold formatted numbers ("+58.2MB", "-3.1%", "12.40ms/h"): they sort
// by value, with units scaled; other cells sort as text. Reads only cell
// text (textContent), never writes HTML.
(function () {
  "use strict";
  var scale = { B: 1, kB: 1024, MB: 1048576, GB: 1073741824, TB: 1099511627776,
                ns: 1, us: 1e3, ms: 1e6, s: 1e9, hrs: 3.6e12 };
  function value(text) {
    var t = text.replace(/\u2212/g, "-").trim();
    var m = /^([+-]?\d+(?:\.\d+)?)\s*([a-zA-Z]*)/.exec(t);
    if (!m) return null;
    var v = parseFloat(m[1]);
    if (m[2] && scale.hasOwnProperty(m[2])) v *= scale[m[2]];
    return v;
  }
  function sortBy(table, col, th) {
    var body = table.tBodies[0];
    if (!body) return;
    var rows = Array.prototype.slice.call(body.rows);
    var desc = !th.classList.contains("sorted-desc");
    var keyed = rows.map(function (r, i) {
      var cell = r.cells[col], text = cell ? cell.textContent : "";
      return { row: r, num: value(text), text: text, i: i };
    });
    keyed.sort(function (a, b) {
      var c;
      if (a.num !== null && b.num !== null) c = a.num - b.num;
      else if (a.num !== null) c = -1;
      else if (b.num !== null) c = 1;
      else c = a.text < b.text ? -1 : a.text > b.text ? 1 : 0;
      if (c === 0) c = a.i - b.i;
      return desc ? -c : c;
    });
    keyed.forEach(function (k) { body.appendChild(k.row); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) {
      h.classList.remove("sorted-asc", "sorted-desc");
    });
    th.classList.add(desc ? "sorted-desc" : "sorted-asc");
  }
  Array.prototype.forEach.call(document.querySelectorAll("table"), function (table) {
    if (!table.tHead) return;
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
      th.title = "sort by this column";
      th.addEventListener("click", function () { sortBy(table, col, th); });
    });
  });
})();

// The filter box over the function tables: keeps the rows (and list items)
// whose function name holds the text, in any case, says how many, and sends
// the text to every flame graph of the page, which highlights the frames
// whose names hold it (flamegraph.js, "pd-search"). Reads textContent and
// writes classes and textContent only.
(function () {
  "use strict";
  var box = document.getElementById("filter"), input = document.getElementById("filter-input");
  var count = document.getElementById("filter-count"), scope = document.getElementById("functions");
  if (!box || !input || !scope) return;
  box.hidden = false;
  function nameOf(el) {
    var code = el.querySelector("code");
    return (code ? code.textContent : el.textContent).toLowerCase();
  }
  var items = [];
  Array.prototype.forEach.call(scope.querySelectorAll("tbody tr, li"), function (el) {
    if (el.querySelector("code")) items.push(el);
  });
  var graphs = document.querySelectorAll("svg[data-flamegraph]");
  var timer = null;
  function apply() {
    timer = null;
    var q = input.value.trim().toLowerCase(), shown = 0;
    items.forEach(function (el) {
      var keep = !q || nameOf(el).indexOf(q) >= 0;
      el.classList.toggle("filtered-out", !keep);
      if (keep) shown++;
    });
    if (count) count.textContent = q ? shown + " of " + items.length + " rows match" : "";
    var text = input.value.trim();
    Array.prototype.forEach.call(graphs, function (svg) {
      var ev;
      try { ev = new CustomEvent("pd-search", { detail: text }); } catch (e) { return; }
      svg.dispatchEvent(ev);
    });
  }
  // a large page holds tens of thousands of frames: search once typing pauses
  input.addEventListener("input", function () {
    if (timer) clearTimeout(timer);
    timer = setTimeout(apply, 150);
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter") { if (timer) clearTimeout(timer); apply(); }
  });
})();
