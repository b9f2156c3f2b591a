//! Node metrics: weighted PageRank and communities by modularity (Louvain), both
//! deterministic (fixed node order, ties to the smaller community).

use std::collections::BTreeMap;

use petgraph::graph::UnGraph;
use petgraph::visit::EdgeRef;

use crate::{EdgeData, NodeData};

/// Weighted PageRank (edge weight = count) with `damping`, `iterations` rounds of power
/// iteration; isolated nodes spread their rank evenly. Sums to 1.
pub fn pagerank(g: &UnGraph<NodeData, EdgeData>, damping: f64, iterations: usize) -> Vec<f64> {
    let n = g.node_count();
    if n == 0 {
        return Vec::new();
    }
    let nf = n as f64;
    let strength: Vec<f64> = g
        .node_indices()
        .map(|v| g.edges(v).map(|e| f64::from(e.weight().count)).sum())
        .collect();
    let mut rank = vec![1.0 / nf; n];
    for _ in 0..iterations {
        let dangling: f64 = g
            .node_indices()
            .filter(|v| strength[v.index()] == 0.0)
            .map(|v| rank[v.index()])
            .sum();
        let base = (1.0 - damping) / nf + damping * dangling / nf;
        let mut next = vec![base; n];
        for v in g.node_indices() {
            let s = strength[v.index()];
            if s == 0.0 {
                continue;
            }
            for e in g.edges(v) {
                let other = if e.source() == v {
                    e.target()
                } else {
                    e.source()
                };
                next[other.index()] += damping * rank[v.index()] * f64::from(e.weight().count) / s;
            }
        }
        let delta: f64 = next.iter().zip(&rank).map(|(a, b)| (a - b).abs()).sum();
        rank = next;
        if delta < 1e-12 {
            break;
        }
    }
    rank
}

/// Communities by modularity (the Louvain method, weights = counts): nodes move, in node
/// order, to the neighbouring community that raises modularity most (ties to the smaller
/// community), until no move helps; then each community becomes one node and the moving starts
/// again, until nothing changes. Deterministic. Communities are numbered by size, largest
/// first (ties by their first node).
pub fn communities(g: &UnGraph<NodeData, EdgeData>) -> Vec<usize> {
    let n = g.node_count();
    // Weighted adjacency of the current level (self-loops hold merged inner weight).
    let mut adj: Vec<BTreeMap<usize, f64>> = vec![BTreeMap::new(); n];
    for e in g.edge_references() {
        let (a, b, w) = (
            e.source().index(),
            e.target().index(),
            f64::from(e.weight().count),
        );
        *adj[a].entry(b).or_default() += w;
        *adj[b].entry(a).or_default() += w;
    }
    // Which top-level community each original node is in.
    let mut member: Vec<usize> = (0..n).collect();
    loop {
        let level = local_moving(&adj);
        let moved = level.iter().enumerate().any(|(i, &c)| i != c);
        // Renumber communities densely, in order of first appearance.
        let mut dense: BTreeMap<usize, usize> = BTreeMap::new();
        for &c in &level {
            let next = dense.len();
            dense.entry(c).or_insert(next);
        }
        for m in member.iter_mut() {
            *m = dense.get(&level[*m]).copied().unwrap_or(0);
        }
        if !moved || dense.len() == adj.len() {
            break;
        }
        let mut next: Vec<BTreeMap<usize, f64>> = vec![BTreeMap::new(); dense.len()];
        for (i, nbrs) in adj.iter().enumerate() {
            let ci = dense.get(&level[i]).copied().unwrap_or(0);
            for (&j, &w) in nbrs {
                let cj = dense.get(&level[j]).copied().unwrap_or(0);
                *next[ci].entry(cj).or_default() += w;
            }
        }
        adj = next;
    }
    let mut size: BTreeMap<usize, (usize, usize)> = BTreeMap::new();
    for (i, &l) in member.iter().enumerate() {
        let e = size.entry(l).or_insert((0, i));
        e.0 += 1;
    }
    let mut order: Vec<(usize, (usize, usize))> = size.into_iter().collect();
    order.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.1 .1.cmp(&b.1 .1)));
    let number: BTreeMap<usize, usize> = order
        .iter()
        .enumerate()
        .map(|(k, (l, _))| (*l, k))
        .collect();
    member
        .iter()
        .map(|l| number.get(l).copied().unwrap_or(0))
        .collect()
}

/// One level of Louvain local moving: the community of each node (labelled by a node).
fn local_moving(adj: &[BTreeMap<usize, f64>]) -> Vec<usize> {
    let n = adj.len();
    let k: Vec<f64> = adj.iter().map(|m| m.values().sum()).collect();
    let two_m: f64 = k.iter().sum();
    let mut comm: Vec<usize> = (0..n).collect();
    if two_m <= 0.0 {
        return comm;
    }
    let mut tot: Vec<f64> = k.clone();
    for _ in 0..100 {
        let mut improved = false;
        for i in 0..n {
            let ci = comm[i];
            tot[ci] -= k[i];
            let mut links: BTreeMap<usize, f64> = BTreeMap::new();
            for (&j, &w) in &adj[i] {
                if j != i {
                    *links.entry(comm[j]).or_default() += w;
                }
            }
            let gain = |c: usize, kin: f64| kin - tot[c] * k[i] / two_m;
            let mut best = ci;
            let mut best_gain = gain(ci, links.get(&ci).copied().unwrap_or(0.0));
            for (&c, &kin) in &links {
                let g = gain(c, kin);
                if g > best_gain + 1e-12 || ((g - best_gain).abs() <= 1e-12 && c < best) {
                    best = c;
                    best_gain = g;
                }
            }
            tot[best] += k[i];
            if best != ci {
                comm[i] = best;
                improved = true;
            }
        }
        if !improved {
            break;
        }
    }
    comm
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Entity, Kind};

    fn node(name: &str) -> NodeData {
        NodeData {
            entity: Entity {
                id: name.into(),
                name: name.into(),
                english: None,
                kind: Kind::Person,
            },
            occurrences: 1,
            degree: 0,
            pagerank: 0.0,
            community: 0,
        }
    }

    fn edge(count: u32) -> EdgeData {
        EdgeData {
            count,
            sources: 1,
            npmi: 0.0,
            labels: BTreeMap::new(),
        }
    }

    /// Two triangles joined by one weak edge.
    fn two_blocs() -> UnGraph<NodeData, EdgeData> {
        let mut g = UnGraph::new_undirected();
        let v: Vec<_> = ["a", "b", "c", "x", "y", "z"]
            .iter()
            .map(|n| g.add_node(node(n)))
            .collect();
        for (i, j) in [(0, 1), (1, 2), (0, 2), (3, 4), (4, 5), (3, 5)] {
            g.add_edge(v[i], v[j], edge(5));
        }
        g.add_edge(v[2], v[3], edge(1));
        g
    }

    #[test]
    fn louvain_finds_the_two_blocs() {
        let c = communities(&two_blocs());
        assert_eq!(c[0], c[1]);
        assert_eq!(c[1], c[2]);
        assert_eq!(c[3], c[4]);
        assert_eq!(c[4], c[5]);
        assert_ne!(c[0], c[3]);
    }

    #[test]
    fn pagerank_sums_to_one_and_favours_the_brokers() {
        let r = pagerank(&two_blocs(), 0.85, 100);
        assert!((r.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        assert!(r[2] > r[0] && r[3] > r[5]);
    }
}
