//! `inspect_bytes` must return `Ok` or a typed `InspectError` for every input: never panic,
//! overflow (the fuzz build keeps debug assertions), loop forever, recurse or allocate without
//! bound.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Formatting the error too: its messages carry text taken from the hostile file.
    if let Err(e) = napi_ship_core::inspect_bytes(data) {
        let _ = (e.code(), e.to_string());
    }
});
