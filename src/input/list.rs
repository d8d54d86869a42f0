//! A kindergarten list (附表) as bureaus keep it, read into drafts: the
//! header found below title rows and matched by its usual wordings, values
//! as people write them (四星级, ★★★, １２人, 普惠性民办园), totals and notes
//! passed over with a word, the category inferred where the list has
//! none, every problem of every row said at once.

use super::fields::{Context, Raw, Why};
use super::parse::half_width;
use super::records::kindergarten as k;
use super::sheet::Rows;
use crate::domain::*;
use crate::i18n::{self, Lang};
use crate::tr;
use unicode_normalization::UnicodeNormalization;

/// A header as matched: compatibility forms folded (NFKC: full-width
/// brackets, digits, spaces), spaces, line breaks, `*` marks and a unit
/// in brackets at the end (（人）, （所）) dropped, lower case.
pub fn header_key(header: &str) -> String {
    let mut h: String = header
        .nfkc()
        .filter(|c| !c.is_whitespace() && *c != '*' && *c != '\u{feff}')
        .collect::<String>()
        .to_lowercase();
    for unit in ["(人)", "(所)", "(名)", "(个)", "(星)", "(级)"] {
        if let Some(stem) = h.strip_suffix(unit) {
            h = stem.to_string();
        }
    }
    h
}

/// Each kindergarten field and the headers bureaus give its column.
const COLUMNS: [(&[&str], &str); 12] = [
    (
        &[
            "园名",
            "幼儿园",
            "幼儿园名称",
            "园所名称",
            "单位名称",
            "学校名称",
            "名称",
            "name",
        ],
        k::NAME.key,
    ),
    (
        &[
            "县区",
            "县(区)",
            "区(县)",
            "区县",
            "县市区",
            "所属县区",
            "所属区县",
            "所在县区",
            "district",
        ],
        k::DISTRICT.key,
    ),
    (
        &[
            "乡镇",
            "乡(镇)",
            "镇",
            "乡镇(街道)",
            "乡镇街道",
            "街道",
            "所属乡镇",
            "所在乡镇",
            "town",
        ],
        k::TOWN.key,
    ),
    (
        &["村", "村屯", "所在村", "村(屯)", "village"],
        k::VILLAGE.key,
    ),
    (
        &["性质", "办园性质", "办学性质", "举办性质", "ownership"],
        k::OWNERSHIP.key,
    ),
    (
        &["类别", "类型", "幼儿园类别", "园所类别", "category"],
        k::CATEGORY.key,
    ),
    (
        &["星级", "等级", "评估等级", "星级等级", "等级评估", "stars"],
        k::STARS.key,
    ),
    (
        &["农村", "农村园", "是否农村", "是否农村园", "rural"],
        k::RURAL.key,
    ),
    (
        &[
            "幼儿数",
            "在园幼儿数",
            "在园幼儿",
            "幼儿人数",
            "在园人数",
            "在园幼儿人数",
            "children",
        ],
        k::CHILDREN.key,
    ),
    (
        &[
            "教师数",
            "专任教师数",
            "专任教师",
            "教师人数",
            "教职工数",
            "教职工人数",
            "teachers",
        ],
        k::TEACHERS.key,
    ),
    (&["联系人", "负责人", "园长", "contact"], k::CONTACT.key),
    (
        &["电话", "联系电话", "手机", "联系方式", "phone"],
        k::PHONE.key,
    ),
];

/// The kindergarten field a column holds, by its header, or `None` for a
/// column the import does not use.
pub fn column(header: &str) -> Option<&'static str> {
    let h = header_key(header);
    COLUMNS
        .iter()
        .find(|(names, _)| names.contains(&h.as_str()))
        .map(|(_, key)| *key)
}

/// Whether a row is the list's header: it names the kindergartens'
/// column.
pub fn is_header(cells: &[String]) -> bool {
    cells.iter().any(|c| column(c) == Some(k::NAME.key))
}

/// A cell as people mean it: compatibility forms folded, line breaks and
/// runs of spaces made one space, or none between two Chinese characters
/// (spaces that only align a name: "大洼  中心园").
pub fn tidy(cell: &str) -> String {
    let folded: Vec<char> = cell.nfkc().collect();
    let mut out = String::with_capacity(cell.len());
    let mut gap = false;
    for c in folded {
        if c.is_whitespace() {
            gap = !out.is_empty();
            continue;
        }
        if gap && !(wide(c) && out.chars().last().is_some_and(wide)) {
            out.push(' ');
        }
        gap = false;
        out.push(c);
    }
    out
}

fn wide(c: char) -> bool {
    !c.is_ascii()
}

/// A star rating as written (4, 四星, 四星级, 4星, ★★★★, 一级园) as its
/// digit; "" for none written (无, 未评, -); the text as it was when it is
/// none of these, for the reader to refuse.
pub fn stars(value: &str) -> String {
    let v = tidy(value);
    if v.is_empty() || ["无", "未评", "未评级", "未定级", "-", "—", "/"].contains(&v.as_str())
    {
        return String::new();
    }
    if v.chars().all(|c| c == '★' || c == '☆') {
        return v.chars().filter(|c| *c == '★').count().to_string();
    }
    let stem = ["级园", "级", "园"]
        .iter()
        .find_map(|s| v.strip_suffix(s))
        .unwrap_or(&v);
    let stem = stem.strip_suffix('星').unwrap_or(stem);
    let digits = ["一", "二", "三", "四", "五"];
    match digits.iter().position(|d| *d == stem) {
        Some(i) => i.saturating_add(1).to_string(),
        None if !stem.is_empty() && stem.chars().all(|c| c.is_ascii_digit()) => stem.to_string(),
        None => v,
    }
}

/// A count as written (１２, 120人, 12名); "" for a dash; otherwise the
/// text as it was.
pub fn count(value: &str) -> String {
    let v = tidy(value);
    if ["-", "—", "/"].contains(&v.as_str()) {
        return String::new();
    }
    let stem = ["人", "名", "个", "所"]
        .iter()
        .find_map(|s| v.strip_suffix(s))
        .unwrap_or(&v);
    if !stem.is_empty() && stem.chars().all(|c| c.is_ascii_digit()) {
        stem.to_string()
    } else {
        v
    }
}

/// An ownership as written (公办园, 公立, 教育部门办, 民办, 普惠民办) as its
/// code; the text as it was when it is none of these.
pub fn ownership(value: &str) -> String {
    let v = tidy(value);
    let stem = ["幼儿园", "园"]
        .iter()
        .find_map(|s| v.strip_suffix(s))
        .unwrap_or(&v);
    let code = match stem {
        "公办" | "公立" | "教育部门办" | "其他部门办" | "集体办" | "部门办" => {
            Ownership::Public
        }
        "民办" | "私立" | "民办非普惠" | "非普惠民办" => Ownership::Private,
        "普惠性民办" | "普惠民办" | "民办普惠" | "民办普惠性" | "普惠" => {
            Ownership::InclusivePrivate
        }
        _ => return v,
    };
    code.code().to_string()
}

/// A category as written (中心园, 乡镇中心园, 村园, 教学点) as its code;
/// the text as it was when it is none of these.
pub fn category(value: &str) -> String {
    let v = tidy(value);
    let code = match v.as_str() {
        "城区园" | "城区优质园" | "优质园" | "城市园" => Category::UrbanQuality,
        "中心园" | "镇中心园" | "乡镇中心园" | "中心幼儿园" | "镇中心幼儿园" | "乡中心园" => {
            Category::TownCentral
        }
        "镇园" | "乡镇园" | "镇幼儿园" | "乡镇幼儿园" | "乡园" => Category::Town,
        "村园" | "村屯园" | "村级园" | "村幼儿园" | "村办园" => Category::Village,
        "园点" | "教学点" | "村园点" | "幼儿园点" => Category::VillagePoint,
        _ => return v,
    };
    code.code().to_string()
}

/// Why a category was inferred.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Because {
    /// The name has this word.
    NameHas(&'static str),
    /// The row names a village.
    VillageGiven,
    /// The row names a town.
    TownGiven,
    /// `--category`, or the dialog's choice, for rows without one.
    Chosen,
}

/// The category of a row whose list says none: from its name (园点,
/// 教学点, 中心, 村, 屯, 镇, 乡), its village or town, or the one chosen for
/// such rows.
pub fn infer_category(
    name: &str,
    village: &str,
    town: &str,
    chosen: Option<Category>,
) -> Option<(Category, Because)> {
    if let Some(c) = chosen {
        return Some((c, Because::Chosen));
    }
    let rules: [(&'static str, Category); 7] = [
        ("园点", Category::VillagePoint),
        ("教学点", Category::VillagePoint),
        ("中心", Category::TownCentral),
        ("村", Category::Village),
        ("屯", Category::Village),
        ("镇", Category::Town),
        ("乡", Category::Town),
    ];
    if let Some((word, c)) = rules.iter().find(|(w, _)| name.contains(w)) {
        return Some((*c, Because::NameHas(word)));
    }
    if !village.is_empty() {
        return Some((Category::Village, Because::VillageGiven));
    }
    (!town.is_empty()).then_some((Category::Town, Because::TownGiven))
}

/// A row passed over, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Passed {
    /// A totals or subtotals row (合计, 总计, 小计), with its label.
    Total(String),
    /// A note below the table (注：…, 填表人：…), with its text.
    Note(String),
}

/// One row of the list read.
#[derive(Debug, Clone, PartialEq)]
pub struct ListRow {
    /// The row number Excel shows.
    pub line: usize,
    /// The name the row gives (empty when it gives none).
    pub name: String,
    /// The kindergarten, or every problem of the row in the reader's
    /// language.
    pub draft: Result<KindergartenDraft, Vec<String>>,
    /// The category, when the list did not say it.
    pub inferred: Option<(Category, Because)>,
}

/// A list read: what was used, what was passed over, each row.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Listing {
    /// Rows above the header (row number, text).
    pub above: Vec<(usize, String)>,
    pub header_line: usize,
    /// Columns the import does not use, by their header.
    pub ignored: Vec<String>,
    pub passed: Vec<(usize, Passed)>,
    pub rows: Vec<ListRow>,
}

/// What a row says with no column of the list: the district and the
/// category rows without one get.
#[derive(Debug, Clone, Copy, Default)]
pub struct Defaults<'a> {
    pub district: Option<&'a Id>,
    pub category: Option<Category>,
    /// The category chosen for one row without one (the import dialog's
    /// `e`), by row number: before `category` and any inference.
    pub chosen: Option<&'a std::collections::BTreeMap<usize, Category>>,
}

const TOTALS: [&str; 5] = ["合计", "总计", "小计", "共计", "总数"];
const NOTES: [&str; 9] = [
    "注",
    "备注",
    "说明",
    "填表人",
    "制表人",
    "审核人",
    "填报人",
    "填表日期",
    "制表日期",
];

/// Whether a row is a total or a note, by its first filled cell (or a
/// total's label in any of its first three cells).
fn passed(cells: &[String], name: &str) -> Option<Passed> {
    let bare = |c: &String| c.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    if let Some(label) = cells
        .iter()
        .take(3)
        .map(bare)
        .find(|c| TOTALS.iter().any(|t| c.starts_with(t)))
    {
        return Some(Passed::Total(label));
    }
    let first = cells.iter().find(|c| !c.is_empty())?;
    let lead = bare(first);
    let is_note = NOTES.iter().any(|n| {
        lead.strip_prefix(n)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '：', ',', '，', '.']))
    });
    (is_note && name.is_empty()).then(|| Passed::Note(cells.join(" ").trim().to_string()))
}

/// Reads a list's rows into drafts, as `kindergarten add` would read each
/// row's fields, with the normalising above.
pub fn kindergartens(table: Rows, cx: Context<'_>, defaults: Defaults<'_>) -> Listing {
    let columns: Vec<Option<&'static str>> = table.headers.iter().map(|h| column(h)).collect();
    let ignored = table
        .headers
        .iter()
        .zip(&columns)
        .filter(|(h, c)| c.is_none() && !h.trim().is_empty())
        .map(|(h, _)| tidy(h))
        .collect();
    let mut listing = Listing {
        above: table.above,
        header_line: table.header_line,
        ignored,
        passed: Vec::new(),
        rows: Vec::new(),
    };
    for (line, rec) in table.rows {
        let cells = match rec {
            Ok(cells) => cells,
            Err(e) => {
                listing.rows.push(ListRow {
                    line,
                    name: String::new(),
                    draft: Err(vec![e]),
                    inferred: None,
                });
                continue;
            }
        };
        let raw = row_raw(&columns, &cells);
        if let Some(p) = passed(&cells, raw.one(k::NAME.key).unwrap_or_default()) {
            listing.passed.push((line, p));
            continue;
        }
        listing.rows.push(read_row(line, raw, cx, defaults));
    }
    listing
}

/// A row's cells as the kindergarten's typed fields, each value as
/// people mean it.
fn row_raw(columns: &[Option<&'static str>], cells: &[String]) -> Raw {
    let mut raw = Raw::new();
    for (col, value) in columns.iter().zip(cells) {
        let Some(key) = col else { continue };
        if raw.given(key) {
            continue;
        }
        let value = match *key {
            "stars" => stars(value),
            "children" | "teachers" => count(value),
            "ownership" => ownership(value),
            "category" => category(value),
            "phone" => half_width(value),
            _ => tidy(value),
        };
        raw.put(key, value);
    }
    raw
}

/// One row read, with its district checked against the one given for the
/// list and its category inferred when it has none.
fn read_row(line: usize, mut raw: Raw, cx: Context<'_>, defaults: Defaults<'_>) -> ListRow {
    let l = cx.lang;
    let mut problems = Vec::new();
    match (defaults.district, raw.one(k::DISTRICT.key)) {
        (Some(d), None) => raw.put(k::DISTRICT.key, d.as_str()),
        (Some(d), Some(named)) => {
            let theirs = super::parse::district(l, cx.model, named);
            if theirs.as_ref().is_ok_and(|t| t != d) {
                let given = cx.model.district(d).map(|x| x.name.clone());
                problems.push(tr!(
                    l,
                    "import.other_district",
                    named = named,
                    given = given.unwrap_or_else(|| d.to_string())
                ));
            }
        }
        _ => {}
    }
    let mut inferred = None;
    if !raw.given(k::CATEGORY.key) {
        let text = |key: &str| raw.one(key).unwrap_or_default().to_string();
        inferred = infer_category(
            &text(k::NAME.key),
            &text(k::VILLAGE.key),
            &text(k::TOWN.key),
            defaults
                .chosen
                .and_then(|m| m.get(&line).copied())
                .or(defaults.category),
        );
        if let Some((c, _)) = inferred {
            raw.put(k::CATEGORY.key, c.code());
        }
    }
    let draft = k::read(&raw, cx).map_err(|bad| {
        bad.into_iter()
            .map(|b| match b.why {
                Why::Invalid(msg) => msg,
                Why::Missing => tr!(l, "import.missing", field = i18n::field(l, b.field)),
            })
            .collect::<Vec<_>>()
    });
    let draft = match (draft, problems.is_empty()) {
        (Ok(d), true) => Ok(d),
        (Ok(_), false) => Err(problems),
        (Err(mut more), _) => {
            problems.append(&mut more);
            Err(problems)
        }
    };
    ListRow {
        line,
        name: raw.one(k::NAME.key).unwrap_or_default().to_string(),
        draft,
        inferred,
    }
}

/// Why a category was inferred, in the reader's language.
pub fn because(l: Lang, b: Because) -> String {
    match b {
        Because::NameHas(word) => tr!(l, "import.because.name_has", word = word),
        Because::VillageGiven => tr!(l, "import.because.village"),
        Because::TownGiven => tr!(l, "import.because.town"),
        Because::Chosen => tr!(l, "import.because.chosen"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_matched_as_bureaus_write_them() {
        assert_eq!(column("县（区）"), Some("district"));
        assert_eq!(column("乡（镇）"), Some("town"));
        assert_eq!(column("在园幼儿数（人）"), Some("children"));
        assert_eq!(column("专任教师数\n（人）"), Some("teachers"));
        assert_eq!(column(" 幼儿园名称 "), Some("name"));
        assert_eq!(column("*园所名称"), Some("name"));
        assert_eq!(column("等级"), Some("stars"));
        assert_eq!(column("序号"), None);
        assert_eq!(column("备注"), None);
    }

    #[test]
    fn values_are_read_as_people_write_them() {
        for (written, meant) in [
            ("4", "4"),
            ("四星", "4"),
            ("四星级", "4"),
            ("4星", "4"),
            ("三星", "3"),
            ("二星级", "2"),
            ("★★★★", "4"),
            ("★★★☆☆", "3"),
            ("一级园", "1"),
            ("５", "5"),
            ("无", ""),
            ("优秀", "优秀"),
        ] {
            assert_eq!(stars(written), meant, "{written}");
        }
        assert_eq!(count("１２"), "12");
        assert_eq!(count("６０人"), "60");
        assert_eq!(count("十二"), "十二");
        assert_eq!(ownership("普惠性民办园"), "inclusive_private");
        assert_eq!(ownership("公立"), "public");
        assert_eq!(category("乡镇中心园"), "town_central");
        assert_eq!(tidy("　大洼区  中心\n幼儿园 "), "大洼区中心幼儿园");
        assert_eq!(tidy("Sunny  Kids"), "Sunny Kids");
    }

    #[test]
    fn a_category_is_inferred_from_the_name_first() {
        let infer = |n, v, t| infer_category(n, v, t, None).map(|(c, _)| c);
        assert_eq!(
            infer("新开镇中心幼儿园", "", ""),
            Some(Category::TownCentral)
        );
        assert_eq!(
            infer("胡家镇石庙子村幼儿园", "", ""),
            Some(Category::Village)
        );
        assert_eq!(infer("高升镇幼儿园", "", ""), Some(Category::Town));
        assert_eq!(infer("阳光幼儿园", "王家村", ""), Some(Category::Village));
        assert_eq!(infer("阳光幼儿园", "", ""), None);
        assert_eq!(
            infer_category("阳光幼儿园", "", "", Some(Category::Town)),
            Some((Category::Town, Because::Chosen))
        );
    }

    #[test]
    fn totals_and_notes_below_a_list_are_passed_over() {
        let cells = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            passed(&cells(&["合 计", "", "12"]), ""),
            Some(Passed::Total("合计".into()))
        );
        assert!(matches!(
            passed(&cells(&["注：星级按2024年评估"]), ""),
            Some(Passed::Note(_))
        ));
        assert_eq!(passed(&cells(&["3", "注音幼儿园"]), "注音幼儿园"), None);
    }
}
