//! Regenerate src/math/mont/unrolled.rs (the straight-line Montgomery squaring) from the generator
//! in src/math/mont/gen_unrolled.rs: `cargo run --example gen-unrolled`. With `-- --stdout` it
//! prints the text instead of writing the file. The test `unrolled_rs_is_what_the_generator_writes`
//! fails while the checked-in file differs from this output.

#[path = "../src/math/mont/gen_unrolled.rs"]
mod gen_unrolled;

fn main() -> std::io::Result<()> {
    let text = gen_unrolled::render();
    if std::env::args().skip(1).any(|a| a == "--stdout") {
        print!("{text}");
        return Ok(());
    }
    let path = "src/math/mont/unrolled.rs";
    std::fs::write(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path),
        text,
    )?;
    println!("wrote {path}");
    Ok(())
}
