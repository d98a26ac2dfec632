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

  // Vote forms (.js-vote): the up or down arrow without a reload; the plain POST still works
  // without JS. An aria-disabled arrow explains itself (its title) instead of posting.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("js-vote")) return;
    event.preventDefault();
    var button = event.submitter || form.querySelector("button");
    if (button.getAttribute("aria-disabled") === "true") { say(button.title, "error"); return; }
    if (form.getAttribute("aria-busy") === "true") return;
    form.setAttribute("aria-busy", "true");
    var data = new FormData(form);
    data.set("value", button.value || "1");
    post(form.action, form, data)
      .then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      })
      .then(function (result) {
        if (!result.ok) { say(result.data.error || "Your vote was not counted.", "error"); return; }
        var score = form.querySelector(".js-score");
        score.textContent = result.data.score;
        score.parentNode.classList.toggle("vote-score-negative", result.data.score < 0);
        pressArrow(form, ".js-vote-up", result.data.vote === 1);
        pressArrow(form, ".js-vote-down", result.data.vote === -1);
      })
      .catch(function () { submitPlainly(form, button); })
      .then(function () { form.removeAttribute("aria-busy"); button.focus(); });
  });

  // form.submit() sends no button: the arrow's value goes in a hidden field.
  function submitPlainly(form, button) {
    var field = document.createElement("input");
    field.type = "hidden";
    field.name = "value";
    field.value = button.value || "1";
    form.appendChild(field);
    form.submit();
  }

  function pressArrow(form, selector, pressed) {
    var arrow = form.querySelector(selector);
    if (arrow) arrow.setAttribute("aria-pressed", pressed ? "true" : "false");
  }

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
        // The tag being typed: after the last comma (spaces in it become hyphens), or
        // after the last space when there is no comma, as parse_tag_input reads it.
        var match = value.indexOf(",") !== -1 ? value.match(/^(.*,\s*)(.*)$/) : value.match(/^(.*?)([^,\s]*)$/);
        var before = match[1];
        var word = window.CareerKB.normalizeTagName(match[2], input);
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
        // An anonymous asker's comment names no one and links nowhere, as the page does.
        var author = document.createElement(result.data.anonymous ? "span" : "a");
        if (result.data.anonymous) author.className = "anonymous-author";
        else author.href = result.data.author_url;
        author.textContent = result.data.author;
        meta.appendChild(document.createTextNode("– "));
        meta.appendChild(author);
        if (result.data.anonymous) {
          var badge = document.createElement("span");
          badge.className = "asker-badge";
          badge.textContent = "asker";
          meta.appendChild(document.createTextNode(" "));
          meta.appendChild(badge);
        }
        meta.appendChild(document.createTextNode(" just now"));
        item.appendChild(body);
        item.appendChild(meta);
        list.appendChild(item);
        list.hidden = false;
        textarea.value = "";
        textarea.dispatchEvent(new Event("input"));  // the characters-left counter
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

// ---- Forms as people type (issue 11) -----------------------------------------------------
// Tag names exactly as kb/tags.py parse_tag_input makes them: with a comma, commas separate
// and inner spaces become hyphens ("machine learning, Career Switch" -> machine-learning,
// career-switch); without one, spaces separate. The whitespace class comes from the server
// (data-tag-space on the tags field), so both sides split on the same characters.
window.CareerKB = window.CareerKB || {};
(function (kb) {
  var DEFAULT_SPACE = "[\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]";

  function tagRules(input) {
    var source = (input && input.getAttribute("data-tag-space")) || DEFAULT_SPACE;
    return { spaces: new RegExp(source + "+", "g"), splitter: new RegExp(source + "+") };
  }

  function normalizeTagName(text, rules) {
    return text.toLowerCase().replace(rules.spaces, "-").replace(/-{2,}/g, "-").replace(/^-+|-+$/g, "");
  }

  function parseTagInput(raw, input) {
    var rules = tagRules(input);
    raw = raw || "";
    var parts = raw.indexOf(",") !== -1 ? raw.split(",") : raw.split(rules.splitter);
    var seen = Object.create(null);
    var names = [];
    parts.forEach(function (part) {
      var name = normalizeTagName(part, rules);
      if (name && !seen[name]) { seen[name] = true; names.push(name); }
    });
    return names;
  }

  kb.parseTagInput = parseTagInput;
  kb.normalizeTagName = function (text, input) { return normalizeTagName(text, tagRules(input)); };
})(window.CareerKB);

// Under each tags field: the tags the post will get, before posting. Each one says whether it
// is new, already used (with its count) or filed under another name (a synonym); names the
// server would refuse are marked with the server's reason.
(function () {
  var kb = window.CareerKB;
  document.querySelectorAll("input.js-tag-input").forEach(function (input) {
    var statusUrl = input.form && input.form.getAttribute("data-tag-status-url");
    var maxTags = parseInt(input.getAttribute("data-max-tags") || "5", 10);
    var maxLength = parseInt(input.getAttribute("data-max-tag-length") || "35", 10);
    var pattern = new RegExp(input.getAttribute("data-tag-pattern") || "^[a-z0-9+#.-]+$");
    var known = Object.create(null);  // name -> {tag, count} from the server
    var box = document.createElement("div");
    box.className = "tag-preview";
    box.id = input.id + "-preview";
    box.hidden = true;
    // Screen readers hear the tags once typing pauses, not on every key.
    var announcer = document.createElement("div");
    announcer.className = "visually-hidden";
    announcer.setAttribute("aria-live", "polite");
    input.setAttribute("aria-describedby", ((input.getAttribute("aria-describedby") || "") + " " + box.id).trim());
    input.insertAdjacentElement("afterend", box);
    box.insertAdjacentElement("afterend", announcer);
    var timer = null;
    var announceTimer = null;

    function problem(name, index) {
      if (index >= maxTags) return "over the limit of " + maxTags + " tags";
      if (name.length > maxLength) return "longer than " + maxLength + " characters";
      if (!pattern.test(name)) return "only lower-case letters, digits and + # . -";
      return "";
    }

    function chip(name, index) {
      var item = document.createElement("li");
      item.className = "tag tag-preview-tag";
      item.setAttribute("data-name", name);
      var why = problem(name, index);
      var info = known[name];
      var label = name;
      var note = "";
      if (why) {
        item.className += " tag-refused";
        note = why;
      } else if (info) {
        if (info.tag !== name) label = name + " → " + info.tag;
        note = info.count ? info.count + (info.count === 1 ? " post" : " posts") : "new";
        if (!info.count) item.className += " tag-new";
      }
      item.textContent = label;
      if (note) {
        var small = document.createElement("span");
        small.className = "tag-preview-note";
        small.textContent = " (" + note + ")";
        item.appendChild(small);
      }
      return item;
    }

    function render() {
      var names = kb.parseTagInput(input.value, input);
      box.textContent = "";
      box.hidden = !names.length;
      if (!names.length) return names;
      var heading = document.createElement("span");
      heading.className = "tag-preview-label";
      heading.textContent = names.length === 1 ? "Your post gets the tag " : "Your post gets the tags ";
      var list = document.createElement("ul");
      list.className = "tags tag-preview-list";
      names.forEach(function (name, index) { list.appendChild(chip(name, index)); });
      box.appendChild(heading);
      box.appendChild(list);
      return names;
    }

    function spoken() {
      var chips = Array.prototype.map.call(box.querySelectorAll("li"), function (item) { return item.textContent; });
      var label = box.querySelector(".tag-preview-label");
      return chips.length ? label.textContent + chips.join(", ") + "." : "No tags yet.";
    }

    function lookUp(names) {
      var missing = names.filter(function (name) { return !(name in known); });
      if (!statusUrl || !window.fetch || !missing.length) return;
      var value = input.value;
      fetch(statusUrl + "?q=" + encodeURIComponent(missing.join(", ")), { headers: { "Accept": "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { tags: [] }; })
        .then(function (data) {
          (data.tags || []).forEach(function (tag) { known[tag.name] = tag; });
          if (input.value === value) render();
        })
        .catch(function () {});
    }

    input.addEventListener("input", function () {
      var names = render();
      clearTimeout(timer);
      timer = setTimeout(function () { lookUp(names); }, 250);
      clearTimeout(announceTimer);
      announceTimer = setTimeout(function () { announcer.textContent = spoken(); }, 1000);
    });
    lookUp(render());
  });
})();

// Characters left, under every field with a length limit (data-counter, set by the server's
// LimitedCharField). Counted as the browser's maxlength and the server count: line breaks as
// one, UTF-16 units. The visible line updates as you type; screen readers hear it only when
// you pause near or past the limit, so typing is not read out letter by letter.
(function () {
  function format(number) { return number.toLocaleString("en-US"); }

  function plural(number) { return format(number) + (number === 1 ? " character" : " characters"); }

  function counterText(field) {
    var max = parseInt(field.getAttribute("maxlength"), 10);
    var min = parseInt(field.getAttribute("minlength") || "0", 10);
    var length = field.value.length;
    var written = field.value.trim().length;
    if (length > max) return "Keep it to " + format(max) + " characters (you wrote " + format(length) + ").";
    if (min && written && written < min) return plural(written) + "; write at least " + format(min) + ".";
    return plural(max - length) + " left";
  }

  document.querySelectorAll("[data-counter][maxlength]").forEach(function (field) {
    var max = parseInt(field.getAttribute("maxlength"), 10);
    var counter = document.createElement("div");
    counter.className = "char-counter";
    counter.id = field.id + "-counter";
    var announcer = document.createElement("div");
    announcer.className = "visually-hidden";
    announcer.setAttribute("aria-live", "polite");
    field.setAttribute("aria-describedby", ((field.getAttribute("aria-describedby") || "") + " " + counter.id).trim());
    field.insertAdjacentElement("afterend", counter);
    counter.insertAdjacentElement("afterend", announcer);
    var timer = null;

    function update() {
      counter.textContent = counterText(field);
      counter.classList.toggle("char-counter-low", max - field.value.length <= Math.max(10, max / 10));
      clearTimeout(timer);
      timer = setTimeout(function () {
        var nearLimit = max - field.value.length <= Math.max(10, max / 10);
        announcer.textContent = nearLimit ? counter.textContent : "";
      }, 1000);
    }

    field.addEventListener("input", update);
    counter.textContent = counterText(field);
  });
})();

// Post forms (.js-submit-once) send once: a second click or Enter while the first request is
// on its way is ignored (the server also turns a repeated post into the one already made).
(function () {
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("js-submit-once") || event.defaultPrevented) return;
    if (form.getAttribute("data-submitting")) { event.preventDefault(); return; }
    form.setAttribute("data-submitting", "1");
    // After this event: a button disabled now would drop its name=value from the request.
    setTimeout(function () {
      form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (button) {
        button.disabled = true;
      });
    }, 0);
  });
  // Back to a page from the browser's cache: its forms can be sent again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form.js-submit-once[data-submitting]").forEach(function (form) {
      form.removeAttribute("data-submitting");
      form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (button) {
        button.disabled = false;
      });
    });
  });
})();

// ---- Closing as a duplicate (issue 12): pick the original as you type ------------------
// The field takes a link or a number without JS; with it, words typed in the field list
// matching questions from kb:search-similar, and picking one puts its link in the field.
(function () {
  document.querySelectorAll("input.js-duplicate-picker").forEach(function (input) {
    var endpoint = input.getAttribute("data-similar-url");
    var exclude = input.getAttribute("data-exclude");
    var list = document.createElement("ul");
    list.className = "duplicate-picker";
    list.id = input.id + "-choices";
    list.setAttribute("aria-label", "Matching questions");
    list.hidden = true;
    input.insertAdjacentElement("afterend", list);
    var timer = null;

    function looksLikeAnAddress(text) { return /^\d+$/.test(text) || text.indexOf("/") !== -1; }

    function choose(item) {
      input.value = item.url;
      list.hidden = true;
      var radio = input.form.querySelector("input[name=kind][value=duplicate]");
      if (radio) radio.checked = true;
      input.focus();
    }

    function show(results) {
      list.textContent = "";
      results = results.filter(function (item) { return item.url !== exclude; });
      results.forEach(function (item) {
        var li = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.className = "link-button";
        button.textContent = item.title;
        button.addEventListener("click", function () { choose(item); });
        li.appendChild(button);
        list.appendChild(li);
      });
      list.hidden = !results.length;
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      var text = input.value.trim();
      if (text.length < 3 || looksLikeAnAddress(text)) { show([]); return; }
      timer = setTimeout(function () {
        fetch(endpoint + "?title=" + encodeURIComponent(text), { headers: { Accept: "application/json" } })
          .then(function (response) { return response.ok ? response.json() : { results: [] }; })
          .then(function (data) { if (input.value.trim() === text) show(data.results || []); })
          .catch(function () { show([]); });
      }, 250);
    });
  });
})();

// ---- Path steps (issue 13): a formset that works without JS -----------------------------
// Without JS the form shows spare blank rows. With it, one blank row shows and "Add a step"
// reveals the next (or copies the <template> row and counts it in TOTAL_FORMS), up to the max.
(function () {
  function isBlank(row) {
    if (row.querySelector(".errorlist")) return false;
    return Array.prototype.every.call(row.querySelectorAll("input[type=text], input[type=number], select"), function (field) {
      return !field.value;
    });
  }

  document.querySelectorAll(".js-path-steps").forEach(function (fieldset) {
    var list = fieldset.querySelector(".js-path-step-list");
    var template = fieldset.querySelector("template.js-path-step-template");
    var total = fieldset.querySelector("input[name$='-TOTAL_FORMS']");
    var max = parseInt(fieldset.getAttribute("data-max-steps"), 10) || 10;
    if (!list || !template || !total) return;

    var shownBlank = false;
    list.querySelectorAll(".path-step").forEach(function (row) {
      if (!isBlank(row)) return;
      if (shownBlank) row.hidden = true;
      shownBlank = true;
    });

    var button = document.createElement("button");
    button.type = "button";
    button.className = "button button-small path-step-add";
    button.textContent = "Add a step";
    list.insertAdjacentElement("afterend", button);

    function visibleCount() {
      return list.querySelectorAll(".path-step:not([hidden])").length;
    }
    function update() { button.hidden = visibleCount() >= max; }

    button.addEventListener("click", function () {
      var row = list.querySelector(".path-step[hidden]");
      if (!row) {
        var index = parseInt(total.value, 10) || 0;
        if (index >= max) return;
        var html = template.innerHTML.replace(/__prefix__/g, String(index)).replace(/__number__/g, String(index + 1));
        list.insertAdjacentHTML("beforeend", html);
        total.value = String(index + 1);
        row = list.lastElementChild;
      }
      row.hidden = false;
      var first = row.querySelector("input[type=text]");
      if (first) first.focus();
      update();
    });
    update();
  });
})();
