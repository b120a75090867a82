// Plugin settings tables: "Add a row" appends an empty row with the next row number.
// Without this script the form still works: it always ends with one empty row to fill in.
(function () {
  document.querySelectorAll("[data-settings-table]").forEach(function (table) {
    const button = table.querySelector("[data-add-row]");
    const body = table.querySelector("tbody");
    const template = body.querySelector("[data-blank-row]");
    if (!button || !template) return;
    // A cell's label in the page's language, e.g. "{column}, fila {number}".
    const pattern = table.querySelector("table").dataset.rowLabel || "{column}, row {number}";
    button.hidden = false;
    button.addEventListener("click", function () {
      const index = Number(table.dataset.nextRow);
      const number = body.rows.length + 1;
      const row = template.cloneNode(true);
      row.querySelector("[data-row-number]").textContent = String(number);
      row.querySelectorAll("[data-column]").forEach(function (input) {
        input.name = table.dataset.setting + "-" + index + "-" + input.dataset.column;
        input.setAttribute("aria-label", pattern.replace("{column}", input.dataset.label)
          .replace("{number}", String(number)));
        if (input.type === "checkbox") input.checked = false;
        else input.value = "";
      });
      body.appendChild(row);
      table.dataset.nextRow = String(index + 1);
      row.querySelector("[data-column]").focus();
    });
  });
})();
