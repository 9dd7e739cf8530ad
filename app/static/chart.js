// The chart's columns are one tab stop: the arrow keys, Home and End move between them, and the
// focused column shows its date and value (parcours.css). Without this script each column is
// still reachable by pointer, and every value is in the table under the chart.
document.addEventListener("keydown", (event) => {
  const column = event.target.closest && event.target.closest(".columns .column");
  if (!column) return;
  const columns = [...column.parentElement.querySelectorAll(".column")];
  const at = columns.indexOf(column);
  const to = {ArrowLeft: at - 1, ArrowRight: at + 1, Home: 0, End: columns.length - 1}[event.key];
  if (to === undefined || !columns[to]) return;
  event.preventDefault();
  column.tabIndex = -1;
  columns[to].tabIndex = 0;
  columns[to].focus();
});
