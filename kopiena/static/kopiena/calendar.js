// The publishing calendar (FullCalendar 6, vendored). Config comes from the page's JSON data block;
// no inline scripts (CSP). Times are the workspace's wall-clock times: the server sends them without an
// offset and a drag is sent back as a day/millisecond delta, so no time zone maths happens here.
(function () {
  "use strict";

  var el = document.getElementById("kp-calendar");
  var configEl = document.getElementById("kp-calendar-config");
  if (!el || !configEl || !window.FullCalendar) return;
  var config = JSON.parse(configEl.textContent);
  var filters = document.getElementById("kp-calendar-filters");
  var messageBox = document.getElementById("kp-calendar-message");

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var headers = document.body.getAttribute("hx-headers");
    try { return headers ? JSON.parse(headers)["X-CSRFToken"] : ""; } catch (e) { return ""; }
  }

  function show(kind, text) {
    messageBox.className = "alert alert-" + kind;
    messageBox.textContent = text;
  }

  function filterParams() {
    var params = {};
    if (!filters) return params;
    new FormData(filters).forEach(function (value, key) {
      if (value) params[key] = value;
    });
    return params;
  }

  function moveUrl(id) {
    return config.moveUrlTemplate.replace("/0/", "/" + encodeURIComponent(id) + "/");
  }

  function onDrop(info) {
    var delta = info.delta;
    var body = { days: delta.days + 30 * delta.months + 365 * delta.years, milliseconds: delta.milliseconds };
    fetch(moveUrl(info.event.id), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body),
    })
      .then(function (response) {
        return response.json().then(function (data) { return { status: response.status, data: data }; });
      })
      .then(function (result) {
        if (result.data.ok) {
          show("success", config.texts.moved + " " + result.data.start.replace("T", " ").slice(0, 16));
          el.dataset.lastMove = "ok";
          return;
        }
        info.revert();
        var text = config.texts.refused + " " + (result.data.message || "");
        var proposed = result.data.proposed_at ? result.data.proposed_at.replace("T", " ").slice(0, 16) : "";
        if (proposed && text.indexOf(proposed) === -1) {  // the service's message usually names it already
          text += " " + config.texts.proposed + ": " + proposed;
        }
        show("warning", text);
        el.dataset.lastMove = "refused";
      })
      .catch(function () {
        info.revert();
        show("danger", config.texts.failed);
        el.dataset.lastMove = "error";
      });
  }

  var calendar = new FullCalendar.Calendar(el, {
    initialView: "dayGridMonth",
    timeZone: config.timeZone,
    locale: config.locale,
    firstDay: 1,
    height: "auto",
    nowIndicator: true,
    eventTimeFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
    slotLabelFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
    headerToolbar: { left: "prev,next today", center: "title", right: "dayGridMonth,timeGridWeek,listWeek" },
    editable: config.canMove,
    eventStartEditable: config.canMove,
    eventDurationEditable: false,
    events: { url: config.eventsUrl, extraParams: filterParams },
    eventDrop: onDrop,
    eventDidMount: function (arg) {
      var props = arg.event.extendedProps;
      arg.el.title = [props.stateLabel, props.accounts.join(", "), props.theme].concat(props.flags || [])
        .filter(Boolean).join(" · ");
      arg.el.dataset.postId = arg.event.id;
      arg.el.dataset.state = props.state;
      // A policy flag (mix worsened, link without context) does not block the post: a small badge says so.
      if (props.flags && props.flags.length) {
        var badge = document.createElement("span");
        badge.className = "kp-flag-badge badge text-bg-warning me-1";
        badge.dataset.testid = "policy-flag-badge";
        badge.textContent = "⚑";
        badge.setAttribute("aria-label", config.texts.flagged);
        var target = arg.el.querySelector(".fc-event-title, .fc-list-event-title") || arg.el;
        target.prepend(badge);
      }
    },
    loading: function (isLoading) { el.dataset.loading = isLoading ? "1" : "0"; },
  });
  calendar.render();
  window.kopienaCalendar = calendar;

  // The "Export CSV" button exports what the filters show.
  var exportLink = document.querySelector("[data-kp-export]");
  function syncExport() {
    if (!exportLink || !filters) return;
    var query = new URLSearchParams(filterParams()).toString();
    exportLink.href = exportLink.dataset.kpExport + (query ? "?" + query : "");
  }
  syncExport();

  if (filters) {
    filters.addEventListener("change", function () { calendar.refetchEvents(); syncExport(); });
    filters.addEventListener("submit", function (event) { event.preventDefault(); calendar.refetchEvents(); });
  }
})();
