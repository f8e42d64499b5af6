//! `@napi-ship/core`: the Node-API face of `napi-ship-core`.
//!
//! Every call answers with plain objects; a file that cannot be hashed or inspected yields an
//! `error: { code, message }` entry rather than a thrown exception, so one bad file never hides the
//! results for the others. A panic (which the core is built never to raise) is caught and reported
//! as `E_INTERNAL` instead of aborting the Node process.

use napi::bindgen_prelude::{AsyncTask, Buffer};
use napi::{Env, Task};
use napi_derive::napi;
use napi_ship_core::{Crt, Digests, Endian, Format, HashError, InspectError, Inspection, Libc};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

/// Why one file could not be hashed or inspected: the same stable codes as the Rust core.
#[napi(string_enum)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CoreErrorCode {
    #[napi(value = "E_NOT_FOUND")]
    NotFound,
    #[napi(value = "E_IO")]
    Io,
    #[napi(value = "E_NOT_A_FILE")]
    NotAFile,
    #[napi(value = "E_EMPTY")]
    Empty,
    #[napi(value = "E_TOO_LARGE")]
    TooLarge,
    /// Not ELF, Mach-O, PE or wasm.
    #[napi(value = "E_UNKNOWN_FORMAT")]
    UnknownFormat,
    /// A known magic number, but the file ends before the structure it announces.
    #[napi(value = "E_TRUNCATED")]
    Truncated,
    /// A known format whose structures are inconsistent.
    #[napi(value = "E_MALFORMED")]
    Malformed,
    /// A real file of a kind that is not an addon.
    #[napi(value = "E_UNSUPPORTED")]
    Unsupported,
    /// The core panicked (it is built never to): please report the file.
    #[napi(value = "E_INTERNAL")]
    Internal,
}

impl From<&InspectError> for CoreErrorCode {
    fn from(e: &InspectError) -> Self {
        match e {
            InspectError::NotFound(_) => CoreErrorCode::NotFound,
            InspectError::Io(_) => CoreErrorCode::Io,
            InspectError::NotAFile => CoreErrorCode::NotAFile,
            InspectError::Empty => CoreErrorCode::Empty,
            InspectError::TooLarge { .. } => CoreErrorCode::TooLarge,
            InspectError::UnknownFormat => CoreErrorCode::UnknownFormat,
            InspectError::Truncated(_) => CoreErrorCode::Truncated,
            InspectError::Malformed(_) => CoreErrorCode::Malformed,
            InspectError::Unsupported(_) => CoreErrorCode::Unsupported,
        }
    }
}

impl From<&HashError> for CoreErrorCode {
    fn from(e: &HashError) -> Self {
        match e {
            HashError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
                CoreErrorCode::NotFound
            }
            HashError::Io { .. } => CoreErrorCode::Io,
            HashError::NotAFile { .. } => CoreErrorCode::NotAFile,
        }
    }
}

/// A typed failure for one file.
#[napi(object)]
#[derive(Clone)]
pub struct CoreError {
    pub code: CoreErrorCode,
    pub message: String,
}

/// The container format of a binary.
#[napi(string_enum)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryFormat {
    #[napi(value = "elf")]
    Elf,
    #[napi(value = "macho")]
    MachO,
    /// A universal (fat) Mach-O holding one slice per architecture.
    #[napi(value = "macho-fat")]
    MachOFat,
    #[napi(value = "pe")]
    Pe,
    #[napi(value = "wasm")]
    Wasm,
}

impl From<Format> for BinaryFormat {
    fn from(f: Format) -> Self {
        match f {
            Format::Elf => BinaryFormat::Elf,
            Format::MachO => BinaryFormat::MachO,
            Format::MachOFat => BinaryFormat::MachOFat,
            Format::Pe => BinaryFormat::Pe,
            Format::Wasm => BinaryFormat::Wasm,
        }
    }
}

/// Byte order.
#[napi(string_enum = "lowercase")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ByteOrder {
    Little,
    Big,
}

impl From<Endian> for ByteOrder {
    fn from(e: Endian) -> Self {
        match e {
            Endian::Little => ByteOrder::Little,
            Endian::Big => ByteOrder::Big,
        }
    }
}

/// The C library of a Linux binary, in npm's `libc` vocabulary.
#[napi(string_enum = "lowercase")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LibcKind {
    Glibc,
    Musl,
}

impl From<Libc> for LibcKind {
    fn from(l: Libc) -> Self {
        match l {
            Libc::Glibc => LibcKind::Glibc,
            Libc::Musl => LibcKind::Musl,
        }
    }
}

/// The C runtime a Windows DLL was linked against.
#[napi(string_enum)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CrtKind {
    /// `VCRUNTIME140.dll`, `api-ms-win-crt-*.dll`, `ucrtbase.dll`: the MSVC toolchain.
    #[napi(value = "msvc")]
    Msvc,
    /// `msvcrt.dll`, `libgcc_s_*.dll`, `libwinpthread-1.dll`: MinGW.
    #[napi(value = "mingw")]
    Mingw,
    /// No C runtime imported at all: neither flavour can be proven.
    #[napi(value = "none")]
    NoCrt,
}

impl From<Crt> for CrtKind {
    fn from(c: Crt) -> Self {
        match c {
            Crt::Msvc => CrtKind::Msvc,
            Crt::Mingw => CrtKind::Mingw,
            Crt::NoCrt => CrtKind::NoCrt,
        }
    }
}

/// Digests of one file, or why it could not be read.
#[napi(object)]
#[derive(Clone)]
pub struct FileHash {
    pub path: String,
    pub size: Option<i64>,
    pub sha1: Option<String>,
    pub sha256: Option<String>,
    pub sha512: Option<String>,
    /// `sha512-<base64>`, the form of npm's `dist.integrity`.
    pub integrity: Option<String>,
    pub error: Option<CoreError>,
}

/// What `inspect` read from one binary.
#[napi(object)]
#[derive(Clone)]
pub struct BinaryReport {
    pub format: BinaryFormat,
    pub os: Option<String>,
    pub cpu: Option<String>,
    pub machine: String,
    pub bits: u32,
    pub endian: ByteOrder,
    pub shared_library: bool,
    /// Linux ELF only.
    pub libc: Option<LibcKind>,
    /// Highest GLIBC_x.y symbol version required.
    pub glibc: Option<String>,
    pub interpreter: Option<String>,
    pub needed: Vec<String>,
    pub macos_min: Option<String>,
    /// PE only.
    pub crt: Option<CrtKind>,
    pub napi_export: bool,
    pub napi_symbols: Vec<String>,
    pub stripped: bool,
    pub slices: Vec<BinaryReport>,
    pub size: i64,
}

/// One inspected file: a report, or why there is none.
#[napi(object)]
#[derive(Clone)]
pub struct FileInspection {
    pub path: String,
    pub report: Option<BinaryReport>,
    pub error: Option<CoreError>,
}

fn size_to_js(size: u64) -> i64 {
    i64::try_from(size).unwrap_or(i64::MAX)
}

fn report(i: &Inspection) -> BinaryReport {
    BinaryReport {
        format: i.format.into(),
        os: i.os.map(Into::into),
        cpu: i.cpu.map(Into::into),
        machine: i.machine.clone(),
        bits: u32::from(i.bits),
        endian: i.endian.into(),
        shared_library: i.shared_library,
        libc: i.libc.map(Into::into),
        glibc: i.glibc.clone(),
        interpreter: i.interpreter.clone(),
        needed: i.needed.clone(),
        macos_min: i.macos_min.clone(),
        crt: i.crt.map(Into::into),
        napi_export: i.napi_export,
        napi_symbols: i.napi_symbols.clone(),
        stripped: i.stripped,
        slices: i.slices.iter().map(report).collect(),
        size: size_to_js(i.size),
    }
}

fn internal(message: &str) -> CoreError {
    CoreError {
        code: CoreErrorCode::Internal,
        message: format!("napi-ship-core failed internally ({message}); please report this file"),
    }
}

fn inspect_one(path: &str, limit: Option<i64>) -> FileInspection {
    let limit = limit
        .and_then(|l| u64::try_from(l).ok())
        .unwrap_or(napi_ship_core::DEFAULT_SIZE_LIMIT);
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        napi_ship_core::inspect_path_with_limit(Path::new(path), limit)
    }));
    let (report, error) = match outcome {
        Ok(Ok(i)) => (Some(report(&i)), None),
        Ok(Err(e)) => (
            None,
            Some(CoreError {
                code: CoreErrorCode::from(&e),
                message: e.to_string(),
            }),
        ),
        Err(_) => (None, Some(internal("panic while inspecting"))),
    };
    FileInspection {
        path: path.to_owned(),
        report,
        error,
    }
}

fn digests(path: &str, d: &Digests) -> FileHash {
    FileHash {
        path: path.to_owned(),
        size: Some(size_to_js(d.size)),
        sha1: Some(d.sha1_hex()),
        sha256: Some(d.sha256_hex()),
        sha512: Some(d.sha512_hex()),
        integrity: Some(d.integrity()),
        error: None,
    }
}

fn hash_all(paths: &[String]) -> Vec<FileHash> {
    let results = catch_unwind(AssertUnwindSafe(|| napi_ship_core::hash_files(paths)));
    match results {
        Ok(results) => paths
            .iter()
            .zip(results)
            .map(|(path, r)| match r {
                Ok(d) => digests(path, &d),
                Err(e) => FileHash {
                    path: path.clone(),
                    size: None,
                    sha1: None,
                    sha256: None,
                    sha512: None,
                    integrity: None,
                    error: Some(CoreError {
                        code: CoreErrorCode::from(&e),
                        message: e.to_string(),
                    }),
                },
            })
            .collect(),
        Err(_) => paths
            .iter()
            .map(|p| FileHash {
                path: p.clone(),
                size: None,
                sha1: None,
                sha256: None,
                sha512: None,
                integrity: None,
                error: Some(internal("panic while hashing")),
            })
            .collect(),
    }
}

pub struct HashTask {
    paths: Vec<String>,
}

#[napi]
impl Task for HashTask {
    type Output = Vec<FileHash>;
    type JsValue = Vec<FileHash>;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(hash_all(&self.paths))
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        Ok(output)
    }
}

/// sha1, sha256 and sha512 of each file in one read pass, files in parallel, off the JS thread.
#[napi]
pub fn hash(paths: Vec<String>) -> AsyncTask<HashTask> {
    AsyncTask::new(HashTask { paths })
}

/// The same as `hash`, on the calling thread.
#[napi]
pub fn hash_sync(paths: Vec<String>) -> Vec<FileHash> {
    hash_all(&paths)
}

pub struct InspectTask {
    paths: Vec<String>,
    limit: Option<i64>,
}

#[napi]
impl Task for InspectTask {
    type Output = Vec<FileInspection>;
    type JsValue = Vec<FileInspection>;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(self
            .paths
            .iter()
            .map(|p| inspect_one(p, self.limit))
            .collect())
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        Ok(output)
    }
}

/// Inspect binaries off the JS thread. `sizeLimit` (bytes) refuses larger files; default 1 GiB.
#[napi]
pub fn inspect(paths: Vec<String>, size_limit: Option<i64>) -> AsyncTask<InspectTask> {
    AsyncTask::new(InspectTask {
        paths,
        limit: size_limit,
    })
}

/// Inspect one binary on the calling thread.
#[napi]
pub fn inspect_sync(path: String, size_limit: Option<i64>) -> FileInspection {
    inspect_one(&path, size_limit)
}

/// Inspect bytes already in memory (e.g. read from a tarball).
#[napi]
pub fn inspect_buffer(data: Buffer) -> FileInspection {
    let outcome = catch_unwind(AssertUnwindSafe(|| napi_ship_core::inspect_bytes(&data)));
    let (report, error) = match outcome {
        Ok(Ok(i)) => (Some(report(&i)), None),
        Ok(Err(e)) => (
            None,
            Some(CoreError {
                code: CoreErrorCode::from(&e),
                message: e.to_string(),
            }),
        ),
        Err(_) => (None, Some(internal("panic while inspecting"))),
    };
    FileInspection {
        path: String::from("<buffer>"),
        report,
        error,
    }
}

pub struct GzipTask {
    data: Buffer,
}

#[napi]
impl Task for GzipTask {
    type Output = Vec<u8>;
    type JsValue = Buffer;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let data: &[u8] = &self.data;
        match catch_unwind(AssertUnwindSafe(|| napi_ship_core::gzip(data))) {
            Ok(Ok(gz)) => Ok(gz),
            Ok(Err(e)) => Err(napi::Error::new(
                napi::Status::GenericFailure,
                format!("{}: {e}", e.code()),
            )),
            Err(_) => Err(napi::Error::new(
                napi::Status::GenericFailure,
                "E_INTERNAL: napi-ship-core panicked while compressing",
            )),
        }
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        Ok(output.into())
    }
}

/// A complete, reproducible gzip member of `data` (libdeflate, one stream; fixed header), off
/// the JS thread. Rejects with `E_TOO_LARGE: …` past 4 GiB.
#[napi]
pub fn gzip(data: Buffer) -> AsyncTask<GzipTask> {
    AsyncTask::new(GzipTask { data })
}

/// What the bytes of `gzip` depend on: the libdeflate version, levels and header.
#[napi]
pub fn compressor_id() -> String {
    napi_ship_core::compressor_id()
}

/// The version of the core crate.
#[napi]
pub fn core_version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
