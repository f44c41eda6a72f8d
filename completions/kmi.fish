# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_kmi_global_optspecs
    string join \n batch q/quiet h/help V/version
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
complete -c kmi -n "__fish_kmi_needs_command" -s q -l quiet -d 'Print nothing on stderr except errors (no progress bar, no summary)'
complete -c kmi -n "__fish_kmi_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kmi -n "__fish_kmi_needs_command" -s V -l version -d 'Print version'
complete -c kmi -n "__fish_kmi_needs_command" -f -a "key" -d 'Generate, check, inspect and convert keys'
complete -c kmi -n "__fish_kmi_needs_command" -f -a "selftest" -d 'Run known-answer tests of every primitive kmi relies on'
complete -c kmi -n "__fish_kmi_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kmi -n "__fish_kmi_using_subcommand key; and not __fish_seen_subcommand_from generate check inspect public fingerprint help" -l batch -d 'Never prompt; fail when a passphrase is needed and no file or descriptor is given'
complete -c kmi -n "__fish_kmi_using_subcommand key; and not __fish_seen_subcommand_from generate check inspect public fingerprint help" -s q -l quiet -d 'Print nothing on stderr except errors (no progress bar, no summary)'
complete -c kmi -n "__fish_kmi_using_subcommand key; and not __fish_seen_subcommand_from generate check inspect public fingerprint help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kmi -n "__fish_kmi_using_subcommand key; and not __fish_seen_subcommand_from generate check inspect public fingerprint help" -s V -l version -d 'Print version'
complete -c kmi -n "__fish_kmi_using_subcommand key; and not __fish_seen_subcommand_from generate check inspect public fingerprint help" -f -a "generate" -d 'Generate a new private key'
complete -c kmi -n "__fish_kmi_using_subcommand key; and not __fish_seen_subcommand_from generate check inspect public fingerprint help" -f -a "check" -d 'Check a key the way a key registry would before accepting it'
complete -c kmi -n "__fish_kmi_using_subcommand key; and not __fish_seen_subcommand_from generate check inspect public fingerprint help" -f -a "inspect" -d 'Show a key\'s type, sizes and public numbers'
complete -c kmi -n "__fish_kmi_using_subcommand key; and not __fish_seen_subcommand_from generate check inspect public fingerprint help" -f -a "public" -d 'Write the public key (SubjectPublicKeyInfo) of a key'
complete -c kmi -n "__fish_kmi_using_subcommand key; and not __fish_seen_subcommand_from generate check inspect public fingerprint help" -f -a "fingerprint" -d 'Print the SHA-256 fingerprint of a key\'s SubjectPublicKeyInfo, grouped for reading aloud'
complete -c kmi -n "__fish_kmi_using_subcommand key; and not __fish_seen_subcommand_from generate check inspect public fingerprint help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from generate" -l batch -d 'Never prompt; fail when a passphrase is needed and no file or descriptor is given'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from generate" -s q -l quiet -d 'Print nothing on stderr except errors (no progress bar, no summary)'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from generate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from generate" -s V -l version -d 'Print version'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from generate" -f -a "rsa" -d 'Generate an RSA key whose primes are safe primes (p = 2p\'+1, q = 2q\'+1)'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from generate" -f -a "elgamal" -d 'Generate an ElGamal key (X9.42 DH key with p, q, g; g of prime order q)'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from generate" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from check" -l passphrase-file -d 'Read the passphrase from the first line of FILE' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from check" -l passphrase-fd -d 'Read the passphrase from the first line of file descriptor N' -r
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from check" -l require-safe -d 'Also require safe-prime structure (RSA: p, q, (p-1)/2, (q-1)/2 prime; ElGamal: p = 2q + 1)'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from check" -l json -d 'Print the results as JSON'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from check" -l batch -d 'Never prompt; fail when a passphrase is needed and no file or descriptor is given'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from check" -s q -l quiet -d 'Print nothing on stderr except errors (no progress bar, no summary)'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from check" -s V -l version -d 'Print version'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from inspect" -l passphrase-file -d 'Read the passphrase from the first line of FILE' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from inspect" -l passphrase-fd -d 'Read the passphrase from the first line of file descriptor N' -r
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from inspect" -l json -d 'Print the results as JSON'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from inspect" -l batch -d 'Never prompt; fail when a passphrase is needed and no file or descriptor is given'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from inspect" -s q -l quiet -d 'Print nothing on stderr except errors (no progress bar, no summary)'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from inspect" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from inspect" -s V -l version -d 'Print version'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from public" -s o -l output -d 'Write to FILE (\'-\' for standard output)' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from public" -l passphrase-file -d 'Read the passphrase from the first line of FILE' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from public" -l passphrase-fd -d 'Read the passphrase from the first line of file descriptor N' -r
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from public" -l der -d 'Write DER instead of PEM'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from public" -l force -d 'Overwrite FILE if it exists'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from public" -l batch -d 'Never prompt; fail when a passphrase is needed and no file or descriptor is given'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from public" -s q -l quiet -d 'Print nothing on stderr except errors (no progress bar, no summary)'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from public" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from public" -s V -l version -d 'Print version'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from fingerprint" -l digits -d 'How many hex digits of the SHA-256 to print' -r -f -a "16\t''
32\t''
64\t''"
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from fingerprint" -l passphrase-file -d 'Read the passphrase from the first line of FILE' -r -F
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from fingerprint" -l passphrase-fd -d 'Read the passphrase from the first line of file descriptor N' -r
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from fingerprint" -l batch -d 'Never prompt; fail when a passphrase is needed and no file or descriptor is given'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from fingerprint" -s q -l quiet -d 'Print nothing on stderr except errors (no progress bar, no summary)'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from fingerprint" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from fingerprint" -s V -l version -d 'Print version'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from help" -f -a "generate" -d 'Generate a new private key'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from help" -f -a "check" -d 'Check a key the way a key registry would before accepting it'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from help" -f -a "inspect" -d 'Show a key\'s type, sizes and public numbers'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from help" -f -a "public" -d 'Write the public key (SubjectPublicKeyInfo) of a key'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from help" -f -a "fingerprint" -d 'Print the SHA-256 fingerprint of a key\'s SubjectPublicKeyInfo, grouped for reading aloud'
complete -c kmi -n "__fish_kmi_using_subcommand key; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kmi -n "__fish_kmi_using_subcommand selftest" -l json -d 'Print the results as JSON'
complete -c kmi -n "__fish_kmi_using_subcommand selftest" -l batch -d 'Never prompt; fail when a passphrase is needed and no file or descriptor is given'
complete -c kmi -n "__fish_kmi_using_subcommand selftest" -s q -l quiet -d 'Print nothing on stderr except errors (no progress bar, no summary)'
complete -c kmi -n "__fish_kmi_using_subcommand selftest" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kmi -n "__fish_kmi_using_subcommand selftest" -s V -l version -d 'Print version'
complete -c kmi -n "__fish_kmi_using_subcommand help; and not __fish_seen_subcommand_from key selftest help" -f -a "key" -d 'Generate, check, inspect and convert keys'
complete -c kmi -n "__fish_kmi_using_subcommand help; and not __fish_seen_subcommand_from key selftest help" -f -a "selftest" -d 'Run known-answer tests of every primitive kmi relies on'
complete -c kmi -n "__fish_kmi_using_subcommand help; and not __fish_seen_subcommand_from key selftest help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kmi -n "__fish_kmi_using_subcommand help; and __fish_seen_subcommand_from key" -f -a "generate" -d 'Generate a new private key'
complete -c kmi -n "__fish_kmi_using_subcommand help; and __fish_seen_subcommand_from key" -f -a "check" -d 'Check a key the way a key registry would before accepting it'
complete -c kmi -n "__fish_kmi_using_subcommand help; and __fish_seen_subcommand_from key" -f -a "inspect" -d 'Show a key\'s type, sizes and public numbers'
complete -c kmi -n "__fish_kmi_using_subcommand help; and __fish_seen_subcommand_from key" -f -a "public" -d 'Write the public key (SubjectPublicKeyInfo) of a key'
complete -c kmi -n "__fish_kmi_using_subcommand help; and __fish_seen_subcommand_from key" -f -a "fingerprint" -d 'Print the SHA-256 fingerprint of a key\'s SubjectPublicKeyInfo, grouped for reading aloud'
