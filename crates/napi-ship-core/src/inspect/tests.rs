use super::*;

#[test]
fn empty_input_is_a_typed_error() {
    assert_eq!(
        inspect_bytes(&[]).map(|_| ()).map_err(|e| e.code()),
        Err("E_EMPTY")
    );
}

#[test]
fn text_is_unknown_format() {
    let r = inspect_bytes(b"#!/bin/sh\necho not a binary\n");
    assert_eq!(r.map(|_| ()).map_err(|e| e.code()), Err("E_UNKNOWN_FORMAT"));
}

#[test]
fn a_bare_elf_magic_is_truncated() {
    for data in [&b"\x7fELF"[..], b"\x7fEL", b"\x7fELF\x02\x01\x01"] {
        let code = inspect_bytes(data).map(|_| ()).map_err(|e| e.code());
        assert_eq!(code, Err("E_TRUNCATED"), "{data:?}");
    }
}

/// Found by cargo fuzz: a thin Mach-O whose export trie has an edge name with no terminator. The
/// `object` trie iterator repeats that error forever, so reading stops at the first bad export.
#[test]
fn an_unterminated_export_trie_edge_is_malformed_not_a_hang() {
    const HEX: &str = "cffaedfe0700000103000000060000000200000058000000000000000000000019000000480000005f5f4c494e4b454449540000000000000000000000000000001000000000000000000000000000008200000000000000010000000100000000000000000000003300008010000000800000000200000000000000000000000001";
    let bytes: Vec<u8> = (0..HEX.len() / 2)
        .filter_map(|i| HEX.get(i * 2..i * 2 + 2))
        .filter_map(|h| u8::from_str_radix(h, 16).ok())
        .collect();
    assert_eq!(bytes.len(), 130);
    let code = inspect_bytes(&bytes).map(|_| ()).map_err(|e| e.code());
    assert!(
        matches!(code, Err("E_MALFORMED") | Err("E_TRUNCATED")),
        "{code:?}"
    );
}

#[test]
fn glibc_versions_parse_and_order_numerically() {
    assert_eq!(elf::parse_glibc_version(b"GLIBC_2.34"), Some(vec![2, 34]));
    assert_eq!(
        elf::parse_glibc_version(b"GLIBC_2.2.5"),
        Some(vec![2, 2, 5])
    );
    assert_eq!(elf::parse_glibc_version(b"GLIBC_PRIVATE"), None);
    assert_eq!(elf::parse_glibc_version(b"GCC_3.0"), None);
    assert!(elf::parse_glibc_version(b"GLIBC_2.34") > elf::parse_glibc_version(b"GLIBC_2.4"));
}

#[test]
fn crt_flavour_from_imports() {
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    assert_eq!(
        pe::crt_flavour(&s(&[
            "KERNEL32.dll",
            "VCRUNTIME140.dll",
            "api-ms-win-crt-runtime-l1-1-0.dll"
        ])),
        Crt::Msvc
    );
    assert_eq!(
        pe::crt_flavour(&s(&["KERNEL32.dll", "msvcrt.dll"])),
        Crt::Mingw
    );
    assert_eq!(
        pe::crt_flavour(&s(&[
            "api-ms-win-crt-heap-l1-1-0.dll",
            "libgcc_s_seh-1.dll"
        ])),
        Crt::Mingw
    );
    assert_eq!(pe::crt_flavour(&s(&[])), Crt::NoCrt);
}

#[test]
fn oversized_files_are_refused_before_reading() -> Result<(), std::io::Error> {
    let dir = std::env::temp_dir().join(format!("napi-ship-core-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("big.bin");
    std::fs::write(&path, vec![0u8; 4096])?;
    let r = inspect_path_with_limit(&path, 1024);
    assert!(matches!(
        r,
        Err(InspectError::TooLarge {
            size: 4096,
            limit: 1024
        })
    ));
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

#[test]
fn the_test_binary_itself_inspects_as_a_host_elf() -> Result<(), InspectError> {
    // The running test executable is a real ELF built for the host.
    let exe = std::env::current_exe().map_err(|e| InspectError::Io(e.to_string()))?;
    let r = inspect_path(&exe)?;
    assert_eq!(r.format, Format::Elf);
    assert_eq!(r.os, Some("linux"));
    if cfg!(target_arch = "x86_64") {
        assert_eq!(r.cpu, Some("x64"));
    }
    if cfg!(target_env = "gnu") {
        assert_eq!(r.libc, Some(Libc::Glibc));
        assert!(r.glibc.is_some());
    }
    Ok(())
}

mod hostile {
    use super::super::*;
    use proptest::prelude::*;

    fn seeds() -> Vec<Vec<u8>> {
        // The test executable is a large real ELF; its prefix and mutations reach deep parsers.
        let exe = std::env::current_exe()
            .ok()
            .and_then(|p| std::fs::read(p).ok())
            .unwrap_or_default();
        let mut fat = vec![0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 2];
        fat.extend_from_slice(&[0u8; 40]);
        let mut pe = b"MZ".to_vec();
        pe.resize(0x40, 0);
        if let Some(slot) = pe.get_mut(0x3c) {
            *slot = 0x40;
        }
        pe.extend_from_slice(b"PE\0\0");
        vec![
            exe.get(..65536).unwrap_or(&exe).to_vec(),
            fat,
            pe,
            b"\xcf\xfa\xed\xfe\x07\x00\x00\x01".to_vec(),
            super::wasm_module("napi_register_wasm_v1"),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn random_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..4096)) {
            let _ = inspect_bytes(&data);
        }

        #[test]
        fn mutated_real_headers_never_panic(seed in 0usize..4, cut in 0usize..65536, flips in proptest::collection::vec((0usize..65536, any::<u8>()), 0..32)) {
            let seeds = seeds();
            let mut data = seeds.get(seed).cloned().unwrap_or_default();
            for (at, byte) in flips {
                let len = data.len().max(1);
                if let Some(slot) = data.get_mut(at % len) {
                    *slot = byte;
                }
            }
            data.truncate(cut);
            let _ = inspect_bytes(&data);
        }
    }
}

/// A minimal wasm module: type, function, export and code sections (one `() -> ()` function
/// exported under `name`), optionally followed by a `name` custom section.
fn wasm_module(export: &str) -> Vec<u8> {
    let mut m = b"\0asm\x01\0\0\0".to_vec();
    m.extend_from_slice(&[1, 4, 1, 0x60, 0, 0]); // type section: one func type () -> ()
    m.extend_from_slice(&[3, 2, 1, 0]); // function section: one function of type 0
    let mut body = vec![1u8, export.len() as u8];
    body.extend_from_slice(export.as_bytes());
    body.extend_from_slice(&[0, 0]); // kind func, index 0
    m.push(7);
    m.push(body.len() as u8);
    m.extend_from_slice(&body);
    m.extend_from_slice(&[10, 4, 1, 2, 0, 0x0b]); // code section: one empty body
    m
}

#[test]
fn a_complete_wasm_module_with_the_napi_export() -> Result<(), InspectError> {
    let r = inspect_bytes(&wasm_module("napi_register_wasm_v1"))?;
    assert_eq!(r.format, Format::Wasm);
    assert_eq!(r.os, Some("wasi"));
    assert!(r.napi_export);
    assert_eq!(r.napi_symbols, vec!["napi_register_wasm_v1".to_string()]);
    let other = inspect_bytes(&wasm_module("something_else"))?;
    assert!(!other.napi_export);
    Ok(())
}

#[test]
fn a_cut_or_headless_wasm_module_is_truncated() {
    let full = wasm_module("napi_register_wasm_v1");
    for len in [4usize, 8, 12, full.len() - 1, full.len() - 6] {
        let code = inspect_bytes(full.get(..len).unwrap_or(&[]))
            .map(|_| ())
            .map_err(|e| e.code());
        assert_eq!(code, Err("E_TRUNCATED"), "cut at {len}");
    }
}

fn linux(needed: &[&str], interp: Option<&str>, glibc: Option<&str>) -> Inspection {
    let mut r = Inspection::new(Format::Elf, 0);
    r.needed = needed.iter().map(|s| s.to_string()).collect();
    r.interpreter = interp.map(str::to_string);
    r.glibc = glibc.map(str::to_string);
    r
}

#[test]
fn zig_linked_musl_reads_as_musl() {
    // zig: no interpreter, libc.so, and a GLIBC_2.0 need on libgcc_s from the unwinder.
    let zig = linux(&["libgcc_s.so.1", "libc.so"], None, Some("2.0"));
    assert_eq!(elf::linux_libc(&zig), Some(Libc::Musl));
    let gnu = linux(&["libgcc_s.so.1", "libc.so.6"], None, Some("2.17"));
    assert_eq!(elf::linux_libc(&gnu), Some(Libc::Glibc));
    let static_gnu = linux(&[], None, Some("2.17"));
    assert_eq!(elf::linux_libc(&static_gnu), Some(Libc::Glibc));
    let nothing = linux(&[], None, None);
    assert_eq!(elf::linux_libc(&nothing), None);
}
