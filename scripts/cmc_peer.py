#!/usr/bin/env python3
"""The independent CMC peer of the CLI tests (tests/cli/cmc.rs): pyasn1-modules for the ASN.1,
openssl 3 for every cryptographic primitive. Nothing here uses kmi.

Run with the venv of scripts/test (KMI_PYTHON):
    cmc_peer.py envelope REQ OUT
        Pull the archived key's EnvelopedData (a ContentInfo) out of a signed archive request:
        the cmsSequence entry a KeyArchival control names, or, for cmsBodyPartID 0, the
        CMCUnsignedData of the id-aa-cmc-unsignedData unsigned attribute whose bodyPartPath is
        [that control's bodyPartID]. Prints "placement body|unsigned".
    cmc_peer.py enckey PLAIN OUT
        Decode an id-ct-encKeyWithID plaintext (RFC 4211 EncKeyWithID), write its privateKey
        (PKCS#8 DER) to OUT; prints "identifier TEXT" when it has a string identifier.
    cmc_peer.py status RSP
        Decode a signed PKIResponse with open types and print its CMCStatusInfoV2: "status N",
        "failInfo N" or "extendedFailInfo OID N", "statusString TEXT", then "cms ID OID" lines.
    cmc_peer.py keygen-group REQ
        Print p, g, q (hex) of the X9.42 group a ServerKeyGenRequest asks for (the parameters of
        its CertTemplate's dhpublicnumber publicKey, draft 4.1).
    cmc_peer.py build-archive --key KEY --agent CERT --identity ID --sign-key KEY
                              --sign-cert CERT --placement body|unsigned [--selection TEXT]
                              [--envelope-key KEY] [--omit-control] [--oaep-md sha1|sha256]
                              [--keyid] [--stream] [--bad-pop] [--envelope-file ENV] OUT
        A Full PKI Request made without kmi: PKIData (transactionId, senderNonce,
        identification, KeyArchival) with a tcr PKCS#10 from `openssl req`, signed with
        `openssl cms -sign -nodetach -binary -econtent_type id-cct-PKIData -md sha256`; the key
        as EnvelopedData(id-ct-encKeyWithID) built here with openssl primitives (rand, enc
        -aes-256-cbc, pkeyutl RSAES-OAEP-SHA256), in cmsSequence (body) or appended by pyasn1
        as the id-aa-cmc-unsignedData unsigned attribute (unsigned). --envelope-file puts the
        given ContentInfo (e.g. from openssl-envelope) there instead.
    cmc_peer.py openssl-envelope --key KEY --agent CERT --identity ID
                                 [--cipher aes-256-gcm|aes-256-cbc] [--padding oaep|pkcs1]
                                 [--plain FILE] OUT
        The archived key's envelope written by `openssl cms -encrypt -recip CERT` itself:
        AuthEnvelopedData for -aes-256-gcm (the default), EnvelopedData for -aes-256-cbc, with
        RSAES-OAEP (`-keyopt rsa_padding_mode:oaep`, the default) or openssl's own default
        PKCS#1 v1.5 key transport (--padding pkcs1). The plaintext is the EncKeyWithID of KEY
        (or the bytes of --plain). The envelope is left exactly as openssl wrote it: inner
        content type id-data (openssl 3.0 sets no other when encrypting), no authAttrs.
        Prints the outer and inner content types.
    cmc_peer.py build-recovery --identity ID --shroud-cert CERT [--tagged] [--selection TEXT]
                               --sign-key KEY --sign-cert CERT OUT
        A recovery request made without kmi: KeyRecoveryReq with id-cmc-shroudWithPublicKey and
        the certificate untagged (the draft's form) or [0] IMPLICIT (kmi 0.1's), signed by openssl.
    cmc_peer.py identity --secret HEX REQ
        Check a request made without a signing key with the secret shared with the agent. For
        AuthenticatedData (RFC 5652 section 9): PBKDF2-HMAC-SHA256 (hashlib) of the secret per the
        PWRI's parameters gives the KEK, `openssl enc -d -id-aes256-wrap` unwraps the MAC key,
        and HMAC-SHA256 over the DER of authAttrs (SET OF tag, section 9.2) must equal the mac;
        the message-digest attribute must be SHA-256(eContent) and the content-type attribute
        eContentType. Prints "mac ok". Then, for AuthenticatedData or SignedData alike, the
        identityProofV2 control (RFC 5272 section 6.2.2, id-cmc 34): the key is SHA-256 of the
        secret followed by the identification's UTF8 octets (sections 6.2.1 and 6.2.3), the
        witness HMAC-SHA256 of the reqSequence's DER, or, with no requests, of a SEQUENCE OF the
        ServerKeyGenRequest / KeyRecoveryReq control values (the draft's section 4.1 rule, as kmi
        extends it to recovery). Prints "identityProofV2 ok IDENTITY".
"""

import argparse
import hashlib
import hmac
import os
import subprocess
import sys
import tempfile

from pyasn1.codec.ber import decoder as ber_decoder
from pyasn1.codec.der import decoder, encoder
from pyasn1.type import char, univ
from pyasn1_modules import rfc3279, rfc4055, rfc4211, rfc5280, rfc5652, rfc5751, rfc6402, rfc8018

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cmc_fixtures  # noqa: E402  (the draft's controls as pyasn1 classes)

# formats.md section 1.
ID_CMC_KEY_ARCHIVAL = cmc_fixtures.ID_CMC_KEY_ARCHIVAL
ID_CMC_SERVER_KEYGEN_REQUEST = univ.ObjectIdentifier("1.3.6.1.4.1.32473.1.3.4")
ID_CMC_ARCHIVE_ENVELOPED_DATA = univ.ObjectIdentifier("1.3.6.1.4.1.32473.1.3.9")
ID_CMC_KEY_RECOVERY_REQ = univ.ObjectIdentifier("1.3.6.1.4.1.32473.1.3.7")
ID_CMC_SHROUD_WITH_PUBLIC_KEY = univ.ObjectIdentifier("1.3.6.1.4.1.32473.1.3.0")
AES256_CBC = univ.ObjectIdentifier("2.16.840.1.101.3.4.1.42")
AES256_GCM = univ.ObjectIdentifier("2.16.840.1.101.3.4.1.46")
# RFC 5083 section 1.1.
ID_CT_AUTH_ENVELOPED_DATA = univ.ObjectIdentifier("1.2.840.113549.1.9.16.1.23")


def run(*args, stdin=None):
    p = subprocess.run(args, capture_output=True, input=stdin)
    if p.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{p.stderr.decode(errors='replace')}")
    return p.stdout


def convert(value, spec):
    """A value of one pyasn1 class as another class of the same ASN.1 type (through DER)."""
    obj, rest = decoder.decode(encoder.encode(value), asn1Spec=spec)
    assert not rest
    return obj


def read(path):
    with open(path, "rb") as f:
        return f.read()


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def register_controls():
    rfc6402.cmcControlAttributesMap.update({
        rfc6402.id_cmc_statusInfoV2: cmc_fixtures.cmc_status_info_v2(False),
        ID_CMC_KEY_ARCHIVAL: cmc_fixtures.KeyArchival(),
        ID_CMC_SERVER_KEYGEN_REQUEST: cmc_fixtures.ServerKeyGenRequest(),
        univ.ObjectIdentifier("1.3.6.1.4.1.32473.1.3.5"): cmc_fixtures.ServerKeyGenResponse(),
        univ.ObjectIdentifier("1.3.6.1.4.1.32473.1.3.7"): cmc_fixtures.KeyRecoveryReq(),
        univ.ObjectIdentifier("1.3.6.1.4.1.32473.1.3.8"): cmc_fixtures.KeyRecoveryRsp(),
    })


def signed_data(path):
    """(SignedData, eContent bytes) of a ContentInfo(SignedData) file, DER or BER."""
    ci, rest = ber_decoder.decode(read(path), asn1Spec=rfc5652.ContentInfo())
    if rest:
        raise SystemExit(f"{path}: {len(rest)} bytes after the ContentInfo")
    if ci["contentType"] != rfc5652.id_signedData:
        raise SystemExit(f"{path}: content type {ci['contentType']}, not SignedData")
    sd, _ = ber_decoder.decode(ci["content"], asn1Spec=rfc5652.SignedData())
    return sd, bytes(sd["encapContentInfo"]["eContent"])


def control_value(ta):
    """The first value of a TaggedAttribute, decoded as its registered control type (already
    decoded when the message was read with decodeOpenTypes)."""
    value = ta["attrValues"][0]
    if not isinstance(value, univ.Any):
        return value
    spec = rfc6402.cmcControlAttributesMap[ta["attrType"]]
    value, rest = decoder.decode(bytes(value), asn1Spec=spec)
    assert not rest
    return value


def cmd_envelope(args):
    register_controls()
    sd, content = signed_data(args.req)
    pd, _ = decoder.decode(content, asn1Spec=rfc6402.PKIData())
    archival = [(int(ta["bodyPartID"]), control_value(ta)) for ta in pd["controlSequence"]
                if ta["attrType"] == ID_CMC_KEY_ARCHIVAL]
    if len(archival) != 1:
        raise SystemExit(f"{len(archival)} KeyArchival controls")
    body, ka = archival[0]
    cms_id = int(ka["cmsBodyPartID"])
    if cms_id != 0:
        found = [t["contentInfo"] for t in pd["cmsSequence"] if int(t["bodyPartID"]) == cms_id]
        if len(found) != 1:
            raise SystemExit(f"no cmsSequence entry {cms_id}")
        write(args.out, encoder.encode(found[0]))
        print("placement body")
        return
    found = []
    for si in sd["signerInfos"]:
        if not si["unsignedAttrs"].isValue:
            continue
        for attr in si["unsignedAttrs"]:
            if attr["attrType"] != rfc6402.id_aa_cmc_unsignedData:
                continue
            for v in attr["attrValues"]:
                ud, rest = decoder.decode(bytes(v), asn1Spec=rfc6402.CMCUnsignedData())
                assert not rest
                if (ud["identifier"] == ID_CMC_ARCHIVE_ENVELOPED_DATA
                        and [int(x) for x in ud["bodyPartPath"]] == [body]):
                    found.append(bytes(ud["content"]))
    if len(found) != 1:
        raise SystemExit(f"{len(found)} CMCUnsignedData values bound to KeyArchival {body}")
    ci, rest = decoder.decode(found[0], asn1Spec=rfc5652.ContentInfo())
    assert not rest and ci["contentType"] in (rfc5652.id_envelopedData,
                                              ID_CT_AUTH_ENVELOPED_DATA), ci["contentType"]
    write(args.out, found[0])
    print("placement unsigned")


def cmd_enckey(args):
    ekwi, rest = decoder.decode(read(args.plain), asn1Spec=rfc4211.EncKeyWithID())
    if rest:
        raise SystemExit(f"{len(rest)} bytes after the EncKeyWithID")
    write(args.out, encoder.encode(ekwi["privateKey"]))
    ident = ekwi["identifier"]
    if ident.isValue and ident.getName() == "string":
        print(f"identifier {ident['string']}")


def cmd_status(args):
    register_controls()
    _, content = signed_data(args.rsp)
    pr, rest = decoder.decode(content, asn1Spec=rfc6402.PKIResponse(), decodeOpenTypes=True)
    assert not rest
    if encoder.encode(pr) != content:
        raise SystemExit("pyasn1 re-encodes the PKIResponse differently")
    statuses = [control_value(ta) for ta in pr["controlSequence"]
                if ta["attrType"] == rfc6402.id_cmc_statusInfoV2]
    if len(statuses) != 1:
        raise SystemExit(f"{len(statuses)} statusInfoV2 controls")
    s = statuses[0]
    print(f"status {int(s['cMCStatus'])}")
    print("bodyList " + " ".join(str(int(b["bodyPartID"])) for b in s["bodyList"]))
    if s["statusString"].isValue:
        print(f"statusString {s['statusString']}")
    other = s["otherInfo"]
    if other.isValue:
        arm = other.getName()
        if arm == "failInfo":
            print(f"failInfo {int(other['failInfo'])}")
        elif arm == "extendedFailInfo":
            e = other["extendedFailInfo"]
            code, _ = decoder.decode(bytes(e["failInfoValue"]), asn1Spec=univ.Integer())
            print(f"extendedFailInfo {e['failInfoOID']} {int(code)}")
        else:
            print(f"otherInfo {arm}")
    for t in pr["cmsSequence"]:
        print(f"cms {int(t['bodyPartID'])} {t['contentInfo']['contentType']}")


def cmd_keygen_group(args):
    register_controls()
    _, content = signed_data(args.req)
    pd, _ = decoder.decode(content, asn1Spec=rfc6402.PKIData())
    for ta in pd["controlSequence"]:
        if ta["attrType"] != ID_CMC_SERVER_KEYGEN_REQUEST:
            continue
        skg = control_value(ta)
        alg = skg["certificateRequest"]["publicKey"]["algorithm"]
        if not alg["parameters"].isValue:
            continue
        params, _ = decoder.decode(bytes(alg["parameters"]), asn1Spec=rfc3279.DomainParameters())
        for name in ("p", "g", "q"):
            print(f"{name} {int(params[name]):x}")
        return
    raise SystemExit("no ServerKeyGenRequest with a dhpublicnumber group")


def tagged_attribute(body_part_id, oid, value):
    return cmc_fixtures.tagged_attribute(body_part_id, oid, value)


def enveloped_enc_key(tmp, key_path, agent_cert_path, identity, oaep_md="sha256"):
    """ContentInfo(EnvelopedData(id-ct-encKeyWithID)) DER: KTRI RSAES-OAEP-SHA256 to the agent's
    certificate (issuerAndSerialNumber), AES-256-CBC content; every primitive by openssl."""
    pkcs8 = run("openssl", "pkcs8", "-topk8", "-nocrypt", "-in", key_path, "-outform", "DER")
    ekwi = rfc4211.EncKeyWithID()
    ekwi["privateKey"], _ = decoder.decode(pkcs8, asn1Spec=rfc4211.PrivateKeyInfo())
    ekwi["identifier"]["string"] = char.UTF8String(identity)
    plain = os.path.join(tmp, "enckey.der")
    write(plain, encoder.encode(ekwi))

    cek = run("openssl", "rand", "32")
    iv = run("openssl", "rand", "16")
    ciphertext = run("openssl", "enc", "-aes-256-cbc", "-K", cek.hex(), "-iv", iv.hex(),
                     "-in", plain)
    cek_path = os.path.join(tmp, "cek.bin")
    write(cek_path, cek)
    wrapped = run("openssl", "pkeyutl", "-encrypt", "-certin", "-inkey", agent_cert_path,
                  "-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", f"rsa_oaep_md:{oaep_md}",
                  "-pkeyopt", f"rsa_mgf1_md:{oaep_md}", "-in", cek_path)

    agent_der = run("openssl", "x509", "-in", agent_cert_path, "-outform", "DER")
    cert, _ = decoder.decode(agent_der, asn1Spec=rfc5280.Certificate())
    ias = rfc5652.IssuerAndSerialNumber()
    ias["issuer"] = convert(cert["tbsCertificate"]["issuer"], rfc5652.IssuerAndSerialNumber()
                            .componentType["issuer"].asn1Object)
    ias["serialNumber"] = int(cert["tbsCertificate"]["serialNumber"])

    oaep = rfc5280.AlgorithmIdentifier()
    oaep["algorithm"] = rfc4055.id_RSAES_OAEP
    # SHA-1 is RSAES-OAEP's default: empty parameters (RFC 4055 section 4.1).
    oaep["parameters"] = encoder.encode(rfc4055.rSAES_OAEP_SHA256_Params if oaep_md == "sha256"
                                        else rfc4055.rSAES_OAEP_Default_Params)

    ktri = rfc5652.KeyTransRecipientInfo()
    ktri["version"] = 0
    ktri["rid"]["issuerAndSerialNumber"] = ias
    ktri["keyEncryptionAlgorithm"] = convert(oaep, rfc5652.KeyEncryptionAlgorithmIdentifier())
    ktri["encryptedKey"] = wrapped
    ri = rfc5652.RecipientInfo()
    ri["ktri"] = ktri

    ed = rfc5652.EnvelopedData()
    ed["version"] = 0
    ed["recipientInfos"].append(ri)
    eci = ed["encryptedContentInfo"]
    eci["contentType"] = rfc4211.id_ct_encKeyWithID
    eci["contentEncryptionAlgorithm"]["algorithm"] = AES256_CBC
    eci["contentEncryptionAlgorithm"]["parameters"] = encoder.encode(univ.OctetString(iv))
    eci["encryptedContent"] = ciphertext

    ci = rfc5652.ContentInfo()
    ci["contentType"] = rfc5652.id_envelopedData
    ci["content"] = encoder.encode(ed)
    return encoder.encode(ci)


def cmd_build_archive(args):
    register_controls()
    with tempfile.TemporaryDirectory() as tmp:
        # The certification request (proof of possession: its self-signature), by openssl.
        csr_der = run("openssl", "req", "-new", "-key", args.key, "-subj", f"/CN={args.identity}",
                      "-addext", "keyUsage=critical,keyEncipherment", "-sha256",
                      "-outform", "DER")
        if args.bad_pop:
            # The last byte of the PKCS#10 signature (the BIT STRING ends the DER).
            csr_der = csr_der[:-1] + bytes([csr_der[-1] ^ 0x01])
        if args.envelope_file:
            env = read(args.envelope_file)
        else:
            env = enveloped_enc_key(tmp, args.envelope_key or args.key, args.agent,
                                    args.identity, args.oaep_md)

        pd = rfc6402.PKIData()
        controls = pd["controlSequence"]
        controls.append(tagged_attribute(1, rfc6402.id_cmc_transactionId,
                                         univ.Integer(int.from_bytes(os.urandom(7), "big"))))
        controls.append(tagged_attribute(2, rfc6402.id_cmc_senderNonce,
                                         univ.OctetString(os.urandom(16))))
        controls.append(tagged_attribute(3, rfc6402.id_cmc_identification,
                                         char.UTF8String(args.identity)))
        ka = cmc_fixtures.KeyArchival()
        ka["keyIdentification"]["reqBodyPartID"] = 5
        ka["cmsBodyPartID"] = 6 if args.placement == "body" else 0
        if args.selection is not None:
            ka["selectionCriteria"] = args.selection.encode()
        if not args.omit_control:
            controls.append(tagged_attribute(4, ID_CMC_KEY_ARCHIVAL, ka))

        tr = rfc6402.TaggedRequest()
        tr["tcr"]["bodyPartID"] = 5
        tr["tcr"]["certificationRequest"], _ = decoder.decode(
            csr_der, asn1Spec=rfc6402.CertificationRequest())
        pd["reqSequence"].append(tr)
        if args.placement == "body":
            tci = rfc6402.TaggedContentInfo()
            tci["bodyPartID"] = 6
            tci["contentInfo"], _ = decoder.decode(env, asn1Spec=rfc5652.ContentInfo())
            pd["cmsSequence"].append(tci)
        pd["cmsSequence"]
        pd["otherMsgSequence"]
        pd_path = os.path.join(tmp, "pkidata.der")
        write(pd_path, encoder.encode(pd))

        sign = ["openssl", "cms", "-sign", "-nodetach", "-binary", "-in", pd_path,
                "-econtent_type", "1.3.6.1.5.5.7.12.2", "-md", "sha256",
                "-signer", args.sign_cert, "-inkey", args.sign_key, "-outform", "DER"]
        if args.keyid:
            sign += ["-keyid", "-nocerts"]
        if args.stream:
            sign += ["-stream"]
        signed = run(*sign)
        if args.placement == "body":
            write(args.out, signed)
            return

        ci, rest = ber_decoder.decode(signed, asn1Spec=rfc5652.ContentInfo())
        assert not rest
        sd, rest = ber_decoder.decode(ci["content"], asn1Spec=rfc5652.SignedData())
        assert not rest
        ud = rfc6402.CMCUnsignedData()
        ud["bodyPartPath"].append(4)
        ud["identifier"] = ID_CMC_ARCHIVE_ENVELOPED_DATA
        ud["content"] = env
        attr = rfc5652.Attribute()
        attr["attrType"] = rfc6402.id_aa_cmc_unsignedData
        attr["attrValues"].append(encoder.encode(ud))
        si = sd["signerInfos"][0]
        si["unsignedAttrs"].append(attr)
        ci["content"] = encoder.encode(sd)
        write(args.out, encoder.encode(ci))


def enc_key_with_id(key_path, identity):
    """EncKeyWithID DER: KEY's PKCS#8 (by openssl) with a string identifier."""
    pkcs8 = run("openssl", "pkcs8", "-topk8", "-nocrypt", "-in", key_path, "-outform", "DER")
    ekwi = rfc4211.EncKeyWithID()
    ekwi["privateKey"], _ = decoder.decode(pkcs8, asn1Spec=rfc4211.PrivateKeyInfo())
    ekwi["identifier"]["string"] = char.UTF8String(identity)
    return encoder.encode(ekwi)


def cmd_openssl_envelope(args):
    with tempfile.TemporaryDirectory() as tmp:
        plain = os.path.join(tmp, "plain.der")
        write(plain, read(args.plain) if args.plain else enc_key_with_id(args.key, args.identity))
        cmd = ["openssl", "cms", "-encrypt", "-binary", "-outform", "DER", "-in", plain,
               f"-{args.cipher}", "-recip", args.agent]
        if args.padding == "oaep":
            cmd += ["-keyopt", "rsa_padding_mode:oaep"]
        der = run(*cmd)
    ci, rest = decoder.decode(der, asn1Spec=rfc5652.ContentInfo())
    assert not rest
    if ci["contentType"] == ID_CT_AUTH_ENVELOPED_DATA:
        from pyasn1_modules import rfc5083
        inner, rest = decoder.decode(bytes(ci["content"]), asn1Spec=rfc5083.AuthEnvelopedData())
        eci = inner["authEncryptedContentInfo"]
    else:
        inner, rest = decoder.decode(bytes(ci["content"]), asn1Spec=rfc5652.EnvelopedData())
        eci = inner["encryptedContentInfo"]
    assert not rest
    write(args.out, der)
    print(f"contentType {ci['contentType']}")
    print(f"inner {eci['contentType']}")


def cmd_build_recovery(args):
    """A recovery request made without kmi: transactionId, senderNonce, identification and a
    KeyRecoveryReq whose shroud method is id-cmc-shroudWithPublicKey with the certificate in the
    draft's own untagged form (or kmi 0.1's [0] IMPLICIT form with --tagged), signed by openssl."""
    register_controls()
    with tempfile.TemporaryDirectory() as tmp:
        cert = run("openssl", "x509", "-in", args.shroud_cert, "-outform", "DER")
        if args.tagged:
            cert = b"\xa0" + cert[1:]  # [0] IMPLICIT Certificate
        krr = cmc_fixtures.KeyRecoveryReq()
        krr["shroudMethod"]["algorithm"] = ID_CMC_SHROUD_WITH_PUBLIC_KEY
        krr["shroudMethod"]["parameters"] = cert
        # encCapabilities (draft Appendix A): AES-256-GCM first (the agent skips it), then
        # AES-256-CBC, which kmi's agent uses.
        for oid in (AES256_GCM, AES256_CBC):
            cap = rfc5751.SMIMECapability()
            cap["capabilityID"] = oid
            krr["encCapabilities"].append(cap)
        if args.selection is not None:
            krr["selectionCriteria"] = args.selection.encode()
        pd = rfc6402.PKIData()
        controls = pd["controlSequence"]
        controls.append(tagged_attribute(1, rfc6402.id_cmc_transactionId,
                                         univ.Integer(int.from_bytes(os.urandom(7), "big"))))
        controls.append(tagged_attribute(2, rfc6402.id_cmc_senderNonce,
                                         univ.OctetString(os.urandom(16))))
        controls.append(tagged_attribute(3, rfc6402.id_cmc_identification,
                                         char.UTF8String(args.identity)))
        controls.append(tagged_attribute(4, ID_CMC_KEY_RECOVERY_REQ, krr))
        pd["reqSequence"]
        pd["cmsSequence"]
        pd["otherMsgSequence"]
        pd_path = os.path.join(tmp, "pkidata.der")
        write(pd_path, encoder.encode(pd))
        write(args.out, run("openssl", "cms", "-sign", "-nodetach", "-binary", "-in", pd_path,
                            "-econtent_type", "1.3.6.1.5.5.7.12.2", "-md", "sha256",
                            "-signer", args.sign_cert, "-inkey", args.sign_key,
                            "-outform", "DER"))


ID_AES256_WRAP = univ.ObjectIdentifier("2.16.840.1.101.3.4.1.45")
ID_HMAC_WITH_SHA256 = univ.ObjectIdentifier("1.2.840.113549.2.9")
ID_SHA256 = univ.ObjectIdentifier("2.16.840.1.101.3.4.2.1")


def der_length(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def cmd_identity(args):
    secret = bytes.fromhex(args.secret)
    ci, rest = ber_decoder.decode(read(args.req), asn1Spec=rfc5652.ContentInfo())
    if rest:
        raise SystemExit("bytes after the ContentInfo")
    if ci["contentType"] == rfc5652.id_ct_authData:
        ad, _ = decoder.decode(bytes(ci["content"]), asn1Spec=rfc5652.AuthenticatedData())
        if len(ad["recipientInfos"]) != 1:
            raise SystemExit("expected one RecipientInfo")
        pwri = ad["recipientInfos"][0]["pwri"]
        kda = pwri["keyDerivationAlgorithm"]
        if kda["algorithm"] != rfc8018.id_PBKDF2:
            raise SystemExit(f"key derivation {kda['algorithm']}, not PBKDF2")
        params, _ = decoder.decode(bytes(kda["parameters"]), asn1Spec=rfc8018.PBKDF2_params())
        if params["prf"]["algorithm"] != ID_HMAC_WITH_SHA256:
            raise SystemExit(f"PRF {params['prf']['algorithm']}, not hmacWithSHA256")
        if pwri["keyEncryptionAlgorithm"]["algorithm"] != ID_AES256_WRAP:
            raise SystemExit("key encryption is not id-aes256-wrap")
        kek = hashlib.pbkdf2_hmac("sha256", secret, bytes(params["salt"]["specified"]),
                                  int(params["iterationCount"]), 32)
        mac_key = run("openssl", "enc", "-d", "-id-aes256-wrap", "-K", kek.hex(),
                      "-iv", "A6A6A6A6A6A6A6A6", stdin=bytes(pwri["encryptedKey"]))
        if ad["macAlgorithm"]["algorithm"] != ID_HMAC_WITH_SHA256:
            raise SystemExit(f"MAC algorithm {ad['macAlgorithm']['algorithm']}")
        if ad["digestAlgorithm"]["algorithm"] != ID_SHA256:
            raise SystemExit(f"digest algorithm {ad['digestAlgorithm']['algorithm']}")
        attrs = encoder.encode(ad["authAttrs"])
        attrs = b"\x31" + attrs[1:]  # the [2] IMPLICIT tag becomes SET OF (section 9.2)
        content = bytes(ad["encapContentInfo"]["eContent"])
        ect = ad["encapContentInfo"]["eContentType"]
        for a in ad["authAttrs"]:
            value = bytes(a["attrValues"][0])
            if a["attrType"] == rfc5652.id_messageDigest:
                md, _ = decoder.decode(value, asn1Spec=univ.OctetString())
                if bytes(md) != hashlib.sha256(content).digest():
                    raise SystemExit("message-digest does not match the content")
            elif a["attrType"] == rfc5652.id_contentType:
                ct, _ = decoder.decode(value, asn1Spec=univ.ObjectIdentifier())
                if ct != ect:
                    raise SystemExit("content-type attribute differs from eContentType")
        want = hmac.new(mac_key, attrs, hashlib.sha256).digest()
        if not hmac.compare_digest(want, bytes(ad["mac"])):
            raise SystemExit("the MAC does not verify")
        print("mac ok")
    elif ci["contentType"] == rfc5652.id_signedData:
        sd, _ = ber_decoder.decode(bytes(ci["content"]), asn1Spec=rfc5652.SignedData())
        content = bytes(sd["encapContentInfo"]["eContent"])
        print("signed")
    else:
        raise SystemExit(f"content type {ci['contentType']}")
    pd, _ = decoder.decode(content, asn1Spec=rfc6402.PKIData())
    identity, proof, values = None, None, []
    for ta in pd["controlSequence"]:
        value = bytes(ta["attrValues"][0])
        if ta["attrType"] == rfc6402.id_cmc_identification:
            identity = str(decoder.decode(value, asn1Spec=char.UTF8String())[0])
        elif ta["attrType"] == rfc6402.id_cmc_identityProofV2:
            proof = decoder.decode(value, asn1Spec=rfc6402.IdentifyProofV2())[0]
        elif ta["attrType"] in (ID_CMC_SERVER_KEYGEN_REQUEST, ID_CMC_KEY_RECOVERY_REQ):
            values.append(value)
    if identity is None or proof is None:
        raise SystemExit("no identification or no identityProofV2 control")
    if proof["proofAlgID"]["algorithm"] != ID_SHA256:
        raise SystemExit(f"proofAlgID {proof['proofAlgID']['algorithm']}")
    if proof["macAlgId"]["algorithm"] != ID_HMAC_WITH_SHA256:
        raise SystemExit(f"macAlgId {proof['macAlgId']['algorithm']}")
    if len(pd["reqSequence"]):
        data = encoder.encode(pd["reqSequence"])
    else:
        inner = b"".join(values)
        data = b"\x30" + der_length(len(inner)) + inner
    key = hashlib.sha256(secret + identity.encode("utf-8")).digest()
    want = hmac.new(key, data, hashlib.sha256).digest()
    if not hmac.compare_digest(want, bytes(proof["witness"])):
        raise SystemExit("the identityProofV2 witness does not verify")
    print(f"identityProofV2 ok {identity}")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("envelope")
    s.add_argument("req")
    s.add_argument("out")
    s = sub.add_parser("enckey")
    s.add_argument("plain")
    s.add_argument("out")
    s = sub.add_parser("status")
    s.add_argument("rsp")
    s = sub.add_parser("keygen-group")
    s.add_argument("req")
    s = sub.add_parser("build-archive")
    s.add_argument("--key", required=True)
    s.add_argument("--agent", required=True)
    s.add_argument("--identity", required=True)
    s.add_argument("--sign-key", required=True)
    s.add_argument("--sign-cert", required=True)
    s.add_argument("--placement", choices=["body", "unsigned"], required=True)
    s.add_argument("--selection")
    s.add_argument("--envelope-key", help="archive this key instead (a mismatch, for the tests)")
    s.add_argument("--omit-control", action="store_true",
                   help="leave out the KeyArchival control (an unbound key, for the tests)")
    s.add_argument("--bad-pop", action="store_true",
                   help="flip a bit of the PKCS#10 signature (failed proof of possession)")
    s.add_argument("--oaep-md", choices=["sha1", "sha256"], default="sha256")
    s.add_argument("--keyid", action="store_true",
                   help="name the signer by subjectKeyIdentifier and leave its certificate out")
    s.add_argument("--stream", action="store_true",
                   help="let openssl write BER with indefinite lengths (body placement)")
    s.add_argument("--envelope-file", help="use this ContentInfo as the archived key's envelope")
    s.add_argument("out")
    s = sub.add_parser("openssl-envelope")
    s.add_argument("--key", required=True)
    s.add_argument("--agent", required=True)
    s.add_argument("--identity", required=True)
    s.add_argument("--cipher", choices=["aes-256-gcm", "aes-256-cbc"], default="aes-256-gcm")
    s.add_argument("--padding", choices=["oaep", "pkcs1"], default="oaep")
    s.add_argument("--plain", help="envelope these bytes instead of KEY's EncKeyWithID")
    s.add_argument("out")
    s = sub.add_parser("build-recovery")
    s.add_argument("--identity", required=True)
    s.add_argument("--shroud-cert", required=True)
    s.add_argument("--tagged", action="store_true")
    s.add_argument("--selection")
    s.add_argument("--sign-key", required=True)
    s.add_argument("--sign-cert", required=True)
    s.add_argument("out")
    s = sub.add_parser("identity")
    s.add_argument("--secret", required=True)
    s.add_argument("req")
    args = p.parse_args()
    if args.cmd == "build-archive" and args.stream and args.placement != "body":
        p.error("--stream works with --placement body only (pyasn1 re-encodes the signed message)")
    {
        "envelope": cmd_envelope,
        "enckey": cmd_enckey,
        "status": cmd_status,
        "keygen-group": cmd_keygen_group,
        "build-archive": cmd_build_archive,
        "openssl-envelope": cmd_openssl_envelope,
        "build-recovery": cmd_build_recovery,
        "identity": cmd_identity,
    }[args.cmd](args)


if __name__ == "__main__":
    main()
