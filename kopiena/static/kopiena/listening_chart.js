// Listening (Chart.js 4, vendored): mentions per day for each saved query, and the sentiment mix per day.
(function () {
  "use strict";
  var dataEl = document.getElementById("kp-listening-data");
  if (!dataEl || !window.Chart) return;
  var data = JSON.parse(dataEl.textContent);
  var palette = ["#2f6f5e", "#3b6ea5", "#b07d2b", "#7a4f9a", "#b4472f", "#4a8a3a", "#8a6d5a", "#2b8a8a"];
  var volume = document.querySelector("canvas[data-kp-listening-volume]");
  if (volume) {
    new Chart(volume, {
      type: "line",
      data: {
        labels: data.labels,
        datasets: data.queries.map(function (q, i) {
          var color = palette[i % palette.length];
          return { label: q.label, data: q.data, borderColor: color, backgroundColor: color, pointRadius: 0, tension: 0.2 };
        }),
      },
      options: { responsive: true, maintainAspectRatio: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    });
  }
  var sentiment = document.querySelector("canvas[data-kp-listening-sentiment]");
  if (sentiment) {
    var s = data.sentiment;
    new Chart(sentiment, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [
          { label: data.texts.negative, data: s.negative, backgroundColor: "#b4472f" },
          { label: data.texts.neutral, data: s.neutral, backgroundColor: "#9aa5ad" },
          { label: data.texts.positive, data: s.positive, backgroundColor: "#2f6f5e" },
        ],
      },
      options: {
        responsive: true, maintainAspectRatio: false,
        scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  }
})();
