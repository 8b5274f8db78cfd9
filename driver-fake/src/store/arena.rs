//! Per-shard storage of instance names: one string holding every name of the
//! shard's instances, each record keeping its span.
//!
//! Listing reads names from one contiguous buffer (in cache, and a `&str`
//! already, so no UTF-8 check per name), and a record keeps eight bytes for its
//! name. Removed names leave garbage that is compacted away once it is more
//! than half of the buffer.

/// Where one name sits in its shard's [`NameArena`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct NameSpan {
    start: u32,
    len: u32,
}

/// The names of one shard's instances.
#[derive(Debug, Default)]
pub(crate) struct NameArena {
    text: String,
    dead: usize,
}

/// Garbage below this many bytes is never worth a compaction.
const COMPACT_FLOOR: usize = 4096;

impl NameArena {
    /// Stores `name`; its span.
    #[inline]
    pub fn push(&mut self, name: &str) -> NameSpan {
        // Spans are 32-bit: a shard never holds 4 GiB of names in a test run;
        // past that, names read back empty rather than wrong.
        let start = u32::try_from(self.text.len()).unwrap_or(u32::MAX);
        let len = u32::try_from(name.len()).unwrap_or(0);
        if start < u32::MAX && len > 0 {
            self.text.push_str(name);
        }
        NameSpan { start, len }
    }

    /// The name at `span`.
    #[inline]
    pub fn get(&self, span: NameSpan) -> &str {
        let start = span.start as usize;
        self.text
            .get(start..start + span.len as usize)
            .unwrap_or_default()
    }

    /// Marks the name at `span` as gone; whether the arena now wants
    /// [`compact`](Self::compact).
    #[inline]
    pub fn release(&mut self, span: NameSpan) -> bool {
        self.dead += span.len as usize;
        self.dead > COMPACT_FLOOR && self.dead * 2 > self.text.len()
    }

    /// Rewrites the buffer with only the names at `spans` (every live one),
    /// updating them.
    pub fn compact<'a>(&mut self, spans: impl Iterator<Item = &'a mut NameSpan>) {
        let mut text = String::with_capacity(self.text.len() - self.dead.min(self.text.len()));
        for span in spans {
            let name = self.get(*span);
            let start = u32::try_from(text.len()).unwrap_or(u32::MAX);
            text.push_str(name);
            *span = NameSpan {
                start,
                len: span.len,
            };
        }
        self.text = text;
        self.dead = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back_through_release_and_compaction() {
        let mut arena = NameArena::default();
        let mut live: Vec<(String, NameSpan)> = Vec::new();
        for i in 0..3000 {
            let name = format!("vm-{i}-ünï");
            let span = arena.push(&name);
            live.push((name, span));
        }
        assert_eq!(arena.get(NameArena::default().push("")), "");
        // Remove two of every three, compacting when asked to.
        let mut compactions = 0;
        let mut i = 0;
        while i < live.len() {
            for _ in 0..2.min(live.len() - i) {
                let (_, span) = live.remove(i);
                if arena.release(span) {
                    arena.compact(live.iter_mut().map(|(_, span)| span));
                    compactions += 1;
                }
            }
            i += 1;
        }
        assert!(compactions > 0);
        assert!(arena.text.len() < 3000 * 12);
        for (name, span) in &live {
            assert_eq!(arena.get(*span), name);
        }
    }

    #[tokio::test]
    async fn a_driver_keeps_names_through_destroys_that_compact() {
        use driver_api::{
            BlockDeviceInfo, ComputeDriver, Flavor, ImageMeta, Instance, RequestContext,
        };
        let driver = crate::FakeDriver::builder()
            .node_size(crate::NodeSize::Custom(driver_api::ResourceAmounts::new(
                4000,
                4000 * 512,
                4000,
            )))
            .build();
        let (ctx, image, bdi) = (
            RequestContext::admin(),
            ImageMeta::new("i"),
            BlockDeviceInfo::default(),
        );
        // Sequential UUIDs share a shard: its names compact several times.
        let instances: Vec<Instance> = (0..3000u128)
            .map(|i| {
                Instance::new(uuid::Uuid::from_u128(i), Flavor::m1_tiny())
                    .with_name(format!("instance-with-a-longer-name-{i}"))
            })
            .collect();
        for instance in &instances {
            driver
                .spawn(&ctx, instance, &image, &[], None, &[], &bdi, true)
                .await
                .unwrap();
        }
        for (i, instance) in instances.iter().enumerate() {
            if i % 3 != 0 {
                driver.destroy(instance, &[], &bdi, true).await.unwrap();
            }
        }
        let mut listed = driver.list_instances().await.unwrap();
        listed.sort();
        let mut kept: Vec<String> = instances
            .iter()
            .step_by(3)
            .map(|i| i.name.clone())
            .collect();
        kept.sort();
        assert_eq!(listed, kept);
        for instance in instances.iter().step_by(3) {
            let view = driver.instance_by_name(&instance.name).unwrap();
            assert_eq!(view.uuid, instance.uuid);
            assert_eq!(driver.instance(instance.uuid).unwrap().name, instance.name);
        }
    }
}
