"use strict";
// /dashboard: the blocs of a year, and a search over organizations.
(function () {
  const T = window.thidua;
  const h = T.h;

  T.pages.home = async function (main, q) {
    const all = await T.getAll("blocs");
    const years = [...new Set(all.flatMap((b) => b.years))].sort((a, b) => b - a);
    const asked = parseInt(q.get("year"), 10);
    const year = years.includes(asked) || (asked >= 1900 && asked <= 2100) ? asked : years[0];
    const search = q.get("q") || "";

    const list = T.section({ id: "blocs", "aria-labelledby": "blocs-title" }, null, async (body) => {
      if (!year) return h("p", null, "Chưa có khối, cụm thi đua nào.");
      const blocs = await T.getAll("blocs", { year });
      if (!blocs.length) return h("p", null, "Năm " + year + " chưa có khối, cụm thi đua nào.");
      const organizers = await organizerNames(blocs);
      return T.table("blocs", "Các khối, cụm thi đua năm " + year,
        h("thead", null, h("tr", null, T.th("Khối, cụm thi đua"), T.th("Mã"), T.th("Loại"), T.th("Đơn vị tổ chức"),
          T.th("Các năm có số liệu"))),
        h("tbody", null, blocs.map((b) =>
          h("tr", { dataset: { bloc: b.code } },
            h("th", { scope: "row" }, h("a", { href: T.blocHref(b.code, year) }, b.name)),
            h("td", null, h("code", null, b.code)),
            h("td", null, T.kinds[b.kind] || b.kind),
            h("td", null, b.organizer ? h("a", { href: T.orgHref(b.organizer) }, organizers.get(b.organizer) || b.organizer)
              : h("span", { class: "muted" }, "các đơn vị cùng tổ chức")),
            h("td", { class: "years" }, b.years.map((y) => h("a", { href: T.blocHref(b.code, y),
              "aria-current": y === year ? "true" : null }, String(y))))))));
    });

    const results = h("div", { id: "org-results", "aria-live": "polite" });
    const input = h("input", { type: "search", name: "q", id: "q", value: search, autocomplete: "off", maxlength: "200",
      placeholder: "Tên hoặc mã; gõ không dấu cũng được (hai ba trung)" });
    const searchForm = h("form", { method: "get", role: "search", class: "search" },
      year ? h("input", { type: "hidden", name: "year", value: String(year) }) : null,
      h("label", { for: "q" }, "Tìm đơn vị"), h("div", { class: "row" }, input, h("button", null, "Tìm")));
    let timer = null;
    let searchSeq = 0;
    const find = async (text) => {
      const mine = ++searchSeq;
      if (!text.trim()) return results.replaceChildren();
      try {
        const page = await T.get("organizations", { q: text.trim(), include_dissolved: "true", limit: 50 });
        if (mine !== searchSeq) return;
        T.clear(results, page.data.length
          ? h("ul", { class: "orgs" }, page.data.map((o) =>
              h("li", { dataset: { org: o.code } }, h("a", { href: T.orgHref(o.code) }, o.name), " ",
                h("span", { class: "muted" }, o.code + " · " + (T.kinds[o.kind] || o.kind) +
                  (o.valid_to ? " · đến " + T.date(o.valid_to) : "")))))
          : h("p", null, "Không tìm thấy đơn vị nào khớp với “" + text.trim() + "”."),
          page.next_cursor ? h("p", { class: "muted small" }, "Chỉ hiện 50 đơn vị đầu; hãy gõ cụ thể hơn.") : null);
      } catch (e) {
        if (mine === searchSeq) T.clear(results), T.fail(e, results);
      }
    };
    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        const u = new URL(location.href);
        if (input.value) u.searchParams.set("q", input.value);
        else u.searchParams.delete("q");
        history.replaceState(null, "", u);
        find(input.value);
      }, 250);
    });
    if (search) find(search);

    T.clear(main,
      h("h1", { id: "blocs-title" }, "Khối, cụm thi đua"),
      years.length
        ? T.autoForm({ "aria-label": "Chọn năm" }, T.select("year", "Năm", years.map((y) => ({ value: y, label: "Năm " + y })), year),
            search ? h("input", { type: "hidden", name: "q", value: search }) : null)
        : null,
      list,
      h("section", { id: "search", "aria-labelledby": "search-title" },
        h("h2", { id: "search-title" }, "Đơn vị"), searchForm, results),
      h("p", null, h("a", { href: T.href("dashboard/import") }, "Nhập số liệu từ tệp CSV hoặc Excel →")));
  };

  async function organizerNames(blocs) {
    const codes = [...new Set(blocs.map((b) => b.organizer).filter(Boolean))];
    const names = new Map();
    await Promise.all(codes.map((c) => T.get("organizations/" + encodeURIComponent(c))
      .then((o) => names.set(c, o.short_name || o.name))
      .catch((e) => {
        if (e instanceof T.NeedKey) throw e;
      })));
    return names;
  }
})();
