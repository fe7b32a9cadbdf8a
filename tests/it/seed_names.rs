//! What must hold for names on the seed corpus: variant spellings in one cluster, look-alike
//! people in different clusters.

use crosscheck::pipeline::{Config, run};

use crate::support::root;

/// The cluster id of the cluster holding a variant whose last word is `surname`.
fn cluster_of(analysis: &crosscheck::pipeline::Analysis, surname: &str) -> u32 {
    analysis
        .names
        .iter()
        .find(|c| c.variants.iter().any(|v| v.surface.rsplit(' ').next() == Some(surname)))
        .unwrap_or_else(|| panic!("no cluster holds {surname}"))
        .id
}

#[test]
fn seed_corpus_name_clusters() {
    let analysis = run(&[root().join("corpus")], &Config::default()).expect("the seed corpus loads");
    let same = [
        // Meduza's quote "Steve and Yuri discussed" names them by given name alone.
        &["Witkoff", "Wiktoff", "Vitkoff", "Steve"][..],
        &["Ushakov", "Uishako", "Uixakov", "Yuri"],
        &["Zelensky", "Zelenskyy"],
        &["Dmitriev"],
    ];
    for group in same {
        let ids: Vec<u32> = group.iter().map(|name| cluster_of(&analysis, name)).collect();
        assert!(ids.iter().all(|&id| id == ids[0]), "{group:?} are in clusters {ids:?}");
    }
    let apart = [
        ("Putin", "Zelensky"),
        ("Witkoff", "Cheung"),
        ("Peskov", "Dmitriev"),
        ("Ushakov", "Zakharov"),
        ("Rounds", "Flynn"),
    ];
    for (a, b) in apart {
        assert_ne!(cluster_of(&analysis, a), cluster_of(&analysis, b), "{a} and {b} were merged");
    }
    // The glued "Dmitrievanother" was repaired, so no variant keeps the glued spelling.
    assert!(analysis.names.iter().flat_map(|c| &c.variants).all(|v| !v.surface.contains("Dmitrievanother")));
    let witkoff = analysis.names.iter().find(|c| c.id == cluster_of(&analysis, "Witkoff")).expect("exists");
    assert_eq!(witkoff.canonical, "Witkoff");
    assert_eq!(witkoff.kind.label(), "person");
}
