//! Readiness: the parts a running bot needs, and whether each is ready now.
//! The core checks its own (the bank's index, the database) when asked; each
//! chat adapter reports its connection here under its own name (`discord`,
//! `slack`), so `/readyz` ([`crate::http`]) names whatever is not ready.

use std::collections::BTreeMap;
use std::sync::Mutex;

/// What each adapter last reported: `None` when ready, else why not.
#[derive(Default)]
pub struct Readiness {
    parts: Mutex<BTreeMap<String, Option<String>>>,
}

impl Readiness {
    /// `part` is not ready, and says why (`connecting to the gateway`).
    pub fn not_ready(&self, part: &str, why: impl Into<String>) {
        self.parts().insert(part.to_string(), Some(why.into()));
    }

    /// `part` is ready.
    pub fn ready(&self, part: &str) {
        self.parts().insert(part.to_string(), None);
    }

    /// Each reported part and why it is not ready (`None`: ready), by name.
    pub fn parts_now(&self) -> Vec<(String, Option<String>)> {
        self.parts()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    fn parts(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Option<String>>> {
        self.parts.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_report_of_a_part_counts() {
        let readiness = Readiness::default();
        readiness.not_ready("discord", "connecting");
        readiness.ready("slack");
        assert_eq!(
            readiness.parts_now(),
            vec![
                ("discord".to_string(), Some("connecting".to_string())),
                ("slack".to_string(), None)
            ]
        );
        readiness.ready("discord");
        assert!(readiness.parts_now().iter().all(|(_, why)| why.is_none()));
    }
}
