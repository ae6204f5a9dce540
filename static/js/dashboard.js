/* Dashboards: draw each [data-chart] element with ECharts from the JSON spec that the page
   carries next to it (reports/selectors/tables.py builds it from the same rows as the table):
   {type: "bar" | "hbar" | "line", categories: [...], series: [{name, data}], stack, overlay,
   dual (the second series on its own axis, at the right), yName}. SVG, so the charts print
   sharp on A4; redrawn at the printed width. */
(function () {
  "use strict";
  if (typeof echarts === "undefined") return;
  var palette = ["#1f4e8c", "#e07b39", "#3a9d5d", "#c0392b", "#8e6bbf", "#6c7a89"];
  var charts = [];

  /* A unit's label without the city bureau its name begins with, when more follows:
     常州市公安局金坛分局 → 金坛分局 (溧阳市公安局 stays); the tooltip keeps the full name. */
  var BUREAU = /^[^\s]{1,8}?[市县州盟]公安局(?=.)/;
  function shortLabel(value) {
    return String(value).replace(BUREAU, "");
  }

  function option(spec) {
    var horizontal = spec.type === "hbar";
    var many = spec.categories.length > 30;
    var category = {
      type: "category",
      data: spec.categories,
      axisLabel: {
        show: !many,
        interval: 0,
        rotate: !horizontal && spec.categories.length > 8 ? 35 : 0,
        width: horizontal ? 110 : 72,
        overflow: "break",
        formatter: shortLabel
      },
      axisTick: {show: !many}
    };
    var value = {type: "value", name: spec.yName || "", nameTextStyle: {align: "left"}};
    var series = spec.series.map(function (s, index) {
      return {
        name: s.name,
        yAxisIndex: spec.dual ? index : undefined,
        type: spec.type === "line" ? "line" : "bar",
        data: s.data,
        stack: spec.stack ? "all" : undefined,
        barGap: spec.overlay ? "-100%" : undefined,
        barMaxWidth: 36,
        itemStyle: spec.overlay ? {opacity: 0.55} : undefined,
        connectNulls: true,
        label: {show: horizontal && !many, position: "right", fontSize: 11}
      };
    });
    return {
      color: palette,
      animation: false,
      tooltip: {trigger: "axis", confine: true},
      legend: series.length > 1 ? {top: 0, type: "scroll"} : undefined,
      grid: {left: 8, right: horizontal ? 48 : 16, top: series.length > 1 ? 36 : 24, bottom: 8, containLabel: true},
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? Object.assign({}, category, {inverse: true})
        : spec.dual
          ? [Object.assign({}, value, {minInterval: 1}), {type: "value", name: spec.series[1].name}]
          : value,
      series: series
    };
  }

  document.querySelectorAll("[data-chart]").forEach(function (element) {
    var source = document.getElementById(element.dataset.chart);
    if (!source) return;
    var spec = JSON.parse(source.textContent);
    if (spec.type === "hbar") {
      element.style.height = Math.max(200, 26 * spec.categories.length + 60) + "px";
    }
    var chart = echarts.init(element, null, {renderer: "svg"});
    chart.setOption(option(spec));
    charts.push(chart);
  });

  function resize() {
    charts.forEach(function (chart) { chart.resize(); });
  }
  window.addEventListener("resize", resize);
  window.addEventListener("beforeprint", resize);
  window.addEventListener("afterprint", resize);
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
