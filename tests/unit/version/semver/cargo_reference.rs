// Reference answers from the Rust `semver` crate (Debian's librust-semver-dev) for
// version_semver_differential_test. Reads lines "HEX_A HEX_B" on stdin; prints
// "VALID_A VALID_B CMP" per line (CMP is Version's Ord, "-" unless both parse).
use std::io::{self, BufRead, BufWriter, Write};

fn decode(hex: &str) -> String {
    if hex == "-" {
        return String::new();
    }
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

fn main() {
    let stdin = io::stdin();
    let mut out = BufWriter::new(io::stdout());
    for line in stdin.lock().lines() {
        let line = line.unwrap();
        let mut fields = line.split(' ');
        let a = semver::Version::parse(&decode(fields.next().unwrap_or("")));
        let b = semver::Version::parse(&decode(fields.next().unwrap_or("")));
        let cmp = match (&a, &b) {
            (Ok(x), Ok(y)) => (x.cmp(y) as i32).to_string(),
            _ => "-".to_string(),
        };
        writeln!(out, "{} {} {}", a.is_ok() as i32, b.is_ok() as i32, cmp).unwrap();
    }
}
