//! WebAssembly: a napi-rs WASI build (`wasm32-wasip1`, `wasm32-wasip1-threads`).
//!
//! The module is walked section by section: a file that ends inside a section (an interrupted
//! download, a cut artifact) is `Truncated`, a section table that does not add up is `Malformed`.
//! The export section tells whether the module registers itself with emnapi
//! (`napi_register_wasm_v1`, what napi-rs's WASI loaders call) or as a native-style
//! `napi_register_module_v1`.

use super::{Format, InspectError, Inspection};

/// The export napi-rs's WASI loaders (emnapi) call to register the module.
pub const NAPI_WASM_REGISTER_SYMBOL: &str = "napi_register_wasm_v1";

/// An unsigned LEB128 of at most 32 bits at `data[*pos..]`; `None` when it runs past the end or over 5 bytes.
fn leb_u32(data: &[u8], pos: &mut usize) -> Option<u32> {
    let mut result: u64 = 0;
    for shift in 0..5u32 {
        let byte = *data.get(*pos)?;
        *pos += 1;
        result |= u64::from(byte & 0x7f) << (7 * shift);
        if byte & 0x80 == 0 {
            return u32::try_from(result).ok();
        }
    }
    None
}

/// The names of a module's exports, from the body of its export section.
fn export_names(body: &[u8]) -> Result<Vec<String>, InspectError> {
    let bad = |what: &str| InspectError::Malformed(format!("wasm export section: {what}"));
    let mut pos = 0usize;
    let count = leb_u32(body, &mut pos).ok_or_else(|| bad("bad export count"))?;
    let mut names = Vec::new();
    for _ in 0..count {
        let len = leb_u32(body, &mut pos).ok_or_else(|| bad("bad name length"))? as usize;
        let end = pos
            .checked_add(len)
            .ok_or_else(|| bad("name length overflows"))?;
        let name = body
            .get(pos..end)
            .ok_or_else(|| bad("name runs past the section"))?;
        names.push(String::from_utf8_lossy(name).into_owned());
        pos = end;
        // kind byte, then the index.
        body.get(pos).ok_or_else(|| bad("export kind missing"))?;
        pos += 1;
        leb_u32(body, &mut pos).ok_or_else(|| bad("bad export index"))?;
    }
    Ok(names)
}

pub(super) fn inspect(data: &[u8]) -> Result<Inspection, InspectError> {
    if data.len() < 8 {
        return Err(InspectError::Truncated(
            "wasm header shorter than 8 bytes".into(),
        ));
    }
    if data.get(4..8) != Some(&[1, 0, 0, 0][..]) {
        return Err(InspectError::Unsupported(
            "a WebAssembly binary of another version than 1 (a component?) is not a napi-rs module"
                .into(),
        ));
    }
    let mut r = Inspection::new(Format::Wasm, data.len() as u64);
    r.cpu = Some("wasm32");
    r.os = Some("wasi");
    r.machine = "Wasm32".into();
    r.bits = 32;
    r.shared_library = true;
    r.stripped = true;

    let mut pos = 8usize;
    let mut exports = Vec::new();
    let mut has_code = false;
    let mut data_count = false;
    let mut has_data = false;
    while pos < data.len() {
        let id = data.get(pos).copied().unwrap_or(0);
        pos += 1;
        let size = leb_u32(data, &mut pos).ok_or_else(|| {
            InspectError::Truncated(format!(
                "the wasm section at byte {} has no complete size",
                pos.saturating_sub(1)
            ))
        })? as usize;
        let end = pos.saturating_add(size);
        let Some(body) = data.get(pos..end) else {
            return Err(InspectError::Truncated(format!(
                "the file is {} bytes but wasm section {id} reaches byte {end}",
                data.len()
            )));
        };
        match id {
            0 => {
                // A custom section: `name` etc. A non-stripped build keeps `name`.
                let mut p = 0usize;
                if let Some(len) = leb_u32(body, &mut p) {
                    if body.get(p..p.saturating_add(len as usize)) == Some(b"name".as_slice()) {
                        r.stripped = false;
                    }
                }
            }
            7 => exports = export_names(body)?,
            10 => has_code = true,
            11 => has_data = true,
            12 => data_count = true,
            1..=13 => {}
            other => {
                return Err(InspectError::Malformed(format!(
                    "unknown wasm section id {other} at byte {}",
                    pos.saturating_sub(2)
                )))
            }
        }
        pos = end;
    }
    if !has_code {
        return Err(InspectError::Truncated(
            "the wasm module has no code section: it is cut short or empty".into(),
        ));
    }
    if data_count && !has_data {
        return Err(InspectError::Truncated(
            "the wasm module declares data segments but ends before its data section".into(),
        ));
    }
    let mut napi: Vec<String> = exports
        .into_iter()
        .filter(|n| {
            n == NAPI_WASM_REGISTER_SYMBOL
                || n == super::NAPI_REGISTER_SYMBOL
                || n == super::NAPI_VERSION_SYMBOL
        })
        .collect();
    napi.sort();
    napi.dedup();
    r.napi_export = napi
        .iter()
        .any(|n| n == NAPI_WASM_REGISTER_SYMBOL || n == super::NAPI_REGISTER_SYMBOL);
    r.napi_symbols = napi;
    Ok(r)
}
