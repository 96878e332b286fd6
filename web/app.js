"use strict";
// The reference dashboard: every figure comes from the service's own /v1 API.
// Which page this address is, then draw it (the page scripts come before).
(function () {
  const T = window.thidua;
  const h = T.h;

  T.route = function () {
    const rel = location.pathname.slice(T.root.pathname.length).replace(/\/+$/, "");
    const parts = rel.split("/").map((p) => {
      try {
        return decodeURIComponent(p);
      } catch (e) {
        return p;
      }
    });
    const q = new URLSearchParams(location.search);
    if (parts[0] === "dashboard") {
      if (parts.length === 1) return { title: "Khối, cụm thi đua", nav: "home", render: (m) => T.pages.home(m, q) };
      if (parts[1] === "blocs" && parts.length === 3)
        return { title: "Khối, cụm " + parts[2], nav: "home", render: (m) => T.pages.bloc(m, parts[2], q) };
      if (parts[1] === "organizations" && parts.length === 3)
        return { title: "Đơn vị " + parts[2], nav: "home", render: (m) => T.pages.org(m, parts[2], q) };
      if (parts[1] === "import" && parts.length === 2)
        return { title: "Nhập số liệu", nav: "import", render: (m) => T.pages.import(m, q) };
    }
    return {
      title: "Không có trang này",
      render: (m) => T.clear(m, h("h1", null, "Không có trang này"),
        h("p", null, h("a", { href: T.href("dashboard/") }, "Về danh sách khối, cụm thi đua"))),
    };
  };

  const nav = document.getElementById("nav");
  if (nav) {
    const here = T.route().nav;
    T.clear(nav,
      h("a", { href: T.href("dashboard/"), "aria-current": here === "home" ? "page" : null }, "Khối, cụm"),
      h("a", { href: T.href("dashboard/import"), "aria-current": here === "import" ? "page" : null }, "Nhập số liệu"),
      h("span", { id: "keystatus" }));
  }
  T.start();
})();
