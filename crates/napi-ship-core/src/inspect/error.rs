use std::fmt;
use std::io;
use std::path::Path;

/// Why a file could not be inspected. Each variant has a stable [`code`](InspectError::code).
#[derive(Debug)]
pub enum InspectError {
    NotFound(String),
    Io(String),
    NotAFile,
    Empty,
    TooLarge {
        size: u64,
        limit: u64,
    },
    /// Not ELF, Mach-O, PE or wasm.
    UnknownFormat,
    /// A known magic number, but the file ends before the structure it announces.
    Truncated(String),
    /// A known format whose structures are inconsistent (offsets out of range, bad tables).
    Malformed(String),
    /// A real file of a kind that is not an addon (object file, archive, executable image kinds).
    Unsupported(String),
}

impl InspectError {
    pub(crate) fn io(path: &Path, e: io::Error) -> Self {
        let msg = format!("{}: {e}", path.display());
        if e.kind() == io::ErrorKind::NotFound {
            InspectError::NotFound(msg)
        } else {
            InspectError::Io(msg)
        }
    }

    pub(crate) fn malformed(what: &str, e: object::Error) -> Self {
        let text = e.to_string();
        // object says "header size" when the data ends before the fixed-size header does.
        if text.contains("header size") {
            InspectError::Truncated(format!("{what}: {text}"))
        } else {
            InspectError::Malformed(format!("{what}: {text}"))
        }
    }

    /// A stable code, the same in Rust, in the Node binding and in napi-ship's diagnostics.
    pub fn code(&self) -> &'static str {
        match self {
            InspectError::NotFound(_) => "E_NOT_FOUND",
            InspectError::Io(_) => "E_IO",
            InspectError::NotAFile => "E_NOT_A_FILE",
            InspectError::Empty => "E_EMPTY",
            InspectError::TooLarge { .. } => "E_TOO_LARGE",
            InspectError::UnknownFormat => "E_UNKNOWN_FORMAT",
            InspectError::Truncated(_) => "E_TRUNCATED",
            InspectError::Malformed(_) => "E_MALFORMED",
            InspectError::Unsupported(_) => "E_UNSUPPORTED",
        }
    }
}

impl fmt::Display for InspectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InspectError::NotFound(m) | InspectError::Io(m) => f.write_str(m),
            InspectError::NotAFile => f.write_str("not a regular file"),
            InspectError::Empty => f.write_str("the file is empty"),
            InspectError::TooLarge { size, limit } => {
                write!(f, "the file is {size} bytes, over the {limit}-byte limit")
            }
            InspectError::UnknownFormat => {
                f.write_str("not an ELF, Mach-O, PE or WebAssembly file")
            }
            InspectError::Truncated(m) => write!(f, "truncated: {m}"),
            InspectError::Malformed(m) => write!(f, "malformed: {m}"),
            InspectError::Unsupported(m) => write!(f, "unsupported: {m}"),
        }
    }
}

impl std::error::Error for InspectError {}
