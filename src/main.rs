//! The `softiou` command line (see `softiou --help`). It is built into the library behind the
//! `cli` feature, so that the figure internals it drives stay private to the crate.

fn main() {
    softiou::cli_main();
}
