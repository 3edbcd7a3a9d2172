// Analytics charts (Chart.js 4, vendored). The page puts every chart's data in one JSON block
// (#kp-analytics-data: {name: {type, labels, datasets: [{label, data, kind?, dashed?}], unit?, stacked?}})
// and a <canvas data-kp-chart="name"> where it goes; this file only draws. A chart whose data is missing
// is skipped (the page has already said why in words).
(function () {
  "use strict";
  var dataEl = document.getElementById("kp-analytics-data");
  if (!dataEl || !window.Chart) return;
  var specs = JSON.parse(dataEl.textContent);
  var styles = getComputedStyle(document.documentElement);
  var accent = styles.getPropertyValue("--kp-accent").trim() || "#2f6f5e";
  var palette = [accent, "#d08c2f", "#4a7fb5", "#b4472f", "#7a5ea8", "#5a9a6a", "#9a9a9a", "#c9699a"];
  var sentimentColours = { positive: "#3c8d5a", neutral: "#9aa4ad", negative: "#b4472f", none: "#d9dde1" };
  document.querySelectorAll("canvas[data-kp-chart]").forEach(function (canvas) {
    var spec = specs[canvas.getAttribute("data-kp-chart")];
    if (!spec || !spec.labels || !spec.labels.length) return;
    var datasets = spec.datasets.map(function (set, n) {
      var colour = sentimentColours[set.colour] || set.colour || palette[n % palette.length];
      var line = (set.kind || spec.type) === "line";
      return {
        type: set.kind || spec.type,
        label: set.label,
        data: set.data,
        backgroundColor: line ? colour : colour,
        borderColor: colour,
        borderDash: set.dashed ? [6, 4] : [],
        pointRadius: set.dashed ? 0 : 2,
        fill: false,
        spanGaps: true,
        tension: 0.2,
      };
    });
    var unit = spec.unit || "";
    canvas.kpChart = new Chart(canvas, {
      data: { labels: spec.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        indexAxis: spec.horizontal ? "y" : "x",
        plugins: { legend: { display: datasets.length > 1 } },
        scales: {
          x: { stacked: !!spec.stacked },
          y: {
            stacked: !!spec.stacked,
            beginAtZero: !spec.fromData,
            ticks: { callback: function (v) { return unit ? v + " " + unit : v; } },
          },
        },
      },
    });
    canvas.setAttribute("data-kp-drawn", "1");
  });
})();
