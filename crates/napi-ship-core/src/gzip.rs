//! Reproducible gzip for npm tarballs, on every core.
//!
//! pigz's layout: the stream is cut into fixed [`BLOCK`]-byte blocks, each compressed on its own
//! thread (rayon) with the 32 KiB before it as the deflate dictionary and ended with a sync flush
//! (an empty stored block), the last one with the final block. The result is one ordinary deflate
//! stream in one gzip member — any gunzip reads it — and costs a few bytes per block over a
//! single-threaded stream. The deflate is zlib-rs (pure Rust) at level 9, which on the tar streams
//! of real Rust addons comes out smaller than the zlib level 9 `npm pack` uses, and about twice as fast.
//!
//! The bytes depend only on the input, [`BLOCK`], the level and the zlib-rs version (pinned by
//! `Cargo.lock`): not on the number of cores (the blocks are fixed-size) nor on the CPU (zlib-rs uses
//! one hash function everywhere; its SIMD paths only compare and slide). The gzip header is fixed:
//! no name, mtime 0, XFL 2, OS 3 (Unix), as npm's on Linux.

use flate2::{Compress, Compression, FlushCompress, Status};
use rayon::prelude::*;
use std::fmt;

/// Bytes per independently compressed block (fixed: the output must not depend on the core count).
pub const BLOCK: usize = 1 << 20;
/// deflate's window: each block is primed with this many bytes of the stream before it.
pub const DICT: usize = 32 * 1024;
/// The deflate level.
pub const LEVEL: u32 = 9;

/// The gzip header every tarball starts with: magic, deflate, no flags, mtime 0, XFL 2, OS 3 (Unix).
pub const GZIP_HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 3];

/// The zlib-rs build (flate2's `zlib-rs` backend; bump together with Cargo.lock).
const DEFLATE_IMPL: &str = "zlib-rs 0.6";

/// What the bytes of [`gzip`] depend on besides the input: part of every tarball cache key.
pub fn compressor_id() -> String {
    format!(
        "{DEFLATE_IMPL} level {LEVEL}, {BLOCK}-byte blocks with a {DICT}-byte dictionary, header {}",
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

/// Raw deflate of `block`, primed with `dict`, ended by a sync flush or (`last`) the final block.
fn deflate_block(dict: &[u8], block: &[u8], last: bool) -> Result<Vec<u8>, GzipError> {
    let mut c = Compress::new(Compression::new(LEVEL), false);
    if !dict.is_empty() {
        c.set_dictionary(dict)
            .map_err(|e| GzipError::Internal(format!("dictionary: {e}")))?;
    }
    let flush = if last {
        FlushCompress::Finish
    } else {
        FlushCompress::Sync
    };
    let mut out: Vec<u8> = Vec::with_capacity(block.len() / 2 + 1024);
    loop {
        if out.capacity() - out.len() < 64 * 1024 {
            out.reserve(out.capacity().max(64 * 1024));
        }
        let consumed = usize::try_from(c.total_in()).unwrap_or(usize::MAX);
        let rest = block.get(consumed..).unwrap_or_default();
        let status = c
            .compress_vec(rest, &mut out, flush)
            .map_err(|e| GzipError::Internal(e.to_string()))?;
        let all_in = usize::try_from(c.total_in()).unwrap_or(usize::MAX) >= block.len();
        // Done: the final block written, or (sync flush) all input in and room left in the output.
        if matches!(status, Status::StreamEnd) || (!last && all_in && out.len() < out.capacity()) {
            return Ok(out);
        }
    }
}

/// Compress `data` into one complete gzip member: [`GZIP_HEADER`], the deflate stream (its blocks
/// compressed side by side), CRC-32 and ISIZE.
pub fn gzip(data: &[u8]) -> Result<Vec<u8>, GzipError> {
    let isize = u32::try_from(data.len()).map_err(|_| GzipError::TooLarge { len: data.len() })?;
    let starts: Vec<usize> = (0..data.len().max(1)).step_by(BLOCK).collect();
    let count = starts.len();
    let (crc, parts) = rayon::join(
        || {
            let mut h = crc32fast::Hasher::new();
            h.update(data);
            h.finalize()
        },
        || {
            starts
                .par_iter()
                .enumerate()
                .map(|(i, &start)| {
                    let end = start.saturating_add(BLOCK).min(data.len());
                    let dict = data
                        .get(start.saturating_sub(DICT)..start)
                        .unwrap_or_default();
                    let block = data.get(start..end).unwrap_or_default();
                    deflate_block(dict, block, i + 1 == count)
                })
                .collect::<Result<Vec<_>, _>>()
        },
    );
    let parts = parts?;
    let mut out =
        Vec::with_capacity(GZIP_HEADER.len() + parts.iter().map(Vec::len).sum::<usize>() + 8);
    out.extend_from_slice(&GZIP_HEADER);
    for p in &parts {
        out.extend_from_slice(p);
    }
    out.extend_from_slice(&crc.to_le_bytes());
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
    fn round_trips_with_the_fixed_header_across_block_edges() {
        for len in [0, 1, 1000, BLOCK - 1, BLOCK, BLOCK + 1, 3 * BLOCK + 17] {
            let data = sample(len);
            let gz = gzip(&data).unwrap_or_default();
            assert_eq!(gz.get(..10), Some(&GZIP_HEADER[..]));
            assert_eq!(gunzip(&gz), data, "{len} bytes");
        }
    }

    #[test]
    fn same_bytes_on_any_thread_count() {
        let data = sample(3 * BLOCK + 5);
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .map(|p| p.install(|| gzip(&data).ok()));
        let many = rayon::ThreadPoolBuilder::new()
            .num_threads(4)
            .build()
            .map(|p| p.install(|| gzip(&data).ok()));
        assert!(one.as_ref().is_ok_and(|o| o.is_some()));
        assert_eq!(one.ok(), many.ok());
    }

    #[test]
    fn the_dictionary_keeps_the_ratio() {
        // 16 KiB repeated: primed with the block before, the second block's start is all matches.
        let unit = sample(16 * 1024);
        let twice: Vec<u8> = unit.iter().copied().cycle().take(2 * BLOCK).collect();
        let gz = gzip(&twice).unwrap_or_default();
        let one = gzip(twice.get(..BLOCK).unwrap_or_default()).unwrap_or_default();
        assert!(
            gz.len() < one.len() + one.len() / 2,
            "{} vs {}",
            gz.len(),
            one.len()
        );
    }
}
