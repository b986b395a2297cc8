//! The bundle's file names as the server links them (server only).

use std::{
    collections::HashMap,
    path::PathBuf,
    sync::{Mutex, OnceLock},
};

use leptos::prelude::LeptosOptions;

/// The stylesheet's address: `/pkg/steward.<hash>.css` when the build named its files by hash
/// (listed in `pkg/hash.txt`), else `/pkg/steward.css`. The hash file is read once per process.
pub fn stylesheet(options: &LeptosOptions) -> String {
    static HASHES: OnceLock<Mutex<HashMap<PathBuf, Option<String>>>> = OnceLock::new();
    let pkg = format!("/{}", options.site_pkg_dir);
    let name = options.output_name.as_ref();
    if !options.hash_files {
        return format!("{pkg}/{name}.css");
    }
    let path = PathBuf::from(options.hash_file.as_ref());
    let mut hashes = HASHES
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let hash = hashes
        .entry(path.clone())
        .or_insert_with(|| css_hash(&path));
    match hash {
        Some(hash) => format!("{pkg}/{name}.{hash}.css"),
        None => format!("{pkg}/{name}.css"),
    }
}

/// The `css: <hash>` line of a hash file.
fn css_hash(path: &PathBuf) -> Option<String> {
    std::fs::read_to_string(path)
        .ok()?
        .lines()
        .find_map(|line| {
            line.split_once(':')
                .filter(|(file, _)| file.trim() == "css")
        })
        .map(|(_, hash)| hash.trim().to_owned())
}
