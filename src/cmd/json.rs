//! The one JSON envelope of every `--json` output: `{"version":1,"ok":bool,...}` first, then the
//! command's own fields. A success prints it at once (`print`); a failing verdict (a key check
//! that fails, a policy that denies) hands its fields to `fail_with` and returns its error, and
//! `main` prints the envelope with `"error"` (the one-line message) and `"exit"` (the exit code),
//! as it does for every other error once `--json` was asked (`set_requested`). Hex in these
//! documents is plain lower-case digits: no spaces, no colons (`plain_hex`).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use serde::Serialize;
use serde_json::{Map, Value};

/// The version of the envelope and of every command's fields in it.
pub const VERSION: u32 = 1;

static REQUESTED: AtomicBool = AtomicBool::new(false);
static PRINTED: AtomicBool = AtomicBool::new(false);
static PENDING: Mutex<Option<Map<String, Value>>> = Mutex::new(None);

#[derive(Serialize)]
struct Envelope<'a> {
    version: u32,
    ok: bool,
    #[serde(flatten)]
    fields: &'a Map<String, Value>,
}

/// `--json` was given to the command being run (`main` records it when the command line parses).
pub fn set_requested(on: bool) {
    REQUESTED.store(on, Ordering::SeqCst);
}

/// Whether `--json` was given.
pub fn requested() -> bool {
    REQUESTED.load(Ordering::SeqCst)
}

/// The fields of a JSON object value (anything else under the key "value").
fn fields_of(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(mut m) => {
            m.remove("version");
            m.remove("ok");
            m
        }
        Value::Null => Map::new(),
        other => Map::from_iter([("value".to_string(), other)]),
    }
}

/// The envelope as text: pretty-printed, `version` and `ok` first.
fn render(ok: bool, fields: &Map<String, Value>) -> String {
    let env = Envelope {
        version: VERSION,
        ok,
        fields,
    };
    // A Map of Values always serializes.
    serde_json::to_string_pretty(&env).unwrap_or_default()
}

/// Print the envelope of a finished command on standard output.
pub fn print(ok: bool, fields: Value) -> kmi::Result<()> {
    PRINTED.store(true, Ordering::SeqCst);
    let text = render(ok, &fields_of(fields));
    super::out::write(&format!("{text}\n"))
}

/// A failing verdict's own fields; `main` prints them in the error envelope.
pub fn fail_with(fields: Value) {
    if let Ok(mut p) = PENDING.lock() {
        *p = Some(fields_of(fields));
    }
}

/// The error envelope, printed by `main` when a command asked for JSON fails (unless the command
/// printed its own document already).
pub fn print_error(message: &str, exit: u8) {
    if PRINTED.load(Ordering::SeqCst) {
        return;
    }
    let mut fields = PENDING
        .lock()
        .ok()
        .and_then(|mut p| p.take())
        .unwrap_or_default();
    fields.insert("error".into(), Value::from(message));
    fields.insert("exit".into(), Value::from(exit));
    let text = render(false, &fields);
    // The error itself goes to stderr as usual; a stdout that cannot take the document changes
    // nothing about the exit code.
    let _ = kmi::io::output::write_stdout(format!("{text}\n").as_bytes());
}

/// Hex for JSON: the digits alone (spaces and colons of the text forms removed), lower case.
pub fn plain_hex(grouped: &str) -> String {
    grouped
        .chars()
        .filter(|c| c.is_ascii_hexdigit())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_puts_version_and_ok_first() {
        let text = render(
            true,
            &fields_of(serde_json::json!({"a": 1, "ok": false, "version": 9})),
        );
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["version"], 1);
        assert_eq!(v["ok"], true);
        assert_eq!(v["a"], 1);
        assert!(text.find("\"version\"").unwrap() < text.find("\"ok\"").unwrap());
        assert!(text.find("\"ok\"").unwrap() < text.find("\"a\"").unwrap());
    }

    #[test]
    fn hex_loses_spaces_and_colons() {
        assert_eq!(plain_hex("0123 4567 89AB"), "0123456789ab");
        assert_eq!(plain_hex("AB:CD:EF"), "abcdef");
    }
}
