//! Secrets never print: after calls that carry passwords, neither the
//! backend's `Debug` nor any error or value it returned shows one. The calls
//! that carry passwords are steps through the reference model
//! ([`crate::model::Rig`]): each answer and every observable after it equal
//! the model's.

use driver_api::ConsoleType;

use crate::model::{Rig, Step};
use crate::prelude::*;

const SECRETS: [&str; 3] = [
    fixtures::ADMIN_PASSWORD,
    fixtures::RESCUE_PASSWORD,
    fixtures::NEW_PASSWORD,
];

fn leaked(text: &str) -> Option<&'static str> {
    SECRETS.iter().copied().find(|s| text.contains(s))
}

/// A refused spawn, `set_admin_password` (accepted and refused) and
/// `rescue` (accepted and refused) carry passwords; no answer, no error and
/// not the backend's `Debug` shows one.
pub(crate) fn never_printed() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let capabilities = ctx.capabilities();
            let d = ctx.driver();
            let log = |text: String| ctx.step(text);
            let rig = Rig::of(ctx, &log).await?;
            let mut shown: Vec<(String, String)> = Vec::new();
            let spawn = Step::Spawn { power_on: true };
            let instance = ctx.new_instance(Flavor::m1_tiny());
            rig.step(0, &instance, &spawn).await?;
            let twin = ctx
                .new_instance(Flavor::m1_tiny())
                .with_name(instance.name.clone());
            let refused = rig.answer(0, &twin, &spawn).await?;
            shown.push((
                "a refused spawn's error".into(),
                format!("{refused:?} {}", show(&refused)),
            ));
            if capabilities.supports(F::AdminPassword) {
                let set = rig.answer(0, &instance, &Step::SetAdminPassword).await?;
                shown.push(("set_admin_password's answer".into(), format!("{set:?}")));
                let unknown = ctx.new_instance(Flavor::m1_tiny());
                let err = rig.answer(0, &unknown, &Step::SetAdminPassword).await?;
                shown.push((
                    "set_admin_password's error".into(),
                    format!("{err:?} {}", show(&err)),
                ));
            }
            if capabilities.supports(F::Rescue) {
                let rescue = Step::Lifecycle(Op::Rescue);
                let first = rig.answer(0, &instance, &rescue).await?;
                shown.push(("rescue's answer".into(), format!("{first:?}")));
                let again = rig.answer(0, &instance, &rescue).await?;
                shown.push((
                    "a refused rescue's error".into(),
                    format!("{again:?} {}", show(&again)),
                ));
            }
            if capabilities.supports(F::ConsolePool) {
                let pool = d.get_console_pool_info(ConsoleType::Vnc).await;
                shown.push(("get_console_pool_info's answer".into(), format!("{pool:?}")));
            }
            let info = d.get_info(&instance).await;
            shown.push(("get_info's answer".into(), format!("{info:?}")));
            shown.push(("the backend's Debug".into(), format!("{d:?} {d:#?}")));
            for (what, text) in shown {
                if let Some(secret) = leaked(&text) {
                    return Err(CaseError::fail(
                        format!("{what} free of secrets"),
                        format!("it shows the password {:?}", redacted(secret)),
                    ));
                }
            }
            Ok(())
        })
    })
    .exercises(&[M::Spawn, M::GetInfo])
    .covers(&[M::SetAdminPassword, M::Rescue, M::GetConsolePoolInfo])
}

fn show<T>(result: &driver_api::DriverResult<T>) -> String {
    match result {
        Ok(_) => String::new(),
        Err(error) => error.to_string(),
    }
}

/// The first four characters of a leaked secret, for the failure message
/// (the report must not spread it further).
fn redacted(secret: &str) -> String {
    format!("{}…", secret.chars().take(4).collect::<String>())
}
