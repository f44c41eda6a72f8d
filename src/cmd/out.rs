//! Checked standard output for the command layer. `println!` panics when stdout cannot be written
//! (a full disk, `> /dev/full`); `outln!`/`out!` return a `kmi::Result` instead (exit 3, one line),
//! and a closed pipe (`kmi ... | head`) ends quietly as `write_output` does.

/// Like `println!`, but returns `kmi::Result<()>`.
macro_rules! outln {
    () => {
        $crate::cmd::out::write("\n")
    };
    ($($arg:tt)*) => {
        $crate::cmd::out::write(&format!("{}\n", format_args!($($arg)*)))
    };
}

/// Like `print!`, but returns `kmi::Result<()>`.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::cmd::out::write(&format!($($arg)*))
    };
}

/// Write already formatted text to standard output.
pub fn write(text: &str) -> kmi::Result<()> {
    kmi::io::output::write_stdout(text.as_bytes())
}
