package dev.pgmigrate.core.report;

/** The HTML report's style sheet, inlined in the page: the content security policy allows no other. */
final class HtmlStyle {
    static final String CSS = """
            :root{--fg:#1f2937;--muted:#6b7280;--line:#e5e7eb;--bg:#f8fafc;--card:#fff;--ok:#15803d;--okbg:#dcfce7;\
            --bad:#b91c1c;--badbg:#fee2e2;--warn:#a16207;--warnbg:#fef3c7;--run:#1d4ed8;--runbg:#dbeafe;\
            --gray:#4b5563;--graybg:#f3f4f6}
            *{box-sizing:border-box}
            body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",\
            Roboto,"Helvetica Neue",Arial,sans-serif}
            main{max-width:1200px;margin:0 auto;padding:24px}
            h1{font-size:24px;margin:0}h2{font-size:18px;margin:0 0 10px}h3{font-size:15px;margin:14px 0 6px}
            section,header{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:16px 20px;\
            margin-bottom:16px}
            .title{display:flex;align-items:center;gap:12px;flex-wrap:wrap}
            .name{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;word-break:break-all}
            .substatus{color:var(--muted)}
            .badge,.pill,.state{display:inline-block;border-radius:999px;padding:2px 10px;font-weight:600;\
            font-size:13px;background:var(--graybg);color:var(--gray)}
            .state{font-size:12px;padding:1px 8px;font-weight:500}
            .st-succeeded,.ok{background:var(--okbg);color:var(--ok)}
            .st-failed,.st-validationfailed,.badge.bad{background:var(--badbg);color:var(--bad)}
            .st-warning{background:var(--warnbg);color:var(--warn)}
            .st-inprogress{background:var(--runbg);color:var(--run)}
            .st-waitingforuseraction{background:var(--warnbg);color:var(--warn)}
            .st-canceled,.st-queued{background:var(--graybg);color:var(--gray)}
            h1+.badge,#status{font-size:15px;padding:4px 14px}
            .route{display:flex;align-items:stretch;gap:12px;margin:14px 0}
            .server{flex:1;border:1px solid var(--line);border-radius:6px;padding:8px 12px;display:flex;\
            flex-direction:column}
            .role{font-size:11px;text-transform:uppercase;letter-spacing:.05em;color:var(--muted)}
            .address{font-weight:600;font-size:16px;word-break:break-all}
            .detail{color:var(--muted);font-size:12px}
            .arrow{align-self:center;font-size:24px;color:var(--muted)}
            .facts{display:grid;grid-template-columns:repeat(auto-fill,minmax(220px,1fr));gap:6px 18px;margin:0}
            .facts dt{font-size:11px;text-transform:uppercase;letter-spacing:.05em;color:var(--muted)}
            .facts dd{margin:0;word-break:break-word}
            .cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:10px;background:none;\
            border:none;padding:0}
            .card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px 14px}
            .card .label{font-size:11px;text-transform:uppercase;letter-spacing:.05em;color:var(--muted)}
            .card .value{font-size:20px;font-weight:650;margin:2px 0}
            .card .detail{font-size:12px}
            .card.ok{border-color:#86efac}.card.ok .value{color:var(--ok)}
            .card.bad,.card.st-failed{border-color:#fca5a5}.card.bad .value,.card.st-failed .value{color:var(--bad)}
            .card.st-warning{border-color:#fcd34d}.card.st-warning .value{color:var(--warn)}
            .card.st-succeeded .value{color:var(--ok)}
            .errors{border-color:#fca5a5;background:#fff5f5}.errors h2{color:var(--bad)}
            code.code{font-size:12px;border-radius:4px;padding:0 4px;background:#eef2f7}
            li.warning code.code{background:#fef3c7}
            .remedy{color:var(--muted)}
            .alert{background:var(--badbg);color:var(--bad);border-radius:6px;padding:8px 12px}
            .alert.info{background:var(--warnbg);color:var(--warn)}
            .replication{margin:2px 0 8px}
            .muted{color:var(--muted)}
            svg.timeline{display:block;max-width:100%;height:auto}
            svg text{font:12px system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;fill:var(--fg)}
            svg .axis{fill:var(--muted);font-size:11px}
            svg .label{text-anchor:end}
            svg .value{fill:var(--muted)}
            svg .tick{stroke:var(--line);stroke-width:1}
            svg .divider{stroke:#cbd5e1;stroke-dasharray:4 3}
            .bar{fill:#94a3b8}
            .bar.ph-prerequisite{fill:#94a3b8}.bar.ph-validation{fill:#a78bfa}.bar.ph-migrating{fill:#3b82f6}.bar.ph-following{fill:#14b8a6}\
            .bar.ph-completing{fill:#14b8a6}.bar.copy{fill:#93c5fd}.bar.verify{fill:#0ea5e9}
            .bar.st-succeeded{fill:#22c55e}.bar.st-failed{fill:#ef4444}.bar.st-canceled{fill:#9ca3af}\
            .bar.st-inprogress{fill:#60a5fa}
            .legend{display:flex;flex-wrap:wrap;gap:16px;color:var(--muted);font-size:12px;margin:6px 0 0}
            .group{border-top:1px solid var(--line);padding-top:4px;margin-top:10px}
            .tally{font-weight:400;color:var(--muted);font-size:13px}
            .finding{border-left:4px solid var(--gray);background:var(--graybg);border-radius:4px;padding:8px 12px;\
            margin:8px 0}
            .finding.st-failed{border-color:#ef4444;background:#fff5f5;color:inherit}
            .finding.st-warning{border-color:#f59e0b;background:#fffbeb;color:inherit}
            .finding p{margin:4px 0}.found{font-weight:600}
            .why b,.remedy b{display:inline-block;min-width:112px;color:var(--muted);font-weight:600}
            .remedy b{color:var(--fg)}
            .items{margin:4px 0;padding-left:20px;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;\
            font-size:12px;columns:2}
            details summary{cursor:pointer;color:var(--muted);margin:6px 0}
            details ul{margin:4px 0}
            .db{border-top:1px solid var(--line);margin-top:8px}.db:first-of-type{border-top:none}
            .dbfacts{color:var(--muted);margin:2px 0 8px}.message{background:var(--graybg);padding:6px 10px;border-radius:4px}
            table.grid{border-collapse:collapse;width:100%;font-size:13px}
            .grid th{text-align:left;font-size:11px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);\
            border-bottom:2px solid var(--line);padding:6px 8px}
            .grid td{border-bottom:1px solid var(--line);padding:5px 8px;vertical-align:top}
            .grid .num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
            .grid tr.bad td{background:#fff1f1}
            .grid tr.errorline td{color:var(--bad);font-size:12px}
            .ident{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;word-break:break-all}
            .dot{color:var(--muted)}
            .sizebar{display:inline-block;height:6px;background:#bfdbfe;border-radius:3px;margin-right:6px;\
            vertical-align:middle}
            code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
            footer{color:var(--muted);font-size:12px;text-align:center;padding:8px}
            """;

    private HtmlStyle() {
    }
}
