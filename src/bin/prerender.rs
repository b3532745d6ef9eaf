//! `prerender [DIST]`: writes `DIST/login.html` (the sign-in page) and `DIST/home.html` (the
//! landing page at `/`), and puts the app's frame into `DIST/index.html`, from Trunk's
//! `DIST/index.html`. Run by `cargo xtask dist`.

use std::path::PathBuf;
use std::process::ExitCode;

use gatehouse::prerender::{page, render, without_preloads};
use gatehouse_api::SIGN_IN_PAGE;

fn main() -> ExitCode {
    let dist = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "dist".into()));
    match run(&dist) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("prerender: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(dist: &std::path::Path) -> Result<(), String> {
    let index_path = dist.join("index.html");
    let index = std::fs::read_to_string(&index_path)
        .map_err(|e| format!("{}: {e}", index_path.display()))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let (login, home, frame) = tokio::task::LocalSet::new().block_on(&runtime, async {
        (
            render(SIGN_IN_PAGE, true).await,
            render("/", true).await,
            render("/", false).await,
        )
    });
    let write = |name: &str, html: String| {
        std::fs::write(dist.join(name), html).map_err(|e| format!("{name}: {e}"))
    };
    let login = page(&index, &login, "Sign in · Gatehouse")?;
    write("login.html", without_preloads(&login)?)?;
    let home = page(&index, &home, "Your notes, kept private · Gatehouse")?;
    write("home.html", without_preloads(&home)?)?;
    write("index.html", page(&index, &frame, "Gatehouse")?)?;
    println!("    pre-rendered login.html, home.html and the frame in index.html");
    Ok(())
}
