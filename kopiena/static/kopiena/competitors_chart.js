// Competitors (Chart.js 4, vendored): posts per week for each competitor next to ours, and their
// engagement per week. Data comes from json_script elements (no inline JS: CSP).
(function () {
  "use strict";
  var dataEl = document.getElementById("kp-competitor-data");
  var textEl = document.getElementById("kp-competitor-texts");
  if (!dataEl || !textEl || !window.Chart) return;
  var data = JSON.parse(dataEl.textContent);
  var texts = JSON.parse(textEl.textContent);
  var palette = ["#3b6ea5", "#b07d2b", "#7a4f9a", "#b4472f", "#4a8a3a", "#8a6d5a", "#2b8a8a"];
  var ours = "#2f6f5e";
  var options = { responsive: true, maintainAspectRatio: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } };
  var posts = document.querySelector("canvas[data-kp-competitor-posts]");
  if (posts) {
    var sets = data.competitors.map(function (c, i) {
      return { label: c.label, data: c.posts, backgroundColor: palette[i % palette.length] };
    });
    sets.unshift({ label: texts.us, data: data.ours, backgroundColor: ours });
    new Chart(posts, { type: "bar", data: { labels: data.labels, datasets: sets }, options: options });
  }
  var engagement = document.querySelector("canvas[data-kp-competitor-engagement]");
  if (engagement) {
    new Chart(engagement, {
      type: "line",
      data: {
        labels: data.labels,
        datasets: data.competitors.map(function (c, i) {
          var color = palette[i % palette.length];
          return { label: c.label, data: c.engagement, borderColor: color, backgroundColor: color, tension: 0.2 };
        }),
      },
      options: options,
    });
  }
})();
