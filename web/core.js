"use strict";
// The dashboard's shared pieces: the API client (key, problems, downloads),
// a small DOM builder, Vietnamese number formats and labels. Every page
// script adds itself to window.thidua.pages; app.js picks one by address.
(function () {
  const T = (window.thidua = { pages: {} });

  // The service's root, whatever path prefix a proxy puts in front of it.
  const root = new URL(document.body.dataset.root || "./", location.href);
  T.root = root;

  // ------------------------------------------------------------ DOM

  // h("a", {href, class, dataset, onclick}, children...): never a style
  // attribute (the page's CSP refuses inline styles; element.style is fine).
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v == null || v === false) continue;
      if (k === "class") el.className = v;
      else if (k === "text") el.textContent = v;
      else if (k === "dataset") Object.assign(el.dataset, v);
      else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
      else if (k === "value" || k === "checked" || k === "selected") el[k] = v;
      else el.setAttribute(k, v === true ? "" : v);
    }
    add(el, children);
    return el;
  }
  function add(el, children) {
    for (const c of [children].flat(Infinity)) {
      if (c == null || c === false) continue;
      el.append(c instanceof Node ? c : String(c));
    }
    return el;
  }
  T.h = h;
  T.add = add;
  T.clear = (el, ...children) => {
    el.replaceChildren();
    return add(el, children);
  };

  // A link inside the service: path relative to its root ("dashboard/blocs/X").
  T.href = function (path, params) {
    const u = new URL(path, root);
    for (const [k, v] of Object.entries(params || {}))
      if (v != null && v !== "") u.searchParams.set(k, v);
    return u.pathname + u.search;
  };
  T.blocHref = (code, period) => T.href("dashboard/blocs/" + encodeURIComponent(code), { period });
  T.orgHref = (code, period) => T.href("dashboard/organizations/" + encodeURIComponent(code), { period });

  // A table inside a wrapper that scrolls sideways on a phone.
  T.table = function (cls, caption, head, bodies) {
    return h("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": caption },
      h("table", { class: cls }, h("caption", null, caption), head, bodies));
  };
  T.th = (text, attrs) => h("th", Object.assign({ scope: "col" }, attrs), text);

  // A GET form whose selects submit on change: each choice is a new
  // address, so the back button and a shared link both work.
  T.autoForm = function (attrs, ...children) {
    const form = h("form", Object.assign({ method: "get", class: "controls" }, attrs), children);
    form.addEventListener("change", (e) => {
      if (e.target.matches("select")) form.requestSubmit();
    });
    return form;
  };
  T.select = function (name, label, options, current) {
    // options: [{value, label}] or [{group, options: [...]}]
    const opt = (o) => h("option", { value: o.value, selected: String(o.value) === String(current) }, o.label);
    return h("label", null, h("span", null, label),
      h("select", { name }, options.map((o) => (o.group ? h("optgroup", { label: o.group }, o.options.map(opt)) : opt(o)))));
  };

  // ------------------------------------------------------------ numbers

  const nf = new Intl.NumberFormat("vi-VN", { maximumFractionDigits: 10 });
  T.num = (v) => (v == null ? "" : nf.format(v));
  T.pct = (v) => (v == null ? "" : nf.format(v) + "\u00a0%");
  T.signed = (v) => (v == null ? "" : (v > 0 ? "+" : v < 0 ? "−" : "") + nf.format(Math.abs(v)));
  T.signedPct = (v) => (v == null ? "" : T.signed(v) + "\u00a0%");
  T.bytes = (n) => (n < 1024 ? n + " B" : n < 1048576 ? nf.format(Math.round(n / 102.4) / 10) + " KB" : nf.format(Math.round(n / 104857.6) / 10) + " MB");
  T.date = (iso) => (iso ? iso.slice(8, 10) + "/" + iso.slice(5, 7) + "/" + iso.slice(0, 4) : "");

  // ------------------------------------------------------------ labels
  // The dictionary is the service's (labels.js, written from
  // src/domain/labels.c): the pages say what the exports say.
  const L = window.thiduaLabels || { columns: {}, values: {} };
  // kinds of organizations, blocs, indicators and periods share one list
  T.kinds = L.values.kind || {};
  T.sources = L.values.source || {};
  T.fields = Object.assign({ line: "Dòng" }, L.columns);

  // Reasons by problem code: rejected rows and errors[] carry an English
  // message; the code says the same in Vietnamese.
  T.reasons = {
    duplicate_row: "Trùng với một dòng khác của tệp", forbidden_role: "Khóa không đủ quyền",
    invalid_field: "Giá trị không hợp lệ", invalid_number: "Số không đọc được", invalid_parameter: "Tham số không hợp lệ",
    invalid_parent: "Đơn vị cấp trên không hợp lệ", invalid_period: "Mã kỳ không hợp lệ", invalid_row: "Dòng không hợp lệ",
    invalid_value: "Giá trị vượt giới hạn hoặc sai kiểu", missing_field: "Thiếu trường bắt buộc",
    missing_parameter: "Thiếu tham số", out_of_scope: "Ngoài phạm vi của khóa", outside_existence: "Đơn vị không tồn tại trong kỳ này",
    period_locked: "Kỳ đã khóa sổ", unknown_bloc: "Không có khối, cụm này", unknown_field: "Cột không được nhận",
    unknown_indicator: "Không có chỉ số này", unknown_organization: "Không có đơn vị này",
    unknown_parameter: "Tham số không được nhận", wrong_field_count: "Số cột khác dòng tiêu đề",
    constraint_violated: "Vi phạm quy tắc dữ liệu", invalid_csv: "Lỗi dấu ngoặc kép", invalid_csv_header: "Dòng tiêu đề không đúng",
    organization_exists: "Mã đơn vị đã có",
  };
  T.shortName = (name) => (name || "").replace(/^Liên đoàn Lao động /, "LĐLĐ ").replace(/^Công đoàn ngành /, "CĐ ngành ");

  // ------------------------------------------------------------ the API

  const KEY = "thidua.key";
  T.key = () => sessionStorage.getItem(KEY);
  T.setKey = (k) => sessionStorage.setItem(KEY, k);
  T.forgetKey = () => sessionStorage.removeItem(KEY);

  // A problem document (RFC 9457) the service answered, or a failure to reach it.
  class Problem extends Error {
    constructor(status, doc) {
      super((doc && doc.detail) || "Lỗi " + status);
      this.status = status;
      this.doc = doc || {};
      this.code = this.doc.code;
    }
  }
  class NeedKey extends Problem {}
  T.Problem = Problem;
  T.NeedKey = NeedKey;

  async function request(method, path, opts) {
    opts = opts || {};
    const url = new URL("v1/" + path, root);
    for (const [k, v] of Object.entries(opts.params || {}))
      if (v != null && v !== "") url.searchParams.set(k, v);
    const headers = { "Accept-Language": "vi", Accept: opts.accept || "application/json" };
    const key = T.key();
    if (key) headers.Authorization = "Bearer " + key;
    if (opts.type) headers["Content-Type"] = opts.type;
    let r;
    try {
      r = await fetch(url, { method, headers, body: opts.body, credentials: "omit", cache: "no-cache" });
    } catch (e) {
      throw new Problem(0, { detail: "Không kết nối được tới dịch vụ thidua; hãy kiểm tra mạng rồi tải lại trang." });
    }
    if (r.ok) return r;
    let doc = null;
    try {
      doc = await r.json();
    } catch (e) {
      doc = { detail: "Dịch vụ trả lời " + r.status + " " + r.statusText };
    }
    if (r.status === 401) {
      if (key && doc.code === "invalid_key") T.forgetKey();
      throw new NeedKey(401, doc);
    }
    throw new Problem(r.status, doc);
  }
  T.request = request;
  T.get = async (path, params) => (await request("GET", path, { params })).json();

  // Every page of a list (the lists here are short: blocs, indicators).
  T.getAll = async function (path, params) {
    let out = [];
    let cursor = null;
    do {
      const page = await T.get(path, Object.assign({ limit: 1000 }, params, { cursor }));
      out = out.concat(page.data);
      cursor = page.next_cursor;
    } while (cursor && out.length < 20000);
    return out;
  };

  // The indicator catalogue, once per page.
  let indicators = null;
  T.indicators = () => (indicators = indicators || T.getAll("indicators").then((list) => new Map(list.map((i) => [i.code, i]))));
  T.indicatorName = (map, code) => (map && map.get(code) ? map.get(code).name : code);

  // Tables download with the key, as the file the service names: a plain
  // link could not carry the Authorization header.
  T.download = async function (path, params, button) {
    if (button) button.disabled = true;
    try {
      const r = await request("GET", path, { params, accept: "*/*" });
      const blob = await r.blob();
      const name = fileName(r.headers.get("Content-Disposition")) || "thidua." + (params.format || "dat");
      const a = h("a", { href: URL.createObjectURL(blob), download: name, hidden: true });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 60000);
    } catch (e) {
      T.fail(e, button && button.closest("section"));
    } finally {
      if (button) button.disabled = false;
    }
  };
  function fileName(cd) {
    if (!cd) return null;
    let m = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(cd);
    if (m) return decodeURIComponent(m[1]);
    m = /filename\s*=\s*"([^"]*)"/i.exec(cd) || /filename\s*=\s*([^;]+)/i.exec(cd);
    return m ? m[1].trim() : null;
  }
  T.downloads = (path, params) =>
    h("div", { class: "downloads" }, "Tải về: ",
      ["csv", "xlsx"].map((format) =>
        h("button", { type: "button", class: "secondary", dataset: { format },
          onclick: (e) => T.download(path, Object.assign({}, params, { format }), e.currentTarget) },
          format === "csv" ? "CSV" : "Excel (XLSX)")));

  // ------------------------------------------------------------ problems

  T.problemBox = function (err) {
    const doc = (err && err.doc) || {};
    const detail = doc.detail || (err && err.message) || "Đã có lỗi.";
    return h("div", { class: "problem", role: "alert", dataset: { code: doc.code || "" } },
      h("p", null, h("strong", null, detail)),
      doc.errors && doc.errors.length
        ? h("ul", null, doc.errors.map((e) =>
            h("li", null, h("span", { class: "field" }, T.fields[e.field] || e.field), ": ",
              T.reasons[e.code] ? [T.reasons[e.code], e.message ? " — " : ""] : null,
              e.message ? h("span", { class: "detail" }, e.message) : null)))
        : null,
      err && err.status === 403 ? h("p", null, "Khóa đang dùng không có quyền này; ", changeKeyButton("dùng khóa khác"), ".") : null,
      doc.request_id ? h("p", { class: "muted small" }, "Mã yêu cầu (để báo lỗi): ", h("code", null, doc.request_id)) : null);
  };

  // A failure inside a part of the page: a missing key takes the whole
  // page to the key form; anything else is said where it happened.
  T.fail = function (err, where) {
    if (err instanceof NeedKey) return T.askKey(err);
    if (!(err instanceof Problem)) console.error(err);
    if (where) where.append(T.problemBox(err));
  };

  // A part of the page filled by an async function, its failures kept inside it.
  T.section = function (attrs, title, fill) {
    const body = h("div", { class: "section-body", "aria-busy": "true" }, h("p", { class: "muted" }, "Đang tải…"));
    const sec = h("section", attrs, title ? h("h2", null, title) : null, body);
    Promise.resolve()
      .then(() => fill(body))
      .then((out) => {
        if (out !== undefined) T.clear(body, out);
      })
      .catch((err) => {
        body.replaceChildren();
        T.fail(err, body);
      })
      .finally(() => body.removeAttribute("aria-busy"));
    return sec;
  };

  // ------------------------------------------------------------ the key

  const main = () => document.getElementById("main");
  let asking = false;

  T.askKey = function (err) {
    if (asking) return;
    asking = true;
    const wrong = err && err.doc && err.doc.code === "invalid_key";
    const input = h("input", { type: "password", name: "key", id: "key", required: true, autocomplete: "off",
      spellcheck: "false", placeholder: "thd_…" });
    const form = h("form", { class: "keyform", id: "keyform" },
      h("h1", null, "Cần khóa truy cập"),
      h("p", null, "Trang này lấy số liệu từ dịch vụ thidua. Hãy nhập khóa truy cập (API key) được cấp cho đơn vị của bạn."),
      wrong ? h("p", { class: "problem", role: "alert" }, err.doc.detail) : null,
      h("label", { for: "key" }, "Khóa truy cập"),
      h("div", { class: "row" }, input, h("button", { type: "submit" }, "Tiếp tục")),
      h("p", { class: "muted small" },
        "Khóa chỉ được giữ trong thẻ trình duyệt này (sessionStorage), gửi kèm mỗi yêu cầu trong tiêu đề Authorization, " +
        "không bao giờ nằm trên địa chỉ trang; đóng thẻ là khóa bị quên."));
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const k = input.value.trim();
      if (!k) return;
      T.setKey(k);
      asking = false;
      T.start();
    });
    document.title = "Cần khóa truy cập — thidua";
    T.clear(main(), form);
    keyStatus();
    input.focus();
  };

  function changeKeyButton(text, id) {
    return h("button", { type: "button", class: "link change-key", id: id || null, onclick: () => {
      T.forgetKey();
      asking = false;
      T.askKey(null);
    } }, text || "đổi khóa");
  }

  function keyStatus() {
    const el = document.getElementById("keystatus");
    if (!el) return;
    if (T.key()) T.clear(el, h("span", { class: "muted" }, "Đã nhập khóa"), " · ", changeKeyButton(null, "change-key"));
    else if (!asking) T.clear(el, changeKeyButton("nhập khóa", "change-key"));
    else el.replaceChildren();
  }

  // ------------------------------------------------------------ charts

  // A Chart.js chart in a box of the given height; Chart.js is Debian's,
  // served beside this script. Drawn without animation: what is on screen
  // is final at once (and a test or a benchmark can tell when).
  T.chart = function (label, height, config) {
    const canvas = h("canvas", { role: "img", "aria-label": label }, label);
    const box = h("div", { class: "chart-box" }, canvas);
    box.style.height = height + "px";
    if (!window.Chart) return h("p", { class: "muted" }, "Không vẽ được biểu đồ (thiếu Chart.js).");
    const opts = config.options || (config.options = {});
    opts.animation = false;
    opts.responsive = true;
    opts.maintainAspectRatio = false;
    opts.locale = "vi-VN";
    // after the box is in the page, so that it has a size
    requestAnimationFrame(() => {
      if (canvas.isConnected) new window.Chart(canvas, config);
    });
    return box;
  };
  T.axisTicks = { callback: (v) => T.num(v) };

  // ------------------------------------------------------------ start

  T.start = function () {
    const m = main();
    m.setAttribute("aria-busy", "true");
    T.clear(m, h("p", { class: "muted" }, "Đang tải…"));
    keyStatus();
    const page = T.route();
    document.title = page.title + " — thidua";
    Promise.resolve()
      .then(() => page.render(m))
      .catch((err) => {
        if (err instanceof NeedKey) return T.askKey(err);
        if (!(err instanceof Problem)) console.error(err);
        T.clear(m, h("h1", null, page.title), T.problemBox(err));
      })
      .finally(() => {
        m.removeAttribute("aria-busy");
        keyStatus();
      });
  };
})();
