// Draws the dashboard's charts from the JSON block the page carries (#dashboard-charts).
// Every bar and cell holds the URL of the list behind its number; clicking opens it.
// Without this script (or ECharts) the tables under the charts still carry every number.
(function () {
  "use strict";

  var holder = document.getElementById("dashboard-charts");
  if (!holder || !window.echarts) { return; }
  var data = JSON.parse(holder.textContent);

  var PRIMARY = "#9b1b1b";
  var PALETTE = ["#9b1b1b", "#1f5fa8", "#d08c1a", "#2f8a5b", "#6b4fa1",
                 "#c2571a", "#3a8fa3", "#8a6d3b", "#a23b72", "#5b6770"];
  var FONT = window.getComputedStyle(document.body).fontFamily;
  var charts = [];

  function maxOf(values) {
    return values.reduce(function (m, v) { return v > m ? v : m; }, 0);
  }

  function draw(name, option) {
    var el = document.querySelector("[data-chart='" + name + "']");
    if (!el) { return; }
    var chart = window.echarts.init(el, null, {
      renderer: "canvas",
      // sharper on paper and on low-density screens
      devicePixelRatio: Math.max(window.devicePixelRatio || 1, 2)
    });
    option.animation = false;
    option.color = option.color || PALETTE;
    option.textStyle = {fontFamily: FONT, fontSize: 14, color: "#222"};
    // Tooltips drawn on the canvas: ECharts' HTML tooltip sets an inline style attribute,
    // which the Content-Security-Policy (style-src 'self') refuses.
    if (option.tooltip) { option.tooltip.renderMode = "richText"; }
    chart.setOption(option);
    chart.on("click", function (params) {
      var url = params.data && params.data.url;
      if (url) { window.location.assign(url); }
    });
    charts.push(chart);
  }

  // Bars along a category axis on the left: names stay readable at phone width.
  function sideBars(d) {
    return {
      tooltip: {trigger: "item", formatter: function (p) { return p.name + "：" + p.value + " " + data.unit; }},
      grid: {left: 8, right: 40, top: 8, bottom: 8, containLabel: true},
      xAxis: {type: "value", minInterval: 1, axisLabel: {fontSize: 12}},
      yAxis: {type: "category", data: d.names, inverse: true,
              axisTick: {show: false}, axisLabel: {interval: 0, fontSize: 14}},
      series: [{type: "bar", data: d.data, barMaxWidth: 26, cursor: "pointer",
                itemStyle: {color: PRIMARY},
                label: {show: true, position: "right", fontSize: 13, color: "#222"}}]
    };
  }

  if (data.trend && data.trend.series.length) {
    var narrow = window.matchMedia("(max-width: 575.98px)").matches;
    draw("trend", {
      tooltip: {trigger: "axis", axisPointer: {type: "shadow"}},
      legend: {type: "scroll", top: 0, left: 0, right: 0, textStyle: {fontSize: 13}},
      grid: {left: 8, right: 12, top: narrow ? 40 : 36, bottom: 8, containLabel: true},
      xAxis: {type: "category", data: data.trend.months,
              axisLabel: {fontSize: 12, hideOverlap: true, rotate: narrow ? 45 : 0}},
      yAxis: {type: "value", minInterval: 1, axisLabel: {fontSize: 12}},
      series: data.trend.series.map(function (s) {
        return {name: s.name, type: "bar", stack: "all", data: s.data, barMaxWidth: 36,
                cursor: "pointer", emphasis: {focus: "series"}};
      })
    });
  }

  if (data.matrix && data.matrix.cells.length) {
    var top = Math.max(1, maxOf(data.matrix.cells.map(function (c) { return c.value[2]; })));
    var cells = data.matrix.cells.map(function (c) {
      // the count is written in the cell; white on the darker half of the scale
      var dark = c.value[2] > top / 2;
      return {value: c.value, url: c.url, label: {color: dark ? "#fff" : "#222"}};
    });
    draw("matrix", {
      tooltip: {position: "top", formatter: function (p) {
        return data.matrix.y[p.value[1]] + " · " + data.matrix.x[p.value[0]] + "：" + p.value[2] + " " + data.unit;
      }},
      grid: {left: 8, right: 8, top: 8, bottom: 8, containLabel: true},
      xAxis: {type: "category", data: data.matrix.x, position: "top", splitArea: {show: true},
              axisTick: {show: false}, axisLabel: {interval: 0, fontSize: 14}},
      yAxis: {type: "category", data: data.matrix.y, inverse: true, splitArea: {show: true},
              axisTick: {show: false}, axisLabel: {interval: 0, fontSize: 14}},
      visualMap: {show: false, min: 0, max: top, inRange: {color: ["#f7eceb", PRIMARY]}},
      series: [{type: "heatmap", data: cells, cursor: "pointer",
                itemStyle: {borderColor: "#fff", borderWidth: 2},
                label: {show: true, fontSize: 18, fontWeight: "bold"},
                emphasis: {itemStyle: {borderColor: "#222", borderWidth: 2}}}]
    });
  }

  if (data.delegations && data.delegations.data.length) { draw("delegations", sideBars(data.delegations)); }
  if (data.focus && data.focus.data.length) { draw("focus", sideBars(data.focus)); }
  if (data.pipeline && data.pipeline.data.length) { draw("pipeline", sideBars(data.pipeline)); }

  function resizeAll() { charts.forEach(function (c) { c.resize(); }); }
  var pending = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(resizeAll, 120);
  });
  // On paper: charts fit the page width and the data under them is shown; back after.
  var openedForPrint = [];
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.chart-data:not([open])").forEach(function (d) {
      d.open = true;
      openedForPrint.push(d);
    });
    resizeAll();
  });
  window.addEventListener("afterprint", function () {
    openedForPrint.forEach(function (d) { d.open = false; });
    openedForPrint = [];
    resizeAll();
  });
})();
