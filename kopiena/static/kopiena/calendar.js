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

  // "Now" in the workspace's time zone, whatever the browser's: without a time zone plugin FullCalendar
  // would take UTC's wall clock for a named zone, putting the now-line and "today" hours off. The
  // browser's Intl knows every IANA zone, so the wall-clock time there is worked out here, as a naive
  // ISO string like the events' own times.
  var wallClock = (function () {
    try {
      var format = new Intl.DateTimeFormat("en-GB", {
        timeZone: config.timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
        hour: "2-digit", minute: "2-digit", second: "2-digit",
      });
    } catch (e) {
      return null;  // an unknown zone: leave "now" to FullCalendar
    }
    return function () {
      var parts = {};
      format.formatToParts(new Date()).forEach(function (part) { parts[part.type] = part.value; });
      return parts.year + "-" + parts.month + "-" + parts.day + "T" + parts.hour + ":" + parts.minute + ":" + parts.second;
    };
  })();
  el.dataset.workspaceNow = wallClock ? wallClock() : "";

  // A post's label: per account an avatar (initials on the account's colour, with the platform's icon),
  // the time and, in the month grid, the first words of the text (the whole title is in the tooltip).
  function postContent(arg) {
    var props = arg.event.extendedProps;
    if (props.kind) return true;  // a day (holiday, special day, local event): FullCalendar's own label
    var box = document.createElement("div");
    box.className = "kp-ev";
    var avatars = document.createElement("span");
    avatars.className = "kp-ev-avatars";
    (props.accountBadges || []).slice(0, 3).forEach(function (badge) {
      var avatar = document.createElement("span");
      avatar.className = "kp-avatar";
      avatar.style.backgroundColor = badge.colour;
      avatar.title = badge.name + (badge.platform ? " · " + badge.platform : "");
      avatar.dataset.testid = "account-avatar";
      avatar.textContent = badge.initials;
      var icon = document.createElement("i");
      icon.className = "bi " + badge.icon + " kp-avatar-platform";
      icon.setAttribute("aria-hidden", "true");
      avatar.appendChild(icon);
      avatars.appendChild(avatar);
    });
    if ((props.accountBadges || []).length > 3) {
      var more = document.createElement("span");
      more.className = "kp-avatar kp-avatar-more";
      more.textContent = "+" + (props.accountBadges.length - 3);
      avatars.appendChild(more);
    }
    box.appendChild(avatars);
    if (arg.timeText && arg.view.type !== "listWeek") {
      var time = document.createElement("span");
      time.className = "kp-ev-time";
      time.textContent = arg.timeText;
      box.appendChild(time);
    }
    var title = document.createElement("span");
    title.className = "fc-event-title kp-ev-title";
    title.textContent = arg.view.type === "dayGridMonth" ? props.shortTitle || arg.event.title : arg.event.title;
    box.appendChild(title);
    return { domNodes: [box] };
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
    now: wallClock || undefined,
    eventDisplay: "block",  // month cells: a tile in the type's colour, not a dot and clipped text
    eventContent: postContent,
    eventMinHeight: 44,  // week view: room for the avatars, the time and a line of text
    slotEventOverlap: false,  // week view: posts at the same time side by side, not on top of each other
    eventTimeFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
    slotLabelFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
    headerToolbar: { left: "prev,next today", center: "title", right: "dayGridMonth,timeGridWeek,listWeek" },
    editable: config.canMove,
    eventStartEditable: config.canMove,
    eventDurationEditable: false,
    eventSources: [{ url: config.eventsUrl, extraParams: filterParams }].concat(
      config.daysUrl ? [{ url: config.daysUrl, id: "days" }] : []  // holidays, special days, local events
    ),
    eventDrop: onDrop,
    eventDidMount: function (arg) {
      var props = arg.event.extendedProps;
      if (props.kind) {  // a day (holiday, special day, local event), not a post
        arg.el.title = [arg.event.title, props.note].filter(Boolean).join(" · ");
        arg.el.dataset.day = props.kind;
        return;
      }
      arg.el.title = [arg.event.title, props.stateLabel, props.accounts.join(", "), props.theme].concat(props.flags || [])
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
