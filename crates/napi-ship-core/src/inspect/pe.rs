//! PE/COFF: Windows DLLs, with the C runtime told from the imported DLLs.

use super::{has_register_symbol, lossy, napi_symbols, npm_cpu, Crt, Endian, Format, Inspection};
use crate::inspect::InspectError;
use object::pe;
use object::read::pe::{ImageNtHeaders, PeFile};
use object::{FileKind, LittleEndian as LE, Object};

pub(super) fn inspect(data: &[u8], kind: FileKind) -> Result<Inspection, InspectError> {
    match kind {
        FileKind::Pe32 => {
            let file = PeFile::<pe::ImageNtHeaders32>::parse(data)
                .map_err(|e| InspectError::malformed("PE headers", e))?;
            read(&file, data)
        }
        _ => {
            let file = PeFile::<pe::ImageNtHeaders64>::parse(data)
                .map_err(|e| InspectError::malformed("PE headers", e))?;
            read(&file, data)
        }
    }
}

fn read<Pe: ImageNtHeaders>(
    file: &PeFile<'_, Pe>,
    data: &[u8],
) -> Result<Inspection, InspectError> {
    let mut r = Inspection::new(Format::Pe, data.len() as u64);
    r.os = Some("win32");
    r.bits = if file.is_64() { 64 } else { 32 };
    r.endian = Endian::Little;
    r.machine = format!("{:?}", file.architecture());
    r.cpu = npm_cpu(file.architecture(), true);
    let file_header = file.nt_headers().file_header();
    let characteristics = file_header.characteristics.get(LE);
    r.shared_library = characteristics.0 & pe::IMAGE_FILE_DLL.0 != 0;

    if let Some(table) = file
        .import_table()
        .map_err(|e| InspectError::malformed("PE import table", e))?
    {
        let mut descriptors = table
            .descriptors()
            .map_err(|e| InspectError::malformed("PE import descriptors", e))?;
        while let Some(d) = descriptors
            .next()
            .map_err(|e| InspectError::malformed("PE import descriptor", e))?
        {
            let name = table
                .name(d.name.get(LE))
                .map_err(|e| InspectError::malformed("PE import name", e))?;
            r.needed.push(lossy(name));
        }
    }
    if let Some(table) = file
        .delay_load_import_table()
        .map_err(|e| InspectError::malformed("PE delay-load import table", e))?
    {
        let mut descriptors = table
            .descriptors()
            .map_err(|e| InspectError::malformed("PE delay-load descriptors", e))?;
        while let Some(d) = descriptors
            .next()
            .map_err(|e| InspectError::malformed("PE delay-load descriptor", e))?
        {
            let name = table
                .name(d.dll_name_rva.get(LE))
                .map_err(|e| InspectError::malformed("PE delay-load name", e))?;
            r.needed.push(lossy(name));
        }
    }
    r.crt = Some(crt_flavour(&r.needed));

    let exports = file
        .exports()
        .map_err(|e| InspectError::malformed("PE export table", e))?;
    // Stop at the first bad entry: a broken table is malformed, and some iterators (the Mach-O
    // export trie) repeat an error forever instead of ending.
    let names = exports
        .collect::<Result<Vec<object::Export<'_>>, _>>()
        .map_err(|e| InspectError::malformed("PE export table", e))?;
    r.napi_symbols = napi_symbols(names.iter().filter_map(|e| e.name().into_name()));
    r.napi_export = has_register_symbol(&r.napi_symbols);
    r.stripped = file_header.pointer_to_symbol_table.get(LE) == 0
        || file_header.number_of_symbols.get(LE) == 0;
    Ok(r)
}

/// MinGW markers win over MSVC ones: a UCRT MinGW DLL imports `api-ms-win-crt-*` too, but an
/// MSVC build never imports `msvcrt.dll` or the GCC runtime DLLs.
pub(crate) fn crt_flavour(dlls: &[String]) -> Crt {
    let lower: Vec<String> = dlls.iter().map(|d| d.to_ascii_lowercase()).collect();
    let mingw = lower.iter().any(|d| {
        d == "msvcrt.dll"
            || d.starts_with("libgcc_s_")
            || d.starts_with("libwinpthread-")
            || d.starts_with("libstdc++-")
    });
    let msvc = lower.iter().any(|d| {
        d.starts_with("vcruntime")
            || d.starts_with("msvcp1")
            || d.starts_with("api-ms-win-crt-")
            || d == "ucrtbase.dll"
    });
    if mingw {
        Crt::Mingw
    } else if msvc {
        Crt::Msvc
    } else {
        Crt::NoCrt
    }
}
