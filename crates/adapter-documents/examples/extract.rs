//! Prints the text the reader extracts from a file: `cargo run -p adapter-documents --example
//! extract -- resume.pdf` (the format follows the extension: `.pdf` or `.docx`).

use std::process::ExitCode;

use adapter_documents::DocumentText;
use interview_core::ports::DocumentFormat;

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: extract FILE.pdf|FILE.docx");
        return ExitCode::FAILURE;
    };
    let format = if path.to_ascii_lowercase().ends_with(".docx") {
        DocumentFormat::Docx
    } else {
        DocumentFormat::Pdf
    };
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(error) => {
            eprintln!("{path}: {error}");
            return ExitCode::FAILURE;
        }
    };
    match DocumentText::extract(format, &bytes) {
        Ok(text) => {
            println!("{text}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("{path}: {error}");
            ExitCode::FAILURE
        }
    }
}
