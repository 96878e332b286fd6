"use strict";
// /dashboard/blocs/{code}?period=P[&indicator=I&by=completion]: the
// scoreboard, its chart, who has reported, and the bloc's own totals.
(function () {
  const T = window.thidua;
  const h = T.h;
  const enc = encodeURIComponent;

  T.pages.bloc = async function (main, code, q) {
    const bloc = await T.get("blocs/" + enc(code));
    const years = bloc.years.slice().sort((a, b) => b - a);
    const asked = (q.get("period") || "").trim().toUpperCase();
    const indicator = (q.get("indicator") || "").trim();
    // the page's address carries only period and indicator (the service
    // refuses any other parameter on a page), so ranking is by actual here
    const by = "";
    const words = bloc.kind === "khoi"
      ? { unit: "khối", leader: "Trưởng khối", deputy: "Phó trưởng khối" }
      : { unit: "cụm", leader: "Cụm trưởng", deputy: "Cụm phó" };

    const [periods, indicators] = await Promise.all([T.get("periods").then((p) => p.data, () => []), T.indicators()]);
    const summaryOf = (p) => T.get("blocs/" + enc(code) + "/summary", { period: p }).catch((e) => (quiet(e), e));
    // an indicator of the bloc's summary with a figure: its own, or a member's
    const reported = (i) => i.members_reporting > 0 || i.actual != null;
    const hasFigures = (s) => !!(s && s.items && s.items.some(reported));
    // The period shown: the one asked, else the bloc's latest year. When it
    // holds no figure, the latest period of the bloc's years that does: shown
    // at once when none was asked, offered as a link when one was (a year
    // whose first half is all that is reported yet).
    let period = asked || (years.length ? String(years[0]) : "");
    let summary = period ? await summaryOf(period) : null;
    let nearest = null;
    if (period && !hasFigures(summary)) {
      const candidates = periods
        .filter((p) => years.includes(p.year) && p.kind !== "term" && p.code !== period)
        .sort((a, b) => (a.end !== b.end ? (a.end < b.end ? 1 : -1) : a.start < b.start ? -1 : 1));
      for (const p of candidates.slice(0, 12)) {
        const s = await summaryOf(p.code);
        if (!hasFigures(s)) continue;
        if (asked) nearest = p;
        else [period, summary] = [p.code, s];
        break;
      }
    }
    const year = parseInt(period.slice(0, 4), 10);
    const yearDoc = years.includes(year) ? await T.get("blocs/" + enc(code) + "/years/" + year).catch(quiet) : null;
    const criteria = yearDoc ? yearDoc.criteria : [];
    const withFigures = summary && summary.items ? summary.items.filter(reported) : [];

    // the choices: period (the bloc's years and the periods holding data
    // within them), what to rank by
    const periodGroups = years.map((y) => {
      const inYear = periods.filter((p) => p.year === y && p.kind !== "term" && p.code !== String(y));
      return { group: "Năm " + y, options: [{ value: String(y), label: "Cả năm " + y }].concat(inYear.map((p) => ({ value: p.code, label: p.label }))) };
    });
    if (period && !periodGroups.some((g) => g.options.some((o) => o.value === period)))
      periodGroups.unshift({ group: "Kỳ đang xem", options: [{ value: period, label: period }] });
    const shown = new Set(withFigures.map((i) => i.indicator));
    const rankOptions = [{ value: "", label: criteria.length ? "Tiêu chí chấm điểm của năm (" + criteria.length + " tiêu chí)" : "— chọn một chỉ số —" }];
    if (shown.size) rankOptions.push({ group: "Có số liệu kỳ này", options: withFigures.map((i) => ({ value: i.indicator, label: i.indicator_name })) });
    rankOptions.push({ group: "Các chỉ số khác", options: [...indicators.values()].filter((i) => !shown.has(i.code)).map((i) => ({ value: i.code, label: i.name })) });
    const controls = T.autoForm({ "aria-label": "Chọn kỳ và cách xếp hạng" },
      T.select("period", "Kỳ", periodGroups, period),
      T.select("indicator", "Xếp hạng theo", rankOptions, indicator));

    const organizer = bloc.organizer
      ? h("a", { href: T.orgHref(bloc.organizer, period) }, bloc.organizer)
      : "các đơn vị thành viên cùng tổ chức";
    T.clear(main,
      h("nav", { class: "crumbs", "aria-label": "Vị trí" }, h("a", { href: T.href("dashboard/", { year: year || null }) }, "Khối, cụm thi đua"), " › ", code),
      h("h1", null, bloc.name),
      h("p", { class: "meta" }, T.kinds[bloc.kind] || bloc.kind, " · mã ", h("code", null, bloc.code), " · đơn vị tổ chức: ", organizer,
        years.length ? [" · các năm: ", years.slice().reverse().map((y, i) => [i ? ", " : "", h("a", { href: T.blocHref(code, y) }, String(y))])] : null),
      bloc.note ? h("p", { class: "note" }, bloc.note) : null,
      controls,
      nearest ? h("p", { class: "note", dataset: { nearest: nearest.code } }, ((periods.find((p) => p.code === period) || {}).label || "Kỳ " + period) + " chưa có số liệu. Kỳ gần nhất có số liệu: ",
        h("a", { href: T.blocHref(code, nearest.code) }, nearest.label), ".") : null,
      period ? [
        T.section({ id: "scoreboard" }, "Bảng xếp hạng", (body) => scoreboard(body, { code, period, indicator, by, criteria, yearDoc, words, indicators })),
        T.section({ id: "reporting" }, "Tình hình báo cáo số liệu", (body) =>
          T.reporting(body, "blocs/" + enc(code) + "/reporting", { period, indicator: indicator || null }, indicators, period,
            indicator || criteria.length ? null : "Chọn một chỉ số để xem đơn vị nào đã báo cáo.")),
        T.section({ id: "summary" }, "Số liệu của " + words.unit + " và cộng các thành viên", () => summaryTable(summary, code, period, words)),
      ] : h("p", null, "Khối, cụm này chưa có năm nào."));
  };

  function quiet(e) {
    if (e instanceof T.NeedKey) throw e;
    return null;
  }

  async function scoreboard(body, o) {
    if (!o.indicator && !o.criteria.length && o.yearDoc)
      return chooseIndicator("Năm " + o.yearDoc.year + " " + o.words.unit + " chưa có tiêu chí chấm điểm: hãy chọn một chỉ số để xếp hạng các thành viên.");
    let board;
    try {
      board = await T.get("blocs/" + enc(o.code) + "/scoreboard", { period: o.period, indicator: o.indicator || null, by: o.by || null });
    } catch (e) {
      if (e.code === "missing_parameter" && (e.doc.errors || []).some((x) => x.field === "indicator"))
        return chooseIndicator(e.message + " Hãy chọn một chỉ số để xếp hạng.");
      throw e;
    }
    const members = board.members;
    const names = new Map(members.map((m) => [m.org, m.name]));
    const byIndicator = board.ranking === "indicator";
    const ind = byIndicator ? o.indicators.get(board.indicator) : null;
    const scoreLabel = !byIndicator ? "Tổng điểm" : board.by === "completion" ? "Tỷ lệ hoàn thành" : "Thực hiện" + (ind ? " (" + ind.unit + ")" : "");
    const fmtScore = (v) => (byIndicator && board.by === "completion" ? T.pct(v) : T.num(v));
    // ranked by one indicator, its column says target and completion: none when no member has a target
    const crits = !members.length || (byIndicator && !members.some((m) => m.criteria.some((c) => c.target != null))) ? [] : members[0].criteria;
    const weights = new Map(o.criteria.map((c) => [c.indicator, c]));
    // previous_rank: the rank a year before (absent from older services)
    const withPrev = members.some((m) => m.previous_rank != null);
    const withAdj = !byIndicator && members.some((m) => m.bonus != null || m.penalty != null);
    const ranked = members.filter((m) => m.rank != null);
    const unranked = members.filter((m) => m.rank == null);
    const columns = 3 + (withPrev ? 1 : 0) + crits.length + (withAdj ? 1 : 0) + (unranked.length ? 1 : 0);

    const leaderName = board.leader ? names.get(board.leader) || board.leader : board.leader_person;
    const deputy = board.deputy || (o.yearDoc && o.yearDoc.deputy);
    const deputyName = deputy ? names.get(deputy) || deputy : o.yearDoc && o.yearDoc.deputy_person;
    const people = h("dl", { class: "people" },
      h("div", null, h("dt", null, o.words.leader), h("dd", { dataset: { field: "leader" } }, leaderName || h("span", { class: "muted" }, "chưa có"))),
      h("div", null, h("dt", null, o.words.deputy), h("dd", { dataset: { field: "deputy" } }, deputyName || h("span", { class: "muted" }, "chưa có"))),
      h("div", null, h("dt", null, "Dẫn đầu"), h("dd", { dataset: { field: "leading" } },
        board.leading.length ? board.leading.map((c, i) => [i ? ", " : "", names.get(c) || c]) : h("span", { class: "muted" }, "chưa xác định"))));

    const critHead = (c) => {
      const w = weights.get(c.indicator) || c;
      return T.th([h("span", null, c.indicator_name),
        !byIndicator && w.weight != null
          ? h("small", null, "tối đa " + T.num(w.weight) + " điểm" + (w.cap_pct != null ? ", tính đến " + T.pct(w.cap_pct) : ""))
          : byIndicator ? h("small", null, "chỉ tiêu · hoàn thành") : null], { class: "num", dataset: { criterion: c.indicator } });
    };
    const critCell = (c) => {
      const title = "Thực hiện " + (c.actual == null ? "—" : T.num(c.actual)) + " / chỉ tiêu " + (c.target == null ? "—" : T.num(c.target)) +
        (c.rank != null ? " · hạng " + c.rank + " theo chỉ số này" : "");
      let content;
      if (byIndicator) {
        content = c.target == null ? h("span", { class: "muted", title: "Chưa có chỉ tiêu" }, "—")
          : [h("span", { class: "main" }, T.num(c.target)), h("span", { class: "sub" }, c.completion_pct == null ? "" : T.pct(c.completion_pct))];
      } else if (c.actual == null) content = h("span", { class: "missing" }, "thiếu số liệu");
      else if (c.points == null) content = [h("span", { class: "main" }, "—"), h("span", { class: "sub" }, "chưa có chỉ tiêu")];
      else content = [h("span", { class: "main" }, T.num(c.points)), h("span", { class: "sub" }, T.pct(c.completion_pct))];
      return h("td", { class: "num", title, dataset: { field: "criterion:" + c.indicator } }, content);
    };
    const change = (m) => {
      const prev = m.previous_rank;
      if (prev == null || m.rank == null)
        return h("td", { class: "change", dataset: { field: "rank_change" }, title: prev == null ? "Cùng kỳ năm trước chưa có hạng" : "Cùng kỳ năm trước hạng " + prev }, "");
      const d = prev - m.rank;
      const text = d > 0 ? "▲" + d : d < 0 ? "▼" + -d : "=";
      const said = d > 0 ? "lên " + d + " bậc" : d < 0 ? "xuống " + -d + " bậc" : "giữ hạng";
      return h("td", { class: "change " + (d > 0 ? "up" : d < 0 ? "down" : "same"), dataset: { field: "rank_change" },
        title: "Cùng kỳ năm trước hạng " + prev, "aria-label": said + " (cùng kỳ năm trước hạng " + prev + ")" }, text);
    };
    const row = (m) => h("tr", { dataset: { org: m.org }, class: [m.rank === 1 ? "first" : "", m.rank == null ? "unranked" : ""].join(" ").trim() || null },
      h("td", { class: "rank", dataset: { field: "rank" } }, m.rank != null ? String(m.rank) : h("span", { title: "Chưa xếp hạng" }, "—")),
      withPrev ? change(m) : null,
      h("th", { scope: "row", class: "org" }, h("a", { href: T.orgHref(m.org, o.period) },
        h("span", { class: "full" }, m.name), h("span", { class: "short" }, T.shortName(m.name))),
        m.org === board.leader ? h("span", { class: "badge" }, o.words.leader) : null,
        m.org === deputy ? h("span", { class: "badge" }, o.words.deputy) : null),
      h("td", { class: "num score", dataset: { field: "score" } }, fmtScore(m.score)),
      crits.length ? m.criteria.map(critCell) : null,
      withAdj ? h("td", { class: "num adj", dataset: { field: "adjustment" } },
        m.bonus != null ? h("span", { class: "up" }, "+" + T.num(m.bonus)) : null, m.bonus != null && m.penalty != null ? " " : null,
        m.penalty != null ? h("span", { class: "down" }, "−" + T.num(m.penalty)) : null) : null,
      unranked.length ? h("td", { class: "missing-list", dataset: { field: "missing" } },
        m.missing && m.missing.length ? ["Thiếu: ", m.missing.map((c) => T.indicatorName(o.indicators, c)).join("; ")] : null) : null);

    const table = T.table("board", "Bảng xếp hạng " + board.name + ", " + board.label + (byIndicator ? ", theo " + (ind ? ind.name : board.indicator) : ""),
      h("thead", null, h("tr", null, T.th("Hạng", { class: "rank" }), withPrev ? T.th(["Thay đổi", h("small", null, "so với cùng kỳ năm trước")], { class: "change" }) : null,
        T.th("Đơn vị", { class: "org" }), T.th(scoreLabel, { class: "num score" }), crits.map(critHead),
        withAdj ? T.th("Cộng, trừ điểm", { class: "num" }) : null, unranked.length ? T.th("Còn thiếu") : null)),
      [h("tbody", { class: "ranked" }, ranked.map(row)),
        unranked.length ? h("tbody", { class: "unranked" },
          h("tr", { class: "group" }, h("th", { scope: "rowgroup", colspan: String(columns) },
            "Chưa xếp hạng — thiếu số liệu (" + unranked.length + " đơn vị)")), unranked.map(row)) : null]);

    const scored = members.filter((m) => m.score != null);
    const chart = scored.length
      ? T.chart("Biểu đồ " + scoreLabel.toLowerCase() + " của các thành viên: " + scored.map((m) => T.shortName(m.name) + " " + fmtScore(m.score)).join(", "),
          60 + 34 * scored.length, {
            type: "bar",
            data: {
              labels: scored.map((m) => T.shortName(m.name)),
              datasets: [{ label: scoreLabel, data: scored.map((m) => m.score), borderRadius: 3,
                backgroundColor: scored.map((m) => (m.rank == null ? "#a9bcd6" : m.rank === 1 ? "#c0392b" : "#1a4f8b")) }],
            },
            options: {
              indexAxis: "y",
              plugins: { legend: { display: false },
                tooltip: { callbacks: { label: (ctx) => scoreLabel + ": " + fmtScore(ctx.parsed.x) + (scored[ctx.dataIndex].rank == null ? " (chưa xếp hạng)" : "") } } },
              scales: { x: { beginAtZero: true, ticks: byIndicator && board.by === "completion" ? { callback: (v) => T.pct(v) } : T.axisTicks } },
            },
          })
      : null;

    return [
      h("p", { class: "lead" }, board.label, byIndicator ? [" · xếp hạng theo ", h("strong", null, ind ? ind.name : board.indicator),
        board.by === "completion" ? " (tỷ lệ hoàn thành chỉ tiêu)" : ""] : " · xếp hạng theo tiêu chí chấm điểm"),
      people,
      table,
      !byIndicator && o.yearDoc && o.yearDoc.adjustments.length ? adjustments(o.yearDoc.adjustments, names) : null,
      chart ? h("figure", { class: "chart" }, chart, h("figcaption", null, scoreLabel + " của từng thành viên (nhạt: chưa xếp hạng)")) : null,
      T.downloads("blocs/" + enc(o.code) + "/scoreboard", { period: o.period, indicator: o.indicator || null, by: o.by || null }),
    ];
  }

  function chooseIndicator(text) {
    return h("p", { class: "choose", role: "status" }, text, " ",
      h("button", { type: "button", class: "secondary", onclick: () => document.querySelector("select[name=indicator]").focus() }, "Chọn chỉ số"));
  }

  function adjustments(list, names) {
    return h("details", { class: "adjustments" }, h("summary", null, "Điểm cộng, trừ (" + list.length + ")"),
      h("ul", null, list.map((a) => h("li", null, names.get(a.org) || a.org, ": ",
        h("strong", { class: a.points >= 0 ? "up" : "down" }, T.signed(a.points)), " — ", a.reason))));
  }

  function summaryTable(summary, code, period, words) {
    if (summary instanceof Error) throw summary;
    if (!summary || !summary.items.length) return h("p", { class: "muted" }, "Kỳ này chưa có số liệu nào.");
    const n = summary.members.length;
    const cell = (v, field, fmt) => h("td", { class: "num", dataset: { field } }, (fmt || T.num)(v));
    return [
      T.table("summary", "Số liệu " + summary.label + ": " + summary.name + " tự báo cáo, và cộng số liệu của " + n + " thành viên",
        h("thead", null,
          h("tr", null, T.th("Chỉ số", { rowspan: "2" }), T.th("Đơn vị tính", { rowspan: "2" }),
            T.th(words.unit[0].toUpperCase() + words.unit.slice(1) + " tự báo cáo", { scope: "colgroup", colspan: "3" }), T.th("Cộng các thành viên", { scope: "colgroup", colspan: "4" })),
          h("tr", null, ["Thực hiện", "Chỉ tiêu", "Hoàn thành", "Thực hiện", "Chỉ tiêu", "Hoàn thành", "Đơn vị có số liệu"].map((t) => T.th(t, { class: "num" })))),
        h("tbody", null, summary.items.map((i) => h("tr", { dataset: { indicator: i.indicator } },
          h("th", { scope: "row" }, i.indicator_name, " ",
            h("a", { class: "small", href: T.href("dashboard/blocs/" + enc(code), { period, indicator: i.indicator }),
              title: "Xếp hạng các thành viên theo chỉ số này" }, "xếp hạng")),
          h("td", null, i.unit),
          cell(i.actual, "actual"), cell(i.target, "target"), cell(i.completion_pct, "completion_pct", T.pct),
          cell(i.members_actual, "members_actual"), cell(i.members_target, "members_target"),
          cell(i.members_completion_pct, "members_completion_pct", T.pct),
          h("td", { class: "num", dataset: { field: "members_reporting" } }, i.members_reporting + "/" + n))))),
      T.downloads("blocs/" + enc(code) + "/summary", { period }),
    ];
  }

  // Who has reported what (blocs and organizations alike); a service
  // without the reporting resource yet answers 404 not_found: said, not failed.
  T.reporting = async function (body, path, params, indicators, period, needIndicator) {
    if (needIndicator) return h("p", { class: "muted" }, needIndicator);
    let doc;
    try {
      doc = await T.get(path, params);
    } catch (e) {
      if (e.status === 404 && e.code === "not_found")
        return h("p", { class: "muted", dataset: { unavailable: "true" } }, "Dịch vụ này chưa có thông tin tình hình báo cáo số liệu.");
      if (e.code === "missing_parameter") return h("p", { class: "muted" }, "Chọn một chỉ số để xem đơn vị nào đã báo cáo.");
      throw e;
    }
    if (!doc.members.length) return h("p", { class: "muted" }, "Không có đơn vị nào phải báo cáo trong " + doc.label + ".");
    const share = doc.expected ? Math.round((1000 * doc.received) / doc.expected) / 10 : 0;
    const bar = h("span");
    bar.style.width = share + "%";
    const names = (list) => (list || []).map((c) => T.indicatorName(indicators, c));
    return [
      h("p", { class: "reporting-count" }, "Đã nhận ", h("strong", { dataset: { field: "received" } }, T.num(doc.received)), " / ",
        h("span", { dataset: { field: "expected" } }, T.num(doc.expected)), " số liệu cần báo cáo (", T.pct(share), ") · ", doc.label),
      h("div", { class: "meter", role: "presentation" }, bar),
      T.table("reporting", "Tình hình báo cáo của từng đơn vị, " + doc.label,
        h("thead", null, h("tr", null, T.th("Đơn vị"), T.th("Đã báo cáo"), T.th("Còn thiếu"))),
        h("tbody", null, doc.members.map((m) => h("tr", { dataset: { org: m.org }, class: m.missing && m.missing.length ? "late" : "done" },
          h("th", { scope: "row" }, h("a", { href: T.orgHref(m.org, period) }, m.name)),
          h("td", { dataset: { field: "received" } }, (m.received || []).map((c, i) => [i ? "; " : "", T.indicatorName(indicators, c),
            m.derived && m.derived[c] ? h("span", { class: "muted" }, " (" + (T.sources[m.derived[c]] || m.derived[c]) + ")") : null])),
          h("td", { dataset: { field: "missing" } }, m.missing && m.missing.length ? h("span", { class: "missing" }, names(m.missing).join("; ")) : "✓"))))),
    ];
  };
})();
