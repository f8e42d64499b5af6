//! Mach-O: thin dylibs/bundles and universal (fat) files.

use super::{has_register_symbol, lossy, napi_symbols, npm_cpu, Endian, Format, Inspection};
use crate::inspect::InspectError;
use object::macho;
use object::read::macho::{FatArch, LoadCommandVariant, MachHeader, MachOFatFile, MachOFile};
use object::{FileKind, Object, ObjectSymbol};

/// Fat files hold a handful of slices; more than this is hostile input.
const MAX_SLICES: usize = 16;

pub(super) fn inspect_thin(data: &[u8], kind: FileKind) -> Result<Inspection, InspectError> {
    match kind {
        FileKind::MachO32 => {
            let file = MachOFile::<macho::MachHeader32<object::Endianness>>::parse(data)
                .map_err(|e| InspectError::malformed("Mach-O header", e))?;
            read(&file, data)
        }
        _ => {
            let file = MachOFile::<macho::MachHeader64<object::Endianness>>::parse(data)
                .map_err(|e| InspectError::malformed("Mach-O header", e))?;
            read(&file, data)
        }
    }
}

fn read<Mach: MachHeader<Endian = object::Endianness>>(
    file: &MachOFile<'_, Mach>,
    data: &[u8],
) -> Result<Inspection, InspectError> {
    let endian = file.endian();
    let header = file.macho_header();
    let little = file.is_little_endian();
    let mut r = Inspection::new(Format::MachO, data.len() as u64);
    r.bits = if file.is_64() { 64 } else { 32 };
    r.endian = if little { Endian::Little } else { Endian::Big };
    r.machine = format!("{:?}", file.architecture());
    r.cpu = npm_cpu(file.architecture(), little);
    let filetype = header.filetype(endian);
    r.shared_library = filetype == macho::MH_DYLIB || filetype == macho::MH_BUNDLE;

    let mut platform_os: Option<&'static str> = None;
    let mut commands = file
        .macho_load_commands()
        .map_err(|e| InspectError::malformed("Mach-O load commands", e))?;
    while let Some(command) = commands
        .next()
        .map_err(|e| InspectError::malformed("Mach-O load command", e))?
    {
        let variant = command
            .variant()
            .map_err(|e| InspectError::malformed("Mach-O load command", e))?;
        match variant {
            LoadCommandVariant::BuildVersion(bv, _) => {
                let platform = bv.platform.get(endian);
                platform_os = Some(if platform == macho::PLATFORM_MACOS {
                    "darwin"
                } else if platform == macho::PLATFORM_IOS {
                    "ios"
                } else {
                    "apple"
                });
                r.macos_min = Some(version(bv.minos.get(endian)));
            }
            LoadCommandVariant::VersionMin(vm) => {
                let cmd = vm.cmd.get(endian);
                platform_os = Some(if cmd == macho::LC_VERSION_MIN_MACOSX {
                    "darwin"
                } else if cmd == macho::LC_VERSION_MIN_IPHONEOS {
                    "ios"
                } else {
                    "apple"
                });
                r.macos_min = Some(version(vm.version.get(endian)));
            }
            LoadCommandVariant::Dylib(dylib) => {
                if let Ok(name) = command.string(endian, dylib.dylib.name) {
                    r.needed.push(lossy(name));
                }
            }
            _ => {}
        }
    }
    // A Mach-O that names no platform is still an Apple binary; napi-rs builds are macOS.
    r.os = Some(match platform_os {
        Some("ios") => "ios",
        Some("apple") => "apple",
        _ => "darwin",
    });

    let exports = file
        .exports()
        .map_err(|e| InspectError::malformed("Mach-O exports", e))?;
    // Stop at the first bad entry: a broken table is malformed, and some iterators (the Mach-O
    // export trie) repeat an error forever instead of ending.
    let names = exports
        .collect::<Result<Vec<object::Export<'_>>, _>>()
        .map_err(|e| InspectError::malformed("Mach-O export trie", e))?;
    r.napi_symbols = napi_symbols(names.iter().filter_map(|e| e.name().into_name()));
    r.napi_export = has_register_symbol(&r.napi_symbols);
    r.stripped = !file.symbols().any(|s| s.is_local() && s.is_definition());
    Ok(r)
}

fn version(v: macho::Version) -> String {
    if v.update() == 0 {
        format!("{}.{}", v.major(), v.minor())
    } else {
        format!("{}.{}.{}", v.major(), v.minor(), v.update())
    }
}

pub(super) fn inspect_fat(data: &[u8], kind: FileKind) -> Result<Inspection, InspectError> {
    // The fat header is 8 bytes, then nfat_arch entries of 20 (32-bit) or 32 (64-bit) bytes.
    let declared = data
        .get(4..8)
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map(u32::from_be_bytes);
    let entry = if kind == FileKind::MachOFat32 {
        20u64
    } else {
        32
    };
    if let Some(n) = declared {
        let need = 8 + u64::from(n).saturating_mul(entry);
        if (n as usize) <= MAX_SLICES && need > data.len() as u64 {
            return Err(InspectError::Truncated(format!(
                "the fat header lists {n} slices ({need} bytes) but the file has {} bytes",
                data.len()
            )));
        }
    } else {
        return Err(InspectError::Truncated(
            "the fat header is cut short".into(),
        ));
    }
    match kind {
        FileKind::MachOFat32 => {
            let fat = MachOFatFile::<macho::FatArch32>::parse(data)
                .map_err(|e| InspectError::malformed("Mach-O fat header", e))?;
            read_fat(&fat, data)
        }
        _ => {
            let fat = MachOFatFile::<macho::FatArch64>::parse(data)
                .map_err(|e| InspectError::malformed("Mach-O fat header", e))?;
            read_fat(&fat, data)
        }
    }
}

fn read_fat<Fat: FatArch>(
    fat: &MachOFatFile<'_, Fat>,
    data: &[u8],
) -> Result<Inspection, InspectError> {
    let arches = fat.arches();
    if arches.is_empty() {
        return Err(InspectError::Malformed(
            "Mach-O fat file with no slices".into(),
        ));
    }
    if arches.len() > MAX_SLICES {
        return Err(InspectError::Malformed(format!(
            "Mach-O fat file claims {} slices (at most {MAX_SLICES} are read)",
            arches.len()
        )));
    }
    let mut slices = Vec::with_capacity(arches.len());
    for arch in arches {
        let end = arch.offset().into().saturating_add(arch.size().into());
        if end > data.len() as u64 {
            return Err(InspectError::Truncated(format!(
                "a fat slice ends at byte {end} but the file has {} bytes",
                data.len()
            )));
        }
        let slice = arch
            .data(data)
            .map_err(|e| InspectError::malformed("Mach-O fat slice", e))?;
        let kind =
            FileKind::parse(slice).map_err(|e| InspectError::malformed("Mach-O fat slice", e))?;
        let inspected = match kind {
            FileKind::MachO32 | FileKind::MachO64 => {
                super::check_extent(slice, kind)?;
                inspect_thin(slice, kind)?
            }
            other => {
                return Err(InspectError::Malformed(format!(
                    "a fat Mach-O slice must be a thin Mach-O, found {other:?}"
                )))
            }
        };
        slices.push(inspected);
    }
    let mut r = Inspection::new(Format::MachOFat, data.len() as u64);
    let first = slices
        .first()
        .cloned()
        .ok_or(InspectError::Malformed("no slices".into()))?;
    r.os = if slices.iter().all(|s| s.os == first.os) {
        first.os
    } else {
        None
    };
    r.cpu = if slices.len() == 1 {
        first.cpu
    } else {
        Some("universal")
    };
    r.machine = slices
        .iter()
        .map(|s| s.machine.as_str())
        .collect::<Vec<_>>()
        .join("+");
    r.bits = slices.iter().map(|s| s.bits).max().unwrap_or(0);
    r.endian = first.endian;
    r.shared_library = slices.iter().all(|s| s.shared_library);
    // The strictest (highest) minimum among the slices is what the file as a whole needs.
    r.macos_min = slices
        .iter()
        .filter_map(|s| s.macos_min.clone())
        .max_by_key(|v| {
            v.split('.')
                .map(|p| p.parse::<u32>().unwrap_or(0))
                .collect::<Vec<_>>()
        });
    let mut needed: Vec<String> = slices
        .iter()
        .flat_map(|s| s.needed.iter().cloned())
        .collect();
    needed.sort();
    needed.dedup();
    r.needed = needed;
    r.napi_export = slices.iter().all(|s| s.napi_export);
    let mut symbols: Vec<String> = slices
        .iter()
        .flat_map(|s| s.napi_symbols.iter().cloned())
        .collect();
    symbols.sort();
    symbols.dedup();
    r.napi_symbols = symbols;
    r.stripped = slices.iter().all(|s| s.stripped);
    r.slices = slices;
    Ok(r)
}

/// The extent a thin Mach-O's load commands declare for its segments and symbol table; a file
/// shorter than that was cut short. Reads only the header and load commands.
pub(super) fn declared_extent<Mach: MachHeader<Endian = object::Endianness>>(
    data: &[u8],
) -> Result<(), InspectError> {
    let Ok(header) = Mach::parse(data, 0) else {
        return Err(InspectError::Truncated(
            "the Mach-O header is cut short".into(),
        ));
    };
    let Ok(endian) = header.endian() else {
        return Ok(());
    };
    let Ok(mut commands) = header.load_commands(endian, data, 0) else {
        return Err(InspectError::Truncated(
            "the Mach-O load commands are cut short".into(),
        ));
    };
    let mut furthest = 0u64;
    while let Ok(Some(command)) = commands.next() {
        let end = match command.variant() {
            Ok(LoadCommandVariant::Segment32(s, _)) => {
                u64::from(s.fileoff.get(endian)).saturating_add(u64::from(s.filesize.get(endian)))
            }
            Ok(LoadCommandVariant::Segment64(s, _)) => {
                s.fileoff.get(endian).saturating_add(s.filesize.get(endian))
            }
            Ok(LoadCommandVariant::Symtab(s)) => {
                let entry = if header.is_type_64() { 16u64 } else { 12 };
                let symbols = u64::from(s.symoff.get(endian))
                    .saturating_add(u64::from(s.nsyms.get(endian)).saturating_mul(entry));
                let strings = u64::from(s.stroff.get(endian))
                    .saturating_add(u64::from(s.strsize.get(endian)));
                symbols.max(strings)
            }
            _ => 0,
        };
        furthest = furthest.max(end);
    }
    let len = data.len() as u64;
    if furthest > len {
        return Err(InspectError::Truncated(format!(
            "the file is {len} bytes but its load commands reach byte {furthest}"
        )));
    }
    Ok(())
}
