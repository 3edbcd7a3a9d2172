// Response times (Chart.js 4, vendored): weekly average first-answer time against the policy's target.
(function () {
  "use strict";
  var dataEl = document.getElementById("kp-response-data");
  var canvas = document.querySelector("canvas[data-kp-response-chart]");
  if (!dataEl || !canvas || !window.Chart) return;
  var data = JSON.parse(dataEl.textContent);
  var styles = getComputedStyle(document.documentElement);
  var accent = styles.getPropertyValue("--kp-accent").trim() || "#2f6f5e";
  new Chart(canvas, {
    data: {
      labels: data.labels,
      datasets: [
        { type: "bar", label: data.texts.average, data: data.average, backgroundColor: accent },
        {
          type: "line", label: data.texts.target, data: data.labels.map(function () { return data.target; }),
          borderColor: "#b4472f", borderDash: [6, 4], pointRadius: 0, fill: false,
        },
      ],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      scales: { y: { beginAtZero: true, ticks: { callback: function (v) { return v + " h"; } } } },
    },
  });
})();
