/// The page's style (inlined in every page, so a report is one file) and its one small
/// script (served by track at `/static/track.js`; nothing is fetched from elsewhere).
public enum WebAssets {
  static let css = """
    :root{--fg:#1b1f24;--muted:#5b6470;--line:#d8dde3;--bg:#fff;--soft:#f4f6f8;--accent:#0072B2}
    *{box-sizing:border-box}
    body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--fg);background:var(--bg)}
    header{background:#1b1f24;color:#fff;padding:8px 16px}
    header a,header span{color:#fff;text-decoration:none;margin-right:14px}
    .brand{font-weight:700;letter-spacing:.5px}
    main{padding:12px 16px;max-width:1400px;margin:0 auto}
    h1{font-size:20px;margin:8px 0 12px}h2{font-size:15px;margin:18px 0 8px}
    a{color:var(--accent)}
    .scroll{overflow-x:auto;max-width:100%}
    table{border-collapse:collapse;font-variant-numeric:tabular-nums}
    th,td{padding:4px 8px;border-bottom:1px solid var(--line);text-align:left;white-space:nowrap}
    th{background:var(--soft);font-weight:600}th a{color:inherit;text-decoration:none}
    td.num,th.num{text-align:right}
    tbody tr:hover{background:var(--soft)}
    .status{display:inline-block;padding:0 6px;border-radius:8px;font-size:12px;background:var(--soft)}
    .status.running{background:#cde8f7}.status.finished{background:#d5efe4}
    .status.failed,.status.crashed{background:#f9dcc8}.status.killed{background:#eee1ee}
    .filter{display:flex;gap:8px;margin-bottom:8px}
    .filter{flex-wrap:wrap}.filter input.columns{flex:0 1 260px}
    .filter input{flex:1;min-width:0;padding:6px 8px;font:inherit;font-family:ui-monospace,monospace;border:1px solid var(--line);border-radius:4px}
    button{font:inherit;padding:5px 12px;border:1px solid var(--accent);background:var(--accent);color:#fff;border-radius:4px;cursor:pointer}
    pre.error{background:#fff4ec;border:1px solid #D55E00;padding:8px;white-space:pre-wrap;overflow-x:auto}
    .count,.controls{color:var(--muted)}
    .pages{display:flex;gap:16px;align-items:center;margin:8px 0}
    dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:0 0 8px}
    dl.facts dt{color:var(--muted)}dl.facts dd{margin:0;overflow-wrap:anywhere;font-family:ui-monospace,monospace;font-size:13px}
    dl.summary{display:flex;gap:24px;flex-wrap:wrap;margin:0}
    dl.summary dt{color:var(--muted);font-size:12px}dl.summary dd{margin:0;font-size:22px;font-variant-numeric:tabular-nums}
    .heartbeat{padding:6px 8px;background:#e8f4fb;border-left:3px solid var(--accent)}
    .heartbeat.stale{background:#fff4ec;border-left-color:#D55E00}
    .charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,460px),1fr));gap:12px}
    .pair{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,420px),1fr));gap:12px;align-items:start}
    figure{margin:0;border:1px solid var(--line);border-radius:6px;padding:8px;background:#fff;min-width:0}
    figcaption{font-weight:600;margin-bottom:4px;overflow-wrap:anywhere}
    svg{width:100%;height:auto;display:block}
    svg .grid line{stroke:#e6e9ed;stroke-width:1}
    svg text{font-size:11px;fill:var(--muted)}svg .cell text{font-size:11px}
    svg .cell text.on-light{fill:#111}svg .cell text.on-dark{fill:#fff}
    svg path.line{fill:none;stroke-width:1.6;stroke-linejoin:round}
    svg rect.missing{fill:#f4f6f8}
    .legend{list-style:none;padding:0;margin:4px 0;display:flex;flex-wrap:wrap;gap:4px 14px;font-size:12px}
    .swatch{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:4px;vertical-align:-1px}
    .tables{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,420px),1fr));gap:0 24px}
    .delta.up{color:#a04500}.delta.down{color:#005a8c}
    .empty{color:var(--muted)}
    @media (max-width:600px){main{padding:8px}h1{font-size:17px}th,td{padding:3px 5px}}
    """

  /// A running run's page reloads its content every few seconds until the run ends.
  public static let script = """
    (function () {
      "use strict";
      var delay = 3000;
      function refresh() {
        if (!document.body.hasAttribute("data-live")) return;
        fetch(location.href, { headers: { "X-Track-Refresh": "1" }, cache: "no-store" })
          .then(function (response) { return response.ok ? response.text() : null; })
          .then(function (text) {
            if (text === null) { setTimeout(refresh, delay * 4); return; }
            var next = new DOMParser().parseFromString(text, "text/html");
            var main = next.getElementById("main");
            if (main) document.getElementById("main").replaceWith(main);
            if (!next.body.hasAttribute("data-live")) document.body.removeAttribute("data-live");
            setTimeout(refresh, delay);
          })
          .catch(function () { setTimeout(refresh, delay * 4); });
      }
      setTimeout(refresh, delay);
    })();
    """
}
