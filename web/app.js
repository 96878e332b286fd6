"use strict";
// The reference dashboard: every figure comes from the service's own /v1 API.
document.getElementById("main").textContent = "thidua";
