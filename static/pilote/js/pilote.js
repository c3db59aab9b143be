// Pilote — behaviour that needs script lives here, never inline (Content-Security-Policy).
"use strict";
document.addEventListener("htmx:responseError", function () {
  window.alert("Le serveur n'a pas pu répondre. Réessayez dans un instant.");
});
