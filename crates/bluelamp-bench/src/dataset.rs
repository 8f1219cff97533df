//! The search benchmark's data set: people and crimes (with the officers who recorded them and the
//! incidents three in four were reported in) made by `bluelamp-generate` from a seed and loaded
//! through `Store::bulk_load`, exactly as `bluelamp generate` loads a force. Any person or crime can
//! be made again from the generator, so the benchmark asks about records it knows exist.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

pub use bluelamp_generate::rng::Rng;
pub use bluelamp_generate::{Generator, Spec, today};
use uuid::Uuid;

/// What a load made, for asking about it afterwards.
pub struct Loaded {
    /// Every person's id, by index.
    pub people: Vec<Uuid>,
    /// Every officer's (user id, username), by index.
    pub officers: Vec<(Uuid, String)>,
    pub seconds: f64,
}

/// Fills a fresh, migrated database with `g`'s force, printing progress every few batches.
pub async fn load(core: &bluelamp_core::Core, g: Arc<Generator>) -> anyhow::Result<Loaded> {
    let started = Instant::now();
    let report = |p: &bluelamp_generate::run::Progress| {
        if p.batches_done.is_multiple_of(20) || p.batches_done == p.batches_total {
            eprintln!(
                "  batch {}/{}: {} {}/{} ({:.0} s)",
                p.batches_done,
                p.batches_total,
                p.part.label(),
                p.done,
                p.total,
                started.elapsed().as_secs_f64()
            );
        }
    };
    bluelamp_generate::run::generate(core.store.as_ref(), g.clone(), core.now(), &report, &AtomicBool::new(false))
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(Loaded { seconds: started.elapsed().as_secs_f64(), ..regenerate(&g) })
}

/// What [`load`] returned, for a database it loaded earlier with the same spec.
pub fn regenerate(g: &Generator) -> Loaded {
    Loaded {
        people: (0..g.spec.people).map(|i| g.person(i).id).collect(),
        officers: (0..g.spec.officers)
            .map(|k| {
                let o = g.officer(k);
                (o.id, o.username)
            })
            .collect(),
        seconds: 0.0,
    }
}
