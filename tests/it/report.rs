//! `chatroute report` in a real browser (Debian's headless Chromium): the
//! page of every example lays out without overflowing, even with long
//! names; its DOM holds the access matrix and the shares; hostile names
//! stay text.

use crate::support::cli as cli_support;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn chromium() -> Option<&'static str> {
    if Command::new("chromium").arg("--version").output().is_err() {
        assert!(
            std::env::var_os("CHATROUTE_REQUIRE_CHROMIUM").is_none(),
            "CHATROUTE_REQUIRE_CHROMIUM is set but chromium is not installed"
        );
        eprintln!("SKIPPED: chromium not found; install it (apt-get install chromium) to run this test");
        return None;
    }
    Some("chromium")
}

fn browser(args: &[&str], profile: &Path) -> std::process::Output {
    Command::new("chromium")
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"])
        .args(["--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .output()
        .unwrap()
}

fn page_of(spec: &str, dir: &Path, name: &str) -> (String, PathBuf) {
    let checked = chatroute::check::check(name, spec.as_bytes().to_vec(), Default::default());
    let html = chatroute::report::page(&checked, Default::default());
    let path = dir.join(format!("{name}.html"));
    std::fs::write(&path, &html).unwrap();
    (html, path)
}

/// What the page looks like once laid out, measured in the browser by a
/// script added to a copy of the page (the page itself has none).
fn measure(page: &Path, dir: &Path) -> Value {
    let html = std::fs::read_to_string(page).unwrap();
    let probe = r#"<script>
        const rows = [...document.querySelectorAll("table.matrix tbody tr")];
        document.title = JSON.stringify({
          overflow: document.documentElement.scrollWidth > window.innerWidth,
          matrixRows: rows.length,
          matrixColumns: document.querySelectorAll("table.matrix thead th").length,
          shares: [...document.querySelectorAll("td.share")].map(td => td.textContent.trim()),
          scripts: document.querySelectorAll("script").length,
          lang: document.documentElement.lang,
          headings: [...document.querySelectorAll("h1, h2")].map(h => h.textContent.trim()),
          // Whether the page's font has glyphs for its own text, Cyrillic
          // included (no tofu boxes).
          glyphs: document.fonts.check("14px " + getComputedStyle(document.body).fontFamily, document.body.innerText),
          // Every text that overflows its box (a long Russian word in a
          // narrow column).
          clipped: [...document.querySelectorAll("td, th, dd, dt, h1, h2, h3, p, div")]
            .filter(e => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === "visible")
            .map(e => e.textContent.trim().slice(0, 40)),
        });
    </script>"#;
    let probed = dir.join("probed.html");
    std::fs::write(&probed, html.replace("</body>", &format!("{probe}</body>"))).unwrap();
    let out = browser(
        &["--window-size=900,1200", "--dump-dom", &format!("file://{}", probed.display())],
        &dir.join("profile"),
    );
    let dom = String::from_utf8_lossy(&out.stdout);
    let title = dom.split("<title>").nth(1).and_then(|t| t.split("</title>").next()).unwrap_or_default();
    let title = title.replace("&quot;", "\"").replace("&nbsp;", "\u{a0}").replace("&amp;", "&");
    serde_json::from_str(&title).unwrap_or_else(|e| panic!("{e}: {title}"))
}

#[test]
fn every_example_lays_out_and_holds_the_matrix_and_the_shares() {
    let Some(_) = chromium() else { return };
    let dir = cli_support::scratch("report-examples");
    for entry in std::fs::read_dir("examples").unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let (_, page) = page_of(&text, &dir, &name);
        let seen = measure(&page, &dir);
        let checked = chatroute::check::check(&name, text.into_bytes(), Default::default());
        let spec = checked.spec.as_ref().unwrap();
        assert_eq!(seen["overflow"], false, "{name} overflows");
        assert_eq!(seen["matrixRows"], spec.employees.len(), "{name}: {seen}");
        assert_eq!(seen["matrixColumns"], spec.enabled_channels().count() + 1, "{name}: {seen}");
        assert_eq!(seen["scripts"], 1, "the page has no script of its own");
        let shares: Vec<&str> = seen["shares"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
        assert!(shares.iter().any(|s| s.ends_with('%')) || name == "art-shop", "{name}: {shares:?}");
        let shot = dir.join(format!("{name}.png"));
        let out = browser(
            &[
                "--window-size=900,1200",
                &format!("--screenshot={}", shot.display()),
                &format!("file://{}", page.display()),
            ],
            &dir.join("profile"),
        );
        assert!(
            std::fs::metadata(&shot).is_ok_and(|m| m.len() > 10_000),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// Each member's working hours, in their zone, beside their share.
#[test]
fn working_hours_show_beside_the_shares() {
    let dir = cli_support::scratch("report-hours");
    let (html, _) = page_of(&std::fs::read_to_string("examples/three-zones.toml").unwrap(), &dir, "three-zones");
    assert!(html.contains("almaty-nights: mon-sun 20:00-08:00 (Asia/Almaty)"), "{html}");
    assert!(html.contains("tokyo: mon-fri 09:00-12:00, 13:00-18:00; off 2027-01-01 (Asia/Tokyo)"));
    assert!(html.contains("a returning client goes to their owner"));
    let (html, _) = page_of(&std::fs::read_to_string("examples/support-desk.toml").unwrap(), &dir, "support-desk");
    assert!(html.contains("unanswered after 15m: passed to the next member (at most 2 times)"), "{html}");
}

#[test]
fn long_and_hostile_names_stay_text_and_in_the_page() {
    let Some(_) = chromium() else { return };
    let dir = cli_support::scratch("report-hostile");
    let acme = std::fs::read_to_string("examples/acme.toml").unwrap();
    let long = "Ж".repeat(300);
    let hostile = "<script>alert(1)</script> \u{202e}evil";
    let text = acme.replacen("\"Bruce Wayne\"", &format!("\"{long}\""), 1).replacen(
        "\"Retail WhatsApp\"",
        &format!("\"{}\"", hostile.replace('\u{202e}', "\\u202E")),
        1,
    );
    let (html, page) = page_of(&text, &dir, "hostile");
    assert!(!html.contains("<script>"), "markup from a name reached the page");
    assert!(!html.contains('\u{202e}') && html.contains("\\u{202e}evil"), "the bidi override is shown, not obeyed");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    let seen = measure(&page, &dir);
    assert_eq!(seen["overflow"], false, "a 300-character name throws the layout");
    assert_eq!(seen["scripts"], 1);
}

#[test]
fn a_spec_with_errors_gets_a_page_that_lists_them_first() {
    let dir = cli_support::scratch("report-errors");
    let out_path = dir.join("broken.html");
    let out = cli_support::chatroute(&["report", "tests/fixtures/CR101.toml", "-o", out_path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "a spec with errors fails the command");
    let html = std::fs::read_to_string(&out_path).unwrap();
    let errors = html.find("<h2>Errors</h2>").expect("the errors");
    assert!(html[errors..].contains("CR101"));
    assert!(html.contains("Fix the errors above"));
    let out = cli_support::chatroute(&["report", "examples/furniture.toml", "-o", out_path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
}

/// A warning inside a channel's tables is shown on that channel's card.
#[test]
fn warnings_show_where_they_apply() {
    let acme = std::fs::read_to_string("examples/acme.toml").unwrap();
    let text = acme.replacen(
        "mode = \"first_responder\"\n",
        "mode = \"first_responder\"\nwhen_nobody = \"assign_anyway\"\n",
        1,
    );
    assert!(text != acme, "the edit applies");
    let checked = chatroute::check::check("acme.toml", text.into_bytes(), Default::default());
    let warning = checked.diagnostics.first().expect("a warning");
    let html = chatroute::report::page(&checked, Default::default());
    let card = html.split("id=\"channel-ig-art\"").nth(1).unwrap();
    let card = card.split("class=\"card").next().unwrap();
    assert!(card.contains(warning.code.as_str()), "{} not on the ig-art card", warning.code.as_str());
    assert!(!html.contains("Other warnings"), "and not again below");
}

/// Printed (Chromium's print to PDF), the page is A4: the style sheet's
/// `@page` decides, whatever the printer's default.
#[test]
fn the_page_prints_on_a4() {
    let Some(_) = chromium() else { return };
    let dir = cli_support::scratch("report-print");
    let text = std::fs::read_to_string("examples/furniture.toml").unwrap();
    let (_, page) = page_of(&text, &dir, "furniture");
    let pdf = dir.join("furniture.pdf");
    let out = browser(
        &[
            "--no-pdf-header-footer",
            &format!("--print-to-pdf={}", pdf.display()),
            &format!("file://{}", page.display()),
        ],
        &dir.join("profile"),
    );
    let bytes = std::fs::read(&pdf).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let text = String::from_utf8_lossy(&bytes);
    let boxes: Vec<&str> = text.match_indices("/MediaBox [").map(|(i, _)| &text[i + 11..]).collect();
    assert!(!boxes.is_empty(), "no page in the PDF");
    for media in boxes {
        let numbers: Vec<f64> =
            media.split(']').next().unwrap().split_whitespace().map(|n| n.parse().unwrap()).collect();
        // A4 is 595.28 x 841.89 points.
        assert!((numbers[2] - 595.0).abs() < 1.0 && (numbers[3] - 842.0).abs() < 1.0, "{numbers:?}");
    }
}

/// The page for a Russian-speaking admin (`--lang ru`): `lang="ru"`, the
/// settings menu's words, shares written `33,3 %`, every example laid out
/// without overflow and its Cyrillic drawn by the page's font; codes and
/// the layout's structure as in English.
#[test]
fn the_russian_page_speaks_the_menus_words_and_lays_out() {
    let Some(_) = chromium() else { return };
    let dir = cli_support::scratch("report-russian");
    for name in ["acme", "stationery-wholesale", "three-zones", "every-messenger"] {
        let path = format!("examples/{name}.toml");
        let page = dir.join(format!("{name}.html"));
        let out = cli_support::chatroute(&["report", "--lang", "ru", &path, "-o", page.to_str().unwrap()]);
        assert!(out.status.success(), "{}", cli_support::stderr(&out));
        let html = std::fs::read_to_string(&page).unwrap();
        assert!(html.contains("<html lang=\"ru\">"), "{name}");
        let seen = measure(&page, &dir);
        assert_eq!(seen["lang"], "ru");
        assert_eq!(seen["overflow"], false, "{name} overflows: {seen}");
        assert_eq!(seen["clipped"], serde_json::json!([]), "{name}: {seen}");
        assert_eq!(seen["glyphs"], true, "{name}: the font lacks glyphs of the page");
        let headings: Vec<&str> = seen["headings"].as_array().unwrap().iter().map(|h| h.as_str().unwrap()).collect();
        assert!(headings.contains(&"Каналы в этой интеграции"), "{name}: {headings:?}");
        assert!(headings.contains(&"Доступ сотрудников к каналам"), "{name}: {headings:?}");
        let shares: Vec<&str> = seen["shares"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
        let percent = shares.iter().filter(|s| s.ends_with("\u{a0}%")).count();
        assert!(percent > 0 && shares.iter().all(|s| !s.contains('.')), "{name}: {shares:?}");
        let english = measure(&page_of(&std::fs::read_to_string(&path).unwrap(), &dir, name).1, &dir);
        assert_eq!(
            (&seen["matrixRows"], &seen["matrixColumns"]),
            (&english["matrixRows"], &english["matrixColumns"]),
            "{name}"
        );
    }
}
