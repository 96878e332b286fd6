"use strict";
// /dashboard/organizations/{code}?period=P[&indicator=I,J]: per indicator
// completion, progress toward the year and year-on-year change; for the
// indicators chosen, the children's breakdown and five years in a chart;
// which children have reported.
(function () {
  const T = window.thidua;
  const h = T.h;
  const enc = encodeURIComponent;

  T.pages.org = async function (main, code, q) {
    const [org, periods, indicators] = await Promise.all([
      T.get("organizations/" + enc(code)),
      T.get("periods").then((p) => p.data, () => []),
      T.indicators(),
    ]);
    const period = (q.get("period") || "").trim().toUpperCase() || (await latestPeriod(org.code, periods));
    const chosen = [...new Set(q.getAll("indicator").flatMap((v) => v.split(",")).map((s) => s.trim()).filter(Boolean))];

    const options = periods.map((p) => ({ value: p.code, label: p.label }));
    if (period && !options.some((o) => o.value === period)) options.push({ value: period, label: period });
    const controls = T.autoForm({ "aria-label": "Chọn kỳ" }, T.select("period", "Kỳ", options.reverse(), period),
      chosen.length ? h("input", { type: "hidden", name: "indicator", value: chosen.join(",") }) : null);

    const up = org.ancestors || [];
    T.clear(main,
      h("nav", { class: "crumbs", "aria-label": "Vị trí" }, h("a", { href: T.href("dashboard/") }, "Trang chủ"),
        up.map((a) => [" › ", h("a", { href: T.orgHref(a.code, period) }, T.shortName(a.name))]), " › ", org.code),
      h("h1", null, org.name),
      h("p", { class: "meta" }, T.kinds[org.kind] || org.kind, " · mã ", h("code", null, org.code),
        org.valid_to ? " · hoạt động đến " + T.date(org.valid_to) : null,
        org.successor ? [" · đơn vị kế thừa: ", h("a", { href: T.orgHref(org.successor, period) }, org.successor)] : null),
      controls,
      period ? [
        T.section({ id: "summary" }, "Kết quả theo chỉ số", (body) => summary(body, org.code, period, chosen)),
        chosen.map((ind) => T.section({ class: "indicator", dataset: { indicator: ind } }, T.indicatorName(indicators, ind),
          (body) => detail(body, org.code, ind, period))),
        T.section({ id: "reporting" }, "Tình hình báo cáo của các đơn vị trực thuộc", async (body) => {
          const inds = chosen.length ? chosen : await summaryIndicators;
          return T.reporting(body, "organizations/" + enc(org.code) + "/reporting", { period, indicator: inds.slice(0, 50).join(",") },
            indicators, period, inds.length ? null : "Chọn chỉ số trong bảng để xem đơn vị trực thuộc nào đã báo cáo.");
        }),
      ] : h("p", null, "Chưa có kỳ báo cáo nào có số liệu."));
  };

  // the indicators of the summary, for the reporting status when none is chosen
  let summaryIndicators = Promise.resolve([]);

  // The latest period this organization has an actual figure for (its own,
  // else its subtree's), else the latest period holding any data.
  async function latestPeriod(code, periods) {
    const ends = new Map(periods.map((p) => [p.code, p.end + "|" + p.start]));
    const pick = (values) => {
      const have = [...new Set(values.filter((v) => v.actual != null).map((v) => v.period))].filter((p) => ends.has(p));
      have.sort((a, b) => (ends.get(a) < ends.get(b) ? 1 : -1));
      return have[0];
    };
    try {
      const own = await T.get("values", { org: code, limit: 1000 });
      const found = pick(own.data) || pick((await T.get("values", { under: code, limit: 1000 })).data);
      if (found) return found;
    } catch (e) {
      if (e instanceof T.NeedKey) throw e;
    }
    return periods.length ? periods[periods.length - 1].code : "";
  }

  async function summary(body, code, period, chosen) {
    let resolve;
    summaryIndicators = new Promise((r) => (resolve = r));
    let doc;
    try {
      doc = await T.get("organizations/" + enc(code) + "/summary", { period });
    } finally {
      resolve(doc ? doc.items.map((i) => i.indicator) : []);
    }
    if (!doc.items.length) return h("p", null, "Kỳ " + doc.label + " chưa có số liệu nào của đơn vị.");
    const cell = (v, field, fmt) => h("td", { class: "num", dataset: { field } }, (fmt || T.num)(v));
    const progress = (i) => {
      if (i.year_progress_pct == null) return h("td", { class: "num", dataset: { field: "year_progress_pct" } });
      const bar = h("span");
      bar.style.width = Math.min(100, Math.max(0, i.year_progress_pct)) + "%";
      return h("td", { class: "num", dataset: { field: "year_progress_pct" } }, T.pct(i.year_progress_pct),
        h("span", { class: "meter small", role: "presentation" }, bar));
    };
    const yoy = (v) => h("td", { class: "num " + (v > 0 ? "up" : v < 0 ? "down" : ""), dataset: { field: "yoy_pct" } }, T.signedPct(v));
    // one indicator parameter, a comma list (a page takes each parameter once)
    const form = h("form", { method: "get", class: "pick", onsubmit: (e) => {
      e.preventDefault();
      const picked = [...form.querySelectorAll("input[type=checkbox]:checked")].map((c) => c.value);
      while (picked.join(",").length > 200) picked.pop(); // what a page address holds
      location.assign(T.href("dashboard/organizations/" + enc(code), { period, indicator: picked.join(",") }));
    } },
      T.table("figures", "Kết quả của " + doc.name + ", " + doc.label,
        h("thead", null, h("tr", null, T.th("Chọn", { class: "pick" }), T.th("Chỉ số"), T.th("Đơn vị tính"),
          ["Thực hiện", "Chỉ tiêu", "Hoàn thành", "Chỉ tiêu năm", "Tiến độ năm", "Cùng kỳ năm trước", "Tăng, giảm"].map((t) => T.th(t, { class: "num" })),
          T.th("Nguồn"))),
        h("tbody", null, doc.items.map((i) => h("tr", { dataset: { indicator: i.indicator } },
          h("td", { class: "pick" }, h("input", { type: "checkbox", value: i.indicator, checked: chosen.includes(i.indicator),
            "aria-label": "Chọn " + i.indicator_name })),
          h("th", { scope: "row" }, h("a", { href: T.href("dashboard/organizations/" + enc(code), { period, indicator: i.indicator }) }, i.indicator_name)),
          h("td", { class: "unit" }, i.unit),
          i.actual == null && i.missing && i.missing.length
            ? h("td", { class: "num", dataset: { field: "actual" } }, h("span", { class: "missing" }, "thiếu " + i.missing.join(", ")))
            : cell(i.actual, "actual"),
          cell(i.target, "target"), cell(i.completion_pct, "completion_pct", T.pct), cell(i.year_target, "year_target"),
          progress(i), cell(i.previous, "previous"), yoy(i.yoy_pct),
          h("td", { class: "source", dataset: { field: "source" } }, T.sources[i.source] || i.source || ""))))),
      h("div", { class: "row" }, h("button", { type: "submit" }, "Xem chi tiết các chỉ số đã chọn"),
        chosen.length ? h("a", { href: T.orgHref(code, period) }, "bỏ chọn") : null));
    return [
      doc.withheld && doc.withheld.length
        ? h("p", { class: "note" }, "Khóa này không được xem số liệu của kỳ " + doc.withheld.join(", ") + " (đơn vị khi đó ngoài phạm vi của khóa).") : null,
      form,
      T.downloads("organizations/" + enc(code) + "/summary", { period }),
    ];
  }

  // the chart's step: the period's own kind (halves for 2023H1), else years
  const every = (p) => (/H\d$/.test(p) ? "half" : /Q\d$/.test(p) ? "quarter" : /M\d\d$/.test(p) ? "month" : null);

  async function detail(body, code, indicator, period) {
    const year = parseInt(period.slice(0, 4), 10);
    const [breakdown, series] = await Promise.all([
      T.get("organizations/" + enc(code) + "/breakdown", { indicator, period }),
      T.get("series", { org: code, indicator, from: year - 4, to: year, every: every(period) }),
    ]);
    const b = breakdown;
    const pair = (label, p, field) => h("div", null, h("dt", null, label),
      h("dd", { dataset: { field } }, p.actual == null ? h("span", { class: "muted" }, "—") : T.num(p.actual),
        p.target != null ? h("span", { class: "muted" }, " / chỉ tiêu " + T.num(p.target)) : null));
    const points = series.points;
    const any = points.some((p) => p.actual != null || p.target != null);
    const chart = any ? T.chart("Biểu đồ " + b.indicator_name + " của " + series.name + " từ " + (year - 4) + " đến " + year + ": " +
        points.map((p) => p.label + " " + (p.actual == null ? "không có số liệu" : T.num(p.actual))).join(", "), 260, {
      type: "bar",
      data: {
        labels: points.map((p) => p.label.replace(/^Năm /, "").replace(/^6 tháng (đầu|cuối) năm /, "6T $1 ").replace(/^Tháng /, "T")),
        datasets: [
          { label: "Thực hiện", data: points.map((p) => p.actual), backgroundColor: "#1a4f8b", borderRadius: 3 },
          { label: "Chỉ tiêu", data: points.map((p) => p.target), backgroundColor: "#e3a33b", borderRadius: 3 },
        ],
      },
      options: {
        plugins: { tooltip: { callbacks: { label: (ctx) => ctx.dataset.label + ": " + (ctx.parsed.y == null ? "không có" : T.num(ctx.parsed.y) + " " + b.unit) } } },
        scales: { y: { beginAtZero: true, ticks: T.axisTicks } },
      },
    }) : h("p", { class: "muted" }, "Không có số liệu nào từ " + (year - 4) + " đến " + year + (every(period) ? "" : " tính theo cả năm") + ".");
    return [
      h("p", { class: "lead" }, b.label, " · đơn vị tính: ", b.unit),
      h("dl", { class: "pairs" },
        pair("Đơn vị báo cáo", b.reported, "reported"),
        pair("Cộng các đơn vị trực thuộc (" + b.children_reporting + "/" + b.children.length + " có số liệu)", b.children_total, "children_total"),
        pair("Chênh lệch", b.discrepancy, "discrepancy")),
      b.children.length ? T.table("breakdown", b.indicator_name + ": từng đơn vị trực thuộc, " + b.label,
        h("thead", null, h("tr", null, T.th("Đơn vị"), ["Thực hiện", "Chỉ tiêu", "Hoàn thành"].map((t) => T.th(t, { class: "num" })), T.th("Nguồn"))),
        h("tbody", null, b.children.map((c) => h("tr", { dataset: { org: c.org } },
          h("th", { scope: "row" }, h("a", { href: T.orgHref(c.org, period) }, c.name)),
          h("td", { class: "num", dataset: { field: "actual" } }, c.actual == null ? h("span", { class: "missing" }, "chưa có") : T.num(c.actual)),
          h("td", { class: "num", dataset: { field: "target" } }, T.num(c.target)),
          h("td", { class: "num", dataset: { field: "completion_pct" } }, T.pct(c.completion_pct)),
          h("td", null, T.sources[c.source] || c.source || "")))))
        : h("p", { class: "muted" }, "Đơn vị không có đơn vị trực thuộc trong kỳ này."),
      h("figure", { class: "chart" }, chart, h("figcaption", null, b.indicator_name + " qua 5 năm, " + (year - 4) + "–" + year + " (ô trống: không có số liệu)")),
    ];
  }
})();
