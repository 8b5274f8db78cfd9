//! Security groups, their rules, and provider firewall rules.

use uuid::Uuid;
use virtapi::{
    Cidr, IpProtocol, ProviderFirewallRule, RuleSource, SecurityGroup, SecurityGroupRule, VirtAPI,
    VirtApiError, VirtApiErrorKind,
};

use super::{ctx, seeded_instance};
use crate::virtapi::FakeVirtAPI;

#[tokio::test]
async fn security_group_get_by_instance_lists_memberships_in_id_order() {
    let api = FakeVirtAPI::new();
    let instance = seeded_instance(&api, "h1");
    let lonely = seeded_instance(&api, "h1");
    let default = api.create_security_group(SecurityGroup::new(0, "default", "p"));
    let web = api.create_security_group(SecurityGroup::new(0, "web", "p").with_description("80"));
    api.create_security_group(SecurityGroup::new(0, "unused", "p"));
    api.add_instance_to_security_group(instance.uuid, web.id)
        .unwrap();
    api.add_instance_to_security_group(instance.uuid, default.id)
        .unwrap();
    api.add_instance_to_security_group(instance.uuid, default.id)
        .unwrap();

    let groups = api
        .security_group_get_by_instance(&ctx(), instance.uuid)
        .await
        .unwrap();
    assert_eq!(groups, vec![default, web]);
    assert!(api
        .security_group_get_by_instance(&ctx(), lonely.uuid)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn security_group_get_by_instance_of_an_unknown_instance_is_not_found() {
    let api = FakeVirtAPI::new();
    let instance = seeded_instance(&api, "h1");
    let group = api.create_security_group(SecurityGroup::new(0, "g", "p"));
    api.add_instance_to_security_group(instance.uuid, group.id)
        .unwrap();
    api.remove_instance(instance.uuid);
    let error = api
        .security_group_get_by_instance(&ctx(), instance.uuid)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), VirtApiErrorKind::InstanceNotFound);
    // Re-inserting the instance does not resurrect the old membership.
    api.insert_instance(instance.clone());
    assert!(api
        .security_group_get_by_instance(&ctx(), instance.uuid)
        .await
        .unwrap()
        .is_empty());
}

#[test]
fn joining_a_security_group_needs_both_the_instance_and_the_group() {
    let api = FakeVirtAPI::new();
    let instance = seeded_instance(&api, "h1");
    let group = api.create_security_group(SecurityGroup::new(0, "g", "p"));
    assert_eq!(
        api.add_instance_to_security_group(Uuid::new_v4(), group.id)
            .unwrap_err()
            .kind(),
        VirtApiErrorKind::InstanceNotFound
    );
    assert!(matches!(
        api.add_instance_to_security_group(instance.uuid, 77)
            .unwrap_err(),
        VirtApiError::SecurityGroupNotFound {
            security_group_id: 77
        }
    ));
}

#[tokio::test]
async fn security_group_rules_belong_to_their_group() {
    let api = FakeVirtAPI::new();
    let web = api.create_security_group(SecurityGroup::new(0, "web", "p"));
    let db = api.create_security_group(SecurityGroup::new(0, "db", "p"));
    let any: Cidr = "0.0.0.0/0".parse().unwrap();
    let http = api
        .add_security_group_rule(
            web.id,
            SecurityGroupRule::new(IpProtocol::Tcp, 80, 80, RuleSource::Cidr(any)),
        )
        .unwrap();
    let postgres = api
        .add_security_group_rule(
            db.id,
            SecurityGroupRule::new(IpProtocol::Tcp, 5432, 5432, RuleSource::Group(web.id)),
        )
        .unwrap();
    let ping = api
        .add_security_group_rule(
            web.id,
            SecurityGroupRule::new(IpProtocol::Icmp, -1, -1, RuleSource::Cidr(any)),
        )
        .unwrap();
    assert_eq!((http.id, postgres.id, ping.id), (1, 2, 3));
    assert_eq!(postgres.parent_group_id, db.id);

    let web_rules = api
        .security_group_rule_get_by_security_group(&ctx(), web.id)
        .await
        .unwrap();
    assert_eq!(web_rules, vec![http, ping]);
    assert!(web_rules.iter().all(|rule| rule.parent_group_id == web.id));
    let db_rules = api
        .security_group_rule_get_by_security_group(&ctx(), db.id)
        .await
        .unwrap();
    assert_eq!(db_rules, vec![postgres]);
}

#[tokio::test]
async fn security_group_rules_of_an_unknown_group_are_not_found() {
    let api = FakeVirtAPI::new();
    let error = api
        .security_group_rule_get_by_security_group(&ctx(), 3)
        .await
        .unwrap_err();
    assert!(matches!(
        error,
        VirtApiError::SecurityGroupNotFound {
            security_group_id: 3
        }
    ));
    let rule = SecurityGroupRule::new(IpProtocol::Udp, 53, 53, RuleSource::Group(1));
    assert_eq!(
        api.add_security_group_rule(3, rule).unwrap_err().kind(),
        VirtApiErrorKind::SecurityGroupNotFound
    );
}

#[tokio::test]
async fn provider_fw_rules_are_listed_in_id_order() {
    let api = FakeVirtAPI::new();
    assert!(api
        .provider_fw_rule_get_all(&ctx())
        .await
        .unwrap()
        .is_empty());
    let smtp = api.add_provider_fw_rule(ProviderFirewallRule::new(
        IpProtocol::Tcp,
        25,
        25,
        "0.0.0.0/0".parse().unwrap(),
    ));
    let dns = api.add_provider_fw_rule(ProviderFirewallRule::new(
        IpProtocol::Udp,
        53,
        53,
        "10.0.0.0/8".parse().unwrap(),
    ));
    assert_eq!((smtp.id, dns.id), (1, 2));
    assert_eq!(
        api.provider_fw_rule_get_all(&ctx()).await.unwrap(),
        vec![smtp, dns]
    );
}
