// The signed-link form's evidence files (the update's and the extension request's): the
// browser's own file button speaks the phone's language ("Choose Files"), so it is hidden
// behind a Vietnamese label ("Chọn tệp…") and the chosen files are named here. A file, not
// inline: the CSP allows only 'self'.
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll(".file-pick"), function (pick) {
    var input = pick.querySelector("input[type=file]");
    var names = pick.querySelector(".file-names");
    if (!input || !names) return;
    function show() {
      var files = Array.prototype.map.call(input.files || [], function (f) { return f.name; });
      names.textContent = files.length
        ? "Đã chọn " + files.length + " tệp: " + files.join(", ")
        : "Chưa chọn tệp nào";
    }
    input.addEventListener("change", show);
    show();
  });
})();
