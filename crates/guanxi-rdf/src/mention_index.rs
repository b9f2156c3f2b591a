//! An article's mention index (`gx:mentionIndex`), both ways: for each entity the article
//! mentions, the indices of the sentences that mention it. One line per entity, sorted: the
//! sentence indices separated by spaces, a tab, the entity's IRI. Graph projections read this
//! one literal per article instead of joining every mention.

/// The predicate's IRI.
pub const PREDICATE: &str = "https://w3id.org/guanxi/ontology#mentionIndex";

/// The literal for `entries`: (sentence indices in order, entity IRI).
pub fn write(entries: &[(Vec<usize>, String)]) -> String {
    let mut lines: Vec<String> = entries
        .iter()
        .map(|(sentences, iri)| {
            let s: Vec<String> = sentences.iter().map(usize::to_string).collect();
            format!("{}\t{}", s.join(" "), iri)
        })
        .collect();
    lines.sort();
    lines.join("\n")
}

/// The entries of a mention index literal: (sentence indices, entity IRI). A line without a
/// tab is passed over, and so is an index that is not a number (the literal may come from a
/// store that others write to).
pub fn read(literal: &str) -> impl Iterator<Item = (Vec<usize>, &str)> {
    literal.lines().filter_map(|line| {
        let (sentences, iri) = line.split_once('\t')?;
        let indices = sentences
            .split(' ')
            .filter_map(|s| s.parse::<usize>().ok())
            .collect();
        Some((indices, iri))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_written_reads_back() {
        let entries = vec![
            (
                vec![3, 10],
                "https://w3id.org/guanxi/id/person/王毅".to_string(),
            ),
            (vec![0], "https://w3id.org/guanxi/id/place/北京".to_string()),
        ];
        let literal = write(&entries);
        assert_eq!(
            literal,
            "0\thttps://w3id.org/guanxi/id/place/北京\n3 10\thttps://w3id.org/guanxi/id/person/王毅"
        );
        let mut back: Vec<(Vec<usize>, String)> = read(&literal)
            .map(|(s, iri)| (s, iri.to_string()))
            .collect();
        back.sort();
        let mut want = entries;
        want.sort();
        assert_eq!(back, want);
        assert_eq!(
            read("no tab\n1 x\tiri").collect::<Vec<_>>(),
            vec![(vec![1], "iri")]
        );
    }
}
