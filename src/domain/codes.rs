//! The programme's closed vocabularies (性质、类别、帮扶形式、帮扶任务 …).
//!
//! Each value has a stable English code, used on disk, in JSON and on the
//! command line. Labels in Chinese and English live in the locale files under
//! `<KIND>.<code>`; this module knows nothing of languages.

/// A closed set of values with stable codes.
pub trait Code: Copy + Eq + 'static {
    /// The locale-key prefix of this vocabulary (e.g. `form`).
    const KIND: &'static str;
    /// Every value, in the programme's own order.
    const ALL: &'static [Self];
    fn code(self) -> &'static str;
    fn from_code(code: &str) -> Option<Self> {
        let code = code.trim().to_ascii_lowercase().replace('-', "_");
        Self::ALL.iter().copied().find(|v| v.code() == code)
    }
}

macro_rules! code_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident : $kind:literal {
            $( $(#[$vmeta:meta])* $variant:ident => $code:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $( $(#[$vmeta])* $variant ),+ }

        impl Code for $name {
            const KIND: &'static str = $kind;
            const ALL: &'static [Self] = &[$($name::$variant),+];
            fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.code())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                <$name as Code>::from_code(&s)
                    .ok_or_else(|| serde::de::Error::custom(format!("unknown {} `{}`", $kind, s)))
            }
        }
    };
}

code_enum! {
    /// Ownership of a kindergarten (办园性质).
    pub enum Ownership: "ownership" {
        /// 公办
        Public => "public",
        /// 民办
        Private => "private",
        /// 普惠性民办
        InclusivePrivate => "inclusive_private",
    }
}

impl Ownership {
    /// Private in the sense of the notice's "村(屯)民办幼儿园": 民办 or 普惠性民办.
    pub fn is_private(self) -> bool {
        matches!(self, Ownership::Private | Ownership::InclusivePrivate)
    }
}

code_enum! {
    /// Category of a kindergarten (园所类别).
    pub enum Category: "category" {
        /// 城区优质园
        UrbanQuality => "urban_quality",
        /// 镇中心园
        TownCentral => "town_central",
        /// 镇幼儿园
        Town => "town",
        /// 村屯园
        Village => "village",
        /// 园点
        VillagePoint => "village_point",
    }
}

impl Category {
    /// A village kindergarten or a village point (村(屯)幼儿园(点)).
    pub fn is_village(self) -> bool {
        matches!(self, Category::Village | Category::VillagePoint)
    }
}

code_enum! {
    /// The three pairing modes (帮扶方式).
    pub enum Mode: "mode" {
        /// 镇内：镇内优质公办园帮扶村(屯)民办园
        Town => "town",
        /// 县区内：五、四星级优质园帮扶镇薄弱园
        District => "district",
        /// 跨区域：经双方教育局同意
        CrossRegion => "cross_region",
    }
}

code_enum! {
    /// Where an agreement stands (协议状态).
    pub enum AgreementStatus: "status" {
        /// 草拟
        Draft => "draft",
        /// 已签订
        Signed => "signed",
        /// 已审核备案 (locked)
        Filed => "filed",
    }
}

code_enum! {
    /// Forms of support (帮扶形式).
    pub enum SupportForm: "form" {
        /// 送教下乡
        SendTeachers => "send_teachers",
        /// 名师工作室
        MasterStudio => "master_studio",
        /// 入园指导
        OnSiteGuidance => "on_site_guidance",
        /// 跟岗研修
        Shadowing => "shadowing",
        /// 网络在线学习
        Online => "online",
    }
}

code_enum! {
    /// The five support tasks (帮扶任务).
    pub enum Task: "task" {
        /// 提高管理水平
        Management => "management",
        /// 提升教师能力素质
        Teachers => "teachers",
        /// 改善办园条件
        Conditions => "conditions",
        /// 镇村一体化管理
        TownVillage => "town_village",
        /// 培育乡村特色幼儿园
        RuralCharacter => "rural_character",
    }
}

code_enum! {
    /// The four areas an inspection scores (评估领域).
    pub enum Area: "area" {
        /// 办园理念
        Philosophy => "philosophy",
        /// 保育教育
        CareEducation => "care_education",
        /// 环境创设
        Environment => "environment",
        /// 园所管理
        Management => "management",
    }
}

code_enum! {
    /// Roles of the people taking part in a visit (参与人员角色). Other roles
    /// are kept as free text.
    pub enum Role: "role" {
        /// 教研员
        Researcher => "researcher",
        /// 领航园长
        LeadPrincipal => "lead_principal",
        /// 园长
        Principal => "principal",
        /// 骨干教师
        KeyTeacher => "key_teacher",
        /// 教师
        Teacher => "teacher",
    }
}

code_enum! {
    /// Where a report stands (报告状态), used by monthly reports and summaries.
    pub enum ReportStatus: "report_status" {
        /// 草稿
        Draft => "draft",
        /// 已提交
        Submitted => "submitted",
        /// 已接收
        Accepted => "accepted",
        /// 已退回
        Returned => "returned",
    }
}

// The enum comes from `code_enum!`, which cannot mark a default variant.
#[allow(clippy::derivable_impls)]
impl Default for ReportStatus {
    fn default() -> ReportStatus {
        ReportStatus::Draft
    }
}

code_enum! {
    /// A written part of a report (叙述部分). A monthly report has progress,
    /// problems, practices and cases; an annual summary progress, results,
    /// problems and plan.
    pub enum Section: "section" {
        /// 工作进展 / 进展情况
        Progress => "progress",
        /// 取得的成效
        Results => "results",
        /// 存在的问题
        Problems => "problems",
        /// 好做法
        Practices => "practices",
        /// 典型事例
        Cases => "cases",
        /// 下一步工作计划
        Plan => "plan",
    }
}

code_enum! {
    /// Level of an annual summary (总结层级).
    pub enum Level: "level" {
        /// 幼儿园
        Kindergarten => "kindergarten",
        /// 县区
        District => "district",
        /// 市
        City => "city",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_accept_dashes() {
        for f in SupportForm::ALL {
            assert_eq!(SupportForm::from_code(f.code()), Some(*f));
        }
        assert_eq!(Mode::from_code("cross-region"), Some(Mode::CrossRegion));
        assert_eq!(Mode::from_code("CROSS_REGION"), Some(Mode::CrossRegion));
        assert_eq!(Mode::from_code("elsewhere"), None);
    }

    #[test]
    fn codes_are_what_json_shows() {
        assert_eq!(
            serde_json::to_string(&Task::TownVillage).ok().as_deref(),
            Some("\"town_village\"")
        );
        let back: Result<Task, _> = serde_json::from_str("\"rural_character\"");
        assert_eq!(back.ok(), Some(Task::RuralCharacter));
    }
}

code_enum! {
    /// A member's role (成员角色).
    pub enum MemberRole: "member_role" {
        /// 市教育局管理员
        CityAdmin => "city_admin",
        /// 县区教育局管理员
        DistrictAdmin => "district_admin",
        /// 幼儿园
        Kindergarten => "kindergarten",
        /// 督导检查员
        Inspector => "inspector",
        /// 只读
        Viewer => "viewer",
    }
}

code_enum! {
    /// What an attached file is (佐证材料的类别).
    pub enum EvidenceKind: "evidence" {
        /// 活动照片
        Photo => "photo",
        /// 签到表
        SignIn => "sign_in",
        /// 盖章的帮扶协议
        SealedAgreement => "sealed_agreement",
        /// 评分表
        ScoreSheet => "score_sheet",
        /// 附件
        Appendix => "appendix",
        /// 其他材料
        Other => "other",
    }
}

code_enum! {
    /// The formats a file may be attached in.
    pub enum FileFormat: "file_format" {
        Jpeg => "jpeg",
        Png => "png",
        Pdf => "pdf",
    }
}

code_enum! {
    /// The kinds of record evidence is attached to.
    pub enum AttachedTo: "attached_to" {
        Pairing => "pairing",
        Visit => "visit",
        Inspection => "inspection",
        MonthlyReport => "monthly_report",
        AnnualSummary => "annual_summary",
    }
}
