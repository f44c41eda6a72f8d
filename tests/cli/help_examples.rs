//! The help examples are run, not only parsed: every `$ kmi ...` line in the long help of every
//! command (clap's `after_long_help`, the EXAMPLES of `--help` and the man pages) is run as
//! written in a fresh temporary directory, after the set-up this table gives it, and must exit 0.
//!
//! The set-up copies inputs from `testdata/cli/` (see testdata/README.md) and makes the rest with
//! kmi itself, so no peer tool is needed. `every_example_has_a_set_up` fails when an example
//! appears in the help without an entry here (or an entry's example is gone from the help).
//!
//! Examples whose point is a realistic size (safe-prime RSA or ElGamal groups of 2048 bits and
//! more, the full-size demo) take minutes in the test profile; they are marked slow and run by
//! the ignored test `slow_help_examples_run`
//! (`cargo test --test cli help_examples -- --ignored`).

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use crate::common::{kmi, testdata, Work};

/// One help example and what must exist before it runs.
struct Example {
    /// The command line exactly as the help shows it (after `$ `).
    line: &'static str,
    /// Set-up steps, in order: `cp NAME` or `cp NAME=DEST` (from testdata/cli/), `cptree
    /// DIR=DEST` (a directory tree from testdata/), `mv FROM TO`
    /// (inside the directory), `write FILE TEXT` (TEXT and a newline), or `kmi ARGS` (must
    /// succeed). Arguments split on spaces.
    setup: Vec<&'static str>,
    /// Minutes rather than seconds (see the module comment).
    slow: bool,
}

fn ex(line: &'static str, setup: &[&[&'static str]]) -> Example {
    Example {
        line,
        setup: setup.concat(),
        slow: false,
    }
}

fn slow(line: &'static str, setup: &[&[&'static str]]) -> Example {
    Example {
        slow: true,
        ..ex(line, setup)
    }
}

// Reusable set-ups.
const KEY: &[&str] = &["cp key.pem"];
const PUBLIC: &[&str] = &["cp public.pem"];
/// secret.bin: a ciphertext for key.pem.
const SECRET_BIN: &[&str] = &[
    "cp public.pem",
    "write secret-in.txt the launch code",
    "kmi encrypt --to public.pem -i secret-in.txt -o secret.bin",
];
/// shares/: a plain 3-of-5 decrypt set of key.pem.
const SHARES: &[&str] = &[
    "cp key.pem",
    "kmi share split key.pem -k 3 -n 5 --plain -o shares",
];
/// shares/: a plain 3-of-5 sign set; policy.txt to sign.
const SIGN_SHARES: &[&str] = &[
    "cp signing-key.pem",
    "kmi share split signing-key.pem -k 3 -n 5 --purpose sign --plain -o shares",
    "write policy.txt the policy",
];
/// t1.pem .. t5.pem: five trustees' public keys (private keys as tN-key.pem).
const TRUSTEE_PUBS: &[&str] = &[
    "cp t1.pem=t1-key.pem",
    "cp t2.pem=t2-key.pem",
    "cp t3.pem=t3-key.pem",
    "cp t4.pem=t4-key.pem",
    "cp t5.pem=t5-key.pem",
    "kmi key public t1-key.pem -o t1.pem",
    "kmi key public t2-key.pem -o t2.pem",
    "kmi key public t3-key.pem -o t3.pem",
    "kmi key public t4-key.pem -o t4.pem",
    "kmi key public t5-key.pem -o t5.pem",
];
/// t1.pem .. t5.pem: five trustees' private keys (public keys as tN.pub).
const TRUSTEE_KEYS: &[&str] = &[
    "cp t1.pem",
    "cp t2.pem",
    "cp t3.pem",
    "cp t4.pem",
    "cp t5.pem",
    "kmi key public t1.pem -o t1.pub",
    "kmi key public t2.pem -o t2.pub",
    "kmi key public t3.pem -o t3.pub",
    "kmi key public t4.pem -o t4.pub",
    "kmi key public t5.pem -o t5.pub",
];
/// ccm.txt: the export template.
/// t1.crt .. t3.crt and t1.pem: new trustees of a reshare (certificates and trustee 1's key).
const NEW_TRUSTEES: &[&str] = &["cp t1.crt", "cp t2.crt", "cp t3.crt", "cp t1.pem"];
/// round.pem: a 3-of-5 -> 2-of-3 reshare round of shares/ to t1..t3.
const RESHARE_ROUND: &[&str] = &[
    "kmi share reshare round --set shares/set.pem -k 2 --to t1.crt --to t2.crt --to t3.crt -o round.pem",
];
/// deals/from-1.pem, from-2.pem, from-4.pem: three old trustees' deals in that round.
const RESHARE_DEALS: &[&str] = &[
    "kmi share reshare deal --set shares/set.pem --round round.pem --share shares/share-1.pem -o deals",
    "kmi share reshare deal --set shares/set.pem --round round.pem --share shares/share-2.pem -o deals",
    "kmi share reshare deal --set shares/set.pem --round round.pem --share shares/share-4.pem -o deals",
];
const CCM_TXT: &[&str] = &["kmi ccm template --export -o ccm.txt"];
/// policy.jar: ccm.txt signed by signer.pem (certificate issued by ca.crt).
const POLICY_JAR: &[&str] = &[
    "kmi ccm template --export -o ccm.txt",
    "cp signer.pem",
    "cp signer.crt",
    "cp ca.crt",
    "kmi ccm sign ccm.txt --key signer.pem --cert signer.crt -o policy.jar",
];
/// The CMC parties: the agent, the requester alice (sign.pem), the key she archives (enc.pem).
const CMC_PARTIES: &[&str] = &[
    "cp agent.pem",
    "cp agent.crt",
    "cp sign.pem",
    "cp sign.crt",
    "cp enc.pem",
];
/// The same with a safe-prime key to archive, which the agent can split among trustees.
const CMC_PARTIES_SAFE_KEY: &[&str] = &[
    "cp agent.pem",
    "cp agent.crt",
    "cp sign.pem",
    "cp sign.crt",
    "cp key.pem=enc.pem",
];
/// archive.req: alice archives enc.pem under selection laptop-2024.
const ARCHIVE_REQ: &[&str] = &["kmi cmc archive-request --key enc.pem --to agent.crt --owner alice --selection laptop-2024 --sign-key sign.pem --sign-cert sign.crt -o archive.req"];
/// escrow.db: an empty key store, whole keys sealed to storage.crt (storage.pem opens them).
const STORE: &[&str] = &[
    "cp storage.crt",
    "cp storage.pem",
    "kmi cmc store init escrow.db --storage-cert storage.crt",
];
/// escrow.db: the agent's store holding alice's archived key.
const ESCROW: &[&str] = &[
    "cp storage.crt",
    "cp storage.pem",
    "kmi cmc store init escrow.db --storage-cert storage.crt",
    "kmi cmc respond --agent-key agent.pem --agent-cert agent.crt --store escrow.db --storage-cert storage.crt archive.req -o archive-done.rsp",
];
/// recover.req: alice asks for her key back under the shared secret alice-2024.
const RECOVER_SECRET_REQ: &[&str] = &[
    "kmi cmc recovery-request --owner alice --shroud-secret alice-2024 --selection laptop-2024 --sign-key sign.pem -o recover.req",
    "write alice.secret alice-2024",
];

/// alice.hex: the secret alice shares with the agent (hex, 32 octets).
const SHARED_SECRET: &str =
    "write alice.hex 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
/// ca.pem and ca.crt: a CA made by kmi (the testdata CA key, self-signed for ten years).
const KMI_CA: &[&str] = &[
    "cp ca.pem",
    "kmi cert self-sign --key ca.pem --subject CN=CA --days 3650 --ca -o ca.crt",
];
/// alice.csr: a request of key.pem.
const ALICE_CSR: &[&str] = &[
    "cp key.pem=alice.pem",
    "kmi cert request --key alice.pem --subject CN=Alice -o alice.csr",
];
/// shares/ (3-of-5 sign set), root.tbs and its partials p1, p2, p4.
const ROOT_TBS: &[&str] = &[
    "kmi cert prepare self-sign --set shares/set.pem --subject CN=Shared-CA --days 3650 --ca -o root.tbs",
    "kmi share partial --share shares/share-1.pem --sign root.tbs -o p1.pem",
    "kmi share partial --share shares/share-2.pem --sign root.tbs -o p2.pem",
    "kmi share partial --share shares/share-4.pem --sign root.tbs -o p4.pem",
];
/// root.crt: the sign set's self-signed CA certificate, signed by partials.
const SET_ROOT: &[&str] = &[
    "kmi cert prepare self-sign --set shares/set.pem --subject CN=Shared-CA --days 3650 --ca -o root.tbs",
    "kmi share partial --share shares/share-1.pem --sign root.tbs -o p1.pem",
    "kmi share partial --share shares/share-2.pem --sign root.tbs -o p2.pem",
    "kmi share partial --share shares/share-4.pem --sign root.tbs -o p4.pem",
    "kmi cert finish --set shares/set.pem --tbs root.tbs p1.pem p2.pem p4.pem -o root.crt",
];

fn examples() -> Vec<Example> {
    vec![
        // kmi, kmi key, kmi key generate ...
        slow("kmi key generate rsa -o key.pem", &[]),
        ex("kmi key check key.pem", &[KEY]),
        ex("kmi selftest", &[]),
        ex("kmi selftest --json", &[]),
        ex("kmi key check --require-safe key.pem", &[KEY]),
        ex("kmi key check --require-safe --json key.pem", &[KEY]),
        slow("kmi key generate rsa --bits 3072 -o key.pem", &[]),
        slow(
            "kmi key generate rsa --bits 3072 --encrypt --new-passphrase-file pass.txt -o key.pem",
            &[&["cp pass.txt"]],
        ),
        ex("kmi key generate rsa --bits 512 --seed 01 -o fixture.pem", &[]),
        ex("kmi key generate elgamal --group ffdhe2048 -o elgamal.pem", &[]),
        ex("kmi key generate elgamal --group ffdhe3072 -o elgamal.pem", &[]),
        slow("kmi key generate elgamal -o elgamal.pem", &[]),
        slow(
            "kmi key generate elgamal --bits 2048 --q-bits 256 -o dsa-style.pem",
            &[],
        ),
        ex("kmi key inspect key.pem", &[KEY]),
        ex("kmi key inspect --json public.pem", &[PUBLIC]),
        ex("kmi key public key.pem -o public.pem", &[KEY]),
        ex("kmi key public --der key.pem -o public.der", &[KEY]),
        ex("kmi key fingerprint key.pem", &[KEY]),
        ex("kmi key fingerprint --digits 16 public.pem", &[PUBLIC]),
        // kmi share reshare ..., refresh, transfer (issue 16)
        ex(
            "kmi share reshare round --set shares/set.pem -k 2 --to t1.crt --to t2.crt --to t3.crt -o round.pem",
            &[SHARES, NEW_TRUSTEES],
        ),
        ex(
            "kmi share reshare deal --set shares/set.pem --round round.pem --share shares/share-2.pem -o deals",
            &[SHARES, NEW_TRUSTEES, RESHARE_ROUND],
        ),
        ex(
            "kmi share reshare accept --set shares/set.pem --round round.pem --identity t1.pem deals/from-1.pem deals/from-2.pem deals/from-4.pem -o new-share-1.pem",
            &[SHARES, NEW_TRUSTEES, RESHARE_ROUND, RESHARE_DEALS],
        ),
        ex(
            "kmi share reshare finish --set shares/set.pem --round round.pem deals/from-1.pem deals/from-2.pem deals/from-4.pem -o new-set.pem",
            &[SHARES, NEW_TRUSTEES, RESHARE_ROUND, RESHARE_DEALS],
        ),
        ex(
            "kmi share refresh --set shares/set.pem --to t1.crt --to t2.crt --to t3.crt -o round.pem",
            &[
                &["cp key.pem", "kmi share split key.pem -k 2 -n 3 --plain -o shares"],
                NEW_TRUSTEES,
            ],
        ),
        ex(
            "kmi share transfer --share shares/share-2.pem --to t1.crt -o for-requester-2.pem",
            &[SHARES, NEW_TRUSTEES],
        ),
        // kmi share ...
        ex(
            "kmi share split key.pem --threshold 3 --shares 5 --plain -o shares",
            &[KEY],
        ),
        ex(
            "kmi share split key.pem -k 3 -n 5 --to t1.pem --to t2.pem --to t3.pem --to t4.pem --to t5.pem -o shares",
            &[KEY, TRUSTEE_PUBS],
        ),
        ex(
            "kmi share split elgamal.pem -k 2 -n 3 --share-passphrase-file p1 --share-passphrase-file p2 --share-passphrase-file p3 -o shares",
            &[&[
                "cp elgamal.pem",
                "write p1 first trustee",
                "write p2 second trustee",
                "write p3 third trustee",
            ]],
        ),
        ex(
            "kmi share split signing-key.pem -k 2 -n 3 --purpose sign --plain -o signing-shares",
            &[&["cp signing-key.pem"]],
        ),
        ex(
            "kmi share verify --set shares/set.pem shares/share-1.pem shares/share-2.pem",
            &[SHARES],
        ),
        ex("kmi share verify --set shares/set.pem", &[SHARES]),
        ex(
            "kmi share verify --set shares/set.pem shares/share-1.pem shares/share-4.pem",
            &[SHARES],
        ),
        ex(
            "kmi share verify --set shares/set.pem --identity trustee1-key.pem shares/share-1.pem",
            &[
                KEY,
                TRUSTEE_PUBS,
                &[
                    "cp t1.pem=trustee1-key.pem",
                    "kmi share split key.pem -k 3 -n 5 --to t1.pem --to t2.pem --to t3.pem --to t4.pem --to t5.pem -o shares",
                ],
            ],
        ),
        ex(
            "kmi share reconstruct --set shares/set.pem shares/share-1.pem shares/share-3.pem shares/share-5.pem -o key.pem",
            &[&[
                "cp key.pem=old.pem",
                "kmi share split old.pem -k 3 -n 5 --plain -o shares",
            ]],
        ),
        ex(
            "kmi share reconstruct --set shares/set.pem --identity t1.pem --identity t3.pem --identity t5.pem shares/share-1.pem shares/share-3.pem shares/share-5.pem -o key.pem",
            &[
                TRUSTEE_KEYS,
                &[
                    "cp key.pem=old.pem",
                    "kmi share split old.pem -k 3 -n 5 --to t1.pub --to t2.pub --to t3.pub --to t4.pub --to t5.pub -o shares",
                ],
            ],
        ),
        ex(
            "kmi share partial --share shares/share-2.pem --decrypt secret.bin -o p2.pem",
            &[SHARES, SECRET_BIN],
        ),
        ex(
            "kmi share partial --share shares/share-2.pem --sign policy.txt -o p2.pem",
            &[SIGN_SHARES],
        ),
        ex(
            "kmi share partial --share shares/share-2.pem --blinded request.pem -o p2.pem",
            &[
                SHARES,
                SECRET_BIN,
                &["kmi share blind --set shares/set.pem --decrypt secret.bin -o request.pem --factor factor.pem"],
            ],
        ),
        ex(
            "kmi share combine --set shares/set.pem p1.pem p2.pem p4.pem --decrypt secret.bin -o secret.txt",
            &[
                SHARES,
                SECRET_BIN,
                &[
                    "kmi share partial --share shares/share-1.pem --decrypt secret.bin -o p1.pem",
                    "kmi share partial --share shares/share-2.pem --decrypt secret.bin -o p2.pem",
                    "kmi share partial --share shares/share-4.pem --decrypt secret.bin -o p4.pem",
                ],
            ],
        ),
        ex(
            "kmi share combine --set shares/set.pem p1.pem p2.pem p4.pem --sign policy.txt -o policy.sig",
            &[
                SIGN_SHARES,
                &[
                    "kmi share partial --share shares/share-1.pem --sign policy.txt -o p1.pem",
                    "kmi share partial --share shares/share-2.pem --sign policy.txt -o p2.pem",
                    "kmi share partial --share shares/share-4.pem --sign policy.txt -o p4.pem",
                ],
            ],
        ),
        ex(
            "kmi share combine --set shares/set.pem p1.pem p2.pem --decrypt secret.bin --factor factor.pem -o secret.txt",
            &[
                KEY,
                SECRET_BIN,
                &[
                    "kmi share split key.pem -k 2 -n 3 --plain -o shares",
                    "kmi share blind --set shares/set.pem --decrypt secret.bin -o request.pem --factor factor.pem",
                    "kmi share partial --share shares/share-1.pem --blinded request.pem -o p1.pem",
                    "kmi share partial --share shares/share-2.pem --blinded request.pem -o p2.pem",
                ],
            ],
        ),
        ex(
            "kmi share blind --set shares/set.pem --decrypt secret.bin -o request.pem --factor factor.pem",
            &[SHARES, SECRET_BIN],
        ),
        // kmi ccm ...
        ex("kmi ccm template --export -o ccm.txt", &[]),
        ex("kmi ccm template --domestic -o ccm.txt", &[]),
        ex(
            "kmi ccm fmt ccm-source.txt -o ccm.txt",
            &[&["kmi ccm template --export -o ccm-source.txt"]],
        ),
        ex("kmi ccm fmt ccm.txt", &[CCM_TXT]),
        ex("kmi ccm lint ccm.txt", &[CCM_TXT]),
        ex("kmi ccm lint --json ccm.txt", &[CCM_TXT]),
        ex("kmi ccm prepare ccm.txt -o ccm.sf", &[CCM_TXT]),
        ex(
            "kmi share partial --share share-1.pem --sign ccm.sf -o p1.pem",
            &[
                &[
                    "cp signing-key.pem",
                    "kmi share split signing-key.pem -k 2 -n 3 --purpose sign --plain -o shares",
                    "mv shares/share-1.pem share-1.pem",
                    "kmi ccm template --export -o ccm.txt",
                    "kmi ccm prepare ccm.txt -o ccm.sf",
                ],
            ],
        ),
        ex(
            "kmi ccm sign ccm.txt --key signer.pem --cert signer.crt -o policy.jar",
            &[CCM_TXT, &["cp signer.pem", "cp signer.crt"]],
        ),
        ex(
            "kmi ccm sign ccm.txt --threshold-set shares/set.pem p1.pem p2.pem p4.pem --cert set.crt -o policy.jar",
            &[
                CCM_TXT,
                &[
                    "kmi ccm prepare ccm.txt -o ccm.sf",
                    "cp signing-key.pem",
                    "cp set.crt",
                    "kmi share split signing-key.pem -k 3 -n 5 --purpose sign --plain -o shares",
                    "kmi share partial --share shares/share-1.pem --sign ccm.sf -o p1.pem",
                    "kmi share partial --share shares/share-2.pem --sign ccm.sf -o p2.pem",
                    "kmi share partial --share shares/share-4.pem --sign ccm.sf -o p4.pem",
                ],
            ],
        ),
        ex("kmi ccm verify policy.jar --trust ca.crt", &[POLICY_JAR]),
        ex(
            "kmi ccm verify policy.jar --trust ca.crt --at 2027-01-01 --json",
            &[POLICY_JAR],
        ),
        ex(
            "kmi ccm check policy.jar --trust ca.crt --app smime --alg RSA --bits 1024 --country FR --recovery",
            &[POLICY_JAR],
        ),
        ex(
            "kmi ccm check policy.jar --trust ca.crt --app ssl --alg TLS_RSA_EXPORT1024_WITH_DES_CBC_SHA --bits 1024 --country FR",
            &[POLICY_JAR],
        ),
        ex(
            "kmi ccm check policy.jar --trust ca.crt --app capi --key key.pem --country FR --recovery",
            &[POLICY_JAR, KEY],
        ),
        ex("kmi ccm show policy.jar", &[POLICY_JAR]),
        ex("kmi ccm show --json policy.jar", &[POLICY_JAR]),
        // kmi cmc ...
        ex(
            "kmi cmc archive-request --key enc.pem --to agent.crt --subject CN=alice --sign-key sign.pem --sign-cert sign.crt -o archive.req",
            &[CMC_PARTIES],
        ),
        ex(
            "kmi cmc archive-request --key enc.pem --to agent.crt --owner alice --placement body --selection laptop-2024 --sign-key sign.pem --sign-cert sign.crt -o archive.req",
            &[CMC_PARTIES],
        ),
        ex(
            "kmi cmc archive-request --key enc.pem --cert enc.crt --to agent.crt --sign-key sign.pem --sign-cert sign.crt -o archive.req",
            &[CMC_PARTIES, &["cp enc.crt"]],
        ),
        ex(
            "kmi cmc archive-request --key enc.pem --to agent.crt --owner alice --secret-file alice.hex -o archive.req",
            &[CMC_PARTIES, &[SHARED_SECRET]],
        ),
        ex(
            "kmi cmc recovery-request --owner alice --to new.pub --sign-key sign.pem --sign-cert sign.crt -o recover.req",
            &[CMC_PARTIES, &["cp new.pub"]],
        ),
        ex(
            "kmi cmc recovery-request --owner alice --shroud-secret alice-2024 --selection laptop-2024 --sign-key sign.pem -o recover.req",
            &[CMC_PARTIES],
        ),
        ex(
            "kmi cmc recovery-request --owner alice --to new.pub --secret-file alice.hex -o recover.req",
            &[CMC_PARTIES, &["cp new.pub", SHARED_SECRET]],
        ),
        ex(
            "kmi cmc recovery-request --owner alice --to new.pub --new-sign-key new.pem --secret-file alice.hex -o recover.req",
            &[CMC_PARTIES, &["cp new.pub", "cp new.pem", SHARED_SECRET]],
        ),
        ex(
            "kmi cmc keygen-request --subject CN=alice --to alice.pub --archive --sign-key sign.pem -o keygen.req",
            &[CMC_PARTIES, &["cp alice.pub"]],
        ),
        ex(
            "kmi cmc keygen-request --subject CN=bob --shroud-secret bob-2024 --algorithm elgamal --bits 2048 --sign-key sign.pem --sign-cert sign.crt -o keygen.req",
            &[CMC_PARTIES],
        ),
        ex(
            "kmi cmc respond --agent-key agent.pem --agent-cert agent.crt --store escrow.db --storage-cert storage.crt archive.req -o archive.rsp",
            &[CMC_PARTIES, ARCHIVE_REQ, STORE],
        ),
        ex(
            "kmi cmc respond --agent-key agent.pem --agent-cert agent.crt --store escrow.db --split 2/3 --to t1.crt --to t2.crt --to t3.crt archive.req -o archive.rsp",
            &[
                CMC_PARTIES_SAFE_KEY,
                ARCHIVE_REQ,
                STORE,
                &["cp t1.crt", "cp t2.crt", "cp t3.crt"],
            ],
        ),
        ex(
            "kmi cmc respond --agent-key agent.pem --agent-cert agent.crt --store escrow.db --storage-key storage.pem --secret-file alice.secret --pwri-kek rfc3211 recover.req -o recover.rsp",
            &[CMC_PARTIES, ARCHIVE_REQ, ESCROW, RECOVER_SECRET_REQ],
        ),
        ex(
            "kmi cmc respond --agent-key agent.pem --agent-cert agent.crt --store escrow.db --storage-key storage.pem --log escrow.log recover.req -o recover.rsp",
            &[
                CMC_PARTIES,
                ARCHIVE_REQ,
                ESCROW,
                &[
                    "cp new.pub",
                    "kmi cmc recovery-request --owner alice --to new.pub --selection laptop-2024 --sign-key sign.pem --sign-cert sign.crt -o recover.req",
                ],
            ],
        ),
        ex(
            "kmi cmc store init escrow.db --storage-cert storage.crt",
            &[&["cp storage.crt"]],
        ),
        ex("kmi cmc store init shares-only.db", &[]),
        ex(
            "kmi cmc store migrate escrow/ --store escrow.db --storage-cert storage.crt",
            &[&["cp storage.crt", "cptree dirstore-0.1/store=escrow"]],
        ),

        ex(
            "kmi cmc store list escrow.db",
            &[CMC_PARTIES, ARCHIVE_REQ, ESCROW],
        ),
        ex(
            "kmi cmc store list escrow.db --owner alice --json",
            &[CMC_PARTIES, ARCHIVE_REQ, ESCROW],
        ),
        ex(
            "kmi cmc store show escrow.db f776c2ac",
            &[CMC_PARTIES, ARCHIVE_REQ, ESCROW],
        ),
        ex(
            "kmi cmc store show escrow.db f776c2ac --json",
            &[CMC_PARTIES, ARCHIVE_REQ, ESCROW],
        ),
        ex(
            "kmi cmc store export-audit escrow.db -o audit.jsonl",
            &[CMC_PARTIES, ARCHIVE_REQ, ESCROW],
        ),
        ex(
            "kmi cmc store export-audit escrow.db",
            &[CMC_PARTIES, ARCHIVE_REQ, ESCROW],
        ),
        ex(
            "kmi cmc store verify escrow.db",
            &[CMC_PARTIES, ARCHIVE_REQ, ESCROW],
        ),
        ex(
            "kmi cmc store verify escrow.db --storage-key storage.pem --json",
            &[CMC_PARTIES, ARCHIVE_REQ, ESCROW],
        ),
        ex("kmi cmc parse archive.req", &[CMC_PARTIES, ARCHIVE_REQ]),
        ex(
            "kmi cmc parse --json recover.rsp",
            &[
                CMC_PARTIES,
                ARCHIVE_REQ,
                ESCROW,
                RECOVER_SECRET_REQ,
                &["kmi cmc respond --agent-key agent.pem --agent-cert agent.crt --store escrow.db --storage-key storage.pem --secret-file alice.secret --pwri-kek rfc3211 recover.req -o recover.rsp"],
            ],
        ),
        ex(
            "kmi cmc extract recover.rsp --request recover.req --identity new.pem --agent-cert agent.crt -o recovered.pem",
            &[
                CMC_PARTIES,
                ARCHIVE_REQ,
                ESCROW,
                &[
                    "cp new.pem",
                    "cp new.pub",
                    "kmi cmc recovery-request --owner alice --to new.pub --selection laptop-2024 --sign-key sign.pem --sign-cert sign.crt -o recover.req",
                    "kmi cmc respond --agent-key agent.pem --agent-cert agent.crt --store escrow.db --storage-key storage.pem recover.req -o recover.rsp",
                ],
            ],
        ),
        ex(
            "kmi cmc extract keygen.rsp --request keygen.req --secret-file bob.secret --agent-cert agent.crt -o bob.pem",
            &[
                CMC_PARTIES,
                &[
                    // A 512-bit group: the agent's search for a 2048-bit one takes minutes.
                    "kmi cmc keygen-request --subject CN=bob --shroud-secret bob-2024 --algorithm elgamal --bits 512 --sign-key sign.pem --sign-cert sign.crt -o keygen.req",
                    "write bob.secret bob-2024",
                    "kmi cmc store init escrow.db",
                    "kmi cmc respond --agent-key agent.pem --agent-cert agent.crt --store escrow.db --secret-file bob.secret keygen.req -o keygen.rsp",
                ],
            ],
        ),
        // kmi cert
        ex(
            "kmi cert self-sign --key ca.pem --subject CN=Ceremony-CA --days 3650 --ca -o ca.crt",
            &[&["cp ca.pem"]],
        ),
        ex(
            "kmi cert self-sign --key ca.pem --subject CN=Ceremony-CA,O=Example --days 3650 --ca -o ca.crt",
            &[&["cp ca.pem"]],
        ),
        ex(
            "kmi cert self-sign --key signer.pem --subject CN=Signer --days 365 --usage sign,code-signing -o signer.crt",
            &[&["cp signer.pem"]],
        ),
        ex(
            "kmi cert request --key alice.pem --subject CN=Alice,O=Example --usage sign -o alice.csr",
            &[&["cp key.pem=alice.pem"]],
        ),
        ex(
            "kmi cert request --key signer.pem --subject CN=Policy-signer --usage code-signing --der -o signer.csr",
            &[&["cp signer.pem"]],
        ),
        ex(
            "kmi cert issue --ca-key ca.pem --ca-cert ca.crt alice.csr -o alice.crt",
            &[KMI_CA, ALICE_CSR],
        ),
        ex(
            "kmi cert issue --ca-key ca.pem --ca-cert ca.crt alice.csr --days 365 -o alice.crt",
            &[KMI_CA, ALICE_CSR],
        ),
        ex(
            "kmi cert issue --ca-key ca.pem --ca-cert ca.crt --public escrow-public.pem --subject CN=Escrow --usage encrypt -o escrow.crt",
            &[KMI_CA, &["cp elgamal-public.pem=escrow-public.pem"]],
        ),
        ex(
            "kmi cert issue --ca-key ca.pem --ca-cert ca.crt sub.csr --ca --path-len 0 -o sub.crt",
            &[
                KMI_CA,
                &[
                    "cp signer.pem",
                    "kmi cert request --key signer.pem --subject CN=Sub-CA -o sub.csr",
                ],
            ],
        ),
        ex(
            "kmi cert prepare self-sign --set shares/set.pem --subject CN=Shared-CA --days 3650 --ca -o root.tbs",
            &[SIGN_SHARES],
        ),
        ex(
            "kmi cert prepare request --set shares/set.pem --subject CN=Shared -o shared.tbs",
            &[SIGN_SHARES],
        ),
        ex(
            "kmi cert prepare request --set shares/set.pem --subject CN=Shared --usage sign -o shared.tbs",
            &[SIGN_SHARES],
        ),
        ex(
            "kmi cert prepare issue --set shares/set.pem --ca-cert root.crt alice.csr -o alice.tbs",
            &[SIGN_SHARES, SET_ROOT, ALICE_CSR],
        ),
        ex(
            "kmi cert prepare issue --set shares/set.pem --ca-cert root.crt alice.csr --days 365 -o alice.tbs",
            &[SIGN_SHARES, SET_ROOT, ALICE_CSR],
        ),
        ex(
            "kmi cert prepare issue --set shares/set.pem --ca-cert root.crt --public escrow.pem --subject CN=Escrow --usage encrypt -o escrow.tbs",
            &[SIGN_SHARES, SET_ROOT, &["cp elgamal-public.pem=escrow.pem"]],
        ),
        ex(
            "kmi cert finish --set shares/set.pem --tbs root.tbs p1.pem p2.pem p4.pem -o root.crt",
            &[SIGN_SHARES, ROOT_TBS],
        ),
        ex(
            "kmi cert finish --set shares/set.pem --tbs alice.tbs p1.pem p2.pem p4.pem --der -o alice.der",
            &[
                SIGN_SHARES,
                SET_ROOT,
                ALICE_CSR,
                &[
                    "kmi cert prepare issue --set shares/set.pem --ca-cert root.crt alice.csr -o alice.tbs",
                    "kmi share partial --share shares/share-1.pem --sign alice.tbs -o p1.pem --force",
                    "kmi share partial --share shares/share-2.pem --sign alice.tbs -o p2.pem --force",
                    "kmi share partial --share shares/share-4.pem --sign alice.tbs -o p4.pem --force",
                ],
            ],
        ),
        ex("kmi cert show ca.crt", &[KMI_CA]),
        ex("kmi cert show --json alice.csr", &[ALICE_CSR]),
        ex("kmi cert show root.tbs", &[SIGN_SHARES, ROOT_TBS]),
        ex(
            "kmi cert show alice.crt",
            &[
                KMI_CA,
                ALICE_CSR,
                &["kmi cert issue --ca-key ca.pem --ca-cert ca.crt alice.csr -o alice.crt"],
            ],
        ),
        ex("kmi key public shares/set.pem -o shared-public.pem", &[SIGN_SHARES]),
        // kmi encrypt, decrypt
        ex(
            "kmi encrypt --to public.pem -i secret.txt -o secret.bin",
            &[PUBLIC, &["write secret.txt the launch code"]],
        ),
        ex(
            "kmi encrypt --to elgamal-public.pem -i big.tar -o big.tar.kmi",
            &[&["cp elgamal-public.pem", "write big.tar not really a tar file"]],
        ),
        ex(
            "kmi decrypt --identity key.pem -i secret.bin -o secret.txt",
            &[KEY, SECRET_BIN],
        ),
        // kmi demo
        slow("kmi demo", &[]),
        slow("kmi demo --dir ceremony --bits 3072", &[]),
        // kmi log
        ex(
            "kmi log verify ceremony.log",
            &[&["cp ceremony.log"]],
        ),
        ex(
            "kmi log verify ceremony.log --head 0fda3ecc90dc5ea8abd2737febe1e1b65f026c62e834ec6535a4c235c5376869",
            &[&["cp ceremony.log"]],
        ),
    ]
}

/// Every distinct `$ kmi ...` line of every command's long help.
fn help_examples() -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (_, cmd) in kmi::cli::docs::all_commands() {
        let help = cmd
            .get_after_long_help()
            .map(|h| h.to_string())
            .unwrap_or_default();
        for line in help.lines().filter_map(|l| l.trim().strip_prefix("$ ")) {
            out.insert(line.to_string());
        }
    }
    out
}

#[test]
fn every_example_has_a_set_up() {
    let help = help_examples();
    let table: BTreeSet<String> = examples().iter().map(|e| e.line.to_string()).collect();
    let missing: Vec<_> = help.difference(&table).collect();
    let stale: Vec<_> = table.difference(&help).collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "help examples without a set-up in tests/cli/help_examples.rs: {missing:#?}\n\
         set-ups whose example is no longer in the help: {stale:#?}"
    );
    assert_eq!(
        table.len(),
        examples().len(),
        "an example is listed twice in the table"
    );
}

/// The arguments of a command line (no quoting in examples or set-ups).
fn words(line: &str) -> Vec<&str> {
    line.split_whitespace().collect()
}

/// Run kmi with `args` in `dir`; Err with what it said unless it exits 0.
fn run_kmi(dir: &Path, args: &[&str], timeout: Duration) -> Result<(), String> {
    let out = kmi()
        .args(args)
        .current_dir(dir)
        .timeout(timeout)
        .output()
        .map_err(|e| format!("cannot run: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim_end()
        ))
    }
}

fn set_up(dir: &Path, steps: &[&str]) -> Result<(), String> {
    for step in steps {
        let (op, rest) = step.split_once(' ').unwrap_or((step, ""));
        let done = match op {
            "cp" => {
                let (from, to) = rest.split_once('=').unwrap_or((rest, rest));
                std::fs::copy(testdata(&format!("cli/{from}")), dir.join(to))
                    .map(drop)
                    .map_err(|e| e.to_string())
            }
            "cptree" => {
                let (from, to) = rest.split_once('=').unwrap_or((rest, rest));
                copy_tree(&testdata(from), &dir.join(to)).map_err(|e| e.to_string())
            }
            "mv" => {
                let (from, to) = rest.split_once(' ').unwrap_or((rest, ""));
                std::fs::rename(dir.join(from), dir.join(to)).map_err(|e| e.to_string())
            }
            "write" => {
                let (file, text) = rest.split_once(' ').unwrap_or((rest, ""));
                std::fs::write(dir.join(file), format!("{text}\n")).map_err(|e| e.to_string())
            }
            "kmi" => run_kmi(dir, &words(rest), Duration::from_secs(120)),
            _ => Err("unknown set-up step".to_string()),
        };
        done.map_err(|e| format!("set-up step `{step}`: {e}"))?;
    }
    Ok(())
}

/// Run the examples of the table with `slow == want_slow`; fail naming every one that did not
/// exit 0.
fn run_examples(want_slow: bool, timeout: Duration) {
    let mut failures = Vec::new();
    let mut ran = 0;
    for e in examples().into_iter().filter(|e| e.slow == want_slow) {
        let w = Work::new();
        let result = set_up(w.dir.path(), &e.setup)
            .and_then(|()| run_kmi(w.dir.path(), &words(e.line)[1..], timeout));
        if let Err(why) = result {
            failures.push(format!("$ {}\n  {}", e.line, why.replace('\n', "\n  ")));
        }
        ran += 1;
    }
    assert!(ran > 0, "no example ran");
    assert!(
        failures.is_empty(),
        "{} of {ran} help examples failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn help_examples_run() {
    run_examples(false, Duration::from_secs(120));
}

#[test]
#[ignore = "minutes: safe-prime keys of 2048 bits and more; run with --ignored"]
fn slow_help_examples_run() {
    run_examples(true, Duration::from_secs(3600));
}

/// Copy the directory tree `from` to `to`.
fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for e in std::fs::read_dir(from)? {
        let e = e?;
        let target = to.join(e.file_name());
        if e.file_type()?.is_dir() {
            copy_tree(&e.path(), &target)?;
        } else {
            std::fs::copy(e.path(), &target)?;
        }
    }
    Ok(())
}
