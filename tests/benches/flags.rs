//! The benchmarks' command-line flags: `--name VALUE` pairs after `cargo bench
//! --bench NAME --`, read the same way by every bench binary.

/// Flags as given to this process.
pub struct Flags(Vec<String>);

impl Flags {
    pub fn from_env() -> Flags {
        Flags(std::env::args().collect())
    }

    /// The value after `name`, if the flag is given.
    pub fn value(&self, name: &str) -> Option<String> {
        self.0
            .iter()
            .position(|a| a == name)
            .and_then(|i| self.0.get(i + 1))
            .cloned()
    }

    /// A number after `name` (`_` and `,` allowed as separators), or `default`.
    pub fn number<T: std::str::FromStr>(&self, name: &str, default: T) -> T {
        self.value(name).map_or(default, |v| {
            v.replace(['_', ','], "")
                .parse()
                .unwrap_or_else(|_| panic!("{name} takes a number, not `{v}`"))
        })
    }
}
