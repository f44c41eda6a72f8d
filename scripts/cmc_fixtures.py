#!/usr/bin/env python3
"""Make the CMC fixtures in testdata/cmc/ with an independent encoder (pyasn1-modules) and openssl.

Run from the repository root with the venv of scripts/test:
    .venv/bin/python scripts/cmc_fixtures.py            # make the fixtures
    .venv/bin/python scripts/cmc_fixtures.py check KIND FILE [--untagged-ext-fail]
The `check` form is the peer check of the Rust tests (src/cmc/peer_tests.rs): it decodes FILE as
KIND (pkidata | pkiresponse) with decodeOpenTypes=True, every control value against its spec
(the draft's controls are defined below from their ASN.1, under kmi's placeholder OIDs), and
requires the DER re-encoding to equal FILE byte for byte.

Keys are fresh on each run (the files are committed; the tests check only what this script fixes:
names, numbers, identifiers, layout). Needs openssl 3 on PATH.

Files written:
  req.p10.der          PKCS#10 by `openssl req` (RSA 1024, CN=kmi fixture, O=Example)
  archive-cert.der     self-signed RSA 1024 certificate (CN=kmi archive fixture) used as recipient
  signer-cert.der      self-signed RSA 1024 certificate (CN=kmi signer fixture) that signs
  enveloped-ktri.der   `openssl cms -encrypt` to archive-cert.der, RSA-OAEP, AES-256-CBC (DER)
  enveloped-pwri.der   `openssl cms -encrypt -stream -pwri_password`, AES-256-CBC (indefinite BER)
  pkidata.der          bare PKIData by pyasn1 (see make_pkidata)
  pkiresponse.der      bare PKIResponse by pyasn1 (see make_pkiresponse)
  pkidata-ci.der       ContentInfo(id-cct-PKIData, pkidata) by pyasn1
  signed-pkidata.der   `openssl cms -sign -stream -nodetach -econtent_type id-cct-PKIData` over
                       pkidata.der, SHA-256, by signer-cert.der (indefinite BER)
"""

import os
import subprocess
import sys
import tempfile

from pyasn1.codec.der import decoder, encoder
from pyasn1.type import char, namedtype, tag, univ
from pyasn1_modules import rfc2986, rfc4211, rfc5280, rfc5652, rfc5751, rfc6402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "testdata", "cmc")

# formats.md section 1 (kmi's placeholders for the draft's unassigned numbers).
ID_CMC_KEY_ARCHIVAL = univ.ObjectIdentifier("1.3.6.1.4.1.32473.1.3.6")
ID_CMC_ERR_ARCHIVE_REQUIRED = univ.ObjectIdentifier("1.3.6.1.4.1.32473.1.3.10.3")
ID_KMI_FIXTURE_MSG = univ.ObjectIdentifier("1.3.6.1.4.1.32473.1.99")
SENDER_NONCE = bytes(range(1, 17))
RECIPIENT_NONCE = bytes(range(0x21, 0x31))


def run(*args, stdin=None):
    return subprocess.run(args, check=True, capture_output=True, input=stdin).stdout


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
    print(f"wrote testdata/cmc/{name} ({len(data)} bytes)")


def read(name):
    with open(os.path.join(OUT, name), "rb") as f:
        return f.read()


def tagged_attribute(body_part_id, oid, value):
    ta = rfc6402.TaggedAttribute()
    ta["bodyPartID"] = body_part_id
    ta["attrType"] = oid
    ta["attrValues"].append(encoder.encode(value))
    return ta


class KeyIdentification(univ.Choice):
    """KeyArchival's keyIdentification CHOICE { reqBodyPartID, certificateID } (draft Appendix A)."""

    componentType = namedtype.NamedTypes(
        namedtype.NamedType("reqBodyPartID", univ.Integer()),
        namedtype.NamedType("certificateID", rfc5652.RecipientIdentifier()),
    )


class KeyArchival(univ.Sequence):
    """The draft's control, unknown to pyasn1-modules: built here from its ASN.1 (Appendix A;
    scripts/cmc_archive_asn1.py is the full, strict transcription)."""

    componentType = namedtype.NamedTypes(
        namedtype.NamedType("keyIdentification", KeyIdentification()),
        namedtype.NamedType("cmsBodyPartID", univ.Integer()),
        namedtype.OptionalNamedType("selectionCriteria", univ.OctetString()),
    )


class KeyRecoveryRsp(univ.Sequence):
    """Appendix A's form with section 5.2.1's OPTIONAL certificateId (reads both)."""

    componentType = namedtype.NamedTypes(
        namedtype.NamedType("cmsBodyPartID", univ.Integer()),
        namedtype.OptionalNamedType("certificateId", rfc5652.RecipientIdentifier()),
        namedtype.OptionalNamedType("selectionCriteria", univ.OctetString()),
    )


class ServerKeyGenResponse(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("cmsBodyPartId", univ.Integer()),
        namedtype.NamedType("requestBodyPartId", univ.Integer()),
        namedtype.OptionalNamedType("issuerAndSerialNumber", rfc5652.IssuerAndSerialNumber()),
    )


class KeyRecoveryReq(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("shroudMethod", rfc5280.AlgorithmIdentifier()),
        namedtype.NamedType("encCapabilities", rfc5751.SMIMECapabilities()),
        namedtype.OptionalNamedType("selectionCriteria", univ.OctetString()),
    )


class ServerKeyGenRequest(univ.Sequence):
    """The draft's Appendix A form: certificateRequest is a CRMF CertTemplate."""
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("certificateRequest", rfc4211.CertTemplate()),
        namedtype.NamedType("shroudMethod", rfc5280.AlgorithmIdentifier()),
        namedtype.NamedType("encCapabilities", rfc5751.SMIMECapabilities()),
        namedtype.DefaultedNamedType("fArchiveKey", univ.Boolean(False)),
        namedtype.OptionalNamedType("selectionCriteria", univ.OctetString()),
    )


class ExtendedFailInfo(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("failInfoOID", univ.ObjectIdentifier()),
        namedtype.NamedType("failInfoValue", univ.Any()),
    )


def cmc_status_info_v2(untagged_ext_fail):
    """CMCStatusInfoV2 with RFC 6402's `extendedFailInfo [1]` (IMPLICIT TAGS module), or, for
    the RFC 5272 untagged form, without the pendInfo arm that makes pyasn1-modules' own
    definition ambiguous (two untagged SEQUENCE arms)."""
    if untagged_ext_fail:
        arms = [namedtype.NamedType("failInfo", rfc6402.CMCFailInfo()),
                namedtype.NamedType("extendedFailInfo", ExtendedFailInfo())]
    else:
        arms = [namedtype.NamedType("failInfo", rfc6402.CMCFailInfo()),
                namedtype.NamedType("pendInfo", rfc6402.PendInfo()),
                namedtype.NamedType("extendedFailInfo", ExtendedFailInfo().subtype(
                    implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 1)))]

    class OtherStatusInfo(univ.Choice):
        componentType = namedtype.NamedTypes(*arms)

    class CMCStatusInfoV2(univ.Sequence):
        componentType = namedtype.NamedTypes(
            namedtype.NamedType("cMCStatus", rfc6402.CMCStatus()),
            namedtype.NamedType("bodyList",
                                univ.SequenceOf(componentType=rfc6402.BodyPartReference())),
            namedtype.OptionalNamedType("statusString", char.UTF8String()),
            namedtype.OptionalNamedType("otherInfo", OtherStatusInfo()),
        )

    return CMCStatusInfoV2()


def check(kind, path, untagged_ext_fail=False):
    """The peer check: decode with open types, re-encode, compare. Prints one line per part."""
    rfc6402.cmcControlAttributesMap.update({
        rfc6402.id_cmc_statusInfoV2: cmc_status_info_v2(untagged_ext_fail),
        ID_CMC_KEY_ARCHIVAL: KeyArchival(),
        univ.ObjectIdentifier("1.3.6.1.4.1.32473.1.3.4"): ServerKeyGenRequest(),
        univ.ObjectIdentifier("1.3.6.1.4.1.32473.1.3.5"): ServerKeyGenResponse(),
        univ.ObjectIdentifier("1.3.6.1.4.1.32473.1.3.7"): KeyRecoveryReq(),
        univ.ObjectIdentifier("1.3.6.1.4.1.32473.1.3.8"): KeyRecoveryRsp(),
    })
    spec = {"pkidata": rfc6402.PKIData, "pkiresponse": rfc6402.PKIResponse}[kind]()
    with open(path, "rb") as f:
        der = f.read()
    obj, rest = decoder.decode(der, asn1Spec=spec, decodeOpenTypes=True)
    if rest:
        raise SystemExit(f"{path}: {len(rest)} bytes after the {kind}")
    again = encoder.encode(obj)
    if again != der:
        raise SystemExit(f"{path}: pyasn1 re-encodes differently:\n {der.hex()}\n {again.hex()}")
    for c in obj["controlSequence"]:
        known = c["attrType"] in rfc6402.cmcControlAttributesMap
        print(f"control {c['bodyPartID']} {c['attrType']} {'typed' if known else 'open'}")
    if kind == "pkidata":
        for r in obj["reqSequence"]:
            print(f"request {r.getName()}")
    for t in obj["cmsSequence"]:
        print(f"cms {t['bodyPartID']} {t['contentInfo']['contentType']}")
    print(f"ok {kind} {len(der)} bytes")


def status_info_v2(status, body_ids, text=None, ext_fail=None):
    si = rfc6402.CMCStatusInfoV2()
    si["cMCStatus"] = status
    for b in body_ids:
        ref = rfc6402.BodyPartReference()
        ref["bodyPartID"] = b
        si["bodyList"].append(ref)
    if text is not None:
        si["statusString"] = text
    if ext_fail is not None:
        oid, value = ext_fail
        # pyasn1-modules writes extendedFailInfo untagged (the RFC 5272 form).
        other = si["otherInfo"]
        other["extendedFailInfo"]["failInfoOID"] = oid
        other["extendedFailInfo"]["failInfoValue"] = encoder.encode(value)
    return si


def make_openssl_inputs(tmp):
    key = os.path.join(tmp, "k.pem")
    run("openssl", "req", "-new", "-newkey", "rsa:1024", "-nodes", "-keyout", key,
        "-subj", "/CN=kmi fixture/O=Example", "-outform", "DER", "-out",
        os.path.join(OUT, "req.p10.der"))
    for name, cn in (("archive", "kmi archive fixture"), ("signer", "kmi signer fixture")):
        run("openssl", "req", "-x509", "-newkey", "rsa:1024", "-nodes", "-days", "3650",
            "-keyout", os.path.join(tmp, f"{name}.key"), "-subj", f"/CN={cn}",
            "-outform", "DER", "-out", os.path.join(OUT, f"{name}-cert.der"))
        run("openssl", "x509", "-inform", "DER", "-in", os.path.join(OUT, f"{name}-cert.der"),
            "-out", os.path.join(tmp, f"{name}.pem"))
    plain = os.path.join(tmp, "plain.txt")
    with open(plain, "wb") as f:
        f.write(b"not a real key\n")
    run("openssl", "cms", "-encrypt", "-binary", "-aes256", "-in", plain, "-outform", "DER",
        "-out", os.path.join(OUT, "enveloped-ktri.der"), "-recip", os.path.join(tmp, "archive.pem"),
        "-keyopt", "rsa_padding_mode:oaep")
    run("openssl", "cms", "-encrypt", "-stream", "-binary", "-aes256", "-in", plain,
        "-outform", "DER", "-out", os.path.join(OUT, "enveloped-pwri.der"),
        "-pwri_password", "fixture")
    print("wrote req.p10.der, archive-cert.der, signer-cert.der, enveloped-ktri.der, "
          "enveloped-pwri.der")


def make_pkidata():
    """controls: transactionId 4242 (body 1), senderNonce 01..10 (body 2), KeyArchival
    {reqBodyPartID 10, cmsBodyPartID 11, selectionCriteria "sel"} under kmi's placeholder OID
    (body 3), statusInfoV2 success bodyList [10] (body 4); reqSequence: tcr body 10 = req.p10.der;
    cmsSequence: body 11 = enveloped-ktri.der; otherMsgSequence: body 12, type
    1.3.6.1.4.1.32473.1.99, value UTF8String "hello"."""
    pd = rfc6402.PKIData()
    controls = pd["controlSequence"]
    controls.append(tagged_attribute(1, rfc6402.id_cmc_transactionId, univ.Integer(4242)))
    controls.append(tagged_attribute(2, rfc6402.id_cmc_senderNonce, univ.OctetString(SENDER_NONCE)))
    ka = KeyArchival()
    ka["keyIdentification"]["reqBodyPartID"] = 10
    ka["cmsBodyPartID"] = 11
    ka["selectionCriteria"] = b"sel"
    controls.append(tagged_attribute(3, ID_CMC_KEY_ARCHIVAL, ka))
    controls.append(tagged_attribute(4, rfc6402.id_cmc_statusInfoV2, status_info_v2(0, [10])))

    csr, _ = decoder.decode(read("req.p10.der"), asn1Spec=rfc2986.CertificationRequest())
    tr = rfc6402.TaggedRequest()
    tcr = tr["tcr"]
    tcr["bodyPartID"] = 10
    # rfc6402's CertificationRequest is its own class: copy through DER.
    tcr["certificationRequest"], _ = decoder.decode(
        encoder.encode(csr), asn1Spec=rfc6402.CertificationRequest())
    pd["reqSequence"].append(tr)

    # openssl writes BER; pyasn1's DER encoder re-encodes it with definite lengths.
    from pyasn1.codec.ber import decoder as ber_decoder
    ci, _ = ber_decoder.decode(read("enveloped-ktri.der"), asn1Spec=rfc5652.ContentInfo())
    tci = rfc6402.TaggedContentInfo()
    tci["bodyPartID"] = 11
    tci["contentInfo"], _ = decoder.decode(encoder.encode(ci), asn1Spec=rfc5652.ContentInfo())
    pd["cmsSequence"].append(tci)

    om = rfc6402.OtherMsg()
    om["bodyPartID"] = 12
    om["otherMsgType"] = ID_KMI_FIXTURE_MSG
    om["otherMsgValue"] = encoder.encode(char.UTF8String("hello"))
    pd["otherMsgSequence"].append(om)
    return encoder.encode(pd)


def make_pkiresponse():
    """controls: statusInfoV2 failed (body 1), bodyList [10], statusString "archive required",
    extendedFailInfo (untagged) {1.3.6.1.4.1.32473.1.3.10.3, INTEGER 3}; transactionId 4242
    (body 2); recipientNonce 21..30 (body 3). cmsSequence and otherMsgSequence empty."""
    pr = rfc6402.PKIResponse()
    controls = pr["controlSequence"]
    controls.append(tagged_attribute(1, rfc6402.id_cmc_statusInfoV2, status_info_v2(
        2, [10], "archive required", (ID_CMC_ERR_ARCHIVE_REQUIRED, univ.Integer(3)))))
    controls.append(tagged_attribute(2, rfc6402.id_cmc_transactionId, univ.Integer(4242)))
    controls.append(tagged_attribute(3, rfc6402.id_cmc_recipientNonce,
                                     univ.OctetString(RECIPIENT_NONCE)))
    pr["cmsSequence"]  # present and empty
    pr["otherMsgSequence"]
    return encoder.encode(pr)


def main():
    os.makedirs(OUT, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        make_openssl_inputs(tmp)
        pkidata = make_pkidata()
        write("pkidata.der", pkidata)
        write("pkiresponse.der", make_pkiresponse())
        ci = rfc5652.ContentInfo()
        ci["contentType"] = rfc6402.id_cct_PKIData
        ci["content"] = pkidata
        write("pkidata-ci.der", encoder.encode(ci))
        pd_path = os.path.join(tmp, "pkidata.der")
        with open(pd_path, "wb") as f:
            f.write(pkidata)
        run("openssl", "cms", "-sign", "-stream", "-binary", "-nodetach", "-in", pd_path,
            "-econtent_type", "1.3.6.1.5.5.7.12.2", "-signer", os.path.join(tmp, "signer.pem"),
            "-inkey", os.path.join(tmp, "signer.key"), "-md", "sha256", "-outform", "DER",
            "-out", os.path.join(OUT, "signed-pkidata.der"))
        print("wrote testdata/cmc/signed-pkidata.der")
    # Self-check: pyasn1 reads back what it wrote, open types included.
    check("pkidata", os.path.join(OUT, "pkidata.der"))
    check("pkiresponse", os.path.join(OUT, "pkiresponse.der"), untagged_ext_fail=True)
    return 0


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "check":
        check(sys.argv[2], sys.argv[3], "--untagged-ext-fail" in sys.argv[4:])
        sys.exit(0)
    sys.exit(main())
