//! Discord's own description of its HTTP API (the OpenAPI document of
//! `discord/discord-api-spec`, see tests/fixtures/SPECS.md), to check every
//! request body the bot sends against the schema of its route. One check is
//! stricter than the document: an object with properties takes no others, so
//! a field Discord does not describe (a misspelt or made-up one) counts as a
//! violation too.
//!
//! The document is looked for in `INTERVIEW_BOT_TEST_DISCORD_SPEC`, then in
//! `../shared/specs/discord-api-spec/openapi.json` beside the repository (where CI
//! has the steering repo's shared/ when that carries it). Without it nothing is
//! checked, and [`Spec::get`] says so on stderr. CI cannot fetch the document
//! (it reaches package registries only, and a copy of a fetched repository may
//! not be committed here), so a missing document fails only when
//! `INTERVIEW_BOT_TEST_DISCORD_SPEC` names a file that is not there.

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

use serde_json::{Value, json};

/// Where CI finds the document (relative to the repository).
pub const SHARED_PATH: &str = "../shared/specs/discord-api-spec/openapi.json";

pub struct Spec {
    /// Each route: its path template split into segments, and its methods'
    /// request body schemas (`application/json`), by lower-case method.
    routes: Vec<(Vec<String>, HashMap<String, Value>)>,
    /// Components, made strict (see the module's doc).
    components: Value,
    /// Validators built so far, by (method, template).
    validators: Mutex<HashMap<(String, String), std::sync::Arc<jsonschema::Validator>>>,
    pub source: PathBuf,
}

impl Spec {
    /// The document, loaded once per test binary; `None` (said on stderr, a
    /// failure under CI) when it is not there.
    pub fn get() -> Option<&'static Spec> {
        static SPEC: OnceLock<Option<Spec>> = OnceLock::new();
        SPEC.get_or_init(|| {
            let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
            let promised = std::env::var_os("INTERVIEW_BOT_TEST_DISCORD_SPEC").map(PathBuf::from);
            let required = promised.is_some();
            let path = promised.unwrap_or_else(|| repo.join(SHARED_PATH));
            match std::fs::read(&path) {
                Ok(bytes) => Some(Spec::parse(&bytes, path)),
                Err(e) => {
                    let message = format!(
                        "skipped: Discord OpenAPI validation: no document at {} ({e}); see tests/fixtures/SPECS.md",
                        path.display()
                    );
                    assert!(!required, "{message}");
                    eprintln!("{message}");
                    None
                }
            }
        })
        .as_ref()
    }

    fn parse(bytes: &[u8], source: PathBuf) -> Spec {
        let document: Value = serde_json::from_slice(bytes).expect("the OpenAPI document is JSON");
        let mut components = document["components"].clone();
        // INTERVIEW_BOT_TEST_DISCORD_SPEC_AS_PUBLISHED=1: the document's own
        // (open) objects, to tell its findings from the stricter check's.
        if std::env::var_os("INTERVIEW_BOT_TEST_DISCORD_SPEC_AS_PUBLISHED").is_none() {
            close_objects(&mut components);
        }
        let mut routes = Vec::new();
        for (template, item) in document["paths"].as_object().expect("paths") {
            let mut methods = HashMap::new();
            for (method, operation) in item.as_object().into_iter().flatten() {
                let schema = &operation["requestBody"]["content"]["application/json"]["schema"];
                if !schema.is_null() {
                    methods.insert(method.to_lowercase(), schema.clone());
                }
            }
            let segments = template
                .trim_start_matches('/')
                .split('/')
                .map(str::to_string)
                .collect();
            routes.push((segments, methods));
        }
        Spec {
            routes,
            components,
            validators: Mutex::default(),
            source,
        }
    }

    /// The route template `path` (without `/api/v10`) falls under: the one
    /// with the most literal segments that match.
    pub fn route(&self, path: &str) -> Option<String> {
        let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        self.routes
            .iter()
            .filter(|(segments, _)| {
                segments.len() == parts.len()
                    && segments
                        .iter()
                        .zip(&parts)
                        .all(|(s, p)| s.starts_with('{') || s == p)
            })
            .max_by_key(|(segments, _)| segments.iter().filter(|s| !s.starts_with('{')).count())
            .map(|(segments, _)| format!("/{}", segments.join("/")))
    }

    /// What is wrong with `body` sent as `method path` (`/api/v10/...`), by
    /// Discord's document; empty when nothing is. A route or method the
    /// document does not have is a violation; a body on a method that takes
    /// none is not checked.
    pub fn violations(&self, method: &str, path: &str, body: &Value) -> Vec<String> {
        let path = path.strip_prefix("/api/v10").unwrap_or(path);
        let method = method.to_lowercase();
        let Some(template) = self.route(path) else {
            return vec![format!("{method} {path}: no such route in Discord's API")];
        };
        let Some(schema) = self
            .routes
            .iter()
            .find(|(s, _)| format!("/{}", s.join("/")) == template)
            .and_then(|(_, methods)| methods.get(&method))
        else {
            if method == "get" || method == "delete" || body.is_null() {
                return Vec::new();
            }
            return vec![format!(
                "{method} {template}: Discord takes no JSON body here"
            )];
        };
        let validator = self.validator(&method, &template, schema);
        validator
            .iter_errors(body)
            .map(|e| format!("{method} {template}: at {}: {e}", e.instance_path()))
            .collect()
    }

    /// Violations of the interaction callback schema (the body an
    /// interactions endpoint answers with, or posts to `/callback`).
    pub fn callback_violations(&self, body: &Value) -> Vec<String> {
        self.violations("post", "/interactions/1/t/callback", body)
    }

    fn validator(
        &self,
        method: &str,
        template: &str,
        schema: &Value,
    ) -> std::sync::Arc<jsonschema::Validator> {
        let key = (method.to_string(), template.to_string());
        if let Some(v) = self.validators.lock().unwrap().get(&key) {
            return v.clone();
        }
        let root = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "allOf": [schema],
            "components": self.components,
        });
        let validator = std::sync::Arc::new(
            jsonschema::options()
                .with_draft(jsonschema::Draft::Draft202012)
                .build(&root)
                .unwrap_or_else(|e| panic!("the schema of {method} {template} compiles: {e}")),
        );
        self.validators
            .lock()
            .unwrap()
            .insert(key, validator.clone());
        validator
    }
}

/// Every object schema with `properties` and no word on other properties
/// takes no others.
fn close_objects(value: &mut Value) {
    match value {
        Value::Object(map) => {
            let has_properties = map.get("properties").is_some_and(Value::is_object);
            let open = map.contains_key("additionalProperties")
                || map.contains_key("unevaluatedProperties")
                || map.contains_key("patternProperties");
            if has_properties && !open {
                map.insert("additionalProperties".into(), Value::Bool(false));
            }
            for (key, child) in map.iter_mut() {
                // Property names are not schemas; their values are.
                if key == "properties" {
                    for schema in child
                        .as_object_mut()
                        .into_iter()
                        .flat_map(|m| m.values_mut())
                    {
                        close_objects(schema);
                    }
                } else {
                    close_objects(child);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(close_objects),
        _ => {}
    }
}
