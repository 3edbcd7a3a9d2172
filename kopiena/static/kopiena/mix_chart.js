// Content-mix bars (Chart.js 4, vendored): planned versus target percent per content type.
(function () {
  "use strict";
  var dataEl = document.getElementById("kp-mix-data");
  if (!dataEl || !window.Chart) return;
  var data = JSON.parse(dataEl.textContent);
  var styles = getComputedStyle(document.documentElement);
  var accent = styles.getPropertyValue("--kp-accent").trim() || "#2f6f5e";
  document.querySelectorAll("canvas[data-kp-mix-chart]").forEach(function (canvas) {
    var series = data.series[canvas.dataset.kpMixChart];
    if (!series) return;
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [
          { label: data.texts.planned, data: series.planned, backgroundColor: accent },
          { label: data.texts.target, data: series.target, backgroundColor: "rgba(128, 128, 128, 0.45)" },
        ],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        scales: { y: { beginAtZero: true, suggestedMax: 50, ticks: { callback: function (v) { return v + " %"; } } } },
      },
    });
  });
})();
