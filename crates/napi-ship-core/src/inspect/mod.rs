//! What a native addon really is, read from its bytes.
//!
//! The answer uses npm's vocabulary (`os`, `cpu`, `libc`) so that it compares directly with the
//! fields of a platform package's `package.json`. Every parser error is an [`InspectError`]; no
//! input makes this module panic (see the property tests and the fuzz target).

mod elf;
mod error;
mod macho;
mod pe;
mod wasm;

pub use error::InspectError;

use object::{Architecture, FileKind, Object, ObjectSection, ObjectSegment};
use std::io::Read;
use std::path::Path;

/// Files larger than this are refused unless a caller passes its own limit (1 GiB).
pub const DEFAULT_SIZE_LIMIT: u64 = 1 << 30;

/// The names Node-API addons export for the runtime to find them.
pub const NAPI_REGISTER_SYMBOL: &str = "napi_register_module_v1";
pub const NAPI_VERSION_SYMBOL: &str = "node_api_module_get_api_version_v1";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Elf,
    MachO,
    /// A universal (fat) Mach-O holding one slice per architecture.
    MachOFat,
    Pe,
    Wasm,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Elf => "elf",
            Format::MachO => "macho",
            Format::MachOFat => "macho-fat",
            Format::Pe => "pe",
            Format::Wasm => "wasm",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endian {
    Little,
    Big,
}

impl Endian {
    pub fn as_str(self) -> &'static str {
        match self {
            Endian::Little => "little",
            Endian::Big => "big",
        }
    }
}

/// The C library of a Linux binary, in npm's `libc` vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Libc {
    Glibc,
    Musl,
}

impl Libc {
    pub fn as_str(self) -> &'static str {
        match self {
            Libc::Glibc => "glibc",
            Libc::Musl => "musl",
        }
    }
}

/// The C runtime a Windows DLL was linked against, told from its imports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Crt {
    /// `VCRUNTIME140.dll`, `api-ms-win-crt-*.dll`, `ucrtbase.dll`: the MSVC toolchain.
    Msvc,
    /// `msvcrt.dll`, `libgcc_s_*.dll`, `libwinpthread-1.dll`, `libstdc++-6.dll`: MinGW.
    Mingw,
    /// No C runtime imported at all (a `-nostdlib` DLL): neither flavour can be proven.
    NoCrt,
}

impl Crt {
    pub fn as_str(self) -> &'static str {
        match self {
            Crt::Msvc => "msvc",
            Crt::Mingw => "mingw",
            Crt::NoCrt => "none",
        }
    }
}

/// Everything `inspect` learns about one file (or, for a fat Mach-O, one slice).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspection {
    pub format: Format,
    /// npm `os`: linux, darwin, win32, android, freebsd, … (`None` where the file does not say).
    pub os: Option<&'static str>,
    /// npm `cpu`: x64, arm64, ia32, arm, riscv64, …; `universal` for a multi-arch fat Mach-O.
    pub cpu: Option<&'static str>,
    /// The machine as the file names it (e.g. `X86_64`, `Aarch64`).
    pub machine: String,
    pub bits: u8,
    pub endian: Endian,
    /// A shared library / DLL / dylib / bundle: something a runtime can `dlopen`.
    pub shared_library: bool,
    /// npm `libc`, for Linux ELF only.
    pub libc: Option<Libc>,
    /// Highest `GLIBC_x.y[.z]` symbol version the file requires.
    pub glibc: Option<String>,
    /// ELF `PT_INTERP`.
    pub interpreter: Option<String>,
    /// Shared libraries the file links: ELF `DT_NEEDED`, Mach-O `LC_LOAD_DYLIB`, PE imported DLLs.
    pub needed: Vec<String>,
    /// Mach-O minimum OS version (`LC_BUILD_VERSION` or `LC_VERSION_MIN_*`).
    pub macos_min: Option<String>,
    /// PE C runtime flavour.
    pub crt: Option<Crt>,
    /// `napi_register_module_v1` (or `_napi_register_module_v1` on Mach-O) is exported.
    pub napi_export: bool,
    /// The Node-API symbols found among the exports.
    pub napi_symbols: Vec<String>,
    /// No local symbol table left (ELF `.symtab`, PE COFF symbols, Mach-O local symbols).
    pub stripped: bool,
    /// For a fat Mach-O: one inspection per slice.
    pub slices: Vec<Inspection>,
    pub size: u64,
}

impl Inspection {
    fn new(format: Format, size: u64) -> Self {
        Inspection {
            format,
            os: None,
            cpu: None,
            machine: String::new(),
            bits: 0,
            endian: Endian::Little,
            shared_library: false,
            libc: None,
            glibc: None,
            interpreter: None,
            needed: Vec::new(),
            macos_min: None,
            crt: None,
            napi_export: false,
            napi_symbols: Vec::new(),
            stripped: false,
            slices: Vec::new(),
            size,
        }
    }
}

/// Inspect a file on disk with the default size limit.
pub fn inspect_path(path: &Path) -> Result<Inspection, InspectError> {
    inspect_path_with_limit(path, DEFAULT_SIZE_LIMIT)
}

/// Inspect a file on disk, refusing files larger than `limit` bytes before reading them.
pub fn inspect_path_with_limit(path: &Path, limit: u64) -> Result<Inspection, InspectError> {
    let io = |e| InspectError::io(path, e);
    let (file, meta) = match crate::open::open_regular(path).map_err(io)? {
        crate::open::Opened::File(file, meta) => (file, meta),
        crate::open::Opened::NotAFile => return Err(InspectError::NotAFile),
    };
    let len = meta.len();
    if len > limit {
        return Err(InspectError::TooLarge { size: len, limit });
    }
    let mut data = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    // Read at most limit + 1 bytes: a file that grows while we read is still refused.
    file.take(limit.saturating_add(1))
        .read_to_end(&mut data)
        .map_err(io)?;
    if data.len() as u64 > limit {
        return Err(InspectError::TooLarge {
            size: data.len() as u64,
            limit,
        });
    }
    inspect_bytes(&data)
}

/// Inspect bytes already in memory.
pub fn inspect_bytes(data: &[u8]) -> Result<Inspection, InspectError> {
    if data.is_empty() {
        return Err(InspectError::Empty);
    }
    if data.starts_with(b"\0asm") {
        return wasm::inspect(data);
    }
    let kind = match FileKind::parse(data) {
        Ok(kind) => kind,
        Err(_) if looks_like_known_magic(data) => {
            return Err(InspectError::Truncated(
                "the file starts like a binary but ends before its header does".into(),
            ))
        }
        Err(_) => return Err(InspectError::UnknownFormat),
    };
    check_extent(data, kind)?;
    match kind {
        FileKind::Elf32 | FileKind::Elf64 => elf::inspect(data, kind),
        FileKind::MachO32 | FileKind::MachO64 => macho::inspect_thin(data, kind),
        FileKind::MachOFat32 | FileKind::MachOFat64 => macho::inspect_fat(data, kind),
        FileKind::Pe32 | FileKind::Pe64 => pe::inspect(data, kind),
        other => Err(InspectError::Unsupported(format!(
            "{other:?} is not a loadable native addon (expected an ELF shared object, a Mach-O dylib/bundle or a PE DLL)"
        ))),
    }
}

/// A file whose sections or segments reach past its end was cut short (an interrupted download,
/// a half-written artifact): the headers alone would still parse, so say so explicitly.
pub(crate) fn check_extent(data: &[u8], kind: FileKind) -> Result<(), InspectError> {
    if matches!(kind, FileKind::MachOFat32 | FileKind::MachOFat64) {
        // Each slice was checked as a thin file; the fat table itself is bounds-checked on parse.
        return Ok(());
    }
    let len = data.len() as u64;
    let Ok(file) = object::File::parse(data) else {
        // The tables object needs may be what was cut off: the headers say where they should be.
        return match kind {
            FileKind::Elf32 => {
                elf::declared_extent::<object::elf::FileHeader32<object::Endianness>>(data)
            }
            FileKind::Elf64 => {
                elf::declared_extent::<object::elf::FileHeader64<object::Endianness>>(data)
            }
            FileKind::MachO32 => {
                macho::declared_extent::<object::macho::MachHeader32<object::Endianness>>(data)
            }
            FileKind::MachO64 => {
                macho::declared_extent::<object::macho::MachHeader64<object::Endianness>>(data)
            }
            _ => Ok(()),
        };
    };
    let mut furthest = 0u64;
    for section in file.sections() {
        if let Some((offset, size)) = section.file_range() {
            furthest = furthest.max(offset.saturating_add(size));
        }
    }
    for segment in file.segments() {
        let (offset, size) = segment.file_range();
        furthest = furthest.max(offset.saturating_add(size));
    }
    if furthest > len {
        return Err(InspectError::Truncated(format!(
            "the file is {len} bytes but its sections reach byte {furthest}"
        )));
    }
    Ok(())
}

fn looks_like_known_magic(data: &[u8]) -> bool {
    const MAGICS: [&[u8]; 8] = [
        b"\x7fELF",
        b"\xfe\xed\xfa\xce",
        b"\xce\xfa\xed\xfe",
        b"\xfe\xed\xfa\xcf",
        b"\xcf\xfa\xed\xfe",
        b"\xca\xfe\xba\xbe",
        b"\xca\xfe\xba\xbf",
        b"MZ",
    ];
    MAGICS
        .iter()
        .any(|m| data.starts_with(m) || m.starts_with(data))
}

/// npm's `cpu` name for an architecture, `None` where npm has none.
pub(crate) fn npm_cpu(arch: Architecture, little_endian: bool) -> Option<&'static str> {
    Some(match arch {
        Architecture::X86_64 => "x64",
        Architecture::Aarch64 => "arm64",
        Architecture::I386 => "ia32",
        Architecture::Arm => "arm",
        Architecture::Riscv64 => "riscv64",
        Architecture::LoongArch64 => "loong64",
        Architecture::PowerPc => "ppc",
        Architecture::PowerPc64 => "ppc64",
        Architecture::S390x => "s390x",
        Architecture::Mips if little_endian => "mipsel",
        Architecture::Mips => "mips",
        Architecture::Mips64 if little_endian => "mips64el",
        _ => return None,
    })
}

/// Collect the Node-API symbols among a file's export names.
pub(crate) fn napi_symbols<'a>(names: impl Iterator<Item = &'a [u8]>) -> Vec<String> {
    let mut found: Vec<String> = names
        .filter_map(|n| {
            let bare = n.strip_prefix(b"_").unwrap_or(n);
            if bare == NAPI_REGISTER_SYMBOL.as_bytes() || bare == NAPI_VERSION_SYMBOL.as_bytes() {
                Some(String::from_utf8_lossy(n).into_owned())
            } else {
                None
            }
        })
        .collect();
    found.sort();
    found.dedup();
    found
}

pub(crate) fn has_register_symbol(symbols: &[String]) -> bool {
    symbols
        .iter()
        .any(|s| s.strip_prefix('_').unwrap_or(s) == NAPI_REGISTER_SYMBOL)
}

pub(crate) fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[cfg(test)]
mod tests;
