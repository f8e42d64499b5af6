//! Opening a file to read without ever blocking on it.
//!
//! `File::open` on a FIFO waits for a writer forever, and on a device it may read without end.
//! [`open_regular`] opens with `O_NONBLOCK` (so a FIFO opens at once), checks with `fstat` on the
//! opened handle that it is a regular file (so the file checked is the file read), and only then
//! hands it back. `O_NONBLOCK` has no effect on reads of a regular file.

use std::fs::{File, Metadata, OpenOptions};
use std::io;
use std::path::Path;

/// What [`open_regular`] found.
pub enum Opened {
    /// A regular file and its metadata.
    File(File, Metadata),
    /// Something else (a directory, FIFO, socket or device): not opened for reading.
    NotAFile,
}

/// Open `path` for reading only if it is a regular file; never blocks on a FIFO.
pub fn open_regular(path: &Path) -> io::Result<Opened> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Ok(Opened::NotAFile);
    }
    Ok(Opened::File(file, meta))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_not_a_file_and_does_not_block() {
        let dir = std::env::temp_dir().join(format!("napi-ship-open-{}", std::process::id()));
        std::fs::create_dir_all(&dir).ok();
        let fifo = dir.join("fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        if made {
            assert!(matches!(open_regular(&fifo), Ok(Opened::NotAFile)));
        }
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn a_directory_is_not_a_file() {
        assert!(matches!(
            open_regular(&std::env::temp_dir()),
            Ok(Opened::NotAFile)
        ));
    }
}
