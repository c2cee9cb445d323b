//! The versioned JSON files chatroute writes (routing tables, CRM
//! snapshots): deterministic bytes, reading that checks the file's marker
//! and format version before anything else, and atomic writes.

use std::io::Write;
use std::path::Path;

use serde::Serialize;
use serde::de::DeserializeOwned;

/// Why a file is not the artifact it should be.
#[derive(Debug)]
pub enum ArtifactError {
    /// Not JSON, truncated, or not the artifact's shape.
    Malformed(String),
    /// JSON, but not marked as this kind of artifact.
    Foreign,
    /// Marked with another format version.
    Version { found: u32 },
}

/// Pretty JSON with a final newline; the same value gives the same bytes.
pub fn to_bytes<T: Serialize>(value: &T) -> Vec<u8> {
    // Plain data of strings, numbers and ordered maps always serialises.
    let mut bytes = serde_json::to_vec_pretty(value).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// Reads an artifact whose `format` must be `format` and whose
/// `format_version` must be `version`, checked before the rest is read so
/// that a foreign or newer file gets that message, not a shape error.
pub fn from_slice<T: DeserializeOwned>(bytes: &[u8], format: &str, version: u32) -> Result<T, ArtifactError> {
    #[derive(serde::Deserialize)]
    struct Header {
        format: Option<String>,
        format_version: Option<u32>,
    }
    let header: Header = serde_json::from_slice(bytes).map_err(|e| ArtifactError::Malformed(e.to_string()))?;
    if header.format.as_deref() != Some(format) {
        return Err(ArtifactError::Foreign);
    }
    if header.format_version != Some(version) {
        return Err(ArtifactError::Version { found: header.format_version.unwrap_or(0) });
    }
    serde_json::from_slice(bytes).map_err(|e| ArtifactError::Malformed(e.to_string()))
}

/// Writes `bytes` to `path` so that a reader sees the old file or the new
/// one, never a part: a temp file beside the target, fsync, rename, then
/// fsync of the directory so the rename itself survives a crash.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path.file_name().ok_or_else(|| std::io::Error::other("output path has no file name"))?;
    let tmp = dir.join(format!(".{}.{}.tmp", name.to_string_lossy(), std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)?;
        // Directory fsync is not supported everywhere; the rename is already done.
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
