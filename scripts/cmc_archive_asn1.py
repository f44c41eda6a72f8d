#!/usr/bin/env python3
"""An independent pyasn1 transcription of Appendix A of draft-ietf-pkix-cmc-archive-01 (February
2005, /work/shared/seeds/001_7bbf0240d1074bd8.txt, "CMC Extensions: Server Side Key Generation and
Key Escrow"), written from the draft's text and not from kmi's Rust types (issue 12).

Run from the repository root with the venv of scripts/test (pyasn1 0.6, pyasn1-modules 0.4):
    .venv/bin/python scripts/cmc_archive_asn1.py check PRODUCTION FILE
    .venv/bin/python scripts/cmc_archive_asn1.py selftest
    .venv/bin/python scripts/cmc_archive_asn1.py sample SAMPLE OUT.der
    .venv/bin/python scripts/cmc_archive_asn1.py samples [DIR]         (default testdata/cmc/draft)
    .venv/bin/python scripts/cmc_archive_asn1.py controls FILE [--lenient]

check     decodes FILE (DER) as PRODUCTION, prints one `field: summary` line per field and exits 0
          only if nothing follows the value and its DER re-encoding equals FILE byte for byte (and
          a ShroudMethod's parameters decode as the type its algorithm names); otherwise exit 1
          with one line on stderr saying why. PRODUCTION is one of PRODUCTIONS below (the draft's
          own spelling KeyRecoverReq is accepted for KeyRecoveryReq).
selftest  builds every sample, encodes, decodes, re-encodes and compares; compares a few with
          hand-assembled TLVs; and checks that a list of wrong encodings is rejected (kmi 0.1's
          [0]/[1]-tagged ShroudWithPublicKey arms, trailing bytes, BER forms, a KeyArchival
          keyIdentification that is neither INTEGER nor RecipientIdentifier, ...). Exit 0 if all
          pass.
sample    writes one sample's DER ("if a peer writes it, kmi reads it"); `samples` writes them
          all as DIR/SAMPLE.der and checks each. SAMPLE is a production name or a production
          name with a variant suffix (see SAMPLES).
controls  reads a PKIData or PKIResponse (bare, in a ContentInfo, or as the eContent of a
          SignedData or AuthenticatedData; BER is accepted for the envelope) and checks the value
          of every control under kmi's placeholder OIDs against its production, strictly
          (KeyRecoveryRsp) or with --lenient (KeyRecoveryRspLenient), and RFC 5272's
          identification and identityProofV2 controls against the RFC's own definitions. Exit 1
          if any does not check.

The samples are deterministic: their keys and certificates are the committed test keys in
testdata/cli/ (sign.crt = CN=alice, RSA 2048; signer.crt issued by ca.crt; t1/t2 = trustee 1/2,
RSA 1024 with PKCS#8 keys t1.pem/t2.pem).

The draft leaves its identifiers unassigned ({id-cmc XX0} ...); kmi places them under the RFC 5612
documentation arc 1.3.6.1.4.1.32473.1.3 (src/cmc/oids.rs, docs/formats.md section 1). Only the
ShroudMethod algorithms and the `controls` command use them: the productions are OID-free.

Tagging. The module is "DEFINITIONS IMPLICIT TAGS" but has no tags of its own, so every production
here is untagged; imported types keep the tagging of their own modules (RecipientIdentifier's
`subjectKeyIdentifier [0]` is IMPLICIT as in RFC 5652, CertTemplate's `subject [5]` is EXPLICIT
because Name is a CHOICE, RFC 4211).
"""

import base64
import os
import re
import sys

from pyasn1.codec.ber import decoder as ber_decoder
from pyasn1.codec.der import decoder, encoder
from pyasn1.type import char, namedtype, univ
from pyasn1_modules import rfc4211, rfc5280, rfc5652, rfc5751, rfc5958, rfc6402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
CLI_KEYS = os.path.join(ROOT, "testdata", "cli")
DEFAULT_SAMPLES_DIR = os.path.join(ROOT, "testdata", "cmc", "draft")

# ---------------------------------------------------------------------------------------------
# Identifiers. Appendix A: "id-cmc-shroudWithPublicKey OBJECT IDENTIFIER ::= {id-cmc XX0}" and so
# on; kmi's placeholders (src/cmc/oids.rs) under 1.3.6.1.4.1.32473.1.3.
# ---------------------------------------------------------------------------------------------

KMI_ARC = "1.3.6.1.4.1.32473.1.3"
id_cmc_shroudWithPublicKey = univ.ObjectIdentifier(KMI_ARC + ".0")     # {id-cmc XX0}
id_cmc_shroudWithSharedSecret = univ.ObjectIdentifier(KMI_ARC + ".1")  # {id-cmc XX1}
id_ct_multiplePrivateKeys = univ.ObjectIdentifier(KMI_ARC + ".2")      # {id-ct XX}
id_cmc_ServerKeyGenRequest = univ.ObjectIdentifier(KMI_ARC + ".4")     # {id-cmc XX4}
id_cmc_ServerKeyGenResponse = univ.ObjectIdentifier(KMI_ARC + ".5")    # {id-cmc XX5}
id_cmc_KeyArchival = univ.ObjectIdentifier(KMI_ARC + ".6")             # {id-cmc XX6}
id_cmc_keyRecoveryReq = univ.ObjectIdentifier(KMI_ARC + ".7")          # {id-cmc XX7}
id_cmc_keyRecoveryRsp = univ.ObjectIdentifier(KMI_ARC + ".8")          # {id-cmc XX8}

# Algorithms of Appendix B.1's encCapabilities and the samples.
id_PBKDF2 = univ.ObjectIdentifier("1.2.840.113549.1.5.12")
id_aes128_wrap = univ.ObjectIdentifier("2.16.840.1.101.3.4.1.5")
id_aes128_CBC = univ.ObjectIdentifier("2.16.840.1.101.3.4.1.2")
rsaEncryption = univ.ObjectIdentifier("1.2.840.113549.1.1.1")

OID_NAMES = {
    KMI_ARC + ".0": "id-cmc-shroudWithPublicKey",
    KMI_ARC + ".1": "id-cmc-shroudWithSharedSecret",
    KMI_ARC + ".2": "id-ct-multiplePrivateKeys",
    KMI_ARC + ".4": "id-cmc-ServerKeyGenRequest",
    KMI_ARC + ".5": "id-cmc-ServerKeyGenResponse",
    KMI_ARC + ".6": "id-cmc-KeyArchival",
    KMI_ARC + ".7": "id-cmc-keyRecoveryReq",
    KMI_ARC + ".8": "id-cmc-keyRecoveryRsp",
    "1.2.840.113549.1.5.12": "id-PBKDF2",
    "2.16.840.1.101.3.4.1.5": "id-aes128-wrap",
    "2.16.840.1.101.3.4.1.25": "id-aes192-wrap",
    "2.16.840.1.101.3.4.1.45": "id-aes256-wrap",
    "2.16.840.1.101.3.4.1.2": "id-aes128-CBC",
    "2.16.840.1.101.3.4.1.22": "id-aes192-CBC",
    "2.16.840.1.101.3.4.1.42": "id-aes256-CBC",
    "2.16.840.1.101.3.4.1.6": "id-aes128-GCM",
    "2.16.840.1.101.3.4.1.46": "id-aes256-GCM",
    "1.2.840.113549.1.9.16.3.6": "id-alg-CMS3DESwrap",
    "1.2.840.113549.1.9.16.3.9": "id-alg-PWRI-KEK",
    "1.2.840.113549.1.1.1": "rsaEncryption",
    "1.2.840.113549.1.1.7": "id-RSAES-OAEP",
    "1.2.840.10045.2.1": "id-ecPublicKey",
    "1.2.840.10046.2.1": "dhpublicnumber",
    "1.3.101.110": "id-X25519",
    "1.3.101.112": "id-Ed25519",
    "2.5.4.3": "CN",
    "2.5.4.6": "C",
    "2.5.4.10": "O",
    "2.5.4.11": "OU",
    "2.5.29.14": "subjectKeyIdentifier",
    "2.5.29.15": "keyUsage",
    "2.5.29.17": "subjectAltName",
    "2.5.29.19": "basicConstraints",
}


def oid_name(oid):
    dotted = str(oid)
    name = OID_NAMES.get(dotted)
    return f"{name} ({dotted})" if name else dotted


# ---------------------------------------------------------------------------------------------
# The productions of Appendix A, in its order. Imported types: the IMPORTS of Appendix A name
# CertTemplate (CRMF), BodyPartID (CMC), IssuerAndSerialNumber (CMS), SMimeCapabilities (MSG31),
# AlgorithmIdentifier, Certificate, SubjectPublicKeyInfo (PKIX part 1; also Attribute, unused).
# It does not import PrivateKeyInfo or RecipientIdentifier although SinglePrivateKey, KeyArchival
# and KeyRecoveryRsp use them. RecipientIdentifier is taken from the CMS module the draft imports
# IssuerAndSerialNumber from; PrivateKeyInfo from RFC 5958, which now defines it (as
# OneAsymmetricKey): a v1 key (PKCS#8, RFC 5208, RFC 4211's own PrivateKeyInfo that section 3
# points to) encodes the same, and a v2 key with `publicKey [1]` is read too.
#   CertTemplate            rfc4211 (RFC 4211 = [CRMF])
#   BodyPartID              rfc6402 (RFC 5272/6402 = [CMC]; INTEGER (0..4294967295))
#   IssuerAndSerialNumber,
#   RecipientIdentifier     rfc5652 (RFC 5652, the successor of [CMS] RFC 3852; same module)
#   SMIMECapabilities       rfc5751 (RFC 5751 section 2.5.2, same type as [MSG31] RFC 3851)
#   PrivateKeyInfo          rfc5958 (RFC 5958 section 2)
#   AlgorithmIdentifier, Certificate, SubjectPublicKeyInfo   rfc5280
#
# Where the draft's texts disagree or are unclear (the body sections were written before
# Appendix A; Appendix A is what is transcribed):
#  - ShroudWithPublicKey: section 2.1 has `publicKey SubjectPublicKey` (no such PKIX type),
#    Appendix A `SubjectPublicKeyInfo`; with it both arms are untagged SEQUENCEs (invalid X.680
#    CHOICE). Read by structure, written untagged; tagged arms are rejected.
#  - Section 3.2 names MultiplePrivateKey / ExtendedPrivateKey / id-ct-multiplePrivateKey,
#    section 5.2.1 id-multipleKey / id-ct-multipleKeys; Appendix A MultiplePrivateKeys /
#    SinglePrivateKey / id-ct-multiplePrivateKeys. Same structure.
#  - KeyRecoveryRsp.certificateId: mandatory in Appendix A, OPTIONAL in section 5.2.1
#    (KeyRecoveryRspLenient reads both).
#  - KeyRecoverReq (Appendix A) / KeyRecoveryReq (section 5.2), SMimeCapabilties (section 4.1),
#    cmsBodyPartId / cmsBodyPartID, certificateID / certificateId: names only, same DER.
#  - The IMPORTS' module identifiers are garbled (EnrollmentMessageSyntax under dod(4) and
#    mechansims(5); PKIX1Explicit88 with id-pkix1-implicit(18), which is the explicit module's
#    number); they name no types that differ between the implicit and explicit PKIX modules.
#  - The draft gives no string type for names (B.1's cn="my identity string"): UTF8String here.
# ---------------------------------------------------------------------------------------------


class ShroudMethod(rfc5280.AlgorithmIdentifier):
    """Section 2 and Appendix A:
        ShroudMethod ::= AlgorithmIdentifier
    The parameters are the type its algorithm names: ShroudWithPublicKey for
    id-cmc-shroudWithPublicKey (section 2.1), ShroudWithSharedSecret for
    id-cmc-shroudWithSharedSecret (section 2.2: "The parameter type associated with this shrouding
    method is ShroudWithSharedSecret"); `check` decodes them (see check_shroud_method)."""


class ShroudWithPublicKey(univ.Choice):
    """Section 2.1 and Appendix A:
        id-cmc-shroudWithPublicKey OBJECT IDENTIFIER ::= {id-cmc XX0}
        ShroudWithPublicKey ::= CHOICE {
            certificate     Certificate,
            publicKey       SubjectPublicKeyInfo
        }
    (Section 2.1's text has `publicKey SubjectPublicKey`, a type PKIX does not define; Appendix A
    is what is transcribed.) Both arms are untagged SEQUENCEs, so the CHOICE is not valid X.680
    (its alternatives must have distinct tags) and pyasn1 cannot decode it by tag; this class is
    used to build and encode values and decode_shroud_with_public_key reads them, telling the arms
    apart by structure (a Certificate has three elements, the second a SEQUENCE; an SPKI has two,
    the second a BIT STRING). Any tag other than UNIVERSAL 16 is rejected: kmi 0.1's [0] IMPLICIT
    Certificate / [1] IMPLICIT SubjectPublicKeyInfo is not Appendix A."""

    componentType = namedtype.NamedTypes(
        namedtype.NamedType("certificate", rfc5280.Certificate()),
        namedtype.NamedType("publicKey", rfc5280.SubjectPublicKeyInfo()),
    )


class ShroudWithSharedSecret(char.UTF8String):
    """Section 2.2 and Appendix A:
        id-cmc-shroudWithSharedSecret OBJECT IDENTIFIER ::= {id-cmc XX1}
        ShroudWithSharedSecret ::= UTF8String
    "The common identification string for the client and the server is placed in the UTF8String
    field." """


class SinglePrivateKey(univ.Sequence):
    """Section 3.2 (as ExtendedPrivateKey) and Appendix A:
        SinglePrivateKey ::= SEQUENCE {
          privateKey     PrivateKeyInfo,
          certificateId  RecipientIdentifier
        }
    certificateId is not OPTIONAL in either text. RecipientIdentifier is RFC 5652's CHOICE {
    issuerAndSerialNumber IssuerAndSerialNumber, subjectKeyIdentifier [0] IMPLICIT
    SubjectKeyIdentifier }."""

    componentType = namedtype.NamedTypes(
        namedtype.NamedType("privateKey", rfc5958.PrivateKeyInfo()),
        namedtype.NamedType("certificateId", rfc5652.RecipientIdentifier()),
    )


class MultiplePrivateKeys(univ.SequenceOf):
    """Section 3.2 (as `MultiplePrivateKey ::= SEQUENCE OF ExtendedPrivateKey` under
    id-ct-multiplePrivateKey) and Appendix A:
        id-ct-multiplePrivateKeys OBJECT IDENTIFIER ::= {id-ct XX}
        MultiplePrivateKeys ::= SEQUENCE OF SinglePrivateKey
    No SIZE constraint: an empty sequence decodes (and is reported as 0 keys)."""

    componentType = SinglePrivateKey()


class ServerKeyGenRequest(univ.Sequence):
    """Section 4.1 and Appendix A:
        id-cmc-ServerKeyGenRequest OBJECT IDENTIFIER ::= {id-cmc XX4}
        ServerKeyGenRequest ::= SEQUENCE {
           certificateRequest       CertTemplate,
           shroudMethod             ShroudMethod,
           encCapabilities          SMimeCapabilities,
           fArchiveKey              BOOLEAN DEFAULT FALSE,
           selectionCriteria        OCTET STRING OPTIONAL
        }
    (section 4.1 spells the type SMimeCapabilties). DER omits fArchiveKey when FALSE (X.690
    11.5); an explicit FALSE re-encodes differently and is rejected. Section 4.1: selectionCriteria
    "should appear only if fArchiveKey is set to TRUE" (not an encoding rule; `check` notes it)."""

    componentType = namedtype.NamedTypes(
        namedtype.NamedType("certificateRequest", rfc4211.CertTemplate()),
        namedtype.NamedType("shroudMethod", ShroudMethod()),
        namedtype.NamedType("encCapabilities", rfc5751.SMIMECapabilities()),
        namedtype.DefaultedNamedType("fArchiveKey", univ.Boolean(False)),
        namedtype.OptionalNamedType("selectionCriteria", univ.OctetString()),
    )


class ServerKeyGenResponse(univ.Sequence):
    """Section 4.2 and Appendix A:
        id-cmc-ServerKeyGenResponse OBJECT IDENTIFIER ::= {id-cmc XX5}
        ServerKeyGenResponse ::= SEQUENCE {
           cmsBodyPartId            BodyPartID,
           requestBodyPartId        BodyPartID,
           issuerAndSerialNumber    IssuerAndSerialNumber OPTIONAL
        }
    (Appendix B.1: `{105, id-cmc-serverKeyGenResponse, 201, 104, {CA issuer name, enc cert serial
    number}}`.)"""

    componentType = namedtype.NamedTypes(
        namedtype.NamedType("cmsBodyPartId", rfc6402.BodyPartID()),
        namedtype.NamedType("requestBodyPartId", rfc6402.BodyPartID()),
        namedtype.OptionalNamedType("issuerAndSerialNumber", rfc5652.IssuerAndSerialNumber()),
    )


class KeyIdentification(univ.Choice):
    """The inline CHOICE of KeyArchival (section 5.1 and Appendix A):
        keyIdentification        CHOICE {
           reqBodyPartID            BodyPartID,
           certificateID            RecipientIdentifier
        }
    Untagged; the alternatives are INTEGER, SEQUENCE (issuerAndSerialNumber) and [0] IMPLICIT
    OCTET STRING (subjectKeyIdentifier), so the CHOICE is decodable by tag. Anything else is
    rejected."""

    componentType = namedtype.NamedTypes(
        namedtype.NamedType("reqBodyPartID", rfc6402.BodyPartID()),
        namedtype.NamedType("certificateID", rfc5652.RecipientIdentifier()),
    )


class KeyArchival(univ.Sequence):
    """Section 5.1 and Appendix A:
        id-cmc-KeyArchival OBJECT IDENTIFIER ::= {id-cmc XX6}
        KeyArchival ::= SEQUENCE {
           keyIdentification        CHOICE {
              reqBodyPartID            BodyPartID,
              certificateID            RecipientIdentifier
           }
           cmsBodyPartID            BodyPartID,
           selectionCriteria        OCTET STRING OPTIONAL
        }
    (both texts lack the comma after the CHOICE's closing brace; read as a separator). Section
    5.1: cmsBodyPartID 0 means the EnvelopedData is in the id-aa-cmc-unsignedData attribute."""

    componentType = namedtype.NamedTypes(
        namedtype.NamedType("keyIdentification", KeyIdentification()),
        namedtype.NamedType("cmsBodyPartID", rfc6402.BodyPartID()),
        namedtype.OptionalNamedType("selectionCriteria", univ.OctetString()),
    )


class KeyRecoveryReq(univ.Sequence):
    """Section 5.2 (as KeyRecoveryReq) and Appendix A (as KeyRecoverReq):
        id-cmc-keyRecoveryReq OBJECT IDENTIFIER ::= {id-cmc XX7}
        KeyRecoverReq ::= SEQUENCE {
           shroudMethod             ShroudMethod,
           encCapabilities          SMimeCapabilities,
           selectionCriteria        OCTET STRING OPTIONAL
        }
    The two texts agree on the fields; the name differs (KeyRecoverReq is accepted by `check`)."""

    componentType = namedtype.NamedTypes(
        namedtype.NamedType("shroudMethod", ShroudMethod()),
        namedtype.NamedType("encCapabilities", rfc5751.SMIMECapabilities()),
        namedtype.OptionalNamedType("selectionCriteria", univ.OctetString()),
    )


KeyRecoverReq = KeyRecoveryReq


class KeyRecoveryRsp(univ.Sequence):
    """Appendix A (what is written):
        id-cmc-keyRecoveryRsp OBJECT IDENTIFIER ::= {id-cmc XX8}
        KeyRecoveryRsp ::= SEQUENCE {
           cmsBodyPartID            BodyPartID,
           certificateId            RecipientIdentifier,
           selectionCriteria        OCTET STRING OPTIONAL
        }
    Section 5.2.1 differs: `certificateID RecipientIdentifier OPTIONAL`, "used only if a the
    id-ct-encKeyWithID content info type is used". See KeyRecoveryRspLenient."""

    componentType = namedtype.NamedTypes(
        namedtype.NamedType("cmsBodyPartID", rfc6402.BodyPartID()),
        namedtype.NamedType("certificateId", rfc5652.RecipientIdentifier()),
        namedtype.OptionalNamedType("selectionCriteria", univ.OctetString()),
    )


class KeyRecoveryRspLenient(univ.Sequence):
    """Section 5.2.1's form, which reads both texts:
        KeyRecoveryRsp ::= SEQUENCE {
           cmsBodyPartID       BodyPartID,
           certificateID       RecipientIdentifier OPTIONAL,
           selectionCriteria   OCTET STRING OPTIONAL
        }
    Still decodable by tag: certificateID is a SEQUENCE or [0], selectionCriteria an OCTET
    STRING. Everything Appendix A's KeyRecoveryRsp accepts, this accepts too."""

    componentType = namedtype.NamedTypes(
        namedtype.NamedType("cmsBodyPartID", rfc6402.BodyPartID()),
        namedtype.OptionalNamedType("certificateId", rfc5652.RecipientIdentifier()),
        namedtype.OptionalNamedType("selectionCriteria", univ.OctetString()),
    )


# ---------------------------------------------------------------------------------------------
# Strict decoding.
# ---------------------------------------------------------------------------------------------


class Reject(Exception):
    """A value that is not the production's DER; the message is one line."""


UNIVERSAL_NAMES = {1: "BOOLEAN", 2: "INTEGER", 3: "BIT STRING", 4: "OCTET STRING", 5: "NULL",
                   6: "OBJECT IDENTIFIER", 12: "UTF8String", 16: "SEQUENCE", 17: "SET",
                   19: "PrintableString", 22: "IA5String", 23: "UTCTime",
                   24: "GeneralizedTime", 30: "BMPString"}


def tag_name(cls, constructed, number):
    if cls == 0:
        text = f"UNIVERSAL {number}"
        if number in UNIVERSAL_NAMES:
            text += f" ({UNIVERSAL_NAMES[number]})"
    else:
        text = f"{ {64: 'APPLICATION ', 128: '', 192: 'PRIVATE '}[cls]}[{number}]"
    return text + (" constructed" if constructed and cls != 0 else "")


def first_tag(der):
    """The class, constructed bit and number of the first TLV's tag (number 31+ as -1)."""
    b = der[0]
    return b & 0xC0, bool(b & 0x20), (b & 0x1F if b & 0x1F != 0x1F else -1)


def tlv_end(der, what):
    """The offset just after the first TLV of `der`, rejecting an indefinite length, a length
    in long form that fits the short form or has a leading zero, and truncation."""
    if not der:
        raise Reject(f"empty input, expected a {what}")
    i = 1
    if der[0] & 0x1F == 0x1F:
        while i < len(der) and der[i] & 0x80:
            i += 1
        i += 1
    if i >= len(der):
        raise Reject(f"the {what} is truncated in its header")
    n = der[i]
    i += 1
    if n == 0x80:
        raise Reject(f"the {what} has an indefinite length (BER, not DER)")
    if n & 0x80:
        k = n & 0x7F
        if i + k > len(der):
            raise Reject(f"the {what} is truncated in its length")
        length = int.from_bytes(der[i:i + k], "big")
        if der[i] == 0 or length < 0x80:
            raise Reject(f"the {what} has a length in a longer form than needed (not DER)")
        i += k
    else:
        length = n
    if i + length > len(der):
        raise Reject(f"the {what} is truncated: its length says {length} bytes, "
                     f"{len(der) - i} follow")
    return i + length


def short(e):
    """A pyasn1 error as one short line (its messages embed whole schema reprs)."""
    if isinstance(e, UnicodeError) or "Unicode" in type(e).__name__:
        return "invalid UTF-8"
    msg = " ".join(str(e).split())
    m = re.search(r"failed at: ValueConstraintError\((.*?)\) at (\w+)", msg)
    if m:
        return f"{m[2]} {m[1]} is outside its range"

    def tags(m):
        # pyasn1 lists a tag set innermost first; print it outermost first.
        return " ".join(tag_name(int(c), bool(int(f)), int(n))
                        for c, f, n in (t.split(":") for t in reversed(m[1].split("-"))))

    msg = re.sub(r"<TagSet object, tags ([\d:-]+)>", tags, msg)
    msg = msg.replace("<TagSet object, untagged>", "untagged")
    if " not in asn1Spec" in msg:
        msg = msg[:msg.index(" not in asn1Spec")] + " is not allowed here"
    msg = re.sub(r" at <(\w+) (?:value |schema )?object.*", r" in \1", msg)
    msg = re.sub(r"<(\w+) (?:value |schema )?object.*", r"\1", msg)
    return msg[:200] or type(e).__name__


def decode_der(der, spec, what):
    """Decode `der` as `spec`; reject leftovers and anything whose DER re-encoding differs."""
    end = tlv_end(der, what)
    if end != len(der):
        raise Reject(f"{len(der) - end} bytes after the {what}")
    try:
        obj, rest = decoder.decode(der, asn1Spec=spec)
    except Exception as e:  # pyasn1 raises PyAsn1Error, but also ValueError, UnicodeError, ...
        raise Reject(f"does not decode as {what}: {short(e)}") from None
    if rest:
        raise Reject(f"{len(rest)} bytes after the {what}")
    try:
        again = encoder.encode(obj)
    except Exception as e:
        raise Reject(f"the {what} decodes but does not re-encode: {short(e)}") from None
    if again != der:
        # pyasn1's DER encoder drops a present but empty OPTIONAL component (CertTemplate's
        # `validity [4] {}`, PrivateKeyInfo's `attributes [0] {}`), which is DER all the same;
        # encoding a fresh decoding with omitEmptyOptionals=False keeps it. (That mode also
        # writes an absent OptionalValidity as empty, so a value with both an empty and an absent
        # one of these is a false rejection; no draft sample or kmi writes either.)
        try:
            fresh = decoder.decode(der, asn1Spec=spec.clone())[0]
            if encoder.encode(fresh, omitEmptyOptionals=False) == der:
                return obj
        except Exception:
            pass
        i = next((k for k in range(min(len(der), len(again))) if der[k] != again[k]),
                 min(len(der), len(again)))
        got = f"{der[i]:02x}" if i < len(der) else "end"
        want = f"{again[i]:02x}" if i < len(again) else "end"
        raise Reject(f"the {what} is not DER: its re-encoding differs at byte {i} "
                     f"(input {got}, DER {want}; {len(der)} vs {len(again)} bytes)")
    return obj


def decode_shroud_with_public_key(der):
    """ShroudWithPublicKey, told apart by structure (see the class): exactly one arm must read
    all of `der` and re-encode to it."""
    end = tlv_end(der, "ShroudWithPublicKey")
    if end != len(der):
        raise Reject(f"{len(der) - end} bytes after the ShroudWithPublicKey")
    cls, cons, num = first_tag(der)
    if (cls, num) != (0, 16):
        hint = ""
        if cls == 128 and num in (0, 1):
            hint = (" (kmi 0.1's [0] IMPLICIT Certificate / [1] IMPLICIT SubjectPublicKeyInfo;"
                    " Appendix A's arms are untagged)")
        raise Reject(f"ShroudWithPublicKey is {tag_name(cls, cons, num)}, expected an untagged "
                     f"Certificate or SubjectPublicKeyInfo SEQUENCE{hint}")
    found, errors = [], []
    for arm, spec in (("certificate", rfc5280.Certificate), ("publicKey",
                                                               rfc5280.SubjectPublicKeyInfo)):
        try:
            found.append((arm, decode_der(der, spec(), spec.__name__)))
        except Reject as e:
            errors.append(str(e))
    if not found:
        raise Reject("ShroudWithPublicKey is neither a Certificate nor a SubjectPublicKeyInfo: "
                     + "; ".join(errors))
    if len(found) > 1:
        raise Reject("ShroudWithPublicKey reads as both a Certificate and a "
                     "SubjectPublicKeyInfo")
    arm, value = found[0]
    choice = ShroudWithPublicKey()
    choice[arm] = value
    if encoder.encode(choice) != der:
        raise Reject("ShroudWithPublicKey re-encodes differently")
    return choice


def decode_shared_secret(der):
    obj = decode_der(der, ShroudWithSharedSecret(), "ShroudWithSharedSecret (UTF8String)")
    try:
        str(obj)
    except Exception:
        raise Reject("ShroudWithSharedSecret is not valid UTF-8") from None
    return obj


def check_shroud_method(alg):
    """The parameters of a ShroudMethod, decoded as the type its algorithm names. Returns the
    decoded parameters (None for another method, whose parameters are not looked at)."""
    oid = alg["algorithm"]
    params = get(alg, "parameters")
    if oid == id_cmc_shroudWithPublicKey:
        if params is None:
            raise Reject("id-cmc-shroudWithPublicKey without its ShroudWithPublicKey parameters")
        return decode_shroud_with_public_key(bytes(params))
    if oid == id_cmc_shroudWithSharedSecret:
        if params is None:
            raise Reject("id-cmc-shroudWithSharedSecret without its ShroudWithSharedSecret "
                         "parameters")
        return decode_shared_secret(bytes(params))
    return None


# ---------------------------------------------------------------------------------------------
# Summaries (one line per field).
# ---------------------------------------------------------------------------------------------


def get(obj, name):
    """An OPTIONAL or DEFAULT component, or None when absent. (Indexing would instantiate an
    absent component, and an all-OPTIONAL SEQUENCE such as OptionalValidity then counts as
    present and would be encoded.)"""
    value = obj.getComponentByName(name, instantiate=False)
    return value if value is not univ.noValue and value.isValue else None


def hexs(data, limit=16):
    data = bytes(data)
    text = data[:limit].hex()
    return text + ("..." if len(data) > limit else "")


def octets(value):
    data = bytes(value)
    if data and all(32 <= b < 127 for b in data):
        return f'"{data.decode()}" ({len(data)} bytes)'
    return f"{hexs(data)} ({len(data)} bytes)"


def name_str(name):
    parts = []
    for rdn in name[0]:
        for atv in rdn:
            try:
                value, _ = decoder.decode(bytes(atv["value"]))
                text = str(value)
            except Exception:
                text = "#" + bytes(atv["value"]).hex()
            label = OID_NAMES.get(str(atv["type"]), str(atv["type"]))
            parts.append(f"{label}={text}")
    return ", ".join(parts) if parts else "(empty name)"


def alg_str(alg):
    text = oid_name(alg["algorithm"])
    if get(alg, "parameters") is not None:
        params = bytes(alg["parameters"])
        text += " NULL" if params == b"\x05\x00" else f" parameters {hexs(params)}"
    return text


def spki_str(spki):
    bits = len(spki["subjectPublicKey"])
    size = f"{bits // 8}-byte" if bits % 8 == 0 else f"{bits}-bit"
    return f"{alg_str(spki['algorithm'])}, {size} subjectPublicKey"


def rid_str(rid):
    arm = rid.getName()
    if arm == "issuerAndSerialNumber":
        return f"issuerAndSerialNumber {iasn_str(rid[arm])}"
    return f"subjectKeyIdentifier {bytes(rid[arm]).hex()}"


def iasn_str(iasn):
    return f"{{{name_str(iasn['issuer'])}, serial {int(iasn['serialNumber']):#x}}}"


def caps_str(caps):
    items = []
    for cap in caps:
        text = oid_name(cap["capabilityID"])
        if get(cap, "parameters") is not None:
            text += f" parameters {hexs(bytes(cap['parameters']))}"
        items.append("{" + text + "}")
    return f"{len(caps)} capabilities: " + (", ".join(items) if items else "(none)")


def template_str(t):
    parts = []
    for field in ("version", "serialNumber"):
        if get(t, field) is not None:
            parts.append(f"{field} {int(t[field])}")
    if get(t, "signingAlg") is not None:
        parts.append(f"signingAlg {alg_str(t['signingAlg'])}")
    for field in ("issuer", "subject"):
        if get(t, field) is not None:
            parts.append(f"{field} {name_str(t[field])}")
    if get(t, "validity") is not None:
        parts.append("validity")
    if get(t, "publicKey") is not None:
        parts.append(f"publicKey {spki_str(t['publicKey'])}")
    for field in ("issuerUID", "subjectUID"):
        if get(t, field) is not None:
            parts.append(field)
    if get(t, "extensions") is not None:
        parts.append("extensions [" + ", ".join(
            OID_NAMES.get(str(e["extnID"]), str(e["extnID"])) for e in t["extensions"]) + "]")
    return "CertTemplate {" + "; ".join(parts) + "}"


def swpk_str(choice):
    arm = choice.getName()
    if arm == "certificate":
        tbs = choice[arm]["tbsCertificate"]
        return (f"certificate: subject {name_str(tbs['subject'])}, issuer "
                f"{name_str(tbs['issuer'])}, serial {int(tbs['serialNumber']):#x}, key "
                f"{spki_str(tbs['subjectPublicKeyInfo'])}")
    return f"publicKey: {spki_str(choice[arm])}"


def shroud_str(alg, params):
    text = oid_name(alg["algorithm"])
    if isinstance(params, ShroudWithPublicKey):
        return f"{text}, ShroudWithPublicKey {swpk_str(params)}"
    if isinstance(params, ShroudWithSharedSecret):
        return f'{text}, ShroudWithSharedSecret "{params}"'
    return f"{alg_str(alg)} (another shroud method; parameters not checked)"


def pki_str(pki):
    text = (f"version {int(pki['version'])}, {alg_str(pki['privateKeyAlgorithm'])}, "
            f"{len(bytes(pki['privateKey']))}-byte privateKey")
    if get(pki, "attributes") is not None:
        text += f", {len(pki['attributes'])} attributes"
    if get(pki, "publicKey") is not None:
        text += ", publicKey [1] (RFC 5958 v2)"
    return text


def opt(obj, name, fmt):
    value = get(obj, name)
    return "absent" if value is None else fmt(value)


def describe(name, obj, shrouds):
    """`field: summary` lines for a decoded production (shrouds: the decoded ShroudMethod
    parameters, by field name)."""
    lines = []
    if name == "ShroudMethod":
        lines.append(f"algorithm: {oid_name(obj['algorithm'])}")
        params = shrouds.get("")
        if isinstance(params, ShroudWithPublicKey):
            lines.append(f"parameters: ShroudWithPublicKey {swpk_str(params)}")
        elif isinstance(params, ShroudWithSharedSecret):
            lines.append(f'parameters: ShroudWithSharedSecret "{params}"')
        else:
            lines.append("parameters: " + opt(obj, "parameters", lambda p: hexs(bytes(p)))
                         + " (another shroud method; not checked)")
    elif name == "ShroudWithPublicKey":
        lines.append(swpk_str(obj))
    elif name == "ShroudWithSharedSecret":
        lines.append(f'value: "{obj}" ({len(bytes(obj))} bytes UTF-8)')
    elif name == "SinglePrivateKey":
        lines.append(f"privateKey: {pki_str(obj['privateKey'])}")
        lines.append(f"certificateId: {rid_str(obj['certificateId'])}")
    elif name == "MultiplePrivateKeys":
        lines.append(f"keys: {len(obj)}")
        for i, spk in enumerate(obj):
            lines.append(f"[{i}].privateKey: {pki_str(spk['privateKey'])}")
            lines.append(f"[{i}].certificateId: {rid_str(spk['certificateId'])}")
    elif name == "ServerKeyGenRequest":
        lines.append(f"certificateRequest: {template_str(obj['certificateRequest'])}")
        lines.append(f"shroudMethod: {shroud_str(obj['shroudMethod'], shrouds['shroudMethod'])}")
        lines.append(f"encCapabilities: {caps_str(obj['encCapabilities'])}")
        archive = bool(obj["fArchiveKey"])
        lines.append(f"fArchiveKey: {'TRUE' if archive else 'FALSE (absent: DEFAULT)'}")
        sel = opt(obj, "selectionCriteria", octets)
        if get(obj, "selectionCriteria") is not None and not archive:
            sel += " (note: section 4.1 says it should appear only with fArchiveKey TRUE)"
        lines.append(f"selectionCriteria: {sel}")
    elif name == "ServerKeyGenResponse":
        lines.append(f"cmsBodyPartId: {int(obj['cmsBodyPartId'])}")
        lines.append(f"requestBodyPartId: {int(obj['requestBodyPartId'])}")
        lines.append(f"issuerAndSerialNumber: {opt(obj, 'issuerAndSerialNumber', iasn_str)}")
    elif name == "KeyArchival":
        kid = obj["keyIdentification"]
        arm = kid.getName()
        lines.append("keyIdentification: " + (f"reqBodyPartID {int(kid[arm])}"
                                              if arm == "reqBodyPartID"
                                              else f"certificateID {rid_str(kid[arm])}"))
        cms = int(obj["cmsBodyPartID"])
        where = "in id-aa-cmc-unsignedData" if cms == 0 else "in cmsSequence"
        lines.append(f"cmsBodyPartID: {cms} ({where})")
        lines.append(f"selectionCriteria: {opt(obj, 'selectionCriteria', octets)}")
    elif name == "KeyRecoveryReq":
        lines.append(f"shroudMethod: {shroud_str(obj['shroudMethod'], shrouds['shroudMethod'])}")
        lines.append(f"encCapabilities: {caps_str(obj['encCapabilities'])}")
        lines.append(f"selectionCriteria: {opt(obj, 'selectionCriteria', octets)}")
    elif name in ("KeyRecoveryRsp", "KeyRecoveryRspLenient"):
        lines.append(f"cmsBodyPartID: {int(obj['cmsBodyPartID'])}")
        lines.append(f"certificateId: {opt(obj, 'certificateId', rid_str)}")
        lines.append(f"selectionCriteria: {opt(obj, 'selectionCriteria', octets)}")
    return lines


# ---------------------------------------------------------------------------------------------
# The production table and `check`.
# ---------------------------------------------------------------------------------------------

PRODUCTIONS = {
    "ShroudMethod": ShroudMethod,
    "ShroudWithPublicKey": ShroudWithPublicKey,
    "ShroudWithSharedSecret": ShroudWithSharedSecret,
    "MultiplePrivateKeys": MultiplePrivateKeys,
    "SinglePrivateKey": SinglePrivateKey,
    "ServerKeyGenRequest": ServerKeyGenRequest,
    "ServerKeyGenResponse": ServerKeyGenResponse,
    "KeyArchival": KeyArchival,
    "KeyRecoveryReq": KeyRecoveryReq,
    "KeyRecoveryRsp": KeyRecoveryRsp,
    "KeyRecoveryRspLenient": KeyRecoveryRspLenient,
}
ALIASES = {"KeyRecoverReq": "KeyRecoveryReq"}


def decode_production(name, der):
    """Decode `der` as production `name` strictly; returns (object, summary lines) or raises
    Reject."""
    name = ALIASES.get(name, name)
    if name not in PRODUCTIONS:
        raise KeyError(name)
    if name == "ShroudWithPublicKey":
        obj = decode_shroud_with_public_key(der)
        return obj, describe(name, obj, {})
    if name == "ShroudWithSharedSecret":
        obj = decode_shared_secret(der)
        return obj, describe(name, obj, {})
    decode_der(der, PRODUCTIONS[name](), name)
    # Summarise a fresh decoding: pyasn1's encoder instantiates absent all-OPTIONAL components
    # (CertTemplate's validity), which would then look present.
    obj = decoder.decode(der, asn1Spec=PRODUCTIONS[name]())[0]
    shrouds = {}
    if name == "ShroudMethod":
        shrouds[""] = check_shroud_method(obj)
    elif name in ("ServerKeyGenRequest", "KeyRecoveryReq"):
        shrouds["shroudMethod"] = check_shroud_method(obj["shroudMethod"])
    return obj, describe(name, obj, shrouds)


def check(name, path):
    """The CLI `check`: 0 and the summary on stdout, or 1 and one line on stderr."""
    try:
        with open(path, "rb") as f:
            der = f.read()
    except OSError as e:
        print(f"{path}: cannot read: {e.strerror}", file=sys.stderr)
        return 2
    try:
        _, lines = decode_production(name, der)
    except Reject as e:
        print(f"{path}: not a DER {ALIASES.get(name, name)}: {e}", file=sys.stderr)
        return 1
    for line in lines:
        print(line)
    print(f"ok {ALIASES.get(name, name)} {len(der)} bytes, DER re-encoding identical")
    return 0


# ---------------------------------------------------------------------------------------------
# Samples, from Appendix B.1 where it has one.
# ---------------------------------------------------------------------------------------------


def pem_der(path):
    with open(path) as f:
        text = f.read()
    body = re.search(r"-----BEGIN [^-]+-----(.*?)-----END", text, re.S)
    return base64.b64decode("".join(body[1].split()))


def cert(name):
    return decoder.decode(pem_der(os.path.join(CLI_KEYS, name + ".crt")),
                          asn1Spec=rfc5280.Certificate())[0]


def private_key(name):
    return decoder.decode(pem_der(os.path.join(CLI_KEYS, name + ".pem")),
                          asn1Spec=rfc5958.PrivateKeyInfo())[0]


def convert(value, spec):
    """The same value as another module's class (through DER)."""
    return decoder.decode(encoder.encode(value), asn1Spec=spec)[0]


def fill_name(name, cn):
    """Make `name` (any module's Name, tagged or not) one RDN, CN as UTF8String (the draft gives
    no string type; RFC 5280 says UTF8String)."""
    rdn = rfc5280.RelativeDistinguishedName()
    atv = rfc5280.AttributeTypeAndValue()
    atv["type"] = rfc5280.id_at_commonName
    atv["value"] = encoder.encode(char.UTF8String(cn))
    rdn.append(atv)
    name["rdnSequence"].append(rdn)


def iasn_of(c):
    iasn = rfc5652.IssuerAndSerialNumber()
    iasn["issuer"] = convert(c["tbsCertificate"]["issuer"], iasn["issuer"])
    iasn["serialNumber"] = int(c["tbsCertificate"]["serialNumber"])
    return iasn


def ski_of(c):
    for ext in c["tbsCertificate"]["extensions"]:
        if ext["extnID"] == rfc5280.id_ce_subjectKeyIdentifier:
            return bytes(decoder.decode(bytes(ext["extnValue"]),
                                        asn1Spec=rfc5280.SubjectKeyIdentifier())[0])
    raise SystemExit("certificate without a subjectKeyIdentifier")


def rid(c, arm):
    r = rfc5652.RecipientIdentifier()
    if arm == "issuerAndSerialNumber":
        r[arm] = iasn_of(c)
    else:
        r[arm] = ski_of(c)
    return r


def capabilities(*oids):
    caps = rfc5751.SMIMECapabilities()
    for oid in oids:
        cap = rfc5751.SMIMECapability()
        cap["capabilityID"] = oid
        caps.append(cap)
    return caps


B1_CAPS = (id_PBKDF2, id_aes128_wrap, id_aes128_CBC)
SELECTION = b"my identity string"


def shroud_method(kind):
    m = ShroudMethod()
    if kind == "sharedSecret":  # B.1: {id-cmc-shroudWithSharedSecret, identity string}
        m["algorithm"] = id_cmc_shroudWithSharedSecret
        m["parameters"] = encoder.encode(ShroudWithSharedSecret("identity string"))
    else:
        m["algorithm"] = id_cmc_shroudWithPublicKey
        m["parameters"] = encoder.encode(shroud_with_public_key(kind))
    return m


def shroud_with_public_key(arm):
    choice = ShroudWithPublicKey()
    alice = cert("sign")
    if arm == "certificate":
        choice["certificate"] = alice
    else:
        choice["publicKey"] = alice["tbsCertificate"]["subjectPublicKeyInfo"]
    return choice


def single(key, c, arm):
    spk = SinglePrivateKey()
    spk["privateKey"] = private_key(key)
    spk["certificateId"] = rid(cert(c), arm)
    return spk


def sample_server_key_gen_request(variant):
    req = ServerKeyGenRequest()
    t = req["certificateRequest"]
    # B.1: {subject = cn="my identity string"}
    fill_name(t["subject"], "my identity string")
    if variant == "archive":
        # Section 4.1: a requested algorithm is a publicKey with a zero-length subjectPublicKey
        # and (SHOULD) no parameters.
        t["publicKey"]["algorithm"]["algorithm"] = rsaEncryption
        t["publicKey"]["subjectPublicKey"] = univ.BitString("")
        req["shroudMethod"] = shroud_method("publicKey")
        req["encCapabilities"] = capabilities(id_aes128_CBC)
        req["fArchiveKey"] = True
        req["selectionCriteria"] = SELECTION
    else:
        req["shroudMethod"] = shroud_method("sharedSecret")
        req["encCapabilities"] = capabilities(*B1_CAPS)
    return req


def sample_server_key_gen_response():
    # B.1: {105, id-cmc-serverKeyGenResponse, 201, 104, {CA issuer name, enc cert serial number}}
    rsp = ServerKeyGenResponse()
    rsp["cmsBodyPartId"] = 201
    rsp["requestBodyPartId"] = 104
    rsp["issuerAndSerialNumber"] = iasn_of(cert("signer"))  # issued by testdata/cli/ca.crt
    return rsp


def sample_key_archival(arm):
    ka = KeyArchival()
    if arm == "reqBodyPartID":
        # Section 5.3: the certification request's id (B.1's certReqID 201); cmsBodyPartID 0 =
        # the EnvelopedData is in id-aa-cmc-unsignedData (section 5.1, "All systems MUST support").
        ka["keyIdentification"]["reqBodyPartID"] = 201
        ka["cmsBodyPartID"] = 0
    else:
        ka["keyIdentification"]["certificateID"] = rid(cert("sign"), arm)
        ka["cmsBodyPartID"] = 301
        ka["selectionCriteria"] = SELECTION
    return ka


def sample_key_recovery_req(kind):
    req = KeyRecoveryReq()
    if kind == "sharedSecret":
        req["shroudMethod"] = shroud_method("sharedSecret")
        req["encCapabilities"] = capabilities(*B1_CAPS)
    else:
        req["shroudMethod"] = shroud_method("certificate")
        req["encCapabilities"] = capabilities(id_aes128_CBC)
        req["selectionCriteria"] = SELECTION
    return req


def sample_key_recovery_rsp(arm):
    rsp = KeyRecoveryRsp()
    rsp["cmsBodyPartID"] = 201
    rsp["certificateId"] = rid(cert("sign"), arm)
    if arm == "subjectKeyIdentifier":
        rsp["selectionCriteria"] = SELECTION
    return rsp


def sample_key_recovery_rsp_lenient():
    # Section 5.2.1's form without certificateID (the keys are in id-ct-multiplePrivateKeys).
    rsp = KeyRecoveryRspLenient()
    rsp["cmsBodyPartID"] = 201
    rsp["selectionCriteria"] = SELECTION
    return rsp


def sample_multiple():
    keys = MultiplePrivateKeys()
    keys.append(single("t1", "t1", "issuerAndSerialNumber"))
    keys.append(single("t2", "t2", "subjectKeyIdentifier"))
    return keys


# name -> (production, builder, what it is); the file is DIR/name.der.
SAMPLES = {
    "ShroudMethod": ("ShroudMethod", lambda: shroud_method("sharedSecret"),
                     'B.1: {id-cmc-shroudWithSharedSecret, "identity string"}'),
    "ShroudMethod-shroudWithPublicKey": ("ShroudMethod", lambda: shroud_method("certificate"),
                                         "{id-cmc-shroudWithPublicKey, certificate sign.crt}"),
    "ShroudWithPublicKey": ("ShroudWithPublicKey",
                            lambda: shroud_with_public_key("certificate"),
                            "certificate arm: testdata/cli/sign.crt (CN=alice)"),
    "ShroudWithPublicKey-publicKey": ("ShroudWithPublicKey",
                                      lambda: shroud_with_public_key("publicKey"),
                                      "publicKey arm: sign.crt's SubjectPublicKeyInfo"),
    "ShroudWithSharedSecret": ("ShroudWithSharedSecret",
                               lambda: ShroudWithSharedSecret("identity string"),
                               'B.1: "identity string"'),
    "SinglePrivateKey": ("SinglePrivateKey",
                         lambda: single("t1", "t1", "issuerAndSerialNumber"),
                         "t1.pem, issuerAndSerialNumber of t1.crt"),
    "MultiplePrivateKeys": ("MultiplePrivateKeys", sample_multiple,
                            "t1.pem + issuerAndSerialNumber(t1.crt), t2.pem + "
                            "subjectKeyIdentifier(t2.crt)"),
    "ServerKeyGenRequest": ("ServerKeyGenRequest", lambda: sample_server_key_gen_request("b1"),
                            'B.1: {subject cn="my identity string"}, shroudWithSharedSecret '
                            '"identity string", {{id-PBKDF2}, {id-aes128-wrap}, '
                            '{id-aes128-CBC}}'),
    "ServerKeyGenRequest-archive": ("ServerKeyGenRequest",
                                    lambda: sample_server_key_gen_request("archive"),
                                    "publicKey {rsaEncryption, empty BIT STRING}, "
                                    "shroudWithPublicKey SPKI of sign.crt, {{id-aes128-CBC}}, "
                                    'fArchiveKey TRUE, selectionCriteria "my identity string"'),
    "ServerKeyGenResponse": ("ServerKeyGenResponse", sample_server_key_gen_response,
                             "B.1: {201, 104, {issuer, serial} of signer.crt}"),
    "KeyArchival": ("KeyArchival", lambda: sample_key_archival("reqBodyPartID"),
                    "{reqBodyPartID 201, cmsBodyPartID 0}"),
    "KeyArchival-issuerAndSerialNumber": ("KeyArchival",
                                          lambda: sample_key_archival("issuerAndSerialNumber"),
                                          "{certificateID issuerAndSerialNumber(sign.crt), 301, "
                                          '"my identity string"}'),
    "KeyArchival-subjectKeyIdentifier": ("KeyArchival",
                                         lambda: sample_key_archival("subjectKeyIdentifier"),
                                         "{certificateID subjectKeyIdentifier(sign.crt), 301, "
                                         '"my identity string"}'),
    "KeyRecoveryReq": ("KeyRecoveryReq", lambda: sample_key_recovery_req("sharedSecret"),
                       "B.1's shroudMethod and encCapabilities"),
    "KeyRecoveryReq-shroudWithPublicKey": ("KeyRecoveryReq",
                                           lambda: sample_key_recovery_req("certificate"),
                                           "shroudWithPublicKey certificate sign.crt, "
                                           '{{id-aes128-CBC}}, "my identity string"'),
    "KeyRecoveryRsp": ("KeyRecoveryRsp", lambda: sample_key_recovery_rsp("issuerAndSerialNumber"),
                       "{201, issuerAndSerialNumber(sign.crt)}"),
    "KeyRecoveryRsp-subjectKeyIdentifier": ("KeyRecoveryRsp",
                                            lambda: sample_key_recovery_rsp(
                                                "subjectKeyIdentifier"),
                                            '{201, subjectKeyIdentifier(sign.crt), '
                                            '"my identity string"}'),
    "KeyRecoveryRspLenient": ("KeyRecoveryRspLenient", sample_key_recovery_rsp_lenient,
                              '{201, "my identity string"}: no certificateId (section 5.2.1); '
                              "Appendix A's KeyRecoveryRsp rejects it"),
}


def sample_der(name):
    return encoder.encode(SAMPLES[name][1]())


# ---------------------------------------------------------------------------------------------
# selftest
# ---------------------------------------------------------------------------------------------


def tlv(tag, *content):
    """A DER TLV assembled by hand (for the known-answer and rejection cases)."""
    body = b"".join(content)
    n = len(body)
    if n < 0x80:
        length = bytes([n])
    else:
        raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(raw)]) + raw
    return bytes([tag]) + length + body


def der_int(v):
    return tlv(0x02, v.to_bytes(v.bit_length() // 8 + 1, "big", signed=False))


def der_oid(oid):
    return encoder.encode(univ.ObjectIdentifier(oid))


def utf8(s):
    return tlv(0x0C, s.encode())


def octet(b):
    return tlv(0x04, b)


def seq(*items):
    return tlv(0x30, *items)


def selftest():
    failures = []

    def fail(text):
        failures.append(text)
        print(f"FAIL {text}")

    # 1. Every sample: encode, decode strictly, re-encode, compare; the strict KeyRecoveryRsp
    # samples also read leniently.
    for name, (production, build, _) in SAMPLES.items():
        der = encoder.encode(build())
        try:
            obj, _ = decode_production(production, der)
            again = encoder.encode(obj)
            if again != der:
                fail(f"sample {name}: re-encoding differs")
                continue
            if production == "KeyRecoveryRsp":
                decode_production("KeyRecoveryRspLenient", der)
            print(f"ok sample {name}: {production}, {len(der)} bytes")
        except Reject as e:
            fail(f"sample {name}: {e}")

    # 2. Known answers: a few samples against TLVs assembled by hand from the draft's text.
    alice = cert("sign")
    alice_der = encoder.encode(alice)
    ski = ski_of(alice)
    b1_caps = seq(seq(der_oid("1.2.840.113549.1.5.12")), seq(der_oid("2.16.840.1.101.3.4.1.5")),
                  seq(der_oid("2.16.840.1.101.3.4.1.2")))
    b1_shroud = seq(der_oid(KMI_ARC + ".1"), utf8("identity string"))
    cn = seq(tlv(0x31, seq(der_oid("2.5.4.3"), utf8("my identity string"))))
    known = {
        "ShroudWithSharedSecret": utf8("identity string"),
        "ShroudMethod": b1_shroud,
        # CertTemplate's subject [5] is EXPLICIT (a tagged CHOICE), fArchiveKey absent.
        "ServerKeyGenRequest": seq(seq(tlv(0xA5, cn)), b1_shroud, b1_caps),
        "ShroudWithPublicKey": alice_der,
        "KeyArchival": seq(der_int(201), der_int(0)),
        # subjectKeyIdentifier [0] IMPLICIT OCTET STRING: primitive 0x80.
        "KeyArchival-subjectKeyIdentifier": seq(tlv(0x80, ski), der_int(301), octet(SELECTION)),
        "KeyRecoveryReq": seq(b1_shroud, b1_caps),
        "KeyRecoveryRspLenient": seq(der_int(201), octet(SELECTION)),
    }
    for name, expected in known.items():
        if sample_der(name) != expected:
            fail(f"known answer {name}: {sample_der(name).hex()} != {expected.hex()}")
        else:
            print(f"ok known answer {name}")

    # 3. Wrong encodings that must be rejected (production, what, bytes).
    spki_der = encoder.encode(alice["tbsCertificate"]["subjectPublicKeyInfo"])
    tagged_cert = bytes([0xA0]) + alice_der[1:]  # [0] IMPLICIT Certificate (kmi 0.1)
    tagged_spki = bytes([0xA1]) + spki_der[1:]  # [1] IMPLICIT SubjectPublicKeyInfo (kmi 0.1)
    iasn = encoder.encode(iasn_of(alice))
    pk = encoder.encode(private_key("t1"))
    bad = [
        ("ShroudWithPublicKey", "[0] IMPLICIT Certificate (kmi 0.1)", tagged_cert),
        ("ShroudWithPublicKey", "[1] IMPLICIT SubjectPublicKeyInfo (kmi 0.1)", tagged_spki),
        ("ShroudWithPublicKey", "[0] EXPLICIT Certificate", tlv(0xA0, alice_der)),
        ("ShroudWithPublicKey", "SEQUENCE { SEQUENCE, INTEGER }",
         seq(seq(der_oid("1.2.840.113549.1.1.1")), der_int(5))),
        ("ShroudWithPublicKey", "a bare BIT STRING (section 2.1's SubjectPublicKey)",
         tlv(0x03, b"\x00\x01\x02")),
        ("ShroudMethod", "shroudWithPublicKey with [0] IMPLICIT Certificate parameters",
         seq(der_oid(KMI_ARC + ".0"), tagged_cert)),
        ("ShroudMethod", "shroudWithPublicKey without parameters", seq(der_oid(KMI_ARC + ".0"))),
        ("ShroudMethod", "shroudWithSharedSecret with a PrintableString",
         seq(der_oid(KMI_ARC + ".1"), tlv(0x13, b"identity string"))),
        ("ShroudWithSharedSecret", "invalid UTF-8", tlv(0x0C, b"\xff\xfe")),
        ("ServerKeyGenRequest", "shroudMethod with kmi 0.1's [1] IMPLICIT SPKI",
         seq(seq(tlv(0xA5, cn)), seq(der_oid(KMI_ARC + ".0"), tagged_spki), b1_caps)),
        ("ServerKeyGenRequest", "fArchiveKey FALSE encoded (DER omits a DEFAULT)",
         seq(seq(tlv(0xA5, cn)), b1_shroud, b1_caps, tlv(0x01, b"\x00"))),
        ("ServerKeyGenRequest", "no encCapabilities",
         seq(seq(tlv(0xA5, cn)), b1_shroud)),
        ("ServerKeyGenRequest", "kmi 0.1's form: TaggedRequest tcr [0], no encCapabilities",
         seq(tlv(0xA0, der_int(1), seq()), b1_shroud)),
        ("ServerKeyGenRequest", "subject [5] IMPLICIT (no explicit tag around the CHOICE)",
         seq(seq(tlv(0xA5, tlv(0x31, seq(der_oid("2.5.4.3"), utf8("x"))))), b1_shroud,
             b1_caps)),
        ("ServerKeyGenResponse", "kmi 0.1's OCTET STRING selectionCriteria third",
         seq(der_int(201), der_int(104), octet(b"sel"))),
        ("ServerKeyGenResponse", "long-form length where the short form fits",
         b"\x30\x81\x06\x02\x01\x05\x02\x01\x06"),
        ("ServerKeyGenResponse", "indefinite length",
         b"\x30\x80\x02\x01\x05\x02\x01\x06\x00\x00"),
        ("KeyArchival", "keyIdentification an OCTET STRING",
         seq(octet(b"\x01"), der_int(0))),
        ("KeyArchival", "keyIdentification a BOOLEAN", seq(tlv(0x01, b"\xff"), der_int(0))),
        ("KeyArchival", "keyIdentification [1]", seq(tlv(0x81, b"\x01"), der_int(0))),
        ("KeyArchival", "keyIdentification [0] constructed (BER SKI)",
         seq(tlv(0xA0, octet(ski)), der_int(0))),
        ("KeyArchival", "reqBodyPartID 2^32 (BodyPartID is 0..4294967295)",
         seq(der_int(1 << 32), der_int(0))),
        ("KeyArchival", "reqBodyPartID -1", seq(tlv(0x02, b"\xff"), der_int(0))),
        ("KeyArchival", "no cmsBodyPartID", seq(der_int(201))),
        ("KeyRecoveryReq", "kmi 0.1's form: bulkEncryptionAlgorithm for encCapabilities",
         seq(b1_shroud, seq(der_oid("2.16.840.1.101.3.4.1.42")))),
        ("KeyRecoveryReq", "no encCapabilities", seq(b1_shroud, octet(b"sel"))),
        ("KeyRecoveryRsp", "no certificateId (section 5.2.1's form)",
         seq(der_int(201), octet(SELECTION))),
        ("KeyRecoveryRsp", "kmi 0.1's form: {bodyPartID}", seq(der_int(201))),
        ("KeyRecoveryRspLenient", "selectionCriteria before certificateId",
         seq(der_int(201), octet(SELECTION), iasn)),
        ("SinglePrivateKey", "kmi 0.1's EncKeyWithID identifier (UTF8String)",
         seq(pk, utf8("alice"))),
        ("SinglePrivateKey", "no certificateId", seq(pk)),
        ("MultiplePrivateKeys", "kmi 0.1's SEQUENCE OF EncKeyWithID {key, \"alice\"}",
         seq(seq(pk, utf8("alice")))),
        ("MultiplePrivateKeys", "kmi 0.1's SEQUENCE OF EncKeyWithID without identifier",
         seq(seq(pk))),
        ("MultiplePrivateKeys", "a SET OF", tlv(0x31, seq(pk, iasn))),
    ]
    for name in SAMPLES:
        bad.append((SAMPLES[name][0], f"sample {name} + one trailing zero byte",
                    sample_der(name) + b"\x00"))
        bad.append((SAMPLES[name][0], f"sample {name} truncated by one byte",
                    sample_der(name)[:-1]))
    for production, what, der in bad:
        try:
            decode_production(production, der)
        except Reject as e:
            reason = str(e)
            if "\n" in reason:
                fail(f"reject {production} ({what}): reason is not one line")
            else:
                print(f"ok rejects {production}, {what}: {reason[:150]}")
            continue
        fail(f"{production} accepted {what}")

    # 4. Encodings that must be read: the lenient KeyRecoveryRsp reads what the strict one
    # rejects above, and DER values pyasn1's plain re-encoding would lose (present but empty
    # OPTIONAL components), an RFC 5958 v2 key, and the empty SEQUENCE OFs Appendix A allows.
    pk_v2 = seq(der_int(1), seq(der_oid("1.3.101.112")), octet(octet(bytes(32))),
                tlv(0x81, b"\x00" + bytes(32)))
    pk_attrs = seq(der_int(0), seq(der_oid("1.3.101.112")), octet(octet(bytes(32))),
                   tlv(0xA0))
    good = [
        ("KeyRecoveryRspLenient", "section 5.2.1's form", seq(der_int(201), octet(SELECTION))),
        ("KeyRecoveryRspLenient", "kmi 0.1's {bodyPartID}", seq(der_int(201))),
        ("ServerKeyGenRequest", "CertTemplate validity [4] {} (present, empty)",
         seq(seq(tlv(0xA4), tlv(0xA5, cn)), b1_shroud, b1_caps)),
        ("ServerKeyGenRequest", "an empty encCapabilities and an empty CertTemplate",
         seq(seq(), b1_shroud, seq())),
        ("ServerKeyGenRequest", "fArchiveKey TRUE", seq(seq(), b1_shroud, b1_caps,
                                                       tlv(0x01, b"\xff"))),
        ("ShroudMethod", "another shroud method, parameters not looked at",
         seq(der_oid("1.2.3.4"), tlv(0xA0, b"\x01"))),
        ("SinglePrivateKey", "PrivateKeyInfo attributes [0] {} (present, empty)",
         seq(pk_attrs, tlv(0x80, ski))),
        ("SinglePrivateKey", "an RFC 5958 v2 key with publicKey [1]", seq(pk_v2, iasn)),
        ("MultiplePrivateKeys", "no keys", seq()),
        ("KeyArchival", "reqBodyPartID 4294967295", seq(der_int(0xFFFFFFFF), der_int(0))),
    ]
    for production, what, der in good:
        try:
            decode_production(production, der)
            print(f"ok reads {production}, {what}")
        except Reject as e:
            fail(f"{production} rejects {what}: {e}")

    if failures:
        print(f"selftest: {len(failures)} failures")
        return 1
    print("selftest: all passed")
    return 0


# ---------------------------------------------------------------------------------------------
# controls: the draft controls of a PKIData / PKIResponse.
# ---------------------------------------------------------------------------------------------

# Two controls of RFC 5272 itself that kmi's requests carry, transcribed from the RFC's text
# (section 6.2.3 and section 6.2.2) rather than from the draft; the draft's section 5.3 step 3
# names them as the proof of identity of a client without a certified key:
#   id-cmc-identification OBJECT IDENTIFIER ::= {id-cmc 2}
#   "The identification control is defined as a UTF8String"
#   id-cmc-identityProofV2 OBJECT IDENTIFIER ::= { id-cmc 34 }
#   IdentifyProofV2 ::= SEQUENCE {
#       proofAlgID       AlgorithmIdentifier,
#       macAlgId         AlgorithmIdentifier,
#       witness          OCTET STRING }
ID_CMC = "1.3.6.1.5.5.7.7"
id_cmc_identification = univ.ObjectIdentifier(ID_CMC + ".2")
id_cmc_identityProofV2 = univ.ObjectIdentifier(ID_CMC + ".34")


class IdentifyProofV2(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("proofAlgID", rfc5280.AlgorithmIdentifier()),
        namedtype.NamedType("macAlgId", rfc5280.AlgorithmIdentifier()),
        namedtype.NamedType("witness", univ.OctetString()),
    )


RFC5272_CONTROLS = {
    str(id_cmc_identification): ("identification", char.UTF8String),
    str(id_cmc_identityProofV2): ("identityProofV2", IdentifyProofV2),
}


def decode_rfc5272_control(oid, der):
    """(name, summary lines) of an identification or identityProofV2 value, strictly."""
    name, spec = RFC5272_CONTROLS[oid]
    obj = decode_der(der, spec(), name)
    if name == "identification":
        return name, [f"identification: {str(obj)!r}"]
    return name, [f"proofAlgID: {obj['proofAlgID']['algorithm']}",
                  f"macAlgId: {obj['macAlgId']['algorithm']}",
                  f"witness: {len(obj['witness'])} octets"]


CONTROL_PRODUCTIONS = {
    str(id_cmc_ServerKeyGenRequest): "ServerKeyGenRequest",
    str(id_cmc_ServerKeyGenResponse): "ServerKeyGenResponse",
    str(id_cmc_KeyArchival): "KeyArchival",
    str(id_cmc_keyRecoveryReq): "KeyRecoveryReq",
    str(id_cmc_keyRecoveryRsp): "KeyRecoveryRsp",
}


def definite(der, i=0):
    """BER with indefinite lengths -> the same TLVs with definite ones (pyasn1 0.6 fails on
    openssl -stream's nested indefinite [0] EXPLICIT OCTET STRING). Returns (bytes, next)."""
    start = i
    i += 1
    if der[start] & 0x1F == 0x1F:
        while der[i] & 0x80:
            i += 1
        i += 1
    tag = der[start:i]
    n = der[i]
    i += 1
    if n != 0x80:
        if n & 0x80:
            k = n & 0x7F
            n = int.from_bytes(der[i:i + k], "big")
            i += k
        if not der[start] & 0x20:
            return tag + tlv(0, der[i:i + n])[1:], i + n
        end, parts = i + n, []
        while i < end:
            part, i = definite(der, i)
            parts.append(part)
        return tag + tlv(0, *parts)[1:], end
    parts = []
    while der[i:i + 2] != b"\x00\x00":
        part, i = definite(der, i)
        parts.append(part)
    return tag + tlv(0, *parts)[1:], i + 2


def load_pki(der):
    """(kind, PKIData or PKIResponse) from a bare body, a ContentInfo or a SignedData."""
    body, kind = der, None
    try:
        der = definite(der)[0]
        body = der
        ci, rest = ber_decoder.decode(der, asn1Spec=rfc5652.ContentInfo())
        if not rest:
            if ci["contentType"] == rfc5652.id_ct_authData:
                # RFC 5652 section 9: a request authenticated with a shared secret.
                ad, _ = ber_decoder.decode(bytes(ci["content"]),
                                           asn1Spec=rfc5652.AuthenticatedData())
                eci = ad["encapContentInfo"]
                body = bytes(eci["eContent"])
                kind = {str(rfc6402.id_cct_PKIData): "PKIData"}.get(str(eci["eContentType"]))
            elif ci["contentType"] == rfc5652.id_signedData:
                sd, _ = ber_decoder.decode(bytes(ci["content"]), asn1Spec=rfc5652.SignedData())
                eci = sd["encapContentInfo"]
                body = bytes(eci["eContent"])
                kind = {str(rfc6402.id_cct_PKIData): "PKIData",
                        str(rfc6402.id_cct_PKIResponse): "PKIResponse"}.get(
                            str(eci["eContentType"]))
            elif ci["contentType"] in (rfc6402.id_cct_PKIData, rfc6402.id_cct_PKIResponse):
                body = bytes(ci["content"])
                kind = ("PKIData" if ci["contentType"] == rfc6402.id_cct_PKIData
                        else "PKIResponse")
    except Exception:
        pass
    for k, spec in (("PKIData", rfc6402.PKIData), ("PKIResponse", rfc6402.PKIResponse)):
        if kind not in (None, k):
            continue
        try:
            obj, rest = ber_decoder.decode(body, asn1Spec=spec())
        except Exception:
            continue
        if not rest:
            return k, obj
    raise SystemExit("not a PKIData or PKIResponse (bare, ContentInfo or SignedData)")


def controls(path, lenient):
    with open(path, "rb") as f:
        kind, obj = load_pki(f.read())
    bad = 0
    seen = 0
    for c in obj["controlSequence"]:
        if str(c["attrType"]) in RFC5272_CONTROLS and len(c["attrValues"]) == 1:
            try:
                name, lines = decode_rfc5272_control(str(c["attrType"]),
                                                     bytes(c["attrValues"][0]))
                print(f"control {int(c['bodyPartID'])} {name}: ok; " + "; ".join(lines))
            except Reject as e:
                print(f"control {int(c['bodyPartID'])} "
                      f"{RFC5272_CONTROLS[str(c['attrType'])][0]}: FAIL {e}")
                bad += 1
            continue
        production = CONTROL_PRODUCTIONS.get(str(c["attrType"]))
        if production is None:
            continue
        seen += 1
        if production == "KeyRecoveryRsp" and lenient:
            production = "KeyRecoveryRspLenient"
        where = f"control {int(c['bodyPartID'])} {production}"
        if len(c["attrValues"]) != 1:
            print(f"{where}: {len(c['attrValues'])} values, expected 1")
            bad += 1
            continue
        try:
            _, lines = decode_production(production, bytes(c["attrValues"][0]))
        except Reject as e:
            print(f"{where}: FAIL {e}")
            bad += 1
            continue
        print(f"{where}: ok; " + "; ".join(lines))
    print(f"{kind}: {seen} draft controls, {bad} not Appendix A DER")
    return 1 if bad else 0


def main(argv):
    usage = ("usage: cmc_archive_asn1.py check PRODUCTION FILE | selftest | sample SAMPLE OUT.der"
             " | samples [DIR] | controls FILE [--lenient]")
    if len(argv) == 3 and argv[0] == "check":
        if ALIASES.get(argv[1], argv[1]) not in PRODUCTIONS:
            print(f"unknown production {argv[1]}; one of: {', '.join(PRODUCTIONS)}",
                  file=sys.stderr)
            return 2
        return check(argv[1], argv[2])
    if argv == ["selftest"]:
        return selftest()
    if len(argv) == 3 and argv[0] == "sample":
        if argv[1] not in SAMPLES:
            print(f"unknown sample {argv[1]}; one of: {', '.join(SAMPLES)}", file=sys.stderr)
            return 2
        with open(argv[2], "wb") as f:
            f.write(sample_der(argv[1]))
        return 0
    if len(argv) in (1, 2) and argv[0] == "samples":
        out = argv[1] if len(argv) == 2 else DEFAULT_SAMPLES_DIR
        os.makedirs(out, exist_ok=True)
        status = 0
        for name, (production, _, what) in SAMPLES.items():
            der = sample_der(name)
            with open(os.path.join(out, name + ".der"), "wb") as f:
                f.write(der)
            try:
                decode_production(production, der)
            except Reject as e:
                print(f"{name}: {e}", file=sys.stderr)
                status = 1
            print(f"wrote {name}.der ({production}, {len(der)} bytes): {what}")
        return status
    if len(argv) in (2, 3) and argv[0] == "controls" and argv[2:] in ([], ["--lenient"]):
        return controls(argv[1], argv[2:] == ["--lenient"])
    print(usage, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
