//! ELF: Linux (glibc or musl), Android and FreeBSD shared objects.

use super::{has_register_symbol, lossy, napi_symbols, npm_cpu, Endian, Format, Inspection, Libc};
use crate::inspect::InspectError;
use object::elf;
use object::read::elf::{ElfFile, FileHeader, ProgramHeader, SectionHeader};
use object::{FileKind, Object};

const ELFOSABI_FREEBSD: u8 = 9;

pub(super) fn inspect(data: &[u8], kind: FileKind) -> Result<Inspection, InspectError> {
    match kind {
        FileKind::Elf32 => {
            let file = ElfFile::<elf::FileHeader32<object::Endianness>>::parse(data)
                .map_err(|e| InspectError::malformed("ELF header", e))?;
            read(&file, data)
        }
        _ => {
            let file = ElfFile::<elf::FileHeader64<object::Endianness>>::parse(data)
                .map_err(|e| InspectError::malformed("ELF header", e))?;
            read(&file, data)
        }
    }
}

fn read<Elf: FileHeader<Endian = object::Endianness>>(
    file: &ElfFile<'_, Elf>,
    data: &[u8],
) -> Result<Inspection, InspectError> {
    let endian = file.endian();
    let header = file.elf_header();
    let mut r = Inspection::new(Format::Elf, data.len() as u64);
    let little = file.is_little_endian();
    r.bits = if file.is_64() { 64 } else { 32 };
    r.endian = if little { Endian::Little } else { Endian::Big };
    r.machine = format!("{:?}", file.architecture());
    r.cpu = npm_cpu(file.architecture(), little);
    r.shared_library = header.e_type(endian) == elf::ET_DYN;

    for ph in file.elf_program_headers() {
        if let Ok(Some(interp)) = ph.interpreter(endian, data) {
            r.interpreter = Some(lossy(interp));
        }
    }

    let sections = file.elf_section_table();
    let dynamic = sections
        .dynamic_table(endian, data)
        .map_err(|e| InspectError::malformed("ELF dynamic section", e))?;
    for d in &dynamic {
        if d.tag == elf::DT_NEEDED {
            let name = dynamic
                .string(d)
                .map_err(|e| InspectError::malformed("ELF DT_NEEDED", e))?;
            r.needed.push(lossy(name));
        }
    }

    r.glibc = glibc_ceiling(file, data)?;

    let mut android = false;
    let mut ohos = false;
    let mut freebsd_note = false;
    for section in sections.iter() {
        if let Ok(name) = sections.section_name(endian, section) {
            if name == b".note.android.ident" {
                android = true;
            }
            // The OpenHarmony NDK's crt objects carry this note (name "OHOS"); a linux-musl build does not.
            if name == b".note.ohos.ident" {
                ohos = true;
            }
        }
        if let Ok(Some(mut notes)) = section.notes(endian, data) {
            while let Ok(Some(note)) = notes.next() {
                if note.name() == b"FreeBSD" {
                    freebsd_note = true;
                }
                if note.name() == b"Android" {
                    android = true;
                }
                if note.name() == b"OHOS" {
                    ohos = true;
                }
            }
        }
    }

    let freebsd = header.e_ident().os_abi.0 == ELFOSABI_FREEBSD
        || freebsd_note
        || r.needed.iter().any(|n| n == "libc.so.7");
    if android {
        r.os = Some("android");
    } else if ohos {
        // OpenHarmony's libc is musl-based; npm has no os value for it, napi-rs names it openharmony.
        r.os = Some("openharmony");
        r.libc = linux_libc(&r);
    } else if freebsd {
        r.os = Some("freebsd");
    } else {
        r.os = Some("linux");
        r.libc = linux_libc(&r);
    }

    // Node-API exports: defined, global dynamic symbols.
    let exports = file
        .exports()
        .map_err(|e| InspectError::malformed("ELF dynamic symbols", e))?;
    // Stop at the first bad entry: a broken table is malformed, and some iterators (the Mach-O
    // export trie) repeat an error forever instead of ending.
    let names = exports
        .collect::<Result<Vec<object::Export<'_>>, _>>()
        .map_err(|e| InspectError::malformed("ELF dynamic symbols", e))?;
    r.napi_symbols = napi_symbols(names.iter().filter_map(|e| e.name().into_name()));
    r.napi_export = has_register_symbol(&r.napi_symbols);

    // Stripped: no full symbol table (`.symtab`) left, only the dynamic one.
    r.stripped = file.elf_symbol_table().is_empty();
    Ok(r)
}

/// Decide glibc vs musl from the interpreter, the needed libraries and version requirements.
///
/// A shared object has no interpreter of its own, so the libc it links is what decides. musl's
/// libc is `libc.so` (zig and musl-gcc link it by that name, Alpine's by `libc.musl-*`); glibc's is
/// `libc.so.6`. zig-linked musl objects may still carry a `GLIBC_2.0`-style version need on
/// `libgcc_s.so.1` (the unwinder's symbol versions), so a glibc version need proves glibc only
/// when the object does not link musl's libc.
pub(crate) fn linux_libc(r: &Inspection) -> Option<Libc> {
    let interp = r.interpreter.as_deref().unwrap_or("");
    let musl_libc = r
        .needed
        .iter()
        .any(|n| n == "libc.so" || n.starts_with("libc.musl-") || n.starts_with("ld-musl-"));
    let glibc_libc = r.needed.iter().any(|n| n == "libc.so.6");
    let musl = interp.contains("ld-musl-") || (musl_libc && !glibc_libc);
    let glibc = interp.contains("ld-linux")
        || interp.ends_with("/ld64.so.1")
        || interp.ends_with("/ld64.so.2")
        || interp.ends_with("/ld.so.1")
        || glibc_libc
        || (r.glibc.is_some() && !musl_libc);
    match (glibc, musl) {
        (true, false) => Some(Libc::Glibc),
        (false, true) => Some(Libc::Musl),
        // Both or neither: the file does not prove one libc.
        _ => None,
    }
}

/// The highest `GLIBC_x.y[.z]` among the version needs of every library.
fn glibc_ceiling<Elf: FileHeader<Endian = object::Endianness>>(
    file: &ElfFile<'_, Elf>,
    data: &[u8],
) -> Result<Option<String>, InspectError> {
    let endian = file.endian();
    let sections = file.elf_section_table();
    let Some((mut needs, link)) = sections
        .gnu_verneed(endian, data)
        .map_err(|e| InspectError::malformed("ELF version needs", e))?
    else {
        return Ok(None);
    };
    let strings = sections
        .strings(endian, data, link)
        .map_err(|e| InspectError::malformed("ELF version strings", e))?;
    let mut best: Option<(Vec<u32>, String)> = None;
    while let Some((_need, mut auxes)) = needs
        .next()
        .map_err(|e| InspectError::malformed("ELF version needs", e))?
    {
        while let Some(aux) = auxes
            .next()
            .map_err(|e| InspectError::malformed("ELF version needs", e))?
        {
            let name = aux
                .name(endian, strings)
                .map_err(|e| InspectError::malformed("ELF version name", e))?;
            if let Some(version) = parse_glibc_version(name) {
                if best.as_ref().is_none_or(|(b, _)| version > *b) {
                    best = Some((version, lossy(name.get(6..).unwrap_or(b""))));
                }
            }
        }
    }
    Ok(best.map(|(_, s)| s))
}

/// `GLIBC_2.34` → `[2, 34]`; `GLIBC_PRIVATE` and anything else → `None`.
pub(crate) fn parse_glibc_version(name: &[u8]) -> Option<Vec<u32>> {
    let rest = name.strip_prefix(b"GLIBC_")?;
    let text = std::str::from_utf8(rest).ok()?;
    let parts: Option<Vec<u32>> = text.split('.').map(|p| p.parse::<u32>().ok()).collect();
    parts.filter(|p| !p.is_empty() && p.len() <= 4)
}

/// The extent an ELF header declares for its program and section header tables; a file shorter than
/// that was cut short. Only the fixed-size header is read.
pub(super) fn declared_extent<Elf: FileHeader<Endian = object::Endianness>>(
    data: &[u8],
) -> Result<(), InspectError> {
    let Ok(header) = Elf::parse(data) else {
        return Err(InspectError::Truncated(
            "the ELF header is cut short".into(),
        ));
    };
    let Ok(endian) = header.endian() else {
        return Ok(());
    };
    let sh_end = header.e_shoff(endian).into().saturating_add(
        u64::from(header.e_shnum(endian)).saturating_mul(u64::from(header.e_shentsize(endian))),
    );
    let ph_end = header.e_phoff(endian).into().saturating_add(
        u64::from(header.e_phnum(endian)).saturating_mul(u64::from(header.e_phentsize(endian))),
    );
    let len = data.len() as u64;
    let furthest = sh_end.max(ph_end);
    if furthest > len {
        return Err(InspectError::Truncated(format!(
            "the file is {len} bytes but its header tables reach byte {furthest}"
        )));
    }
    Ok(())
}
