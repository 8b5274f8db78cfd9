//! Skips counted by reason, for the console: reasons that differ only in
//! the feature they name are one line, with the features listed.

use std::collections::BTreeMap;

use driver_api::Feature;

/// At most this many reasons are listed; the rest are counted.
const REASONS_SHOWN: usize = 12;

/// `reason` with every feature name in it replaced by `<feature>`, and the
/// features it named.
fn pattern(reason: &str) -> (String, Vec<&'static str>) {
    let mut key = String::with_capacity(reason.len());
    let mut named = Vec::new();
    let mut word = String::new();
    let mut flush = |word: &mut String, key: &mut String| {
        match Feature::ALL.iter().find(|f| f.name() == word.as_str()) {
            Some(feature) => {
                key.push_str("<feature>");
                named.push(feature.name());
            }
            None => key.push_str(word),
        }
        word.clear();
    };
    for c in reason.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            word.push(c);
        } else {
            flush(&mut word, &mut key);
            key.push(c);
        }
    }
    flush(&mut word, &mut key);
    (key, named)
}

/// One line of the table: a reason (pattern) and the features it covers.
#[derive(Default)]
struct Group {
    count: usize,
    features: BTreeMap<&'static str, usize>,
}

/// The skips by reason as console lines, the commonest first: `{label}: N,
/// by reason:` then `count  reason` lines; reasons that differ only in the
/// feature they name share a line (`needs <feature>, which x does not
/// declare`) followed by the features and their counts. Empty when nothing
/// was skipped.
pub fn skip_table(label: &str, reasons: &BTreeMap<String, usize>) -> String {
    if reasons.is_empty() {
        return String::new();
    }
    let mut groups: BTreeMap<String, Group> = BTreeMap::new();
    for (reason, count) in reasons {
        let (key, named) = pattern(reason);
        let group = groups.entry(key).or_default();
        group.count += count;
        for feature in named {
            *group.features.entry(feature).or_default() += count;
        }
    }
    let mut sorted: Vec<(&String, &Group)> = groups.iter().collect();
    sorted.sort_by(|a, b| b.1.count.cmp(&a.1.count).then(a.0.cmp(b.0)));
    let total: usize = reasons.values().sum();
    let mut out = format!("{label}: {total}, by reason:\n");
    for (reason, group) in sorted.iter().take(REASONS_SHOWN) {
        out.push_str(&format!("{:>6}  {reason}\n", group.count));
        if !group.features.is_empty() && reason.contains("<feature>") {
            let features: Vec<String> = group
                .features
                .iter()
                .map(|(name, n)| format!("{name} ({n})"))
                .collect();
            out.push_str(&format!("          <feature>: {}\n", features.join(", ")));
        }
    }
    if sorted.len() > REASONS_SHOWN {
        let rest: usize = sorted
            .iter()
            .skip(REASONS_SHOWN)
            .map(|(_, g)| g.count)
            .sum();
        out.push_str(&format!(
            "{rest:>6}  ({} more reasons; each case's line shows its own)\n",
            sorted.len() - REASONS_SHOWN
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_differing_only_in_the_feature_share_a_line() {
        let reasons = BTreeMap::from([
            ("needs pause, which toy does not declare".to_owned(), 3),
            ("needs suspend, which toy does not declare".to_owned(), 2),
            (
                "needs test hooks (crash), which the toy factory does not offer".to_owned(),
                4,
            ),
        ]);
        let table = skip_table("skipped", &reasons);
        assert_eq!(
            table,
            "skipped: 9, by reason:\n\
             \x20    5  needs <feature>, which toy does not declare\n\
             \x20         <feature>: pause (3), suspend (2)\n\
             \x20    4  needs test hooks (crash), which the toy factory does not offer\n"
        );
    }

    #[test]
    fn a_feature_name_inside_a_longer_word_is_not_a_feature() {
        let (key, named) = pattern("unpause needs pause");
        assert_eq!(key, "unpause needs <feature>");
        assert_eq!(named, ["pause"]);
        assert!(skip_table("x", &BTreeMap::new()).is_empty());
    }
}
