//! The fields of kindergartens, and how they are read into a draft.

use super::*;
pub const NAME: FieldSpec = spec("name", "name", Kind::Line, D::Required, "Name");
pub const DISTRICT: FieldSpec = spec(
    "district",
    "district",
    Kind::One(Pick::District),
    D::Required,
    "District (name or id)",
);
pub const TOWN: FieldSpec = spec("town", "town", Kind::Line, D::Nothing, "Town (乡镇)");
pub const VILLAGE: FieldSpec = spec("village", "village", Kind::Line, D::Nothing, "Village (村)");
pub const OWNERSHIP: FieldSpec = spec(
    "ownership",
    "ownership",
    Kind::One(Pick::Ownership),
    D::Required,
    "public (公办), private (民办), inclusive_private (普惠性民办)",
);
pub const CATEGORY: FieldSpec = spec(
    "category",
    "category",
    Kind::One(Pick::Category),
    D::Required,
    "urban_quality, town_central, town, village, village_point",
);
pub const STARS: FieldSpec = spec(
    "stars",
    "stars",
    Kind::Count,
    D::Nothing,
    "Star rating 1-5 (0 to clear)",
);
pub const RURAL: FieldSpec = spec(
    "rural",
    "rural",
    Kind::YesNo,
    D::Derived("pick.auto.rural"),
    "Rural kindergarten: yes/no [default: from the category]",
);
pub const CHILDREN: FieldSpec = spec(
    "children",
    "children",
    Kind::Count,
    D::Zero,
    "Number of children",
);
pub const TEACHERS: FieldSpec = spec(
    "teachers",
    "teachers",
    Kind::Count,
    D::Zero,
    "Number of teachers",
);
pub const CONTACT: FieldSpec = spec(
    "contact",
    "contact",
    Kind::Line,
    D::Nothing,
    "Contact person",
);
pub const PHONE: FieldSpec = spec("phone", "phone", Kind::Line, D::Nothing, "Phone");

pub const FIELDS: &[FieldSpec] = &[
    NAME, DISTRICT, TOWN, VILLAGE, OWNERSHIP, CATEGORY, STARS, RURAL, CHILDREN, TEACHERS, CONTACT,
    PHONE,
];

pub fn read(raw: &Raw, cx: Context<'_>) -> Result<KindergartenDraft, Vec<Bad>> {
    let mut r = Reader::new(raw, cx);
    let name = r.text(&NAME);
    let district = r.district(&DISTRICT);
    let ownership = r.code::<Ownership>(&OWNERSHIP);
    let category = r.code::<Category>(&CATEGORY);
    let stars = r.count(&STARS).filter(|n| *n != 0);
    let rural = r.yes_no(&RURAL).or_else(|| category.map(rural_by_category));
    let children = r.count(&CHILDREN);
    let teachers = r.count(&TEACHERS);
    let draft = match (district, ownership, category, rural, children, teachers) {
        (Some(district_id), Some(ownership), Some(category), Some(rural), Some(c), Some(t)) => {
            Some(KindergartenDraft {
                name,
                district_id,
                town: r.text(&TOWN),
                village: r.text(&VILLAGE),
                ownership,
                category,
                stars,
                rural,
                children: c,
                teachers: t,
                contact: r.text(&CONTACT),
                phone: r.text(&PHONE),
            })
        }
        _ => None,
    };
    r.finish(draft)
}

/// A kindergarten's fields as text. `rural` is given only where it
/// differs from what the category says, so a new category carries it.
pub fn raw_of(k: &Kindergarten) -> Raw {
    let mut raw = Raw::new();
    raw.put(NAME.key, &k.name);
    raw.put(DISTRICT.key, k.district_id.as_str());
    raw.put(TOWN.key, &k.town);
    raw.put(VILLAGE.key, &k.village);
    raw.put(OWNERSHIP.key, k.ownership.code());
    raw.put(CATEGORY.key, k.category.code());
    if let Some(s) = k.stars {
        raw.put(STARS.key, s.to_string());
    }
    if k.rural != rural_by_category(k.category) {
        raw.put(RURAL.key, if k.rural { "yes" } else { "no" });
    }
    raw.put(CHILDREN.key, k.children.to_string());
    raw.put(TEACHERS.key, k.teachers.to_string());
    raw.put(CONTACT.key, &k.contact);
    raw.put(PHONE.key, &k.phone);
    raw
}

/// A kindergarten's fields with `changes` laid over them; a new
/// category given without `rural` decides it again.
pub fn edited(k: &Kindergarten, changes: &Raw) -> Raw {
    let mut raw = raw_of(k);
    if changes.given(CATEGORY.key) && !changes.given(RURAL.key) {
        raw.remove(RURAL.key);
    }
    raw.overlay(changes);
    raw
}
