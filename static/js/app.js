// Progressive enhancements only: every page works without this file.
(function () {
  "use strict";

  // On a phone the search filters open in a drawer over the results (without this file they
  // follow the results). Escape or 查看结果 closes it; focus goes in and comes back.
  var filterToggle = document.querySelector(".filter-toggle");
  if (filterToggle) {
    var drawer = document.getElementById(filterToggle.getAttribute("aria-controls"));
    var closeButton = drawer.querySelector(".filter-close");
    var setOpen = function (open) {
      drawer.classList.toggle("open", open);
      filterToggle.setAttribute("aria-expanded", open ? "true" : "false");
      (open ? closeButton : filterToggle).focus();
    };
    filterToggle.addEventListener("click", function () { setOpen(!drawer.classList.contains("open")); });
    closeButton.addEventListener("click", function () { setOpen(false); });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && drawer.classList.contains("open")) { setOpen(false); }
    });
  }

  // On a phone the header's links fold behind a 菜单 button (without this file they all show).
  var menuButton = document.querySelector(".menu-toggle");
  if (menuButton) {
    var header = menuButton.closest(".site-header");
    menuButton.addEventListener("click", function () {
      var open = header.classList.toggle("nav-open");
      menuButton.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  // Ask before destructive actions (buttons carry data-confirm).
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });

  // Show upload progress for file imports, then go where the server sends us (an import's job page),
  // or show its answer in place (a refused file).
  document.querySelectorAll("form[data-progress]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.XMLHttpRequest || !window.FormData) { return; }
      event.preventDefault();
      var bar = form.querySelector(".upload-progress");
      var status = form.querySelector(".upload-status");
      var request = new XMLHttpRequest();
      bar.hidden = false;
      request.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) {
          bar.value = Math.round((e.loaded / e.total) * 100);
          status.textContent = "正在上传：" + bar.value + "%";
        }
      });
      request.upload.addEventListener("load", function () {
        bar.removeAttribute("value");
        status.textContent = "上传完成，正在交给后台导入……";
      });
      request.addEventListener("load", function () {
        if (request.responseURL && request.responseURL !== form.action) {
          window.location.assign(request.responseURL);
          return;
        }
        document.open();
        document.write(request.responseText);
        document.close();
      });
      request.addEventListener("error", function () {
        status.textContent = "网络错误，导入未完成，请重试。";
      });
      request.open("POST", form.action);
      request.send(new FormData(form));
    });
  });

  // A background job's page: poll its progress, and show the result once it has ended.
  document.querySelectorAll("[data-job-progress]").forEach(function (region) {
    var bar = region.querySelector(".job-progress");
    var text = region.querySelector(".job-progress-text");
    function poll() {
      fetch(region.getAttribute("data-job-progress"), { headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (job) {
          if (!job) { setTimeout(poll, 5000); return; }
          if (job.finished) { window.location.reload(); return; }
          if (job.total) { bar.max = job.total; bar.value = job.done; }
          text.textContent = job.text;
          setTimeout(poll, 1000);
        })
        .catch(function () { setTimeout(poll, 5000); });
    }
    setTimeout(poll, 1000);
  });

  // Community autocomplete: fill the datalist from the suggestions endpoint as the user types.
  document.querySelectorAll("input[data-suggest]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("list"));
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        if (!input.value.trim()) { return; }
        fetch(input.getAttribute("data-suggest") + "?q=" + encodeURIComponent(input.value.trim()))
          .then(function (response) { return response.ok ? response.json() : { items: [] }; })
          .then(function (body) {
            list.innerHTML = "";
            body.items.forEach(function (suggestion) {
              var option = document.createElement("option");
              option.value = suggestion.name;
              option.label = suggestion.district_name;
              list.appendChild(option);
            });
          });
      }, 200);
    });
  });
})();
