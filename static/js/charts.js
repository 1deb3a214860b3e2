/* Draws every Plotly figure of the page. Each chart is an element with
   data-chart="<id of a json_script element>"; the figure ({data, layout}) is built on
   the server (evaluations/charts.py). No inline scripts; responsive on resize.
   When every chart is drawn, <html data-charts-ready="yes"> (the PDF printer waits
   for it). A page with <body data-report> draws static charts for print.
   A figure without data carries "empty", the text shown instead of a blank box. */
(function () {
  "use strict";

  function figureOf(element) {
    var source = document.getElementById(element.dataset.chart);
    if (!source) { return null; }
    try { return JSON.parse(source.textContent); } catch (error) { return null; }
  }

  // On a phone, index axes in steps of 0,5 get crowded: use whole numbers there.
  // Axes built with dtick 0,5 are marked (data-wide-axes) the first time we see them.
  function narrow(element, layout) {
    var small = isSmall(element);
    var wide = (element.dataset.wideAxes || "").split(" ").filter(Boolean);
    if (!element.dataset.wideAxes) {
      ["xaxis", "yaxis"].forEach(function (name) {
        if (layout[name] && layout[name].dtick === 0.5) { wide.push(name); }
      });
      element.dataset.wideAxes = wide.join(" ") || "-";
    }
    var update = {};
    wide.forEach(function (name) {
      if (name === "-" || !layout[name]) { return; }
      layout[name].dtick = small ? 1 : 0.5;
      layout[name].tickformat = small ? ".0f" : ".1f";
      update[name + ".dtick"] = layout[name].dtick;
      update[name + ".tickformat"] = layout[name].tickformat;
    });
    return update;
  }

  // Heatmap cells are too small for their numbers on a phone: hover shows them.
  function cellText(data, small) {
    data.forEach(function (trace) {
      if (trace.type === "heatmap") {
        if (trace._texttemplate === undefined) { trace._texttemplate = trace.texttemplate || ""; }
        trace.texttemplate = small ? "" : trace._texttemplate;
      }
    });
  }

  // On a phone, the value labels of a line crowd each other and the legend sits on the
  // tilted category labels: hover shows the values, the legend moves below the labels.
  function phoneLayout(element, data, layout) {
    var small = isSmall(element);
    var update = {};
    data.forEach(function (trace) {
      if (trace.type === "scatter" && trace.mode) {
        if (trace._mode === undefined) { trace._mode = trace.mode; }
        trace.mode = small ? trace._mode.replace("+text", "") : trace._mode;
      }
    });
    if (layout.legend && layout.showlegend !== false) {
      if (layout._legendY === undefined) { layout._legendY = layout.legend.y; }
      layout.legend.y = small ? -0.32 : layout._legendY;
      update["legend.y"] = layout.legend.y;
    }
    return update;
  }

  function isSmall(element) {
    return element.clientWidth > 0 && element.clientWidth < 500;
  }

  function showEmpty(element, message) {
    var note = document.createElement("p");
    note.className = "chart-empty-text";
    note.textContent = message;
    element.replaceChildren(note);
    element.classList.add("chart-empty");
    element.dataset.drawn = "empty";
  }

  function drawAll() {
    var report = document.body.hasAttribute("data-report");
    var elements = Array.prototype.slice.call(document.querySelectorAll("[data-chart]"));
    var config = {
      responsive: !report,
      displaylogo: false,
      staticPlot: report,
      modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d"]
    };
    var drawing = elements.map(function (element) {
      var figure = figureOf(element);
      if (figure && figure.empty) {
        showEmpty(element, figure.empty);
        return Promise.resolve();
      }
      if (!figure || typeof Plotly === "undefined") { return Promise.resolve(); }
      var layout = figure.layout || {};
      narrow(element, layout);
      phoneLayout(element, figure.data || [], layout);
      cellText(figure.data || [], isSmall(element));
      if (report) { layout.width = element.clientWidth || undefined; }
      return Plotly.react(element, figure.data || [], layout, config).then(function () {
        element.dataset.drawn = "yes";
      });
    });
    Promise.all(drawing).then(function () {
      document.documentElement.dataset.chartsReady = "yes";
    }, function () {
      document.documentElement.dataset.chartsReady = "error";
    });
    return elements;
  }

  function onReady() {
    var elements = drawAll();
    var pending = null;
    window.addEventListener("resize", function () {
      if (pending) { window.clearTimeout(pending); }
      pending = window.setTimeout(function () {
        elements.forEach(function (element) {
          if (element.dataset.drawn === "yes" && element.offsetParent !== null) {
            var update = narrow(element, element.layout || {});
            Object.assign(update, phoneLayout(element, element.data || [], element.layout || {}));
            cellText(element.data || [], isSmall(element));
            Plotly.react(element, element.data, element.layout).then(function () {
              return Plotly.relayout(element, update);
            }).then(function () {
              Plotly.Plots.resize(element);
            });
          }
        });
      }, 150);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", onReady);
  } else {
    onReady();
  }
})();
