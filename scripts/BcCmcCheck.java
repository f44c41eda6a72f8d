// Bouncy Castle (Debian's libbcpkix-java, 1.72) as an independent reader of kmi's CMC messages:
// its CMS classes check the signature and open envelopes, its own org.bouncycastle.asn1.cmc
// classes decode PKIData and PKIResponse. The Rust tests (tests/cli/cmc.rs) run it as a
// single-file program, so it needs no build step:
//
//   java -cp /usr/share/java/bcprov.jar:/usr/share/java/bcutil.jar:/usr/share/java/bcpkix.jar \
//       scripts/BcCmcCheck.java signed MSG.der [SIGNER_SPKI.der] [OUTDIR]
//       scripts/BcCmcCheck.java open ENVELOPE.der RECIPIENT_PKCS8.der KEY_OUT.der
//
// `signed` prints one line per fact (signer, eContent type, controls, requests, CMS entries,
// unsigned attributes) and, with OUTDIR, writes every enveloped entry as OUTDIR/cms-<id>.der and
// OUTDIR/unsigned-<n>.der. `open` decrypts a key-transport EnvelopedData or AuthEnvelopedData
// (RFC 5083, AES-GCM), decodes the plaintext as
// EncKeyWithID and writes its private key (PrivateKeyInfo DER). Any failure exits non-zero.

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Collection;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.cmc.BodyPartID;
import org.bouncycastle.asn1.cmc.CMCObjectIdentifiers;
import org.bouncycastle.asn1.cmc.CMCStatusInfoV2;
import org.bouncycastle.asn1.cmc.CMCUnsignedData;
import org.bouncycastle.asn1.cmc.OtherStatusInfo;
import org.bouncycastle.asn1.cmc.PKIData;
import org.bouncycastle.asn1.cmc.PKIResponse;
import org.bouncycastle.asn1.cmc.TaggedAttribute;
import org.bouncycastle.asn1.cmc.TaggedContentInfo;
import org.bouncycastle.asn1.cmc.TaggedRequest;
import org.bouncycastle.asn1.cms.Attribute;
import org.bouncycastle.asn1.cms.AttributeTable;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.asn1.cms.ContentInfo;
import org.bouncycastle.asn1.crmf.EncKeyWithID;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cms.CMSAuthEnvelopedData;
import org.bouncycastle.cms.CMSEnvelopedData;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.RecipientInformation;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.cms.jcajce.JceKeyTransAuthEnvelopedRecipient;
import org.bouncycastle.cms.jcajce.JceKeyTransEnvelopedRecipient;
import org.bouncycastle.util.Store;

public class BcCmcCheck {
    // RFC 6402 section 3.2.1; Bouncy Castle 1.72 names no constant for it.
    static final ASN1ObjectIdentifier ID_AA_CMC_UNSIGNED_DATA =
            new ASN1ObjectIdentifier("1.2.840.113549.1.9.16.2.34");

    public static void main(String[] args) throws Exception {
        if (args.length >= 2 && args[0].equals("signed")) {
            signed(args);
        } else if (args.length == 4 && args[0].equals("open")) {
            open(args);
        } else {
            System.err.println("usage: signed MSG [SPKI] [OUTDIR] | open ENVELOPE PKCS8 OUT");
            System.exit(2);
        }
    }

    static void signed(String[] args) throws Exception {
        CMSSignedData sd = new CMSSignedData(Files.readAllBytes(Path.of(args[1])));
        PublicKey spki = null;
        Path outDir = null;
        for (int i = 2; i < args.length; i++) {
            Path p = Path.of(args[i]);
            if (Files.isDirectory(p)) {
                outDir = p;
            } else {
                spki = KeyFactory.getInstance("RSA")
                        .generatePublic(new X509EncodedKeySpec(Files.readAllBytes(p)));
            }
        }
        Store<X509CertificateHolder> certs = sd.getCertificates();
        int unsignedN = 0;
        for (SignerInformation si : sd.getSignerInfos().getSigners()) {
            Collection<X509CertificateHolder> match = certs.getMatches(si.getSID());
            boolean ok;
            if (!match.isEmpty()) {
                ok = si.verify(new JcaSimpleSignerInfoVerifierBuilder().build(match.iterator().next()));
            } else if (spki != null) {
                ok = si.verify(new JcaSimpleSignerInfoVerifierBuilder().build(spki));
            } else {
                throw new IllegalStateException("no certificate or public key for the signer");
            }
            if (!ok) {
                throw new IllegalStateException("the signature does not verify");
            }
            System.out.println("signer verified " + si.getDigestAlgOID());
            AttributeTable unsigned = si.getUnsignedAttributes();
            if (unsigned == null) {
                continue;
            }
            ASN1EncodableVector attrs = unsigned.toASN1EncodableVector();
            for (int i = 0; i < attrs.size(); i++) {
                Attribute at = Attribute.getInstance(attrs.get(i));
                System.out.println("unsigned attribute " + at.getAttrType());
                if (!at.getAttrType().equals(ID_AA_CMC_UNSIGNED_DATA)) {
                    continue;
                }
                CMCUnsignedData ud = CMCUnsignedData.getInstance(at.getAttrValues().getObjectAt(0));
                StringBuilder path = new StringBuilder();
                for (BodyPartID id : ud.getBodyPartPath().getBodyPartIDs()) {
                    path.append(path.length() == 0 ? "" : ",").append(id.getID());
                }
                ContentInfo ci = ContentInfo.getInstance(ud.getContent());
                System.out.println("unsignedData path [" + path + "] identifier " + ud.getIdentifier()
                        + " content " + ci.getContentType());
                unsignedN++;
                save(outDir, "unsigned-" + unsignedN, ci);
            }
        }
        String type = sd.getSignedContentTypeOID();
        System.out.println("eContentType " + type);
        ASN1Primitive content = ASN1Primitive.fromByteArray((byte[]) sd.getSignedContent().getContent());
        if (type.equals(CMCObjectIdentifiers.id_cct_PKIData.getId())) {
            PKIData pd = PKIData.getInstance(content);
            for (TaggedAttribute t : pd.getControlSequence()) {
                control(t);
            }
            for (TaggedRequest r : pd.getReqSequence()) {
                System.out.println("request " + (r.getTagNo() == 0 ? "tcr" : r.getTagNo() == 1 ? "crm" : "orm"));
            }
            for (TaggedContentInfo c : pd.getCmsSequence()) {
                cms(outDir, c);
            }
        } else if (type.equals(CMCObjectIdentifiers.id_cct_PKIResponse.getId())) {
            PKIResponse pr = PKIResponse.getInstance(content);
            for (ASN1Encodable t : pr.getControlSequence()) {
                control(TaggedAttribute.getInstance(t));
            }
            for (ASN1Encodable c : pr.getCmsSequence()) {
                cms(outDir, TaggedContentInfo.getInstance(c));
            }
        } else {
            throw new IllegalStateException("not a CMC message: " + type);
        }
        System.out.println("ok");
    }

    static void control(TaggedAttribute t) {
        System.out.println("control " + t.getBodyPartID().getID() + " " + t.getAttrType());
        if (!t.getAttrType().equals(CMCObjectIdentifiers.id_cmc_statusInfoV2)) {
            return;
        }
        CMCStatusInfoV2 s;
        try {
            s = CMCStatusInfoV2.getInstance(t.getAttrValues().getObjectAt(0));
        } catch (IllegalArgumentException e) {
            // Bouncy Castle 1.72 reads extendedFailInfo only in RFC 5272's untagged form.
            System.out.println("status unreadable by Bouncy Castle: " + e.getMessage());
            return;
        }
        System.out.println("status " + s.getcMCStatus().toASN1Primitive());
        if (s.hasOtherInfo()) {
            OtherStatusInfo o = s.getOtherStatusInfo();
            if (o.isFailInfo()) {
                System.out.println("failInfo " + ASN1Integer.getInstance(o.toASN1Primitive()).getValue());
            } else if (o.isExtendedFailInfo()) {
                ASN1Sequence x = ASN1Sequence.getInstance(o.toASN1Primitive());
                System.out.println("extendedFailInfo " + x.getObjectAt(0) + " " + x.getObjectAt(1));
            }
        }
    }

    static void cms(Path outDir, TaggedContentInfo c) throws Exception {
        ContentInfo ci = c.getContentInfo();
        System.out.println("cms " + c.getBodyPartID().getID() + " " + ci.getContentType());
        save(outDir, "cms-" + c.getBodyPartID().getID(), ci);
    }

    static void save(Path outDir, String name, ContentInfo ci) throws Exception {
        if (outDir != null && (ci.getContentType().equals(CMSObjectIdentifiers.envelopedData)
                || ci.getContentType().equals(CMSObjectIdentifiers.authEnvelopedData))) {
            Files.write(outDir.resolve(name + ".der"), ci.getEncoded("DER"));
        }
    }

    static void open(String[] args) throws Exception {
        byte[] der = Files.readAllBytes(Path.of(args[1]));
        PrivateKey key = KeyFactory.getInstance("RSA")
                .generatePrivate(new PKCS8EncodedKeySpec(Files.readAllBytes(Path.of(args[2]))));
        // The JDK has no RSAES-OAEP by OID: Bouncy Castle's own provider does the unwrapping.
        java.security.Provider bc = new org.bouncycastle.jce.provider.BouncyCastleProvider();
        ContentInfo outer = ContentInfo.getInstance(der);
        byte[] plain;
        if (outer.getContentType().equals(CMSObjectIdentifiers.authEnvelopedData)) {
            // RFC 5083 AuthEnvelopedData (AES-GCM): kmi's default for archived keys.
            CMSAuthEnvelopedData env = new CMSAuthEnvelopedData(der);
            System.out.println("inner content " + org.bouncycastle.asn1.cms.AuthEnvelopedData
                    .getInstance(outer.getContent()).getAuthEncryptedContentInfo().getContentType());
            RecipientInformation ri = env.getRecipientInfos().getRecipients().iterator().next();
            System.out.println("recipient " + ri.getKeyEncryptionAlgOID() + " content encryption "
                    + org.bouncycastle.asn1.cms.AuthEnvelopedData.getInstance(outer.getContent())
                            .getAuthEncryptedContentInfo().getContentEncryptionAlgorithm().getAlgorithm()
                    + " authenticated");
            plain = ri.getContent(new JceKeyTransAuthEnvelopedRecipient(key).setProvider(bc));
        } else {
            CMSEnvelopedData env = new CMSEnvelopedData(der);
            System.out.println("inner content " + org.bouncycastle.asn1.cms.EnvelopedData
                    .getInstance(env.toASN1Structure().getContent()).getEncryptedContentInfo().getContentType());
            RecipientInformation ri = env.getRecipientInfos().getRecipients().iterator().next();
            System.out.println("recipient " + ri.getKeyEncryptionAlgOID() + " content encryption "
                    + env.getEncryptionAlgOID());
            plain = ri.getContent(new JceKeyTransEnvelopedRecipient(key).setProvider(bc));
        }
        EncKeyWithID ekwi = EncKeyWithID.getInstance(plain);
        System.out.println("EncKeyWithID identifier " + (ekwi.hasIdentifier() ? ekwi.getIdentifier().toASN1Primitive() : "none"));
        Files.write(Path.of(args[3]), ekwi.getPrivateKey().getEncoded("DER"));
        System.out.println("ok");
    }
}
