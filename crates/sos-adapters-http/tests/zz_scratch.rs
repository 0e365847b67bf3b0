#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;
use common::*;

#[actix_web::test]
async fn explore() {
    let app = TestApp::new().await;
    for p in ["/docs", "/docs/swagger-initializer.js", "/docs/index.css", "/docs/swagger-ui.css", "/docs/swagger-ui-bundle.js", "/docs/swagger-ui-standalone-preset.js", "/docs/favicon-32x32.png", "/docs/nope.js", "/metrics", "/nope"] {
        let r = app.get(p).await;
        let t = r.text();
        println!("=== {p} {} {:?} len={}", r.status, r.headers, t.len());
        if t.len() < 3000 { println!("{t}"); }
        for pat in ["https://", "http://"] {
            let n = t.matches(pat).count();
            println!("  {pat} x{n}");
        }
        for (i, _) in t.match_indices("https://").take(30) { println!("   ..{}", &t[i.saturating_sub(40)..(i+60).min(t.len())].replace('\n', " ")); }
    }
}
