// Entry point of the front-end bundle: htmx plus small progressive enhancements.
// No inline scripts anywhere (the Content-Security-Policy forbids them).
import htmx from "htmx.org";

window.htmx = htmx;

document.addEventListener("DOMContentLoaded", () => {
  // Auto-submit selects marked data-autosubmit (the establishment switcher) when JS is on;
  // without JS the submit button stays.
  document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
    select.addEventListener("change", () => select.form.requestSubmit());
  });
});
