// 我的一天: a countdown to the next activity ("还有 25 分钟"), refreshed every 20 seconds.
// Without JavaScript the start time stays visible.
(function () {
  "use strict";
  var zh = document.documentElement.lang.indexOf("zh") === 0;

  function text(element) {
    var starts = new Date(element.dataset.countdown).getTime();
    var ends = new Date(element.dataset.ends).getTime();
    var now = Date.now();
    if (now >= ends) return zh ? "已结束" : "Over";
    if (now >= starts) return zh ? "进行中" : "Now";
    var minutes = Math.ceil((starts - now) / 60000);
    var hours = Math.floor(minutes / 60);
    var rest = minutes % 60;
    if (zh) return "下一项 · 还有 " + (hours ? hours + " 小时 " : "") + rest + " 分钟";
    return "Next · in " + (hours ? hours + " h " : "") + rest + " min";
  }

  function refresh() {
    document.querySelectorAll("[data-countdown]").forEach(function (element) {
      element.textContent = text(element);
    });
  }

  refresh();
  setInterval(refresh, 20000);
})();
