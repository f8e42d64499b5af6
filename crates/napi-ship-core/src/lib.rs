//! The native core of napi-ship.
//!
//! Three jobs, all pure over bytes and paths:
//! - [`hash`]: sha1, sha256 and sha512 of files in one read pass each, files in parallel;
//! - [`gzip`]: reproducible gzip of npm tarballs (libdeflate), smaller than `npm pack`'s zlib-9;
//! - [`inspect`]: what a native addon really is (format, CPU, OS, libc, glibc ceiling, macOS
//!   minimum, imported DLLs and CRT flavour, napi export), read from the file with the `object`
//!   crate, answered in npm's own vocabulary (`os`, `cpu`, `libc`).
//!
//! Nothing here panics on input: every malformed, truncated, empty or oversized file is a typed
//! error ([`InspectError`], [`HashError`]) with a stable code.

pub mod gzip;
pub mod hash;
pub mod inspect;
mod open;

pub use gzip::{compressor_id, gzip, GzipError};
pub use hash::{hash_file, hash_files, hash_reader, Digests, HashError};
pub use inspect::{
    inspect_bytes, inspect_path, inspect_path_with_limit, Crt, Endian, Format, InspectError,
    Inspection, Libc, DEFAULT_SIZE_LIMIT,
};
