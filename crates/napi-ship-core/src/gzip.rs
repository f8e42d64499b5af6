//! Reproducible gzip for npm tarballs.
//!
//! The deflate is libdeflate (through `libdeflater`): the whole tar stream compressed in one call,
//! one ordinary deflate stream in one gzip member that any gunzip reads. libdeflate at [`LEVEL`]
//! comes out smaller than the zlib level 9 `npm pack` uses on the tar streams of real Rust addons
//! (machine code) and runs about three times as fast as zlib-rs at level 9; streams of up to
//! [`SMALL`] bytes (a root package's JavaScript, typings and `package.json`) get [`SMALL_LEVEL`],
//! libdeflate's strongest, which costs nothing at that size. A release's tarballs are compressed
//! side by side (one per core), so every core works when there is more than one package.
//!
//! The bytes depend only on the input, the two levels, [`SMALL`] and the libdeflate version (pinned
//! by `Cargo.lock`): not on the number of cores nor on the CPU (libdeflate's CPU-specific code
//! computes checksums and finds matches the same way everywhere). The gzip header is fixed: no name,
//! mtime 0, XFL 2, OS 3 (Unix), as npm's on Linux.

use libdeflater::{CompressionLvl, Compressor};
use std::fmt;

/// libdeflate's level for tar streams larger than [`SMALL`].
pub const LEVEL: i32 = 6;
/// libdeflate's level for tar streams of up to [`SMALL`] bytes.
pub const SMALL_LEVEL: i32 = 12;
/// Streams up to this size are compressed at [`SMALL_LEVEL`].
pub const SMALL: usize = 1 << 20;

/// The gzip header every tarball starts with: magic, deflate, no flags, mtime 0, XFL 2, OS 3 (Unix).
pub const GZIP_HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 3];

/// The libdeflate build (`libdeflater`/`libdeflate-sys`; bump together with Cargo.lock).
const DEFLATE_IMPL: &str = "libdeflate 1.26";

/// What the bytes of [`gzip`] depend on besides the input: part of every tarball cache key.
pub fn compressor_id() -> String {
    format!(
        "{DEFLATE_IMPL} level {LEVEL} (level {SMALL_LEVEL} up to {SMALL} bytes), one stream, header {}",
        hex::encode(GZIP_HEADER)
    )
}

/// Why a stream could not be compressed.
#[derive(Debug)]
pub enum GzipError {
    /// Larger than gzip's 32-bit size field and memory are trusted with (4 GiB).
    TooLarge { len: usize },
    /// The deflate implementation refused; reported, never a panic.
    Internal(String),
}

impl GzipError {
    pub fn code(&self) -> &'static str {
        match self {
            GzipError::TooLarge { .. } => "E_TOO_LARGE",
            GzipError::Internal(_) => "E_INTERNAL",
        }
    }
}

impl fmt::Display for GzipError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GzipError::TooLarge { len } => {
                write!(
                    f,
                    "{len} bytes is too large to gzip in memory (limit 4 GiB)"
                )
            }
            GzipError::Internal(m) => write!(f, "compression failed: {m}"),
        }
    }
}

impl std::error::Error for GzipError {}

/// The level [`gzip`] uses for a stream of `len` bytes.
pub fn level_for(len: usize) -> i32 {
    if len <= SMALL {
        SMALL_LEVEL
    } else {
        LEVEL
    }
}

/// Compress `data` into one complete gzip member: [`GZIP_HEADER`], one raw deflate stream, CRC-32
/// and ISIZE.
pub fn gzip(data: &[u8]) -> Result<Vec<u8>, GzipError> {
    let isize = u32::try_from(data.len()).map_err(|_| GzipError::TooLarge { len: data.len() })?;
    let level = CompressionLvl::new(level_for(data.len()))
        .map_err(|e| GzipError::Internal(format!("level: {e:?}")))?;
    let mut c = Compressor::new(level);
    let bound = c.deflate_compress_bound(data.len());
    let mut out = vec![0u8; GZIP_HEADER.len() + bound + 8];
    let (head, body) = out.split_at_mut(GZIP_HEADER.len());
    head.copy_from_slice(&GZIP_HEADER);
    let n = c
        .deflate_compress(data, body)
        .map_err(|e| GzipError::Internal(format!("{e:?}")))?;
    out.truncate(GZIP_HEADER.len() + n);
    let mut crc = libdeflater::Crc::new();
    crc.update(data);
    out.extend_from_slice(&crc.sum().to_le_bytes());
    out.extend_from_slice(&isize.to_le_bytes());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::read::GzDecoder;
    use std::io::Read;

    fn gunzip(gz: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let read = GzDecoder::new(gz).read_to_end(&mut out);
        assert!(read.is_ok(), "gunzip failed: {read:?}");
        out
    }

    fn sample(len: usize) -> Vec<u8> {
        // Deterministic, somewhat compressible bytes (an LCG over a small alphabet).
        let mut x: u32 = 12345;
        (0..len)
            .map(|_| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                b"abcdefgh\0\x01\x7f"
                    .get((x >> 16) as usize % 11)
                    .copied()
                    .unwrap_or(0)
            })
            .collect()
    }

    #[test]
    fn round_trips_with_the_fixed_header_at_every_size() {
        for len in [0, 1, 1000, SMALL - 1, SMALL, SMALL + 1, 3 * SMALL + 17] {
            let data = sample(len);
            let gz = gzip(&data).unwrap_or_default();
            assert_eq!(gz.get(..10), Some(&GZIP_HEADER[..]));
            assert_eq!(gunzip(&gz), data, "{len} bytes");
        }
    }

    #[test]
    fn same_bytes_every_time_and_never_larger_than_zlib_9() {
        use flate2::{write::GzEncoder, Compression};
        use std::io::Write;
        for len in [100, 64 * 1024, SMALL + 1, 3 * SMALL] {
            let data = sample(len);
            let a = gzip(&data).unwrap_or_default();
            let b = gzip(&data).unwrap_or_default();
            assert_eq!(a, b, "{len} bytes");
            let mut z = GzEncoder::new(Vec::new(), Compression::new(9));
            assert!(z.write_all(&data).is_ok());
            let zlib = z.finish().unwrap_or_default();
            assert!(
                a.len() <= zlib.len(),
                "{len} bytes: {} > zlib-9's {}",
                a.len(),
                zlib.len()
            );
        }
    }
}
