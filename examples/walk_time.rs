//! Times the corpus walk on a folder: lectern's walk (the `ignore` crate's parallel
//! walker) against the same rules walked sequentially, best of 5 each.
//!
//!     cargo run --release --example walk_time -- FOLDER

use std::time::Instant;

fn main() {
    let root = std::env::args().nth(1).expect("usage: walk_time FOLDER");
    let root = std::path::Path::new(&root);
    let best = |f: &dyn Fn() -> usize| {
        let mut times = Vec::new();
        let mut n = 0;
        for _ in 0..5 {
            let t = Instant::now();
            n = f();
            times.push(t.elapsed().as_secs_f64());
        }
        times.sort_by(f64::total_cmp);
        (n, times[0])
    };
    let (n, t) = best(&|| {
        let w = lectern::walk::walk(root, &lectern::walk::WalkOptions::default()).unwrap();
        w.files.len() + w.unsupported
    });
    println!("parallel (lectern::walk): {n} files in {:.3} s", t);
    let (n, t) = best(&|| {
        let mut files: Vec<(std::path::PathBuf, u64)> = ignore::WalkBuilder::new(root)
            .parents(false)
            .git_global(false)
            .require_git(false)
            .add_custom_ignore_filename(lectern::walk::IGNORE_FILE)
            .follow_links(true)
            .build()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
            .map(|e| {
                let len = e.metadata().map_or(0, |m| m.len());
                (e.into_path(), len)
            })
            .collect();
        files.sort();
        files.len()
    });
    println!("sequential (ignore::Walk): {n} files in {:.3} s", t);
}
