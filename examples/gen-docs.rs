//! Regenerate `man/` and `completions/` from the clap definitions: `cargo run --example gen-docs`.

fn main() -> std::io::Result<()> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for dir in ["man", "completions"] {
        let d = root.join(dir);
        if d.exists() {
            std::fs::remove_dir_all(&d)?;
        }
        std::fs::create_dir_all(&d)?;
    }
    for (path, bytes) in kmi::cli::docs::render()? {
        std::fs::write(root.join(&path), bytes)?;
        println!("wrote {path}");
    }
    Ok(())
}
