// /tien-do: on load, the chart's scroll box is scrolled so that today's line is in view,
// two thirds across the visible part (the months just past stay in sight). A screen that
// shows the whole chart has nothing to scroll. A file, not inline: the CSP allows only 'self'.
(function () {
  "use strict";
  var box = document.querySelector(".timeline-chart");
  var line = box && box.querySelector("line.today");
  if (!line) return;
  var offset = line.getBoundingClientRect().left - box.getBoundingClientRect().left;
  var target = box.scrollLeft + offset - box.clientWidth * 2 / 3;
  box.scrollLeft = Math.max(0, Math.min(target, box.scrollWidth - box.clientWidth));
})();
