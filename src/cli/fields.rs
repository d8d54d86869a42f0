//! Command-line options built from a record kind's field specifications
//! (`input::records`), so that the options, their help and what they
//! mean are those of the forms and the spreadsheet import.

use super::Fail;
use crate::input::records::{
    inspection, invite, kindergarten, pairing, plan, sections, terms, visit,
};
use crate::input::{Bad, FieldSpec, Raw};
use clap::{Arg, ArgAction, ArgMatches, Command};
use std::marker::PhantomData;

/// A record kind's fields, as the command line offers them.
pub trait Spec {
    fn fields() -> Vec<&'static FieldSpec>;
}

macro_rules! spec {
    ($name:ident, $fields:expr) => {
        pub struct $name;
        impl Spec for $name {
            fn fields() -> Vec<&'static FieldSpec> {
                $fields.into_iter().collect()
            }
        }
    };
}

spec!(KindergartenSpec, kindergarten::FIELDS);
spec!(PairingSpec, pairing::fields());
spec!(TermsSpec, terms::FIELDS);
spec!(VisitSpec, visit::FIELDS);
spec!(InspectionSpec, inspection::FIELDS);
spec!(PlanSpec, plan::FIELDS);
spec!(InviteSpec, invite::FIELDS);
spec!(SectionsSpec, sections::FIELDS);

/// The options given for a record kind's fields, as typed. For a new
/// record (`NEW`) the command line asks for the required ones itself; for
/// changes (`Changes`) every option is optional.
pub struct Fields<S: Spec, const NEW: bool = true> {
    pub raw: Raw,
    spec: PhantomData<S>,
}

/// The options given to change a record.
pub type Changes<S> = Fields<S, false>;

impl<S: Spec, const NEW: bool> std::fmt::Debug for Fields<S, NEW> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.raw.fmt(f)
    }
}

impl<S: Spec, const NEW: bool> Fields<S, NEW> {
    /// Every problem with what was typed; a missing field names the
    /// option that gives it.
    pub fn fail(bad: Vec<Bad>) -> Fail {
        let flags = S::fields().iter().map(|f| (f.key, f.flag)).collect();
        Fail::Unread { bad, flags }
    }
}

fn arg(f: &'static FieldSpec, new: bool) -> Arg {
    let a = Arg::new(f.key)
        .long(f.flag)
        .help(f.help)
        .required(new && f.required())
        .allow_negative_numbers(true);
    if f.many() {
        a.action(ArgAction::Append)
    } else {
        a.action(ArgAction::Set)
    }
}

impl<S: Spec, const NEW: bool> clap::FromArgMatches for Fields<S, NEW> {
    fn from_arg_matches(m: &ArgMatches) -> Result<Self, clap::Error> {
        let mut raw = Raw::new();
        for f in S::fields() {
            if let Ok(Some(values)) = m.try_get_many::<String>(f.key) {
                raw.put_all(f.key, values.cloned().collect());
            }
        }
        Ok(Fields {
            raw,
            spec: PhantomData,
        })
    }

    fn update_from_arg_matches(&mut self, m: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(m)?;
        Ok(())
    }
}

impl<S: Spec, const NEW: bool> clap::Args for Fields<S, NEW> {
    fn augment_args(cmd: Command) -> Command {
        S::fields()
            .into_iter()
            .fold(cmd, |cmd, f| cmd.arg(arg(f, NEW)))
    }

    fn augment_args_for_update(cmd: Command) -> Command {
        Self::augment_args(cmd)
    }
}
