//! Typed controls: a control attribute's value decoded by its OID (under the [`CmcOids`] in
//! force), and written back as a TaggedAttribute.

use der::asn1::{Any, Int, ObjectIdentifier as Oid, OctetString, SetOfVec};

use super::*;
use crate::cmc::oids::CmcOids;
use crate::{Error, Result};

/// A control value, typed when kmi knows its OID (under the [`CmcOids`] in force).
#[derive(Clone, Debug, Eq, PartialEq)]
pub enum Control {
    /// id-cmc-transactionId: `TransactionId ::= INTEGER`.
    TransactionId(Int),
    /// id-cmc-senderNonce: `SenderNonce ::= OCTET STRING`.
    SenderNonce(OctetString),
    /// id-cmc-recipientNonce: `RecipientNonce ::= OCTET STRING`.
    RecipientNonce(OctetString),
    /// id-cmc-identification: `UTF8String`.
    Identification(String),
    IdentityProofV2(IdentityProofV2),
    StatusInfoV2(CmcStatusInfoV2),
    KeyArchival(KeyArchival),
    ServerKeyGenRequest(Box<ServerKeyGenRequest>),
    ServerKeyGenResponse(ServerKeyGenResponse),
    KeyRecoveryReq(KeyRecoveryReq),
    KeyRecoveryRsp(KeyRecoveryRsp),
    /// Any other control: its type and values as they are.
    Unknown {
        attr_type: Oid,
        values: Vec<Any>,
    },
}

impl Control {
    /// The control's attrType.
    pub fn attr_type(&self, oids: &CmcOids) -> Oid {
        match self {
            Control::TransactionId(_) => oids.transaction_id,
            Control::SenderNonce(_) => oids.sender_nonce,
            Control::RecipientNonce(_) => oids.recipient_nonce,
            Control::Identification(_) => oids.identification,
            Control::IdentityProofV2(_) => oids.identity_proof_v2,
            Control::StatusInfoV2(_) => oids.status_info_v2,
            Control::KeyArchival(_) => oids.key_archival,
            Control::ServerKeyGenRequest(_) => oids.server_key_gen_request,
            Control::ServerKeyGenResponse(_) => oids.server_key_gen_response,
            Control::KeyRecoveryReq(_) => oids.key_recovery_req,
            Control::KeyRecoveryRsp(_) => oids.key_recovery_rsp,
            Control::Unknown { attr_type, .. } => *attr_type,
        }
    }

    fn values(&self) -> der::Result<Vec<Any>> {
        Ok(vec![match self {
            Control::TransactionId(v) => Any::encode_from(v)?,
            Control::SenderNonce(v) | Control::RecipientNonce(v) => Any::encode_from(v)?,
            Control::Identification(v) => Any::encode_from(&der::asn1::Utf8StringRef::new(v)?)?,
            Control::IdentityProofV2(v) => Any::encode_from(v)?,
            Control::StatusInfoV2(v) => Any::encode_from(v)?,
            Control::KeyArchival(v) => Any::encode_from(v)?,
            Control::ServerKeyGenRequest(v) => Any::encode_from(v.as_ref())?,
            Control::ServerKeyGenResponse(v) => Any::encode_from(v)?,
            Control::KeyRecoveryReq(v) => Any::encode_from(v)?,
            Control::KeyRecoveryRsp(v) => Any::encode_from(v)?,
            Control::Unknown { values, .. } => return Ok(values.clone()),
        }])
    }
}

impl TaggedAttribute {
    /// The TaggedAttribute carrying `control` (one value; an unknown control keeps its values,
    /// DER-sorted).
    pub fn from_control(
        body_part_id: BodyPartID,
        control: &Control,
        oids: &CmcOids,
    ) -> Result<Self> {
        let values = control.values().map_err(Error::encoding)?;
        Ok(TaggedAttribute {
            body_part_id,
            attr_type: control.attr_type(oids),
            attr_values: SetOfVec::try_from(values).map_err(Error::encoding)?,
        })
    }

    /// The control's value typed when its attrType is known under `oids`. A known control must
    /// carry exactly one value that decodes as its type (else a format error naming the control);
    /// an unknown control is never an error.
    pub fn decode_control(&self, oids: &CmcOids) -> Result<Control> {
        let t = self.attr_type;
        let known = [
            oids.transaction_id,
            oids.sender_nonce,
            oids.recipient_nonce,
            oids.identification,
            oids.identity_proof_v2,
            oids.status_info_v2,
            oids.key_archival,
            oids.server_key_gen_request,
            oids.server_key_gen_response,
            oids.key_recovery_req,
            oids.key_recovery_rsp,
        ];
        if !known.contains(&t) {
            return Ok(Control::Unknown {
                attr_type: t,
                values: self.attr_values.iter().cloned().collect(),
            });
        }
        let name = oids.name_of(&t).unwrap_or("control");
        let bad = |e: der::Error| {
            Error::format(format!(
                "malformed {name} control (body part {}): {e}",
                self.body_part_id
            ))
        };
        let [value] = self.attr_values.as_slice() else {
            return Err(Error::format(format!(
                "{name} control (body part {}) has {} values, expected 1",
                self.body_part_id,
                self.attr_values.len()
            )));
        };
        Ok(if t == oids.transaction_id {
            Control::TransactionId(value.decode_as().map_err(bad)?)
        } else if t == oids.sender_nonce {
            Control::SenderNonce(value.decode_as().map_err(bad)?)
        } else if t == oids.recipient_nonce {
            Control::RecipientNonce(value.decode_as().map_err(bad)?)
        } else if t == oids.identification {
            Control::Identification(value.decode_as().map_err(bad)?)
        } else if t == oids.identity_proof_v2 {
            Control::IdentityProofV2(value.decode_as().map_err(bad)?)
        } else if t == oids.status_info_v2 {
            Control::StatusInfoV2(value.decode_as().map_err(bad)?)
        } else if t == oids.key_archival {
            Control::KeyArchival(value.decode_as().map_err(bad)?)
        } else if t == oids.server_key_gen_request {
            Control::ServerKeyGenRequest(Box::new(value.decode_as().map_err(bad)?))
        } else if t == oids.server_key_gen_response {
            Control::ServerKeyGenResponse(value.decode_as().map_err(bad)?)
        } else if t == oids.key_recovery_req {
            Control::KeyRecoveryReq(value.decode_as().map_err(bad)?)
        } else {
            Control::KeyRecoveryRsp(value.decode_as().map_err(bad)?)
        })
    }
}

/// An INTEGER as u32, when it fits.
pub fn int_to_u32(i: &Int) -> Option<u32> {
    Any::encode_from(i).ok()?.decode_as::<u32>().ok()
}
