// CareerKB progressive enhancement. Every feature here upgrades a form that works without it.
"use strict";

// ---- Search (issue 5): similar questions while asking ----------------------------------
// Under the ask form's title field (#id_title), list up to five existing questions with a
// similar title, fetched from kb:search-similar as the user types (debounced). The list is
// built with textContent only: titles are user text.
(function () {
  // Only the ask form has data-similar-url: on edit and experience-post forms "similar
  // questions" misleads.
  var form = document.querySelector("form[data-similar-url]");
  var title = form && form.querySelector("#id_title");
  if (!title || !window.fetch) return;
  var endpoint = form.getAttribute("data-similar-url");
  var box = document.createElement("div");
  box.className = "similar-questions";
  box.id = "similar-questions";
  box.setAttribute("aria-live", "polite");
  box.hidden = true;
  title.setAttribute("aria-describedby", ((title.getAttribute("aria-describedby") || "") + " similar-questions").trim());
  title.insertAdjacentElement("afterend", box);
  var timer = null;
  var lastAsked = "";

  function show(results) {
    box.textContent = "";
    if (!results.length) { box.hidden = true; return; }
    var heading = document.createElement("p");
    heading.className = "similar-heading";
    heading.textContent = "Similar questions — yours may be answered already:";
    var list = document.createElement("ul");
    results.forEach(function (item) {
      var li = document.createElement("li");
      var link = document.createElement("a");
      link.href = item.url;
      link.textContent = item.title;
      var meta = document.createElement("span");
      meta.className = "muted small";
      meta.textContent = " · " + item.answer_count + (item.answer_count === 1 ? " answer" : " answers") +
        " · " + item.score + (item.score === 1 ? " vote" : " votes");
      li.appendChild(link);
      li.appendChild(meta);
      list.appendChild(li);
    });
    box.appendChild(heading);
    box.appendChild(list);
    box.hidden = false;
  }

  function lookUp() {
    var text = title.value.trim();
    if (text === lastAsked) return;
    lastAsked = text;
    if (text.length < 8) { show([]); return; }
    fetch(endpoint + "?title=" + encodeURIComponent(text), { headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (data) { if (title.value.trim() === text) show(data.results || []); })
      .catch(function () { show([]); });
  }

  title.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(lookUp, 350);
  });
})();

// ---- Q&A (issue 4): upvotes in place, live Markdown preview, tag suggestions ------------
(function () {
  if (!window.fetch || !window.FormData) return;

  function csrfToken(form) {
    var field = form.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function post(url, form, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrfToken(form) },
      body: body
    });
  }

  // Messages go where the server puts them, so both paths look the same.
  function say(text, kind) {
    var box = document.querySelector(".messages");
    if (!box) {
      box = document.createElement("div");
      box.className = "wrap messages";
      box.setAttribute("role", "status");
      box.setAttribute("aria-live", "polite");
      var main = document.getElementById("main");
      main.parentNode.insertBefore(box, main);
    }
    var line = document.createElement("p");
    line.className = "message message-" + kind;
    line.textContent = text;
    box.textContent = "";
    box.appendChild(line);
  }

  // Upvote forms (.js-vote): toggle without a reload; the plain POST still works without JS.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("js-vote")) return;
    event.preventDefault();
    var button = form.querySelector("button");
    if (button.disabled) return;
    button.disabled = true;
    post(form.action, form, new FormData(form))
      .then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      })
      .then(function (result) {
        if (!result.ok) { say(result.data.error || "Your vote was not counted.", "error"); return; }
        form.querySelector(".js-score").textContent = result.data.score;
        button.setAttribute("aria-pressed", result.data.voted ? "true" : "false");
      })
      .catch(function () { form.submit(); })
      .then(function () { button.disabled = false; button.focus(); });
  });

  // Live preview (.js-preview-form): the server renders it, with the same sanitiser as posts.
  document.querySelectorAll("form.js-preview-form").forEach(function (form) {
    var target = document.getElementById(form.getAttribute("data-preview-target"));
    var body = form.querySelector("textarea[name=body]");
    if (!target || !body) return;
    var box = document.getElementById(target.id + "-box") || target;
    var timer = null;
    var lastText = null;

    function refresh() {
      var text = body.value;
      if (text === lastText) return;
      lastText = text;
      if (!text.trim()) { box.hidden = true; return; }
      var data = new FormData();
      data.append("body", text);
      data.append("csrfmiddlewaretoken", csrfToken(form));
      post(form.getAttribute("data-preview-url"), form, data)
        .then(function (response) {
          return response.json().then(function (result) { return { ok: response.ok, data: result }; });
        })
        .then(function (result) {
          if (body.value !== text) return;
          if (result.ok) {
            target.innerHTML = result.data.html;  // sanitised server-side by kb.markdown
          } else {
            // e.g. the preview rate limit (429): say why, and try again on the next change.
            target.textContent = result.data.error || "The preview is unavailable right now.";
            lastText = null;
          }
          box.hidden = false;
        })
        .catch(function () {});
    }

    body.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, 400);
    });
    var previewButton = form.querySelector(".js-preview-button");
    if (previewButton) {
      previewButton.addEventListener("click", function (event) {
        event.preventDefault();
        lastText = null;
        refresh();
        box.scrollIntoView({ block: "nearest" });
      });
    }
  });

  // Tag suggestions: the last word typed in .js-tag-input fills its <datalist>.
  document.querySelectorAll("input.js-tag-input").forEach(function (input) {
    var form = input.form;
    var list = document.getElementById(input.getAttribute("list"));
    var url = form && form.getAttribute("data-suggest-url");
    if (!list || !url) return;
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var value = input.value;
        var match = value.match(/^(.*?)([^,\s]*)$/);
        var before = match[1];
        var word = match[2].toLowerCase();
        if (!word) { list.textContent = ""; return; }
        fetch(url + "?q=" + encodeURIComponent(word), { headers: { "Accept": "application/json" } })
          .then(function (response) { return response.ok ? response.json() : []; })
          .then(function (tags) {
            if (input.value !== value) return;
            list.textContent = "";
            tags.forEach(function (tag) {
              var option = document.createElement("option");
              option.value = before + tag.name;  // choosing one keeps the tags already typed
              option.textContent = tag.name + " (" + tag.count + ")";
              list.appendChild(option);
            });
          })
          .catch(function () {});
      }, 200);
    });
  });
  // Comment forms (.js-comment-form): add the comment to the list without a reload.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("js-comment-form")) return;
    event.preventDefault();
    var button = form.querySelector("button");
    var textarea = form.querySelector("textarea");
    button.disabled = true;
    post(form.action, form, new FormData(form))
      .then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      })
      .then(function (result) {
        if (!result.ok) { say(result.data.error || "Your comment was not posted.", "error"); return; }
        var list = form.closest(".post-comments").querySelector(".comments");
        var item = document.createElement("li");
        item.id = "comment-" + result.data.id;
        var body = document.createElement("span");
        body.className = "comment-body";
        body.innerHTML = result.data.html;  // sanitised server-side by kb.markdown
        var meta = document.createElement("span");
        meta.className = "comment-meta small";
        var author = document.createElement("a");
        author.href = result.data.author_url;
        author.textContent = result.data.author;
        meta.appendChild(document.createTextNode("– "));
        meta.appendChild(author);
        meta.appendChild(document.createTextNode(" just now"));
        item.appendChild(body);
        item.appendChild(meta);
        list.appendChild(item);
        list.hidden = false;
        textarea.value = "";
        form.closest("details").open = false;
      })
      .catch(function () { form.submit(); })
      .then(function () { button.disabled = false; });
  });

  // Delete buttons (.js-confirm) ask first; without JS the plain POST deletes (staff can restore).
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".js-confirm");
    if (button && !window.confirm(button.getAttribute("data-confirm") || "Are you sure?")) {
      event.preventDefault();
    }
  });
})();
