//! Files attached to a Discord command (`/bank import`): Discord sends the
//! attachment's address on its CDN, and it is fetched here, before the
//! command runs, so the core only ever sees the file's text. Only Discord's
//! CDN hosts (and loopback, where the tests' fake Discord serves them) are
//! fetched, at most [`MAX_IMPORT_BYTES`], within [`FETCH_WITHIN`].

use std::time::Duration;

use serenity::all::CommandData;

use crate::team::import::{MAX_IMPORT_BYTES, Upload};

/// How long fetching an attachment may take: the interaction must be
/// answered within 3 seconds.
pub const FETCH_WITHIN: Duration = Duration::from_secs(2);

/// The hosts Discord serves attachments from.
const CDN_HOSTS: [&str; 2] = ["cdn.discordapp.com", "media.discordapp.net"];

/// The text of the attachment at `url` among `data`'s resolved attachments;
/// why not, in words a moderator can act on.
pub async fn fetch(data: &CommandData, url: &str) -> Result<Upload, String> {
    let attachment = data
        .resolved
        .attachments
        .values()
        .find(|a| a.url == url)
        .ok_or("the attached file did not arrive: attach it again")?;
    let name = attachment.filename.clone();
    if attachment.size as usize > MAX_IMPORT_BYTES {
        return Err(format!(
            "{name} is {} KB, larger than the {} KB an import reads: split it",
            attachment.size / 1024,
            MAX_IMPORT_BYTES / 1024
        ));
    }
    let parsed = url::Url::parse(url).map_err(|_| format!("{name}: not a Discord attachment"))?;
    let host = parsed.host_str().unwrap_or_default();
    let loopback = matches!(host, "127.0.0.1" | "localhost" | "[::1]");
    if !CDN_HOSTS.contains(&host) && !loopback {
        return Err(format!("{name}: not a Discord attachment"));
    }
    let bytes = match tokio::time::timeout(FETCH_WITHIN, attachment.download()).await {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(e)) => return Err(format!("{name} could not be fetched ({e}): try again")),
        Err(_) => return Err(format!("{name} took too long to fetch: try again")),
    };
    if bytes.len() > MAX_IMPORT_BYTES {
        return Err(format!(
            "{name} is larger than the {} KB an import reads: split it",
            MAX_IMPORT_BYTES / 1024
        ));
    }
    let text = String::from_utf8(bytes.to_vec())
        .map_err(|_| format!("{name} is not UTF-8 text: save it as text, CSV or YAML"))?;
    Ok(Upload { name, text })
}
