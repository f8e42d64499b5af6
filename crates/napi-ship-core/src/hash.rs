//! One-pass multi-digest hashing.
//!
//! Each file is read once, in 1 MiB chunks, and every chunk is fed to sha1, sha256 and sha512.
//! Files are hashed in parallel on the rayon pool.

use base64::Engine as _;
use rayon::prelude::*;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};
use std::fmt;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

const CHUNK: usize = 1 << 20;

/// The three digests npm and release tooling use, plus the byte count.
#[derive(Clone, PartialEq, Eq)]
pub struct Digests {
    pub size: u64,
    pub sha1: [u8; 20],
    pub sha256: [u8; 32],
    pub sha512: [u8; 64],
}

impl fmt::Debug for Digests {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Digests")
            .field("size", &self.size)
            .field("sha256", &self.sha256_hex())
            .finish()
    }
}

impl Digests {
    pub fn sha1_hex(&self) -> String {
        hex::encode(self.sha1)
    }
    pub fn sha256_hex(&self) -> String {
        hex::encode(self.sha256)
    }
    pub fn sha512_hex(&self) -> String {
        hex::encode(self.sha512)
    }
    /// The Subresource Integrity form npm records as `dist.integrity`: `sha512-<base64>`.
    pub fn integrity(&self) -> String {
        format!(
            "sha512-{}",
            base64::engine::general_purpose::STANDARD.encode(self.sha512)
        )
    }
}

/// Why a file could not be hashed.
#[derive(Debug)]
pub enum HashError {
    /// The file could not be opened or read.
    Io { path: PathBuf, source: io::Error },
    /// The path names a directory or something else that is not a regular file.
    NotAFile { path: PathBuf },
}

impl HashError {
    /// A stable code for diagnostics.
    pub fn code(&self) -> &'static str {
        match self {
            HashError::Io { source, .. } if source.kind() == io::ErrorKind::NotFound => {
                "E_NOT_FOUND"
            }
            HashError::Io { .. } => "E_IO",
            HashError::NotAFile { .. } => "E_NOT_A_FILE",
        }
    }
}

impl fmt::Display for HashError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HashError::Io { path, source } => write!(f, "{}: {}", path.display(), source),
            HashError::NotAFile { path } => write!(f, "{}: not a regular file", path.display()),
        }
    }
}

impl std::error::Error for HashError {}

fn copy_into<const N: usize>(out: &mut [u8; N], digest: &[u8]) {
    for (dst, src) in out.iter_mut().zip(digest.iter()) {
        *dst = *src;
    }
}

/// Hash everything a reader yields, in one pass.
pub fn hash_reader<R: Read>(mut reader: R) -> io::Result<Digests> {
    let mut s1 = Sha1::new();
    let mut s256 = Sha256::new();
    let mut s512 = Sha512::new();
    let mut buf = vec![0u8; CHUNK];
    let mut size = 0u64;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let chunk = buf.get(..n).unwrap_or(&[]);
        s1.update(chunk);
        s256.update(chunk);
        s512.update(chunk);
        size += n as u64;
    }
    let mut d = Digests {
        size,
        sha1: [0; 20],
        sha256: [0; 32],
        sha512: [0; 64],
    };
    copy_into(&mut d.sha1, s1.finalize().as_slice());
    copy_into(&mut d.sha256, s256.finalize().as_slice());
    copy_into(&mut d.sha512, s512.finalize().as_slice());
    Ok(d)
}

/// Hash one file.
pub fn hash_file(path: &Path) -> Result<Digests, HashError> {
    let io_err = |source| HashError::Io {
        path: path.to_path_buf(),
        source,
    };
    match crate::open::open_regular(path).map_err(io_err)? {
        crate::open::Opened::File(file, _) => hash_reader(file).map_err(io_err),
        crate::open::Opened::NotAFile => Err(HashError::NotAFile {
            path: path.to_path_buf(),
        }),
    }
}

/// Hash many files in parallel; results come back in the order of `paths`.
pub fn hash_files<P: AsRef<Path> + Sync>(paths: &[P]) -> Vec<Result<Digests, HashError>> {
    paths.par_iter().map(|p| hash_file(p.as_ref())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_input_has_the_well_known_digests() -> Result<(), io::Error> {
        let d = hash_reader(io::empty())?;
        assert_eq!(d.size, 0);
        assert_eq!(d.sha1_hex(), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
        assert_eq!(
            d.sha256_hex(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert!(d.integrity().starts_with("sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg=="));
        Ok(())
    }

    #[test]
    fn abc_matches_fips_vectors() -> Result<(), io::Error> {
        let d = hash_reader(&b"abc"[..])?;
        assert_eq!(d.sha1_hex(), "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_eq!(
            d.sha256_hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(&d.sha512_hex()[..32], "ddaf35a193617abacc417349ae204131");
        Ok(())
    }

    #[test]
    fn chunking_does_not_change_the_digest() -> Result<(), io::Error> {
        // A reader that yields one byte at a time must hash like a single slice.
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                match (self.0.split_first(), buf.first_mut()) {
                    (Some((b, rest)), Some(slot)) => {
                        *slot = *b;
                        self.0 = rest;
                        Ok(1)
                    }
                    _ => Ok(0),
                }
            }
        }
        let data: Vec<u8> = (0..5000u32).map(|i| (i % 251) as u8).collect();
        assert_eq!(hash_reader(Trickle(&data))?, hash_reader(&data[..])?);
        Ok(())
    }

    #[test]
    fn missing_and_directory_paths_are_typed_errors() {
        let missing = hash_file(Path::new("/nonexistent/napi-ship/file"));
        assert!(matches!(missing, Err(ref e) if e.code() == "E_NOT_FOUND"));
        let dir = hash_file(Path::new("/"));
        assert!(matches!(dir, Err(ref e) if e.code() == "E_NOT_A_FILE"));
    }
}
