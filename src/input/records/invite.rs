//! The fields of invites, and how they are read into a draft.

use super::*;
pub const ROLE: FieldSpec = spec(
    "role",
    "role",
    Kind::One(Pick::Role),
    D::Text("kindergarten"),
    "city-admin, district-admin, kindergarten, inspector or viewer",
);
pub const DISTRICTS: FieldSpec = spec(
    "district",
    "district",
    Kind::Many(Pick::District),
    D::Nothing,
    "The district (district-admin; repeat for an inspector's districts)",
);
pub const KINDERGARTEN: FieldSpec = spec(
    "kindergarten",
    "kindergarten",
    Kind::One(Pick::Kindergarten),
    D::Nothing,
    "The kindergarten (kindergarten role)",
);
pub const NAME: FieldSpec = spec(
    "member_name_new",
    "name",
    Kind::Line,
    D::Nothing,
    "The new member's name",
);
pub const EXPIRES: FieldSpec = spec(
    "expires",
    "expires",
    Kind::Line,
    D::Text("72h"),
    "How long the invite stays valid: 30m, 72h, 7d",
);

pub const FIELDS: &[FieldSpec] = &[ROLE, DISTRICTS, KINDERGARTEN, NAME, EXPIRES];

pub fn read(raw: &Raw, cx: Context<'_>) -> Result<InviteDraft, Vec<Bad>> {
    let mut r = Reader::new(raw, cx);
    let role = r.code::<MemberRole>(&ROLE);
    let districts = r.districts(&DISTRICTS);
    let kindergarten = r.kindergarten(&KINDERGARTEN);
    let name = Some(r.text(&NAME)).filter(|n| !n.is_empty());
    let expires = r.duration(&EXPIRES);
    let draft = match (role, expires) {
        (Some(role), Some(expires_secs)) => Some(InviteDraft {
            role,
            districts,
            kindergarten,
            name,
            expires_secs,
        }),
        _ => None,
    };
    r.finish(draft)
}
