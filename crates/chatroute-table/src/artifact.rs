//! The versioned JSON files chatroute writes (routing tables, CRM
//! snapshots): deterministic bytes, reading that checks the file's marker
//! and format version before anything else, bounded reads and atomic writes.

use std::io::Read;
#[cfg(feature = "write")]
use std::io::Write;
use std::path::Path;

use serde::Serialize;
use serde::de::DeserializeOwned;

/// Why a file is not the artifact it should be.
/// Kinds map it to their own error type, with their own wording.
#[derive(Debug, thiserror::Error)]
pub enum ArtifactError {
    /// Not JSON, truncated, or not the artifact's shape.
    #[error("malformed: {0}")]
    Malformed(String),
    /// JSON, but not marked as this kind of artifact.
    #[error("not this kind of file")]
    Foreign,
    /// Marked with another format version.
    #[error("format version {found}")]
    Version { found: u32 },
}

/// Pretty JSON with a final newline; the same value gives the same bytes.
pub fn to_bytes<T: Serialize>(value: &T) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(value).expect("artifacts are string-keyed plain data");
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

/// Largest table or snapshot read: far above a real account's (a table of
/// 5,000 employees is a few MB), far below what exhausts memory.
pub const MAX_ARTIFACT_BYTES: u64 = 256 * 1024 * 1024;

/// Reads at most `limit + 1` bytes of `path`, so `/dev/zero` or a huge
/// sparse file is refused after `limit` bytes rather than read whole.
/// Returns the bytes read; more than `limit` of them means the file is
/// over the limit.
pub fn read_up_to(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    let file = std::fs::File::open(path)?;
    let expected = file.metadata().map(|m| m.len().min(limit + 1)).unwrap_or(0);
    let mut bytes = Vec::with_capacity(usize::try_from(expected).unwrap_or(0));
    file.take(limit + 1).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// `read_up_to`, with a file over `limit` an error.
pub fn read_limited(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    let bytes = read_up_to(path, limit)?;
    if bytes.len() as u64 > limit {
        return Err(std::io::Error::new(
            std::io::ErrorKind::FileTooLarge,
            format!("file is larger than the limit of {limit} bytes"),
        ));
    }
    Ok(bytes)
}

/// Longest secret file read: tokens are a few hundred bytes.
pub const MAX_SECRET_BYTES: u64 = 16 * 1024;

/// A secret file's text, trimmed (of the trailing newline an editor
/// leaves). Only a regular file is opened (a FIFO would block start-up,
/// `/dev/zero` never end), and at most `MAX_SECRET_BYTES` of it is read.
/// The error names the file and why, never the content.
pub fn read_secret(path: &Path) -> Result<String, String> {
    let cannot = |why: String| format!("cannot read the secret file {}: {why}", path.display());
    let meta = std::fs::metadata(path).map_err(|e| cannot(e.to_string()))?;
    if !meta.is_file() {
        return Err(cannot("not a regular file".into()));
    }
    let bytes = read_limited(path, MAX_SECRET_BYTES).map_err(|e| cannot(e.to_string()))?;
    let text = String::from_utf8(bytes).map_err(|_| cannot("not UTF-8".into()))?;
    Ok(text.trim().to_owned())
}

/// Whether two paths name the same existing file (after links), so a
/// command never overwrites its own input.
pub fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Writes `bytes` to `path` so that a reader sees the old file or the new
/// one, never a part: a temporary file created exclusively (`O_EXCL`, a
/// random name) beside the target, fsync, rename over the target, then
/// fsync of the directory so the rename itself survives a crash. A target
/// that exists and is not a regular file (a link, a device, a directory)
/// is refused: renaming over it would replace the link or the device node.
/// The new file keeps an existing target's permissions, else gets 0644.
#[cfg(feature = "write")]
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let existing = match std::fs::symlink_metadata(path) {
        Ok(meta) if !meta.file_type().is_file() => {
            return Err(std::io::Error::other("exists and is not a regular file; not replacing it"));
        }
        Ok(meta) => Some(meta.permissions()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    let mut tmp = tempfile::Builder::new().prefix(".chatroute-").suffix(".tmp").tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    if let Some(permissions) = existing.or_else(new_file_permissions) {
        tmp.as_file().set_permissions(permissions)?;
    }
    tmp.as_file().sync_all()?;
    // On failure the temporary file is removed when `tmp` is dropped.
    tmp.persist(path).map_err(|e| e.error)?;
    // Directory fsync is not supported everywhere; the rename is already done.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Temporary files are private (0600); a new table or snapshot is readable
/// by the services that load it, as a plain `File::create` would make it.
#[cfg(feature = "write")]
fn new_file_permissions() -> Option<std::fs::Permissions> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        Some(std::fs::Permissions::from_mode(0o644))
    }
    #[cfg(not(unix))]
    None
}
