// 所属行业 / 注册地 pickers (common/trees.py). Without JavaScript the page shows one <select> per
// level of the chosen branch and a 【选择】 button that refreshes it. Here the next level loads as
// soon as a level is chosen, and a search box finds a node by code or name. The selects stay the
// posted value; the server validates it again.
(function () {
  "use strict";
  var answers = new Map(); // URL → promise of nodes (the endpoint is cacheable too)

  function load(url) {
    if (!answers.has(url)) {
      answers.set(url, fetch(url, {
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-Requested-With": "XMLHttpRequest" },
      }).then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      }).then(function (body) {
        return body.results;
      }).catch(function (error) {
        answers.delete(url);
        throw error;
      }));
    }
    return answers.get(url);
  }

  function setup(root, index) {
    var endpoint = root.getAttribute("data-endpoint");
    var selects = Array.prototype.slice.call(root.querySelectorAll("select[data-level]"));
    var chosen = root.querySelector("[data-chosen]");
    var legend = root.closest("fieldset") && root.closest("fieldset").querySelector("legend");
    root.querySelectorAll("[data-pick], [data-nojs-hint]").forEach(function (el) { el.remove(); });

    function childrenUrl(code) { return endpoint + "?parent=" + encodeURIComponent(code); }

    function fill(depth, nodes, value) {
      var select = selects[depth];
      select.length = 1; // keep “请选择…”
      nodes.forEach(function (node) {
        var option = new Option(node.label, node.code, false, node.code === value);
        option.setAttribute("data-leaf", node.leaf ? "1" : "0");
        option.setAttribute("data-text", node.text);
        select.add(option);
      });
      select.value = value || "";
      select.closest("[data-column]").hidden = nodes.length === 0;
    }

    function describe() {
      for (var depth = selects.length - 1; depth >= 0; depth--) {
        var option = selects[depth].selectedOptions[0];
        if (option && option.value) {
          chosen.textContent = "已选择：" + (option.getAttribute("data-text") || option.text);
          return;
        }
      }
      chosen.textContent = "尚未选择";
    }

    function failed() { chosen.textContent = "加载失败，请稍后重试。"; }

    // The choice at `depth` changed: empty the levels below, then offer the next one.
    function open(depth) {
      for (var below = depth + 1; below < selects.length; below++) fill(below, [], "");
      describe();
      var option = selects[depth].selectedOptions[0];
      if (!option || !option.value || option.getAttribute("data-leaf") === "1" ||
          depth + 1 >= selects.length) return Promise.resolve();
      var code = option.value;
      return load(childrenUrl(code)).then(function (nodes) {
        if (selects[depth].value === code) fill(depth + 1, nodes, ""); // not changed meanwhile
      });
    }

    selects.forEach(function (select, depth) {
      select.addEventListener("change", function () { open(depth).catch(failed); });
    });

    // The search box and its results.
    var search = document.createElement("input");
    search.type = "search";
    search.className = "form-control mb-2";
    search.placeholder = root.getAttribute("data-placeholder") || "输入代码或名称搜索";
    search.setAttribute("aria-label", "搜索" + (legend ? legend.textContent.trim() : ""));
    search.setAttribute("autocomplete", "off");
    search.setAttribute("data-picker-search", "");
    var status = document.createElement("div");
    status.className = "form-text";
    status.id = "tree-picker-status-" + index;
    status.setAttribute("aria-live", "polite");
    search.setAttribute("aria-describedby", status.id);
    var list = document.createElement("div");
    list.className = "list-group tree-picker-results mb-2";
    list.hidden = true;
    list.setAttribute("data-picker-results", "");
    root.prepend(search, status, list);

    function close() { list.hidden = true; list.textContent = ""; status.textContent = ""; }

    function choose(node) {
      var path = node.path;
      var steps = path.slice(0, -1).map(function (code) { return load(childrenUrl(code)); });
      return Promise.all(steps).then(function (lists) {
        selects[0].value = path[0];
        lists.forEach(function (nodes, i) { fill(i + 1, nodes, path[i + 1]); });
        return open(path.length - 1);
      }).then(function () {
        search.value = "";
        close();
        selects[path.length - 1].focus();
      });
    }

    function show(nodes, query) {
      if (search.value.trim() !== query) return; // a later search is on its way
      list.textContent = "";
      nodes.forEach(function (node) {
        var item = document.createElement("button");
        item.type = "button";
        item.className = "list-group-item list-group-item-action";
        item.textContent = node.text;
        item.addEventListener("click", function () { choose(node).catch(failed); });
        list.appendChild(item);
      });
      list.hidden = nodes.length === 0;
      status.textContent = nodes.length === 0 ? "未找到匹配项，请换个关键词。" :
        "找到" + nodes.length + "项" + (nodes.length >= 50 ? "（仅显示前50项，可输入更多文字缩小范围）" : "") +
        "，按↓键进入列表。";
    }

    var timer = null;
    search.addEventListener("input", function () {
      clearTimeout(timer);
      var query = search.value.trim();
      if (!query) { close(); return; }
      timer = setTimeout(function () {
        load(endpoint + "?q=" + encodeURIComponent(query))
          .then(function (nodes) { show(nodes, query); })
          .catch(function () { status.textContent = "搜索失败，请稍后重试。"; });
      }, 250);
    });

    function move(from, step) {
      var items = Array.prototype.slice.call(list.querySelectorAll("button"));
      if (!items.length) return;
      var at = items.indexOf(from);
      var next = at + step;
      if (next < 0) { search.focus(); return; }
      items[Math.min(next, items.length - 1)].focus();
    }

    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { // never submits the whole form from here
        event.preventDefault();
        var first = list.querySelector("button");
        if (first && !list.hidden) first.click();
      } else if (event.key === "ArrowDown") {
        event.preventDefault();
        move(null, 1);
      } else if (event.key === "Escape") {
        close();
      }
    });
    list.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        move(document.activeElement, event.key === "ArrowDown" ? 1 : -1);
      } else if (event.key === "Escape") {
        close();
        search.focus();
      }
    });
  }

  document.querySelectorAll("[data-tree-picker]").forEach(setup);
})();
