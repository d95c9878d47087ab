// The web app's own script, loaded by every page from /static/parley.js: the Content-Security-Policy
// allows no inline scripts, so pages carry their data in <script type="application/json"> blocks
// and data-* attributes, and this file acts on them.
(function () {
  "use strict";

  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  var options = { responsive: true, displaylogo: false };
  // the report's plain style (parley.report.figures.FONT, white backgrounds), set once as the report's page does:
  // the report's figures carry no style template of their own
  var base = {
    font: { family: "Inter, Segoe UI, Helvetica, Arial, sans-serif", size: 12 },
    paper_bgcolor: "#fff", plot_bgcolor: "#fff", hoverlabel: { namelength: -1 }
  };
  function styled(layout) { return Object.assign({}, base, layout); }

  // a stored forecast: one chart
  var fig = data("chart-data");
  if (fig && window.Plotly) {
    Plotly.newPlot("chart", fig.data, styled(fig.layout), options).then(function () {
      document.getElementById("chart").dataset.rendered = "yes";
    });
  }

  // plan and Monte Carlo runs: the report's charts, each in its own <div id="chart-KEY">
  var charts = data("charts-data");
  if (charts && window.Plotly) {
    Object.keys(charts).forEach(function (key) {
      var el = document.getElementById("chart-" + key);
      if (el) { Plotly.newPlot(el, charts[key].data, styled(charts[key].layout), options); }
    });
  }

  // a running job: poll its state, go to the run when it is done
  var job = document.querySelector("[data-job-id]");
  if (job) {
    var id = job.dataset.jobId;
    (function poll() {
      fetch("/api/jobs/" + encodeURIComponent(id)).then(function (r) { return r.json(); }).then(function (j) {
        var status = document.getElementById("status");
        status.textContent = j.status;
        status.className = "status-" + j.status;
        document.getElementById("progress").textContent = j.progress;
        var bar = document.getElementById("bar");
        if (bar && j.total) {  // counted steps (draws, model runs): a bar that moves
          bar.max = j.total;
          bar.value = j.done || 0;
          document.getElementById("percent").textContent = Math.round(100 * j.fraction) + "%";
        }
        if (j.status === "done") { window.location = "/runs/" + encodeURIComponent(j.run_id); return; }
        if (j.status === "failed") {
          document.getElementById("error").textContent = j.error;
          if (bar) { bar.remove(); }
          return;
        }
        setTimeout(poll, 500);
      }).catch(function () { setTimeout(poll, 2000); });  // a missed answer: ask again
    })();
  }

  // /docs: start Swagger UI (its bundle is served by this app from the installed fastapi-offline package)
  var swagger = document.getElementById("swagger-ui");
  if (swagger && window.SwaggerUIBundle) {
    window.parleySwagger = SwaggerUIBundle({
      url: swagger.dataset.openapiUrl,
      dom_id: "#swagger-ui",
      layout: "BaseLayout",
      deepLinking: true,
      showExtensions: true,
      showCommonExtensions: true,
      presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset]
    });
  }

  // the editor: jump to a problem's line when it is clicked
  document.querySelectorAll("a[data-line]").forEach(function (a) {
    a.addEventListener("click", function (ev) {
      var ta = document.getElementById("scenario-text"), n = parseInt(a.dataset.line, 10);
      var lines = ta.value.split("\n"), pos = 0;
      for (var i = 0; i < n - 1 && i < lines.length; i++) pos += lines[i].length + 1;
      ta.focus(); ta.setSelectionRange(pos, pos + (lines[n - 1] || "").length);
      ta.scrollTop = Math.max(0, (n - 5) * 16); ev.preventDefault();
    });
  });
})();
