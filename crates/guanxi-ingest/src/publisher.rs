//! Publishers by domain (`data/publishers.tsv`): name, other names, newsroom time zone.

use std::sync::LazyLock;

use guanxi_core::Publisher;

static TABLE: LazyLock<Vec<Publisher>> = LazyLock::new(|| {
    include_str!("../data/publishers.tsv")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f.len() >= 4).then(|| Publisher {
                domain: f[0].to_string(),
                name: f[1].to_string(),
                alternate_names: f[2]
                    .split('|')
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect(),
                time_zone: f[3].to_string(),
            })
        })
        .collect()
});

/// The publisher of `url`, matched on its host or any parent domain of it.
pub fn publisher_for_url(url: &str) -> Option<Publisher> {
    let host = url::Url::parse(url).ok()?.host_str()?.to_ascii_lowercase();
    TABLE
        .iter()
        .filter(|p| {
            host.strip_suffix(p.domain.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.ends_with('.'))
        })
        .max_by_key(|p| p.domain.len())
        .cloned()
}

/// The publisher called `name` (front-matter `author`), by any of its names.
pub(crate) fn publisher_for_name(name: &str) -> Option<Publisher> {
    let n = name.trim();
    TABLE
        .iter()
        .find(|p| {
            p.name == n
                || (n.contains(p.name.as_str()) && p.name.chars().count() >= 3)
                || p.alternate_names
                    .iter()
                    .any(|a| a == n || n.contains(a.as_str()) && a.chars().count() >= 2)
        })
        .cloned()
}
