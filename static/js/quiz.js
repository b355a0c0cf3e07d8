// The signs quiz, enhanced: a live "n of 15 answered" count, and focus on the error summary.
// The page works fully without this file.
(function () {
  "use strict";

  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }

  var form = document.querySelector("[data-quiz-form]");
  var progress = document.getElementById("quiz-progress");
  if (!form || !progress) {
    return;
  }
  var questions = form.querySelectorAll("fieldset.question");
  var total = questions.length;

  function answered() {
    var count = 0;
    questions.forEach(function (question) {
      if (question.querySelector("input[type=radio]:checked")) {
        count += 1;
      }
    });
    return count;
  }

  function update() {
    var count = answered();
    progress.textContent = count + " of " + total + " answered";
    progress.classList.toggle("quiz-progress-done", count === total);
  }

  update();
  progress.hidden = false;
  form.addEventListener("change", function (event) {
    if (event.target && event.target.type === "radio") {
      update();
    }
  });
  // A page brought back by the Back button may come with answers the count has not seen.
  window.addEventListener("pageshow", update);
})();
