//! ISO 3166-1 alpha-2 country codes: the assigned list, and reading a code from a policy or a
//! command line.

use crate::{Error, Result};

/// Officially assigned ISO 3166-1 alpha-2 codes (249), checked against Debian's iso-codes
/// `iso_3166-1.json` and tzdata's `iso3166.tab`.
pub(super) const ISO_3166_ALPHA2: &str = "\
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS \
BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE \
EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM \
HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC \
LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA \
NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW \
SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO \
TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

pub fn is_assigned_country(code: [u8; 2]) -> bool {
    ISO_3166_ALPHA2.as_bytes().chunks(3).any(|c| c[..2] == code)
}

/// Why a string is not a country code. Display is the message, the string first.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub(super) enum CountryProblem {
    #[error("{0}: not a two-letter ISO 3166 country code")]
    NotTwoLetters(String),
    /// Two letters, not both upper case.
    #[error("{0}: country codes are upper case ({})", .0.to_ascii_uppercase())]
    NotUpperCase(String),
    #[error("{0}: not an assigned ISO 3166-1 alpha-2 code")]
    Unassigned(String),
}

/// A country code as typed on a command line: two upper-case letters of an assigned code.
pub fn parse_country(s: &str) -> Result<[u8; 2]> {
    check_country(s).map_err(|p| Error::invalid(p.to_string()))
}

pub(super) fn check_country(s: &str) -> std::result::Result<[u8; 2], CountryProblem> {
    let b = s.as_bytes();
    if b.len() != 2 || !b.iter().all(u8::is_ascii_alphabetic) {
        return Err(CountryProblem::NotTwoLetters(s.to_string()));
    }
    if !b.iter().all(u8::is_ascii_uppercase) {
        return Err(CountryProblem::NotUpperCase(s.to_string()));
    }
    let code = [b[0], b[1]];
    if !is_assigned_country(code) {
        return Err(CountryProblem::Unassigned(s.to_string()));
    }
    Ok(code)
}

pub(super) fn country_str(c: [u8; 2]) -> String {
    String::from_utf8_lossy(&c).into_owned()
}
