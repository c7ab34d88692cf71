// The record form. Without JavaScript its languages are a plain multiple list and a text field
// for names, and a closed month's notice comes back from the server after sending. With it:
// one field that filters the list as one types (a combobox, ARIA 1.2), the chosen languages as
// removable chips above it, the member's usual languages swapped in when a coordinator picks
// another member, and the closed month's notice shown as soon as a date is chosen.
(function () {
  "use strict";

  // The same comparison as the server's (governance/languages.py): no case, no accents or
  // Arabic vowel marks, one form for the Arabic letters typed several ways.
  var ARABIC = { "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه" };
  function fold(text) {
    return text
      .replace(/[\u0640\p{Cc}\p{Cf}]/gu, "")
      .normalize("NFKD")
      .replace(/\p{M}/gu, "")
      .toLowerCase()
      .replace(/[أإآٱىة]/g, function (c) { return ARABIC[c]; })
      .replace(/\s+/g, " ")
      .trim();
  }
  // Typed languages are separated as the reader writes lists.
  var COMMA = document.documentElement.lang === "ar" ? "، " : ", ";
  function bare(folded) {
    return folded.indexOf("ال") === 0 && folded.length > 3 ? folded.slice(2) : folded;
  }

  function monthNotices() {
    var input = document.getElementById("f-date");
    var notice = document.getElementById("f-date-notice");
    if (!input || !notice || !input.dataset.monthNotices) return;
    var notices;
    try { notices = JSON.parse(input.dataset.monthNotices); } catch (e) { return; }
    function show() {
      var found = notices[input.value.slice(0, 7)];
      notice.textContent = found ? found.text : "";
      notice.className = "month-notice" + (found ? " month-notice--" + found.kind : "");
    }
    input.addEventListener("change", show);
    input.addEventListener("input", show);
  }

  function picker(root) {
    var select = root.querySelector("select[multiple]");
    var input = root.querySelector("input[name=languages]");
    if (!select || !input) return;
    var label = root.querySelector("[data-picker-label]");
    var searchHint = root.querySelector("[data-with-script]");
    var error = root.querySelector(".error");
    var options = Array.prototype.map.call(select.options, function (option, index) {
      var name = option.textContent;
      var english = option.dataset.en || "";
      return {
        option: option,
        code: option.value,
        name: name,
        english: english,
        usual: option.hasAttribute("data-usual"),
        index: index,
        keys: [fold(name), bare(fold(name)), fold(english)].filter(Boolean),
      };
    });
    var byCode = {};
    options.forEach(function (item) { byCode[item.code] = item; });

    // The list and its text field become one combobox.
    root.querySelectorAll("[data-without-script]").forEach(function (el) { el.hidden = true; });
    select.hidden = true;
    select.setAttribute("aria-hidden", "true");
    select.tabIndex = -1;
    if (searchHint) searchHint.hidden = false;
    if (label) label.htmlFor = input.id;

    var chips = document.createElement("ul");
    chips.className = "language-chips";
    chips.setAttribute("aria-label", root.dataset.chosen || "");
    var list = document.createElement("ul");
    list.className = "language-options";
    list.id = input.id + "-options";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-multiselectable", "true");
    if (label) list.setAttribute("aria-label", label.textContent);
    list.hidden = true;
    input.parentNode.insertBefore(chips, input);
    input.parentNode.insertBefore(list, input.nextSibling);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    var described = [searchHint ? searchHint.id : "", error ? error.id : ""].filter(Boolean);
    input.setAttribute("aria-describedby", described.join(" "));

    var shown = [];
    var active = -1;

    function renderChips() {
      chips.textContent = "";
      options.forEach(function (item) {
        if (!item.option.selected) return;
        var li = document.createElement("li");
        var name = document.createElement("span");
        name.textContent = item.name;
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "language-chip__remove";
        remove.textContent = "×";
        remove.dataset.code = item.code;
        remove.setAttribute("aria-label", (root.dataset.remove || "%(name)s").replace("%(name)s", item.name));
        li.className = "language-chip";
        li.appendChild(name);
        li.appendChild(remove);
        chips.appendChild(li);
      });
      chips.hidden = !chips.children.length;
    }

    function matches(query) {
      if (!query) {
        return options.filter(function (item) { return item.usual; });
      }
      var ranked = [];
      options.forEach(function (item) {
        var rank = -1;
        if (item.code === query) rank = 0;
        item.keys.forEach(function (key) {
          if (key === query) rank = rank < 0 ? 0 : Math.min(rank, 0);
          else if (key.indexOf(query) === 0) rank = rank < 0 ? 1 : Math.min(rank, 1);
          else if (key.indexOf(" " + query) >= 0) rank = rank < 0 ? 2 : Math.min(rank, 2);
        });
        if (rank >= 0) ranked.push([rank, item.usual ? 0 : 1, item.index, item]);
      });
      ranked.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1] || a[2] - b[2]; });
      return ranked.slice(0, 40).map(function (r) { return r[3]; });
    }

    function setActive(index) {
      active = index;
      Array.prototype.forEach.call(list.children, function (li, i) {
        li.classList.toggle("is-active", i === active);
      });
      if (active >= 0 && list.children[active] && list.children[active].id) {
        input.setAttribute("aria-activedescendant", list.children[active].id);
        list.children[active].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function open() {
      shown = matches(fold(input.value.split(/[,،;؛]/).pop() || ""));
      list.textContent = "";
      shown.forEach(function (item) {
        var li = document.createElement("li");
        li.id = list.id + "-" + item.code;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", item.option.selected ? "true" : "false");
        li.dataset.code = item.code;
        li.textContent = item.name;
        if (item.english && fold(input.value) && item.keys[0].indexOf(fold(input.value)) < 0) {
          var english = document.createElement("span");
          english.className = "language-options__en";
          english.lang = "en";
          english.textContent = " (" + item.english + ")";
          li.appendChild(english);
        }
        list.appendChild(li);
      });
      if (!shown.length && input.value.trim()) {
        var none = document.createElement("li");
        none.className = "language-options__none";
        none.textContent = root.dataset.none || "";
        list.appendChild(none);
      }
      var visible = list.children.length > 0;
      list.hidden = !visible;
      input.setAttribute("aria-expanded", visible ? "true" : "false");
      setActive(shown.length && input.value.trim() ? 0 : -1);
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      setActive(-1);
    }

    function toggle(item) {
      item.option.selected = !item.option.selected;
      // What was typed to find it is done with; earlier typed names stay.
      var parts = input.value.split(/[,،;؛]/);
      parts.pop();
      input.value = parts.length ? parts.join(COMMA.trim()) + COMMA : "";
      renderChips();
      open();
      input.focus();
    }

    // A name typed in full and followed by a comma is chosen at once.
    function chooseTyped() {
      var parts = input.value.split(/[,،;؛]/);
      var kept = [];
      parts.forEach(function (part, i) {
        var query = fold(part);
        if (!query) return;
        var found = null;
        options.forEach(function (item) {
          if (!found && (item.code === query || item.keys.indexOf(query) >= 0)) found = item;
        });
        if (found && i < parts.length - 1) found.option.selected = true;
        else kept.push(part.trim());
      });
      input.value = kept.join(COMMA);
      renderChips();
    }

    input.addEventListener("input", function () {
      if (/[,،;؛]/.test(input.value)) chooseTyped();
      open();
    });
    input.addEventListener("focus", open);
    input.addEventListener("click", open);
    input.addEventListener("blur", function () {
      window.setTimeout(function () { if (document.activeElement !== input) close(); }, 150);
    });
    input.addEventListener("keydown", function (event) {
      var count = shown.length;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (list.hidden) open();
        if (count) setActive((active + 1) % count);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        if (count) setActive(active <= 0 ? count - 1 : active - 1);
      } else if (event.key === "Enter") {
        if (!list.hidden && active >= 0 && shown[active]) {
          event.preventDefault();
          toggle(shown[active]);
        } else if (input.value.trim()) {
          // Enter in the search never sends the form by surprise.
          event.preventDefault();
        }
      } else if (event.key === "Escape" && !list.hidden) {
        event.preventDefault();
        close();
      } else if (event.key === "Backspace" && !input.value) {
        var chosen = options.filter(function (item) { return item.option.selected; });
        if (chosen.length) {
          chosen[chosen.length - 1].option.selected = false;
          renderChips();
          if (!list.hidden) open();
        }
      }
    });
    list.addEventListener("mousedown", function (event) { event.preventDefault(); });
    list.addEventListener("click", function (event) {
      var li = event.target.closest("[role=option]");
      if (li && byCode[li.dataset.code]) toggle(byCode[li.dataset.code]);
    });
    chips.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-code]");
      if (!button || !byCode[button.dataset.code]) return;
      byCode[button.dataset.code].option.selected = false;
      renderChips();
      input.focus();
    });

    // A coordinator recording for another member: that member's usual languages, unless the
    // languages were already changed by hand.
    var member = document.getElementById("f-member_id");
    if (member) {
      var usualOf = function () {
        var option = member.options[member.selectedIndex];
        return ((option && option.dataset.languages) || "").split(" ").filter(Boolean);
      };
      var previous = usualOf();
      member.addEventListener("change", function () {
        var chosen = options.filter(function (i) { return i.option.selected; }).map(function (i) { return i.code; });
        var untouched = chosen.slice().sort().join(" ") === previous.slice().sort().join(" ");
        var next = usualOf();
        if (untouched) {
          options.forEach(function (item) { item.option.selected = next.indexOf(item.code) >= 0; });
          renderChips();
        }
        previous = next;
      });
    }

    renderChips();
  }

  monthNotices();
  document.querySelectorAll("[data-language-picker]").forEach(picker);
})();
