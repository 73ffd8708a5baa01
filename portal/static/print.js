// The 打印 button of the printable 采集表 (no inline script: the pages' Content-Security-Policy forbids it).
document.querySelectorAll("button[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
