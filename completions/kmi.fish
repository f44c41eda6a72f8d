# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_kmi_global_optspecs
    string join \n batch q/quiet allow-slow-kdf h/help V/version
end

function __fish_kmi_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_kmi_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_kmi_using_subcommand
    set -l cmd (__fish_kmi_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c kmi -n "__fish_kmi_needs_command" -l batch -d 'Never prompt; fail when a passphrase is needed and no file or descriptor is given'
complete -c kmi -n "__fish_kmi_needs_command" -s q -l quiet -d 'Print nothing on stderr except errors (no progress bar, no summary, no warnings)'
complete -c kmi -n "__fish_kmi_needs_command" -l allow-slow-kdf -d 'Read encrypted keys whose KDF is slower than kmi\'s limits (PBKDF2 over 10,000,000 iterations, scrypt over 32 MiB); only for key files you trust'
complete -c kmi -n "__fish_kmi_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kmi -n "__fish_kmi_needs_command" -s V -l version -d 'Print version'
complete -c kmi -n "__fish_kmi_needs_command" -f -a "key" -d 'Generate, check and inspect keys; write their public keys and fingerprints'
complete -c kmi -n "__fish_kmi_needs_command" -f -a "share" -d 'Split a key into threshold shares, verify them, use them, rebuild the key'
complete -c kmi -n "__fish_kmi_needs_command" -f -a "cert" -d 'Make certificate requests and certificates, also with a key held as shares'
complete -c kmi -n "__fish_kmi_needs_command" -f -a "ccm" -d 'Write, sign, verify and query CCM policies (signed JARs)'
complete -c kmi -n "__fish_kmi_needs_command" -f -a "cmc" -d 'Archive, recover and generate keys with an escrow agent (CMC, RFC 5272 + key archival draft)'
complete -c kmi -n "__fish_kmi_needs_command" -f -a "encrypt" -d 'Encrypt a small file to an RSA key (OAEP-SHA256) or any file to an ElGamal key'
complete -c kmi -n "__fish_kmi_needs_command" -f -a "decrypt" -d 'Decrypt what kmi encrypt (or openssl pkeyutl with OAEP-SHA256) made'
complete -c kmi -n "__fish_kmi_needs_command" -f -a "demo" -d 'Run a whole key-escrow ceremony in a fresh directory, narrated and self-checking'
complete -c kmi -n "__fish_kmi_needs_command" -f -a "log" -d 'Check a ceremony record'
complete -c kmi -n "__fish_kmi_needs_command" -f -a "selftest" -d 'Run known-answer tests of every primitive kmi relies on'
complete -c kmi -n "__fish_kmi_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kmi -n "__fish_kmi_using_subcommand key; and not __fish_seen_subcommand_from generate check inspect public fingerprint passphrase help" -l batch -d 'Never prompt; fail when a passphrase is needed and no file or descriptor is given'
complete -c kmi -n "__fish_kmi_using_subcommand key; and not __fish_seen_subcommand_from generate check inspect public fingerprint passphrase help" -s q -l quiet -d 'Print nothing on stderr except errors (no progress bar, no summary, no warnings)'
complete -c kmi -n "__fish_kmi_using_subcommand key; and not __fish_seen_subcommand_from generate check inspect public fingerprint passphrase help" -l allow-slow-kdf -d 'Read encrypted keys whose KDF is slower than kmi\'s limits (PBKDF2 over 10,000,000 iterations, scrypt over 32 MiB); only for key files you trust'
complete -c kmi -n "__fish_kmi_using_subcommand key; and not __fish_seen_subcommand_from generate check inspect public fingerprint passphrase help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kmi -n "__fish_kmi_using_subcommand key; and not __fish_seen_subcommand_from generate check inspect public fingerprint passphrase help" -s V -l version -d 'Print version'
complete -c kmi -n "__fish_kmi_using_subcommand key; and not __fish_seen_subcommand_from generate check inspect public fingerprint passphrase help" -f -a "generate" -d 'Generate a new private key'
complete -c kmi -n "__fish_kmi_using_subcommand key; and not __fish_seen_subcommand_from generate check inspect public fingerprint passphrase help" -f -a "check" -d 'Check a key the way a key registry would before accepting it'
complete -c kmi -n "__fish_kmi_using_subcommand key; and not __fish_seen_subcommand_from generate check inspect public fingerprint passphrase help" -f -a "inspect" -d 'Show a key\'s type, sizes and public numbers'
complete -c kmi -n "__fish_kmi_using_subcommand key; and not __fish_seen_subcommand_from generate check inspect public fingerprint passphrase help" -f -a "public" -d 'Write the public key (SubjectPublicKeyInfo) of a key or of a share set'
complete -c kmi -n "__fish_kmi_using_subcommand key; and not __fish_seen_subcommand_from generate check inspect public fingerprint passphrase help" -f -a "fingerprint" -d 'Print the SHA-256 fingerprint of a key\'s SubjectPublicKeyInfo, grouped for reading aloud'
complete -c kmi -n "__fish_kmi_using_subcommand key; and not __fish_seen_subcommand_from generate check inspect public fingerprint passphrase help" -f -a "passphrase" -d 'Encrypt a plain private key, change its passphrase, or remove it'
complete -c kmi -n "__fish_kmi_using_subcommand key; and not __fish_seen_subcommand_from generate check inspect public fingerprint passphrase help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from generate" -l batch -d 'Never prompt; fail when a passphrase is needed and no file or descriptor is given'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from generate" -s q -l quiet -d 'Print nothing on stderr except errors (no progress bar, no summary, no warnings)'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from generate" -l allow-slow-kdf -d 'Read encrypted keys whose KDF is slower than kmi\'s limits (PBKDF2 over 10,000,000 iterations, scrypt over 32 MiB); only for key files you trust'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from generate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from generate" -s V -l version -d 'Print version'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from generate" -f -a "rsa" -d 'Generate an RSA key whose primes are safe primes (p = 2p\'+1, q = 2q\'+1)'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from generate" -f -a "elgamal" -d 'Generate an ElGamal key (X9.42 DH key with p, q, g; g of prime order q)'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from generate" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from check" -l key-passphrase-file -d 'Read the passphrase of the (encrypted) input key from the first line of FILE (env:VAR: from variable VAR)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from check" -l key-passphrase-fd -d 'Read the passphrase of the (encrypted) input key from file descriptor N' -r
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from check" -l require-safe -d 'Also require safe-prime structure (RSA: p, q, (p-1)/2, (q-1)/2 prime; ElGamal: p = 2q + 1)'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from check" -l json -d 'Print the results as JSON'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from check" -l batch -d 'Never prompt; fail when a passphrase is needed and no file or descriptor is given'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from check" -s q -l quiet -d 'Print nothing on stderr except errors (no progress bar, no summary, no warnings)'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from check" -l allow-slow-kdf -d 'Read encrypted keys whose KDF is slower than kmi\'s limits (PBKDF2 over 10,000,000 iterations, scrypt over 32 MiB); only for key files you trust'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from check" -s V -l version -d 'Print version'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from inspect" -l key-passphrase-file -d 'Read the passphrase of the (encrypted) input key from the first line of FILE (env:VAR: from variable VAR)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from inspect" -l key-passphrase-fd -d 'Read the passphrase of the (encrypted) input key from file descriptor N' -r
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from inspect" -l json -d 'Print the results as JSON'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from inspect" -l batch -d 'Never prompt; fail when a passphrase is needed and no file or descriptor is given'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from inspect" -s q -l quiet -d 'Print nothing on stderr except errors (no progress bar, no summary, no warnings)'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from inspect" -l allow-slow-kdf -d 'Read encrypted keys whose KDF is slower than kmi\'s limits (PBKDF2 over 10,000,000 iterations, scrypt over 32 MiB); only for key files you trust'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from inspect" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from inspect" -s V -l version -d 'Print version'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from public" -s o -l output -d 'Write to FILE (\'-\' for standard output)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from public" -l key-passphrase-file -d 'Read the passphrase of the (encrypted) input key from the first line of FILE (env:VAR: from variable VAR)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from public" -l key-passphrase-fd -d 'Read the passphrase of the (encrypted) input key from file descriptor N' -r
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from public" -l force -d 'Overwrite FILE if it exists'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from public" -l der -d 'Write DER instead of PEM'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from public" -l batch -d 'Never prompt; fail when a passphrase is needed and no file or descriptor is given'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from public" -s q -l quiet -d 'Print nothing on stderr except errors (no progress bar, no summary, no warnings)'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from public" -l allow-slow-kdf -d 'Read encrypted keys whose KDF is slower than kmi\'s limits (PBKDF2 over 10,000,000 iterations, scrypt over 32 MiB); only for key files you trust'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from public" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from public" -s V -l version -d 'Print version'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from fingerprint" -l digits -d 'How many hex digits of the SHA-256 to print' -r -f -a "16\t''
32\t''
64\t''"
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from fingerprint" -l key-passphrase-file -d 'Read the passphrase of the (encrypted) input key from the first line of FILE (env:VAR: from variable VAR)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from fingerprint" -l key-passphrase-fd -d 'Read the passphrase of the (encrypted) input key from file descriptor N' -r
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from fingerprint" -l json -d 'Print the fingerprint as JSON (hex digits without spaces)'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from fingerprint" -l batch -d 'Never prompt; fail when a passphrase is needed and no file or descriptor is given'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from fingerprint" -s q -l quiet -d 'Print nothing on stderr except errors (no progress bar, no summary, no warnings)'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from fingerprint" -l allow-slow-kdf -d 'Read encrypted keys whose KDF is slower than kmi\'s limits (PBKDF2 over 10,000,000 iterations, scrypt over 32 MiB); only for key files you trust'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from fingerprint" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from fingerprint" -s V -l version -d 'Print version'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from passphrase" -s o -l output -d 'Write the result to FILE (\'-\' for standard output) instead of replacing KEY' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from passphrase" -l kdf -d 'Key derivation for the new passphrase' -r -f -a "pbkdf2\t'PBKDF2-HMAC-SHA256, 600000 iterations'
scrypt\t'scrypt N=2^14 r=8 p=1 (openssl\'s own default)'"
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from passphrase" -l key-passphrase-file -d 'Read the passphrase of the (encrypted) input key from the first line of FILE (env:VAR: from variable VAR)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from passphrase" -l key-passphrase-fd -d 'Read the passphrase of the (encrypted) input key from file descriptor N' -r
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from passphrase" -l new-passphrase-file -d 'Read the new passphrase from the first line of FILE' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from passphrase" -l new-passphrase-fd -d 'Read the new passphrase from the first line of file descriptor N' -r
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from passphrase" -l force -d 'Replace an existing output file; without -o, allow replacing KEY in place'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from passphrase" -l der -d 'Write DER instead of PEM'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from passphrase" -l remove -d 'Write the key unencrypted (remove its passphrase)'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from passphrase" -l batch -d 'Never prompt; fail when a passphrase is needed and no file or descriptor is given'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from passphrase" -s q -l quiet -d 'Print nothing on stderr except errors (no progress bar, no summary, no warnings)'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from passphrase" -l allow-slow-kdf -d 'Read encrypted keys whose KDF is slower than kmi\'s limits (PBKDF2 over 10,000,000 iterations, scrypt over 32 MiB); only for key files you trust'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from passphrase" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from passphrase" -s V -l version -d 'Print version'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from help" -f -a "generate" -d 'Generate a new private key'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from help" -f -a "check" -d 'Check a key the way a key registry would before accepting it'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from help" -f -a "inspect" -d 'Show a key\'s type, sizes and public numbers'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from help" -f -a "public" -d 'Write the public key (SubjectPublicKeyInfo) of a key or of a share set'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from help" -f -a "fingerprint" -d 'Print the SHA-256 fingerprint of a key\'s SubjectPublicKeyInfo, grouped for reading aloud'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from help" -f -a "passphrase" -d 'Encrypt a plain private key, change its passphrase, or remove it'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kmi -n "__fish_kmi_using_subcommand share; and not __fish_seen_subcommand_from split verify reconstruct partial combine blind reshare dkg refresh transfer inspect help" -l batch -d 'Never prompt; fail when a passphrase is needed and no file or descriptor is given'
complete -c kmi -n "__fish_kmi_using_subcommand share; and not __fish_seen_subcommand_from split verify reconstruct partial combine blind reshare dkg refresh transfer inspect help" -s q -l quiet -d 'Print nothing on stderr except errors (no progress bar, no summary, no warnings)'
complete -c kmi -n "__fish_kmi_using_subcommand share; and not __fish_seen_subcommand_from split verify reconstruct partial combine blind reshare dkg refresh transfer inspect help" -l allow-slow-kdf -d 'Read encrypted keys whose KDF is slower than kmi\'s limits (PBKDF2 over 10,000,000 iterations, scrypt over 32 MiB); only for key files you trust'
complete -c kmi -n "__fish_kmi_using_subcommand share; and not __fish_seen_subcommand_from split verify reconstruct partial combine blind reshare dkg refresh transfer inspect help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kmi -n "__fish_kmi_using_subcommand share; and not __fish_seen_subcommand_from split verify reconstruct partial combine blind reshare dkg refresh transfer inspect help" -s V -l version -d 'Print version'
complete -c kmi -n "__fish_kmi_using_subcommand share; and not __fish_seen_subcommand_from split verify reconstruct partial combine blind reshare dkg refresh transfer inspect help" -f -a "split" -d 'Split a private key into n shares, any k of which can use or rebuild it'
complete -c kmi -n "__fish_kmi_using_subcommand share; and not __fish_seen_subcommand_from split verify reconstruct partial combine blind reshare dkg refresh transfer inspect help" -f -a "verify" -d 'Verify shares against their set\'s public commitments'
complete -c kmi -n "__fish_kmi_using_subcommand share; and not __fish_seen_subcommand_from split verify reconstruct partial combine blind reshare dkg refresh transfer inspect help" -f -a "reconstruct" -d 'Rebuild the whole private key from k shares'
complete -c kmi -n "__fish_kmi_using_subcommand share; and not __fish_seen_subcommand_from split verify reconstruct partial combine blind reshare dkg refresh transfer inspect help" -f -a "partial" -d 'Compute one trustee\'s partial decryption or signature, with a proof of correctness'
complete -c kmi -n "__fish_kmi_using_subcommand share; and not __fish_seen_subcommand_from split verify reconstruct partial combine blind reshare dkg refresh transfer inspect help" -f -a "combine" -d 'Check partial results and combine k of them into a plaintext or a standard signature'
complete -c kmi -n "__fish_kmi_using_subcommand share; and not __fish_seen_subcommand_from split verify reconstruct partial combine blind reshare dkg refresh transfer inspect help" -f -a "blind" -d 'Blind a ciphertext or file to sign so the trustees never see it'
complete -c kmi -n "__fish_kmi_using_subcommand share; and not __fish_seen_subcommand_from split verify reconstruct partial combine blind reshare dkg refresh transfer inspect help" -f -a "reshare" -d 'Change a set\'s trustees and threshold without rebuilding the key (round, deal, accept, finish)'
complete -c kmi -n "__fish_kmi_using_subcommand share; and not __fish_seen_subcommand_from split verify reconstruct partial combine blind reshare dkg refresh transfer inspect help" -f -a "dkg" -d 'Make an ElGamal key no machine ever holds: distributed key generation in file rounds'
complete -c kmi -n "__fish_kmi_using_subcommand share; and not __fish_seen_subcommand_from split verify reconstruct partial combine blind reshare dkg refresh transfer inspect help" -f -a "refresh" -d 'New shares for the same trustees and threshold: a reshare round with the old k and n'
complete -c kmi -n "__fish_kmi_using_subcommand share; and not __fish_seen_subcommand_from split verify reconstruct partial combine blind reshare dkg refresh transfer inspect help" -f -a "transfer" -d 'Re-encrypt one share to a requester (the Omega recovery flow)'
complete -c kmi -n "__fish_kmi_using_subcommand share; and not __fish_seen_subcommand_from split verify reconstruct partial combine blind reshare dkg refresh transfer inspect help" -f -a "inspect" -d 'Show what a share set or share file holds, without opening an encrypted share'
complete -c kmi -n "__fish_kmi_using_subcommand share; and not __fish_seen_subcommand_from split verify reconstruct partial combine blind reshare dkg refresh transfer inspect help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from split" -s k -l threshold -d 'Number of shares needed to use or rebuild the key (k)' -r
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from split" -s n -l shares -d 'Number of shares to make (n, at most 255)' -r
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from split" -s o -l output -d 'Write `set.pem` and `share-<i>.pem` into DIR (created if missing)' -r -f -a "(__fish_complete_directories)"
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from split" -l to -d 'Encrypt share i to the i-th trustee\'s certificate or RSA public key (give it n times)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from split" -l share-passphrase-file -d 'Encrypt share i under the passphrase in the i-th FILE (give n in all, with --share-passphrase-fd; env:VAR reads variable VAR)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from split" -l share-passphrase-fd -d 'Encrypt a share under the passphrase read from file descriptor N (after the --share-passphrase-file ones)' -r
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from split" -l label -d 'A name for the set, stored in set.pem and every share' -r
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from split" -l purpose -d 'What the set may do: decrypt, or sign; never both (default decrypt)' -r -f -a "decrypt\t'Threshold decryption (and blinded decryption); the set never signs'
sign\t'Threshold signatures (share partial --sign, ccm sign --threshold-set); never decrypts'"
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from split" -l seed -d 'Derive the polynomial from HEX: for fixtures and tests only (the seed rebuilds every share)' -r
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from split" -l vss -d 'ElGamal: Feldman commitments, or also Pedersen commitments g^a h^b and a blinding value in every share (docs/dkg.md 8)' -r -f -a "feldman\t'Feldman: commitments g^(a_t)'
pedersen\t'Pedersen: also g^(a_t) h^(b_t), every share checked against both'"
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from split" -l key-passphrase-file -d 'Read the passphrase of the (encrypted) input key from the first line of FILE (env:VAR: from variable VAR)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from split" -l key-passphrase-fd -d 'Read the passphrase of the (encrypted) input key from file descriptor N' -r
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from split" -l log -d 'Append a line about this operation (inputs, outputs, outcome) to the ceremony record FILE' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from split" -l time -d 'Write TIME as the time into the output (RFC 3339 such as 2026-01-02T03:04:05Z, or @UNIX_SECONDS); default $SOURCE_DATE_EPOCH, else the clock' -r
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from split" -l plain -d 'Write bare, unencrypted shares'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from split" -l insecure-fixture -d 'Allow --seed together with --to or --share-passphrase-file (a test fixture, never a real key)'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from split" -l force -d 'Replace existing set and share files in DIR'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from split" -l json -d 'Print the dealing (set id, k, n, files) as JSON on standard output'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from split" -l batch -d 'Never prompt; fail when a passphrase is needed and no file or descriptor is given'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from split" -s q -l quiet -d 'Print nothing on stderr except errors (no progress bar, no summary, no warnings)'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from split" -l allow-slow-kdf -d 'Read encrypted keys whose KDF is slower than kmi\'s limits (PBKDF2 over 10,000,000 iterations, scrypt over 32 MiB); only for key files you trust'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from split" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from split" -s V -l version -d 'Print version'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from verify" -l set -d 'The share set (set.pem)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from verify" -l identity -d 'A trustee\'s RSA private key that opens encrypted shares (repeatable)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from verify" -l identity-passphrase-file -d 'Read the passphrase of encrypted --identity keys from the first line of FILE (env:VAR: from variable VAR)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from verify" -l identity-passphrase-fd -d 'Read the passphrase of encrypted --identity keys from file descriptor N' -r
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from verify" -l share-passphrase-file -d 'A file whose first line is a passphrase that opens encrypted shares (repeatable; env:VAR reads variable VAR)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from verify" -l share-passphrase-fd -d 'Read a passphrase that opens encrypted shares from file descriptor N (repeatable)' -r
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from verify" -l log -d 'Append a line about this operation (inputs, outputs, outcome) to the ceremony record FILE' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from verify" -l json -d 'Print the results as JSON'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from verify" -l batch -d 'Never prompt; fail when a passphrase is needed and no file or descriptor is given'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from verify" -s q -l quiet -d 'Print nothing on stderr except errors (no progress bar, no summary, no warnings)'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from verify" -l allow-slow-kdf -d 'Read encrypted keys whose KDF is slower than kmi\'s limits (PBKDF2 over 10,000,000 iterations, scrypt over 32 MiB); only for key files you trust'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from verify" -s V -l version -d 'Print version'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from reconstruct" -l set -d 'The share set (set.pem)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from reconstruct" -l identity -d 'A trustee\'s RSA private key that opens encrypted shares (repeatable)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from reconstruct" -l identity-passphrase-file -d 'Read the passphrase of encrypted --identity keys from the first line of FILE (env:VAR: from variable VAR)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from reconstruct" -l identity-passphrase-fd -d 'Read the passphrase of encrypted --identity keys from file descriptor N' -r
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from reconstruct" -l share-passphrase-file -d 'A file whose first line is a passphrase that opens encrypted shares (repeatable; env:VAR reads variable VAR)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from reconstruct" -l share-passphrase-fd -d 'Read a passphrase that opens encrypted shares from file descriptor N (repeatable)' -r
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from reconstruct" -s o -l output -d 'Write to FILE (\'-\' for standard output)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from reconstruct" -l kdf -d 'Key derivation for --encrypt' -r -f -a "pbkdf2\t'PBKDF2-HMAC-SHA256, 600000 iterations'
scrypt\t'scrypt N=2^14 r=8 p=1 (openssl\'s own default)'"
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from reconstruct" -l new-passphrase-file -d 'With --encrypt: read the new key\'s passphrase from the first line of FILE (env:VAR: from variable VAR)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from reconstruct" -l new-passphrase-fd -d 'With --encrypt: read the new key\'s passphrase from file descriptor N' -r
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from reconstruct" -l log -d 'Append a line about this operation (inputs, outputs, outcome) to the ceremony record FILE' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from reconstruct" -l force -d 'Overwrite FILE if it exists'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from reconstruct" -l der -d 'Write DER instead of PEM'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from reconstruct" -l encrypt -d 'Encrypt the private key (PKCS#8 PBES2, AES-256-CBC) under a passphrase'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from reconstruct" -l batch -d 'Never prompt; fail when a passphrase is needed and no file or descriptor is given'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from reconstruct" -s q -l quiet -d 'Print nothing on stderr except errors (no progress bar, no summary, no warnings)'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from reconstruct" -l allow-slow-kdf -d 'Read encrypted keys whose KDF is slower than kmi\'s limits (PBKDF2 over 10,000,000 iterations, scrypt over 32 MiB); only for key files you trust'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from reconstruct" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from reconstruct" -s V -l version -d 'Print version'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from partial" -l share -d 'This trustee\'s share' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from partial" -l identity -d 'A trustee\'s RSA private key that opens encrypted shares (repeatable)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from partial" -l identity-passphrase-file -d 'Read the passphrase of encrypted --identity keys from the first line of FILE (env:VAR: from variable VAR)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from partial" -l identity-passphrase-fd -d 'Read the passphrase of encrypted --identity keys from file descriptor N' -r
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from partial" -l share-passphrase-file -d 'A file whose first line is a passphrase that opens encrypted shares (repeatable; env:VAR reads variable VAR)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from partial" -l share-passphrase-fd -d 'Read a passphrase that opens encrypted shares from file descriptor N (repeatable)' -r
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from partial" -l decrypt -d 'Decrypt CIPHERTEXT (RSA-OAEP-SHA256 block, or KMI ELGAMAL MESSAGE)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from partial" -l sign -d 'Sign FILE (RSASSA-PKCS1-v1_5 with SHA-256; RSA sets only)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from partial" -l blinded -d 'Work on a client\'s KMI BLINDED INPUT (from kmi share blind) without seeing what it hides' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from partial" -s o -l output -d 'Write to FILE (\'-\' for standard output)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from partial" -l log -d 'Append a line about this operation (inputs, outputs, outcome) to the ceremony record FILE' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from partial" -l seed -d 'Take every random choice from HEX (ChaCha20); anyone who knows HEX reads the protected secret, so it needs --insecure-fixture: for test fixtures only' -r
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from partial" -l time -d 'Write TIME as the time into the output (RFC 3339 such as 2026-01-02T03:04:05Z, or @UNIX_SECONDS); default $SOURCE_DATE_EPOCH, else the clock' -r
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from partial" -l force -d 'Overwrite FILE if it exists'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from partial" -l insecure-fixture -d 'Allow --seed here (a test fixture, never a real secret)'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from partial" -l json -d 'Print what was made (set id, share index, operation, file) as JSON on standard output; the partial goes to -o FILE'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from partial" -l batch -d 'Never prompt; fail when a passphrase is needed and no file or descriptor is given'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from partial" -s q -l quiet -d 'Print nothing on stderr except errors (no progress bar, no summary, no warnings)'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from partial" -l allow-slow-kdf -d 'Read encrypted keys whose KDF is slower than kmi\'s limits (PBKDF2 over 10,000,000 iterations, scrypt over 32 MiB); only for key files you trust'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from partial" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from partial" -s V -l version -d 'Print version'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from combine" -l set -d 'The share set (set.pem)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from combine" -l decrypt -d 'Decrypt CIPHERTEXT (RSA-OAEP-SHA256 block, or KMI ELGAMAL MESSAGE)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from combine" -l sign -d 'Sign FILE (RSASSA-PKCS1-v1_5 with SHA-256; RSA sets only)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from combine" -l factor -d 'The partials were made on a blinded input: remove this blinding factor (from kmi share blind)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from combine" -s o -l output -d 'Write to FILE (\'-\' for standard output)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from combine" -l log -d 'Append a line about this operation (inputs, outputs, outcome) to the ceremony record FILE' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from combine" -l force -d 'Overwrite FILE if it exists'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from combine" -l json -d 'Print what was made (set id, partials used, file) as JSON on standard output; the result goes to -o FILE'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from combine" -l batch -d 'Never prompt; fail when a passphrase is needed and no file or descriptor is given'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from combine" -s q -l quiet -d 'Print nothing on stderr except errors (no progress bar, no summary, no warnings)'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from combine" -l allow-slow-kdf -d 'Read encrypted keys whose KDF is slower than kmi\'s limits (PBKDF2 over 10,000,000 iterations, scrypt over 32 MiB); only for key files you trust'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from combine" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from combine" -s V -l version -d 'Print version'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from blind" -l set -d 'The share set (set.pem)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from blind" -l decrypt -d 'Decrypt CIPHERTEXT (RSA-OAEP-SHA256 block, or KMI ELGAMAL MESSAGE)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from blind" -l sign -d 'Sign FILE (RSASSA-PKCS1-v1_5 with SHA-256; RSA sets only)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from blind" -l factor -d 'Write the secret blinding factor to FILE (kept by the client, mode 0600)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from blind" -s o -l output -d 'Write to FILE (\'-\' for standard output)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from blind" -l log -d 'Append a line about this operation (inputs, outputs, outcome) to the ceremony record FILE' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from blind" -l force -d 'Overwrite FILE if it exists'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from blind" -l batch -d 'Never prompt; fail when a passphrase is needed and no file or descriptor is given'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from blind" -s q -l quiet -d 'Print nothing on stderr except errors (no progress bar, no summary, no warnings)'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from blind" -l allow-slow-kdf -d 'Read encrypted keys whose KDF is slower than kmi\'s limits (PBKDF2 over 10,000,000 iterations, scrypt over 32 MiB); only for key files you trust'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from blind" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from blind" -s V -l version -d 'Print version'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from reshare" -l batch -d 'Never prompt; fail when a passphrase is needed and no file or descriptor is given'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from reshare" -s q -l quiet -d 'Print nothing on stderr except errors (no progress bar, no summary, no warnings)'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from reshare" -l allow-slow-kdf -d 'Read encrypted keys whose KDF is slower than kmi\'s limits (PBKDF2 over 10,000,000 iterations, scrypt over 32 MiB); only for key files you trust'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from reshare" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from reshare" -s V -l version -d 'Print version'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from reshare" -f -a "round" -d 'Fix a reshare round: the set, the new threshold and the new trustees, with a random id'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from reshare" -f -a "deal" -d 'An old trustee sub-shares its share to the round\'s new trustees'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from reshare" -f -a "accept" -d 'A new trustee checks every deal and computes its share of the new set'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from reshare" -f -a "finish" -d 'Compute the new set from the deals\' public parts'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from reshare" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from dkg" -l batch -d 'Never prompt; fail when a passphrase is needed and no file or descriptor is given'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from dkg" -s q -l quiet -d 'Print nothing on stderr except errors (no progress bar, no summary, no warnings)'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from dkg" -l allow-slow-kdf -d 'Read encrypted keys whose KDF is slower than kmi\'s limits (PBKDF2 over 10,000,000 iterations, scrypt over 32 MiB); only for key files you trust'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from dkg" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from dkg" -s V -l version -d 'Print version'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from dkg" -f -a "round" -d 'Fix a DKG round: the group, k, the parties and a random round id'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from dkg" -f -a "deal" -d 'A party deals: Pedersen commitments and a share enveloped to every party'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from dkg" -f -a "check" -d 'A party checks every deal and writes its signed complaints (or none)'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from dkg" -f -a "answer" -d 'A dealer opens in public the shares it was complained about'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from dkg" -f -a "reveal" -d 'A qualified dealer reveals its Feldman commitments with a proof'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from dkg" -f -a "disclose" -d 'Publish this party\'s share of a qualified dealer whose reveal is bad or missing'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from dkg" -f -a "finish" -d 'Compute the share set (and with --identity, this party\'s share)'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from dkg" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from refresh" -l set -d 'The set to refresh (set.pem)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from refresh" -l to -d 'The trustees\' certificates, in share order (n of them: the same trustees)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from refresh" -l label -d 'A name for the new set' -r
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from refresh" -s o -l output -d 'Write to FILE (\'-\' for standard output)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from refresh" -l log -d 'Append a line about this operation (inputs, outputs, outcome) to the ceremony record FILE' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from refresh" -l force -d 'Overwrite FILE if it exists'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from refresh" -l batch -d 'Never prompt; fail when a passphrase is needed and no file or descriptor is given'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from refresh" -s q -l quiet -d 'Print nothing on stderr except errors (no progress bar, no summary, no warnings)'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from refresh" -l allow-slow-kdf -d 'Read encrypted keys whose KDF is slower than kmi\'s limits (PBKDF2 over 10,000,000 iterations, scrypt over 32 MiB); only for key files you trust'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from refresh" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from refresh" -s V -l version -d 'Print version'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from transfer" -l share -d 'The share to hand over' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from transfer" -l identity -d 'A trustee\'s RSA private key that opens encrypted shares (repeatable)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from transfer" -l identity-passphrase-file -d 'Read the passphrase of encrypted --identity keys from the first line of FILE (env:VAR: from variable VAR)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from transfer" -l identity-passphrase-fd -d 'Read the passphrase of encrypted --identity keys from file descriptor N' -r
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from transfer" -l share-passphrase-file -d 'A file whose first line is a passphrase that opens encrypted shares (repeatable; env:VAR reads variable VAR)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from transfer" -l share-passphrase-fd -d 'Read a passphrase that opens encrypted shares from file descriptor N (repeatable)' -r
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from transfer" -l to -d 'The requester\'s certificate or RSA public key: the share is enveloped to it' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from transfer" -s o -l output -d 'Write to FILE (\'-\' for standard output)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from transfer" -l log -d 'Append a line about this operation (inputs, outputs, outcome) to the ceremony record FILE' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from transfer" -l force -d 'Overwrite FILE if it exists'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from transfer" -l batch -d 'Never prompt; fail when a passphrase is needed and no file or descriptor is given'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from transfer" -s q -l quiet -d 'Print nothing on stderr except errors (no progress bar, no summary, no warnings)'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from transfer" -l allow-slow-kdf -d 'Read encrypted keys whose KDF is slower than kmi\'s limits (PBKDF2 over 10,000,000 iterations, scrypt over 32 MiB); only for key files you trust'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from transfer" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from transfer" -s V -l version -d 'Print version'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from inspect" -l json -d 'Print the result as JSON'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from inspect" -l batch -d 'Never prompt; fail when a passphrase is needed and no file or descriptor is given'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from inspect" -s q -l quiet -d 'Print nothing on stderr except errors (no progress bar, no summary, no warnings)'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from inspect" -l allow-slow-kdf -d 'Read encrypted keys whose KDF is slower than kmi\'s limits (PBKDF2 over 10,000,000 iterations, scrypt over 32 MiB); only for key files you trust'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from inspect" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from inspect" -s V -l version -d 'Print version'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from help" -f -a "split" -d 'Split a private key into n shares, any k of which can use or rebuild it'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from help" -f -a "verify" -d 'Verify shares against their set\'s public commitments'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from help" -f -a "reconstruct" -d 'Rebuild the whole private key from k shares'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from help" -f -a "partial" -d 'Compute one trustee\'s partial decryption or signature, with a proof of correctness'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from help" -f -a "combine" -d 'Check partial results and combine k of them into a plaintext or a standard signature'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from help" -f -a "blind" -d 'Blind a ciphertext or file to sign so the trustees never see it'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from help" -f -a "reshare" -d 'Change a set\'s trustees and threshold without rebuilding the key (round, deal, accept, finish)'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from help" -f -a "dkg" -d 'Make an ElGamal key no machine ever holds: distributed key generation in file rounds'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from help" -f -a "refresh" -d 'New shares for the same trustees and threshold: a reshare round with the old k and n'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from help" -f -a "transfer" -d 'Re-encrypt one share to a requester (the Omega recovery flow)'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from help" -f -a "inspect" -d 'Show what a share set or share file holds, without opening an encrypted share'
complete -c kmi -n "__fish_kmi_using_subcommand share; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kmi -n "__fish_kmi_using_subcommand cert; and not __fish_seen_subcommand_from request self-sign issue prepare finish show help" -l batch -d 'Never prompt; fail when a passphrase is needed and no file or descriptor is given'
complete -c kmi -n "__fish_kmi_using_subcommand cert; and not __fish_seen_subcommand_from request self-sign issue prepare finish show help" -s q -l quiet -d 'Print nothing on stderr except errors (no progress bar, no summary, no warnings)'
complete -c kmi -n "__fish_kmi_using_subcommand cert; and not __fish_seen_subcommand_from request self-sign issue prepare finish show help" -l allow-slow-kdf -d 'Read encrypted keys whose KDF is slower than kmi\'s limits (PBKDF2 over 10,000,000 iterations, scrypt over 32 MiB); only for key files you trust'
complete -c kmi -n "__fish_kmi_using_subcommand cert; and not __fish_seen_subcommand_from request self-sign issue prepare finish show help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kmi -n "__fish_kmi_using_subcommand cert; and not __fish_seen_subcommand_from request self-sign issue prepare finish show help" -s V -l version -d 'Print version'
complete -c kmi -n "__fish_kmi_using_subcommand cert; and not __fish_seen_subcommand_from request self-sign issue prepare finish show help" -f -a "request" -d 'Write a PKCS#10 certificate request signed by the subject\'s RSA key'
complete -c kmi -n "__fish_kmi_using_subcommand cert; and not __fish_seen_subcommand_from request self-sign issue prepare finish show help" -f -a "self-sign" -d 'Write a self-signed certificate for an RSA key'
complete -c kmi -n "__fish_kmi_using_subcommand cert; and not __fish_seen_subcommand_from request self-sign issue prepare finish show help" -f -a "issue" -d 'Issue a certificate with a CA\'s key: from a request, or for a public key and a subject'
complete -c kmi -n "__fish_kmi_using_subcommand cert; and not __fish_seen_subcommand_from request self-sign issue prepare finish show help" -f -a "prepare" -d 'Write the to-be-signed DER of a request or certificate whose key is held as shares'
complete -c kmi -n "__fish_kmi_using_subcommand cert; and not __fish_seen_subcommand_from request self-sign issue prepare finish show help" -f -a "finish" -d 'Combine k trustees\' partial signatures on a prepared TBS into the certificate or request'
complete -c kmi -n "__fish_kmi_using_subcommand cert; and not __fish_seen_subcommand_from request self-sign issue prepare finish show help" -f -a "show" -d 'Show a certificate, request or to-be-signed certificate: names, validity, usages, fingerprints'
complete -c kmi -n "__fish_kmi_using_subcommand cert; and not __fish_seen_subcommand_from request self-sign issue prepare finish show help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from request" -l key -d 'The subject\'s RSA private key' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from request" -l key-passphrase-file -d 'Read the passphrase of the (encrypted) input key from the first line of FILE (env:VAR: from variable VAR)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from request" -l key-passphrase-fd -d 'Read the passphrase of the (encrypted) input key from file descriptor N' -r
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from request" -l subject -d 'The subject, an RFC 4514 DN (e.g. CN=Alice,O=Example)' -r
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from request" -l usage -d 'What the key may be used for (repeat, or separate with commas)' -r -f -a "sign\t'digitalSignature, nonRepudiation'
encrypt\t'keyEncipherment (RSA) or keyAgreement (ElGamal/DH)'
code-signing\t'extKeyUsage codeSigning (with digitalSignature)'
ca\t'keyCertSign, cRLSign, basicConstraints cA TRUE'"
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from request" -s o -l output -d 'Write to FILE (\'-\' for standard output)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from request" -l log -d 'Append a line about this operation (inputs, outputs, outcome) to the ceremony record FILE' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from request" -l force -d 'Overwrite FILE if it exists'
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from request" -l der -d 'Write DER instead of PEM'
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from request" -l batch -d 'Never prompt; fail when a passphrase is needed and no file or descriptor is given'
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from request" -s q -l quiet -d 'Print nothing on stderr except errors (no progress bar, no summary, no warnings)'
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from request" -l allow-slow-kdf -d 'Read encrypted keys whose KDF is slower than kmi\'s limits (PBKDF2 over 10,000,000 iterations, scrypt over 32 MiB); only for key files you trust'
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from request" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from request" -s V -l version -d 'Print version'
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from self-sign" -l key -d 'The RSA private key that is certified and signs' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from self-sign" -l key-passphrase-file -d 'Read the passphrase of the (encrypted) input key from the first line of FILE (env:VAR: from variable VAR)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from self-sign" -l key-passphrase-fd -d 'Read the passphrase of the (encrypted) input key from file descriptor N' -r
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from self-sign" -l subject -d 'The subject (and issuer), an RFC 4514 DN (e.g. CN=Root,O=Example)' -r
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from self-sign" -l days -d 'Days the certificate is valid from now (1 to 36500)' -r
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from self-sign" -l path-len -d 'The CA\'s pathLenConstraint: how many CA certificates may follow it in a chain' -r
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from self-sign" -l usage -d 'What the key may be used for (repeat, or separate with commas)' -r -f -a "sign\t'digitalSignature, nonRepudiation'
encrypt\t'keyEncipherment (RSA) or keyAgreement (ElGamal/DH)'
code-signing\t'extKeyUsage codeSigning (with digitalSignature)'
ca\t'keyCertSign, cRLSign, basicConstraints cA TRUE'"
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from self-sign" -s o -l output -d 'Write to FILE (\'-\' for standard output)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from self-sign" -l log -d 'Append a line about this operation (inputs, outputs, outcome) to the ceremony record FILE' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from self-sign" -l seed -d 'Take every random choice from HEX (ChaCha20): byte-reproducible output for fixtures and tests only' -r
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from self-sign" -l time -d 'Write TIME as the time into the output (RFC 3339 such as 2026-01-02T03:04:05Z, or @UNIX_SECONDS); default $SOURCE_DATE_EPOCH, else the clock' -r
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from self-sign" -l ca -d 'Make a CA certificate (usage ca: keyCertSign, cRLSign, basicConstraints cA TRUE)'
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from self-sign" -l force -d 'Overwrite FILE if it exists'
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from self-sign" -l der -d 'Write DER instead of PEM'
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from self-sign" -l batch -d 'Never prompt; fail when a passphrase is needed and no file or descriptor is given'
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from self-sign" -s q -l quiet -d 'Print nothing on stderr except errors (no progress bar, no summary, no warnings)'
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from self-sign" -l allow-slow-kdf -d 'Read encrypted keys whose KDF is slower than kmi\'s limits (PBKDF2 over 10,000,000 iterations, scrypt over 32 MiB); only for key files you trust'
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from self-sign" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from self-sign" -s V -l version -d 'Print version'
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from issue" -l ca-key -d 'The CA\'s RSA private key' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from issue" -l key-passphrase-file -d 'Read the passphrase of the (encrypted) input key from the first line of FILE (env:VAR: from variable VAR)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from issue" -l key-passphrase-fd -d 'Read the passphrase of the (encrypted) input key from file descriptor N' -r
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from issue" -l ca-cert -d 'The CA\'s certificate (it must allow keyCertSign and be a CA)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from issue" -l public -d 'Certify this public key (any key file kmi reads: SPKI, PKCS#8, ElGamal) instead of a request' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from issue" -l subject -d 'The subject DN (RFC 4514); with a request, replaces the request\'s subject' -r
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from issue" -l days -d 'Days the certificate is valid from now (1 to 36500)' -r
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from issue" -l path-len -d 'The CA\'s pathLenConstraint: how many CA certificates may follow it in a chain' -r
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from issue" -l usage -d 'What the key may be used for (repeat, or separate with commas)' -r -f -a "sign\t'digitalSignature, nonRepudiation'
encrypt\t'keyEncipherment (RSA) or keyAgreement (ElGamal/DH)'
code-signing\t'extKeyUsage codeSigning (with digitalSignature)'
ca\t'keyCertSign, cRLSign, basicConstraints cA TRUE'"
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from issue" -s o -l output -d 'Write to FILE (\'-\' for standard output)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from issue" -l log -d 'Append a line about this operation (inputs, outputs, outcome) to the ceremony record FILE' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from issue" -l seed -d 'Take every random choice from HEX (ChaCha20): byte-reproducible output for fixtures and tests only' -r
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from issue" -l time -d 'Write TIME as the time into the output (RFC 3339 such as 2026-01-02T03:04:05Z, or @UNIX_SECONDS); default $SOURCE_DATE_EPOCH, else the clock' -r
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from issue" -l ca -d 'Make a CA certificate (usage ca: keyCertSign, cRLSign, basicConstraints cA TRUE)'
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from issue" -l force -d 'Overwrite FILE if it exists'
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from issue" -l der -d 'Write DER instead of PEM'
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from issue" -l batch -d 'Never prompt; fail when a passphrase is needed and no file or descriptor is given'
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from issue" -s q -l quiet -d 'Print nothing on stderr except errors (no progress bar, no summary, no warnings)'
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from issue" -l allow-slow-kdf -d 'Read encrypted keys whose KDF is slower than kmi\'s limits (PBKDF2 over 10,000,000 iterations, scrypt over 32 MiB); only for key files you trust'
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from issue" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from issue" -s V -l version -d 'Print version'
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from prepare" -l batch -d 'Never prompt; fail when a passphrase is needed and no file or descriptor is given'
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from prepare" -s q -l quiet -d 'Print nothing on stderr except errors (no progress bar, no summary, no warnings)'
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from prepare" -l allow-slow-kdf -d 'Read encrypted keys whose KDF is slower than kmi\'s limits (PBKDF2 over 10,000,000 iterations, scrypt over 32 MiB); only for key files you trust'
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from prepare" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from prepare" -s V -l version -d 'Print version'
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from prepare" -f -a "request" -d 'The request info a set\'s key signs: a PKCS#10 request for the set\'s public key'
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from prepare" -f -a "self-sign" -d 'The to-be-signed certificate of a set\'s public key, self-signed by the set'
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from prepare" -f -a "issue" -d 'The to-be-signed certificate a set\'s key issues as a CA (its certificate is --ca-cert)'
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from prepare" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from finish" -l set -d 'The share set (set.pem) whose trustees signed' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from finish" -l tbs -d 'The to-be-signed DER from kmi cert prepare' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from finish" -s o -l output -d 'Write to FILE (\'-\' for standard output)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from finish" -l log -d 'Append a line about this operation (inputs, outputs, outcome) to the ceremony record FILE' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from finish" -l force -d 'Overwrite FILE if it exists'
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from finish" -l der -d 'Write DER instead of PEM'
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from finish" -l batch -d 'Never prompt; fail when a passphrase is needed and no file or descriptor is given'
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from finish" -s q -l quiet -d 'Print nothing on stderr except errors (no progress bar, no summary, no warnings)'
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from finish" -l allow-slow-kdf -d 'Read encrypted keys whose KDF is slower than kmi\'s limits (PBKDF2 over 10,000,000 iterations, scrypt over 32 MiB); only for key files you trust'
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from finish" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from finish" -s V -l version -d 'Print version'
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from show" -l json -d 'Print JSON instead of text'
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from show" -l batch -d 'Never prompt; fail when a passphrase is needed and no file or descriptor is given'
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print nothing on stderr except errors (no progress bar, no summary, no warnings)'
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from show" -l allow-slow-kdf -d 'Read encrypted keys whose KDF is slower than kmi\'s limits (PBKDF2 over 10,000,000 iterations, scrypt over 32 MiB); only for key files you trust'
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from help" -f -a "request" -d 'Write a PKCS#10 certificate request signed by the subject\'s RSA key'
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from help" -f -a "self-sign" -d 'Write a self-signed certificate for an RSA key'
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from help" -f -a "issue" -d 'Issue a certificate with a CA\'s key: from a request, or for a public key and a subject'
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from help" -f -a "prepare" -d 'Write the to-be-signed DER of a request or certificate whose key is held as shares'
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from help" -f -a "finish" -d 'Combine k trustees\' partial signatures on a prepared TBS into the certificate or request'
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show a certificate, request or to-be-signed certificate: names, validity, usages, fingerprints'
complete -c kmi -n "__fish_kmi_using_subcommand cert; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and not __fish_seen_subcommand_from template fmt lint prepare sign verify check show help" -l batch -d 'Never prompt; fail when a passphrase is needed and no file or descriptor is given'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and not __fish_seen_subcommand_from template fmt lint prepare sign verify check show help" -s q -l quiet -d 'Print nothing on stderr except errors (no progress bar, no summary, no warnings)'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and not __fish_seen_subcommand_from template fmt lint prepare sign verify check show help" -l allow-slow-kdf -d 'Read encrypted keys whose KDF is slower than kmi\'s limits (PBKDF2 over 10,000,000 iterations, scrypt over 32 MiB); only for key files you trust'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and not __fish_seen_subcommand_from template fmt lint prepare sign verify check show help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and not __fish_seen_subcommand_from template fmt lint prepare sign verify check show help" -s V -l version -d 'Print version'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and not __fish_seen_subcommand_from template fmt lint prepare sign verify check show help" -f -a "template" -d 'Print a commented starting policy'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and not __fish_seen_subcommand_from template fmt lint prepare sign verify check show help" -f -a "fmt" -d 'Write a policy in canonical form (the exact bytes that get signed)'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and not __fish_seen_subcommand_from template fmt lint prepare sign verify check show help" -f -a "lint" -d 'Report every problem in a policy (exit 1 if there is any)'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and not __fish_seen_subcommand_from template fmt lint prepare sign verify check show help" -f -a "prepare" -d 'Emit the .SF signature file a threshold signature is made over'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and not __fish_seen_subcommand_from template fmt lint prepare sign verify check show help" -f -a "sign" -d 'Sign a policy into a JAR that jarsigner -verify -strict accepts'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and not __fish_seen_subcommand_from template fmt lint prepare sign verify check show help" -f -a "verify" -d 'Verify a signed policy JAR against trusted certificates'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and not __fish_seen_subcommand_from template fmt lint prepare sign verify check show help" -f -a "check" -d 'Verify a policy JAR, then ask whether it allows an algorithm and key size'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and not __fish_seen_subcommand_from template fmt lint prepare sign verify check show help" -f -a "show" -d 'Print a policy JAR\'s content and signer WITHOUT verifying it'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and not __fish_seen_subcommand_from template fmt lint prepare sign verify check show help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from template" -s o -l output -d 'Write to FILE (\'-\' for standard output)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from template" -l export -d 'The 1999 export policy (the default)'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from template" -l domestic -d 'A domestic policy: today\'s suites and sizes'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from template" -l force -d 'Overwrite FILE if it exists'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from template" -l batch -d 'Never prompt; fail when a passphrase is needed and no file or descriptor is given'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from template" -s q -l quiet -d 'Print nothing on stderr except errors (no progress bar, no summary, no warnings)'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from template" -l allow-slow-kdf -d 'Read encrypted keys whose KDF is slower than kmi\'s limits (PBKDF2 over 10,000,000 iterations, scrypt over 32 MiB); only for key files you trust'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from template" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from template" -s V -l version -d 'Print version'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from fmt" -s o -l output -d 'Write to FILE (\'-\' for standard output)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from fmt" -l force -d 'Overwrite FILE if it exists'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from fmt" -l batch -d 'Never prompt; fail when a passphrase is needed and no file or descriptor is given'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from fmt" -s q -l quiet -d 'Print nothing on stderr except errors (no progress bar, no summary, no warnings)'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from fmt" -l allow-slow-kdf -d 'Read encrypted keys whose KDF is slower than kmi\'s limits (PBKDF2 over 10,000,000 iterations, scrypt over 32 MiB); only for key files you trust'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from fmt" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from fmt" -s V -l version -d 'Print version'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from lint" -l json -d 'Print the problems as JSON'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from lint" -l batch -d 'Never prompt; fail when a passphrase is needed and no file or descriptor is given'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from lint" -s q -l quiet -d 'Print nothing on stderr except errors (no progress bar, no summary, no warnings)'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from lint" -l allow-slow-kdf -d 'Read encrypted keys whose KDF is slower than kmi\'s limits (PBKDF2 over 10,000,000 iterations, scrypt over 32 MiB); only for key files you trust'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from lint" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from lint" -s V -l version -d 'Print version'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from prepare" -s o -l output -d 'Write to FILE (\'-\' for standard output)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from prepare" -l force -d 'Overwrite FILE if it exists'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from prepare" -l json -d 'Print what was written (policy id and version, file, SHA-256) as JSON on standard output; the .SF goes to -o FILE'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from prepare" -l batch -d 'Never prompt; fail when a passphrase is needed and no file or descriptor is given'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from prepare" -s q -l quiet -d 'Print nothing on stderr except errors (no progress bar, no summary, no warnings)'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from prepare" -l allow-slow-kdf -d 'Read encrypted keys whose KDF is slower than kmi\'s limits (PBKDF2 over 10,000,000 iterations, scrypt over 32 MiB); only for key files you trust'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from prepare" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from prepare" -s V -l version -d 'Print version'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from sign" -l key -d 'The signer\'s RSA private key' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from sign" -l key-passphrase-file -d 'Read the passphrase of the (encrypted) input key from the first line of FILE (env:VAR: from variable VAR)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from sign" -l key-passphrase-fd -d 'Read the passphrase of the (encrypted) input key from file descriptor N' -r
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from sign" -l cert -d 'The signer\'s certificate (PEM or DER; for --threshold-set, a certificate for the set\'s key)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from sign" -l chain -d 'Intermediate certificates to include in the signature block' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from sign" -l threshold-set -d 'Sign with k trustees\' partial signatures over the .SF (from kmi ccm prepare) instead' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from sign" -l partials -d 'The partials as an option (kmi 0.1\'s spelling; kept for one release)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from sign" -l signer -d 'The signer name of the META-INF/NAME.SF and .RSA entries (A-Z, 0-9, _ and -; at most 8)' -r
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from sign" -s o -l output -d 'Write to FILE (\'-\' for standard output)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from sign" -l force -d 'Overwrite FILE if it exists'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from sign" -l json -d 'Print what was signed (policy id and version, signer, file, SHA-256) as JSON on standard output; the JAR goes to -o FILE'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from sign" -l batch -d 'Never prompt; fail when a passphrase is needed and no file or descriptor is given'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from sign" -s q -l quiet -d 'Print nothing on stderr except errors (no progress bar, no summary, no warnings)'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from sign" -l allow-slow-kdf -d 'Read encrypted keys whose KDF is slower than kmi\'s limits (PBKDF2 over 10,000,000 iterations, scrypt over 32 MiB); only for key files you trust'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from sign" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from sign" -s V -l version -d 'Print version'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from verify" -l trust -d 'A trusted certificate (repeatable; PEM files may hold several)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from verify" -l at -d 'Check certificates and expiry as of DATE (YYYY-MM-DD, UTC) instead of now' -r
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from verify" -l state -d 'Rollback protection: refuse a policy whose ccm.version is older than the highest FILE recorded for its ccm.id; record the version of each policy that verifies (FILE is created if missing and rewritten atomically)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from verify" -l json -d 'Print the result as JSON'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from verify" -l batch -d 'Never prompt; fail when a passphrase is needed and no file or descriptor is given'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from verify" -s q -l quiet -d 'Print nothing on stderr except errors (no progress bar, no summary, no warnings)'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from verify" -l allow-slow-kdf -d 'Read encrypted keys whose KDF is slower than kmi\'s limits (PBKDF2 over 10,000,000 iterations, scrypt over 32 MiB); only for key files you trust'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from verify" -s V -l version -d 'Print version'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from check" -l trust -d 'A trusted certificate (repeatable; PEM files may hold several)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from check" -l at -d 'Check certificates and expiry as of DATE (YYYY-MM-DD, UTC) instead of now' -r
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from check" -l state -d 'Rollback protection: refuse a policy whose ccm.version is older than the highest FILE recorded for its ccm.id; record the version of each policy that verifies (FILE is created if missing and rewritten atomically)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from check" -l app -d 'The application asking' -r -f -a "ssl\t'SSL/TLS cipher suites'
smime\t'S/MIME mail'
capi\t'Cryptographic APIs'"
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from check" -l alg -d 'Cipher suite (ssl) or algorithm (smime, capi); with --key, defaults to the key\'s type' -r
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from check" -l bits -d 'Key size in bits' -r
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from check" -l key -d 'Take the key size (and type) from a key file' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from check" -l country -d 'Country of use (ISO 3166 alpha-2)' -r
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from check" -l recovery -d 'Key recovery is in place for this use'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from check" -l json -d 'Print the decision as JSON'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from check" -l batch -d 'Never prompt; fail when a passphrase is needed and no file or descriptor is given'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from check" -s q -l quiet -d 'Print nothing on stderr except errors (no progress bar, no summary, no warnings)'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from check" -l allow-slow-kdf -d 'Read encrypted keys whose KDF is slower than kmi\'s limits (PBKDF2 over 10,000,000 iterations, scrypt over 32 MiB); only for key files you trust'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from check" -s V -l version -d 'Print version'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from show" -l json -d 'Print as JSON'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from show" -l batch -d 'Never prompt; fail when a passphrase is needed and no file or descriptor is given'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print nothing on stderr except errors (no progress bar, no summary, no warnings)'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from show" -l allow-slow-kdf -d 'Read encrypted keys whose KDF is slower than kmi\'s limits (PBKDF2 over 10,000,000 iterations, scrypt over 32 MiB); only for key files you trust'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from help" -f -a "template" -d 'Print a commented starting policy'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from help" -f -a "fmt" -d 'Write a policy in canonical form (the exact bytes that get signed)'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from help" -f -a "lint" -d 'Report every problem in a policy (exit 1 if there is any)'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from help" -f -a "prepare" -d 'Emit the .SF signature file a threshold signature is made over'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from help" -f -a "sign" -d 'Sign a policy into a JAR that jarsigner -verify -strict accepts'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from help" -f -a "verify" -d 'Verify a signed policy JAR against trusted certificates'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from help" -f -a "check" -d 'Verify a policy JAR, then ask whether it allows an algorithm and key size'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from help" -f -a "show" -d 'Print a policy JAR\'s content and signer WITHOUT verifying it'
complete -c kmi -n "__fish_kmi_using_subcommand ccm; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and not __fish_seen_subcommand_from archive-request recovery-request keygen-request respond parse extract store help" -l batch -d 'Never prompt; fail when a passphrase is needed and no file or descriptor is given'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and not __fish_seen_subcommand_from archive-request recovery-request keygen-request respond parse extract store help" -s q -l quiet -d 'Print nothing on stderr except errors (no progress bar, no summary, no warnings)'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and not __fish_seen_subcommand_from archive-request recovery-request keygen-request respond parse extract store help" -l allow-slow-kdf -d 'Read encrypted keys whose KDF is slower than kmi\'s limits (PBKDF2 over 10,000,000 iterations, scrypt over 32 MiB); only for key files you trust'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and not __fish_seen_subcommand_from archive-request recovery-request keygen-request respond parse extract store help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and not __fish_seen_subcommand_from archive-request recovery-request keygen-request respond parse extract store help" -s V -l version -d 'Print version'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and not __fish_seen_subcommand_from archive-request recovery-request keygen-request respond parse extract store help" -f -a "archive-request" -d 'Build a signed request that archives an encryption key with an escrow agent'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and not __fish_seen_subcommand_from archive-request recovery-request keygen-request respond parse extract store help" -f -a "recovery-request" -d 'Build a signed request for the archived keys of an identity'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and not __fish_seen_subcommand_from archive-request recovery-request keygen-request respond parse extract store help" -f -a "keygen-request" -d 'Build a signed request for a key the agent generates (and may archive)'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and not __fish_seen_subcommand_from archive-request recovery-request keygen-request respond parse extract store help" -f -a "respond" -d 'Answer a request as the escrow agent: archive, recover or generate keys'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and not __fish_seen_subcommand_from archive-request recovery-request keygen-request respond parse extract store help" -f -a "parse" -d 'Print every layer of a CMC message, checking its signatures'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and not __fish_seen_subcommand_from archive-request recovery-request keygen-request respond parse extract store help" -f -a "extract" -d 'Decrypt the keys an agent\'s response returns and write them as PKCS#8'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and not __fish_seen_subcommand_from archive-request recovery-request keygen-request respond parse extract store help" -f -a "store" -d 'The agent\'s key store: init, list, show, export-audit, verify, migrate'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and not __fish_seen_subcommand_from archive-request recovery-request keygen-request respond parse extract store help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from archive-request" -l key -d 'The private key to archive (RSA or ElGamal)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from archive-request" -l to -d 'The escrow agent\'s certificate (the key is encrypted to it)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from archive-request" -l subject -d 'The subject of the certification request, RFC 4514 (default `CN=<owner>`)' -r
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from archive-request" -l cert -d 'Archive the key of this already issued certificate: no certification request is sent, the certificate is named by issuerAndSerialNumber and its keyUsage decides (it travels in the signed request, so not with a shared secret)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from archive-request" -l owner -d 'The identity (owner name) the key is filed under (default: the subject\'s CN)' -r
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from archive-request" -l placement -d 'Where the encrypted key goes (default: unsigned; body with --secret-file, which has no signer to carry an unsigned attribute)' -r -f -a "body\t'In the signed cmsSequence'
unsigned\t'In the id-aa-cmc-unsignedData unsigned attribute'"
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from archive-request" -l selection -d 'Selection criteria stored with the key, to pick it out at recovery' -r
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from archive-request" -l key-usage -d 'The key\'s intended use, requested as its keyUsage' -r -f -a "encipherment\t'Encryption or key agreement (escrowed)'
signature\t'Signing only (never escrowed unless forced)'
both\t'Both'"
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from archive-request" -l sign-key -d 'Sign the request with this RSA private key' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from archive-request" -l sign-cert -d 'The certificate of --sign-key, included in the request (without it the signer is named by key identifier, and the agent must already know the key)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from archive-request" -l secret-file -d 'Authenticate the request with the secret shared with the agent (hex, the first line of FILE; env:VAR reads variable VAR) instead of a signature: CMS AuthenticatedData with identityProofV2 for --owner' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from archive-request" -l secret-fd -d 'As --secret-file, reading the first line from file descriptor N' -r
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from archive-request" -l key-passphrase-file -d 'Read the passphrase of the (encrypted) input key from the first line of FILE (env:VAR: from variable VAR)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from archive-request" -l key-passphrase-fd -d 'Read the passphrase of the (encrypted) input key from file descriptor N' -r
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from archive-request" -l oid-profile -d 'Read NAME=DOTTED-OID lines overriding kmi\'s CMC identifiers (for peers that number the draft\'s identifiers differently)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from archive-request" -s o -l output -d 'Write to FILE (\'-\' for standard output)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from archive-request" -l seed -d 'Take every random choice from HEX (ChaCha20); anyone who knows HEX reads the protected secret, so it needs --insecure-fixture: for test fixtures only' -r
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from archive-request" -l time -d 'Write TIME as the time into the output (RFC 3339 such as 2026-01-02T03:04:05Z, or @UNIX_SECONDS); default $SOURCE_DATE_EPOCH, else the clock' -r
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from archive-request" -l force-signing-key -d 'Archive a key declared for signing (--key-usage signature or both; signature keys should never be escrowed)'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from archive-request" -l cbc -d 'Envelope the key as EnvelopedData with AES-256-CBC (the draft\'s form) instead of AuthEnvelopedData with AES-256-GCM, for agents that cannot read AuthEnvelopedData'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from archive-request" -l sign-with-archived-key -d 'Sign the request with the archived key itself (RSA) instead of --sign-key: the key then signs, so it is no longer an encryption key only'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from archive-request" -l force -d 'Overwrite FILE if it exists'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from archive-request" -l der -d 'Write DER instead of PEM (label CMS)'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from archive-request" -l pem -d 'PEM, the default (kmi 0.1 wrote DER unless --pem; kept for one release)'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from archive-request" -l insecure-fixture -d 'Allow --seed here (a test fixture, never a real secret)'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from archive-request" -l json -d 'Print what was written (transaction id, sender nonce, file) as JSON on standard output; the request goes to -o FILE'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from archive-request" -l batch -d 'Never prompt; fail when a passphrase is needed and no file or descriptor is given'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from archive-request" -s q -l quiet -d 'Print nothing on stderr except errors (no progress bar, no summary, no warnings)'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from archive-request" -l allow-slow-kdf -d 'Read encrypted keys whose KDF is slower than kmi\'s limits (PBKDF2 over 10,000,000 iterations, scrypt over 32 MiB); only for key files you trust'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from archive-request" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from archive-request" -s V -l version -d 'Print version'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from recovery-request" -l owner -d 'The identity (owner name) whose keys are wanted (default: the CN of --sign-cert)' -r
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from recovery-request" -l to -d 'Have keys returned encrypted to this certificate or RSA public key' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from recovery-request" -l shroud-secret -d 'Have keys returned under the secret shared with the agent that ID names' -r
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from recovery-request" -l selection -d 'Only keys archived with these selection criteria' -r
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from recovery-request" -l new-sign-key -d 'Catastrophic-loss recovery: a new RSA signing key, whose PKCS#10 the request carries and which signs it (needs --secret-file for the proof of identity)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from recovery-request" -l subject -d 'With --new-sign-key: the subject of its certification request, RFC 4514 (default `CN=<owner>`)' -r
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from recovery-request" -l sign-key -d 'Sign the request with this RSA private key' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from recovery-request" -l sign-cert -d 'The certificate of --sign-key, included in the request (without it the signer is named by key identifier, and the agent must already know the key)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from recovery-request" -l secret-file -d 'Authenticate the request with the secret shared with the agent (hex, the first line of FILE; env:VAR reads variable VAR) instead of a signature: CMS AuthenticatedData with identityProofV2 for --owner' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from recovery-request" -l secret-fd -d 'As --secret-file, reading the first line from file descriptor N' -r
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from recovery-request" -l key-passphrase-file -d 'Read the passphrase of the (encrypted) input key from the first line of FILE (env:VAR: from variable VAR)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from recovery-request" -l key-passphrase-fd -d 'Read the passphrase of the (encrypted) input key from file descriptor N' -r
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from recovery-request" -l oid-profile -d 'Read NAME=DOTTED-OID lines overriding kmi\'s CMC identifiers (for peers that number the draft\'s identifiers differently)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from recovery-request" -s o -l output -d 'Write to FILE (\'-\' for standard output)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from recovery-request" -l seed -d 'Take every random choice from HEX (ChaCha20); anyone who knows HEX reads the protected secret, so it needs --insecure-fixture: for test fixtures only' -r
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from recovery-request" -l time -d 'Write TIME as the time into the output (RFC 3339 such as 2026-01-02T03:04:05Z, or @UNIX_SECONDS); default $SOURCE_DATE_EPOCH, else the clock' -r
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from recovery-request" -l force -d 'Overwrite FILE if it exists'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from recovery-request" -l der -d 'Write DER instead of PEM (label CMS)'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from recovery-request" -l pem -d 'PEM, the default (kmi 0.1 wrote DER unless --pem; kept for one release)'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from recovery-request" -l insecure-fixture -d 'Allow --seed here (a test fixture, never a real secret)'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from recovery-request" -l json -d 'Print what was written (transaction id, sender nonce, file) as JSON on standard output; the request goes to -o FILE'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from recovery-request" -l batch -d 'Never prompt; fail when a passphrase is needed and no file or descriptor is given'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from recovery-request" -s q -l quiet -d 'Print nothing on stderr except errors (no progress bar, no summary, no warnings)'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from recovery-request" -l allow-slow-kdf -d 'Read encrypted keys whose KDF is slower than kmi\'s limits (PBKDF2 over 10,000,000 iterations, scrypt over 32 MiB); only for key files you trust'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from recovery-request" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from recovery-request" -s V -l version -d 'Print version'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from keygen-request" -l subject -d 'The subject of the key\'s certification request, RFC 4514' -r
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from keygen-request" -l owner -d 'The identity (owner name) the key is filed under with --archive (default: the subject\'s CN)' -r
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from keygen-request" -l to -d 'Have keys returned encrypted to this certificate or RSA public key' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from keygen-request" -l shroud-secret -d 'Have keys returned under the secret shared with the agent that ID names' -r
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from keygen-request" -l algorithm -d 'The kind of key' -r -f -a "rsa\t'A safe-prime RSA key'
elgamal\t'An ElGamal key (X9.42 DH)'"
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from keygen-request" -l bits -d 'ElGamal group size |p| (default 2048, the RFC 7919 group ffdhe2048); RSA keys are of the size the agent chooses (cmc respond --keygen-bits)' -r
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from keygen-request" -l selection -d 'Selection criteria stored with an archived key' -r
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from keygen-request" -l sign-key -d 'Sign the request with this RSA private key' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from keygen-request" -l sign-cert -d 'The certificate of --sign-key, included in the request (without it the signer is named by key identifier, and the agent must already know the key)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from keygen-request" -l secret-file -d 'Authenticate the request with the secret shared with the agent (hex, the first line of FILE; env:VAR reads variable VAR) instead of a signature: CMS AuthenticatedData with identityProofV2 for --owner' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from keygen-request" -l secret-fd -d 'As --secret-file, reading the first line from file descriptor N' -r
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from keygen-request" -l key-passphrase-file -d 'Read the passphrase of the (encrypted) input key from the first line of FILE (env:VAR: from variable VAR)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from keygen-request" -l key-passphrase-fd -d 'Read the passphrase of the (encrypted) input key from file descriptor N' -r
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from keygen-request" -l oid-profile -d 'Read NAME=DOTTED-OID lines overriding kmi\'s CMC identifiers (for peers that number the draft\'s identifiers differently)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from keygen-request" -s o -l output -d 'Write to FILE (\'-\' for standard output)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from keygen-request" -l seed -d 'Take every random choice from HEX (ChaCha20); anyone who knows HEX reads the protected secret, so it needs --insecure-fixture: for test fixtures only' -r
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from keygen-request" -l time -d 'Write TIME as the time into the output (RFC 3339 such as 2026-01-02T03:04:05Z, or @UNIX_SECONDS); default $SOURCE_DATE_EPOCH, else the clock' -r
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from keygen-request" -l archive -d 'Ask the agent to archive the key it generates'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from keygen-request" -l force -d 'Overwrite FILE if it exists'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from keygen-request" -l der -d 'Write DER instead of PEM (label CMS)'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from keygen-request" -l pem -d 'PEM, the default (kmi 0.1 wrote DER unless --pem; kept for one release)'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from keygen-request" -l insecure-fixture -d 'Allow --seed here (a test fixture, never a real secret)'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from keygen-request" -l json -d 'Print what was written (transaction id, sender nonce, file) as JSON on standard output; the request goes to -o FILE'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from keygen-request" -l batch -d 'Never prompt; fail when a passphrase is needed and no file or descriptor is given'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from keygen-request" -s q -l quiet -d 'Print nothing on stderr except errors (no progress bar, no summary, no warnings)'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from keygen-request" -l allow-slow-kdf -d 'Read encrypted keys whose KDF is slower than kmi\'s limits (PBKDF2 over 10,000,000 iterations, scrypt over 32 MiB); only for key files you trust'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from keygen-request" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from keygen-request" -s V -l version -d 'Print version'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from respond" -l agent-key -d 'The agent\'s RSA private key' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from respond" -l agent-cert -d 'The agent\'s certificate' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from respond" -l sign-key -d 'Sign responses with this RSA key instead of --agent-key (key separation: the agent key only decrypts)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from respond" -l sign-cert -d 'The certificate of --sign-key, included in every response (clients check responses with it)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from respond" -l ca-key -d 'Issue certificates with this CA key: for archived and generated encryption keys, and for the new signing key of a catastrophic-loss recovery (needs --ca-cert)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from respond" -l ca-cert -d 'The certificate of --ca-key (it must allow keyCertSign); further certificates in the file are its chain, returned with every certificate issued' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from respond" -l days -d 'Validity of the certificates the agent issues, in days' -r
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from respond" -l store -d 'The key store (a file made by `kmi cmc store init`)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from respond" -l storage-cert -d 'Seal archived and generated keys to this certificate: the store\'s storage key (not --agent-key)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from respond" -l storage-key -d 'The storage private key that opens sealed keys for recovery' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from respond" -l split -d 'Keep archived keys only as K-of-N threshold shares (needs N --to trustees)' -r
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from respond" -l to -d 'With --split: encrypt share i to the i-th trustee\'s certificate or RSA public key' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from respond" -l identity -d 'A trustee\'s RSA private key that opens shares of split keys for recovery (repeatable)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from respond" -l identity-passphrase-file -d 'Read the passphrase of encrypted --identity keys from the first line of FILE (env:VAR: from variable VAR)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from respond" -l identity-passphrase-fd -d 'Read the passphrase of encrypted --identity keys from file descriptor N' -r
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from respond" -l secret-file -d 'Read the secret shared with the client from the first line of FILE (env:VAR reads variable VAR; else prompt)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from respond" -l secret-fd -d 'As --secret-file, reading the first line from file descriptor N' -r
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from respond" -l pwri-kek -d 'How a shared-secret shroud wraps the content key' -r -f -a "aes-kw\t'AES key wrap (RFC 3394), as the draft specifies'
rfc3211\t'id-alg-PWRI-KEK (RFC 3211), which openssl cms -decrypt -pwri_password opens'"
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from respond" -l identity-secrets -d 'Accept requests without a signing key from the identities in FILE: NAME=hex lines (the secret each shares with the agent), \'#\' comments; the file must be yours and mode 0600 or stricter' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from respond" -l pwri-iterations -d 'PBKDF2 iterations for a shared-secret shroud' -r
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from respond" -l max-bits -d 'The largest key generated for a request, in bits (|N| for RSA, |p| for ElGamal); larger requests are refused (badAlg) before any work' -r
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from respond" -l keygen-bits -d 'The size of the RSA keys generated for key generation requests (the request cannot say: the draft\'s certificate template has no size field)' -r
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from respond" -l threads -d 'Search for primes with N threads (default: one per core)' -r
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from respond" -l log -d 'Append a line about this operation (inputs, outputs, outcome) to the ceremony record FILE' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from respond" -l key-passphrase-file -d 'Read the passphrase of the (encrypted) input key from the first line of FILE (env:VAR: from variable VAR)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from respond" -l key-passphrase-fd -d 'Read the passphrase of the (encrypted) input key from file descriptor N' -r
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from respond" -l oid-profile -d 'Read NAME=DOTTED-OID lines overriding kmi\'s CMC identifiers (for peers that number the draft\'s identifiers differently)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from respond" -s o -l output -d 'Write to FILE (\'-\' for standard output)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from respond" -l seed -d 'Take every random choice from HEX (ChaCha20); anyone who knows HEX reads the protected secret, so it needs --insecure-fixture: for test fixtures only' -r
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from respond" -l time -d 'Write TIME as the time into the output (RFC 3339 such as 2026-01-02T03:04:05Z, or @UNIX_SECONDS); default $SOURCE_DATE_EPOCH, else the clock' -r
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from respond" -l allow-any-signer -d 'Return keys for any validly signed recovery request, not only one signed by the key that archived them'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from respond" -l accept-signing-keys -d 'Archive keys not declared for encryption alone (no keyUsage, or a signing use such as digitalSignature)'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from respond" -l require-archive -d 'Refuse key generation unless the request lets the agent archive the key'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from respond" -l json -d 'Print what was done as JSON on standard output'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from respond" -l force -d 'Overwrite FILE if it exists'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from respond" -l der -d 'Write DER instead of PEM (label CMS)'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from respond" -l pem -d 'PEM, the default (kmi 0.1 wrote DER unless --pem; kept for one release)'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from respond" -l insecure-fixture -d 'Allow --seed here (a test fixture, never a real secret)'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from respond" -l batch -d 'Never prompt; fail when a passphrase is needed and no file or descriptor is given'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from respond" -s q -l quiet -d 'Print nothing on stderr except errors (no progress bar, no summary, no warnings)'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from respond" -l allow-slow-kdf -d 'Read encrypted keys whose KDF is slower than kmi\'s limits (PBKDF2 over 10,000,000 iterations, scrypt over 32 MiB); only for key files you trust'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from respond" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from respond" -s V -l version -d 'Print version'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from parse" -l cert -d 'Also check signers against these certificates (repeatable)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from parse" -l oid-profile -d 'Read NAME=DOTTED-OID lines overriding kmi\'s CMC identifiers (for peers that number the draft\'s identifiers differently)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from parse" -l json -d 'Print the report as JSON'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from parse" -l batch -d 'Never prompt; fail when a passphrase is needed and no file or descriptor is given'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from parse" -s q -l quiet -d 'Print nothing on stderr except errors (no progress bar, no summary, no warnings)'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from parse" -l allow-slow-kdf -d 'Read encrypted keys whose KDF is slower than kmi\'s limits (PBKDF2 over 10,000,000 iterations, scrypt over 32 MiB); only for key files you trust'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from parse" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from parse" -s V -l version -d 'Print version'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from extract" -l identity -d 'The private key the keys were shrouded to' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from extract" -l secret-file -d 'Read the secret shared with the agent from the first line of FILE (env:VAR reads variable VAR)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from extract" -l secret-fd -d 'As --secret-file, reading the first line from file descriptor N' -r
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from extract" -l agent-cert -d 'Check the response\'s signature with the agent\'s certificate (required unless --insecure)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from extract" -l request -d 'The request this response answers: its transactionId and senderNonce must come back, and the response must answer its control' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from extract" -s o -l output -d 'Write to FILE (\'-\' for standard output)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from extract" -l identity-passphrase-file -d 'Read the passphrase of encrypted --identity keys from the first line of FILE (env:VAR: from variable VAR)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from extract" -l identity-passphrase-fd -d 'Read the passphrase of encrypted --identity keys from file descriptor N' -r
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from extract" -l oid-profile -d 'Read NAME=DOTTED-OID lines overriding kmi\'s CMC identifiers (for peers that number the draft\'s identifiers differently)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from extract" -l insecure -d 'Open the keys without checking the agent\'s signature (no --agent-cert)'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from extract" -l der -d 'Write DER instead of PEM'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from extract" -l force -d 'Overwrite FILE if it exists'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from extract" -l json -d 'Print what was extracted (algorithm, bits, fingerprint, file of each key) as JSON on standard output; the keys go to -o FILE'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from extract" -l batch -d 'Never prompt; fail when a passphrase is needed and no file or descriptor is given'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from extract" -s q -l quiet -d 'Print nothing on stderr except errors (no progress bar, no summary, no warnings)'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from extract" -l allow-slow-kdf -d 'Read encrypted keys whose KDF is slower than kmi\'s limits (PBKDF2 over 10,000,000 iterations, scrypt over 32 MiB); only for key files you trust'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from extract" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from extract" -s V -l version -d 'Print version'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from store" -l batch -d 'Never prompt; fail when a passphrase is needed and no file or descriptor is given'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from store" -s q -l quiet -d 'Print nothing on stderr except errors (no progress bar, no summary, no warnings)'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from store" -l allow-slow-kdf -d 'Read encrypted keys whose KDF is slower than kmi\'s limits (PBKDF2 over 10,000,000 iterations, scrypt over 32 MiB); only for key files you trust'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from store" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from store" -s V -l version -d 'Print version'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from store" -f -a "init" -d 'Create an empty key store (one SQLite file)'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from store" -f -a "list" -d 'List the store\'s entries (never key material)'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from store" -f -a "show" -d 'Show one entry and every decision about it'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from store" -f -a "export-audit" -d 'Print the decision history as hash-chained JSON lines'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from store" -f -a "verify" -d 'Check the store\'s integrity: its database, decision chain and every entry'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from store" -f -a "migrate" -d 'Import a kmi 0.1 directory store into a database store'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from store" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from help" -f -a "archive-request" -d 'Build a signed request that archives an encryption key with an escrow agent'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from help" -f -a "recovery-request" -d 'Build a signed request for the archived keys of an identity'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from help" -f -a "keygen-request" -d 'Build a signed request for a key the agent generates (and may archive)'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from help" -f -a "respond" -d 'Answer a request as the escrow agent: archive, recover or generate keys'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from help" -f -a "parse" -d 'Print every layer of a CMC message, checking its signatures'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from help" -f -a "extract" -d 'Decrypt the keys an agent\'s response returns and write them as PKCS#8'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from help" -f -a "store" -d 'The agent\'s key store: init, list, show, export-audit, verify, migrate'
complete -c kmi -n "__fish_kmi_using_subcommand cmc; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kmi -n "__fish_kmi_using_subcommand encrypt" -l to -d 'The recipient\'s public key (or private key), or a share set (its trustees decrypt)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand encrypt" -s i -l input -d 'Read the plaintext from FILE (\'-\' for standard input)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand encrypt" -s o -l output -d 'Write to FILE (\'-\' for standard output)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand encrypt" -l seed -d 'Take every random choice from HEX (ChaCha20); anyone who knows HEX reads the protected secret, so it needs --insecure-fixture: for test fixtures only' -r
complete -c kmi -n "__fish_kmi_using_subcommand encrypt" -l time -d 'Write TIME as the time into the output (RFC 3339 such as 2026-01-02T03:04:05Z, or @UNIX_SECONDS); default $SOURCE_DATE_EPOCH, else the clock' -r
complete -c kmi -n "__fish_kmi_using_subcommand encrypt" -l force -d 'Overwrite FILE if it exists'
complete -c kmi -n "__fish_kmi_using_subcommand encrypt" -l insecure-fixture -d 'Allow --seed here (a test fixture, never a real secret)'
complete -c kmi -n "__fish_kmi_using_subcommand encrypt" -l batch -d 'Never prompt; fail when a passphrase is needed and no file or descriptor is given'
complete -c kmi -n "__fish_kmi_using_subcommand encrypt" -s q -l quiet -d 'Print nothing on stderr except errors (no progress bar, no summary, no warnings)'
complete -c kmi -n "__fish_kmi_using_subcommand encrypt" -l allow-slow-kdf -d 'Read encrypted keys whose KDF is slower than kmi\'s limits (PBKDF2 over 10,000,000 iterations, scrypt over 32 MiB); only for key files you trust'
complete -c kmi -n "__fish_kmi_using_subcommand encrypt" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kmi -n "__fish_kmi_using_subcommand encrypt" -s V -l version -d 'Print version'
complete -c kmi -n "__fish_kmi_using_subcommand decrypt" -l identity -d 'The recipient\'s private key' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand decrypt" -s i -l input -d 'Read the ciphertext from FILE (\'-\' for standard input)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand decrypt" -s o -l output -d 'Write to FILE (\'-\' for standard output)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand decrypt" -l identity-passphrase-file -d 'Read the passphrase of encrypted --identity keys from the first line of FILE (env:VAR: from variable VAR)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand decrypt" -l identity-passphrase-fd -d 'Read the passphrase of encrypted --identity keys from file descriptor N' -r
complete -c kmi -n "__fish_kmi_using_subcommand decrypt" -l force -d 'Overwrite FILE if it exists'
complete -c kmi -n "__fish_kmi_using_subcommand decrypt" -l batch -d 'Never prompt; fail when a passphrase is needed and no file or descriptor is given'
complete -c kmi -n "__fish_kmi_using_subcommand decrypt" -s q -l quiet -d 'Print nothing on stderr except errors (no progress bar, no summary, no warnings)'
complete -c kmi -n "__fish_kmi_using_subcommand decrypt" -l allow-slow-kdf -d 'Read encrypted keys whose KDF is slower than kmi\'s limits (PBKDF2 over 10,000,000 iterations, scrypt over 32 MiB); only for key files you trust'
complete -c kmi -n "__fish_kmi_using_subcommand decrypt" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kmi -n "__fish_kmi_using_subcommand decrypt" -s V -l version -d 'Print version'
complete -c kmi -n "__fish_kmi_using_subcommand demo" -l dir -d 'Run in DIR (must be new or empty; default: a new directory under the system temp dir)' -r -f -a "(__fish_complete_directories)"
complete -c kmi -n "__fish_kmi_using_subcommand demo" -l bits -d 'Size of the escrowed RSA key' -r
complete -c kmi -n "__fish_kmi_using_subcommand demo" -l seed -d 'Take every random choice from HEX (ChaCha20): byte-reproducible output for fixtures and tests only' -r
complete -c kmi -n "__fish_kmi_using_subcommand demo" -l time -d 'Write TIME as the time into the output (RFC 3339 such as 2026-01-02T03:04:05Z, or @UNIX_SECONDS); default $SOURCE_DATE_EPOCH, else the clock' -r
complete -c kmi -n "__fish_kmi_using_subcommand demo" -l log -d 'Write the ceremony log (one line per step) to FILE [default: DIR/ceremony.log]' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand demo" -l reshare -d 'Also show a trustee leaving: reshare the decryption set to new trustees, key unchanged'
complete -c kmi -n "__fish_kmi_using_subcommand demo" -l dkg -d 'Instead: a key no machine ever held, made by five parties (distributed key generation)'
complete -c kmi -n "__fish_kmi_using_subcommand demo" -l json -d 'Print a JSON summary on stdout (the narration goes to stderr)'
complete -c kmi -n "__fish_kmi_using_subcommand demo" -l batch -d 'Never prompt; fail when a passphrase is needed and no file or descriptor is given'
complete -c kmi -n "__fish_kmi_using_subcommand demo" -s q -l quiet -d 'Print nothing on stderr except errors (no progress bar, no summary, no warnings)'
complete -c kmi -n "__fish_kmi_using_subcommand demo" -l allow-slow-kdf -d 'Read encrypted keys whose KDF is slower than kmi\'s limits (PBKDF2 over 10,000,000 iterations, scrypt over 32 MiB); only for key files you trust'
complete -c kmi -n "__fish_kmi_using_subcommand demo" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kmi -n "__fish_kmi_using_subcommand demo" -s V -l version -d 'Print version'
complete -c kmi -n "__fish_kmi_using_subcommand log; and not __fish_seen_subcommand_from verify help" -l batch -d 'Never prompt; fail when a passphrase is needed and no file or descriptor is given'
complete -c kmi -n "__fish_kmi_using_subcommand log; and not __fish_seen_subcommand_from verify help" -s q -l quiet -d 'Print nothing on stderr except errors (no progress bar, no summary, no warnings)'
complete -c kmi -n "__fish_kmi_using_subcommand log; and not __fish_seen_subcommand_from verify help" -l allow-slow-kdf -d 'Read encrypted keys whose KDF is slower than kmi\'s limits (PBKDF2 over 10,000,000 iterations, scrypt over 32 MiB); only for key files you trust'
complete -c kmi -n "__fish_kmi_using_subcommand log; and not __fish_seen_subcommand_from verify help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kmi -n "__fish_kmi_using_subcommand log; and not __fish_seen_subcommand_from verify help" -s V -l version -d 'Print version'
complete -c kmi -n "__fish_kmi_using_subcommand log; and not __fish_seen_subcommand_from verify help" -f -a "verify" -d 'Check that a ceremony record is an unbroken chain (and ends at HEAD)'
complete -c kmi -n "__fish_kmi_using_subcommand log; and not __fish_seen_subcommand_from verify help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kmi -n "__fish_kmi_using_subcommand log; and __fish_seen_subcommand_from verify" -l head -d 'The head hash from the paper record: the record must end there' -r
complete -c kmi -n "__fish_kmi_using_subcommand log; and __fish_seen_subcommand_from verify" -l json -d 'Print the result as JSON'
complete -c kmi -n "__fish_kmi_using_subcommand log; and __fish_seen_subcommand_from verify" -l batch -d 'Never prompt; fail when a passphrase is needed and no file or descriptor is given'
complete -c kmi -n "__fish_kmi_using_subcommand log; and __fish_seen_subcommand_from verify" -s q -l quiet -d 'Print nothing on stderr except errors (no progress bar, no summary, no warnings)'
complete -c kmi -n "__fish_kmi_using_subcommand log; and __fish_seen_subcommand_from verify" -l allow-slow-kdf -d 'Read encrypted keys whose KDF is slower than kmi\'s limits (PBKDF2 over 10,000,000 iterations, scrypt over 32 MiB); only for key files you trust'
complete -c kmi -n "__fish_kmi_using_subcommand log; and __fish_seen_subcommand_from verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kmi -n "__fish_kmi_using_subcommand log; and __fish_seen_subcommand_from verify" -s V -l version -d 'Print version'
complete -c kmi -n "__fish_kmi_using_subcommand log; and __fish_seen_subcommand_from help" -f -a "verify" -d 'Check that a ceremony record is an unbroken chain (and ends at HEAD)'
complete -c kmi -n "__fish_kmi_using_subcommand log; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kmi -n "__fish_kmi_using_subcommand selftest" -l json -d 'Print the results as JSON'
complete -c kmi -n "__fish_kmi_using_subcommand selftest" -l batch -d 'Never prompt; fail when a passphrase is needed and no file or descriptor is given'
complete -c kmi -n "__fish_kmi_using_subcommand selftest" -s q -l quiet -d 'Print nothing on stderr except errors (no progress bar, no summary, no warnings)'
complete -c kmi -n "__fish_kmi_using_subcommand selftest" -l allow-slow-kdf -d 'Read encrypted keys whose KDF is slower than kmi\'s limits (PBKDF2 over 10,000,000 iterations, scrypt over 32 MiB); only for key files you trust'
complete -c kmi -n "__fish_kmi_using_subcommand selftest" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kmi -n "__fish_kmi_using_subcommand selftest" -s V -l version -d 'Print version'
complete -c kmi -n "__fish_kmi_using_subcommand help; and not __fish_seen_subcommand_from key share cert ccm cmc encrypt decrypt demo log selftest help" -f -a "key" -d 'Generate, check and inspect keys; write their public keys and fingerprints'
complete -c kmi -n "__fish_kmi_using_subcommand help; and not __fish_seen_subcommand_from key share cert ccm cmc encrypt decrypt demo log selftest help" -f -a "share" -d 'Split a key into threshold shares, verify them, use them, rebuild the key'
complete -c kmi -n "__fish_kmi_using_subcommand help; and not __fish_seen_subcommand_from key share cert ccm cmc encrypt decrypt demo log selftest help" -f -a "cert" -d 'Make certificate requests and certificates, also with a key held as shares'
complete -c kmi -n "__fish_kmi_using_subcommand help; and not __fish_seen_subcommand_from key share cert ccm cmc encrypt decrypt demo log selftest help" -f -a "ccm" -d 'Write, sign, verify and query CCM policies (signed JARs)'
complete -c kmi -n "__fish_kmi_using_subcommand help; and not __fish_seen_subcommand_from key share cert ccm cmc encrypt decrypt demo log selftest help" -f -a "cmc" -d 'Archive, recover and generate keys with an escrow agent (CMC, RFC 5272 + key archival draft)'
complete -c kmi -n "__fish_kmi_using_subcommand help; and not __fish_seen_subcommand_from key share cert ccm cmc encrypt decrypt demo log selftest help" -f -a "encrypt" -d 'Encrypt a small file to an RSA key (OAEP-SHA256) or any file to an ElGamal key'
complete -c kmi -n "__fish_kmi_using_subcommand help; and not __fish_seen_subcommand_from key share cert ccm cmc encrypt decrypt demo log selftest help" -f -a "decrypt" -d 'Decrypt what kmi encrypt (or openssl pkeyutl with OAEP-SHA256) made'
complete -c kmi -n "__fish_kmi_using_subcommand help; and not __fish_seen_subcommand_from key share cert ccm cmc encrypt decrypt demo log selftest help" -f -a "demo" -d 'Run a whole key-escrow ceremony in a fresh directory, narrated and self-checking'
complete -c kmi -n "__fish_kmi_using_subcommand help; and not __fish_seen_subcommand_from key share cert ccm cmc encrypt decrypt demo log selftest help" -f -a "log" -d 'Check a ceremony record'
complete -c kmi -n "__fish_kmi_using_subcommand help; and not __fish_seen_subcommand_from key share cert ccm cmc encrypt decrypt demo log selftest help" -f -a "selftest" -d 'Run known-answer tests of every primitive kmi relies on'
complete -c kmi -n "__fish_kmi_using_subcommand help; and not __fish_seen_subcommand_from key share cert ccm cmc encrypt decrypt demo log selftest help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kmi -n "__fish_kmi_using_subcommand help; and __fish_seen_subcommand_from key" -f -a "generate" -d 'Generate a new private key'
complete -c kmi -n "__fish_kmi_using_subcommand help; and __fish_seen_subcommand_from key" -f -a "check" -d 'Check a key the way a key registry would before accepting it'
complete -c kmi -n "__fish_kmi_using_subcommand help; and __fish_seen_subcommand_from key" -f -a "inspect" -d 'Show a key\'s type, sizes and public numbers'
complete -c kmi -n "__fish_kmi_using_subcommand help; and __fish_seen_subcommand_from key" -f -a "public" -d 'Write the public key (SubjectPublicKeyInfo) of a key or of a share set'
complete -c kmi -n "__fish_kmi_using_subcommand help; and __fish_seen_subcommand_from key" -f -a "fingerprint" -d 'Print the SHA-256 fingerprint of a key\'s SubjectPublicKeyInfo, grouped for reading aloud'
complete -c kmi -n "__fish_kmi_using_subcommand help; and __fish_seen_subcommand_from key" -f -a "passphrase" -d 'Encrypt a plain private key, change its passphrase, or remove it'
complete -c kmi -n "__fish_kmi_using_subcommand help; and __fish_seen_subcommand_from share" -f -a "split" -d 'Split a private key into n shares, any k of which can use or rebuild it'
complete -c kmi -n "__fish_kmi_using_subcommand help; and __fish_seen_subcommand_from share" -f -a "verify" -d 'Verify shares against their set\'s public commitments'
complete -c kmi -n "__fish_kmi_using_subcommand help; and __fish_seen_subcommand_from share" -f -a "reconstruct" -d 'Rebuild the whole private key from k shares'
complete -c kmi -n "__fish_kmi_using_subcommand help; and __fish_seen_subcommand_from share" -f -a "partial" -d 'Compute one trustee\'s partial decryption or signature, with a proof of correctness'
complete -c kmi -n "__fish_kmi_using_subcommand help; and __fish_seen_subcommand_from share" -f -a "combine" -d 'Check partial results and combine k of them into a plaintext or a standard signature'
complete -c kmi -n "__fish_kmi_using_subcommand help; and __fish_seen_subcommand_from share" -f -a "blind" -d 'Blind a ciphertext or file to sign so the trustees never see it'
complete -c kmi -n "__fish_kmi_using_subcommand help; and __fish_seen_subcommand_from share" -f -a "reshare" -d 'Change a set\'s trustees and threshold without rebuilding the key (round, deal, accept, finish)'
complete -c kmi -n "__fish_kmi_using_subcommand help; and __fish_seen_subcommand_from share" -f -a "dkg" -d 'Make an ElGamal key no machine ever holds: distributed key generation in file rounds'
complete -c kmi -n "__fish_kmi_using_subcommand help; and __fish_seen_subcommand_from share" -f -a "refresh" -d 'New shares for the same trustees and threshold: a reshare round with the old k and n'
complete -c kmi -n "__fish_kmi_using_subcommand help; and __fish_seen_subcommand_from share" -f -a "transfer" -d 'Re-encrypt one share to a requester (the Omega recovery flow)'
complete -c kmi -n "__fish_kmi_using_subcommand help; and __fish_seen_subcommand_from share" -f -a "inspect" -d 'Show what a share set or share file holds, without opening an encrypted share'
complete -c kmi -n "__fish_kmi_using_subcommand help; and __fish_seen_subcommand_from cert" -f -a "request" -d 'Write a PKCS#10 certificate request signed by the subject\'s RSA key'
complete -c kmi -n "__fish_kmi_using_subcommand help; and __fish_seen_subcommand_from cert" -f -a "self-sign" -d 'Write a self-signed certificate for an RSA key'
complete -c kmi -n "__fish_kmi_using_subcommand help; and __fish_seen_subcommand_from cert" -f -a "issue" -d 'Issue a certificate with a CA\'s key: from a request, or for a public key and a subject'
complete -c kmi -n "__fish_kmi_using_subcommand help; and __fish_seen_subcommand_from cert" -f -a "prepare" -d 'Write the to-be-signed DER of a request or certificate whose key is held as shares'
complete -c kmi -n "__fish_kmi_using_subcommand help; and __fish_seen_subcommand_from cert" -f -a "finish" -d 'Combine k trustees\' partial signatures on a prepared TBS into the certificate or request'
complete -c kmi -n "__fish_kmi_using_subcommand help; and __fish_seen_subcommand_from cert" -f -a "show" -d 'Show a certificate, request or to-be-signed certificate: names, validity, usages, fingerprints'
complete -c kmi -n "__fish_kmi_using_subcommand help; and __fish_seen_subcommand_from ccm" -f -a "template" -d 'Print a commented starting policy'
complete -c kmi -n "__fish_kmi_using_subcommand help; and __fish_seen_subcommand_from ccm" -f -a "fmt" -d 'Write a policy in canonical form (the exact bytes that get signed)'
complete -c kmi -n "__fish_kmi_using_subcommand help; and __fish_seen_subcommand_from ccm" -f -a "lint" -d 'Report every problem in a policy (exit 1 if there is any)'
complete -c kmi -n "__fish_kmi_using_subcommand help; and __fish_seen_subcommand_from ccm" -f -a "prepare" -d 'Emit the .SF signature file a threshold signature is made over'
complete -c kmi -n "__fish_kmi_using_subcommand help; and __fish_seen_subcommand_from ccm" -f -a "sign" -d 'Sign a policy into a JAR that jarsigner -verify -strict accepts'
complete -c kmi -n "__fish_kmi_using_subcommand help; and __fish_seen_subcommand_from ccm" -f -a "verify" -d 'Verify a signed policy JAR against trusted certificates'
complete -c kmi -n "__fish_kmi_using_subcommand help; and __fish_seen_subcommand_from ccm" -f -a "check" -d 'Verify a policy JAR, then ask whether it allows an algorithm and key size'
complete -c kmi -n "__fish_kmi_using_subcommand help; and __fish_seen_subcommand_from ccm" -f -a "show" -d 'Print a policy JAR\'s content and signer WITHOUT verifying it'
complete -c kmi -n "__fish_kmi_using_subcommand help; and __fish_seen_subcommand_from cmc" -f -a "archive-request" -d 'Build a signed request that archives an encryption key with an escrow agent'
complete -c kmi -n "__fish_kmi_using_subcommand help; and __fish_seen_subcommand_from cmc" -f -a "recovery-request" -d 'Build a signed request for the archived keys of an identity'
complete -c kmi -n "__fish_kmi_using_subcommand help; and __fish_seen_subcommand_from cmc" -f -a "keygen-request" -d 'Build a signed request for a key the agent generates (and may archive)'
complete -c kmi -n "__fish_kmi_using_subcommand help; and __fish_seen_subcommand_from cmc" -f -a "respond" -d 'Answer a request as the escrow agent: archive, recover or generate keys'
complete -c kmi -n "__fish_kmi_using_subcommand help; and __fish_seen_subcommand_from cmc" -f -a "parse" -d 'Print every layer of a CMC message, checking its signatures'
complete -c kmi -n "__fish_kmi_using_subcommand help; and __fish_seen_subcommand_from cmc" -f -a "extract" -d 'Decrypt the keys an agent\'s response returns and write them as PKCS#8'
complete -c kmi -n "__fish_kmi_using_subcommand help; and __fish_seen_subcommand_from cmc" -f -a "store" -d 'The agent\'s key store: init, list, show, export-audit, verify, migrate'
complete -c kmi -n "__fish_kmi_using_subcommand help; and __fish_seen_subcommand_from log" -f -a "verify" -d 'Check that a ceremony record is an unbroken chain (and ends at HEAD)'
