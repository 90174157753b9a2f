// /tien-do: on load, the chart's scroll box is scrolled so that today's line is in view,
// two thirds across the visible part (the months just past stay in sight). A screen that
// shows the whole chart has nothing to scroll. Once the title column is scrolled out of
// sight, the tasks' short titles are pinned at the visible left edge, in a white column
// that hides the bars behind it. A file, not inline:
// the CSP allows only 'self'.
(function () {
  "use strict";
  var box = document.querySelector(".timeline-chart");
  var svg = box && box.querySelector("svg.gantt");
  var line = svg && svg.querySelector("line.today");
  if (!line) return;
  var offset = line.getBoundingClientRect().left - box.getBoundingClientRect().left;
  var target = box.scrollLeft + offset - box.clientWidth * 2 / 3;
  box.scrollLeft = Math.max(0, Math.min(target, box.scrollWidth - box.clientWidth));

  var pinned = svg.querySelector("g.pinned-titles");
  if (!pinned) return;
  var from = Number(pinned.getAttribute("data-from")) || 0;
  function pin() {
    var scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    // in the chart's own units, from the box's padding edge (the chart shows under its padding)
    var pad = parseFloat(window.getComputedStyle(box).paddingLeft) || 0;
    var shift = Math.max(0, box.scrollLeft - pad) / scale;
    var show = shift > from * 0.8;
    pinned.setAttribute("visibility", show ? "visible" : "hidden");
    pinned.setAttribute("transform", show ? "translate(" + shift.toFixed(1) + ",0)" : "");
  }
  box.addEventListener("scroll", pin, {passive: true});
  window.addEventListener("resize", pin);
  pin();
})();
