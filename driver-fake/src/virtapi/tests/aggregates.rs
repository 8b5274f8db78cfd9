//! Aggregates: membership, metadata add (with and without set_delete), delete.

use std::collections::BTreeMap;

use virtapi::{Aggregate, VirtAPI, VirtApiError, VirtApiErrorKind};

use super::{ctx, map};
use crate::virtapi::FakeVirtAPI;

#[tokio::test]
async fn aggregate_get_by_host_returns_member_aggregates_filtered_by_key() {
    let api = FakeVirtAPI::new();
    let ssd = api.create_aggregate(
        Aggregate::new(0, "ssd")
            .with_host("h1")
            .with_metadata("ssd", "true"),
    );
    let zone = api.create_aggregate(
        Aggregate::new(0, "zone")
            .with_host("h1")
            .with_availability_zone("az1"),
    );
    api.create_aggregate(Aggregate::new(0, "other").with_host("h2"));
    assert_eq!((ssd.id, zone.id), (1, 2));

    let all = api.aggregate_get_by_host(&ctx(), "h1", None).await.unwrap();
    assert_eq!(all, vec![ssd.clone(), zone.clone()]);
    let with_ssd = api
        .aggregate_get_by_host(&ctx(), "h1", Some("ssd".into()))
        .await
        .unwrap();
    assert_eq!(with_ssd, vec![ssd]);
    let with_zone = api
        .aggregate_get_by_host(&ctx(), "h1", Some("availability_zone".into()))
        .await
        .unwrap();
    assert_eq!(with_zone, vec![zone]);
    assert!(api
        .aggregate_get_by_host(&ctx(), "h1", Some("gpu".into()))
        .await
        .unwrap()
        .is_empty());
    assert!(api
        .aggregate_get_by_host(&ctx(), "h3", None)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn aggregate_hosts_can_be_added_and_removed() {
    let api = FakeVirtAPI::new();
    let agg = api.create_aggregate(Aggregate::new(0, "a"));
    api.add_aggregate_host(agg.id, "h1").unwrap();
    assert_eq!(
        api.aggregate_get_by_host(&ctx(), "h1", None)
            .await
            .unwrap()
            .len(),
        1
    );
    let after = api.remove_aggregate_host(agg.id, "h1").unwrap();
    assert!(after.hosts.is_empty());
    assert!(api
        .aggregate_get_by_host(&ctx(), "h1", None)
        .await
        .unwrap()
        .is_empty());
    let error = api.add_aggregate_host(99, "h1").unwrap_err();
    assert!(matches!(
        error,
        VirtApiError::AggregateNotFound { aggregate_id: 99 }
    ));
    assert_eq!(
        api.remove_aggregate_host(99, "h1").unwrap_err().kind(),
        VirtApiErrorKind::AggregateNotFound
    );
}

#[tokio::test]
async fn aggregate_metadata_add_merges_without_set_delete() {
    let api = FakeVirtAPI::new();
    let agg = api.create_aggregate(
        Aggregate::new(0, "a")
            .with_metadata("a", "1")
            .with_metadata("b", "1"),
    );
    let after = api
        .aggregate_metadata_add(&ctx(), agg.id, map(&[("b", "2"), ("c", "3")]), false)
        .await
        .unwrap();
    assert_eq!(after.metadata, map(&[("a", "1"), ("b", "2"), ("c", "3")]));
    assert_eq!(api.aggregate(agg.id), Some(after));
}

#[tokio::test]
async fn aggregate_metadata_add_with_set_delete_removes_other_keys() {
    let api = FakeVirtAPI::new();
    let agg = api.create_aggregate(
        Aggregate::new(0, "a")
            .with_metadata("a", "1")
            .with_metadata("b", "1")
            .with_availability_zone("az"),
    );
    let after = api
        .aggregate_metadata_add(&ctx(), agg.id, map(&[("b", "2"), ("c", "3")]), true)
        .await
        .unwrap();
    assert_eq!(after.metadata, map(&[("b", "2"), ("c", "3")]));
    assert_eq!(after.availability_zone(), None);
    // Idempotent.
    let again = api
        .aggregate_metadata_add(&ctx(), agg.id, map(&[("b", "2"), ("c", "3")]), true)
        .await
        .unwrap();
    assert_eq!(again, after);
    // An empty map with set_delete clears everything.
    let cleared = api
        .aggregate_metadata_add(&ctx(), agg.id, BTreeMap::new(), true)
        .await
        .unwrap();
    assert!(cleared.metadata.is_empty());
    assert_eq!(api.aggregate(agg.id), Some(cleared));
}

#[tokio::test]
async fn aggregate_metadata_add_to_an_unknown_aggregate_is_not_found() {
    let api = FakeVirtAPI::new();
    let error = api
        .aggregate_metadata_add(&ctx(), 5, map(&[("a", "1")]), false)
        .await
        .unwrap_err();
    assert!(matches!(
        error,
        VirtApiError::AggregateNotFound { aggregate_id: 5 }
    ));
}

#[tokio::test]
async fn aggregate_metadata_delete_removes_one_key_and_refuses_a_missing_one() {
    let api = FakeVirtAPI::new();
    let agg = api.create_aggregate(
        Aggregate::new(0, "a")
            .with_metadata("a", "1")
            .with_metadata("b", "1"),
    );
    api.aggregate_metadata_delete(&ctx(), agg.id, "a")
        .await
        .unwrap();
    assert_eq!(
        api.aggregate(agg.id).map(|a| a.metadata),
        Some(map(&[("b", "1")]))
    );
    let error = api
        .aggregate_metadata_delete(&ctx(), agg.id, "a")
        .await
        .unwrap_err();
    assert!(matches!(
        &error,
        VirtApiError::AggregateMetadataNotFound { aggregate_id, key }
            if *aggregate_id == agg.id && key == "a"
    ));
    let error = api
        .aggregate_metadata_delete(&ctx(), 42, "b")
        .await
        .unwrap_err();
    assert_eq!(error.kind(), VirtApiErrorKind::AggregateNotFound);
    assert_eq!(
        api.aggregate(agg.id).map(|a| a.metadata),
        Some(map(&[("b", "1")]))
    );
}
