//! Shared test harness: the kmi binary, the peers, and a scratch directory per test.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

use assert_cmd::Command;

/// The kmi binary under test.
pub fn kmi() -> Command {
    Command::cargo_bin("kmi").expect("the kmi binary is built")
}

/// The openssl command-line tool. The test must have called `require_peer("openssl")` first.
pub fn openssl() -> Command {
    Command::new(peer_program("openssl"))
}

// ------------------------------------------------------------------------------------------------
// Peers: the other implementations kmi's output is checked against. A plain `cargo test` passes
// without them (each test that needs one is skipped with a notice); `scripts/test` installs them
// and sets KMI_REQUIRE_PEERS=1, under which a missing peer fails the test instead.

/// A peer tool: how it is found and how to get it.
struct PeerSpec {
    name: &'static str,
    /// The program to run, or None when it is not configured (KMI_PYTHON unset).
    program: fn() -> Option<String>,
    /// Arguments of a run that must succeed for the peer to count as working.
    probe: &'static [&'static str],
    install: &'static str,
}

const PEERS: &[PeerSpec] = &[
    PeerSpec {
        name: "openssl",
        program: || Some("openssl".into()),
        probe: &["version"],
        install: "apt-get install -y openssl",
    },
    PeerSpec {
        // GnuTLS's certificate tool: a second judge of kmi's certificates (tests/cli/cert.rs).
        name: "certtool",
        program: || Some("certtool".into()),
        probe: &["--version"],
        install: "apt-get install -y gnutls-bin",
    },
    PeerSpec {
        name: "jarsigner",
        program: || Some("jarsigner".into()),
        probe: &["-help"],
        install: "apt-get install -y default-jdk-headless",
    },
    PeerSpec {
        name: "keytool",
        program: || Some("keytool".into()),
        probe: &["-help"],
        install: "apt-get install -y default-jdk-headless",
    },
    PeerSpec {
        name: "jar",
        program: || Some("jar".into()),
        probe: &["--version"],
        install: "apt-get install -y default-jdk-headless",
    },
    PeerSpec {
        name: "java",
        program: || Some("java".into()),
        probe: &["-version"],
        install: "apt-get install -y default-jdk-headless",
    },
    PeerSpec {
        // Bouncy Castle's CMS classes, as a java class path (prov, util, pkix).
        name: "bouncycastle",
        program: || {
            let jars = ["bcprov", "bcutil", "bcpkix"].map(|j| format!("/usr/share/java/{j}.jar"));
            jars.iter()
                .all(|j| Path::new(j).exists())
                .then(|| jars.join(":"))
        },
        probe: &[],
        install: "apt-get install -y libbcpkix-java",
    },
    PeerSpec {
        // A python with pyasn1-modules (rfc6402), named by KMI_PYTHON.
        name: "KMI_PYTHON",
        program: || std::env::var("KMI_PYTHON").ok().filter(|p| !p.is_empty()),
        probe: &["-c", "import pyasn1_modules.rfc6402"],
        install: "python3 -m venv .venv && .venv/bin/pip install pyasn1 pyasn1-modules, then set \
                  KMI_PYTHON=.venv/bin/python",
    },
    PeerSpec {
        name: "python3",
        program: || Some("python3".into()),
        probe: &["--version"],
        install: "apt-get install -y python3",
    },
    PeerSpec {
        name: "unzip",
        program: || Some("unzip".into()),
        probe: &["-v"],
        install: "apt-get install -y unzip",
    },
    PeerSpec {
        // strace that can trace here (ptrace may be forbidden in a container).
        name: "strace",
        program: || Some("strace".into()),
        probe: &["-f", "-qq", "-e", "trace=network", "true"],
        install: "apt-get install -y strace, where ptrace is allowed",
    },
];

/// Whether a missing peer fails the test (KMI_REQUIRE_PEERS=1, as scripts/test sets) instead of
/// skipping it.
pub fn peers_required() -> bool {
    std::env::var("KMI_REQUIRE_PEERS").is_ok_and(|v| v == "1")
}

/// The program (or, for `bouncycastle`, the class path) of a working peer, probed once per run.
fn find_peer(name: &str) -> Result<String, &'static str> {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static FOUND: OnceLock<Mutex<HashMap<String, Result<String, &'static str>>>> = OnceLock::new();
    let spec = PEERS
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("unknown peer {name}: add it to PEERS in tests/cli/common.rs"));
    let mut found = FOUND.get_or_init(Default::default).lock().unwrap();
    found
        .entry(name.to_string())
        .or_insert_with(|| {
            let program = (spec.program)().ok_or(spec.install)?;
            let works = spec.probe.is_empty()
                || StdCommand::new(&program)
                    .args(spec.probe)
                    .stdin(std::process::Stdio::null())
                    .output()
                    .is_ok_and(|o| o.status.success());
            works.then_some(program).ok_or(spec.install)
        })
        .clone()
}

/// The peer a test needs: Some(its program, or for `bouncycastle` its class path) when it works
/// here. Otherwise None after printing a skip notice, and the test returns at once; with
/// KMI_REQUIRE_PEERS=1 the test fails instead. Every test that runs a peer starts with this (or
/// `require_peers`); the peer's helpers (`openssl()`, ...) fail a test that did not.
pub fn require_peer(name: &str) -> Option<String> {
    match find_peer(name) {
        Ok(program) => Some(program),
        Err(install) => {
            assert!(
                !peers_required(),
                "this test needs {name}, which is not found or does not work here \
                 (KMI_REQUIRE_PEERS=1): {install} (scripts/test does this)"
            );
            eprintln!(
                "skipping: {name} not found; set KMI_REQUIRE_PEERS=1 to fail instead (install: {install})"
            );
            None
        }
    }
}

/// Whether a peer works here, without a notice: for a test that has a fallback of its own.
pub fn has_peer(name: &str) -> bool {
    find_peer(name).is_ok()
}

/// `require_peer` for each of `names`: true when all are there (a notice for each missing one).
pub fn require_peers(names: &[&str]) -> bool {
    // Every peer is looked at (a notice for each missing one), not only up to the first.
    let found: Vec<bool> = names.iter().map(|n| require_peer(n).is_some()).collect();
    found.into_iter().all(|ok| ok)
}

/// The program of a peer the test has already required. Panics (the test forgot its
/// `require_peer`) when the peer is missing.
pub fn peer_program(name: &str) -> String {
    find_peer(name).unwrap_or_else(|_| {
        panic!("{name} is missing and this test did not start with require_peer(\"{name}\")")
    })
}

/// A scratch directory that is removed when the test ends.
pub struct Work {
    pub dir: tempfile::TempDir,
}

impl Work {
    pub fn new() -> Self {
        Work {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, bytes).expect("write test file");
        p
    }

    pub fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path(name)).expect("read test file")
    }

    pub fn files(&self) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }
}

/// The repository's testdata directory.
pub fn testdata(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(name)
}

/// stdout of a successful command as a String.
pub fn stdout_of(cmd: &mut Command) -> String {
    let out = cmd.assert().success().get_output().stdout.clone();
    String::from_utf8(out).expect("UTF-8 output")
}

// ------------------------------------------------------------------------------------------------
// Key-test helpers (key_generate, key_io, key_check, selftest).

use std::collections::BTreeMap;
use std::process::Output;

use num_bigint::BigUint;

/// The path of the kmi binary, for tests that need a plain `std::process::Command`.
pub fn kmi_path() -> PathBuf {
    assert_cmd::cargo::cargo_bin("kmi")
}

/// A big integer from hex (no prefix, any case).
pub fn big_hex(s: &str) -> BigUint {
    BigUint::parse_bytes(s.trim().as_bytes(), 16).unwrap_or_else(|| panic!("not hex: {s}"))
}

/// Run a command and return its raw output, whatever the exit status.
pub fn output_of(cmd: &mut Command) -> Output {
    cmd.output().expect("command runs")
}

/// Lower-case hex of SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(bytes))
}

/// DER from PEM (any label) or the bytes themselves when they are already DER.
pub fn to_der(bytes: &[u8]) -> Vec<u8> {
    if bytes.starts_with(b"-----BEGIN ") {
        pem_rfc7468::decode_vec(bytes).expect("valid PEM").1
    } else {
        bytes.to_vec()
    }
}

/// Assert that a failed kmi run reported its error the documented way: the expected exit code,
/// exactly one line on stderr starting with `kmi: `, and no panic text. Returns that line.
pub fn one_line_error(out: &Output, code: i32) -> String {
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        out.status.code(),
        Some(code),
        "exit status (want {code}); stderr:\n{err}"
    );
    assert_no_panic(&err);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(
        lines.len(),
        1,
        "want exactly one line on stderr, got:\n{err}"
    );
    assert!(
        lines[0].starts_with("kmi: "),
        "stderr line must start with 'kmi: ': {err}"
    );
    lines[0].to_string()
}

/// No panic message or backtrace hint in `stderr`.
pub fn assert_no_panic(stderr: &str) {
    for bad in [
        "panicked",
        "RUST_BACKTRACE",
        "internal error",
        "stack backtrace",
    ] {
        assert!(
            !stderr.contains(bad),
            "stderr shows a panic ({bad}):\n{stderr}"
        );
    }
}

/// The named numbers of `openssl pkey -text -noout` (or any openssl -text dump): "modulus",
/// "prime1", "publicExponent", "P", "Q", "G", "public-key", "private-key", ... Handles both the
/// multi-line colon-hex form and the inline `name: 123 (0x7b)` form.
pub fn parse_openssl_text(text: &str) -> BTreeMap<String, BigUint> {
    let mut out = BTreeMap::new();
    let mut current: Option<(String, String)> = None;
    let flush = |cur: &mut Option<(String, String)>, out: &mut BTreeMap<String, BigUint>| {
        if let Some((name, hex)) = cur.take() {
            if !hex.is_empty() {
                out.insert(name, big_hex(&hex));
            }
        }
    };
    for line in text.lines() {
        if line.starts_with(' ') || line.starts_with('\t') {
            if let Some((_, hex)) = current.as_mut() {
                let piece: String = line.trim().chars().filter(|c| *c != ':').collect();
                if piece.chars().all(|c| c.is_ascii_hexdigit()) {
                    hex.push_str(&piece);
                }
            }
            continue;
        }
        flush(&mut current, &mut out);
        let Some((name, rest)) = line.split_once(':') else {
            continue;
        };
        let rest = rest.trim();
        if rest.is_empty() {
            current = Some((name.trim().to_string(), String::new()));
        } else if let Some(h) = rest.split("(0x").nth(1).and_then(|h| h.strip_suffix(')')) {
            out.insert(name.trim().to_string(), big_hex(h));
        }
    }
    flush(&mut current, &mut out);
    out
}

/// `openssl pkey -in KEY -text -noout [extra...]`, parsed.
pub fn openssl_key_numbers(key: &Path, extra: &[&str]) -> BTreeMap<String, BigUint> {
    let mut cmd = openssl();
    cmd.args(["pkey", "-text", "-noout", "-in"])
        .arg(key)
        .args(extra);
    parse_openssl_text(&stdout_of(&mut cmd))
}

/// Every INTEGER in a DER structure, in order, as `openssl asn1parse` sees them.
pub fn asn1_integers(der: &[u8]) -> Vec<BigUint> {
    let text = stdout_of(
        openssl()
            .args(["asn1parse", "-inform", "DER"])
            .write_stdin(der.to_vec()),
    );
    text.lines()
        .filter(|l| l.contains("prim: INTEGER"))
        .map(|l| big_hex(l.rsplit(':').next().expect("asn1parse value")))
        .collect()
}

/// `openssl prime` on each number: true when openssl says it is prime.
pub fn openssl_says_prime(nums: &[&BigUint]) -> Vec<bool> {
    let mut cmd = openssl();
    cmd.args(["prime", "-hex"]);
    for n in nums {
        cmd.arg(format!("{n:X}"));
    }
    let text = stdout_of(&mut cmd);
    let verdicts: Vec<bool> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            assert!(
                l.ends_with(" is prime") || l.ends_with(" is not prime"),
                "openssl prime said: {l}"
            );
            l.ends_with(" is prime")
        })
        .collect();
    assert_eq!(verdicts.len(), nums.len(), "openssl prime output:\n{text}");
    verdicts
}

/// `openssl pkey -in KEY -pubout -outform DER [extra...]`: openssl's SubjectPublicKeyInfo.
pub fn openssl_spki(key: &Path, extra: &[&str]) -> Vec<u8> {
    let mut cmd = openssl();
    cmd.args(["pkey", "-pubout", "-outform", "DER", "-in"])
        .arg(key)
        .args(extra);
    cmd.assert().success().get_output().stdout.clone()
}

/// Assert `openssl pkey -check` accepts a key (extra args e.g. `-inform DER`, `-passin file:P`).
pub fn assert_openssl_check(key: &Path, extra: &[&str]) {
    let out = output_of(
        openssl()
            .args(["pkey", "-check", "-noout", "-in"])
            .arg(key)
            .args(extra),
    );
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && all.contains("Key is valid"),
        "openssl pkey -check rejects {}:\n{all}",
        key.display()
    );
}

/// Run kmi with `data` readable on file descriptor 3 (a pipe), e.g. for `--passphrase-fd 3`.
pub fn kmi_with_fd3(args: &[&std::ffi::OsStr], data: &[u8], cwd: &Path) -> Output {
    use std::io::Write;
    use std::os::fd::AsRawFd;
    use std::os::unix::process::CommandExt;

    let mut fds = [0i32; 2];
    // SAFETY: plain pipe(2) into a two-element array.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0, "pipe");
    // SAFETY: both descriptors were just created and are owned here.
    let (read_end, mut write_end) = unsafe {
        use std::os::fd::FromRawFd;
        (
            std::fs::File::from_raw_fd(fds[0]),
            std::fs::File::from_raw_fd(fds[1]),
        )
    };
    write_end.write_all(data).expect("fill the pipe");
    drop(write_end);
    let rfd = read_end.as_raw_fd();
    let mut cmd = StdCommand::new(kmi_path());
    cmd.args(args).current_dir(cwd);
    // SAFETY: only async-signal-safe calls (dup2, fcntl) between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            if rfd == 3 {
                // dup2(3, 3) would keep FD_CLOEXEC: clear it instead.
                if libc::fcntl(3, libc::F_SETFD, 0) == -1 {
                    return Err(std::io::Error::last_os_error());
                }
            } else if libc::dup2(rfd, 3) == -1 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let out = cmd.output().expect("kmi runs");
    drop(read_end);
    out
}

/// A tiny DER writer for crafting keys that no well-behaved encoder would produce.
pub mod der_w {
    use num_bigint::BigUint;

    fn len(n: usize) -> Vec<u8> {
        if n < 0x80 {
            vec![n as u8]
        } else {
            let bytes: Vec<u8> = n
                .to_be_bytes()
                .iter()
                .copied()
                .skip_while(|b| *b == 0)
                .collect();
            let mut v = vec![0x80 | bytes.len() as u8];
            v.extend(bytes);
            v
        }
    }

    pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut v = vec![tag];
        v.extend(len(content.len()));
        v.extend_from_slice(content);
        v
    }

    /// A non-negative INTEGER.
    pub fn int(n: &BigUint) -> Vec<u8> {
        let mut b = n.to_bytes_be();
        if b[0] & 0x80 != 0 {
            b.insert(0, 0);
        }
        tlv(0x02, &b)
    }

    pub fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
        tlv(0x30, &parts.concat())
    }

    pub fn octets(b: &[u8]) -> Vec<u8> {
        tlv(0x04, b)
    }

    pub fn bits(b: &[u8]) -> Vec<u8> {
        let mut c = vec![0u8];
        c.extend_from_slice(b);
        tlv(0x03, &c)
    }

    pub fn null() -> Vec<u8> {
        vec![0x05, 0x00]
    }

    /// rsaEncryption 1.2.840.113549.1.1.1
    pub fn oid_rsa() -> Vec<u8> {
        tlv(
            0x06,
            &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01],
        )
    }

    /// dhpublicnumber 1.2.840.10046.2.1
    pub fn oid_dhx() -> Vec<u8> {
        tlv(0x06, &[0x2a, 0x86, 0x48, 0xce, 0x3e, 0x02, 0x01])
    }
}

/// The numbers of a two-prime RSA key, as PKCS#1 lists them.
#[derive(Clone, Debug)]
pub struct RsaNums {
    pub n: BigUint,
    pub e: BigUint,
    pub d: BigUint,
    pub p: BigUint,
    pub q: BigUint,
    pub dp: BigUint,
    pub dq: BigUint,
    pub qinv: BigUint,
}

impl RsaNums {
    /// A consistent key from two primes (d = e^-1 mod lambda(N)).
    pub fn from_primes(p: &BigUint, q: &BigUint, e: u32) -> Self {
        use num_integer::Integer;
        let e = BigUint::from(e);
        let (p1, q1) = (p - 1u32, q - 1u32);
        let d = e.modinv(&p1.lcm(&q1)).expect("e invertible mod lambda");
        RsaNums {
            n: p * q,
            dp: &d % &p1,
            dq: &d % &q1,
            qinv: q.modinv(p).expect("q invertible mod p"),
            e,
            d,
            p: p.clone(),
            q: q.clone(),
        }
    }

    /// PKCS#1 RSAPrivateKey DER.
    pub fn pkcs1_der(&self) -> Vec<u8> {
        use der_w::*;
        let zero = BigUint::from(0u32);
        seq(&[
            &zero, &self.n, &self.e, &self.d, &self.p, &self.q, &self.dp, &self.dq, &self.qinv,
        ]
        .iter()
        .map(|x| int(x))
        .collect::<Vec<_>>())
    }

    /// PKCS#8 PrivateKeyInfo DER.
    pub fn pkcs8_der(&self) -> Vec<u8> {
        use der_w::*;
        seq(&[
            int(&BigUint::from(0u32)),
            seq(&[oid_rsa(), null()]),
            octets(&self.pkcs1_der()),
        ])
    }

    /// SubjectPublicKeyInfo DER.
    pub fn spki_der(&self) -> Vec<u8> {
        rsa_spki_der(&self.n, &self.e)
    }
}

pub fn rsa_spki_der(n: &BigUint, e: &BigUint) -> Vec<u8> {
    use der_w::*;
    seq(&[seq(&[oid_rsa(), null()]), bits(&seq(&[int(n), int(e)]))])
}

fn dhx_params(p: &BigUint, g: &BigUint, q: &BigUint) -> Vec<u8> {
    use der_w::*;
    seq(&[int(p), int(g), int(q)])
}

/// X9.42 DH (ElGamal) SubjectPublicKeyInfo DER.
pub fn dhx_spki_der(p: &BigUint, g: &BigUint, q: &BigUint, y: &BigUint) -> Vec<u8> {
    use der_w::*;
    seq(&[seq(&[oid_dhx(), dhx_params(p, g, q)]), bits(&int(y))])
}

/// X9.42 DH (ElGamal) PKCS#8 PrivateKeyInfo DER.
pub fn dhx_pkcs8_der(p: &BigUint, g: &BigUint, q: &BigUint, x: &BigUint) -> Vec<u8> {
    use der_w::*;
    seq(&[
        int(&BigUint::from(0u32)),
        seq(&[oid_dhx(), dhx_params(p, g, q)]),
        octets(&int(x)),
    ])
}

/// PEM armor with LF line ends.
pub fn pem(label: &str, der: &[u8]) -> String {
    pem_rfc7468::encode_string(label, pem_rfc7468::LineEnding::LF, der).expect("PEM")
}

/// `kmi key generate ...` into `work/name`, asserting success; returns the path.
pub fn kmi_generate(work: &Work, name: &str, args: &[&str]) -> PathBuf {
    let path = work.path(name);
    kmi()
        .args(["--quiet", "key", "generate"])
        .args(args)
        .arg("-o")
        .arg(&path)
        .assert()
        .success();
    path
}

/// The passphrase used by the encrypted-key tests, in a file in `work`.
pub const PASSPHRASE: &str = "correct horse battery staple";

pub fn passphrase_file(work: &Work) -> PathBuf {
    work.write("pass.txt", format!("{PASSPHRASE}\n"))
}

// ------------------------------------------------------------------------------------------------
// Threshold-share helpers (share, crypt).

/// One DER header at `pos`: (tag, header length, content length). Short and long lengths only.
fn der_header(der: &[u8], pos: usize) -> (u8, usize, usize) {
    let tag = der[pos];
    let first = der[pos + 1] as usize;
    if first < 0x80 {
        (tag, 2, first)
    } else {
        let n = first & 0x7f;
        let len = der[pos + 2..pos + 2 + n]
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | *b as usize);
        (tag, 2 + n, len)
    }
}

/// The children of the constructed element whose content spans `start..start + len`:
/// (tag, content offset, content length) for each.
fn der_children_in(der: &[u8], start: usize, len: usize) -> Vec<(u8, usize, usize)> {
    let mut out = Vec::new();
    let mut pos = start;
    while pos < start + len {
        let (tag, hl, cl) = der_header(der, pos);
        out.push((tag, pos + hl, cl));
        pos += hl + cl;
    }
    assert_eq!(pos, start + len, "DER children overrun their parent");
    out
}

/// Follow `path` (child indexes) down from the outermost element of `der`:
/// (tag, content offset, content length) of the element reached.
pub fn der_locate(der: &[u8], path: &[usize]) -> (u8, usize, usize) {
    let (tag, hl, cl) = der_header(der, 0);
    let mut here = (tag, hl, cl);
    for &i in path {
        let kids = der_children_in(der, here.1, here.2);
        here = *kids
            .get(i)
            .unwrap_or_else(|| panic!("DER element has no child {i} (path {path:?})"));
    }
    here
}

/// A copy of `der` with the last content byte of the element at `path` XORed with `mask`: one
/// changed digit inside an INTEGER or OCTET STRING, lengths untouched.
pub fn der_flip_last_byte(der: &[u8], path: &[usize], mask: u8) -> Vec<u8> {
    let (_, start, len) = der_locate(der, path);
    assert!(len > 0, "empty element at {path:?}");
    let mut out = der.to_vec();
    out[start + len - 1] ^= mask;
    out
}

/// The content bytes of the element at `path`.
pub fn der_content(der: &[u8], path: &[usize]) -> Vec<u8> {
    let (_, start, len) = der_locate(der, path);
    der[start..start + len].to_vec()
}

/// A copy of `der` with the content of the element at `path` replaced by `bytes` of the same length.
pub fn der_replace_content(der: &[u8], path: &[usize], bytes: &[u8]) -> Vec<u8> {
    let (_, start, len) = der_locate(der, path);
    assert_eq!(len, bytes.len(), "replacement must keep the length");
    let mut out = der.to_vec();
    out[start..start + len].copy_from_slice(bytes);
    out
}

/// The PEM label of a file (None for DER).
pub fn pem_label(bytes: &[u8]) -> Option<String> {
    bytes.starts_with(b"-----BEGIN ").then(|| {
        pem_rfc7468::decode_vec(bytes)
            .expect("valid PEM")
            .0
            .to_string()
    })
}

/// Assert a failed kmi run: exit `code`, no panic, every stderr line a `kmi: ` line (warnings
/// naming skipped items may precede the error), the error being the last line. Returns stderr.
pub fn failed_with(out: &Output, code: i32) -> String {
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        out.status.code(),
        Some(code),
        "exit status (want {code}); stdout:\n{}\nstderr:\n{err}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_no_panic(&err);
    assert!(!err.trim().is_empty(), "a failure must say why on stderr");
    for l in err.lines() {
        assert!(
            l.starts_with("kmi: "),
            "every stderr line must start with 'kmi: ': {err}"
        );
    }
    let last = err.lines().last().unwrap();
    assert!(
        !last.starts_with("kmi: warning:"),
        "the last stderr line must be the error, not a warning:\n{err}"
    );
    err
}

/// The error line (the last stderr line) of a failed run.
pub fn error_line(stderr: &str) -> &str {
    stderr.lines().last().unwrap_or("")
}

/// A trustee made by kmi itself (issue 13: the suite makes its certificates with kmi, openssl
/// judges): `kmi key generate rsa --no-safe --bits 2048` and `kmi cert self-sign --usage encrypt`,
/// writing NAME.key and NAME.crt into `w`. Returns (certificate, key).
pub fn kmi_trustee(w: &Work, name: &str) -> (PathBuf, PathBuf) {
    let (key, crt) = (
        w.path(&format!("{name}.key")),
        w.path(&format!("{name}.crt")),
    );
    kmi()
        .args([
            "--quiet",
            "key",
            "generate",
            "rsa",
            "--no-safe",
            "--bits",
            "2048",
            "-o",
        ])
        .arg(&key)
        .assert()
        .success();
    kmi()
        .args(["--quiet", "cert", "self-sign", "--key"])
        .arg(&key)
        .args([
            "--subject",
            &format!("CN={name}"),
            "--days",
            "30",
            "--usage",
            "encrypt",
            "-o",
        ])
        .arg(&crt)
        .assert()
        .success();
    (crt, key)
}

/// `kmi share split KEY -k K -n N --plain -o DIR [extra...]`, asserting success; returns DIR.
pub fn split_plain(w: &Work, key: &Path, k: u32, n: u32, dir: &str, extra: &[&str]) -> PathBuf {
    let out = w.path(dir);
    kmi()
        .args(["--quiet", "share", "split"])
        .arg(key)
        .args(["-k", &k.to_string(), "-n", &n.to_string(), "--plain", "-o"])
        .arg(&out)
        .args(extra)
        .assert()
        .success();
    out
}

/// `DIR/share-I.pem`.
pub fn share_file(dir: &Path, i: u32) -> PathBuf {
    dir.join(format!("share-{i}.pem"))
}

/// `DIR/set.pem`.
pub fn set_file(dir: &Path) -> PathBuf {
    dir.join("set.pem")
}

/// The public key of `key` as openssl writes it (`openssl pkey -pubout`, PEM), in `w`/`name`.
pub fn openssl_pubout(w: &Work, key: &Path, name: &str) -> PathBuf {
    let p = w.path(name);
    openssl()
        .args(["pkey", "-pubout", "-in"])
        .arg(key)
        .arg("-out")
        .arg(&p)
        .assert()
        .success();
    p
}

/// All k-element subsets of 1..=n, in lexicographic order.
pub fn k_subsets(n: u32, k: u32) -> Vec<Vec<u32>> {
    fn go(start: u32, n: u32, k: u32, cur: &mut Vec<u32>, out: &mut Vec<Vec<u32>>) {
        if cur.len() == k as usize {
            out.push(cur.clone());
            return;
        }
        for i in start..=n {
            cur.push(i);
            go(i + 1, n, k, cur, out);
            cur.pop();
        }
    }
    let mut out = Vec::new();
    go(1, n, k, &mut Vec::new(), &mut out);
    out
}

// ------------------------------------------------------------------------------------------------
// The escrow agent's key store.

/// The arguments that give `kmi cmc respond` the key store `store`: created with `kmi cmc store
/// init` (whole keys sealed to testdata/store's storage key) when it does not exist yet, and the
/// storage certificate and key, so the agent can both file and recover whole keys.
pub fn store_args(store: &Path) -> Vec<std::ffi::OsString> {
    if !store.exists() {
        let out = kmi()
            .args(["-q", "cmc", "store", "init"])
            .arg(store)
            .arg("--storage-cert")
            .arg(testdata("store/storage.crt"))
            .output()
            .expect("kmi runs");
        assert!(
            out.status.success(),
            "store init: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    vec![
        "--store".into(),
        store.into(),
        "--storage-cert".into(),
        testdata("store/storage.crt").into(),
        "--storage-key".into(),
        testdata("store/storage.key").into(),
    ]
}

/// [`store_args`] as one line of words, for tests that run command lines (`dir` is where the
/// line runs; `name` the store's file name there).
pub fn store_words(dir: &Path, name: &str) -> String {
    store_args(&dir.join(name))
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The bytes of an empty key store without a storage key (`kmi cmc store init`), for the
/// regression corpora's case directories.
pub fn empty_store() -> Vec<u8> {
    let w = Work::new();
    let out = kmi()
        .args(["-q", "cmc", "store", "init"])
        .arg(w.path("store"))
        .output()
        .expect("kmi runs");
    assert!(out.status.success(), "store init");
    std::fs::read(w.path("store")).expect("the store")
}

/// The first column of each row of `sql` on the SQLite file `db`, read by Python's sqlite3
/// module (a reader independent of kmi's), as bytes (text as UTF-8; NULL as empty).
pub fn sqlite_rows(db: &Path, sql: &str, params: &[&str]) -> Vec<Vec<u8>> {
    let script = "import sqlite3, sys\n\
                  c = sqlite3.connect(sys.argv[1])\n\
                  for r in c.execute(sys.argv[2], sys.argv[3:]):\n\
                  \x20   v = r[0]\n\
                  \x20   b = v if isinstance(v, bytes) else (b'' if v is None else str(v).encode())\n\
                  \x20   print(b.hex())\n";
    let out = std::process::Command::new(peer_program("python3"))
        .arg("-c")
        .arg(script)
        .arg(db)
        .arg(sql)
        .args(params)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "python sqlite3: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| hex::decode(l).expect("hex"))
        .collect()
}

/// How many entries the key store `store` holds (0 when there is no store), counted by Python's
/// sqlite3.
pub fn store_entry_count(store: &Path) -> usize {
    if !store.exists() {
        return 0;
    }
    let rows = sqlite_rows(store, "SELECT count(*) FROM keys", &[]);
    String::from_utf8(rows[0].clone()).unwrap().parse().unwrap()
}

/// The whole key the store holds as `fp`, opened by peers alone: Python's sqlite3 reads its
/// sealed copy, `openssl cms -decrypt` opens that AuthEnvelopedData with testdata's storage key;
/// the PKCS#8 DER written to `dir/<fp>.sealed.der`.
pub fn sealed_key_via_peers(dir: &Path, store: &Path, fp: &str) -> PathBuf {
    let sealed = sqlite_rows(
        store,
        "SELECT sealed_key FROM keys WHERE fingerprint = ?",
        &[fp],
    );
    assert_eq!(sealed.len(), 1, "one entry {fp}");
    let env = dir.join(format!("{fp}.sealed"));
    std::fs::write(&env, &sealed[0]).unwrap();
    let out = dir.join(format!("{fp}.sealed.der"));
    let o = openssl()
        .args(["cms", "-decrypt", "-binary", "-inform", "DER", "-in"])
        .arg(&env)
        .arg("-recip")
        .arg(testdata("store/storage.crt"))
        .arg("-inkey")
        .arg(testdata("store/storage.key"))
        .arg("-out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "openssl cannot open the sealed key: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    out
}
