(function () {
	"use strict";
	function key(td) {
		var v = td.getAttribute("data-v");
		if (v === null) { v = td.textContent.trim(); }
		var n = Number(v);
		return v !== "" && !isNaN(n) ? n : v.toLowerCase();
	}
	document.querySelectorAll("table.sortable th").forEach(function (th) {
		th.tabIndex = 0;
		function sort() {
			var i = th.cellIndex, table = th.closest("table"), body = table.tBodies[0];
			var asc = th.getAttribute("aria-sort") !== "ascending";
			table.querySelectorAll("th").forEach(function (o) { o.removeAttribute("aria-sort"); });
			th.setAttribute("aria-sort", asc ? "ascending" : "descending");
			var rows = Array.prototype.slice.call(body.rows);
			rows.sort(function (a, b) {
				var x = key(a.cells[i]), y = key(b.cells[i]);
				if (typeof x !== typeof y) { x = String(x); y = String(y); }
				return (x < y ? -1 : x > y ? 1 : 0) * (asc ? 1 : -1);
			});
			rows.forEach(function (r) { body.appendChild(r); });
		}
		th.addEventListener("click", sort);
		th.addEventListener("keydown", function (e) { if (e.key === "Enter") { sort(); } });
	});
	var filter = document.getElementById("filter");
	filter.addEventListener("input", function () {
		var q = filter.value.trim().toLowerCase();
		document.querySelectorAll("tbody tr, figure.map, details.pool").forEach(function (el) {
			el.hidden = q !== "" && el.textContent.toLowerCase().indexOf(q) < 0;
		});
	});
	document.querySelectorAll("button[data-open]").forEach(function (b) {
		b.addEventListener("click", function () {
			var open = b.getAttribute("data-open") === "1";
			document.querySelectorAll("details").forEach(function (d) { d.open = open; });
		});
	});
	window.addEventListener("beforeprint", function () {
		document.querySelectorAll("details").forEach(function (d) { d.open = true; });
	});
}());
