//! Secrets never print: after calls that carry passwords, neither the
//! backend's `Debug` nor any error or value it returned shows one.

use driver_api::{ConsoleType, Secret};

use crate::prelude::*;

const SECRETS: [&str; 3] = [
    fixtures::ADMIN_PASSWORD,
    fixtures::RESCUE_PASSWORD,
    fixtures::NEW_PASSWORD,
];

fn leaked(text: &str) -> Option<&'static str> {
    SECRETS.iter().copied().find(|s| text.contains(s))
}

pub(crate) fn never_printed() -> CaseSpec {
    CaseSpec::new(|ctx| {
        Box::pin(async move {
            let capabilities = ctx.capabilities();
            let d = ctx.driver();
            let mut shown: Vec<(String, String)> = Vec::new();
            let instance = ctx.spawn_running().await?;
            let twin = ctx
                .new_instance(Flavor::m1_tiny())
                .with_name(instance.name.clone());
            let refused = ctx.spawn_on(0, &twin, true).await;
            shown.push((
                "a refused spawn's error".into(),
                format!("{refused:?} {}", show(&refused)),
            ));
            if capabilities.supports(F::AdminPassword) {
                ctx.step("set_admin_password (running, then unknown instance)");
                let set = d
                    .set_admin_password(&instance, Secret::new(fixtures::NEW_PASSWORD))
                    .await;
                shown.push(("set_admin_password's answer".into(), format!("{set:?}")));
                let unknown = ctx.new_instance(Flavor::m1_tiny());
                let err = d
                    .set_admin_password(&unknown, Secret::new(fixtures::NEW_PASSWORD))
                    .await;
                shown.push((
                    "set_admin_password's error".into(),
                    format!("{err:?} {}", show(&err)),
                ));
            }
            if capabilities.supports(F::Rescue) {
                let first = ctx.apply(&instance, Op::Rescue).await;
                shown.push(("rescue's answer".into(), format!("{first:?}")));
                let again = ctx.apply(&instance, Op::Rescue).await;
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
