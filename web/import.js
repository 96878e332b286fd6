"use strict";
// /dashboard/import: a CSV or XLSX file, checked first (a dry run: what is
// rejected and why, what would change), written only when asked; and the
// template to fill.
(function () {
  const T = window.thidua;
  const h = T.h;

  const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  const KINDS = {
    values: { path: "values", label: "Số liệu (thực hiện, chỉ tiêu)", decimal: true },
    organizations: { path: "organizations", label: "Danh sách đơn vị" },
    indicators: { path: "indicators", label: "Danh mục chỉ số" },
  };

  function contentType(file) {
    const name = file.name.toLowerCase();
    if (name.endsWith(".xlsx")) return XLSX;
    if (name.endsWith(".csv") || name.endsWith(".txt")) return "text/csv";
    if (name.endsWith(".json")) return "application/json";
    if (name.endsWith(".xls")) return "application/vnd.ms-excel";
    return file.type || "application/octet-stream";
  }

  T.pages.import = async function (main, q) {
    const [blocs, indicators] = await Promise.all([T.getAll("blocs"), T.indicators()]);
    const kind = "values";
    let file = null;
    const result = h("div", { id: "import-result", "aria-live": "polite" });

    // ---- the file
    const input = h("input", { type: "file", id: "file", name: "file", class: "visually-hidden", accept: ".csv,.xlsx,.json,text/csv," + XLSX });
    const chosen = h("span", { class: "chosen", id: "file-chosen" }, "chưa chọn tệp");
    const drop = h("label", { class: "drop", for: "file" },
      h("strong", null, "Kéo thả tệp CSV hoặc Excel (.xlsx) vào đây"), h("span", null, "hoặc ", h("span", { class: "button secondary" }, "chọn tệp…")), input, chosen);
    const use = (f) => {
      file = f || null;
      result.replaceChildren();
      chosen.textContent = file ? file.name + " (" + T.bytes(file.size) + ")" : "chưa chọn tệp";
      drop.classList.toggle("has-file", !!file);
    };
    input.addEventListener("change", () => use(input.files[0]));
    drop.addEventListener("dragover", (e) => {
      e.preventDefault();
      drop.classList.add("over");
    });
    drop.addEventListener("dragleave", () => drop.classList.remove("over"));
    drop.addEventListener("drop", (e) => {
      e.preventDefault();
      drop.classList.remove("over");
      if (e.dataTransfer.files.length) use(e.dataTransfer.files[0]);
    });

    // ---- the options
    const kindField = h("fieldset", { class: "kinds" }, h("legend", null, "Loại dữ liệu"),
      Object.entries(KINDS).map(([k, v]) => h("label", null,
        h("input", { type: "radio", name: "kind", value: k, checked: k === kind }), " ", v.label)));
    const decimal = h("label", { class: "decimal" }, h("span", null, "Số thập phân"),
      h("select", { name: "decimal" },
        h("option", { value: "" }, "tự nhận biết (hỏi lại khi không chắc)"),
        h("option", { value: "point" }, "dấu chấm: 2529.554"),
        h("option", { value: "comma" }, "dấu phẩy: 2.529,554")));
    const skip = h("input", { type: "checkbox", name: "on_error", value: "skip" });
    const clear = h("input", { type: "checkbox", name: "empty", value: "clear" });
    const form = h("form", { id: "import-form", class: "import" }, kindField, drop,
      h("div", { class: "options" }, decimal,
        h("label", null, skip, " Bỏ qua các dòng lỗi, chỉ ghi các dòng hợp lệ"),
        h("label", null, clear, " Ô để trống thì xóa giá trị đang lưu (mặc định: giữ nguyên)")),
      h("div", { class: "row" }, h("button", { type: "submit", id: "dry-run" }, "Kiểm tra trước (chưa ghi)")));
    const current = () => form.querySelector("input[name=kind]:checked").value;
    form.addEventListener("change", (e) => {
      if (e.target.name === "kind") decimal.hidden = !KINDS[current()].decimal;
      if (e.target !== input) result.replaceChildren();
    });
    decimal.hidden = !KINDS[kind].decimal;

    const params = (dry) => ({
      dry_run: dry ? "true" : null,
      decimal: KINDS[current()].decimal ? form.elements.decimal.value || null : null,
      on_error: skip.checked ? "skip" : null,
      empty: clear.checked ? "clear" : null,
    });
    const send = async (dry) => {
      const k = KINDS[current()];
      try {
        const r = await T.request("PUT", k.path, { params: params(dry), body: file, type: contentType(file) });
        return await r.json();
      } catch (e) {
        // a refused import still says row by row why: show it as a result
        if (e instanceof T.Problem && e.doc && Array.isArray(e.doc.rejected)) return Object.assign({ problem: e }, e.doc);
        throw e;
      }
    };
    const busy = (button, on) => {
      button.disabled = on;
      button.setAttribute("aria-busy", on ? "true" : "false");
    };

    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      if (!file) {
        T.clear(result, h("p", { class: "problem", role: "alert" }, "Hãy chọn một tệp CSV hoặc Excel (.xlsx) trước."));
        return;
      }
      const button = form.querySelector("#dry-run");
      busy(button, true);
      T.clear(result, h("p", { class: "muted" }, "Đang kiểm tra " + file.name + "…"));
      try {
        const sum = await send(true);
        showDryRun(sum, current(), indicators, async (writeButton) => {
          busy(writeButton, true);
          try {
            const done = await send(false);
            T.clear(result, summary(done, current(), indicators, false));
          } catch (err) {
            busy(writeButton, false);
            T.fail(err, result);
          }
        });
      } catch (err) {
        T.clear(result);
        T.fail(err, result);
      } finally {
        busy(button, false);
      }
    });

    function showDryRun(sum, kindName, inds, write) {
      const rejected = sum.rejected_count || 0;
      const changes = sum.changes_count != null ? sum.changes_count : sum.created + sum.updated;
      const canWrite = changes > 0 && (rejected === 0 || skip.checked);
      const writeButton = h("button", { type: "button", id: "write", disabled: !canWrite, onclick: (e) => write(e.currentTarget) },
        "Ghi " + T.num(changes) + " thay đổi vào cơ sở dữ liệu");
      T.clear(result, summary(sum, kindName, inds, true),
        h("div", { class: "row write" }, writeButton,
          rejected && !skip.checked ? h("p", { class: "note" }, "Có dòng bị từ chối nên chưa thể ghi: sửa các dòng ấy rồi gửi lại tệp, " +
            "hoặc chọn “Bỏ qua các dòng lỗi” để chỉ ghi các dòng hợp lệ.") : null,
          !changes && !rejected ? h("p", { class: "note" }, "Tệp không thay đổi gì so với số liệu đang lưu.") : null));
    }

    // ---- the template
    const blocSelect = h("select", { name: "bloc", id: "tpl-bloc" }, blocs.map((b) => h("option", { value: b.code }, b.name + " (" + b.code + ")")));
    const latest = (code) => {
      const b = blocs.find((x) => x.code === code);
      return b && b.years.length ? String(Math.max(...b.years)) : String(new Date().getFullYear());
    };
    const periodInput = h("input", { type: "text", name: "period", id: "tpl-period", value: blocs.length ? latest(blocs[0].code) : "",
      required: true, size: "10", autocomplete: "off", placeholder: "2024, 2024H1, 2024Q3…" });
    let typed = false;
    periodInput.addEventListener("input", () => (typed = true));
    blocSelect.addEventListener("change", () => {
      if (!typed) periodInput.value = latest(blocSelect.value);
    });
    const tplIndicator = h("select", { name: "indicator", id: "tpl-indicator" }, h("option", { value: "" }, "theo tiêu chí chấm điểm của năm"),
      [...indicators.values()].map((i) => h("option", { value: i.code }, i.name)));
    const tplFormat = h("select", { name: "format", id: "tpl-format" }, h("option", { value: "xlsx" }, "Excel (.xlsx)"), h("option", { value: "csv" }, "CSV"));
    const tplMissing = h("input", { type: "checkbox", name: "only", value: "missing" });
    const tplOut = h("div");
    const template = h("form", { id: "template-form", class: "template" },
      h("label", { for: "tpl-bloc" }, "Khối, cụm"), blocSelect,
      h("label", { for: "tpl-period" }, "Kỳ"), periodInput,
      h("label", { for: "tpl-indicator" }, "Chỉ số"), tplIndicator,
      h("label", { for: "tpl-format" }, "Định dạng"), tplFormat,
      h("label", { class: "check" }, tplMissing, " Chỉ các ô còn thiếu số liệu"),
      h("div", { class: "row" }, h("button", { type: "submit", class: "secondary" }, "Tải mẫu")), tplOut);
    template.addEventListener("submit", (e) => {
      e.preventDefault();
      tplOut.replaceChildren();
      T.download("values/template", {
        bloc: blocSelect.value, period: periodInput.value.trim(), indicator: tplIndicator.value || null,
        only: tplMissing.checked ? "missing" : null, format: tplFormat.value,
      }, template.querySelector("button[type=submit]")).then(() => {
        if (!tplOut.childNodes.length) tplOut.append(h("p", { class: "muted small" }, "Đã tải mẫu; điền vào Excel rồi gửi lại tệp ở mục 2."));
      });
    });
    // T.download reports its failures into the nearest section
    T.clear(main,
      h("h1", null, "Nhập số liệu"),
      h("p", null, "Gửi tệp CSV (UTF-8, như Excel lưu) hoặc bảng tính Excel (.xlsx). Dịch vụ kiểm tra trước từng dòng: ",
        "bạn xem các dòng bị từ chối và những gì sẽ thay đổi; số liệu chỉ được ghi khi bạn bấm “Ghi”. Cần khóa vai trò biên tập (editor)."),
      h("section", { id: "template" }, h("h2", null, "1. Tải mẫu để điền"),
        h("p", { class: "muted" }, "Mẫu có một dòng cho mỗi thành viên × tiêu chí của khối, cụm trong năm, điền sẵn số liệu đã có."),
        blocs.length ? template : h("p", { class: "muted" }, "Chưa có khối, cụm nào.")),
      h("section", { id: "upload" }, h("h2", null, "2. Gửi tệp"), form, result));
  };

  // The import summary: counts, the rejected rows, the changes.
  function summary(sum, kind, indicators, dry) {
    const count = (label, field, cls) => h("li", { class: cls || null }, label, " ", h("strong", { dataset: { field } }, T.num(sum[field] || 0)));
    const list = [
      h("h3", null, dry ? "Kết quả kiểm tra (chưa ghi gì)" : sum.written ? "Đã ghi vào cơ sở dữ liệu" : "Không có gì được ghi"),
      h("ul", { class: "counts", role: "status" },
        count(dry ? "Sẽ thêm mới" : "Thêm mới", "created"), count(dry ? "Sẽ cập nhật" : "Cập nhật", "updated"),
        count("Không đổi", "unchanged"), count("Bị từ chối", "rejected_count", sum.rejected_count ? "bad" : null),
        sum.blank ? count("Dòng trống (bỏ qua)", "blank") : null),
      sum.ignored_columns && sum.ignored_columns.length
        ? h("p", { class: "muted" }, "Các cột chỉ để đọc, không nhập: " + sum.ignored_columns.join(", ") + ".") : null,
    ];
    if (sum.rejected && sum.rejected.length)
      list.push(T.table("rejected", "Các dòng bị từ chối" + (sum.rejected_count > sum.rejected.length ? " (" + sum.rejected.length + " dòng đầu)" : ""),
        h("thead", null, h("tr", null, T.th("Dòng", { class: "num" }), T.th("Cột"), T.th("Lý do"), T.th("Chi tiết"))),
        h("tbody", null, sum.rejected.map((r) => h("tr", { dataset: { line: String(r.line != null ? r.line : r.index) } },
          h("th", { scope: "row", class: "num", dataset: { field: "line" } }, r.line != null ? String(r.line) : "#" + r.index),
          h("td", { dataset: { field: "field" } }, r.field ? T.fields[r.field] || r.field : ""),
          h("td", { dataset: { field: "reason" } }, T.reasons[r.code] || r.code),
          h("td", { class: "detail" }, r.message))))));
    if (sum.changes && sum.changes.length) {
      const more = (sum.changes_count || 0) > sum.changes.length ? " (" + sum.changes.length + " dòng đầu)" : "";
      list.push(kind === "values" ? valueChanges(sum.changes, indicators, dry, more) : documentChanges(sum.changes, dry, more));
    }
    return list;
  }

  const op = (c) => (c.operation === "create" ? "thêm mới" : "cập nhật");
  const show = (v) => (v == null ? "—" : typeof v === "number" ? T.num(v) : typeof v === "object" ? JSON.stringify(v) : String(v));
  // an organization's or indicator's field, as a person reads it
  function showField(field, v) {
    if (v == null) return "—";
    if (field === "kind") return T.kinds[v] || v;
    if (field === "rollup") return v === "sum" ? "có" : "không";
    if (typeof v === "boolean") return v ? "có" : "không";
    if (field === "parents" && Array.isArray(v))
      return v.map((p) => p.parent + (p.valid_from ? " từ " + T.date(p.valid_from) : "") + (p.valid_to ? " đến " + T.date(p.valid_to) : "")).join("; ") || "—";
    if (typeof v === "string" && /^\d{4}-\d\d-\d\d$/.test(v)) return T.date(v);
    return show(v);
  }

  function beforeAfter(c, field) {
    const a = c.after ? c.after[field] : undefined;
    const b = c.before ? c.before[field] : undefined;
    if (c.operation !== "update") return h("td", { class: "num", dataset: { field } }, show(a));
    if (JSON.stringify(a) === JSON.stringify(b)) return h("td", { class: "num same", dataset: { field } }, show(a));
    return h("td", { class: "num changed", dataset: { field } }, h("span", { class: "before" }, show(b)), " → ", h("strong", null, show(a)));
  }

  function valueChanges(changes, indicators, dry, more) {
    return T.table("changes", (dry ? "Những gì sẽ thay đổi" : "Những gì đã thay đổi") + more,
      h("thead", null, h("tr", null, T.th("Dòng", { class: "num" }), T.th("Đơn vị"), T.th("Chỉ số"), T.th("Kỳ"), T.th("Thao tác"),
        T.th("Thực hiện", { class: "num" }), T.th("Chỉ tiêu", { class: "num" }), T.th("Ghi chú"))),
      h("tbody", null, changes.map((c) => h("tr", { dataset: { line: String(c.line != null ? c.line : c.index) } },
        h("th", { scope: "row", class: "num" }, c.line != null ? String(c.line) : "#" + c.index),
        h("td", null, c.org || c.bloc),
        h("td", { title: c.indicator }, T.indicatorName(indicators, c.indicator)),
        h("td", null, c.period), h("td", null, op(c)),
        beforeAfter(c, "actual"), beforeAfter(c, "target"), beforeAfter(c, "note")))));
  }

  function documentChanges(changes, dry, more) {
    return T.table("changes", (dry ? "Những gì sẽ thay đổi" : "Những gì đã thay đổi") + more,
      h("thead", null, h("tr", null, T.th("Dòng", { class: "num" }), T.th("Mã"), T.th("Thao tác"), T.th("Thay đổi"))),
      h("tbody", null, changes.map((c) => {
        const fields = Object.keys(c.after || {}).filter((f) => (c.operation === "update"
          ? JSON.stringify(c.after[f]) !== JSON.stringify((c.before || {})[f]) : c.after[f] != null));
        return h("tr", { dataset: { line: String(c.line != null ? c.line : c.index) } },
          h("th", { scope: "row", class: "num" }, c.line != null ? String(c.line) : "#" + c.index),
          h("td", null, c.code), h("td", null, op(c)),
          h("td", null, h("ul", { class: "fields" }, fields.map((f) => h("li", null, (T.fields[f] || f) + ": ",
            c.operation === "update" ? [h("span", { class: "before" }, showField(f, (c.before || {})[f])), " → "] : null,
            h("strong", null, showField(f, c.after[f])))))));
      })));
  }
})();
